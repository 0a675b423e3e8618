//! The canary strategy's reconcile (upstream `rolloutCanary` and `syncRolloutStatusCanary`): scale the
//! stable, then the new, then the other ReplicaSets, one kind of change per reconcile; hold at pause
//! steps; advance at most one step per reconcile; promote, abort, roll back.

mod pause;
mod replica_sets;
mod routed_old_replica_sets;
mod status;
mod traffic;

use super::context::Ctx;
use super::ephemeral::reconcile_ephemeral_metadata;
use super::history::reconcile_revision_history_limit;
use super::restart::restart_pods;
use super::services::{reconcile_ping_and_pong_service, reconcile_stable_and_canary_services};
use crate::canary::{CanaryInput, ProgressThreshold};
use crate::hash::steps_hash_opt;

pub(super) use replica_sets::reconcile_canary_replica_sets;
use status::sync_rollout_status_canary;
pub(super) use traffic::dynamically_rolling_back_to_stable;

/// Upstream `PodTemplateOrStepsChanged`: the step hash is missing or differs, or the recorded pod hash
/// differs from the new ReplicaSet's.
pub(super) fn pod_template_or_steps_changed(ctx: &Ctx<'_>) -> bool {
    let recorded_steps = ctx.old.current_step_hash.as_deref().unwrap_or("");
    if recorded_steps.is_empty() || recorded_steps != steps_hash(ctx) {
        return true;
    }
    let recorded_pod = ctx.old.current_pod_hash.as_deref().unwrap_or("");
    !recorded_pod.is_empty() && recorded_pod != ctx.current_pod_hash()
}

fn steps_hash(ctx: &Ctx<'_>) -> String {
    let steps = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.steps.as_deref());
    steps_hash_opt(steps)
}

/// The canary reconcile after the common part (ReplicaSet found, pause conditions checked, no scaling
/// event).
pub(super) fn rollout_canary(ctx: &mut Ctx<'_>) {
    if pod_template_or_steps_changed(ctx) {
        sync_rollout_status_canary(ctx);
        return;
    }
    if restart_pods(ctx) {
        return;
    }
    reconcile_ephemeral_metadata(ctx);
    reconcile_revision_history_limit(ctx);
    reconcile_ping_and_pong_service(ctx);
    reconcile_stable_and_canary_services(ctx);
    if traffic::reconcile_traffic_routing(ctx).is_err() {
        return;
    }
    if let Err(error) = super::experiments::reconcile(ctx) {
        ctx.plan.error = Some(error);
        return;
    }
    super::analysis::reconcile(ctx);
    // An inconclusive run or Experiment pauses the rollout before anything is scaled.
    if !ctx.pause.add_reasons.is_empty() {
        sync_rollout_status_canary(ctx);
        return;
    }
    if reconcile_canary_replica_sets(ctx) {
        sync_rollout_status_canary(ctx);
        return;
    }
    pause::reconcile_canary_pause(ctx);
    sync_rollout_status_canary(ctx);
}

/// The canary arithmetic's view of this reconcile; `None` without a canary strategy.
fn canary_input(ctx: &Ctx<'_>) -> Option<CanaryInput> {
    let weights = ctx.old.canary.as_ref().and_then(|c| c.weights.as_ref());
    CanaryInput::from_rollout(ctx.spec(), Some(&ctx.old), ctx.canary_replica_sets(), weights)
}

/// `replicaProgressThreshold` of the canary strategy.
fn progress_threshold(ctx: &Ctx<'_>) -> Option<ProgressThreshold> {
    let canary = ctx.spec().strategy.as_ref()?.canary.as_ref()?;
    canary
        .replica_progress_threshold
        .as_ref()
        .and_then(ProgressThreshold::from_spec)
}
