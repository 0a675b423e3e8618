//! Pause steps and step completion (upstream `reconcileCanaryPause`, `completedCurrentCanaryStep`).

use std::time::Duration;

use rollouts_api::well_known::pause_reasons;

use super::super::context::Ctx;
use super::super::pause::pause_condition;
use super::super::steps::{current_step, pause_duration};
use super::{canary_input, progress_threshold};
use crate::canary::at_desired_replica_counts;

/// At a pause step: adds the CanaryPauseStep condition the first time and requeues at its expiry.
/// Returns whether the rollout is on a pause step (upstream `reconcileCanaryPause`).
pub(super) fn reconcile_canary_pause(ctx: &mut Ctx<'_>) -> bool {
    if ctx.spec().paused.unwrap_or(false) || ctx.old.promote_full.unwrap_or(false) {
        return false;
    }
    let Some(pause) = current_step(ctx.spec(), &ctx.old).and_then(|s| s.pause.as_ref()) else {
        return false;
    };
    let Some(condition) = pause_condition(&ctx.old, pause_reasons::CANARY_PAUSE_STEP) else {
        if !ctx.old.controller_pause.unwrap_or(false) {
            ctx.pause.add_reasons.push(pause_reasons::CANARY_PAUSE_STEP.to_string());
        }
        return true;
    };
    if let Some(duration) = pause_duration(pause.duration.as_ref()) {
        let start = condition.start_time.0;
        let elapsed = Duration::try_from(ctx.now.duration_since(start)).unwrap_or(Duration::ZERO);
        ctx.plan.requeue(duration.saturating_sub(elapsed));
    }
    true
}

/// Whether the current step is done (upstream `completedCurrentCanaryStep`).
pub(super) fn completed_current_step(ctx: &Ctx<'_>) -> bool {
    if ctx.spec().paused.unwrap_or(false) {
        return false;
    }
    let Some(step) = current_step(ctx.spec(), &ctx.old) else {
        return false;
    };
    if let Some(pause) = &step.pause {
        let condition = pause_condition(&ctx.old, pause_reasons::CANARY_PAUSE_STEP);
        if ctx.old.controller_pause.unwrap_or(false) && condition.is_none() {
            return true;
        }
        return match (pause_duration(pause.duration.as_ref()), condition) {
            (Some(duration), Some(c)) => {
                let elapsed = Duration::try_from(ctx.now.duration_since(c.start_time.0)).unwrap_or(Duration::ZERO);
                elapsed > duration
            }
            _ => false,
        };
    }
    if step.set_canary_scale.is_some() || step.set_weight.is_some() {
        let threshold = progress_threshold(ctx);
        let reached = canary_input(ctx).is_some_and(|input| at_desired_replica_counts(&input, threshold));
        let verified = ctx
            .status
            .canary
            .as_ref()
            .and_then(|c| c.weights.as_ref())
            .and_then(|w| w.verified)
            .unwrap_or(true);
        return reached && (step.set_canary_scale.is_some() || verified);
    }
    if step.set_header_route.is_some() || step.set_mirror_route.is_some() {
        return true;
    }
    if step.analysis.is_some() {
        return super::super::analysis::step_run_successful(ctx);
    }
    if step.experiment.is_some() {
        return super::super::experiments::step_successful(ctx);
    }
    // Plugin steps are refused before anything is planned.
    false
}
