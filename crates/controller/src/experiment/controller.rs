//! The Experiment controller's runtime: its queue (the changes the Rollout controller's watches
//! forward) and its kube-runtime applier, at most `concurrency` Experiments at a time and never one
//! twice at once.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::runtime::controller::ReconcileReason;

use super::ExperimentKey;
use super::context::{Caches, Context};
use super::reconcile::{error_policy, reconcile};
use crate::runtime::applier;
use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::queue::{ChangeReceiver, ObjectChange, request};
use crate::runtime::shutdown::UntilShutdown;

/// How the Experiment controller runs.
pub struct Settings {
    /// How many Experiments are reconciled at once at most (upstream's `--experiment-threads`).
    pub concurrency: u16,
    /// How long to wait before looking at an Experiment again when nothing asks for sooner.
    pub resync: Duration,
    /// The counters.
    pub metrics: Metrics,
}

/// Runs the Experiment controller until `shutdown` resolves (or the channel of changes closes and the
/// queue drains).
pub async fn run<F>(client: kube::Client, caches: Caches, changes: ChangeReceiver, settings: Settings, shutdown: F)
where
    F: Future<Output = ()> + Unpin + Send,
{
    let experiments = caches.experiments.clone();
    let ctx = Arc::new(Context::new(client, caches, settings.metrics, settings.resync));
    let change_ctx = Arc::clone(&ctx);
    let queue = changes.filter_map(move |change| {
        let request = match change {
            ObjectChange::Changed(experiment) => Some(request(experiment, ReconcileReason::ObjectUpdated)),
            ObjectChange::Deleted(experiment) => {
                let namespace = experiment.namespace.as_deref().unwrap_or_default();
                change_ctx
                    .runtime
                    .forget(&ExperimentKey::new(namespace, &experiment.name));
                None
            }
        };
        std::future::ready(request)
    });
    let queue = UntilShutdown::new(queue.map(Ok::<_, Infallible>).boxed(), shutdown);
    applier::run(
        ControllerKind::Experiment,
        ctx,
        experiments,
        queue,
        settings.concurrency,
        reconcile,
        error_policy,
    )
    .await;
}
