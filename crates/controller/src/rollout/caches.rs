//! The watch caches the Rollout reconcile reads, and which of them it waits for at start.
//!
//! Rollouts, AnalysisRuns and (cluster) AnalysisTemplates are cached raw ([`DynamicObject`]) and
//! decoded one by one, so that one object that does not fit its type cannot break the watch of all
//! the others. The AnalysisRun cache is shared with the AnalysisRun controller; the Experiment
//! controller reads the Experiments, ReplicaSets, Services, AnalysisRuns and templates from here too.

use std::fmt;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::{Store, store::Writer};

use crate::runtime::readiness::{self, CacheSet};

/// The watch caches.
#[derive(Clone)]
pub struct Stores {
    /// Rollouts, raw.
    pub rollouts: Store<DynamicObject>,
    /// ReplicaSets with the `rollouts-pod-template-hash` label.
    pub replica_sets: Store<ReplicaSet>,
    /// Services.
    pub services: Store<Service>,
    /// AnalysisRuns, raw (decoded one by one, like Rollouts).
    pub analysis_runs: Store<DynamicObject>,
    /// AnalysisTemplates, raw.
    pub analysis_templates: Store<DynamicObject>,
    /// ClusterAnalysisTemplates, raw.
    pub cluster_analysis_templates: Store<DynamicObject>,
    /// Experiments, raw.
    pub experiments: Store<DynamicObject>,
    /// Whether each of these caches has been listed once.
    pub readiness: Readiness,
}

/// The write halves of the caches, consumed by [`super::watch::queue`].
pub struct Writers {
    /// Rollouts.
    pub rollouts: Writer<DynamicObject>,
    /// ReplicaSets with the `rollouts-pod-template-hash` label.
    pub replica_sets: Writer<ReplicaSet>,
    /// Services.
    pub services: Writer<Service>,
    /// AnalysisRuns.
    pub analysis_runs: Writer<DynamicObject>,
    /// AnalysisTemplates.
    pub analysis_templates: Writer<DynamicObject>,
    /// ClusterAnalysisTemplates.
    pub cluster_analysis_templates: Writer<DynamicObject>,
    /// Experiments.
    pub experiments: Writer<DynamicObject>,
}

/// The API resources of the analysis kinds.
pub fn analysis_resources() -> (ApiResource, ApiResource, ApiResource) {
    (
        ApiResource::erase::<rollouts_api::AnalysisRun>(&()),
        ApiResource::erase::<rollouts_api::AnalysisTemplate>(&()),
        ApiResource::erase::<rollouts_api::ClusterAnalysisTemplate>(&()),
    )
}

/// The API resource of Experiments.
pub fn experiment_resource() -> ApiResource {
    ApiResource::erase::<rollouts_api::experiment::Experiment>(&())
}

/// Empty caches, filled once the watches of [`super::watch::queue`] are polled.
pub fn empty(rollout_resource: &ApiResource) -> (Stores, Writers) {
    let (run_resource, template_resource, cluster_template_resource) = analysis_resources();
    let rollouts = Writer::new(rollout_resource.clone());
    let replica_sets = Writer::default();
    let services = Writer::default();
    let analysis_runs = Writer::new(run_resource);
    let analysis_templates = Writer::new(template_resource);
    let cluster_analysis_templates = Writer::new(cluster_template_resource);
    let experiments = Writer::new(experiment_resource());
    let stores = Stores {
        rollouts: rollouts.as_reader(),
        replica_sets: replica_sets.as_reader(),
        services: services.as_reader(),
        analysis_runs: analysis_runs.as_reader(),
        analysis_templates: analysis_templates.as_reader(),
        cluster_analysis_templates: cluster_analysis_templates.as_reader(),
        experiments: experiments.as_reader(),
        readiness: Readiness::new(),
    };
    (
        stores,
        Writers {
            rollouts,
            replica_sets,
            services,
            analysis_runs,
            analysis_templates,
            cluster_analysis_templates,
            experiments,
        },
    )
}

/// One watch cache the Rollout reconcile waits for at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// ReplicaSets with the pod-template-hash label.
    ReplicaSets,
    /// Services.
    Services,
    /// AnalysisRuns.
    AnalysisRuns,
    /// AnalysisTemplates.
    AnalysisTemplates,
    /// ClusterAnalysisTemplates.
    ClusterAnalysisTemplates,
    /// Experiments.
    Experiments,
}

impl CacheSet for Cache {
    const ALL: &'static [Self] = &[
        Cache::ReplicaSets,
        Cache::Services,
        Cache::AnalysisRuns,
        Cache::AnalysisTemplates,
        Cache::ClusterAnalysisTemplates,
        Cache::Experiments,
    ];
}

impl fmt::Display for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cache::ReplicaSets => "ReplicaSet",
            Cache::Services => "Service",
            Cache::AnalysisRuns => "AnalysisRun",
            Cache::AnalysisTemplates => "AnalysisTemplate",
            Cache::ClusterAnalysisTemplates => "ClusterAnalysisTemplate",
            Cache::Experiments => "Experiment",
        })
    }
}

/// Whether the caches of [`Cache`] have been filled.
pub type Readiness = readiness::Readiness<Cache>;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::runtime::readiness::NotFilled;

    #[tokio::test]
    async fn a_wait_names_the_caches_still_empty() {
        let readiness = Readiness::new();
        readiness.filled(Cache::Services);
        readiness.filled(Cache::AnalysisRuns);
        readiness.filled(Cache::AnalysisTemplates);
        let result = readiness.wait(Duration::from_millis(30)).await;
        assert_eq!(
            result,
            Err(NotFilled(vec![
                Cache::ReplicaSets,
                Cache::ClusterAnalysisTemplates,
                Cache::Experiments
            ]))
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "the ReplicaSet, ClusterAnalysisTemplate, Experiment cache(s) have not been listed yet"
        );
        for cache in Cache::ALL {
            readiness.filled(*cache);
        }
        assert_eq!(readiness.wait(Duration::ZERO).await, Ok(()));
    }
}
