//! Specs the Experiment controller refuses (upstream `VerifyExperimentSpec`): such an Experiment gets
//! the `InvalidSpec` condition and nothing else is done. And what the API server would refuse when a
//! template's ReplicaSet is created, which upstream learns from the failed create.

use rollouts_api::experiment::TemplateSpec;
use rollouts_api::validation::{FieldError, experiment_upstream_invalid_spec_message, validate_experiment};
use rollouts_api::well_known::{condition_status, condition_types, reasons};

use super::actions::Plan;
use super::conditions::{get, new_condition, remove, set};
use super::context::Ctx;
use super::snapshot::Snapshot;
use super::status::status_patch;

/// Upstream's `InvalidSpec` message for the Experiment, `None` when it is valid to the controller.
pub fn invalid_spec_message(snapshot: &Snapshot<'_>) -> Option<String> {
    experiment_upstream_invalid_spec_message(snapshot.experiment)
}

/// The plan for an invalid Experiment: the `InvalidSpec` condition (its times kept while the message
/// stays the same), and nothing else.
pub fn invalid_spec(snapshot: &Snapshot<'_>, message: &str) -> Plan {
    let old = snapshot.experiment.status.clone().unwrap_or_default();
    let mut status = old.clone();
    let mut conditions = status.conditions.take().unwrap_or_default();
    if get(&conditions, condition_types::INVALID_SPEC).is_some_and(|c| c.message != message) {
        remove(&mut conditions, condition_types::INVALID_SPEC);
    }
    let now = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        jiff::Timestamp::from_second(snapshot.now.as_second()).unwrap_or(snapshot.now),
    );
    set(
        &mut conditions,
        new_condition(
            condition_types::INVALID_SPEC,
            condition_status::TRUE,
            reasons::INVALID_SPEC,
            message.to_string(),
            now,
        ),
    );
    status.conditions = Some(conditions);
    let mut plan = Plan::default();
    if let Some(patch) = status_patch(&old, &status) {
        plan.actions.push(super::actions::Action::PatchExperiment(patch));
    }
    plan
}

/// The API server's refusal of the template's ReplicaSet (`ReplicaSet.apps "<name>" is invalid: ...`),
/// judged from the template's pod template, when it would refuse it.
pub fn replica_set_refusal(ctx: &Ctx<'_>, template: &TemplateSpec, rs_name: &str) -> Option<String> {
    let index = ctx.spec().templates.iter().position(|t| t.name == template.name)?;
    let prefix = format!("spec.templates[{index}].template");
    let problems: Vec<FieldError> = validate_experiment(ctx.experiment)
        .into_iter()
        .filter(|e| e.path == prefix || e.path.starts_with(&format!("{prefix}.")))
        .map(|mut e| {
            e.path = format!("spec.template{}", &e.path[prefix.len()..]);
            e
        })
        .collect();
    let details = match problems.as_slice() {
        [] => return None,
        [one] => one.to_string(),
        many => format!(
            "[{}]",
            many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
    };
    Some(format!("ReplicaSet.apps \"{rs_name}\" is invalid: {details}"))
}
