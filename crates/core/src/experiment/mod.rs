//! The reconcile of one Experiment as a pure function (upstream `experiments/experiment.go` and
//! `experiments/controller.go` `syncHandler`): [`plan`] takes what the controller observed (a
//! [`Snapshot`], which carries the time) and returns a [`Plan`]: the ordered writes, the events to
//! record and when to look again. The controller executes the writes in order and stops at the first
//! failure; the next reconcile starts again from a fresh snapshot.
//!
//! One reconcile does what upstream's does in one pass: every template (its ReplicaSet created, scaled,
//! held for its scale-down deadline, its Service), then every analysis (its run verified, created,
//! followed or terminated), then the phase, the conditions, and the status as a merge patch of the
//! Experiment object, last.
//!
//! Files by concern: `validate` (the spec checks that make an Experiment `InvalidSpec`), `claim`
//! (which objects belong to which template), `lifecycle` (finished, terminating, durations, desired
//! replicas), `templates` (template statuses and their transitions), `replica_sets`, `services`,
//! `analysis_runs` with `args` (the experiment placeholders), `phase`, `conditions`, `requeue` and
//! `status` (the patch and the phase event); `write_failure` says what upstream records when a write
//! fails ([`write_failed`]).

mod actions;
mod analysis_runs;
mod args;
mod claim;
mod conditions;
mod context;
mod lifecycle;
mod phase;
mod replica_sets;
mod requeue;
mod services;
mod snapshot;
mod status;
mod templates;
mod validate;
mod write_failure;

#[cfg(test)]
mod tests;

pub use crate::plan::{Event, EventType};
pub use actions::{Action, Plan};
pub use phase::REQUIRED_ANALYSES_COMPLETED;
pub use replica_sets::replica_set_name;
pub use services::service_name;
pub use snapshot::Snapshot;
pub use write_failure::write_failed;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use rollouts_api::experiment::Experiment;

use context::Ctx;

/// The Rollout that owns the Experiment (an experiment step), if any: upstream repeats the
/// experiment's AnalysisRun events on it ([`Plan::rollout_events`]).
pub fn owner_rollout(experiment: &Experiment) -> Option<&OwnerReference> {
    experiment
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.kind == "Rollout")
}

/// Plans one reconcile of the Experiment in `snapshot`.
pub fn plan(snapshot: &Snapshot<'_>) -> Plan {
    let experiment = snapshot.experiment;
    if experiment.metadata.deletion_timestamp.is_some() {
        return Plan::default();
    }
    if let Some(message) = validate::invalid_spec_message(snapshot) {
        return validate::invalid_spec(snapshot, &message);
    }
    let claimed = match claim::claim_all(snapshot) {
        Ok(claimed) => claimed,
        Err(error) => {
            return Plan {
                error: Some(error),
                ..Plan::default()
            };
        }
    };
    let mut ctx = Ctx::new(snapshot, claimed);
    for template in &experiment.spec.templates {
        templates::reconcile(&mut ctx, template);
    }
    for analysis in experiment.spec.analyses.iter().flatten() {
        analysis_runs::reconcile(&mut ctx, analysis);
    }
    phase::calculate(&mut ctx);
    conditions::calculate(&mut ctx);
    requeue::calculate(&mut ctx);
    status::persist(&mut ctx);
    ctx.plan
}
