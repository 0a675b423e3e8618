use std::cell::RefCell;
use std::rc::Rc;

use super::cluster::Cluster;
use super::*;
use crate::sim::deployment::{self as dep, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION};
use crate::sim::{Action, hash, podutil};

fn rs_by_revision(c: &Cluster) -> Vec<Value> {
    let mut rss = c.list("ReplicaSet");
    rss.sort_by_key(|rs| meta::annotation(rs, REVISION_ANNOTATION).and_then(|r| r.parse::<i64>().ok()));
    rss
}

fn replicas(rs: &Value) -> i64 {
    rs["spec"]["replicas"].as_i64().unwrap()
}

fn condition<'a>(d: &'a Value, kind: &str) -> &'a Value {
    d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == kind)
        .unwrap()
}

/// A cluster with the Deployment rolled out and settled.
fn rolled_out(d: Value) -> Cluster {
    let mut c = Cluster::new(t0());
    c.create(d);
    c.run_until_quiet(at(600));
    c
}

#[test]
fn first_sync_creates_the_new_replica_set() {
    let mut d = deployment(3, "nginx");
    d["metadata"]["uid"] = json!("d-uid");
    d["metadata"]["generation"] = json!(1);
    d["metadata"]["annotations"] = json!({"team": "a", "kubectl.kubernetes.io/last-applied-configuration": "{}"});
    d["spec"]["minReadySeconds"] = json!(2);
    let plan = dep::reconcile(&d, &[], &[], at(0)).unwrap();
    let hash = hash::pod_template_hash(&d["spec"]["template"], None);
    let Action::Create(rs) = &plan.actions[0] else {
        panic!("{plan:?}")
    };
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(
        rs["metadata"]["labels"],
        json!({"app": "web", "pod-template-hash": hash})
    );
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"],
        json!({"app": "web", "pod-template-hash": hash})
    );
    assert_eq!(rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"], hash);
    assert_eq!(rs["spec"]["replicas"], 3);
    assert_eq!(rs["spec"]["minReadySeconds"], 2);
    assert_eq!(
        rs["metadata"]["annotations"],
        json!({"team": "a", REVISION_ANNOTATION: "1", DESIRED_REPLICAS_ANNOTATION: "3", MAX_REPLICAS_ANNOTATION: "4"})
    );
    assert_eq!(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    assert_eq!(rs["metadata"]["ownerReferences"][0]["uid"], "d-uid");
    let Action::Update(updated) = &plan.actions[1] else {
        panic!("{plan:?}")
    };
    assert_eq!(updated["metadata"]["annotations"][REVISION_ANNOTATION], "1");
    let Action::UpdateStatus { status, .. } = &plan.actions[2] else {
        panic!("{plan:?}")
    };
    let progressing = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Progressing")
        .unwrap();
    assert_eq!(progressing["reason"], "NewReplicaSetCreated");
    assert_eq!(
        progressing["message"],
        format!("Created new replica set \"web-{hash}\"")
    );
    assert_eq!(status["observedGeneration"], 1);
    assert_eq!(
        plan.requeue_after,
        Some(Duration::from_secs(600) + Duration::from_millis(1))
    );
}

#[test]
fn a_rollout_completes_and_settles() {
    let c = rolled_out(deployment(3, "nginx"));
    let d = c.get("Deployment", "web").unwrap().clone();
    let s = &d["status"];
    assert_eq!(
        (
            s["replicas"].clone(),
            s["updatedReplicas"].clone(),
            s["readyReplicas"].clone()
        ),
        (json!(3), json!(3), json!(3))
    );
    assert_eq!(
        (s["availableReplicas"].clone(), s.get("unavailableReplicas")),
        (json!(3), None)
    );
    assert_eq!(condition(&d, "Available")["reason"], "MinimumReplicasAvailable");
    assert_eq!(
        condition(&d, "Available")["message"],
        "Deployment has minimum availability."
    );
    let rs = &c.list("ReplicaSet")[0];
    assert_eq!(condition(&d, "Progressing")["reason"], "NewReplicaSetAvailable");
    assert_eq!(
        condition(&d, "Progressing")["message"],
        format!("ReplicaSet \"{}\" has successfully progressed.", meta::name(rs))
    );
    let plan = dep::reconcile(&d, &c.list("ReplicaSet"), &c.list("Pod"), at(900)).unwrap();
    assert!(plan.is_noop() && plan.requeue_after.is_none(), "{plan:?}");
    for pod in c.list("Pod") {
        assert_eq!(
            pod["metadata"]["labels"]["pod-template-hash"],
            rs["metadata"]["labels"]["pod-template-hash"]
        );
    }
}

/// Counts (active pods, available pods) of the app.
fn pod_counts(c: &Cluster) -> (usize, usize) {
    let active: Vec<Value> = c.list("Pod").into_iter().filter(podutil::is_active).collect();
    let available = active.iter().filter(|p| podutil::is_ready(p)).count();
    (active.len(), available)
}

#[test]
fn rolling_update_stays_within_surge_and_unavailability() {
    let mut c = rolled_out(deployment(10, "nginx:1"));
    assert_eq!(pod_counts(&c), (10, 10));
    let history: Rc<RefCell<Vec<(i64, i64)>>> = Rc::default();
    let seen = Rc::clone(&history);
    c.check = Some(Box::new(move |c: &Cluster| {
        let (active, available) = pod_counts(c);
        assert!(active <= 13, "{active} pods at {}", c.now);
        assert!(available >= 8, "{available} available at {}", c.now);
        let rss = rs_by_revision(c);
        if rss.len() == 2 {
            let pair = (replicas(&rss[1]), replicas(&rss[0]));
            let mut h = seen.borrow_mut();
            if h.last() != Some(&pair) {
                h.push(pair);
            }
        }
    }));
    c.update_spec("Deployment", "web", |d| {
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    });
    c.run_for(Duration::from_secs(120), Duration::from_millis(500));
    let history = history.borrow().clone();
    // The first sync creates the new ReplicaSet at the surge (3) and scales the old one down by the
    // allowed unavailability (2) at once; then each side moves as pods become available.
    assert_eq!(history[0], (3, 8), "{history:?}");
    assert_eq!(history.last(), Some(&(10, 0)), "{history:?}");
    assert!(
        history.windows(2).all(|w| w[1].0 >= w[0].0 && w[1].1 <= w[0].1),
        "{history:?}"
    );
    let d = c.get("Deployment", "web").unwrap();
    assert_eq!(d["metadata"]["annotations"][REVISION_ANNOTATION], "2");
    assert_eq!(condition(d, "Progressing")["reason"], "NewReplicaSetAvailable");
    assert_eq!(pod_counts(&c), (10, 10));
    let images: Vec<String> = c
        .list("Pod")
        .iter()
        .map(|p| p["spec"]["containers"][0]["image"].as_str().unwrap().to_string())
        .collect();
    assert!(images.iter().all(|i| i == "nginx:2"), "{images:?}");
}

#[test]
fn recreate_removes_old_pods_before_starting_new_ones() {
    let mut d = deployment(4, "nginx:1");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    let mut c = rolled_out(d);
    let old_rs = c.list("ReplicaSet")[0].clone();
    c.check = Some(Box::new(move |c: &Cluster| {
        let pods = c.list("Pod");
        let old = pods.iter().any(|p| meta::is_controlled_by(p, meta::uid(&old_rs)));
        let new = pods.iter().any(|p| !meta::is_controlled_by(p, meta::uid(&old_rs)));
        assert!(!(old && new), "old and new pods together at {}", c.now);
    }));
    c.update_spec("Deployment", "web", |d| {
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    });
    c.settle();
    assert_eq!(c.list("ReplicaSet").len(), 1, "no new ReplicaSet while old pods run");
    assert_eq!(replicas(&c.list("ReplicaSet")[0]), 0);
    c.run_for(Duration::from_secs(30), Duration::from_millis(500));
    let rss = rs_by_revision(&c);
    assert_eq!((replicas(&rss[0]), replicas(&rss[1])), (0, 4));
    assert_eq!(pod_counts(&c), (4, 4));
}

#[test]
fn scaling_without_a_rollout_resizes_the_replica_set() {
    let mut c = rolled_out(deployment(3, "nginx"));
    c.update_spec("Deployment", "web", |d| d["spec"]["replicas"] = json!(5));
    c.run_until_quiet(at(900));
    let rs = &c.list("ReplicaSet")[0];
    assert_eq!(replicas(rs), 5);
    assert_eq!(rs["metadata"]["annotations"][DESIRED_REPLICAS_ANNOTATION], "5");
    assert_eq!(rs["metadata"]["annotations"][MAX_REPLICAS_ANNOTATION], "7");
    assert_eq!(pod_counts(&c), (5, 5));
}

#[test]
fn proportional_scaling_during_a_rollout() {
    let mut d = deployment(20, "nginx:2");
    d["metadata"]["uid"] = json!("d-uid");
    d["status"] = json!({"replicas": 13});
    let owner =
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d-uid", "controller": true}]);
    let rs = |name: &str, image: &str, size: i64, rev: &str, created: u64| {
        let hash = hash::pod_template_hash(&json!({}), None);
        json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "creationTimestamp": ts(created),
                "labels": {"app": "web", "pod-template-hash": hash}, "ownerReferences": owner,
                "annotations": {REVISION_ANNOTATION: rev, DESIRED_REPLICAS_ANNOTATION: "10", MAX_REPLICAS_ANNOTATION: "13"}},
            "spec": {"replicas": size, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": image}]}}},
            "status": {"replicas": size, "availableReplicas": size},
        })
    };
    let rss = [
        rs("web-old", "nginx:1", 8, "1", 0),
        rs("web-new", "nginx:2", 5, "2", 10),
    ];
    let plan = dep::reconcile(&d, &rss, &[], at(20)).unwrap();
    let sizes: Vec<(String, i64)> = plan
        .actions
        .iter()
        .filter_map(|a| {
            if let Action::Update(o) = a {
                Some((meta::name(o).to_string(), replicas(o)))
            } else {
                None
            }
        })
        .filter(|(n, _)| n.starts_with("web-"))
        .collect();
    assert_eq!(sizes, [("web-old".to_string(), 15), ("web-new".to_string(), 10)]);
}

#[test]
fn paused_deployments_do_not_roll() {
    let mut c = rolled_out(deployment(2, "nginx:1"));
    c.update_spec("Deployment", "web", |d| {
        d["spec"]["paused"] = json!(true);
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    });
    c.run_for(Duration::from_secs(20), Duration::from_secs(1));
    assert_eq!(c.list("ReplicaSet").len(), 1);
    let d = c.get("Deployment", "web").unwrap();
    assert_eq!(condition(d, "Progressing")["status"], "Unknown");
    assert_eq!(condition(d, "Progressing")["reason"], "DeploymentPaused");
    assert_eq!(condition(d, "Progressing")["message"], "Deployment is paused");
    c.update_spec("Deployment", "web", |d| d["spec"]["paused"] = json!(false));
    c.run_for(Duration::from_secs(30), Duration::from_millis(500));
    let rss = rs_by_revision(&c);
    assert_eq!((rss.len(), replicas(&rss[1])), (2, 2));
    assert_eq!(
        condition(c.get("Deployment", "web").unwrap(), "Progressing")["reason"],
        "NewReplicaSetAvailable"
    );
}

#[test]
fn old_revisions_beyond_the_history_limit_are_deleted() {
    let mut d = deployment(1, "nginx:1");
    d["spec"]["revisionHistoryLimit"] = json!(1);
    let mut c = rolled_out(d);
    for image in ["nginx:2", "nginx:3", "nginx:4"] {
        c.update_spec("Deployment", "web", |d| {
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
        });
        c.run_for(Duration::from_secs(30), Duration::from_millis(500));
    }
    let revisions: Vec<String> = rs_by_revision(&c)
        .iter()
        .map(|rs| {
            rs["metadata"]["annotations"][REVISION_ANNOTATION]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(revisions, ["3", "4"]);
}

#[test]
fn stuck_rollouts_exceed_their_progress_deadline() {
    let mut d = deployment(2, "nginx:crashloop");
    d["spec"]["progressDeadlineSeconds"] = json!(30);
    let mut c = Cluster::new(t0());
    c.create(d);
    c.run_until_quiet(at(29));
    let p = condition(c.get("Deployment", "web").unwrap(), "Progressing").clone();
    assert_eq!(
        (p["status"].as_str(), p["reason"].as_str()),
        (Some("True"), Some("ReplicaSetUpdated"))
    );
    let rs = &c.list("ReplicaSet")[0];
    assert_eq!(
        p["message"],
        format!("ReplicaSet \"{}\" is progressing.", meta::name(rs))
    );
    c.run_until_quiet(at(40));
    let d = c.get("Deployment", "web").unwrap();
    let p = condition(d, "Progressing");
    assert_eq!(
        (p["status"].as_str(), p["reason"].as_str()),
        (Some("False"), Some("ProgressDeadlineExceeded"))
    );
    assert_eq!(
        p["message"],
        format!("ReplicaSet \"{}\" has timed out progressing.", meta::name(rs))
    );
    assert_eq!(condition(d, "Available")["status"], "False");
    assert_eq!(
        condition(d, "Available")["message"],
        "Deployment does not have minimum availability."
    );
}

#[test]
fn hash_collisions_bump_the_collision_count() {
    let mut d = deployment(1, "nginx");
    d["metadata"]["uid"] = json!("d-uid");
    let hash = hash::pod_template_hash(&d["spec"]["template"], None);
    let squatter =
        json!({"metadata": {"name": format!("web-{hash}"), "namespace": "default", "uid": "other"}, "spec": {}});
    let plan = dep::reconcile(&d, std::slice::from_ref(&squatter), &[], at(0)).unwrap();
    let Action::UpdateStatus { status, .. } = &plan.actions[0] else {
        panic!("{plan:?}")
    };
    assert_eq!(status["collisionCount"], 1);
    assert_eq!(plan.requeue_after, Some(Duration::ZERO));
    d["status"] = status.clone();
    let plan = dep::reconcile(&d, &[squatter], &[], at(1)).unwrap();
    let Action::Create(rs) = &plan.actions[0] else {
        panic!("{plan:?}")
    };
    assert_eq!(
        rs["metadata"]["name"],
        format!("web-{}", hash::pod_template_hash(&d["spec"]["template"], Some(1)))
    );
}
