//! The canary part of the status (upstream `syncRolloutStatusCanary`): the step index, promotion of the
//! new ReplicaSet to stable, a reset when the template or the steps change.

use rollouts_api::well_known::{pause_reasons, reasons};

use super::super::actions::Event;
use super::super::base_status::{calculate_base_status, format_label_selector, promote_stable};
use super::super::context::Ctx;
use super::super::persist::persist;
use super::super::replica_sets::{counts, hash_of, spec_replicas};
use super::super::rollback::{fast_rollback_reason, rollback_within_window};
use super::super::steps::{current_step, step_count, step_string};
use super::pause::completed_current_step;
use super::{pod_template_or_steps_changed, progress_threshold, steps_hash};
use crate::canary::replica_progress_threshold_met;

/// Why the new ReplicaSet should become stable now, if it should (upstream `shouldFullPromote`).
fn should_full_promote(ctx: &Ctx<'_>) -> Option<String> {
    if ctx.stable.is_none() {
        return Some("Initial deploy".to_string());
    }
    if ctx.pause.is_aborted() {
        return None;
    }
    let new = ctx.new_rs()?;
    let replicas = ctx.replicas();
    let threshold = progress_threshold(ctx);
    let new_counts = counts(new);
    if new_counts.available_replicas < replicas
        && !replica_progress_threshold_met(threshold, Some(new_counts), replicas)
    {
        return None;
    }
    if ctx.old.promote_full.unwrap_or(false) {
        return Some("Full promotion requested".to_string());
    }
    if let Some(reason) = fast_rollback_reason(ctx) {
        return Some(reason);
    }
    let count = step_count(ctx.spec());
    let index = ctx.old.current_step_index.unwrap_or(0);
    (count == 0 || index == count).then(|| format!("Completed all {count} canary steps"))
}

/// Upstream `resetRolloutStatus`: a new template or new steps start the update over.
fn reset_status(ctx: &mut Ctx<'_>) {
    ctx.pause.clear = true;
    ctx.pause.remove_abort = true;
    ctx.status.restarted_at = ctx.spec().restart_at.clone();
    ctx.status.promote_full = None;
    ctx.status.current_step_index = (step_count(ctx.spec()) > 0).then_some(0);
}

/// Upstream `syncRolloutStatusCanary`: the canary part of the status, then persist.
pub(super) fn sync_rollout_status_canary(ctx: &mut Ctx<'_>) {
    calculate_base_status(ctx);
    let all_available = ctx.all.iter().map(|rs| counts(rs).available_replicas).sum();
    let all_replicas = ctx.all.iter().map(|rs| counts(rs).status_replicas).sum();
    ctx.status.available_replicas = Some(all_available);
    ctx.status.hpa_replicas = Some(all_replicas);
    ctx.status.selector = Some(format_label_selector(ctx.spec().selector.as_ref()));
    if let (Some(canary), Some(old)) = (ctx.status.canary.as_mut(), ctx.old.canary.as_ref()) {
        canary.stable_ping_pong = old.stable_ping_pong.clone();
        canary.step_plugin_statuses = old.step_plugin_statuses.clone();
    }
    ctx.status.stable_rs = ctx.old.stable_rs.clone();
    ctx.status.current_step_hash = Some(steps_hash(ctx));
    let count = step_count(ctx.spec());
    let mut index = (count > 0).then(|| ctx.old.current_step_index.unwrap_or(0));

    if pod_template_or_steps_changed(ctx) {
        reset_status(ctx);
        if let Some(new) = ctx.new_rs()
            && count > 0
        {
            let new_hash = hash_of(new).to_string();
            let active = spec_replicas(new) > 0;
            if ctx.old.stable_rs.as_deref() == Some(new_hash.as_str()) {
                ctx.event(Event::normal(reasons::SKIP_STEPS, "Rollback to stable ReplicaSets"));
                ctx.status.current_step_index = Some(count);
            } else if rollback_within_window(ctx) && active {
                ctx.event(Event::normal(
                    reasons::SKIP_STEPS,
                    "Rollback to active ReplicaSets within RollbackWindow",
                ));
                ctx.status.current_step_index = Some(count);
            }
        }
        persist(ctx);
        return;
    }

    if ctx.old.promote_full.unwrap_or(false) || rollback_within_window(ctx) {
        ctx.pause.clear = true;
        ctx.pause.remove_abort = true;
        if count > 0 {
            index = Some(count);
        }
    }

    if let Some(reason) = should_full_promote(ctx) {
        promote_stable(ctx, &reason);
        persist(ctx);
        return;
    }

    if ctx.pause.is_aborted() {
        if count > 0 {
            let at_stable = ctx.status.stable_rs == ctx.status.current_pod_hash;
            ctx.status.current_step_index = Some(if at_stable { count } else { 0 });
        }
        persist(ctx);
        return;
    }

    if completed_current_step(ctx)
        && let Some(step) = current_step(ctx.spec(), &ctx.old)
    {
        let text = step_string(step);
        let next = index.unwrap_or(0) + 1;
        index = Some(next);
        if let Some(c) = ctx.status.canary.as_mut() {
            c.current_step_analysis_run_status = None;
        }
        ctx.event(Event::normal(
            reasons::ROLLOUT_STEP_COMPLETED,
            format!("Rollout step {next}/{count} completed ({text})"),
        ));
        ctx.pause
            .remove_reasons
            .push(pause_reasons::CANARY_PAUSE_STEP.to_string());
    }
    ctx.status.current_step_index = index;
    persist(ctx);
}
