//! `lint`, `list rollouts`, `status` and `restart` run by the real kubectl (`kubectl argo rollouts ...`)
//! against a dev cluster with the Rollouts CRDs installed (`lint` needs no cluster). No controller runs:
//! the tests write the status fields a controller would write.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, assert_one_line_error, manifests, output_with_stdin, plugin_binary, stderr, stdout};

fn canary() -> String {
    manifests::rollout(
        "demo",
        Some(2),
        "{canary: {steps: [{setWeight: 20}, {pause: {}}, {setWeight: 60}]}}",
    )
}

fn blue_green() -> String {
    manifests::rollout("bg", None, "{blueGreen: {activeService: bg-active}}")
}

/// Upstream's expected first error of each invalid lint fixture.
const INVALID_FIXTURES: &[(&str, &str)] = &[
    (
        "invalid.yml",
        "spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero",
    ),
    (
        "invalid-empty-rollout-vsvc.yml",
        "spec.selector: Required value: Rollout has missing field '.spec.selector'",
    ),
    (
        "invalid.json",
        "spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero",
    ),
    (
        "invalid-multiple-docs.yml",
        "spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero",
    ),
    (
        "invalid-unknown-field.yml",
        "error unmarshaling JSON: while decoding JSON: json: unknown field \"unknown-strategy\"",
    ),
    (
        "invalid-service-labels.yml",
        "spec.strategy.canary.canaryService: Invalid value: \"istio-host-split-canary\": Service \"istio-host-split-canary\" has unmatch label \"app\" in rollout",
    ),
    (
        "invalid-ping-pong.yml",
        "spec.strategy.canary.pingPong.pingService: Invalid value: \"ping-service\": Service \"ping-service\" has unmatch label \"app\" in rollout",
    ),
    (
        "invalid-ingress-smi-multi.yml",
        "spec.strategy.canary.canaryService: Invalid value: \"rollout-smi-experiment-canary\": Service \"rollout-smi-experiment-canary\" has unmatch label \"app\" in rollout",
    ),
    (
        "invalid-nginx-canary.yml",
        "spec.strategy.steps[1].experiment.templates[0].weight: Invalid value: 20: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time",
    ),
];

#[test]
fn lint_matches_upstream_fixtures() {
    let Some(corpus) = rollouts_testkit::conformance_or_skip("lint_matches_upstream_fixtures") else {
        return;
    };
    let dir = corpus.join("pkg/kubectl-argo-rollouts/cmd/lint/testdata");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let valid: Vec<&String> = names.iter().filter(|n| n.starts_with("valid")).collect();
    assert!(valid.len() >= 10, "{names:?}");
    for name in valid {
        let out = Command::new(plugin_binary())
            .args(["lint", "-f"])
            .arg(dir.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{name}");
        assert_eq!(stderr(&out), "", "{name}");
    }
    for name in names.iter().filter(|n| n.starts_with("invalid")) {
        let (_, expected) = INVALID_FIXTURES
            .iter()
            .find(|(file, _)| file == name)
            .unwrap_or_else(|| panic!("no expected error for {name}"));
        let out = Command::new(plugin_binary())
            .args(["lint", "-f"])
            .arg(dir.join(name))
            .output()
            .unwrap();
        assert_one_line_error(&out, expected);
        // Each problem's body is printed on stdout, the first one included.
        let body = expected.split_once(": ").map(|(_, body)| body).unwrap();
        if !expected.starts_with("error unmarshaling") {
            assert!(stdout(&out).lines().any(|l| l == body), "{name}: {}", stdout(&out));
        }
    }
}

#[test]
fn lint_reads_stdin_and_reports_missing_files() {
    let Some(corpus) = rollouts_testkit::conformance_or_skip("lint_reads_stdin_and_reports_missing_files") else {
        return;
    };
    let text = std::fs::read_to_string(corpus.join("pkg/kubectl-argo-rollouts/cmd/lint/testdata/invalid.yml")).unwrap();
    let mut lint = Command::new(plugin_binary());
    lint.args(["lint", "-f", "-"]);
    let out = output_with_stdin(lint, &text);
    assert_one_line_error(
        &out,
        "spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero",
    );

    let out = Command::new(plugin_binary())
        .args(["lint", "-f", "/no/such/file.yaml"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "open /no/such/file.yaml: no such file or directory");

    let out = Command::new(plugin_binary()).arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn list_rollouts_prints_upstream_columns() {
    let Some(env) = Env::start("cli-more") else { return };
    let empty = env.plugin(&["list", "rollouts"]);
    assert!(empty.status.success(), "{}", stderr(&empty));
    assert_eq!(stdout(&empty), "");
    assert_eq!(stderr(&empty), "No resources found.\n");

    env.apply(&canary());
    env.apply(&blue_green());
    env.patch_status(
        "demo",
        r#"{"status":{"currentStepIndex":1,"replicas":2,"readyReplicas":1,"updatedReplicas":1,"availableReplicas":1}}"#,
    );
    env.set_phase("demo", "Paused", "CanaryPauseStep");
    env.set_phase("bg", "Healthy", "");

    let out = env.plugin_ok(&["list", "rollouts"]);
    assert_eq!(
        out,
        "NAME        STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE\n\
         bg          BlueGreen  Healthy       -     -           0/0    1        0           0        \n\
         demo        Canary     Paused        1/3   20          1/2    2        1           1        \n"
    );

    let named = env.plugin_ok(&["list", "ro", "--name", "bg"]);
    assert_eq!(named.lines().count(), 2, "{named}");
    assert!(named.lines().nth(1).unwrap().starts_with("bg "), "{named}");

    env.cluster.kubectl_ok(&["create", "namespace", "other"]);
    let all = env.plugin_ok(&["list", "rollouts", "-A"]);
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines[0].starts_with("NAMESPACE  NAME"), "{all}");
    assert!(lines[1].starts_with("default    bg "), "{all}");
    assert_eq!(lines.len(), 3, "{all}");

    let other = env.plugin(&["list", "rollouts", "-n", "other"]);
    assert_eq!(stderr(&other), "No resources found.\n");
}

#[test]
fn list_rollouts_watch_prints_changed_rows() {
    let Some(env) = Env::start("cli-more") else { return };
    env.apply(&canary());
    let mut child = env
        .plugin_command(&["list", "rollouts", "--watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    env.set_phase("demo", "Healthy", "");
    std::thread::sleep(Duration::from_secs(2));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NAME "), "{text}");
    assert!(lines.len() >= 3, "{text}");
    assert!(lines.last().unwrap().contains("Healthy"), "{text}");
}

#[test]
fn status_reports_the_phase_and_exit_code() {
    let Some(env) = Env::start("cli-more") else { return };
    env.apply(&canary());

    env.set_phase("demo", "Healthy", "");
    assert_eq!(env.plugin_ok(&["status", "demo"]), "Healthy\n");
    assert_eq!(env.plugin_ok(&["status", "demo", "--watch=false"]), "Healthy\n");

    env.set_phase("demo", "Paused", "CanaryPauseStep");
    assert_eq!(
        env.plugin_ok(&["status", "demo", "--watch=false"]),
        "Paused - CanaryPauseStep\n"
    );

    env.set_phase("demo", "Degraded", "RolloutAborted: boom");
    let degraded = env.plugin(&["status", "demo", "--watch=false"]);
    assert_eq!(stdout(&degraded), "Degraded\n");
    assert_one_line_error(
        &degraded,
        "The rollout is in a degraded state with message: RolloutAborted: boom",
    );
    let degraded = env.plugin(&["status", "demo"]);
    assert_eq!(stdout(&degraded), "Degraded - RolloutAborted: boom\n");
    assert_one_line_error(
        &degraded,
        "The rollout is in a degraded state with message: RolloutAborted: boom",
    );

    env.set_phase("demo", "Progressing", "more replicas need to be updated");
    let started = Instant::now();
    let timed_out = env.plugin(&["status", "demo", "-t", "2s"]);
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(stdout(&timed_out), "Progressing - more replicas need to be updated\n");
    assert_one_line_error(&timed_out, "Rollout status watch exceeded timeout");

    assert_one_line_error(
        &env.plugin(&["status", "nope"]),
        r#"rollouts.argoproj.io "nope" not found"#,
    );
}

#[test]
fn status_watch_ends_when_healthy() {
    let Some(env) = Env::start("cli-more") else { return };
    env.apply(&canary());
    env.set_phase("demo", "Paused", "CanaryPauseStep");
    let child = env
        .plugin_command(&["status", "demo", "--timeout", "30s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    env.set_phase("demo", "Progressing", "");
    std::thread::sleep(Duration::from_secs(1));
    env.set_phase("demo", "Healthy", "");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), "Paused - CanaryPauseStep\nProgressing\nHealthy\n");
}

#[test]
fn restart_sets_restart_at() {
    let Some(env) = Env::start("cli-more") else { return };
    env.apply(&canary());

    let before = jiff::Timestamp::now();
    assert_eq!(env.plugin_ok(&["restart", "demo"]), "rollout 'demo' restarts in 0s\n");
    let at: jiff::Timestamp = env.rollout("demo")["spec"]["restartAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((at - before).get_seconds().abs() <= 5, "{at} vs {before}");

    assert_eq!(
        env.plugin_ok(&["restart", "demo", "--in", "1h"]),
        "rollout 'demo' restarts in 1h\n"
    );
    let raw = env.rollout("demo")["spec"]["restartAt"].as_str().unwrap().to_string();
    assert!(raw.ends_with('Z') && !raw.contains('.'), "{raw}");
    let at: jiff::Timestamp = raw.parse().unwrap();
    let ahead = (at - before).get_seconds();
    assert!((3595..=3610).contains(&ahead), "{ahead}");

    assert_eq!(
        env.plugin_ok(&["restart", "demo", "-i", "30s"]),
        "rollout 'demo' restarts in 30s\n"
    );
    assert_one_line_error(
        &env.plugin(&["restart", "nope"]),
        r#"rollouts.argoproj.io "nope" not found"#,
    );
}

#[test]
fn completion_scripts_cover_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = Command::new(plugin_binary())
            .args(["completion", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for command in ["status", "lint", "restart", "list"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let out = Command::new(plugin_binary())
        .args(["completion", "ksh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
