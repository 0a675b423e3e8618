//! The Experiment kind: ReplicaSets run side by side for a while, judged by analyses.

use crate::analysis::Argument;
use crate::analysis_run::AnalysisPhase;
use crate::common::{DryRun, MeasurementRetention, PodTemplateMetadata, TemplateService};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// ReplicaSets run side by side for a duration, with analyses.
#[derive(CustomResource)]
#[kube(group = "argoproj.io", version = "v1alpha1", kind = "Experiment", namespaced)]
#[kube(
    status = "ExperimentStatus",
    shortname = "exp",
    category = "argoproj",
    derive = "PartialEq"
)]
#[kube(printcolumn(
    name = "Status",
    type_ = "string",
    json_path = ".status.phase",
    description = "Experiment status"
))]
#[kube(printcolumn(
    name = "Age",
    type_ = "date",
    json_path = ".metadata.creationTimestamp",
    description = "Time since resource was created"
))]
#[kube(doc = "ReplicaSets run side by side for a duration, judged by analyses")]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentSpec {
    /// Analyses to run once every template is available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyses: Option<Vec<ExperimentAnalysisTemplateRef>>,
    /// Labels and annotations added to the AnalysisRuns the Experiment creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_run_metadata: Option<PodTemplateMetadata>,
    /// Metrics whose results are recorded but never decide the analyses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    /// How long to run once every template is available, as a duration string such as `30s` or `1h`. Unset means until all `requiredForCompletion` analyses succeed or the Experiment is terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// How many measurements to keep for matching metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    /// Seconds a template may take to become available before it is marked Failed. Defaults to 600.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<i32>,
    /// Seconds to keep the ReplicaSets up after the Experiment ends before scaling them to 0. Defaults to 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    /// The ReplicaSets to run; template names must be unique and non-empty. Required.
    #[serde(default)]
    #[schemars(required)]
    pub templates: Vec<TemplateSpec>,
    /// Set to true to end the Experiment early: its ReplicaSets are scaled down and its AnalysisRuns are terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminate: Option<bool>,
}

/// An analysis run as part of an Experiment.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentAnalysisTemplateRef {
    /// Argument values for the template; they may use `{{templates.<name>.podTemplateHash}}`, `{{templates.<name>.replicaset.name}}`, `{{experiment.availableAt}}` and `{{experiment.finishedAt}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Argument>>,
    /// When true, `templateName` names a ClusterAnalysisTemplate instead of an AnalysisTemplate. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
    /// Name of this analysis; the AnalysisRun is named `<experiment>-<name>`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// When true, the Experiment ends as soon as every analysis marked this way has succeeded, regardless of `duration`. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_for_completion: Option<bool>,
    /// Name of the AnalysisTemplate (or ClusterAnalysisTemplate) to run. Required.
    #[serde(default)]
    #[schemars(required)]
    pub template_name: String,
}

/// A ReplicaSet the Experiment runs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSpec {
    /// Seconds a new pod must be ready before it counts as available. Defaults to 0; may not exceed `progressDeadlineSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    /// Name of the template, unique within the Experiment; its ReplicaSet is named `<experiment>-<name>`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Number of pods to run. Defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Label selector of the template's pods; must not be empty. Required.
    #[serde(default)]
    #[schemars(required)]
    pub selector: LabelSelector,
    /// Creates a Service for the template's pods while they run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<TemplateService>,
    /// Pod template of the pods to run. Required.
    #[serde(default)]
    #[schemars(required)]
    pub template: PodTemplateSpec,
}

/// Observed state of an Experiment.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentStatus {
    /// The AnalysisRuns started for `analyses`, with their phases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_runs: Option<Vec<ExperimentAnalysisRunStatus>>,
    /// When all templates first became available; `duration` is counted from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_at: Option<Time>,
    /// Latest observations of the Experiment's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ExperimentCondition>>,
    /// Why the Experiment is in its current phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Overall phase, combined from the templates and the analyses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<AnalysisPhase>,
    /// Progress of each template's ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_statuses: Option<Vec<TemplateStatus>>,
}

/// An AnalysisRun the Experiment started.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentAnalysisRunStatus {
    /// Name of the AnalysisRun created. Required.
    #[serde(default)]
    #[schemars(required)]
    pub analysis_run: String,
    /// Message of the AnalysisRun.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Name of the analysis, as in `spec.analyses`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Phase of the AnalysisRun. Required.
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
}

/// An Experiment condition.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentCondition {
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
    /// Condition type: Progressing, Running, Completed, InvalidSpec or ReplicaFailure.
    #[serde(default, rename = "type")]
    #[schemars(required)]
    pub type_: String,
}

/// Progress of one experiment template.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateStatus {
    /// Available pods of the template's ReplicaSet. Required.
    #[serde(default)]
    #[schemars(required)]
    pub available_replicas: i32,
    /// Counter mixed into the template's pod hash; raised when the hash collides with an existing, different ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<i32>,
    /// When `status` last changed; the progress deadline is counted from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Why the template is in its current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Name of the template. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Pod template hash of the template's ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_template_hash: Option<String>,
    /// Ready pods of the template's ReplicaSet. Required.
    #[serde(default)]
    #[schemars(required)]
    pub ready_replicas: i32,
    /// Pods of the template's ReplicaSet. Required.
    #[serde(default)]
    #[schemars(required)]
    pub replicas: i32,
    /// Name of the Service created for the template, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// State of the template's ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TemplateStatusCode>,
    /// Up-to-date pods of the template's ReplicaSet. Required.
    #[serde(default)]
    #[schemars(required)]
    pub updated_replicas: i32,
}

/// State of one experiment template's ReplicaSet.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum TemplateStatusCode {
    /// Pods are being created or are not yet available.
    #[default]
    Progressing,
    /// All desired pods are available.
    Running,
    /// Ran for the whole duration.
    Successful,
    /// Did not become available within the progress deadline.
    Failed,
    /// The ReplicaSet could not be created or scaled.
    Error,
}
