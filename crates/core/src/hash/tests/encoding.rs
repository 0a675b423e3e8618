use super::super::{HashError, go_json};
use serde_json::json;

fn template(value: serde_json::Value) -> String {
    match go_json(&value, "corev1.PodTemplateSpec") {
        Ok(json) => json,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn absent_fields_are_go_zero_values() {
    assert_eq!(template(json!({})), r#"{"metadata":{},"spec":{"containers":null}}"#);
    assert_eq!(
        template(
            json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"image": "nginx", "name": "c"}]}})
        ),
        r#"{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"nginx","resources":{}}]}}"#
    );
}

#[test]
fn fields_follow_go_declaration_order_and_unknown_fields_are_dropped() {
    let value = json!({"spec": {
        "schedulerName": "s", "restartPolicy": "Always", "noSuchField": 1,
        "containers": [{"tty": true, "ports": [{"protocol": "TCP", "containerPort": 80}], "name": "c"}],
    }});
    assert_eq!(
        template(value),
        r#"{"metadata":{},"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{},"tty":true}],"restartPolicy":"Always","schedulerName":"s"}}"#
    );
}

#[test]
fn creation_timestamp_is_omitted_when_zero_and_printed_in_utc_otherwise() {
    assert_eq!(
        template(json!({"metadata": {"creationTimestamp": null}})),
        r#"{"metadata":{},"spec":{"containers":null}}"#
    );
    assert_eq!(
        template(
            json!({"metadata": {"creationTimestamp": "2020-01-01T01:00:00.5+01:00", "generation": 2, "labels": {"a": "b"}}})
        ),
        r#"{"metadata":{"generation":2,"creationTimestamp":"2020-01-01T00:00:00Z","labels":{"a":"b"}},"spec":{"containers":null}}"#
    );
}

#[test]
fn map_keys_are_sorted_and_strings_escaped_like_go() {
    let value = json!({"metadata": {"annotations": {"z": "1", "a": "<&>", "B": "\u{2028}"}}});
    assert_eq!(
        template(value),
        r#"{"metadata":{"annotations":{"B":"\u2028","a":"\u003c\u0026\u003e","z":"1"}},"spec":{"containers":null}}"#
    );
}

#[test]
fn quantities_and_int_or_strings_print_like_their_go_marshallers() {
    let value = json!({"spec": {"containers": [{
        "name": "c",
        "resources": {"limits": {"memory": "1024Mi", "cpu": 1}, "requests": {"cpu": "0.5", "memory": "100Mi"}},
        "livenessProbe": {"httpGet": {"port": "http"}, "tcpSocket": {"port": 8080}},
    }]}});
    assert_eq!(
        template(value),
        concat!(
            r#"{"metadata":{},"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m","memory":"100Mi"}},"#,
            r#""livenessProbe":{"httpGet":{"port":"http"},"tcpSocket":{"port":8080}}}]}}"#
        )
    );
}

#[test]
fn embedded_structs_are_promoted() {
    let value = json!({"spec": {"volumes": [{"configMap": {"name": "cm"}, "name": "v"}], "containers": []}});
    assert_eq!(
        template(value),
        r#"{"metadata":{},"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}}],"containers":[]}}"#
    );
}

#[test]
fn empty_and_absent_lists_differ_where_go_keeps_them() {
    // `containers` has no omitempty: nil prints null, an empty list prints [].
    assert_eq!(
        template(json!({"spec": {"containers": []}})),
        r#"{"metadata":{},"spec":{"containers":[]}}"#
    );
    // `command` has omitempty: both are dropped.
    assert_eq!(
        template(json!({"spec": {"containers": [{"name": "c", "command": []}]}})),
        r#"{"metadata":{},"spec":{"containers":[{"name":"c","resources":{}}]}}"#
    );
}

#[test]
fn canary_steps_follow_argo_types() {
    let step = |value| go_json(&value, "v1alpha1.CanaryStep");
    assert_eq!(step(json!({"setWeight": 10})).as_deref(), Ok(r#"{"setWeight":10}"#));
    assert_eq!(
        step(json!({"pause": {"duration": "1h"}})).as_deref(),
        Ok(r#"{"pause":{"duration":"1h"}}"#)
    );
    // `metadata` and `analysisRunMetadata` are non-pointer structs: always written.
    assert_eq!(
        step(json!({"experiment": {"templates": [{"specRef": "stable", "name": "a"}]}})).as_deref(),
        Ok(r#"{"experiment":{"templates":[{"name":"a","specRef":"stable","metadata":{}}],"analysisRunMetadata":{}}}"#)
    );
    // Plugin config is raw JSON: re-encoded with sorted keys and Go escaping.
    assert_eq!(
        step(json!({"plugin": {"config": {"z": 1, "a": "<x>", "f": 1.5, "n": [1.0, null]}, "name": "p"}})).as_deref(),
        Ok(r#"{"plugin":{"name":"p","config":{"a":"\u003cx\u003e","f":1.5,"n":[1,null],"z":1}}}"#)
    );
}

#[test]
fn misfits_and_unknown_types_are_errors() {
    assert_eq!(
        go_json(&json!({}), "NoSuchType"),
        Err(HashError::UnknownType("NoSuchType".to_owned()))
    );
    match go_json(&json!({"spec": {"containers": [{"name": 3}]}}), "PodTemplateSpec") {
        Err(HashError::Mismatch { problems, .. }) => {
            assert_eq!(problems, vec!["spec.containers.0.name: expected a string, got 3"]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn bare_names_resolve_when_unambiguous() {
    assert_eq!(
        go_json(&json!({"name": "x"}), "Container").as_deref(),
        Ok(r#"{"name":"x","resources":{}}"#)
    );
}
