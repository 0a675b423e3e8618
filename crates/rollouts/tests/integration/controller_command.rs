//! `rollouts controller` against a dev cluster started by the test: it reads the kubeconfig from
//! `--kubeconfig` or `KUBECONFIG`, serves `/healthz` and `/metrics` on `--metrics-addr` (or each on its
//! own port with `--metricsPort` / `--healthzPort`), and exits 0 on Ctrl-C and SIGTERM. `rollouts dev`
//! runs the same controller in-process unless `--no-controller`. Leader election has its own tests
//! (`leader_election.rs`); here it is left on (with the lease in `default`, through `POD_NAMESPACE`) or
//! turned off.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use rollouts_devcluster::testing::{TestCluster, temp_dir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

fn start_cluster(label: &str) -> TestCluster {
    let crds = rollouts_api::crd::all()
        .unwrap()
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd).unwrap())
        .collect();
    TestCluster::start_installed(&temp_dir(label), 0, None, crds).unwrap()
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A plain HTTP/1.1 GET: the status line and the body, or `None` while nothing listens.
fn http_get(addr: SocketAddr, path: &str) -> Option<(String, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.lines().next()?.to_string();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

fn wait_until(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends `signal` and returns whether the process exited 0, and its stderr.
fn stop(mut child: Child, signal: &str) -> (bool, String) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            return (exit.success(), stderr);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not stop on {signal}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn watching_rollouts(addr: SocketAddr) -> bool {
    http_get(addr, "/metrics").is_some_and(|(_, body)| {
        body.contains("rollout_controller_api_requests_total{resource=\"rollouts\",verb=\"watch\"}")
    })
}

#[test]
fn controller_serves_metrics_and_exits_cleanly_on_ctrl_c() {
    let cluster = start_cluster("controller-cmd");
    let addr = free_addr();
    let child = Command::new(BIN)
        .args(["controller", "--kubeconfig"])
        .arg(cluster.kubeconfig())
        .args(["--rollout-resync", "1m", "--metrics-addr", &addr.to_string()])
        .env_remove("KUBECONFIG")
        .env("POD_NAMESPACE", "default")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("/healthz", Duration::from_secs(30), || {
        http_get(addr, "/healthz").is_some_and(|(status, body)| status.contains("200") && body == "ok")
    });
    wait_until("the Rollout watch", Duration::from_secs(10), || watching_rollouts(addr));
    let (clean, stderr) = stop(child, "-INT");
    assert!(clean, "should exit 0 on Ctrl-C; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn controller_reads_kubeconfig_from_the_environment_and_exits_cleanly_on_sigterm() {
    let cluster = start_cluster("controller-env");
    let addr = free_addr();
    let child = Command::new(BIN)
        .args([
            "controller",
            "--namespace",
            "default",
            "--metrics-addr",
            &addr.to_string(),
            "--leader-elect=false",
        ])
        .env("KUBECONFIG", cluster.kubeconfig())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the Rollout watch", Duration::from_secs(30), || watching_rollouts(addr));
    let (clean, stderr) = stop(child, "-TERM");
    assert!(clean, "should exit 0 on SIGTERM; stderr:\n{stderr}");
}

#[test]
fn metrics_and_healthz_are_served_each_on_its_own_port() {
    let cluster = start_cluster("controller-ports");
    let (metrics, healthz) = (free_addr().port(), free_addr().port());
    let child = Command::new(BIN)
        .args(["controller", "--kubeconfig"])
        .arg(cluster.kubeconfig())
        .arg(format!("--metricsPort={metrics}"))
        .arg(format!("--healthzPort={healthz}"))
        .arg("--leader-elect=false")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Upstream's ports listen on every address; the test talks to 127.0.0.1 only.
    let metrics = SocketAddr::from(([127, 0, 0, 1], metrics));
    let healthz = SocketAddr::from(([127, 0, 0, 1], healthz));
    wait_until("the Rollout watch", Duration::from_secs(30), || {
        watching_rollouts(metrics)
    });
    let (status, body) = http_get(healthz, "/healthz").unwrap();
    assert!(status.contains("200") && body == "ok", "{status} {body}");
    let (status, _) = http_get(healthz, "/metrics").unwrap();
    assert!(status.contains("404"), "/metrics is not on the health port: {status}");
    let (clean, stderr) = stop(child, "-TERM");
    assert!(clean, "{stderr}");
}

#[test]
fn unsupported_flags_are_refused_or_warned_about_clearly() {
    let out = Command::new(BIN)
        .args(["controller", "--controllers=analysis", "--kubeconfig", "/nonexistent"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--controllers=analysis (running only the AnalysisRun controller) is not supported yet"),
        "{stderr}"
    );
    // Accepted with a warning, then on to the kubeconfig, which fails.
    let out = Command::new(BIN)
        .args([
            "controller",
            "--aws-verify-target-group",
            "--kubeconfig",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("level=warning"), "{stderr}");
    assert!(stderr.contains("no AWS API is called"), "{stderr}");
    assert!(stderr.contains("reading the kubeconfig"), "{stderr}");
    let out = Command::new(BIN).args(["controller", "--version"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn without_a_kubeconfig_the_in_cluster_configuration_is_used_in_a_pod_only() {
    let home = temp_dir("controller-no-home");
    let run = |in_pod: bool| {
        let mut command = Command::new(BIN);
        command
            .args(["controller", "--leader-elect=false"])
            .env_remove("KUBECONFIG")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env("HOME", &home);
        if in_pod {
            // As the kubelet sets it; the service account files are not there, so loading fails.
            command
                .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
                .env("KUBERNETES_SERVICE_PORT", "1");
        }
        let out = command.output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let outside = run(false);
    assert!(
        outside.contains("no cluster to talk to: pass --kubeconfig"),
        "{outside}"
    );
    let inside = run(true);
    assert!(inside.contains("loading the in-cluster configuration"), "{inside}");
    assert!(!inside.contains("panicked") && !outside.contains("panicked"));
}

#[test]
fn a_bad_resync_is_a_clear_error() {
    for (value, message) in [("0", "must be greater than zero"), ("soon", "invalid duration")] {
        let out = Command::new(BIN)
            .args(["controller", "--rollout-resync", value])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

/// Starts `rollouts dev` and returns it with the lines it printed up to the blank line after its
/// summary.
fn start_dev(dir: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["dev", "--data-dir"])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "rollouts dev exited: {printed}"
        );
        if line.trim().is_empty() {
            break;
        }
        printed.push_str(&line);
    }
    // Keep draining stdout so that the process never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (child, printed)
}

#[test]
fn dev_runs_the_controller_in_process() {
    let dir = temp_dir("dev-controller");
    let (child, printed) = start_dev(&dir, &[]);
    assert!(printed.contains("controller:     running"), "{printed}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The controller is observable without any planner decision: a Rollout whose status does not fit
    // the type gets a Warning event from it.
    let found = rt.block_on(async {
        let client = client(&dir.join("kubeconfig")).await;
        let gvk = GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout");
        let resource = ApiResource::from_gvk_with_plural(&gvk, "rollouts");
        let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        let rollout: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "odd"},
            "spec": {"selector": {"matchLabels": {"app": "odd"}},
                     "template": {"metadata": {"labels": {"app": "odd"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
        }))
        .unwrap();
        rollouts.create(&PostParams::default(), &rollout).await.unwrap();
        let odd = json!({"status": {"phase": "Sideways"}});
        rollouts
            .patch_status("odd", &PatchParams::default(), &Patch::Merge(odd))
            .await
            .unwrap();
        let events: Api<Event> = Api::namespaced(client, "default");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let list = events.list(&ListParams::default()).await.unwrap();
            if list.items.iter().any(|e| {
                e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("odd")
                    && e.reporting_controller.as_deref() == Some("rollouts-controller")
            }) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    });
    let (clean, stderr) = stop(child, "-INT");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(found, "no event from the controller; stderr:\n{stderr}");
    assert!(clean, "rollouts dev should exit 0 on Ctrl-C; stderr:\n{stderr}");
}

#[test]
fn dev_without_the_controller_says_so() {
    let dir = temp_dir("dev-no-controller");
    let (child, printed) = start_dev(&dir, &["--no-controller"]);
    assert!(printed.contains("controller:     not running"), "{printed}");
    let (clean, stderr) = stop(child, "-INT");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(clean, "{stderr}");
}
