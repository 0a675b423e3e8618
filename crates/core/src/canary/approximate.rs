//! Turning a weight into pod counts.
//!
//! The floating-point expressions below are evaluated in the same order as upstream's, on purpose: the
//! "tie" test compares a fractional part with exactly 0.5, so a different but mathematically equal
//! formula could round differently and pick another candidate.

use super::input::NewStable;

/// Pods needed to carry `weight` out of `max_weight` with `replicas` pods, rounded up (upstream
/// `trafficWeightToReplicas`). Values beyond `i32` saturate.
pub fn weight_to_replicas(replicas: i32, weight: i32, max_weight: i32) -> i32 {
    (f64::from(weight) * f64::from(replicas) / f64::from(max_weight)).ceil() as i32
}

/// The canary and stable counts whose ratio is closest to `weight` (upstream
/// `approximateWeightedCanaryStableReplicaCounts`), for a basic canary whose traffic split is the pod
/// ratio.
///
/// Candidates are the rounded-up and rounded-down canary share of `replicas`, out of a total of
/// `replicas` and — when surging is allowed — of `replicas + 1`, where the extra pod can bring the ratio
/// closer (the shares are not recomputed for the larger total). The first candidate with the smallest
/// distance to the weight wins. A weight strictly between 0 and the maximum never yields a zero canary,
/// and never a zero stable out of `replicas` pods, except for a single pod with no surge, where one of
/// the two has to go; when rounding down and up are equally far the larger canary is preferred.
pub fn approximate_weighted_counts(replicas: i32, weight: i32, max_weight: i32, max_surge: i32) -> NewStable {
    if replicas == 0 {
        return NewStable::default();
    }
    let share = f64::from(replicas) * f64::from(weight) / f64::from(max_weight);
    let ceil = share.ceil() as i64;
    let floor = share.floor() as i64;
    let replicas = i64::from(replicas);
    let zero_allowed = weight == max_weight || weight == 0 || (replicas == 1 && max_surge == 0);

    let mut candidates: Vec<(i64, i64)> = Vec::with_capacity(4);
    if ceil < replicas || zero_allowed {
        candidates.push((ceil, replicas));
    }
    if !floor_and_ceil_tied(weight, max_weight, replicas) && (floor != 0 || zero_allowed) {
        candidates.push((floor, replicas));
    }
    if max_surge > 0 {
        candidates.push((ceil, replicas + 1));
        if !floor_and_ceil_tied(weight, max_weight, replicas + 1) && (floor != 0 || zero_allowed) {
            candidates.push((floor, replicas + 1));
        }
    }

    let mut best: Option<((i64, i64), f64)> = None;
    for candidate in candidates {
        let delta = weight_delta(weight, max_weight, candidate);
        if best.is_none_or(|(_, best_delta)| delta < best_delta) {
            best = Some((candidate, delta));
        }
    }
    // Without any candidate (which the conditions above rule out) upstream keeps everything on stable.
    let (canary, total) = best.map_or((0, replicas), |(candidate, _)| candidate);
    NewStable {
        new: saturate(canary),
        stable: saturate(total - canary),
    }
}

/// Whether the weighted share of `total` pods lies exactly halfway between two counts (for instance 3
/// pods at 50%), in which case rounding down is not considered.
fn floor_and_ceil_tied(weight: i32, max_weight: i32, total: i64) -> bool {
    let share = total as f64 * (f64::from(weight) / f64::from(max_weight));
    share.fract() == 0.5
}

/// How far `canary` pods out of `total` are from `weight`, in weight units.
fn weight_delta(weight: i32, max_weight: i32, (canary, total): (i64, i64)) -> f64 {
    let actual = (canary * i64::from(max_weight)) as f64 / total as f64;
    (actual - f64::from(weight)).abs()
}

fn saturate(value: i64) -> i32 {
    value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_to_replicas_rounds_up() {
        // (replicas, weight, max weight) -> pods; from upstream's TestTrafficWeightToReplicas.
        let cases = [
            (10, 0, 100, 0),
            (10, 20, 100, 2),
            (10, 25, 100, 3),
            (10, 33, 100, 4),
            (10, 99, 100, 10),
            (10, 100, 100, 10),
            (23, 100_000_000, 100_000_000, 23),
        ];
        for (replicas, weight, max_weight, want) in cases {
            assert_eq!(
                weight_to_replicas(replicas, weight, max_weight),
                want,
                "{replicas} at {weight}/{max_weight}"
            );
        }
    }

    #[test]
    fn ties_prefer_the_larger_canary() {
        assert!(floor_and_ceil_tied(50, 100, 3));
        assert!(!floor_and_ceil_tied(50, 100, 4));
        assert_eq!(
            approximate_weighted_counts(3, 50, 100, 0),
            NewStable { new: 2, stable: 1 }
        );
    }

    #[test]
    fn absurd_inputs_do_not_panic() {
        let _ = approximate_weighted_counts(i32::MAX, i32::MAX, 1, i32::MAX);
        let _ = approximate_weighted_counts(5, 50, 0, 1);
        let _ = approximate_weighted_counts(-5, -50, 100, -1);
        let _ = weight_to_replicas(i32::MAX, i32::MAX, 0);
    }
}
