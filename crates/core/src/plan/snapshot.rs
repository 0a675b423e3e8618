//! What the controller observed for one Rollout.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use rollouts_api::Rollout;
use rollouts_api::analysis_run::AnalysisRun;
use rollouts_api::experiment::Experiment;
use rollouts_api::{AnalysisTemplate, ClusterAnalysisTemplate};

/// The workload a `workloadRef` points to, as far as the controller could resolve it.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkloadState {
    /// The Rollout has its own template.
    NotReferenced,
    /// The referenced workload was found; the snapshot's Rollout already carries its template (and its
    /// selector when the Rollout has none), in memory only.
    Resolved {
        /// `metadata.generation` of the workload.
        generation: Option<i64>,
        /// `spec.replicas` of the workload when it is a Deployment (for `scaleDown`).
        replicas: Option<i32>,
    },
    /// The reference could not be resolved (not found, unsupported kind, template set as well...).
    Failed(String),
}

/// Everything one reconcile of a Rollout looks at, read from the controller's caches.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    /// The Rollout (template resolved from `workloadRef` when it has one).
    pub rollout: &'a Rollout,
    /// The ReplicaSets the Rollout controls (owner reference with its UID), in any order.
    pub replica_sets: &'a [ReplicaSet],
    /// The Services of the Rollout's namespace that it references; a referenced Service missing here
    /// does not exist.
    pub services: &'a [Service],
    /// Pods of the Rollout's ReplicaSets. Only needed while a restart is pending
    /// ([`Snapshot::needs_pods`]); `None` when the controller did not load them.
    pub pods: Option<&'a [Pod]>,
    /// The AnalysisRuns of the Rollout's namespace that it owns, and any other whose name starts with
    /// the Rollout's (so a new run's name never collides).
    pub analysis_runs: &'a [AnalysisRun],
    /// The Experiments of the Rollout's namespace that it owns, and any other whose name starts with
    /// the Rollout's (so a new experiment's name never collides).
    pub experiments: &'a [Experiment],
    /// The AnalysisTemplates of the Rollout's namespace its analyses refer to (directly or nested).
    pub analysis_templates: &'a [AnalysisTemplate],
    /// The ClusterAnalysisTemplates its analyses refer to.
    pub cluster_analysis_templates: &'a [ClusterAnalysisTemplate],
    /// The routing objects the Rollout's traffic routers read ([`crate::traffic::references`]), raw as
    /// the API server returns them; a referenced object missing here does not exist.
    pub routing_objects: &'a [serde_json::Value],
    /// The API versions the routers use (the controller's flags, or what the cluster serves).
    pub routing_settings: &'a crate::traffic::RoutingSettings,
    /// The `workloadRef` target.
    pub workload: WorkloadState,
    /// The time of this reconcile.
    pub now: jiff::Timestamp,
}

impl Snapshot<'_> {
    /// Whether the planner needs the pods of this Rollout: only while `spec.restartAt` is due and not yet
    /// done, so the controller lists pods for no other Rollout.
    pub fn needs_pods(rollout: &Rollout, now: Timestamp) -> bool {
        let Some(restart_at) = rollout.spec.restart_at.as_ref() else {
            return false;
        };
        let done = rollout.status.as_ref().and_then(|s| s.restarted_at.as_ref()) == Some(restart_at);
        !done && restart_at.0 <= now
    }
}
