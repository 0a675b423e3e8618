//! Which of the Rollout's past Experiments to delete (upstream `FilterExperimentsToDelete`): those
//! without a pod-template hash, those whose ReplicaSet is gone or going, and finished ones beyond the
//! Rollout's run history limits, newest kept first.

use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::Experiment;
use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::well_known::labels;

use super::super::replica_sets::hash_of;
use super::phase;

/// How many finished Experiments of each kind to keep.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Successful ones.
    pub successful: usize,
    /// Failed, Error and Inconclusive ones.
    pub unsuccessful: usize,
}

/// The experiments among `candidates` to delete, newest first.
pub fn to_delete<'e>(
    candidates: &[&'e Experiment],
    replica_sets: &[ReplicaSet],
    limits: Limits,
) -> Vec<&'e Experiment> {
    let mut sorted = candidates.to_vec();
    // Newest first; among equal times the name decides, as upstream's reversed sort leaves them.
    sorted.sort_by(|a, b| {
        let key = |e: &Experiment| {
            (
                e.metadata.creation_timestamp.as_ref().map(|t| t.0),
                e.metadata.name.clone(),
            )
        };
        key(b).cmp(&key(a))
    });
    let (mut successful, mut unsuccessful) = (0, 0);
    let mut delete = Vec::new();
    for experiment in sorted {
        let hash = experiment
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::POD_TEMPLATE_HASH));
        let replica_set = hash.and_then(|h| replica_sets.iter().find(|rs| hash_of(rs) == h.as_str()));
        let gone = replica_set.is_none_or(|rs| rs.metadata.deletion_timestamp.is_some());
        let over_limit = !gone
            && match phase(experiment) {
                Some(AnalysisPhase::Successful) => {
                    successful += 1;
                    successful > limits.successful
                }
                Some(AnalysisPhase::Failed | AnalysisPhase::Error | AnalysisPhase::Inconclusive) => {
                    unsuccessful += 1;
                    unsuccessful > limits.unsuccessful
                }
                _ => false,
            };
        if gone || over_limit {
            delete.push(experiment);
        }
    }
    delete
}
