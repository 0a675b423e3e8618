//! `get experiment` and `list experiments` run by the real kubectl (`kubectl argo rollouts ...`) against a dev
//! cluster. No experiment controller runs: each test writes an Experiment, the ReplicaSets and AnalysisRun it
//! would own (with the experiment's annotations and owner references) and their status by hand; the
//! simulated ReplicaSet controller and kubelet supply the pods.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use common::{Env, assert_one_line_error, stderr, stdout, wait_for};
use jiff::{SignedDuration, Timestamp};

const EXPERIMENT: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata:
  name: demo-exp
spec:
  duration: 1h
  templates:
  - name: baseline
    replicas: 1
    selector:
      matchLabels: {app: demo-exp, tmpl: baseline}
    template:
      metadata:
        labels: {app: demo-exp, tmpl: baseline}
      spec:
        containers:
        - name: app
          image: argoproj/rollouts-demo:blue
  - name: canary
    replicas: 1
    selector:
      matchLabels: {app: demo-exp, tmpl: canary}
    template:
      metadata:
        labels: {app: demo-exp, tmpl: canary}
      spec:
        containers:
        - name: app
          image: argoproj/rollouts-demo:yellow
  analyses:
  - name: smoke
    templateName: smoke
";

/// The ReplicaSet the experiment controller makes for `template`, owned by the Experiment `uid`.
fn template_replica_set(uid: &str, template: &str, image: &str) -> String {
    format!(
        r"
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: demo-exp-{template}
  labels: {{app: demo-exp, tmpl: {template}, rollouts-pod-template-hash: 6d4f8c7b9{template}}}
  annotations:
    experiment.argoproj.io/name: demo-exp
    experiment.argoproj.io/template-name: {template}
  ownerReferences:
  - apiVersion: argoproj.io/v1alpha1
    kind: Experiment
    name: demo-exp
    uid: {uid}
    controller: true
    blockOwnerDeletion: true
spec:
  replicas: 1
  selector:
    matchLabels: {{app: demo-exp, tmpl: {template}, rollouts-pod-template-hash: 6d4f8c7b9{template}}}
  template:
    metadata:
      labels: {{app: demo-exp, tmpl: {template}, rollouts-pod-template-hash: 6d4f8c7b9{template}}}
    spec:
      containers:
      - name: app
        image: {image}
"
    )
}

/// The AnalysisRun of the experiment's `smoke` analysis, finished with two successful measurements.
fn analysis_run(uid: &str) -> String {
    format!(
        r"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  name: demo-exp-smoke
  annotations:
    experiment.argoproj.io/name: demo-exp
  ownerReferences:
  - apiVersion: argoproj.io/v1alpha1
    kind: Experiment
    name: demo-exp
    uid: {uid}
    controller: true
    blockOwnerDeletion: true
spec:
  metrics:
  - name: ok
    provider:
      prometheus:
        address: http://prometheus:9090
        query: vector(1)
"
    )
}

fn rfc3339(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).unwrap().to_string()
}

/// Writes `status` of an object: through the status subresource when the CRD has one, else in place.
fn set_status(env: &Env, kind: &str, name: &str, status: serde_json::Value) {
    let patch = serde_json::json!({ "status": status }).to_string();
    let args = ["patch", kind, name, "--type=merge", "-p", &patch];
    let with_subresource = env.cluster.kubectl(&[&args[..], &["--subresource=status"]].concat());
    if !with_subresource.status.success() {
        env.cluster.kubectl_ok(&args);
    }
}

/// Creates the Experiment (running for ten minutes of its hour), its two ReplicaSets and its AnalysisRun,
/// and waits until both template pods are ready.
fn create_experiment(env: &Env) {
    env.apply(EXPERIMENT);
    let exp: serde_json::Value =
        serde_json::from_str(&env.cluster.kubectl_ok(&["get", "experiment", "demo-exp", "-o", "json"])).unwrap();
    let uid = exp["metadata"]["uid"].as_str().unwrap().to_string();
    env.apply(&template_replica_set(&uid, "baseline", "argoproj/rollouts-demo:blue"));
    env.apply(&template_replica_set(&uid, "canary", "argoproj/rollouts-demo:yellow"));
    env.apply(&analysis_run(&uid));
    let available_at = rfc3339(Timestamp::now() - SignedDuration::from_mins(10));
    set_status(
        env,
        "experiment",
        "demo-exp",
        serde_json::json!({
            "phase": "Running",
            "message": "running smoke checks",
            "availableAt": available_at,
        }),
    );
    set_status(
        env,
        "analysisrun",
        "demo-exp-smoke",
        serde_json::json!({
            "phase": "Successful",
            "metricResults": [{"name": "ok", "phase": "Successful", "count": 2, "successful": 2}],
        }),
    );
    wait_for(30, "the experiment's pods to be ready", || {
        let out = env.plugin_ok(&["get", "experiment", "demo-exp", "--no-color"]);
        let ready = out
            .lines()
            .filter(|l| l.contains("Pod") && l.contains("ready:1/1"))
            .count();
        let healthy = out.lines().filter(|l| l.contains("✔ Healthy")).count();
        (ready == 2 && healthy == 2).then_some(())
    });
}

/// The cells of a tree or table line (columns are separated by at least two spaces).
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The cells of a tree line, cut where the header's columns start (so misaligned columns show up as
/// wrong cells).
fn tree_cells(header: &str, line: &str) -> Vec<String> {
    let starts: Vec<usize> = ["KIND", "STATUS", "AGE", "INFO"]
        .iter()
        .map(|h| header.find(h).unwrap())
        .collect();
    let chars: Vec<char> = line.chars().collect();
    let mut bounds = vec![0];
    bounds.extend(&starts);
    bounds.push(chars.len().max(starts[3]));
    bounds
        .windows(2)
        .map(|w| {
            let cell: String = chars[w[0].min(chars.len())..w[1].min(chars.len())].iter().collect();
            assert!(w[0] == 0 || w[0] >= chars.len() || chars[w[0] - 1] == ' ', "{line:?}");
            cell.trim().to_string()
        })
        .collect()
}

#[test]
fn get_experiment_shows_the_header_and_the_tree() {
    let Some(env) = Env::start("cli-exp") else { return };
    create_experiment(&env);

    let out = env.plugin_ok(&["get", "experiment", "demo-exp", "--no-color"]);
    assert!(!out.contains('\x1b'), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "Name:            demo-exp",
            "Namespace:       default",
            "Status:          ◌ Running",
            "Message:         running smoke checks",
            "Images:          argoproj/rollouts-demo:blue (Σ:baseline)",
            "                 argoproj/rollouts-demo:yellow (Σ:canary)",
            "",
        ],
        "{out}"
    );
    assert_eq!(cells(lines[7]), ["NAME", "KIND", "STATUS", "AGE", "INFO"], "{out}");
    let tree: Vec<Vec<String>> = lines[8..].iter().map(|l| tree_cells(lines[7], l)).collect();
    assert_eq!(tree.len(), 6, "{out}");
    assert_eq!(tree[0][..3], ["Σ demo-exp", "Experiment", "◌ Running"], "{out}");
    assert_eq!(
        tree[1][..3],
        ["├──⧉ demo-exp-baseline", "ReplicaSet", "✔ Healthy"],
        "{out}"
    );
    assert!(tree[2][0].starts_with("│  └──□ demo-exp-baseline-"), "{out}");
    assert_eq!(tree[2][1..3], ["Pod", "✔ Running"], "{out}");
    assert_eq!(tree[2][4], "ready:1/1", "{out}");
    assert_eq!(
        tree[3][..3],
        ["├──⧉ demo-exp-canary", "ReplicaSet", "✔ Healthy"],
        "{out}"
    );
    assert!(tree[4][0].starts_with("│  └──□ demo-exp-canary-"), "{out}");
    assert_eq!(tree[4][4], "ready:1/1", "{out}");
    assert_eq!(
        tree[5],
        ["└──α demo-exp-smoke", "AnalysisRun", "✔ Successful", &tree[5][3], "✔ 2"],
        "{out}"
    );
    for row in &tree {
        assert!(row[3].ends_with('s'), "age {:?} in {out}", row[3]);
    }

    // The aliases, and no colours when stdout is not a terminal (ages may have moved on meanwhile).
    assert_eq!(
        without_ages(&env.plugin_ok(&["get", "exp", "demo-exp"])),
        without_ages(&out)
    );
    assert_eq!(
        without_ages(&env.plugin_ok(&["get", "experiments", "demo-exp"])),
        without_ages(&out)
    );
}

#[test]
fn get_experiment_errors_are_one_line() {
    let Some(env) = Env::start("cli-exp") else { return };
    assert_one_line_error(
        &env.plugin(&["get", "experiment", "nope"]),
        r#"experiment.argoproj.io "nope" not found"#,
    );
    assert_one_line_error(
        &env.plugin(&["get", "experiment", "nope", "-w", "--timeout-seconds", "2"]),
        r#"experiment.argoproj.io "nope" not found"#,
    );
    assert_one_line_error(
        &env.plugin(&["get", "rollout", "nope"]),
        r#"rollout.argoproj.io "nope" not found"#,
    );
    let usage = env.plugin(&["get", "experiment"]);
    assert_eq!(usage.status.code(), Some(1), "{}", stderr(&usage));
}

#[test]
fn get_experiment_watch_redraws_on_changes() {
    let Some(env) = Env::start("cli-exp") else { return };
    create_experiment(&env);
    let child = env
        .plugin_command(&[
            "get",
            "experiment",
            "demo-exp",
            "-w",
            "--no-color",
            "--timeout-seconds",
            "4",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    set_status(
        &env,
        "experiment",
        "demo-exp",
        serde_json::json!({"phase": "Successful", "message": null}),
    );
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    let frames: Vec<&str> = text.split("\x1b[H\x1b[2J\x1b[0;0H").filter(|f| !f.is_empty()).collect();
    assert!(frames.len() >= 2, "{text}");
    assert!(frames[0].contains("Status:          ◌ Running"), "{}", frames[0]);
    let last = frames[frames.len() - 1];
    assert!(last.contains("Status:          ✔ Successful\n"), "{last}");
    assert!(!last.contains("Message:"), "{last}");
    assert!(last.contains("Σ demo-exp"), "{last}");
}

#[test]
fn list_experiments_shows_upstream_columns() {
    let Some(env) = Env::start("cli-exp") else { return };
    let none = env.plugin(&["list", "experiments"]);
    assert!(none.status.success(), "{}", stderr(&none));
    assert_eq!(stdout(&none), "");
    assert_eq!(stderr(&none), "No resources found.\n");

    create_experiment(&env);
    env.cluster.kubectl_ok(&["create", "namespace", "other"]);
    env.cluster.kubectl_ok_stdin(
        &["apply", "-n", "other", "-f", "-"],
        &EXPERIMENT
            .replace("name: demo-exp\n", "name: finished-experiment\n")
            .replace("  duration: 1h\n", ""),
    );
    let finished = ["-n", "other"];
    let patch = serde_json::json!({"status": {"phase": "Successful"}}).to_string();
    let args = [
        &[
            "patch",
            "experiment",
            "finished-experiment",
            "--type=merge",
            "-p",
            &patch,
        ][..],
        &finished[..],
    ]
    .concat();
    if !env
        .cluster
        .kubectl(&[&args[..], &["--subresource=status"]].concat())
        .status
        .success()
    {
        env.cluster.kubectl_ok(&args);
    }

    let out = env.plugin_ok(&["list", "experiments"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0].trim_end(),
        "NAME        STATUS   DURATION  REMAINING  AGE",
        "{out}"
    );
    let row = cells(lines[1]);
    assert_eq!(row[..4], ["demo-exp", "Running", "60m", "49m"], "{out}");
    assert!(row[4].ends_with('s'), "{out}");
    // Upstream pads the last column to three characters.
    assert!(lines[1].len() >= lines[0].len(), "{out:?}");
    // The aliases (the age may have moved on meanwhile).
    assert_eq!(without_ages(&env.plugin_ok(&["list", "exp"])), without_ages(&out));
    assert_eq!(
        without_ages(&env.plugin_ok(&["list", "experiment"])),
        without_ages(&out)
    );

    let all = env.plugin_ok(&["list", "experiments", "-A"]);
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 3, "{all}");
    assert_eq!(
        cells(lines[0]),
        ["NAMESPACE", "NAME", "STATUS", "DURATION", "REMAINING", "AGE"],
        "{all}"
    );
    assert_eq!(
        cells(lines[1])[..5],
        ["default", "demo-exp", "Running", "60m", "49m"],
        "{all}"
    );
    assert_eq!(
        cells(lines[2])[..5],
        ["other", "finished-experiment", "Successful", "-", "-"],
        "{all}"
    );
    assert_eq!(
        without_ages(&env.plugin_ok(&["list", "experiments", "--all-namespaces"])),
        without_ages(&all)
    );

    let empty = env.plugin(&["list", "experiments", "-n", "kube-system"]);
    assert!(empty.status.success(), "{}", stderr(&empty));
    assert_eq!(stderr(&empty), "No resources found.\n");
}

/// An age column cell such as `3s`, `2m` or `1h`.
fn is_age(word: &str) -> bool {
    word.len() > 1 && word.ends_with(['s', 'm', 'h', 'd']) && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit())
}

/// The output with the age cells left out, for comparing two runs a second apart.
fn without_ages(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .filter(|w| !is_age(w))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
