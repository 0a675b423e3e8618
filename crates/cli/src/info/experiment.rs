//! Experiment rows: phase, its ReplicaSets (with pods) and its AnalysisRuns.

use super::analysis::analysis_run_infos;
use super::owner::{created, owned_by, revision};
use super::replicaset::replica_set_infos;
use super::{ExperimentInfo, age::age, analysis_icon};
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use rollouts_api::{AnalysisRun, Experiment, Rollout};

/// Everything `get experiment` prints about one Experiment.
pub fn experiment_info(
    exp: &Experiment,
    replica_sets: &[ReplicaSet],
    analysis_runs: &[AnalysisRun],
    pods: &[Pod],
    now: Timestamp,
) -> ExperimentInfo {
    let uid = exp.metadata.uid.clone().unwrap_or_default();
    let status = exp.status.clone().unwrap_or_default();
    let phase = status.phase.map_or("", rollouts_api::AnalysisPhase::as_str);
    ExperimentInfo {
        name: exp.metadata.name.clone().unwrap_or_default(),
        namespace: exp.metadata.namespace.clone().unwrap_or_default(),
        age: age(created(&exp.metadata), now),
        status: phase.to_string(),
        message: status.message.unwrap_or_default(),
        icon: analysis_icon(phase),
        revision: revision(&exp.metadata),
        replica_sets: replica_set_infos(&uid, None, replica_sets, pods, now),
        analysis_runs: analysis_run_infos(&uid, analysis_runs, now),
    }
}

/// The Experiments owned by the Rollout: newest revision first, then oldest first.
pub(crate) fn experiment_infos(
    ro: &Rollout,
    experiments: &[Experiment],
    replica_sets: &[ReplicaSet],
    analysis_runs: &[AnalysisRun],
    pods: &[Pod],
    now: Timestamp,
) -> Vec<ExperimentInfo> {
    let owner = [ro.metadata.uid.clone().unwrap_or_default()];
    let mut infos: Vec<(Option<Timestamp>, ExperimentInfo)> = experiments
        .iter()
        .filter(|e| owned_by(&e.metadata, &owner).is_some())
        .map(|e| {
            (
                created(&e.metadata),
                experiment_info(e, replica_sets, analysis_runs, pods, now),
            )
        })
        .collect();
    infos.sort_by(|(ta, a), (tb, b)| b.revision.cmp(&a.revision).then_with(|| ta.cmp(tb)));
    infos.into_iter().map(|(_, i)| i).collect()
}
