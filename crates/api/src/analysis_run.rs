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
    /// Argument values for `{{args.<name>}}` references in the metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Argument>>,
    /// Metrics whose results are recorded but never decide the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    /// How many measurements to keep for matching metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    /// The metrics to measure. Required.
    #[serde(default)]
    #[schemars(required)]
    pub metrics: Vec<Metric>,
    /// Set to true to stop the run: no new measurements are taken, in-flight ones are stopped, and the run ends with the phase of its results so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminate: Option<bool>,
    /// When to delete the run after it finishes. Unset keeps it until its owner removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_strategy: Option<TtlStrategy>,
}

/// When a finished AnalysisRun is deleted.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TtlStrategy {
    /// Seconds after completion to delete a run that has no more specific setting; also used for Error and Inconclusive runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_completion: Option<i32>,
    /// Seconds after completion to delete a Failed run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_failure: Option<i32>,
    /// Seconds after completion to delete a Successful run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_success: Option<i32>,
}

/// Observed state of an AnalysisRun.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunStatus {
    /// When the run reached its final phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Time>,
    /// Counts of the dry-run metrics by outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run_summary: Option<RunSummary>,
    /// Why the run ended as it did, such as which metric failed and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Results and measurements of each metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_results: Option<Vec<MetricResult>>,
    /// Phase of the run. A finished run takes the worst phase of the metrics that decide it (Failed, then Error, then Inconclusive).
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
    /// Counts of the metrics that decide the run, by outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_summary: Option<RunSummary>,
    /// When the run started; `initialDelay` is counted from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
}

/// Counts of metrics by phase.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// Number of metrics, finished or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i32>,
    /// Finished metrics that ended in Error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<i32>,
    /// Finished metrics that ended Failed through their failure limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<i32>,
    /// Finished metrics that ended Inconclusive through their inconclusive limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive: Option<i32>,
    /// Finished metrics not counted as failed, inconclusive or error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful: Option<i32>,
}

/// The measurements and counters of one metric.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricResult {
    /// Errored measurements in a row, up to the latest one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_error: Option<i32>,
    /// Successful measurements in a row, up to the latest one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_success: Option<i32>,
    /// Measurements taken that did not error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i32>,
    /// True when the metric is in dry-run mode and cannot affect the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// Measurements that errored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<i32>,
    /// Measurements that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<i32>,
    /// Measurements that were inconclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive: Option<i32>,
    /// The most recent measurements, oldest first, trimmed to the retention limit (10 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurements: Option<Vec<Measurement>>,
    /// Why the metric ended as it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Extra details from the provider, such as the resolved query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Name of the metric. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Phase of the metric. Required.
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
    /// Measurements that succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful: Option<i32>,
}

/// One measurement of a metric.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Measurement {
    /// When the measurement completed; unset while it is still in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// Details, such as an error from the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Extra details from the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Outcome of the measurement. Required.
    #[serde(default)]
    #[schemars(required)]
    pub phase: AnalysisPhase,
    /// When to check again on a measurement that is still in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_at: Option<Time>,
    /// When the measurement began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// The value the provider returned, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Phase of an AnalysisRun, of one metric, of one measurement, and of an Experiment.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum AnalysisPhase {
    /// Not started yet. Upstream writes a phase not yet known as `""` (an Experiment's analyses before
    /// its templates are available), which reads as this.
    #[default]
    #[serde(alias = "")]
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
