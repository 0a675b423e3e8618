//! The pause before promotion (upstream `reconcileBlueGreenPause`, `CompletedBlueGreenPause`).

use std::time::Duration;

use rollouts_api::rollout_status::PauseCondition;
use rollouts_api::well_known::pause_reasons::BLUE_GREEN_PAUSE;

use super::super::context::Ctx;
use super::super::pause::halted;
use super::super::replica_sets::hash_of;
use super::{active_service, fast_tracked, ready_for_pause, scale_up_preview_check_point};

fn pause_condition<'s>(ctx: &'s Ctx<'_>) -> Option<&'s PauseCondition> {
    super::super::pause::pause_condition(&ctx.old, BLUE_GREEN_PAUSE)
}

fn auto_promotion_seconds(ctx: &Ctx<'_>) -> i32 {
    ctx.blue_green().and_then(|b| b.auto_promotion_seconds).unwrap_or(0)
}

/// When a pause with `autoPromotionSeconds` ends (`None` without a delay).
fn promotion_due(condition: &PauseCondition, seconds: i32) -> Option<jiff::Timestamp> {
    if seconds <= 0 {
        return None;
    }
    condition
        .start_time
        .0
        .checked_add(jiff::SignedDuration::from_secs(i64::from(seconds)))
        .ok()
}

/// Whether the controller manages a pause: `autoPromotionEnabled: false` or `autoPromotionSeconds`.
fn needs_controller_pause(ctx: &Ctx<'_>) -> bool {
    ctx.blue_green()
        .is_some_and(|b| !b.auto_promotion_enabled_or_default() || auto_promotion_seconds(ctx) > 0)
}

/// Upstream `CompletedBlueGreenPause`: never in the reconcile that adds the pause; once the preview
/// checkpoint is passed; with auto-promotion, when no delay is set or it has elapsed since the pause
/// began; without, once the user removed the pause condition.
pub fn completed_pause(ctx: &Ctx<'_>) -> bool {
    if ctx.pause.add_reasons.iter().any(|r| r == BLUE_GREEN_PAUSE) {
        return false;
    }
    if scale_up_preview_check_point(ctx) {
        return true;
    }
    let condition = pause_condition(ctx);
    if ctx
        .blue_green()
        .is_some_and(rollouts_api::bluegreen::BlueGreenStrategy::auto_promotion_enabled_or_default)
    {
        let seconds = auto_promotion_seconds(ctx);
        if seconds == 0 {
            return true;
        }
        return condition
            .and_then(|c| promotion_due(c, seconds))
            .is_some_and(|due| ctx.now > due);
    }
    ctx.old.controller_pause.unwrap_or(false) && condition.is_none()
}

/// Adds the BlueGreenPause condition when the new ReplicaSet is ready and promotion waits for a
/// person or for `autoPromotionSeconds`; removes it once the pause is over or no longer applies.
pub fn reconcile_pause(ctx: &mut Ctx<'_>) {
    if ctx.pause.is_aborted() || !ready_for_pause(ctx) || halted(ctx) {
        return;
    }
    let active = ctx.service_hash(&active_service(ctx)).unwrap_or_default();
    let new_is_active = ctx.new_rs().is_some_and(|n| hash_of(n) == active);
    if fast_tracked(ctx) || new_is_active || scale_up_preview_check_point(ctx) || !needs_controller_pause(ctx) {
        remove(ctx);
        return;
    }
    if !super::analysis::completed_pre_promotion(ctx) {
        return;
    }
    match pause_condition(ctx).cloned() {
        Some(condition) => {
            if completed_pause(ctx) {
                remove(ctx);
            } else if let Some(due) = promotion_due(&condition, auto_promotion_seconds(ctx)) {
                // Promotion is due strictly after the deadline: look again just past it.
                let wait = Duration::try_from(due.duration_since(ctx.now)).unwrap_or(Duration::ZERO);
                ctx.plan.requeue(wait + Duration::from_millis(10));
            }
        }
        None => {
            if !ctx.old.controller_pause.unwrap_or(false) {
                ctx.pause.add_reasons.push(BLUE_GREEN_PAUSE.to_string());
            }
        }
    }
}

fn remove(ctx: &mut Ctx<'_>) {
    ctx.pause.remove_reasons.push(BLUE_GREEN_PAUSE.to_string());
}
