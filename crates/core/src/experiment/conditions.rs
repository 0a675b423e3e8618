//! Experiment conditions (upstream `utils/conditions/experiments.go`, `experiments/conditions.go`):
//! `Progressing` tells whether the templates are being brought up, are running, or the experiment
//! completed; `InvalidSpec` goes once the spec is valid again.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::experiment::{ExperimentCondition, ExperimentStatus};
use rollouts_api::gofmt::go_quote;
use rollouts_api::well_known::{condition_status, condition_types, reasons};

use super::context::Ctx;
use super::lifecycle::{passed_duration, template_status};

/// A condition with both times set to `now`.
pub fn new_condition(type_: &str, status: &str, reason: &str, message: String, now: Time) -> ExperimentCondition {
    ExperimentCondition {
        last_transition_time: now.clone(),
        last_update_time: now,
        message,
        reason: reason.to_string(),
        status: status.to_string(),
        type_: type_.to_string(),
    }
}

/// The condition of type `type_`.
pub fn get<'c>(conditions: &'c [ExperimentCondition], type_: &str) -> Option<&'c ExperimentCondition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Removes the condition of type `type_`.
pub fn remove(conditions: &mut Vec<ExperimentCondition>, type_: &str) {
    conditions.retain(|c| c.type_ != type_);
}

/// Upstream `SetExperimentCondition`: nothing changes when a condition of that type already has the
/// same status and reason; otherwise it replaces it (moved to the end), keeping its transition time
/// when only the reason changed.
pub fn set(conditions: &mut Vec<ExperimentCondition>, mut condition: ExperimentCondition) {
    if let Some(current) = get(conditions, &condition.type_) {
        if current.status == condition.status && current.reason == condition.reason {
            return;
        }
        if current.status == condition.status {
            condition.last_transition_time = current.last_transition_time.clone();
        }
    }
    remove(conditions, &condition.type_);
    conditions.push(condition);
}

/// Upstream `ExperimentProgressing`: a template appeared, or a template's counts changed, compared
/// with the observed status.
fn progressing(old: &ExperimentStatus, new: &ExperimentStatus) -> bool {
    let count = |s: &ExperimentStatus| {
        s.template_statuses
            .iter()
            .flatten()
            .map(|t| t.name.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    if count(old) < count(new) {
        return true;
    }
    old.template_statuses.iter().flatten().any(|before| {
        template_status(new, &before.name).is_some_and(|after| {
            before.replicas != after.replicas
                || before.updated_replicas != after.updated_replicas
                || before.ready_replicas != after.ready_replicas
                || before.available_replicas != after.available_replicas
        })
    })
}

/// Upstream `calculateExperimentConditions`, on the status being computed.
pub fn calculate(ctx: &mut Ctx<'_>) {
    let name = go_quote(ctx.name());
    let now = ctx.stamp();
    let mut conditions = ctx.status.conditions.take().unwrap_or_default();
    remove(&mut conditions, condition_types::INVALID_SPEC);
    let old_conditions = ctx.old.conditions.as_deref().unwrap_or_default();
    if ctx.status.phase == Some(AnalysisPhase::Successful) {
        set(
            &mut conditions,
            new_condition(
                condition_types::PROGRESSING,
                condition_status::FALSE,
                reasons::EXPERIMENT_COMPLETED,
                format!("Experiment {name} has successfully ran and completed."),
                now,
            ),
        );
    } else if progressing(&ctx.old, &ctx.status) {
        let mut condition = new_condition(
            condition_types::PROGRESSING,
            condition_status::TRUE,
            reasons::EXPERIMENT_PROGRESSING,
            format!("Experiment {name} is progressing."),
            now,
        );
        // Progress refreshes the update time on every reconcile that sees it; the transition time
        // stays while the condition was already true.
        if let Some(current) = get(old_conditions, condition_types::PROGRESSING) {
            if current.status == condition_status::TRUE {
                condition.last_transition_time = current.last_transition_time.clone();
            }
            remove(&mut conditions, condition_types::PROGRESSING);
        }
        set(&mut conditions, condition);
    } else if ctx.old.available_at.is_some() && !passed_duration(ctx.spec(), &ctx.old, ctx.now) {
        set(
            &mut conditions,
            new_condition(
                condition_types::PROGRESSING,
                condition_status::TRUE,
                reasons::NEW_REPLICA_SET_AVAILABLE,
                format!("Experiment {name} is running."),
                now,
            ),
        );
    }
    ctx.status.conditions = Some(conditions).filter(|c| !c.is_empty());
}
