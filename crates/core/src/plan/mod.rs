//! The reconcile of one Rollout as a pure function: [`plan`] takes what the controller observed (a
//! [`Snapshot`]) and the time, and returns a [`Plan`]: the ordered writes to make, the events to record
//! and when to look again. The controller executes the writes in order and stops at the first failure;
//! the next reconcile starts again from a fresh snapshot, so a partly executed plan is never resumed.
//!
//! Upstream makes one logical change per reconcile and then looks again (creating a ReplicaSet, resetting
//! the step status, scaling one ReplicaSet...). The planner keeps that rhythm, which keeps every plan small
//! and every transition observable, and makes the write counts comparable with upstream's.

mod actions;
pub(crate) mod analysis;
pub(crate) mod anti_affinity;
mod base_status;
mod bluegreen;
mod canary;
mod context;
mod duration;
pub mod ephemeral;
pub(crate) mod experiments;
mod history;
pub mod merge_patch;
mod pause;
mod persist;
mod referenced;
pub mod replica_sets;
pub mod restart;
mod rollback;
mod scale_down_delay;
mod services;
mod snapshot;
pub(crate) mod steps;
mod sync;
mod unsupported;
mod validate;
mod workload;

#[cfg(test)]
mod tests;

use std::time::Duration;

pub use actions::{Action, Event, EventType, Plan};
pub use base_status::format_label_selector;
pub use snapshot::{Snapshot, WorkloadState};

use context::Ctx;
use serde_json::json;

/// How soon a Rollout whose `workloadRef` cannot be resolved is looked at again (upstream: 20 s).
const WORKLOAD_RETRY: Duration = Duration::from_secs(20);

/// Plans one reconcile of the Rollout in `snapshot`.
pub fn plan(snapshot: &Snapshot<'_>) -> Plan {
    let rollout = snapshot.rollout;
    if rollout.metadata.deletion_timestamp.is_some() {
        return Plan::default();
    }
    let mut ctx = Ctx::new(snapshot);
    if let WorkloadState::Failed(message) = &snapshot.workload {
        let message = crate::status::conditions::invalid_spec_message(ctx.name(), message);
        sync::invalid_spec(&mut ctx, &message);
        ctx.plan.requeue(WORKLOAD_RETRY);
        return ctx.plan;
    }
    if let Some(message) = validate::first_problem(&ctx) {
        sync::invalid_spec(&mut ctx, &message);
        ctx.plan.error = Some(message);
        return ctx.plan;
    }
    if let WorkloadState::Resolved {
        generation: Some(generation),
        ..
    } = snapshot.workload
    {
        // Upstream mirrors the workload's generation into this annotation (and so bumps the Rollout's
        // resourceVersion) before reconciling; `status.workloadObservedGeneration` then follows it.
        let recorded = rollout
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(rollouts_api::well_known::annotations::WORKLOAD_GENERATION));
        if recorded.map(String::as_str) != Some(generation.to_string().as_str()) {
            ctx.plan
                .actions
                .push(Action::PatchRollout(json!({"metadata": {"annotations": {
                    rollouts_api::well_known::annotations::WORKLOAD_GENERATION: generation.to_string()
                }}})));
            return ctx.plan;
        }
    }
    if ctx.new.is_none() {
        sync::create_new_replica_set(&mut ctx);
        return ctx.plan;
    }
    if rollout.spec.replicas.is_none() {
        // An HPA needs `spec.replicas` to read and write the scale subresource.
        ctx.plan
            .actions
            .push(Action::PatchRollout(json!({"spec": {"replicas": 1}})));
        return ctx.plan;
    }
    let stable = ctx.old.stable_rs.as_deref().unwrap_or("");
    if !stable.is_empty() && Some(stable) == ctx.old.current_pod_hash.as_deref() && ctx.pause.is_aborted() {
        ctx.pause.remove_abort = true;
    }
    if sync::check_paused_conditions(&mut ctx) {
        return ctx.plan;
    }
    sync::sync_revision(&mut ctx);
    if sync::is_scaling_event(&ctx) {
        sync::sync_replicas_only(&mut ctx);
        return ctx.plan;
    }
    if ctx.blue_green().is_some() {
        bluegreen::rollout_blue_green(&mut ctx);
    } else {
        canary::rollout_canary(&mut ctx);
    }
    ctx.plan
}
