use serde_json::{Value, json};

use super::*;

fn doc() -> Value {
    json!({
        "kind": "List",
        "metadata": {"name": "top", "annotations": {"kubernetes.io/change-cause": "deploy v2", "a.b": "dotted"}},
        "spec": {"replicas": 3, "paused": false, "ratio": 0.5},
        "status": {
            "conditions": [
                {"type": "Available", "status": "True", "priority": 1},
                {"type": "Progressing", "status": "False", "priority": 5},
                {"type": "Ready", "status": "True", "priority": 10}
            ]
        },
        "items": [
            {"metadata": {"name": "a"}, "spec": {"containers": [{"name": "c1", "image": "nginx"}]}},
            {"metadata": {"name": "b"}, "spec": {"containers": [{"name": "c2", "image": "redis"}, {"name": "c3", "image": "busybox"}]}}
        ]
    })
}

fn find(expr: &str) -> Vec<Value> {
    parse(expr).unwrap().find(&doc()).into_iter().cloned().collect()
}

fn render(expr: &str) -> String {
    parse(expr).unwrap().render(&doc()).unwrap()
}

#[test]
fn fields() {
    assert_eq!(find(".spec.replicas"), vec![json!(3)]);
    assert_eq!(find("{.spec.replicas}"), vec![json!(3)]);
    assert_eq!(find("$.spec.replicas"), vec![json!(3)]);
    assert_eq!(find(".spec.paused"), vec![json!(false)]);
    assert!(find(".spec.missing").is_empty());
    assert!(find(".spec.replicas.deeper").is_empty());
    assert!(find(".nothing.at.all").is_empty());
}

#[test]
fn indices_and_slices() {
    assert_eq!(find(".status.conditions[0].type"), vec![json!("Available")]);
    assert_eq!(find(".status.conditions[-1].type"), vec![json!("Ready")]);
    assert_eq!(
        find(".status.conditions[1:3].type"),
        vec![json!("Progressing"), json!("Ready")]
    );
    assert_eq!(
        find(".status.conditions[:2].type"),
        vec![json!("Available"), json!("Progressing")]
    );
    assert_eq!(
        find(".status.conditions[0:3:2].type"),
        vec![json!("Available"), json!("Ready")]
    );
    assert_eq!(
        find(".status.conditions[0,2].type"),
        vec![json!("Available"), json!("Ready")]
    );
    assert!(find(".status.conditions[5].type").is_empty());
    let err = parse(".status.conditions[5]").unwrap().try_find(&doc()).unwrap_err();
    assert_eq!(err.message(), "array index out of bounds: index 5, length 3");
    assert!(parse(".spec[0]").unwrap().try_find(&doc()).is_err());
    assert!(parse(".a[x]").is_err());
}

#[test]
fn wildcards() {
    assert_eq!(
        find(".status.conditions[*].type"),
        vec![json!("Available"), json!("Progressing"), json!("Ready")]
    );
    assert_eq!(find(".items[*].metadata.name"), vec![json!("a"), json!("b")]);
    assert_eq!(find(".spec.*"), vec![json!(false), json!(0.5), json!(3)]);
    assert_eq!(
        find(".items[*].spec.containers[*].image"),
        vec![json!("nginx"), json!("redis"), json!("busybox")]
    );
}

#[test]
fn recursive_descent() {
    assert_eq!(find("..image"), vec![json!("nginx"), json!("redis"), json!("busybox")]);
    assert_eq!(
        find(".items..name"),
        vec![json!("a"), json!("c1"), json!("b"), json!("c2"), json!("c3")]
    );
    assert_eq!(find("$..replicas"), vec![json!(3)]);
}

#[test]
fn filters() {
    assert_eq!(
        find(r#".status.conditions[?(@.type=="Ready")].status"#),
        vec![json!("True")]
    );
    assert_eq!(
        find(".status.conditions[?(@.type == 'Progressing')].status"),
        vec![json!("False")]
    );
    assert_eq!(
        find(r#".status.conditions[?(@.status!="True")].type"#),
        vec![json!("Progressing")]
    );
    assert_eq!(
        find(".status.conditions[?(@.priority > 1)].type"),
        vec![json!("Progressing"), json!("Ready")]
    );
    assert_eq!(
        find(".status.conditions[?(@.priority>=5)].type"),
        vec![json!("Progressing"), json!("Ready")]
    );
    assert_eq!(
        find(".status.conditions[?(@.priority < 5)].type"),
        vec![json!("Available")]
    );
    assert_eq!(
        find(".status.conditions[?(@.priority<=5)].type"),
        vec![json!("Available"), json!("Progressing")]
    );
    assert_eq!(
        find(r#".status.conditions[?(@.type < "B")].type"#),
        vec![json!("Available")]
    );
    assert_eq!(find(".items[?(@.spec.containers[1])].metadata.name"), vec![json!("b")]);
    assert_eq!(
        find(".items[?(@.metadata.name)].metadata.name"),
        vec![json!("a"), json!("b")]
    );
    assert_eq!(
        find(r#".items[?(@.metadata.name=="b")].spec.containers[?(@.image=="busybox")].name"#),
        vec![json!("c3")]
    );
    assert!(find(r#".status.conditions[?(@.type=="Nope")].status"#).is_empty());
    assert!(parse(".spec[?(@.x==1)]").unwrap().try_find(&doc()).is_err());
    assert!(parse(".a[?(@.x=1)]").is_err());
    assert!(parse(".a[?(@.x==1)").is_err());
}

#[test]
fn quoted_keys() {
    assert_eq!(
        find(".metadata.annotations['kubernetes.io/change-cause']"),
        vec![json!("deploy v2")]
    );
    assert_eq!(find(r#".metadata.annotations["a.b"]"#), vec![json!("dotted")]);
    assert_eq!(find(r".metadata.annotations.a\.b"), vec![json!("dotted")]);
    assert_eq!(find(".metadata['name','annotations'].a"), Vec::<Value>::new());
    assert_eq!(find(".metadata['name']"), vec![json!("top")]);
}

#[test]
fn templates() {
    assert_eq!(render("{.metadata.name}"), "top");
    assert_eq!(
        render("name={.metadata.name} replicas={.spec.replicas}"),
        "name=top replicas=3"
    );
    assert_eq!(render("{.items[*].metadata.name}"), "a b");
    assert_eq!(render("{.metadata.name,.spec.replicas}"), "top 3");
    assert_eq!(render("{.spec.ratio}"), "0.5");
    assert_eq!(
        render("{.items[0].spec}"),
        r#"{"containers":[{"image":"nginx","name":"c1"}]}"#
    );
    assert_eq!(render(r#"{range .items[*]}{.metadata.name}{"\n"}{end}"#), "a\nb\n");
    assert_eq!(
        render(r"{range .items[*]}{.metadata.name}:{range .spec.containers[*]}[{.image}]{end};{end}"),
        "a:[nginx];b:[redis][busybox];"
    );
    assert_eq!(render("{.missing}"), "");
    assert_eq!(render("{}"), "");
}

#[test]
fn template_errors() {
    assert!(parse("{.a").is_err());
    assert!(parse("{range .items[*]}{.x}").is_err());
    assert!(parse("{end}").is_err());
    assert!(parse("{metadata.name}").is_err());
    assert!(parse("{.a #}").is_err());
    assert!(parse(r#"{"unterminated}"#).is_err());
}

#[test]
fn parse_api() {
    let p: JsonPath = ".spec.replicas".parse().unwrap();
    assert_eq!(p.source(), ".spec.replicas");
    assert_eq!(p.find(&json!({"spec": {"replicas": 1}})), vec![&json!(1)]);
    assert!(p.find(&json!(null)).is_empty());
    assert!(p.find(&json!([1, 2])).is_empty());
}

#[test]
fn strict_evaluation_reports_missing_fields() {
    let data = json!({"key": [{"key2": {"value": "1"}}], "n": null, "s": "text", "empty": []});
    let strict = |expr: &str| -> Result<Vec<Value>, String> {
        parse(expr)
            .unwrap()
            .try_find_strict(&data)
            .map(|found| found.into_iter().cloned().collect())
            .map_err(|e| e.message().to_string())
    };
    assert_eq!(strict("{$.key[0].key2.value}"), Ok(vec![json!("1")]));
    assert_eq!(strict("{$}"), Ok(vec![data.clone()]));
    assert_eq!(strict("{.n}"), Ok(vec![json!(null)]));
    assert_eq!(
        strict("{$.key[0].key2.novalue}"),
        Err("novalue is not found".to_string())
    );
    assert_eq!(strict("{.s.length}"), Err("length is not found".to_string()));
    assert_eq!(strict("{.n.x}"), Err("x is not found".to_string()));
    // Nothing to look the field up on is not an error.
    assert_eq!(strict("{.empty[*].name}"), Ok(vec![]));
    // Existence filters stay lenient; comparisons do not.
    assert_eq!(strict("{.key[?(@.nope)]}"), Ok(vec![]));
    assert!(strict("{.key[?(@.nope == 1)]}").is_err());
    // The lenient form selects nothing instead.
    assert!(
        parse("{$.key[0].key2.novalue}")
            .unwrap()
            .try_find(&data)
            .unwrap()
            .is_empty()
    );
}
