//! Folding the providers' measurements into the metric results (upstream `runMeasurements`, after the
//! provider calls): a finished measurement gets `finishedAt` and moves the counters; a terminated one
//! that ended Successful or Inconclusive says `Metric Terminated`; secret values are masked in the
//! message; a new measurement is appended, a resumed or terminated one replaces the one in flight.
//!
//! Counters per finished measurement:
//!
//! | phase | count | successful / failed / inconclusive / error | consecutiveSuccess | consecutiveError |
//! |---|---|---|---|---|
//! | Successful | +1 | successful +1 | +1 | 0 |
//! | Failed | +1 | failed +1 | 0 | 0 |
//! | Inconclusive | +1 | inconclusive +1 | 0 | 0 |
//! | Error | — | error +1 | 0 | +1 |

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::analysis_run::{AnalysisPhase, Measurement, MetricResult};

use super::{Outcome, Prepared, Task};

/// What replaces a secret value in messages.
pub const REDACTED: &str = "*****";

/// The message a terminated measurement that ended Successful or Inconclusive carries.
pub const TERMINATED_MESSAGE: &str = "Metric Terminated";

/// Applies the outcome of every task (in task order; the first outcome per task counts, outcomes
/// without a task are ignored). A metric's first result is created here, appended after the existing
/// ones.
pub fn apply(results: &mut Vec<MetricResult>, prepared: &Prepared, outcomes: Vec<Outcome>, now: Timestamp) {
    let mut outcomes: Vec<Option<Outcome>> = outcomes.into_iter().map(Some).collect();
    for task in &prepared.tasks {
        let index = task.metric();
        let Some(outcome) = outcomes
            .iter_mut()
            .find(|o| o.as_ref().is_some_and(|o| o.metric == index))
            .and_then(Option::take)
        else {
            continue;
        };
        let Some(metric) = prepared.judged.get(index) else {
            continue;
        };
        if !results.iter().any(|r| r.name == metric.name) {
            results.push(MetricResult {
                name: metric.name.clone(),
                phase: AnalysisPhase::Running,
                dry_run: prepared.is_dry_run(index).then_some(true),
                metadata: outcome.metadata.filter(|m| !m.is_empty()),
                ..MetricResult::default()
            });
        }
        let Some(result) = results.iter_mut().find(|r| r.name == metric.name) else {
            continue;
        };
        let measurement = finish(outcome.measurement, task, result, &prepared.secrets, now);
        let measurements = result.measurements.get_or_insert_with(Vec::new);
        match (task, measurements.last_mut()) {
            (Task::Resume { .. } | Task::Terminate { .. }, Some(in_flight)) => *in_flight = measurement,
            _ => measurements.push(measurement),
        }
    }
}

/// The measurement as it is recorded, with the counters of `result` moved for it.
fn finish(
    mut measurement: Measurement,
    task: &Task,
    result: &mut MetricResult,
    secrets: &[String],
    now: Timestamp,
) -> Measurement {
    if matches!(task, Task::Terminate { .. })
        && matches!(
            measurement.phase,
            AnalysisPhase::Successful | AnalysisPhase::Inconclusive
        )
    {
        measurement.message = Some(TERMINATED_MESSAGE.to_string());
    }
    if measurement.phase.is_completed() {
        if measurement.finished_at.is_none() {
            measurement.finished_at = Some(Time(now));
        }
        count(result, measurement.phase);
    }
    if let Some(message) = measurement.message.as_mut() {
        *message = redact(message, secrets);
    }
    measurement
}

/// Moves the counters of `result` for one finished measurement in `phase`.
pub fn count(result: &mut MetricResult, phase: AnalysisPhase) {
    match phase {
        AnalysisPhase::Successful => {
            bump(&mut result.successful);
            bump(&mut result.count);
            result.consecutive_error = None;
            bump(&mut result.consecutive_success);
        }
        AnalysisPhase::Failed => {
            bump(&mut result.failed);
            bump(&mut result.count);
            result.consecutive_error = None;
            result.consecutive_success = None;
        }
        AnalysisPhase::Inconclusive => {
            bump(&mut result.inconclusive);
            bump(&mut result.count);
            result.consecutive_error = None;
            result.consecutive_success = None;
        }
        AnalysisPhase::Error => {
            bump(&mut result.error);
            bump(&mut result.consecutive_error);
            result.consecutive_success = None;
        }
        AnalysisPhase::Pending | AnalysisPhase::Running => {}
    }
}

/// Counters are written only when non-zero, as upstream's `omitempty` does.
fn bump(counter: &mut Option<i32>) {
    *counter = Some(counter.unwrap_or(0).saturating_add(1));
}

/// `text` with every non-empty secret value replaced by [`REDACTED`]; longer values first, so a value
/// that contains another is masked whole.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut ordered: Vec<&String> = secrets.iter().filter(|s| !s.is_empty()).collect();
    ordered.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    ordered
        .into_iter()
        .fold(text.to_string(), |text, secret| text.replace(secret.as_str(), REDACTED))
}
