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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyses: Option<Vec<ExperimentAnalysisTemplateRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_run_metadata: Option<PodTemplateMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    #[serde(default)]
    #[schemars(required)]
    pub templates: Vec<TemplateSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminate: Option<bool>,
}

/// An analysis run as part of an Experiment.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentAnalysisTemplateRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Argument>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_for_completion: Option<bool>,
    #[serde(default)]
    #[schemars(required)]
    pub template_name: String,
}

/// A ReplicaSet the Experiment runs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default)]
    #[schemars(required)]
    pub selector: LabelSelector,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<TemplateService>,
    #[serde(default)]
    #[schemars(required)]
    pub template: PodTemplateSpec,
}

/// Observed state of an Experiment.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_runs: Option<Vec<ExperimentAnalysisRunStatus>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ExperimentCondition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<AnalysisPhase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_statuses: Option<Vec<TemplateStatus>>,
}

/// An AnalysisRun the Experiment started.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentAnalysisRunStatus {
    #[serde(default)]
    #[schemars(required)]
    pub analysis_run: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
}

/// An Experiment condition.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentCondition {
    pub last_transition_time: Time,
    pub last_update_time: Time,
    #[serde(default)]
    #[schemars(required)]
    pub message: String,
    #[serde(default)]
    #[schemars(required)]
    pub reason: String,
    #[serde(default)]
    #[schemars(required)]
    pub status: String,
    #[serde(default, rename = "type")]
    #[schemars(required)]
    pub type_: String,
}

/// Progress of one experiment template.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateStatus {
    #[serde(default)]
    #[schemars(required)]
    pub available_replicas: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_template_hash: Option<String>,
    #[serde(default)]
    #[schemars(required)]
    pub ready_replicas: i32,
    #[serde(default)]
    #[schemars(required)]
    pub replicas: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TemplateStatusCode>,
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
