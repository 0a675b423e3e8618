//! `kubectl apply` of every upstream example manifest in the conformance corpus (examples, getting-started
//! guides, e2e fixtures) against the dev cluster with this project's CRDs and the service-mesh CRDs installed.
//! Files that are not manifests (Helm charts, templates with placeholders, dashboards) are skipped with a reason;
//! kinds no CRD in the corpus defines (Ambassador, App Mesh, Kustomize) are out of scope and must be reported by
//! kubectl as "ensure CRDs are installed first". Everything else must apply.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use rollouts_devcluster::testing::{TestCluster, kubectl_available};
use serde_json::Value;

/// Directories of the corpus whose manifests are applied.
const DIRS: [&str; 3] = ["examples", "docs/getting-started", "test/e2e"];

/// One manifest file to apply.
struct Manifest {
    /// Path relative to the corpus root (kubectl runs there, so its messages name files this way).
    path: String,
    docs: Vec<Value>,
    /// The namespace its objects name, if any.
    namespace: Option<String>,
    /// Whether some document has only a `generateName` (so `kubectl create` is needed).
    generated: bool,
}

fn relative(corpus: &Path, p: &Path) -> String {
    p.strip_prefix(corpus).unwrap_or(p).to_string_lossy().into_owned()
}

/// Why a file is not applied, or `None` when it is in scope.
fn skip_reason(corpus: &Path, path: &Path, text: &str) -> Option<&'static str> {
    let rel = relative(corpus, path);
    if rel.split('/').any(|part| part == "expectedfailures") {
        return Some("expected to fail (test/e2e/expectedfailures)");
    }
    if rel.split('/').any(|part| part == "crds") {
        return Some("CRD, installed beforehand");
    }
    if path.ancestors().skip(1).any(|d| d.join("Chart.yaml").is_file()) {
        return Some("Helm chart (templates, values, Chart.yaml)");
    }
    if ["ROLLOUT_NAME", "REPLACEME", "$$"].iter().any(|p| text.contains(p)) {
        return Some("template with placeholders (ROLLOUT_NAME, REPLACEME, $$name$$)");
    }
    None
}

fn classify(corpus: &Path, path: &Path) -> Result<Manifest, &'static str> {
    let text = std::fs::read_to_string(path).unwrap();
    if let Some(reason) = skip_reason(corpus, path, &text) {
        return Err(reason);
    }
    let docs = match rollouts_testkit::yaml_documents(&text) {
        Ok(docs) => docs,
        // An unquoted `{{...}}` value is a template placeholder, not YAML kubectl could read.
        Err(_) if text.contains("{{") => return Err("template with unquoted {{placeholders}} (not valid YAML)"),
        Err(e) => panic!("{}: {e}", path.display()),
    };
    if docs.is_empty()
        || !docs
            .iter()
            .all(|d| d.get("apiVersion").is_some() && d.get("kind").is_some())
    {
        return Err("not a Kubernetes manifest (no apiVersion/kind)");
    }
    let namespaces: BTreeSet<String> = docs
        .iter()
        .filter_map(|d| d.pointer("/metadata/namespace").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    assert!(namespaces.len() <= 1, "{}: several namespaces", path.display());
    let generated = docs
        .iter()
        .any(|d| d.pointer("/metadata/name").is_none() && d.pointer("/metadata/generateName").is_some());
    Ok(Manifest {
        path: relative(corpus, path),
        docs,
        namespace: namespaces.into_iter().next(),
        generated,
    })
}

fn keys(m: &Manifest) -> BTreeSet<(String, String)> {
    m.docs
        .iter()
        .filter_map(|d| {
            let name = d.pointer("/metadata/name").and_then(Value::as_str)?;
            Some((d["kind"].as_str().unwrap_or_default().to_string(), name.to_string()))
        })
        .collect()
}

/// One kubectl invocation: files that can go together into one namespace without two of them writing the
/// same object.
struct Batch {
    namespace: String,
    create: bool,
    files: Vec<usize>,
    keys: BTreeSet<(String, String)>,
}

fn batches(manifests: &[Manifest]) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    for (i, m) in manifests.iter().enumerate() {
        let k = keys(m);
        let fits = |b: &Batch| {
            b.create == m.generated
                && b.keys.is_disjoint(&k)
                && match &m.namespace {
                    Some(ns) => &b.namespace == ns,
                    None => b.namespace.starts_with("corpus-"),
                }
                // Creates of generated names go one file a batch: a failure then names its file.
                && !m.generated
        };
        match out.iter_mut().find(|b| fits(b)) {
            Some(b) => {
                b.files.push(i);
                b.keys.extend(k);
            }
            None => {
                let namespace = m.namespace.clone().unwrap_or_else(|| format!("corpus-{}", out.len()));
                out.push(Batch {
                    namespace,
                    create: m.generated,
                    files: vec![i],
                    keys: k,
                });
            }
        }
    }
    out
}

/// (group, kind) of every kind a CRD in the corpus defines.
fn corpus_crd_kinds(corpus: &Path) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for dir in ["manifests/crds", "test/e2e/crds"] {
        for f in rollouts_testkit::files_with_ext(&corpus.join(dir), &[".yaml"]) {
            let docs = rollouts_testkit::yaml_documents(&std::fs::read_to_string(&f).unwrap()).unwrap();
            for d in docs.iter().filter(|d| d["kind"] == "CustomResourceDefinition") {
                out.insert((
                    d.pointer("/spec/group").and_then(Value::as_str).unwrap().to_string(),
                    d.pointer("/spec/names/kind")
                        .and_then(Value::as_str)
                        .unwrap()
                        .to_string(),
                ));
            }
        }
    }
    out
}

struct Outcome {
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command) -> Outcome {
    let out = cmd.output().unwrap();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn every_upstream_example_manifest_applies() {
    if !kubectl_available() {
        return;
    }
    let Some(corpus) = rollouts_testkit::conformance_or_skip("every_upstream_example_manifest_applies") else {
        return;
    };
    let tc = TestCluster::start().unwrap();
    common::install_project_crds(&tc);
    let mesh = corpus.join("test/e2e/crds");
    tc.kubectl_ok(&["apply", "--server-side", "-f", mesh.to_str().unwrap()]);
    let crd_kinds = corpus_crd_kinds(&corpus);

    let mut files: Vec<PathBuf> = Vec::new();
    for dir in DIRS {
        files.extend(rollouts_testkit::files_with_ext(
            &corpus.join(dir),
            &[".yaml", ".yml", ".json"],
        ));
    }
    let mut manifests = Vec::new();
    let mut skipped: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for f in &files {
        match classify(&corpus, f) {
            Ok(m) => manifests.push(m),
            Err(reason) => skipped.entry(reason).or_default().push(relative(&corpus, f)),
        }
    }
    let plan = batches(&manifests);
    let namespaces: BTreeSet<&str> = plan.iter().map(|b| b.namespace.as_str()).collect();
    let ns_yaml: Vec<String> = namespaces.iter().map(|ns| common::namespace(ns)).collect();
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &ns_yaml.join("---\n"));

    // Two kubectl processes at a time; each batch is independent of the others.
    let commands: Vec<(usize, Command)> = plan
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut cmd = tc.kubectl_command();
            cmd.current_dir(&corpus)
                .arg(if b.create { "create" } else { "apply" })
                .args(["-n", &b.namespace]);
            for f in &b.files {
                cmd.args(["-f", &manifests[*f].path]);
            }
            (i, cmd)
        })
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = (0..plan.len()).map(|_| None).collect();
    let (even, odd): (Vec<_>, Vec<_>) = commands.into_iter().partition(|(i, _)| i % 2 == 0);
    let results: Vec<(usize, Outcome)> = std::thread::scope(|s| {
        let workers: Vec<_> = [even, odd]
            .into_iter()
            .map(|part| s.spawn(move || part.into_iter().map(|(i, c)| (i, run(c))).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    for (i, o) in results {
        outcomes[i] = Some(o);
    }

    // Per file: whether kubectl reported any error besides kinds without a CRD, and how many documents it
    // could not map.
    let mut applied = Vec::new();
    let mut partly = Vec::new();
    let mut unmapped_files = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let mut out_of_scope: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut objects: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing_kinds = 0;
    for (batch, outcome) in plan.iter().zip(&outcomes) {
        let outcome = outcome.as_ref().unwrap();
        for line in outcome.stdout.lines() {
            let verb = line.rsplit(' ').next().unwrap_or_default();
            assert!(
                matches!(verb, "created" | "configured" | "unchanged"),
                "unexpected kubectl output {line:?}"
            );
            *objects.entry(verb.to_string()).or_default() += 1;
        }
        for f in &batch.files {
            let manifest = &manifests[*f];
            let quoted = format!("\"{}\"", manifest.path);
            let mut unmapped = 0;
            let mut ok = true;
            for line in outcome.stderr.lines().filter(|l| l.contains(&quoted)) {
                let unknown_kind = line
                    .strip_prefix("resource mapping not found for name: ")
                    .and_then(|rest| rest.split("no matches for kind \"").nth(1))
                    .and_then(|rest| {
                        let (kind, rest) = rest.split_once('"')?;
                        let version = rest.split('"').nth(1)?;
                        Some((
                            version.split('/').next().unwrap_or_default().to_string(),
                            kind.to_string(),
                        ))
                    });
                match unknown_kind {
                    Some((group, kind)) if !crd_kinds.contains(&(group.clone(), kind.clone())) => {
                        out_of_scope
                            .entry(format!("{kind} ({group})"))
                            .or_default()
                            .insert(manifest.path.clone());
                        unmapped += 1;
                    }
                    _ => {
                        ok = false;
                        failed.push(format!("{}: {line}", manifest.path));
                    }
                }
            }
            missing_kinds += unmapped;
            match (ok, unmapped) {
                (false, _) => {}
                (true, 0) => applied.push(manifest.path.clone()),
                (true, n) if n == manifest.docs.len() => unmapped_files.push(manifest.path.clone()),
                (true, _) => partly.push(manifest.path.clone()),
            }
        }
        // Every mapping error carries kubectl's hint.
        let mapping_errors = outcome.stderr.matches("resource mapping not found").count();
        assert_eq!(
            outcome.stderr.matches("ensure CRDs are installed first").count(),
            mapping_errors,
            "{}",
            outcome.stderr
        );
    }

    let documents: usize = manifests.iter().map(|m| m.docs.len()).sum();
    let written: usize = objects.values().sum();
    eprintln!(
        "corpus: {} files walked, {} skipped, {} manifests in scope in {} kubectl runs: {} applied whole, {} applied \
         but for out-of-scope kinds, {} wholly out of scope, {} failed; {} documents: {written} objects written \
         ({objects:?}), {missing_kinds} of kinds with no CRD",
        files.len(),
        files.len() - manifests.len(),
        manifests.len(),
        plan.len(),
        applied.len(),
        partly.len(),
        unmapped_files.len(),
        failed.len(),
        documents,
    );
    for (reason, paths) in &skipped {
        eprintln!("  skipped, {reason}: {} ({})", paths.len(), paths.join(", "));
    }
    for (kind, paths) in &out_of_scope {
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        eprintln!("  out of scope, no CRD for {kind}: {}", paths.join(", "));
    }
    assert!(
        failed.is_empty(),
        "manifests that did not apply:\n{}",
        failed.join("\n")
    );
    assert_eq!(written + missing_kinds, documents, "every document is accounted for");
    assert!(applied.len() >= 100, "only {} files applied", applied.len());
    assert!(objects.get("created").copied().unwrap_or(0) > 250, "{objects:?}");

    // What was applied is there: every named Rollout, in its namespace.
    let mut expected = BTreeSet::new();
    for batch in &plan {
        for f in &batch.files {
            for d in manifests[*f].docs.iter().filter(|d| d["kind"] == "Rollout") {
                if let Some(name) = d.pointer("/metadata/name").and_then(Value::as_str) {
                    expected.insert(format!("{}/{name}", batch.namespace));
                }
            }
        }
    }
    let listed = tc.kubectl_ok(&[
        "get",
        "rollouts",
        "-A",
        "-o",
        "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}",
    ]);
    let listed: BTreeSet<String> = listed.lines().map(str::to_string).collect();
    assert_eq!(listed, expected);
}
