//! The blue-green strategy block of a Rollout.

use crate::common::{AntiAffinity, PodTemplateMetadata};
use crate::rollout_analysis::RolloutAnalysis;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Blue-green: a preview ReplicaSet beside the active one, switched over at promotion.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreenStrategy {
    /// Seconds to keep the preview ReplicaSet up after an abort, once the stable pods are all available. Defaults to 30; 0 leaves the preview ReplicaSet at full size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_scale_down_delay_seconds: Option<i32>,
    /// Labels and annotations put on the pods the active Service points at; moved to the new pods once they become active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_metadata: Option<PodTemplateMetadata>,
    /// Service that receives production traffic; the controller points its selector at the active ReplicaSet. Required; must differ from `previewService`.
    #[serde(default)]
    #[schemars(required)]
    pub active_service: String,
    /// Keeps new pods off the nodes running the current active pods, softly or strictly, by adding a pod anti-affinity term while the update is in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<AntiAffinity>,
    /// When false, the rollout pauses before switching the active Service and waits to be promoted. Defaults to true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_promotion_enabled: Option<bool>,
    /// Seconds to stay paused before switching the active Service on its own, counted from the start of the pause. 0 (the default) means no pause; ignored when `autoPromotionEnabled` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_promotion_seconds: Option<i32>,
    /// Pods that may be unavailable while pods are restarted through `restartAt`: a number, or a percentage of `replicas` rounded down. Defaults to 25%; not used during updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// Analysis that runs after the active Service is switched; the new ReplicaSet becomes stable only when it succeeds, and a Failed or Error run aborts the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_promotion_analysis: Option<RolloutAnalysis>,
    /// Analysis that runs before the active Service is switched, once the new ReplicaSet is fully available; promotion waits for it to succeed, and a Failed or Error run aborts the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_promotion_analysis: Option<RolloutAnalysis>,
    /// Labels and annotations put on the new pods only while they are in preview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_metadata: Option<PodTemplateMetadata>,
    /// Number of pods the new ReplicaSet runs before promotion; it is scaled to `replicas` just before the switch. Unset means full size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_replica_count: Option<i32>,
    /// Service the controller points at the new ReplicaSet as soon as it exists, for testing before promotion. Optional; must differ from `activeService`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_service: Option<String>,
    /// How many previous ReplicaSets may be kept running while they wait for their scale-down delay; the rest are scaled down at once. Unlimited when unset; must not exceed `revisionHistoryLimit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_revision_limit: Option<i32>,
    /// Seconds to keep the previous active ReplicaSet up after the switch, so that clients and load balancers can move over. Defaults to 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
}
