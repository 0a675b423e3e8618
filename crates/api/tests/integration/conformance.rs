//! Every document of the five kinds in upstream's corpus decodes into the typed structs, encodes back
//! with no field lost, and passes validation — except the documents upstream itself uses as invalid
//! input, which must be rejected with a message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::Path;

use rollouts_api::decode::{self, Manifest};
use rollouts_api::validation;
use rollouts_testkit::{conformance_or_skip, files_with_ext};
use serde_json::Value;

/// Documents upstream uses as invalid input: its lint fixtures named `invalid*`, and the e2e
/// `expectedfailures/` set except those listed in [`RUNTIME_FAILURES`].
fn expected_invalid(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    (rel.contains("cmd/lint/testdata/") && name.starts_with("invalid"))
        || (rel.starts_with("test/e2e/expectedfailures/") && !RUNTIME_FAILURES.contains(&name))
        || INVALID_FIXTURES.contains(&rel)
}

/// Other fixtures that are not valid objects as they stand: the `get rollout` sample of an invalid
/// Rollout, and e2e templates whose placeholders (`ROLLOUT_NAME`, `REPLACEME`) the e2e suite replaces
/// before applying them.
const INVALID_FIXTURES: &[&str] = &[
    "pkg/kubectl-argo-rollouts/info/testdata/rollout-invalid/rollout-invalid.yaml",
    "test/e2e/functional/bluegreen-duration-template.yaml",
    "test/e2e/functional/canary-duration-template.yaml",
    "test/e2e/functional/nginx-template.yaml",
];

/// e2e "expected failure" fixtures whose spec is valid: they fail only when run (an unreachable metrics
/// server, an image that never starts, a missing or failing AnalysisTemplate). Rejecting them at
/// validation would be wrong, so they must pass it like any valid document.
const RUNTIME_FAILURES: &[&str] = &[
    "analysis-run-prometheus-bad-server.yaml",
    "experiment-degrade.yaml",
    "experiment-error-template-missing.yaml",
    "experiment-failed-analysis.yaml",
];

/// Documents that are not API objects at all: kustomize transformer fixtures whose shapes no API server
/// accepts (a pod anti-affinity term as a map, experiment templates with metadata). Keyed by file and
/// 1-based document index; they must be rejected with a message like the other invalid inputs.
const NOT_API_OBJECTS: &[(&str, usize, &str)] = &[
    (
        "test/kustomize/rollout/rollout.yaml",
        1,
        "podAntiAffinity term given as a map",
    ),
    (
        "test/kustomize/rollout/rollout.yaml",
        2,
        "experiment template with metadata",
    ),
    (
        "test/kustomize/rollout/expected.yaml",
        8,
        "experiment template with metadata",
    ),
    (
        "test/kustomize/rollout/expected.yaml",
        9,
        "podAntiAffinity term given as a map",
    ),
];

/// A JSON value with every null object member removed: `creationTimestamp: null` and an absent
/// `creationTimestamp` mean the same to the API server, which drops nulls anyway.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), without_nulls(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn reencode(m: &Manifest) -> Value {
    match m {
        Manifest::Rollout(o) => serde_json::to_value(o),
        Manifest::AnalysisTemplate(o) => serde_json::to_value(o),
        Manifest::ClusterAnalysisTemplate(o) => serde_json::to_value(o),
        Manifest::AnalysisRun(o) => serde_json::to_value(o),
        Manifest::Experiment(o) => serde_json::to_value(o),
        Manifest::Other(v) => Ok(v.clone()),
    }
    .unwrap()
}

/// Validation problems of one document, rendered as upstream renders them.
fn problems(m: &Manifest, others: &[Value]) -> Vec<String> {
    let errs = match m {
        Manifest::Rollout(o) => {
            let mut errs = validation::validate_rollout(o);
            errs.extend(validation::validate_rollout_services(o, others));
            errs
        }
        Manifest::AnalysisTemplate(o) => validation::validate_analysis_template(o),
        Manifest::ClusterAnalysisTemplate(o) => validation::validate_cluster_analysis_template(o),
        Manifest::AnalysisRun(o) => validation::validate_analysis_run(o),
        Manifest::Experiment(o) => validation::validate_experiment(o),
        Manifest::Other(_) => Vec::new(),
    };
    errs.iter().map(ToString::to_string).collect()
}

fn is_argo_kind(doc: &Value) -> bool {
    doc.get("apiVersion").and_then(Value::as_str) == Some(decode::API_VERSION)
        && matches!(
            doc.get("kind").and_then(Value::as_str),
            Some("Rollout" | "AnalysisTemplate" | "ClusterAnalysisTemplate" | "AnalysisRun" | "Experiment")
        )
}

#[derive(Default)]
struct Counts {
    files: usize,
    unparsable_files: Vec<String>,
    documents: usize,
    round_tripped: usize,
    valid: usize,
    rejected_as_expected: usize,
    failures: Vec<String>,
}

fn check_file(corpus: &Path, path: &Path, counts: &mut Counts) {
    let rel = path.strip_prefix(corpus).unwrap().to_string_lossy().replace('\\', "/");
    let text = std::fs::read_to_string(path).unwrap();
    counts.files += 1;
    let invalid_file = expected_invalid(&rel);
    let docs = match decode::documents(&text) {
        Ok(docs) => docs,
        Err(e) => {
            // Helm templates and deliberately broken YAML; a broken file among the invalid inputs
            // counts as rejected only if it names one of our kinds.
            if invalid_file && text.contains("argoproj.io/v1alpha1") {
                counts.documents += 1;
                counts.rejected_as_expected += 1;
                println!("rejected {rel}: {e}");
            } else {
                counts.unparsable_files.push(format!("{rel}: {e}"));
            }
            return;
        }
    };
    let mut rejected_in_file = 0;
    for (i, doc) in docs.iter().enumerate() {
        if !is_argo_kind(doc) {
            continue;
        }
        counts.documents += 1;
        let label = format!("{rel} #{}", i + 1);
        let invalid_doc = invalid_file || NOT_API_OBJECTS.iter().any(|(f, n, _)| *f == rel && *n == i + 1);
        let outcome = decode::decode_strict(i + 1, doc.clone())
            .map_err(|e| e.to_string())
            .and_then(|m| {
                let problems = problems(&m, &docs);
                if problems.is_empty() {
                    Ok(m)
                } else {
                    Err(problems.join("; "))
                }
            });
        // Round trip is checked for every document that decodes, valid or not.
        if let Ok(m) = decode::decode(i + 1, doc.clone()) {
            let back = reencode(&m);
            if without_nulls(&back) == without_nulls(doc) {
                counts.round_tripped += 1;
            } else if !invalid_doc {
                let lost = decode::unknown_fields(doc, &back);
                counts
                    .failures
                    .push(format!("{label}: round trip differs (lost: {lost:?})"));
                continue;
            } else {
                println!(
                    "not round-tripped (invalid input): {label}: lost {:?}",
                    decode::unknown_fields(doc, &back)
                );
            }
        } else {
            println!("not round-tripped (does not decode): {label}");
        }
        match (invalid_doc, outcome) {
            (false, Ok(_)) => counts.valid += 1,
            (false, Err(e)) => counts.failures.push(format!("{label}: unexpectedly invalid: {e}")),
            (true, Err(e)) if !e.is_empty() => {
                println!("rejected {label}: {e}");
                counts.rejected_as_expected += 1;
                rejected_in_file += 1;
            }
            // In a multi-document invalid fixture, the other documents may well be valid.
            (true, _) => counts.valid += 1,
        }
    }
    if invalid_file && rejected_in_file == 0 {
        counts
            .failures
            .push(format!("{rel}: expected a document to be rejected, but all passed"));
    }
}

#[test]
fn upstream_corpus_round_trips_and_validates() {
    let Some(corpus) = conformance_or_skip("upstream_corpus_round_trips_and_validates") else {
        return;
    };
    let mut counts = Counts::default();
    for path in files_with_ext(&corpus, &[".yaml", ".yml", ".json"]) {
        check_file(&corpus, &path, &mut counts);
    }
    println!(
        "conformance corpus: {} files, {} documents of the five kinds, {} round-tripped, {} valid, \
         {} rejected as expected, {} failures; {} files are not plain YAML (templates) and were skipped",
        counts.files,
        counts.documents,
        counts.round_tripped,
        counts.valid,
        counts.rejected_as_expected,
        counts.failures.len(),
        counts.unparsable_files.len()
    );
    for f in &counts.unparsable_files {
        println!("skipped (not YAML): {f}");
    }
    assert!(counts.documents > 100, "too few documents found: {}", counts.documents);
    assert!(
        counts.failures.is_empty(),
        "{} failures:\n{}",
        counts.failures.len(),
        counts.failures.join("\n")
    );
}
