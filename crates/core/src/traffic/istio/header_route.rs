//! `SetHeaderRoute` (upstream `SetHeaderRoute`, `createHeaderRoute`): an http route named after the
//! step that sends requests with matching headers entirely to the canary. A step without `match`
//! removes it.

use rollouts_api::common::StringMatch;
use rollouts_api::steps::{HeaderRoutingMatch, SetHeaderRoute};
use rollouts_api::traffic::IstioVirtualService;
use serde_json::{Map, Value, json};

use super::IstioRouter;
use super::managed_routes::{order_routes, remove_route};
use super::routes::{self, Destination};
use super::virtual_service::spec_routes;
use crate::traffic::{Objects, RouterError};

/// A `StringMatch` as Istio spells it, leaving out empty values.
pub(super) fn string_match(value: &StringMatch) -> Value {
    let mut out = Map::new();
    for (key, text) in [
        ("exact", &value.exact),
        ("regex", &value.regex),
        ("prefix", &value.prefix),
    ] {
        if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
            out.insert(key.to_string(), json!(text));
        }
    }
    Value::Object(out)
}

fn header_match(condition: &HeaderRoutingMatch) -> Value {
    json!({"headers": {condition.header_name.clone(): string_match(&condition.header_value)}})
}

/// The destination of the route that carries the weights: the first destination of the first
/// selected http route (upstream `getVirtualServiceSetWeightRoute`).
pub(super) fn weighted_route(
    object: &Value,
    virtual_service: &IstioVirtualService,
    managed: &[String],
) -> Result<Vec<Destination>, RouterError> {
    let http = routes::http_routes(spec_routes(object, "http").map_or(&[][..], Vec::as_slice))?;
    let names = virtual_service.routes.clone().unwrap_or_default();
    let indexes = routes::http_route_indexes(&names, &http, managed)?;
    Ok(indexes
        .first()
        .map(|&i| http[i].destinations.clone())
        .unwrap_or_default())
}

/// A weighted destination as upstream writes one (`routeDestination`).
fn route_destination(host: &str, port: u64, subset: &str, weight: i64) -> Value {
    let mut destination = Map::new();
    destination.insert("host".to_string(), json!(host));
    if port > 0 {
        destination.insert("port".to_string(), json!({"number": port}));
    }
    if !subset.is_empty() {
        destination.insert("subset".to_string(), json!(subset));
    }
    json!({"weight": weight, "destination": destination})
}

impl IstioRouter<'_> {
    pub(super) fn set_header_routes(&self, objects: &mut Objects, step: &SetHeaderRoute) -> Result<(), RouterError> {
        let managed = self.managed_routes();
        for virtual_service in self.virtual_services() {
            let target = self.virtual_service_ref(virtual_service);
            let mut object = self
                .read_virtual_service(objects, &target)
                .map_err(|e| RouterError(format!("[SetHeaderRoute] failed to get istio virtual service: {e}")))?;
            self.reconcile_header_route(objects, &mut object, virtual_service, step)
                .map_err(|e| RouterError(format!("[SetHeaderRoute] failed to reconcile header routes: {e}")))?;
            order_routes(&mut object, managed.as_deref());
            if objects.update(object) {
                objects.event(
                    super::UPDATED_VIRTUAL_SERVICE,
                    format!(
                        "VirtualService `{}` set headerRoute '{}'",
                        virtual_service.name,
                        step.name.as_deref().unwrap_or_default()
                    ),
                );
            }
        }
        Ok(())
    }

    /// Removes the step's route, then, when the step has conditions, appends it anew.
    fn reconcile_header_route(
        &self,
        objects: &Objects,
        object: &mut Value,
        virtual_service: &IstioVirtualService,
        step: &SetHeaderRoute,
    ) -> Result<(), RouterError> {
        let (host, subset) = self.canary_destination(objects)?;
        let name = step.name.as_deref().unwrap_or_default();
        let conditions = step.r#match.as_deref().unwrap_or_default();
        if conditions.is_empty() {
            return remove_route(object, name).map_err(|e| {
                RouterError(format!(
                    "[reconcileVirtualServiceHeaderRoutes] failed to remove route from virtual service: {e}"
                ))
            });
        }
        remove_route(object, name).map_err(|e| {
            RouterError(format!(
                "[reconcileVirtualServiceHeaderRoutes] failed to remove http route from virtual service: {e}"
            ))
        })?;
        // The canary keeps the port the weighted route sends to; none when it cannot be told.
        let managed = self.managed_routes().unwrap_or_default();
        let port = weighted_route(object, virtual_service, &managed)
            .ok()
            .and_then(|route| route.first().and_then(|d| d.port))
            .unwrap_or(0);
        let route = json!({
            "name": name,
            "match": conditions.iter().map(header_match).collect::<Vec<_>>(),
            "route": [route_destination(&host, port, &subset, 100)],
        });
        if let Some(Value::Array(routes)) = object.get_mut("spec").and_then(|spec| spec.get_mut("http")) {
            routes.push(route);
        }
        Ok(())
    }
}
