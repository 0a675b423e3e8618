//! The checked-in CRDs are what the types generate, and they agree with upstream's CRDs on everything a
//! client can observe: names, scope, subresources, printer columns, and every property upstream declares.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::collections::BTreeSet;

use rollouts_api::crd;
use rollouts_testkit::{conformance_or_skip, workspace_root, yaml_documents};
use serde_json::Value;

#[test]
fn checked_in_crds_match_the_types() {
    let dir = workspace_root().join("deploy").join("crds");
    for (file, generated) in crd::all().unwrap() {
        let want = crd::to_yaml(&generated).unwrap();
        let have = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            have == want,
            "deploy/crds/{file} is stale: run `cargo run -p rollouts -- crds --out-dir deploy/crds`"
        );
    }
}

#[test]
fn crds_inject_no_defaults_and_keep_optional_fields_non_nullable() {
    fn walk(schema: &Value, path: String, file: &str) {
        let Some(obj) = schema.as_object() else { return };
        assert!(!obj.contains_key("default"), "{file}: {path} has a schema default");
        assert!(
            obj.get("nullable") != Some(&Value::Bool(true)),
            "{file}: {path} is nullable"
        );
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                walk(sub, format!("{path}.{name}"), file);
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(sub) = obj.get(key) {
                walk(sub, format!("{path}[]"), file);
            }
        }
    }
    for (file, crd) in crd::all().unwrap() {
        let crd = serde_json::to_value(crd).unwrap();
        walk(&version(&crd)["schema"]["openAPIV3Schema"], String::new(), file);
    }
}

#[test]
fn printed_stream_holds_all_five_crds() {
    let docs = yaml_documents(&crd::all_yaml().unwrap()).unwrap();
    let kinds: Vec<&str> = docs
        .iter()
        .map(|d| d["spec"]["names"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Rollout",
            "AnalysisTemplate",
            "ClusterAnalysisTemplate",
            "AnalysisRun",
            "Experiment"
        ]
    );
}

/// Every schema path below `root`: `.spec.strategy.canary.steps[].setWeight`, maps as `{}`.
fn property_paths(schema: &Value, path: String, out: &mut BTreeSet<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            let p = format!("{path}.{name}");
            out.insert(p.clone());
            property_paths(sub, p, out);
        }
    }
    if let Some(items) = schema.get("items") {
        property_paths(items, format!("{path}[]"), out);
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        property_paths(extra, format!("{path}{{}}"), out);
    }
}

/// `required` lists by schema path.
fn required_lists(schema: &Value, path: String, out: &mut std::collections::BTreeMap<String, BTreeSet<String>>) {
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        out.insert(
            path.clone(),
            req.iter().filter_map(|r| r.as_str().map(str::to_string)).collect(),
        );
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            required_lists(sub, format!("{path}.{name}"), out);
        }
    }
    if let Some(items) = schema.get("items") {
        required_lists(items, format!("{path}[]"), out);
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        required_lists(extra, format!("{path}{{}}"), out);
    }
}

fn version(crd: &Value) -> &Value {
    &crd["spec"]["versions"][0]
}

#[test]
fn crds_agree_with_upstream() {
    let Some(corpus) = conformance_or_skip("crds_agree_with_upstream") else {
        return;
    };
    let mut problems = Vec::new();
    for (file, ours) in crd::all().unwrap() {
        let ours = serde_json::to_value(&ours).unwrap();
        let text = std::fs::read_to_string(corpus.join("manifests/crds").join(file)).unwrap();
        let theirs = yaml_documents(&text).unwrap().remove(0);
        for (what, a, b) in [
            ("group", &ours["spec"]["group"], &theirs["spec"]["group"]),
            ("scope", &ours["spec"]["scope"], &theirs["spec"]["scope"]),
            ("kind", &ours["spec"]["names"]["kind"], &theirs["spec"]["names"]["kind"]),
            (
                "listKind",
                &ours["spec"]["names"]["listKind"],
                &theirs["spec"]["names"]["listKind"],
            ),
            (
                "plural",
                &ours["spec"]["names"]["plural"],
                &theirs["spec"]["names"]["plural"],
            ),
            (
                "singular",
                &ours["spec"]["names"]["singular"],
                &theirs["spec"]["names"]["singular"],
            ),
            (
                "shortNames",
                &ours["spec"]["names"]["shortNames"],
                &theirs["spec"]["names"]["shortNames"],
            ),
            ("version", &version(&ours)["name"], &version(&theirs)["name"]),
            ("served", &version(&ours)["served"], &version(&theirs)["served"]),
            ("storage", &version(&ours)["storage"], &version(&theirs)["storage"]),
            (
                "subresources",
                &version(&ours)["subresources"],
                &version(&theirs)["subresources"],
            ),
            (
                "additionalPrinterColumns",
                &version(&ours)["additionalPrinterColumns"],
                &version(&theirs)["additionalPrinterColumns"],
            ),
        ] {
            if a != b {
                problems.push(format!("{file}: {what} differs: ours {a} upstream {b}"));
            }
        }
        let (mut our_paths, mut their_paths) = (BTreeSet::new(), BTreeSet::new());
        property_paths(
            &version(&ours)["schema"]["openAPIV3Schema"],
            String::new(),
            &mut our_paths,
        );
        property_paths(
            &version(&theirs)["schema"]["openAPIV3Schema"],
            String::new(),
            &mut their_paths,
        );
        let missing: Vec<&String> = their_paths.difference(&our_paths).collect();
        println!(
            "{file}: upstream declares {} property paths, ours {}; missing from ours: {}",
            their_paths.len(),
            our_paths.len(),
            missing.len()
        );
        for path in missing {
            problems.push(format!("{file}: property {path} is missing"));
        }
        // Every field upstream requires is required in ours too (outside the pod template, whose
        // schema comes from the Kubernetes types).
        let (mut our_req, mut their_req) = (Default::default(), Default::default());
        required_lists(
            &version(&ours)["schema"]["openAPIV3Schema"],
            String::new(),
            &mut our_req,
        );
        required_lists(
            &version(&theirs)["schema"]["openAPIV3Schema"],
            String::new(),
            &mut their_req,
        );
        for (path, fields) in &their_req {
            if path.contains(".template.spec") || path.contains(".job.spec") {
                continue;
            }
            let ours = our_req.get(path).cloned().unwrap_or_default();
            for field in fields.difference(&ours) {
                problems.push(format!("{file}: {path}.{field} is required upstream but not in ours"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences from upstream:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Schema nodes marked `x-kubernetes-int-or-string`, by path.
fn int_or_string_nodes(schema: &Value, path: String, out: &mut std::collections::BTreeMap<String, Value>) {
    if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        out.insert(path.clone(), schema.clone());
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            int_or_string_nodes(sub, format!("{path}.{name}"), out);
        }
    }
    if let Some(items) = schema.get("items") {
        int_or_string_nodes(items, format!("{path}[]"), out);
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        int_or_string_nodes(extra, format!("{path}{{}}"), out);
    }
}

#[test]
fn int_or_string_fields_declare_both_types_like_upstream() {
    let both = serde_json::json!([{ "type": "integer" }, { "type": "string" }]);
    let mut problems = Vec::new();
    let mut ours_by_file = std::collections::BTreeMap::new();
    for (file, ours) in crd::all().unwrap() {
        let ours = serde_json::to_value(&ours).unwrap();
        let mut nodes = std::collections::BTreeMap::new();
        int_or_string_nodes(&version(&ours)["schema"]["openAPIV3Schema"], String::new(), &mut nodes);
        for (path, node) in &nodes {
            if node.get("anyOf") != Some(&both) || node.get("type").is_some() {
                problems.push(format!("{file}: {path} is not anyOf integer/string: {node}"));
            }
        }
        ours_by_file.insert(file, nodes);
    }
    let rollout = &ours_by_file["rollout-crd.yaml"];
    for path in [
        ".spec.strategy.canary.maxSurge",
        ".spec.strategy.canary.maxUnavailable",
        ".spec.strategy.blueGreen.maxUnavailable",
        ".spec.strategy.canary.steps[].pause.duration",
    ] {
        assert!(rollout.contains_key(path), "{path} is not int-or-string");
    }
    if let Some(corpus) = conformance_or_skip("int_or_string_fields_declare_both_types_like_upstream") {
        for (file, ours) in &ours_by_file {
            let text = std::fs::read_to_string(corpus.join("manifests/crds").join(file)).unwrap();
            let theirs = yaml_documents(&text).unwrap().remove(0);
            let mut upstream = std::collections::BTreeMap::new();
            int_or_string_nodes(
                &version(&theirs)["schema"]["openAPIV3Schema"],
                String::new(),
                &mut upstream,
            );
            for (path, node) in &upstream {
                // Upstream's pod templates are partly opaque; ours come from the Kubernetes types.
                if !ours.contains_key(path) && !path.contains(".template.spec") && !path.contains(".job.spec") {
                    problems.push(format!(
                        "{file}: {path} is int-or-string upstream ({node}) but not in ours"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
