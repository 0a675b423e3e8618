//! The real `kubectl` finds the plugin on PATH and runs it as `kubectl argo rollouts ...`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::Path;
use std::process::Command;

fn kubectl_with_plugin_on_path() -> Option<Command> {
    let plugin = Path::new(env!("CARGO_BIN_EXE_kubectl-argo-rollouts"));
    let dir = plugin.parent()?;
    if Command::new("kubectl").arg("version").arg("--client").output().is_err() {
        eprintln!("SKIPPED: kubectl is not on PATH");
        return None;
    }
    let path = std::env::join_paths(
        std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .ok()?;
    let mut cmd = Command::new("kubectl");
    cmd.env("PATH", path);
    Some(cmd)
}

#[test]
fn kubectl_runs_the_plugin_version_command() {
    let Some(mut kubectl) = kubectl_with_plugin_on_path() else {
        return;
    };
    let out = kubectl
        .args(["argo", "rollouts", "version", "--short"])
        .output()
        .unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("kubectl-argo-rollouts: v{}", env!("CARGO_PKG_VERSION"))),
        "unexpected output: {stdout}"
    );
    assert_eq!(stdout.lines().count(), 1);
}

#[test]
fn kubectl_plugin_list_finds_the_plugin() {
    let Some(mut kubectl) = kubectl_with_plugin_on_path() else {
        return;
    };
    let out = kubectl.args(["plugin", "list"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("kubectl-argo-rollouts"), "plugin list: {stdout}");
}

#[test]
fn unknown_command_is_a_one_line_error_and_non_zero_exit() {
    let Some(mut kubectl) = kubectl_with_plugin_on_path() else {
        return;
    };
    let out = kubectl.args(["argo", "rollouts", "no-such-command"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-such-command"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
