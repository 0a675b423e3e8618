//! The canary strategy's reconcile (upstream `rolloutCanary` and `syncRolloutStatusCanary`): scale the
//! stable, then the new, then the other ReplicaSets, one kind of change per reconcile; hold at pause
//! steps; advance at most one step per reconcile; promote, abort, roll back.

mod pause;
mod replica_sets;
mod routed_old_replica_sets;
mod status;
mod traffic;

use rollouts_api::rollout_status::TrafficWeights;

use super::context::Ctx;
use super::ephemeral::reconcile_ephemeral_metadata;
use super::history::reconcile_revision_history_limit;
use super::replica_sets::hash_of;
use super::restart::restart_pods;
use super::services::{reconcile_ping_and_pong_service, reconcile_stable_and_canary_services};
use crate::canary::{AppliedWeights, CanaryInput, ProgressThreshold, Routing};
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
///
/// The canary (and whether the step is reached) follows the weights the routers were given in this
/// reconcile, as upstream's does. The stable follows the larger of those and the weights recorded
/// before it: upstream uses the latter only, so that the stable shrinks once traffic has left it, but
/// a weight moving back to the stable in this reconcile needs the stable's pods now, not after it.
/// Each ReplicaSet is sized for the weight that actually reaches it (see [`routed_weight`]): after a
/// promotion the stable may still get its traffic through the canary Service, and a canary
/// superseded by the new ReplicaSet keeps its weight for itself.
fn canary_input(ctx: &Ctx<'_>) -> Option<CanaryInput> {
    let written = ctx.status.canary.as_ref().and_then(|c| c.weights.as_ref());
    let mut input = CanaryInput::from_rollout(ctx.spec(), Some(&ctx.old), ctx.canary_replica_sets(), written)?;
    let recorded = ctx.old.canary.as_ref().and_then(|c| c.weights.as_ref());
    if let Routing::TrafficRouted(routed) = &mut input.routing
        && (written.is_some() || recorded.is_some())
    {
        let new = ctx.new_rs().map(hash_of).unwrap_or_default().to_string();
        let stable = ctx.stable_rs().map(hash_of).unwrap_or_default().to_string();
        let weight = |weights: Option<&TrafficWeights>, hash: &str| weights.map_or(0, |w| routed_weight(ctx, w, hash));
        routed.weights = Some(AppliedWeights {
            canary: weight(written, &new),
            stable: weight(written, &stable).max(weight(recorded, &stable)),
        });
    }
    Some(input)
}

/// The weight of `weights` that reaches the ReplicaSet `hash`. A destination reaches the ReplicaSet
/// its Service selects now (the hash recorded with it may be stale: weights are recorded only when
/// the routers could be set), or, when traffic is split by DestinationRule subsets or the Service
/// selects no single ReplicaSet, the one whose hash it records.
pub(super) fn routed_weight(ctx: &Ctx<'_>, weights: &TrafficWeights, hash: &str) -> i32 {
    if hash.is_empty() {
        return 0;
    }
    let by_subsets = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.traffic_routing.as_ref())
        .and_then(|t| t.istio.as_ref())
        .is_some_and(|i| i.destination_rule.is_some());
    [&weights.canary, &weights.stable]
        .into_iter()
        .chain(weights.additional.iter().flatten())
        .filter(|d| {
            let selected = d
                .service_name
                .as_deref()
                .filter(|_| !by_subsets)
                .and_then(|name| ctx.service_hash(name))
                .filter(|h| !h.is_empty());
            selected.or_else(|| d.pod_template_hash.clone()).as_deref() == Some(hash)
        })
        .map(|d| d.weight)
        .sum()
}

/// `replicaProgressThreshold` of the canary strategy.
fn progress_threshold(ctx: &Ctx<'_>) -> Option<ProgressThreshold> {
    let canary = ctx.spec().strategy.as_ref()?.canary.as_ref()?;
    canary
        .replica_progress_threshold
        .as_ref()
        .and_then(ProgressThreshold::from_spec)
}
