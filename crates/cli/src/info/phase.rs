//! The phase and message a client shows for a Rollout.

use rollouts_api::well_known::annotations;
use rollouts_api::{Rollout, RolloutPhase};
use rollouts_core::status::calculate_rollout_phase;

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
    calculate_rollout_phase(&ro.spec, &status)
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
