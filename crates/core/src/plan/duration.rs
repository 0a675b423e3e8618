//! `status.duration` (upstream `calculateStatusDuration`): when an update started, how long it waited
//! for a person, and how it ended (Promoted, FastPromoted, Aborted, Superseded, RolledBack,
//! FastRolledBack).

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::rollout_status::RolloutDurationStatus;
use rollouts_api::well_known::{completion_status, condition_types, pause_reasons, reasons};

use super::context::Ctx;
use super::replica_sets::counts;
use super::rollback::{fast_rollback, is_rollback};
use super::steps::current_step;
use crate::status::conditions::get_condition;

fn is_completed(d: &RolloutDurationStatus) -> bool {
    d.rollout_started_at.is_some() && d.finished_at.is_some()
}

/// Adds a manual pause in progress to the total and ends it.
fn end_manual_pause(d: &mut RolloutDurationStatus, now: Timestamp) {
    if let Some(started) = d.manual_pause_started_at.take() {
        let seconds = now.duration_since(started.0).as_secs();
        *d.total_manual_pause_duration_seconds.get_or_insert(0) += seconds;
    }
}

/// Ends the update: a manual pause in progress is added to the total.
fn complete(d: &mut RolloutDurationStatus, now: Timestamp, status: &str) {
    end_manual_pause(d, now);
    d.finished_at = Some(Time(now));
    d.completion_status = Some(status.to_string());
}

/// Whether a pause condition waits for a person (upstream `requiresManualAction`).
fn requires_manual_action(ctx: &Ctx<'_>, reason: &str) -> bool {
    match reason {
        pause_reasons::INCONCLUSIVE_ANALYSIS_RUN | pause_reasons::INCONCLUSIVE_EXPERIMENT => true,
        pause_reasons::CANARY_PAUSE_STEP => current_step(ctx.spec(), &ctx.old)
            .and_then(|s| s.pause.as_ref())
            .is_some_and(|p| p.duration.is_none()),
        pause_reasons::BLUE_GREEN_PAUSE => ctx
            .spec()
            .strategy
            .as_ref()
            .and_then(|s| s.blue_green.as_ref())
            .is_some_and(|b| b.auto_promotion_enabled == Some(false)),
        _ => false,
    }
}

/// Computes `ctx.status.duration` from the status computed so far.
pub fn calculate(ctx: &mut Ctx<'_>) {
    let conditions = ctx.status.conditions.as_deref().unwrap_or_default();
    if get_condition(conditions, condition_types::INVALID_SPEC).is_some() {
        return;
    }
    let now = ctx.now;
    let mut duration = ctx.status.duration.clone();
    let previous = ctx.old.duration.as_ref();
    let pod_spec_changed =
        ctx.old.current_pod_hash.as_deref().unwrap_or("").is_empty() || super::sync::update_started(ctx);
    let promoted = ctx.status.stable_rs == ctx.status.current_pod_hash;
    let reached = ctx
        .new_rs()
        .is_some_and(|rs| counts(rs).available_replicas >= ctx.replicas());
    let completed = promoted && reached;
    let aborted = ctx.pause.is_aborted();
    let was_aborted = get_condition(
        ctx.old.conditions.as_deref().unwrap_or_default(),
        condition_types::PROGRESSING,
    )
    .is_some_and(|c| c.reason == reasons::ROLLOUT_ABORTED);
    let retry = !aborted && was_aborted;
    let mut paused = previous.is_some_and(|d| d.manual_pause_started_at.is_some());
    let in_progress = previous.is_some_and(|d| d.rollout_started_at.is_some() && !is_completed(d));

    if in_progress && let Some(d) = duration.as_mut() {
        if pod_spec_changed {
            if is_rollback(ctx) {
                let status = if fast_rollback(ctx) {
                    completion_status::FAST_ROLLED_BACK
                } else {
                    completion_status::ROLLED_BACK
                };
                d.completion_status = Some(status.to_string());
            } else {
                complete(d, now, completion_status::SUPERSEDED);
            }
        }
        if completed && !is_completed(d) {
            let status = d
                .completion_status
                .clone()
                .unwrap_or_else(|| completion_status::PROMOTED.to_string());
            complete(d, now, &status);
            ctx.status.duration = duration;
            return;
        } else if aborted && !is_completed(d) {
            let status = d
                .completion_status
                .clone()
                .unwrap_or_else(|| completion_status::ABORTED.to_string());
            complete(d, now, &status);
        }
    }

    // Going back to the stable ReplicaSet after an abort ends the aborted update as a rollback;
    // upstream leaves it `Aborted`, which a Healthy rollout then contradicts.
    if pod_spec_changed
        && !in_progress
        && completed
        && let Some(d) = duration.as_mut()
        && d.completion_status.as_deref() == Some(completion_status::ABORTED)
        && is_rollback(ctx)
    {
        let status = if fast_rollback(ctx) {
            completion_status::FAST_ROLLED_BACK
        } else {
            completion_status::ROLLED_BACK
        };
        d.completion_status = Some(status.to_string());
        d.finished_at = Some(Time(now));
    }

    if duration.as_ref().is_none_or(|d| is_completed(d) && !completed) {
        paused = false;
        let at_stable_target = promoted && reached;
        if (pod_spec_changed && !at_stable_target) || retry {
            duration = Some(RolloutDurationStatus {
                rollout_started_at: Some(Time(now)),
                ..Default::default()
            });
        }
    }
    let Some(mut d) = duration else {
        ctx.status.duration = None;
        return;
    };
    if !is_completed(&d) {
        let manual = ctx.spec().paused.unwrap_or(false)
            || ctx
                .status
                .pause_conditions
                .iter()
                .flatten()
                .any(|c| requires_manual_action(ctx, &c.reason));
        if paused && !manual {
            end_manual_pause(&mut d, now);
        } else if !paused && manual && d.manual_pause_started_at.is_none() {
            d.manual_pause_started_at = Some(Time(now));
        }
    }
    ctx.status.duration = Some(d);
}
