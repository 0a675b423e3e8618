//! Persisting the status (upstream `persistExperimentStatus`): the JSON merge patch from the observed
//! status to the new one, on the Experiment object itself, with only what changed, and the
//! `Experiment<Phase>` event when the phase moved. A status that did not change writes nothing.
//!
//! Both statuses are compared as upstream writes them (Go's `omitempty`): the counts of a template and
//! the name, run and phase of an analysis are always written, a phase not known yet as `""`.

use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::experiment::{ExperimentCondition, ExperimentStatus, TemplateStatus};
use serde_json::{Map, Value, json};

use super::actions::Action;
use super::context::Ctx;
use super::lifecycle::run_phase;
use super::templates::code_name;
use crate::plan::Event;
use crate::plan::merge_patch::diff;

fn time(t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v);
    }
}

fn text(value: Option<&String>) -> Option<Value> {
    value.filter(|s| !s.is_empty()).map(|s| Value::String(s.clone()))
}

fn template_value(t: &TemplateStatus) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(t.name));
    m.insert("replicas".into(), json!(t.replicas));
    m.insert("updatedReplicas".into(), json!(t.updated_replicas));
    m.insert("readyReplicas".into(), json!(t.ready_replicas));
    m.insert("availableReplicas".into(), json!(t.available_replicas));
    put(&mut m, "collisionCount", t.collision_count.map(|c| json!(c)));
    put(
        &mut m,
        "status",
        Some(code_name(t.status)).filter(|s| !s.is_empty()).map(|s| json!(s)),
    );
    put(&mut m, "message", text(t.message.as_ref()));
    put(&mut m, "lastTransitionTime", t.last_transition_time.as_ref().map(time));
    put(&mut m, "serviceName", text(t.service_name.as_ref()));
    put(&mut m, "podTemplateHash", text(t.pod_template_hash.as_ref()));
    Value::Object(m)
}

fn condition_value(c: &ExperimentCondition) -> Value {
    json!({
        "type": c.type_,
        "status": c.status,
        "lastUpdateTime": time(&c.last_update_time),
        "lastTransitionTime": time(&c.last_transition_time),
        "reason": c.reason,
        "message": c.message,
    })
}

/// A status as upstream serialises it.
pub fn status_value(status: &ExperimentStatus) -> Value {
    let mut m = Map::new();
    put(&mut m, "phase", status.phase.map(|p| json!(p.as_str())));
    put(&mut m, "message", text(status.message.as_ref()));
    let templates: Vec<Value> = status.template_statuses.iter().flatten().map(template_value).collect();
    put(
        &mut m,
        "templateStatuses",
        Some(Value::Array(templates)).filter(|v| v != &json!([])),
    );
    put(&mut m, "availableAt", status.available_at.as_ref().map(time));
    let conditions: Vec<Value> = status.conditions.iter().flatten().map(condition_value).collect();
    put(
        &mut m,
        "conditions",
        Some(Value::Array(conditions)).filter(|v| v != &json!([])),
    );
    let runs: Vec<Value> = status
        .analysis_runs
        .iter()
        .flatten()
        .map(|a| {
            let mut r = Map::new();
            r.insert("name".into(), json!(a.name));
            r.insert("analysisRun".into(), json!(a.analysis_run));
            r.insert("phase".into(), json!(run_phase(a).map_or("", AnalysisPhase::as_str)));
            put(&mut r, "message", text(a.message.as_ref()));
            Value::Object(r)
        })
        .collect();
    put(
        &mut m,
        "analysisRuns",
        Some(Value::Array(runs)).filter(|v| v != &json!([])),
    );
    Value::Object(m)
}

/// The patch of the Experiment (`{"status": {...}}`) from `old` to `new`, `None` when they agree.
pub fn status_patch(old: &ExperimentStatus, new: &ExperimentStatus) -> Option<Value> {
    diff(&status_value(old), &status_value(new)).map(|patch| json!({ "status": patch }))
}

/// Plans the status patch, last, and the phase-change event.
pub fn persist(ctx: &mut Ctx<'_>) {
    let Some(patch) = status_patch(&ctx.old, &ctx.status) else {
        return;
    };
    ctx.plan.actions.push(Action::PatchExperiment(patch));
    if ctx.old.phase != ctx.status.phase {
        let before = ctx.old.phase.map_or("", AnalysisPhase::as_str);
        let after = ctx.status.phase.map_or("", AnalysisPhase::as_str);
        let reason = format!("Experiment{after}");
        let message = format!("Experiment transitioned from {before} -> {after}");
        let event = if matches!(
            ctx.status.phase,
            Some(AnalysisPhase::Error | AnalysisPhase::Failed | AnalysisPhase::Inconclusive)
        ) {
            Event::warning(&reason, message)
        } else {
            Event::normal(&reason, message)
        };
        ctx.event(event);
    }
}
