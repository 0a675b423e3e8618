//! Where an Experiment stands (upstream `utils/experiment`): finished, terminating, past its duration,
//! its required analyses done, and the replicas each template should have.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::experiment::{
    ExperimentAnalysisRunStatus, ExperimentSpec, ExperimentStatus, TemplateSpec, TemplateStatus, TemplateStatusCode,
};

/// Whether a template status is final (Successful, Failed or Error).
pub fn template_completed(code: Option<TemplateStatusCode>) -> bool {
    matches!(
        code,
        Some(TemplateStatusCode::Successful | TemplateStatusCode::Failed | TemplateStatusCode::Error)
    )
}

/// The phase an analysis entry records; `None` is upstream's `""`, an analysis whose run was not started
/// (the API types read `""` as Pending, and a Pending entry always names its run).
pub fn run_phase(entry: &ExperimentAnalysisRunStatus) -> Option<AnalysisPhase> {
    if entry.analysis_run.is_empty() && entry.phase == AnalysisPhase::Pending {
        None
    } else {
        Some(entry.phase)
    }
}

/// Whether a (possibly unknown) phase is final.
pub fn phase_completed(phase: Option<AnalysisPhase>) -> bool {
    phase.is_some_and(AnalysisPhase::is_completed)
}

/// The template status recorded for `name`.
pub fn template_status<'s>(status: &'s ExperimentStatus, name: &str) -> Option<&'s TemplateStatus> {
    status.template_statuses.iter().flatten().find(|t| t.name == name)
}

/// The analysis entry recorded for `name`.
pub fn analysis_status<'s>(status: &'s ExperimentStatus, name: &str) -> Option<&'s ExperimentAnalysisRunStatus> {
    status.analysis_runs.iter().flatten().find(|a| a.name == name)
}

/// Upstream `HasFinished`: the phase is final.
pub fn has_finished(status: &ExperimentStatus) -> bool {
    phase_completed(status.phase)
}

/// Upstream `HasRequiredAnalysisRuns`.
pub fn has_required_analyses(spec: &ExperimentSpec) -> bool {
    spec.analyses
        .iter()
        .flatten()
        .any(|a| a.required_for_completion.unwrap_or(false))
}

/// Upstream `RequiredAnalysisRunsSuccessful`: there is at least one required analysis, and every one
/// of them succeeded.
pub fn required_analyses_successful(spec: &ExperimentSpec, status: &ExperimentStatus) -> bool {
    let mut required = spec
        .analyses
        .iter()
        .flatten()
        .filter(|a| a.required_for_completion.unwrap_or(false))
        .peekable();
    required.peek().is_some()
        && required
            .all(|a| analysis_status(status, &a.name).is_some_and(|s| run_phase(s) == Some(AnalysisPhase::Successful)))
}

/// Upstream `IsTerminating`: asked to terminate, finished, a template Failed or Error, an analysis
/// Failed, Error or Inconclusive, or every required analysis succeeded.
pub fn is_terminating(spec: &ExperimentSpec, status: &ExperimentStatus) -> bool {
    if spec.terminate.unwrap_or(false) || has_finished(status) {
        return true;
    }
    let template_failed = status
        .template_statuses
        .iter()
        .flatten()
        .any(|t| matches!(t.status, Some(TemplateStatusCode::Failed | TemplateStatusCode::Error)));
    let analysis_failed = status.analysis_runs.iter().flatten().any(|a| {
        matches!(
            run_phase(a),
            Some(AnalysisPhase::Failed | AnalysisPhase::Error | AnalysisPhase::Inconclusive)
        )
    });
    template_failed || analysis_failed || required_analyses_successful(spec, status)
}

/// `spec.duration` as a span; `None` when unset or empty, `Err` with Go's message when unreadable.
pub fn duration(spec: &ExperimentSpec) -> Option<Result<SignedDuration, String>> {
    let text = spec.duration.as_deref().filter(|d| !d.is_empty())?;
    Some(
        rollouts_api::duration::parse_nanos(text)
            .map(SignedDuration::from_nanos)
            .map_err(|e| e.to_string()),
    )
}

/// When the duration ends: `availableAt + duration`; `None` without both (or with an unreadable
/// duration, which upstream treats as never passing).
pub fn ends_at(spec: &ExperimentSpec, status: &ExperimentStatus) -> Option<Timestamp> {
    let available_at = status.available_at.as_ref()?.0;
    let duration = duration(spec)?.ok()?;
    available_at.checked_add(duration).ok()
}

/// Upstream `PassedDurations`: whether the experiment has run for its whole duration (strictly after
/// its end).
pub fn passed_duration(spec: &ExperimentSpec, status: &ExperimentStatus, now: Timestamp) -> bool {
    ends_at(spec, status).is_some_and(|end| now > end)
}

/// The time from `now` to `at`, zero when it has passed.
pub fn until(now: Timestamp, at: Timestamp) -> Duration {
    Duration::try_from(at.duration_since(now)).unwrap_or(Duration::ZERO)
}

/// Upstream `CalculateTemplateReplicasCount`, from the observed status: 0 once the experiment finished
/// or is terminating, or the template's status is final; else the template's replicas (default 1).
pub fn desired_replicas(spec: &ExperimentSpec, status: &ExperimentStatus, template: &TemplateSpec) -> i32 {
    if is_terminating(spec, status) {
        return 0;
    }
    if template_status(status, &template.name).is_some_and(|t| template_completed(t.status)) {
        return 0;
    }
    template.replicas_or_default()
}
