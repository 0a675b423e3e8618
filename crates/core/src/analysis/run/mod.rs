//! One reconcile of an AnalysisRun (upstream `analysis/analysis.go` `reconcileAnalysisRun`) as two
//! pure steps around the asynchronous provider calls:
//!
//! 1. [`prepare`] reads the run as observed and the time, and either finishes the reconcile on the spot
//!    ([`PrepareOutcome::Done`]: a completed run, which only needs its TTL checked, or a run whose
//!    arguments or spec are unusable and which ends in `Error`), or says which measurements to take,
//!    resume or stop now ([`PrepareOutcome::Measure`]).
//! 2. The controller hands every [`Task`] to the metric's provider (`Measure` → run, `Resume` → resume,
//!    `Terminate` → terminate) and collects what comes back.
//! 3. [`assess()`] folds those measurements into the run's status: counters, the phase and message of
//!    every metric and of the run, the summaries, events, the measurement history trimmed to its
//!    retention limit (with the providers that must garbage collect), `completedAt`, and when to look
//!    at the run again.
//!
//! Nothing here reads a clock or talks to the cluster: the secrets a run refers to are read through a
//! function the caller supplies, and "now" is a parameter.
//!
//! Files by concern: [`args`] (argument substitution), [`validate`] (the spec checks that make a run
//! `Error`), [`tasks`] (what is due now, and when the next thing is due), [`record`] (folding new
//! measurements into the counters), [`mod@assess`] (metric and run phases, messages, summaries, events),
//! [`retention`] (trimming the measurement history) and [`ttl`] (deleting finished runs).

pub mod args;
pub mod assess;
pub mod record;
pub mod retention;
pub mod tasks;
pub mod ttl;
pub mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, AnalysisRunStatus, Measurement};

pub use args::{missing_secret_key_message, secret_not_found_message};
pub use retention::DEFAULT_MEASUREMENT_HISTORY_LIMIT;
pub use tasks::ERROR_RETRY_INTERVAL;

/// What to do with one metric in this reconcile. `metric` indexes [`Prepared::metrics`] (and the
/// run's `spec.metrics`, which has the same order).
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// Take a new measurement (provider `Run`); the result is appended to the metric's measurements.
    Measure {
        /// Index of the metric.
        metric: usize,
    },
    /// Check on the measurement in flight (provider `Resume`); the result replaces it.
    Resume {
        /// Index of the metric.
        metric: usize,
        /// The measurement in flight, as recorded in the status.
        measurement: Measurement,
    },
    /// Stop the measurement in flight because the run is terminating (provider `Terminate`); the
    /// result replaces it.
    Terminate {
        /// Index of the metric.
        metric: usize,
        /// The measurement in flight, as recorded in the status.
        measurement: Measurement,
    },
}

impl Task {
    /// Index of the metric the task is for.
    pub fn metric(&self) -> usize {
        match self {
            Task::Measure { metric } | Task::Resume { metric, .. } | Task::Terminate { metric, .. } => *metric,
        }
    }
}

/// What a provider returned for one [`Task`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// Index of the metric (as in the task).
    pub metric: usize,
    /// The measurement the provider returned. When the provider could not even be created, the
    /// controller reports an `Error` measurement with that error as its message, as upstream does (for
    /// `Resume` / `Terminate`, the measurement in flight turned `Error`).
    pub measurement: Measurement,
    /// The provider's metadata for the metric (upstream `GetMetadata`, e.g. Prometheus'
    /// `ResolvedPrometheusQuery`); stored only when the metric gets its first result.
    pub metadata: Option<BTreeMap<String, String>>,
}

impl From<(usize, Measurement)> for Outcome {
    fn from((metric, measurement): (usize, Measurement)) -> Self {
        Outcome {
            metric,
            measurement,
            metadata: None,
        }
    }
}

/// The measurements due in this reconcile, with everything [`assess()`] needs to judge them.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The run's metrics with their arguments substituted, secret values included: what the providers
    /// measure with (and garbage collect with).
    pub metrics: Vec<Metric>,
    /// What to do now, in metric order; at most one task per metric.
    pub tasks: Vec<Task>,
    /// The metrics with secret arguments replaced by a stand-in: what the run is judged by, as upstream
    /// judges it (so a secret never influences a decision or a message).
    judged: Vec<Metric>,
    /// Per metric: whether a `dryRun` rule matches it.
    dry_run: Vec<bool>,
    /// Per metric: the limit of the last `measurementRetention` rule that matches it.
    retention: Vec<Option<i32>>,
    /// The secret values the arguments read, to be masked in measurement messages.
    secrets: Vec<String>,
}

impl Prepared {
    /// Whether a `dryRun` rule matches the metric at `index`.
    pub fn is_dry_run(&self, index: usize) -> bool {
        self.dry_run.get(index).copied().unwrap_or(false)
    }

    /// `text` with every secret value the run's arguments read replaced by `*****` (for messages and
    /// logs).
    pub fn redact(&self, text: &str) -> String {
        record::redact(text, &self.secrets)
    }
}

/// The first half of a reconcile.
#[derive(Debug, Clone, PartialEq)]
pub enum PrepareOutcome {
    /// The reconcile is over: the run was completed already (only its TTL matters), is being deleted,
    /// or cannot run (bad arguments or spec: phase `Error`).
    Done(RunUpdate),
    /// Run the tasks through the providers, then call [`assess()`].
    Measure(Prepared),
}

/// An event to record on the AnalysisRun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEvent {
    /// Upstream's reason, e.g. `MetricFailed` or `AnalysisRunSuccessful`.
    pub reason: String,
    /// Upstream's message.
    pub message: String,
    /// A `Warning` event (Failed and Error outcomes) rather than a `Normal` one.
    pub warning: bool,
}

impl RunEvent {
    fn for_phase(prefix: &str, phase: AnalysisPhase, message: String) -> Self {
        RunEvent {
            reason: format!("{prefix}{phase}"),
            message,
            warning: matches!(phase, AnalysisPhase::Error | AnalysisPhase::Failed),
        }
    }

    /// `AnalysisRun<Phase>`: the run reached a final phase.
    pub fn run_completed(phase: AnalysisPhase) -> Self {
        Self::for_phase("AnalysisRun", phase, format!("Analysis Completed. Result: {phase}"))
    }

    /// `Metric<Phase>`: a metric reached a final phase.
    pub fn metric_completed(name: &str, phase: AnalysisPhase) -> Self {
        Self::for_phase("Metric", phase, format!("Metric '{name}' Completed. Result: {phase}"))
    }
}

/// The result of a reconcile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunUpdate {
    /// The run's whole new status (merge-patch it over the old one; there is no status subresource).
    pub status: AnalysisRunStatus,
    /// Events to record, in order.
    pub events: Vec<RunEvent>,
    /// Reconcile the run again after this long at the latest: the next measurement, the end of an
    /// initial delay, a `resumeAt`, or the TTL deadline of a completed run.
    pub requeue_after: Option<Duration>,
    /// Providers to garbage collect, as (index into [`Prepared::metrics`], number of newest measurements
    /// kept): the status already holds only that many.
    pub garbage_collect: Vec<(usize, usize)>,
    /// The run is completed and its `ttlStrategy` has expired: delete it.
    pub delete: bool,
}

impl RunUpdate {
    fn unchanged(run: &AnalysisRun) -> Self {
        RunUpdate {
            status: run.status.clone().unwrap_or_default(),
            ..RunUpdate::default()
        }
    }

    /// The run ends in `Error` before anything is measured. As upstream, `completedAt` stays unset.
    fn error(run: &AnalysisRun, message: String) -> Self {
        let mut status = run.status.clone().unwrap_or_default();
        status.phase = AnalysisPhase::Error;
        status.message = Some(message);
        RunUpdate {
            status,
            events: vec![RunEvent::run_completed(AnalysisPhase::Error)],
            ..RunUpdate::default()
        }
    }
}

/// How the caller reads a secret: `(secret name, key) → value`, or the message of why it cannot
/// (`secrets "x" not found` from the API, [`missing_secret_key_message`] for a missing key).
pub type SecretLookup<'a> = &'a dyn Fn(&str, &str) -> Result<String, String>;

/// The first half of a reconcile: decides whether anything is to be measured now, and what.
pub fn prepare(run: &AnalysisRun, secrets: SecretLookup<'_>, now: Timestamp) -> PrepareOutcome {
    if run.metadata.deletion_timestamp.is_some() {
        return PrepareOutcome::Done(RunUpdate::unchanged(run));
    }
    let phase = run.status.as_ref().map(|s| s.phase).unwrap_or_default();
    if phase.is_completed() {
        return PrepareOutcome::Done(ttl::completed_update(run, now));
    }
    let spec_args = run.spec.args.as_deref().unwrap_or_default();
    let resolve_error = |err: String| {
        PrepareOutcome::Done(RunUpdate::error(
            run,
            format!("Unable to resolve metric arguments: {err}"),
        ))
    };
    let spec_invalid =
        |err: String| PrepareOutcome::Done(RunUpdate::error(run, format!("Analysis spec invalid: {err}")));

    let placeholders = args::with_secret_placeholders(spec_args);
    let judged = match args::resolve_metrics(&run.spec.metrics, &placeholders) {
        Ok(metrics) => metrics,
        Err(err) => return resolve_error(err),
    };
    if let Err(err) = validate::validate_metrics(&judged) {
        return spec_invalid(err);
    }
    let dry_run = match validate::dry_run_flags(run.spec.dry_run.as_deref().unwrap_or_default(), &judged) {
        Ok(flags) => flags,
        Err(err) => return spec_invalid(err),
    };
    let retention =
        match validate::retention_limits(run.spec.measurement_retention.as_deref().unwrap_or_default(), &judged) {
            Ok(limits) => limits,
            Err(err) => return spec_invalid(err),
        };

    let tasks = tasks::generate(run, &judged, now);

    let (secret_args, secret_values) = match args::read_secrets(spec_args, secrets) {
        Ok(read) => read,
        Err(err) => return resolve_error(err),
    };
    let mut metrics = Vec::with_capacity(judged.len());
    for (index, (metric, fallback)) in run.spec.metrics.iter().zip(&judged).enumerate() {
        match args::resolve_metric(metric, &secret_args) {
            Ok(resolved) => metrics.push(resolved),
            // Upstream substitutes secret values only into the metrics it measures now; any other
            // metric keeps the stand-in.
            Err(err) if tasks.iter().any(|t| t.metric() == index) => return resolve_error(err),
            Err(_) => metrics.push(fallback.clone()),
        }
    }

    PrepareOutcome::Measure(Prepared {
        metrics,
        tasks,
        judged,
        dry_run,
        retention,
        secrets: secret_values,
    })
}

/// The second half of a reconcile: folds the providers' results for [`Prepared::tasks`] into the
/// status and judges the run. `run` is the same observation [`prepare`] was given; an outcome for a
/// metric without a task is ignored.
pub fn assess(run: &AnalysisRun, prepared: &Prepared, outcomes: Vec<Outcome>, now: Timestamp) -> RunUpdate {
    let mut status = run.status.clone().unwrap_or_default();
    if run.metadata.deletion_timestamp.is_some() {
        return RunUpdate::unchanged(run);
    }
    if status.phase.is_completed() {
        return ttl::completed_update(run, now);
    }
    // Decided on the phases persisted before this pass, as upstream does.
    let terminating = tasks::is_terminating(run);
    let mut results = status.metric_results.take().unwrap_or_default();
    record::apply(&mut results, prepared, outcomes, now);

    if status.started_at.is_none() {
        status.started_at = Some(Time(now));
    }
    let mut events = Vec::new();
    let verdict = assess::assess_run(
        &prepared.judged,
        &prepared.dry_run,
        &mut results,
        terminating,
        run.spec.terminate.unwrap_or(false),
        &mut events,
    );
    status.run_summary = Some(verdict.run_summary);
    status.dry_run_summary = Some(verdict.dry_run_summary);
    if verdict.phase != status.phase {
        status.phase = verdict.phase;
        status.message = Some(verdict.message).filter(|m| !m.is_empty());
        if verdict.phase.is_completed() {
            events.push(RunEvent::run_completed(verdict.phase));
            if status.completed_at.is_none() {
                status.completed_at = Some(Time(now));
            }
        }
    }

    let garbage_collect = retention::trim(&mut results, &prepared.judged, &prepared.retention);
    let next = tasks::next_reconcile(&status, &results, &prepared.judged, now);
    status.metric_results = Some(results).filter(|r| !r.is_empty());

    let mut requeue_after = next.map(|at| tasks::until(now, at));
    if status.phase.is_completed()
        && let Some(ttl) = ttl::remaining(&run.spec, &status, now)
    {
        requeue_after = Some(requeue_after.map_or(ttl, |r| r.min(ttl)));
    }
    RunUpdate {
        status,
        events,
        requeue_after,
        garbage_collect,
        delete: false,
    }
}
