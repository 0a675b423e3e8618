//! The AnalysisRun controller's runtime: its queue and its kube-runtime applier.
//!
//! AnalysisRuns are watched once, by the Rollout controller's queue (which caches them for the
//! Rollout planner too); that watch forwards every change to this controller through a channel
//! ([`ObjectChange`]). The queue merges those changes with the finished Jobs of the job provider's own
//! watch. The applier reconciles each run from the shared cache, at most `concurrency` at a time and
//! never one run twice at once, and requeues it when the reconcile asks (the next measurement, a
//! `resumeAt`, a TTL deadline) or after a failure, with a per-run backoff.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use k8s_openapi::api::batch::v1::Job;
use kube::core::DynamicObject;
use kube::runtime::controller::ReconcileReason;
use kube::runtime::reflector::{self, Store};

use super::context::{Context, RunKey};
use super::jobs;
use super::providers::job::JobProvider;
use super::reconcile::{error_policy, reconcile};
use super::registry::Providers;
use crate::runtime::applier;
use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::queue::{ChangeReceiver, ObjectChange, request};
use crate::runtime::shutdown::UntilShutdown;

/// How the AnalysisRun controller runs.
pub struct Settings {
    /// Watch this namespace only (the Jobs too, unless `ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE` names
    /// another one).
    pub namespace: Option<String>,
    /// How many runs are reconciled at once at most.
    pub concurrency: u16,
    /// How long to wait before looking at a run again when nothing asks for sooner.
    pub resync: Duration,
    /// The counters.
    pub metrics: Metrics,
}

/// Runs the AnalysisRun controller until `shutdown` resolves (or the channel of changes closes and
/// the queue drains). `runs` is the AnalysisRun cache the Rollout controller's watch fills.
pub async fn run<F>(
    client: kube::Client,
    runs: Store<DynamicObject>,
    changes: ChangeReceiver,
    settings: Settings,
    shutdown: F,
) where
    F: Future<Output = ()> + Unpin + Send,
{
    let job_namespace = JobProvider::namespace_from_env();
    let (job_store, job_writer) = reflector::store::<Job>();
    let providers = Providers::new(client.clone(), job_store, job_namespace.clone());
    let ctx = Arc::new(Context::new(
        client.clone(),
        providers,
        settings.metrics,
        settings.resync,
    ));
    let run_resource = ctx.run_resource.clone();

    let change_ctx = Arc::clone(&ctx);
    let changed = changes.filter_map(move |change| {
        let request = match change {
            ObjectChange::Changed(run) => Some(request(run, ReconcileReason::ObjectUpdated)),
            ObjectChange::Deleted(run) => {
                change_ctx
                    .runtime
                    .forget(&RunKey::new(run.namespace.as_deref().unwrap_or_default(), &run.name));
                None
            }
        };
        std::future::ready(request)
    });
    let job_namespace = job_namespace.or(settings.namespace);
    let finished_jobs = jobs::watch(&client, job_namespace.as_deref(), job_writer, run_resource).map(|run| {
        request(
            run,
            ReconcileReason::Custom {
                reason: "job finished".to_string(),
            },
        )
    });
    let queue = UntilShutdown::new(
        stream::select(changed, finished_jobs).map(Ok::<_, Infallible>).boxed(),
        shutdown,
    );
    applier::run(
        ControllerKind::AnalysisRun,
        ctx,
        runs,
        queue,
        settings.concurrency,
        reconcile,
        error_policy,
    )
    .await;
}
