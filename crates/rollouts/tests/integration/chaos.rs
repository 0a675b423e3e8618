//! A short chaos run for CI (the benchmark `benches/chaos.rs` runs a hundred kills): the controller
//! killed with SIGKILL a few times and the dev cluster once while three Rollouts update twice, the
//! invariants holding in every sample and every Rollout Healthy on its new image in the end.

use super::chaos_run::{ChaosConfig, run};

#[test]
fn rollouts_stay_safe_and_converge_while_the_controller_and_the_cluster_are_killed() {
    if !rollouts_devcluster::testing::kubectl_available() {
        eprintln!("skipped: kubectl is not on PATH");
        return;
    }
    let report = run(&ChaosConfig {
        seed: 7,
        updates: 2,
        controller_kills: 4,
        cluster_kills: 1,
    });
    eprintln!("{report:?}");
    assert_eq!(report.controller_kills, 4);
    assert_eq!(report.cluster_kills, 1);
    assert!(report.samples > 10, "{report:?}");
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
}

#[test]
fn the_samples_invariants_catch_what_they_name() {
    let rs = |hash: &str, size: i64, available: i64| {
        serde_json::json!({"kind": "ReplicaSet", "metadata": {
            "labels": {"rollouts-pod-template-hash": hash},
            "ownerReferences": [{"kind": "Rollout", "name": "chaos-canary"}]},
            "spec": {"replicas": size}, "status": {"availableReplicas": available}})
    };
    assert!(super::chaos_run::check(&[rs("a", 4, 4), rs("b", 1, 0)], true).is_empty());
    let over = super::chaos_run::check(&[rs("a", 4, 4), rs("b", 2, 0)], true);
    assert!(over[0].contains("over 4 + maxSurge 1"), "{over:?}");
    let under = super::chaos_run::check(&[rs("a", 3, 3), rs("b", 1, 0)], true);
    assert!(under[0].contains("3 pods available, under 4"), "{under:?}");
    assert!(super::chaos_run::check(&[rs("a", 3, 3), rs("b", 1, 0)], false).is_empty());
    let twice = super::chaos_run::check(&[rs("a", 2, 2), rs("a", 2, 2)], true);
    assert!(twice[0].contains("two ReplicaSets for one template hash"), "{twice:?}");
}
