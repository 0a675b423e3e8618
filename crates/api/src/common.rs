//! Small types shared by several kinds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Labels and annotations (pod template metadata, run metadata, ephemeral metadata).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplateMetadata {
    /// Annotations to add, as key/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Labels to add, as key/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// Anti-affinity injected between the new pods and the previous ReplicaSet; exactly one member set.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AntiAffinity {
    /// Soft rule: the scheduler tries to avoid those nodes, with the given weight. Set exactly one of the two rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_during_scheduling_ignored_during_execution: Option<PreferredDuringSchedulingIgnoredDuringExecution>,
    /// Hard rule: new pods are never scheduled onto those nodes, so an update may need spare nodes. Set exactly one of the two rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_during_scheduling_ignored_during_execution: Option<RequiredDuringSchedulingIgnoredDuringExecution>,
}

/// Soft anti-affinity with a weight of 1..100.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferredDuringSchedulingIgnoredDuringExecution {
    /// Weight of the anti-affinity preference, from 1 to 100. Required.
    #[serde(default)]
    #[schemars(required)]
    pub weight: i32,
}

/// Hard anti-affinity (no settings).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequiredDuringSchedulingIgnoredDuringExecution {}

/// A field path into the owning object.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldRef {
    /// Path of the value to read from the Rollout: a `metadata.` path the downward API accepts (`metadata.name`, `metadata.labels['key']`, ...), or any dotted path such as `spec.template.spec.containers[0].image` that ends at a plain value.
    #[serde(default)]
    #[schemars(required)]
    pub field_path: String,
}

/// Metrics (by regular expression on their name) whose results never decide the run.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    /// Regular expression (unanchored) on metric names, `.*` for all; matching metrics are measured and reported but never change the run's phase. Must match at least one metric.
    #[serde(default)]
    #[schemars(required)]
    pub metric_name: String,
}

/// How many measurements to keep for metrics matching a regular expression.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeasurementRetention {
    /// Number of most recent measurements to keep per matching metric; without a rule, 10 are kept. Required.
    #[serde(default)]
    #[schemars(required)]
    pub limit: i32,
    /// Regular expression (unanchored) on metric names, `.*` for all; must match at least one metric. Required.
    #[serde(default)]
    #[schemars(required)]
    pub metric_name: String,
}

/// A Service to create for an experiment template.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateService {
    /// Name of the Service to create; defaults to the name of the template's ReplicaSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Exactly one of exact, prefix or regex.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StringMatch {
    /// The value must equal this string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<String>,
    /// The value must start with this string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The value must match this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
}
