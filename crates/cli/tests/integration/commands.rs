//! The plugin's commands run by the real kubectl (`kubectl argo rollouts ...`) against a dev cluster with
//! the Rollouts CRDs installed. No controller runs, so the tests check what the commands wrote.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use common::{Env, assert_one_line_error_containing, stderr};
use rollouts_devcluster::testing::temp_dir;

const CANARY: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: demo
spec:
  replicas: 2
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: app
        image: argoproj/rollouts-demo:blue
      - name: side
        image: busybox:1
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {}
      - setWeight: 60
";

#[test]
fn abort_retry_and_pause_patch_the_rollout() {
    let Some(env) = Env::start("cli") else { return };
    env.apply(CANARY);

    assert_eq!(env.plugin_ok(&["abort", "demo"]), "rollout 'demo' aborted\n");
    assert_eq!(env.rollout("demo")["status"]["abort"], true);

    assert_eq!(env.plugin_ok(&["retry", "rollout", "demo"]), "rollout 'demo' retried\n");
    assert_eq!(env.rollout("demo")["status"]["abort"], false);

    assert_eq!(env.plugin_ok(&["pause", "demo"]), "rollout 'demo' paused\n");
    assert_eq!(env.rollout("demo")["spec"]["paused"], true);

    let missing = env.plugin(&["abort", "nope"]);
    assert_one_line_error_containing(&missing, r#""nope" not found"#);
    let missing = env.plugin(&["retry", "rollout", "nope"]);
    assert_one_line_error_containing(&missing, r#""nope" not found"#);
    let missing = env.plugin(&["pause", "nope"]);
    assert_one_line_error_containing(&missing, r#""nope" not found"#);
}

#[test]
fn promote_clears_pauses_and_skips_steps() {
    let Some(env) = Env::start("cli") else { return };
    env.apply(CANARY);

    // Paused by the user and by a pause step: spec unpaused, pause conditions cleared.
    env.plugin_ok(&["pause", "demo"]);
    env.patch_status(
        "demo",
        r#"{"status":{"currentStepIndex":1,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2026-01-01T00:00:00Z"}]}}"#,
    );
    assert_eq!(env.plugin_ok(&["promote", "demo"]), "rollout 'demo' promoted\n");
    let ro = env.rollout("demo");
    assert_eq!(ro["spec"]["paused"], false);
    assert!(ro["status"]["pauseConditions"].is_null(), "{}", ro["status"]);
    assert_eq!(ro["status"]["currentStepIndex"], 1);

    // Not paused: the running step is skipped.
    assert_eq!(env.plugin_ok(&["promote", "demo"]), "rollout 'demo' promoted\n");
    assert_eq!(env.rollout("demo")["status"]["currentStepIndex"], 2);

    // Full promotion when the current pod hash is not the stable one.
    env.patch_status("demo", r#"{"status":{"currentPodHash":"new","stableRS":"old"}}"#);
    assert_eq!(
        env.plugin_ok(&["promote", "demo", "--full"]),
        "rollout 'demo' fully promoted\n"
    );
    assert_eq!(env.rollout("demo")["status"]["promoteFull"], true);

    assert_one_line_error_containing(&env.plugin(&["promote", "nope"]), r#""nope" not found"#);
}

#[test]
fn set_image_updates_the_template() {
    let Some(env) = Env::start("cli") else { return };
    env.apply(CANARY);

    assert_eq!(
        env.plugin_ok(&["set", "image", "demo", "app=argoproj/rollouts-demo:green"]),
        "rollout \"demo\" image updated\n"
    );
    let ro = env.rollout("demo");
    let containers = &ro["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers[0]["image"], "argoproj/rollouts-demo:green");
    assert_eq!(containers[1]["image"], "busybox:1");

    env.plugin_ok(&["set", "image", "demo", "*=nginx:1"]);
    let ro = env.rollout("demo");
    assert_eq!(ro["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1");
    assert_eq!(ro["spec"]["template"]["spec"]["containers"][1]["image"], "nginx:1");

    assert_one_line_error_containing(
        &env.plugin(&["set", "image", "demo", "no-equals-sign"]),
        "expected CONTAINER=IMAGE",
    );
    assert_one_line_error_containing(
        &env.plugin(&["set", "image", "demo", "ghost=nginx:1"]),
        r#"unable to find container named "ghost""#,
    );
    assert_one_line_error_containing(&env.plugin(&["set", "image", "nope", "app=x"]), r#""nope" not found"#);
}

#[test]
fn get_rollout_prints_the_header_and_tree() {
    let Some(env) = Env::start("cli") else { return };
    env.apply(CANARY);
    let uid = env.rollout("demo")["metadata"]["uid"].as_str().unwrap().to_string();
    env.apply(&format!(
        r#"
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: demo-6b5c8d7f9
  labels: {{app: demo, rollouts-pod-template-hash: 6b5c8d7f9}}
  annotations: {{rollout.argoproj.io/revision: "1"}}
  ownerReferences:
  - apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    name: demo
    uid: {uid}
    controller: true
spec:
  replicas: 1
  selector:
    matchLabels: {{app: demo, rollouts-pod-template-hash: 6b5c8d7f9}}
  template:
    metadata:
      labels: {{app: demo, rollouts-pod-template-hash: 6b5c8d7f9}}
    spec:
      containers:
      - name: app
        image: argoproj/rollouts-demo:blue
"#
    ));

    let out = env.plugin_ok(&["get", "rollout", "demo", "--no-color"]);
    assert!(!out.contains('\x1b'), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Name:            demo");
    assert_eq!(lines[1], "Namespace:       default");
    assert!(lines.iter().any(|l| l.starts_with("Status:          ")), "{out}");
    assert!(lines.contains(&"Strategy:        Canary"), "{out}");
    assert!(lines.contains(&"Replicas:"), "{out}");
    assert!(lines.contains(&"  Desired:       2"), "{out}");
    assert!(
        out.contains("NAME") && out.contains("KIND") && out.contains("STATUS"),
        "{out}"
    );
    assert!(out.contains("⟳ demo") && out.contains("Rollout"), "{out}");
    assert!(out.contains("# revision:1"), "{out}");
    assert!(out.contains("⧉ demo-6b5c8d7f9") && out.contains("ReplicaSet"), "{out}");

    // Not a terminal: no colours even without --no-color; the alias works too.
    let piped = env.plugin_ok(&["get", "ro", "demo"]);
    assert!(!piped.contains('\x1b'), "{piped}");
    assert!(piped.starts_with("Name:            demo\n"), "{piped}");

    // -n and the namespace of the objects.
    env.cluster.kubectl_ok(&["create", "namespace", "other"]);
    assert_one_line_error_containing(
        &env.plugin(&["get", "rollout", "demo", "-n", "other"]),
        r#""demo" not found"#,
    );
    assert_one_line_error_containing(&env.plugin(&["get", "rollout", "nope"]), r#""nope" not found"#);
}

#[test]
fn get_rollout_watch_ends_after_the_timeout() {
    let Some(env) = Env::start("cli") else { return };
    env.apply(CANARY);
    let started = std::time::Instant::now();
    let out = env.plugin_ok(&["get", "rollout", "demo", "--watch", "--timeout-seconds", "2"]);
    let elapsed = started.elapsed();
    assert!(elapsed >= std::time::Duration::from_secs(2), "{elapsed:?}");
    assert!(elapsed < std::time::Duration::from_secs(20), "{elapsed:?}");
    assert!(out.contains("\x1b[H\x1b[2J"), "{out:?}");
    assert!(out.contains("Name:            demo"), "{out}");

    assert_one_line_error_containing(
        &env.plugin(&["get", "rollout", "nope", "-w", "--timeout-seconds", "2"]),
        r#""nope" not found"#,
    );
}

#[test]
fn get_rollout_watch_redraws_on_changes() {
    let Some(env) = Env::start("cli") else { return };
    env.apply(CANARY);
    let child = env
        .plugin_command(&["get", "rollout", "demo", "-w", "--no-color", "--timeout-seconds", "5"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    env.plugin_ok(&["pause", "demo"]);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let frames: Vec<&str> = stdout
        .split("\x1b[H\x1b[2J\x1b[0;0H")
        .filter(|f| !f.is_empty())
        .collect();
    assert!(frames.len() >= 2, "{stdout}");
    assert!(!frames[0].contains("Paused"), "{}", frames[0]);
    let last = frames[frames.len() - 1];
    assert!(last.contains("Status:          ॥ Paused"), "{last}");
}

#[test]
fn unreachable_cluster_is_a_one_line_error() {
    let Some(env) = Env::start("cli") else { return };
    let dir = temp_dir("cli-unreachable");
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:1'}\n\
         contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\nusers:\n- name: u\n  user: {}\n",
    )
    .unwrap();
    let out = env.plugin(&[
        "get",
        "rollout",
        "demo",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--request-timeout",
        "5s",
    ]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    assert!(err.starts_with("Error: "), "stderr: {err}");

    let out = env.plugin(&["abort", "demo", "--context", "no-such-context"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1, "stderr: {}", stderr(&out));
    let _ = std::fs::remove_dir_all(dir);
}
