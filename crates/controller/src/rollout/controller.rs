//! The Rollout controller's run: its watches feed its queue, and kube-runtime's applier reconciles
//! each Rollout from the caches, at most `concurrency` at a time and never one Rollout twice at once.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::core::ApiResource;
use rollouts_api::Rollout;

use super::caches::{Stores, Writers};
use super::context::Context;
use super::reconcile::{error_policy, reconcile};
use super::routing_watch::RoutingWatches;
use super::watch;
use crate::runtime::applier;
use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::queue::ChangeSender;
use crate::runtime::shutdown::UntilShutdown;

/// How the Rollout controller runs.
pub struct Settings {
    /// Watch this namespace only.
    pub namespace: Option<String>,
    /// Handle only the objects of this controller instance ([`crate::runtime::instance`]).
    pub instance_id: String,
    /// How many Rollouts are reconciled at once at most.
    pub concurrency: u16,
    /// How long to wait before looking at a Rollout again when nothing asks for sooner.
    pub resync: Duration,
    /// A reconcile running longer than this is logged and counted as slow.
    pub slow_reconcile: Duration,
    /// The counters.
    pub metrics: Metrics,
    /// The traffic routers' API versions as configured.
    pub routing: rollouts_core::traffic::RoutingSettings,
}

/// Runs the Rollout controller until `shutdown` resolves and the reconciles in flight have finished.
/// Its watches fill `writers` (read through `stores`), forward every AnalysisRun change to
/// `run_changes` and every change concerning an Experiment to `experiment_changes`.
pub async fn run<F>(
    client: kube::Client,
    stores: Stores,
    writers: Writers,
    run_changes: ChangeSender,
    experiment_changes: ChangeSender,
    settings: Settings,
    shutdown: F,
) where
    F: Future<Output = ()> + Unpin + Send,
{
    let mut ctx = Context::new(
        client.clone(),
        stores.clone(),
        ApiResource::erase::<Rollout>(&()),
        settings.metrics,
        settings.resync,
    );
    ctx.runtime.limits.slow = settings.slow_reconcile.min(ctx.runtime.limits.limit);
    let (routing, routing_requests) =
        RoutingWatches::new(client.clone(), settings.namespace.clone(), ctx.rollout_resource.clone());
    ctx.routing = routing;
    ctx.routing_flags = settings.routing;
    let ctx = Arc::new(ctx);
    // Ending the queue starts the applier's graceful shutdown: no new reconciles, in-flight ones finish.
    let queue = UntilShutdown::new(
        watch::queue(
            &client,
            watch::Scope {
                namespace: settings.namespace.as_deref(),
                instance_id: &settings.instance_id,
            },
            writers,
            Arc::clone(&ctx),
            run_changes,
            experiment_changes,
            routing_requests,
        )
        .boxed(),
        shutdown,
    );
    applier::run(
        ControllerKind::Rollout,
        ctx,
        stores.rollouts,
        queue,
        settings.concurrency,
        reconcile,
        error_policy,
    )
    .await;
}
