//! Running the controllers in one process: the Rollout, AnalysisRun, Experiment and Service controllers
//! share one counting client, the metrics and the shutdown; the AnalysisRun and Experiment controllers
//! also share the Rollout controller's watches (which forward every change that concerns them).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use futures::FutureExt;
use kube::core::ApiResource;
use rollouts_api::Rollout;

use crate::error::ControllerError;
use crate::runtime::metrics::Metrics;
use crate::{analysis, experiment, rollout, runtime, service};

/// How long in-flight reconciles may take to finish once shutdown is requested.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// How the controller runs.
#[derive(Clone, Debug)]
pub struct ControllerConfig {
    /// How long to wait before reconciling a Rollout again when nothing changed and the planner asked
    /// for no earlier look (upstream's `--rollout-resync`, 15 minutes by default).
    pub resync: Duration,
    /// Serve `/metrics` and `/healthz` on this address; `None` serves nothing.
    pub metrics_addr: Option<SocketAddr>,
    /// Watch this namespace only; `None` watches all of them.
    pub namespace: Option<String>,
    /// How many Rollouts are reconciled at once at most (upstream's `--rollout-threads`, 10).
    pub concurrency: u16,
    /// How many AnalysisRuns are reconciled at once at most (upstream's `--analysis-threads`, 30).
    pub analysis_concurrency: u16,
    /// How many Services are reconciled at once at most (upstream's `--service-threads`, 10).
    pub service_concurrency: u16,
    /// How many Experiments are reconciled at once at most (upstream's `--experiment-threads`, 10).
    pub experiment_concurrency: u16,
    /// The counters the controller updates; keep a clone to read them while it runs.
    pub metrics: Metrics,
    /// A Rollout reconcile running longer than this is logged with its key and counted in
    /// `controller_reconcile_slow_total` (it is cut off at two minutes whatever this says).
    pub slow_reconcile: Duration,
    /// The traffic routers' API versions (upstream's `--istio-api-version`,
    /// `--traffic-split-api-version`); unset ones follow what the cluster serves.
    pub routing: rollouts_core::traffic::RoutingSettings,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            resync: Duration::from_secs(15 * 60),
            metrics_addr: None,
            namespace: None,
            concurrency: 10,
            analysis_concurrency: 30,
            service_concurrency: 10,
            experiment_concurrency: 10,
            metrics: Metrics::new(),
            slow_reconcile: rollout::context::DEFAULT_LIMITS.slow,
            routing: rollouts_core::traffic::RoutingSettings::default(),
        }
    }
}

/// Runs the controller with `client` until `shutdown` resolves. Reconciles in flight are then given a
/// few seconds to finish, and the watches and the metrics server are stopped.
pub async fn run(
    client: kube::Client,
    config: ControllerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ControllerError> {
    let metrics = config.metrics.clone();
    let client = runtime::api_requests::counting_client(client, metrics.clone());
    let server = match config.metrics_addr {
        Some(addr) => Some(runtime::server::MetricsServer::start(addr, metrics.clone()).await?),
        None => None,
    };
    let shutdown = shutdown.shared();
    let (stores, writers) = rollout::caches::empty(&ApiResource::erase::<Rollout>(&()));
    metrics.watch_objects(runtime::metrics::ObjectCaches {
        rollouts: stores.rollouts.clone(),
        analysis_runs: stores.analysis_runs.clone(),
        analysis_templates: stores.analysis_templates.clone(),
        cluster_analysis_templates: stores.cluster_analysis_templates.clone(),
        experiments: stores.experiments.clone(),
    });
    let runs = stores.analysis_runs.clone();
    let experiment_caches = experiment::context::Caches {
        experiments: stores.experiments.clone(),
        replica_sets: stores.replica_sets.clone(),
        services: stores.services.clone(),
        analysis_runs: stores.analysis_runs.clone(),
        analysis_templates: stores.analysis_templates.clone(),
        cluster_analysis_templates: stores.cluster_analysis_templates.clone(),
        filled: std::sync::Arc::new(stores.readiness.clone()),
    };
    let (run_changes, run_changed) = runtime::queue::change_channel();
    let (experiment_changes, experiment_changed) = runtime::queue::change_channel();
    let rollouts = rollout::controller::run(
        client.clone(),
        stores,
        writers,
        run_changes,
        experiment_changes,
        rollout::controller::Settings {
            namespace: config.namespace.clone(),
            concurrency: config.concurrency,
            resync: config.resync,
            slow_reconcile: config.slow_reconcile,
            metrics: metrics.clone(),
            routing: config.routing.clone(),
        },
        shutdown.clone(),
    );
    let services = service::controller::run(
        client.clone(),
        service::controller::Settings {
            namespace: config.namespace.clone(),
            concurrency: config.service_concurrency,
            resync: config.resync,
            metrics: metrics.clone(),
        },
        shutdown.clone(),
    );
    let experiments = experiment::controller::run(
        client.clone(),
        experiment_caches,
        experiment_changed,
        experiment::controller::Settings {
            concurrency: config.experiment_concurrency,
            resync: config.resync,
            metrics: metrics.clone(),
        },
        shutdown.clone(),
    );
    let analysis_runs = analysis::controller::run(
        client,
        runs,
        run_changed,
        analysis::controller::Settings {
            namespace: config.namespace.clone(),
            concurrency: config.analysis_concurrency,
            resync: config.resync,
            metrics,
        },
        shutdown.clone(),
    );
    let drain_deadline = async {
        shutdown.await;
        tokio::time::sleep(DRAIN_TIMEOUT).await;
    };
    tokio::select! {
        _ = futures::future::join4(rollouts, analysis_runs, services, experiments) => {}
        () = drain_deadline => tracing::warn!("reconciles still running at shutdown were abandoned"),
    }
    if let Some(server) = server {
        server.stop().await;
    }
    Ok(())
}
