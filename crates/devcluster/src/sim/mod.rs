//! The decisions of the dev cluster's simulated workload controllers, as pure functions. Only their settings
//! ([`SimConfig`]) are public; the controllers are the dev cluster's own.
//!
//! The dev cluster runs no containers; instead these functions decide what Kubernetes' controllers and
//! kubelet would do next. Each takes the object it reconciles, the related objects, the current time
//! and (where something is random) a source of names or IPs, and returns a `Plan`: the
//! `Action`s to apply, in order, and when to call again. Nothing here reads the store, the clock or a
//! random generator, so every decision can be replayed in tests.
//!
//! | controller | entry point | inputs (same namespace) |
//! | --- | --- | --- |
//! | ReplicaSet | `replicaset::reconcile_within` | the ReplicaSet, all pods |
//! | Deployment | `deployment::reconcile` | the Deployment, all ReplicaSets, all pods |
//! | kubelet (and scheduler) | `kubelet::step_within` | one pod, the pods running on the node |
//! | Job | `job::reconcile_within` | the Job, all pods |
//! | Endpoints | `endpoints::reconcile` / `endpoints::desired` | the Service, all pods, the current Endpoints |
//! | PodDisruptionBudget | `disruption::reconcile` | the budget, all pods, the pods' controllers |
//!
//! A runtime calls a controller whenever its object or one of the related objects changes (a pod
//! event should wake the pod's kubelet, its owner, the Services and budgets selecting it), and again
//! after `requeue_after` when the plan asks for it. The functions filter the related objects
//! themselves (by controller reference and selector), so passing every object of the namespace is fine.
//! A plan for a settled state has no actions, so calling too often is harmless. Writes that fail (a
//! conflict, an AlreadyExists) need no special handling: the next call sees the store as it is and
//! decides again.
//!
//! Times in written objects have whole-second precision, as the API's `metav1.Time` does. Failure
//! simulation (crash loops, image pull errors, never-ready containers, Job outcomes) follows the
//! conventions of `images` and `script`.

pub(crate) mod actions;
pub(crate) mod deployment;
mod deployment_rollout;
mod deployment_status;
pub(crate) mod disruption;
pub(crate) mod endpoints;
pub(crate) mod hash;
pub(crate) mod images;
pub(crate) mod job;
pub(crate) mod kubelet;
mod meta;
mod podutil;
pub(crate) mod random;
pub(crate) mod replicaset;
pub(crate) mod scheduler;
pub(crate) mod script;
mod shell;
mod timeline;

#[cfg(test)]
mod tests;

use std::time::Duration;

pub(crate) use actions::{Action, EventRecord, Kind, ObjectRef, Plan};
pub(crate) use random::SeededRandom;

/// Settings of the simulation: how fast simulated pods move through their lives.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// From pod creation to containers started (image pulled, sandbox up).
    pub start_delay: Duration,
    /// Multiplies everything a workload waits for by itself: `sleep`s of container scripts, the
    /// kubelet's restart and image pull back-offs, the Job controller's retry back-off. 1.0 is real
    /// time; tests use small values.
    pub time_scale: f64,
    /// Longest time the kubelet takes to stop a deleted pod (its grace period applies when shorter).
    pub termination_delay: Duration,
    /// How long a `crashloop` container runs before it exits.
    pub crash_after: Duration,
    /// How long a failing pull shows `ErrImagePull` before the kubelet reports `ImagePullBackOff`.
    pub image_pull_error_for: Duration,
    /// The node every pod is bound to.
    pub node_name: String,
    /// That node's IP, reported as the pods' `hostIP`.
    pub host_ip: String,
    /// Most pods the node runs at once, counting those bound to it that have not terminated (as a
    /// node pool's capacity): the scheduler leaves more `Pending`, `Unschedulable`, until one ends.
    pub max_pods: usize,
    /// Most pod objects, in any phase, that the ReplicaSet and Job controllers create pods up to
    /// (a ReplicaSet held back reports `ReplicaFailure`), so that a runaway replica count cannot fill
    /// memory with Pending pods.
    pub max_pod_objects: usize,
}

/// The default [`SimConfig::max_pods`].
pub const DEFAULT_MAX_PODS: usize = 1000;
/// [`SimConfig::max_pod_objects`] per pod of [`SimConfig::max_pods`]: room for a backlog of Pending
/// pods nine times what the node runs.
pub const POD_OBJECTS_PER_NODE_POD: usize = 10;

impl SimConfig {
    /// These settings with a node that runs `max_pods` pods, and room for
    /// [`POD_OBJECTS_PER_NODE_POD`] times as many pod objects.
    pub fn with_max_pods(self, max_pods: usize) -> Self {
        SimConfig {
            max_pods,
            max_pod_objects: max_pods.saturating_mul(POD_OBJECTS_PER_NODE_POD),
            ..self
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            start_delay: Duration::from_secs(1),
            time_scale: 1.0,
            termination_delay: Duration::from_secs(1),
            crash_after: Duration::from_secs(1),
            image_pull_error_for: Duration::from_secs(5),
            node_name: "dev-node".to_string(),
            host_ip: "10.0.0.1".to_string(),
            max_pods: DEFAULT_MAX_PODS,
            max_pod_objects: DEFAULT_MAX_PODS * POD_OBJECTS_PER_NODE_POD,
        }
    }
}

/// Why a controller could not plan: the object it was given is not usable as it stands (the API
/// server's validation normally prevents this).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SimError {
    /// A field every such object has is missing.
    #[error("the object has no {field}")]
    Missing {
        /// The missing field.
        field: &'static str,
    },
    /// A field has a value the controller cannot use.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}
