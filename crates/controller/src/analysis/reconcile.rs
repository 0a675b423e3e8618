//! One reconcile of one AnalysisRun (upstream `analysis/controller.go` `syncHandler` and
//! `reconcileAnalysisRun`): decode the cached copy, make sure it is not older than our own last write,
//! read the Secrets its arguments refer to, [`prepare`] the measurements due, take them through the
//! providers in parallel, [`assess`] the results, and [`write::apply`] the outcome.

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
use super::write::{self, Reconciled};
use crate::runtime::decode::decode_cached;
use crate::runtime::events;
use crate::runtime::metrics::SlowReconciles;
use crate::runtime::repeats::Report;
use crate::runtime::staleness::STALE_REQUEUE;
use crate::runtime::watchdog;

/// Reconciles one AnalysisRun, counting it.
pub async fn reconcile(object: Arc<DynamicObject>, ctx: Arc<Context>) -> Result<Action, RunError> {
    let key = RunKey::of(object.as_ref());
    let work = reconcile_run(&object, &ctx, &key);
    let result = watchdog::watch(work, ctx.limits, SlowReconciles::AnalysisRun, &key, &ctx.metrics)
        .await
        .unwrap_or_else(|watchdog::TimedOut(limit)| Err(RunError::TimedOut(limit)));
    ctx.metrics.record_analysis_run_reconcile(&key, result.is_err());
    log_outcome(&ctx, &key, &result);
    result.map(|reconciled| match reconciled {
        Reconciled::Done(action) => {
            ctx.backoff.reset(&key);
            action
        }
        Reconciled::Deferred(action) => action,
    })
}

/// Logs a failing run once per failing state (see [`crate::repeats`]), and once when it recovers.
fn log_outcome(ctx: &Context, key: &RunKey, result: &Result<Reconciled, RunError>) {
    let now = std::time::Instant::now();
    match result {
        Ok(Reconciled::Done(_)) => {
            if let Some(failing_for) = ctx.failures.succeeded(key, now) {
                tracing::info!(run = %key, ?failing_for, "the AnalysisRun reconciles again");
            }
        }
        Ok(Reconciled::Deferred(_)) => {}
        // Already reported, once per version, when it was found.
        Err(RunError::Decode(_)) => {}
        Err(error) => match ctx.failures.failed(key, &error.to_string(), now) {
            Report::New => tracing::warn!(run = %key, %error, "AnalysisRun reconcile failed"),
            Report::Again { left_out } => {
                tracing::warn!(run = %key, %error, left_out, "AnalysisRun reconcile still failing")
            }
            Report::Quiet => tracing::debug!(run = %key, %error, "AnalysisRun reconcile failed again"),
        },
    }
}

async fn reconcile_run(object: &DynamicObject, ctx: &Context, key: &RunKey) -> Result<Reconciled, RunError> {
    if object.metadata.deletion_timestamp.is_some() {
        return Ok(Reconciled::Done(Action::await_change()));
    }
    let run = match decode_cached::<AnalysisRun>(object) {
        Ok(run) => run,
        Err(message) => {
            warn_undecodable(ctx, object, key, &message).await;
            return Err(RunError::Decode(message));
        }
    };
    ctx.decodes_again(key);
    let stale = ctx.tracker.is_stale(
        key,
        object.metadata.resource_version.as_deref(),
        |_| None,
        Instant::now(),
    );
    if stale {
        tracing::debug!(run = %key, "the cache is behind our last write; looking again shortly");
        return Ok(Reconciled::Deferred(Action::requeue(STALE_REQUEUE)));
    }
    let secrets = SecretValues::read(&ctx.client, &run).await;
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
            tracing::info!(run = %RunKey::of(run), metric = %metric.name, "terminating in-progress measurement");
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

/// Logs and (once per version) records a Warning event on a run that cannot be decoded.
async fn warn_undecodable(ctx: &Context, object: &DynamicObject, key: &RunKey, message: &str) {
    let version = object.metadata.resource_version.clone().unwrap_or_default();
    if !ctx.first_warning(key, &version) {
        return;
    }
    tracing::warn!(run = %key, error = %message, "skipping an AnalysisRun that cannot be decoded");
    let event = rollouts_core::plan::Event::warning(
        "InvalidSpec",
        format!(
            "The AnalysisRun \"{}\" is invalid: cannot be decoded: {message}",
            key.name
        ),
    );
    ctx.recorder
        .record(&events::reference(write::KIND, &object.metadata), &event)
        .await;
}

/// When to retry a run whose reconcile failed.
pub fn error_policy(object: Arc<DynamicObject>, error: &RunError, ctx: Arc<Context>) -> Action {
    match error {
        // Nothing to retry until the object changes; the resync still looks at it now and then.
        RunError::Decode(_) => Action::requeue(ctx.resync),
        _ => Action::requeue(ctx.backoff.failure(&RunKey::of(object.as_ref()))),
    }
}
