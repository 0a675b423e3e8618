use serde_json::{Map, Value, json};

use super::*;

fn labels(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn sel(s: &str) -> LabelSelector {
    LabelSelector::parse(s).unwrap()
}

fn err(s: &str) -> String {
    LabelSelector::parse(s).unwrap_err().message().to_string()
}

#[test]
fn equality_operators() {
    let l = labels(json!({"app": "web", "tier": "front"}));
    assert!(sel("app=web").matches(Some(&l)));
    assert!(sel("app==web").matches(Some(&l)));
    assert!(!sel("app=db").matches(Some(&l)));
    assert!(sel("app!=db").matches(Some(&l)));
    assert!(!sel("app!=web").matches(Some(&l)));
    assert!(sel("missing!=x").matches(Some(&l)));
    assert!(sel("app=web,tier=front").matches(Some(&l)));
    assert!(!sel("app=web,tier=back").matches(Some(&l)));
    assert!(!sel("app=web").matches(None));
    assert!(sel("app=").matches(Some(&labels(json!({"app": ""})))));
}

#[test]
fn set_operators() {
    let l = labels(json!({"env": "prod"}));
    assert!(sel("env in (prod, staging)").matches(Some(&l)));
    assert!(!sel("env in (dev)").matches(Some(&l)));
    assert!(sel("env notin (dev)").matches(Some(&l)));
    assert!(!sel("env notin (prod,dev)").matches(Some(&l)));
    assert!(sel("other notin (x)").matches(Some(&l)));
    assert!(sel("env").matches(Some(&l)));
    assert!(!sel("other").matches(Some(&l)));
    assert!(sel("!other").matches(Some(&l)));
    assert!(!sel("!env").matches(Some(&l)));
    assert!(sel("in in (notin)").matches(Some(&labels(json!({"in": "notin"})))));
}

#[test]
fn numeric_operators() {
    let l = labels(json!({"n": "5"}));
    assert!(sel("n>4").matches(Some(&l)));
    assert!(!sel("n>5").matches(Some(&l)));
    assert!(sel("n<6").matches(Some(&l)));
    assert!(!sel("x<6").matches(Some(&l)));
    assert!(!sel("n<6").matches(Some(&labels(json!({"n": "five"})))));
    assert_eq!(
        err("n>x"),
        "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"
    );
}

#[test]
fn canonical_string() {
    assert_eq!(sel("b=1, a in (z,y), !c, d").to_string(), "a in (y,z),b=1,!c,d");
    assert_eq!(sel("x==1,y!=2,z notin (q)").to_string(), "x==1,y!=2,z notin (q)");
    assert_eq!(sel("a in (x,x,)").to_string(), "a in (,x)");
    assert_eq!(sel("a=").to_string(), "a=");
    assert_eq!(sel("").to_string(), "");
    assert_eq!("k>3".parse::<LabelSelector>().unwrap().to_string(), "k>3");
}

#[test]
fn empty_selects_everything() {
    let s = sel("");
    assert!(s.is_empty());
    assert!(s.matches(None));
    assert!(sel("  ").is_empty());
    assert!(LabelSelector::everything().matches(Some(&labels(json!({"a": "b"})))));
    assert!(!LabelSelector::nothing().matches(None));
    assert!(!LabelSelector::nothing().is_empty());
}

#[test]
fn parse_errors() {
    assert_eq!(
        err("a b"),
        "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
    );
    assert_eq!(err("=a"), "found '=', expected: !, identifier, or 'end of string'");
    assert_eq!(err("a=b,"), "found '', expected: identifier after ','");
    assert_eq!(err("a=b c"), "found 'c', expected: ',' or 'end of string'");
    assert_eq!(err("a in x"), "unable to parse requirement: found 'x' expected: '('");
    assert_eq!(
        err("a in (x"),
        "unable to parse requirement: found '', expected: ',' or ')'"
    );
    assert_eq!(
        err("a in (=)"),
        "unable to parse requirement: found '=', expected: ',', ')' or identifier"
    );
    assert_eq!(
        err("a=(b)"),
        "unable to parse requirement: found '(', expected: identifier"
    );
    assert_eq!(err("!"), "unable to parse requirement: found '', expected: identifier");
    assert_eq!(err("!a=b"), "found '=', expected: ',' or 'end of string'");
    assert_eq!(
        err("-a=b"),
        "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    );
    assert_eq!(
        err("a=-b"),
        "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    );
}

#[test]
fn object_form() {
    let s = LabelSelector::from_object(&json!({
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "canary"]},
            {"key": "legacy", "operator": "DoesNotExist"},
            {"key": "team", "operator": "Exists"},
            {"key": "zone", "operator": "NotIn", "values": ["b"]}
        ]
    }))
    .unwrap();
    assert_eq!(
        s.to_string(),
        "app=web,env in (canary,prod),!legacy,team,zone notin (b)"
    );
    assert!(s.matches(Some(&labels(
        json!({"app": "web", "env": "prod", "team": "x", "zone": "a"})
    ))));
    assert!(!s.matches(Some(&labels(
        json!({"app": "web", "env": "prod", "team": "x", "legacy": "1"})
    ))));
    assert!(!s.matches(Some(&labels(json!({"app": "web", "env": "dev", "team": "x"})))));

    assert!(LabelSelector::from_object(&json!({})).unwrap().is_empty());
    assert!(LabelSelector::from_object(&Value::Null).unwrap().is_nothing());
    assert!(
        LabelSelector::from_labels(&labels(json!({"a": "b"})))
            .unwrap()
            .matches_object(&json!({
                "metadata": {"labels": {"a": "b"}}
            }))
    );
}

#[test]
fn object_form_errors() {
    let e = |v: Value| LabelSelector::from_object(&v).unwrap_err().message().to_string();
    assert_eq!(
        e(json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["b"]}]})),
        "\"Equals\" is not a valid label selector operator"
    );
    assert_eq!(
        e(json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})),
        "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"
    );
    assert_eq!(
        e(json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})),
        "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist"
    );
    assert!(e(json!({"matchLabels": {"bad key": "x"}})).starts_with("key: Invalid value: \"bad key\": name part"));
}

#[test]
fn printer_formats() {
    assert_eq!(format_label_selector(None), "<none>");
    assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
    assert_eq!(
        format_label_selector(Some(&json!({"matchLabels": {"app": "x"}}))),
        "app=x"
    );
    assert_eq!(
        format_label_selector(Some(&json!({"matchExpressions": [{"key": "a", "operator": "Nope"}]}))),
        "<error>"
    );
    assert_eq!(format_labels(None), "<none>");
    assert_eq!(format_labels(Some(&labels(json!({"b": "2", "a": "1"})))), "a=1,b=2");
}

fn fsel(s: &str) -> FieldSelector {
    FieldSelector::parse(s).unwrap()
}

#[test]
fn field_parse_and_print() {
    let s = fsel("status.phase!=Running,metadata.name==web");
    assert_eq!(s.to_string(), "metadata.name=web,status.phase!=Running");
    assert_eq!(s.terms().len(), 2);
    assert_eq!(s.exact_value("metadata.name"), Some("web"));
    assert_eq!(s.exact_value("status.phase"), None);
    assert!(fsel("").is_empty());
    assert_eq!(fsel(r"a=x\,y\=z\\").terms()[0].value, r"x,y=z\");
    assert_eq!(fsel(r"a=x\,y").to_string(), r"a=x\,y");
    assert_eq!(
        FieldSelector::parse("abc").unwrap_err().message(),
        "invalid selector: 'abc'; can't understand 'abc'"
    );
    assert_eq!(
        FieldSelector::parse(r"a=b\q").unwrap_err().message(),
        r"invalid field selector: invalid escape sequence: \q"
    );
    assert_eq!(
        FieldSelector::parse("a==b=c").unwrap_err().message(),
        "invalid field selector: unescaped character in value: 61"
    );
}

#[test]
fn field_pod() {
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "default"},
        "spec": {"nodeName": "node-a", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                 "serviceAccountName": "builder"},
        "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}]}
    });
    for (s, want) in [
        ("metadata.name=web-1", true),
        ("metadata.namespace=default", true),
        ("metadata.namespace=kube-system", false),
        ("spec.nodeName=node-a", true),
        ("spec.host=node-a", true),
        ("spec.nodeName=", false),
        ("status.phase!=Running", false),
        ("status.phase=Running,spec.restartPolicy=Always", true),
        ("spec.schedulerName=default-scheduler", true),
        ("spec.serviceAccountName=builder", true),
        ("status.podIP=10.0.0.5", true),
        ("spec.hostNetwork=false", true),
    ] {
        assert_eq!(fsel(s).matches(&pod), want, "{s}");
    }
    let pending = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {}});
    assert!(fsel("spec.nodeName=").matches(&pending));
    assert!(fsel("status.podIP=").matches(&pending));
}

#[test]
fn field_event() {
    let ev = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "web.17a", "namespace": "default"},
        "involvedObject": {"kind": "Rollout", "name": "web", "namespace": "default", "uid": "u-1",
                           "apiVersion": "argoproj.io/v1alpha1", "resourceVersion": "42", "fieldPath": ""},
        "reason": "RolloutUpdated", "type": "Normal", "source": {"component": "rollouts-controller"}
    });
    for s in [
        "involvedObject.kind=Rollout",
        "involvedObject.name=web",
        "involvedObject.namespace=default",
        "involvedObject.uid=u-1",
        "involvedObject.apiVersion=argoproj.io/v1alpha1",
        "involvedObject.resourceVersion=42",
        "involvedObject.fieldPath=",
        "reason=RolloutUpdated",
        "type=Normal",
        "source=rollouts-controller",
    ] {
        assert!(fsel(s).matches(&ev), "{s}");
    }
    assert!(!fsel("type=Warning").matches(&ev));
    let new_style = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"},
        "regarding": {"kind": "Pod", "name": "p"}, "reportingController": "kubelet", "reason": "Started"});
    assert!(fsel("regarding.kind=Pod,regarding.name=p,reportingController=kubelet").matches(&new_style));
    assert!(fsel("source=kubelet").matches_kind("", "Event", &new_style));
}

#[test]
fn field_other_kinds() {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/tls"});
    assert!(fsel("type=kubernetes.io/tls").matches(&secret));
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}, "status": {"phase": "Active"}});
    assert!(fsel("status.phase=Active").matches(&ns));
    let rs =
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "status": {"replicas": 3}});
    assert!(fsel("status.replicas=3").matches(&rs));
    assert!(fsel("status.replicas!=0").matches(&rs));
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "status": {}});
    assert!(fsel("status.successful=0").matches(&job));
    let ro = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"}});
    assert!(fsel("metadata.name=web").matches(&ro));
}

#[test]
fn field_support() {
    assert!(field_selector_supported("", "Pod", "spec.nodeName"));
    assert!(field_selector_supported("", "Pod", "status.phase"));
    assert!(!field_selector_supported("", "Pod", "spec.containers"));
    assert!(field_selector_supported("", "Event", "involvedObject.uid"));
    assert!(field_selector_supported("", "Secret", "type"));
    assert!(field_selector_supported("", "Namespace", "status.phase"));
    assert!(!field_selector_supported("", "Namespace", "metadata.namespace"));
    assert!(field_selector_supported("apps", "ReplicaSet", "status.replicas"));
    assert!(field_selector_supported("batch", "Job", "status.successful"));
    assert!(field_selector_supported("apps", "Deployment", "metadata.namespace"));
    assert!(!field_selector_supported("apps", "Deployment", "status.replicas"));
    assert_eq!(
        field_label_error("", "Pod", true, "spec.foo").as_deref(),
        Some("field label not supported: spec.foo")
    );
    assert_eq!(
        field_label_error("apps", "Deployment", true, "spec.paused").as_deref(),
        Some("\"spec.paused\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
    );
    assert_eq!(
        field_label_error("argoproj.io", "Rollout", true, "spec.paused").as_deref(),
        Some("field label not supported: spec.paused")
    );
    assert!(field_label_error("argoproj.io", "ClusterAnalysisTemplate", false, "metadata.namespace").is_some());
    assert_eq!(
        fsel("metadata.name=a,spec.x=b").unsupported("", "Pod", true).as_deref(),
        Some("field label not supported: spec.x")
    );
}
