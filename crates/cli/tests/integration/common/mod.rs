//! The harness shared by the plugin's end-to-end tests: a dev cluster with the project's CRDs installed,
//! and `kubectl argo rollouts ...` run through the real kubectl with the plugin first on PATH; the
//! objects read back through kubectl ([`objects`]), the manifests the tests apply ([`manifests`]) and
//! the helpers of the traffic-routing tests ([`routing`]).

#![allow(dead_code)] // each test file uses its own share of the helpers

pub mod manifests;
pub mod objects;
pub mod routing;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rollouts_devcluster::testing::{TestCluster, fast_simulation, kubectl_available, temp_dir};
use serde_json::Value;

/// The plugin binary built for these tests.
pub fn plugin_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_kubectl-argo-rollouts"))
}

/// Runs `command` with `input` on its stdin, collecting its output.
pub fn output_with_stdin(mut command: Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A command's stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A dev cluster (simulated workloads, no rollouts controller) with the argoproj.io CRDs.
pub struct Env {
    /// The cluster.
    pub cluster: TestCluster,
    /// The kubeconfig the controller runs with when it is not the cluster's admin one.
    controller_kubeconfig: Option<PathBuf>,
}

impl Env {
    /// Starts the cluster, or `None` (after a notice) when kubectl is not available.
    pub fn start(label: &str) -> Option<Env> {
        if !kubectl_available() {
            return None;
        }
        let crds = rollouts_api::crd::all()
            .unwrap()
            .into_iter()
            .map(|(_, crd)| serde_json::to_value(crd).unwrap())
            .collect();
        let cluster = TestCluster::start_installed(&temp_dir(label), 0, Some(fast_simulation()), crds).unwrap();
        Some(Env {
            cluster,
            controller_kubeconfig: None,
        })
    }

    /// An environment over a cluster started by the caller (the controller runs as its admin).
    pub fn with_cluster(cluster: TestCluster) -> Env {
        Env {
            cluster,
            controller_kubeconfig: None,
        }
    }

    /// Starts the cluster and installs the project as a cluster admin would (`deploy/install.yaml`
    /// applied with kubectl); the controller then runs as the `argo-rollouts` ServiceAccount, with a
    /// token from `kubectl create token`, so every request it makes is checked against the install's
    /// ClusterRole. `None` (after a notice) when kubectl is not available.
    pub fn start_as_service_account(label: &str) -> Option<Env> {
        if !kubectl_available() {
            return None;
        }
        let dir = temp_dir(label);
        let cluster = TestCluster::start_with(&dir, 0, Some(fast_simulation())).unwrap();
        Some(Env::as_service_account(cluster))
    }

    /// [`Env::start_as_service_account`] over a cluster started by the caller.
    pub fn as_service_account(cluster: TestCluster) -> Env {
        let install = rollouts_testkit::workspace_root().join("deploy/install.yaml");
        cluster.kubectl_ok(&["apply", "--server-side", "-f", install.to_str().unwrap()]);
        let token = cluster.kubectl_ok(&[
            "create",
            "token",
            "argo-rollouts",
            "-n",
            "argo-rollouts",
            "--duration=2h",
        ]);
        let kubeconfig = cluster.kubeconfig_with_token("argo-rollouts", token.trim()).unwrap();
        Env {
            cluster,
            controller_kubeconfig: Some(kubeconfig),
        }
    }

    /// Starts the rollouts controller in this process, as the admin or as the ServiceAccount.
    pub fn start_controller(&self) -> Controller {
        match &self.controller_kubeconfig {
            Some(path) => Controller::start(path),
            None => Controller::start(&self.cluster.kubeconfig()),
        }
    }

    /// `kubectl apply -f -` of `yaml`.
    pub fn apply(&self, yaml: &str) {
        self.cluster.kubectl_ok_stdin(&["apply", "-f", "-"], yaml);
    }

    /// `kubectl argo rollouts <args>` with the plugin first on PATH, not yet started.
    pub fn plugin_command(&self, args: &[&str]) -> Command {
        let path = std::env::join_paths(
            std::iter::once(plugin_binary().parent().unwrap().to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .unwrap();
        let mut cmd: Command = self.cluster.kubectl_command();
        cmd.env("PATH", path).args(["argo", "rollouts"]).args(args);
        cmd
    }

    /// Runs `kubectl argo rollouts <args>`.
    pub fn plugin(&self, args: &[&str]) -> Output {
        self.plugin_command(args).output().unwrap()
    }

    /// Runs `kubectl argo rollouts <args>`, failing unless it succeeds; returns stdout.
    pub fn plugin_ok(&self, args: &[&str]) -> String {
        let out = self.plugin(args);
        assert!(
            out.status.success(),
            "{args:?} failed ({}): stdout {} stderr {}",
            out.status,
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// The stored Rollout `name`.
    pub fn rollout(&self, name: &str) -> Value {
        serde_json::from_str(&self.cluster.kubectl_ok(&["get", "rollout", name, "-o", "json"])).unwrap()
    }

    /// A merge patch of the Rollout's status subresource (what a controller would write).
    pub fn patch_status(&self, name: &str, patch: &str) {
        self.cluster.kubectl_ok(&[
            "patch",
            "rollout",
            name,
            "--subresource=status",
            "--type=merge",
            "-p",
            patch,
        ]);
    }

    /// Records `phase` (and `message`) as observed for the rollout's current generation.
    pub fn set_phase(&self, name: &str, phase: &str, message: &str) {
        let generation = self.rollout(name)["metadata"]["generation"].as_i64().unwrap();
        let patch = serde_json::json!({"status": {
            "phase": phase, "message": message, "observedGeneration": generation.to_string()
        }});
        self.patch_status(name, &patch.to_string());
    }
}

/// The rollouts controller running in this process (on its own runtime thread) against a cluster.
pub struct Controller {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Its request and reconcile counters.
    pub metrics: rollouts_controller::Metrics,
}

impl Controller {
    /// Starts the controller with the cluster's kubeconfig.
    pub fn start(kubeconfig: &Path) -> Controller {
        let metrics = rollouts_controller::Metrics::new();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let path = kubeconfig.to_path_buf();
        let counters = metrics.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
                let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
                    .await
                    .unwrap();
                let client = kube::Client::try_from(config).unwrap();
                let config = rollouts_controller::ControllerConfig {
                    metrics: counters,
                    ..Default::default()
                };
                rollouts_controller::run(client, config, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        Controller {
            stop: Some(stop),
            thread: Some(thread),
            metrics,
        }
    }

    /// Stops it and waits until it has.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `probe` every 100 ms until it returns `Some`, failing after `seconds` with `what`.
pub fn wait_for<T>(seconds: u64, what: &str, probe: impl FnMut() -> Option<T>) -> T {
    wait_for_or(seconds, probe).unwrap_or_else(|| panic!("timed out after {seconds} s waiting for {what}"))
}

/// Like [`wait_for`], but `None` on timeout instead of failing.
pub fn wait_for_or<T>(seconds: u64, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The command failed with exit code 1 and printed exactly `Error: <expected>` as its only stderr line.
pub fn assert_one_line_error(out: &Output, expected: &str) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout {} stderr {}",
        stdout(out),
        stderr(out)
    );
    let err = stderr(out);
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    assert_eq!(err.trim_end(), format!("Error: {expected}"), "stderr: {err}");
}

/// [`assert_one_line_error`], with nothing on stdout either.
pub fn assert_only_one_line_error(out: &Output, expected: &str) {
    assert_one_line_error(out, expected);
    assert!(stdout(out).is_empty(), "stdout: {}", stdout(out));
}

/// The command failed with exit code 1 and printed one `Error: ...` line to stderr that contains
/// `expected`, without a panic.
pub fn assert_one_line_error_containing(out: &Output, expected: &str) {
    assert!(
        !out.status.success(),
        "unexpected success: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(out);
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    assert!(err.starts_with("Error: "), "stderr: {err}");
    assert!(err.contains(expected), "stderr: {err}");
    assert!(!err.contains("panicked"), "stderr: {err}");
}
