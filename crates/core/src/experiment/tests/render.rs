//! Plans rendered as JSON, so goldens compare exact ordered writes, bodies and events.

use serde_json::{Value, json};

use crate::experiment::{Action, EventType, Plan};

/// Each write as `{"<verb>": body}`.
pub fn actions(plan: &Plan) -> Value {
    Value::Array(plan.actions.iter().map(action).collect())
}

pub fn action(action: &Action) -> Value {
    match action {
        Action::CreateReplicaSet(rs) => json!({"createReplicaSet": rs}),
        Action::UpdateReplicaSet(rs) => json!({"updateReplicaSet": rs}),
        Action::PatchReplicaSet { name, patch } => json!({"patchReplicaSet": {"name": name, "patch": patch}}),
        Action::CreateService(svc) => json!({"createService": svc}),
        Action::DeleteService { name, uid } => json!({"deleteService": {"name": name, "uid": uid}}),
        Action::CreateAnalysisRun(run) => json!({"createAnalysisRun": run}),
        Action::PatchAnalysisRun { name, patch } => json!({"patchAnalysisRun": {"name": name, "patch": patch}}),
        Action::PatchExperiment(patch) => json!({"patchExperiment": patch}),
    }
}

/// The verbs and names of the writes, `verb name`.
pub fn verbs(plan: &Plan) -> Vec<String> {
    plan.actions
        .iter()
        .map(|a| match a {
            Action::CreateReplicaSet(rs) => format!("create rs {}", rs.metadata.name.as_deref().unwrap_or("")),
            Action::UpdateReplicaSet(rs) => format!(
                "update rs {} replicas={}",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.spec.replicas.unwrap_or(1)
            ),
            Action::PatchReplicaSet { name, .. } => format!("patch rs {name}"),
            Action::CreateService(svc) => format!("create svc {}", svc.metadata.name.as_deref().unwrap_or("")),
            Action::DeleteService { name, .. } => format!("delete svc {name}"),
            Action::CreateAnalysisRun(run) => format!("create run {}", run.metadata.name.as_deref().unwrap_or("")),
            Action::PatchAnalysisRun { name, .. } => format!("patch run {name}"),
            Action::PatchExperiment(_) => "patch experiment".to_string(),
        })
        .collect()
}

/// The status patch of the plan (`{"status": ...}`), Null when it has none.
pub fn status_patch(plan: &Plan) -> Value {
    plan.actions
        .iter()
        .find_map(|a| match a {
            Action::PatchExperiment(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap_or(Value::Null)
}

/// Events as `Type Reason: message`.
pub fn events(plan: &Plan) -> Vec<String> {
    plan.events
        .iter()
        .map(|e| {
            let kind = match e.type_ {
                EventType::Normal => "Normal",
                EventType::Warning => "Warning",
            };
            format!("{kind} {}: {}", e.reason, e.message)
        })
        .collect()
}
