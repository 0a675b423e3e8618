//! `kubectl-argo-rollouts get rollout` latency on a Rollout with a long history: 5 replicas, 11 revisions
//! (created, then its image set 10 times, each revision completing on its own; `revisionHistoryLimit: 10`
//! keeps every ReplicaSet). The dev cluster (with simulated workloads) runs in a child process (this binary
//! re-executed with `serve`), the rollouts controller in this process while the history is built; the plugin
//! is then run as its own process, directly and through `kubectl argo rollouts`, and timed from spawn to exit.
//! The API requests of one `get rollout` are counted by pointing it at a plain-HTTP proxy in this process.
//!
//! Run: `cargo bench -p rollouts-cli --bench get_rollout` (`-- --runs N` to change the number of runs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use rollouts_api::Rollout;

const NAME: &str = "history";
const REPLICAS: i32 = 5;
const IMAGE_CHANGES: usize = 10;

/// If this process was started as the server (`<bench> serve <dir>`), serves forever.
fn serve_if_asked() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some("serve") {
        return;
    }
    let dir = PathBuf::from(&args[2]);
    let crds = rollouts_api::crd::all()
        .unwrap()
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd).unwrap())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = rollouts_devcluster::Config {
            data_dir: Some(dir),
            simulation: Some(rollouts_devcluster::testing::fast_simulation()),
            install: crds,
            ..Default::default()
        };
        let cluster = rollouts_devcluster::DevCluster::start(config).await.unwrap();
        println!("ready {}", cluster.addr.port());
        std::future::pending::<()>().await;
    });
    std::process::exit(0);
}

/// The server process, killed when dropped (also when the benchmark fails).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server as a child process on `dir` and waits until it listens.
fn start_server(dir: &Path) -> Server {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("serve")
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let server = Server(child);
    assert!(line.starts_with("ready"), "{line}");
    server
}

async fn client(kubeconfig: &Path) -> Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

fn rollout(image: &str) -> Rollout {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": NAME},
        "spec": {
            "replicas": REPLICAS,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": NAME}},
            "template": {
                "metadata": {"labels": {"app": NAME}},
                "spec": {"containers": [{"name": "app", "image": image}]}
            },
            "strategy": {"canary": {}}
        }
    }))
    .unwrap()
}

fn image(revision: usize) -> String {
    format!("argoproj/rollouts-demo:v{revision}")
}

/// Whether the Rollout finished its current revision: observed, all replicas updated and available, the
/// new ReplicaSet stable, and no other pod left.
async fn settled(rollouts: &Api<Rollout>, pods: &Api<Pod>) -> bool {
    let ro = rollouts.get(NAME).await.unwrap();
    let Some(status) = ro.status else { return false };
    let observed = status.observed_generation.as_deref() == ro.metadata.generation.map(|g| g.to_string()).as_deref();
    let stable = status.stable_rs.is_some() && status.stable_rs == status.current_pod_hash;
    let counts = [
        status.replicas,
        status.updated_replicas,
        status.available_replicas,
        status.ready_replicas,
    ];
    let pod_count = pods.list(&ListParams::default()).await.unwrap().items.len();
    observed && stable && counts.iter().all(|c| *c == Some(REPLICAS)) && pod_count == REPLICAS as usize
}

async fn wait_settled(rollouts: &Api<Rollout>, pods: &Api<Pod>, revision: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !settled(rollouts, pods).await {
        assert!(Instant::now() < deadline, "revision {revision} did not complete");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A runtime of two workers for the work this process does against the cluster.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Builds the history with the controller running in this process; returns once it is stopped.
fn build_history(kubeconfig: &Path) {
    let rt = runtime();
    rt.block_on(async {
        let client = client(kubeconfig).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let controller = tokio::spawn(rollouts_controller::run(
            client.clone(),
            rollouts_controller::ControllerConfig::default(),
            async {
                let _ = stopped.await;
            },
        ));
        let rollouts: Api<Rollout> = Api::namespaced(client.clone(), "default");
        let pods: Api<Pod> = Api::namespaced(client, "default");
        let started = Instant::now();
        rollouts
            .create(&PostParams::default(), &rollout(&image(1)))
            .await
            .unwrap();
        wait_settled(&rollouts, &pods, 1).await;
        for revision in 2..=IMAGE_CHANGES + 1 {
            let patch = serde_json::json!({"spec": {"template": {"spec": {"containers": [
                {"name": "app", "image": image(revision)}
            ]}}}});
            rollouts
                .patch(NAME, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .unwrap();
            wait_settled(&rollouts, &pods, revision).await;
        }
        println!(
            "history: {} revisions of {REPLICAS} replicas built in {:.1}s",
            IMAGE_CHANGES + 1,
            started.elapsed().as_secs_f64()
        );
        let _ = stop.send(());
        controller.await.unwrap().unwrap();
    });
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `command` `runs` times (after one unmeasured run), checking each output; prints the figures.
fn time_runs(label: &str, runs: usize, mut command: impl FnMut() -> Command) -> Duration {
    let check = |out: &std::process::Output| {
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let revisions = text.lines().filter(|l| l.contains("# revision:")).count();
        assert_eq!(revisions, IMAGE_CHANGES + 1, "{label}: {text}");
    };
    check(&command().output().unwrap());
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let out = command().output().unwrap();
        times.push(started.elapsed());
        check(&out);
    }
    times.sort();
    let p50 = percentile(&times, 0.5);
    println!(
        "{label}: {runs} runs: min {:.1} ms, p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(p50),
        ms(percentile(&times, 0.9)),
        ms(times[times.len() - 1])
    );
    p50
}

/// A plain-HTTP proxy in front of the cluster counting the requests it forwards; returns its port.
async fn counting_proxy(upstream: Client, count: Arc<AtomicUsize>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (upstream, count) = (upstream.clone(), Arc::clone(&count));
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let (upstream, count) = (upstream.clone(), Arc::clone(&count));
                    async move {
                        count.fetch_add(1, Ordering::SeqCst);
                        let (mut parts, body) = req.into_parts();
                        parts.headers.remove(hyper::header::HOST);
                        let body = body.collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
                        let response = match upstream.send(Request::from_parts(parts, body.into())).await {
                            Ok(response) => response,
                            Err(e) => Response::builder()
                                .status(502)
                                .body(kube::client::Body::from(e.to_string().into_bytes()))
                                .unwrap(),
                        };
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    port
}

/// Runs `get rollout` once through the counting proxy; returns the number of requests it made.
fn count_requests(plugin: &Path, kubeconfig: &Path, dir: &Path) -> usize {
    let rt = runtime();
    rt.block_on(async {
        let count = Arc::new(AtomicUsize::new(0));
        let port = counting_proxy(client(kubeconfig).await, Arc::clone(&count)).await;
        let proxy_config = dir.join("proxy-kubeconfig");
        std::fs::write(
            &proxy_config,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: proxy\n  cluster: {{server: 'http://127.0.0.1:{port}'}}\n\
                 contexts:\n- name: proxy\n  context: {{cluster: proxy, user: anonymous, namespace: default}}\n\
                 current-context: proxy\nusers:\n- name: anonymous\n  user: {{}}\n"
            ),
        )
        .unwrap();
        let plugin = plugin.to_path_buf();
        let out = tokio::task::spawn_blocking(move || {
            Command::new(plugin)
                .args(["get", "rollout", NAME])
                .env("KUBECONFIG", &proxy_config)
                .output()
        })
        .await
        .unwrap()
        .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        count.load(Ordering::SeqCst)
    })
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    serve_if_asked();
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(30);
    let dir = std::env::temp_dir().join(format!("rollouts-get-rollout-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server = start_server(&dir);
    let kubeconfig = dir.join("kubeconfig");
    build_history(&kubeconfig);

    let plugin = PathBuf::from(env!("CARGO_BIN_EXE_kubectl-argo-rollouts"));
    let p50 = time_runs("kubectl-argo-rollouts get rollout", runs, || {
        let mut cmd = Command::new(&plugin);
        cmd.args(["get", "rollout", NAME]).env("KUBECONFIG", &kubeconfig);
        cmd
    });
    if kubectl_available() {
        let path = std::env::join_paths(
            std::iter::once(plugin.parent().unwrap().to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .unwrap();
        time_runs("kubectl argo rollouts get rollout", runs, || {
            let mut cmd = Command::new("kubectl");
            cmd.args(["argo", "rollouts", "get", "rollout", NAME])
                .env("KUBECONFIG", &kubeconfig)
                .env("KUBECACHEDIR", dir.join("kubectl-cache"))
                .env("PATH", &path);
            cmd
        });
    } else {
        println!("kubectl argo rollouts get rollout: SKIPPED (no kubectl on PATH)");
    }
    println!(
        "API requests of one get rollout: {}",
        count_requests(&plugin, &kubeconfig, &dir)
    );
    println!(
        "target: p50 under 100 ms: {}",
        if p50 < Duration::from_millis(100) {
            "met"
        } else {
            "MISSED"
        }
    );

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
