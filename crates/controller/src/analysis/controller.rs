//! The AnalysisRun controller's runtime: its queue and its kube-runtime applier.
//!
//! AnalysisRuns are watched once, by the Rollout controller's queue (which caches them for the
//! Rollout planner too); that watch forwards every change to this controller through a channel
//! ([`RunChange`]). The queue merges those changes with the finished Jobs of the job provider's own
//! watch. The applier reconciles each run from the shared cache, at most `concurrency` at a time and
//! never one run twice at once, and requeues it when the reconcile asks (the next measurement, a
//! `resumeAt`, a TTL deadline) or after a failure, with a per-run backoff.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures::stream::{self, StreamExt};
use k8s_openapi::api::batch::v1::Job;
use kube::core::DynamicObject;
use kube::runtime::controller::{self, Action, Error as ControllerRunError, ReconcileReason, ReconcileRequest};
use kube::runtime::reflector::{self, ObjectRef, Store};
use tokio::task::JoinHandle;

use super::context::{Context, RunKey};
use super::error::RunError;
use super::jobs;
use super::providers::job::JobProvider;
use super::reconcile::{error_policy, reconcile};
use super::registry::Providers;
use crate::runtime::metrics::Metrics;
use crate::runtime::shutdown::UntilShutdown;

/// What the AnalysisRun watch tells this controller.
#[derive(Debug, Clone, PartialEq)]
pub enum RunChange {
    /// The run was added or changed (or listed again).
    Changed(ObjectRef<DynamicObject>),
    /// The run was deleted.
    Deleted(ObjectRef<DynamicObject>),
}

/// The sending half of the channel of [`RunChange`]s.
pub type RunChanges = UnboundedSender<RunChange>;

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
    changes: UnboundedReceiver<RunChange>,
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
            RunChange::Changed(run) => Some(request(run, ReconcileReason::ObjectUpdated)),
            RunChange::Deleted(run) => {
                change_ctx.run_deleted(&RunKey::new(run.namespace.as_deref().unwrap_or_default(), &run.name));
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
    controller::applier(
        |run, ctx| Spawned::spawn(reconcile(run, ctx)),
        error_policy,
        ctx,
        runs,
        queue,
        controller::Config::default().concurrency(settings.concurrency),
    )
    .for_each(|result| {
        log_result(result);
        std::future::ready(())
    })
    .await;
}

fn request(run: ObjectRef<DynamicObject>, reason: ReconcileReason) -> ReconcileRequest<DynamicObject> {
    ReconcileRequest { obj_ref: run, reason }
}

type AppliedResult = Result<(ObjectRef<DynamicObject>, Action), ControllerRunError<RunError, std::convert::Infallible>>;

fn log_result(result: AppliedResult) {
    match result {
        Ok((run, action)) => tracing::debug!(%run, ?action, "AnalysisRun reconciled"),
        // Logged by the reconcile itself, once per failing state.
        Err(ControllerRunError::ReconcilerFailed(error, run)) => {
            tracing::trace!(%run, %error, "AnalysisRun reconcile failed")
        }
        // A run deleted while a reconcile of it was queued.
        Err(ControllerRunError::ObjectNotFound(run)) => {
            tracing::debug!(%run, "reconcile of a deleted AnalysisRun")
        }
        // Only when shutting down before the AnalysisRun cache ever filled.
        Err(ControllerRunError::RunnerError(error)) => {
            tracing::debug!(%error, "AnalysisRun controller stopped before the caches filled")
        }
        Err(error) => tracing::warn!(%error, "AnalysisRun controller"),
    }
}

/// A reconcile running on its own task (so that reconciles of different runs use every worker
/// thread), aborted if the controller drops it.
struct Spawned(JoinHandle<Result<Action, RunError>>);

impl Spawned {
    fn spawn(future: impl Future<Output = Result<Action, RunError>> + Send + 'static) -> Self {
        Spawned(tokio::spawn(future))
    }
}

impl Future for Spawned {
    type Output = Result<Action, RunError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|joined| joined.unwrap_or_else(|e| Err(RunError::Task(e.to_string()))))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.0.abort();
    }
}
