//! Upstream's `TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale`: a traffic-routed canary
//! with `dynamicStableScale`, surge 0 and unavailability 1. Its fixture uses the first step's weight
//! where upstream names it "rolloutMaxReplicas", and makes the canary fully available at its size.

use super::*;

struct DynamicRow {
    name: &'static str,
    replicas: i32,
    first_weight: i32,
    abort: bool,
    extra_steps: &'static [i32],
    /// (canary, stable) weights recorded in status.
    weights: (i32, i32),
    /// 0 means no canary ReplicaSet.
    canary_replicas: i32,
    /// (spec, available); a zero spec means no stable ReplicaSet.
    stable: (i32, i32),
    /// (canary, stable)
    want: (i32, i32),
}

#[rustfmt::skip]
const ROWS: &[DynamicRow] = &[
    DynamicRow { name: "abort: stable grows to the next lower step's share", replicas: 10, first_weight: 20,
        abort: true, extra_steps: &[60], weights: (60, 40), canary_replicas: 6, stable: (4, 4), want: (6, 8) },
    DynamicRow { name: "abort: fewer canaries than expected", replicas: 10, first_weight: 20,
        abort: true, extra_steps: &[60], weights: (60, 40), canary_replicas: 1, stable: (4, 4), want: (6, 8) },
    DynamicRow { name: "abort: stable sized from its available pods", replicas: 10, first_weight: 20,
        abort: true, extra_steps: &[60], weights: (60, 40), canary_replicas: 2, stable: (8, 4), want: (6, 8) },
    DynamicRow { name: "abort without ReplicaSets: stable as if canaries were gone", replicas: 10, first_weight: 20,
        abort: true, extra_steps: &[60], weights: (60, 40), canary_replicas: 0, stable: (0, 0), want: (6, 10) },
    DynamicRow { name: "Should scale down stable", replicas: 10, first_weight: 10,
        abort: false, extra_steps: &[], weights: (10, 90), canary_replicas: 0, stable: (0, 0), want: (1, 9) },
    DynamicRow { name: "Should take max of desired canary (20) > actual (10)", replicas: 10, first_weight: 20,
        abort: false, extra_steps: &[], weights: (10, 90), canary_replicas: 0, stable: (0, 0), want: (2, 9) },
    DynamicRow { name: "Should leave canary scaled up if there is still traffic to it on abort", replicas: 10,
        first_weight: 20, abort: true, extra_steps: &[], weights: (20, 80), canary_replicas: 0, stable: (0, 0),
        want: (2, 10) },
    DynamicRow { name: "Should reduce canary when there is less traffic to it on abort", replicas: 10,
        first_weight: 20, abort: true, extra_steps: &[], weights: (10, 90), canary_replicas: 0, stable: (0, 0),
        want: (1, 10) },
];

#[test]
fn traffic_routed_dynamic_stable_scale() {
    for row in ROWS {
        let mut fixture = RolloutFixture::new(row.replicas, row.first_weight, int(0), int(1));
        fixture.traffic_routing = true;
        let (mut spec, mut status) = fixture.build();
        status.abort = Some(row.abort);
        let canary = canary_of(&mut spec);
        canary.dynamic_stable_scale = Some(true);
        if let Some(steps) = canary.steps.as_mut() {
            steps.extend(row.extra_steps.iter().map(|&w| weight_step(w)));
        }
        let sets = ReplicaSets {
            new: (row.canary_replicas > 0).then(|| rs(row.canary_replicas, row.canary_replicas)),
            stable: if row.stable.0 > 0 {
                StableReplicaSet::Separate(rs(row.stable.0, row.stable.1))
            } else {
                StableReplicaSet::Missing
            },
            others: vec![],
        };
        let applied = weights(row.weights.0, row.weights.1);
        let got = scaled(&spec, &status, sets, Some(&applied));
        assert_eq!((got.new, got.stable), row.want, "{}", row.name);
    }
}
