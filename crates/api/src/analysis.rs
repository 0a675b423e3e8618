//! AnalysisTemplate and ClusterAnalysisTemplate, and the Metric type they share with AnalysisRun.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::common::{DryRun, FieldRef, MeasurementRetention};
use crate::providers::MetricProvider;
use crate::rollout_analysis::AnalysisTemplateRef;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Metrics and arguments that an AnalysisRun is created from.
#[derive(CustomResource)]
#[kube(group = "argoproj.io", version = "v1alpha1", kind = "AnalysisTemplate", namespaced)]
#[kube(shortname = "at", category = "argoproj", derive = "PartialEq")]
#[kube(printcolumn(
    name = "Age",
    type_ = "date",
    json_path = ".metadata.creationTimestamp",
    description = "Time since resource was created"
))]
#[kube(doc = "A namespaced template of metrics from which AnalysisRuns are created")]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplateSpec {
    /// Arguments the metrics refer to as `{{args.<name>}}`; one without a value must be supplied by whoever creates the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Argument>>,
    /// Metrics whose results are recorded but never decide the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    /// How many measurements to keep for matching metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    /// The metrics to measure; names must be unique, including across nested templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<Metric>>,
    /// Other templates whose metrics, arguments and rules are merged into this one, recursively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<AnalysisTemplateRef>>,
}

/// A named argument for metric queries.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Argument {
    /// Name of the argument, as referenced by `{{args.<name>}}`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Value of the argument. When a template leaves it unset, the Rollout, Experiment or AnalysisRun must provide one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Takes the value from a Secret or from a field of the Rollout instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ValueFrom>,
}

/// Where an argument value comes from.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValueFrom {
    /// Reads the value from a field of the Rollout, when the Rollout creates the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
    /// Reads the value from a Secret key when the run executes; the value is masked in messages and logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<SecretKeyRef>,
}

/// A key of a Secret in the run's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// Key within the Secret. Required.
    #[serde(default)]
    #[schemars(required)]
    pub key: String,
    /// Name of the Secret, in the run's namespace. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
}

/// One metric: how to measure it and how to judge each measurement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// The metric ends in Error once more than this many measurements in a row have errored. Defaults to 4 (so the fifth consecutive error ends it); must be at least 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_error_limit: Option<IntOrString>,
    /// The metric succeeds as soon as this many measurements in a row have succeeded. Defaults to 0 (off); must be at least 0 and not above `count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_success_limit: Option<IntOrString>,
    /// Number of measurements to take; errored measurements are not counted. Unset (or 0) means 1 without an `interval` and unlimited with one; a value above 1 requires `interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<IntOrString>,
    /// Expression evaluated on each measurement's `result`; when true, the measurement is Failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_condition: Option<String>,
    /// The metric fails once more than this many measurements have failed. Defaults to 0 (the first failure ends it); -1 turns the limit off, which then requires `consecutiveSuccessLimit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_limit: Option<IntOrString>,
    /// The metric ends Inconclusive once more than this many measurements were inconclusive. Defaults to 0; must be at least 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive_limit: Option<IntOrString>,
    /// Time to wait after the run starts before the first measurement, as a duration string such as `30s` or `5m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay: Option<String>,
    /// Time between measurements, as a duration string such as `30s` or `5m`. Required when `count` is above 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Name of the metric, unique within the run. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Where the metric is measured; exactly one provider must be set. Required.
    #[serde(default)]
    #[schemars(required)]
    pub provider: MetricProvider,
    /// Expression evaluated on each measurement's `result`; when false, the measurement is Failed (when both conditions are set and neither holds, it is Inconclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_condition: Option<String>,
}

/// The cluster-scoped twin of [`AnalysisTemplateSpec`]: the same fields, referenced with `clusterScope: true`.
#[derive(CustomResource)]
#[kube(group = "argoproj.io", version = "v1alpha1", kind = "ClusterAnalysisTemplate")]
#[kube(shortname = "cat", category = "argoproj", derive = "PartialEq")]
#[kube(printcolumn(
    name = "Age",
    type_ = "date",
    json_path = ".metadata.creationTimestamp",
    description = "Time since resource was created"
))]
#[kube(doc = "A cluster-scoped template of metrics from which AnalysisRuns are created")]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct ClusterAnalysisTemplateSpec {
    /// The template itself, laid out exactly as a namespaced AnalysisTemplate's spec.
    #[serde(flatten)]
    pub template: AnalysisTemplateSpec,
}

impl std::ops::Deref for ClusterAnalysisTemplateSpec {
    type Target = AnalysisTemplateSpec;
    fn deref(&self) -> &AnalysisTemplateSpec {
        &self.template
    }
}
