//! The canary strategy block of a Rollout (steps and traffic routing live in their own modules).

use crate::common::{AntiAffinity, PodTemplateMetadata};
use crate::rollout_analysis::RolloutAnalysisBackground;
use crate::steps::CanaryStep;
use crate::traffic::RolloutTrafficRouting;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Canary: traffic and replicas move to the new ReplicaSet step by step.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStrategy {
    /// Seconds to keep the canary ReplicaSet up after an abort, once the stable pods are all available. Only applies with `trafficRouting` (default 30 there; a basic canary is scaled down at once); 0 means no delay is ever set, so only an active `setCanaryScale` keeps canary pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_scale_down_delay_seconds: Option<i32>,
    /// Background analysis that runs alongside the steps until the update is promoted; a Failed or Error run aborts the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<RolloutAnalysisBackground>,
    /// Keeps new canary pods off the nodes running stable pods, softly or strictly, by adding a pod anti-affinity term while the update is in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<AntiAffinity>,
    /// Labels and annotations put on canary pods only while they are the canary; removed again when they are promoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_metadata: Option<PodTemplateMetadata>,
    /// Service whose selector the controller points at the canary ReplicaSet's pods. Required, together with `stableService`, for most traffic routers; must differ from `stableService`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_service: Option<String>,
    /// When true, the stable ReplicaSet is scaled down as traffic moves to the canary instead of staying at full size. Requires `trafficRouting` and cannot be combined with `scaleDownDelaySeconds`; defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_stable_scale: Option<bool>,
    /// Pods that may exist above `replicas` during the update: a number, or a percentage of `replicas` rounded up (any string is read as a percentage, `%` or not). Defaults to 25%; it may not be 0 together with `maxUnavailable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrString>,
    /// Pods that may be unavailable during the update: a number, or a percentage of `replicas` rounded down, capped at `replicas`. Defaults to 25%; it may not be 0 together with `maxSurge` (if both round to 0, one pod may be unavailable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// With traffic routing, the least number of pods a canary or stable ReplicaSet that is not scaled to 0 runs (capped at `replicas`), so a small weight still gets enough pods for availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pods_per_replica_set: Option<i32>,
    /// Two Services that swap roles on each promotion instead of a fixed canary/stable pair. Supported with ALB, Istio and plugin traffic routers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping_pong: Option<PingPongSpec>,
    /// How many canary pods must be available for a step's replica count to count as reached. Unset means all of them (100%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_progress_threshold: Option<ReplicaProgressThreshold>,
    /// How many old ReplicaSets may be kept running while they wait for their scale-down delay; those beyond the limit are scaled down at once. Unlimited when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_revision_limit: Option<i32>,
    /// Seconds to keep the previous stable ReplicaSet up after promotion, so that traffic routers have time to move. Requires `trafficRouting` (default 30 there); not allowed with `dynamicStableScale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    /// Labels and annotations put on stable pods only; moved to the new pods when they become stable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_metadata: Option<PodTemplateMetadata>,
    /// Service whose selector the controller points at the stable ReplicaSet's pods. Required, together with `canaryService`, for most traffic routers; must differ from `canaryService`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_service: Option<String>,
    /// Ordered steps of the update, carried out one after another. With no steps, the new ReplicaSet replaces the old one like a rolling update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<CanaryStep>>,
    /// Traffic routers that shift request weight between stable and canary. Without it, the canary weight is approximated by pod counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_routing: Option<RolloutTrafficRouting>,
}

/// Two Services that take turns being stable.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PingPongSpec {
    /// Name of the first of the two Services; required and must differ from `pongService`.
    #[serde(default)]
    #[schemars(required)]
    pub ping_service: String,
    /// Name of the second of the two Services; required and must differ from `pingService`.
    #[serde(default)]
    #[schemars(required)]
    pub pong_service: String,
}

/// How many canary pods must be available before a step counts as reached.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaProgressThreshold {
    /// How `value` is read: `Percent` (of the step's desired canary pods) or `Pods` (a pod count). Required.
    #[serde(default, rename = "type")]
    #[schemars(required)]
    pub type_: String,
    /// The threshold, as a percentage or a pod count according to `type`. Required.
    #[serde(default)]
    #[schemars(required)]
    pub value: i32,
}
