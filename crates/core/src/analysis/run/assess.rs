//! Judging metrics and the run (upstream `assessMetricStatus`, `assessMetricFailureInconclusiveOrError`
//! and `assessRunStatus`).
//!
//! A metric's phase, once it has a finished last measurement:
//! 1. a breached limit decides, the later check winning: `failed > failureLimit` (unless -1) → Failed,
//!    `inconclusive > inconclusiveLimit` → Inconclusive, `consecutiveError > consecutiveErrorLimit` →
//!    Error;
//! 2. `consecutiveSuccess >= consecutiveSuccessLimit` (when above 0) → Successful;
//! 3. at the effective count: Inconclusive when both the failure limit and a consecutive success limit
//!    apply, Failed when only the success limit applies, else Successful;
//! 4. otherwise it keeps measuring (Running), or is Successful when the run is terminating.
//!
//! Without any measurement a metric is Pending (Successful when terminating); with one in flight it is
//! Running. A completed metric keeps its phase.
//!
//! The run's phase is the worst phase of its completed metrics that are not dry runs (order
//! Successful < Running < Pending < Inconclusive < Error < Failed) once all metrics completed, or at
//! once when the run is terminating; until then it is Running.

use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, MetricResult, RunSummary};
use rollouts_api::defaults::int_value;

use super::RunEvent;

/// Best to worst.
const ORDER: [AnalysisPhase; 6] = [
    AnalysisPhase::Successful,
    AnalysisPhase::Running,
    AnalysisPhase::Pending,
    AnalysisPhase::Inconclusive,
    AnalysisPhase::Error,
    AnalysisPhase::Failed,
];

/// The message of a run stopped by `spec.terminate` (unless a metric's breach explains it).
pub const TERMINATED_RUN_MESSAGE: &str = "Run Terminated";

fn rank(phase: AnalysisPhase) -> usize {
    ORDER.iter().position(|p| *p == phase).unwrap_or(0)
}

/// Whether `new` is strictly worse than `current` (upstream `IsWorse`).
pub fn is_worse(current: AnalysisPhase, new: AnalysisPhase) -> bool {
    rank(new) > rank(current)
}

/// The worse of two phases (upstream `Worst`).
pub fn worst(left: AnalysisPhase, right: AnalysisPhase) -> AnalysisPhase {
    if is_worse(left, right) { right } else { left }
}

fn counter(value: Option<i32>) -> i64 {
    i64::from(value.unwrap_or(0))
}

/// The limit a metric breached, if any, and why (`failed (1) > failureLimit (0)`, ...). Later checks
/// override earlier ones: Error over Inconclusive over Failed.
pub fn limit_breach(metric: &Metric, result: &MetricResult) -> Option<(AnalysisPhase, String)> {
    let mut breach = None;
    let failure_limit = metric.failure_limit_or_default();
    let failed = counter(result.failed);
    if failure_limit >= 0 && failed > failure_limit {
        breach = Some((
            AnalysisPhase::Failed,
            format!("failed ({failed}) > failureLimit ({failure_limit})"),
        ));
    }
    let inconclusive_limit = metric.inconclusive_limit_or_default();
    let inconclusive = counter(result.inconclusive);
    if inconclusive > inconclusive_limit {
        breach = Some((
            AnalysisPhase::Inconclusive,
            format!("inconclusive ({inconclusive}) > inconclusiveLimit ({inconclusive_limit})"),
        ));
    }
    let error_limit = metric.consecutive_error_limit_or_default();
    let errors = counter(result.consecutive_error);
    if errors > error_limit {
        breach = Some((
            AnalysisPhase::Error,
            format!("consecutiveErrors ({errors}) > consecutiveErrorLimit ({error_limit})"),
        ));
    }
    breach
}

/// The phase of one metric given its result so far (see the module docs).
pub fn metric_phase(metric: &Metric, result: &MetricResult, terminating: bool) -> AnalysisPhase {
    if result.phase.is_completed() {
        return result.phase;
    }
    let Some(last) = result.measurements.as_deref().and_then(|m| m.last()) else {
        return if terminating {
            AnalysisPhase::Successful
        } else {
            AnalysisPhase::Pending
        };
    };
    if !last.phase.is_completed() {
        return AnalysisPhase::Running;
    }
    if let Some((phase, _)) = limit_breach(metric, result) {
        return phase;
    }
    let success_limit = metric.consecutive_success_limit_or_default();
    if success_limit > 0 && counter(result.consecutive_success) >= success_limit {
        return AnalysisPhase::Successful;
    }
    if let Some(count) = metric.effective_count()
        && counter(result.count) >= int_value(&count)
    {
        let failure_applies = metric.failure_limit_or_default() >= 0;
        let success_applies = success_limit > 0;
        return match (failure_applies, success_applies) {
            (true, true) => AnalysisPhase::Inconclusive,
            (false, true) => AnalysisPhase::Failed,
            _ => AnalysisPhase::Successful,
        };
    }
    if terminating {
        AnalysisPhase::Successful
    } else {
        AnalysisPhase::Running
    }
}

/// The run's phase and message, and its summaries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunVerdict {
    /// Running until decided.
    pub phase: AnalysisPhase,
    /// Why (empty while Running).
    pub message: String,
    /// Counts over the metrics that decide the run.
    pub run_summary: RunSummary,
    /// Counts over the dry-run metrics.
    pub dry_run_summary: RunSummary,
}

#[derive(Default)]
struct Tally {
    count: i32,
    successful: i32,
    failed: i32,
    inconclusive: i32,
    error: i32,
}

impl Tally {
    fn add(&mut self, breach: Option<AnalysisPhase>) {
        let slot = match breach {
            Some(AnalysisPhase::Error) => &mut self.error,
            Some(AnalysisPhase::Failed) => &mut self.failed,
            Some(AnalysisPhase::Inconclusive) => &mut self.inconclusive,
            _ => &mut self.successful,
        };
        *slot = slot.saturating_add(1);
    }

    fn summary(&self) -> RunSummary {
        let non_zero = |n: i32| (n != 0).then_some(n);
        RunSummary {
            count: non_zero(self.count),
            successful: non_zero(self.successful),
            failed: non_zero(self.failed),
            inconclusive: non_zero(self.inconclusive),
            error: non_zero(self.error),
        }
    }
}

/// Judges every metric (updating each result's phase and message, with a `Metric<Phase>` event when it
/// completes) and then the run. `metrics` and `dry_run` are in spec order; `terminating` is decided on
/// the phases persisted before this pass; `terminate_requested` is `spec.terminate`.
pub fn assess_run(
    metrics: &[Metric],
    dry_run: &[bool],
    results: &mut [MetricResult],
    terminating: bool,
    terminate_requested: bool,
    events: &mut Vec<RunEvent>,
) -> RunVerdict {
    let mut worst_phase: Option<AnalysisPhase> = None;
    let mut worst_message = if terminate_requested {
        TERMINATED_RUN_MESSAGE.to_string()
    } else {
        String::new()
    };
    let mut everything_completed = true;
    let mut run_tally = Tally::default();
    let mut dry_tally = Tally::default();

    for (index, metric) in metrics.iter().enumerate() {
        let is_dry_run = dry_run.get(index).copied().unwrap_or(false);
        let tally = if is_dry_run { &mut dry_tally } else { &mut run_tally };
        tally.count = tally.count.saturating_add(1);
        let Some(result) = results.iter_mut().find(|r| r.name == metric.name) else {
            // Not started yet (an initial delay, say).
            everything_completed = false;
            continue;
        };
        let phase = metric_phase(metric, result, terminating);
        if result.phase != phase {
            if phase.is_completed() {
                events.push(RunEvent::metric_completed(&metric.name, phase));
            }
            if let Some(last) = result.measurements.as_deref().and_then(|m| m.last()) {
                result.message = last.message.clone().filter(|m| !m.is_empty());
            }
            result.phase = phase;
        }
        if !phase.is_completed() {
            everything_completed = false;
            continue;
        }
        let breach = limit_breach(metric, result);
        let breach_phase = breach.as_ref().map(|(p, _)| *p);
        if is_dry_run {
            worst_phase.get_or_insert(AnalysisPhase::Successful);
            if let Some((_, why)) = &breach {
                result.message = Some(format!("Metric assessed {phase} due to {why}"));
            }
            dry_tally.add(breach_phase);
        } else {
            if worst_phase.is_none_or(|w| is_worse(w, phase)) {
                worst_phase = Some(phase);
                if let Some((_, why)) = &breach {
                    worst_message = format!("Metric \"{}\" assessed {phase} due to {why}", metric.name);
                    if let Some(detail) = result.message.as_deref().filter(|m| !m.is_empty()) {
                        worst_message.push_str(&format!(": \"Error Message: {detail}\""));
                    }
                }
            }
            run_tally.add(breach_phase);
        }
    }

    let message = worst_message.trim().to_string();
    let (phase, message) = match worst_phase {
        _ if terminating => (worst_phase.unwrap_or(AnalysisPhase::Successful), message),
        Some(worst) if everything_completed => (worst, message),
        _ => (AnalysisPhase::Running, String::new()),
    };
    RunVerdict {
        phase,
        message,
        run_summary: run_tally.summary(),
        dry_run_summary: dry_tally.summary(),
    }
}
