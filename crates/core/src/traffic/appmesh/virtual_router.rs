//! Weighting a VirtualRouter: in every route the Rollout selects, the weighted target of the canary
//! VirtualNode gets the canary's weight and the stable one the rest; targets in another namespace or
//! of other nodes are left alone. A malformed route is an error naming its field, as upstream.

use rollouts_api::validation::FieldError;
use serde_json::{Map, Value};

use super::{AppMesh, VIRTUAL_ROUTER_MISSING, VIRTUAL_SERVICE_MISSING};
use crate::traffic::unstructured::field_accessor_error as accessor_error;
use crate::traffic::{Objects, RouterError, WeightScale};

/// The route types whose targets can be weighted, in the order upstream looks for them.
pub(super) const ROUTE_TYPES: [&str; 4] = ["httpRoute", "tcpRoute", "http2Route", "grpcRoute"];

const NOT_WELL_FORMED: &str = "not well-formed";

/// The largest weight App Mesh accepts for a weighted target.
const MAX_TARGET_WEIGHT: i32 = 100;

/// What a route's rule is (upstream `GetRouteRule`).
pub(super) enum RouteRule<'r> {
    /// The first of [`ROUTE_TYPES`] the route has, and its rule.
    Found(&'static str, &'r Map<String, Value>),
    /// That member is not an object: the accessor's message.
    Malformed(String),
    /// The route has none of them.
    Unsupported,
}

/// The route's type and rule.
pub(super) fn route_rule(route: &Map<String, Value>) -> RouteRule<'_> {
    for route_type in ROUTE_TYPES {
        match route.get(route_type) {
            None => {}
            Some(Value::Object(rule)) => return RouteRule::Found(route_type, rule),
            Some(other) => {
                return RouteRule::Malformed(accessor_error(route_type, other, "map[string]interface{}"));
            }
        }
    }
    RouteRule::Unsupported
}

/// Upstream's `SetWeight`: VirtualService, then its VirtualRouter, then the routes.
pub(super) fn set_weight(router: &AppMesh<'_>, objects: &mut Objects, weight: i32) -> Result<(), RouterError> {
    let namespace = router.input.namespace();
    let service_name = router.virtual_service_name();
    let Some(virtual_service) = objects.get(&router.virtual_service_ref()) else {
        objects.warning(
            "VirtualServiceNotFound",
            format!("VirtualService `{service_name}` not found in namespace `{namespace}`"),
        );
        return Err(RouterError::new(VIRTUAL_SERVICE_MISSING));
    };
    let target = router.virtual_router_ref(virtual_service)?;
    let Some(mut virtual_router) = objects.get(&target).cloned() else {
        objects.warning(
            "VirtualRouterNotFound",
            format!("VirtualRouter for `{service_name}` not found in namespace `{namespace}`"),
        );
        return Err(RouterError::new(VIRTUAL_ROUTER_MISSING));
    };
    let changed = Weighting {
        router,
        router_name: &target.name,
        weight,
    }
    .apply(&mut virtual_router)?;
    if changed {
        objects.update(virtual_router);
    }
    Ok(())
}

/// The weight the VirtualRouter's selected routes now send to the canary VirtualNode (0 when the
/// objects are missing or malformed: the weighting reports those).
pub(super) fn canary_node_weight(router: &AppMesh<'_>, objects: &Objects) -> i64 {
    let Some(virtual_router) = objects
        .get(&router.virtual_service_ref())
        .and_then(|service| router.virtual_router_ref(service).ok())
        .and_then(|target| objects.get(&target))
    else {
        return 0;
    };
    let namespace = router.input.namespace();
    let (_, canary) = router.virtual_node_names();
    let selected = router
        .routing
        .virtual_service
        .as_ref()
        .and_then(|v| v.routes.as_ref())
        .filter(|names| !names.is_empty());
    let routes = virtual_router.pointer("/spec/routes").and_then(Value::as_array);
    routes
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|route| {
            let name = route.get("name").and_then(Value::as_str).unwrap_or_default();
            selected.is_none_or(|names| names.iter().any(|n| n == name))
        })
        .filter_map(|route| match route_rule(route) {
            RouteRule::Found(_, rule) => rule.get("action")?.get("weightedTargets")?.as_array(),
            _ => None,
        })
        .flatten()
        .filter(|target| {
            let node = &target["virtualNodeRef"];
            let node_namespace = node["namespace"]
                .as_str()
                .filter(|ns| !ns.is_empty())
                .unwrap_or(namespace);
            node["name"].as_str() == Some(canary) && node_namespace == namespace
        })
        .filter_map(|target| as_int(&target["weight"]))
        .sum()
}

/// One weighting of one VirtualRouter.
struct Weighting<'r, 'a> {
    router: &'r AppMesh<'a>,
    /// For the errors' bad value, as upstream reports them.
    router_name: &'r str,
    weight: i32,
}

impl Weighting<'_, '_> {
    fn invalid(&self, path: &str, message: &str) -> RouterError {
        RouterError::new(FieldError::invalid(path, self.router_name, message).to_string())
    }

    /// Weights every selected route; whether any weight changed.
    fn apply(&self, virtual_router: &mut Value) -> Result<bool, RouterError> {
        let Some(Value::Array(routes)) = virtual_router.pointer_mut("/spec/routes") else {
            return Err(self.invalid("spec.routes", "No routes found"));
        };
        let mut changed = false;
        for (index, route) in routes.iter_mut().enumerate() {
            let path = format!("spec.routes[{index}]");
            let Value::Object(route) = route else {
                return Err(self.invalid(&path, NOT_WELL_FORMED));
            };
            changed |= self.apply_route(route, &path)?;
        }
        Ok(changed)
    }

    fn apply_route(&self, route: &mut Map<String, Value>, path: &str) -> Result<bool, RouterError> {
        let Some(Value::String(name)) = route.get("name") else {
            return Err(self.invalid(&format!("{path}.name"), NOT_WELL_FORMED));
        };
        let selected = self
            .router
            .routing
            .virtual_service
            .as_ref()
            .and_then(|v| v.routes.as_ref())
            .filter(|names| !names.is_empty());
        if selected.is_some_and(|names| !names.contains(name)) {
            return Ok(false);
        }
        let RouteRule::Found(route_type, _) = route_rule(route) else {
            return Err(self.invalid(path, NOT_WELL_FORMED));
        };
        let targets_path = format!("{path}.{route_type}.action.weightedTargets");
        let Some(Value::Array(targets)) = route
            .get_mut(route_type)
            .and_then(|rule| rule.get_mut("action"))
            .filter(|action| action.is_object())
            .and_then(|action| action.get_mut("weightedTargets"))
        else {
            return Err(self.invalid(&targets_path, NOT_WELL_FORMED));
        };
        let namespace = self.router.input.namespace();
        let (stable, canary) = self.router.virtual_node_names();
        // App Mesh takes weights up to 100: percentages of a larger `maxTrafficWeight` (upstream
        // writes `100 - weight` for the stable, negative past 100).
        let scale = WeightScale::within(self.router.input.max_weight(), MAX_TARGET_WEIGHT);
        let mut changed = false;
        for (index, target) in targets.iter_mut().enumerate() {
            let target_path = format!("{targets_path}[{index}]");
            let Value::Object(target) = target else {
                return Err(self.invalid(&target_path, NOT_WELL_FORMED));
            };
            let Some(Value::Object(node)) = target.get("virtualNodeRef") else {
                return Err(self.invalid(&format!("{target_path}.virtualNodeRef"), NOT_WELL_FORMED));
            };
            let node_name = node.get("name").and_then(Value::as_str).unwrap_or_default();
            let node_namespace = node
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|ns| !ns.is_empty())
                .unwrap_or(namespace);
            // Weights are int64 in the CRD; a fractional one counts as its integer part.
            let Some(current) = target.get("weight").and_then(as_int) else {
                return Err(self.invalid(&format!("{target_path}.weight"), NOT_WELL_FORMED));
            };
            let desired = if node_namespace != namespace {
                None
            } else if node_name == stable {
                Some(scale.total() - scale.weight(self.weight))
            } else if node_name == canary {
                Some(scale.weight(self.weight))
            } else {
                None
            };
            if let Some(desired) = desired.filter(|d| *d != current) {
                target.insert("weight".into(), Value::from(desired));
                changed = true;
            }
        }
        Ok(changed)
    }
}

/// A JSON number as Go's conversion to int64 reads it.
fn as_int(value: &Value) -> Option<i64> {
    let number = value.as_number()?;
    number.as_i64().or_else(|| {
        #[allow(clippy::cast_possible_truncation)] // Go truncates toward zero the same way
        number.as_f64().map(|f| f as i64)
    })
}
