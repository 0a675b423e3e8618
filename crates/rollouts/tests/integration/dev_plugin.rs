//! After `rollouts dev`, the two printed `export` lines are all a user needs for `kubectl argo rollouts`:
//! they are run in a shell exactly as printed, and kubectl then finds the plugin (this binary, linked
//! into the data directory) and the plugin finds the cluster.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

/// `rollouts dev`, interrupted (then killed if need be) and its data directory removed on drop.
struct Dev {
    child: Child,
    dir: PathBuf,
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `rollouts dev` and returns it with the `export` lines it prints.
fn start(dir: &Path) -> (Dev, Vec<String>) {
    let mut child = Command::new(BIN)
        .args(["dev", "--data-dir"])
        .arg(dir)
        .args(["--port", &free_port().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let dev = Dev {
        child,
        dir: dir.to_path_buf(),
    };
    // Read on a thread, so that a dev cluster that never prints fails the test instead of hanging it.
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = Vec::new();
    let mut exports = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = received.recv_timeout(left) else {
            panic!(
                "rollouts dev did not print its exports; it printed:\n{}",
                printed.join("\n")
            );
        };
        printed.push(line.clone());
        if let Some(export) = line.trim().strip_prefix("export ") {
            exports.push(format!("export {export}"));
        }
        if line.trim() == "kubectl get ns" {
            return (dev, exports);
        }
    }
}

#[test]
fn the_printed_exports_give_kubectl_the_plugin_and_the_cluster() {
    if Command::new("kubectl").args(["version", "--client"]).output().is_err() {
        eprintln!("SKIPPED: kubectl is not on PATH");
        return;
    }
    let dir = std::env::temp_dir().join(format!("rollouts-dev-plugin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (dev, exports) = start(&dir);
    assert_eq!(exports.len(), 2, "{exports:?}");
    assert!(exports[0].starts_with("export KUBECONFIG="), "{exports:?}");
    assert_eq!(
        exports[1],
        format!("export PATH={}:$PATH", dir.join("bin").display()),
        "the plugin's directory goes first on PATH"
    );
    let link = dir.join("bin").join("kubectl-argo-rollouts");
    assert_eq!(
        std::fs::canonicalize(&link).unwrap(),
        std::fs::canonicalize(BIN).unwrap(),
        "the plugin is this build of rollouts"
    );

    // What the user does next: paste the exports into a shell, then use the plugin.
    let run = |command: &str| {
        let script = format!("{}\n{command}\n", exports.join("\n"));
        Command::new("sh")
            .args(["-c", &script])
            .env_remove("KUBECONFIG")
            .env("KUBECACHEDIR", dir.join("kubectl-cache"))
            .output()
            .unwrap()
    };
    let found = run("command -v kubectl-argo-rollouts");
    assert_eq!(
        String::from_utf8_lossy(&found.stdout).trim(),
        link.display().to_string()
    );

    let version = run("kubectl argo rollouts version");
    let stdout = String::from_utf8_lossy(&version.stdout);
    let stderr = String::from_utf8_lossy(&version.stderr);
    assert!(version.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.starts_with(&format!("kubectl-argo-rollouts: v{}", env!("CARGO_PKG_VERSION"))),
        "{stdout}"
    );
    for key in ["BuildDate", "GitCommit", "GitTreeState", "Platform"] {
        assert!(stdout.contains(&format!("  {key}: ")), "{key} missing: {stdout}");
    }

    // The plugin reaches the dev cluster through the exported kubeconfig.
    let list = run("kubectl argo rollouts list rollouts");
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert!(list.status.success(), "stderr: {stderr}");
    assert_eq!(stderr.trim(), "No resources found.");

    // The plugin keeps its own exit codes under the shared binary.
    let unknown = run("kubectl argo rollouts no-such-command");
    assert_eq!(unknown.status.code(), Some(1));
    drop(dev);
    assert!(!dir.exists());
}
