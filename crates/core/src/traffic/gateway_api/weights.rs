//! Weights on the backends of HTTPRoute and GRPCRoute rules: every rule but the header-route rules sends
//! the canary weight to the canary Service and the rest to the stable Service; other backends are left
//! as they are.

use serde_json::Value;

use super::Context;
use super::managed::is_managed_rule;
use super::route::{RouteKind, backend_refs_mut, rules_mut, text};
use crate::traffic::RouterError;

/// Sets the weights of `route`'s rules; the plugin's "backendRef was not found" error when no rule
/// names the canary or none names the stable Service.
pub fn set_split_weights(
    route: &mut Value,
    kind: RouteKind,
    ctx: &Context<'_>,
    canary_weight: i32,
) -> Result<(), RouterError> {
    let stable_weight = ctx.max_weight - canary_weight;
    let (mut canary_found, mut stable_found) = (false, false);
    for rule in rules_mut(route).into_iter().flatten() {
        // Header-route rules send everything to the canary whatever the weight.
        if is_managed_rule(rule, &ctx.canary, &ctx.managed_names, None) {
            continue;
        }
        for backend in backend_refs_mut(rule).into_iter().flatten() {
            let name = text(backend, "name");
            let weight = if name == ctx.canary {
                canary_found = true;
                canary_weight
            } else if name == ctx.stable {
                stable_found = true;
                stable_weight
            } else {
                continue;
            };
            set_weight(backend, weight);
        }
    }
    if canary_found && stable_found {
        Ok(())
    } else {
        Err(kind.backend_not_found())
    }
}

/// Sets a backend's `weight`.
pub fn set_weight(backend: &mut Value, weight: i32) {
    if let Some(fields) = backend.as_object_mut() {
        fields.insert("weight".to_string(), Value::from(weight));
    }
}
