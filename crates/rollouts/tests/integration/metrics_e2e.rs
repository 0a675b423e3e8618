//! The controller's metrics as upstream's dashboards and alerts read them: `rollouts dev` without its
//! in-process controller, `rollouts controller` against it serving `/metrics`, a canary Rollout with an
//! analysis step (a Job metric), templates and an Experiment. `/metrics` is scraped over HTTP and every
//! upstream series is checked with its labels; then a real Prometheus scrapes the controller and its
//! HTTP API is asked for the same series.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject};
use rollouts_testkit::prometheus::prometheus_scraping_or_skip;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

const ROLLOUT: &str = "metrics-demo";

/// A process stopped with Ctrl-C (then killed) when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-INT", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.0.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `rollouts dev --no-controller` and `rollouts controller` against it, serving `/metrics`.
struct Setup {
    metrics: SocketAddr,
    // Dropped in this order: the controller, the cluster, then their directory.
    _controller: Process,
    _dev: Process,
    client: kube::Client,
    rt: tokio::runtime::Runtime,
    dir: TempDir,
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn wait_until<T>(seconds: u64, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {seconds} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A plain HTTP/1.1 GET of `path`: the body of a 200 answer.
fn http_get(addr: SocketAddr, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

impl Setup {
    fn start(label: &str) -> Setup {
        let dir = std::env::temp_dir().join(format!("rollouts-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let dev = Process(
            Command::new(BIN)
                .args(["dev", "--no-controller", "--data-dir"])
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let kubeconfig = dir.join("kubeconfig");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let client = wait_until(30, "rollouts dev to answer", || {
            if !kubeconfig.is_file() {
                return None;
            }
            rt.block_on(async {
                let client = client(&kubeconfig).await;
                client.apiserver_version().await.ok().map(|_| client)
            })
        });
        let metrics = free_addr();
        let controller = Process(
            Command::new(BIN)
                .args(["controller", "--leader-elect=false", "--kubeconfig"])
                .arg(&kubeconfig)
                .args(["--metrics-addr", &metrics.to_string()])
                .env_remove("KUBECONFIG")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        wait_until(30, "/metrics", || http_get(metrics, "/metrics"));
        Setup {
            metrics,
            _controller: controller,
            _dev: dev,
            client,
            rt,
            dir: TempDir(dir),
        }
    }

    fn api<K: kube::Resource<DynamicType = ()>>(&self) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), "default", &ApiResource::erase::<K>(&()))
    }

    fn create<K: kube::Resource<DynamicType = ()>>(&self, object: Value) {
        let resource = ApiResource::erase::<K>(&());
        let api: Api<DynamicObject> = if object["kind"] == "ClusterAnalysisTemplate" {
            Api::all_with(self.client.clone(), &resource)
        } else {
            Api::namespaced_with(self.client.clone(), "default", &resource)
        };
        let object: DynamicObject = serde_json::from_value(object).unwrap();
        self.rt.block_on(api.create(&PostParams::default(), &object)).unwrap();
    }

    fn field<K: kube::Resource<DynamicType = ()>>(&self, name: &str, pointer: &str) -> Value {
        let object = self.rt.block_on(self.api::<K>().get(name)).unwrap();
        object.data.pointer(pointer).cloned().unwrap_or(Value::Null)
    }

    fn wait_rollout_phase(&self, phase: &str) {
        wait_until(60, &format!("{ROLLOUT} {phase}"), || {
            (self.field::<rollouts_api::Rollout>(ROLLOUT, "/status/phase") == phase).then_some(())
        });
    }

    fn scrape(&self) -> String {
        http_get(self.metrics, "/metrics").unwrap()
    }

    /// The objects and the walk to the canary's pause, with the analysis step passed and the
    /// Experiment finished. Returns the AnalysisRun's name.
    fn walk_to_the_pause(&self) -> String {
        self.create::<rollouts_api::AnalysisTemplate>(job_template("AnalysisTemplate", "pass"));
        self.create::<rollouts_api::ClusterAnalysisTemplate>(job_template("ClusterAnalysisTemplate", "cluster-pass"));
        self.create::<rollouts_api::Rollout>(rollout("blue"));
        self.create::<rollouts_api::experiment::Experiment>(experiment());
        // A Rollout whose status does not decode: its reconciles fail.
        self.create::<rollouts_api::Rollout>(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "odd"},
            "spec": {"selector": {"matchLabels": {"app": "odd"}},
                     "template": {"metadata": {"labels": {"app": "odd"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
        }));
        self.rt
            .block_on(self.api::<rollouts_api::Rollout>().patch_status(
                "odd",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"phase": "Sideways"}})),
            ))
            .unwrap();
        self.wait_rollout_phase("Healthy");
        let image = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "rollouts-demo", "image": "argoproj/rollouts-demo:yellow"}]}}}});
        self.rt
            .block_on(
                self.api::<rollouts_api::Rollout>()
                    .patch(ROLLOUT, &PatchParams::default(), &Patch::Merge(image)),
            )
            .unwrap();
        self.wait_rollout_phase("Paused");
        wait_until(30, "the Experiment to succeed", || {
            (self.field::<rollouts_api::experiment::Experiment>("exp", "/status/phase") == "Successful").then_some(())
        });
        let runs = self
            .rt
            .block_on(self.api::<rollouts_api::AnalysisRun>().list(&Default::default()))
            .unwrap();
        let run = runs.items.first().expect("the analysis step's AnalysisRun");
        run.metadata.name.clone().unwrap()
    }
}

fn job_template(kind: &str, name: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": {"name": name},
        "spec": {"metrics": [{"name": "pass", "provider": {"job": {"spec": {
            "backoffLimit": 0,
            "template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "check", "image": "busybox", "command": ["sh", "-c", "exit 0"]}]}}}}}}]}
    })
}

fn rollout(image: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": ROLLOUT},
        "spec": {
            "replicas": 2,
            "strategy": {"canary": {"steps": [
                {"setWeight": 50},
                {"analysis": {"templates": [{"templateName": "pass"}]}},
                {"pause": {}}
            ]}},
            "selector": {"matchLabels": {"app": ROLLOUT}},
            "template": {"metadata": {"labels": {"app": ROLLOUT}},
                         "spec": {"containers": [{"name": "rollouts-demo", "image": format!("argoproj/rollouts-demo:{image}")}]}}
        }
    })
}

fn experiment() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment", "metadata": {"name": "exp"},
        "spec": {"duration": "2s", "templates": [{
            "name": "canary", "replicas": 1,
            "selector": {"matchLabels": {"app": "exp"}},
            "template": {"metadata": {"labels": {"app": "exp"}},
                         "spec": {"containers": [{"name": "c", "image": "argoproj/rollouts-demo:blue"}]}}}]}
    })
}

/// The sample lines of `text` whose series starts with `prefix` (a name and the first labels).
fn samples<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|line| line.starts_with(prefix)).collect()
}

fn assert_line(text: &str, line: &str) {
    assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
}

fn assert_some(text: &str, prefix: &str) {
    assert!(!samples(text, prefix).is_empty(), "no {prefix:?} in:\n{text}");
}

#[test]
fn the_controller_exposes_upstreams_series_with_their_labels() {
    let setup = Setup::start("metrics-e2e");
    let run = setup.walk_to_the_pause();
    let ro = format!("name=\"{ROLLOUT}\",namespace=\"default\"");
    let ar = format!("name=\"{run}\",namespace=\"default\"");
    let ex = "name=\"exp\",namespace=\"default\"";
    // The series are computed from the controller's watch caches, which follow the API closely but
    // not instantly.
    let settled = [
        format!("rollout_info{{{ro},phase=\"Paused\",strategy=\"canary\",traffic_router=\"\"}} 1"),
        format!("analysis_run_info{{{ar},phase=\"Successful\"}} 1"),
        format!("experiment_info{{{ex},phase=\"Successful\"}} 1"),
    ];
    let text = wait_until(15, "the series to show the objects' phases", || {
        let text = setup.scrape();
        settled
            .iter()
            .all(|line| text.lines().any(|l| l == line))
            .then_some(text)
    });

    // Rollouts, from the cache at each scrape.
    assert_line(&text, &format!("rollout_info_replicas_desired{{{ro}}} 2"));
    for gauge in ["available", "unavailable", "updated"] {
        assert_some(&text, &format!("rollout_info_replicas_{gauge}{{{ro}}} "));
    }
    for phase in ["Abort", "Completed", "Error", "Paused", "Progressing", "Timeout"] {
        let value = i32::from(phase == "Paused");
        assert_line(
            &text,
            &format!("rollout_phase{{{ro},phase=\"{phase}\",strategy=\"canary\"}} {value}"),
        );
    }
    assert_line(&text, "# TYPE rollout_reconcile histogram");
    for le in ["0.01", "0.15", "0.25", "0.5", "1", "+Inf"] {
        assert_some(&text, &format!("rollout_reconcile_bucket{{{ro},le=\"{le}\"}} "));
    }
    assert_some(&text, &format!("rollout_reconcile_count{{{ro}}} "));
    assert_line(&text, "# TYPE rollout_reconcile_error counter");
    assert_some(&text, "rollout_reconcile_error{name=\"odd\",namespace=\"default\"} ");
    assert!(
        samples(&text, &format!("rollout_reconcile_error{{{ro}}}")).is_empty(),
        "{text}"
    );
    assert_some(
        &text,
        &format!("rollout_events_total{{{ro},reason=\"RolloutPaused\",type=\"Normal\"}} "),
    );

    // The analysis step's run, the templates.
    assert_line(&text, &format!("analysis_run_phase{{{ar},phase=\"Successful\"}} 1"));
    assert_eq!(samples(&text, &format!("analysis_run_phase{{{ar},")).len(), 6, "{text}");
    assert_line(
        &text,
        &format!("analysis_run_metric_type{{metric=\"pass\",{ar},type=\"Job\"}} 1"),
    );
    assert_line(
        &text,
        &format!(
            "analysis_run_metric_phase{{dry_run=\"false\",metric=\"pass\",{ar},phase=\"Successful\",type=\"Job\"}} 1"
        ),
    );
    assert_some(&text, &format!("analysis_run_reconcile_count{{{ar}}} "));
    assert_line(&text, "analysis_template_info{name=\"pass\",namespace=\"default\"} 1");
    assert_line(&text, "analysis_template_info{name=\"cluster-pass\",namespace=\"\"} 1");
    assert_line(
        &text,
        "analysis_template_metric_info{metric=\"pass\",name=\"pass\",namespace=\"default\",type=\"Job\"} 1",
    );
    assert_line(
        &text,
        "analysis_template_metric_info{metric=\"pass\",name=\"cluster-pass\",namespace=\"\",type=\"Job\"} 1",
    );

    // The Experiment.
    assert_line(&text, &format!("experiment_phase{{{ex},phase=\"Successful\"}} 1"));
    assert_eq!(samples(&text, &format!("experiment_phase{{{ex},")).len(), 5, "{text}");
    assert_some(&text, &format!("experiment_reconcile_count{{{ex}}} "));

    // Requests by upstream's labels, the version, the process.
    assert_some(
        &text,
        "controller_clientset_k8s_request_total{kind=\"replicasets\",name=\"N/A\",namespace=\"default\",status_code=\"201\",verb=\"Create\"} ",
    );
    assert_some(
        &text,
        "controller_clientset_k8s_request_total{kind=\"rollouts\",name=\"N/A\",namespace=\"\",status_code=\"200\",verb=\"List\"} ",
    );
    assert_some(
        &text,
        "controller_clientset_k8s_request_total{kind=\"analysisruns\",name=\"",
    );
    // A status patch, read as upstream reads it: the Rollout's name as the kind.
    assert_some(
        &text,
        &format!(
            "controller_clientset_k8s_request_total{{kind=\"{ROLLOUT}\",name=\"status\",namespace=\"rollouts\",status_code=\"200\",verb=\"Patch\"}} "
        ),
    );
    assert_line(
        &text,
        &format!(
            "argo_rollouts_controller_info{{version=\"v{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        ),
    );
    for process in [
        "process_cpu_seconds_total ",
        "process_resident_memory_bytes ",
        "process_virtual_memory_bytes ",
        "process_open_fds ",
        "process_max_fds ",
        "process_start_time_seconds ",
    ] {
        assert_some(&text, process);
    }
    // The project's own series stay.
    assert_some(
        &text,
        "rollout_controller_api_requests_total{resource=\"rollouts/status\",verb=\"patch\"} ",
    );
    assert_some(&text, "controller_reconcile_slow_total{controller=\"rollout\"} ");

    // Promoted, the Rollout completes.
    let promote = Command::new(setup.dir.0.join("bin").join("kubectl-argo-rollouts"))
        .args(["promote", ROLLOUT, "-n", "default"])
        .env("KUBECONFIG", setup.dir.0.join("kubeconfig"))
        .output()
        .unwrap();
    assert!(promote.status.success(), "{}", String::from_utf8_lossy(&promote.stderr));
    setup.wait_rollout_phase("Healthy");
    let completed = format!("rollout_info{{{ro},phase=\"Completed\",strategy=\"canary\",traffic_router=\"\"}} 1");
    wait_until(10, "rollout_info to say Completed", || {
        setup.scrape().lines().any(|l| l == completed).then_some(())
    });
}

#[test]
fn a_real_prometheus_scrapes_the_controller() {
    let test = "a_real_prometheus_scrapes_the_controller";
    if rollouts_testkit::prometheus::prometheus_binary().is_none() {
        // Let the helper print (or fail, when Prometheus is required) why.
        let _ = prometheus_scraping_or_skip(test, &[]);
        return;
    }
    let setup = Setup::start("metrics-prometheus");
    let Some(prometheus) = prometheus_scraping_or_skip(test, &[("argo-rollouts", setup.metrics.to_string())]) else {
        return;
    };
    let run = setup.walk_to_the_pause();
    let wait = |promql: &str| {
        prometheus
            .wait_for_series(promql, 1, Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("{e}\n{}", prometheus.log_tail()));
    };
    let job = "job=\"argo-rollouts\"";
    wait(&format!(
        "rollout_info{{{job},namespace=\"default\",name=\"{ROLLOUT}\",strategy=\"canary\",traffic_router=\"\",phase=\"Paused\"}} == 1"
    ));
    wait(&format!(
        "rollout_phase{{{job},namespace=\"default\",name=\"{ROLLOUT}\",strategy=\"canary\",phase=\"Paused\"}} == 1"
    ));
    wait(&format!(
        "rollout_info_replicas_desired{{{job},namespace=\"default\",name=\"{ROLLOUT}\"}} == 2"
    ));
    wait(&format!(
        "sum by (le) (rollout_reconcile_bucket{{{job},namespace=\"default\",name=\"{ROLLOUT}\"}}) > 0"
    ));
    wait(&format!(
        "rollout_reconcile_error{{{job},namespace=\"default\",name=\"odd\"}} > 0"
    ));
    wait(&format!(
        "rollout_events_total{{{job},namespace=\"default\",name=\"{ROLLOUT}\",type=\"Normal\",reason=\"RolloutPaused\"}} > 0"
    ));
    wait(&format!(
        "analysis_run_info{{{job},namespace=\"default\",name=\"{run}\",phase=\"Successful\"}} == 1"
    ));
    wait(&format!(
        "analysis_run_metric_phase{{{job},namespace=\"default\",name=\"{run}\",metric=\"pass\",type=\"Job\",dry_run=\"false\",phase=\"Successful\"}} == 1"
    ));
    wait(&format!(
        "analysis_run_metric_type{{{job},namespace=\"default\",name=\"{run}\",metric=\"pass\",type=\"Job\"}} == 1"
    ));
    wait(&format!(
        "analysis_run_reconcile_count{{{job},namespace=\"default\",name=\"{run}\"}} > 0"
    ));
    wait(&format!(
        "analysis_template_info{{{job},namespace=\"default\",name=\"pass\"}} == 1"
    ));
    // An empty label is no label for Prometheus: the cluster template has no namespace.
    wait(&format!(
        "analysis_template_metric_info{{{job},namespace=\"\",name=\"cluster-pass\",type=\"Job\",metric=\"pass\"}} == 1"
    ));
    wait(&format!(
        "experiment_info{{{job},namespace=\"default\",name=\"exp\",phase=\"Successful\"}} == 1"
    ));
    wait(&format!(
        "controller_clientset_k8s_request_total{{{job},kind=\"replicasets\",namespace=\"default\",name=\"N/A\",verb=\"Create\",status_code=\"201\"}} > 0"
    ));
    wait(&format!(
        "argo_rollouts_controller_info{{{job},version=\"v{}\"}} == 1",
        env!("CARGO_PKG_VERSION")
    ));
    wait(&format!("time() - process_start_time_seconds{{{job}}} > 0"));
    wait(&format!("process_resident_memory_bytes{{{job}}} > 0"));
}
