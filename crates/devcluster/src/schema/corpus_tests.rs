//! Real CRDs and manifests: this project's and upstream's CRDs are structural, upstream's example and e2e
//! documents pass validation, and nothing panics on arbitrary input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rollouts_testkit::{conformance_or_skip, files_with_ext, workspace_root, yaml_documents};
use serde_json::{Value, json};

use super::*;

/// `(kind, version) -> openAPIV3Schema` of every CRD in the files under `dir`.
fn load_crds(dir: &Path) -> HashMap<(String, String), Value> {
    let mut out = HashMap::new();
    for file in files_with_ext(dir, &[".yaml", ".yml"]) {
        let text = std::fs::read_to_string(&file).unwrap();
        let Ok(docs) = yaml_documents(&text) else { continue };
        for doc in docs.into_iter().filter(|d| d["kind"] == "CustomResourceDefinition") {
            let kind = doc["spec"]["names"]["kind"].as_str().unwrap().to_string();
            for v in doc["spec"]["versions"].as_array().unwrap() {
                let schema = v["schema"]["openAPIV3Schema"].clone();
                out.insert((kind.clone(), v["name"].as_str().unwrap().to_string()), schema);
            }
        }
    }
    out
}

fn upstream_crds() -> Option<HashMap<(String, String), Value>> {
    let dir = conformance_or_skip("schema corpus")?;
    Some(load_crds(&dir.join("manifests/crds")))
}

fn rollout_schema() -> Value {
    let crds = load_crds(&workspace_root().join("deploy/crds"));
    crds[&("Rollout".to_string(), "v1alpha1".to_string())].clone()
}

#[test]
fn every_known_crd_is_structural() {
    let mut dirs = vec![workspace_root().join("deploy/crds")];
    if let Some(corpus) = conformance_or_skip("every_known_crd_is_structural") {
        dirs.push(corpus.join("manifests/crds"));
        dirs.push(corpus.join("test/e2e/crds"));
    }
    let mut checked = 0;
    for dir in dirs {
        for ((kind, version), schema) in load_crds(&dir) {
            let problems = check_structural(&schema);
            assert!(
                problems.is_empty(),
                "{}: {kind}/{version}: {problems:#?}",
                dir.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} schemas found");
}

/// Every argoproj.io document of the corpus that parses, with the file it came from.
fn argo_documents(corpus: &Path) -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for sub in ["examples", "test/e2e", "docs/getting-started"] {
        for file in files_with_ext(&corpus.join(sub), &[".yaml", ".yml"]) {
            let text = std::fs::read_to_string(&file).unwrap();
            let Ok(docs) = yaml_documents(&text) else { continue };
            for doc in docs {
                if doc["apiVersion"]
                    .as_str()
                    .is_some_and(|v| v.starts_with("argoproj.io/"))
                {
                    out.push((file.clone(), doc));
                }
            }
        }
    }
    out
}

#[test]
fn upstream_documents_validate_against_upstream_crds() {
    let (Some(crds), Some(corpus)) = (upstream_crds(), conformance_or_skip("upstream documents")) else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, mut doc) in argo_documents(&corpus) {
        let kind = doc["kind"].as_str().unwrap_or_default().to_string();
        let version = doc["apiVersion"]
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let Some(schema) = crds.get(&(kind, version)) else {
            continue;
        };
        let causes = process(&mut doc, schema);
        if !causes.is_empty() {
            failures.push(format!(
                "{}: {:?}",
                file.display(),
                causes.iter().map(ToString::to_string).collect::<Vec<_>>()
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 100, "only {checked} documents checked");
}

#[test]
fn upstream_examples_also_validate_against_this_projects_crds() {
    let Some(corpus) = conformance_or_skip("project crds") else {
        return;
    };
    let crds = load_crds(&workspace_root().join("deploy/crds"));
    for (file, mut doc) in argo_documents(&corpus) {
        let key = (
            doc["kind"].as_str().unwrap_or_default().to_string(),
            "v1alpha1".to_string(),
        );
        let Some(schema) = crds.get(&key) else { continue };
        let causes = process(&mut doc, schema);
        assert!(causes.is_empty(), "{}: {causes:#?}", file.display());
    }
}

#[test]
fn istio_documents_validate_against_istio_crds() {
    let Some(corpus) = conformance_or_skip("istio documents") else {
        return;
    };
    let crds = load_crds(&corpus.join("test/e2e/crds"));
    let mut checked = 0;
    for sub in ["examples", "test/e2e"] {
        for file in files_with_ext(&corpus.join(sub), &[".yaml"]) {
            let Ok(docs) = yaml_documents(&std::fs::read_to_string(&file).unwrap()) else {
                continue;
            };
            for mut doc in docs {
                let Some(api) = doc["apiVersion"]
                    .as_str()
                    .filter(|a| a.starts_with("networking.istio.io/"))
                else {
                    continue;
                };
                let key = (
                    doc["kind"].as_str().unwrap_or_default().to_string(),
                    api.rsplit('/').next().unwrap().to_string(),
                );
                let Some(schema) = crds.get(&key) else { continue };
                let causes = process(&mut doc, schema);
                assert!(causes.is_empty(), "{}: {causes:#?}", file.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn datadog_interval_is_defaulted() {
    let Some(crds) = upstream_crds() else { return };
    let schema = &crds[&("AnalysisTemplate".to_string(), "v1alpha1".to_string())];
    let mut doc = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate", "metadata": {"name": "dd"},
        "spec": {"metrics": [{"name": "m", "provider": {"datadog": {"query": "avg:x{*}"}}}]}});
    assert!(process(&mut doc, schema).is_empty());
    let dd = &doc["spec"]["metrics"][0]["provider"]["datadog"];
    assert_eq!(dd["interval"], json!("5m"));
    assert_eq!(dd["apiVersion"], json!("v1"));
}

fn doc_with_extras() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "r", "labels": {"a": "b"}, "annotations": {"x": "y"}},
        "spec": {"selector": {"matchLabels": {"app": "r"}}, "bogus": 1,
            "template": {"metadata": {"labels": {"app": "r"}}, "spec": {"containers": [
                {"name": "c", "image": "i", "resources": {"limits": {"cpu": "1", "anything": {"x": 1}}}, "junk": true}]}},
            "strategy": {"canary": {"trafficRouting": {"plugins": {"argoproj-labs/x": {"free": {"form": 1}}}}}}}})
}

#[test]
fn rollout_pruning_keeps_preserved_subtrees_and_metadata() {
    let schema = rollout_schema();
    let mut doc = doc_with_extras();
    let found = prune_and_report(&mut doc, &schema);
    // This project's CRD types resource quantities as int-or-string maps, so an object there is emptied.
    let limits = "spec.template.spec.containers[0].resources.limits";
    assert_eq!(
        found,
        vec![
            "spec.bogus".to_string(),
            "spec.template.spec.containers[0].junk".into(),
            format!("{limits}.anything.x")
        ]
    );
    assert_eq!(
        doc["metadata"],
        json!({"name": "r", "labels": {"a": "b"}, "annotations": {"x": "y"}})
    );
    assert_eq!(
        doc["spec"]["strategy"]["canary"]["trafficRouting"]["plugins"]["argoproj-labs/x"],
        json!({"free": {"form": 1}})
    );
    // An int-or-string field that spells out its `anyOf` (as upstream's CRDs do) also reports the
    // `anyOf` and its closest alternative, as the API server does.
    assert_eq!(
        lines(&validate(&doc, &schema)),
        vec![
            format!(
                "{limits}.anything: Invalid value: \"object\": {limits}.anything in body must be of type integer,string: \"object\""
            ),
            format!("<nil>: Invalid value: \"\": \"{limits}.anything\" must validate at least one schema (anyOf)"),
            format!(
                "{limits}.anything: Invalid value: \"object\": {limits}.anything in body must be of type integer: \"object\""
            ),
        ]
    );

    // Upstream's CRD preserves unknown fields under resource limits.
    let Some(crds) = upstream_crds() else { return };
    let upstream = &crds[&("Rollout".to_string(), "v1alpha1".to_string())];
    let mut doc = doc_with_extras();
    assert_eq!(
        prune_and_report(&mut doc, upstream),
        vec!["spec.bogus", "spec.template.spec.containers[0].junk"]
    );
    assert_eq!(
        doc["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["anything"],
        json!({"x": 1})
    );
    assert!(validate(&doc, upstream).is_empty());
}

fn lines(causes: &[Cause]) -> Vec<String> {
    causes.iter().map(ToString::to_string).collect()
}

fn canary_rollout() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
        "spec": {"replicas": 5, "revisionHistoryLimit": 2, "selector": {"matchLabels": {"app": "r"}},
            "template": {"metadata": {"labels": {"app": "r"}}, "spec": {"containers": [{
                "name": "r", "image": "argoproj/rollouts-demo:blue", "ports": [{"name": "http", "containerPort": 8080}],
                "resources": {"requests": {"memory": "32Mi", "cpu": "5m"}}}]}},
            "strategy": {"canary": {"maxSurge": "25%", "maxUnavailable": 0, "steps": [
                {"setWeight": 20}, {"pause": {}}, {"setWeight": 40}, {"pause": {"duration": 10}},
                {"setWeight": 60}, {"pause": {"duration": "1m"}}, {"setWeight": 80}]}}}})
}

#[test]
fn real_crd_reports_errors_like_the_api_server() {
    let Some(crds) = upstream_crds() else { return };
    let schema = &crds[&("Rollout".to_string(), "v1alpha1".to_string())];
    let mut doc = canary_rollout();
    doc["spec"]["replicas"] = json!("three");
    doc["spec"]["strategy"]["canary"]["steps"][0]["setWeight"] = json!(3_000_000_000_i64);
    doc["spec"]["template"]["spec"]["containers"][0]["ports"] =
        json!([{"containerPort": 80}, {"containerPort": 80, "protocol": "TCP"}]);
    doc["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!(5);
    doc["spec"]["template"]["spec"]
        .as_object_mut()
        .unwrap()
        .insert("initContainers".into(), json!([{"image": "x"}]));
    let c = "spec.template.spec.containers[0]";
    assert_eq!(
        lines(&process(&mut doc, schema)),
        vec![
            "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"".to_string(),
            "<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.strategy.canary.steps[0].setWeight".into(),
            format!("{c}.imagePullPolicy: Invalid value: \"integer\": {c}.imagePullPolicy in body must be of type string: \"integer\""),
            "spec.template.spec.initContainers[0].name: Required value".into(),
            format!("{c}.ports[1]: Duplicate value: map[string]interface {{}}{{\"containerPort\":80, \"protocol\":\"TCP\"}}"),
        ]
    );
}

fn arb_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "spec",
        "strategy",
        "canary",
        "blueGreen",
        "steps",
        "setWeight",
        "pause",
        "duration",
        "replicas",
        "selector",
        "matchLabels",
        "template",
        "metadata",
        "containers",
        "name",
        "image",
        "ports",
        "resources",
        "limits",
        "trafficRouting",
        "plugins",
        "analysis",
        "templates",
        "args",
        "value",
        "maxSurge",
        "status",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z0-9%.:-]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_arbitrary_json(doc in arb_json()) {
        let schema = rollout_schema_cached();
        let _ = validate(&doc, schema);
        let mut pruned = doc.clone();
        let _ = prune_and_report(&mut pruned, schema);
        apply_defaults(&mut pruned, schema);
        let _ = validate(&pruned, schema);
        let mut wrapped = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "spec": doc});
        let _ = process(&mut wrapped, schema);
        // Pruning twice changes nothing more.
        let mut again = pruned.clone();
        prune(&mut again, schema);
        prop_assert_eq!(again, pruned);
    }

    #[test]
    fn structural_check_never_panics(schema in arb_json()) {
        let _ = check_structural(&schema);
        let _ = validate(&json!({"a": 1}), &schema);
    }
}

fn rollout_schema_cached() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(rollout_schema)
}
