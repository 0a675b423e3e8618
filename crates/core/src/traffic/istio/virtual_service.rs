//! `SetWeight` (upstream `SetWeight`, `reconcileVirtualService`, `processRoutes`): the canary and
//! stable destinations of every selected route get their weights, experiment destinations are
//! updated, appended or dropped, and a VirtualService is written only when a weight changed.

use std::collections::BTreeMap;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::traffic::IstioVirtualService;
use serde_json::{Value, json};

use super::IstioRouter;
use super::managed_routes::order_routes;
use super::names::short_host;
use super::routes::{self, Destination, HttpRoute, L4Route};
use crate::traffic::{Objects, RouterError};

/// Istio weights are percentages, whatever `maxTrafficWeight` says (the router converts to them).
const TOTAL_WEIGHT: i64 = 100;

/// What each destination of a route is matched against.
struct Split<'s> {
    desired: i64,
    stable_service: &'s str,
    canary_service: &'s str,
    stable_subset: &'s str,
    canary_subset: &'s str,
    additional_subsets: &'s [String],
    experiments: &'s [WeightDestination],
}

impl Split<'_> {
    fn is_additional_subset(&self, subset: &str) -> bool {
        !subset.is_empty() && self.additional_subsets.iter().any(|s| s == subset)
    }
}

/// One change to a route's destination list.
#[derive(Debug, PartialEq)]
enum Change {
    Weight(usize, i64),
    Remove(usize),
    Append(String, i64),
}

/// The changes that bring one route's destinations to the split (upstream `processRoutes`). A
/// destination that is neither canary, stable, experiment nor additional subset is removed, unless
/// its weight is already 0.
fn changes(destinations: &[Destination], split: &Split<'_>) -> Vec<Change> {
    let mut experiments: BTreeMap<&str, i64> = BTreeMap::new();
    let mut stable_weight = TOTAL_WEIGHT - split.desired;
    for experiment in split.experiments {
        experiments.insert(
            experiment.service_name.as_deref().unwrap_or_default(),
            i64::from(experiment.weight),
        );
        stable_weight -= i64::from(experiment.weight);
    }
    stable_weight -= destinations
        .iter()
        .filter(|d| split.is_additional_subset(&d.subset))
        .map(|d| d.weight)
        .sum::<i64>();
    // Istio refuses negative weights.
    let stable_weight = stable_weight.max(0);

    let mut changes = Vec::new();
    for (index, destination) in destinations.iter().enumerate() {
        let host = short_host(&destination.host);
        if host.is_empty() {
            continue;
        }
        let subset = destination.subset.as_str();
        let target = if host == split.canary_service || (!subset.is_empty() && subset == split.canary_subset) {
            Some(split.desired)
        } else if host == split.stable_service || (!subset.is_empty() && subset == split.stable_subset) {
            Some(stable_weight)
        } else if let Some(weight) = experiments.remove(host) {
            Some(weight)
        } else if split.is_additional_subset(subset) {
            Some(destination.weight)
        } else {
            None
        };
        match target {
            Some(weight) if weight != destination.weight => changes.push(Change::Weight(index, weight)),
            Some(_) => {}
            None if destination.weight != 0 => changes.push(Change::Remove(index)),
            None => {}
        }
    }
    // New experiment destinations, in name order so the result does not depend on map order.
    for (service, weight) in experiments {
        // A destination without a Service (an empty extra destination) has nowhere to go.
        if weight != 0 && !service.is_empty() {
            changes.push(Change::Append(service.to_string(), weight));
        }
    }
    changes
}

fn casting_error(field: &str, kind: &str) -> RouterError {
    RouterError(format!("Invalid casting: field '{field}' is not of type '{kind}'"))
}

/// Applies the changes of one route to `spec.<kind>[index].route` (upstream `patchVirtualService`).
fn apply(object: &mut Value, kind: &str, index: usize, changes: &[Change]) -> Result<(), RouterError> {
    let route = object
        .get_mut("spec")
        .and_then(|spec| spec.get_mut(kind))
        .and_then(|routes| routes.get_mut(index))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| casting_error(&format!("{kind}[]"), "map[string]interface"))?;
    let destinations = route
        .get_mut("route")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| casting_error(&format!("{kind}[].route"), "[]interface"))?;
    for change in changes {
        if let Change::Weight(at, weight) = change {
            let destination = destinations
                .get_mut(*at)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| casting_error(&format!("{kind}[].route[].destination"), "map[string]interface"))?;
            destination.insert("weight".to_string(), json!(weight));
        }
    }
    // Removals last and from the end, so that each index still names the destination it was read at.
    let mut removed: Vec<usize> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Remove(at) => Some(*at),
            _ => None,
        })
        .collect();
    removed.sort_unstable_by(|a, b| b.cmp(a));
    for at in removed {
        if at < destinations.len() {
            destinations.remove(at);
        }
    }
    for change in changes {
        if let Change::Append(host, weight) = change {
            destinations.push(json!({"weight": weight, "destination": {"host": host}}));
        }
    }
    Ok(())
}

/// `spec.<kind>` when it is a list; anything else means the VirtualService has no such routes.
pub(super) fn spec_routes<'v>(object: &'v Value, kind: &str) -> Option<&'v Vec<Value>> {
    object.get("spec")?.get(kind)?.as_array()
}

impl IstioRouter<'_> {
    pub(super) fn set_virtual_service_weights(
        &self,
        objects: &mut Objects,
        weight: i32,
        additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        let managed = self.managed_routes();
        for virtual_service in self.virtual_services() {
            let target = self.virtual_service_ref(virtual_service);
            let mut object = self.read_virtual_service(objects, &target)?;
            if self.weigh(&mut object, virtual_service, i64::from(weight), additional)? {
                order_routes(&mut object, managed.as_deref());
                if objects.update(object) {
                    objects.event(
                        super::UPDATED_VIRTUAL_SERVICE,
                        format!(
                            "VirtualService `{}` set to desiredWeight '{weight}'",
                            virtual_service.name
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// Checks the routes of one VirtualService and sets their weights; whether any weight changed.
    fn weigh(
        &self,
        object: &mut Value,
        virtual_service: &IstioVirtualService,
        desired: i64,
        experiments: &[WeightDestination],
    ) -> Result<bool, RouterError> {
        let managed = self.managed_routes().unwrap_or_default();
        let names = virtual_service.routes.clone().unwrap_or_default();
        let tls_selectors = virtual_service.tls_routes.clone().unwrap_or_default();
        let tcp_selectors = virtual_service.tcp_routes.clone().unwrap_or_default();

        let http = spec_routes(object, "http")
            .map(|r| routes::http_routes(r))
            .transpose()?;
        if let Some(http) = &http {
            self.check_http(&names, http, &managed)?;
        }
        let tls = spec_routes(object, "tls")
            .map(|r| routes::l4_routes(r, "VirtualServiceTLSRoute"))
            .transpose()?;
        if let Some(tls) = &tls {
            let indexes = routes::tls_route_indexes(&tls_selectors, tls)?;
            self.check_l4(("tls", "tlsRoutes"), tls_selectors.is_empty(), indexes, tls)?;
        }
        let tcp = spec_routes(object, "tcp")
            .map(|r| routes::l4_routes(r, "VirtualServiceTCPRoute"))
            .transpose()?;
        if let Some(tcp) = &tcp {
            let indexes = routes::tcp_route_indexes(&tcp_selectors, tcp)?;
            self.check_l4(("tcp", "tcpRoutes"), tcp_selectors.is_empty(), indexes, tcp)?;
        }

        let (stable_service, canary_service) = self.input.stable_and_canary_services(false);
        let rule = self.destination_rule();
        let split = Split {
            desired,
            stable_service: &stable_service,
            canary_service: &canary_service,
            stable_subset: rule.map_or("", |r| r.stable_subset_name.as_str()),
            canary_subset: rule.map_or("", |r| r.canary_subset_name.as_str()),
            additional_subsets: rule
                .and_then(|r| r.additional_subset_names.as_deref())
                .unwrap_or_default(),
            experiments,
        };

        let mut plan: Vec<(&str, usize, Vec<Change>)> = Vec::new();
        if let Some(http) = &http {
            let mut indexes = routes::http_route_indexes(&names, http, &managed)?;
            // Mirror routes copy the weighted route, so they follow its weights.
            indexes.extend((0..http.len()).filter(|&i| http[i].mirrors && managed.contains(&http[i].name)));
            for index in unique(indexes) {
                plan.push(("http", index, changes(&http[index].destinations, &split)));
            }
        }
        if let Some(tls) = &tls {
            for index in unique(routes::tls_route_indexes(&tls_selectors, tls)?) {
                plan.push(("tls", index, changes(&tls[index].destinations, &split)));
            }
        }
        if let Some(tcp) = &tcp {
            for index in unique(routes::tcp_route_indexes(&tcp_selectors, tcp)?) {
                plan.push(("tcp", index, changes(&tcp[index].destinations, &split)));
            }
        }
        let mut changed = false;
        for (kind, index, route_changes) in plan.iter().filter(|(_, _, c)| !c.is_empty()) {
            apply(object, kind, *index, route_changes)?;
            changed = true;
        }
        Ok(changed)
    }

    /// Upstream `ValidateHTTPRoutes`.
    pub(super) fn check_http(
        &self,
        names: &[String],
        http: &[HttpRoute],
        managed: &[String],
    ) -> Result<(), RouterError> {
        let (stable_service, canary_service) = self.input.stable_and_canary_services(false);
        for index in routes::http_route_indexes(names, http, managed)? {
            routes::check_destinations(
                &http[index].destinations,
                &stable_service,
                &canary_service,
                self.destination_rule(),
            )?;
        }
        let unmanaged = http.iter().filter(|r| !managed.contains(&r.name)).count();
        if names.is_empty() && unmanaged > 1 {
            return Err(RouterError::new(
                "spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes",
            ));
        }
        Ok(())
    }

    /// Upstream `ValidateTlsRoutes` and `ValidateTcpRoutes`; `field` is the Rollout's selector list.
    pub(super) fn check_l4(
        &self,
        (kind, field): (&str, &str),
        selectors_omitted: bool,
        indexes: Vec<usize>,
        routes: &[L4Route],
    ) -> Result<(), RouterError> {
        let (stable_service, canary_service) = self.input.stable_and_canary_services(false);
        for index in indexes {
            routes::check_destinations(
                &routes[index].destinations,
                &stable_service,
                &canary_service,
                self.destination_rule(),
            )?;
        }
        if selectors_omitted && routes.len() > 1 {
            return Err(RouterError(format!(
                "spec.{kind}[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.{field}"
            )));
        }
        Ok(())
    }
}

/// The indexes once each, in first-seen order.
fn unique(indexes: Vec<usize>) -> Vec<usize> {
    let mut seen = Vec::with_capacity(indexes.len());
    for index in indexes {
        if !seen.contains(&index) {
            seen.push(index);
        }
    }
    seen
}
