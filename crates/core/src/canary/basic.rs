//! Canary without traffic routing (upstream `CalculateReplicaCountsForBasicCanary`).
//!
//! The Services select pods of both versions, so the canary's share of traffic is its share of pods.
//! From the weight, the closest canary/stable split is chosen ([`approximate_weighted_counts`]); the
//! ReplicaSets are then moved towards it only as far as `maxSurge` (pods above `replicas`) and
//! `maxUnavailable` (available pods below `replicas`) allow, one reconcile at a time.
//!
//! Arithmetic is done in `i64` so that no observed value can overflow; results fit back in `i32`.

use super::approximate::approximate_weighted_counts;
use super::input::{CanaryInput, CanaryScale, NewStable, ReplicaSetCounts};

/// The new and stable sizes for this reconcile of a basic canary.
///
/// 1. The desired split comes from the weight; with no separate stable ReplicaSet, the new one simply
///    gets all `replicas`.
/// 2. Scale up, never beyond `replicas + maxSurge` pods in all ReplicaSets together: the stable first
///    (it may have been shrunk for an earlier, larger weight), then the canary.
/// 3. While any other ReplicaSet still has pods, stop there: those are drained first
///    ([`super::old_replica_sets`]).
/// 4. Scale down, never below `replicas − maxUnavailable` available pods. When the canary is growing,
///    the stable is the one drained and its pods count as available whether or not they are (so a
///    crash-looping stable cannot block the update), while the canary counts by its available pods;
///    when the canary is shrinking (an abort, a lower weight) it is the other way around. A ReplicaSet
///    already asked to shrink below its available pods counts by its new size.
/// 5. Finally the pair is re-balanced so that together they stay within both limits.
pub fn replica_counts(input: &CanaryInput) -> CanaryScale {
    let replicas = i64::from(input.replicas);
    let max_surge = i64::from(input.max_surge);
    let sets = &input.replica_sets;
    let new = sets.new.map(Counts::from);
    let stable_view = sets.stable_view().map(Counts::from);
    let stable = sets.separate_stable().map(Counts::from);

    let weighted = approximate_weighted_counts(
        input.replicas,
        input.desired.weight(),
        input.max_weight,
        input.max_surge,
    );
    let (desired_new, desired_stable) = match stable {
        Some(_) => (i64::from(weighted.new), i64::from(weighted.stable)),
        None => (replicas, 0),
    };

    let mut new_count = new.map_or(0, |rs| rs.spec);
    let mut stable_count = stable.map_or(0, |rs| rs.spec);

    // Scale up within the surge, stable first.
    let max_total = replicas + max_surge;
    let others_total: i64 = sets.others.iter().map(|rs| i64::from(rs.spec_replicas)).sum();
    let current_total = others_total + new.map_or(0, |rs| rs.spec) + stable.map_or(0, |rs| rs.spec);
    let mut room = max_total - current_total;
    if let Some(stable) = stable
        && stable.spec < desired_stable
        && room > 0
    {
        stable_count = desired_stable.min(stable.spec + room);
        room -= stable_count - stable.spec;
    }
    if let Some(new) = new
        && new.spec < desired_new
        && room > 0
    {
        new_count = desired_new.min(new.spec + room);
    }

    let desired = NewStable {
        new: saturate(desired_new),
        stable: saturate(desired_stable),
    };
    let scaled = |new_count: i64, stable_count: i64| CanaryScale {
        desired,
        scaled: NewStable {
            new: saturate(new_count),
            stable: saturate(stable_count),
        },
    };

    // Other ReplicaSets are drained before the new and stable ones shrink; but an aborted canary
    // still gives up the pods that do not serve. That costs no availability and frees the room the
    // stable needs to come back: with an older revision holding the only available pods, nothing could
    // move otherwise (upstream waits there for ever).
    if others_total > 0 {
        if input.aborted
            && let Some(new) = new
            && desired_new < new.spec
        {
            new_count = new_count.min(desired_new.max(new.available));
        }
        return scaled(new_count, stable_count);
    }

    // Scale down within the unavailability budget.
    let min_available = replicas - i64::from(input.max_unavailable);
    let increasing = new.is_none_or(|rs| desired_new >= rs.spec);
    let counted = counted_for_scale_down(new, !increasing) + counted_for_scale_down(stable_view, increasing);
    if counted <= min_available {
        return scaled(new_count, stable_count);
    }
    let surplus = counted - min_available;
    if !increasing {
        new_count = drained_count(new, desired_new, surplus, new_count);
        (new_count, stable_count) = within_limits(new, stable_view, new_count, stable_count, max_total, min_available);
    } else if stable.is_some() {
        stable_count = drained_count(stable, desired_stable, surplus, stable_count);
        (stable_count, new_count) = within_limits(stable, new, stable_count, new_count, max_total, min_available);
    }
    scaled(new_count, stable_count)
}

/// A ReplicaSet's counts widened for overflow-free arithmetic.
#[derive(Debug, Clone, Copy)]
struct Counts {
    spec: i64,
    available: i64,
}

impl From<ReplicaSetCounts> for Counts {
    fn from(rs: ReplicaSetCounts) -> Self {
        Self {
            spec: i64::from(rs.spec_replicas),
            available: i64::from(rs.available_replicas),
        }
    }
}

/// The pods a ReplicaSet contributes when checking how much may be scaled down (upstream
/// `GetReplicasForScaleDown`): its available pods, or its size when availability is ignored; never more
/// than its size, since pods above it are already on their way out.
fn counted_for_scale_down(rs: Option<Counts>, ignore_availability: bool) -> i64 {
    match rs {
        None => 0,
        Some(rs) if rs.spec < rs.available || ignore_availability => rs.spec,
        Some(rs) => rs.available,
    }
}

/// The size of the ReplicaSet being drained: down by `surplus`, but not below its desired size (upstream
/// `calculateScaleDownReplicaCount`); unchanged when it is not above its desired size.
fn drained_count(drain: Option<Counts>, desired: i64, surplus: i64, current: i64) -> i64 {
    match drain {
        Some(rs) if rs.spec > desired => desired.max(rs.spec - surplus),
        _ => current,
    }
}

/// Re-balances the drained ReplicaSet's count and the other one's so that their total stays within
/// `max_total` and their available pods do not fall below `min_available` (upstream
/// `adjustReplicaWithinLimits`). The other ReplicaSet gives back what exceeds the total, but keeps as
/// many of its available pods as are needed for availability; whatever then still exceeds the total is
/// taken from the drained one. Returns `(drain_count, adjust_count)`.
fn within_limits(
    drain: Option<Counts>,
    adjust: Option<Counts>,
    mut drain_count: i64,
    mut adjust_count: i64,
    max_total: i64,
    min_available: i64,
) -> (i64, i64) {
    let Some(adjust) = adjust else {
        return (drain_count, adjust_count);
    };
    let over_total = (adjust_count + drain_count - max_total).max(0);
    adjust_count -= over_total;
    let available = drain.map_or(0, |rs| rs.available.min(drain_count)) + adjust.available.min(adjust_count);
    let lost_available = (adjust.available - adjust_count).max(0);
    let missing_available = (min_available - available).max(0);
    adjust_count += lost_available.min(missing_available);
    drain_count -= (adjust_count + drain_count - max_total).max(0);
    (drain_count, adjust_count)
}

fn saturate(value: i64) -> i32 {
    value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canary::input::{DesiredCanary, ReplicaSets, Routing, StableReplicaSet};

    /// An update just starting: a fully available stable of `replicas` pods and an empty canary.
    fn fresh_update(replicas: i32, weight: i32, max_unavailable: i32, max_surge: i32) -> CanaryInput {
        CanaryInput {
            replicas,
            max_weight: 100,
            max_surge,
            max_unavailable,
            desired: DesiredCanary::Weight(weight),
            aborted: false,
            replica_sets: ReplicaSets {
                new: Some(ReplicaSetCounts::default()),
                stable: StableReplicaSet::Separate(ReplicaSetCounts::settled(replicas)),
                others: vec![],
            },
            routing: Routing::Basic,
        }
    }

    /// v2 rolled out to a step, a bad v3 replaced it, then an abort: v2's one pod is the only one
    /// serving, so it cannot be drained, and the stable has no surge room to grow. The aborted canary
    /// gives up its unready pods so that the stable can come back (upstream waits for ever).
    #[test]
    fn an_aborted_canary_gives_up_unready_pods_while_an_older_revision_still_serves() {
        let unready = |spec| ReplicaSetCounts {
            spec_replicas: spec,
            status_replicas: spec,
            available_replicas: 0,
        };
        let mut input = fresh_update(2, 0, 1, 1);
        input.aborted = true;
        input.replica_sets = ReplicaSets {
            new: Some(unready(2)),
            stable: StableReplicaSet::Separate(ReplicaSetCounts::default()),
            others: vec![ReplicaSetCounts::settled(1)],
        };
        let scale = replica_counts(&input);
        assert_eq!((scale.scaled.new, scale.scaled.stable), (0, 0));
        // Its available pods it keeps until the older revision has drained, as before.
        input.replica_sets.new = Some(ReplicaSetCounts::settled(2));
        let scale = replica_counts(&input);
        assert_eq!((scale.scaled.new, scale.scaled.stable), (2, 0));
    }

    #[test]
    fn behaviour_reference_examples() {
        // (replicas, weight, maxUnavailable, maxSurge) -> (new, stable) on the first reconcile.
        let cases = [
            (10, 10, 1, 1, (1, 9)),
            (10, 30, 0, 3, (3, 10)),
            (10, 30, 5, 0, (0, 7)),
            // Upstream's doc comment (and the behaviour reference copying it) says 1/9 here, but its code
            // picks 1 canary out of 11 pods (9.1%, closer to 5% than 1 out of 10), as its own table does
            // for 10 replicas at 1%: the stable keeps all 10.
            (10, 5, 1, 1, (1, 10)),
            (1, 5, 0, 1, (1, 1)),
            (1, 95, 0, 1, (1, 1)),
            // Upstream's TestCanaryRolloutScaleDownStableToMatchWeight.
            (10, 10, 1, 0, (0, 9)),
        ];
        for (replicas, weight, unavailable, surge, (new, stable)) in cases {
            let got = replica_counts(&fresh_update(replicas, weight, unavailable, surge)).scaled;
            assert_eq!(
                (got.new, got.stable),
                (new, stable),
                "replicas {replicas}, weight {weight}, unavailable {unavailable}, surge {surge}"
            );
        }
    }

    #[test]
    fn desired_is_the_weighted_split_and_scaled_the_bounded_step() {
        let got = replica_counts(&fresh_update(10, 30, 5, 0));
        assert_eq!(got.desired, NewStable { new: 3, stable: 7 });
        assert_eq!(got.scaled, NewStable { new: 0, stable: 7 });
    }

    #[test]
    fn no_stable_means_everything_on_the_new_replica_set() {
        let mut input = fresh_update(10, 30, 1, 1);
        input.replica_sets.stable = StableReplicaSet::Missing;
        let got = replica_counts(&input);
        assert_eq!(got.desired, NewStable { new: 10, stable: 0 });
        assert_eq!(got.scaled, NewStable { new: 10, stable: 0 });
    }

    #[test]
    fn scaled_to_zero_rollout() {
        let got = replica_counts(&fresh_update(0, 50, 0, 0));
        assert_eq!(got.scaled, NewStable { new: 0, stable: 0 });
    }

    #[test]
    fn within_limits_gives_back_surge_but_keeps_availability() {
        let rs = |spec, available| Some(Counts { spec, available });
        // Over the total by 2: the adjusted set gives both back.
        assert_eq!(within_limits(rs(5, 5), rs(7, 3), 5, 7, 10, 5), (5, 5));
        // Giving back would cost needed availability: the drained set pays instead.
        assert_eq!(within_limits(rs(4, 1), rs(7, 7), 4, 7, 10, 8), (3, 7));
        // No adjusted set: nothing to re-balance.
        assert_eq!(within_limits(rs(4, 1), None, 9, 0, 5, 8), (9, 0));
    }
}
