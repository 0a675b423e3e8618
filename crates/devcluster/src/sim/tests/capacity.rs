//! The node's capacity and the pod limit: pods beyond `max_pods` wait Unschedulable (with one
//! FailedScheduling Event each) until room frees up, and ReplicaSets create pods in bursts and only up to
//! `max_pod_objects`, reporting what they could not create.

use std::time::Duration;

use super::cluster::Cluster;
use super::*;
use crate::sim::{Action, replicaset, scheduler};

fn replica_set_named(name: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name, "generation": 1},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}},
        },
    })
}

fn pods_of(c: &Cluster, app: &str) -> Vec<Value> {
    c.list("Pod")
        .into_iter()
        .filter(|p| p.pointer("/metadata/labels/app").and_then(Value::as_str) == Some(app))
        .collect()
}

fn phase(p: &Value) -> &str {
    meta::str_at(p, "/status/phase").unwrap_or("")
}

fn events(c: &Cluster, reason: &str) -> Vec<Value> {
    c.list("Event").into_iter().filter(|e| e["reason"] == reason).collect()
}

fn small_node(max_pods: usize, max_pod_objects: usize) -> Cluster {
    let mut c = Cluster::new(t0());
    c.cfg.max_pods = max_pods;
    c.cfg.max_pod_objects = max_pod_objects;
    c
}

#[test]
fn pods_beyond_the_node_capacity_wait_unschedulable_then_run_when_room_frees_up() {
    let mut c = small_node(2, 100);
    c.create(replica_set_named("first", 2));
    c.run_for(Duration::from_secs(5), Duration::from_secs(1));
    c.create(replica_set_named("second", 1));
    c.run_for(Duration::from_secs(30), Duration::from_secs(1));

    assert!(pods_of(&c, "first").iter().all(|p| phase(p) == "Running"));
    let waiting = pods_of(&c, "second");
    assert_eq!(waiting.len(), 1);
    let pod = &waiting[0];
    assert_eq!(phase(pod), "Pending");
    assert!(meta::str_at(pod, "/spec/nodeName").is_none());
    let scheduled = meta::condition(meta::array_at(pod, "/status/conditions"), "PodScheduled").unwrap();
    assert_eq!(scheduled["status"], "False");
    assert_eq!(scheduled["reason"], "Unschedulable");
    assert_eq!(
        scheduled["message"],
        "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    );
    // One Event, however many times the scheduler looked at the pod.
    let failed = events(&c, "FailedScheduling");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["count"], 1);
    assert_eq!(failed[0]["source"]["component"], "default-scheduler");
    assert_eq!(failed[0]["message"], scheduler::TOO_MANY_PODS);

    // Room frees up: the waiting pod is scheduled and runs.
    c.update_spec("ReplicaSet", "first", |rs| rs["spec"]["replicas"] = json!(1));
    c.run_for(Duration::from_secs(30), Duration::from_secs(1));
    let second = pods_of(&c, "second");
    assert_eq!(meta::name(&second[0]), meta::name(pod));
    assert_eq!(phase(&second[0]), "Running");
    assert_eq!(meta::str_at(&second[0], "/spec/nodeName"), Some("dev-node"));
    let scheduled = meta::condition(meta::array_at(&second[0], "/status/conditions"), "PodScheduled").unwrap();
    assert_eq!(scheduled["status"], "True");
    assert_eq!(c.running_pods(), 2);
}

#[test]
fn a_huge_replica_count_creates_pods_in_bursts_up_to_the_pod_limit_and_reports_the_rest() {
    let mut c = small_node(2, 7);
    c.create(replica_set_named("huge", 1_000_000));
    c.run_for(Duration::from_secs(20), Duration::from_secs(1));
    let pods = pods_of(&c, "huge");
    assert_eq!(pods.len(), 7);
    assert_eq!(pods.iter().filter(|p| phase(p) == "Running").count(), 2);
    let rs = c.get("ReplicaSet", "huge").unwrap();
    let failure = meta::condition(meta::array_at(rs, "/status/conditions"), "ReplicaFailure").unwrap();
    assert_eq!(failure["status"], "True");
    assert_eq!(failure["reason"], "FailedCreate");
    let message = failure["message"].as_str().unwrap();
    assert!(
        message.starts_with("pods \"huge-")
            && message.ends_with(
                "is forbidden: exceeded the dev cluster's pod limit, requested: pods=1, used: pods=7, limited: pods=7"
            ),
        "{message}"
    );
    let failed = events(&c, "FailedCreate");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["count"], 1);
    assert_eq!(failed[0]["message"], format!("Error creating: {message}"));
    assert_eq!(failed[0]["source"]["component"], "replicaset-controller");

    // Within the limit again, the condition goes.
    c.update_spec("ReplicaSet", "huge", |rs| rs["spec"]["replicas"] = json!(3));
    c.run_for(Duration::from_secs(30), Duration::from_secs(1));
    assert_eq!(pods_of(&c, "huge").len(), 3);
    let rs = c.get("ReplicaSet", "huge").unwrap();
    assert!(meta::condition(meta::array_at(rs, "/status/conditions"), "ReplicaFailure").is_none());
}

#[test]
fn one_sync_creates_at_most_a_burst() {
    let mut rs = replica_set(1_000_000);
    rs["metadata"]["uid"] = json!("rs-uid");
    let cfg = crate::sim::SimConfig::default();
    let plan = replicaset::reconcile_within(&rs, &[], at(1), &cfg, 0, &mut counter()).unwrap();
    let creates = plan.actions.iter().filter(|a| matches!(a, Action::Create(_))).count();
    assert_eq!(creates, replicaset::BURST_REPLICAS);
    // A full burst fits under the limit: nothing is refused yet.
    assert!(!plan.actions.iter().any(|a| matches!(a, Action::RecordEvent(_))));
    let near = replicaset::reconcile_within(&rs, &[], at(1), &cfg, cfg.max_pod_objects - 10, &mut counter()).unwrap();
    let creates = near.actions.iter().filter(|a| matches!(a, Action::Create(_))).count();
    assert_eq!(creates, 10);
    assert!(near.actions.iter().any(|a| matches!(a, Action::RecordEvent(_))));
}
