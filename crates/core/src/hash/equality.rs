//! Upstream's last resort for finding a Rollout's ReplicaSet when no hash label matches
//! (`PodTemplateEqualIgnoreHash`): the templates are compared semantically, so a ReplicaSet whose
//! hash was computed by another version (other Kubernetes types, other JSON) is still adopted
//! instead of being replaced by a new one.

use super::POD_TEMPLATE;
use super::defaults::default_pod_template;
use super::go_json::{Encoder, Mode};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;
use serde_json::Value;

/// Whether a ReplicaSet's pod template (`live`, as read back from the API server) is the same as a
/// Rollout's `spec.template` (`desired`), as upstream's `PodTemplateEqualIgnoreHash` decides:
///
/// - the `rollouts-pod-template-hash` label is ignored on both;
/// - `desired` first gets Kubernetes' pod-template defaults (restartPolicy, dnsPolicy,
///   terminationGracePeriodSeconds, schedulerName, securityContext, imagePullPolicy, container
///   termination message, port protocol, probe timings, volume modes, ...), which the API server
///   has already applied to `live`;
/// - the deprecated `serviceAccount` is ignored on both (the API server fills it in);
/// - comparison is Kubernetes' semantic equality over the fields the Go types have: nil and empty
///   lists and maps are equal, quantities compare by value (`1Ki` = `1024`).
///
/// Callers matching ReplicaSets should first strip what upstream injects into a ReplicaSet's
/// template (ephemeral canary/stable metadata, the anti-affinity rule), as upstream does.
pub fn template_equal_ignoring_hash(live: &PodTemplateSpec, desired: &PodTemplateSpec) -> bool {
    let mut live = serde_json::to_value(live).unwrap_or(Value::Null);
    let mut desired = serde_json::to_value(desired).unwrap_or(Value::Null);
    default_pod_template(&mut desired);
    for template in [&mut live, &mut desired] {
        if let Some(labels) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
            labels.remove(POD_TEMPLATE_HASH);
        }
        if let Some(spec) = template.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("serviceAccount");
        }
    }
    semantic(&live) == semantic(&desired)
}

fn semantic(template: &Value) -> String {
    let mut encoder = Encoder::new(Mode::Semantic);
    encoder.value(&POD_TEMPLATE, Some(template));
    encoder.finish().0
}
