//! Canary step helpers: the current step, how upstream names a step in events, and pause durations.

use std::time::Duration;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use rollouts_api::RolloutSpec;
use rollouts_api::rollout_status::RolloutStatus;
use rollouts_api::steps::CanaryStep;

/// The canary steps (empty without a canary strategy).
pub fn steps(spec: &RolloutSpec) -> &[CanaryStep] {
    spec.strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.steps.as_deref())
        .unwrap_or_default()
}

/// The step at `status.currentStepIndex` (0 when unset); `None` without steps or past the last one
/// (upstream `GetCurrentCanaryStep`).
pub fn current_step<'a>(spec: &'a RolloutSpec, status: &RolloutStatus) -> Option<&'a CanaryStep> {
    let index = usize::try_from(status.current_step_index.unwrap_or(0)).ok()?;
    steps(spec).get(index)
}

/// Number of steps as the `i32` the status uses.
pub fn step_count(spec: &RolloutSpec) -> i32 {
    i32::try_from(steps(spec).len()).unwrap_or(i32::MAX)
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// How upstream names a step in `RolloutStepCompleted` events (`CanaryStepString`).
pub fn step_string(step: &CanaryStep) -> String {
    if let Some(weight) = step.set_weight {
        return format!("setWeight: {weight}");
    }
    if let Some(pause) = &step.pause {
        return match &pause.duration {
            Some(d) => format!("pause: {}", int_or_string(d)),
            None => "pause".to_string(),
        };
    }
    if step.experiment.is_some() {
        return "experiment".to_string();
    }
    if step.analysis.is_some() {
        return "analysis".to_string();
    }
    if let Some(scale) = &step.set_canary_scale {
        if let Some(weight) = scale.weight {
            return format!("setCanaryScale{{weight: {weight}}}");
        } else if scale.match_traffic_weight.unwrap_or(false) {
            return "setCanaryScale{matchTrafficWeight: true}".to_string();
        } else if let Some(replicas) = scale.replicas {
            return format!("setCanaryScale{{replicas: {replicas}}}");
        }
    }
    if let Some(plugin) = &step.plugin {
        return format!("plugin: {}", plugin.name);
    }
    if let Some(route) = &step.set_header_route {
        return format!("setHeaderRoute: {}", route.name.as_deref().unwrap_or(""));
    }
    if let Some(route) = &step.set_mirror_route {
        return format!("setMirrorRoute: {}", route.name);
    }
    "invalid".to_string()
}

/// A pause step's duration; `None` for an indefinite pause. A duration that does not parse counts as
/// zero, as upstream's `DurationSeconds` makes it (validation rejects such Rollouts anyway).
pub fn pause_duration(duration: Option<&IntOrString>) -> Option<Duration> {
    let d = duration?;
    let seconds = rollouts_api::duration::pause_seconds(d).unwrap_or(0).max(0);
    Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
}
