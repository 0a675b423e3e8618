//! `UpdateHash`: the DestinationRule's subsets follow the canary and stable hashes, experiments get
//! subsets of their own, and the switch waits for the ReplicaSets when no Services carry traffic.

use k8s_openapi::api::apps::v1::ReplicaSet;
use serde_json::json;

use super::*;

fn subset_case(rule_spec: Value) -> Case {
    Case::new(
        subset_rollout(json!({"name": "vsvc", "routes": ["primary"]}), None),
        &[destination_rule(rule_spec)],
    )
}

fn update_hash(case: &mut Case, canary: &str, stable: &str, extra: &[WeightDestination]) -> Result<Vec<Value>, String> {
    case.call(|r, o| r.update_hash(o, canary, stable, extra))
        .map_err(|e| e.0)?;
    Ok(case.updates())
}

fn subset_hashes(rule: &Value) -> Vec<String> {
    rule["spec"]["subsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let hash = s["labels"]["rollouts-pod-template-hash"].as_str().unwrap_or("-");
            format!("{}={hash}", s["name"].as_str().unwrap_or_default())
        })
        .collect()
}

#[test]
fn update_hash_additional_fields() {
    let mut case = subset_case(json!({
        "host": "ratings.prod.svc.cluster.local",
        "trafficPolicy": {"loadBalancer": {"simple": "LEAST_CONN"}},
        "subsets": [
            {"name": "stable", "labels": {"version": "v3"}},
            {"name": "canary", "trafficPolicy": {"loadBalancer": {"simple": "ROUND_ROBIN"}}}
        ]
    }));
    let writes = update_hash(&mut case, "abc123", "def456", &[]).unwrap();
    let expected = json!({
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "DestinationRule",
        "metadata": {
            "annotations": {"argo-rollouts.argoproj.io/managed-by-rollouts": "rollout"},
            "name": "istio-destrule",
            "namespace": "default",
            "resourceVersion": "1"
        },
        "spec": {
            "host": "ratings.prod.svc.cluster.local",
            "subsets": [
                {"labels": {"rollouts-pod-template-hash": "def456", "version": "v3"}, "name": "stable"},
                {"labels": {"rollouts-pod-template-hash": "abc123"}, "name": "canary",
                 "trafficPolicy": {"loadBalancer": {"simple": "ROUND_ROBIN"}}}
            ],
            "trafficPolicy": {"loadBalancer": {"simple": "LEAST_CONN"}}
        }
    });
    assert_eq!(writes, vec![expected]);
}

#[test]
fn update_hash_sets_both_subsets() {
    let mut case = subset_case(json!({"subsets": [{"name": "stable"}, {"name": "canary"}]}));
    let writes = update_hash(&mut case, "abc123", "def456", &[]).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        writes[0]["metadata"]["annotations"]["argo-rollouts.argoproj.io/managed-by-rollouts"],
        "rollout"
    );
    assert_eq!(subset_hashes(&writes[0]), ["stable=def456", "canary=abc123"]);
}

#[test]
fn update_hash_no_change_writes_nothing() {
    let mut rule = destination_rule(json!({
        "host": "ratings.prod.svc.cluster.local",
        "subsets": [
            {"name": "stable", "labels": {"rollouts-pod-template-hash": "def456"}},
            {"name": "canary", "labels": {"rollouts-pod-template-hash": "abc123"}}
        ]
    }));
    rule["metadata"]["annotations"] = json!({"argo-rollouts.argoproj.io/managed-by-rollouts": "rollout"});
    let mut case = Case::new(subset_rollout(json!({"name": "vsvc"}), None), &[rule]);
    assert_eq!(update_hash(&mut case, "abc123", "def456", &[]), Ok(vec![]));
}

#[test]
fn update_hash_destination_rule_not_found() {
    let mut case = Case::new(subset_rollout(json!({"name": "vsvc"}), None), &[]);
    assert_eq!(
        update_hash(&mut case, "abc123", "def456", &[]),
        Err("destinationrules.networking.istio.io \"istio-destrule\" not found".to_string())
    );
}

#[test]
fn update_hash_invalid_destination_rule() {
    let mut ro = subset_rollout(json!({"name": "vsvc"}), None);
    let routing = ro
        .spec
        .strategy
        .as_mut()
        .unwrap()
        .canary
        .as_mut()
        .unwrap()
        .traffic_routing
        .as_mut()
        .unwrap();
    routing.istio.as_mut().unwrap().destination_rule.as_mut().unwrap().name = "invalid-destination-rule".into();
    let mut case = Case::new(ro, &[single_route_subset_vsvc("stable", "canary")]);
    let error = update_hash(&mut case, "abc123", "def456", &[]).unwrap_err();
    assert_eq!(
        error,
        "destinationrules.networking.istio.io \"invalid-destination-rule\" not found"
    );
}

#[test]
fn update_hash_with_additional_destinations() {
    let mut case = subset_case(json!({"subsets": [{"name": "stable"}, {"name": "canary"}]}));
    let first = experiment("exp-svc", "exp-hash", 20);
    let writes = update_hash(&mut case, "abc123", "def456", std::slice::from_ref(&first)).unwrap();
    assert_eq!(
        subset_hashes(&writes[0]),
        ["stable=def456", "canary=abc123", "exp-svc=exp-hash"]
    );

    let second = experiment("exp-svc2", "exp-hash2", 40);
    let writes = update_hash(&mut case, "abc123", "def456", &[first, second.clone()]).unwrap();
    assert_eq!(
        subset_hashes(&writes[0]),
        [
            "stable=def456",
            "canary=abc123",
            "exp-svc=exp-hash",
            "exp-svc2=exp-hash2"
        ]
    );

    let writes = update_hash(&mut case, "abc123", "def456", &[second]).unwrap();
    assert_eq!(
        subset_hashes(&writes[0]),
        ["stable=def456", "canary=abc123", "exp-svc2=exp-hash2"]
    );
}

#[test]
fn subsets_the_rollout_does_not_manage_are_dropped_as_upstream_does() {
    let mut case = subset_case(json!({"subsets": [
        {"name": "legacy", "labels": {"version": "v1"}}, {"name": "stable"}, {"name": "canary"}
    ]}));
    let writes = update_hash(&mut case, "abc123", "def456", &[]).unwrap();
    assert_eq!(subset_hashes(&writes[0]), ["stable=def456", "canary=abc123"]);
}

#[test]
fn an_empty_hash_removes_the_label() {
    let mut case = subset_case(json!({"subsets": [
        {"name": "stable", "labels": {"rollouts-pod-template-hash": "def456"}},
        {"name": "canary", "labels": {"rollouts-pod-template-hash": "abc123", "app": "demo"}}
    ]}));
    let writes = update_hash(&mut case, "", "def456", &[]).unwrap();
    assert_eq!(
        writes[0]["spec"]["subsets"][1],
        json!({"name": "canary", "labels": {"app": "demo"}})
    );
}

#[test]
fn no_destination_rule_no_writes() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    assert_eq!(update_hash(&mut case, "abc123", "def456", &[]), Ok(vec![]));
}

fn replica_set(name: &str, hash: &str, replicas: i32, available: i32) -> ReplicaSet {
    let mut labels = serde_json::Map::new();
    if !hash.is_empty() {
        labels.insert("rollouts-pod-template-hash".into(), json!(hash));
    }
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {"replicas": replicas, "selector": {}},
        "status": {"replicas": replicas, "availableReplicas": available}
    }))
    .unwrap()
}

const DELAYED: &str = "delaying destination rule switch: ReplicaSet";

#[test]
fn update_hash_waits_for_an_unready_replica_set() {
    let mut case = subset_case(
        json!({"host": "ratings.prod.svc.cluster.local", "subsets": [{"name": "stable"}, {"name": "canary"}]}),
    );
    case.replica_sets = vec![replica_set("ReplicaSetForTesting", "abc123", 1, 0)];
    assert_eq!(
        update_hash(&mut case, "abc123", "def456", &[]),
        Err("delaying destination rule switch: ReplicaSet ReplicaSetForTesting not fully available".to_string())
    );
    assert!(case.updates().is_empty());
}

#[test]
fn update_hash_ready_replica_sets() {
    let mut rule = destination_rule(json!({"subsets": [
        {"name": "stable", "labels": {"rollouts-pod-template-hash": "def456"}},
        {"name": "canary", "labels": {"rollouts-pod-template-hash": "abc123"}}
    ]}));
    rule["metadata"]["annotations"] = json!({"argo-rollouts.argoproj.io/managed-by-rollouts": "rollout"});
    let mut case = Case::new(subset_rollout(json!({"name": "vsvc"}), None), &[rule]);
    case.replica_sets = vec![replica_set("ReplicaSetForTesting", "", 1, 1)];
    assert_eq!(update_hash(&mut case, "abc123", "def456", &[]), Ok(vec![]));
}

#[test]
fn update_hash_abort_scenarios() {
    let rule = json!({"subsets": [{"name": "stable"}, {"name": "canary"}]});
    // Only the ReplicaSets that will receive traffic count.
    let mut case = subset_case(rule.clone());
    case.replica_sets = vec![
        replica_set("rs-stable123", "stable123", 1, 1),
        replica_set("rs-canary456", "canary456", 1, 0),
        replica_set("rs-other789", "other789", 1, 0),
    ];
    let error = update_hash(&mut case, "canary456", "stable123", &[]).unwrap_err();
    assert_eq!(error, format!("{DELAYED} rs-canary456 not fully available"));

    let mut case = subset_case(rule.clone());
    case.replica_sets = vec![
        replica_set("rs-stable123", "stable123", 1, 1),
        replica_set("rs-canary456", "canary456", 1, 1),
        replica_set("rs-other789", "other789", 1, 0),
    ];
    assert_eq!(update_hash(&mut case, "canary456", "stable123", &[]).unwrap().len(), 1);

    // Aborted: the canary no longer receives traffic, so it is not waited for.
    let mut case = subset_case(rule);
    case.rollout.status = Some(serde_json::from_value(json!({"abort": true})).unwrap());
    case.replica_sets = vec![
        replica_set("rs-stable123", "stable123", 1, 1),
        replica_set("rs-canary456", "canary456", 1, 0),
        replica_set("rs-other789", "other789", 1, 0),
    ];
    let writes = update_hash(&mut case, "", "stable123", &[]).unwrap();
    assert_eq!(subset_hashes(&writes[0]), ["stable=stable123", "canary=-"]);
}

#[test]
fn should_delay_destination_rule_update() {
    let delay = |replica_sets: Vec<ReplicaSet>, services: bool| {
        let mut case = subset_case(json!({"subsets": [{"name": "stable"}, {"name": "canary"}]}));
        if services {
            let canary = case.rollout.spec.strategy.as_mut().unwrap().canary.as_mut().unwrap();
            canary.canary_service = Some("canary-svc".into());
            canary.stable_service = Some("stable-svc".into());
        }
        case.replica_sets = replica_sets;
        update_hash(&mut case, "canary456", "stable123", &[]).err()
    };
    let ready = |hash: &str, replicas| replica_set(&format!("rs-{hash}"), hash, replicas, replicas);
    let unready = |hash: &str, replicas| replica_set(&format!("rs-{hash}"), hash, replicas, 0);

    assert_eq!(
        delay(
            vec![ready("stable123", 1), ready("canary456", 1), unready("other789", 1)],
            false
        ),
        None
    );
    assert_eq!(
        delay(vec![ready("stable123", 1), unready("canary456", 1)], false),
        Some(format!("{DELAYED} rs-canary456 not fully available"))
    );
    assert_eq!(
        delay(vec![unready("stable123", 1), ready("canary456", 1)], false),
        Some(format!("{DELAYED} rs-stable123 not fully available"))
    );
    assert_eq!(delay(vec![ready("stable123", 1), unready("canary456", 1)], true), None);
    assert_eq!(delay(vec![ready("stable123", 1), unready("canary456", 0)], false), None);
}

#[test]
fn dynamic_rollback_to_stable_does_not_wait_for_the_canary() {
    let mut case = subset_case(json!({"subsets": [{"name": "stable"}, {"name": "canary"}]}));
    let canary = case.rollout.spec.strategy.as_mut().unwrap().canary.as_mut().unwrap();
    canary.dynamic_stable_scale = Some(true);
    case.rollout.spec.replicas = Some(3);
    case.rollout.status = Some(
        serde_json::from_value(json!({
            "stableRS": "stable123", "currentPodHash": "stable123",
            "canary": {"weights": {"canary": {"podTemplateHash": "canary456", "weight": 20}, "stable": {"weight": 80}}}
        }))
        .unwrap(),
    );
    case.replica_sets = vec![
        replica_set("rs-stable123", "stable123", 3, 3),
        replica_set("rs-canary456", "canary456", 1, 0),
    ];
    // The stable is back to size, so this is no rollback any more: the canary is waited for.
    assert_eq!(
        update_hash(&mut case, "canary456", "stable123", &[]),
        Err(format!("{DELAYED} rs-canary456 not fully available"))
    );
    // While the stable is still short of its size, traffic is going back to it only.
    case.replica_sets = vec![
        replica_set("rs-stable123", "stable123", 3, 2),
        replica_set("rs-canary456", "canary456", 1, 0),
    ];
    assert_eq!(
        update_hash(&mut case, "canary456", "stable123", &[]),
        Err(format!("{DELAYED} rs-stable123 not fully available"))
    );
    case.replica_sets = vec![
        replica_set("rs-stable123", "stable123", 2, 2),
        replica_set("rs-canary456", "canary456", 1, 0),
    ];
    assert_eq!(
        update_hash(&mut case, "canary456", "stable123", &[]).map(|w| w.len()),
        Ok(1)
    );
}

#[test]
fn the_delay_applies_before_the_destination_rule_is_looked_at() {
    // Upstream checks the ReplicaSets first, so a host split without named Services (ping-pong)
    // also waits, although it has no DestinationRule to change.
    let mut ro = rollout(json!({
        "pingPong": {"pingService": "ping", "pongService": "pong"},
        "trafficRouting": {"istio": {"virtualService": {"name": "vsvc"}}}
    }));
    ro.spec.replicas = Some(1);
    let mut case = Case::new(ro, &[]);
    case.replica_sets = vec![replica_set("rs-canary456", "canary456", 1, 0)];
    assert_eq!(
        update_hash(&mut case, "canary456", "stable123", &[]),
        Err(format!("{DELAYED} rs-canary456 not fully available"))
    );
}

#[test]
fn an_extra_destination_without_a_service_adds_no_subset() {
    let mut case = subset_case(json!({"subsets": [{"name": "stable"}, {"name": "canary"}]}));
    let empty = WeightDestination::default();
    let writes = update_hash(&mut case, "abc123", "def456", &[empty]).unwrap();
    assert_eq!(subset_hashes(&writes[0]), ["stable=def456", "canary=abc123"]);
}
