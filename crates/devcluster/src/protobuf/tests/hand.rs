//! Hand-encoded objects, one per concern: Go's JSON rules (omitempty, pointers, embedded
//! structs, nil slices), the special apimachinery types inside real kinds, and error cases.

use serde_json::json;

use super::encoder::{Msg, envelope, int_or_string_int, int_or_string_str, quantity, time};
use crate::protobuf::{ProtobufError, decode_object, is_protobuf_media_type, supports_kind};

/// `ObjectMeta` with a name and labels.
fn meta(name: &str, labels: &[(&str, &str)]) -> Msg {
    labels
        .iter()
        .fold(Msg::new().string(1, name), |m, (k, v)| m.entry(11, k, v))
}

#[test]
fn namespace() {
    let ns = Msg::new()
        .msg(1, meta("team-a", &[("owner", "me")]))
        .msg(2, Msg::new().string(1, "kubernetes"));
    let got = decode_object(&envelope("v1", "Namespace", ns)).unwrap();
    let expected = json!({
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {"name": "team-a", "labels": {"owner": "me"}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {}
    });
    assert_eq!(got, expected);
}

/// What `kubectl create deployment web --image=nginx:1.25 --replicas=2` sends.
#[test]
fn deployment_like_kubectl_create() {
    let container = Msg::new().string(1, "nginx").string(2, "nginx:1.25").msg(8, Msg::new());
    let template = Msg::new()
        .msg(1, Msg::new().entry(11, "app", "web"))
        .msg(2, Msg::new().msg(2, container));
    let spec = Msg::new()
        .int(1, 2)
        .msg(2, Msg::new().entry(1, "app", "web"))
        .msg(3, template)
        .msg(4, Msg::new());
    let deployment = Msg::new()
        .msg(1, meta("web", &[("app", "web")]))
        .msg(2, spec)
        .msg(3, Msg::new());
    let got = decode_object(&envelope("apps/v1", "Deployment", deployment)).unwrap();
    let expected = json!({
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "resources": {}}]}
            },
            "strategy": {}
        },
        "status": {}
    });
    assert_eq!(got, expected);
    // The same as kubectl's own JSON for that command, up to the `creationTimestamp: null`
    // that current apimachinery omits.
    let mut dry_run: serde_json::Value = serde_json::from_str(include_str!("../testdata/deployment_web.json")).unwrap();
    dry_run["metadata"].as_object_mut().unwrap().remove("creationTimestamp");
    dry_run["spec"]["template"]["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("creationTimestamp");
    dry_run["metadata"].as_object_mut().unwrap().remove("namespace");
    assert_eq!(got, dry_run);
}

#[test]
fn zero_valued_fields_on_the_wire_follow_go_json_rules() {
    // Go writes non-pointer fields even when zero; omitempty drops them again, fields without
    // it keep their zero value, absent pointers and nil slices without omitempty are null.
    let container = Msg::new().string(1, "").string(2, "").bool(16, false);
    let pod_spec = Msg::new().string(3, "").int(25, 0).msg(2, container);
    let pod = Msg::new()
        .msg(1, Msg::new().string(1, "p").string(2, "").int(7, 0))
        .msg(2, pod_spec);
    let got = decode_object(&envelope("v1", "Pod", pod)).unwrap();
    assert_eq!(got["metadata"], json!({"name": "p"}));
    // `priority` is a pointer: sent as 0 it stays 0. `name` has no omitempty: "" stays.
    assert_eq!(
        got["spec"],
        json!({"containers": [{"name": "", "resources": {}}], "priority": 0})
    );

    let empty_pod = decode_object(&envelope("v1", "Pod", Msg::new())).unwrap();
    assert_eq!(empty_pod["spec"], json!({"containers": null}));
    assert_eq!(empty_pod["status"], json!({}));
}

#[test]
fn secret_bytes_are_base64() {
    let secret = Msg::new()
        .msg(1, meta("s", &[]))
        .bool(5, false)
        .entry_bytes(2, "password", b"p@ss")
        .entry_bytes(2, "binary", &[0, 159, 146, 150, 255])
        .entry_bytes(2, "empty", b"")
        .msg(2, Msg::new().string(1, "missing-value"))
        .entry(4, "plain", "text")
        .string(3, "Opaque");
    let got = decode_object(&envelope("v1", "Secret", secret)).unwrap();
    let expected = json!({
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": {"name": "s"},
        "immutable": false,
        "data": {"password": "cEBzcw==", "binary": "AJ+Slv8=", "empty": "", "missing-value": null},
        "stringData": {"plain": "text"},
        "type": "Opaque"
    });
    assert_eq!(got, expected);
}

#[test]
fn service_target_ports_are_numbers_or_strings() {
    let spec = Msg::new()
        .msg(
            1,
            Msg::new()
                .string(1, "http")
                .string(2, "TCP")
                .int(3, 80)
                .msg(4, int_or_string_int(8080)),
        )
        .msg(
            1,
            Msg::new()
                .string(1, "https")
                .int(3, 443)
                .msg(4, int_or_string_str("https")),
        )
        .msg(1, Msg::new().int(3, 9000))
        .entry(2, "app", "web")
        .string(4, "ClusterIP");
    let got = decode_object(&envelope(
        "v1",
        "Service",
        Msg::new().msg(1, meta("web", &[])).msg(2, spec),
    ))
    .unwrap();
    let expected = json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": {"name": "web"},
        "spec": {
            "ports": [
                {"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080},
                {"name": "https", "port": 443, "targetPort": "https"},
                // Go's IntOrString is a struct, so omitempty never drops it.
                {"port": 9000, "targetPort": 0}
            ],
            "selector": {"app": "web"},
            "type": "ClusterIP"
        },
        "status": {"loadBalancer": {}}
    });
    assert_eq!(got, expected);
}

#[test]
fn eviction_with_delete_options() {
    let options = Msg::new()
        .int(1, 30)
        .msg(2, Msg::new().string(1, "uid-1"))
        .string(4, "Foreground")
        .string(5, "All");
    let eviction = Msg::new()
        .msg(1, Msg::new().string(1, "p1").string(3, "default"))
        .msg(2, options);
    let got = decode_object(&envelope("policy/v1", "Eviction", eviction)).unwrap();
    let expected = json!({
        "kind": "Eviction",
        "apiVersion": "policy/v1",
        "metadata": {"name": "p1", "namespace": "default"},
        "deleteOptions": {
            "gracePeriodSeconds": 30,
            "preconditions": {"uid": "uid-1"},
            "propagationPolicy": "Foreground",
            "dryRun": ["All"]
        }
    });
    assert_eq!(got, expected);
}

#[test]
fn delete_options_under_any_group_version() {
    let options = Msg::new().int(1, 0).bool(3, true);
    for api_version in ["v1", "apps/v1", "meta.k8s.io/v1"] {
        let got = decode_object(&envelope(api_version, "DeleteOptions", options.clone())).unwrap();
        let expected = json!({"kind": "DeleteOptions", "apiVersion": api_version, "gracePeriodSeconds": 0, "orphanDependents": true});
        assert_eq!(got, expected);
    }
}

#[test]
fn job_times() {
    let template = Msg::new().msg(
        2,
        Msg::new()
            .string(3, "Never")
            .msg(2, Msg::new().string(1, "c").string(2, "busybox")),
    );
    let status = Msg::new()
        .msg(2, time(1_767_323_045, 0))
        // Time keeps whole seconds only, as Go's Time.Unmarshal does.
        .msg(3, time(1_767_323_105, 999_999_999))
        .int(5, 1);
    let meta = Msg::new().string(1, "j").msg(8, time(1_767_322_800, 0));
    let job = Msg::new()
        .msg(1, meta)
        .msg(2, Msg::new().int(7, 4).msg(6, template))
        .msg(3, status);
    let got = decode_object(&envelope("batch/v1", "Job", job)).unwrap();
    let expected = json!({
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": {"name": "j", "creationTimestamp": "2026-01-02T03:00:00Z"},
        "spec": {
            "backoffLimit": 4,
            "template": {"metadata": {}, "spec": {"containers": [{"name": "c", "image": "busybox", "resources": {}}], "restartPolicy": "Never"}}
        },
        "status": {"startTime": "2026-01-02T03:04:05Z", "completionTime": "2026-01-02T03:05:05Z", "succeeded": 1}
    });
    assert_eq!(got, expected);
}

#[test]
fn pod_embedded_structs_are_flattened() {
    let volume = Msg::new().string(1, "cfg").msg(
        2,
        Msg::new().msg(19, Msg::new().msg(1, Msg::new().string(1, "app-config")).int(3, 0o644)),
    );
    let env = Msg::new().string(1, "MODE").msg(
        3,
        Msg::new().msg(
            3,
            Msg::new().msg(1, Msg::new().string(1, "app-config")).string(2, "mode"),
        ),
    );
    let probe = Msg::new()
        .msg(
            1,
            Msg::new().msg(2, Msg::new().string(1, "/healthz").msg(2, int_or_string_str("http"))),
        )
        .int(4, 10);
    let resources = Msg::new()
        .entry_msg(1, "memory", quantity("128Mi"))
        .entry_msg(2, "cpu", quantity("250m"));
    let container = Msg::new()
        .string(1, "app")
        .string(2, "app:1")
        .msg(7, env)
        .msg(8, resources)
        .msg(9, Msg::new().string(1, "cfg").string(3, "/etc/app").bool(2, true))
        .msg(11, probe);
    let security = Msg::new().int(4, 1000).int(4, 2000).raw(&[0x22, 0x02, 0xb8, 0x17]);
    let spec = Msg::new().msg(1, volume).msg(2, container).msg(14, security);
    let got = decode_object(&envelope("v1", "Pod", Msg::new().msg(1, meta("p", &[])).msg(2, spec))).unwrap();
    let expected = json!({
        "volumes": [{"name": "cfg", "configMap": {"name": "app-config", "defaultMode": 420}}],
        "containers": [{
            "name": "app",
            "image": "app:1",
            "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "mode"}}}],
            "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "250m"}},
            "volumeMounts": [{"name": "cfg", "readOnly": true, "mountPath": "/etc/app"}],
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10}
        }],
        // Repeated int64, unpacked (as Go writes it) and packed (also valid protobuf).
        "securityContext": {"supplementalGroups": [1000, 2000, 3000]}
    });
    assert_eq!(got["spec"], expected);
}

#[test]
fn lease_and_event_micro_times() {
    let spec = Msg::new()
        .string(1, "node-a")
        .int(2, 40)
        .msg(3, time(1_767_323_045, 123_456_789))
        .msg(4, time(1_767_323_046, 0));
    let got = decode_object(&envelope(
        "coordination.k8s.io/v1",
        "Lease",
        Msg::new().msg(1, meta("l", &[])).msg(2, spec),
    ))
    .unwrap();
    let expected = json!({
        "holderIdentity": "node-a",
        "leaseDurationSeconds": 40,
        "acquireTime": "2026-01-02T03:04:05.123456Z",
        "renewTime": "2026-01-02T03:04:06.000000Z"
    });
    assert_eq!(got["spec"], expected);

    let event = Msg::new()
        .msg(1, meta("e", &[]))
        .msg(2, Msg::new().string(1, "Pod").string(3, "p"))
        .string(3, "Started")
        .msg(6, time(1_767_323_045, 0))
        .msg(7, Msg::new())
        .int(8, 1)
        .msg(10, time(1_767_323_045, 500_000))
        .msg(11, Msg::new().int(1, 2).msg(2, time(1_767_323_050, 0)));
    let got = decode_object(&envelope("v1", "Event", event)).unwrap();
    let expected = json!({
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": {"name": "e"},
        "involvedObject": {"kind": "Pod", "name": "p"},
        "reason": "Started",
        "source": {},
        "firstTimestamp": "2026-01-02T03:04:05Z",
        // An empty Time message is Go's zero time: null, not the Unix epoch.
        "lastTimestamp": null,
        "count": 1,
        "eventTime": "2026-01-02T03:04:05.000500Z",
        "series": {"count": 2, "lastObservedTime": "2026-01-02T03:04:10.000000Z"},
        "reportingComponent": "",
        "reportingInstance": ""
    });
    assert_eq!(got, expected);
}

#[test]
fn raw_extension_and_fields_v1_carry_json() {
    let managed = Msg::new()
        .string(1, "kubectl")
        .string(2, "Update")
        .string(6, "FieldsV1")
        .msg(7, Msg::new().bytes(1, br#"{"f:metadata":{"f:labels":{".":{}}}}"#));
    let revision = Msg::new()
        .msg(1, Msg::new().string(1, "r1").msg(17, managed))
        .msg(2, Msg::new().bytes(1, br#"{"spec":{"replicas":3}}"#))
        .int(3, 7);
    let got = decode_object(&envelope("apps/v1", "ControllerRevision", revision)).unwrap();
    let expected = json!({
        "kind": "ControllerRevision",
        "apiVersion": "apps/v1",
        "metadata": {"name": "r1", "managedFields": [{
            "manager": "kubectl",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {".": {}}}}
        }]},
        "data": {"spec": {"replicas": 3}},
        "revision": 7
    });
    assert_eq!(got, expected);

    // A protobuf envelope inside a RawExtension is decoded too; an absent one is null.
    let inner = envelope("v1", "ConfigMap", Msg::new().msg(1, meta("c", &[])).entry(2, "k", "v"));
    let revision = Msg::new().msg(2, Msg::new().bytes(1, &inner));
    let got = decode_object(&envelope("apps/v1", "ControllerRevision", revision)).unwrap();
    assert_eq!(
        got["data"],
        json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}, "data": {"k": "v"}})
    );
    let got = decode_object(&envelope("apps/v1", "ControllerRevision", Msg::new())).unwrap();
    assert_eq!(got["data"], json!(null));
    assert_eq!(got["revision"], json!(0));
}

#[test]
fn horizontal_pod_autoscaler_v2() {
    let target = Msg::new().string(1, "Utilization").int(4, 80);
    let memory = Msg::new().string(1, "AverageValue").msg(3, quantity("500Mi"));
    let spec = Msg::new()
        .msg(
            1,
            Msg::new().string(1, "Deployment").string(2, "web").string(3, "apps/v1"),
        )
        .int(2, 2)
        .int(3, 5)
        .msg(
            4,
            Msg::new()
                .string(1, "Resource")
                .msg(4, Msg::new().string(1, "cpu").msg(2, target)),
        )
        .msg(
            4,
            Msg::new()
                .string(1, "Resource")
                .msg(4, Msg::new().string(1, "memory").msg(2, memory)),
        );
    let hpa = Msg::new().msg(1, meta("web", &[])).msg(2, spec);
    let got = decode_object(&envelope("autoscaling/v2", "HorizontalPodAutoscaler", hpa)).unwrap();
    let expected = json!({
        "scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
        "minReplicas": 2,
        "maxReplicas": 5,
        "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}}
        ]
    });
    assert_eq!(got["spec"], expected);
    assert_eq!(got["status"], json!({"currentMetrics": null, "desiredReplicas": 0}));
}

#[test]
fn scale_subresource() {
    let scale = Msg::new().msg(1, meta("web", &[])).msg(2, Msg::new().int(1, 3));
    let got = decode_object(&envelope("autoscaling/v1", "Scale", scale)).unwrap();
    let expected = json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {"name": "web"},
        "spec": {"replicas": 3},
        "status": {"replicas": 0}
    });
    assert_eq!(got, expected);
}

#[test]
fn access_review_extra_values_are_arrays() {
    let spec = Msg::new()
        .msg(2, Msg::new().string(1, "/healthz").string(2, "get"))
        .string(3, "alice")
        .entry_msg(5, "scopes", Msg::new().string(1, "a").string(1, "b"))
        .entry_msg(5, "none", Msg::new());
    let got = decode_object(&envelope(
        "authorization.k8s.io/v1",
        "SubjectAccessReview",
        Msg::new().msg(2, spec),
    ))
    .unwrap();
    let expected = json!({
        "nonResourceAttributes": {"path": "/healthz", "verb": "get"},
        "user": "alice",
        "extra": {"none": null, "scopes": ["a", "b"]}
    });
    assert_eq!(got["spec"], expected);
}

#[test]
fn unknown_fields_are_skipped_and_repeated_messages_merge() {
    let ns = Msg::new()
        .int(99, 7)
        .fixed64(98, 1)
        .fixed32(97, 1)
        .string(96, "future")
        .raw(&[0xab, 0x06, 0x08, 0x01, 0xac, 0x06]) // group 101 { field 1 = 1 }
        .msg(1, Msg::new().string(1, "a").int(1000, 5))
        .msg(1, Msg::new().entry(11, "k", "v"));
    let got = decode_object(&envelope("v1", "Namespace", ns)).unwrap();
    assert_eq!(got["metadata"], json!({"name": "a", "labels": {"k": "v"}}));
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let got = decode_object(&envelope(
        "v1",
        "Namespace",
        Msg::new().msg(1, Msg::new().bytes(1, b"a\xffb")),
    ))
    .unwrap();
    assert_eq!(got["metadata"]["name"], json!("a\u{fffd}b"));
}

#[test]
fn json_payload_inside_the_envelope() {
    let unknown = Msg::new()
        .msg(1, Msg::new().string(1, "v1").string(2, "ConfigMap"))
        .bytes(2, br#"{"metadata":{"name":"c"}}"#)
        .string(4, "application/json");
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(&unknown.0);
    let got = decode_object(&body).unwrap();
    assert_eq!(
        got,
        json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}})
    );
}

fn body_with(unknown: Msg) -> Vec<u8> {
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(&unknown.0);
    body
}

#[test]
fn envelope_errors() {
    assert_eq!(decode_object(b"{\"kind\":\"Pod\"}"), Err(ProtobufError::NotEnvelope));
    assert_eq!(decode_object(b"k8s"), Err(ProtobufError::NotEnvelope));
    assert_eq!(decode_object(b"k8s\0"), Err(ProtobufError::MissingTypeMeta));
    let err = decode_object(&envelope("apps/v1", "Foo", Msg::new())).unwrap_err();
    assert_eq!(err.to_string(), "unknown kind apps/v1 Foo");
    let gzip = body_with(
        Msg::new()
            .msg(1, Msg::new().string(1, "v1").string(2, "Pod"))
            .string(3, "gzip"),
    );
    assert_eq!(
        decode_object(&gzip),
        Err(ProtobufError::UnsupportedEncoding("gzip".to_owned()))
    );
    let yaml = body_with(
        Msg::new()
            .msg(1, Msg::new().string(1, "v1").string(2, "Pod"))
            .string(4, "application/yaml"),
    );
    assert_eq!(
        decode_object(&yaml),
        Err(ProtobufError::UnsupportedContentType("application/yaml".to_owned()))
    );
}

#[test]
fn wire_errors_report_offsets() {
    let err = decode_object(b"k8s\0\x0a\x80").unwrap_err();
    assert_eq!(err, ProtobufError::TruncatedVarint { offset: 5 });
    assert_eq!(err.to_string(), "truncated varint at byte 5");
    let err = decode_object(b"k8s\0\x0a\x05\x0a\x02v1").unwrap_err();
    assert_eq!(err.to_string(), "truncated field at byte 6: needs 5 bytes, 4 left");
    let err = decode_object(b"k8s\0\x00").unwrap_err();
    assert_eq!(err.to_string(), "invalid field number 0 at byte 4");
    let err = decode_object(b"k8s\0\x0e").unwrap_err();
    assert_eq!(err.to_string(), "invalid wire type 6 at byte 4");
    let err = decode_object(b"k8s\0\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01").unwrap_err();
    assert_eq!(err.to_string(), "varint overflows 64 bits at byte 5");

    // metadata sent as a varint instead of a message
    let err = decode_object(&envelope("v1", "Namespace", Msg::new().int(1, 5))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wrong wire type 0 for field k8s.io.api.core.v1.Namespace.metadata at byte 23"
    );
}

#[test]
fn invalid_values() {
    let port = Msg::new().int(3, 80).msg(4, Msg::new().int(1, 7));
    let service = Msg::new().msg(2, Msg::new().msg(1, port));
    let err = decode_object(&envelope("v1", "Service", service)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid k8s.io.apimachinery.pkg.util.intstr.IntOrString: impossible IntOrString.Type 7"
    );

    let revision = Msg::new().msg(2, Msg::new().bytes(1, b"not json"));
    let err = decode_object(&envelope("apps/v1", "ControllerRevision", revision)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid k8s.io.apimachinery.pkg.runtime.RawExtension: embedded JSON"),
        "{err}"
    );

    let job = Msg::new().msg(3, Msg::new().msg(2, time(i64::MAX, 0)));
    let err = decode_object(&envelope("batch/v1", "Job", job)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid k8s.io.apimachinery.pkg.apis.meta.v1.Time: time outside years 0000-9999"
    );
}

#[test]
fn nesting_is_bounded() {
    let mut body = envelope("v1", "ConfigMap", Msg::new());
    for _ in 0..80 {
        body = envelope(
            "apps/v1",
            "ControllerRevision",
            Msg::new().msg(2, Msg::new().bytes(1, &body)),
        );
    }
    assert_eq!(decode_object(&body), Err(ProtobufError::TooDeep(64)));
}

#[test]
fn media_types_and_kinds() {
    assert!(is_protobuf_media_type("application/vnd.kubernetes.protobuf"));
    assert!(is_protobuf_media_type(
        "Application/VND.Kubernetes.Protobuf; charset=utf-8"
    ));
    assert!(!is_protobuf_media_type("application/json"));
    for (api_version, kind) in [
        ("v1", "Namespace"),
        ("v1", "Pod"),
        ("v1", "PodTemplate"),
        ("v1", "Service"),
        ("v1", "Endpoints"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Event"),
        ("v1", "ServiceAccount"),
        ("apps/v1", "Deployment"),
        ("apps/v1", "ReplicaSet"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("policy/v1", "Eviction"),
        ("policy/v1", "PodDisruptionBudget"),
        ("networking.k8s.io/v1", "Ingress"),
        ("coordination.k8s.io/v1", "Lease"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("autoscaling/v1", "Scale"),
        ("v1", "DeleteOptions"),
        ("batch/v1", "DeleteOptions"),
    ] {
        assert!(supports_kind(api_version, kind), "{api_version} {kind}");
    }
    assert!(!supports_kind("apps/v1", "Foo"));
    assert!(!supports_kind("apps/v2", "Deployment"));
}
