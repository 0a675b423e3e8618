//! `SetMirrorRoute` (upstream `SetMirrorRoute`, `createMirrorRoute`): an http route named after the
//! step, ahead of the others, that sends matching requests where the weighted route does and copies a
//! percentage of them to the canary. A step without `match` removes it.

use rollouts_api::steps::{RouteMatch, SetMirrorRoute};
use rollouts_api::traffic::IstioVirtualService;
use serde_json::{Map, Value, json};

use super::IstioRouter;
use super::header_route::{string_match, weighted_route};
use super::managed_routes::{order_routes, remove_route};
use super::routes::{self, Destination};
use super::virtual_service::spec_routes;
use crate::traffic::{Objects, RouterError};

/// A mirror condition as Istio spells it (the step's `path` is Istio's `uri`).
fn mirror_match(condition: &RouteMatch) -> Value {
    let mut out = Map::new();
    if let Some(method) = &condition.method {
        out.insert("method".to_string(), string_match(method));
    }
    if let Some(path) = &condition.path {
        out.insert("uri".to_string(), string_match(path));
    }
    if let Some(headers) = condition.headers.as_ref().filter(|h| !h.is_empty()) {
        let headers: Map<String, Value> = headers
            .iter()
            .map(|(name, value)| (name.clone(), string_match(value)))
            .collect();
        out.insert("headers".to_string(), Value::Object(headers));
    }
    Value::Object(out)
}

/// A copied destination, written with only the fields upstream's typed copy keeps (host, subset,
/// port number, and a weight other than 0).
fn copied_destination(destination: &Destination) -> Value {
    let mut target = Map::new();
    if !destination.host.is_empty() {
        target.insert("host".to_string(), json!(destination.host));
    }
    if !destination.subset.is_empty() {
        target.insert("subset".to_string(), json!(destination.subset));
    }
    if let Some(port) = destination.port {
        target.insert("port".to_string(), port_value(port));
    }
    let mut out = Map::new();
    out.insert("destination".to_string(), Value::Object(target));
    if destination.weight != 0 {
        out.insert("weight".to_string(), json!(destination.weight));
    }
    Value::Object(out)
}

fn port_value(number: u64) -> Value {
    if number == 0 {
        json!({})
    } else {
        json!({"number": number})
    }
}

impl IstioRouter<'_> {
    pub(super) fn set_mirror_routes(&self, objects: &mut Objects, step: &SetMirrorRoute) -> Result<(), RouterError> {
        let managed = self.managed_routes();
        for virtual_service in self.virtual_services() {
            let target = self.virtual_service_ref(virtual_service);
            let mut object = self
                .read_virtual_service(objects, &target)
                .map_err(|e| RouterError(format!("[SetMirrorRoute] failed to get virtual service: {e}")))?;
            self.reconcile_mirror_route(objects, &mut object, virtual_service, step)
                .map_err(|e| {
                    RouterError(format!(
                        "[SetMirrorRoute] failed reconcile virtual service for mirror routes: {e}"
                    ))
                })?;
            order_routes(&mut object, managed.as_deref());
            if objects.update(object) {
                objects.event(
                    super::UPDATED_VIRTUAL_SERVICE,
                    format!(
                        "VirtualService `{}` set mirrorRoute '{}'",
                        virtual_service.name, step.name
                    ),
                );
            }
        }
        Ok(())
    }

    /// Removes the step's route, then, when the step has conditions, puts it first anew.
    fn reconcile_mirror_route(
        &self,
        objects: &Objects,
        object: &mut Value,
        virtual_service: &IstioVirtualService,
        step: &SetMirrorRoute,
    ) -> Result<(), RouterError> {
        let (host, subset) = self.canary_destination(objects).map_err(|e| {
            RouterError(format!(
                "[reconcileVirtualServiceMirrorRoutes] failed to get destination rule host: {e}"
            ))
        })?;
        let conditions = step.r#match.as_deref().unwrap_or_default();
        if conditions.is_empty() {
            return remove_route(object, &step.name).map_err(|e| {
                RouterError(format!(
                    "[reconcileVirtualServiceMirrorRoutes] failed to remove route from virtual service: {e}"
                ))
            });
        }
        remove_route(object, &step.name).map_err(|e| {
            RouterError(format!(
                "[reconcileVirtualServiceMirrorRoutes] failed to remove http route from virtual service: {e}"
            ))
        })?;
        routes::http_routes(spec_routes(object, "http").map_or(&[][..], Vec::as_slice)).map_err(|e| {
            RouterError(format!(
                "[reconcileVirtualServiceMirrorRoutes] failed to get virtual service http routes: [getVirtualServiceHttpRoutes] failed to get http route types: {e}"
            ))
        })?;
        let managed = self.managed_routes().unwrap_or_default();
        let weighted = weighted_route(object, virtual_service, &managed).map_err(|e| {
            RouterError(format!(
                "[reconcileVirtualServiceMirrorRoutes] failed to create mirror route: [createMirrorRoute] failed to get virtual service http route for keeping non-mirror weights set: [getVirtualServiceSetWeightRoute] failed to get routes that need to be patch when set weight is called: {e}"
            ))
        })?;
        // Upstream assumes a weighted route exists and crashes without one.
        let Some(first) = weighted.first() else {
            return Err(RouterError::new(
                "[reconcileVirtualServiceMirrorRoutes] failed to create mirror route: no http route carries the weights to copy",
            ));
        };
        let mut mirror = Map::new();
        if !host.is_empty() {
            mirror.insert("host".to_string(), json!(host));
        }
        if !subset.is_empty() {
            mirror.insert("subset".to_string(), json!(subset));
        }
        if let Some(port) = first.port {
            mirror.insert("port".to_string(), port_value(port));
        }
        let route = json!({
            "name": step.name,
            "match": conditions.iter().map(mirror_match).collect::<Vec<_>>(),
            "route": weighted.iter().map(copied_destination).collect::<Vec<_>>(),
            "mirror": mirror,
            "mirrorPercentage": {"value": step.percentage_or_default()},
        });
        if let Some(Value::Array(routes)) = object.get_mut("spec").and_then(|spec| spec.get_mut("http")) {
            routes.insert(0, route);
        }
        Ok(())
    }
}
