//! Spec validation: one entry point per kind, each returning every problem found, upstream's own
//! rules first and in upstream's order, so that the first error is the one upstream puts in its
//! `InvalidSpec` condition. Then come the CRD schema's requirements (required fields, enumerations)
//! that an API server would enforce, and a modest share of Kubernetes' pod template validation.
//!
//! Checks that need other objects take them as arguments: [`validate_rollout_services`].

mod analysis;
mod canary;
mod experiment;
mod field;
mod messages;
mod names;
mod pod_template;
mod providers;
mod quantity;
mod references;
mod required;
mod rollout;
mod steps;

pub use field::{BadValue, ErrorKind, FieldError, FieldPath, GoObject, Rendered, go_json};
pub use names::is_qualified_name;
pub use references::{referenced_services, validate_rollout_services};
pub use steps::is_downward_api_path;

use crate::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Experiment, Rollout};

/// Every problem of a Rollout as the user wrote it (upstream `ValidateRollout`). With a `workloadRef`,
/// the Rollout's own template must be empty and is not validated.
pub fn validate_rollout(r: &Rollout) -> Vec<FieldError> {
    rollout::validate(r, rollout::TemplateSource::Spec)
}

/// Every problem of a Rollout whose `spec.template` the controller has filled in from its
/// `workloadRef` target: the template is validated like any other, and not required to be empty.
pub fn validate_rollout_resolved(r: &Rollout) -> Vec<FieldError> {
    rollout::validate(r, rollout::TemplateSource::WorkloadRef)
}

/// Every problem of an AnalysisTemplate.
pub fn validate_analysis_template(t: &AnalysisTemplate) -> Vec<FieldError> {
    analysis::validate_template(&t.spec)
}

/// Every problem of a ClusterAnalysisTemplate (the same rules as an AnalysisTemplate).
pub fn validate_cluster_analysis_template(t: &ClusterAnalysisTemplate) -> Vec<FieldError> {
    analysis::validate_template(&t.spec.template)
}

/// Every problem of an AnalysisRun.
pub fn validate_analysis_run(r: &AnalysisRun) -> Vec<FieldError> {
    analysis::validate_run(r)
}

/// Every problem of an Experiment.
pub fn validate_experiment(e: &Experiment) -> Vec<FieldError> {
    experiment::validate(e)
}

/// Upstream's `InvalidSpec` condition message of a Rollout for one problem:
/// `The Rollout "<name>" is invalid: <error>`.
pub fn invalid_spec_message(rollout_name: &str, error: &FieldError) -> String {
    format!("The Rollout \"{rollout_name}\" is invalid: {error}")
}

/// The `InvalidSpec` condition message of a Rollout, from its first problem; `None` when valid.
pub fn rollout_invalid_spec_message(r: &Rollout) -> Option<String> {
    let name = r.metadata.name.as_deref().unwrap_or_default();
    validate_rollout(r).first().map(|e| invalid_spec_message(name, e))
}

/// The message an invalid AnalysisRun ends in `Error` with, as upstream words it
/// (`Analysis spec invalid: metrics[0]: interval must be specified when count > 1`); `None` when valid.
pub fn analysis_run_invalid_message(r: &AnalysisRun) -> Option<String> {
    if let Some(first) = analysis::run_upstream_rules(&r.spec).first() {
        return Some(analysis::upstream_run_message(first));
    }
    validate_analysis_run(r)
        .first()
        .map(|e| format!("Analysis spec invalid: {e}"))
}

/// Upstream's `VerifyExperimentSpec` alone: its message for the first problem it finds, `None` when it
/// finds none. The Experiment controller refuses only these; anything else wrong with a template is
/// what the API server refuses when the template's ReplicaSet is created.
pub fn experiment_upstream_invalid_spec_message(e: &Experiment) -> Option<String> {
    experiment::upstream_rules(e)
        .into_iter()
        .next()
        .map(|first| first.message)
}

/// The `InvalidSpec` condition message of an Experiment: upstream's message for its first problem
/// (`Experiment e has repeated template name 'a' in templates`), or the field error of the first
/// problem upstream does not check; `None` when valid.
pub fn experiment_invalid_spec_message(e: &Experiment) -> Option<String> {
    if let Some(first) = experiment::upstream_rules(e).into_iter().next() {
        return Some(first.message);
    }
    validate_experiment(e).first().map(ToString::to_string)
}
