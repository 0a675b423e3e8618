//! A VirtualService's routes as the router reads them (upstream's `VirtualServiceHTTPRoute`,
//! `VirtualServiceTLSRoute`, `VirtualServiceTCPRoute`), which of them a Rollout selects, and the check
//! that each selected route has both the stable and the canary destination.

use std::collections::BTreeSet;

use rollouts_api::traffic::{IstioDestinationRule, TcpRoute, TlsRoute};
use serde_json::Value;

use super::names::short_host;
use crate::traffic::RouterError;

/// One weighted destination of a route.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Destination {
    /// `destination.host`.
    pub host: String,
    /// `destination.subset`.
    pub subset: String,
    /// `destination.port.number`, when `port` is set (0 when it has no number).
    pub port: Option<u64>,
    /// `weight`, 0 when unset.
    pub weight: i64,
}

/// An http route: its name, destinations and whether it mirrors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpRoute {
    /// `name`, empty when unset.
    pub name: String,
    /// `route`.
    pub destinations: Vec<Destination>,
    /// Whether `mirror` is set.
    pub mirrors: bool,
}

/// A tls or tcp route: the ports and SNI hosts its `match` entries name, and its destinations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct L4Route {
    /// The port of every `match` entry (0 for an entry without one).
    pub ports: BTreeSet<i64>,
    /// The SNI hosts of all `match` entries.
    pub sni_hosts: BTreeSet<String>,
    /// `route`.
    pub destinations: Vec<Destination>,
}

/// The JSON kind of a value, as Go's decoder names it in its errors.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn decode_error(value: &Value, target: &str) -> RouterError {
    RouterError(format!(
        "json: cannot unmarshal {} into Go value of type {target}",
        kind(value)
    ))
}

fn field_error(value: &Value, field: &str, target: &str) -> RouterError {
    RouterError(format!(
        "json: cannot unmarshal {} into Go struct field {field} of type {target}",
        kind(value)
    ))
}

/// A string field; absent and null read as empty.
fn text(object: &serde_json::Map<String, Value>, key: &str, field: &str) -> Result<String, RouterError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(field_error(other, field, "string")),
    }
}

/// An integer field; absent and null read as 0.
fn integer(object: &serde_json::Map<String, Value>, key: &str, field: &str) -> Result<i64, RouterError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .ok_or_else(|| field_error(&Value::Number(n.clone()), field, "int64")),
        Some(other) => Err(field_error(other, field, "int64")),
    }
}

/// The elements of a list field; absent and null read as empty.
fn list<'v>(
    object: &'v serde_json::Map<String, Value>,
    key: &str,
    field: &str,
    target: &str,
) -> Result<&'v [Value], RouterError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(field_error(other, field, target)),
    }
}

fn destination(value: &Value) -> Result<Destination, RouterError> {
    let entry = match value {
        Value::Null => return Ok(Destination::default()),
        Value::Object(entry) => entry,
        other => return Err(decode_error(other, "istio.VirtualServiceRouteDestination")),
    };
    let weight = integer(entry, "weight", "VirtualServiceRouteDestination.weight")?;
    let target = match entry.get("destination") {
        None | Some(Value::Null) => {
            return Ok(Destination {
                weight,
                ..Destination::default()
            });
        }
        Some(Value::Object(target)) => target,
        Some(other) => {
            return Err(field_error(
                other,
                "VirtualServiceRouteDestination.destination",
                "istio.VirtualServiceDestination",
            ));
        }
    };
    let port = match target.get("port") {
        None | Some(Value::Null) => None,
        Some(Value::Object(port)) => Some(integer(port, "number", "Port.number")?.max(0) as u64),
        Some(other) => return Err(field_error(other, "VirtualServiceDestination.port", "istio.Port")),
    };
    Ok(Destination {
        host: text(target, "host", "VirtualServiceDestination.host")?,
        subset: text(target, "subset", "VirtualServiceDestination.subset")?,
        port,
        weight,
    })
}

fn destinations(route: &serde_json::Map<String, Value>, owner: &str) -> Result<Vec<Destination>, RouterError> {
    list(
        route,
        "route",
        &format!("{owner}.route"),
        "[]istio.VirtualServiceRouteDestination",
    )?
    .iter()
    .map(destination)
    .collect()
}

/// Reads `spec.http` (upstream `GetHttpRoutes`).
pub fn http_routes(routes: &[Value]) -> Result<Vec<HttpRoute>, RouterError> {
    routes
        .iter()
        .map(|value| {
            let route = match value {
                Value::Null => return Ok(HttpRoute::default()),
                Value::Object(route) => route,
                other => return Err(decode_error(other, "istio.VirtualServiceHTTPRoute")),
            };
            Ok(HttpRoute {
                name: text(route, "name", "VirtualServiceHTTPRoute.name")?,
                destinations: destinations(route, "VirtualServiceHTTPRoute")?,
                mirrors: route.get("mirror").is_some_and(|m| !m.is_null()),
            })
        })
        .collect()
}

/// Reads `spec.tls` or `spec.tcp` (upstream `GetTlsRoutes`, `GetTcpRoutes`); `owner` names the type.
pub fn l4_routes(routes: &[Value], owner: &str) -> Result<Vec<L4Route>, RouterError> {
    routes
        .iter()
        .map(|value| {
            let route = match value {
                Value::Null => return Ok(L4Route::default()),
                Value::Object(route) => route,
                other => return Err(decode_error(other, &format!("istio.{owner}"))),
            };
            let mut read = L4Route {
                destinations: destinations(route, owner)?,
                ..L4Route::default()
            };
            for entry in list(route, "match", &format!("{owner}.match"), "[]istio.MatchAttributes")? {
                let entry = match entry {
                    Value::Null => {
                        read.ports.insert(0);
                        continue;
                    }
                    Value::Object(entry) => entry,
                    other => return Err(decode_error(other, "istio.MatchAttributes")),
                };
                read.ports.insert(integer(entry, "port", "MatchAttributes.port")?);
                for host in list(entry, "sniHosts", "MatchAttributes.sniHosts", "[]string")? {
                    match host {
                        Value::String(host) => read.sni_hosts.insert(host.clone()),
                        other => return Err(field_error(other, "MatchAttributes.sniHosts", "string")),
                    };
                }
            }
            Ok(read)
        })
        .collect()
}

/// The http routes that carry the weights (upstream `getHttpRouteIndexesToPatch`): the named ones,
/// or, when `routes` is omitted, the only route, else the only route that is not a managed route,
/// else the first unnamed one. Upstream stops at the first unnamed route; when every route is named,
/// a lone route next to managed routes is the one the Rollout means, so it is taken rather than none.
pub fn http_route_indexes(
    names: &[String],
    routes: &[HttpRoute],
    managed: &[String],
) -> Result<Vec<usize>, RouterError> {
    if names.is_empty() {
        if routes.len() == 1 {
            return Ok(vec![0]);
        }
        let unmanaged: Vec<usize> = (0..routes.len())
            .filter(|&i| !managed.contains(&routes[i].name))
            .collect();
        if let [only] = unmanaged[..] {
            return Ok(vec![only]);
        }
        return Ok(routes.iter().position(|r| r.name.is_empty()).into_iter().collect());
    }
    names
        .iter()
        .map(|name| {
            routes.iter().position(|r| &r.name == name).ok_or_else(|| {
                RouterError(format!(
                    "HTTP Route '{name}' is not found in the defined Virtual Service."
                ))
            })
        })
        .collect()
}

/// The port a route matches on: the one port of its `match` entries, or none when they name several.
fn single_port(route: &L4Route) -> Option<i64> {
    match route.ports.len() {
        0 => Some(0),
        1 => route.ports.first().copied(),
        _ => None,
    }
}

/// Upstream's `evaluate.Equal`: as many names, and every one of `found` among `wanted`.
fn same_hosts(wanted: &[String], found: &BTreeSet<String>) -> bool {
    wanted.len() == found.len() && found.iter().all(|h| wanted.contains(h))
}

/// The tls routes that carry the weights (upstream `getTlsRouteIndexesToPatch`): every route whose
/// single port and SNI hosts equal a selector's, or the first route when no selector is given.
pub fn tls_route_indexes(selectors: &[TlsRoute], routes: &[L4Route]) -> Result<Vec<usize>, RouterError> {
    if selectors.is_empty() {
        return Ok((0..routes.len().min(1)).collect());
    }
    let mut indexes = Vec::new();
    for selector in selectors {
        let hosts = selector.sni_hosts.clone().unwrap_or_default();
        let port = selector.port.unwrap_or(0);
        let found: Vec<usize> = (0..routes.len())
            .filter(|&i| single_port(&routes[i]) == Some(port) && same_hosts(&hosts, &routes[i].sni_hosts))
            .collect();
        if found.is_empty() {
            return Err(RouterError::new(
                "No matching TLS routes found in the defined Virtual Service.",
            ));
        }
        indexes.extend(found);
    }
    Ok(indexes)
}

/// The tcp routes that carry the weights (upstream `getTcpRouteIndexesToPatch`): every route whose
/// single port equals a selector's, or the first route when no selector is given.
pub fn tcp_route_indexes(selectors: &[TcpRoute], routes: &[L4Route]) -> Result<Vec<usize>, RouterError> {
    if selectors.is_empty() {
        return Ok((0..routes.len().min(1)).collect());
    }
    let mut indexes = Vec::new();
    for selector in selectors {
        let port = selector.port.unwrap_or(0);
        let found: Vec<usize> = (0..routes.len())
            .filter(|&i| single_port(&routes[i]) == Some(port))
            .collect();
        if found.is_empty() {
            return Err(RouterError::new(
                "No matching TCP routes found in the defined Virtual Service.",
            ));
        }
        indexes.extend(found);
    }
    Ok(indexes)
}

/// Checks that a selected route has both destinations (upstream
/// `validateVirtualServiceRouteDestinations`): the canary and stable subsets with a DestinationRule,
/// the canary and stable Service hosts without one.
pub fn check_destinations(
    destinations: &[Destination],
    stable_service: &str,
    canary_service: &str,
    rule: Option<&IstioDestinationRule>,
) -> Result<(), RouterError> {
    if let Some(rule) = rule {
        let has_subset = |name: &str| !name.is_empty() && destinations.iter().any(|d| d.subset == name);
        if !has_subset(&rule.canary_subset_name) {
            return Err(RouterError(format!(
                "Canary DestinationRule subset '{}' not found in route",
                rule.canary_subset_name
            )));
        }
        if !has_subset(&rule.stable_subset_name) {
            return Err(RouterError(format!(
                "Stable DestinationRule subset '{}' not found in route",
                rule.stable_subset_name
            )));
        }
        return Ok(());
    }
    let has_host = |service: &str| !service.is_empty() && destinations.iter().any(|d| short_host(&d.host) == service);
    if !has_host(canary_service) {
        return Err(RouterError(format!(
            "Canary Service '{canary_service}' not found in route"
        )));
    }
    if !has_host(stable_service) {
        return Err(RouterError(format!(
            "Stable Service '{stable_service}' not found in route"
        )));
    }
    Ok(())
}
