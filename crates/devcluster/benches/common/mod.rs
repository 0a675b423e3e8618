//! What the benchmarks share: the server in a child process (this binary re-executed with `serve`),
//! its resident memory, and a kube-rs client for it.
#![allow(dead_code)] // each benchmark uses some of it

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use rollouts_devcluster::DevCluster;
use rollouts_devcluster::sim::SimConfig;

/// If this process was started as the server (`<bench> serve <dir> [sim [max-pods]]`), serves forever.
pub fn serve_if_asked() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some("serve") {
        return;
    }
    let dir = PathBuf::from(&args[2]);
    let max_pods = args.get(4).and_then(|n| n.parse().ok());
    let simulation = (args.get(3).map(String::as_str) == Some("sim"))
        .then(|| max_pods.map_or_else(SimConfig::default, |n| SimConfig::default().with_max_pods(n)));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = rollouts_devcluster::Config {
            data_dir: Some(dir),
            simulation,
            ..Default::default()
        };
        let cluster = DevCluster::start(config).await.unwrap();
        println!("ready {}", cluster.addr.port());
        std::future::pending::<()>().await;
    });
}

/// Starts the server as a child process on `dir` and waits until it listens.
pub fn start_server(dir: &Path, simulated: bool) -> Child {
    start(dir, simulated.then_some(None))
}

/// Starts the server with the simulated workloads on a node that runs `max_pods` pods.
pub fn start_simulated(dir: &Path, max_pods: usize) -> Child {
    start(dir, Some(Some(max_pods)))
}

fn start(dir: &Path, simulation: Option<Option<usize>>) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.arg("serve").arg(dir);
    if let Some(max_pods) = simulation {
        cmd.arg("sim");
        if let Some(n) = max_pods {
            cmd.arg(n.to_string());
        }
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("ready"), "{line}");
    child
}

/// Resident memory of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// A client of the server whose data directory is `dir`.
pub async fn client(dir: &Path) -> Client {
    let kc = Kubeconfig::read_from(dir.join("kubeconfig")).unwrap();
    Client::try_from(
        Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
            .await
            .unwrap(),
    )
    .unwrap()
}
