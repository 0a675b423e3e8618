//! `rollouts dev` as a user runs it: in the background, polled with `kubectl get ns default` until it
//! answers; CRDs installed; simulated workloads running; Ctrl-C stops it cleanly; a second run on the
//! same data directory finds everything again; the data plane's ingress and metrics listen on the ports
//! printed, recorded in the data directory and taken again by the next run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

fn kubectl(dir: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .env("KUBECACHEDIR", dir.join("kubectl-cache"))
        .output()
        .unwrap()
}

fn start_and_wait(dir: &Path, extra: &[&str]) -> Child {
    let child = Command::new(BIN)
        .args(["dev", "--data-dir"])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kubectl(dir, &["get", "ns", "default"]).status.success() {
        assert!(Instant::now() < deadline, "rollouts dev never answered");
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

fn interrupt(mut child: Child) -> (bool, String) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            let mut out = String::new();
            child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
            return (exit.success(), out);
        }
        assert!(Instant::now() < deadline, "rollouts dev did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The port recorded in `<dir>/<name>`.
fn recorded_port(dir: &Path, name: &str) -> u16 {
    std::fs::read_to_string(dir.join(name)).unwrap().trim().parse().unwrap()
}

/// One GET to 127.0.0.1:`port` with `host`; the status and body.
fn get(port: u16, host: &str, path: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn dev_runs_in_the_background_installs_crds_and_resumes_after_ctrl_c() {
    if Command::new("kubectl").args(["version", "--client"]).output().is_err() {
        eprintln!("SKIPPED: kubectl is not on PATH");
        return;
    }
    let dir = std::env::temp_dir().join(format!("rollouts-dev-cmd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (ingress_port, metrics_port) = (free_port(), free_port());
    let child = start_and_wait(
        &dir,
        &[
            "--ingress-port",
            &ingress_port.to_string(),
            "--metrics-port",
            &metrics_port.to_string(),
        ],
    );
    assert_eq!(recorded_port(&dir, "ingress-port"), ingress_port);
    assert_eq!(recorded_port(&dir, "metrics-port"), metrics_port);
    let crds = String::from_utf8(kubectl(&dir, &["get", "crd", "-o", "name"]).stdout).unwrap();
    for crd in [
        "rollouts",
        "analysistemplates",
        "clusteranalysistemplates",
        "analysisruns",
        "experiments",
    ] {
        assert!(crds.contains(&format!("{crd}.argoproj.io")), "{crd} missing: {crds}");
    }
    let mode = std::fs::metadata(dir.join("kubeconfig")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            mode.permissions().mode() & 0o777,
            0o600,
            "the kubeconfig holds the token"
        );
    }
    assert!(
        kubectl(
            &dir,
            &["create", "deployment", "web", "--image=nginx:1.25", "--replicas=2"]
        )
        .status
        .success()
    );
    let rolled = kubectl(&dir, &["rollout", "status", "deployment/web", "--timeout=30s"]);
    assert!(rolled.status.success(), "{}", String::from_utf8_lossy(&rolled.stderr));
    let exposed = kubectl(&dir, &["expose", "deployment", "web", "--port=80"]);
    assert!(exposed.status.success(), "{}", String::from_utf8_lossy(&exposed.stderr));
    let (status, body) = get(ingress_port, "web.default", "/info");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("web-"), "a web pod answers, naming itself: {body}");
    let (status, body) = get(ingress_port, "nowhere.example.com", "/");
    assert_eq!(status, 404, "{body}");
    let (status, metrics) = get(metrics_port, "127.0.0.1", "/metrics");
    assert_eq!(status, 200, "{metrics}");
    assert!(
        metrics.contains(r#"destination_service="web.default.svc.cluster.local""#),
        "{metrics}"
    );
    let (clean, out) = interrupt(child);
    assert!(clean, "rollouts dev should exit 0 on Ctrl-C; output:\n{out}");
    assert!(
        out.contains(&format!("export KUBECONFIG={}", dir.join("kubeconfig").display())),
        "{out}"
    );
    assert!(out.contains("export PATH="), "{out}");
    assert!(
        out.contains(&format!("  ingress:        http://127.0.0.1:{ingress_port}\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("  metrics:        http://127.0.0.1:{metrics_port}/metrics\n")),
        "{out}"
    );

    // With no port asked for, the second run takes the recorded ones again.
    let child = start_and_wait(&dir, &[]);
    assert_eq!(recorded_port(&dir, "ingress-port"), ingress_port);
    assert_eq!(recorded_port(&dir, "metrics-port"), metrics_port);
    let ready = kubectl(
        &dir,
        &["get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}"],
    );
    assert_eq!(String::from_utf8_lossy(&ready.stdout), "2");
    let pods = String::from_utf8(kubectl(&dir, &["get", "pods", "-l", "app=web", "-o", "name"]).stdout).unwrap();
    assert_eq!(pods.lines().count(), 2, "{pods}");
    let (status, _) = get(ingress_port, "web.default", "/");
    assert_eq!(status, 200);
    let (clean, out) = interrupt(child);
    assert!(clean);
    assert!(out.contains(&format!("http://127.0.0.1:{ingress_port}\n")), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_fault_specification_is_a_clear_error() {
    let out = Command::new(BIN)
        .args(["dev", "--data-dir", "/tmp/unused", "--fault", "code=418"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("code must be 409, 429 or 500"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
