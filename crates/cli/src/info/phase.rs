//! The phase and message a client shows for a Rollout.

use rollouts_api::well_known::annotations;
use rollouts_api::{Rollout, RolloutPhase};

/// Condition reason of an aborted update.
const REASON_ABORTED: &str = "RolloutAborted";
/// Condition reason of an update that ran past its progress deadline.
const REASON_TIMED_OUT: &str = "ProgressDeadlineExceeded";
/// Condition type of an invalid spec.
const CONDITION_INVALID_SPEC: &str = "InvalidSpec";

/// Phase and message as clients show them: an unobserved spec change or a pending unpause wins
/// over the recorded phase, which in turn wins over a client-side computation (for Rollouts
/// written by controllers that did not record a phase).
pub fn get_rollout_phase(ro: &Rollout) -> (RolloutPhase, String) {
    get_rollout_phase_with(ro, false)
}

/// [`get_rollout_phase`], telling whether the pod template was resolved from `workloadRef`.
pub fn get_rollout_phase_with(ro: &Rollout, template_resolved_from_ref: bool) -> (RolloutPhase, String) {
    if !generation_observed(ro) {
        return (
            RolloutPhase::Progressing,
            "waiting for rollout spec update to be observed".into(),
        );
    }
    let status = ro.status.clone().unwrap_or_default();
    if status.controller_pause.unwrap_or(false) && status.pause_conditions.as_ref().is_none_or(Vec::is_empty) {
        return (RolloutPhase::Progressing, "waiting for rollout to unpause".into());
    }
    if template_resolved_from_ref && !workload_generation_observed(ro) {
        return (
            RolloutPhase::Progressing,
            "waiting for rollout spec update to be observed for the reference workload".into(),
        );
    }
    if let Some(phase) = status.phase {
        return (phase, status.message.unwrap_or_default());
    }
    calculate_rollout_phase(ro)
}

fn generation_observed(ro: &Rollout) -> bool {
    let observed = ro
        .status
        .as_ref()
        .and_then(|s| s.observed_generation.as_deref())
        .unwrap_or("");
    let Ok(observed) = observed.parse::<i64>() else {
        return true;
    };
    observed >= ro.metadata.generation.unwrap_or(0)
}

fn workload_generation_observed(ro: &Rollout) -> bool {
    let wanted = ro
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(annotations::WORKLOAD_GENERATION))
        .and_then(|v| v.parse::<i32>().ok());
    let Some(wanted) = wanted else {
        return true;
    };
    let observed = ro
        .status
        .as_ref()
        .and_then(|s| s.workload_observed_generation.as_deref())
        .unwrap_or("");
    match observed.parse::<i64>() {
        Ok(observed) => observed as i32 == wanted,
        Err(_) => true,
    }
}

/// The phase computed from spec and status alone, first match wins.
pub fn calculate_rollout_phase(ro: &Rollout) -> (RolloutPhase, String) {
    let spec = &ro.spec;
    let status = ro.status.clone().unwrap_or_default();
    for cond in status.conditions.iter().flatten() {
        if cond.type_ == CONDITION_INVALID_SPEC {
            return (
                RolloutPhase::Degraded,
                format!("{CONDITION_INVALID_SPEC}: {}", cond.message),
            );
        }
        if cond.reason == REASON_ABORTED || cond.reason == REASON_TIMED_OUT {
            return (RolloutPhase::Degraded, format!("{}: {}", cond.reason, cond.message));
        }
    }
    if spec.paused.unwrap_or(false) {
        return (RolloutPhase::Paused, "manually paused".into());
    }
    if let Some(pc) = status.pause_conditions.iter().flatten().next() {
        return (RolloutPhase::Paused, pc.reason.clone());
    }
    if let Some(restart_at) = &spec.restart_at
        && status.restarted_at.as_ref().is_none_or(|r| r.0 != restart_at.0)
    {
        return (RolloutPhase::Progressing, "rollout is restarting".into());
    }
    let updated = status.updated_replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    if updated < spec.replicas_or_default() {
        return (RolloutPhase::Progressing, "more replicas need to be updated".into());
    }
    if available < updated {
        return (
            RolloutPhase::Progressing,
            "updated replicas are still becoming available".into(),
        );
    }
    let current_hash = status.current_pod_hash.clone().unwrap_or_default();
    let stable = status.stable_rs.clone().unwrap_or_default();
    let fully_promoted = !stable.is_empty() && stable == current_hash;
    let strategy = spec.strategy.clone().unwrap_or_default();
    if let Some(bg) = &strategy.blue_green {
        let bg_status = status.blue_green.clone().unwrap_or_default();
        let active = bg_status.active_selector.unwrap_or_default();
        if active.is_empty() || active != current_hash {
            return (RolloutPhase::Progressing, "active service cutover pending".into());
        }
        if !fully_promoted {
            let waiting = bg.post_promotion_analysis.is_some()
                && bg_status
                    .post_promotion_analysis_run_status
                    .as_ref()
                    .is_none_or(|s| !s.status.is_completed());
            let msg = if waiting {
                "waiting for analysis to complete"
            } else {
                "waiting for post-promotion verification to complete"
            };
            return (RolloutPhase::Progressing, msg.into());
        }
    } else if let Some(canary) = &strategy.canary {
        if canary.traffic_routing.is_none() && status.replicas.unwrap_or(0) > updated {
            return (RolloutPhase::Progressing, "old replicas are pending termination".into());
        }
        if !fully_promoted {
            return (RolloutPhase::Progressing, "waiting for all steps to complete".into());
        }
    }
    (RolloutPhase::Healthy, String::new())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rollout(json: serde_json::Value) -> Rollout {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn unobserved_generation_is_progressing() {
        let ro = rollout(serde_json::json!({
            "metadata": {"name": "r", "generation": 3},
            "spec": {},
            "status": {"observedGeneration": "2", "phase": "Healthy"}
        }));
        assert_eq!(
            get_rollout_phase(&ro),
            (
                RolloutPhase::Progressing,
                "waiting for rollout spec update to be observed".into()
            )
        );
    }

    #[test]
    fn recorded_phase_is_used() {
        let ro = rollout(serde_json::json!({
            "metadata": {"name": "r", "generation": 3},
            "spec": {},
            "status": {"observedGeneration": "abc", "phase": "Paused", "message": "CanaryPauseStep"}
        }));
        assert_eq!(get_rollout_phase(&ro), (RolloutPhase::Paused, "CanaryPauseStep".into()));
    }

    #[test]
    fn computed_when_no_phase_recorded() {
        let ro = rollout(serde_json::json!({
            "metadata": {"name": "r"},
            "spec": {"replicas": 2, "strategy": {"canary": {}}},
            "status": {"updatedReplicas": 2, "availableReplicas": 2, "replicas": 3,
                       "currentPodHash": "a", "stableRS": "b"}
        }));
        assert_eq!(
            get_rollout_phase(&ro),
            (RolloutPhase::Progressing, "old replicas are pending termination".into())
        );
    }
}
