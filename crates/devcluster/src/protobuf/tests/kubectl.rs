//! Bodies kubectl v1.32 sent to a recording HTTP server, checked against the JSON
//! `kubectl ... --dry-run=client -o json` prints for the same command.
//!
//! The one expected difference: kubectl v1.32 prints `metadata.creationTimestamp: null`, while
//! current apimachinery tags that field `omitzero` and leaves it out (both mean "unset").

use serde_json::{Value, json};

use crate::protobuf::decode_object;

macro_rules! captured {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../testdata/", $name, ".pb")), include_str!(concat!("../testdata/", $name, ".json")))),*]
    };
}

/// `(name, body, dry-run JSON)`; the commands are listed in `testdata/README.md`.
const CAPTURED: &[(&str, &[u8], &str)] = captured![
    "clusterrole",
    "clusterrolebinding",
    "configmap",
    "cronjob",
    "deployment_web",
    "deployment_web2",
    "ingress",
    "job",
    "job_from_cronjob",
    "namespace",
    "pdb_max_unavailable",
    "pdb_min_available",
    "priorityclass",
    "resourcequota",
    "role",
    "rolebinding",
    "secret_docker_registry",
    "secret_generic",
    "service_clusterip",
    "service_externalname",
    "service_nodeport",
    "serviceaccount",
];

/// Drops `creationTimestamp: null` from every `metadata` object.
fn without_null_creation_timestamp(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(meta)) = map.get_mut("metadata")
                && meta.get("creationTimestamp") == Some(&Value::Null)
            {
                meta.remove("creationTimestamp");
            }
            map.values_mut().for_each(without_null_creation_timestamp);
        }
        Value::Array(items) => items.iter_mut().for_each(without_null_creation_timestamp),
        _ => {}
    }
}

#[test]
fn captured_kubectl_create_bodies_decode_to_the_json_kubectl_would_send() {
    for (name, body, expected) in CAPTURED {
        let mut expected: Value = serde_json::from_str(expected).unwrap();
        without_null_creation_timestamp(&mut expected);
        let got = decode_object(body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn captured_create_token_request() {
    let got = decode_object(include_bytes!("../testdata/tokenrequest.pb")).unwrap();
    let expected = json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "spec": {"audiences": null, "expirationSeconds": 600, "boundObjectRef": null},
        "status": {"token": "", "expirationTimestamp": null}
    });
    assert_eq!(got, expected);
}

#[test]
fn captured_auth_can_i_access_review() {
    let got = decode_object(include_bytes!("../testdata/selfsubjectaccessreview.pb")).unwrap();
    let expected = json!({
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {},
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}},
        "status": {"allowed": false}
    });
    assert_eq!(got, expected);
}

#[test]
fn captured_drain_delete_options() {
    let got = decode_object(include_bytes!("../testdata/deleteoptions.pb")).unwrap();
    assert_eq!(
        got,
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 30})
    );
}

#[test]
fn captured_bodies_carry_zero_fields_that_the_json_drops() {
    // Go's marshaller writes every non-pointer field; the namespace body has empty
    // generateName, namespace, uid, ... which must not show up as "" in the JSON.
    let body = include_bytes!("../testdata/namespace.pb");
    assert!(body.len() > 40, "the capture should include the zero-valued fields");
    let got = decode_object(body).unwrap();
    assert_eq!(got["metadata"], json!({"name": "team-a"}));
}
