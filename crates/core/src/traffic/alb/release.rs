//! What upstream's Ingress controller does to an ALB Ingress (`ingress/alb.go`): the actions of a
//! Rollout that no longer refers to the Ingress are reset to send everything to their Service, and
//! the Rollout's entry leaves the bookkeeping annotation. A pure transform of the Ingress; the
//! controller decides which Rollouts still refer to it.

use serde_json::Value;

use super::action::{self, TargetGroup};
use super::managed::{MANAGED_ANNOTATIONS, Managed};

/// The annotation upstream's earlier releases kept their bookkeeping in; removed with the rest.
const LEGACY_MANAGED_ACTIONS: &str = rollouts_api::well_known::annotations::MANAGED_ALB_ACTIONS;

/// The infix of an action annotation key, before the Service name.
const ACTION_INFIX: &str = "/actions.";

/// The Ingress with the actions of every Rollout not in `live` reset, or `None` when there is nothing
/// to release. As upstream, an Ingress whose bookkeeping or actions cannot be read is left alone.
pub fn release_unreferenced(ingress: &Value, live: &[&str]) -> Option<Value> {
    let annotations = ingress.pointer("/metadata/annotations")?.as_object()?;
    let mut managed = Managed::parse(annotations.get(MANAGED_ANNOTATIONS).and_then(Value::as_str)).ok()?;
    let gone: Vec<(String, Vec<String>)> = managed
        .entries()
        .filter(|(name, _)| !live.contains(name))
        .map(|(name, keys)| (name.to_string(), keys.to_vec()))
        .collect();
    if gone.is_empty() {
        return None;
    }
    let mut updated = ingress.clone();
    let written = updated.pointer_mut("/metadata/annotations")?.as_object_mut()?;
    for (_, keys) in &gone {
        for key in keys.iter().filter(|k| k.contains(ACTION_INFIX)) {
            let reset = reset_action(key, annotations.get(key).and_then(Value::as_str)?)?;
            written.insert(key.clone(), Value::String(reset));
        }
    }
    managed.retain(|name| !gone.iter().any(|(g, _)| g == name));
    if managed.is_empty() {
        written.remove(MANAGED_ANNOTATIONS);
    } else {
        written.insert(MANAGED_ANNOTATIONS.to_string(), Value::String(managed.render()));
    }
    written.remove(LEGACY_MANAGED_ACTIONS);
    Some(updated)
}

/// The action `key` sends everything to its own Service, on the port its previous action gave that
/// Service, keeping the previous stickiness (upstream `getResetALBActionStr`).
fn reset_action(key: &str, previous: &str) -> Option<String> {
    let mut parts = key.split(ACTION_INFIX);
    let (_, service, None) = (parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    let previous: Value = serde_json::from_str(previous).ok()?;
    let config = previous.get("ForwardConfig")?;
    let port = config
        .get("TargetGroups")?
        .as_array()?
        .iter()
        .filter(|g| g.get("ServiceName").and_then(Value::as_str) == Some(service))
        .filter_map(|g| g.get("ServicePort").and_then(Value::as_str))
        .next_back()
        .filter(|p| !p.is_empty())?;
    let sticky = config
        .get("TargetGroupStickinessConfig")
        .filter(|s| !s.is_null())
        .map(|s| {
            (
                s.get("Enabled").and_then(Value::as_bool).unwrap_or_default(),
                s.get("DurationSeconds").and_then(Value::as_i64).unwrap_or_default(),
            )
        });
    let group = TargetGroup {
        service: service.to_string(),
        port: port.to_string(),
        weight: 100,
    };
    Some(action::forward_action(&[group], sticky))
}
