//! The http routes the controller owns (`managedRoutes`): their order, the removal of one by name,
//! and `RemoveManagedRoutes` at the end of an update (upstream `orderRoutes`, `removeRoute`,
//! `RemoveManagedRoutes`).

use serde_json::Value;

use super::IstioRouter;
use crate::traffic::{Objects, RouterError};

/// Upstream's `SpecHttpNotFound`.
pub(super) const SPEC_HTTP_NOT_FOUND: &str = "spec.http not found";

fn route_name(route: &Value) -> &str {
    route.get("name").and_then(Value::as_str).unwrap_or_default()
}

/// How Go prints a value and its type in an unstructured accessor error.
fn go_value_and_type(value: &Value) -> (String, &'static str) {
    match value {
        Value::Null => ("<nil>".to_string(), "<nil>"),
        Value::Bool(b) => (b.to_string(), "bool"),
        Value::Number(n) if n.is_f64() => (n.to_string(), "float64"),
        Value::Number(n) => (n.to_string(), "int64"),
        Value::String(s) => (s.clone(), "string"),
        Value::Array(_) => (value.to_string(), "[]interface {}"),
        Value::Object(_) => (value.to_string(), "map[string]interface {}"),
    }
}

/// The `spec.http` list to change: missing is upstream's `spec.http not found`, another type its
/// accessor error.
fn http_routes_mut(object: &mut Value) -> Result<&mut Vec<Value>, RouterError> {
    match object.get_mut("spec").and_then(|spec| spec.get_mut("http")) {
        None => Err(RouterError::new(SPEC_HTTP_NOT_FOUND)),
        Some(Value::Array(routes)) => Ok(routes),
        Some(other) => Err(accessor_error(other)),
    }
}

fn accessor_error(value: &Value) -> RouterError {
    let (printed, go_type) = go_value_and_type(value);
    RouterError(format!(
        ".spec.http accessor error: {printed} is of the type {go_type}, expected []interface{{}}"
    ))
}

/// Removes the http routes named `name` (upstream `removeRoute`); nothing changes when a route is
/// not an object.
pub(super) fn remove_route(object: &mut Value, name: &str) -> Result<(), RouterError> {
    let routes = http_routes_mut(object).map_err(|e| match e.0.as_str() {
        SPEC_HTTP_NOT_FOUND => e,
        _ => RouterError(format!(
            "[removeRoute] failed to get http routes from virtual service: {e}"
        )),
    })?;
    if routes.iter().any(|r| !r.is_object()) {
        return Err(RouterError::new(
            "Could not cast type to map[string]any to find route name in Istio Virtual Service",
        ));
    }
    routes.retain(|r| route_name(r) != name);
    Ok(())
}

/// Puts the managed routes first, in `managedRoutes` order, ahead of the others in their own order
/// (upstream `orderRoutes`). Upstream rebuilds the list by name, which repeats routes sharing a name
/// (several unnamed routes, say); this keeps each route exactly once.
pub(super) fn order_routes(object: &mut Value, managed: Option<&[String]>) {
    let Some(managed) = managed else {
        return;
    };
    let Ok(routes) = http_routes_mut(object) else {
        return;
    };
    let mut rest = std::mem::take(routes);
    let mut ordered = Vec::with_capacity(rest.len());
    let mut seen: Vec<&str> = Vec::new();
    for name in managed.iter().map(String::as_str).filter(|n| !n.is_empty()) {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let (named, others): (Vec<Value>, Vec<Value>) = rest.into_iter().partition(|r| route_name(r) == name);
        ordered.extend(named);
        rest = others;
    }
    ordered.extend(rest);
    *routes = ordered;
}

impl IstioRouter<'_> {
    /// Removes the routes of the `setHeaderRoute` and `setMirrorRoute` steps and every route named in
    /// `managedRoutes`, from every VirtualService. A VirtualService that is gone or has no http routes
    /// is skipped (upstream stops at one without http routes, leaving the following ones as they are).
    pub(super) fn remove_all_managed_routes(&self, objects: &mut Objects) -> Result<(), RouterError> {
        let managed = self.managed_routes().unwrap_or_default();
        let step_routes = self.step_route_names();
        for virtual_service in self.virtual_services() {
            let target = self.virtual_service_ref(virtual_service);
            let Some(read) = objects.get(&target) else {
                continue;
            };
            let mut object = read.clone();
            match object.get("spec").and_then(|spec| spec.get("http")) {
                None | Some(Value::Null) => continue,
                Some(Value::Array(_)) => {}
                Some(other) => {
                    return Err(RouterError(format!(
                        "[RemoveManagedRoutes] failed to get http routes from virtual service: {}",
                        accessor_error(other)
                    )));
                }
            }
            for name in &step_routes {
                // Upstream only logs a route it cannot remove and goes on.
                let _ = remove_route(&mut object, name);
            }
            if !managed.is_empty() {
                let routes = http_routes_mut(&mut object)?;
                if let Some(odd) = routes.iter().find(|r| !r.is_object() && !r.is_null()) {
                    let kind = match odd {
                        Value::Bool(_) => "bool",
                        Value::Number(_) => "number",
                        Value::String(_) => "string",
                        _ => "array",
                    };
                    return Err(RouterError(format!(
                        "[RemoveManagedRoutes] failed to split managed and non-managed routes: [splitManagedRoutesAndNonManagedRoutes] failed to unmarsharl http route interface: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                    )));
                }
                routes.retain(|r| !managed.iter().any(|m| m == route_name(r)));
            }
            if objects.update(object) {
                objects.event(
                    super::UPDATED_VIRTUAL_SERVICE,
                    format!("VirtualService `{}` removed all managed routes.", virtual_service.name),
                );
            }
        }
        Ok(())
    }

    /// The route names of the Rollout's `setHeaderRoute` and `setMirrorRoute` steps.
    fn step_route_names(&self) -> Vec<String> {
        let steps = self
            .input
            .rollout
            .spec
            .strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .and_then(|c| c.steps.as_deref())
            .unwrap_or_default();
        let mut names = Vec::new();
        for step in steps {
            if let Some(name) = step.set_header_route.as_ref().and_then(|r| r.name.clone()) {
                names.push(name);
            }
            if let Some(route) = &step.set_mirror_route {
                names.push(route.name.clone());
            }
        }
        // An unnamed step route (refused by validation) would otherwise remove every unnamed route.
        names.retain(|n| !n.is_empty());
        names
    }
}
