//! How a Rollout asks for AnalysisRuns: template references, arguments and run metadata.

use crate::common::{DryRun, FieldRef, MeasurementRetention, PodTemplateMetadata};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// AnalysisRun to create from templates: for a step, or before/after a blue-green promotion.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutAnalysis {
    /// Labels and annotations added to the AnalysisRun that is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_run_metadata: Option<PodTemplateMetadata>,
    /// Argument values for the templates; they override values the templates declare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<AnalysisRunArgument>>,
    /// Metrics whose results are recorded but never decide the run; added before the templates' own rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    /// How many measurements to keep for matching metrics; added before the templates' own rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    /// Templates whose metrics, arguments and rules are merged into one AnalysisRun.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<AnalysisTemplateRef>>,
}

/// An argument passed by the Rollout to its AnalysisRuns.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRunArgument {
    /// Name of the template argument to supply. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Literal value of the argument. Set either this or `valueFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Takes the value from the Rollout itself instead of a literal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ArgumentValueFrom>,
}

/// Where a Rollout-supplied argument value comes from.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArgumentValueFrom {
    /// Reads the value from a field of the Rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
    /// Uses a pod template hash: `Latest` for the new ReplicaSet, `Stable` for the stable one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_template_hash_value: Option<String>,
}

/// A reference to an AnalysisTemplate, or a ClusterAnalysisTemplate when clusterScope is set.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplateRef {
    /// When true, `templateName` names a ClusterAnalysisTemplate instead of a namespaced AnalysisTemplate. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
    /// Name of the template to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
}

/// Background analysis that runs alongside the steps, from startingStep on.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutAnalysisBackground {
    /// Labels and annotations added to the AnalysisRun that is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_run_metadata: Option<PodTemplateMetadata>,
    /// Argument values for the templates; they override template values, and every template argument without a value must be given here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<AnalysisRunArgument>>,
    /// Metrics whose results are recorded but never decide the run; added before the templates' own rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    /// How many measurements to keep for matching metrics; added before the templates' own rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    /// Index of the step from which the background analysis runs; it starts once the current step index reaches this value. Unset means from the first step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_step: Option<i32>,
    /// Templates whose metrics, arguments and rules are merged into one AnalysisRun.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<AnalysisTemplateRef>>,
}
