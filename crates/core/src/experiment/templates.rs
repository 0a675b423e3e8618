//! One template per reconcile (upstream `reconcileTemplate`): its ReplicaSet created, scaled or held
//! for its scale-down deadline, its Service, its counts, and its status with upstream's transitions:
//! `Progressing` until all desired pods are available, then `Running`, `Successful` once the duration
//! passed or the experiment is terminating, `Failed` when no progress was seen for
//! `progressDeadlineSeconds`; a final status never changes again.

use jiff::SignedDuration;
use rollouts_api::experiment::{TemplateSpec, TemplateStatus, TemplateStatusCode};

use super::context::Ctx;
use super::lifecycle::{desired_replicas, passed_duration, template_completed, template_status};
use super::replica_sets::{self, available_replicas};
use super::services;
use crate::plan::Event;

/// The wire name of a template status code, "" when unset (as upstream prints it).
pub fn code_name(code: Option<TemplateStatusCode>) -> &'static str {
    match code {
        None => "",
        Some(TemplateStatusCode::Progressing) => "Progressing",
        Some(TemplateStatusCode::Running) => "Running",
        Some(TemplateStatusCode::Successful) => "Successful",
        Some(TemplateStatusCode::Failed) => "Failed",
        Some(TemplateStatusCode::Error) => "Error",
    }
}

/// Reconciles one template and records its status.
pub fn reconcile(ctx: &mut Ctx<'_>, template: &TemplateSpec) {
    let prev = template_status(&ctx.old, &template.name)
        .cloned()
        .unwrap_or_else(|| TemplateStatus {
            name: template.name.clone(),
            ..Default::default()
        });
    let mut status = prev.clone();
    let desired = desired_replicas(ctx.spec(), &ctx.old, template);
    let now = ctx.stamp();

    match ctx.replica_sets.get(&template.name) {
        None => replica_sets::create(ctx, template, &mut status),
        Some(rs) => {
            let available = available_replicas(rs);
            if template.service.is_none() {
                services::delete(ctx, &template.name, &mut status);
            } else if desired != 0 {
                services::ensure(ctx, template, &mut status);
            } else if available == 0 {
                services::delete(ctx, &template.name, &mut status);
            }
            if desired == 0 {
                replica_sets::add_scale_down_delay(ctx, &template.name);
            }
            // Upstream also moves the transition time while a scale-down waits for its deadline, which
            // rewrites the status every second of the delay; only an actual scale counts here.
            if replica_sets::scale(ctx, &template.name, desired) {
                status.last_transition_time = Some(now.clone());
            }
        }
    }

    replica_sets::record_counts(ctx.replica_sets.get(&template.name), &mut status);
    if (
        prev.replicas,
        prev.updated_replicas,
        prev.ready_replicas,
        prev.available_replicas,
    ) != (
        status.replicas,
        status.updated_replicas,
        status.ready_replicas,
        status.available_replicas,
    ) {
        status.last_transition_time = Some(now.clone());
    }

    if !template_completed(status.status) {
        status.status = Some(next_status(ctx, template, &mut status, desired));
    }

    if prev.status != status.status {
        transition_event(ctx, &template.name, &prev, &status);
    }
    set_template_status(ctx, status);
}

/// The status of a template that is not final yet.
fn next_status(
    ctx: &Ctx<'_>,
    template: &TemplateSpec,
    status: &mut TemplateStatus,
    desired: i32,
) -> TemplateStatusCode {
    if desired == status.available_replicas {
        if passed_duration(ctx.spec(), &ctx.old, ctx.now) || ctx.terminating {
            return TemplateStatusCode::Successful;
        }
        return TemplateStatusCode::Running;
    }
    let deadline_seconds = ctx.spec().progress_deadline_seconds_or_default();
    let from = status.last_transition_time.as_ref().map_or(ctx.now, |t| t.0);
    let deadline = from
        .checked_add(SignedDuration::from_secs(i64::from(deadline_seconds)))
        .unwrap_or(from);
    if ctx.now > deadline {
        status.message = Some(format!(
            "Template '{}' exceeded its progressDeadlineSeconds ({deadline_seconds})",
            template.name
        ));
        return TemplateStatusCode::Failed;
    }
    if ctx.terminating {
        return TemplateStatusCode::Successful;
    }
    TemplateStatusCode::Progressing
}

/// `Template<Status>`: `Template 'x' transitioned from A -> B[: message]`, a Warning for Failed and Error.
pub(super) fn transition_event(ctx: &mut Ctx<'_>, name: &str, prev: &TemplateStatus, status: &TemplateStatus) {
    let mut message = format!(
        "Template '{name}' transitioned from {} -> {}",
        code_name(prev.status),
        code_name(status.status)
    );
    if let Some(m) = status.message.as_deref().filter(|m| !m.is_empty()) {
        message = format!("{message}: {m}");
    }
    let reason = format!("Template{}", code_name(status.status));
    let event = match status.status {
        Some(TemplateStatusCode::Failed | TemplateStatusCode::Error) => Event::warning(&reason, message),
        _ => Event::normal(&reason, message),
    };
    ctx.event(event);
}

/// Upstream `SetTemplateStatus`: replaces the entry of that name, or appends one.
pub(super) fn set_template_status(ctx: &mut Ctx<'_>, status: TemplateStatus) {
    let list = ctx.status.template_statuses.get_or_insert_with(Vec::new);
    match list.iter_mut().find(|t| t.name == status.name) {
        Some(entry) => *entry = status,
        None => list.push(status),
    }
}
