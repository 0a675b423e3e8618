//! When a rollout counts as progressing, healthy or completed (upstream `RolloutProgressing`,
//! `RolloutHealthy`, `RolloutCompleted` in `utils/conditions/conditions.go`). They drive the
//! Progressing, Healthy and Completed conditions and the progress deadline.

use rollouts_api::rollout::RolloutSpec;
use rollouts_api::rollout_status::RolloutStatus;

fn count(v: Option<i32>) -> i32 {
    v.unwrap_or(0)
}

fn text(v: Option<&String>) -> &str {
    v.map_or("", String::as_str)
}

fn active_selector(status: &RolloutStatus) -> &str {
    text(status.blue_green.as_ref().and_then(|b| b.active_selector.as_ref()))
}

fn preview_selector(status: &RolloutStatus) -> &str {
    text(status.blue_green.as_ref().and_then(|b| b.preview_selector.as_ref()))
}

/// Upstream `RolloutProgressing`: did this reconcile move the rollout forward, comparing the status it
/// started from (`old`) with the one it computed (`new`)? Progress refreshes the Progressing
/// condition's lastUpdateTime and so postpones the progress deadline.
pub fn rollout_progressing(spec: &RolloutSpec, old: &RolloutStatus, new: &RolloutStatus) -> bool {
    let strategy = spec.strategy.as_ref();
    let mut strategy_progress = false;
    if strategy.is_some_and(|s| s.blue_green.is_some()) {
        strategy_progress =
            active_selector(old) != active_selector(new) || preview_selector(old) != preview_selector(new);
    }
    if strategy.is_some_and(|s| s.canary.is_some()) {
        let stable_changed = text(new.stable_rs.as_ref()) != text(old.stable_rs.as_ref());
        let step_changed = matches!((new.current_step_index, old.current_step_index), (Some(n), Some(o)) if n != o);
        let step_hash_changed = text(new.current_step_hash.as_ref()) != text(old.current_step_hash.as_ref());
        strategy_progress = stable_changed || step_changed || step_hash_changed;
    }
    // Go int32 arithmetic on counts that are never near the limits; wrapping keeps this panic-free.
    let old_old = count(old.replicas).wrapping_sub(count(old.updated_replicas));
    let new_old = count(new.replicas).wrapping_sub(count(new.updated_replicas));
    count(new.updated_replicas) != count(old.updated_replicas)
        || new_old < old_old
        || count(new.ready_replicas) > count(old.ready_replicas)
        || count(new.available_replicas) > count(old.available_replicas)
        || strategy_progress
}

/// Upstream `RolloutHealthy`: all desired replicas updated and available, the spec generation
/// observed (compared against the *old* status, as upstream does), and the strategy finished
/// (blue-green: active and, when configured, preview select the current hash; canary: all steps
/// executed, current hash stable, no extra replicas).
pub fn rollout_healthy(spec: &RolloutSpec, generation: i64, old: &RolloutStatus, new: &RolloutStatus) -> bool {
    let replicas = spec.replicas_or_default();
    let current = text(new.current_pod_hash.as_ref());
    let strategy = spec.strategy.as_ref();
    let mut completed_strategy = true;
    if let Some(blue_green) = strategy.and_then(|s| s.blue_green.as_ref()) {
        let has_preview = blue_green.preview_service.as_deref().is_some_and(|p| !p.is_empty());
        completed_strategy = active_selector(new) == current && (!has_preview || preview_selector(new) == current);
    }
    if let Some(canary) = strategy.and_then(|s| s.canary.as_ref()) {
        let step_count = canary.steps.as_ref().map_or(0, Vec::len);
        let executed_all = match new.current_step_index {
            Some(index) if step_count > 0 => usize::try_from(index).is_ok_and(|i| i == step_count),
            _ => true,
        };
        completed_strategy = executed_all && rollout_completed(new) && count(new.replicas) == replicas;
    }
    count(new.updated_replicas) == replicas
        && count(new.available_replicas) == replicas
        && text(old.observed_generation.as_ref()) == generation.to_string()
        && completed_strategy
}

/// Upstream `RolloutCompleted`: the current pod hash is the stable one (drives the Completed condition).
pub fn rollout_completed(status: &RolloutStatus) -> bool {
    let stable = text(status.stable_rs.as_ref());
    !stable.is_empty() && stable == text(status.current_pod_hash.as_ref())
}
