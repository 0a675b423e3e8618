//! One reconcile of one AnalysisRun (upstream `analysis/controller.go` `syncHandler` and
//! `reconcileAnalysisRun`): decode the cached copy, make sure it is not older than our own last write,
//! read the Secrets its arguments refer to, [`prepare`] the measurements due, take them through the
//! providers in parallel, [`assess()`] the results, and [`write::apply`] the outcome.

use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;
use jiff::Timestamp;
use kube::core::DynamicObject;
use kube::runtime::controller::Action;
use rollouts_api::analysis_run::AnalysisRun;
use rollouts_core::analysis::run::{Outcome, PrepareOutcome, Prepared, Task, assess, prepare};

use super::context::{Context, RunKey};
use super::error::RunError;
use super::providers::{measurement_error, new_measurement};
use super::secrets::SecretValues;
use super::write;
use crate::runtime::reconcile::Reconciled;
use crate::runtime::staleness::STALE_REQUEUE;

/// Reconciles one AnalysisRun, counting it.
pub async fn reconcile(object: Arc<DynamicObject>, ctx: Arc<Context>) -> Result<Action, RunError> {
    let key = RunKey::of(object.as_ref());
    // Boxed: the reconcile's state is large, and the applier keeps many of them at once.
    Box::pin(ctx.runtime.supervise(&key, reconcile_run(&object, &ctx, &key))).await
}

async fn reconcile_run(object: &DynamicObject, ctx: &Context, key: &RunKey) -> Result<Reconciled, RunError> {
    if object.metadata.deletion_timestamp.is_some() {
        return Ok(Reconciled::Done(Action::await_change()));
    }
    let run: AnalysisRun = ctx.runtime.decode(object, key).await?;
    let stale = ctx.runtime.tracker.is_stale(
        key,
        object.metadata.resource_version.as_deref(),
        |_| None,
        Instant::now(),
    );
    if stale {
        tracing::debug!(run = %key, "the cache is behind our last write; looking again shortly");
        return Ok(Reconciled::Deferred(Action::requeue(STALE_REQUEUE)));
    }
    let secrets = SecretValues::read(&ctx.runtime.client, &run).await;
    let lookup = |name: &str, secret_key: &str| secrets.lookup(name, secret_key);
    match prepare(&run, &lookup, Timestamp::now()) {
        PrepareOutcome::Done(update) => write::apply(ctx, key, &run, update, None).await,
        PrepareOutcome::Measure(prepared) => {
            if !prepared.tasks.is_empty() {
                tracing::debug!(run = %key, tasks = prepared.tasks.len(), "taking measurements");
            }
            let outcomes = measure(ctx, &run, &prepared).await;
            let update = assess(&run, &prepared, outcomes, Timestamp::now());
            write::apply(ctx, key, &run, update, Some(&prepared)).await
        }
    }
}

/// Runs every task through its metric's provider, all at once.
async fn measure(ctx: &Context, run: &AnalysisRun, prepared: &Prepared) -> Vec<Outcome> {
    join_all(prepared.tasks.iter().map(|task| run_task(ctx, run, prepared, task))).await
}

/// Runs one task; a metric without a usable provider gets an `Error` measurement saying why.
async fn run_task(ctx: &Context, run: &AnalysisRun, prepared: &Prepared, task: &Task) -> Outcome {
    let index = task.metric();
    let now = Timestamp::now();
    let Some(metric) = prepared.metrics.get(index) else {
        let message = format!("no metric at index {index}");
        return (index, measurement_error(new_measurement(now), message, now)).into();
    };
    let measurement = match (ctx.providers.for_metric(metric), task) {
        (Err(message), Task::Measure { .. }) => measurement_error(new_measurement(now), message, now),
        (Err(message), Task::Resume { measurement, .. } | Task::Terminate { measurement, .. }) => {
            measurement_error(measurement.clone(), message, now)
        }
        (Ok(provider), Task::Measure { .. }) => provider.run(run, metric).await,
        (Ok(provider), Task::Resume { measurement, .. }) => provider.resume(run, metric, measurement.clone()).await,
        (Ok(provider), Task::Terminate { measurement, .. }) => {
            let namespace = run.metadata.namespace.as_deref().unwrap_or_default();
            let name = run.metadata.name.as_deref().unwrap_or_default();
            tracing::info!(namespace = %namespace, analysisrun = %name, metric = %metric.name, "Terminating in-progress measurement");
            provider.terminate(run, metric, measurement.clone()).await
        }
    };
    if measurement.phase.is_completed() {
        tracing::debug!(
            run = %RunKey::of(run),
            metric = %metric.name,
            phase = %measurement.phase,
            message = %prepared.redact(measurement.message.as_deref().unwrap_or_default()),
            "measurement completed"
        );
    }
    Outcome {
        metric: index,
        measurement,
        metadata: ctx.providers.metadata(metric),
    }
}

/// When to retry a run whose reconcile failed.
pub fn error_policy(object: Arc<DynamicObject>, error: &RunError, ctx: Arc<Context>) -> Action {
    ctx.runtime.retry_after(&RunKey::of(object.as_ref()), error)
}
