//! What the controller benchmarks share: the dev cluster (simulated workloads on, the argoproj.io CRDs
//! installed) in a child process — this binary re-executed with `serve <dir>`, as the dev cluster's own
//! benchmarks do — killed when its guard drops (also on panic), a kube-rs client for it, the controller
//! running in this process, and snapshots of the controller's request and reconcile counters.

#![allow(dead_code)] // each bench uses its own share of the helpers

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::{Request, Response};
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use rollouts_controller::{ControllerConfig, Metrics};
use rollouts_devcluster::DevCluster;
use rollouts_devcluster::sim::SimConfig;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// If this process was started as the server (`<bench> serve <dir>`), serves until its parent goes
/// away, and never returns.
pub fn serve_if_asked() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some("serve") {
        return;
    }
    let dir = PathBuf::from(&args[2]);
    // The parent holds our stdin: when it ends (the parent died without killing us), stop too.
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        std::process::exit(0);
    });
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
            // A node pool big enough for the largest fleet measured (10,000 Rollouts of one pod, twice over
            // during an update).
            simulation: Some(SimConfig::default().with_max_pods(50_000)),
            install: crds,
            ..Default::default()
        };
        let cluster = DevCluster::start(config).await.unwrap();
        println!("ready {}", cluster.addr.port());
        std::future::pending::<()>().await;
    });
    std::process::exit(0);
}

/// The dev cluster in a child process; killed (and its data directory removed) on drop.
pub struct Server {
    child: Child,
    /// Closing it tells the child its parent is gone; kept open while the guard lives.
    _stdin: Option<ChildStdin>,
    /// Its data directory (with the kubeconfig).
    pub dir: PathBuf,
}

impl Server {
    /// Starts the server on a fresh directory and waits until it listens.
    pub fn start(label: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("rollouts-{label}-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("serve")
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        // The guard exists before anything below can panic.
        let server = Server {
            child,
            _stdin: stdin,
            dir,
        };
        let mut line = String::new();
        BufReader::new(stdout.unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("ready"), "the server did not start: {line:?}");
        server
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A client of the server.
    pub async fn client(&self) -> Client {
        client(&self.dir).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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

/// The resident memory of this process now and at its peak (VmRSS, VmHWM), in KiB.
pub fn memory() -> (u64, u64) {
    (proc_status_kib("self", "VmRSS"), proc_status_kib("self", "VmHWM"))
}

/// The number in the environment variable `var`, or `default`.
pub fn count_from_env(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A `Vm*` line of `/proc/<pid>/status` (`self` for this process), in KiB.
pub fn proc_status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// CPU time (user + system) of process `pid` (`self` for this one) so far, in seconds; assumes the
/// usual 100 clock ticks per second.
pub fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which is in parentheses and may contain spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// A runtime for a benchmark: `workers` threads, or one per core.
pub fn runtime(workers: Option<usize>) -> tokio::runtime::Runtime {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = workers {
        builder.worker_threads(workers);
    }
    builder.enable_all().build().unwrap()
}

/// Sets up logging to stderr: the controller's warnings (`RUST_LOG` to change).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `client`, each request it sends going through `around`, which sends it on (with the client it is
/// given) and may look at the request and the response on the way.
pub fn intercepted<F, Fut>(client: Client, around: F) -> Client
where
    F: Fn(Client, Request<Body>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<Body>, kube::Error>> + Send + 'static,
{
    let namespace = client.default_namespace().to_string();
    Client::new(
        tower::service_fn(move |request| around(client.clone(), request)),
        namespace,
    )
}

/// Responses the controller got that were not successes, by `"<METHOD> <resource> <code>"`.
pub type Refusals = Arc<Mutex<BTreeMap<String, u64>>>;

/// `client`, counting in `refusals` every response that is not a success.
pub fn refusal_counting(client: Client, refusals: Refusals) -> Client {
    intercepted(client, move |client, request| {
        let refusals = Arc::clone(&refusals);
        let uri = request.uri();
        let (_, resource) = rollouts_controller::classify_request(request.method(), uri.path(), uri.query());
        let what = format!("{} {resource}", request.method());
        async move {
            let response = client.send(request).await;
            let code = match &response {
                Ok(r) if r.status().is_success() => return response,
                Ok(r) => r.status().as_u16(),
                Err(kube::Error::Api(s)) => s.code,
                Err(_) => 0,
            };
            *refusals.lock().unwrap().entry(format!("{what} {code}")).or_default() += 1;
            response
        }
    })
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The controller running on the current runtime.
pub struct RunningController {
    /// Its counters.
    pub metrics: Metrics,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningController {
    /// Starts `rollouts_controller::run` on `client` (watching every namespace, default settings).
    pub fn start(client: Client) -> RunningController {
        let metrics = Metrics::new();
        let config = ControllerConfig {
            metrics: metrics.clone(),
            ..Default::default()
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            rollouts_controller::run(client, config, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        RunningController {
            metrics,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Asks it to stop and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// The counters now.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.metrics)
    }

    /// Waits until the controller has made no request (watches aside) and run no reconcile for `quiet`;
    /// false when that did not happen within `cap`.
    pub async fn settle(&self, quiet: Duration, cap: Duration) -> bool {
        let started = Instant::now();
        let mut last = self.counts().activity();
        let mut changed = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let now = self.counts().activity();
            if now != last {
                last = now;
                changed = Instant::now();
            }
            if changed.elapsed() >= quiet {
                return true;
            }
            if started.elapsed() >= cap {
                return false;
            }
        }
    }
}

impl Drop for RunningController {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// What a request key (`"<verb> <resource>"`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// create/update/patch/delete of anything but events.
    Write,
    /// A write of an event.
    Event,
    /// get/list/watch.
    Read,
    /// Anything else (discovery paths, ...).
    Other,
}

/// Classifies `"<verb> <resource>"`.
pub fn class(key: &str) -> Class {
    let (verb, resource) = key.split_once(' ').unwrap_or((key, ""));
    match verb {
        "create" | "update" | "patch" | "delete" | "deletecollection" if resource.starts_with("events") => Class::Event,
        "create" | "update" | "patch" | "delete" | "deletecollection" => Class::Write,
        "get" | "list" | "watch" => Class::Read,
        _ => Class::Other,
    }
}

/// A snapshot of the controller's counters (or the difference of two).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests by `"<verb> <resource>"`.
    pub api: BTreeMap<String, u64>,
    /// Reconciles.
    pub reconciles: u64,
    /// Failed reconciles.
    pub errors: u64,
}

impl Counts {
    /// The counters of `metrics` now.
    pub fn of(metrics: &Metrics) -> Counts {
        Counts {
            api: metrics.api_request_counts(),
            reconciles: metrics.reconciles(),
            errors: metrics.reconcile_errors(),
        }
    }

    /// `self - before`, keeping only the keys that changed.
    pub fn since(&self, before: &Counts) -> Counts {
        let api = self
            .api
            .iter()
            .map(|(k, v)| (k.clone(), v - before.api.get(k).copied().unwrap_or(0)))
            .filter(|(_, v)| *v > 0)
            .collect();
        Counts {
            api,
            reconciles: self.reconciles - before.reconciles,
            errors: self.errors - before.errors,
        }
    }

    /// The sum of the requests of class `c`.
    pub fn total(&self, c: Class) -> u64 {
        self.api.iter().filter(|(k, _)| class(k) == c).map(|(_, v)| v).sum()
    }

    /// The requests of class `c`, as `"<verb> <resource> <n>, ..."`.
    pub fn list(&self, c: Class) -> String {
        let parts: Vec<String> = self
            .api
            .iter()
            .filter(|(k, _)| class(k) == c)
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if parts.is_empty() {
            "-".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// Everything but watches (which stay open) plus reconciles: unchanged means the controller is idle.
    fn activity(&self) -> (u64, u64) {
        let requests = self
            .api
            .iter()
            .filter(|(k, _)| !k.starts_with("watch "))
            .map(|(_, v)| v)
            .sum();
        (requests, self.reconciles)
    }
}
