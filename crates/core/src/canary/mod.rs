//! Canary replica arithmetic: how many pods the new (canary) and the stable ReplicaSet should run for a
//! given weight, bounded by `maxSurge` and `maxUnavailable`, and when a step's counts count as reached.
//!
//! Everything here reproduces upstream Argo Rollouts' numbers exactly (`utils/replicaset/canary.go`),
//! including its rounding and floating-point details, because a drop-in controller must scale the same
//! ReplicaSets to the same sizes on the same reconcile. The functions are pure: the caller describes the
//! ReplicaSets it observed ([`ReplicaSets`]) and the resolved settings ([`CanaryInput`]), and gets back
//! the sizes to set ([`CanaryScale`]).
//!
//! - [`desired_weight`]: which weight (or explicit canary size) the current step asks for.
//! - [`basic`]: canary without traffic routing, where the weight is approximated by pod counts.
//! - [`traffic_routed`]: canary with a traffic router, where pods follow the traffic weight.
//! - [`old_replica_sets`]: draining ReplicaSets that are neither new nor stable (basic canary), and
//!   removing their unavailable pods (both kinds).
//! - [`reached`]: whether a step's replica counts are reached.

pub mod approximate;
pub mod basic;
pub mod desired_weight;
mod input;
pub mod old_replica_sets;
pub mod reached;
pub mod traffic_routed;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod upstream_cases;

pub use desired_weight::CanaryProgress;
pub use input::{
    AppliedWeights, CanaryInput, CanaryScale, DesiredCanary, NewStable, ReplicaSetCounts, ReplicaSets, Routing,
    StableReplicaSet, TrafficRouted,
};
pub use old_replica_sets::{
    OldReplicaSet, OldReplicaSetScale, OldReplicaSetsInput, UnhealthyCleanup, cleanup_unhealthy,
    newest_revision_first_order, scale_down_old_replica_sets,
};
pub use reached::{ProgressThreshold, at_desired_replica_counts, replica_progress_threshold_met};

/// The canary and stable sizes for this reconcile, by the strategy in use: the basic arithmetic without a
/// traffic router, the traffic-routed one otherwise (upstream chooses the same way everywhere it sizes a
/// canary: `NewRSNewReplicas`, `reconcileCanaryStableReplicaSet`, `AtDesiredReplicaCountsForCanary`).
pub fn replica_counts(input: &CanaryInput) -> CanaryScale {
    match &input.routing {
        Routing::Basic => basic::replica_counts(input),
        Routing::TrafficRouted(routed) => traffic_routed::replica_counts(input, routed),
    }
}
