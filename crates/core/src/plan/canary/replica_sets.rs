//! Sizing the ReplicaSets of a canary rollout (upstream `reconcileCanaryReplicaSets`): the stable one,
//! then the new one, then the others, each to what the canary arithmetic asks, within the surge. With a
//! traffic router an aborted canary keeps its pods for `abortScaleDownDelaySeconds`, and the others are
//! scaled down as [`super::routed_old_replica_sets`] describes.

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::super::context::Ctx;
use super::super::pause::halted;
use super::super::replica_sets::{self, counts, hash_of, spec_replicas};
use super::super::scale_down_delay::{
    AbortDelay, hold_new_during_abort_delay, remove_scale_down_deadlines, should_delay_scale_down_on_abort,
};
use super::super::workload::scale_down_progressively;
use super::routed_old_replica_sets::scale_down_routed_old_replica_sets;
use super::{canary_input, routed_weight};
use crate::canary::approximate::weight_to_replicas;
use crate::canary::{
    CanaryProgress, OldReplicaSet, OldReplicaSetsInput, ReplicaSetCounts, replica_counts, scale_down_old_replica_sets,
};

/// Scales stable, then new, then the others; the first that changes size ends the phase. Returns
/// whether anything was scaled (upstream `reconcileCanaryReplicaSets`).
pub(in super::super) fn reconcile_canary_replica_sets(ctx: &mut Ctx<'_>) -> bool {
    if halted(ctx) {
        return false;
    }
    let keep_new = should_delay_scale_down_on_abort(ctx);
    remove_scale_down_deadlines(ctx, keep_new);
    if let (Some(stable), Some(input)) = (ctx.stable.filter(|s| Some(*s) != ctx.new), canary_input(ctx)) {
        let desired = within_surge(ctx, stable, replica_counts(&input).scaled.stable);
        if ctx.scale(stable, desired, false) {
            return true;
        }
    }
    if reconcile_new_replica_set(ctx) {
        return true;
    }
    if routed(ctx) {
        scale_down_routed_old_replica_sets(ctx)
    } else {
        reconcile_other_replica_sets(ctx)
    }
}

fn routed(ctx: &Ctx<'_>) -> bool {
    ctx.spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .is_some_and(|c| c.traffic_routing.is_some())
}

/// The new ReplicaSet to its size (upstream `reconcileNewReplicaSet`); returns whether its size changed.
/// After an abort behind a router it first waits out `abortScaleDownDelaySeconds` at its current size,
/// then goes to 0 (an unreadable deadline leaves it to the arithmetic, as upstream).
fn reconcile_new_replica_set(ctx: &mut Ctx<'_>) -> bool {
    let (Some(new), Some(input)) = (ctx.new, canary_input(ctx)) else {
        return false;
    };
    let mut desired = within_surge(ctx, new, replica_counts(&input).scaled.new);
    let delay = should_delay_scale_down_on_abort(ctx) && ctx.stable != ctx.new;
    if delay {
        match hold_new_during_abort_delay(ctx, new) {
            AbortDelay::Held => return false,
            AbortDelay::Due => desired = 0,
            AbortDelay::Unreadable => {}
        }
    }
    let before = spec_replicas(&ctx.all[new]);
    let desired = desired.max(routed_floor(ctx, new).min(before));
    let scaled = ctx.scale(new, desired, delay);
    scale_down_progressively(ctx, desired, before);
    scaled
}

/// The pods the new ReplicaSet keeps for the weight the routers were last given for it: a weight
/// leaves before the pods serving it do. When the weight could not move in this reconcile (a scaling
/// event leaves traffic alone; the stable could not take it yet), the canary waits for it rather than
/// shrinking under it. An explicit `setCanaryScale` size is the user's, short of leaving weight on no
/// pod at all.
fn routed_floor(ctx: &Ctx<'_>, new: usize) -> i32 {
    if !routed(ctx) {
        return 0;
    }
    let Some(weights) = ctx.status.canary.as_ref().and_then(|c| c.weights.as_ref()) else {
        return 0;
    };
    let weight = routed_weight(ctx, weights, hash_of(&ctx.all[new]));
    if weight <= 0 {
        return 0;
    }
    let explicit = CanaryProgress::from_rollout(ctx.spec(), Some(&ctx.old))
        .and_then(|p| p.active_set_canary_scale().cloned())
        .is_some_and(|scale| scale.replicas.is_some() || scale.weight.is_some());
    if explicit && !ctx.pause.is_aborted() {
        return 1;
    }
    weight_to_replicas(ctx.replicas(), weight, ctx.spec().max_traffic_weight())
}

/// Caps a scale-up so the Rollout's pods stay within `replicas + maxSurge`. The arithmetic already
/// does so from a settled state; this covers the cases it does not, such as `spec.replicas` lowered
/// while a full promotion is under way, where upstream would grow the stable ReplicaSet before
/// shrinking the canary and briefly exceed the surge. A canary behind a router has no surge: the
/// stable keeps all its pods while the canary grows to full size, and capping it would stall the
/// promotion.
fn within_surge(ctx: &Ctx<'_>, index: usize, desired: i32) -> i32 {
    let current = spec_replicas(&ctx.all[index]);
    if desired <= current || routed(ctx) {
        return desired;
    }
    let total: i32 = ctx.all.iter().map(spec_replicas).sum();
    let headroom = (ctx.replicas() + ctx.spec().max_surge_pods() - total).max(0);
    current + (desired - current).min(headroom)
}

/// Counts of a ReplicaSet with its available pods capped at its size: right after a scale-down the
/// status still reports pods that are being deleted, and counting them (as upstream does) lets the
/// scale-down budget take availability below `replicas − maxUnavailable`.
pub(super) fn counted_available(rs: &ReplicaSet) -> ReplicaSetCounts {
    let mut c = counts(rs);
    c.available_replicas = c.available_replicas.min(c.spec_replicas);
    c
}

/// The ReplicaSets other than the new and the stable one that still have pods, with the names their
/// views borrow (the views outlive no write to the context).
pub(super) struct Draining {
    /// Their indexes in `ctx.all`.
    pub active: Vec<usize>,
    names: Vec<String>,
}

impl Draining {
    pub(super) fn of(ctx: &Ctx<'_>) -> Self {
        let active: Vec<usize> = ctx
            .others()
            .into_iter()
            .filter(|i| spec_replicas(&ctx.all[*i]) > 0)
            .collect();
        let names = active
            .iter()
            .map(|i| ctx.all[*i].metadata.name.clone().unwrap_or_default())
            .collect();
        Self { active, names }
    }

    /// Their views for the scale-down arithmetic, in the order of `active`.
    pub(super) fn views(&self, ctx: &Ctx<'_>) -> Vec<OldReplicaSet<'_>> {
        self.active
            .iter()
            .zip(&self.names)
            .map(|(i, name)| OldReplicaSet {
                name,
                revision: replica_sets::revision_of(&ctx.all[*i].metadata),
                created_at: replica_sets::created_at(&ctx.all[*i]),
                counts: counted_available(&ctx.all[*i]),
            })
            .collect()
    }
}

/// Drains the other ReplicaSets no faster than availability allows (basic canary).
fn reconcile_other_replica_sets(ctx: &mut Ctx<'_>) -> bool {
    let draining = Draining::of(ctx);
    if draining.active.is_empty() {
        return false;
    }
    let active = &draining.active;
    let old = draining.views(ctx);
    let new_and_stable_available = ctx
        .new
        .iter()
        .chain(ctx.stable.iter().filter(|s| Some(**s) != ctx.new))
        .map(|i| counted_available(&ctx.all[*i]).available_replicas)
        .sum();
    let input = OldReplicaSetsInput {
        replicas: ctx.replicas(),
        max_unavailable: ctx.spec().max_unavailable_pods(),
        new_and_stable_available,
        old: &old,
    };
    let scales = scale_down_old_replica_sets(&input);
    let mut scaled = false;
    for s in scales {
        scaled |= ctx.scale(active[s.index], s.to, false);
    }
    scaled
}
