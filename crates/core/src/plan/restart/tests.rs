use super::*;
use serde_json::{Value, json};

const NOW: &str = "2024-05-01T12:00:00Z";

fn at(offset_secs: i64) -> Timestamp {
    let now: Timestamp = NOW.parse().unwrap();
    now.checked_add(jiff::SignedDuration::from_secs(offset_secs)).unwrap()
}

fn ts(offset_secs: i64) -> String {
    at(offset_secs).to_string()
}

/// A Rollout selecting `test=test`, restarting at NOW; `extra` is merged into `spec`.
fn rollout(restarted_at: Option<i64>, extra: Value) -> Rollout {
    let mut spec = json!({"selector": {"matchLabels": {"test": "test"}}, "restartAt": ts(0)});
    if let (Value::Object(spec), Value::Object(extra)) = (&mut spec, extra) {
        spec.extend(extra);
    }
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "restart-rollout", "namespace": "default"},
        "spec": spec,
        "status": {"restartedAt": restarted_at.map(ts)},
    }))
    .unwrap()
}

fn canary(replicas: i32, max_unavailable: Value) -> Value {
    json!({"replicas": replicas, "strategy": {"canary": {"maxUnavailable": max_unavailable}}})
}

fn rs(name: &str, uid: &str, replicas: i32, created: i64) -> ReplicaSet {
    serde_json::from_value(json!({
        "metadata": {"name": name, "uid": uid, "creationTimestamp": ts(created), "labels": {POD_TEMPLATE_HASH: name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"test": "test"}}},
    }))
    .unwrap()
}

fn pod(name: &str, created: i64, owner_uid: &str, ready: bool) -> Pod {
    serde_json::from_value(json!({
        "metadata": {
            "name": name, "namespace": "default", "creationTimestamp": ts(created),
            "labels": {"test": "test"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": owner_uid, "controller": true}],
        },
        "status": {"conditions": if ready { json!([{"type": "Ready", "status": "True"}]) } else { json!([]) }},
    }))
    .unwrap()
}

fn with(pod: Pod, patch: Value) -> Pod {
    let mut value = serde_json::to_value(pod).unwrap();
    if let (Value::Object(v), Value::Object(p)) = (&mut value, patch) {
        for (k, p) in p {
            match (v.get_mut(&k), p) {
                (Some(Value::Object(target)), Value::Object(p)) => target.extend(p),
                (_, p) => drop(v.insert(k, p)),
            }
        }
    }
    serde_json::from_value(value).unwrap()
}

fn plan(rollout: &Rollout, replica_sets: &[&ReplicaSet], pods: &[Pod]) -> RestartPlan {
    plan_restart(&RestartInput {
        rollout,
        replica_sets,
        stable_hash: replica_sets
            .first()
            .map(|rs| rs.metadata.name.as_deref().unwrap_or_default()),
        new_hash: None,
        pods,
        now: at(0),
    })
}

fn done(evict: &[&str]) -> RestartPlan {
    RestartPlan {
        evict: evict.iter().map(|s| (*s).to_owned()).collect(),
        restarted_at: Some(Time(at(0))),
        requeue_after: None,
    }
}

fn pending(evict: &[&str]) -> RestartPlan {
    RestartPlan {
        evict: evict.iter().map(|s| (*s).to_owned()).collect(),
        restarted_at: None,
        requeue_after: Some(RESTART_POD_CHECK),
    }
}

#[test]
fn needs_restart_upstream_cases() {
    let unset: Rollout = serde_json::from_value(
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {}, "spec": {}}),
    )
    .unwrap();
    assert!(!needs_restart(&unset, at(0)), "no restartAt");
    assert!(
        !needs_restart(&rollout(Some(0), json!({})), at(10)),
        "already restarted"
    );
    assert!(
        !needs_restart(&rollout(None, json!({})), at(-10)),
        "restartAt in 10 seconds"
    );
    assert!(
        needs_restart(&rollout(None, json!({})), at(10)),
        "restartAt 10 seconds ago"
    );
    assert!(
        needs_restart(&rollout(Some(-60), json!({})), at(10)),
        "an earlier restart was done"
    );
}

#[test]
fn reconcile_upstream_cases() {
    let rs1 = rs("abc123", "uid-1", 1, -100);
    let older = pod("older", -10, "uid-1", true);
    let newer = pod("newer", 10, "uid-1", true);
    let equal = pod("equal", 0, "uid-1", true);
    let other_selector = with(
        pod("older", -10, "uid-1", true),
        json!({"metadata": {"labels": {"test": "test2"}}}),
    );
    let other_pod = pod("other-pod", -10, "uid-other", true);
    let ro = rollout(None, json!({}));
    type Case<'a> = (&'a str, Rollout, Vec<&'a ReplicaSet>, Vec<Pod>, RestartPlan);
    let cases: Vec<Case> = vec![
        (
            "no restart needed",
            rollout(Some(0), json!({})),
            vec![&rs1],
            vec![older.clone()],
            RestartPlan::default(),
        ),
        ("no pods at all", ro.clone(), vec![&rs1], vec![], done(&[])),
        (
            "deletes pod",
            ro.clone(),
            vec![&rs1],
            vec![older.clone()],
            done(&["older"]),
        ),
        (
            "no more pods to delete",
            ro.clone(),
            vec![&rs1],
            vec![newer.clone()],
            done(&[]),
        ),
        (
            "created at restartAt is current",
            ro.clone(),
            vec![&rs1],
            vec![equal],
            done(&[]),
        ),
        (
            "different label selector",
            ro.clone(),
            vec![&rs1],
            vec![other_selector],
            done(&[]),
        ),
        (
            "pods of other ReplicaSets are left alone",
            rollout(None, json!({"strategy": {"canary": {"maxUnavailable": 2}}})),
            vec![&rs1],
            vec![newer.clone(), other_pod],
            done(&[]),
        ),
    ];
    for (name, rollout, replica_sets, pods, expected) in cases {
        assert_eq!(plan(&rollout, &replica_sets, &pods), expected, "{name}");
    }
}

#[test]
fn max_unavailable_upstream_cases() {
    let rs1 = rs("abc123", "uid-1", 1, -100);
    let rs2 = rs("def456", "uid-2", 1, -50);
    let old1 = pod("older1", -10, "uid-1", true);
    let old2 = pod("older2", -10, "uid-1", true);
    let newer = pod("newer", 10, "uid-1", true);
    let newer_unready = pod("newer", 10, "uid-1", false);
    let old2_in_rs2 = pod("older2", -10, "uid-2", true);
    let old2_in_rs2_unready = pod("older2", -10, "uid-2", false);
    let scaled_down = rs("abc123", "uid-1", 0, -100);
    type Case<'a> = (&'a str, Value, Vec<&'a ReplicaSet>, Vec<Pod>, RestartPlan);
    let cases: Vec<Case> = vec![
        (
            "restart multiple",
            canary(3, json!(2)),
            vec![&rs1],
            vec![old1.clone(), old2.clone(), newer.clone()],
            done(&["older1", "older2"]),
        ),
        (
            "honour availability",
            canary(3, json!(2)),
            vec![&rs1],
            vec![old1.clone(), old2.clone(), newer_unready],
            pending(&["older1"]),
        ),
        (
            "maxUnavailable zero",
            canary(3, json!(0)),
            vec![&rs1],
            vec![old1.clone(), old2.clone(), newer.clone()],
            pending(&["older1"]),
        ),
        (
            "maxUnavailable 100%",
            canary(3, json!("100%")),
            vec![&rs1],
            vec![old1.clone(), old2.clone(), newer],
            done(&["older1", "older2"]),
        ),
        (
            "replicas 1 at weight 50",
            canary(1, Value::Null),
            vec![&rs1, &rs2],
            vec![old1.clone(), old2_in_rs2],
            pending(&["older1"]),
        ),
        (
            "already at min available",
            canary(1, Value::Null),
            vec![&rs1, &rs2],
            vec![old1, old2_in_rs2_unready],
            pending(&[]),
        ),
        ("replicas 0", canary(0, json!(2)), vec![&scaled_down], vec![], done(&[])),
    ];
    for (name, spec, replica_sets, pods, expected) in cases {
        assert_eq!(plan(&rollout(None, spec), &replica_sets, &pods), expected, "{name}");
    }
}

#[test]
fn a_future_restart_is_only_scheduled() {
    let ro = rollout(None, json!({}));
    let rs1 = rs("abc123", "uid-1", 1, -100);
    let pods = [pod("older", -100, "uid-1", true)];
    let input = RestartInput {
        rollout: &ro,
        replica_sets: &[&rs1],
        stable_hash: None,
        new_hash: None,
        pods: &pods,
        now: at(-90),
    };
    let expected = RestartPlan {
        requeue_after: Some(Duration::from_secs(90)),
        ..RestartPlan::default()
    };
    assert_eq!(plan_restart(&input), expected);
}

#[test]
fn order_is_stable_then_new_then_oldest() {
    let ro = rollout(None, canary(8, json!("100%")));
    let stable = rs("stable", "uid-s", 2, -50);
    let new = rs("new", "uid-n", 2, -10);
    let oldest = rs("oldest", "uid-o1", 2, -300);
    let old = rs("old", "uid-o2", 2, -200);
    let pods = [
        pod("z-new", -5, "uid-n", true),
        pod("b-old", -5, "uid-o2", true),
        pod("a-oldest", -5, "uid-o1", true),
        pod("y-stable", -5, "uid-s", true),
        pod("x-stable", -5, "uid-s", true),
        with(
            pod("orphan", -5, "uid-x", true),
            json!({"metadata": {"ownerReferences": null}}),
        ),
    ];
    let input = RestartInput {
        rollout: &ro,
        replica_sets: &[&old, &new, &oldest, &stable],
        stable_hash: Some("stable"),
        new_hash: Some("new"),
        pods: &pods,
        now: at(0),
    };
    assert_eq!(
        plan_restart(&input),
        done(&["x-stable", "y-stable", "z-new", "a-oldest", "b-old"])
    );
    // Upstream's comparator: stable beats new and older, new beats older, then creation time.
    let cmp = |a, b| by_priority(a, b, Some("stable"), Some("new"));
    assert_eq!(cmp(&stable, &new), Ordering::Less);
    assert_eq!(cmp(&new, &stable), Ordering::Greater);
    assert_eq!(cmp(&stable, &oldest), Ordering::Less);
    assert_eq!(cmp(&new, &oldest), Ordering::Less);
    assert_eq!(cmp(&oldest, &old), Ordering::Less);
}

#[test]
fn pods_being_deleted_or_not_ready_long_enough() {
    let rs1 = rs("abc123", "uid-1", 2, -100);
    let deleting = with(
        pod("deleting", -10, "uid-1", true),
        json!({"metadata": {"deletionTimestamp": ts(-1)}}),
    );
    let ro = rollout(None, canary(2, json!(2)));
    assert_eq!(
        plan(&ro, &[&rs1], &[deleting, pod("b", -10, "uid-1", true)]),
        pending(&["b"])
    );

    // minReadySeconds 10: a pod ready for 5 s is not available yet, one ready for 20 s is.
    let ready_since = |name, secs: i64| {
        with(
            pod(name, -10, "uid-1", true),
            json!({"status": {"conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": ts(-secs)}
            ]}}),
        )
    };
    let ro = rollout(
        None,
        json!({"replicas": 2, "minReadySeconds": 10, "strategy": {"canary": {"maxUnavailable": 1}}}),
    );
    assert_eq!(
        plan(&ro, &[&rs1], &[ready_since("a", 5), ready_since("b", 5)]),
        pending(&[])
    );
    assert_eq!(
        plan(&ro, &[&rs1], &[ready_since("a", 20), ready_since("b", 5)]),
        pending(&[])
    );
    assert_eq!(
        plan(&ro, &[&rs1], &[ready_since("a", 20), ready_since("b", 20)]),
        pending(&["a"])
    );
}

#[test]
fn converges_and_then_stays_quiet() {
    let ro = rollout(None, canary(2, json!(1)));
    let rs1 = rs("abc123", "uid-1", 2, -100);
    let mut pods = vec![pod("a", -10, "uid-1", true), pod("b", -10, "uid-1", true)];
    let mut rounds = 0;
    let finished = loop {
        let p = plan(&ro, &[&rs1], &pods);
        if p.restarted_at.is_some() {
            break p;
        }
        assert!(rounds < 5, "no progress");
        rounds += 1;
        // Evicted pods come back as fresh, ready ones.
        for name in &p.evict {
            pods.retain(|pod| pod.metadata.name.as_ref() != Some(name));
            pods.push(pod(&format!("{name}-{rounds}"), 5, "uid-1", true));
        }
    };
    assert_eq!(finished.restarted_at, Some(Time(at(0))));
    let mut recorded = ro.clone();
    recorded.status.get_or_insert_default().restarted_at = finished.restarted_at;
    assert_eq!(plan(&recorded, &[&rs1], &pods), RestartPlan::default());

    let mut refused = done(&["a"]);
    refused.eviction_refused();
    assert_eq!(refused, pending(&["a"]));
}

#[test]
fn odd_input_does_not_panic() {
    let ro = rollout(
        None,
        json!({"selector": {"matchExpressions": [{"key": "test", "operator": "Bogus"}]}}),
    );
    let bare = Pod::default();
    let rs_without_anything = ReplicaSet::default();
    assert_eq!(
        plan(&ro, &[&rs_without_anything], std::slice::from_ref(&bare)),
        done(&[])
    );
    let no_selector = rollout(None, json!({"selector": null}));
    let rs1 = rs("abc123", "uid-1", 1, -100);
    let nameless = with(
        pod("x", -10, "uid-1", true),
        json!({"metadata": {"name": null, "creationTimestamp": null}}),
    );
    assert_eq!(plan(&no_selector, &[&rs1], &[nameless, bare]), done(&[]));
    let unnamed_time = with(
        pod("y", -10, "uid-1", true),
        json!({"metadata": {"creationTimestamp": null}}),
    );
    assert_eq!(plan(&no_selector, &[&rs1], &[unnamed_time]), done(&["y"]));
    for (op, values, labels, expected) in [
        ("In", json!(["a"]), json!({"k": "a"}), true),
        ("NotIn", json!(["a"]), json!({"k": "a"}), false),
        ("NotIn", json!(["a"]), json!({}), true),
        ("Exists", Value::Null, json!({"k": ""}), true),
        ("DoesNotExist", Value::Null, json!({"k": ""}), false),
    ] {
        let selector: LabelSelector =
            serde_json::from_value(json!({"matchExpressions": [{"key": "k", "operator": op, "values": values}]}))
                .unwrap();
        let labels: BTreeMap<String, String> = serde_json::from_value(labels).unwrap();
        assert_eq!(selector_matches(&selector, Some(&labels)), expected, "{op}");
    }
}
