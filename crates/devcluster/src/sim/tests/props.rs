use proptest::prelude::*;

use super::cluster::Cluster;
use super::*;
use crate::sim::{Action, SimConfig, kubelet, podutil, replicaset};

/// A pod of the ReplicaSet in one of the states a pod can be in.
fn arb_pod() -> impl Strategy<Value = (u8, bool, u64)> {
    // state: 0 unscheduled, 1 pending, 2 running unready, 3 ready, 4 deleting, 5 succeeded, 6 failed
    (0u8..7, any::<bool>(), 0u64..100)
}

fn make_pod(i: usize, (state, _, since): (u8, bool, u64)) -> Value {
    let mut p = pod(
        &format!("p{i:02}"),
        "rs-uid",
        (state == 3 || state == 4).then_some(since),
    );
    p["metadata"]["creationTimestamp"] = json!(ts(since));
    match state {
        0 => {
            p["spec"].as_object_mut().unwrap().remove("nodeName");
            p["status"]["phase"] = json!("Pending");
        }
        1 => p["status"]["phase"] = json!("Pending"),
        4 => p["metadata"]["deletionTimestamp"] = json!(ts(200)),
        5 => p["status"]["phase"] = json!("Succeeded"),
        6 => p["status"]["phase"] = json!("Failed"),
        _ => {}
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn replica_set_creates_and_deletes_exactly_what_is_needed(target in 0i64..15, specs in prop::collection::vec(arb_pod(), 0..20)) {
        let pods: Vec<Value> = specs.iter().enumerate().map(|(i, s)| make_pod(i, *s)).collect();
        let active: Vec<&Value> = pods.iter().filter(|p| podutil::is_active(p)).collect();
        let plan = replicaset::reconcile(&replica_set(target), &pods, at(300), &mut counter()).unwrap();
        let creates = plan.actions.iter().filter(|a| matches!(a, Action::Create(_))).count() as i64;
        let deleted: Vec<&Value> = plan.actions.iter().filter_map(|a| match a {
            Action::Delete { target, .. } => pods.iter().find(|p| meta::name(p) == target.name),
            _ => None,
        }).collect();
        let active_n = active.len() as i64;
        prop_assert_eq!(creates, (target - active_n).max(0));
        prop_assert_eq!(deleted.len() as i64, (active_n - target).max(0));
        prop_assert!(deleted.iter().all(|p| podutil::is_active(p)), "only active pods are deleted");
        if deleted.iter().any(|p| podutil::is_ready(p)) {
            let spared_unready = active.iter().filter(|p| !podutil::is_ready(p)).any(|p| !deleted.iter().any(|d| meta::name(d) == meta::name(p)));
            prop_assert!(!spared_unready, "a ready pod was deleted while a not-ready one was kept");
        }
        // Reconciling the state the plan leads to creates and deletes nothing more.
        let mut next = pods.clone();
        for a in &plan.actions {
            match a {
                Action::Create(p) => next.push(p.clone()),
                Action::Delete { target, .. } => {
                    if let Some(p) = next.iter_mut().find(|p| meta::name(p) == target.name) {
                        p["metadata"]["deletionTimestamp"] = json!(ts(330));
                    }
                }
                _ => {}
            }
        }
        for p in next.iter_mut().filter(|p| p["metadata"].get("uid").is_none()) {
            p["metadata"]["uid"] = json!(format!("uid-{}", meta::name(p)));
        }
        let again = replicaset::reconcile(&replica_set(target), &next, at(301), &mut counter()).unwrap();
        prop_assert!(again.actions.iter().all(|a| matches!(a, Action::UpdateStatus { .. })), "{:?}", again.actions);
    }

    #[test]
    fn kubelet_is_idempotent_and_history_free(
        image in prop::sample::select(vec!["nginx", "app:crashloop", "app:never-ready", "app:bad-image"]),
        command in prop::sample::select(vec![None, Some("sleep 7; exit 1"), Some("sleep 3"), Some("exit 0")]),
        restart in prop::sample::select(vec!["Always", "OnFailure", "Never"]),
        t1 in 1u64..400,
        dt in 0u64..400,
    ) {
        let cfg = SimConfig { time_scale: 0.5, ..SimConfig::default() };
        let mut container = json!({"name": "c", "image": image, "readinessProbe": {"initialDelaySeconds": 2}});
        if let Some(script) = command {
            container["command"] = json!(["sh", "-c", script]);
        }
        let start = json!({
            "metadata": {"name": "p", "namespace": "default", "uid": "u", "creationTimestamp": ts(0)},
            "spec": {"nodeName": "dev-node", "restartPolicy": restart, "containers": [container]},
            "status": {"phase": "Pending"},
        });
        let apply = |pod: &Value, now: Timestamp| -> Value {
            let plan = kubelet::step(pod, now, &cfg, &mut || "10.244.0.2".to_string()).unwrap();
            let mut pod = pod.clone();
            for a in plan.actions {
                if let Action::UpdateStatus { status, .. } = a {
                    pod["status"] = status;
                }
            }
            pod
        };
        let started = apply(&start, at(1));
        let at_t1 = apply(&started, at(t1));
        let plan = kubelet::step(&at_t1, at(t1), &cfg, &mut || unreachable!()).unwrap();
        prop_assert!(plan.is_noop(), "a second step at the same time changes nothing");
        if podutil::is_terminal(&at_t1) {
            return Ok(());
        }
        let via_t1 = apply(&at_t1, at(t1 + dt));
        let direct = apply(&started, at(t1 + dt));
        let strip = |p: &Value| {
            let mut s = p["status"].clone();
            for c in s["conditions"].as_array_mut().into_iter().flatten() {
                c.as_object_mut().unwrap().remove("lastTransitionTime");
            }
            s
        };
        prop_assert_eq!(strip(&via_t1), strip(&direct));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    #[test]
    fn rolling_updates_respect_surge_and_unavailability(
        replicas in 1i64..7,
        surge in prop::sample::select(vec![json!(0), json!(1), json!("25%"), json!("50%")]),
        unavailable in prop::sample::select(vec![json!(0), json!(1), json!("25%"), json!("100%")]),
    ) {
        let mut d = deployment(replicas, "nginx:1");
        d["spec"]["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}});
        let max_surge = meta::int_or_percent(Some(&surge), "0", replicas, true).unwrap();
        let mut max_unavailable = meta::int_or_percent(Some(&unavailable), "0", replicas, false).unwrap();
        if max_surge == 0 && max_unavailable == 0 {
            max_unavailable = 1;
        }
        let mut c = Cluster::new(t0());
        c.create(d);
        c.run_until_quiet(at(600));
        c.check = Some(Box::new(move |c: &Cluster| {
            let active: Vec<Value> = c.list("Pod").into_iter().filter(podutil::is_active).collect();
            let available = active.iter().filter(|p| podutil::is_ready(p)).count() as i64;
            assert!(active.len() as i64 <= replicas + max_surge, "{} pods", active.len());
            assert!(available >= replicas - max_unavailable.min(replicas), "{available} available");
        }));
        c.update_spec("Deployment", "web", |d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2"));
        c.run_for(Duration::from_secs(60), Duration::from_secs(1));
        let pods = c.list("Pod");
        prop_assert_eq!(pods.len() as i64, replicas);
        prop_assert!(pods.iter().all(|p| p["spec"]["containers"][0]["image"] == "nginx:2" && podutil::is_ready(p)));
        let d = c.get("Deployment", "web").unwrap();
        let plan = crate::sim::deployment::reconcile(d, &c.list("ReplicaSet"), &pods, c.now).unwrap();
        prop_assert!(plan.is_noop(), "settled: {:?}", plan.actions);
    }
}
