//! Upstream's table cases for the canary arithmetic (`utils/replicaset/canary_test.go`), restated as our
//! own tables: the inputs and expected numbers are the facts a compatible controller must reproduce.
//! Rollouts are built as upstream's tests build them — one step `{setWeight, setCanaryScale}`, status
//! `stableRS: stable`, `currentPodHash: canary` — and resolved through [`CanaryInput::from_rollout`].

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use rollouts_api::RolloutSpec;
use rollouts_api::canary::{CanaryStrategy, ReplicaProgressThreshold};
use rollouts_api::rollout::RolloutStrategy;
use rollouts_api::rollout_status::{RolloutStatus, TrafficWeights, WeightDestination};
use rollouts_api::steps::{CanaryStep, SetCanaryScale};
use rollouts_api::traffic::RolloutTrafficRouting;

use super::*;

mod approximate_table;
mod basic_table;
mod dynamic_table;

fn int(i: i32) -> IntOrString {
    IntOrString::Int(i)
}

fn percent(s: &str) -> IntOrString {
    IntOrString::String(s.to_string())
}

fn weight_step(weight: i32) -> CanaryStep {
    CanaryStep {
        set_weight: Some(weight),
        ..Default::default()
    }
}

/// Upstream's `newRollout`: unset surge/unavailability in its tables are Go zero values, i.e. `0`.
struct RolloutFixture {
    replicas: i32,
    set_weight: i32,
    max_surge: IntOrString,
    max_unavailable: IntOrString,
    set_canary_scale: Option<SetCanaryScale>,
    traffic_routing: bool,
    stable_rs: &'static str,
    current_pod_hash: &'static str,
}

impl RolloutFixture {
    fn new(replicas: i32, set_weight: i32, max_surge: IntOrString, max_unavailable: IntOrString) -> Self {
        Self {
            replicas,
            set_weight,
            max_surge,
            max_unavailable,
            set_canary_scale: None,
            traffic_routing: false,
            stable_rs: "stable",
            current_pod_hash: "canary",
        }
    }

    fn build(self) -> (RolloutSpec, RolloutStatus) {
        let step = CanaryStep {
            set_weight: Some(self.set_weight),
            set_canary_scale: self.set_canary_scale,
            ..Default::default()
        };
        let canary = CanaryStrategy {
            max_surge: Some(self.max_surge),
            max_unavailable: Some(self.max_unavailable),
            steps: Some(vec![step]),
            traffic_routing: self.traffic_routing.then(RolloutTrafficRouting::default),
            ..Default::default()
        };
        let spec = RolloutSpec {
            replicas: Some(self.replicas),
            strategy: Some(RolloutStrategy {
                canary: Some(canary),
                ..Default::default()
            }),
            ..Default::default()
        };
        let status = RolloutStatus {
            stable_rs: Some(self.stable_rs.to_string()),
            current_pod_hash: Some(self.current_pod_hash.to_string()),
            ..Default::default()
        };
        (spec, status)
    }
}

fn canary_of(spec: &mut RolloutSpec) -> &mut CanaryStrategy {
    let canary = spec.strategy.as_mut().and_then(|s| s.canary.as_mut());
    canary.unwrap_or_else(|| unreachable!("fixtures are canary rollouts"))
}

fn rs(spec: i32, available: i32) -> ReplicaSetCounts {
    ReplicaSetCounts {
        spec_replicas: spec,
        status_replicas: spec,
        available_replicas: available,
    }
}

fn scaled(
    spec: &RolloutSpec,
    status: &RolloutStatus,
    sets: ReplicaSets,
    weights: Option<&TrafficWeights>,
) -> NewStable {
    let input = CanaryInput::from_rollout(spec, Some(status), sets, weights);
    replica_counts(&input.unwrap_or_else(|| unreachable!("fixtures are canary rollouts"))).scaled
}

fn weights(canary: i32, stable: i32) -> TrafficWeights {
    TrafficWeights {
        canary: WeightDestination {
            weight: canary,
            ..Default::default()
        },
        stable: WeightDestination {
            weight: stable,
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn new_deployment_and_missing_stable_get_everything() {
    // The stable is the new ReplicaSet: no canary steps apply.
    let (spec, status) = RolloutFixture::new(10, 10, int(0), int(1)).build();
    let same = ReplicaSets {
        new: Some(rs(10, 0)),
        stable: StableReplicaSet::SameAsNew,
        others: vec![],
    };
    assert_eq!(scaled(&spec, &status, same, None), NewStable { new: 10, stable: 0 });

    // No stable recorded at all.
    let mut fixture = RolloutFixture::new(10, 10, int(0), int(1));
    fixture.stable_rs = "";
    fixture.current_pod_hash = "";
    let (spec, status) = fixture.build();
    for stable in [StableReplicaSet::Missing, StableReplicaSet::SameAsNew] {
        let sets = ReplicaSets {
            new: Some(rs(9, 9)),
            stable,
            others: vec![],
        };
        assert_eq!(scaled(&spec, &status, sets, None), NewStable { new: 10, stable: 0 });
    }
}

#[test]
fn traffic_routed_canary_follows_the_weight_and_keeps_stable_full() {
    let mut fixture = RolloutFixture::new(10, 10, int(0), int(1));
    fixture.traffic_routing = true;
    let (spec, status) = fixture.build();
    assert_eq!(
        scaled(&spec, &status, ReplicaSets::default(), None),
        NewStable { new: 1, stable: 10 }
    );
}

#[test]
fn current_set_weight() {
    let (spec, mut status) = RolloutFixture::new(10, 10, int(0), int(1)).build();
    let at = |status: &RolloutStatus| {
        CanaryProgress::from_rollout(&spec, Some(status)).map(|progress| progress.current_set_weight())
    };
    status.current_step_index = Some(1);
    assert_eq!(at(&status), Some(100));
    status.current_step_index = Some(0);
    assert_eq!(at(&status), Some(10));
    status.abort = Some(true);
    assert_eq!(at(&status), Some(0));
}

#[test]
fn canary_replicas_or_weight() {
    let scale_step = |scale: SetCanaryScale| CanaryStep {
        set_canary_scale: Some(scale),
        ..Default::default()
    };
    let routed_with_steps = |steps: Vec<CanaryStep>| RolloutSpec {
        strategy: Some(RolloutStrategy {
            canary: Some(CanaryStrategy {
                steps: Some(steps),
                traffic_routing: Some(RolloutTrafficRouting::default()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mid_update = RolloutStatus {
        current_step_index: Some(1),
        stable_rs: Some("stable-rs".to_string()),
        ..Default::default()
    };
    let desired = |spec: &RolloutSpec, status: &RolloutStatus| {
        CanaryProgress::from_rollout(spec, Some(status))
            .map(|progress| progress.canary_replicas_or_weight(&ReplicaSets::default()))
    };

    let promote_full = RolloutStatus {
        promote_full: Some(true),
        ..Default::default()
    };
    assert_eq!(
        desired(&routed_with_steps(vec![]), &promote_full),
        Some(DesiredCanary::Weight(100))
    );

    let scale_weight = routed_with_steps(vec![
        weight_step(10),
        scale_step(SetCanaryScale {
            weight: Some(20),
            ..Default::default()
        }),
    ]);
    assert_eq!(desired(&scale_weight, &mid_update), Some(DesiredCanary::Weight(20)));

    let scale_replicas = routed_with_steps(vec![
        weight_step(10),
        scale_step(SetCanaryScale {
            replicas: Some(5),
            ..Default::default()
        }),
    ]);
    assert_eq!(desired(&scale_replicas, &mid_update), Some(DesiredCanary::Replicas(5)));

    // Upstream's last case is a blue-green rollout, which has no canary progress to speak of.
    let blue_green = RolloutSpec {
        strategy: Some(RolloutStrategy::default()),
        ..Default::default()
    };
    assert_eq!(desired(&blue_green, &RolloutStatus::default()), None);
}

#[test]
fn at_desired_replica_counts_for_canary() {
    let check = |weight: i32, scale: Option<SetCanaryScale>, new: (i32, i32, i32), stable: (i32, i32, i32)| {
        let mut fixture = RolloutFixture::new(4, weight, int(1), int(1));
        fixture.set_canary_scale = scale;
        fixture.current_pod_hash = "current";
        let (spec, status) = fixture.build();
        let counts = |(spec_replicas, available_replicas, status_replicas)| ReplicaSetCounts {
            spec_replicas,
            status_replicas,
            available_replicas,
        };
        let sets = ReplicaSets {
            new: Some(counts(new)),
            stable: StableReplicaSet::Separate(counts(stable)),
            others: vec![],
        };
        let applied = weights(weight, 100 - weight);
        let input = CanaryInput::from_rollout(&spec, Some(&status), sets, Some(&applied));
        input.is_some_and(|input| at_desired_replica_counts(&input, None))
    };
    let explicit = || {
        Some(SetCanaryScale {
            weight: Some(2),
            replicas: Some(2),
            match_traffic_weight: Some(false),
        })
    };
    // (spec, available, status.replicas)
    assert!(
        check(50, explicit(), (2, 2, 2), (2, 2, 2)),
        "at desired counts and availability"
    );
    assert!(
        !check(50, explicit(), (2, 1, 2), (2, 2, 2)),
        "canary not fully available"
    );
    assert!(
        !check(75, Some(SetCanaryScale::default()), (3, 3, 3), (2, 2, 2)),
        "stable not at its count"
    );
    assert!(
        check(75, Some(SetCanaryScale::default()), (3, 3, 1), (1, 0, 1)),
        "stable availability is not required"
    );
    assert!(
        !check(50, explicit(), (2, 2, 2), (2, 2, 3)),
        "stable status lagging its spec"
    );
}

#[test]
fn replicas_for_scale_down_count_by_spec_or_availability() {
    // Through the basic arithmetic (upstream's GetReplicasForScaleDown cases): 10 replicas at 100%, no
    // surge, 3 unavailable, so the stable is drained by what is counted above 7.
    let input = |canary: ReplicaSetCounts, stable: ReplicaSetCounts| CanaryInput {
        replicas: 10,
        max_weight: 100,
        max_surge: 0,
        max_unavailable: 3,
        desired: DesiredCanary::Weight(100),
        aborted: false,
        replica_sets: ReplicaSets {
            new: Some(canary),
            stable: StableReplicaSet::Separate(stable),
            others: vec![],
        },
        routing: Routing::Basic,
    };
    let cases = [
        ("the growing canary counts by its available pods", rs(5, 4), rs(5, 5), 3),
        ("more available than its size counts by size", rs(5, 7), rs(5, 5), 2),
        ("the drained stable counts by its size", rs(5, 4), rs(5, 1), 3),
        ("nothing counted above the floor", rs(5, 2), rs(5, 5), 5),
    ];
    for (name, canary, stable, want_stable) in cases {
        let got = replica_counts(&input(canary, stable)).scaled;
        assert_eq!(
            got,
            NewStable {
                new: 5,
                stable: want_stable
            },
            "{name}"
        );
    }
}

#[test]
fn replica_progress_threshold() {
    let with = |spec: i32, available: i32| Some(rs(spec, available));
    let percent = |value| ProgressThreshold::from_spec(&threshold("Percent", value));
    let pods = |value| ProgressThreshold::from_spec(&threshold("Pods", value));
    let cases = [
        ("90% with 9 of 10 available", percent(90), with(0, 9), 10, true),
        ("9 pods with 9 available", pods(9), with(0, 9), 10, true),
        ("90% with 8 of 10 available", percent(90), with(0, 8), 10, false),
        ("8 pods with 7 available", pods(8), with(0, 7), 10, false),
        ("negative threshold means all pods", pods(-100), with(10, 10), 10, true),
        ("no threshold needs the size too", None, with(5, 10), 10, false),
        ("no canary never meets a threshold", pods(5), None, 10, false),
        ("well above 100% passes", percent(100), with(0, 100), 10, true),
        ("0 desired always meets a percentage", percent(90), with(0, 0), 0, true),
        // Upstream's allDesiredAreAvailable cases.
        ("all desired available", None, with(10, 10), 10, true),
        ("not all desired available", None, with(10, 9), 10, false),
        ("no ReplicaSet", None, None, 10, false),
    ];
    for (name, threshold, canary, desired, want) in cases {
        assert_eq!(
            replica_progress_threshold_met(threshold, canary, desired),
            want,
            "{name}"
        );
    }
}

fn threshold(type_: &str, value: i32) -> ReplicaProgressThreshold {
    ReplicaProgressThreshold {
        type_: type_.to_string(),
        value,
    }
}

#[test]
fn desired_canary_weight_on_abort_with_scale_down_delay() {
    let aborted = |abort_delay: Option<i32>| {
        let mut fixture = RolloutFixture::new(10, 50, int(1), int(0));
        fixture.traffic_routing = true;
        let (mut spec, mut status) = fixture.build();
        let canary = canary_of(&mut spec);
        canary.steps = Some(vec![weight_step(10), weight_step(50)]);
        canary.dynamic_stable_scale = Some(true);
        canary.abort_scale_down_delay_seconds = abort_delay;
        status.abort = Some(true);
        (spec, status)
    };
    let sets = |stable_available: i32| ReplicaSets {
        new: Some(rs(5, 5)),
        stable: StableReplicaSet::Separate(rs(stable_available, stable_available)),
        others: vec![],
    };
    let cases = [
        ("no explicit delay: held up by the canary's size", None, 9, 10),
        ("explicit delay: steps down while stable scales up", Some(30), 5, 10),
        (
            "explicit delay: reaches 0 once stable nearly covers replicas",
            Some(30),
            9,
            0,
        ),
        ("explicit zero delay: held up by the canary's size", Some(0), 9, 10),
    ];
    for (name, delay, stable_available, want) in cases {
        let (spec, status) = aborted(delay);
        let got = CanaryProgress::from_rollout(&spec, Some(&status))
            .map(|progress| progress.desired_canary_weight(&sets(stable_available)));
        assert_eq!(got, Some(want), "{name}");
    }

    // Once the weight is 0 the stable is sized for all replicas.
    let (spec, status) = aborted(Some(30));
    let got = scaled(&spec, &status, sets(9), Some(&weights(10, 90)));
    assert_eq!(got.stable, 10);
}
