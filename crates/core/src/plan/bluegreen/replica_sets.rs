//! Sizing the ReplicaSets of a blue-green rollout (upstream `reconcileBlueGreenReplicaSets`): the
//! stable one is kept at full size, the new one grows to its desired size (or waits out the abort
//! delay), the previous active ones are scaled down after their `scale-down-deadline`.

use rollouts_api::well_known::pause_reasons::INCONCLUSIVE_ANALYSIS_RUN;

use super::super::context::Ctx;
use super::super::history::reconcile_revision_history_limit;
use super::super::referenced::recorded_in_status;
use super::super::replica_sets::{hash_of, revision_of, scale_down_deadline, spec_replicas};
use super::super::rollback::is_rollback;
use super::super::scale_down_delay::{
    AbortDelay, delayed_scale_down, hold_new_during_abort_delay, parse_deadline, remove_scale_down_deadlines,
    should_delay_scale_down_on_abort,
};
use super::super::workload::scale_down_progressively;
use super::{active_service, desired_new_replicas, preview_service};

/// Stable to full size, then the new ReplicaSet, then the older ones, then the history limit.
pub fn reconcile_replica_sets(ctx: &mut Ctx<'_>) {
    // The new ReplicaSet keeps a deadline while it waits out an abort, and until the active Service
    // selects it: a rollback to a ReplicaSet not yet scaled down stays fast-tracked until then.
    let active = ctx.service_hash(&active_service(ctx)).unwrap_or_default();
    let new_is_active = ctx.new_rs().is_some_and(|n| hash_of(n) == active);
    let rollback_within_delay = ctx.new_within_delay && is_rollback(ctx) && !new_is_active;
    let keep_new = should_delay_scale_down_on_abort(ctx) || rollback_within_delay;
    remove_scale_down_deadlines(ctx, keep_new);
    if let Some(stable) = ctx.stable {
        let replicas = ctx.replicas();
        ctx.scale(stable, replicas, false);
    }
    reconcile_new_replica_set(ctx);
    scale_down_old_replica_sets(ctx);
    reconcile_revision_history_limit(ctx);
}

/// Whether the aborted new ReplicaSet's deadline has passed, so it is to be scaled down now. An
/// unreadable deadline counts as passed.
pub fn abort_scale_down_due(ctx: &Ctx<'_>) -> bool {
    if !should_delay_scale_down_on_abort(ctx) || ctx.stable == ctx.new {
        return false;
    }
    let Some(deadline) = ctx.new_rs().and_then(scale_down_deadline) else {
        return false;
    };
    parse_deadline(deadline).is_none_or(|d| d <= ctx.now)
}

/// Upstream `reconcileNewReplicaSet` for blue-green, including the abort delay: an aborted new
/// ReplicaSet keeps its size until the stable one is fully available, then gets a deadline, and is
/// scaled down once the deadline has passed and no Service selects it any more.
fn reconcile_new_replica_set(ctx: &mut Ctx<'_>) {
    let Some(new) = ctx.new else { return };
    let mut desired = desired_new_replicas(ctx);
    let delay = should_delay_scale_down_on_abort(ctx) && ctx.stable != ctx.new;
    if delay {
        match hold_new_during_abort_delay(ctx, new) {
            AbortDelay::Held => return,
            AbortDelay::Due | AbortDelay::Unreadable => {
                if selected_by_a_service(ctx, hash_of(&ctx.all[new]).to_string().as_str()) {
                    return;
                }
                desired = 0;
            }
        }
    }
    let before = spec_replicas(&ctx.all[new]);
    ctx.scale(new, desired, delay);
    scale_down_progressively(ctx, desired, before);
}

/// Whether the preview or active Service (as this plan leaves them) selects this hash.
fn selected_by_a_service(ctx: &Ctx<'_>, hash: &str) -> bool {
    let mut names = vec![active_service(ctx)];
    names.extend(preview_service(ctx));
    names
        .iter()
        .any(|n| ctx.service_hash(n).is_some_and(|h| !h.is_empty() && h == hash))
}

/// Upstream `isReplicaSetReferenced`: a hash recorded in the status (stable, current, active,
/// preview) or selected by the active or preview Service.
fn referenced(ctx: &Ctx<'_>, hash: &str) -> bool {
    !hash.is_empty() && (recorded_in_status(&ctx.old, hash) || selected_by_a_service(ctx, hash))
}

/// Whether old ReplicaSets wait for a successful post-promotion analysis before being scaled down
/// (configured, no explicit `scaleDownDelaySeconds`, and the analysis applies to this update).
fn waiting_for_post_promotion_analysis(ctx: &Ctx<'_>) -> bool {
    let Some(blue_green) = ctx.blue_green() else {
        return false;
    };
    if blue_green.post_promotion_analysis.is_none()
        || blue_green.scale_down_delay_seconds.is_some()
        || super::analysis::skip_post_promotion(ctx)
    {
        return false;
    }
    !super::analysis::post_promotion_successful(ctx)
}

/// Upstream `scaleDownOldReplicaSetsForBlueGreen` with `scaleDownDelayHelper`: newest first, each
/// unreferenced old ReplicaSet still holding pods first gets a deadline (within
/// `scaleDownDelayRevisionLimit`), is held at `spec.replicas` until it passes, then scaled to 0.
/// Beyond the limit, or with a delay of 0, it is scaled down at once.
fn scale_down_old_replica_sets(ctx: &mut Ctx<'_>) {
    let inconclusive = ctx
        .old
        .pause_conditions
        .iter()
        .flatten()
        .any(|c| c.reason == INCONCLUSIVE_ANALYSIS_RUN);
    if inconclusive || waiting_for_post_promotion_analysis(ctx) {
        return;
    }
    let mut old: Vec<usize> = ctx
        .others()
        .into_iter()
        .filter(|i| spec_replicas(&ctx.all[*i]) > 0)
        .collect();
    old.sort_by_key(|i| std::cmp::Reverse(revision_of(&ctx.all[*i].metadata).unwrap_or(0)));
    let replicas = ctx.replicas();
    let mut annotated = 0;
    for i in old {
        let hash = hash_of(&ctx.all[i]).to_string();
        if referenced(ctx, &hash) {
            continue;
        }
        let current = spec_replicas(&ctx.all[i]);
        let desired = delayed_scale_down(ctx, i, &mut annotated, replicas);
        if desired != current {
            ctx.scale(i, desired, false);
        }
    }
}
