//! Every Rollout in the upstream corpus (examples, e2e manifests, docs) must fit the Go types the
//! hash is computed over; a misfit would mean a gap in the generated table, except for the
//! manifests that are malformed on purpose. Hashing through the Rust types must also give what
//! hashing the manifest's own JSON gives: the Rust types must not lose or invent anything Go sees.

use super::super::*;

#[test]
fn every_corpus_rollout_fits_the_go_types() {
    let Some(root) = rollouts_testkit::conformance_or_skip("every_corpus_rollout_fits_the_go_types") else {
        return;
    };
    let (mut rollouts, mut misfits) = (0, Vec::new());
    for path in rollouts_testkit::files_with_ext(&root, &[".yaml", ".yml"]) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        // e2e's `expectedfailures` are malformed on purpose; the kustomize inputs only exercise
        // kustomize transformations (one gives a list field as an object) and are never applied.
        let expected_failure = path
            .components()
            .any(|c| c.as_os_str() == "expectedfailures" || c.as_os_str() == "kustomize");
        for doc in rollouts_testkit::yaml_documents(&text).unwrap_or_default() {
            if doc["kind"] != "Rollout" {
                continue;
            }
            rollouts += 1;
            let template = Some(&doc["spec"]["template"]).filter(|t| !t.is_null());
            let steps = doc["spec"]["strategy"]["canary"]["steps"]
                .as_array()
                .into_iter()
                .flatten();
            let results = template
                .map(|t| go_json(t, "corev1.PodTemplateSpec"))
                .into_iter()
                .chain(steps.map(|s| go_json(s, "v1alpha1.CanaryStep")));
            for error in results.filter_map(Result::err) {
                if !expected_failure {
                    misfits.push(format!("{}: {error}", path.display()));
                }
            }
            if !expected_failure {
                misfits.extend(
                    round_trip_problems(&doc)
                        .into_iter()
                        .map(|p| format!("{}: {p}", path.display())),
                );
            }
        }
    }
    assert!(rollouts > 50, "only {rollouts} Rollouts found");
    assert!(misfits.is_empty(), "{misfits:#?}");
}

/// Differences between hashing the manifest's JSON and hashing it through the Rust types.
fn round_trip_problems(doc: &Value) -> Vec<String> {
    let raw_hash = |value: &Value, ty: &Ty| {
        safe_encode(fnv1a32(
            FNV_OFFSET,
            encode(value, ty, go_json::Mode::Marshal).0.as_bytes(),
        ))
    };
    let mut problems = Vec::new();
    let template = &doc["spec"]["template"];
    if !template.is_null() {
        match serde_json::from_value::<PodTemplateSpec>(template.clone()) {
            Ok(typed) if pod_template_hash(&typed, None) != raw_hash(template, &POD_TEMPLATE) => {
                problems.push("the template hashes differently through the Rust types".to_owned());
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("template does not decode: {e}")),
        }
    }
    let steps = &doc["spec"]["strategy"]["canary"]["steps"];
    if !steps.is_null() {
        match serde_json::from_value::<Vec<CanaryStep>>(steps.clone()) {
            Ok(typed) if steps_hash(&typed) != raw_hash(steps, &STEPS) => {
                problems.push("the steps hash differently through the Rust types".to_owned());
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("steps do not decode: {e}")),
        }
    }
    problems
}
