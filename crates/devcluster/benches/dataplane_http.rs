//! The data plane under load: requests per second through the ingress listener from keep-alive
//! clients, through an Ingress with an ingress-nginx canary Ingress at weight 20 to a Service of
//! several pods, and the round-trip latency of requests sent at a fixed 1,000
//! per second (an upper bound of the latency the data plane adds: it includes the client and loopback).
//! The dev cluster (simulated workloads, data plane) runs in a child process; the load comes from this
//! one.
//!
//! Run: `cargo bench -p rollouts-devcluster --bench dataplane_http` (`-- --pods N --connections N
//! --seconds N` to change the Service's pods, the clients' connections and each phase's length).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rollouts_devcluster::{Config, DataPlaneConfig, DevCluster};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HOST: &str = "web.local";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// The child: a dev cluster with the data plane and a Deployment of `pods` replicas behind Service
/// `web`; prints `ready <ingress port> <metrics port>` and serves until killed.
fn serve(dir: PathBuf, pods: u64) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let cluster = DevCluster::start(Config {
            data_dir: Some(dir),
            simulation: Some(rollouts_devcluster::testing::fast_simulation()),
            dataplane: Some(DataPlaneConfig::default()),
            ..Config::default()
        })
        .await
        .unwrap();
        let deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": "web", "namespace": "default" },
            "spec": {
                "replicas": pods,
                "selector": { "matchLabels": { "app": "web" } },
                "template": {
                    "metadata": { "labels": { "app": "web" } },
                    "spec": { "containers": [{ "name": "app", "image": "argoproj/rollouts-demo:yellow" }] },
                },
            },
        });
        let service = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": { "name": "web", "namespace": "default" },
            "spec": { "selector": { "app": "web" }, "ports": [{ "port": 80, "targetPort": 8080 }] },
        });
        let canary_service = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": { "name": "web-canary", "namespace": "default" },
            "spec": { "selector": { "app": "web" }, "ports": [{ "port": 80, "targetPort": 8080 }] },
        });
        let ingress = |name: &str, service: &str, annotations: serde_json::Value| {
            json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": { "name": name, "namespace": "default", "annotations": annotations },
                "spec": { "rules": [{ "host": HOST, "http": { "paths": [{
                    "path": "/", "pathType": "Prefix",
                    "backend": { "service": { "name": service, "port": { "number": 80 } } },
                }] } }] },
            })
        };
        let primary = ingress("web", "web", json!({}));
        let canary = ingress(
            "web-canary",
            "web-canary",
            json!({
                "nginx.ingress.kubernetes.io/canary": "true",
                "nginx.ingress.kubernetes.io/canary-weight": "20",
            }),
        );
        cluster
            .install(&[deployment, service, canary_service, primary, canary], "bench")
            .await
            .unwrap();
        println!(
            "ready {} {}",
            cluster.ingress_addr.unwrap().port(),
            cluster.metrics_addr.unwrap().port()
        );
        std::future::pending::<()>().await;
    });
}

/// One keep-alive connection speaking just enough HTTP/1.1 for the benchmark.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
    request: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr, path: &str) -> Connection {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Connection {
            stream,
            buffer: Vec::with_capacity(4096),
            request: format!("GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n").into_bytes(),
        }
    }

    /// Sends the request and reads the answer: its status and body.
    async fn get(&mut self) -> (u16, String) {
        self.stream.write_all(&self.request).await.unwrap();
        self.buffer.clear();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buffer[..end]).unwrap();
                let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (n, v) = l.split_once(':')?;
                        n.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                while self.buffer.len() < end + 4 + length {
                    let n = self.stream.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "connection closed mid-answer");
                    self.buffer.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&self.buffer[end + 4..end + 4 + length]).into_owned();
                return (status, body);
            }
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before the answer");
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Waits until every pod of the Service has answered.
async fn wait_for_pods(addr: SocketAddr, pods: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = BTreeSet::new();
    let mut conn = Connection::open(addr, "/info").await;
    while (seen.len() as u64) < pods {
        assert!(Instant::now() < deadline, "only {} pods answered", seen.len());
        let (status, body) = conn.get().await;
        if status == 200 {
            let answer: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            seen.insert(answer["pod"].as_str().unwrap_or_default().to_string());
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// As many requests as `connections` keep-alive clients can send in `seconds`; requests per second.
async fn throughput(addr: SocketAddr, connections: u64, seconds: u64) -> (f64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (stop, ok, failed) = (Arc::clone(&stop), Arc::clone(&ok), Arc::clone(&failed));
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::open(addr, "/color").await;
            while !stop.load(Ordering::Relaxed) {
                let (status, _) = conn.get().await;
                if status == 200 { &ok } else { &failed }.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = ok.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed);
    (total as f64 / elapsed, failed.load(Ordering::Relaxed))
}

/// Requests at a fixed 1,000 per second for `seconds`, spread over 16 connections that each send at
/// its own fixed times: each request's round trip (from its send), and how late it was sent (Tokio's
/// timer wakes up to a millisecond after the time asked; a connection still waiting for its previous
/// answer sends later still).
async fn latency_at_fixed_rate(addr: SocketAddr, seconds: u64) -> (Vec<Duration>, Vec<Duration>) {
    const CONNECTIONS: u64 = 16;
    const RATE: u64 = 1000;
    let period = Duration::from_micros(1_000_000 * CONNECTIONS / RATE);
    let per_connection = seconds * RATE / CONNECTIONS;
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::new();
    for i in 0..CONNECTIONS {
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::open(addr, "/color").await;
            let first = start + Duration::from_micros(1_000_000 / RATE * i);
            let mut samples = Vec::with_capacity(per_connection as usize);
            for n in 0..per_connection {
                let due = first + period * n as u32;
                tokio::time::sleep_until(due).await;
                let sent = tokio::time::Instant::now();
                let (status, _) = conn.get().await;
                assert_eq!(status, 200);
                samples.push((sent.elapsed(), sent - due));
            }
            samples
        }));
    }
    let (mut round_trips, mut late) = (Vec::new(), Vec::new());
    for t in tasks {
        for (round_trip, lateness) in t.await.unwrap() {
            round_trips.push(round_trip);
            late.push(lateness);
        }
    }
    round_trips.sort_unstable();
    late.sort_unstable();
    (round_trips, late)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// The sum of the `nginx_ingress_controller_requests` samples (every request passes the Ingress).
async fn counted(metrics: SocketAddr) -> u64 {
    let mut stream = TcpStream::connect(metrics).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    text.lines()
        .filter(|l| l.starts_with("nginx_ingress_controller_requests{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        serve(PathBuf::from(&args[2]), args[3].parse().unwrap());
        return;
    }
    let pods = arg("--pods", 5);
    let connections = arg("--connections", 32);
    let seconds = arg("--seconds", 5);
    let dir = std::env::temp_dir().join(format!("rollouts-dataplane-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("serve")
        .arg(&dir)
        .arg(pods.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let server = Server(child);
    let ports: Vec<u16> = line
        .strip_prefix("ready ")
        .unwrap_or_else(|| panic!("{line}"))
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    let ingress = SocketAddr::from(([127, 0, 0, 1], ports[0]));
    let metrics = SocketAddr::from(([127, 0, 0, 1], ports[1]));
    // The load runs on two threads, as many as the machine the figures are quoted for has cores.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        wait_for_pods(ingress, pods).await;
        let before = counted(metrics).await;
        let (rate, failed) = throughput(ingress, connections, seconds).await;
        println!(
            "throughput: {rate:.0} requests/s ({connections} keep-alive connections, {pods} pods, {seconds} s; {failed} not 200)"
        );
        let sent_by_throughput = counted(metrics).await - before;
        let (samples, late) = latency_at_fixed_rate(ingress, seconds).await;
        println!(
            "at 1,000 requests/s ({} requests): round trip p50 {:?}, p99 {:?}, p99.9 {:?}, max {:?}; sent late by p99 {:?}",
            samples.len(),
            percentile(&samples, 0.50),
            percentile(&samples, 0.99),
            percentile(&samples, 0.999),
            percentile(&samples, 1.0),
            percentile(&late, 0.99),
        );
        let total = counted(metrics).await - before;
        println!(
            "counted by /metrics: {total} (throughput phase {sent_by_throughput}, fixed-rate phase {})",
            total - sent_by_throughput
        );
    });
    println!("server resident memory: {} MiB", rss_kib(server.0.id()) / 1024);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
