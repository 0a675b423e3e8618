//! Whether a step's replica counts are reached (upstream `AtDesiredReplicaCountsForCanary`), which
//! completes `setWeight` and `setCanaryScale` steps and gates traffic and promotion.

use rollouts_api::canary::ReplicaProgressThreshold;

use super::input::{CanaryInput, ReplicaSetCounts, Routing};
use super::replica_counts;

/// `replicaProgressThreshold`: how many canary pods must be available for a step to count as reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressThreshold {
    /// At least this percentage of the canary's desired pods.
    Percent(i32),
    /// At least this many available canary pods.
    Pods(i32),
}

impl ProgressThreshold {
    /// Reads the spec field: type `Percent` is a percentage, any other type a pod count (as upstream
    /// compares only against `Percent`). A negative value means no threshold, i.e. all pods.
    pub fn from_spec(threshold: &ReplicaProgressThreshold) -> Option<Self> {
        if threshold.value < 0 {
            return None;
        }
        Some(if threshold.type_ == "Percent" {
            Self::Percent(threshold.value)
        } else {
            Self::Pods(threshold.value)
        })
    }
}

/// Whether the canary has enough available pods for `desired` (upstream `ReplicaProgressThresholdMet`).
///
/// Without a threshold, the canary must be sized exactly `desired` with all of them available. With one,
/// only available pods are compared — not the ReplicaSet's size — so more available pods than desired
/// also meet it. A percentage of 0 desired pods is always met; percentages are compared with a tolerance
/// of 1e-10 against floating-point error. A missing canary never meets a threshold.
pub fn replica_progress_threshold_met(
    threshold: Option<ProgressThreshold>,
    canary: Option<ReplicaSetCounts>,
    desired: i32,
) -> bool {
    let Some(canary) = canary else {
        return false;
    };
    match threshold {
        None => canary.spec_replicas == desired && canary.available_replicas == desired,
        Some(ProgressThreshold::Percent(_)) if desired == 0 => true,
        Some(ProgressThreshold::Percent(percent)) => {
            let reached = f64::from(canary.available_replicas) / f64::from(desired) * 100.0;
            let percent = f64::from(percent);
            reached >= percent || (reached - percent).abs() <= 1e-10
        }
        Some(ProgressThreshold::Pods(pods)) => canary.available_replicas >= pods,
    }
}

/// Whether the ReplicaSets are at the sizes the current step asks for.
///
/// - The canary meets [`replica_progress_threshold_met`] for its size from [`replica_counts`].
/// - Unless the stable is scaled dynamically with a traffic router, the stable ReplicaSet exists and both
///   its size and its pod count equal its size from [`replica_counts`] — its pods need not be available.
/// - Without a traffic router, no other ReplicaSet has an available pod, since those would take traffic;
///   behind a router they get none and may linger.
///
/// The sizes compared against are the ones for this reconcile, bounded by surge and unavailability.
pub fn at_desired_replica_counts(input: &CanaryInput, threshold: Option<ProgressThreshold>) -> bool {
    let scale = replica_counts(input).scaled;
    let sets = &input.replica_sets;
    if !replica_progress_threshold_met(threshold, sets.new, scale.new) {
        return false;
    }
    let dynamic_stable = matches!(input.routing, Routing::TrafficRouted(routed) if routed.dynamic_stable_scale);
    if !dynamic_stable {
        let stable_created = sets
            .stable_view()
            .is_some_and(|rs| rs.spec_replicas == scale.stable && rs.status_replicas == scale.stable);
        if !stable_created {
            return false;
        }
    }
    match input.routing {
        Routing::Basic => {
            sets.others
                .iter()
                .map(|rs| i64::from(rs.available_replicas))
                .sum::<i64>()
                == 0
        }
        Routing::TrafficRouted(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canary::input::{DesiredCanary, ReplicaSets, StableReplicaSet, TrafficRouted};

    fn input(new: ReplicaSetCounts, stable: ReplicaSetCounts, weight: i32, routing: Routing) -> CanaryInput {
        CanaryInput {
            replicas: 2,
            max_weight: 100,
            max_surge: 1,
            max_unavailable: 0,
            desired: DesiredCanary::Weight(weight),
            aborted: false,
            replica_sets: ReplicaSets {
                new: Some(new),
                stable: StableReplicaSet::Separate(stable),
                others: vec![],
            },
            routing,
        }
    }

    #[test]
    fn a_lower_weight_counts_as_reached_before_the_canary_is_drained() {
        // Going back to 0 with 2 replicas, no unavailability: the stable was grown to 2 but its new pod
        // is not ready, so the canary cannot shrink yet. The sizes for this reconcile are the current
        // ones, and upstream compares against those, so the step already counts as reached.
        let new = ReplicaSetCounts::settled(1);
        let stable = ReplicaSetCounts {
            spec_replicas: 2,
            status_replicas: 2,
            available_replicas: 1,
        };
        let input = input(new, stable, 0, Routing::Basic);
        let scale = replica_counts(&input);
        assert_eq!(scale.desired.new, 0);
        assert_eq!(scale.scaled.new, 1);
        assert!(at_desired_replica_counts(&input, None));
    }

    #[test]
    fn dynamic_stable_scale_does_not_wait_for_the_stable() {
        let routed = TrafficRouted {
            dynamic_stable_scale: true,
            ..Default::default()
        };
        let new = ReplicaSetCounts::settled(1);
        let stable = ReplicaSetCounts::settled(2);
        assert!(at_desired_replica_counts(
            &input(new, stable, 50, Routing::TrafficRouted(routed)),
            None
        ));
        let fixed = Routing::TrafficRouted(TrafficRouted::default());
        assert!(at_desired_replica_counts(&input(new, stable, 50, fixed), None));
        let shrunk = ReplicaSetCounts::settled(1);
        assert!(!at_desired_replica_counts(&input(new, shrunk, 50, fixed), None));
        assert!(at_desired_replica_counts(
            &input(new, shrunk, 50, Routing::TrafficRouted(routed)),
            None
        ));
    }

    #[test]
    fn other_replica_sets_block_only_the_basic_canary() {
        let mut basic = input(
            ReplicaSetCounts::settled(1),
            ReplicaSetCounts::settled(1),
            50,
            Routing::Basic,
        );
        assert!(at_desired_replica_counts(&basic, None));
        basic.replica_sets.others.push(ReplicaSetCounts {
            spec_replicas: 0,
            status_replicas: 1,
            available_replicas: 1,
        });
        assert!(!at_desired_replica_counts(&basic, None));
        let mut routed = basic.clone();
        routed.routing = Routing::TrafficRouted(TrafficRouted::default());
        routed.replica_sets.stable = StableReplicaSet::Separate(ReplicaSetCounts::settled(2));
        assert!(at_desired_replica_counts(&routed, None));
    }

    #[test]
    fn thresholds_read_from_the_spec() {
        let spec = |type_: &str, value| ReplicaProgressThreshold {
            type_: type_.to_string(),
            value,
        };
        assert_eq!(
            ProgressThreshold::from_spec(&spec("Percent", 70)),
            Some(ProgressThreshold::Percent(70))
        );
        assert_eq!(
            ProgressThreshold::from_spec(&spec("Pods", 3)),
            Some(ProgressThreshold::Pods(3))
        );
        assert_eq!(
            ProgressThreshold::from_spec(&spec("percent", 3)),
            Some(ProgressThreshold::Pods(3))
        );
        assert_eq!(ProgressThreshold::from_spec(&spec("Percent", -1)), None);
        // 7 of 10 is exactly 70% despite floating point.
        let canary = ReplicaSetCounts {
            spec_replicas: 10,
            status_replicas: 10,
            available_replicas: 7,
        };
        assert!(replica_progress_threshold_met(
            Some(ProgressThreshold::Percent(70)),
            Some(canary),
            10
        ));
        assert!(!replica_progress_threshold_met(
            Some(ProgressThreshold::Percent(71)),
            Some(canary),
            10
        ));
    }
}
