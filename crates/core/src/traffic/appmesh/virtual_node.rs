//! Pointing the VirtualNodes at their ReplicaSets: `spec.podSelector.matchLabels` gets the
//! `rollouts-pod-template-hash` of the stable ReplicaSet on the stable node, then of the canary on
//! the canary node. App Mesh refuses two nodes with the same selector, so while there is no distinct
//! canary (or no stable) a placeholder hash stands in, as upstream; but only once the canary node
//! carries no weight (upstream gives it the placeholder first, and the requests still routed to it
//! find no pod until the weight follows).

use serde_json::{Value, json};

use super::{AppMesh, VIRTUAL_NODE_MISSING, virtual_router};
use crate::traffic::{Objects, RouterError};

/// The pod-template hash label.
const HASH_LABEL: &str = "rollouts-pod-template-hash";
/// Upstream's placeholders.
const DEFAULT_CANARY_HASH: &str = "canary-hash";
const DEFAULT_STABLE_HASH: &str = "stable-hash";

/// Upstream's `UpdateHash`: the stable node first, then the canary one.
pub(super) fn update_hashes(
    router: &AppMesh<'_>,
    objects: &mut Objects,
    canary_hash: &str,
    stable_hash: &str,
) -> Result<(), RouterError> {
    let stable_hash = if stable_hash.is_empty() {
        DEFAULT_STABLE_HASH
    } else {
        stable_hash
    };
    let (stable, canary) = router.virtual_node_names();
    set_hash(router, objects, stable, stable_hash)?;
    let canary_hash = if canary_hash.is_empty() || canary_hash == stable_hash {
        if virtual_router::canary_node_weight(router, objects) > 0 {
            // The canary node keeps the pods it selects until the weight has left it; a later
            // reconcile gives it the placeholder. Meanwhile both nodes may select the same pods,
            // as they do for a moment in upstream's order too.
            return node(router, objects, canary).map(|_| ());
        }
        DEFAULT_CANARY_HASH
    } else {
        canary_hash
    };
    set_hash(router, objects, canary, canary_hash)
}

/// The VirtualNode `name`, or upstream's Warning and error when it is missing.
fn node(router: &AppMesh<'_>, objects: &mut Objects, name: &str) -> Result<Value, RouterError> {
    let target = router.virtual_node_ref(name);
    let Some(node) = objects.get(&target).cloned() else {
        objects.warning(
            "VirtualNodeNotFound",
            format!("VirtualNode `{name}` not found in namespace `{}`", target.namespace),
        );
        return Err(RouterError::new(VIRTUAL_NODE_MISSING));
    };
    Ok(node)
}

/// Sets the hash label of one VirtualNode's pod selector, creating the selector if needed; written
/// only when that changes it.
fn set_hash(router: &AppMesh<'_>, objects: &mut Objects, name: &str, hash: &str) -> Result<(), RouterError> {
    let mut node = node(router, objects, name)?;
    let labels = match_labels(&mut node, name)?;
    labels.insert(HASH_LABEL.into(), Value::from(hash));
    objects.update(node);
    Ok(())
}

/// `spec.podSelector.matchLabels`, created (as empty maps) where missing or null.
fn match_labels<'n>(node: &'n mut Value, name: &str) -> Result<&'n mut serde_json::Map<String, Value>, RouterError> {
    let mut current = node;
    for key in ["spec", "podSelector", "matchLabels"] {
        let Value::Object(fields) = current else {
            return Err(RouterError::new(format!(
                "VirtualNode `{name}`: .spec.podSelector.matchLabels accessor error: {current} is not a map"
            )));
        };
        let member = fields.entry(key).or_insert_with(|| json!({}));
        if member.is_null() {
            *member = json!({});
        }
        current = member;
    }
    match current {
        Value::Object(labels) => Ok(labels),
        other => Err(RouterError::new(format!(
            "VirtualNode `{name}`: .spec.podSelector.matchLabels accessor error: {other} is not a map"
        ))),
    }
}
