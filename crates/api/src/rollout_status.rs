//! The Rollout status, written only by the controller (and `abort`/`promote` by the plugin).

use crate::analysis_run::AnalysisPhase;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Observed state of a Rollout, recomputed by the controller each reconcile.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStatus {
    /// True while the update is aborted: traffic and pods go back to the stable version. Set by the controller (failed analysis, experiment or step plugin, or an exceeded progress deadline with `progressDeadlineAbort`) or by a user; setting it back to false retries the update from the first step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort: Option<bool>,
    /// When the current abort was first seen; cleared together with `abort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted_at: Option<Time>,
    /// Load balancer and target groups found while verifying ALB weights, for a single Ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alb: Option<AlbStatus>,
    /// Load balancers and target groups found while verifying ALB weights, one entry per Ingress when `ingresses` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub albs: Option<Vec<AlbStatus>>,
    /// Available pods: across all ReplicaSets for a canary, in the active ReplicaSet for blue-green.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
    /// Progress of a blue-green update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blue_green: Option<BlueGreenStatus>,
    /// Progress of a canary update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryStatus>,
    /// Counter mixed into the pod template hash; raised when the hash of a new template collides with an existing, different ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<i32>,
    /// Latest observations of the Rollout's state: Available, Progressing, Paused, Healthy, Completed, InvalidSpec and ReplicaFailure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<RolloutCondition>>,
    /// True once the controller has paused the rollout itself. If it is true while `pauseConditions` is empty, a user has resumed the rollout and the controller clears this flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_pause: Option<bool>,
    /// Pod template hash of the current (newest) ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_pod_hash: Option<String>,
    /// Hash of the canary steps, used to restart the steps when they are edited; empty for blue-green.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_hash: Option<String>,
    /// Index of the canary step in progress; equal to the number of steps once all are done, and unset when there are no steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_index: Option<i32>,
    /// Timing of the current or most recent update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<RolloutDurationStatus>,
    /// Pod count read by the scale subresource (and so by a HorizontalPodAutoscaler): all ReplicaSets' pods for a canary, the active ReplicaSet's for blue-green.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "HPAReplicas")]
    pub hpa_replicas: Option<i32>,
    /// Human-readable explanation of `phase`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The `metadata.generation` the controller last acted on, written as a string (for example `"3"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<String>,
    /// Why, and since when, the controller has paused the rollout; removing them (as `promote` does) resumes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_conditions: Option<Vec<PauseCondition>>,
    /// Summary state: Progressing, Paused, Healthy or Degraded; `message` gives the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<RolloutPhase>,
    /// Set by `promote --full` to skip the remaining steps, analyses and pauses; cleared once the new ReplicaSet becomes stable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promote_full: Option<bool>,
    /// Ready pods: across all ReplicaSets for a canary, in the active ReplicaSet for blue-green.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// Total pods across all ReplicaSets of the Rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// The `spec.restartAt` value whose restart has completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarted_at: Option<Time>,
    /// Label selector of the counted pods, in text form, for the scale subresource; for blue-green it selects the active ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Pod template hash of the stable ReplicaSet, the last fully promoted version.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "stableRS")]
    pub stable_rs: Option<String>,
    /// Pods of the current (newest) ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_replicas: Option<i32>,
    /// Generation of the `workloadRef` target that the controller last acted on, written as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_observed_generation: Option<String>,
}

/// ALB resources found for verification.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlbStatus {
    /// Target group that receives the canary traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_target_group: Option<AwsResourceRef>,
    /// Name of the Ingress these resources belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<String>,
    /// The load balancer serving the Ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<AwsResourceRef>,
    /// Target group that receives the stable traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_target_group: Option<AwsResourceRef>,
}

/// An AWS resource by name and ARN.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AwsResourceRef {
    /// Amazon Resource Name of the resource.
    #[serde(default)]
    #[schemars(required)]
    pub arn: String,
    /// Full name of the resource, as AWS reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Short name of the resource.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
}

/// Blue-green progress.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreenStatus {
    /// Pod template hash the active Service currently selects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_selector: Option<String>,
    /// The post-promotion AnalysisRun and its phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_promotion_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    /// The pre-promotion AnalysisRun and its phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_promotion_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    /// Pod template hash the preview Service currently selects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_selector: Option<String>,
    /// Set once a preview ReplicaSet held at `previewReplicaCount` may grow to full size; it then stays set until the update is promoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up_preview_check_point: Option<bool>,
}

/// Name, phase and message of an AnalysisRun the Rollout is waiting on.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutAnalysisRunStatus {
    /// Message of the AnalysisRun, usually why it did not succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Name of the AnalysisRun.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Phase of the AnalysisRun.
    #[serde(default)]
    #[schemars(required)]
    pub status: AnalysisPhase,
}

/// Canary progress.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStatus {
    /// The background AnalysisRun and its phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_background_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    /// Name of the Experiment of the current step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_experiment: Option<String>,
    /// The AnalysisRun of the current step and its phase; cleared when the step index moves on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    /// Which ping-pong Service currently serves the stable version: `ping` or `pong`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_ping_pong: Option<String>,
    /// State of each step-plugin operation performed during this update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_plugin_statuses: Option<Vec<StepPluginStatus>>,
    /// The weights last applied to the traffic routers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<TrafficWeights>,
}

/// Progress of a plugin step.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepPluginStatus {
    /// Delay before the plugin's next call, as a duration string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<String>,
    /// True when the plugin is disabled in the controller configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// How many times the operation has been called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executions: Option<i32>,
    /// When the operation reached a final phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// Index of the plugin's step in `steps`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub index: i32,
    /// Message from the plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Name of the plugin. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Operation this entry records: `Run`, `Terminate` or `Abort`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub operation: String,
    /// Phase of the operation: `Running`, `Successful`, `Failed` or `Error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// When the operation was first called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// State the plugin keeps between calls; its shape is defined by the plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::preserve_unknown_fields")]
    pub status: Option<serde_json::Value>,
    /// When the operation was last called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Time>,
}

/// The weights last set on the traffic routers.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrafficWeights {
    /// Weights of extra destinations, such as Experiment templates with a `weight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<Vec<WeightDestination>>,
    /// Weight of the canary destination. Required.
    #[serde(default)]
    #[schemars(required)]
    pub canary: WeightDestination,
    /// Weight of the stable destination: the total minus the canary and extra weights. Required.
    #[serde(default)]
    #[schemars(required)]
    pub stable: WeightDestination,
    /// Result of verifying that the load balancer applied the weights (ALB only); unset when no check was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// A weight and where it points.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WeightDestination {
    /// Pod template hash of the ReplicaSet behind the destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_template_hash: Option<String>,
    /// Service the weight is sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// Traffic weight, from 0 to `maxTrafficWeight`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub weight: i32,
}

/// A Rollout condition (Available, Progressing, Paused, Healthy, Completed, InvalidSpec, ReplicaFailure).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutCondition {
    /// When `status` last changed.
    pub last_transition_time: Time,
    /// When the condition was last written.
    pub last_update_time: Time,
    /// Human-readable details.
    #[serde(default)]
    #[schemars(required)]
    pub message: String,
    /// Machine-readable, CamelCase reason for the last change.
    #[serde(default)]
    #[schemars(required)]
    pub reason: String,
    /// `True`, `False` or `Unknown`.
    #[serde(default)]
    #[schemars(required)]
    pub status: String,
    /// Condition type: Available, Progressing, Paused, Healthy, Completed, InvalidSpec or ReplicaFailure.
    #[serde(default, rename = "type")]
    #[schemars(required)]
    pub type_: String,
}

/// Timing of the current or last update.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutDurationStatus {
    /// How the update ended: Promoted, FastPromoted, Aborted, Superseded, RolledBack or FastRolledBack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_status: Option<String>,
    /// When the update ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// When the rollout began waiting for a person (paused by the user, an indefinite pause step, an inconclusive result, or blue-green without auto-promotion); unset when not waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_pause_started_at: Option<Time>,
    /// When the update (or the retry after an abort) started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_started_at: Option<Time>,
    /// Seconds this update has spent waiting for a person so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_manual_pause_duration_seconds: Option<i64>,
}

/// Why and since when the controller paused the rollout.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PauseCondition {
    /// Why the controller paused: `CanaryPauseStep`, `BlueGreenPause`, `InconclusiveAnalysisRun` or `InconclusiveExperiment`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub reason: String,
    /// When the pause began; timed pauses are measured from here.
    pub start_time: Time,
}

/// The summary phase of a Rollout, as `kubectl argo rollouts` and Argo CD show it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum RolloutPhase {
    /// Fully promoted and available.
    Healthy,
    /// An update is under way.
    #[default]
    Progressing,
    /// Waiting for a person (or a timer) to resume.
    Paused,
    /// Aborted, timed out, or the spec is invalid.
    Degraded,
}

impl RolloutPhase {
    /// The wire name, as written in status.
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutPhase::Healthy => "Healthy",
            RolloutPhase::Progressing => "Progressing",
            RolloutPhase::Paused => "Paused",
            RolloutPhase::Degraded => "Degraded",
        }
    }
}

impl std::fmt::Display for RolloutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
