//! The blue-green part of the status (upstream `syncRolloutStatusBlueGreen`, and `syncReplicasOnly`
//! for a scaling event): the selectors the Services have, promotion of the new ReplicaSet to stable,
//! the preview checkpoint, and the counts of the active ReplicaSet (what an HPA scales on).

use rollouts_api::rollout_status::BlueGreenStatus;

use super::super::base_status::{calculate_base_status, format_label_selector, promote_stable};
use super::super::context::Ctx;
use super::super::persist::persist;
use super::super::replica_sets::{counts, ready_replicas};
use super::super::rollback::{fast_rollback_reason, rollback_within_window};
use super::{active_selector, active_service, preview_service};

/// Computes the status and plans its patch.
pub fn sync_status(ctx: &mut Ctx<'_>) {
    calculate_base_status(ctx);
    ctx.status.stable_rs = ctx.old.stable_rs.clone();
    ctx.status.current_step_index = None;
    ctx.status.current_step_hash = None;
    // The analysis reconcile decided the promotion runs on record (upstream `SetCurrentAnalysisRuns`):
    // a run that no longer exists is not kept; a new template resets them below.
    let computed = ctx.status.blue_green.take().unwrap_or_default();
    let mut bg = BlueGreenStatus {
        pre_promotion_analysis_run_status: computed.pre_promotion_analysis_run_status,
        post_promotion_analysis_run_status: computed.post_promotion_analysis_run_status,
        ..Default::default()
    };
    if super::super::sync::pod_spec_changed(ctx) {
        reset(ctx, &mut bg);
    }
    if ctx.old.promote_full.unwrap_or(false) || rollback_within_window(ctx) {
        ctx.pause.clear = true;
        ctx.pause.remove_abort = true;
    }
    bg.preview_selector = preview_service(ctx)
        .and_then(|p| ctx.service_hash(&p))
        .filter(|h| !h.is_empty());
    bg.active_selector = ctx.service_hash(&active_service(ctx)).filter(|h| !h.is_empty());
    ctx.status.blue_green = Some(bg);
    match should_full_promote(ctx) {
        Some(reason) => {
            promote_stable(ctx, &reason);
            if let Some(bg) = ctx.status.blue_green.as_mut() {
                bg.scale_up_preview_check_point = None;
            }
        }
        None => {
            let check_point = scale_up_preview_check_point(ctx);
            if let Some(bg) = ctx.status.blue_green.as_mut() {
                bg.scale_up_preview_check_point = check_point.then_some(true);
            }
        }
    }
    let active = active_selector(&ctx.status).to_owned();
    active_counts(ctx, &active, true);
    persist(ctx);
}

/// Upstream `resetRolloutStatus` for blue-green: a new template starts the update over.
fn reset(ctx: &mut Ctx<'_>, bg: &mut BlueGreenStatus) {
    ctx.pause.clear = true;
    ctx.pause.remove_abort = true;
    ctx.status.restarted_at = ctx.spec().restart_at.clone();
    ctx.status.promote_full = None;
    bg.pre_promotion_analysis_run_status = None;
    bg.post_promotion_analysis_run_status = None;
    bg.scale_up_preview_check_point = None;
}

/// `HPAReplicas`, `selector`, `availableReplicas` and `readyReplicas` follow the active ReplicaSet;
/// without one, every ReplicaSet counts and the selector is the Rollout's. A scaling event refreshes
/// only the counts (`all_fields` false).
fn active_counts(ctx: &mut Ctx<'_>, active: &str, all_fields: bool) {
    match ctx.rs_by_hash(active) {
        Some(i) => {
            let rs = &ctx.all[i];
            let c = counts(rs);
            ctx.status.hpa_replicas = Some(c.status_replicas);
            ctx.status.available_replicas = Some(c.available_replicas);
            if all_fields {
                ctx.status.selector = Some(format_label_selector(Some(&rs.spec.selector)));
                ctx.status.ready_replicas = Some(ready_replicas(rs));
            }
        }
        None => {
            ctx.status.hpa_replicas = Some(ctx.all.iter().map(|rs| counts(rs).status_replicas).sum());
            ctx.status.available_replicas = Some(ctx.all.iter().map(|rs| counts(rs).available_replicas).sum());
            if all_fields {
                ctx.status.selector = Some(format_label_selector(ctx.spec().selector.as_ref()));
            }
        }
    }
}

/// Upstream `shouldFullPromote` for blue-green.
fn should_full_promote(ctx: &Ctx<'_>) -> Option<String> {
    if ctx.stable.is_none() {
        return Some("Initial deploy".to_string());
    }
    let active = active_selector(&ctx.status);
    if active.is_empty() {
        return Some("Initial deploy".to_string());
    }
    if Some(active) != ctx.status.current_pod_hash.as_deref() {
        return None;
    }
    if ctx.old.promote_full.unwrap_or(false) {
        return Some("Full promotion requested".to_string());
    }
    if let Some(reason) = fast_rollback_reason(ctx) {
        return Some(reason);
    }
    if ctx.pause.is_aborted() {
        return None;
    }
    if ctx.blue_green().is_some_and(|b| b.post_promotion_analysis.is_some())
        && !super::analysis::post_promotion_successful(ctx)
    {
        return None;
    }
    Some("Completed blue-green update".to_string())
}

/// Upstream `calculateScaleUpPreviewCheckPoint`: a one-way switch, set once the pause is over, the
/// pre-promotion analysis passed and the preview pods are available.
fn scale_up_preview_check_point(ctx: &Ctx<'_>) -> bool {
    let Some(preview) = ctx.blue_green().and_then(|b| b.preview_replica_count) else {
        return false;
    };
    // A new template starts over: the previous update's checkpoint must not carry into it (upstream
    // #4728 lets it, and a new template then skips its pause).
    if !super::super::sync::pod_spec_changed(ctx) && super::scale_up_preview_check_point(ctx) {
        return true;
    }
    if !super::analysis::completed_pre_promotion(ctx) || !super::pause::completed_pause(ctx) {
        return false;
    }
    ctx.new_rs().is_some_and(|n| counts(n).available_replicas == preview)
}

/// A scaling event (upstream `syncReplicasOnly` for blue-green): resize, refresh the counts of the
/// active ReplicaSet, persist.
pub fn sync_replicas_only(ctx: &mut Ctx<'_>) {
    ctx.status = ctx.old.clone();
    super::reconcile_replica_sets(ctx);
    let active = active_selector(&ctx.old).to_owned();
    active_counts(ctx, &active, false);
    persist(ctx);
}
