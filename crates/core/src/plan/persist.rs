//! The end of every reconcile that gets that far (upstream `persistRolloutStatus`): observed
//! generation, progress-deadline abort, pause and abort fields, conditions, phase, and the status patch
//! — or, when nothing changed, no write at all and a requeue for the progress deadline.

use std::time::Duration;

use rollouts_api::RolloutSpec;
use rollouts_api::rollout_status::{RolloutCondition, RolloutStatus};
use rollouts_api::well_known::{annotations, condition_status, condition_types, messages, reasons};

use super::actions::{Action, Event};
use super::context::Ctx;
use super::merge_patch::status_patch;
use super::replica_sets::{self, scale_down_deadline};
use super::snapshot::WorkloadState;
use super::steps::current_step;
use crate::status::conditions::{self as cond, get_condition, new_condition, set_condition};
use crate::status::{calculate_rollout_phase, predicates};

/// Finishes the status in `ctx.status` and plans its patch.
pub fn persist(ctx: &mut Ctx<'_>) {
    ctx.status.observed_generation = Some(ctx.rollout.metadata.generation.unwrap_or(0).to_string());
    ctx.status.workload_observed_generation = match ctx.snapshot.workload {
        WorkloadState::Resolved { .. } => ctx
            .rollout
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(annotations::WORKLOAD_GENERATION))
            .and_then(|g| g.parse::<i32>().ok())
            .map(|g| g.to_string()),
        _ => None,
    };
    evaluate_progress_deadline_abort(ctx);
    let (old, now) = (ctx.old.clone(), ctx.now);
    ctx.pause.apply(&old, &mut ctx.status, now);
    calculate_conditions(ctx);
    finish(ctx);
}

/// Writes `status.phase` and `status.message` (unset when empty) from the rest of the status.
pub(super) fn record_phase(spec: &RolloutSpec, status: &mut RolloutStatus) {
    let (phase, message) = calculate_rollout_phase(spec, status);
    status.phase = Some(phase);
    status.message = (!message.is_empty()).then_some(message);
}

/// Phase and message from the conditions, then the patch (or the stuck-rollout requeue).
pub fn finish(ctx: &mut Ctx<'_>) {
    record_phase(ctx.spec(), &mut ctx.status);
    super::duration::calculate(ctx);
    let observed = ctx.rollout.status.clone().unwrap_or_default();
    match status_patch(&observed, &ctx.status) {
        Some(patch) => {
            state_change_events(ctx, &observed);
            ctx.plan.actions.push(Action::PatchRolloutStatus(patch));
        }
        None => requeue_stuck_rollout(ctx),
    }
}

/// Upstream `sendStateChangeEvents`.
fn state_change_events(ctx: &mut Ctx<'_>, observed: &RolloutStatus) {
    let was_paused = observed.pause_conditions.as_ref().is_some_and(|p| !p.is_empty());
    let first = ctx
        .status
        .pause_conditions
        .as_ref()
        .and_then(|p| p.first())
        .map(|c| c.reason.clone());
    match (was_paused, first) {
        (false, Some(reason)) => {
            ctx.event(Event::normal(
                reasons::ROLLOUT_PAUSED,
                format!("{} ({reason})", messages::PAUSED),
            ));
        }
        (true, None) if ctx.status.aborted_at.is_none() => {
            ctx.event(Event::normal(reasons::ROLLOUT_RESUMED, messages::RESUMED));
        }
        _ => {}
    }
}

/// Whether the current step (from the observed status) or a true Paused condition means time does not
/// count against the progress deadline (upstream `isIndefiniteStep`).
pub fn is_indefinite_step(ctx: &Ctx<'_>) -> bool {
    if let Some(step) = current_step(ctx.spec(), &ctx.old)
        && (step.experiment.is_some() || step.analysis.is_some() || step.pause.is_some())
    {
        return true;
    }
    get_condition(
        ctx.old.conditions.as_deref().unwrap_or_default(),
        condition_types::PAUSED,
    )
    .is_some_and(|c| c.status == condition_status::TRUE)
}

/// Whether another ReplicaSet still waits for its scale-down deadline: it holds pods and its deadline
/// lies ahead. Upstream counts any ReplicaSet carrying the annotation, so one left annotated after its
/// scale-down (an aborted preview) disabled the progress deadline for good (upstream #3988).
fn waiting_for_scale_down(ctx: &Ctx<'_>) -> bool {
    ctx.others().into_iter().any(|i| {
        let rs = &ctx.all[i];
        replica_sets::spec_replicas(rs) > 0
            && scale_down_deadline(rs)
                .and_then(|d| d.parse::<jiff::Timestamp>().ok())
                .is_some_and(|d| d > ctx.now)
    })
}

fn progress_deadline_seconds(ctx: &Ctx<'_>) -> i32 {
    ctx.spec().progress_deadline_seconds_or_default()
}

fn timed_out_message(ctx: &Ctx<'_>) -> String {
    match ctx.new_rs() {
        Some(rs) => format!(
            "ReplicaSet \"{}\" has timed out progressing.",
            rs.metadata.name.as_deref().unwrap_or("")
        ),
        None => format!("Rollout \"{}\" has timed out progressing.", ctx.name()),
    }
}

/// `progressDeadlineAbort`: an update in flight that made no progress for the deadline is aborted.
fn evaluate_progress_deadline_abort(ctx: &mut Ctx<'_>) {
    if !ctx.spec().progress_deadline_abort.unwrap_or(false) || ctx.pause.is_aborted() {
        return;
    }
    if predicates::rollout_completed(&ctx.status)
        || predicates::rollout_progressing(ctx.spec(), &ctx.old, &ctx.status)
        || is_indefinite_step(ctx)
        || waiting_for_scale_down(ctx)
    {
        return;
    }
    let progressing = get_condition(
        ctx.old.conditions.as_deref().unwrap_or_default(),
        condition_types::PROGRESSING,
    );
    if !cond::timed_out(progressing, progress_deadline_seconds(ctx), ctx.now) {
        return;
    }
    let message = timed_out_message(ctx);
    ctx.pause.add_abort(message.clone());
    ctx.event(Event::warning(reasons::ROLLOUT_ABORTED, message));
}

/// The message of the RolloutAborted condition: `Rollout aborted update to revision N[: why]`.
pub fn aborted_message(ctx: &Ctx<'_>) -> String {
    let revision = ctx.revision.unwrap_or(0);
    let base = format!("Rollout aborted update to revision {revision}");
    if ctx.pause.abort_message.is_empty() {
        base
    } else {
        format!("{base}: {}", ctx.pause.abort_message)
    }
}

fn rs_name(ctx: &Ctx<'_>) -> Option<String> {
    ctx.new_rs().and_then(|rs| rs.metadata.name.clone())
}

/// Upstream `calculateRolloutConditions`.
fn calculate_conditions(ctx: &mut Ctx<'_>) {
    let now = ctx.now;
    let spec = ctx.spec();
    let generation = ctx.rollout.metadata.generation.unwrap_or(0);
    let paused = ctx.status.pause_conditions.as_ref().is_some_and(|p| !p.is_empty()) || spec.paused.unwrap_or(false);
    let aborted = ctx.pause.is_aborted();
    let healthy = predicates::rollout_healthy(spec, generation, &ctx.old, &ctx.status);
    let mut conditions: Vec<RolloutCondition> = ctx.status.conditions.take().unwrap_or_default();

    let had_healthy = get_condition(
        ctx.old.conditions.as_deref().unwrap_or_default(),
        condition_types::HEALTHY,
    )
    .is_some();
    let mut became_unhealthy = false;
    if !paused && healthy {
        set_condition(&mut conditions, cond::healthy(now, true));
    } else if had_healthy {
        became_unhealthy = set_condition(&mut conditions, cond::healthy(now, false));
    }

    if aborted {
        let message = aborted_message(ctx);
        let condition = new_condition(
            condition_types::PROGRESSING,
            condition_status::FALSE,
            reasons::ROLLOUT_ABORTED,
            message.clone(),
            now,
        );
        if set_condition(&mut conditions, condition) {
            ctx.event(Event::warning(reasons::ROLLOUT_ABORTED, message));
        }
    }

    let current = get_condition(
        ctx.old.conditions.as_deref().unwrap_or_default(),
        condition_types::PROGRESSING,
    )
    .cloned();
    if !aborted {
        if healthy {
            let name = rs_name(ctx).unwrap_or_default();
            set_condition(&mut conditions, cond::progressing_new_rs_available(&name, now));
        } else if predicates::rollout_progressing(spec, &ctx.old, &ctx.status) || became_unhealthy {
            let stable = ctx.status.stable_rs.as_deref().unwrap_or("");
            let mut condition = if stable == ctx.status.current_pod_hash.as_deref().unwrap_or("") && became_unhealthy {
                cond::progressing_rs_not_available(now)
            } else {
                match rs_name(ctx) {
                    Some(name) => cond::progressing_rs_updated(&name, now),
                    None => cond::progressing_rollout_updated(ctx.name(), now),
                }
            };
            if let Some(current) = &current {
                if current.status == condition_status::TRUE {
                    condition.last_transition_time = current.last_transition_time.clone();
                }
                cond::remove_condition(&mut conditions, condition_types::PROGRESSING);
            }
            set_condition(&mut conditions, condition);
        } else if !is_indefinite_step(ctx)
            && !waiting_for_scale_down(ctx)
            && cond::timed_out(
                get_condition(&conditions, condition_types::PROGRESSING),
                progress_deadline_seconds(ctx),
                now,
            )
        {
            let condition = new_condition(
                condition_types::PROGRESSING,
                condition_status::FALSE,
                reasons::PROGRESS_DEADLINE_EXCEEDED,
                timed_out_message(ctx),
                now,
            );
            set_condition(&mut conditions, condition);
        }
    }

    set_condition(&mut conditions, cond::available(now, has_minimum_availability(ctx)));

    match replica_failure(ctx) {
        Some(failure) => {
            set_condition(&mut conditions, failure);
        }
        None => cond::remove_condition(&mut conditions, condition_types::REPLICA_FAILURE),
    }

    let completed = predicates::rollout_completed(&ctx.status);
    if set_condition(&mut conditions, cond::completed(now, completed)) && !completed {
        let revision = ctx.revision.unwrap_or(0);
        let hash = ctx.status.current_pod_hash.clone().unwrap_or_default();
        ctx.event(Event::normal(
            reasons::ROLLOUT_NOT_COMPLETED,
            format!("Rollout not completed, started update to revision {revision} ({hash})"),
        ));
    }
    ctx.status.conditions = Some(conditions);
}

/// Canary: the ReplicaSets together have `spec.replicas` available pods; blue-green: the active
/// ReplicaSet is saturated.
fn has_minimum_availability(ctx: &Ctx<'_>) -> bool {
    let replicas = ctx.replicas();
    if ctx.blue_green().is_some() {
        let active = super::bluegreen::active_selector(&ctx.status);
        return ctx.rs_by_hash(active).is_some_and(|i| {
            let rs = &ctx.all[i];
            let c = replica_sets::counts(rs);
            c.spec_replicas == replicas
                && replica_sets::desired_replicas_annotation(rs) == Some(replicas)
                && c.available_replicas == replicas
        });
    }
    let available = ctx
        .all
        .iter()
        .map(|rs| replica_sets::counts(rs).available_replicas)
        .sum::<i32>();
    available >= replicas
}

/// A ReplicaFailure condition of the new ReplicaSet (else of any), as a Rollout condition.
fn replica_failure(ctx: &Ctx<'_>) -> Option<RolloutCondition> {
    let from = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| {
        rs.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| {
                c.iter()
                    .find(|c| c.type_.as_deref() == Some(condition_types::REPLICA_FAILURE))
            })
            .map(|c| {
                let time = c.last_transition_time.clone().map_or(ctx.now, |t| t.0);
                let mut condition = new_condition(
                    condition_types::REPLICA_FAILURE,
                    c.status.as_deref().unwrap_or(""),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.clone().unwrap_or_default(),
                    time,
                );
                condition.last_update_time = condition.last_transition_time.clone();
                condition
            })
    };
    ctx.new_rs().and_then(from).or_else(|| ctx.all.iter().find_map(from))
}

/// Upstream `requeueStuckRollout`: without progress, look again when the deadline would pass.
fn requeue_stuck_rollout(ctx: &mut Ctx<'_>) {
    let Some(current) = get_condition(
        ctx.old.conditions.as_deref().unwrap_or_default(),
        condition_types::PROGRESSING,
    ) else {
        return;
    };
    let paused = ctx.old.pause_conditions.as_ref().is_some_and(|p| !p.is_empty()) || ctx.spec().paused.unwrap_or(false);
    let generation = ctx.rollout.metadata.generation.unwrap_or(0);
    if predicates::rollout_healthy(ctx.spec(), generation, &ctx.old, &ctx.status)
        || current.reason == reasons::PROGRESS_DEADLINE_EXCEEDED
        || paused
        || ctx.old.abort.unwrap_or(false)
        || is_indefinite_step(ctx)
    {
        return;
    }
    let deadline = jiff::SignedDuration::from_secs(i64::from(progress_deadline_seconds(ctx)));
    let Ok(due) = current.last_update_time.0.checked_add(deadline) else {
        return;
    };
    let after = due.duration_since(ctx.now);
    let after = Duration::try_from(after).unwrap_or(Duration::ZERO);
    ctx.plan.requeue(if after < Duration::from_secs(1) {
        Duration::ZERO
    } else {
        after + Duration::from_secs(1)
    });
}
