//! What upstream records when a write fails (and is not a conflict, `AlreadyExists` or `NotFound`,
//! which a new reconcile sorts out): the template or analysis the write was for turns `Error` with
//! upstream's message, which ends the experiment in `Error`. Upstream decides this in the reconcile
//! that failed; here the controller asks for it once a write of a plan failed, and persists the
//! status it returns.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::experiment::{ExperimentAnalysisRunStatus, TemplateStatus, TemplateStatusCode};
use rollouts_api::well_known::{annotations, reasons};

use super::actions::{Action, Plan};
use super::claim::claim_all;
use super::context::Ctx;
use super::lifecycle::{analysis_status, template_status};
use super::replica_sets::spec_replicas;
use super::snapshot::Snapshot;
use super::{analysis_runs, conditions, phase, status, templates};
use crate::plan::Event;

fn template_of(meta: &ObjectMeta) -> Option<String> {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(annotations::EXPERIMENT_TEMPLATE_NAME))
        .cloned()
}

fn fail_template(ctx: &mut Ctx<'_>, template: &str, message: String) {
    let prev = template_status(&ctx.old, template)
        .cloned()
        .unwrap_or_else(|| TemplateStatus {
            name: template.to_string(),
            ..Default::default()
        });
    let mut failed = prev.clone();
    failed.status = Some(TemplateStatusCode::Error);
    failed.message = Some(message);
    if prev.status != failed.status {
        templates::transition_event(ctx, template, &prev, &failed);
    }
    templates::set_template_status(ctx, failed);
}

fn fail_analysis(ctx: &mut Ctx<'_>, name: &str, run: Option<&str>, message: String) {
    let Some(analysis) = ctx.spec().analyses.iter().flatten().find(|a| a.name == name) else {
        return;
    };
    let prev = analysis_status(&ctx.old, name)
        .cloned()
        .unwrap_or_else(|| ExperimentAnalysisRunStatus {
            name: name.to_string(),
            ..Default::default()
        });
    let mut failed = prev.clone();
    if let Some(run) = run {
        failed.analysis_run = run.to_string();
    }
    failed.phase = AnalysisPhase::Error;
    failed.message = Some(message);
    analysis_runs::transition_event(ctx, analysis, &prev, &failed);
    analysis_runs::set_entry(ctx, failed);
}

/// The plan that records the failure of `failed` (a write of a plan for the same snapshot) with the
/// API server's `error` message: the status patch and events upstream writes for it. Nothing for
/// writes whose failure upstream only logs (the `scale-down-deadline` patch) or retries (the status
/// patch itself).
pub fn write_failed(snapshot: &Snapshot<'_>, failed: &Action, error: &str) -> Plan {
    let claimed = claim_all(snapshot).unwrap_or_default();
    let mut ctx = Ctx::new(snapshot, claimed);
    match failed {
        Action::CreateReplicaSet(rs) => {
            let Some(template) = template_of(&rs.metadata) else {
                return Plan::default();
            };
            let name = rs.metadata.name.clone().unwrap_or_default();
            ctx.event(Event::normal(
                reasons::REPLICA_SET_CREATE_ERROR,
                format!("Failed to create new replica set \"{name}\": {error}"),
            ));
            let message = format!("Failed to create ReplicaSet for template '{template}': {error}");
            fail_template(&mut ctx, &template, message);
        }
        Action::UpdateReplicaSet(rs) => {
            let Some(template) = template_of(&rs.metadata) else {
                return Plan::default();
            };
            let name = rs.metadata.name.clone().unwrap_or_default();
            let desired = spec_replicas(rs);
            let current = ctx.replica_sets.get(&template).map_or(desired, spec_replicas);
            let direction = if current < desired { "up" } else { "down" };
            ctx.event(Event::warning(
                "ReplicaSetUpdateError",
                format!("Failed to scale {name} {direction}: {error}"),
            ));
            let message = format!(
                "Unable to scale ReplicaSet for template '{template}' to desired replica count '{desired}': {error}"
            );
            fail_template(&mut ctx, &template, message);
        }
        Action::CreateService(svc) => {
            let Some(template) = template_of(&svc.metadata) else {
                return Plan::default();
            };
            let name = svc.metadata.name.clone().unwrap_or_default();
            let message =
                format!("Failed to create Service {name} for template '{template}': cannot create service: {error}");
            fail_template(&mut ctx, &template, message);
        }
        Action::DeleteService { name, .. } => {
            let Some(template) = ctx
                .services
                .iter()
                .find(|(_, s)| s.metadata.name.as_deref() == Some(name.as_str()))
                .map(|(t, _)| t.clone())
            else {
                return Plan::default();
            };
            let message = format!("Failed to delete Service for template '{template}': {error}");
            fail_template(&mut ctx, &template, message);
        }
        Action::CreateAnalysisRun(run) => {
            let run_name = run.metadata.name.clone().unwrap_or_default();
            let prefix = format!("{}-", ctx.name());
            let Some(analysis) = ctx.spec().analyses.iter().flatten().find(|a| {
                run_name.strip_prefix(&prefix).is_some_and(|rest| {
                    rest == a.name || rest.strip_prefix(&a.name).is_some_and(|n| n.starts_with('.'))
                })
            }) else {
                return Plan::default();
            };
            let name = analysis.name.clone();
            let message = format!("Failed to create AnalysisRun for analysis '{name}': {error}");
            fail_analysis(&mut ctx, &name, None, message);
        }
        Action::PatchAnalysisRun { name, .. } => {
            let Some(entry) = ctx
                .old
                .analysis_runs
                .iter()
                .flatten()
                .find(|a| &a.analysis_run == name)
                .map(|a| a.name.clone())
            else {
                return Plan::default();
            };
            fail_analysis(&mut ctx, &entry, Some(name), error.to_string());
        }
        Action::PatchReplicaSet { .. } | Action::PatchExperiment(_) => return Plan::default(),
    }
    phase::calculate(&mut ctx);
    conditions::calculate(&mut ctx);
    status::persist(&mut ctx);
    ctx.plan
}
