//! The Rollout kind: a Deployment-like workload whose updates follow a canary or blue-green strategy.

use crate::bluegreen::BlueGreenStrategy;
use crate::canary::CanaryStrategy;
use crate::rollout_status::RolloutStatus;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of a Rollout.
// Printer columns repeat `type_ = "integer"` by nature; the lint mistakes them for duplicates.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource)]
#[kube(group = "argoproj.io", version = "v1alpha1", kind = "Rollout", namespaced)]
#[kube(
    status = "RolloutStatus",
    shortname = "ro",
    category = "argoproj",
    derive = "PartialEq"
)]
#[kube(scale(
    spec_replicas_path = ".spec.replicas",
    status_replicas_path = ".status.HPAReplicas",
    label_selector_path = ".status.selector"
))]
#[kube(printcolumn(
    name = "Desired",
    type_ = "integer",
    json_path = ".spec.replicas",
    description = "Number of desired pods"
))]
#[kube(printcolumn(
    name = "Current",
    type_ = "integer",
    json_path = ".status.replicas",
    description = "Total number of non-terminated pods targeted by this rollout"
))]
#[kube(printcolumn(
    name = "Up-to-date",
    type_ = "integer",
    json_path = ".status.updatedReplicas",
    description = "Total number of non-terminated pods targeted by this rollout that have the desired template spec"
))]
#[kube(printcolumn(
    name = "Available",
    type_ = "integer",
    json_path = ".status.availableReplicas",
    description = "Total number of available pods (ready for at least minReadySeconds) targeted by this rollout"
))]
#[kube(printcolumn(
    name = "Age",
    type_ = "date",
    json_path = ".metadata.creationTimestamp",
    description = "Time since resource was created"
))]
#[kube(doc = "A Rollout: a workload updated by a canary or blue-green strategy")]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutSpec {
    /// Garbage-collection limits for the AnalysisRuns and Experiments this Rollout owns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<AnalysisRunStrategy>,
    /// Seconds a new pod must stay ready before it counts as available. Defaults to 0 and is copied to every ReplicaSet; must be at least 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    /// Set to true to hold the rollout where it is: a canary stops scaling and advancing steps, a blue-green rollout stops switching its Services. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    /// When true, an update that exceeds `progressDeadlineSeconds` is also aborted, not only reported as Degraded. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_abort: Option<bool>,
    /// Seconds an update may go without visible progress before the Progressing condition turns False (ProgressDeadlineExceeded) and the phase becomes Degraded. Defaults to 600 and must be greater than `minReadySeconds`; paused and waiting steps do not count against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<i32>,
    /// Desired number of pods. Defaults to 1 (the controller writes that value back when the field is absent, so an HPA can scale it); must be at least 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Timestamp (RFC 3339) at which to restart the pods: every pod created before it is evicted, a few at a time within `maxUnavailable`. When all pods are newer, `status.restartedAt` is set to this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_at: Option<Time>,
    /// How many old, scaled-down ReplicaSets to keep for rollbacks. Defaults to 10; must be at least 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    /// Lets a rollback to one of the most recent revisions skip steps and analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_window: Option<RollbackWindowSpec>,
    /// Label selector of the pods this Rollout manages. Required unless `workloadRef` supplies it; must be non-empty, must match the pod template labels, and cannot be changed after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// The update strategy: exactly one of `canary` or `blueGreen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<RolloutStrategy>,
    /// Pod template of the pods to run. Must be left empty (no labels or annotations) when `workloadRef` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
    /// Takes the pod template (and the selector, when none is given here) from an existing Deployment, ReplicaSet or PodTemplate instead of `template`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_ref: Option<ObjectRef>,
}

/// How many finished AnalysisRuns and Experiments the Rollout keeps.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunStrategy {
    /// How many Successful AnalysisRuns and Experiments from earlier revisions to keep; older ones are deleted. Defaults to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_run_history_limit: Option<i32>,
    /// How many Failed, Error or Inconclusive AnalysisRuns and Experiments to keep; older ones are deleted. Defaults to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsuccessful_run_history_limit: Option<i32>,
}

/// How many recent revisions a rollback may return to by fast-track.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollbackWindowSpec {
    /// Number of revisions the window covers: rolling back to an older ReplicaSet with fewer than this many ReplicaSets created between it and the current stable one is promoted at once, without steps or analysis. Outside the window a rollback is an ordinary update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<i32>,
}

/// Exactly one of canary or blueGreen.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStrategy {
    /// Blue-green update: the new version runs beside the active one and takes over all traffic at promotion. Mutually exclusive with `canary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blue_green: Option<BlueGreenStrategy>,
    /// Canary update: the new version receives a growing share of pods or traffic, step by step. Mutually exclusive with `blueGreen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryStrategy>,
}

/// A workload whose pod template the Rollout uses instead of its own.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// API version of the referenced workload: `apps/v1` for a Deployment or ReplicaSet, `v1` for a PodTemplate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referenced workload: `Deployment`, `ReplicaSet` or `PodTemplate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the referenced workload, in the Rollout's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What to do with a referenced Deployment once the Rollout takes over: `never` (the default when empty) leaves it alone, `onsuccess` scales it to 0 when the Rollout becomes Healthy, `progressively` shrinks it as the Rollout's pods become ready. Only applies to Deployments, and only to the first revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<String>,
}
