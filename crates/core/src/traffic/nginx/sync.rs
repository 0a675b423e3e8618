//! Bringing an existing canary Ingress to the desired one: the ownership check, and the merge patch of
//! what differs.

use serde_json::{Map, Value, json};

use crate::plan::merge_patch;
use rollouts_api::Rollout;

use crate::traffic::{RouterError, controlled_by};

/// Refuses a canary Ingress this Rollout does not control: someone else's object is never changed.
pub(super) fn ensure_controlled(canary: &Value, canary_name: &str, rollout: &Rollout) -> Result<(), RouterError> {
    if controlled_by(canary, rollout) {
        Ok(())
    } else {
        Err(RouterError::new(format!(
            "canary ingress `{canary_name}` controlled by different object"
        )))
    }
}

/// The merge patch that turns `current` into `desired`, `None` when they agree. The annotations and
/// the spec are compared (upstream `BuildIngressPatch`); annotations the canary carries that the
/// desired one does not name are kept, as other controllers add their own (upstream #1070). Labels are
/// never touched: the canary is created without any, so every label on it is someone else's, and
/// removing them (as upstream's patch does) would fight whoever keeps adding them, as with #1070.
pub(super) fn canary_patch(current: &Value, desired: &Value) -> Option<Value> {
    let annotations_of = |object: &Value| {
        object
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let current_annotations = annotations_of(current);
    let mut desired_annotations = current_annotations.clone();
    desired_annotations.extend(annotations_of(desired));
    let view = |annotations: Map<String, Value>, object: &Value| {
        json!({
            "metadata": {"annotations": annotations},
            "spec": object.get("spec").cloned().unwrap_or_else(|| json!({})),
        })
    };
    merge_patch::diff(&view(current_annotations, current), &view(desired_annotations, desired))
}
