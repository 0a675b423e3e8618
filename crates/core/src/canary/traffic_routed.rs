//! Canary with a traffic router (upstream `CalculateReplicaCountsForTrafficRoutedCanary`).
//!
//! The router, not the pod ratio, splits traffic, so there is no surge/unavailability arithmetic: the
//! canary gets enough pods for its weight (rounded up) and the stable stays at full size, unless
//! `dynamicStableScale` shrinks it along with its share of traffic.

use super::approximate::weight_to_replicas;
use super::input::{CanaryInput, CanaryScale, DesiredCanary, NewStable, TrafficRouted};

/// The new and stable sizes of a traffic-routed canary.
///
/// - Canary: the explicit `setCanaryScale.replicas`, else the pods for the desired weight, raised to
///   `minPodsPerReplicaSet`.
/// - Stable: all `replicas`, or with `dynamicStableScale` the pods for the larger of the stable's desired
///   weight and the weight it still receives (so it only shrinks once traffic has moved away, and grows
///   back ahead of traffic returning). After an abort the canary likewise keeps the pods for the weight it
///   still receives. Both are then raised to `minPodsPerReplicaSet`.
///
/// Sizes are returned as they are; with a router there is no intermediate step, so the desired and the
/// scaled sizes are the same.
pub fn replica_counts(input: &CanaryInput, routed: &TrafficRouted) -> CanaryScale {
    let replicas = input.replicas;
    let max_weight = input.max_weight;
    let weight = input.desired.weight();
    let at_least_min = |count: i32| with_min_pods(count, routed.min_pods_per_replica_set, replicas);

    let mut canary = match input.desired {
        DesiredCanary::Replicas(explicit) => explicit,
        DesiredCanary::Weight(weight) => at_least_min(weight_to_replicas(replicas, weight, max_weight)),
    };
    let pair = |new: i32, stable: i32| {
        let counts = NewStable { new, stable };
        CanaryScale {
            desired: counts,
            scaled: counts,
        }
    };
    if !routed.dynamic_stable_scale {
        return pair(canary, replicas);
    }

    let stable_weight = i64::from(max_weight) - i64::from(weight);
    let mut stable = weight_to_replicas(replicas, saturate(stable_weight), max_weight);
    if let Some(applied) = routed.weights {
        stable = stable.max(weight_to_replicas(replicas, applied.stable, max_weight));
        if input.aborted {
            canary = canary.max(weight_to_replicas(replicas, applied.canary, max_weight));
        }
    }
    pair(at_least_min(canary), at_least_min(stable))
}

/// Raises a non-zero count to `minPodsPerReplicaSet`, itself capped at `replicas` so that a small Rollout
/// cannot be asked for more pods than it has (upstream `CheckMinPodsPerReplicaSet`).
pub fn with_min_pods(count: i32, min_pods_per_replica_set: Option<i32>, replicas: i32) -> i32 {
    match min_pods_per_replica_set {
        Some(min_pods) if count != 0 => count.max(min_pods.min(replicas)),
        _ => count,
    }
}

fn saturate(value: i64) -> i32 {
    value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canary::input::{AppliedWeights, ReplicaSets, Routing};

    fn input(desired: DesiredCanary, aborted: bool) -> CanaryInput {
        CanaryInput {
            replicas: 10,
            max_weight: 100,
            max_surge: 0,
            max_unavailable: 0,
            desired,
            aborted,
            replica_sets: ReplicaSets::default(),
            routing: Routing::Basic,
        }
    }

    #[test]
    fn min_pods_raise_non_zero_counts_up_to_replicas() {
        assert_eq!(with_min_pods(0, Some(3), 10), 0);
        assert_eq!(with_min_pods(1, Some(3), 10), 3);
        assert_eq!(with_min_pods(5, Some(3), 10), 5);
        assert_eq!(with_min_pods(1, Some(30), 10), 10);
        assert_eq!(with_min_pods(1, None, 10), 1);
    }

    #[test]
    fn explicit_replicas_skip_min_pods_unless_the_stable_is_dynamic() {
        let fixed = TrafficRouted {
            min_pods_per_replica_set: Some(3),
            ..Default::default()
        };
        let got = replica_counts(&input(DesiredCanary::Replicas(1), false), &fixed);
        assert_eq!(got.scaled, NewStable { new: 1, stable: 10 });

        let dynamic = TrafficRouted {
            dynamic_stable_scale: true,
            ..fixed
        };
        // An explicit size carries weight 0, so the dynamic stable stays full.
        let got = replica_counts(&input(DesiredCanary::Replicas(1), false), &dynamic);
        assert_eq!(got.scaled, NewStable { new: 3, stable: 10 });
    }

    #[test]
    fn dynamic_stable_follows_the_larger_of_desired_and_applied_weight() {
        let dynamic = |canary, stable| TrafficRouted {
            dynamic_stable_scale: true,
            weights: Some(AppliedWeights { canary, stable }),
            ..Default::default()
        };
        // Traffic has not moved yet: the stable keeps its pods.
        let got = replica_counts(&input(DesiredCanary::Weight(40), false), &dynamic(10, 90));
        assert_eq!(got.scaled, NewStable { new: 4, stable: 9 });
        // Once it has, the stable shrinks.
        let got = replica_counts(&input(DesiredCanary::Weight(40), false), &dynamic(40, 60));
        assert_eq!(got.scaled, NewStable { new: 4, stable: 6 });
        // Aborting: the canary keeps pods for the traffic it still receives.
        let got = replica_counts(&input(DesiredCanary::Weight(0), true), &dynamic(40, 60));
        assert_eq!(got.scaled, NewStable { new: 4, stable: 10 });
    }
}
