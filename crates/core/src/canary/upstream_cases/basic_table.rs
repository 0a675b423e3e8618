//! Upstream's `TestCalculateReplicaCountsForCanary`. Surge and unavailability left unset in its table are
//! Go zero values, i.e. `0` (which resolves to 1 unavailable); the traffic-routed rows are sized without
//! any ReplicaSet, as upstream passes none.

use super::*;

struct Row {
    name: &'static str,
    replicas: i32,
    set_weight: i32,
    max_surge: IntOrString,
    max_unavailable: IntOrString,
    promote_full: bool,
    /// (spec, available)
    stable: (i32, i32),
    /// (spec, available)
    canary: (i32, i32),
    /// (spec, available) of one other ReplicaSet.
    older: Option<(i32, i32)>,
    set_canary_scale: Option<SetCanaryScale>,
    traffic_routing: bool,
    abort_scale_down_delay_seconds: Option<i32>,
    abort: bool,
    min_pods_per_replica_set: Option<i32>,
    /// (canary, stable)
    want: (i32, i32),
}

fn row(name: &'static str, replicas: i32, set_weight: i32, surge: IntOrString, unavailable: IntOrString) -> Row {
    Row {
        name,
        replicas,
        set_weight,
        max_surge: surge,
        max_unavailable: unavailable,
        promote_full: false,
        stable: (0, 0),
        canary: (0, 0),
        older: None,
        set_canary_scale: None,
        traffic_routing: false,
        abort_scale_down_delay_seconds: None,
        abort: false,
        min_pods_per_replica_set: None,
        want: (0, 0),
    }
}

impl Row {
    fn stable(mut self, spec: i32, available: i32) -> Self {
        self.stable = (spec, available);
        self
    }
    fn canary(mut self, spec: i32, available: i32) -> Self {
        self.canary = (spec, available);
        self
    }
    fn older(mut self, spec: i32, available: i32) -> Self {
        self.older = Some((spec, available));
        self
    }
    fn want(mut self, canary: i32, stable: i32) -> Self {
        self.want = (canary, stable);
        self
    }
    fn routed(mut self) -> Self {
        self.traffic_routing = true;
        self
    }
    fn scale(mut self, replicas: Option<i32>, weight: Option<i32>, match_traffic_weight: bool) -> Self {
        self.set_canary_scale = Some(SetCanaryScale {
            replicas,
            weight,
            match_traffic_weight: Some(match_traffic_weight),
        });
        self
    }
    fn promote_full(mut self) -> Self {
        self.promote_full = true;
        self
    }
    fn aborted(mut self, abort_scale_down_delay_seconds: i32) -> Self {
        self.abort = true;
        self.abort_scale_down_delay_seconds = Some(abort_scale_down_delay_seconds);
        self
    }
    fn min_pods(mut self, min_pods: i32) -> Self {
        self.min_pods_per_replica_set = Some(min_pods);
        self
    }
}

#[rustfmt::skip]
fn rows() -> Vec<Row> {
    vec![
        row("Do not add extra RSs in scaleDownCount when .Spec.Replica < AvailableReplicas", 10, 100, int(3), int(0))
            .stable(7, 8).canary(6, 3).want(6, 7),
        row("Use max surge int to scale up canary", 10, 20, int(2), int(0)).stable(10, 10).want(2, 10),
        row("Use max surge percentage to scale up canary", 10, 20, percent("20%"), int(0))
            .stable(10, 10).want(2, 10),
        row("Scale down extra stable replicas", 10, 20, percent("20%"), int(0))
            .stable(10, 10).canary(2, 2).want(2, 8),
        row("Do not go past max surge", 10, 30, int(2), int(0)).stable(10, 10).want(2, 10),
        row("Use max unavailable int to scale down stableRS", 10, 20, int(0), int(2)).stable(10, 10).want(0, 8),
        row("Use max surge percentage to scale down stableRS", 10, 20, int(0), percent("20%"))
            .stable(10, 10).want(0, 8),
        row("Do not go past max unavailable", 10, 30, int(0), int(2)).stable(10, 10).want(0, 8),
        row("Use Max Surge and Max Unavailable", 10, 50, int(2), int(1)).stable(10, 10).want(2, 9),
        row("Scale canaryRS to zero on setWeight of 0%", 10, 0, int(1), int(1))
            .stable(10, 10).canary(1, 1).want(0, 10),
        row("Scale stable to zero on setWeight of 100%", 10, 100, int(1), int(1))
            .stable(1, 1).canary(10, 10).want(10, 0),
        row("Do not scale canaryRS down to zero on non-zero weight", 1, 20, int(1), int(0)).stable(1, 1).want(1, 1),
        row("Do not scale canaryRS down to zero on non-100 weight", 1, 90, int(1), int(0)).stable(1, 1).want(1, 1),
        row("Scale canaryRS to zero on <50 weight without surge", 1, 49, int(0), int(1)).stable(1, 1).want(0, 1),
        row("Scale stableRS down to zero on >=50 weight without surge", 1, 51, int(0), int(1))
            .stable(1, 1).want(0, 0),
        row("Scale canaryRS to one on >=50 weight without surge and stable replicas", 1, 51, int(0), int(1))
            .want(1, 0),
        row("Scale up Stable before canaryRS", 10, 30, int(1), int(0)).stable(1, 1).older(3, 3).want(1, 7),
        row("Scale down canaryRS and stable", 10, 30, int(0), int(3)).stable(8, 5).canary(4, 4).want(3, 7),
        row("Scale down stable and canary available", 10, 100, int(1), int(0))
            .stable(10, 2).canary(10, 8).want(9, 2),
        row("Do not scale down canaryRS or stable when older RS count >= scaleDownCount", 10, 30, int(0), int(1))
            .stable(8, 6).canary(4, 2).older(3, 3).want(4, 8),
        row("Do not round past maxSurge with uneven setWeight divisor", 10, 5, int(0), int(1))
            .stable(10, 10).want(0, 9),
        row("Do not round past maxSurge with uneven setWeight divisor (part 2)", 10, 5, int(0), int(1))
            .stable(9, 9).want(1, 9),
        row("Use maxUnavailable of 1 when both percentages give 0 pods", 10, 10, percent("0%"), percent("0%"))
            .stable(10, 10).want(0, 9),
        row("setCanaryScale.replicas with trafficRouting wins over setWeight", 1, 100, int(0), int(0))
            .stable(1, 1).routed().scale(Some(9), None, false).want(9, 1),
        row("setCanaryScale.weight with trafficRouting wins over setWeight", 4, 100, int(0), int(0))
            .stable(4, 4).routed().scale(None, Some(200), false).want(8, 4),
        row("Ignore setCanaryScale replicas/weight when matchTrafficWeight is true", 10, 20, percent("20%"), int(0))
            .stable(10, 10).routed().scale(Some(9), Some(100), true).want(2, 10),
        row("Ignore setCanaryScale when trafficRouting is missing", 10, 20, percent("20%"), int(0))
            .stable(10, 10).scale(Some(9), Some(100), false).want(2, 10),
        row("honor maxSurge during scale up when stableRS unavailable", 4, 100, int(1), int(0))
            .stable(4, 1).want(1, 4),
        row("scale down to maxunavailable without exceeding maxSurge", 3, 99, int(0), int(2))
            .stable(3, 3).want(0, 1),
        row("scale down to maxunavailable without exceeding maxSurge (part 2)", 3, 99, int(0), int(2))
            .stable(1, 1).want(2, 1),
        row("honor maxUnavailable during scale down stableRS unavailable", 4, 100, int(1), int(0))
            .stable(4, 1).canary(1, 1).want(1, 3),
        row("honor maxUnavailable when aborting or reducing weight part 1", 4, 0, int(1), int(0))
            .canary(4, 4).want(4, 1),
        row("honor maxUnavailable when aborting or reducing weight part 2", 4, 0, int(1), int(0))
            .stable(1, 0).canary(4, 4).want(4, 1),
        row("honor maxUnavailable when aborting or reducing weight part 3", 4, 0, int(1), int(0))
            .stable(1, 1).canary(4, 4).want(3, 1),
        row("promote full does not consider weight", 4, 1, int(4), int(4)).promote_full().stable(4, 4).want(4, 0),
        row("promote full still honors maxSurge/maxUnavailable", 4, 1, int(3), int(0))
            .promote_full().stable(4, 4).want(3, 4),
        row("aborted with abortScaleDownDelaySeconds:0 and setCanaryScale", 1, 0, int(0), int(0))
            .routed().scale(Some(1), None, false).aborted(0).stable(1, 1).canary(1, 1).want(1, 1),
        row("aborted with abortScaleDownDelaySeconds>0 and setCanaryScale", 1, 0, int(0), int(0))
            .routed().scale(Some(1), None, false).aborted(30).stable(1, 1).canary(1, 1).want(0, 1),
        row("Honor MinPodsPerReplicaSet when using trafficRouting and starting canary", 10, 5, int(0), int(0))
            .stable(10, 10).routed().min_pods(2).want(2, 10),
        row("Cap MinPodsPerReplicaSet when it exceeds rollout replicas with trafficRouting", 1, 100, int(0), int(0))
            .promote_full().stable(1, 1).routed().min_pods(2).want(1, 1),
    ]
}

#[test]
fn calculate_replica_counts_for_canary() {
    for row in rows() {
        let mut fixture = RolloutFixture::new(row.replicas, row.set_weight, row.max_surge, row.max_unavailable);
        fixture.set_canary_scale = row.set_canary_scale;
        fixture.traffic_routing = row.traffic_routing;
        let (mut spec, mut status) = fixture.build();
        status.promote_full = Some(row.promote_full);
        status.abort = Some(row.abort);
        let canary = canary_of(&mut spec);
        canary.abort_scale_down_delay_seconds = row.abort_scale_down_delay_seconds;
        canary.min_pods_per_replica_set = row.min_pods_per_replica_set;
        // Upstream sizes the traffic-routed rows without any ReplicaSet.
        let sets = if row.traffic_routing {
            ReplicaSets::default()
        } else {
            ReplicaSets {
                new: Some(rs(row.canary.0, row.canary.1)),
                stable: StableReplicaSet::Separate(rs(row.stable.0, row.stable.1)),
                others: row.older.map(|(s, a)| rs(s, a)).into_iter().collect(),
            }
        };
        let got = scaled(&spec, &status, sets, None);
        assert_eq!((got.new, got.stable), row.want, "{}", row.name);
    }
}
