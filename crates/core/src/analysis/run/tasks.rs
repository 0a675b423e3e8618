//! What is due now (upstream `generateMetricTasks`) and when the next thing falls due (upstream
//! `calculateNextReconcileTime`).
//!
//! Per metric that has not completed:
//! - a measurement in flight (no `finishedAt`) is resumed once its `resumeAt` has passed (or when it has
//!   none), and terminated at once when the run is terminating;
//! - a terminating run takes no new measurements;
//! - the first measurement waits for `initialDelay` after `status.startedAt` (and for `startedAt` to be
//!   set at all);
//! - later ones stop at the effective count and otherwise come `interval` after the last one finished,
//!   or [`ERROR_RETRY_INTERVAL`] after an `Error` measurement (also the fallback without an interval).
//!
//! Durations that do not parse make the metric wait (validation reports them first).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, AnalysisRunStatus, Measurement, MetricResult};
use rollouts_api::defaults::int_value;
use rollouts_api::duration::parse_nanos;

use super::Task;

/// How long to wait before measuring again after an `Error` measurement (upstream
/// `DefaultErrorRetryInterval`).
pub const ERROR_RETRY_INTERVAL: Duration = Duration::from_secs(10);

/// Whether the run is winding down: termination was requested, or a metric that is not a dry run has
/// already ended Failed, Error or Inconclusive (upstream `IsTerminating`), judged on the status as
/// persisted.
pub fn is_terminating(run: &AnalysisRun) -> bool {
    run.spec.terminate.unwrap_or(false)
        || run
            .status
            .iter()
            .flat_map(|s| s.metric_results.iter().flatten())
            .any(|r| {
                !r.dry_run.unwrap_or(false)
                    && matches!(
                        r.phase,
                        AnalysisPhase::Failed | AnalysisPhase::Error | AnalysisPhase::Inconclusive
                    )
            })
}

/// The result recorded for `name`, if any.
pub fn find_result<'a>(results: &'a [MetricResult], name: &str) -> Option<&'a MetricResult> {
    results.iter().find(|r| r.name == name)
}

/// The tasks due at `now`, in metric order. `metrics` are the run's metrics with arguments
/// substituted.
pub fn generate(run: &AnalysisRun, metrics: &[Metric], now: Timestamp) -> Vec<Task> {
    let terminating = is_terminating(run);
    let unset = AnalysisRunStatus::default();
    let status = run.status.as_ref().unwrap_or(&unset);
    let results = status.metric_results.as_deref().unwrap_or_default();
    let mut tasks = Vec::new();
    for (index, metric) in metrics.iter().enumerate() {
        let result = find_result(results, &metric.name);
        if result.is_some_and(|r| r.phase.is_completed()) {
            continue;
        }
        let last = result.and_then(last_measurement);
        let Some(last) = last else {
            if !terminating && initial_delay_over(metric, status, now) {
                tasks.push(Task::Measure { metric: index });
            }
            continue;
        };
        if last.finished_at.is_none() {
            let task = if terminating {
                Task::Terminate {
                    metric: index,
                    measurement: last.clone(),
                }
            } else if last.resume_at.as_ref().is_some_and(|at| at.0 > now) {
                continue;
            } else {
                Task::Resume {
                    metric: index,
                    measurement: last.clone(),
                }
            };
            tasks.push(task);
            continue;
        }
        if terminating || count_reached(metric, result) {
            continue;
        }
        let interval = match retry_interval(metric, last) {
            Some(Ok(interval)) => interval,
            Some(Err(())) => continue,
            None => signed(ERROR_RETRY_INTERVAL),
        };
        if let Some(due) = last.finished_at.as_ref().and_then(|f| add(f.0, interval))
            && now > due
        {
            tasks.push(Task::Measure { metric: index });
        }
    }
    tasks
}

/// The earliest time something falls due for the metrics not completed in `results` (the status after
/// this pass): an initial delay ending, a `resumeAt`, or the next measurement. Metrics without a
/// measurement and without an initial delay, in-flight measurements without `resumeAt`, and finished
/// counts add nothing.
pub fn next_reconcile(
    status: &AnalysisRunStatus,
    results: &[MetricResult],
    metrics: &[Metric],
    now: Timestamp,
) -> Option<Timestamp> {
    let mut earliest: Option<Timestamp> = None;
    for metric in metrics {
        let result = find_result(results, &metric.name);
        if result.is_some_and(|r| r.phase.is_completed()) {
            continue;
        }
        let candidate = match result.and_then(last_measurement) {
            None => {
                let delay = metric.initial_delay.as_deref().unwrap_or_default();
                if delay.is_empty() {
                    continue;
                }
                let start = status.started_at.as_ref().map_or(now, |t| t.0);
                parse(delay).ok().and_then(|d| add(start, d))
            }
            Some(last) if last.finished_at.is_none() => last.resume_at.as_ref().map(|t| t.0),
            Some(last) => {
                if count_reached(metric, result) {
                    continue;
                }
                match retry_interval(metric, last) {
                    Some(Ok(interval)) => last.finished_at.as_ref().and_then(|f| add(f.0, interval)),
                    _ => None,
                }
            }
        };
        if let Some(at) = candidate {
            earliest = Some(earliest.map_or(at, |e| e.min(at)));
        }
    }
    earliest
}

/// How long from `now` until `at`, zero when it has passed.
pub fn until(now: Timestamp, at: Timestamp) -> Duration {
    let span = at.duration_since(now);
    Duration::try_from(span).unwrap_or(Duration::ZERO)
}

fn last_measurement(result: &MetricResult) -> Option<&Measurement> {
    result.measurements.as_deref().and_then(|m| m.last())
}

/// Whether the metric took as many (non-error) measurements as it should.
fn count_reached(metric: &Metric, result: Option<&MetricResult>) -> bool {
    let taken = i64::from(result.and_then(|r| r.count).unwrap_or(0));
    metric.effective_count().is_some_and(|count| taken >= int_value(&count))
}

/// The wait after `last`: the error retry after an `Error`, else the metric's interval. `None` when
/// neither applies; `Some(Err)` when the interval does not parse.
fn retry_interval(metric: &Metric, last: &Measurement) -> Option<Result<SignedDuration, ()>> {
    if last.phase == AnalysisPhase::Error {
        return Some(Ok(signed(ERROR_RETRY_INTERVAL)));
    }
    let interval = metric.interval.as_deref().unwrap_or_default();
    if interval.is_empty() {
        return None;
    }
    Some(parse(interval))
}

/// Whether the first measurement may be taken: no initial delay, or `startedAt + initialDelay` has
/// come.
fn initial_delay_over(metric: &Metric, status: &AnalysisRunStatus, now: Timestamp) -> bool {
    let delay = metric.initial_delay.as_deref().unwrap_or_default();
    if delay.is_empty() {
        return true;
    }
    let Some(started) = status.started_at.as_ref() else {
        return false;
    };
    match parse(delay).ok().and_then(|d| add(started.0, d)) {
        Some(end) => end <= now,
        None => false,
    }
}

fn parse(text: &str) -> Result<SignedDuration, ()> {
    parse_nanos(text).map(SignedDuration::from_nanos).map_err(|_| ())
}

fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

/// `t + d`, or `None` beyond the representable range.
fn add(t: Timestamp, d: SignedDuration) -> Option<Timestamp> {
    t.checked_add(d).ok()
}
