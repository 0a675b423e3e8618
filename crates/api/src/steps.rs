//! Canary steps: each names one action (weight, pause, analysis, experiment, scale, route, plugin).

use crate::common::{DryRun, PodTemplateMetadata, StringMatch, TemplateService};
use crate::rollout_analysis::{AnalysisRunArgument, RolloutAnalysis};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One canary step; exactly one member is set.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStep {
    /// Runs an AnalysisRun and waits: Successful completes the step, Inconclusive pauses the rollout, Failed or Error aborts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<RolloutAnalysis>,
    /// Runs an Experiment and waits for it: Successful completes the step, Inconclusive pauses the rollout, Failed or Error aborts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<RolloutExperimentStep>,
    /// Pauses the rollout, for `duration` or, without one, until it is promoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<RolloutPause>,
    /// Runs a step plugin and waits for it to succeed; a Failed plugin aborts the rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginStep>,
    /// Sizes the canary ReplicaSet independently of the traffic weight, until a later step sets `matchTrafficWeight`. Requires `trafficRouting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_canary_scale: Option<SetCanaryScale>,
    /// Adds, or removes when `match` is empty, a managed route that sends requests with matching headers to the canary. Requires Istio, ALB, APISIX or a plugin router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_header_route: Option<SetHeaderRoute>,
    /// Adds, or removes when `match` is empty, a managed route that copies matching requests to the canary. Requires Istio or a plugin router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_mirror_route: Option<SetMirrorRoute>,
    /// Canary weight, from 0 to `maxTrafficWeight` (100 unless set): the traffic share with traffic routing, otherwise the share of pods. The step completes once the ReplicaSets reach the matching sizes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_weight: Option<i32>,
}

/// Run an Experiment as part of the step.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutExperimentStep {
    /// Analyses the Experiment runs once all its templates are available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyses: Option<Vec<RolloutExperimentStepAnalysisTemplateRef>>,
    /// Labels and annotations added to the AnalysisRuns the Experiment creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_run_metadata: Option<PodTemplateMetadata>,
    /// Metrics whose results are recorded but never decide the Experiment's analyses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<DryRun>>,
    /// How long the Experiment runs once its pods are available, as a duration string such as `30s` or `1h`. Unset means until all analyses that are `requiredForCompletion` finish, or until it is terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Seconds the Experiment keeps its ReplicaSets up after it finishes before scaling them to 0. Defaults to 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    /// ReplicaSets the Experiment runs, each copied from the canary or stable pod template. Required.
    #[serde(default)]
    #[schemars(required)]
    pub templates: Vec<RolloutExperimentTemplate>,
}

/// An analysis the step's Experiment runs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutExperimentStepAnalysisTemplateRef {
    /// Arguments for the template, resolved by the Rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<AnalysisRunArgument>>,
    /// When true, `templateName` names a ClusterAnalysisTemplate instead of an AnalysisTemplate. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
    /// Name of this analysis within the Experiment; the AnalysisRun is named `<experiment>-<name>`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// When true, the Experiment ends as soon as this analysis (and every other required one) has succeeded, regardless of `duration`. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_for_completion: Option<bool>,
    /// Name of the AnalysisTemplate (or ClusterAnalysisTemplate) to run. Required.
    #[serde(default)]
    #[schemars(required)]
    pub template_name: String,
}

/// A ReplicaSet the step's Experiment runs, from the canary or stable template.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutExperimentTemplate {
    /// Extra labels and annotations for the template's pods; the labels are also added to its selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<PodTemplateMetadata>,
    /// Name of the template, unique within the step; its ReplicaSet is named `<experiment>-<name>`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Number of pods to run. Defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Label selector of the template's pods; defaults to the selector of the ReplicaSet it is copied from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// Creates a Service for the template's pods while they run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<TemplateService>,
    /// Which pod template to copy: `canary` (the new ReplicaSet) or `stable`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub spec_ref: String,
    /// Percentage of traffic to send to this template's pods, taken from the stable share; a Service is then created for it. Requires traffic routing with SMI, ALB, Istio or a plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

/// Pause the rollout, for a duration or until promoted.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutPause {
    /// How long to pause: an integer (or a string of digits) is seconds, other strings are durations such as `30s`, `5m` or `1h`. Unset pauses until the rollout is promoted; negative or unparsable values are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<IntOrString>,
}

/// A step carried out by a step plugin.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginStep {
    /// Configuration passed to the plugin as is; its shape is defined by the plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::preserve_unknown_fields")]
    pub config: Option<serde_json::Value>,
    /// Name of the step plugin, as registered in the controller's `argo-rollouts-config` ConfigMap. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
}

/// Scale the canary independently of its traffic weight.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetCanaryScale {
    /// When true, returns the canary to the size that matches its current traffic weight, ending an earlier explicit scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_traffic_weight: Option<bool>,
    /// Exact number of canary pods to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Canary size as a percentage of `replicas`, without changing the traffic weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

/// Route requests with matching headers to the canary.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetHeaderRoute {
    /// Header conditions, all of which a request must meet to be routed to the canary. Empty or unset removes the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<Vec<HeaderRoutingMatch>>,
    /// Name of the route; must be listed in `trafficRouting.managedRoutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A header and the value it must match.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeaderRoutingMatch {
    /// Name of the HTTP header to test. Required.
    #[serde(default)]
    #[schemars(required)]
    pub header_name: String,
    /// What the header value must match: exactly one of `exact`, `prefix` or `regex` (ALB supports `exact` only). Required.
    #[serde(default)]
    #[schemars(required)]
    pub header_value: StringMatch,
}

/// Mirror a percentage of matching requests to the canary.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetMirrorRoute {
    /// Request conditions; a request meeting any entry is mirrored. Empty or unset removes the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<Vec<RouteMatch>>,
    /// Name of the route; must be listed in `trafficRouting.managedRoutes`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Percentage of matching requests to mirror to the canary. Defaults to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<i32>,
}

/// Method, path and header conditions of a mirror route.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteMatch {
    /// Header conditions, keyed by header name; all must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, StringMatch>>,
    /// Condition on the HTTP method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<StringMatch>,
    /// Condition on the request path (URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<StringMatch>,
}
