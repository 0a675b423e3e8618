//! The AnalysisRun kind: one execution of a set of metrics, and its results.

use crate::analysis::{Argument, Metric};
use crate::common::{DryRun, MeasurementRetention};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The metrics and arguments of one analysis.
#[derive(CustomResource)]
#[kube(group = "argoproj.io", version = "v1alpha1", kind = "AnalysisRun", namespaced)]
#[kube(
    status = "AnalysisRunStatus",
    shortname = "ar",
    category = "argoproj",
    derive = "PartialEq"
)]
#[kube(printcolumn(
    name = "Status",
    type_ = "string",
    json_path = ".status.phase",
    description = "AnalysisRun status"
))]
#[kube(printcolumn(
    name = "Age",
    type_ = "date",
    json_path = ".metadata.creationTimestamp",
    description = "Time since resource was created"
))]
#[kube(doc = "One execution of a set of metrics")]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Argument>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    #[serde(default)]
    #[schemars(required)]
    pub metrics: Vec<Metric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminate: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_strategy: Option<TtlStrategy>,
}

/// When a finished AnalysisRun is deleted.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TtlStrategy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_completion: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_failure: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_success: Option<i32>,
}

/// Observed state of an AnalysisRun.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run_summary: Option<RunSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_results: Option<Vec<MetricResult>>,
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_summary: Option<RunSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
}

/// Counts of metrics by phase.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful: Option<i32>,
}

/// The measurements and counters of one metric.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_error: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_success: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurements: Option<Vec<Measurement>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful: Option<i32>,
}

/// One measurement of a metric.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Measurement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Phase of an AnalysisRun, of one metric, of one measurement, and of an Experiment.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum AnalysisPhase {
    /// Not started yet.
    #[default]
    Pending,
    /// Measurements are being taken.
    Running,
    /// Finished and judged good.
    Successful,
    /// Finished and judged bad.
    Failed,
    /// Could not be measured (provider or evaluation errors).
    Error,
    /// Finished without a verdict; a person has to decide.
    Inconclusive,
}

impl AnalysisPhase {
    /// True once the phase can no longer change.
    pub fn is_completed(self) -> bool {
        !matches!(self, AnalysisPhase::Pending | AnalysisPhase::Running)
    }

    /// The wire name, as written in status.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisPhase::Pending => "Pending",
            AnalysisPhase::Running => "Running",
            AnalysisPhase::Successful => "Successful",
            AnalysisPhase::Failed => "Failed",
            AnalysisPhase::Error => "Error",
            AnalysisPhase::Inconclusive => "Inconclusive",
        }
    }
}

impl std::fmt::Display for AnalysisPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
