//! Running the controllers in one process: the Rollout, AnalysisRun, Experiment and Service controllers
//! share one counting (and, as configured, throttled) client, the metrics and the shutdown; the
//! AnalysisRun and Experiment controllers also share the Rollout controller's watches (which forward
//! every change that concerns them). With leader election the metrics and health servers run from the
//! start, and the controllers — every watch and write — only while this process holds the lease.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use futures::FutureExt;
use kube::core::ApiResource;
use rollouts_api::Rollout;

use crate::error::ControllerError;
use crate::runtime::leader::{self, Elector};
use crate::runtime::metrics::Metrics;
use crate::runtime::throttle::{RateLimit, throttled_client};
use crate::{analysis, experiment, ingress, rollout, runtime, service};

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
    /// Serve `/healthz` alone on this address too (upstream's `--healthzPort`); ignored when it is
    /// `metrics_addr`.
    pub healthz_addr: Option<SocketAddr>,
    /// Watch this namespace only; `None` watches all of them. ClusterAnalysisTemplates are then not
    /// read at all, as in upstream's namespaced mode (a namespaced Role cannot list them).
    pub namespace: Option<String>,
    /// Handle only the Rollouts, Experiments, AnalysisRuns and (Cluster)AnalysisTemplates labelled
    /// `argo-rollouts.argoproj.io/controller-instance-id` with this value; empty: only those without
    /// the label (upstream's `--instance-id`).
    pub instance_id: String,
    /// Run the controllers only while holding this lease; `None` runs them at once, alone.
    pub leader_election: Option<leader::Settings>,
    /// Keep the controllers' API requests within this budget (upstream's `--qps`/`--burst`); `None`
    /// does not throttle.
    pub rate_limit: Option<RateLimit>,
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
    /// The ingress classes of the AWS Load Balancer Controller (upstream's `--alb-ingress-classes`,
    /// `alb`): on their Ingresses, the actions of Rollouts that no longer use them are reset.
    pub alb_ingress_classes: Vec<String>,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            resync: Duration::from_secs(15 * 60),
            metrics_addr: None,
            healthz_addr: None,
            namespace: None,
            instance_id: String::new(),
            leader_election: None,
            rate_limit: None,
            concurrency: 10,
            analysis_concurrency: 30,
            service_concurrency: 10,
            experiment_concurrency: 10,
            metrics: Metrics::new(),
            slow_reconcile: rollout::context::DEFAULT_LIMITS.slow,
            routing: rollouts_core::traffic::RoutingSettings::default(),
            alb_ingress_classes: vec!["alb".to_string()],
        }
    }
}

/// Runs the controller with `client` until `shutdown` resolves. Reconciles in flight are then given a
/// few seconds to finish, the lease (if any) is released, and the watches and the servers are stopped.
/// With leader election, losing the lease stops the controllers at once and ends with
/// [`ControllerError::LeadershipLost`].
pub async fn run(
    client: kube::Client,
    config: ControllerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ControllerError> {
    if let Some(election) = &config.leader_election {
        election.validate()?;
    }
    let metrics = config.metrics.clone();
    let client = runtime::api_requests::counting_client(client, metrics.clone());
    let server = match config.metrics_addr {
        Some(addr) => {
            let server = runtime::server::MetricsServer::start(addr, metrics.clone()).await?;
            if let Some(bound) = metrics.endpoint() {
                tracing::info!(addr = %bound, "serving /metrics");
            }
            Some(server)
        }
        None => None,
    };
    let health = match config.healthz_addr.filter(|addr| Some(*addr) != config.metrics_addr) {
        Some(addr) => {
            let health = runtime::health::HealthServer::start(addr).await?;
            tracing::info!(addr = %health.addr(), "serving /healthz");
            Some(health)
        }
        None => None,
    };
    let shutdown = shutdown.shared();
    let outcome = match config.leader_election.clone() {
        None => {
            run_controllers(client, &config, shutdown).await;
            Ok(())
        }
        Some(election) => lead(client, &config, election, shutdown).await,
    };
    if let Some(health) = health {
        health.stop().await;
    }
    if let Some(server) = server {
        server.stop().await;
    }
    outcome
}

/// Waits for the lease, then runs the controllers while it is held.
async fn lead<F>(
    client: kube::Client,
    config: &ControllerConfig,
    election: leader::Settings,
    shutdown: F,
) -> Result<(), ControllerError>
where
    F: Future<Output = ()> + Clone + Unpin + Send,
{
    let lease = format!("{}/{}", election.namespace, election.lease_name);
    // The lease requests bypass the throttle: a renewal queued behind a burst of reconciles could
    // miss the renew deadline.
    let Some(mut leadership) = Elector::new(client.clone(), election).acquire(shutdown.clone()).await else {
        return Ok(());
    };
    tokio::select! {
        () = run_controllers(client, config, shutdown) => {
            leadership.release().await;
            Ok(())
        }
        // Dropping the controllers aborts their reconciles and watches: no write after the lease may
        // have passed to another candidate.
        () = leadership.lost() => Err(ControllerError::LeadershipLost { lease }),
    }
}

/// Runs the controllers until `shutdown` resolves and their reconciles have finished (or the drain
/// timeout passed).
async fn run_controllers<F>(client: kube::Client, config: &ControllerConfig, shutdown: F)
where
    F: Future<Output = ()> + Clone + Unpin + Send,
{
    let metrics = config.metrics.clone();
    let client = match config.rate_limit {
        Some(limit) => throttled_client(client, limit),
        None => client,
    };
    let (stores, writers) = rollout::caches::empty(&ApiResource::erase::<Rollout>(&()));
    metrics.watch_objects(runtime::metrics::ObjectCaches {
        rollouts: stores.rollouts.clone(),
        analysis_runs: stores.analysis_runs.clone(),
        analysis_templates: stores.analysis_templates.clone(),
        cluster_analysis_templates: stores.cluster_analysis_templates.clone(),
        experiments: stores.experiments.clone(),
    });
    let runs = stores.analysis_runs.clone();
    let ingress_rollouts = stores.rollouts.clone();
    let rollouts_filled = stores.readiness.clone();
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
            instance_id: config.instance_id.clone(),
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
    // Boxed: the watch's state would otherwise make every caller's future much larger.
    let ingresses = Box::pin(ingress::run(
        client.clone(),
        ingress_rollouts,
        async move { while rollouts_filled.wait(Duration::from_secs(60)).await.is_err() {} },
        ingress::Settings {
            namespace: config.namespace.clone(),
            alb_classes: config.alb_ingress_classes.clone(),
        },
        shutdown.clone(),
    ));
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
        _ = futures::future::join5(rollouts, analysis_runs, services, experiments, ingresses) => {}
        () = drain_deadline => tracing::warn!("reconciles still running at shutdown were abandoned"),
    }
}
