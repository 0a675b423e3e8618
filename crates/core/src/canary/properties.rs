//! Properties of the basic canary arithmetic, checked on a simulated update: the controller reconciles
//! (one change at a time, stable first, then canary, then other ReplicaSets, as upstream does), a
//! ReplicaSet creates or deletes pods at once (unready pods deleted first), and some pods become
//! available after every reconcile. Throughout an update that raises the weight step by step, and
//! throughout an abort back to weight 0:
//!
//! - the pods of all ReplicaSets never exceed `replicas + maxSurge`;
//! - scaling never takes available pods below `replicas − maxUnavailable` (unless they already were);
//! - every step eventually settles at the sizes its weight asks for, where it counts as reached.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use proptest::prelude::*;
use rollouts_api::RolloutSpec;
use rollouts_api::canary::CanaryStrategy;
use rollouts_api::rollout::RolloutStrategy;

use super::*;

#[derive(Debug, Clone, Copy)]
struct Pods {
    spec: i32,
    existing: i32,
    available: i32,
}

impl Pods {
    fn settled(n: i32) -> Self {
        Self {
            spec: n,
            existing: n,
            available: n,
        }
    }

    fn counts(self) -> ReplicaSetCounts {
        ReplicaSetCounts {
            spec_replicas: self.spec,
            status_replicas: self.existing,
            available_replicas: self.available,
        }
    }

    /// The ReplicaSet controller reacting to a new size.
    fn scale(&mut self, to: i32) {
        self.spec = to;
        self.existing = to;
        self.available = self.available.min(to);
    }

    fn become_ready(&mut self, pods: i32) {
        self.available = self.existing.min(self.available + pods);
    }
}

#[derive(Debug, Clone)]
struct Simulation {
    replicas: i32,
    max_surge: i32,
    max_unavailable: i32,
    new: Pods,
    stable: Pods,
    others: Vec<Pods>,
    ready_per_tick: Vec<i32>,
    tick: usize,
}

impl Simulation {
    fn input(&self, weight: i32, aborted: bool) -> CanaryInput {
        CanaryInput {
            replicas: self.replicas,
            max_weight: 100,
            max_surge: self.max_surge,
            max_unavailable: self.max_unavailable,
            desired: DesiredCanary::Weight(weight),
            aborted,
            replica_sets: ReplicaSets {
                new: Some(self.new.counts()),
                stable: StableReplicaSet::Separate(self.stable.counts()),
                others: self.others.iter().map(|p| p.counts()).collect(),
            },
            routing: Routing::Basic,
        }
    }

    fn all(&self) -> impl Iterator<Item = &Pods> {
        [&self.new, &self.stable].into_iter().chain(self.others.iter())
    }

    fn existing(&self) -> i32 {
        self.all().map(|p| p.existing).sum()
    }

    fn available(&self) -> i32 {
        self.all().map(|p| p.available).sum()
    }

    /// One reconcile: at most one of stable, canary or the other ReplicaSets changes. Returns whether
    /// anything was scaled.
    fn reconcile(&mut self, weight: i32, aborted: bool) -> bool {
        let scaled = replica_counts(&self.input(weight, aborted)).scaled;
        if scaled.stable != self.stable.spec {
            self.stable.scale(scaled.stable);
            return true;
        }
        if scaled.new != self.new.spec {
            self.new.scale(scaled.new);
            return true;
        }
        let names: Vec<String> = (0..self.others.len()).map(|i| format!("old-{i}")).collect();
        let old: Vec<OldReplicaSet<'_>> = self
            .others
            .iter()
            .zip(&names)
            .enumerate()
            .map(|(i, (p, name))| OldReplicaSet {
                name,
                revision: Some(i as i64),
                created_at: None,
                counts: p.counts(),
            })
            .collect();
        let actions = scale_down_old_replica_sets(&OldReplicaSetsInput {
            replicas: self.replicas,
            max_unavailable: self.max_unavailable,
            new_and_stable_available: self.new.available + self.stable.available,
            old: &old,
        });
        for action in &actions {
            self.others[action.index].scale(action.to);
        }
        !actions.is_empty()
    }

    fn pods_become_ready(&mut self, scaled: bool) {
        let mut ready = self.ready_per_tick[self.tick % self.ready_per_tick.len()];
        self.tick += 1;
        if !scaled {
            // Nothing moved: let time pass until something can.
            ready = ready.max(1);
        }
        self.new.become_ready(ready);
        self.stable.become_ready(ready);
        for other in &mut self.others {
            other.become_ready(ready);
        }
    }

    fn settled(&self) -> bool {
        self.all().all(|p| p.available == p.existing)
    }

    /// Reconciles until nothing moves any more, checking the bounds after every change, and then that
    /// the step is reached at the sizes its weight asks for.
    fn run_step(&mut self, weight: i32, aborted: bool) -> Result<(), TestCaseError> {
        let max_total = self.replicas + self.max_surge;
        let min_available = self.replicas - self.max_unavailable;
        for _ in 0..10_000 {
            let before = self.available();
            let scaled = self.reconcile(weight, aborted);
            prop_assert!(
                self.existing() <= max_total,
                "{} pods exceed {max_total} at weight {weight}",
                self.existing()
            );
            prop_assert!(
                self.available() >= min_available.min(before),
                "available fell from {before} to {} below {min_available} at weight {weight}",
                self.available()
            );
            if !scaled && self.settled() {
                let input = self.input(weight, aborted);
                prop_assert!(at_desired_replica_counts(&input, None), "weight {weight} not reached");
                let desired = replica_counts(&input).desired;
                prop_assert_eq!((self.new.spec, self.stable.spec), (desired.new, desired.stable));
                prop_assert!(self.others.iter().all(|p| p.spec == 0));
                return Ok(());
            }
            self.pods_become_ready(scaled);
        }
        Err(TestCaseError::fail(format!("weight {weight} never settled")))
    }
}

/// `maxSurge` and `maxUnavailable` resolved as for a Rollout (both 0 become 1 unavailable).
fn fenceposts(replicas: i32, surge: i32, unavailable: i32) -> (i32, i32) {
    let spec = RolloutSpec {
        replicas: Some(replicas),
        strategy: Some(RolloutStrategy {
            canary: Some(CanaryStrategy {
                max_surge: Some(IntOrString::Int(surge)),
                max_unavailable: Some(IntOrString::Int(unavailable)),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    (spec.max_surge_pods(), spec.max_unavailable_pods())
}

fn scenario(sorted: bool) -> impl Strategy<Value = (Simulation, Vec<i32>, Option<usize>)> {
    (1..=25i32)
        .prop_flat_map(|replicas| {
            (
                Just(replicas),
                0..=replicas + 1,
                0..=replicas,
                proptest::collection::vec(0..=100i32, 1..6),
                proptest::collection::vec(0..=replicas, 0..3),
                proptest::collection::vec(0..=3i32, 1..5),
                proptest::option::of(0..6usize),
            )
        })
        .prop_map(
            move |(replicas, surge, unavailable, mut weights, old_sizes, ready, abort_after)| {
                let (max_surge, max_unavailable) = fenceposts(replicas, surge, unavailable);
                if sorted {
                    weights.sort_unstable();
                }
                // An interrupted earlier update left other ReplicaSets holding part of the replicas.
                let mut left = replicas;
                let others: Vec<Pods> = old_sizes
                    .into_iter()
                    .map(|size| {
                        let size = size.min(left);
                        left -= size;
                        Pods::settled(size)
                    })
                    .collect();
                let simulation = Simulation {
                    replicas,
                    max_surge,
                    max_unavailable,
                    new: Pods::settled(0),
                    stable: Pods::settled(left),
                    others,
                    ready_per_tick: ready,
                    tick: 0,
                };
                (simulation, weights, abort_after)
            },
        )
}

proptest! {
    #[test]
    fn updates_and_aborts_stay_within_surge_and_availability((mut sim, weights, abort_after) in scenario(true)) {
        for (step, &weight) in weights.iter().enumerate() {
            if abort_after == Some(step) {
                break;
            }
            sim.run_step(weight, false)?;
        }
        if abort_after.is_some() {
            sim.run_step(0, true)?;
            prop_assert_eq!(sim.new.spec, 0);
            prop_assert_eq!(sim.stable.spec, sim.replicas);
        }
    }

    #[test]
    fn weights_going_up_and_down_stay_within_bounds((mut sim, weights, _) in scenario(false)) {
        for &weight in &weights {
            sim.run_step(weight, false)?;
        }
    }

    #[test]
    fn arithmetic_never_panics(
        replicas in any::<i32>(),
        weight in any::<i32>(),
        max_weight in any::<i32>(),
        surge in any::<i32>(),
        unavailable in any::<i32>(),
        counts in proptest::collection::vec(any::<(i32, i32, i32)>(), 3),
        routed in any::<bool>(),
    ) {
        let rs = |(spec_replicas, status_replicas, available_replicas)| ReplicaSetCounts {
            spec_replicas,
            status_replicas,
            available_replicas,
        };
        let input = CanaryInput {
            replicas,
            max_weight,
            max_surge: surge,
            max_unavailable: unavailable,
            desired: DesiredCanary::Weight(weight),
            aborted: routed,
            replica_sets: ReplicaSets {
                new: Some(rs(counts[0])),
                stable: StableReplicaSet::Separate(rs(counts[1])),
                others: vec![rs(counts[2])],
            },
            routing: if routed {
                Routing::TrafficRouted(TrafficRouted {
                    min_pods_per_replica_set: Some(surge),
                    dynamic_stable_scale: true,
                    weights: Some(AppliedWeights { canary: weight, stable: max_weight }),
                })
            } else {
                Routing::Basic
            },
        };
        let _ = at_desired_replica_counts(&input, Some(ProgressThreshold::Percent(unavailable)));
    }
}
