//! Server-side apply behaviour.

use serde_json::{Value, json};

use super::*;

const NOW: &str = "2024-05-01T10:00:00Z";

fn cm(data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}, "data": data})
}

fn apply(live: Option<&Value>, applied: &Value, manager: &str, force: bool) -> Result<Value, ApplyError> {
    let strategy = match applied["kind"].as_str() {
        Some("Deployment") => Strategy::for_kind("apps", "Deployment"),
        Some(kind) => Strategy::for_kind("", kind),
        None => None,
    };
    server_side_apply(live, applied, manager, force, strategy.as_ref(), NOW)
}

fn entry<'v>(obj: &'v Value, manager: &str) -> Option<&'v Value> {
    obj["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|e| e["manager"] == manager)
}

#[test]
fn create_records_an_apply_entry() {
    let mut applied = cm(json!({"a": "1", "b": "2"}));
    applied["metadata"]["labels"] = json!({"app": "web"});
    let out = apply(None, &applied, "kubectl", false).unwrap();
    assert_eq!(out["data"], json!({"a": "1", "b": "2"}));
    assert_eq!(out["metadata"]["labels"], json!({"app": "web"}));
    let managed = out["metadata"]["managedFields"].as_array().unwrap();
    assert_eq!(managed.len(), 1);
    assert_eq!(
        managed[0],
        json!({
            "manager": "kubectl",
            "operation": "Apply",
            "apiVersion": "v1",
            "time": NOW,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}
        })
    );
}

#[test]
fn reapply_without_a_field_removes_it() {
    let mut first = cm(json!({"a": "1", "b": "2"}));
    first["metadata"]["labels"] = json!({"app": "web"});
    let live = apply(None, &first, "kubectl", false).unwrap();
    let out = apply(Some(&live), &cm(json!({"a": "1"})), "kubectl", false).unwrap();
    assert_eq!(out["data"], json!({"a": "1"}));
    assert!(
        out["metadata"].get("labels").is_none(),
        "emptied labels map is pruned: {out}"
    );
    assert_eq!(
        entry(&out, "kubectl").unwrap()["fieldsV1"],
        json!({"f:data": {"f:a": {}}})
    );
}

#[test]
fn fields_written_by_others_survive_reapply() {
    let live = apply(None, &cm(json!({"a": "1"})), "kubectl", false).unwrap();
    let mut edited = live.clone();
    edited["data"]["manual"] = json!("x");
    let out = apply(Some(&edited), &cm(json!({"a": "2"})), "kubectl", false).unwrap();
    assert_eq!(out["data"], json!({"a": "2", "manual": "x"}));
}

#[test]
fn two_managers_own_different_fields() {
    let live = apply(None, &cm(json!({"a": "1"})), "alice", false).unwrap();
    let live = apply(Some(&live), &cm(json!({"b": "2"})), "bob", false).unwrap();
    assert_eq!(live["data"], json!({"a": "1", "b": "2"}));
    assert_eq!(
        entry(&live, "alice").unwrap()["fieldsV1"],
        json!({"f:data": {"f:a": {}}})
    );
    assert_eq!(entry(&live, "bob").unwrap()["fieldsV1"], json!({"f:data": {"f:b": {}}}));

    let live = apply(Some(&live), &cm(json!({"a": "changed"})), "alice", false).unwrap();
    assert_eq!(live["data"], json!({"a": "changed", "b": "2"}));
    let alice_only_name = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}});
    let live = apply(Some(&live), &alice_only_name, "alice", false).unwrap();
    assert_eq!(live["data"], json!({"b": "2"}));
    assert!(entry(&live, "alice").is_none(), "managers with no fields are dropped");
}

#[test]
fn conflict_without_force() {
    let live = apply(None, &cm(json!({"a": "1"})), "alice", false).unwrap();
    let err = apply(Some(&live), &cm(json!({"a": "2"})), "bob", false).unwrap_err();
    assert_eq!(
        err,
        ApplyError::Conflict {
            conflicts: vec![FieldConflict {
                manager: "alice".into(),
                path: ".data.a".into()
            }]
        }
    );
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"alice\": .data.a"
    );
}

#[test]
fn same_value_is_shared_not_conflicting() {
    let live = apply(None, &cm(json!({"a": "1"})), "alice", false).unwrap();
    let live = apply(Some(&live), &cm(json!({"a": "1"})), "bob", false).unwrap();
    assert!(entry(&live, "alice").is_some() && entry(&live, "bob").is_some());
    // alice stops applying it; bob still owns it, so it stays.
    let empty = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"z": "9"}});
    let live = apply(Some(&live), &empty, "alice", false).unwrap();
    assert_eq!(live["data"], json!({"a": "1", "z": "9"}));
}

#[test]
fn force_moves_ownership() {
    let live = apply(None, &cm(json!({"a": "1", "keep": "k"})), "alice", false).unwrap();
    let live = apply(Some(&live), &cm(json!({"a": "2"})), "bob", true).unwrap();
    assert_eq!(live["data"], json!({"a": "2", "keep": "k"}));
    assert_eq!(
        entry(&live, "alice").unwrap()["fieldsV1"],
        json!({"f:data": {"f:keep": {}}})
    );
    assert_eq!(entry(&live, "bob").unwrap()["fieldsV1"], json!({"f:data": {"f:a": {}}}));
    // alice no longer owns `a`, so dropping it from her config leaves bob's value alone, and
    // she now conflicts with bob when she sets it.
    let live2 = apply(Some(&live), &cm(json!({"keep": "k"})), "alice", false).unwrap();
    assert_eq!(live2["data"]["a"], "2");
    assert!(matches!(
        apply(Some(&live), &cm(json!({"a": "3"})), "alice", false),
        Err(ApplyError::Conflict { .. })
    ));
}

fn deploy(containers: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"template": {"spec": {"containers": containers}}}})
}

#[test]
fn keyed_lists_merge_by_key() {
    let live = apply(
        None,
        &deploy(json!([{"name": "app", "image": "a:1"}, {"name": "side", "image": "s:1"}])),
        "alice",
        false,
    )
    .unwrap();
    assert_eq!(
        entry(&live, "alice").unwrap()["fieldsV1"],
        json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}},
            "k:{\"name\":\"side\"}": {".": {}, "f:image": {}, "f:name": {}}
        }}}}})
    );
    let live = apply(
        Some(&live),
        &deploy(json!([{"name": "app", "env": [{"name": "X", "value": "1"}]}])),
        "bob",
        false,
    )
    .unwrap();
    let cs = live.pointer("/spec/template/spec/containers").unwrap();
    assert_eq!(
        cs,
        &json!([{"name": "app", "image": "a:1", "env": [{"name": "X", "value": "1"}]}, {"name": "side", "image": "s:1"}])
    );
    // alice drops both containers: the sidecar goes; app stays (bob co-owns it) minus her image.
    let live = apply(Some(&live), &deploy(json!([])), "alice", false).unwrap();
    let cs = live.pointer("/spec/template/spec/containers").unwrap();
    assert_eq!(cs, &json!([{"name": "app", "env": [{"name": "X", "value": "1"}]}]));
}

#[test]
fn keyed_element_conflicts_name_the_element() {
    let live = apply(None, &deploy(json!([{"name": "app", "image": "a:1"}])), "alice", false).unwrap();
    let err = apply(
        Some(&live),
        &deploy(json!([{"name": "app", "image": "a:2"}])),
        "bob",
        false,
    )
    .unwrap_err();
    let ApplyError::Conflict { conflicts } = err else {
        panic!("expected a conflict")
    };
    assert_eq!(conflicts[0].path, ".spec.template.spec.containers[name=\"app\"].image");
}

#[test]
fn duplicate_keys_are_rejected() {
    let err = apply(None, &deploy(json!([{"name": "app"}, {"name": "app"}])), "alice", false).unwrap_err();
    assert!(
        matches!(err, ApplyError::Invalid(ref m) if m.contains("duplicate")),
        "{err}"
    );
}

#[test]
fn finalizers_are_a_set() {
    let with =
        |fins: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "finalizers": fins}});
    let live = apply(None, &with(json!(["x"])), "alice", false).unwrap();
    let live = apply(Some(&live), &with(json!(["y"])), "bob", false).unwrap();
    assert_eq!(live["metadata"]["finalizers"], json!(["x", "y"]));
    assert_eq!(
        entry(&live, "bob").unwrap()["fieldsV1"],
        json!({"f:metadata": {"f:finalizers": {"v:\"y\"": {}}}})
    );
    let live = apply(Some(&live), &with(json!([])), "alice", false).unwrap();
    assert_eq!(live["metadata"]["finalizers"], json!(["y"]));
}

#[test]
fn lists_without_strategy_are_atomic() {
    let cr = |args: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"items": args}});
    let live = server_side_apply(None, &cr(json!([{"name": "a"}, {"name": "b"}])), "m", false, None, NOW).unwrap();
    let live = server_side_apply(Some(&live), &cr(json!([{"name": "c"}])), "m", false, None, NOW).unwrap();
    assert_eq!(live["spec"]["items"], json!([{"name": "c"}]));
    assert_eq!(
        entry(&live, "m").unwrap()["fieldsV1"],
        json!({"f:spec": {"f:items": {}}})
    );
}

#[test]
fn update_entries_protect_but_never_conflict() {
    let mut live = cm(json!({"a": "1", "b": "2"}));
    live["metadata"]["managedFields"] = json!([{
        "manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1", "time": NOW,
        "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}}
    }]);
    let out = apply(Some(&live), &cm(json!({"a": "changed"})), "alice", false).unwrap();
    assert_eq!(out["data"], json!({"a": "changed", "b": "2"}));
    assert_eq!(
        entry(&out, "kubectl-edit").unwrap()["fieldsV1"],
        json!({"f:data": {"f:b": {}}})
    );
}

#[test]
fn nulls_and_managed_fields_in_the_request_are_ignored() {
    let mut applied = cm(json!({"a": "1", "gone": null}));
    applied["metadata"]["managedFields"] = json!([{"manager": "forged", "operation": "Apply"}]);
    let out = apply(None, &applied, "alice", false).unwrap();
    assert_eq!(out["data"], json!({"a": "1"}));
    assert_eq!(out["metadata"]["managedFields"].as_array().unwrap().len(), 1);
}

#[test]
fn invalid_requests() {
    assert!(matches!(
        apply(None, &json!([1]), "alice", false),
        Err(ApplyError::Invalid(_))
    ));
    assert!(matches!(
        apply(None, &cm(json!({})), "", false),
        Err(ApplyError::Invalid(_))
    ));
    assert!(matches!(
        apply(Some(&json!("x")), &cm(json!({})), "alice", false),
        Err(ApplyError::Invalid(_))
    ));
}

#[test]
fn fields_v1_leaves_out_identity_fields() {
    let obj = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "1", "annotations": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}], "tolerations": [], "nodeName": null}});
    let fields = fields_v1(&obj, Strategy::for_kind("", "Pod").as_ref());
    assert_eq!(
        fields,
        json!({"f:metadata": {"f:annotations": {"f:a": {}}},
               "f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {".": {}, "f:name": {},
                   "f:ports": {"k:{\"containerPort\":80}": {".": {}, "f:containerPort": {}}}}},
                   "f:tolerations": {}}})
    );
}

#[test]
fn foreign_multi_key_tokens_are_understood() {
    // Entries written by a real API server use compound keys; they still resolve.
    let mut live = deploy(json!([{"name": "app", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]));
    live["metadata"]["managedFields"] = json!([{
        "manager": "other", "operation": "Apply", "apiVersion": "apps/v1", "time": NOW, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {
            ".": {}, "f:name": {}, "f:ports": {"k:{\"protocol\":\"TCP\",\"containerPort\":80}": {".": {}, "f:containerPort": {}}}
        }}}}}}
    }]);
    let out = apply(
        Some(&live),
        &deploy(json!([{"name": "app", "image": "x"}])),
        "alice",
        false,
    )
    .unwrap();
    let ports = out.pointer("/spec/template/spec/containers/0/ports").unwrap();
    assert_eq!(ports, &json!([{"containerPort": 80, "protocol": "TCP"}]));
    assert_eq!(out.pointer("/spec/template/spec/containers/0/image").unwrap(), "x");
}
