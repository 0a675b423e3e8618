use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;

const NOW: &str = "2024-05-01T12:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// An RFC 3339 time `secs` seconds before [`NOW`].
fn ago(secs: i64) -> String {
    age::rfc3339(now() - jiff::SignedDuration::from_secs(secs))
}

fn cells(spec: &TableSpec, obj: &Value) -> Vec<Value> {
    let table = to_table(spec, std::slice::from_ref(obj), IncludeObject::None, now(), "1", None);
    table["rows"][0]["cells"].as_array().unwrap().clone()
}

fn builtin(group: &str, kind: &str, obj: &Value) -> Vec<Value> {
    cells(&builtin_spec(group, kind).unwrap(), obj)
}

fn pod(status: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-0", "namespace": "default", "creationTimestamp": ago(600)},
        "spec": {"containers": [{"name": "app", "image": "nginx"}], "nodeName": "dev-node"},
        "status": status
    })
}

/// READY, STATUS and RESTARTS of a pod.
fn pod_summary(p: &Value) -> (String, String, String) {
    let c = builtin("", "Pod", p);
    (
        c[1].as_str().unwrap().into(),
        c[2].as_str().unwrap().into(),
        c[3].as_str().unwrap().into(),
    )
}

fn s(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

#[test]
fn pod_running_and_pending() {
    let running = pod(json!({
        "phase": "Running", "podIP": "10.1.0.7", "podIPs": [{"ip": "10.1.0.7"}],
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}]
    }));
    assert_eq!(pod_summary(&running), s("1/1", "Running", "0"));
    let c = builtin("", "Pod", &running);
    assert_eq!(c[0], json!("web-0"));
    assert_eq!(c[4], json!("10m"));
    assert_eq!(
        &c[5..],
        &[json!("10.1.0.7"), json!("dev-node"), json!("<none>"), json!("<none>")]
    );

    assert_eq!(pod_summary(&pod(json!({"phase": "Pending"}))), s("0/1", "Pending", "0"));
    let creating = pod(json!({"phase": "Pending", "containerStatuses": [
        {"name": "app", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}
    ]}));
    assert_eq!(pod_summary(&creating), s("0/1", "ContainerCreating", "0"));
    let gated = pod(
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
    );
    assert_eq!(pod_summary(&gated).1, "SchedulingGated");
}

#[test]
fn pod_failures_and_restarts() {
    let crashing = pod(json!({"phase": "Running", "containerStatuses": [{
        "name": "app", "ready": false, "restartCount": 3,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(312)}}
    }]}));
    assert_eq!(pod_summary(&crashing), s("0/1", "CrashLoopBackOff", "3 (5m12s ago)"));
    let errored = pod(json!({"phase": "Failed", "containerStatuses": [
        {"name": "app", "restartCount": 0, "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}
    ]}));
    assert_eq!(pod_summary(&errored).1, "Error");
    let exit = pod(
        json!({"phase": "Failed", "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 2}}}]}),
    );
    assert_eq!(pod_summary(&exit).1, "ExitCode:2");
    let signal = pod(
        json!({"phase": "Failed", "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 137, "signal": 9}}}]}),
    );
    assert_eq!(pod_summary(&signal).1, "Signal:9");
    let evicted = pod(json!({"phase": "Failed", "reason": "Evicted"}));
    assert_eq!(pod_summary(&evicted).1, "Evicted");
    // Restarts without a recorded termination time print the bare count.
    let restarted = pod(
        json!({"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 2, "state": {"running": {}}}]}),
    );
    assert_eq!(pod_summary(&restarted), s("1/1", "Running", "2"));
}

#[test]
fn pod_completed_and_terminating() {
    let done = pod(json!({"phase": "Succeeded", "containerStatuses": [
        {"name": "app", "ready": false, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
    ]}));
    assert_eq!(pod_summary(&done), s("0/1", "Completed", "0"));
    let table = to_table(
        &TableSpec::Builtin(BuiltinKind::Pod),
        &[done],
        IncludeObject::None,
        now(),
        "",
        None,
    );
    assert_eq!(
        table["rows"][0]["conditions"],
        json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}])
    );

    let mut two = pod(
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": [
            {"name": "app", "ready": true, "state": {"running": {}}},
            {"name": "job", "ready": false, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
        ]}),
    );
    two["spec"]["containers"] = json!([{"name": "app"}, {"name": "job"}]);
    assert_eq!(pod_summary(&two), s("1/2", "NotReady", "0"));
    two["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
    assert_eq!(pod_summary(&two).1, "Running");

    let mut terminating = pod(
        json!({"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "state": {"running": {}}}]}),
    );
    terminating["metadata"]["deletionTimestamp"] = json!(ago(5));
    assert_eq!(pod_summary(&terminating), s("1/1", "Terminating", "0"));
    terminating["status"]["reason"] = json!("NodeLost");
    assert_eq!(pod_summary(&terminating).1, "Unknown");
    let mut finished = pod(json!({"phase": "Succeeded"}));
    finished["metadata"]["deletionTimestamp"] = json!(ago(5));
    assert_eq!(pod_summary(&finished).1, "Succeeded");
}

#[test]
fn pod_init_containers() {
    let mut p = pod(json!({"phase": "Pending", "initContainerStatuses": [
        {"name": "init", "ready": false, "restartCount": 0, "state": {"running": {}}}
    ], "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]}));
    p["spec"]["initContainers"] = json!([{"name": "init", "image": "busybox"}]);
    assert_eq!(pod_summary(&p), s("0/1", "Init:0/1", "0"));

    p["status"]["initContainerStatuses"][0]["state"] = json!({"waiting": {"reason": "CrashLoopBackOff"}});
    p["status"]["initContainerStatuses"][0]["restartCount"] = json!(4);
    assert_eq!(pod_summary(&p), s("0/1", "Init:CrashLoopBackOff", "4"));
    p["status"]["initContainerStatuses"][0]["state"] = json!({"terminated": {"exitCode": 1, "reason": "Error"}});
    assert_eq!(pod_summary(&p).1, "Init:Error");
    p["status"]["initContainerStatuses"][0]["state"] = json!({"terminated": {"exitCode": 3}});
    assert_eq!(pod_summary(&p).1, "Init:ExitCode:3");
    p["status"]["initContainerStatuses"][0]["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed"}});
    assert_eq!(pod_summary(&p).1, "PodInitializing");

    // A sidecar (restartable init container) counts toward READY and keeps the pod Running.
    let mut sidecar = pod(
        json!({"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}],
        "initContainerStatuses": [{"name": "proxy", "ready": true, "started": true, "restartCount": 1, "state": {"running": {}}}],
        "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}]}),
    );
    sidecar["spec"]["initContainers"] = json!([{"name": "proxy", "restartPolicy": "Always"}]);
    assert_eq!(pod_summary(&sidecar), s("2/2", "Running", "1"));
}

#[test]
fn pod_readiness_gates() {
    let mut p = pod(json!({"phase": "Running", "conditions": [{"type": "example.com/lb", "status": "True"}]}));
    p["spec"]["readinessGates"] = json!([{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]);
    assert_eq!(builtin("", "Pod", &p)[8], json!("1/2"));
}

#[test]
fn workloads() {
    let template =
        json!({"spec": {"containers": [{"name": "app", "image": "nginx:1"}, {"name": "log", "image": "fluent"}]}});
    let rs = json!({"metadata": {"name": "web-5d4f", "creationTimestamp": ago(3 * 3600)},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "5d4f"}}, "template": template},
        "status": {"replicas": 3, "readyReplicas": 2}});
    assert_eq!(
        builtin("apps", "ReplicaSet", &rs),
        vec![
            json!("web-5d4f"),
            json!(3),
            json!(3),
            json!(2),
            json!("3h"),
            json!("app,log"),
            json!("nginx:1,fluent"),
            json!("app=web,pod-template-hash=5d4f")
        ]
    );
    let deploy = json!({"metadata": {"name": "web", "creationTimestamp": ago(2 * 86400)},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template},
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
    assert_eq!(
        builtin("apps", "Deployment", &deploy),
        vec![
            json!("web"),
            json!("2/3"),
            json!(3),
            json!(2),
            json!("2d"),
            json!("app,log"),
            json!("nginx:1,fluent"),
            json!("app=web")
        ]
    );
    let job = json!({"metadata": {"name": "migrate", "creationTimestamp": ago(400)},
        "spec": {"completions": 1, "template": template, "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u"}}},
        "status": {"succeeded": 1, "startTime": ago(390), "completionTime": ago(300),
                   "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]}});
    assert_eq!(
        builtin("batch", "Job", &job)[..5],
        [
            json!("migrate"),
            json!("Complete"),
            json!("1/1"),
            json!("90s"),
            json!("6m40s")
        ]
    );
    let running = json!({"metadata": {"name": "j"}, "spec": {"parallelism": 3}, "status": {"startTime": ago(30)}});
    assert_eq!(
        builtin("batch", "Job", &running)[1..4],
        [json!("Running"), json!("0/1 of 3"), json!("30s")]
    );
    assert_eq!(builtin("batch", "Job", &running)[4], json!("<unknown>"));
    assert_eq!(builtin("batch", "Job", &running)[7], json!("<none>"));
}

#[test]
fn services_and_endpoints() {
    let svc = json!({"metadata": {"name": "web", "creationTimestamp": ago(60)},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                 "ports": [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}], "selector": {"app": "web"}}});
    assert_eq!(
        builtin("", "Service", &svc),
        vec![
            json!("web"),
            json!("ClusterIP"),
            json!("10.96.0.10"),
            json!("<none>"),
            json!("80/TCP,53/UDP"),
            json!("60s"),
            json!("app=web")
        ]
    );
    let lb = json!({"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "clusterIPs": ["10.0.0.1"],
        "ports": [{"port": 443, "nodePort": 30443, "protocol": "TCP"}]}, "status": {"loadBalancer": {}}});
    assert_eq!(
        builtin("", "Service", &lb)[3..5],
        [json!("<pending>"), json!("443:30443/TCP")]
    );
    let ep = json!({"metadata": {"name": "web"}, "subsets": [
        {"addresses": [{"ip": "10.1.0.1"}, {"ip": "10.1.0.2"}], "ports": [{"port": 8080}]},
        {"addresses": [{"ip": "10.1.0.3"}, {"ip": "fd00::4"}], "ports": [{"port": 8080}]}
    ]});
    assert_eq!(
        builtin("", "Endpoints", &ep)[1],
        json!("10.1.0.1:8080,10.1.0.2:8080,10.1.0.3:8080 + 1 more...")
    );
    assert_eq!(
        builtin("", "Endpoints", &json!({"metadata": {"name": "x"}}))[1],
        json!("<none>")
    );
    let ing = json!({"metadata": {"name": "web"}, "spec": {"ingressClassName": "nginx", "tls": [{}],
        "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}});
    assert_eq!(
        builtin("networking.k8s.io", "Ingress", &ing)[1..5],
        [
            json!("nginx"),
            json!("a.example.com,b.example.com"),
            json!("192.0.2.1"),
            json!("80, 443")
        ]
    );
    assert_eq!(
        builtin("networking.k8s.io", "Ingress", &json!({"metadata": {"name": "i"}}))[1..5],
        [json!("<none>"), json!("*"), json!(""), json!("80")]
    );
}

#[test]
fn simple_kinds() {
    let meta = json!({"name": "x", "creationTimestamp": ago(5)});
    assert_eq!(
        builtin(
            "",
            "Namespace",
            &json!({"metadata": meta, "status": {"phase": "Active"}})
        ),
        vec![json!("x"), json!("Active"), json!("5s")]
    );
    assert_eq!(
        builtin(
            "",
            "ConfigMap",
            &json!({"metadata": meta, "data": {"a": "1", "b": "2"}, "binaryData": {"c": ""}})
        )[1],
        json!(3)
    );
    assert_eq!(
        builtin(
            "",
            "Secret",
            &json!({"metadata": meta, "type": "Opaque", "data": {"k": "dg=="}})
        )[1..3],
        [json!("Opaque"), json!(1)]
    );
    assert_eq!(builtin("", "ServiceAccount", &json!({"metadata": meta}))[1], json!(0));
    assert_eq!(
        builtin(
            "coordination.k8s.io",
            "Lease",
            &json!({"metadata": meta, "spec": {"holderIdentity": "ctl-1"}})
        )[1],
        json!("ctl-1")
    );
    let pdb = json!({"metadata": meta, "spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}});
    assert_eq!(
        builtin("policy", "PodDisruptionBudget", &pdb)[1..4],
        [json!("50%"), json!("N/A"), json!(1)]
    );
    let hpa = json!({"metadata": meta, "spec": {"scaleTargetRef": {"kind": "Rollout", "name": "web"}, "minReplicas": 2, "maxReplicas": 10,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
                    {"type": "Pods", "pods": {"target": {"type": "AverageValue", "averageValue": "1k"}}},
                    {"type": "External", "external": {"target": {"type": "Value", "value": "5"}}}]},
        "status": {"currentReplicas": 3, "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 41}}}]}});
    assert_eq!(
        builtin("autoscaling", "HorizontalPodAutoscaler", &hpa)[1..6],
        [
            json!("Rollout/web"),
            json!("cpu: 41%/80%, <unknown>/1k + 1 more..."),
            json!("2"),
            json!(10),
            json!(3)
        ]
    );
    let v1 =
        json!({"metadata": meta, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 3}});
    assert_eq!(
        builtin("autoscaling", "HorizontalPodAutoscaler", &v1)[2],
        json!("cpu: <unknown>/80%")
    );
}

#[test]
fn events() {
    let ev = json!({"metadata": {"name": "web.17b2"}, "type": "Normal", "reason": "ScalingReplicaSet",
        "message": " Scaled up replica set web-5d4f to 3\n",
        "involvedObject": {"kind": "Deployment", "name": "web"}, "source": {"component": "deployment-controller"},
        "firstTimestamp": ago(600), "lastTimestamp": ago(30), "count": 4});
    assert_eq!(
        builtin("", "Event", &ev),
        vec![
            json!("30s"),
            json!("Normal"),
            json!("ScalingReplicaSet"),
            json!("deployment/web"),
            json!(""),
            json!("deployment-controller"),
            json!("Scaled up replica set web-5d4f to 3"),
            json!("10m"),
            json!(4),
            json!("web.17b2")
        ]
    );
    let new_style = json!({"metadata": {"name": "e"}, "type": "Warning", "reason": "Failed", "note": "boom",
        "regarding": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{app}"},
        "eventTime": ago(90), "reportingController": "kubelet", "reportingInstance": "node-1"});
    let c = builtin("events.k8s.io", "Event", &new_style);
    assert_eq!(
        c[0..9],
        [
            json!("90s"),
            json!("Warning"),
            json!("Failed"),
            json!("pod/p"),
            json!("spec.containers{app}"),
            json!("kubelet, node-1"),
            json!("boom"),
            json!("90s"),
            json!(1)
        ]
    );
    let series =
        json!({"metadata": {"name": "s"}, "eventTime": ago(600), "series": {"count": 7, "lastObservedTime": ago(10)}});
    let c = builtin("", "Event", &series);
    assert_eq!((c[0].clone(), c[8].clone()), (json!("10s"), json!(7)));
}

fn rollout_crd_spec() -> TableSpec {
    let text = include_str!("../../../../deploy/crds/rollout-crd.yaml");
    let crd: Value = serde_saphyr::from_str(text).unwrap();
    TableSpec::Custom(columns_for_crd_version(&crd["spec"]["versions"][0]))
}

#[test]
fn rollout_table() {
    let spec = rollout_crd_spec();
    let defs: Vec<(String, String, String, i64)> = spec
        .column_definitions()
        .into_iter()
        .map(|c| (c.name, c.type_, c.format, c.priority))
        .collect();
    let want = [
        ("Name", "string", "name"),
        ("Desired", "integer", ""),
        ("Current", "integer", ""),
        ("Up-to-date", "integer", ""),
        ("Available", "integer", ""),
        ("Age", "date", ""),
    ];
    assert_eq!(
        defs,
        want.map(|(n, t, f)| (n.to_string(), t.to_string(), f.to_string(), 0))
            .to_vec()
    );

    let ro = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(3 * 3600 + 60), "resourceVersion": "77"},
        "spec": {"replicas": 5}, "status": {"replicas": 5, "updatedReplicas": 2, "availableReplicas": 4}});
    let fresh = json!({"metadata": {"name": "new", "creationTimestamp": ago(12)}, "spec": {"replicas": 1}});
    let table = to_table(
        &spec,
        &[ro.clone(), fresh],
        IncludeObject::Metadata,
        now(),
        "100",
        Some("tok"),
    );
    assert_eq!(table["kind"], "Table");
    assert_eq!(table["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(table["metadata"], json!({"resourceVersion": "100", "continue": "tok"}));
    assert_eq!(table["columnDefinitions"][1]["description"], "Number of desired pods");
    assert_eq!(table["rows"][0]["cells"], json!(["web", 5, 5, 2, 4, "3h1m"]));
    assert_eq!(table["rows"][1]["cells"], json!(["new", 1, null, null, null, "12s"]));
    assert_eq!(
        table["rows"][0]["object"],
        json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": ro["metadata"]})
    );
    assert!(table["rows"][0].get("conditions").is_none());
}

#[test]
fn include_object_variants() {
    let spec = rollout_crd_spec();
    let ro = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"}, "spec": {"replicas": 1}});
    let none = to_table(&spec, std::slice::from_ref(&ro), IncludeObject::None, now(), "", None);
    assert_eq!(none["rows"][0]["object"], Value::Null);
    assert_eq!(none["metadata"], json!({}));
    let full = to_table(&spec, std::slice::from_ref(&ro), IncludeObject::Object, now(), "", None);
    assert_eq!(full["rows"][0]["object"], ro);
    let meta = to_table(
        &spec,
        std::slice::from_ref(&ro),
        IncludeObject::Metadata,
        now(),
        "",
        None,
    );
    assert_eq!(
        meta["rows"][0]["object"]["metadata"],
        json!({"name": "web", "creationTimestamp": null})
    );
    assert_eq!(IncludeObject::parse(""), Ok(IncludeObject::Metadata));
    assert_eq!(IncludeObject::parse("Object"), Ok(IncludeObject::Object));
    assert_eq!(IncludeObject::parse("None"), Ok(IncludeObject::None));
    assert_eq!(
        IncludeObject::parse("All"),
        Err("unrecognized includeObject value: \"All\"".to_string())
    );
}

#[test]
fn custom_column_types() {
    let col = |ty: &str, path: &str| PrinterColumn::new("C", ty, path).unwrap();
    let obj = json!({"metadata": {"name": "x", "creationTimestamp": ago(7200)},
        "spec": {"n": 2.7, "i": 3, "flag": true, "text": "hi", "obj": {"b": 1, "a": "<"}, "nothing": null, "when": "bad"},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    assert_eq!(col("integer", ".spec.n").cell(&obj, now()), json!(2));
    assert_eq!(col("number", ".spec.i").cell(&obj, now()), json!(3));
    assert_eq!(col("number", ".spec.n").cell(&obj, now()), json!(2.7));
    assert_eq!(col("boolean", ".spec.flag").cell(&obj, now()), json!(true));
    assert_eq!(col("boolean", ".spec.text").cell(&obj, now()), Value::Null);
    assert_eq!(col("integer", ".spec.text").cell(&obj, now()), Value::Null);
    assert_eq!(col("string", ".spec.i").cell(&obj, now()), json!("3"));
    assert_eq!(col("string", ".spec.flag").cell(&obj, now()), json!("true"));
    assert_eq!(
        col("string", ".spec.obj").cell(&obj, now()),
        json!(r#"{"a":"\u003c","b":1}"#)
    );
    assert_eq!(col("string", ".spec.nothing").cell(&obj, now()), json!("<no value>"));
    assert_eq!(col("string", ".spec.missing").cell(&obj, now()), Value::Null);
    assert_eq!(
        col("date", ".metadata.creationTimestamp").cell(&obj, now()),
        json!("120m")
    );
    assert_eq!(col("date", ".spec.when").cell(&obj, now()), json!("<invalid>"));
    assert_eq!(
        col("string", r#".status.conditions[?(@.type=="Ready")].status"#).cell(&obj, now()),
        json!("True")
    );
    assert_eq!(
        col("string", ".status.conditions[3].status").cell(&obj, now()),
        Value::Null
    );

    let parsed = PrinterColumn::from_crd_column(
        &json!({"name": "Phase", "type": "string", "jsonPath": ".status.phase", "priority": 1}),
    )
    .unwrap();
    assert_eq!(
        parsed.description,
        "Custom resource definition column (in JSONPath format): .status.phase"
    );
    assert_eq!(parsed.priority, 1);
    assert!(PrinterColumn::from_crd_column(&json!({"name": "Bad", "type": "string", "jsonPath": ".a[?(@.x"})).is_err());

    let no_columns = columns_for_crd_version(&json!({"name": "v1"}));
    assert_eq!(no_columns.len(), 1);
    assert_eq!(no_columns[0].name, "Age");
    let truncated = columns_for_crd_version(&json!({"additionalPrinterColumns": [
        {"name": "A", "type": "string", "jsonPath": ".a"}, {"name": "B", "type": "string", "jsonPath": ".b["},
        {"name": "C", "type": "string", "jsonPath": ".c"}]}));
    assert_eq!(truncated.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["A"]);
}

#[test]
fn default_table() {
    let spec = builtin_spec("apiextensions.k8s.io", "CustomResourceDefinition").unwrap();
    assert_eq!(spec, TableSpec::Default);
    let crd = json!({"metadata": {"name": "rollouts.argoproj.io", "creationTimestamp": "2024-04-30T08:15:00Z"}});
    let table = to_table(&spec, &[crd], IncludeObject::None, now(), "5", None);
    assert_eq!(
        table["rows"][0]["cells"],
        json!(["rollouts.argoproj.io", "2024-04-30T08:15:00Z"])
    );
    assert_eq!(table["columnDefinitions"][1]["name"], "Created At");
    assert_eq!(table["columnDefinitions"][1]["type"], "date");
    let empty = to_table(&spec, &[], IncludeObject::None, now(), "5", None);
    assert_eq!(empty["rows"], Value::Null);
    let empty_pods = to_table(
        &TableSpec::Builtin(BuiltinKind::Pod),
        &[],
        IncludeObject::None,
        now(),
        "5",
        None,
    );
    assert_eq!(empty_pods["rows"], json!([]));
    assert!(builtin_spec("argoproj.io", "Rollout").is_none());
    assert!(builtin_spec("apps", "StatefulSet").is_none());
}

#[test]
fn column_definitions_match_kube() {
    let defs = TableSpec::Builtin(BuiltinKind::Pod).column_definitions();
    let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Name",
            "Ready",
            "Status",
            "Restarts",
            "Age",
            "IP",
            "Node",
            "Nominated Node",
            "Readiness Gates"
        ]
    );
    assert_eq!(
        defs.iter().map(|d| d.priority).collect::<Vec<_>>(),
        [0, 0, 0, 0, 0, 1, 1, 1, 1]
    );
    assert_eq!(defs[0].format, "name");
    let job: Vec<String> = TableSpec::Builtin(BuiltinKind::Job)
        .column_definitions()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        job,
        [
            "Name",
            "Status",
            "Completions",
            "Duration",
            "Age",
            "Containers",
            "Images",
            "Selector"
        ]
    );
    let ev = TableSpec::Builtin(BuiltinKind::Event).column_definitions();
    assert_eq!(ev[0].name, "Last Seen");
    assert_eq!(
        (ev[9].name.as_str(), ev[9].format.as_str(), ev[9].priority),
        ("Name", "name", 1)
    );
    let table = to_table(
        &TableSpec::Builtin(BuiltinKind::Secret),
        &[],
        IncludeObject::None,
        now(),
        "",
        None,
    );
    assert_eq!(
        table["columnDefinitions"][2],
        json!({"name": "Data", "type": "string", "format": "", "priority": 0,
               "description": "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"})
    );
}
