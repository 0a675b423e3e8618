use super::*;
use crate::sim::{Action, SimError, replicaset};

fn created(plan: &crate::sim::Plan) -> Vec<&Value> {
    plan.actions
        .iter()
        .filter_map(|a| if let Action::Create(p) = a { Some(p) } else { None })
        .collect()
}

fn deleted(plan: &crate::sim::Plan) -> Vec<String> {
    let mut names: Vec<String> = plan
        .actions
        .iter()
        .filter_map(|a| {
            if let Action::Delete { target, .. } = a {
                Some(target.name.clone())
            } else {
                None
            }
        })
        .collect();
    names.sort();
    names
}

fn status_of(plan: &crate::sim::Plan) -> Option<&Value> {
    plan.actions.iter().find_map(|a| {
        if let Action::UpdateStatus { status, .. } = a {
            Some(status)
        } else {
            None
        }
    })
}

#[test]
fn creates_missing_pods_from_the_template() {
    let rs = replica_set(3);
    let plan = replicaset::reconcile(&rs, &[], at(1), &mut counter()).unwrap();
    let pods = created(&plan);
    assert_eq!(pods.len(), 3);
    let p = pods[0];
    assert_eq!(p["metadata"]["name"], "web-x0001");
    assert_eq!(p["metadata"]["generateName"], "web-");
    assert_eq!(p["metadata"]["namespace"], "default");
    assert_eq!(p["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(
        p["metadata"]["ownerReferences"],
        json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}])
    );
    assert_eq!(p["spec"], rs["spec"]["template"]["spec"]);
    assert_eq!(status_of(&plan), Some(&json!({"replicas": 0, "observedGeneration": 1})));
}

#[test]
fn scaling_table() {
    // (replicas, pods as (name, ready since), expected creations, expected deletions)
    type Case = (i64, Vec<(&'static str, Option<u64>)>, usize, Vec<&'static str>);
    let cases: Vec<Case> = vec![
        (2, vec![("a", Some(1)), ("b", Some(1))], 0, vec![]),
        (4, vec![("a", Some(1)), ("b", None)], 2, vec![]),
        // not-ready pods go first
        (
            2,
            vec![("a", Some(1)), ("b", None), ("c", Some(2)), ("d", None)],
            0,
            vec!["b", "d"],
        ),
        // among ready pods, the one ready for the shortest time goes first
        (2, vec![("a", Some(1)), ("b", Some(9)), ("c", Some(5))], 0, vec!["b"]),
        (0, vec![("a", Some(1)), ("b", None)], 0, vec!["a", "b"]),
    ];
    for (replicas, pods, creates, deletes) in cases {
        let pods: Vec<Value> = pods.iter().map(|(n, r)| pod(n, "rs-uid", *r)).collect();
        let plan = replicaset::reconcile(&replica_set(replicas), &pods, at(20), &mut counter()).unwrap();
        assert_eq!(created(&plan).len(), creates, "replicas {replicas}");
        assert_eq!(deleted(&plan), deletes, "replicas {replicas}");
    }
}

#[test]
fn unscheduled_and_pending_pods_are_deleted_before_running_ones() {
    let mut pending = pod("pending", "rs-uid", None);
    pending["status"]["phase"] = json!("Pending");
    let mut unscheduled = pod("unscheduled", "rs-uid", None);
    unscheduled["spec"].as_object_mut().unwrap().remove("nodeName");
    unscheduled["status"]["phase"] = json!("Pending");
    let pods = vec![pod("running", "rs-uid", None), pending, unscheduled];
    let plan = replicaset::reconcile(&replica_set(1), &pods, at(20), &mut counter()).unwrap();
    assert_eq!(deleted(&plan), ["pending", "unscheduled"]);
    let plan = replicaset::reconcile(&replica_set(2), &pods, at(20), &mut counter()).unwrap();
    assert_eq!(deleted(&plan), ["unscheduled"]);
}

#[test]
fn terminating_finished_and_foreign_pods_are_not_active() {
    let mut deleting = pod("deleting", "rs-uid", Some(1));
    deleting["metadata"]["deletionTimestamp"] = json!(ts(30));
    let mut failed = pod("failed", "rs-uid", None);
    failed["status"]["phase"] = json!("Failed");
    let foreign = pod("foreign", "other-uid", Some(1));
    let mut unlabeled = pod("unlabeled", "rs-uid", Some(1));
    unlabeled["metadata"]["labels"] = json!({"app": "other"});
    let pods = vec![pod("ok", "rs-uid", Some(1)), deleting, failed, foreign, unlabeled];
    let plan = replicaset::reconcile(&replica_set(2), &pods, at(20), &mut counter()).unwrap();
    assert_eq!(created(&plan).len(), 1);
    assert!(deleted(&plan).is_empty());
    assert_eq!(status_of(&plan).unwrap()["replicas"], 1);
}

#[test]
fn min_ready_seconds_delays_availability_and_requeues() {
    let mut rs = replica_set(2);
    rs["spec"]["minReadySeconds"] = json!(10);
    let pods = vec![pod("a", "rs-uid", Some(5)), pod("b", "rs-uid", Some(0))];
    let plan = replicaset::reconcile(&rs, &pods, at(12), &mut counter()).unwrap();
    let status = status_of(&plan).unwrap();
    assert_eq!(
        (status["readyReplicas"].clone(), status["availableReplicas"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(
        plan.requeue_after,
        Some(Duration::from_secs(3) + Duration::from_millis(1))
    );
    let plan = replicaset::reconcile(&rs, &pods, at(16), &mut counter()).unwrap();
    assert_eq!(status_of(&plan).unwrap()["availableReplicas"], 2);
    assert_eq!(plan.requeue_after, None);
}

#[test]
fn settled_replica_set_plans_nothing() {
    let mut rs = replica_set(2);
    rs["spec"]["template"]["metadata"]["labels"] = json!({"app": "web"});
    let pods = vec![pod("a", "rs-uid", Some(1)), pod("b", "rs-uid", Some(1))];
    let first = replicaset::reconcile(&rs, &pods, at(20), &mut counter()).unwrap();
    rs["status"] = status_of(&first).unwrap().clone();
    assert_eq!(
        rs["status"],
        json!({"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1})
    );
    let again = replicaset::reconcile(&rs, &pods, at(40), &mut counter()).unwrap();
    assert!(again.is_noop(), "{:?}", again.actions);
    assert_eq!(again.requeue_after, None);
}

#[test]
fn deleting_replica_set_only_reports_status() {
    let mut rs = replica_set(3);
    rs["metadata"]["deletionTimestamp"] = json!(ts(5));
    let plan = replicaset::reconcile(&rs, &[pod("a", "rs-uid", Some(1))], at(6), &mut counter()).unwrap();
    assert!(created(&plan).is_empty());
    assert_eq!(plan.actions.len(), 1);
}

#[test]
fn unusable_objects_are_errors() {
    let mut rs = replica_set(1);
    rs["metadata"].as_object_mut().unwrap().remove("uid");
    assert_eq!(
        replicaset::reconcile(&rs, &[], at(0), &mut counter()),
        Err(SimError::Missing { field: "metadata.uid" })
    );
    let mut rs = replica_set(1);
    rs["spec"]["selector"] = json!({"matchExpressions": [{"key": "a", "operator": "Sometimes"}]});
    assert!(matches!(
        replicaset::reconcile(&rs, &[], at(0), &mut counter()),
        Err(SimError::Invalid { .. })
    ));
}

#[test]
fn name_collisions_are_redrawn() {
    let existing = pod("web-x0001", "rs-uid", Some(1));
    let plan = replicaset::reconcile(&replica_set(2), &[existing], at(1), &mut counter()).unwrap();
    assert_eq!(created(&plan)[0]["metadata"]["name"], "web-x0002");
}
