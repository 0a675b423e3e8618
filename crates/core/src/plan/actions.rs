//! What a plan asks the controller to do.

use k8s_openapi::api::apps::v1::ReplicaSet;
use serde_json::Value;
use std::time::Duration;

/// One write against the API server, in the order the plan lists them.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Create this ReplicaSet (in the Rollout's namespace). `AlreadyExists` is reported back to the
    /// planner through the next snapshot, where a hash collision is detected and `collisionCount` raised.
    CreateReplicaSet(Box<ReplicaSet>),
    /// Replace this ReplicaSet (an update carrying the observed `resourceVersion`, so a concurrent change
    /// is a conflict and the reconcile starts over). Used for scaling and for annotation/template syncs.
    UpdateReplicaSet(Box<ReplicaSet>),
    /// Apply a JSON patch (RFC 6902) to a ReplicaSet, as upstream does for `scale-down-deadline`.
    PatchReplicaSet {
        /// ReplicaSet name.
        name: String,
        /// The JSON patch operations.
        patch: Value,
    },
    /// Delete an old ReplicaSet beyond `revisionHistoryLimit`, with a precondition on its UID.
    DeleteReplicaSet {
        /// ReplicaSet name.
        name: String,
        /// Its UID, so a newer object with the same name is never deleted.
        uid: Option<String>,
    },
    /// Merge-patch the Rollout itself (metadata or spec, e.g. the revision annotation or a defaulted
    /// `spec.replicas`).
    PatchRollout(Value),
    /// Merge-patch the Rollout's `status` subresource. The value is the patch of the status itself
    /// (upstream's two-way merge patch between the observed and the new status); on the wire it goes
    /// under `status`. At most one per plan, and the last write of it.
    PatchRolloutStatus(Value),
    /// Merge-patch the metadata of every pod of one ReplicaSet (the ones carrying its
    /// `rollouts-pod-template-hash`), for ephemeral labels and annotations. Pods that disappear meanwhile
    /// are skipped.
    PatchPods {
        /// The ReplicaSet whose pods are patched.
        replica_set: String,
        /// Its `rollouts-pod-template-hash`, which selects its pods.
        pod_template_hash: String,
        /// The merge patch (`{"metadata":{"labels":{...},"annotations":{...}}}`, `null` removes).
        patch: Value,
    },
    /// Strategic-merge-patch a Service (selector switch and the managed-by annotation).
    PatchService {
        /// Service name.
        name: String,
        /// The patch body.
        patch: Value,
    },
    /// Create this AnalysisRun. The planner has already picked a name no run in the snapshot has (or
    /// adopted an identical run still going), so `AlreadyExists` only means the cache is behind: the
    /// reconcile starts over.
    CreateAnalysisRun(Box<rollouts_api::AnalysisRun>),
    /// Merge-patch an AnalysisRun (`{"spec":{"terminate":true}}` to stop it).
    PatchAnalysisRun {
        /// AnalysisRun name.
        name: String,
        /// The merge patch.
        patch: Value,
    },
    /// Delete an old AnalysisRun (history limits), with a precondition on its UID.
    DeleteAnalysisRun {
        /// AnalysisRun name.
        name: String,
        /// Its UID.
        uid: Option<String>,
    },
    /// Create this Experiment (a canary `experiment` step). As for AnalysisRuns, the planner has already
    /// picked a name no Experiment in the snapshot has (or adopted an identical one still going), so
    /// `AlreadyExists` only means the cache is behind: the reconcile starts over.
    CreateExperiment(Box<rollouts_api::Experiment>),
    /// Merge-patch an Experiment (`{"spec":{"terminate":true}}` to stop it).
    PatchExperiment {
        /// Experiment name.
        name: String,
        /// The merge patch.
        patch: Value,
    },
    /// Delete an old Experiment (history limits, or its ReplicaSet is gone), with a precondition on
    /// its UID. `NotFound` is not an error.
    DeleteExperiment {
        /// Experiment name.
        name: String,
        /// Its UID.
        uid: Option<String>,
    },
    /// Evict a pod through the eviction subresource (`restartAt`); a refusal by a PodDisruptionBudget
    /// (429) is not an error, the pod is tried again on a later reconcile.
    EvictPod {
        /// Pod name.
        name: String,
    },
    /// A write to a routing object (Ingress, VirtualService, TrafficSplit, HTTPRoute...) made by a
    /// traffic router.
    Routing(crate::traffic::RoutingWrite),
    /// Set the replicas of the workload a `workloadRef` points to, through its scale subresource.
    ScaleWorkload {
        /// `apiVersion` of the referenced workload (e.g. `apps/v1`).
        api_version: String,
        /// Its kind (e.g. `Deployment`).
        kind: String,
        /// Its name.
        name: String,
        /// The replica count to set.
        replicas: i32,
    },
}

/// Kubernetes event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// A normal transition.
    Normal,
    /// Something an operator should look at.
    Warning,
}

/// An event to record on the Rollout once the plan's writes succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Normal or Warning.
    pub type_: EventType,
    /// Upstream's reason string (e.g. `RolloutUpdated`).
    pub reason: String,
    /// Upstream's message.
    pub message: String,
}

impl Event {
    /// A `Normal` event with upstream's reason and message.
    pub fn normal(reason: &str, message: impl Into<String>) -> Self {
        Self {
            type_: EventType::Normal,
            reason: reason.to_string(),
            message: message.into(),
        }
    }

    /// A `Warning` event with upstream's reason and message.
    pub fn warning(reason: &str, message: impl Into<String>) -> Self {
        Self {
            type_: EventType::Warning,
            reason: reason.to_string(),
            message: message.into(),
        }
    }
}

/// The outcome of planning one reconcile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Writes, in order. Empty when nothing needs to change.
    pub actions: Vec<Action>,
    /// Events to record after the writes succeeded.
    pub events: Vec<Event>,
    /// Look at this Rollout again after this long at the latest (pause expiry, progress deadline, ...).
    pub requeue_after: Option<Duration>,
    /// The Rollout is invalid (InvalidSpec): the controller retries it with its error backoff rather than
    /// waiting for a change, as upstream does.
    pub error: Option<String>,
}

impl Plan {
    /// True when the plan writes nothing.
    pub fn is_noop(&self) -> bool {
        self.actions.is_empty()
    }

    /// Keeps the earliest of the current and the given requeue time.
    pub fn requeue(&mut self, after: Duration) {
        self.requeue_after = Some(match self.requeue_after {
            Some(current) => current.min(after),
            None => after,
        });
    }
}
