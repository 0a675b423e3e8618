//! When to look at the Experiment again (upstream `calculateEnqueueDuration`): at the end of its
//! duration, or when a template still short of its pods reaches its progress deadline, whichever is
//! first; never for a terminating experiment (scale-down deadlines add their own requeue).

use jiff::SignedDuration;
use rollouts_api::experiment::TemplateStatusCode;

use super::context::Ctx;
use super::lifecycle::{desired_replicas, ends_at, is_terminating, template_status, until};

/// Adds the duration and progress-deadline requeue, judged on the status just computed.
pub fn calculate(ctx: &mut Ctx<'_>) {
    let spec = ctx.spec();
    if is_terminating(spec, &ctx.status) {
        return;
    }
    if let Some(end) = ends_at(spec, &ctx.status).filter(|end| *end >= ctx.now) {
        ctx.plan.requeue(until(ctx.now, end));
    }
    let deadline = SignedDuration::from_secs(i64::from(spec.progress_deadline_seconds_or_default()));
    for template in &spec.templates {
        let Some(status) = template_status(&ctx.status, &template.name) else {
            continue;
        };
        if !matches!(
            status.status,
            Some(TemplateStatusCode::Progressing | TemplateStatusCode::Running)
        ) {
            continue;
        }
        // A template with all its pods has nothing to time out.
        if status.available_replicas == desired_replicas(spec, &ctx.status, template) {
            continue;
        }
        if let Some(due) = status
            .last_transition_time
            .as_ref()
            .and_then(|t| t.0.checked_add(deadline).ok())
        {
            ctx.plan.requeue(until(ctx.now, due));
        }
    }
}
