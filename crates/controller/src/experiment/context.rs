//! What every reconcile of an Experiment shares.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::Store;

use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::readiness::CachesFilled;
use crate::runtime::reconcile::Runtime;
use crate::runtime::watchdog::Limits;

/// An Experiment reconcile reads caches and makes a few writes, like a Rollout's.
pub const LIMITS: Limits = Limits {
    slow: Duration::from_secs(10),
    limit: Duration::from_secs(120),
};

/// The caches an Experiment reconcile reads (filled by the Rollout controller's watches).
#[derive(Clone)]
pub struct Caches {
    /// Experiments, raw.
    pub experiments: Store<DynamicObject>,
    /// ReplicaSets with the `rollouts-pod-template-hash` label (an Experiment's carry it).
    pub replica_sets: Store<ReplicaSet>,
    /// Services.
    pub services: Store<Service>,
    /// AnalysisRuns, raw.
    pub analysis_runs: Store<DynamicObject>,
    /// AnalysisTemplates, raw.
    pub analysis_templates: Store<DynamicObject>,
    /// ClusterAnalysisTemplates, raw.
    pub cluster_analysis_templates: Store<DynamicObject>,
    /// Whether those caches have been listed once.
    pub filled: Arc<dyn CachesFilled>,
}

/// What every reconcile of an Experiment shares.
pub struct Context {
    /// The client, the event recorder, the write tracker, the backoff, the counters and the limits.
    pub runtime: Runtime,
    /// The caches.
    pub caches: Caches,
    /// `argoproj.io/v1alpha1` Experiments, for the dynamic API.
    pub experiment_resource: ApiResource,
}

impl Context {
    /// A context for the Experiment controller.
    pub fn new(client: kube::Client, caches: Caches, metrics: Metrics, resync: Duration) -> Self {
        Self {
            runtime: Runtime::new(ControllerKind::Experiment, client, metrics, resync, LIMITS),
            caches,
            experiment_resource: ApiResource::erase::<rollouts_api::experiment::Experiment>(&()),
        }
    }
}
