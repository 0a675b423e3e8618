use super::*;
use crate::sim::{Action, disruption};

fn pdb(spec: Value) -> Value {
    let mut spec = spec;
    spec["selector"] = json!({"matchLabels": {"app": "web"}});
    json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web", "namespace": "default", "uid": "pdb-uid", "generation": 2},
        "spec": spec,
    })
}

fn pods(ready: &[bool]) -> Vec<Value> {
    ready
        .iter()
        .enumerate()
        .map(|(i, r)| pod(&format!("p{i}"), "rs-uid", r.then_some(1)))
        .collect()
}

fn rs_owned_by_deployment(replicas: i64) -> Vec<Value> {
    vec![
        json!({"kind": "ReplicaSet", "metadata": {"name": "web", "uid": "rs-uid", "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "d-uid", "controller": true}]}, "spec": {"replicas": 1}}),
        json!({"kind": "Deployment", "metadata": {"name": "web", "uid": "d-uid"}, "spec": {"replicas": replicas}}),
    ]
}

fn summary(status: &Value) -> (i64, i64, i64, i64, String, String) {
    let c = &status["conditions"][0];
    let n = |k: &str| status[k].as_i64().unwrap();
    (
        n("currentHealthy"),
        n("desiredHealthy"),
        n("expectedPods"),
        n("disruptionsAllowed"),
        c["status"].as_str().unwrap().to_string(),
        c["reason"].as_str().unwrap().to_string(),
    )
}

#[test]
fn budgets_table() {
    let s = |x: &str| x.to_string();
    let cases = [
        (
            json!({"minAvailable": 2}),
            pods(&[true, true, true]),
            vec![],
            (3, 2, 3, 1, s("True"), s("SufficientPods")),
        ),
        (
            json!({"minAvailable": 2}),
            pods(&[true, true, false]),
            vec![],
            (2, 2, 3, 0, s("False"), s("InsufficientPods")),
        ),
        (
            json!({"maxUnavailable": 1}),
            pods(&[true, true, true]),
            rs_owned_by_deployment(3),
            (3, 2, 3, 1, s("True"), s("SufficientPods")),
        ),
        (
            json!({"maxUnavailable": "50%"}),
            pods(&[true, true, false]),
            rs_owned_by_deployment(3),
            (2, 1, 3, 1, s("True"), s("SufficientPods")),
        ),
        (
            json!({"minAvailable": "50%"}),
            pods(&[true]),
            rs_owned_by_deployment(4),
            (1, 2, 4, 0, s("False"), s("InsufficientPods")),
        ),
        (
            json!({"minAvailable": 0}),
            vec![],
            vec![],
            (0, 0, 0, 0, s("False"), s("InsufficientPods")),
        ),
    ];
    for (spec, pods, controllers, want) in cases {
        let status = disruption::status(&pdb(spec.clone()), &pods, &controllers, at(10));
        assert_eq!(summary(&status), want, "{spec}");
        assert_eq!(status["observedGeneration"], 2);
        assert_eq!(status["conditions"][0]["observedGeneration"], 2);
        assert_eq!(status["conditions"][0]["type"], "DisruptionAllowed");
    }
}

#[test]
fn unknown_controllers_fail_the_sync() {
    let status = disruption::status(&pdb(json!({"maxUnavailable": 1})), &pods(&[true]), &[], at(10));
    assert_eq!(status["disruptionsAllowed"], 0);
    assert_eq!(status["conditions"][0]["reason"], "SyncFailed");
    assert!(
        status["conditions"][0]["message"]
            .as_str()
            .unwrap()
            .contains("found no controller")
    );
}

#[test]
fn deleting_and_recently_evicted_pods_are_not_healthy() {
    let mut budget = pdb(json!({"minAvailable": 1}));
    let mut pods = pods(&[true, true, true]);
    pods[0]["metadata"]["deletionTimestamp"] = json!(ts(20));
    budget["status"] = json!({"disruptedPods": {"p1": ts(5), "gone": ts(5)}});
    let plan = disruption::reconcile(&budget, &pods, &[], at(10)).unwrap();
    let Action::UpdateStatus { status, .. } = &plan.actions[0] else {
        panic!("{plan:?}")
    };
    assert_eq!(status["currentHealthy"], 1);
    assert_eq!(status["disruptedPods"], json!({"p1": ts(5)}));
    assert_eq!(plan.requeue_after, Some(Duration::from_secs(115)));
    // once the record expires the pod counts again
    budget["status"] = status.clone();
    let status = disruption::status(&budget, &pods, &[], at(126));
    assert_eq!(status["currentHealthy"], 2);
    assert!(status.get("disruptedPods").is_none());
}

#[test]
fn settled_budget_plans_nothing_and_keeps_transition_times() {
    let mut budget = pdb(json!({"minAvailable": 1}));
    let pods = pods(&[true, true]);
    let plan = disruption::reconcile(&budget, &pods, &[], at(10)).unwrap();
    let Action::UpdateStatus { status, .. } = &plan.actions[0] else {
        panic!("{plan:?}")
    };
    budget["status"] = status.clone();
    assert!(disruption::reconcile(&budget, &pods, &[], at(50)).unwrap().is_noop());
    // one pod becomes unready: still allowed 1 -> 0 changes the condition and its time
    let fewer = vec![pods[0].clone(), pod("p1", "rs-uid", None)];
    let status = disruption::status(&budget, &fewer, &[], at(60));
    assert_eq!(status["conditions"][0]["lastTransitionTime"], ts(60));
    let more = disruption::status(
        &budget,
        &[pods[0].clone(), pods[1].clone(), pod("p2", "rs-uid", Some(1))],
        &[],
        at(70),
    );
    assert_eq!(more["conditions"][0]["lastTransitionTime"], ts(10));
}
