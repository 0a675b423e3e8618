//! Upstream's reference checks of App Mesh (`getReferencedAppMeshResources`, then
//! `ValidateAppMeshVirtualRouter`): the VirtualService must exist and its VirtualRouter too; the
//! VirtualRouter must have routes, each of a type that can be weighted, with exactly two weighted
//! targets. A VirtualService not provided by a VirtualRouter is left to the weighting, which fails
//! with upstream's error without making the Rollout invalid, as upstream.

use rollouts_api::validation::FieldError;
use serde_json::Value;

use super::AppMesh;
use super::virtual_router::{RouteRule, route_rule};
use crate::traffic::{ObjectRef, Objects};

/// The field upstream names, spelt as upstream spells it.
const PATH: &str = "spec.strategy.canary.trafficRouting.appmesh.virtualService";

fn not_found(target: &ObjectRef) -> String {
    format!("{}.{} \"{}\" not found", target.plural(), target.group(), target.name)
}

/// A missing VirtualService or VirtualRouter, with the API server's NotFound message.
pub(super) fn missing_reference(router: &AppMesh<'_>, objects: &Objects) -> Option<FieldError> {
    let Some(virtual_service) = router.routing.virtual_service.as_ref() else {
        return Some(FieldError::invalid(PATH, "null", "must provide virtual-service"));
    };
    // Upstream cannot run a Rollout without the VirtualNodes either.
    if router.routing.virtual_node_group.is_none() {
        return Some(FieldError::required(
            "spec.strategy.canary.trafficRouting.appMesh.virtualNodeGroup",
            "",
        ));
    }
    let value = format!("{}.{}", virtual_service.name, router.input.namespace());
    let service_ref = router.virtual_service_ref();
    let Some(service) = objects.get(&service_ref) else {
        return Some(FieldError::invalid(PATH, value.as_str(), not_found(&service_ref)));
    };
    let router_ref = router.virtual_router_ref(service).ok()?;
    objects
        .get(&router_ref)
        .is_none()
        .then(|| FieldError::invalid(PATH, value.as_str(), not_found(&router_ref)))
}

/// The first problem with the VirtualRouter's routes.
pub(super) fn virtual_router_problem(router: &AppMesh<'_>, objects: &Objects) -> Option<FieldError> {
    let service = objects.get(&router.virtual_service_ref())?;
    let virtual_router = objects.get(&router.virtual_router_ref(service).ok()?)?;
    let name = virtual_router
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let invalid = |path: String, message: String| Some(FieldError::invalid(path, name, message));
    let routes = match virtual_router.pointer("/spec/routes") {
        Some(Value::Array(routes)) if !routes.is_empty() => routes,
        _ => {
            return invalid(
                "spec.routes".into(),
                format!("No routes defined for AppMesh virtual-router {name}"),
            );
        }
    };
    for (index, route) in routes.iter().enumerate() {
        let path = format!("spec.routes[{index}]");
        let Value::Object(route) = route else {
            return invalid(
                path,
                format!("Invalid route was found for AppMesh virtual-router {name} at index {index}"),
            );
        };
        // Go prints a missing name as `%!s(<nil>)`.
        let route_name = match route.get("name") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => "%!s(<nil>)".to_string(),
            Some(other) => other.to_string(),
        };
        let details = |error: &str| {
            format!(
                "Error getting route details for AppMesh virtual-router {name} and route {route_name}. Error: {error}"
            )
        };
        let (route_type, rule) = match route_rule(route) {
            RouteRule::Found(route_type, rule) => (route_type, rule),
            RouteRule::Malformed(error) => return invalid(path, details(&error)),
            RouteRule::Unsupported => return invalid(path, details("Route has unsupported route type")),
        };
        let targets_path = format!("{path}.{route_type}.action.weightedTargets");
        let Some(Value::Array(targets)) = rule.get("action").and_then(|a| a.get("weightedTargets")) else {
            return invalid(
                targets_path,
                format!("Invalid route action found for AppMesh virtual-router {name} and route {route_name}"),
            );
        };
        if targets.len() != 2 {
            return invalid(
                targets_path,
                format!(
                    "Invalid number of weightedTargets ({}) for AppMesh virtual-router {name} and route {route_name}, expected 2",
                    targets.len()
                ),
            );
        }
    }
    None
}
