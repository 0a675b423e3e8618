//! Gathering a [`RolloutInfo`] from a Rollout and the objects around it.

use super::analysis::analysis_run_infos;
use super::experiment::experiment_infos;
use super::owner::created;
use super::phase::get_rollout_phase;
use super::replicaset::replica_set_infos;
use super::{RolloutInfo, age::age, rollout_icon};
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use rollouts_api::canary::CanaryStrategy;
use rollouts_api::{AnalysisRun, Experiment, Rollout};

/// Builds what `get rollout` shows from the Rollout and candidate child objects (only those the
/// Rollout owns, by owner-reference uid, are kept), with ages measured at `now`.
pub fn rollout_info(
    ro: &Rollout,
    replica_sets: &[ReplicaSet],
    pods: &[Pod],
    analysis_runs: &[AnalysisRun],
    experiments: &[Experiment],
    now: Timestamp,
) -> RolloutInfo {
    let uid = ro.metadata.uid.clone().unwrap_or_default();
    let status = ro.status.clone().unwrap_or_default();
    let (phase, message) = get_rollout_phase(ro);
    let mut info = RolloutInfo {
        name: ro.metadata.name.clone().unwrap_or_default(),
        namespace: ro.metadata.namespace.clone().unwrap_or_default(),
        age: age(created(&ro.metadata), now),
        status: phase.as_str().to_string(),
        message,
        icon: rollout_icon(phase.as_str()),
        desired: ro.spec.replicas_or_default(),
        current: status.replicas.unwrap_or(0),
        updated: status.updated_replicas.unwrap_or(0),
        ready: status.ready_replicas.unwrap_or(0),
        available: status.available_replicas.unwrap_or(0),
        replica_sets: replica_set_infos(&uid, Some(ro), replica_sets, pods, now),
        experiments: experiment_infos(ro, experiments, replica_sets, analysis_runs, pods, now),
        analysis_runs: analysis_run_infos(&uid, analysis_runs, now),
        ..RolloutInfo::default()
    };
    let strategy = ro.spec.strategy.clone().unwrap_or_default();
    if let Some(canary) = &strategy.canary {
        info.strategy = "Canary".into();
        fill_canary(&mut info, ro, canary);
    } else if strategy.blue_green.is_some() {
        info.strategy = "BlueGreen".into();
    }
    info
}

/// The weight the canary steps ask for now (not the weight actually reached): 0 once aborted, the
/// maximum weight when past the last step, else the last `setWeight` up to the current step.
pub fn current_set_weight(ro: &Rollout, canary: &CanaryStrategy) -> i32 {
    let status = ro.status.clone().unwrap_or_default();
    let steps = canary.steps.as_deref().unwrap_or(&[]);
    let index = status.current_step_index.unwrap_or(0);
    let current_step = usize::try_from(index).ok().and_then(|i| steps.get(i));
    if status.abort.unwrap_or(false) {
        0
    } else if current_step.is_none() {
        ro.spec.max_traffic_weight()
    } else {
        let upto = usize::try_from(index).map_or(0, |i| i + 1);
        steps.iter().take(upto).rev().find_map(|s| s.set_weight).unwrap_or(0)
    }
}

fn fill_canary(info: &mut RolloutInfo, ro: &Rollout, canary: &CanaryStrategy) {
    let status = ro.status.clone().unwrap_or_default();
    let steps = canary.steps.as_deref().unwrap_or(&[]);
    if let Some(idx) = status.current_step_index.filter(|_| !steps.is_empty()) {
        info.step = format!("{idx}/{}", steps.len());
    }
    let max_weight = ro.spec.max_traffic_weight();
    let index = status.current_step_index.unwrap_or(0);
    let current_step = usize::try_from(index).ok().and_then(|i| steps.get(i));

    info.set_weight = current_set_weight(ro, canary).to_string();

    let available = status.available_replicas.unwrap_or(0);
    info.actual_weight = if current_step.is_none() {
        max_weight.to_string()
    } else if available > 0 {
        if canary.traffic_routing.is_none() {
            let canary_rs = info.replica_sets.iter().rev().find(|rs| rs.canary);
            canary_rs.map_or_else(
                || "0".to_string(),
                |rs| (rs.available * max_weight / available).to_string(),
            )
        } else {
            match status.canary.as_ref().and_then(|c| c.weights.as_ref()) {
                Some(w) => w.canary.weight.to_string(),
                None => info.set_weight.clone(),
            }
        }
    } else {
        "0".to_string()
    };
}
