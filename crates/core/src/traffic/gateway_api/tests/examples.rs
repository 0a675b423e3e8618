//! Every example of the plugin's conformance folder (`gatewayapi-plugin/examples`, its manifests and
//! the YAML of its READMEs): each Rollout's configuration is accepted, and each `setWeight` and
//! `setHeaderRoute` step is carried out on the example's own routes.

use std::path::{Path, PathBuf};

use rollouts_api::Rollout;
use serde_json::Value;

use super::super::managed::is_managed_rule;
use super::*;

/// The example folders, or `None` when the corpus is not reachable (the test is then skipped).
fn example_dirs() -> Option<Vec<PathBuf>> {
    let argo = rollouts_testkit::conformance_or_skip("gateway api plugin examples")?;
    let examples = argo.parent()?.join("gatewayapi-plugin").join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&examples)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Some(dirs)
}

/// Every YAML document of a folder: its manifests, and the `yaml` blocks of its Markdown.
fn documents(dir: &Path) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for file in rollouts_testkit::files_with_ext(dir, &["yaml", "yml", "md"]) {
        let text = std::fs::read_to_string(&file).expect("readable");
        let blocks = if file.extension().is_some_and(|e| e == "md") {
            yaml_blocks(&text)
        } else {
            vec![text]
        };
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prose = file.extension().is_some_and(|e| e == "md");
        for block in blocks {
            match yaml_documents(&block) {
                Ok(docs) => out.extend(docs.into_iter().map(|d| (name.clone(), d))),
                // A README may show YAML no API server would take (cilium's repeats a key); the
                // manifests themselves must all parse.
                Err(e) if prose => eprintln!("{}: a block is skipped: {e}", file.display()),
                Err(e) => panic!("{}: {e}", file.display()),
            }
        }
    }
    out
}

/// The documents of a YAML text. A repeated key keeps its last value, as the API server's JSON decoding
/// does (two examples repeat `revisionHistoryLimit`).
fn yaml_documents(text: &str) -> Result<Vec<Value>, String> {
    let options = serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins };
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options).map_err(|e| e.to_string())?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// The `yaml` blocks of a Markdown file, dedented to their fence, without the shell heredoc lines
/// some wrap around the manifest (`kubectl apply -f - <<EOF` ... `EOF`).
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for line in markdown.lines() {
        let fence = line.trim_start();
        let indent = line.len() - fence.len();
        match current.as_mut() {
            None if fence.starts_with("```yaml") || fence.starts_with("```yml") => current = Some((indent, Vec::new())),
            Some(_) if fence.starts_with("```") => blocks.extend(current.take().map(|(_, b)| b.join("\n"))),
            Some(_) if fence.starts_with("kubectl ") || fence == "EOF" => {}
            Some((base, lines)) => lines.push(line.get((*base).min(indent)..).unwrap_or_default()),
            None => {}
        }
    }
    blocks
}

fn steps(rollout: &Rollout) -> &[rollouts_api::steps::CanaryStep] {
    rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.steps.as_deref())
        .unwrap_or_default()
}

/// The example's route for a reference, as the API server would return it from that reference.
fn example_route(docs: &[(String, Value)], reference: &ObjectRef) -> Option<Value> {
    let (_, doc) = docs
        .iter()
        .find(|(_, d)| d["kind"] == reference.kind.as_str() && d["metadata"]["name"] == reference.name.as_str())?;
    let mut route = doc.clone();
    route["apiVersion"] = Value::from(reference.api_version.as_str());
    route["metadata"]["namespace"] = Value::from(reference.namespace.as_str());
    route["metadata"]["resourceVersion"] = Value::from("1");
    Some(route)
}

/// Whether every weighted rule of the route sends `weight` to the canary and the rest to the stable.
fn check_weights(route: &Value, canary: &str, stable: &str, weight: i32, max: i32) {
    let no_managed = std::collections::BTreeSet::new();
    for rule in route["spec"]["rules"].as_array().into_iter().flatten() {
        if is_managed_rule(rule, canary, &no_managed, None) {
            continue;
        }
        for backend in rule["backendRefs"].as_array().into_iter().flatten() {
            let expected = match backend["name"].as_str() {
                Some(name) if name == canary => weight,
                Some(name) if name == stable => max - weight,
                _ => continue,
            };
            assert_eq!(backend["weight"], Value::from(expected), "{route}");
        }
    }
}

#[test]
fn every_example_configuration_is_accepted_and_weights_its_routes() {
    let Some(dirs) = example_dirs() else {
        return;
    };
    let (mut rollouts, mut weighted, mut header_routes) = (0, 0, 0);
    let mut without_routes = Vec::new();
    for dir in &dirs {
        let docs = documents(dir);
        for (file, doc) in docs.iter().filter(|(_, d)| d["kind"] == "Rollout") {
            let Some(config) = doc
                .pointer("/spec/strategy/canary/trafficRouting/plugins")
                .and_then(|p| p.get(PLUGIN_NAME))
            else {
                continue;
            };
            let context = format!("{}/{file}", dir.display());
            let namespace = doc["metadata"]["namespace"].as_str().unwrap_or("default");
            super::super::GatewayApiConfig::parse(config, namespace).unwrap_or_else(|e| panic!("{context}: {e}"));
            let rollout: Rollout = serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("{context}: {e}"));
            rollouts += 1;
            let refs = references(&rollout, &crate::traffic::RoutingSettings::default());
            assert!(!refs.is_empty(), "{context}");
            let Some(routes) = refs.iter().map(|r| example_route(&docs, r)).collect::<Option<Vec<_>>>() else {
                without_routes.push(context);
                continue;
            };
            let input = RouterInput {
                rollout: &rollout,
                replica_sets: &[],
            };
            let (stable, canary) = input.stable_and_canary_services(false);
            let max = input.max_weight();
            let router = router(&rollout);
            let mut objects = Objects::new(&routes);
            for step in steps(&rollout) {
                if let Some(weight) = step.set_weight {
                    objects.take_writes();
                    router
                        .set_weight(&mut objects, weight, &[])
                        .unwrap_or_else(|e| panic!("{context}: {e}"));
                    let written: Vec<ObjectRef> = objects.writes().iter().map(RoutingWrite::target).collect();
                    assert!(written.iter().all(|w| refs.contains(w)), "{context}: {written:?}");
                    for route in &routes {
                        let now = held(&objects, route);
                        check_weights(&now, &canary, &stable, weight, max);
                    }
                    objects.take_writes();
                    router
                        .set_weight(&mut objects, weight, &[])
                        .unwrap_or_else(|e| panic!("{context}: {e}"));
                    assert!(
                        objects.writes().is_empty(),
                        "{context}: the same weight again writes nothing"
                    );
                    weighted += 1;
                }
                if let Some(header) = &step.set_header_route {
                    router
                        .set_header_route(&mut objects, header)
                        .unwrap_or_else(|e| panic!("{context}: {e}"));
                    let rules = routes
                        .iter()
                        .map(|r| held(&objects, r)["spec"]["rules"].as_array().map_or(0, Vec::len));
                    let original = routes.iter().map(|r| r["spec"]["rules"].as_array().map_or(0, Vec::len));
                    let added: usize = rules.zip(original).map(|(now, before)| now - before).sum();
                    let expected = usize::from(header.r#match.as_ref().is_some_and(|m| !m.is_empty()));
                    assert_eq!(added, expected, "{context}: {header:?}");
                    header_routes += 1;
                }
            }
            router
                .remove_managed_routes(&mut objects)
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            for route in &routes {
                assert_eq!(
                    held(&objects, route)["spec"]["rules"].as_array().map(Vec::len),
                    route["spec"]["rules"].as_array().map(Vec::len),
                    "{context}"
                );
            }
        }
    }
    // The corpus as shipped: 29 Rollouts (manifests and README blocks), every one with its routes in
    // its folder; 99 setWeight steps carried out on them; the two header-based examples' routes set
    // and removed.
    assert_eq!(
        (rollouts, weighted, header_routes),
        (29, 99, 4),
        "the whole corpus was read"
    );
    assert_eq!(without_routes, Vec::<String>::new());
}
