//! `CalculateRolloutPhase` (upstream `utils/rollout/rolloututil.go`).

use rollouts_api::rollout::RolloutSpec;
use rollouts_api::rollout_status::{RolloutPhase, RolloutStatus};
use rollouts_api::well_known::{condition_types, reasons};

/// Phase and message the controller writes to `status.phase` / `status.message` after a reconcile.
///
/// First match wins, in upstream's order: a single pass over the conditions in list order (the first
/// `InvalidSpec`-typed condition, or the first with reason `RolloutAborted` / `ProgressDeadlineExceeded`,
/// makes the rollout Degraded — whichever comes first in the list), then manual pause, the first pause
/// condition, a pending restart, replica counts, and finally the strategy-specific checks.
pub fn calculate_rollout_phase(spec: &RolloutSpec, status: &RolloutStatus) -> (RolloutPhase, String) {
    if let Some(degraded) = degraded(status) {
        return degraded;
    }
    if spec.paused.unwrap_or(false) {
        return (RolloutPhase::Paused, "manually paused".to_owned());
    }
    if let Some(first) = status.pause_conditions.as_deref().and_then(<[_]>::first) {
        return (RolloutPhase::Paused, first.reason.clone());
    }
    if let Some(restart_at) = &spec.restart_at
        && status.restarted_at.as_ref().is_none_or(|done| done.0 != restart_at.0)
    {
        return progressing("rollout is restarting");
    }
    let updated = status.updated_replicas.unwrap_or(0);
    if updated < spec.replicas_or_default() {
        return progressing("more replicas need to be updated");
    }
    if status.available_replicas.unwrap_or(0) < updated {
        return progressing("updated replicas are still becoming available");
    }
    let strategy = spec.strategy.as_ref();
    let current = status.current_pod_hash.as_deref().unwrap_or("");
    let stable = status.stable_rs.as_deref().unwrap_or("");
    let fully_promoted = !stable.is_empty() && stable == current;
    if let Some(blue_green) = strategy.and_then(|s| s.blue_green.as_ref()) {
        let active = status
            .blue_green
            .as_ref()
            .and_then(|b| b.active_selector.as_deref())
            .unwrap_or("");
        if active.is_empty() || active != current {
            return progressing("active service cutover pending");
        }
        if !fully_promoted {
            if blue_green.post_promotion_analysis.is_some() && !post_promotion_analysis_completed(status) {
                return progressing("waiting for analysis to complete");
            }
            return progressing("waiting for post-promotion verification to complete");
        }
    } else if let Some(canary) = strategy.and_then(|s| s.canary.as_ref()) {
        if canary.traffic_routing.is_none() && status.replicas.unwrap_or(0) > updated {
            // Only for a basic canary: blue-green and traffic-routed canaries keep old pods on purpose
            // (scale-down delay), so extra replicas there do not mean the update is unfinished.
            return progressing("old replicas are pending termination");
        }
        if !fully_promoted {
            return progressing("waiting for all steps to complete");
        }
    }
    (RolloutPhase::Healthy, String::new())
}

/// The single pass over conditions: InvalidSpec does not outrank an abort or timeout listed before it.
fn degraded(status: &RolloutStatus) -> Option<(RolloutPhase, String)> {
    status
        .conditions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find_map(|cond| {
            if cond.type_ == condition_types::INVALID_SPEC {
                Some(format!("{}: {}", condition_types::INVALID_SPEC, cond.message))
            } else if cond.reason == reasons::ROLLOUT_ABORTED || cond.reason == reasons::PROGRESS_DEADLINE_EXCEEDED {
                Some(format!("{}: {}", cond.reason, cond.message))
            } else {
                None
            }
            .map(|message| (RolloutPhase::Degraded, message))
        })
}

/// Upstream `waitingForBlueGreenPostPromotionAnalysis`, negated: the run exists and reached a final phase.
fn post_promotion_analysis_completed(status: &RolloutStatus) -> bool {
    status
        .blue_green
        .as_ref()
        .and_then(|b| b.post_promotion_analysis_run_status.as_ref())
        .is_some_and(|run| run.status.is_completed())
}

fn progressing(message: &str) -> (RolloutPhase, String) {
    (RolloutPhase::Progressing, message.to_owned())
}
