//! Properties over random sequences of user actions and partial pod readiness: a scale-down never takes
//! available pods below `replicas − maxUnavailable`, a scale-up never takes pods above
//! `replicas + maxSurge`, planning is deterministic, and without outside change the reconciles come to
//! rest with a plan that writes nothing.

use proptest::prelude::*;
use serde_json::json;

use super::world::{World, demo_rollout};
use crate::plan::Action;

#[derive(Debug, Clone)]
enum Op {
    /// Some pods of each ReplicaSet become available (0..=n more, capped at its size).
    Ready(u8),
    /// All pods are available.
    Settle,
    SetImage(u8),
    Promote,
    PromoteFull,
    Abort,
    Retry,
    Advance(u8),
    Scale(u8),
    Reconcile,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3).prop_map(Op::Ready),
        Just(Op::Settle),
        (0u8..4).prop_map(Op::SetImage),
        Just(Op::Promote),
        Just(Op::PromoteFull),
        Just(Op::Abort),
        Just(Op::Retry),
        (1u8..20).prop_map(Op::Advance),
        (1u8..10).prop_map(Op::Scale),
        Just(Op::Reconcile),
        Just(Op::Reconcile),
        Just(Op::Reconcile),
    ]
}

fn available(rs: &k8s_openapi::api::apps::v1::ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

fn spec(rs: &k8s_openapi::api::apps::v1::ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

fn make_ready(w: &mut World, n: i32) {
    for rs in &mut w.replica_sets {
        let size = rs.spec.replicas.unwrap_or(1);
        let status = rs.status.get_or_insert_with(Default::default);
        status.replicas = size;
        let now = status.available_replicas.unwrap_or(0).min(size);
        let next = (now + n).min(size);
        status.available_replicas = Some(next);
        status.ready_replicas = Some(next);
    }
}

/// One reconcile, checking the bounds on what it scales.
fn checked_reconcile(w: &mut World) {
    let plan = w.plan();
    assert_eq!(plan, w.plan(), "planning is not deterministic");
    let replicas = w.rollout.spec.replicas_or_default();
    let min_available = replicas - w.rollout.spec.max_unavailable_pods();
    let max_total = replicas + w.rollout.spec.max_surge_pods();
    for action in &plan.actions {
        if let Action::UpdateReplicaSet(updated) = action {
            let name = updated.metadata.name.clone().unwrap();
            let before_total: i32 = w.replica_sets.iter().map(spec).sum();
            let before_available: i32 = w.replica_sets.iter().map(|rs| available(rs).min(spec(rs))).sum();
            let old_size = spec(w.rs(&name));
            w.apply(action);
            let after_total: i32 = w.replica_sets.iter().map(spec).sum();
            let after_available: i32 = w.replica_sets.iter().map(|rs| available(rs).min(spec(rs))).sum();
            let new_size = spec(w.rs(&name));
            if new_size > old_size {
                assert!(
                    after_total <= max_total.max(before_total),
                    "scaled {name} up to {after_total} pods (max {max_total})"
                );
            }
            if new_size < old_size && before_available >= min_available {
                assert!(
                    after_available >= min_available,
                    "scaled {name} down {old_size}->{new_size}: available {before_available}->{after_available} < {min_available}"
                );
            }
        } else {
            w.apply(action);
        }
    }
}

fn run(ops: &[Op]) {
    let mut w = World::new(demo_rollout());
    for _ in 0..6 {
        checked_reconcile(&mut w);
        w.settle();
    }
    for op in ops {
        match op {
            Op::Ready(n) => make_ready(&mut w, i32::from(*n)),
            Op::Settle => w.settle(),
            Op::SetImage(i) => w.set_image(&format!("img:v{i}")),
            Op::Promote => w.patch_status(json!({"pauseConditions": null})),
            Op::PromoteFull => w.patch_status(json!({"promoteFull": true})),
            Op::Abort => w.patch_status(json!({"abort": true})),
            Op::Retry => w.patch_status(json!({"abort": false})),
            Op::Advance(s) => w.advance(i64::from(*s)),
            Op::Scale(r) => w.patch_spec(json!({"replicas": r})),
            Op::Reconcile => checked_reconcile(&mut w),
        }
    }
    // Without outside change the controller comes to rest.
    for _ in 0..12 {
        if w.plan().actions.is_empty() {
            return;
        }
        checked_reconcile(&mut w);
    }
    panic!("still writing after 12 reconciles: {:?}", w.plan());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn canary_bounds_hold_and_reconciles_come_to_rest(ops in prop::collection::vec(op(), 1..60)) {
        run(&ops);
    }
}

/// Upstream #1292: aborting a Rollout that is not updating must change nothing but the flag's own
/// clean-up — no ReplicaSet is scaled and the Rollout stays Healthy.
fn abort_when_healthy_is_a_no_op(ops: &[Op]) {
    let mut w = World::new(demo_rollout());
    for op in ops {
        match op {
            Op::SetImage(i) => w.set_image(&format!("img:v{i}")),
            Op::Scale(r) => w.patch_spec(json!({"replicas": r})),
            Op::PromoteFull => w.patch_status(json!({"promoteFull": true})),
            _ => {}
        }
        w.run_until_quiet(40);
    }
    w.patch_status(json!({"promoteFull": true}));
    w.run_until_quiet(40);
    assert_eq!(w.status().phase, Some(rollouts_api::RolloutPhase::Healthy));
    let before = w.sizes();
    w.patch_status(json!({"abort": true}));
    let plans = w.run_until_quiet(10);
    assert!(
        plans
            .iter()
            .all(|p| !p.actions.iter().any(|a| matches!(a, Action::UpdateReplicaSet(_)))),
        "an abort of a healthy rollout scaled something"
    );
    assert_eq!(w.sizes(), before);
    assert_eq!(w.status().phase, Some(rollouts_api::RolloutPhase::Healthy));
    assert_ne!(w.status().abort, Some(true));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn abort_on_a_healthy_rollout_is_a_no_op_upstream_1292(ops in prop::collection::vec(op(), 0..8)) {
        abort_when_healthy_is_a_no_op(&ops);
    }
}
