//! The Rollout controller: the kube-rs runtime around the pure planner of `rollouts-core`, and beside
//! it the AnalysisRun controller ([`analysis`]).
//!
//! [`run`] watches Rollouts, their ReplicaSets, the Services they reference and the Deployments their
//! `workloadRef`s point to, and reconciles each Rollout whenever one of them changes (and at least every [`ControllerConfig::resync`]): it loads a
//! snapshot from the watch caches, asks [`rollouts_core::plan::plan`] what to do, performs the plan's
//! writes in order and records its events. In the same process, with the same client and shutdown,
//! the AnalysisRun controller takes the measurements of every AnalysisRun and records their results.
//! Every API request is counted in [`Metrics`], which can be served in the Prometheus text format
//! together with a health endpoint.

pub mod analysis;
mod context;
mod error;
mod execute;
#[cfg(test)]
mod execute_tests;
mod reconcile;
mod runtime;
mod snapshot;
mod watch;
mod workload;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use kube::core::ApiResource;
use rollouts_api::Rollout;

pub use error::{ControllerError, ReconcileError};
pub use runtime::kind::ControllerKind;
pub use runtime::metrics::Metrics;

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
    /// The counters the controller updates; keep a clone to read them while it runs.
    pub metrics: Metrics,
    /// A Rollout reconcile running longer than this is logged with its key and counted in
    /// `controller_reconcile_slow_total` (it is cut off at two minutes whatever this says).
    pub slow_reconcile: Duration,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            resync: Duration::from_secs(15 * 60),
            metrics_addr: None,
            namespace: None,
            concurrency: 10,
            analysis_concurrency: 30,
            metrics: Metrics::new(),
            slow_reconcile: context::DEFAULT_LIMITS.slow,
        }
    }
}

/// A Rollout's namespace and name.
pub(crate) type RolloutKey = runtime::ObjectKey;

/// Runs the controller with `client` until `shutdown` resolves. Reconciles in flight are then given a
/// few seconds to finish, and the watches and the metrics server are stopped.
pub async fn run(
    client: kube::Client,
    config: ControllerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ControllerError> {
    let metrics = config.metrics.clone();
    let client = runtime::requests::counting_client(client, metrics.clone());
    let server = match config.metrics_addr {
        Some(addr) => Some(runtime::server::MetricsServer::start(addr, metrics.clone()).await?),
        None => None,
    };
    let rollout_resource = ApiResource::erase::<Rollout>(&());
    let (stores, writers) = watch::stores(&rollout_resource);
    let mut ctx = context::Context::new(client.clone(), stores.clone(), rollout_resource, metrics, config.resync);
    ctx.runtime.limits.slow = config.slow_reconcile.min(ctx.runtime.limits.limit);
    let ctx = Arc::new(ctx);
    let shutdown = shutdown.shared();
    let (run_changes, run_changed) = futures::channel::mpsc::unbounded();
    // Ending the queue starts the applier's graceful shutdown: no new reconciles, in-flight ones finish.
    let queue = runtime::shutdown::UntilShutdown::new(
        watch::queue(
            &client,
            config.namespace.as_deref(),
            writers,
            Arc::clone(&ctx),
            run_changes,
        )
        .boxed(),
        shutdown.clone(),
    );
    let analysis_runs = analysis::controller::run(
        client.clone(),
        stores.analysis_runs.clone(),
        run_changed,
        analysis::controller::Settings {
            namespace: config.namespace.clone(),
            concurrency: config.analysis_concurrency,
            resync: config.resync,
            metrics: config.metrics.clone(),
        },
        shutdown.clone(),
    );
    let applier = runtime::applier::run(
        ControllerKind::Rollout,
        ctx,
        stores.rollouts,
        queue,
        config.concurrency,
        reconcile::reconcile,
        reconcile::error_policy,
    );
    let drain_deadline = async {
        shutdown.await;
        tokio::time::sleep(DRAIN_TIMEOUT).await;
    };
    tokio::select! {
        _ = futures::future::join(applier, analysis_runs) => {}
        () = drain_deadline => tracing::warn!("reconciles still running at shutdown were abandoned"),
    }
    if let Some(server) = server {
        server.stop().await;
    }
    Ok(())
}
