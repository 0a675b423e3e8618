//! Upstream's corpus: every Rollout, AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun and
//! Experiment that upstream accepts is valid here too, and the ones upstream rejects (lint fixtures,
//! invalid-spec fixtures, malformed e2e manifests) are rejected with the first error upstream reports.

use std::collections::BTreeMap;

use rollouts_api::decode::{Manifest, decode_all};
use rollouts_api::validation::{
    FieldError, validate_analysis_run, validate_analysis_template, validate_cluster_analysis_template,
    validate_experiment, validate_rollout,
};
use rollouts_testkit::{conformance_or_skip, files_with_ext};

const QUANTITY_FORMAT: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const LABEL_FORMAT: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn problems(manifest: &Manifest) -> Vec<FieldError> {
    match manifest {
        Manifest::Rollout(r) => validate_rollout(r),
        Manifest::AnalysisTemplate(t) => validate_analysis_template(t),
        Manifest::ClusterAnalysisTemplate(t) => validate_cluster_analysis_template(t),
        Manifest::AnalysisRun(r) => validate_analysis_run(r),
        Manifest::Experiment(e) => validate_experiment(e),
        Manifest::Other(_) => Vec::new(),
    }
}

/// The corpus files holding an invalid object, and the first error of the first such object.
fn expected_invalid() -> BTreeMap<String, String> {
    let lint = |file: &str| format!("pkg/kubectl-argo-rollouts/cmd/lint/testdata/{file}");
    let both_zero = "spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero";
    let memory =
        |path: &str| format!("{path}.resources.requests[memory]: Invalid value: \"invalid\": {QUANTITY_FORMAT}");
    let placeholder =
        |name: &str| format!("spec.template.spec.containers[0].name: Invalid value: \"{name}\": {LABEL_FORMAT}");
    let job = "spec.metrics[0].provider.job.spec.template.spec.containers[0]";
    let expected_failures = |file: &str| format!("test/e2e/expectedfailures/{file}");
    BTreeMap::from([
        // Lint fixtures, with upstream's expected lint error.
        (lint("invalid.yml"), both_zero.to_string()),
        (lint("invalid.json"), both_zero.to_string()),
        (lint("invalid-multiple-docs.yml"), both_zero.to_string()),
        // A Rollout with neither metadata nor spec: upstream's lint reports the missing selector first.
        (
            lint("invalid-empty-rollout-vsvc.yml"),
            "spec.selector: Required value: Rollout has missing field '.spec.selector'".to_string(),
        ),
        (
            lint("invalid-nginx-canary.yml"),
            "spec.strategy.steps[1].experiment.templates[0].weight: Invalid value: 20: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time".to_string(),
        ),
        // Upstream rejects this one while decoding (`unknown field "unknown-strategy"`); decoded
        // leniently, as an API server would store it, it has no strategy.
        (
            lint("invalid-unknown-field.yml"),
            "spec.strategy.strategy: Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'".to_string(),
        ),
        (
            "pkg/kubectl-argo-rollouts/info/testdata/rollout-invalid/rollout-invalid.yaml".to_string(),
            "spec.template.metadata.labels: Invalid value: {\"app\":\"doesnt-match\"}: `selector` does not match template `labels`".to_string(),
        ),
        (
            expected_failures("experiment-invalid.yaml"),
            "spec.templates[1].template.spec.containers: Required value".to_string(),
        ),
        // Quantities that upstream's informer drops while decoding; here they reach validation.
        (expected_failures("malformed-analysisrun.yaml"), memory(job)),
        (expected_failures("malformed-analysistemplate.yaml"), memory(job)),
        (expected_failures("malformed-clusteranalysistemplate.yaml"), memory(job)),
        (
            expected_failures("malformed-experiment.yaml"),
            memory("spec.templates[0].template.spec.containers[0]"),
        ),
        (expected_failures("malformed-rollout.yaml"), memory("spec.template.spec.containers[0]")),
        (expected_failures("malformed-rollout-ephemeral.yaml"), memory("spec.template.spec.containers[0]")),
        // Templates whose placeholders the e2e suite replaces before applying them.
        ("test/e2e/functional/bluegreen-duration-template.yaml".to_string(), placeholder("ROLLOUT_NAME")),
        ("test/e2e/functional/canary-duration-template.yaml".to_string(), placeholder("ROLLOUT_NAME")),
        ("test/e2e/functional/nginx-template.yaml".to_string(), placeholder("REPLACEME")),
    ])
}

#[test]
fn corpus_objects_are_valid_exactly_where_upstream_accepts_them() {
    let Some(dir) = conformance_or_skip("corpus_objects_are_valid_exactly_where_upstream_accepts_them") else {
        return;
    };
    let mut checked = 0;
    let mut invalid = BTreeMap::new();
    for file in files_with_ext(&dir, &[".yaml", ".yml", ".json"]) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        // Documents that do not decode (Helm templates, broken YAML) are the decoder's tests' business.
        let Ok(manifests) = decode_all(&text) else { continue };
        let relative = file
            .strip_prefix(&dir)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        for manifest in &manifests {
            if matches!(manifest, Manifest::Other(_)) {
                continue;
            }
            checked += 1;
            if let Some(first) = problems(manifest).first() {
                invalid.entry(relative.clone()).or_insert_with(|| first.to_string());
            }
        }
    }
    assert!(checked > 150, "only {checked} objects found in the corpus");
    assert_eq!(invalid, expected_invalid());
}
