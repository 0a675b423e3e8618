//! What the controller's integration tests share: a two-thread runtime, the in-process dev cluster
//! with the project's CRDs, a client of it, the controller running in the test, and the checks of the
//! metric-provider tests.

#![allow(dead_code)] // each test file uses its own share of the helpers

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, AnalysisRunSpec, Measurement};
use rollouts_api::providers::MetricProvider;
use rollouts_controller::analysis::providers::Provider;
use rollouts_controller::{ControllerConfig, ControllerError, Metrics};
use rollouts_devcluster::sim::SimConfig;
use rollouts_devcluster::testing::{TestCluster, temp_dir};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A runtime with two worker threads, as on the machines the tests run on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The dev cluster in this process, in a fresh directory named after `label`, with the argoproj.io
/// CRDs installed and `simulation` (simulated workloads) if given.
pub fn start_cluster(label: &str, simulation: Option<SimConfig>) -> TestCluster {
    let crds = rollouts_api::crd::all()
        .unwrap()
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd).unwrap())
        .collect();
    TestCluster::start_installed(&temp_dir(label), 0, simulation, crds).unwrap()
}

/// A client of the cluster whose kubeconfig is at `kubeconfig`.
pub async fn client(kubeconfig: &Path) -> Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

/// The controller running on the test's runtime, stopped (and awaited) by [`Controller::stop`].
pub struct Controller {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ControllerError>>,
    /// Its counters.
    pub metrics: Metrics,
}

impl Controller {
    /// Starts `rollouts_controller::run` on `client` with `config`.
    pub fn start(client: &Client, config: ControllerConfig) -> Self {
        let metrics = config.metrics.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(rollouts_controller::run(client.clone(), config, async {
            let _ = stopped.await;
        }));
        Controller { stop, task, metrics }
    }

    /// Asks the controller, still running, to stop, and waits at most `within` until it has; returns
    /// how its run ended.
    pub async fn stop(self, within: Duration) -> Result<(), ControllerError> {
        self.stop.send(()).expect("the controller is still running");
        tokio::time::timeout(within, self.task)
            .await
            .expect("the controller stops when asked")
            .unwrap()
    }
}

/// The metric `name` measured by `provider`, with those conditions (empty for none).
pub fn metric(name: &str, provider: MetricProvider, success: &str, failure: &str) -> Metric {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Metric {
        name: name.to_string(),
        success_condition: non_empty(success),
        failure_condition: non_empty(failure),
        provider,
        ..Default::default()
    }
}

/// The measurement finished in `phase` with `value` (`None` for no value).
#[track_caller]
pub fn assert_phase<'a>(m: &Measurement, phase: AnalysisPhase, value: impl Into<Option<&'a str>>) {
    assert_eq!(m.phase, phase, "{m:?}");
    assert_eq!(m.value.as_deref(), value.into(), "{m:?}");
    assert!(m.started_at.is_some() && m.finished_at.is_some(), "{m:?}");
}

/// The measurement finished as an `Error` saying `message`, without a value.
#[track_caller]
pub fn assert_error(m: &Measurement, message: &str) {
    assert_eq!(m.phase, AnalysisPhase::Error, "{m:?}");
    assert_eq!(m.message.as_deref(), Some(message), "{m:?}");
    assert!(m.value.is_none(), "{m:?}");
    assert!(m.started_at.is_some() && m.finished_at.is_some(), "{m:?}");
}

/// Takes a measurement of `metric` through the `Provider` trait, as the AnalysisRun controller does,
/// from a provider of `kind` that measures synchronously: resuming or terminating the measurement
/// leaves it as it is, and garbage collection has nothing to do. Returns the measurement.
pub async fn measure_synchronously(provider: Arc<dyn Provider>, kind: &str, metric: &Metric) -> Measurement {
    assert_eq!(provider.kind(), kind);
    let run = AnalysisRun::new("run", AnalysisRunSpec::default());
    let m = provider.run(&run, metric).await;
    assert_eq!(provider.resume(&run, metric, m.clone()).await, m);
    assert_eq!(provider.terminate(&run, metric, m.clone()).await, m);
    assert!(provider.garbage_collect(&run, metric, 1).await.is_ok());
    m
}
