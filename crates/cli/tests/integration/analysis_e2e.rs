#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of analysis with the dev cluster, the in-process rollouts controller (its Rollout
//! and AnalysisRun controllers) and the real kubectl:
//!
//! * a canary whose background analysis queries a real Prometheus: a good release completes (and its
//!   run is terminated Successful), a release whose metric went bad is aborted automatically and the
//!   stable version restored;
//! * Job-based analysis steps: upstream's `pass` template (unchanged) completes its step, a Job that
//!   exits 1 fails its run and aborts the update;
//! * a Web metric (a local HTTP server) whose answer matches neither condition pauses the rollout with
//!   `InconclusiveAnalysisRun`; once the answer is good, `promote` makes a new run (`.1`) and the
//!   rollout completes;
//! * upstream's analysis examples (`examples/analysis-templates.yaml`, `cluster-analysis-templates.yaml`,
//!   `rollout-analysis-step.yaml`, `rollout-background-analysis.yaml`) applied unchanged.
//!
//! Everything is observed through kubectl (`get analysisrun -o jsonpath=...`, `get rs`, `get job`) and
//! the plugin (`get rollout`, `status`). Every wait is bounded and prints the rollout's status, the runs
//! and the plugin's tree when it times out.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Env;
use common::objects::{
    BLUE, HASH_LABEL, RED, REVISION, YELLOW, available_replicas, get_json, hash_of, image_of, name_of,
    rollout_replica_sets, rs_with_image, spec_replicas,
};
use rollouts_testkit::http::{StubResponse, StubServer};
use serde_json::Value;

const RUN_UID_LABEL: &str = "analysisrun.argoproj.io/uid";

// ---------------------------------------------------------------------------------------------------------
// Observing the cluster through kubectl.

fn items(env: &Env, kind: &str, selector: Option<&str>) -> Vec<Value> {
    let mut args = vec!["get", kind, "-o", "json"];
    if let Some(selector) = selector {
        args.extend(["-l", selector]);
    }
    get_json(env, &args)["items"].as_array().cloned().unwrap_or_default()
}

/// The AnalysisRuns, oldest first (by creation, then name).
fn runs(env: &Env) -> Vec<Value> {
    let mut runs = items(env, "analysisrun", None);
    runs.sort_by_key(|r| {
        (
            r["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            name_of(r),
        )
    });
    runs
}

fn run_named(env: &Env, name: &str) -> Option<Value> {
    runs(env).into_iter().find(|r| name_of(r) == name)
}

/// `kubectl get analysisrun <name> -o jsonpath=<path>`.
fn run_jsonpath(env: &Env, name: &str, path: &str) -> String {
    env.cluster
        .kubectl_ok(&["get", "analysisrun", name, "-o", &format!("jsonpath={path}")])
}

/// One line per run: name, type, phase, message, terminate, and each metric's measurement phases.
fn describe_runs(env: &Env) -> String {
    let mut out = String::new();
    for r in runs(env) {
        out.push_str(&format!(
            "  {} type={} phase={} message={:?} terminate={}\n",
            name_of(&r),
            r["metadata"]["labels"]["rollout-type"].as_str().unwrap_or("?"),
            r["status"]["phase"].as_str().unwrap_or(""),
            r["status"]["message"].as_str().unwrap_or(""),
            r["spec"]["terminate"],
        ));
        for m in r["status"]["metricResults"].as_array().into_iter().flatten() {
            let measurements: Vec<String> = m["measurements"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| {
                    format!(
                        "{}({}{})",
                        x["phase"].as_str().unwrap_or("?"),
                        x["value"].as_str().unwrap_or(""),
                        x["message"].as_str().map(|m| format!(" {m}")).unwrap_or_default()
                    )
                })
                .collect();
            out.push_str(&format!(
                "    metric {} phase={} {}\n",
                m["name"].as_str().unwrap_or("?"),
                m["phase"].as_str().unwrap_or(""),
                measurements.join(" ")
            ));
        }
    }
    out
}

/// What a failed wait prints: the rollout's status, its ReplicaSets, the runs, the Jobs and the tree.
fn diagnostics(env: &Env, rollout: &str, app: &str) -> String {
    let status = env.cluster.kubectl(&["get", "rollout", rollout, "-o", "json"]).stdout;
    let status: Value = serde_json::from_slice(&status).unwrap_or_default();
    let rs: Vec<String> = rollout_replica_sets(env, app)
        .iter()
        .map(|rs| {
            format!(
                "  {} image={} replicas={} available={}",
                name_of(rs),
                image_of(rs),
                spec_replicas(rs),
                available_replicas(rs)
            )
        })
        .collect();
    let jobs: Vec<String> = items(env, "job", None)
        .iter()
        .map(|j| format!("  {} status={}", name_of(j), j["status"]))
        .collect();
    let tree = env.plugin(&["get", "rollout", rollout]);
    format!(
        "rollout status: {:#}\nreplica sets:\n{}\nanalysis runs:\n{}jobs:\n{}\n`get rollout`:\n{}{}",
        status["status"],
        rs.join("\n"),
        describe_runs(env),
        jobs.join("\n"),
        common::stdout(&tree),
        common::stderr(&tree)
    )
}

/// Polls `probe` every 200 ms until it returns `Some`; after `seconds` fails with `what` and the
/// [`diagnostics`] of the rollout.
fn wait<T>(env: &Env, rollout: &str, app: &str, seconds: u64, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {seconds} s waiting for {what}\n{}",
            diagnostics(env, rollout, app)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether the controller has observed the rollout's current generation.
fn observed(rollout: &Value) -> bool {
    rollout["status"]["observedGeneration"].as_str() == Some(&rollout["metadata"]["generation"].to_string())
}

/// Waits until the rollout is Healthy with `image` as its stable version, all `replicas` of it
/// available, and every other ReplicaSet scaled to 0. Returns the stable hash.
fn wait_healthy_on(env: &Env, name: &str, app: &str, image: &str, replicas: i64, seconds: u64) -> String {
    wait(env, name, app, seconds, &format!("{name} Healthy on {image}"), || {
        let r = env.rollout(name);
        if !observed(&r) || r["status"]["phase"] != "Healthy" {
            return None;
        }
        let stable = r["status"]["stableRS"].as_str()?.to_string();
        let sets = rollout_replica_sets(env, app);
        let stable_rs = sets.iter().find(|rs| hash_of(rs) == stable)?;
        let others_down = sets
            .iter()
            .filter(|rs| hash_of(rs) != stable)
            .all(|rs| spec_replicas(rs) == 0);
        (image_of(stable_rs) == image
            && spec_replicas(stable_rs) == replicas
            && available_replicas(stable_rs) == replicas
            && others_down)
            .then_some(stable)
    })
}

/// Waits until the run `name` exists and its phase (read with `kubectl get analysisrun -o jsonpath`) is
/// one of `phases`; returns the phase.
fn wait_run_phase(env: &Env, rollout: &str, app: &str, run: &str, phases: &[&str], seconds: u64) -> String {
    wait(
        env,
        rollout,
        app,
        seconds,
        &format!("AnalysisRun {run} in phase {phases:?}"),
        || {
            let out = env
                .cluster
                .kubectl(&["get", "analysisrun", run, "-o", "jsonpath={.status.phase}"]);
            let phase = common::stdout(&out);
            (out.status.success() && phases.contains(&phase.as_str())).then_some(phase)
        },
    )
}

/// `kubectl argo rollouts set image <rollout> <container>=<image>`.
fn set_image(env: &Env, rollout: &str, container: &str, image: &str) {
    env.plugin_ok(&["set", "image", rollout, &format!("{container}={image}")]);
}

/// The line of `get rollout`'s tree naming `object` (as a whole word: a run's name can be the start of
/// a pod's).
fn tree_line(tree: &str, object: &str) -> String {
    tree.lines()
        .find(|l| l.split_whitespace().any(|word| word == object))
        .unwrap_or_else(|| panic!("`get rollout` does not show {object}:\n{tree}"))
        .to_string()
}

/// The value of a `Key:  value` line of `get rollout`'s header.
fn header_value(tree: &str, key: &str) -> String {
    tree.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map_or_else(
            || panic!("`get rollout` has no {key} line:\n{tree}"),
            |v| v.trim().to_string(),
        )
}

/// The newest revision annotation of the ReplicaSet with `hash`.
fn revision_of(env: &Env, app: &str, hash: &str) -> String {
    rollout_replica_sets(env, app)
        .iter()
        .find(|rs| hash_of(rs) == hash)
        .and_then(|rs| rs["metadata"]["annotations"][REVISION].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Checks what upstream's run factory puts on every run the rollout makes.
fn check_run_metadata(run: &Value, rollout: &str, app: &str, kind: &str, hash: &str, revision: &str) {
    let labels = &run["metadata"]["labels"];
    assert_eq!(labels["rollout-type"], kind, "{run:#}");
    assert_eq!(labels[HASH_LABEL], hash, "{run:#}");
    assert_eq!(labels["app"], app, "the selector's labels are copied: {run:#}");
    assert_eq!(run["metadata"]["annotations"][REVISION], revision, "{run:#}");
    let owners = run["metadata"]["ownerReferences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        owners
            .iter()
            .any(|o| o["kind"] == "Rollout" && o["name"] == rollout && o["controller"] == true),
        "the run is owned by the rollout: {run:#}"
    );
}

fn measurement_phases(run: &Value, metric: &str) -> Vec<String> {
    run["status"]["metricResults"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["name"] == metric)
        .flat_map(|m| m["measurements"].as_array().cloned().unwrap_or_default())
        .map(|m| m["phase"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// After the abort, the failed run's record leaves `status.canary.<field>` as upstream's controller
/// drops it (one reconcile after the abort: until then it names the failed run), and the abort message
/// keeps the reason.
fn check_aborted_run_record(status: &Value, field: &str, run: &str, message: &str) {
    let recorded = &status["canary"][field];
    assert!(
        recorded.is_null() || *recorded == serde_json::json!({"name": run, "status": "Failed", "message": message}),
        "{status:#}"
    );
    assert!(
        status["message"].as_str().is_some_and(|m| m.contains(message)),
        "{status:#}"
    );
}

/// The phase a run of upstream's `random-fail` template must end in, from its two measurements: each
/// Successful or Failed, the run Failed only when both failed (`failureLimit: 1`).
fn random_fail_phase(run: &Value) -> &'static str {
    let flips = measurement_phases(run, "random-fail");
    assert_eq!(flips.len(), 2, "{run:#}");
    assert!(flips.iter().all(|p| p == "Successful" || p == "Failed"), "{run:#}");
    if flips.iter().all(|p| p == "Failed") {
        "Failed"
    } else {
        "Successful"
    }
}

/// Waits until the rollout `name` is aborted by its failed analysis.
fn wait_degraded(env: &Env, name: &str) {
    common::wait_for(60, "the rollout aborted", || {
        (env.rollout(name)["status"]["phase"] == "Degraded").then_some(())
    });
}

/// The (type, reason, message) of the events about the object of `kind` named `name`.
fn events(env: &Env, kind: &str, name: &str) -> Vec<(String, String, String)> {
    items(env, "events", None)
        .iter()
        .filter(|e| e["involvedObject"]["kind"] == kind && e["involvedObject"]["name"] == name)
        .map(|e| {
            let text = |key: &str| e[key].as_str().unwrap_or_default().to_string();
            (text("type"), text("reason"), text("message"))
        })
        .collect()
}

fn start_env(label: &str, test: &str) -> Option<Env> {
    let env = Env::start(label);
    if env.is_none() {
        eprintln!("SKIPPED {test}: kubectl is not on PATH");
    }
    env
}

fn corpus_path(dir: &std::path::Path, file: &str) -> String {
    let path = dir.join(file);
    assert!(path.is_file(), "the corpus has no {file}");
    path.display().to_string()
}

// ---------------------------------------------------------------------------------------------------------
// 1. Background analysis against a real Prometheus.

const PROM_NAME: &str = "canary-prom";

const SUCCESS_RATE_TEMPLATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
  - name: service-name
  metrics:
  - name: success-rate
    interval: 2s
    failureLimit: 0
    successCondition: result[0] >= 0.95
    provider:
      prometheus:
        address: "@ADDRESS@"
        query: 'success_rate{service="{{args.service-name}}"}'
"#;

const PROM_ROLLOUT: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: canary-prom
spec:
  replicas: 4
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app: canary-prom
  template:
    metadata:
      labels:
        app: canary-prom
    spec:
      containers:
      - name: demo
        image: argoproj/rollouts-demo:blue
  strategy:
    canary:
      analysis:
        templates:
        - templateName: success-rate
        args:
        - name: service-name
          value: demo
      steps:
      - setWeight: 50
      - pause: {duration: 5s}
      - setWeight: 75
";

#[test]
fn prometheus_background_analysis_promotes_then_aborts_a_bad_release() {
    let test = "prometheus_background_analysis_promotes_then_aborts_a_bad_release";
    let Some(prometheus) = rollouts_testkit::prometheus::prometheus_or_skip(test) else {
        return;
    };
    let Some(env) = start_env("analysis-prom", test) else {
        return;
    };
    let started = Instant::now();
    let mut controller = env.start_controller();
    let series = r#"success_rate{service="demo"}"#;
    prometheus.exporter().set(series, 1.0);
    prometheus
        .wait_for_values(series, |v| v == [1.0], Duration::from_secs(30))
        .unwrap();

    env.apply(&SUCCESS_RATE_TEMPLATE.replace("@ADDRESS@", prometheus.url()));
    env.apply(PROM_ROLLOUT);
    let (name, app) = (PROM_NAME, PROM_NAME);
    wait_healthy_on(&env, name, app, BLUE, 4, 60);
    assert!(
        runs(&env).is_empty(),
        "the first deploy runs no analysis: {}",
        describe_runs(&env)
    );
    eprintln!("deployed after {:?}", started.elapsed());

    // A good release: the background run measures Successful while the canary steps go on, and is
    // terminated (Successful) when the update completes.
    set_image(&env, name, "demo", YELLOW);
    let yellow_hash = wait(&env, name, app, 30, "a ReplicaSet running yellow", || {
        rs_with_image(&env, app, YELLOW).map(|rs| hash_of(&rs))
    });
    let revision = revision_of(&env, app, &yellow_hash);
    assert_eq!(revision, "2");
    let run1 = format!("{name}-{yellow_hash}-2");
    let first = wait(&env, name, app, 30, "the background AnalysisRun", || {
        run_named(&env, &run1)
    });
    check_run_metadata(&first, name, app, "Background", &yellow_hash, "2");
    // The run keeps the template's query and the rollout's arguments; the query is resolved when
    // measuring (upstream records the resolved query in the metric's metadata).
    assert_eq!(
        first["spec"]["metrics"][0]["provider"]["prometheus"]["query"],
        r#"success_rate{service="{{args.service-name}}"}"#,
        "{first:#}"
    );
    assert_eq!(
        first["spec"]["args"],
        serde_json::json!([{"name": "service-name", "value": "demo"}]),
        "{first:#}"
    );
    wait(
        &env,
        name,
        app,
        30,
        "a Successful measurement of the background run",
        || {
            let run = run_named(&env, &run1)?;
            measurement_phases(&run, "success-rate")
                .iter()
                .any(|p| p == "Successful")
                .then_some(())
        },
    );
    // While the update goes on, the rollout records its background run as Running.
    wait(
        &env,
        name,
        app,
        30,
        "status.canary.currentBackgroundAnalysisRunStatus",
        || {
            let recorded = env.rollout(name)["status"]["canary"]["currentBackgroundAnalysisRunStatus"].clone();
            (recorded["name"] == run1.as_str() && recorded["status"] == "Running").then_some(())
        },
    );
    let yellow = wait_healthy_on(&env, name, app, YELLOW, 4, 60);
    assert_eq!(yellow, yellow_hash);
    assert_eq!(
        wait_run_phase(&env, name, app, &run1, &["Successful"], 30),
        "Successful"
    );
    assert_eq!(run_jsonpath(&env, &run1, "{.spec.terminate}"), "true");
    let done = run_named(&env, &run1).unwrap();
    assert_eq!(
        run_jsonpath(
            &env,
            &run1,
            "{.status.metricResults[0].metadata.ResolvedPrometheusQuery}"
        ),
        r#"success_rate{service="demo"}"#
    );
    let phases = measurement_phases(&done, "success-rate");
    assert!(
        !phases.is_empty() && phases.iter().all(|p| p == "Successful"),
        "every measurement of a good release is Successful: {phases:?}\n{}",
        describe_runs(&env)
    );
    let value = done["status"]["metricResults"][0]["measurements"][0]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(value, "[1]", "the measured vector: {done:#}");
    assert!(env.rollout(name)["status"]["abort"] != true);
    eprintln!("good release completed after {:?}", started.elapsed());

    // A bad release: the success rate dropped; the first measurement fails, the run fails and the
    // rollout aborts by itself, back to yellow at full size.
    prometheus.exporter().set(series, 0.5);
    prometheus
        .wait_for_values(series, |v| v == [0.5], Duration::from_secs(30))
        .unwrap();
    set_image(&env, name, "demo", RED);
    let red_hash = wait(&env, name, app, 30, "a ReplicaSet running red", || {
        rs_with_image(&env, app, RED).map(|rs| hash_of(&rs))
    });
    assert_eq!(revision_of(&env, app, &red_hash), "3");
    let run2 = format!("{name}-{red_hash}-3");
    assert_eq!(
        wait_run_phase(&env, name, app, &run2, &["Failed", "Error"], 30),
        "Failed"
    );
    let failed = run_named(&env, &run2).unwrap();
    check_run_metadata(&failed, name, app, "Background", &red_hash, "3");
    let run_message = run_jsonpath(&env, &run2, "{.status.message}");
    assert_eq!(
        run_message,
        r#"Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)"#
    );
    assert_eq!(
        run_jsonpath(&env, &run2, "{.status.metricResults[0].measurements[-1:].phase}"),
        "Failed"
    );
    assert_eq!(
        run_jsonpath(&env, &run2, "{.status.metricResults[0].measurements[-1:].value}"),
        "[0.5]"
    );

    let expected = format!(
        "RolloutAborted: Rollout aborted update to revision 3: Background analysis phase error/failed: {run_message}"
    );
    let status = wait(
        &env,
        name,
        app,
        30,
        "the rollout Degraded by the failed analysis",
        || {
            let r = env.rollout(name);
            (observed(&r) && r["status"]["phase"] == "Degraded").then(|| r["status"].clone())
        },
    );
    assert_eq!(status["message"], expected.as_str(), "{status:#}");
    assert_eq!(status["abort"], true, "{status:#}");
    assert_eq!(status["stableRS"], yellow_hash.as_str(), "{status:#}");
    assert_eq!(status["currentStepIndex"], 0, "{status:#}");
    check_aborted_run_record(&status, "currentBackgroundAnalysisRunStatus", &run2, &run_message);
    // The stable version is back at full size and the canary at 0.
    wait(&env, name, app, 30, "yellow at 4 available and red at 0", || {
        let yellow = rs_with_image(&env, app, YELLOW)?;
        let red = rs_with_image(&env, app, RED)?;
        (spec_replicas(&yellow) == 4 && available_replicas(&yellow) == 4 && spec_replicas(&red) == 0).then_some(())
    });
    // The first run is untouched; the earlier completed run was not re-created.
    assert_eq!(run_jsonpath(&env, &run1, "{.status.phase}"), "Successful");
    let names: Vec<String> = runs(&env).iter().map(name_of).collect();
    assert_eq!(names, vec![run1.clone(), run2.clone()], "{}", describe_runs(&env));

    // What the plugin shows.
    let tree = env.plugin_ok(&["get", "rollout", name]);
    assert_eq!(header_value(&tree, "Status"), "✖ Degraded", "{tree}");
    assert_eq!(header_value(&tree, "Message"), expected, "{tree}");
    let line = tree_line(&tree, &run2);
    assert!(line.contains("AnalysisRun") && line.contains("Failed"), "{line}");
    let line = tree_line(&tree, &run1);
    assert!(line.contains("AnalysisRun") && line.contains("Successful"), "{line}");
    let out = env.plugin(&["status", name, "--watch=false"]);
    assert_eq!(common::stdout(&out).trim(), "Degraded", "{}", common::stderr(&out));
    assert_eq!(
        common::stderr(&out).trim(),
        format!(
            "Error: The rollout is in a degraded state with message: {}",
            status["message"].as_str().unwrap()
        )
    );
    // The scale-down and the abort are stable: nothing moves on its own.
    std::thread::sleep(Duration::from_secs(2));
    let s = env.rollout(name)["status"].clone();
    assert_eq!(s["phase"], "Degraded", "{s:#}");
    assert_eq!(runs(&env).len(), 2, "{}", describe_runs(&env));

    // The events: the run's metric and outcome on the run, its new phase and the abort on the rollout.
    wait(&env, name, app, 30, "the events of the failed run", || {
        let on_run = events(&env, "AnalysisRun", &run2);
        let on_rollout = events(&env, "Rollout", name);
        let has = |list: &[(String, String, String)], kind: &str, reason: &str, prefix: &str| {
            list.iter()
                .any(|(t, r, m)| t == kind && r == reason && m.starts_with(prefix))
        };
        (has(
            &on_run,
            "Warning",
            "MetricFailed",
            "Metric 'success-rate' Completed. Result: Failed",
        ) && has(
            &on_run,
            "Warning",
            "AnalysisRunFailed",
            "Analysis Completed. Result: Failed",
        ) && has(
            &on_rollout,
            "Warning",
            "AnalysisRunFailed",
            &format!("Background Analysis Run '{run2}' Status New: 'Failed' Previous: '"),
        ) && has(
            &on_rollout,
            "Warning",
            "RolloutAborted",
            "Rollout aborted update to revision 3",
        ))
        .then_some(())
    });
    controller.stop();
    eprintln!("{test}: {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------------------
// 2. Job-based analysis steps: upstream's `pass` passes, a Job exiting 1 fails.

const JOB_NAME: &str = "job-canary";

/// Like upstream's `test/e2e/functional/analysistemplate-sleep-job.yaml`, which cannot be used unchanged:
/// its `command: [sh, -c, -x]` makes the dev cluster's simulated shell take `-x` for the script, so its
/// Jobs always succeed (a bug of the simulation; a real `sh -c -x 'sleep 0 && exit 1'` exits 1).
const JOB_EXIT_TEMPLATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: job-exit
spec:
  args:
  - name: exit-code
  - name: rev
    value: notset
  metrics:
  - name: exit
    provider:
      job:
        spec:
          backoffLimit: 0
          template:
            metadata:
              labels:
                rev: "{{ args.rev }}"
            spec:
              restartPolicy: Never
              containers:
              - name: exit
                image: alpine:3.8
                command: [sh, -c]
                args: ["sleep 2 && exit {{args.exit-code}}"]
"#;

const JOB_ROLLOUT: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: job-canary
spec:
  replicas: 2
  selector:
    matchLabels:
      app: job-canary
  template:
    metadata:
      labels:
        app: job-canary
    spec:
      containers:
      - name: demo
        image: argoproj/rollouts-demo:blue
  strategy:
    canary:
      steps:
      - setWeight: 50
      - analysis:
          templates:
          - templateName: pass
      - analysis:
          templates:
          - templateName: job-exit
          args:
          - name: exit-code
            value: "1"
          - name: rev
            valueFrom:
              podTemplateHashValue: Latest
      - setWeight: 100
"#;

/// The Jobs of the run with `uid` (by upstream's label).
fn jobs_of(env: &Env, uid: &str) -> Vec<Value> {
    items(env, "job", Some(&format!("{RUN_UID_LABEL}={uid}")))
}

fn job_condition(job: &Value, kind: &str) -> bool {
    job["status"]["conditions"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == kind && c["status"] == "True"))
}

#[test]
fn failing_job_analysis_step_aborts() {
    if let Some(env) = start_env("analysis-job", "failing_job_analysis_step_aborts") {
        failing_job_step_aborts(&env);
    }
}

/// A Job analysis step passing, then one failing and aborting the update, on `env` (skipped when the
/// conformance files are missing).
pub(crate) fn failing_job_step_aborts(env: &Env) {
    let Some(corpus) = rollouts_testkit::conformance_or_skip("failing_job_analysis_step_aborts") else {
        return;
    };
    let started = Instant::now();
    let mut controller = env.start_controller();
    // Upstream's templates, unchanged.
    env.cluster
        .kubectl_ok(&["apply", "-f", &corpus_path(&corpus, "examples/analysis-templates.yaml")]);
    env.apply(JOB_EXIT_TEMPLATE);
    env.apply(JOB_ROLLOUT);
    let (name, app) = (JOB_NAME, JOB_NAME);
    let blue = wait_healthy_on(env, name, app, BLUE, 2, 60);

    set_image(env, name, "demo", YELLOW);
    let hash = wait(env, name, app, 30, "a ReplicaSet running yellow", || {
        rs_with_image(env, app, YELLOW).map(|rs| hash_of(&rs))
    });

    // Step 1: `pass` runs one Job that exits 0; the run is Successful and the step completes.
    let pass_run = format!("{name}-{hash}-2-1");
    assert_eq!(
        wait_run_phase(
            env,
            name,
            app,
            &pass_run,
            &["Successful", "Failed", "Error", "Inconclusive"],
            60
        ),
        "Successful",
        "{}",
        diagnostics(env, name, app)
    );
    let run = run_named(env, &pass_run).unwrap();
    check_run_metadata(&run, name, app, "Step", &hash, "2");
    assert_eq!(run["metadata"]["labels"]["step-index"], "1", "{run:#}");
    let uid = run["metadata"]["uid"].as_str().unwrap().to_string();
    let jobs = jobs_of(env, &uid);
    assert_eq!(jobs.len(), 1, "{jobs:#?}");
    assert_eq!(name_of(&jobs[0]), format!("{uid}.pass.1"));
    assert!(job_condition(&jobs[0], "Complete"), "{:#}", jobs[0]);
    assert!(
        jobs[0]["metadata"]["ownerReferences"].as_array().is_some_and(|o| o
            .iter()
            .any(|o| o["kind"] == "AnalysisRun" && o["name"] == pass_run.as_str())),
        "the Job is owned by its run: {:#}",
        jobs[0]
    );
    assert_eq!(measurement_phases(&run, "pass"), vec!["Successful"]);

    // Step 2: `job-exit` with exit code 1: the Job fails, so do the measurement and the run, and the
    // update is aborted.
    let fail_run = format!("{name}-{hash}-2-2");
    assert_eq!(
        wait_run_phase(
            env,
            name,
            app,
            &fail_run,
            &["Successful", "Failed", "Error", "Inconclusive"],
            60
        ),
        "Failed",
        "{}",
        diagnostics(env, name, app)
    );
    let run = run_named(env, &fail_run).unwrap();
    check_run_metadata(&run, name, app, "Step", &hash, "2");
    assert_eq!(run["metadata"]["labels"]["step-index"], "2", "{run:#}");
    // The rollout's arguments, the hash from `podTemplateHashValue: Latest`, reach the Job.
    assert_eq!(
        run["spec"]["args"],
        serde_json::json!([{"name": "exit-code", "value": "1"}, {"name": "rev", "value": hash}]),
        "{run:#}"
    );
    let uid = run["metadata"]["uid"].as_str().unwrap().to_string();
    let jobs = jobs_of(env, &uid);
    assert_eq!(jobs.len(), 1, "{jobs:#?}");
    let job = &jobs[0];
    assert_eq!(name_of(job), format!("{uid}.exit.1"));
    assert!(job_condition(job, "Failed"), "{job:#}");
    assert_eq!(
        job["spec"]["template"]["metadata"]["labels"]["rev"],
        hash.as_str(),
        "{job:#}"
    );
    assert_eq!(
        job["spec"]["template"]["spec"]["containers"][0]["args"][0], "sleep 2 && exit 1",
        "{job:#}"
    );
    assert_eq!(measurement_phases(&run, "exit"), vec!["Failed"]);
    let run_message = run_jsonpath(env, &fail_run, "{.status.message}");
    assert!(
        run_message.starts_with(r#"Metric "exit" assessed Failed due to failed (1) > failureLimit (0)"#),
        "{run_message}"
    );

    let status = wait(env, name, app, 30, "the rollout Degraded by the failed step", || {
        let r = env.rollout(name);
        (observed(&r) && r["status"]["phase"] == "Degraded").then(|| r["status"].clone())
    });
    let expected = format!(
        "RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: {run_message}"
    );
    assert_eq!(status["message"], expected.as_str(), "{status:#}");
    assert_eq!(status["abort"], true, "{status:#}");
    assert_eq!(status["currentStepIndex"], 0, "{status:#}");
    assert_eq!(status["stableRS"], blue.as_str(), "{status:#}");
    check_aborted_run_record(&status, "currentStepAnalysisRunStatus", &fail_run, &run_message);
    wait(env, name, app, 30, "blue at 2 available and yellow at 0", || {
        let blue = rs_with_image(env, app, BLUE)?;
        let yellow = rs_with_image(env, app, YELLOW)?;
        (spec_replicas(&blue) == 2 && available_replicas(&blue) == 2 && spec_replicas(&yellow) == 0).then_some(())
    });
    // No run for the last step, and no new run for the aborted step.
    std::thread::sleep(Duration::from_secs(1));
    let names: Vec<String> = runs(env).iter().map(name_of).collect();
    assert_eq!(
        names,
        vec![pass_run.clone(), fail_run.clone()],
        "{}",
        describe_runs(env)
    );

    let tree = env.plugin_ok(&["get", "rollout", name]);
    assert_eq!(header_value(&tree, "Status"), "✖ Degraded", "{tree}");
    let line = tree_line(&tree, &fail_run);
    assert!(line.contains("AnalysisRun") && line.contains("Failed"), "{line}");
    let line = tree_line(&tree, &format!("{uid}.exit.1"));
    assert!(line.contains("Job") && line.contains("Failed"), "{line}");
    let line = tree_line(&tree, &pass_run);
    assert!(line.contains("AnalysisRun") && line.contains("Successful"), "{line}");
    controller.stop();
    eprintln!("failing_job_analysis_step_aborts: {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------------------
// 3. An inconclusive Web metric pauses; after `promote` a new run measures again.

const WEB_NAME: &str = "web-canary";

const WEB_TEMPLATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: web-check
spec:
  metrics:
  - name: web
    interval: 1s
    successCondition: result.ok == 1
    failureCondition: result.ok == 0
    provider:
      web:
        url: "@URL@/health"
        jsonPath: "{$}"
"#;

/// The pods only get ready 4 s after they start, so that the run (which measures at once) is
/// inconclusive while the rollout is still at its first step, not at its pause.
const WEB_ROLLOUT: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web-canary
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-canary
  template:
    metadata:
      labels:
        app: web-canary
    spec:
      containers:
      - name: demo
        image: argoproj/rollouts-demo:blue
        readinessProbe:
          tcpSocket:
            port: 8080
          initialDelaySeconds: 4
  strategy:
    canary:
      analysis:
        templates:
        - templateName: web-check
      steps:
      - setWeight: 50
      - pause: {duration: 3s}
";

/// A local HTTP server answering `/health` with the JSON body the test sets.
struct Health {
    server: StubServer,
    body: Arc<Mutex<String>>,
}

impl Health {
    fn start(body: &str) -> Health {
        let shared = Arc::new(Mutex::new(body.to_string()));
        let answer = shared.clone();
        let server = StubServer::start(move |request| {
            if request.path() != "/health" {
                return StubResponse::text(404, "not found");
            }
            StubResponse::json(200, answer.lock().unwrap().clone())
        })
        .unwrap();
        Health { server, body: shared }
    }

    fn answer(&self, body: &str) {
        *self.body.lock().unwrap() = body.to_string();
    }
}

#[test]
fn inconclusive_web_metric_pauses() {
    if let Some(env) = start_env("analysis-web", "inconclusive_web_metric_pauses") {
        inconclusive_web_pauses(&env);
    }
}

/// A Web metric answering an inconclusive value pauses the update, on `env`.
pub(crate) fn inconclusive_web_pauses(env: &Env) {
    let started = Instant::now();
    let health = Health::start(r#"{"ok": 2}"#);
    let mut controller = env.start_controller();
    env.apply(&WEB_TEMPLATE.replace("@URL@", &health.server.url()));
    env.apply(WEB_ROLLOUT);
    let (name, app) = (WEB_NAME, WEB_NAME);
    wait_healthy_on(env, name, app, BLUE, 2, 60);
    assert!(health.server.requests().is_empty(), "no analysis for the first deploy");

    set_image(env, name, "demo", YELLOW);
    let hash = wait(env, name, app, 30, "a ReplicaSet running yellow", || {
        rs_with_image(env, app, YELLOW).map(|rs| hash_of(&rs))
    });
    let run1 = format!("{name}-{hash}-2");
    assert_eq!(
        wait_run_phase(
            env,
            name,
            app,
            &run1,
            &["Successful", "Failed", "Error", "Inconclusive"],
            30
        ),
        "Inconclusive"
    );
    let run = run_named(env, &run1).unwrap();
    check_run_metadata(&run, name, app, "Background", &hash, "2");
    assert_eq!(
        run_jsonpath(env, &run1, "{.status.message}"),
        r#"Metric "web" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)"#
    );
    assert_eq!(measurement_phases(&run, "web"), vec!["Inconclusive"]);
    assert_eq!(
        run_jsonpath(env, &run1, "{.status.metricResults[0].measurements[0].value}"),
        r#"{"ok":2}"#
    );

    let status = wait(env, name, app, 30, "the rollout paused by the inconclusive run", || {
        let r = env.rollout(name);
        (observed(&r) && r["status"]["phase"] == "Paused").then(|| r["status"].clone())
    });
    assert_eq!(status["message"], "InconclusiveAnalysisRun", "{status:#}");
    let reasons: Vec<&str> = status["pauseConditions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["reason"].as_str())
        .collect();
    assert_eq!(reasons, vec!["InconclusiveAnalysisRun"], "{status:#}");
    assert_eq!(status["controllerPause"], true, "{status:#}");
    assert_eq!(status["currentStepIndex"], 0, "{status:#}");
    assert_eq!(
        status["canary"]["currentBackgroundAnalysisRunStatus"]["status"], "Inconclusive",
        "{status:#}"
    );
    let tree = env.plugin_ok(&["get", "rollout", name]);
    assert_eq!(header_value(&tree, "Status"), "॥ Paused", "{tree}");
    assert_eq!(header_value(&tree, "Message"), "InconclusiveAnalysisRun", "{tree}");
    let line = tree_line(&tree, &run1);
    assert!(line.contains("AnalysisRun") && line.contains("Inconclusive"), "{line}");
    let out = env.plugin_ok(&["status", name, "--watch=false"]);
    assert_eq!(out.trim(), "Paused - InconclusiveAnalysisRun");
    assert!(
        events(env, "Rollout", name).iter().any(|(t, r, m)| t == "Normal"
            && r == "AnalysisRunInconclusive"
            && m.starts_with(&format!("Background Analysis Run '{run1}' Status New: 'Inconclusive'"))),
        "{:#?}",
        events(env, "Rollout", name)
    );
    // It stays paused: no new run while nobody resumes, and no further measurement of the completed run.
    std::thread::sleep(Duration::from_secs(2));
    let s = env.rollout(name)["status"].clone();
    assert_eq!(s["phase"], "Paused", "{s:#}");
    assert_eq!(runs(env).len(), 1, "{}", describe_runs(env));
    let requests = health.server.requests().len();
    assert_eq!(requests, 1, "one measurement, then the run is over");

    // The service recovered; `promote` resumes, and since the run was inconclusive a new one is made
    // (upstream's collision suffix `.1`), measures Successful, and the rollout completes.
    health.answer(r#"{"ok": 1}"#);
    let out = env.plugin_ok(&["promote", name]);
    assert_eq!(out.trim(), format!("rollout '{name}' promoted"));
    let run2 = format!("{run1}.1");
    let second = wait(env, name, app, 30, "the new background run", || run_named(env, &run2));
    check_run_metadata(&second, name, app, "Background", &hash, "2");
    wait(env, name, app, 30, "a Successful measurement of the new run", || {
        let run = run_named(env, &run2)?;
        measurement_phases(&run, "web")
            .iter()
            .any(|p| p == "Successful")
            .then_some(())
    });
    let stable = wait_healthy_on(env, name, app, YELLOW, 2, 60);
    assert_eq!(stable, hash);
    assert_eq!(
        wait_run_phase(
            env,
            name,
            app,
            &run2,
            &["Successful", "Failed", "Error", "Inconclusive"],
            30
        ),
        "Successful"
    );
    assert_eq!(run_jsonpath(env, &run2, "{.spec.terminate}"), "true");
    assert_eq!(run_jsonpath(env, &run1, "{.status.phase}"), "Inconclusive");
    let names: Vec<String> = runs(env).iter().map(name_of).collect();
    assert_eq!(names, vec![run1.clone(), run2.clone()], "{}", describe_runs(env));
    let s = env.rollout(name)["status"].clone();
    assert!(s["pauseConditions"].as_array().is_none_or(Vec::is_empty), "{s:#}");
    assert!(s["controllerPause"] != true, "{s:#}");
    assert!(health.server.requests().len() > requests);
    controller.stop();
    eprintln!("inconclusive_web_metric_pauses: {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------------------
// 4. Upstream's analysis examples, unchanged.

#[test]
fn upstream_analysis_examples_pass_and_complete() {
    let test = "upstream_analysis_examples_pass_and_complete";
    let Some(corpus) = rollouts_testkit::conformance_or_skip(test) else {
        return;
    };
    let Some(env) = start_env("analysis-corpus", test) else {
        return;
    };
    let started = Instant::now();
    let mut controller = env.start_controller();
    for file in [
        "examples/analysis-templates.yaml",
        "examples/cluster-analysis-templates.yaml",
        "examples/rollout-analysis-step.yaml",
        "examples/rollout-background-analysis.yaml",
    ] {
        env.cluster.kubectl_ok(&["apply", "-f", &corpus_path(&corpus, file)]);
    }
    let step = "rollout-analysis-step";
    let background = "rollout-background-analysis";
    wait_healthy_on(&env, step, step, BLUE, 4, 60);
    wait_healthy_on(&env, background, background, BLUE, 4, 60);
    assert!(runs(&env).is_empty(), "{}", describe_runs(&env));

    set_image(&env, step, "rollouts-demo", YELLOW);
    set_image(&env, background, "rollouts-demo", YELLOW);

    // rollout-analysis-step: `setWeight: 25`, then one step run of `random-fail` (two Job measurements
    // 5 s apart, each a coin flip in the dev cluster's shell: `exit $FLIP`; with `failureLimit: 1` the
    // run fails only when both do) and the cluster template `always-pass`.
    let step_hash = wait(&env, step, step, 30, "a ReplicaSet running yellow", || {
        rs_with_image(&env, step, YELLOW).map(|rs| hash_of(&rs))
    });
    let step_run = format!("{step}-{step_hash}-2-1");
    let run = wait(&env, step, step, 30, "the step run", || run_named(&env, &step_run));
    check_run_metadata(&run, step, step, "Step", &step_hash, "2");
    assert_eq!(run["metadata"]["labels"]["step-index"], "1");
    let metrics: Vec<&str> = run["spec"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(
        metrics,
        vec!["random-fail", "pass"],
        "the two templates' metrics, in order"
    );

    // rollout-background-analysis: a background run of `random-fail`, and an indefinite pause.
    let bg_hash = wait(&env, background, background, 30, "a ReplicaSet running yellow", || {
        rs_with_image(&env, background, YELLOW).map(|rs| hash_of(&rs))
    });
    let bg_run = format!("{background}-{bg_hash}-2");
    let run = wait(&env, background, background, 30, "the background run", || {
        run_named(&env, &bg_run)
    });
    check_run_metadata(&run, background, background, "Background", &bg_hash, "2");

    // The step run ends as its coin flips say, and the rollout completes or aborts accordingly.
    let step_phase = wait_run_phase(
        &env,
        step,
        step,
        &step_run,
        &["Successful", "Failed", "Error", "Inconclusive"],
        60,
    );
    let run = run_named(&env, &step_run).unwrap();
    assert_eq!(step_phase, random_fail_phase(&run), "{run:#}");
    assert_eq!(measurement_phases(&run, "pass"), vec!["Successful"]);
    let uid = run["metadata"]["uid"].as_str().unwrap();
    let mut jobs: Vec<String> = jobs_of(&env, uid).iter().map(name_of).collect();
    jobs.sort();
    assert_eq!(
        jobs,
        vec![
            format!("{uid}.pass.1"),
            format!("{uid}.random-fail.1"),
            format!("{uid}.random-fail.2")
        ]
    );
    if step_phase == "Successful" {
        assert_eq!(wait_healthy_on(&env, step, step, YELLOW, 4, 60), step_hash);
        let out = env.plugin(&["status", step, "--watch=false"]);
        assert_eq!(common::stdout(&out).trim(), "Healthy");
    } else {
        wait_degraded(&env, step);
    }

    // The background run (count 2) ends as its coin flips say while the rollout waits at its pause.
    let bg_phase = wait_run_phase(
        &env,
        background,
        background,
        &bg_run,
        &["Successful", "Failed", "Error", "Inconclusive"],
        60,
    );
    let run = run_named(&env, &bg_run).unwrap();
    assert_eq!(bg_phase, random_fail_phase(&run), "{run:#}");
    if bg_phase == "Successful" {
        let s = env.rollout(background)["status"].clone();
        assert_eq!(s["phase"], "Paused", "{s:#}");
        assert_eq!(s["message"], "CanaryPauseStep", "{s:#}");
        assert_eq!(s["currentStepIndex"], 1, "{s:#}");
        env.plugin_ok(&["promote", background]);
        assert_eq!(wait_healthy_on(&env, background, background, YELLOW, 4, 60), bg_hash);
    } else {
        wait_degraded(&env, background);
    }
    let names: Vec<String> = runs(&env).iter().map(name_of).collect();
    assert_eq!(names.len(), 2, "{}", describe_runs(&env));
    controller.stop();
    eprintln!("{test}: {:?}", started.elapsed());
}
