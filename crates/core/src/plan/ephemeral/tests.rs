use super::*;
use serde_json::json;

fn metadata(value: Value) -> PodTemplateMetadata {
    serde_json::from_value(value).unwrap()
}

fn replica_set(annotation: Option<&str>, template_meta: Value) -> ReplicaSet {
    let annotations = annotation.map(|a| json!({ EPHEMERAL_METADATA: a }));
    serde_json::from_value(json!({
        "metadata": {"name": "guestbook", "namespace": "default", "annotations": annotations},
        "spec": {"selector": {}, "template": {"metadata": template_meta}},
    }))
    .unwrap()
}

fn template_meta(rs: &ReplicaSet) -> Value {
    let meta = rs.spec.template.as_ref().and_then(|t| t.metadata.clone());
    serde_json::to_value(meta.unwrap_or_default()).unwrap()
}

fn annotation(rs: &ReplicaSet) -> Option<&str> {
    rs.metadata
        .annotations
        .as_ref()?
        .get(EPHEMERAL_METADATA)
        .map(String::as_str)
}

/// RFC 7386 merge, enough for metadata patches.
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        return *target = patch.clone();
    };
    if !target.is_object() {
        *target = json!({});
    }
    let Value::Object(target) = target else { return };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// Syncs until nothing changes, returning the final ReplicaSet; asserts the fixpoint comes in one step.
fn sync_to_fixpoint(rs: &ReplicaSet, desired: Option<&PodTemplateMetadata>) -> ReplicaSet {
    let Some(sync) = sync_replica_set_metadata(rs, desired) else {
        return rs.clone();
    };
    assert_eq!(
        sync_replica_set_metadata(&sync.replica_set, desired),
        None,
        "not idempotent"
    );
    sync.replica_set
}

const RECORDED: &str = r#"{"labels":{"aaa":"111","bbb":"222"},"annotations":{"ccc":"333","ddd":"444"}}"#;

fn upstream_rs() -> ReplicaSet {
    replica_set(
        Some(RECORDED),
        json!({"labels": {"aaa": "111", "bbb": "222"}, "annotations": {"ccc": "333", "ddd": "444"}}),
    )
}

#[test]
fn replica_set_sync_upstream_cases() {
    let rs = upstream_rs();
    // The same metadata again changes nothing.
    let same = metadata(json!({"labels": {"aaa": "111", "bbb": "222"}, "annotations": {"ccc": "333", "ddd": "444"}}));
    assert_eq!(sync_replica_set_metadata(&rs, Some(&same)), None);

    // Less metadata: the dropped keys go, the record is rewritten in Go's shape.
    let fewer = metadata(json!({"labels": {"aaa": "111"}, "annotations": {"ccc": "333"}}));
    let sync = sync_replica_set_metadata(&rs, Some(&fewer)).unwrap();
    assert_eq!(
        template_meta(&sync.replica_set),
        json!({"labels": {"aaa": "111"}, "annotations": {"ccc": "333"}})
    );
    assert_eq!(
        annotation(&sync.replica_set),
        Some(r#"{"labels":{"aaa":"111"},"annotations":{"ccc":"333"}}"#)
    );
    assert_eq!(
        sync.pod_patch,
        json!({"metadata": {"labels": {"aaa": "111", "bbb": null}, "annotations": {"ccc": "333", "ddd": null}}})
    );
    assert_eq!(sync_replica_set_metadata(&sync.replica_set, Some(&fewer)), None);

    // No metadata: everything injected goes, and so does the record.
    let sync = sync_replica_set_metadata(&rs, None).unwrap();
    assert_eq!(template_meta(&sync.replica_set), json!({}));
    assert_eq!(sync.replica_set.metadata.annotations, None);
    assert_eq!(
        sync.pod_patch,
        json!({"metadata": {"labels": {"aaa": null, "bbb": null}, "annotations": {"ccc": null, "ddd": null}}})
    );
    assert_eq!(sync_replica_set_metadata(&sync.replica_set, None), None);
}

#[test]
fn pod_sync_upstream_cases() {
    let pod: ObjectMeta = serde_json::from_value(json!({
        "labels": {"aaa": "111", "do-not": "touch", "bbb": "222"},
        "annotations": {"ccc": "333", "do-not": "touch", "ddd": "444"},
    }))
    .unwrap();
    let existing = metadata(serde_json::from_str(RECORDED).unwrap());
    let mut with_extra = existing.clone();
    with_extra
        .labels
        .get_or_insert_default()
        .insert("foo".into(), "bar".into());
    let desired = metadata(json!({"labels": {"aaa": "222"}, "annotations": {"ccc": "444"}}));
    let cases = [
        ("no changes", &existing, &existing, None),
        ("recorded key already absent", &with_extra, &existing, None),
        (
            "foreign keys untouched",
            &existing,
            &desired,
            Some(json!({"metadata": {
                "labels": {"aaa": "222", "bbb": null}, "annotations": {"ccc": "444", "ddd": null}
            }})),
        ),
    ];
    for (name, recorded, desired, expected) in cases {
        let patch = sync_pod_metadata(&pod, Some(recorded), Some(desired));
        assert_eq!(patch, expected, "{name}");
        if let Some(patch) = patch {
            let mut patched = json!({"metadata": serde_json::to_value(&pod).unwrap()});
            merge(&mut patched, &patch);
            assert_eq!(
                patched["metadata"],
                json!({"labels": {"aaa": "222", "do-not": "touch"}, "annotations": {"ccc": "444", "do-not": "touch"}})
            );
            let patched: ObjectMeta = serde_json::from_value(patched["metadata"].clone()).unwrap();
            assert_eq!(
                sync_pod_metadata(&patched, Some(desired), Some(desired)),
                None,
                "{name}: idempotent"
            );
        }
    }
}

#[test]
fn recorded_metadata_upstream_cases() {
    let foreign: ReplicaSet =
        serde_json::from_value(json!({"metadata": {"annotations": {"foo": "bar"}}, "spec": {"selector": {}}})).unwrap();
    let cases = [
        ("no metadata", ReplicaSet::default(), None),
        ("no ephemeral metadata key", foreign, None),
        ("invalid", replica_set(Some("foo"), Value::Null), None),
        (
            "valid",
            replica_set(
                Some(r#"{"labels":{"foo":"bar"},"annotations":{"bar":"baz"}}"#),
                Value::Null,
            ),
            Some(metadata(
                json!({"labels": {"foo": "bar"}, "annotations": {"bar": "baz"}}),
            )),
        ),
    ];
    for (name, rs, expected) in cases {
        assert_eq!(recorded_metadata(&rs), expected, "{name}");
    }
}

fn rollout(strategy: Value) -> Rollout {
    serde_json::from_value(json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {}, "spec": {"strategy": strategy}}))
        .unwrap()
}

#[test]
fn desired_metadata_per_strategy_and_role() {
    let canary = rollout(json!({"canary": {
        "canaryMetadata": {"labels": {"role": "canary"}}, "stableMetadata": {"labels": {"role": "stable"}}
    }}));
    let blue_green = rollout(json!({"blueGreen": {"activeService": "a",
        "previewMetadata": {"labels": {"role": "preview"}}, "activeMetadata": {"labels": {"role": "active"}}
    }}));
    let none = rollout(json!({"canary": {}}));
    let role = |ro: &Rollout, role| desired_metadata(ro, role).and_then(|m| m.labels.as_ref()?.get("role").cloned());
    assert_eq!(role(&canary, ReplicaSetRole::Stable).as_deref(), Some("stable"));
    assert_eq!(role(&canary, ReplicaSetRole::Canary).as_deref(), Some("canary"));
    assert_eq!(role(&blue_green, ReplicaSetRole::Stable).as_deref(), Some("active"));
    assert_eq!(role(&blue_green, ReplicaSetRole::Canary).as_deref(), Some("preview"));
    assert_eq!(desired_metadata(&canary, ReplicaSetRole::Other), None);
    assert_eq!(desired_metadata(&none, ReplicaSetRole::Stable), None);
    assert_eq!(desired_metadata(&rollout(Value::Null), ReplicaSetRole::Stable), None);
    assert!(ephemeral_metadata_configured(&canary) && ephemeral_metadata_configured(&blue_green));
    assert!(!ephemeral_metadata_configured(&none) && !ephemeral_metadata_configured(&rollout(Value::Null)));
}

#[test]
fn roles_follow_promotion() {
    use ReplicaSetRole::*;
    let cases = [
        ("initial revision: the new RS is stable", "a", None, Some("a"), Stable),
        ("fully promoted", "a", Some("a"), Some("a"), Stable),
        ("update: new RS is the canary", "b", Some("a"), Some("b"), Canary),
        ("update: stable RS", "a", Some("a"), Some("b"), Stable),
        ("update: older RS", "c", Some("a"), Some("b"), Other),
        ("no new RS yet: stable", "a", Some("a"), None, Stable),
        ("empty stable hash", "c", Some(""), Some("b"), Other),
    ];
    for (name, rs, stable, new, expected) in cases {
        assert_eq!(ReplicaSetRole::of(rs, stable, new), expected, "{name}");
    }
}

/// Second revision of a canary: the stable RS and its pods get the stable metadata, the hash label stays.
#[test]
fn stable_replica_set_and_pods_get_stable_metadata() {
    let labels = json!({"foo": "bar", POD_TEMPLATE_HASH: "abc"});
    let rs = replica_set(None, json!({"labels": labels}));
    let stable = metadata(json!({"labels": {"role": "stable"}}));
    let sync = sync_replica_set_metadata(&rs, Some(&stable)).unwrap();
    assert_eq!(
        template_meta(&sync.replica_set),
        json!({"labels": {"foo": "bar", "role": "stable", POD_TEMPLATE_HASH: "abc"}})
    );
    assert_eq!(annotation(&sync.replica_set), Some(r#"{"labels":{"role":"stable"}}"#));
    assert_eq!(sync.pod_patch, json!({"metadata": {"labels": {"role": "stable"}}}));
    let mut pod = json!({"metadata": {"name": "foo-abc123", "labels": labels}});
    merge(&mut pod, &sync.pod_patch);
    assert_eq!(
        pod["metadata"]["labels"],
        json!({"foo": "bar", "role": "stable", POD_TEMPLATE_HASH: "abc"})
    );

    // Switching to the canary metadata replaces the injected value; then removing drops it.
    let canary = metadata(json!({"labels": {"role": "canary"}, "annotations": {"note": "x"}}));
    let as_canary = sync_to_fixpoint(&sync.replica_set, Some(&canary));
    assert_eq!(
        template_meta(&as_canary),
        json!({"labels": {"foo": "bar", "role": "canary", POD_TEMPLATE_HASH: "abc"}, "annotations": {"note": "x"}})
    );
    let removed = sync_to_fixpoint(&as_canary, None);
    assert_eq!(
        template_meta(&removed),
        json!({"labels": {"foo": "bar", POD_TEMPLATE_HASH: "abc"}})
    );
    assert_eq!(removed.metadata.annotations, None);
}

#[test]
fn the_hash_label_is_never_touched() {
    let rs = replica_set(
        Some(r#"{"labels":{"rollouts-pod-template-hash":"zzz","x":"1"}}"#),
        json!({"labels": {
            POD_TEMPLATE_HASH: "abc", "x": "1"
        }}),
    );
    let sneaky = metadata(json!({"labels": {POD_TEMPLATE_HASH: "evil"}}));
    let sync = sync_replica_set_metadata(&rs, Some(&sneaky)).unwrap();
    assert_eq!(
        template_meta(&sync.replica_set),
        json!({"labels": {POD_TEMPLATE_HASH: "abc"}})
    );
    assert_eq!(annotation(&sync.replica_set), Some("{}"));
    assert_eq!(sync.pod_patch, json!({"metadata": {"labels": {"x": null}}}));
    let removed = sync_replica_set_metadata(&rs, None).unwrap();
    assert_eq!(
        template_meta(&removed.replica_set),
        json!({"labels": {POD_TEMPLATE_HASH: "abc"}})
    );
}

#[test]
fn odd_input_does_not_panic() {
    let desired = metadata(json!({"labels": {"a": "<&>"}, "annotations": {}}));
    // No spec or template: nothing to sync.
    assert_eq!(sync_replica_set_metadata(&ReplicaSet::default(), Some(&desired)), None);
    // No metadata anywhere, unparsable record: treated as nothing injected before.
    let rs = replica_set(Some("not json"), Value::Null);
    let sync = sync_replica_set_metadata(&rs, Some(&desired)).unwrap();
    // Go's HTML-safe escaping, empty maps omitted.
    assert_eq!(
        annotation(&sync.replica_set),
        Some(r#"{"labels":{"a":"\u003c\u0026\u003e"}}"#)
    );
    assert_eq!(sync_replica_set_metadata(&sync.replica_set, Some(&desired)), None);
    // An empty value is still injected when missing.
    let empty_value = metadata(json!({"labels": {"e": ""}}));
    let sync = sync_replica_set_metadata(&rs, Some(&empty_value)).unwrap();
    assert_eq!(template_meta(&sync.replica_set), json!({"labels": {"e": ""}}));
    // Pods without metadata.
    assert_eq!(
        sync_pod_metadata(&ObjectMeta::default(), None, Some(&desired)),
        Some(json!({"metadata": {"labels": {"a": "<&>"}}}))
    );
    assert_eq!(sync_pod_metadata(&ObjectMeta::default(), Some(&desired), None), None);
    assert_eq!(sync_replica_set_metadata(&replica_set(None, Value::Null), None), None);
}
