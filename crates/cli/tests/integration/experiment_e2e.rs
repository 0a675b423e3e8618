#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of Experiments with the dev cluster, the in-process rollouts controller and the
//! real kubectl: upstream's e2e manifests (`test/e2e/functional/experiment-*.yaml` and the expected
//! failures `test/e2e/expectedfailures/*experiment*.yaml`, read from the conformance corpus and applied
//! unchanged), each brought to the phase, ReplicaSet counts, Services and AnalysisRun phases upstream's
//! `test/e2e/experiment_test.go` asserts (or, for the expected failures, which upstream only applies by
//! hand, the outcome its controller gives them); and `kubectl argo rollouts get experiment` against a
//! live one.
//!
//! Everything is observed through kubectl; every wait is bounded and prints the Experiment, its
//! ReplicaSets, Services and runs, and `get experiment` when it times out.

use crate::common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::objects::{available_replicas, get_json, name_of, spec_replicas};
use common::{Controller, Env};
use serde_json::Value;

const TEMPLATE_ANNOTATION: &str = "experiment.argoproj.io/template-name";
const EXPERIMENT_ANNOTATION: &str = "experiment.argoproj.io/name";
const SCALE_DOWN_DEADLINE: &str = "scale-down-deadline";

// ---------------------------------------------------------------------------------------------------------
// The cluster, the controller and the corpus.

/// A dev cluster with the controller running against it.
struct Lab {
    env: Env,
    controller: Controller,
    corpus: PathBuf,
}

impl Lab {
    /// Starts both, or `None` (after a notice) without kubectl or the corpus.
    fn start(test: &str, label: &str) -> Option<Lab> {
        let corpus = rollouts_testkit::conformance_or_skip(test)?;
        let env = Env::start(label)?;
        let controller = env.start_controller();
        Some(Lab {
            env,
            controller,
            corpus,
        })
    }

    /// The path of an e2e manifest of the corpus (`functional/...`, `expectedfailures/...`).
    fn manifest(&self, file: &str) -> String {
        let path = self.corpus.join("test/e2e").join(file);
        assert!(path.is_file(), "the corpus has no test/e2e/{file}");
        path.display().to_string()
    }

    /// `kubectl apply -f` of an e2e manifest.
    fn apply(&self, file: &str) {
        self.env.cluster.kubectl_ok(&["apply", "-f", &self.manifest(file)]);
    }

    /// `kubectl create -f` of an e2e manifest whose one object has a `generateName`; returns its name.
    fn create(&self, file: &str) -> String {
        let out = self
            .env
            .cluster
            .kubectl_ok(&["create", "-f", &self.manifest(file), "-o", "name"]);
        let name = out.trim().rsplit('/').next().unwrap_or_default().to_string();
        assert!(!name.is_empty(), "kubectl create printed {out:?}");
        name
    }

    /// The stored Experiment.
    fn experiment(&self, name: &str) -> Value {
        get_json(&self.env, &["get", "experiment", name, "-o", "json"])
    }

    /// Objects of `kind` controlled by the object with `uid`.
    fn controlled(&self, kind: &str, uid: &str) -> Vec<Value> {
        let mut items: Vec<Value> = get_json(&self.env, &["get", kind, "-o", "json"])["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|o| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| r["controller"] == true && r["uid"] == uid)
            })
            .collect();
        items.sort_by_key(name_of);
        items
    }

    /// The ReplicaSet of the experiment's `template` (upstream's `GetReplicaSetFromExperiment`: controlled
    /// by the Experiment, with the template's annotation), failing when there are several.
    fn template_rs(&self, uid: &str, template: &str) -> Option<Value> {
        let mut found: Vec<Value> = self
            .controlled("rs", uid)
            .into_iter()
            .filter(|rs| rs["metadata"]["annotations"][TEMPLATE_ANNOTATION] == template)
            .collect();
        assert!(
            found.len() <= 1,
            "several ReplicaSets of template {template}: {found:#?}"
        );
        found.pop()
    }

    /// The Services the experiment controls, by template (upstream's `ExpectExperimentServices`).
    fn services(&self, uid: &str) -> Vec<(String, Value)> {
        self.controlled("svc", uid)
            .into_iter()
            .map(|svc| {
                let template = svc["metadata"]["annotations"][TEMPLATE_ANNOTATION]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                (template, svc)
            })
            .collect()
    }

    /// The one AnalysisRun the experiment controls (upstream's `GetExperimentAnalysisRun`).
    fn run(&self, uid: &str) -> Option<Value> {
        let mut runs = self.controlled("analysisrun", uid);
        assert!(runs.len() <= 1, "several AnalysisRuns of the experiment: {runs:#?}");
        runs.pop()
    }

    /// The uid of the Experiment `name`.
    fn uid(&self, name: &str) -> String {
        self.env
            .cluster
            .kubectl_ok(&["get", "experiment", name, "-o", "jsonpath={.metadata.uid}"])
    }

    /// What a failed wait prints.
    fn diagnostics(&self, name: &str) -> String {
        let out = self.env.cluster.kubectl(&["get", "experiment", name, "-o", "json"]);
        let experiment: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let Some(uid) = experiment["metadata"]["uid"].as_str() else {
            return format!("no experiment {name}: {}", common::stderr(&out));
        };
        let replica_sets: Vec<String> = self
            .controlled("rs", uid)
            .iter()
            .map(|rs| {
                format!(
                    "  {} replicas={} available={} annotations={}",
                    name_of(rs),
                    spec_replicas(rs),
                    available_replicas(rs),
                    rs["metadata"]["annotations"]
                )
            })
            .collect();
        let services: Vec<String> = self
            .controlled("svc", uid)
            .iter()
            .map(|svc| format!("  {} {}", name_of(svc), svc["spec"]))
            .collect();
        let runs: Vec<String> = self
            .controlled("analysisrun", uid)
            .iter()
            .map(|run| format!("  {} {}", name_of(run), run["status"]))
            .collect();
        let tree = self.env.plugin(&["get", "experiment", name]);
        format!(
            "experiment spec: {}\nexperiment status: {:#}\nreplica sets:\n{}\nservices:\n{}\nruns:\n{}\n`get experiment`:\n{}{}",
            experiment["spec"],
            experiment["status"],
            replica_sets.join("\n"),
            services.join("\n"),
            runs.join("\n"),
            common::stdout(&tree),
            common::stderr(&tree)
        )
    }

    /// Polls `probe` every 200 ms until it returns `Some`; after `seconds` fails with `what` and the
    /// [`Lab::diagnostics`] of the experiment `name`.
    fn wait<T>(&self, name: &str, seconds: u64, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if let Some(value) = probe() {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {seconds} s waiting for {what}\n{}",
                self.diagnostics(name)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until the Experiment `name` is in `phase` (upstream's `WaitForExperimentPhase`); returns it.
    fn wait_phase(&self, name: &str, seconds: u64, phase: &str) -> Value {
        self.wait(name, seconds, &format!("phase {phase}"), || {
            let out = self.env.cluster.kubectl(&["get", "experiment", name, "-o", "json"]);
            let experiment: Value = serde_json::from_slice(&out.stdout).ok()?;
            (experiment["status"]["phase"] == phase).then_some(experiment)
        })
    }

    /// Waits until the template's ReplicaSet has `replicas` pods by its status (upstream's
    /// `Status.Replicas` condition) and `available` available ones; returns it.
    fn wait_rs_replicas(&self, name: &str, template: &str, replicas: i64, available: i64, seconds: u64) -> Value {
        let uid = self.uid(name);
        self.wait(
            name,
            seconds,
            &format!("template {template} at {replicas} replicas ({available} available)"),
            || {
                let rs = self.template_rs(&uid, template)?;
                let status_replicas = rs["status"]["replicas"].as_i64().unwrap_or(0);
                (status_replicas == replicas && available_replicas(&rs) == available).then_some(rs)
            },
        )
    }

    /// The controller reconciled the Experiment `name`, and not in a loop: each of these experiments
    /// needs a dozen reconciles or so (one per change of its objects and one per deadline).
    fn assert_reconciled_calmly(&self, name: &str) {
        let reconciles = self.controller.metrics.experiment_reconciles_of("default", name);
        assert!((1..=100).contains(&reconciles), "{reconciles} reconciles of {name}");
    }

    /// `kubectl argo rollouts get experiment <name>`.
    fn get_experiment(&self, name: &str) -> String {
        self.env.plugin_ok(&["get", "experiment", name, "--no-color"])
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.controller.stop();
    }
}

/// The template status of `template`.
fn template_status<'v>(experiment: &'v Value, template: &str) -> &'v Value {
    experiment["status"]["templateStatuses"]
        .as_array()
        .and_then(|all| all.iter().find(|t| t["name"] == template))
        .unwrap_or(&Value::Null)
}

/// The `status.analysisRuns` entry of `analysis`.
fn analysis_status<'v>(experiment: &'v Value, analysis: &str) -> &'v Value {
    experiment["status"]["analysisRuns"]
        .as_array()
        .and_then(|all| all.iter().find(|a| a["name"] == analysis))
        .unwrap_or(&Value::Null)
}

/// The condition of `kind` on the experiment.
fn condition<'v>(experiment: &'v Value, kind: &str) -> &'v Value {
    experiment["status"]["conditions"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["type"] == kind))
        .unwrap_or(&Value::Null)
}

/// The rows of `get experiment`'s tree (after the `NAME KIND STATUS AGE INFO` header), each cut into
/// its cells at the header's column starts.
fn tree_rows(out: &str) -> Vec<Vec<String>> {
    let mut lines = out.lines().skip_while(|l| !l.starts_with("NAME"));
    let header: Vec<char> = lines.next().unwrap_or_default().chars().collect();
    let mut starts: Vec<usize> = (0..header.len())
        .filter(|&i| header[i] != ' ' && (i == 0 || header[i - 1] == ' '))
        .collect();
    starts.push(usize::MAX);
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            starts
                .windows(2)
                .map(|w| {
                    let (from, to) = (w[0].min(chars.len()), w[1].min(chars.len()));
                    chars[from..to].iter().collect::<String>().trim().to_string()
                })
                .collect()
        })
        .collect()
}

/// The value of a `Key:  value` line of `get experiment`'s header.
fn header_value(out: &str, key: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map_or_else(
            || panic!("`get experiment` has no {key} line:\n{out}"),
            |v| v.trim().to_string(),
        )
}

// ---------------------------------------------------------------------------------------------------------
// Templates with a Service (upstream's TestExperimentWith{Service,ServiceName,MultiportService}AndScaleDownDelay).

/// What upstream asserts of the three experiments with a Service: Running with the template's one pod
/// and its Service; after the 10 s duration Successful; after the 5 s scale-down delay the ReplicaSet at
/// 0 pods and the Service gone. Checks the Service's name and ports (`ports` as (name, port)) too, and
/// that the ReplicaSet waited out its scale-down deadline.
fn service_experiment(test: &str, file: &str, name: &str, service: &str, ports: &[(&str, i64)]) {
    let Some(lab) = Lab::start(test, name) else {
        return;
    };
    lab.apply(file);
    lab.wait_phase(name, 20, "Running");
    let rs = lab.wait_rs_replicas(name, "test", 1, 1, 10);
    let experiment = lab.experiment(name);
    let uid = experiment["metadata"]["uid"].as_str().unwrap();
    let services = lab.services(uid);
    assert_eq!(services.len(), 1, "{services:#?}");
    let (template, svc) = &services[0];
    assert_eq!(template, "test");
    assert_eq!(name_of(svc), service);
    assert_eq!(svc["metadata"]["annotations"][EXPERIMENT_ANNOTATION], name);
    assert_eq!(
        svc["spec"]["selector"], rs["spec"]["selector"]["matchLabels"],
        "{svc:#}"
    );
    let got: Vec<(String, i64, i64)> = svc["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["port"].as_i64().unwrap(),
                p["targetPort"].as_i64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, i64, i64)> = ports.iter().map(|(n, p)| (n.to_string(), *p, *p)).collect();
    assert_eq!(got, want, "{svc:#}");
    assert!(
        svc["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["protocol"] == "TCP"),
        "{svc:#}"
    );
    assert_eq!(template_status(&experiment, "test")["serviceName"], service);
    assert_eq!(
        template_status(&experiment, "test")["podTemplateHash"],
        rs["metadata"]["labels"]["rollouts-pod-template-hash"]
    );

    let finished = lab.wait_phase(name, 20, "Successful");
    assert_eq!(
        template_status(&finished, "test")["status"],
        "Successful",
        "{finished:#}"
    );
    let completed = condition(&finished, "Progressing");
    assert_eq!(completed["reason"], "ExperimentCompleted", "{finished:#}");
    // The ReplicaSet keeps its pod until its scale-down deadline, 5 s after the end, then goes to 0.
    let (rs, seen) = lab.wait(name, 15, "the template's ReplicaSet scaled to 0", || {
        let rs = lab.template_rs(uid, "test")?;
        (spec_replicas(&rs) == 0).then(|| (rs, jiff::Timestamp::now()))
    });
    let deadline: jiff::Timestamp = rs["metadata"]["annotations"][SCALE_DOWN_DEADLINE]
        .as_str()
        .unwrap_or_else(|| panic!("no scale-down deadline on {rs:#}"))
        .parse()
        .unwrap();
    let ended: jiff::Timestamp = completed["lastTransitionTime"].as_str().unwrap().parse().unwrap();
    // The manifest's 5 s (not the default 30 s), counted from the reconcile after the end (upstream
    // scales a template down once its status is final); times are in whole seconds.
    let delay = deadline.duration_since(ended).as_secs_f64();
    assert!((4.0..=10.0).contains(&delay), "deadline {deadline}, ended {ended}");
    assert!(
        seen >= deadline,
        "scaled down before its deadline {deadline} (seen at {seen})"
    );
    lab.wait_rs_replicas(name, "test", 0, 0, 10);
    lab.wait(name, 10, "the Service deleted", || {
        lab.services(uid).is_empty().then_some(())
    });
    let experiment = lab.experiment(name);
    assert_eq!(experiment["status"]["phase"], "Successful");
    assert_eq!(
        template_status(&experiment, "test")["serviceName"],
        Value::Null,
        "{experiment:#}"
    );
    lab.assert_reconciled_calmly(name);
}

#[test]
fn experiment_with_service_runs_then_scales_down_and_deletes_its_service() {
    service_experiment(
        "experiment_with_service_runs_then_scales_down_and_deletes_its_service",
        "functional/experiment-with-service.yaml",
        "experiment-with-service",
        "experiment-with-service-test",
        &[("", 8080)],
    );
}

#[test]
fn experiment_with_service_name_names_its_service() {
    service_experiment(
        "experiment_with_service_name_names_its_service",
        "functional/experiment-with-service-name.yaml",
        "experiment-with-service-name",
        "test-service-name",
        &[("", 8080)],
    );
}

#[test]
fn experiment_with_multiport_service_ports_every_container_port() {
    service_experiment(
        "experiment_with_multiport_service_ports_every_container_port",
        "functional/experiment-with-multiport-service.yaml",
        "experiment-with-multiport-service",
        "experiment-with-multiport-service-test",
        &[("testport1", 8080), ("testport2", 8081), ("testport3", 8082)],
    );
}

// ---------------------------------------------------------------------------------------------------------
// Analyses (upstream's TestExperimentWithDryRunMetrics and TestExperimentWithMeasurementRetentionMetrics).

/// The phase of a run read back with `kubectl get analysisrun -o jsonpath`.
fn run_phase(lab: &Lab, run: &str) -> String {
    lab.env
        .cluster
        .kubectl_ok(&["get", "analysisrun", run, "-o", "jsonpath={.status.phase}"])
}

/// Shortens the experiment's `spec.duration` (see the callers for why).
fn patch_duration(lab: &Lab, name: &str, duration: &str) {
    let patch = format!(r#"{{"spec":{{"duration":"{duration}"}}}}"#);
    lab.env
        .cluster
        .kubectl_ok(&["patch", "experiment", name, "--type=merge", "-p", &patch]);
}

/// Upstream's TestExperimentWithDryRunMetrics.
#[test]
fn dry_run_analysis_fails_its_metric_without_failing_the_experiment() {
    const NAME: &str = "experiment-with-dry-run";
    let Some(lab) = Lab::start(
        "dry_run_analysis_fails_its_metric_without_failing_the_experiment",
        "exp-dry-run",
    ) else {
        return;
    };
    lab.apply("functional/experiment-dry-run-analysis.yaml");
    // The manifest's 30 s duration only keeps the template running long after its one-shot analysis
    // ended (a few seconds after `availableAt`); 15 s still leave the analysis ample time to end on its
    // own before the experiment ends by its duration. Patched before `availableAt`, from which the
    // duration counts.
    patch_duration(&lab, NAME, "15s");
    let running = lab.wait_phase(NAME, 20, "Running");
    assert!(running["status"]["availableAt"].is_string(), "{running:#}");
    let uid = running["metadata"]["uid"].as_str().unwrap().to_string();
    let run = lab.wait(NAME, 20, "the dry-run analysis done", || {
        let run = lab.run(&uid)?;
        (run["status"]["phase"] == "Successful").then_some(run)
    });
    // The Job exits 1: the metric fails, but as a dry run, so the run succeeds.
    assert_eq!(name_of(&run), "experiment-with-dry-run-dry-run-job");
    assert_eq!(run["status"]["metricResults"][0]["phase"], "Failed", "{run:#}");
    assert_eq!(run["spec"]["dryRun"][0]["metricName"], "test.*", "{run:#}");
    // Upstream's ExpectExperimentDryRunSummary(1, 0, 1): count 1, no error, 1 failed.
    let summary = &run["status"]["dryRunSummary"];
    assert_eq!(summary["count"], 1, "{run:#}");
    assert_eq!(summary["failed"], 1, "{run:#}");
    assert_eq!(summary["error"].as_i64().unwrap_or(0), 0, "{run:#}");
    let experiment = lab.wait_phase(NAME, 20, "Successful");
    assert_eq!(
        analysis_status(&experiment, "dry-run-job")["phase"],
        "Successful",
        "{experiment:#}"
    );
    assert_eq!(
        template_status(&experiment, "baseline")["status"],
        "Successful",
        "{experiment:#}"
    );
    assert_eq!(run_phase(&lab, "experiment-with-dry-run-dry-run-job"), "Successful");
    lab.assert_reconciled_calmly(NAME);
}

/// Upstream's TestExperimentWithMeasurementRetentionMetrics.
#[test]
fn measurement_retention_keeps_the_last_two_measurements() {
    const NAME: &str = "experiment-with-mr";
    const RUN: &str = "experiment-with-mr-measurement-retention-job";
    let Some(lab) = Lab::start("measurement_retention_keeps_the_last_two_measurements", "exp-retention") else {
        return;
    };
    lab.apply("functional/experiment-measurement-retention-analysis.yaml");
    // The manifest's 30 s duration lets its 3 s metric measure about ten times; 12 s still let it
    // measure more often than the 2 measurements retained (checked below), and the run still ends
    // with the experiment. Patched before `availableAt`, from which the duration counts.
    patch_duration(&lab, NAME, "12s");
    let experiment = lab.wait_phase(NAME, 30, "Successful");
    let uid = experiment["metadata"]["uid"].as_str().unwrap().to_string();
    // The experiment ended by its duration while its run was still measuring (no analysis is required
    // for completion): the run is terminated. It ends Successful, or Inconclusive when the terminate
    // caught a Job in flight: upstream's Job provider deletes it and makes that measurement
    // Inconclusive (`Metric Terminated`). The experiment records the run's phase and stays Successful.
    let run = lab.wait(NAME, 15, "the run ended", || {
        let run = lab.run(&uid)?;
        matches!(run["status"]["phase"].as_str(), Some("Successful" | "Inconclusive")).then_some(run)
    });
    assert_eq!(name_of(&run), RUN);
    assert_eq!(run["spec"]["terminate"], true, "{run:#}");
    let phase = run["status"]["phase"].as_str().unwrap().to_string();
    let experiment = lab.wait(NAME, 10, "the analysis recorded as the run ended", || {
        let experiment = lab.experiment(NAME);
        (analysis_status(&experiment, "measurement-retention-job")["phase"] == phase.as_str()).then_some(experiment)
    });
    assert_eq!(experiment["status"]["phase"], "Successful", "{experiment:#}");
    assert_eq!(run_phase(&lab, RUN), phase);
    let metric = &run["status"]["metricResults"][0];
    // Upstream's ExpectExperimentMeasurementsLength(0, 2), of more measurements taken.
    let measurements = metric["measurements"].as_array().cloned().unwrap_or_default();
    assert_eq!(measurements.len(), 2, "{run:#}");
    let count = metric["count"].as_i64().unwrap_or(0);
    assert!(count > 2, "measured only {count}: {run:#}");
    let successful = metric["successful"].as_i64().unwrap_or(0);
    if phase == "Successful" {
        assert_eq!(successful, count, "{run:#}");
    } else {
        assert_eq!(successful, count - 1, "{run:#}");
        assert_eq!(metric["inconclusive"], 1, "{run:#}");
        assert_eq!(measurements[1]["phase"], "Inconclusive", "{run:#}");
        assert_eq!(measurements[1]["message"], "Metric Terminated", "{run:#}");
    }
    lab.assert_reconciled_calmly(NAME);
}

// ---------------------------------------------------------------------------------------------------------
// A live experiment through the plugin.

/// Two templates run side by side; `get experiment` shows them live, and `terminate experiment` ends
/// the experiment Successful.
#[test]
fn basic_experiment_runs_both_templates_and_get_experiment_shows_them() {
    let Some(lab) = Lab::start(
        "basic_experiment_runs_both_templates_and_get_experiment_shows_them",
        "exp-basic",
    ) else {
        return;
    };
    let name = lab.create("functional/experiment-basic.yaml");
    assert!(name.starts_with("experiment-basic-"), "{name}");
    let running = lab.wait_phase(&name, 20, "Running");
    let uid = running["metadata"]["uid"].as_str().unwrap().to_string();
    let baseline = lab.wait_rs_replicas(&name, "baseline", 1, 1, 10);
    let canary = lab.wait_rs_replicas(&name, "canary", 1, 1, 10);
    for (rs, template, image) in [
        (&baseline, "baseline", "argoproj/rollouts-demo:blue"),
        (&canary, "canary", "argoproj/rollouts-demo:yellow"),
    ] {
        assert_eq!(name_of(rs), format!("{name}-{template}"));
        assert_eq!(rs["metadata"]["annotations"][EXPERIMENT_ANNOTATION], name.as_str());
        assert_eq!(common::objects::image_of(rs), image);
        let hash = common::objects::hash_of(rs);
        assert!(!hash.is_empty(), "{rs:#}");
        assert_eq!(
            rs["spec"]["selector"]["matchLabels"]["rollouts-pod-template-hash"],
            hash.as_str()
        );
        assert_eq!(template_status(&running, template)["status"], "Running", "{running:#}");
    }
    assert_ne!(common::objects::hash_of(&baseline), common::objects::hash_of(&canary));
    assert!(lab.services(&uid).is_empty(), "no template asks for a Service");

    let out = lab.get_experiment(&name);
    assert_eq!(header_value(&out, "Name"), name, "{out}");
    assert_eq!(header_value(&out, "Status"), "◌ Running", "{out}");
    let rows = tree_rows(&out);
    assert_eq!(rows.len(), 5, "{out}");
    assert_eq!(
        rows[0][..3],
        [format!("Σ {name}"), "Experiment".into(), "◌ Running".into()],
        "{out}"
    );
    assert_eq!(
        rows[1][..3],
        [format!("├──⧉ {name}-baseline"), "ReplicaSet".into(), "✔ Healthy".into()],
        "{out}"
    );
    assert!(rows[2][0].starts_with(&format!("│  └──□ {name}-baseline-")), "{out}");
    assert_eq!(rows[2][4], "ready:1/1", "{out}");
    assert_eq!(rows[2][1..3], ["Pod", "✔ Running"], "{out}");
    assert_eq!(
        rows[3][..3],
        [format!("└──⧉ {name}-canary"), "ReplicaSet".into(), "✔ Healthy".into()],
        "{out}"
    );
    assert!(rows[4][0].starts_with(&format!("└──□ {name}-canary-")), "{out}");
    assert_eq!(rows[4][4], "ready:1/1", "{out}");
    assert_eq!(rows[4][1..3], ["Pod", "✔ Running"], "{out}");

    // Terminated before its 30 s: both templates end Successful, and so does the experiment; the
    // ReplicaSets keep their pods for the default 30 s scale-down delay.
    lab.env.plugin_ok(&["terminate", "experiment", &name]);
    let done = lab.wait_phase(&name, 15, "Successful");
    for template in ["baseline", "canary"] {
        assert_eq!(template_status(&done, template)["status"], "Successful", "{done:#}");
        let rs = lab.template_rs(&uid, template).unwrap();
        assert!(rs["metadata"]["annotations"][SCALE_DOWN_DEADLINE].is_string(), "{rs:#}");
    }
    let out = lab.get_experiment(&name);
    assert_eq!(header_value(&out, "Status"), "✔ Successful", "{out}");
    assert_eq!(
        tree_rows(&out)[0][..3],
        [format!("Σ {name}"), "Experiment".into(), "✔ Successful".into()],
        "{out}"
    );
    lab.assert_reconciled_calmly(&name);
}

// ---------------------------------------------------------------------------------------------------------
// The expected failures.

/// An analysis naming an AnalysisTemplate that does not exist: the experiment ends in `Error` at once,
/// with no run.
#[test]
fn analysis_template_missing_is_an_error() {
    const NAME: &str = "experiment-error-template-missing";
    let Some(lab) = Lab::start("analysis_template_missing_is_an_error", "exp-template-missing") else {
        return;
    };
    lab.apply("expectedfailures/experiment-error-template-missing.yaml");
    let experiment = lab.wait_phase(NAME, 20, "Error");
    let message = "AnalysisTemplate verification failed for analysis 'does-not-exist': \
                   analysistemplate.argoproj.io \"does-not-exist\" not found";
    assert_eq!(experiment["status"]["message"], message, "{experiment:#}");
    let analysis = analysis_status(&experiment, "does-not-exist");
    assert_eq!(analysis["phase"], "Error", "{experiment:#}");
    assert_eq!(analysis["message"], message, "{experiment:#}");
    let uid = experiment["metadata"]["uid"].as_str().unwrap().to_string();
    assert!(lab.run(&uid).is_none(), "no run without its template");
    // The template's ReplicaSet is created with no pods and scaled up on a later reconcile, as
    // upstream's; ending in Error at once, it never is (and gets its scale-down deadline all the same).
    let rs = lab.wait(NAME, 10, "the scale-down deadline", || {
        let rs = lab.template_rs(&uid, "baseline")?;
        rs["metadata"]["annotations"][SCALE_DOWN_DEADLINE]
            .is_string()
            .then_some(rs)
    });
    assert_eq!(spec_replicas(&rs), 0, "{rs:#}");
    let out = lab.get_experiment(NAME);
    assert_eq!(header_value(&out, "Status"), "⚠ Error", "{out}");
    assert_eq!(header_value(&out, "Message"), message, "{out}");
    lab.assert_reconciled_calmly(NAME);
}

/// A Job metric that exits 1 fails its run once the template is available, and the run fails the
/// experiment.
#[test]
fn failed_analysis_fails_the_experiment() {
    const NAME: &str = "experiment-failed-analysis";
    const RUN: &str = "experiment-failed-analysis-bad-job";
    let Some(lab) = Lab::start("failed_analysis_fails_the_experiment", "exp-failed-analysis") else {
        return;
    };
    lab.apply("expectedfailures/experiment-failed-analysis.yaml");
    let experiment = lab.wait_phase(NAME, 30, "Failed");
    let uid = experiment["metadata"]["uid"].as_str().unwrap().to_string();
    assert!(experiment["status"]["availableAt"].is_string(), "{experiment:#}");
    let analysis = analysis_status(&experiment, "bad-job");
    assert_eq!(analysis["phase"], "Failed", "{experiment:#}");
    assert_eq!(analysis["analysisRun"], RUN, "{experiment:#}");
    let run = lab.run(&uid).expect("the run");
    assert_eq!(name_of(&run), RUN);
    assert_eq!(run_phase(&lab, RUN), "Failed");
    assert_eq!(run["status"]["metricResults"][0]["failed"], 1, "{run:#}");
    assert_eq!(
        experiment["status"]["message"], run["status"]["message"],
        "{experiment:#}"
    );
    // The template ran, and is held for the default 30 s scale-down delay.
    let rs = lab.template_rs(&uid, "baseline").expect("the baseline ReplicaSet");
    assert_eq!(spec_replicas(&rs), 1, "{rs:#}");
    let rs = lab.wait(NAME, 10, "the scale-down deadline", || {
        let rs = lab.template_rs(&uid, "baseline")?;
        rs["metadata"]["annotations"][SCALE_DOWN_DEADLINE]
            .is_string()
            .then_some(rs)
    });
    assert_eq!(spec_replicas(&rs), 1, "{rs:#}");

    let out = lab.get_experiment(NAME);
    assert_eq!(header_value(&out, "Status"), "✖ Failed", "{out}");
    let rows = tree_rows(&out);
    let run_row = rows
        .iter()
        .find(|r| r[0].ends_with(&format!("α {RUN}")))
        .unwrap_or_else(|| panic!("no run row in\n{out}"));
    assert_eq!(run_row[1..3], ["AnalysisRun", "✖ Failed"], "{out}");
    lab.assert_reconciled_calmly(NAME);
}

/// An image that cannot be pulled: the template makes no progress for `progressDeadlineSeconds` (30, from
/// the manifest) and fails the experiment.
#[test]
fn template_never_available_fails_after_its_progress_deadline() {
    let Some(lab) = Lab::start(
        "template_never_available_fails_after_its_progress_deadline",
        "exp-degrade",
    ) else {
        return;
    };
    let name = lab.create("expectedfailures/experiment-degrade.yaml");
    let pending = lab.wait_phase(&name, 20, "Pending");
    let uid = pending["metadata"]["uid"].as_str().unwrap().to_string();
    // The image cannot be pulled: the pod stays Pending, the template Progressing.
    lab.wait(&name, 15, "the template's pod pulling in vain", || {
        let rs = lab.template_rs(&uid, "image-does-not-exist")?;
        let status = lab.experiment(&name);
        (rs["status"]["replicas"] == 1
            && available_replicas(&rs) == 0
            && template_status(&status, "image-does-not-exist")["status"] == "Progressing")
            .then_some(())
    });
    // progressDeadlineSeconds: 30 after the template's last change.
    let failed = lab.wait_phase(&name, 40, "Failed");
    let message = "Template 'image-does-not-exist' exceeded its progressDeadlineSeconds (30)";
    let template = template_status(&failed, "image-does-not-exist");
    assert_eq!(template["status"], "Failed", "{failed:#}");
    assert_eq!(template["message"], message, "{failed:#}");
    assert_eq!(failed["status"]["message"], message, "{failed:#}");
    assert!(failed["status"]["availableAt"].is_null(), "{failed:#}");
    // The next reconcile sees the template failed and gives its ReplicaSet the default 30 s delay.
    let rs = lab.wait(&name, 10, "the scale-down deadline", || {
        let rs = lab.template_rs(&uid, "image-does-not-exist")?;
        rs["metadata"]["annotations"][SCALE_DOWN_DEADLINE]
            .is_string()
            .then_some(rs)
    });
    assert_eq!(spec_replicas(&rs), 1, "{rs:#}");
    lab.assert_reconciled_calmly(&name);
}

/// A template without a pod spec passes upstream's spec checks; its ReplicaSet is refused, and the
/// experiment ends in `Error` with the API server's message.
#[test]
fn template_without_a_pod_spec_is_an_error() {
    let Some(lab) = Lab::start("template_without_a_pod_spec_is_an_error", "exp-invalid") else {
        return;
    };
    let name = lab.create("expectedfailures/experiment-invalid.yaml");
    let experiment = lab.wait_phase(&name, 20, "Error");
    let uid = experiment["metadata"]["uid"].as_str().unwrap().to_string();
    let message = format!(
        "Failed to create ReplicaSet for template 'invalid-spec': ReplicaSet.apps \"{name}-invalid-spec\" is invalid: \
         spec.template.spec.containers: Required value"
    );
    let template = template_status(&experiment, "invalid-spec");
    assert_eq!(template["status"], "Error", "{experiment:#}");
    assert_eq!(template["message"], message.as_str(), "{experiment:#}");
    assert_eq!(experiment["status"]["message"], message.as_str(), "{experiment:#}");
    // Upstream's spec checks pass: the API server is what refuses the template.
    assert!(condition(&experiment, "InvalidSpec").is_null(), "{experiment:#}");
    assert!(lab.template_rs(&uid, "invalid-spec").is_none());
    // The valid template got its ReplicaSet, created with no pods (scaled up only on a later
    // reconcile, as upstream's), and never scaled up since the experiment ended at once.
    let rs = lab.wait(&name, 10, "the baseline's scale-down deadline", || {
        let rs = lab.template_rs(&uid, "baseline")?;
        rs["metadata"]["annotations"][SCALE_DOWN_DEADLINE]
            .is_string()
            .then_some(rs)
    });
    assert_eq!(spec_replicas(&rs), 0, "{rs:#}");
    lab.assert_reconciled_calmly(&name);
}

/// `memory: invalid`: upstream's informer drops the unparsable quantity and runs the template without
/// it; here, as with a Rollout, the value is kept, and the template's ReplicaSet is what the API server
/// refuses, so the template and the experiment end in `Error` with that refusal.
#[test]
fn malformed_quantity_is_an_error() {
    const NAME: &str = "malformed-experiment";
    let Some(lab) = Lab::start("malformed_quantity_is_an_error", "exp-malformed") else {
        return;
    };
    lab.apply("expectedfailures/malformed-experiment.yaml");
    let experiment = lab.wait_phase(NAME, 20, "Error");
    let uid = experiment["metadata"]["uid"].as_str().unwrap().to_string();
    let template = template_status(&experiment, "canary");
    assert_eq!(template["status"], "Error", "{experiment:#}");
    let message = "Failed to create ReplicaSet for template 'canary': ReplicaSet.apps \"malformed-experiment-canary\" \
                   is invalid: spec.template.spec.containers[0].resources.requests[memory]: Invalid value: \"invalid\": \
                   quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    assert_eq!(template["message"], message, "{experiment:#}");
    assert_eq!(experiment["status"]["message"], message, "{experiment:#}");
    assert!(condition(&experiment, "InvalidSpec").is_null(), "{experiment:#}");
    assert!(lab.template_rs(&uid, "canary").is_none());
    let out = lab.get_experiment(NAME);
    assert_eq!(header_value(&out, "Status"), "⚠ Error", "{out}");
    assert_eq!(header_value(&out, "Message"), message, "{out}");
    lab.assert_reconciled_calmly(NAME);
}

// ---------------------------------------------------------------------------------------------------------
// A Rollout's experiment step (upstream's TestRolloutWithExperimentAndAnalysis) and the same template twice.

/// The Experiments the Rollout `name` controls, by name.
fn rollout_experiments(lab: &Lab, name: &str) -> Vec<Value> {
    let uid = lab.env.rollout(name)["metadata"]["uid"].as_str().unwrap().to_string();
    lab.controlled("experiment", &uid)
}

/// The row of `rows` whose first cell ends with `name` (after its tree prefix and icon).
fn row_named<'r>(rows: &'r [Vec<String>], name: &str, out: &str) -> (usize, &'r Vec<String>) {
    rows.iter()
        .enumerate()
        .find(|(_, r)| r[0].ends_with(&format!(" {name}")))
        .unwrap_or_else(|| panic!("no row for {name}:\n{out}"))
}

/// Upstream's rollout-experiment-analysis.yaml: the update's experiment runs the stable ReplicaSet's
/// pod spec as `baseline` and the canary's as `canary`, its analysis Job sees the stable and latest
/// hashes through `podTemplateHashValue` and the templates' hashes through the experiment placeholders,
/// the Job carries the template's metadata, the Experiment ends Successful and the Rollout goes on to its
/// pause; `get rollout` shows the Experiment, its ReplicaSets and its run under revision 2.
#[test]
fn rollout_experiment_step_runs_stable_and_canary_with_their_hashes() {
    let Some(lab) = Lab::start(
        "rollout_experiment_step_runs_stable_and_canary_with_their_hashes",
        "rollout-exp",
    ) else {
        return;
    };
    let rollout = "rollout-experiment";
    lab.apply("functional/rollout-experiment-analysis.yaml");
    common::objects::wait_phase(&lab.env, rollout, 30, "Healthy");
    assert!(
        rollout_experiments(&lab, rollout).is_empty(),
        "no experiment before an update"
    );

    common::routing::update_spec(&lab.env, rollout, "2");
    common::objects::wait_phase(&lab.env, rollout, 90, "Paused");
    let experiments = rollout_experiments(&lab, rollout);
    assert_eq!(experiments.len(), 1, "{experiments:#?}");
    let experiment = &experiments[0];
    let name = name_of(experiment);
    assert_eq!(
        experiment["metadata"]["annotations"]["rollout.argoproj.io/revision"], "2",
        "{experiment:#}"
    );
    assert_eq!(
        experiment["status"]["phase"], "Successful",
        "{:#}",
        experiment["status"]
    );
    let uid = experiment["metadata"]["uid"].as_str().unwrap();

    let rs1 = common::routing::rs_by_revision(&lab.env, rollout, "1");
    let rs2 = common::routing::rs_by_revision(&lab.env, rollout, "2");
    let (hash1, hash2) = (common::objects::hash_of(&rs1), common::objects::hash_of(&rs2));
    assert!(!hash1.is_empty() && !hash2.is_empty(), "{rs1:#}\n{rs2:#}");
    assert_ne!(hash1, hash2);
    let baseline = lab.template_rs(uid, "baseline").expect("the baseline ReplicaSet");
    let canary = lab.template_rs(uid, "canary").expect("the canary ReplicaSet");
    assert_eq!(baseline["spec"]["template"]["spec"], rs1["spec"]["template"]["spec"]);
    assert_eq!(canary["spec"]["template"]["spec"], rs2["spec"]["template"]["spec"]);

    let run = lab.run(uid).expect("the experiment's AnalysisRun");
    assert_eq!(run["status"]["phase"], "Successful", "{:#}", run["status"]);
    let jobs = lab.controlled("job", run["metadata"]["uid"].as_str().unwrap());
    assert_eq!(jobs.len(), 1, "{jobs:#?}");
    let job = &jobs[0];
    let env = &job["spec"]["template"]["spec"]["containers"][0]["env"];
    let value = |i: usize, var: &str| {
        assert_eq!(env[i]["name"], var, "{env:#}");
        env[i]["value"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(value(0, "LATEST_HASH"), hash2);
    assert_eq!(value(1, "STABLE_HASH"), hash1);
    assert_eq!(value(2, "BASELINE_HASH"), common::objects::hash_of(&baseline));
    assert_eq!(value(3, "CANARY_HASH"), common::objects::hash_of(&canary));
    assert_eq!(job["metadata"]["labels"]["foo"], "bar", "{:#}", job["metadata"]);
    assert_eq!(job["metadata"]["annotations"]["foo2"], "bar2", "{:#}", job["metadata"]);

    // The tree: the Experiment under revision 2 with its two ReplicaSets and its run, one level down.
    let out = lab.env.plugin_ok(&["get", "rollout", rollout, "--no-color"]);
    let rows = tree_rows(&out);
    let (revision2, _) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r[0].ends_with("# revision:2"))
        .unwrap_or_else(|| panic!("no revision:2 row:\n{out}"));
    let (revision1, _) = row_named(&rows, "revision:1", &out);
    let (at, row) = row_named(&rows, &name, &out);
    assert!(
        revision2 < at && at < revision1,
        "the Experiment is not under revision 2:\n{out}"
    );
    assert!(row[0].contains("Σ "), "{out}");
    assert_eq!(row[1..3], ["Experiment", "✔ Successful"], "{out}");
    let depth = |r: &Vec<String>| r[0].chars().position(|c| c.is_alphanumeric() || "Σ⧉α□⊞#".contains(c));
    let experiment_depth = depth(row).unwrap();
    for child in [format!("{name}-baseline"), format!("{name}-canary"), name_of(&run)] {
        let (i, r) = row_named(&rows, &child, &out);
        assert!(at < i && i < revision1, "{child} is not under the Experiment:\n{out}");
        assert_eq!(
            depth(r).unwrap(),
            experiment_depth + 3,
            "{child} is not a child of the Experiment:\n{out}"
        );
    }
    let (_, run_row) = row_named(&rows, &name_of(&run), &out);
    assert_eq!(run_row[1..3], ["AnalysisRun", "✔ Successful"], "{out}");
    lab.assert_reconciled_calmly(&name);
}

/// Upstream's experiment-same-template.yaml: two templates with the same pod template get the same hash
/// but their own ReplicaSets, each with its own pod (pods are counted by their controller, not only by
/// the overlapping selector), and the experiment runs to Successful.
#[test]
fn same_template_twice_runs_two_replica_sets_of_one_pod_each() {
    let Some(lab) = Lab::start("same_template_twice_runs_two_replica_sets_of_one_pod_each", "exp-same") else {
        return;
    };
    let name = lab.create("functional/experiment-same-template.yaml");
    let running = lab.wait_phase(&name, 20, "Running");
    let uid = running["metadata"]["uid"].as_str().unwrap().to_string();
    let first = lab.wait_rs_replicas(&name, "first", 1, 1, 10);
    let second = lab.wait_rs_replicas(&name, "second", 1, 1, 10);
    assert_eq!(name_of(&first), format!("{name}-first"));
    assert_eq!(name_of(&second), format!("{name}-second"));
    assert_eq!(common::objects::hash_of(&first), common::objects::hash_of(&second));
    let pods = get_json(&lab.env, &["get", "pods", "-o", "json"]);
    for rs in [&first, &second] {
        let rs_uid = &rs["metadata"]["uid"];
        let owned = pods["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["metadata"]["ownerReferences"][0]["uid"] == *rs_uid)
            .count();
        assert_eq!(owned, 1, "pods of {}: {pods:#}", name_of(rs));
    }
    lab.env.plugin_ok(&["terminate", "experiment", &name]);
    let done = lab.wait_phase(&name, 15, "Successful");
    for template in ["first", "second"] {
        assert_eq!(template_status(&done, template)["status"], "Successful", "{done:#}");
    }
    assert!(lab.services(&uid).is_empty());
    lab.assert_reconciled_calmly(&name);
}
