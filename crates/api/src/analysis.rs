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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Argument>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<Metric>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<AnalysisTemplateRef>>,
}

/// A named argument for metric queries.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Argument {
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ValueFrom>,
}

/// Where an argument value comes from.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValueFrom {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<SecretKeyRef>,
}

/// A key of a Secret in the run's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    #[serde(default)]
    #[schemars(required)]
    pub key: String,
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
}

/// One metric: how to measure it and how to judge each measurement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_error_limit: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_success_limit: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_limit: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive_limit: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    #[serde(default)]
    #[schemars(required)]
    pub provider: MetricProvider,
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
