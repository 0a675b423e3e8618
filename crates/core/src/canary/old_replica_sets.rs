//! Draining ReplicaSets that are neither the new nor the stable one, for a canary without traffic
//! routing (upstream `scaleDownOldReplicaSetsForCanary` with `cleanupUnhealthyReplicas`). Their pods
//! would take traffic through the Services, so they all go to 0, but no faster than availability allows.
//! The removal of unavailable pods applies with a traffic router as well.

use std::cmp::Ordering;

use jiff::Timestamp;

use super::input::ReplicaSetCounts;

/// A ReplicaSet other than the new and the stable one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OldReplicaSet<'a> {
    /// `metadata.name`: breaks ties between equal creation times.
    pub name: &'a str,
    /// The `rollout.argoproj.io/revision` annotation, when it is a number.
    pub revision: Option<i64>,
    /// `metadata.creationTimestamp`.
    pub created_at: Option<Timestamp>,
    /// Its replica counts; the caller may cap `available_replicas` at `spec_replicas`.
    pub counts: ReplicaSetCounts,
}

/// What the scale-down needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OldReplicaSetsInput<'a> {
    /// `spec.replicas` (1 when unset).
    pub replicas: i32,
    /// `maxUnavailable` resolved to pods and capped at `replicas`.
    pub max_unavailable: i32,
    /// Available pods of the new ReplicaSet plus those of the stable one when it is a different one.
    pub new_and_stable_available: i32,
    /// Every other ReplicaSet of the Rollout.
    pub old: &'a [OldReplicaSet<'a>],
}

/// One scale-down to perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OldReplicaSetScale {
    /// Index of the ReplicaSet in [`OldReplicaSetsInput::old`].
    pub index: usize,
    /// Its size before this scale.
    pub from: i32,
    /// Its new `spec.replicas`.
    pub to: i32,
}

/// The outcome of removing unavailable pods from the other ReplicaSets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnhealthyCleanup {
    /// The scale-downs, oldest ReplicaSet first.
    pub scales: Vec<OldReplicaSetScale>,
    /// A ReplicaSet showed more available pods than its size (a scale-down still in progress): upstream
    /// treats it as an error, and nothing else is scaled in this reconcile.
    pub halted: bool,
}

/// Oldest first, each ReplicaSet with unavailable pods is shrunk to its available pods (upstream
/// `cleanupUnhealthyReplicas`): those pods serve nothing, and waiting for them could stall the update.
pub fn cleanup_unhealthy(old: &[OldReplicaSet<'_>]) -> UnhealthyCleanup {
    let mut cleanup = UnhealthyCleanup::default();
    let mut by_creation: Vec<usize> = (0..old.len()).collect();
    by_creation.sort_by(|&a, &b| older_first(&old[a], &old[b]));
    for index in by_creation {
        let rs = &old[index];
        let available = i64::from(rs.counts.available_replicas);
        let size = i64::from(rs.counts.spec_replicas);
        if size == 0 || size == available {
            continue;
        }
        if available > size {
            cleanup.halted = true;
            return cleanup;
        }
        cleanup.scales.push(scale(index, size, available));
    }
    cleanup
}

/// The scale-downs to perform on the other ReplicaSets, in order (a ReplicaSet may appear twice).
///
/// 1. [`cleanup_unhealthy`]; a ReplicaSet that shows more available pods than its size stops
///    everything there.
/// 2. Then, newest revision first, ReplicaSets shrink by as many pods as are available beyond
///    `replicas − maxUnavailable`, counting available pods of all the Rollout's ReplicaSets.
pub fn scale_down_old_replica_sets(input: &OldReplicaSetsInput<'_>) -> Vec<OldReplicaSetScale> {
    let mut sizes: Vec<i64> = input.old.iter().map(|rs| i64::from(rs.counts.spec_replicas)).collect();
    let cleanup = cleanup_unhealthy(input.old);
    for s in &cleanup.scales {
        sizes[s.index] = i64::from(s.to);
    }
    let mut actions = cleanup.scales;
    if cleanup.halted {
        return actions;
    }

    let available_total = i64::from(input.new_and_stable_available)
        + input
            .old
            .iter()
            .map(|rs| i64::from(rs.counts.available_replicas))
            .sum::<i64>();
    let min_available = i64::from(input.replicas) - i64::from(input.max_unavailable);
    let mut budget = available_total - min_available;
    if budget <= 0 {
        return actions;
    }

    for index in newest_revision_first_order(input.old) {
        if budget <= 0 {
            break;
        }
        let size = sizes[index];
        if size == 0 {
            continue;
        }
        let target = (size - budget).max(0);
        actions.push(scale(index, size, target));
        budget -= size - target;
        sizes[index] = target;
    }
    actions
}

/// Indices of the ReplicaSets, highest revision first (upstream sorts by `ReplicaSetsByRevisionNumber`,
/// reversed, before scaling down).
pub fn newest_revision_first_order(old: &[OldReplicaSet<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..old.len()).collect();
    order.sort_by(|&a, &b| newest_revision_first(&old[a], &old[b]));
    order
}

fn scale(index: usize, from: i64, to: i64) -> OldReplicaSetScale {
    let narrow = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    OldReplicaSetScale {
        index,
        from: narrow(from),
        to: narrow(to),
    }
}

/// Creation time, then name (Kubernetes' `ReplicaSetsByCreationTimestamp`); a missing time sorts first.
fn older_first(a: &OldReplicaSet<'_>, b: &OldReplicaSet<'_>) -> Ordering {
    a.created_at.cmp(&b.created_at).then_with(|| a.name.cmp(b.name))
}

/// Highest revision first, then newest; a ReplicaSet without a revision counts as older than any with
/// one (upstream's comparator is not consistent for those, so any order is as faithful).
fn newest_revision_first(a: &OldReplicaSet<'_>, b: &OldReplicaSet<'_>) -> Ordering {
    b.revision.cmp(&a.revision).then_with(|| older_first(b, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(name: &str, revision: i64, created: i64, spec: i32, available: i32) -> OldReplicaSet<'_> {
        OldReplicaSet {
            name,
            revision: Some(revision),
            created_at: Timestamp::from_second(created).ok(),
            counts: ReplicaSetCounts {
                spec_replicas: spec,
                status_replicas: spec,
                available_replicas: available,
            },
        }
    }

    fn run(
        replicas: i32,
        max_unavailable: i32,
        new_and_stable_available: i32,
        old: &[OldReplicaSet<'_>],
    ) -> Vec<(usize, i32, i32)> {
        let input = OldReplicaSetsInput {
            replicas,
            max_unavailable,
            new_and_stable_available,
            old,
        };
        scale_down_old_replica_sets(&input)
            .into_iter()
            .map(|s| (s.index, s.from, s.to))
            .collect()
    }

    #[test]
    fn drains_newest_revision_first_within_availability() {
        // Upstream's TestCanaryRolloutScaleDownOldRsDontScaleDownTooMuch: 4 replicas, none unavailable,
        // the new (and stable) ReplicaSet has no available pod yet.
        let sets = [old("rs1", 1, 10, 5, 5), old("rs2", 2, 20, 5, 5)];
        assert_eq!(run(4, 0, 0, &sets), vec![(1, 5, 0), (0, 5, 4)]);

        // Upstream's TestCanaryRolloutScaleDownOldRs: 10 replicas, stable 9 and canary 1 available.
        let sets = [old("rs2", 2, 20, 1, 1)];
        assert_eq!(run(10, 0, 10, &sets), vec![(0, 1, 0)]);
    }

    #[test]
    fn unhealthy_pods_go_first_oldest_first() {
        let sets = [old("b", 3, 30, 4, 1), old("a", 2, 20, 3, 0)];
        // No availability budget: only the unavailable pods are removed, oldest ReplicaSet first.
        assert_eq!(run(10, 0, 9, &sets), vec![(1, 3, 0), (0, 4, 1)]);
        // With budget, the newest revision then shrinks by it.
        assert_eq!(run(10, 0, 10, &sets), vec![(1, 3, 0), (0, 4, 1), (0, 1, 0)]);
    }

    #[test]
    fn a_scale_down_in_flight_stops_everything() {
        let mut shrinking = old("b", 3, 30, 2, 3);
        shrinking.counts.status_replicas = 3;
        let sets = [old("a", 2, 20, 3, 1), shrinking];
        assert_eq!(run(10, 0, 20, &sets), vec![(0, 3, 1)]);
    }

    #[test]
    fn scaled_down_sets_only_lend_availability() {
        let mut lingering = old("a", 1, 10, 0, 2);
        lingering.counts.status_replicas = 2;
        let sets = [lingering, old("b", 2, 20, 3, 3)];
        // 8 + 2 + 3 available against a floor of 10: 3 may go.
        assert_eq!(run(10, 0, 8, &sets), vec![(1, 3, 0)]);
        assert_eq!(run(10, 0, 0, &[old("c", 1, 1, 0, 0)]), vec![]);
    }
}
