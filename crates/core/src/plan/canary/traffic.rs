//! Driving the traffic routers of a canary (upstream `reconcileTrafficRouting`): which weight the canary
//! gets in this reconcile (and the running Experiment's weighted templates, as extra destinations),
//! header and mirror routes of the current step, the hashes the routers point at, and
//! `status.canary.weights` with its `TrafficWeightUpdated` event.
//!
//! Every router configured is driven, in upstream's order, with the same decisions; their writes go into
//! the plan in the order they are made. A router that fails stops the reconcile before the ReplicaSets
//! are touched, as upstream does, and the Rollout is retried with backoff.

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::well_known::reasons;

use super::super::actions::{Action, Event};
use super::super::context::Ctx;
use super::super::experiments::weight_destinations;
use super::super::replica_sets::{hash_of, serving_counts};
use super::super::services::ensure_service_target_unchecked;
use super::super::steps::{current_step, steps};
use super::progress_threshold;
use crate::canary::approximate::weight_to_replicas;
use crate::canary::{CanaryInput, CanaryProgress, at_desired_replica_counts, replica_progress_threshold_met};
use crate::traffic::weights::{updated_message, weight_status, weights_changed};
use crate::traffic::{Objects, Router, RouterError, RouterInput, routers_with};

/// Reason of the Warning event recorded when a router fails to set the weight.
const TRAFFIC_ROUTING_ERROR: &str = "TrafficRoutingError";

/// What the routers are asked to do in this reconcile.
struct Desired {
    weight: i32,
    canary_hash: String,
    stable_hash: String,
    additional: Vec<WeightDestination>,
    remove_managed_routes: bool,
    /// Aborted: the canary Service goes back to the stable ReplicaSet.
    canary_service_to_stable: bool,
}

/// Drives the routers. `Err` when one failed: the plan carries the error and stops there.
pub(super) fn reconcile_traffic_routing(ctx: &mut Ctx<'_>) -> Result<(), RouterError> {
    let input = RouterInput {
        rollout: ctx.rollout,
        replica_sets: &ctx.all,
    };
    if routers_with(input, ctx.snapshot.routing_settings).is_empty() {
        if let Some(canary) = ctx.status.canary.as_mut() {
            canary.weights = None;
        }
        return Ok(());
    }
    let desired = desired(ctx);
    let max_weight = ctx.spec().max_traffic_weight();
    // Once the canary Service selects the stable's pods, its weight reaches them already: moving it to
    // the stable Service changes no request's destination, so it never waits for the stable's capacity.
    let mut stable_takes_it = stable_can_carry(ctx, max_weight - desired.weight)
        || canary_lost_its_pods(ctx)
        || canary_service_on_stable(ctx, &desired.stable_hash);
    // Pointing the canary Service at the stable moves the canary's weight there as surely as the
    // routers would. With `dynamicStableScale` the stable may be far too small for it: only when it can
    // take it, or there is none. Otherwise (as upstream) at once, whatever the stable's pods say:
    // readiness gates may keep them unready until the Service selects them.
    let recorded_canary_weight = ctx
        .old
        .canary
        .as_ref()
        .and_then(|c| c.weights.as_ref())
        .map_or(0, |w| w.canary.weight);
    let moves = !dynamic_stable_scale(ctx) || stable_takes_it || recorded_canary_weight == 0;
    if desired.canary_service_to_stable && moves {
        let canary_service = ctx
            .spec()
            .strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .and_then(|c| c.canary_service.clone());
        ensure_service_target_unchecked(ctx, canary_service.as_deref(), ctx.stable);
        // From here on both Services reach the stable's pods (see above).
        stable_takes_it = true;
    }
    if !stable_takes_it {
        return Ok(());
    }
    // A canary that lost its pods gets its weight back before the routers follow the new hashes, so
    // no request is sent to a ReplicaSet with nothing to serve it.
    let new_unavailable = ctx.new_rs().is_none_or(|rs| serving_counts(rs).available_replicas == 0);
    let had_weight = ctx
        .old
        .canary
        .as_ref()
        .and_then(|c| c.weights.as_ref())
        .is_some_and(|w| w.canary.weight > 0);
    let weight_first = new_unavailable && had_weight;

    // The routers see the ReplicaSets as the reconcile found them (the scaling comes after them);
    // they are lent out of the context while the routers run rather than copied.
    let replica_sets = std::mem::take(&mut ctx.all);
    let input = RouterInput {
        rollout: ctx.rollout,
        replica_sets: &replica_sets,
    };
    let routers = routers_with(input, ctx.snapshot.routing_settings);
    let mut objects = Objects::new(ctx.snapshot.routing_objects);
    let result = routers
        .iter()
        .try_for_each(|router| drive(ctx, router.as_ref(), &mut objects, &desired, weight_first));
    drop(routers);
    ctx.all = replica_sets;
    ctx.plan
        .actions
        .extend(objects.take_writes().into_iter().map(Action::Routing));
    for event in objects.take_events() {
        ctx.event(if event.warning {
            Event::warning(&event.reason, event.message)
        } else {
            Event::normal(&event.reason, event.message)
        });
    }
    if let Err(error) = &result {
        ctx.plan.error = Some(error.to_string());
        return result;
    }
    record_weights(ctx, &desired, max_weight);
    Ok(())
}

/// One router's calls, in upstream's order. `ctx.all` is lent to the routers meanwhile (empty).
fn drive(
    ctx: &mut Ctx<'_>,
    router: &dyn Router,
    objects: &mut Objects,
    desired: &Desired,
    weight_first: bool,
) -> Result<(), RouterError> {
    if desired.remove_managed_routes {
        router.remove_managed_routes(objects)?;
    }
    // Upstream skips the routes of the first revision: a Rollout's first reconcile runs step 0.
    if let Some(step) = current_step(ctx.spec(), &ctx.old)
        && ctx.revision.is_some_and(|r| r > 1)
    {
        if let Some(route) = &step.set_header_route {
            router.set_header_route(objects, route)?;
        }
        if let Some(route) = &step.set_mirror_route {
            router.set_mirror_route(objects, route)?;
        }
    }
    if weight_first {
        set_weight(ctx, router, objects, desired)?;
    }
    router.update_hash(objects, &desired.canary_hash, &desired.stable_hash, &desired.additional)?;
    set_weight(ctx, router, objects, desired)
}

fn set_weight(
    ctx: &mut Ctx<'_>,
    router: &dyn Router,
    objects: &mut Objects,
    desired: &Desired,
) -> Result<(), RouterError> {
    router
        .set_weight(objects, desired.weight, &desired.additional)
        .inspect_err(|error| ctx.event(Event::warning(TRAFFIC_ROUTING_ERROR, error.to_string())))
}

/// `status.canary.weights` and its event, when the weights changed.
fn record_weights(ctx: &mut Ctx<'_>, desired: &Desired, max_weight: i32) {
    let canary = ctx.spec().strategy.as_ref().and_then(|s| s.canary.as_ref());
    let canary_service = canary.and_then(|c| c.canary_service.as_deref()).unwrap_or_default();
    let stable_service = canary.and_then(|c| c.stable_service.as_deref()).unwrap_or_default();
    let new = weight_status(
        desired.weight,
        max_weight,
        (&desired.canary_hash, &desired.stable_hash),
        (canary_service, stable_service),
        &desired.additional,
    );
    let previous = ctx.old.canary.as_ref().and_then(|c| c.weights.as_ref());
    if weights_changed(previous, &new) {
        ctx.event(Event::normal(
            reasons::TRAFFIC_WEIGHT_UPDATED,
            updated_message(previous, &new),
        ));
        if let Some(status) = ctx.status.canary.as_mut() {
            status.weights = Some(new);
        }
    } else if let Some(weights) = ctx.status.canary.as_mut().and_then(|c| c.weights.as_mut()) {
        // Only ALB verifies weights; for the others the result is unset.
        weights.verified = None;
    }
}

/// The weight, hashes and extra destinations of this reconcile.
fn desired(ctx: &mut Ctx<'_>) -> Desired {
    let mut desired = Desired {
        weight: 0,
        canary_hash: ctx.new_rs().map(|rs| hash_of(rs).to_string()).unwrap_or_default(),
        stable_hash: ctx.stable_rs().map(|rs| hash_of(rs).to_string()).unwrap_or_default(),
        additional: Vec::new(),
        remove_managed_routes: false,
        canary_service_to_stable: false,
    };
    let dynamic = dynamic_stable_scale(ctx);
    let max_weight = ctx.spec().max_traffic_weight();
    let new_available = ctx.new_rs().map_or(0, |rs| serving_counts(rs).available_replicas);
    if let Some(previous_hash) = dynamically_rolling_back_to_stable(ctx) {
        // The canary is the stable again; balance between the previous canary and the stable until
        // the stable can take everything back.
        desired.weight = weight_on_abort_or_stable_rollback(ctx);
        desired.canary_hash = previous_hash;
    } else if fully_promoted(ctx) {
        desired.remove_managed_routes = true;
    } else if ctx.pause.is_aborted() {
        // A new ReplicaSet with no pod to serve takes no weight back, even with `dynamicStableScale`;
        // the weight may still be on a canary it superseded, which must not be handed to it.
        // Nor does one whose pods the canary Service no longer selects: once it went back to the
        // stable, a weight on it reaches the stable's pods, whatever `status.canary.weights` said.
        desired.weight = if new_available == 0 || canary_service_on_stable(ctx, &desired.stable_hash) {
            0
        } else {
            weight_on_abort_or_stable_rollback(ctx)
        };
        desired.canary_service_to_stable = !dynamic || desired.weight == 0;
        desired.remove_managed_routes = true;
    } else if ctx.new_rs().is_none() || new_available == 0 {
        desired.additional = weight_destinations(ctx);
        desired.remove_managed_routes = true;
    } else if ctx.old.promote_full.unwrap_or(false) {
        if dynamic {
            // A `setCanaryScale` may have left the canary with more pods than `replicas`: it never
            // gets more than all the traffic (upstream computes a weight above the maximum then).
            desired.weight = (max_weight * new_available / ctx.replicas().max(1)).min(max_weight);
        } else if let Some(weights) = ctx.old.canary.as_ref().and_then(|c| c.weights.as_ref()) {
            desired.weight = weights.canary.weight;
        }
        desired.remove_managed_routes = true;
    } else if !steps(ctx.spec()).is_empty() {
        let index = usize::try_from(ctx.old.current_step_index.unwrap_or(0)).unwrap_or(0);
        let all_steps = steps(ctx.spec());
        if !at_desired_counts(ctx) {
            // The canary is not sized for this step yet: keep the weight of the previous setWeight,
            // unless this step lowers it. A lower weight needs fewer canary pods than it has, and must
            // leave the canary before its pods go (upstream keeps the higher weight until the canary
            // has shrunk, sending it to pods being removed).
            let previous = all_steps
                .get(..index.min(all_steps.len()))
                .unwrap_or_default()
                .iter()
                .rev()
                .find_map(|s| s.set_weight)
                .unwrap_or(0);
            let current = progress(ctx).map_or(previous, |p| p.current_set_weight());
            desired.weight = previous.min(current);
            desired.additional = weight_destinations(ctx);
        } else if index < all_steps.len() {
            desired.weight = progress(ctx).map_or(0, |p| p.current_set_weight());
            desired.additional = weight_destinations(ctx);
        } else {
            desired.weight = max_weight;
        }
    }
    desired
}

fn progress<'a>(ctx: &Ctx<'a>) -> Option<CanaryProgress<'a>> {
    CanaryProgress::from_rollout(ctx.spec(), Some(&ctx.old))
}

/// Upstream `AtDesiredReplicaCountsForCanary` as the router reconcile calls it: without the weights.
fn at_desired_counts(ctx: &Ctx<'_>) -> bool {
    let input = CanaryInput::from_rollout(ctx.spec(), Some(&ctx.old), ctx.canary_replica_sets(), None);
    input.is_some_and(|input| at_desired_replica_counts(&input, progress_threshold(ctx)))
}

pub(super) fn dynamic_stable_scale(ctx: &Ctx<'_>) -> bool {
    ctx.spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.dynamic_stable_scale)
        .unwrap_or(false)
}

/// Upstream `IsFullyPromoted`: `status.stableRS == status.currentPodHash`.
pub(super) fn fully_promoted(ctx: &Ctx<'_>) -> bool {
    ctx.old.stable_rs == ctx.old.current_pod_hash
}

/// Upstream `IsDynamicallyRollingBackToStable`: fully promoted back to the stable with
/// `dynamicStableScale` while the previous canary (still named in the weights) has traffic and the
/// stable is not fully available yet. Returns the previous canary's hash.
pub(in super::super) fn dynamically_rolling_back_to_stable(ctx: &Ctx<'_>) -> Option<String> {
    let routed = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .is_some_and(|c| c.traffic_routing.is_some());
    if !fully_promoted(ctx) || !routed || !dynamic_stable_scale(ctx) {
        return None;
    }
    let weights = ctx.old.canary.as_ref()?.weights.as_ref()?;
    let current = weights.canary.pod_template_hash.clone().unwrap_or_default();
    let new = ctx.new_rs()?;
    if current == hash_of(new) || serving_counts(new).available_replicas >= ctx.replicas() {
        return None;
    }
    Some(current)
}

/// Whether the canary Service already selects the stable ReplicaSet (`stable_hash`).
fn canary_service_on_stable(ctx: &Ctx<'_>, stable_hash: &str) -> bool {
    let Some(name) = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.canary_service.as_deref())
    else {
        return false;
    };
    !stable_hash.is_empty()
        && ctx
            .snapshot
            .services
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some(name))
            .and_then(|s| s.spec.as_ref())
            .and_then(|s| s.selector.as_ref())
            .and_then(|s| s.get(rollouts_api::well_known::labels::POD_TEMPLATE_HASH))
            .is_some_and(|hash| hash == stable_hash)
}

/// Upstream `calculateDesiredWeightOnAbortOrStableRollback`: 0 at once without `dynamicStableScale`;
/// with it, weight leaves the canary only as fast as the stable becomes available to take it.
fn weight_on_abort_or_stable_rollback(ctx: &Ctx<'_>) -> i32 {
    let replicas = ctx.spec().replicas.unwrap_or(0);
    let (Some(stable), Some(_)) = (ctx.stable_rs(), ctx.new_rs()) else {
        return 0;
    };
    if !dynamic_stable_scale(ctx) || replicas == 0 {
        return 0;
    }
    let max_weight = ctx.spec().max_traffic_weight();
    let desired = progress(ctx).map_or(0, |p| p.desired_canary_weight(&ctx.canary_replica_sets()));
    let stable_available = serving_counts(stable).available_replicas;
    let expected = (max_weight - max_weight * stable_available / replicas).max(0);
    let Some(current) = ctx
        .old
        .canary
        .as_ref()
        .and_then(|c| c.weights.as_ref())
        .map(|w| w.canary.weight)
    else {
        return expected.max(desired);
    };
    if desired <= 0 {
        return expected.min(current);
    }
    let stable_weight = max_weight * stable_available / replicas;
    if stable_weight < max_weight - desired {
        return current;
    }
    desired.min(current)
}

/// Whether the ReplicaSet the recorded canary weight goes to has no pod left to serve it (it crashed,
/// or is gone): its share of the requests fails whatever the stable can carry, so the weight leaves it
/// even for a stable short of pods.
fn canary_lost_its_pods(ctx: &Ctx<'_>) -> bool {
    let Some(weights) = ctx.old.canary.as_ref().and_then(|c| c.weights.as_ref()) else {
        return false;
    };
    let hash = weights.canary.pod_template_hash.as_deref().unwrap_or_default();
    weights.canary.weight > 0
        && !ctx
            .all
            .iter()
            .any(|rs| hash_of(rs) == hash && serving_counts(rs).available_replicas > 0)
}

/// Upstream `checkReplicasAvailable` of the stable for the weight it is to keep: no weight moves while
/// the stable could not serve its share. The pods needed are rounded up, as everywhere else weight
/// turns into pods: upstream rounds down, and lets 95 % of a 1-replica Rollout go to a stable with no
/// pod left.
fn stable_can_carry(ctx: &Ctx<'_>, stable_weight: i32) -> bool {
    let Some(stable) = ctx.stable_rs() else {
        return false;
    };
    let max_weight = ctx.spec().max_traffic_weight().max(1);
    let needed = weight_to_replicas(ctx.spec().replicas.unwrap_or(0), stable_weight, max_weight);
    let c = serving_counts(stable);
    c.available_replicas >= needed || replica_progress_threshold_met(progress_threshold(ctx), Some(c), needed)
}
