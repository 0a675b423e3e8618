//! The Experiment's phase (upstream `calculateStatus`, `assessTemplates`, `assessAnalysisRuns`): Pending
//! on the first reconcile; then the worst template status and the worst analysis decide it, the
//! analyses having the last word once the templates completed successfully, or as soon as one fails or
//! every required one succeeded. `availableAt` is set when all templates first run.

use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::experiment::TemplateStatusCode;

use super::context::Ctx;
use super::lifecycle::{
    analysis_status, has_required_analyses, required_analyses_successful, run_phase, template_status,
};

/// What upstream says once every required analysis succeeded.
pub const REQUIRED_ANALYSES_COMPLETED: &str = "Required AnalysisRuns completed";

/// Upstream's template ranking, best to worst; an unset status ranks best.
fn template_rank(code: Option<TemplateStatusCode>) -> usize {
    match code {
        None | Some(TemplateStatusCode::Successful) => 0,
        Some(TemplateStatusCode::Running) => 1,
        Some(TemplateStatusCode::Progressing) => 2,
        Some(TemplateStatusCode::Error) => 3,
        Some(TemplateStatusCode::Failed) => 4,
    }
}

/// Upstream's analysis ranking, best to worst; an unknown phase (`""`) ranks best.
fn analysis_rank(phase: Option<AnalysisPhase>) -> usize {
    match phase {
        None | Some(AnalysisPhase::Successful) => 0,
        Some(AnalysisPhase::Running) => 1,
        Some(AnalysisPhase::Pending) => 2,
        Some(AnalysisPhase::Inconclusive) => 3,
        Some(AnalysisPhase::Error) => 4,
        Some(AnalysisPhase::Failed) => 5,
    }
}

/// Upstream `assessTemplates`: the worst template status as an experiment phase, with its message.
fn assess_templates(ctx: &Ctx<'_>) -> (AnalysisPhase, Option<String>) {
    let mut worst = Some(TemplateStatusCode::Successful);
    let mut message = None;
    for template in &ctx.spec().templates {
        match template_status(&ctx.status, &template.name) {
            None => {
                if template_rank(Some(TemplateStatusCode::Progressing)) > template_rank(worst) {
                    worst = Some(TemplateStatusCode::Progressing);
                }
            }
            Some(status) => {
                if template_rank(status.status) > template_rank(worst) {
                    worst = status.status;
                    message = status.message.clone();
                }
            }
        }
    }
    let phase = match worst {
        Some(TemplateStatusCode::Progressing) => AnalysisPhase::Pending,
        Some(TemplateStatusCode::Failed) => AnalysisPhase::Failed,
        Some(TemplateStatusCode::Error) => AnalysisPhase::Error,
        Some(TemplateStatusCode::Running) => AnalysisPhase::Running,
        None | Some(TemplateStatusCode::Successful) => AnalysisPhase::Successful,
    };
    (phase, message)
}

/// Upstream `assessAnalysisRuns`: the worst analysis (Successful without any), Pending reported as
/// Running; Successful with upstream's message once every required analysis succeeded and nothing is
/// still going.
fn assess_analyses(ctx: &Ctx<'_>) -> (AnalysisPhase, Option<String>) {
    let mut worst = Some(AnalysisPhase::Successful);
    let mut message = None;
    for analysis in ctx.spec().analyses.iter().flatten() {
        let Some(entry) = analysis_status(&ctx.status, &analysis.name) else {
            continue;
        };
        let phase = run_phase(entry);
        if analysis_rank(phase) > analysis_rank(worst) {
            worst = phase;
            message = entry.message.clone();
        }
    }
    if required_analyses_successful(ctx.spec(), &ctx.status)
        && analysis_rank(worst) < analysis_rank(Some(AnalysisPhase::Running))
    {
        return (AnalysisPhase::Successful, Some(REQUIRED_ANALYSES_COMPLETED.to_string()));
    }
    let phase = match worst {
        None | Some(AnalysisPhase::Pending) => AnalysisPhase::Running,
        Some(p) => p,
    };
    (phase, message)
}

/// Upstream `calculateStatus` (phase, message, availableAt).
pub fn calculate(ctx: &mut Ctx<'_>) {
    match ctx.status.phase {
        None => ctx.status.phase = Some(AnalysisPhase::Pending),
        Some(AnalysisPhase::Pending | AnalysisPhase::Running) => {
            let (templates, template_message) = assess_templates(ctx);
            let (analyses, analyses_message) = assess_analyses(ctx);
            if templates == AnalysisPhase::Running && ctx.status.available_at.is_none() {
                ctx.status.available_at = Some(ctx.stamp());
            }
            let by_analyses = if templates.is_completed() {
                templates == AnalysisPhase::Successful && (analyses.is_completed() || has_required_analyses(ctx.spec()))
            } else {
                (analyses.is_completed() && analyses != AnalysisPhase::Successful)
                    || required_analyses_successful(ctx.spec(), &ctx.status)
            };
            let (phase, message) = if by_analyses {
                (analyses, analyses_message)
            } else {
                (templates, template_message)
            };
            ctx.status.phase = Some(phase);
            ctx.status.message = message.filter(|m| !m.is_empty());
        }
        Some(_) => {}
    }
}
