//! Gateway API HTTPRoutes attached to a Gateway, or to a Service in the mesh.
//!
//! A route is attached to a Gateway when one of its `parentRefs` names an existing Gateway (group
//! `gateway.networking.k8s.io`, kind `Gateway`, namespace defaulting to the route's). It serves its
//! `hostnames` (exact, or `*.` wildcards covering any subdomain); without any, the hostnames of the
//! listeners it attaches to, or any host when a listener has none. A `parentRef` of kind `Service`
//! (group `""`, the GAMMA mesh routes Linkerd and Istio read) attaches the route to in-mesh calls to
//! that Service, whatever its `hostnames`.
//!
//! For one host, the matches of all its routes' rules are tried in the precedence the API prescribes:
//! `Exact` paths, then `RegularExpression` paths (implementation-specific; Istio's order), then
//! `PathPrefix` paths by length, then matches with a method, with more headers, with more query
//! parameters; then the oldest route, the route first by `namespace/name`, and the first rule and match
//! in list order. A rule without matches matches `PathPrefix /`. Header names compare without case;
//! header and path expressions must match the whole value. Query parameters are not part of a
//! [`Request`], so a match that tests them never holds; the method is read from `:method` (`GET` when
//! absent).
//!
//! The matching rule's `backendRefs` are chosen by weight (default 1; 0 never chosen). A rule with no
//! backend, or whose backends all weigh 0, answers 503 (the API asks for an error status); a backend
//! that is not a Service answers 503 for its share.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::land;
use super::matching::{HostMap, StringMatch, Weighted, full_match, method, path_has_prefix};
use super::objects::{list, meta, oldest_first, service_hosts, text};
use super::services::{PortRef, Services, Target};
use crate::dataplane::{Draw, Outcome, Request, Via};

const GROUP: &str = "gateway.networking.k8s.io";

/// The compiled HTTPRoutes, by host.
#[derive(Default, Clone)]
pub(super) struct GatewayRoutes {
    /// Attached to Gateways, by the hosts they serve.
    hosts: HostMap<Vec<RouteMatch>>,
    /// Attached to Services (the GAMMA mesh routes), by every in-mesh name of the Service.
    mesh: HashMap<String, Vec<RouteMatch>>,
}

/// One rule's backends.
struct Rule {
    namespace: String,
    route: String,
    backends: Weighted<Target>,
    /// Why the rule cannot answer, when it has no backend to choose.
    broken: Option<String>,
}

#[derive(Clone)]
enum PathMatch {
    Exact(String),
    Prefix(String),
    Regex(Regex),
}

/// One match of one rule, with what orders it.
#[derive(Clone)]
struct RouteMatch {
    path: PathMatch,
    headers: Vec<(String, StringMatch)>,
    method: Option<String>,
    /// Query parameter matches: never hold, as requests carry no query here.
    queries: usize,
    /// The route's creation time and `namespace/name`, then the rule and match indexes.
    order: (String, String, usize, usize),
    rule: Arc<Rule>,
}

impl RouteMatch {
    /// The precedence key: smaller first.
    fn rank(
        &self,
    ) -> (
        u8,
        std::cmp::Reverse<usize>,
        bool,
        std::cmp::Reverse<usize>,
        std::cmp::Reverse<usize>,
    ) {
        let (kind, len) = match &self.path {
            PathMatch::Exact(p) => (0, p.len()),
            PathMatch::Regex(r) => (1, r.as_str().len()),
            PathMatch::Prefix(p) => (2, p.len()),
        };
        (
            kind,
            std::cmp::Reverse(len),
            self.method.is_none(),
            std::cmp::Reverse(self.headers.len()),
            std::cmp::Reverse(self.queries),
        )
    }

    fn holds(&self, request: &Request<'_>) -> bool {
        let path = match &self.path {
            PathMatch::Exact(p) => request.path == p,
            PathMatch::Prefix(p) => path_has_prefix(request.path, p),
            PathMatch::Regex(r) => r.is_match(request.path),
        };
        path && self.queries == 0
            && self.method.as_deref().is_none_or(|m| m == method(request))
            && self
                .headers
                .iter()
                .all(|(name, test)| request.header(name).is_some_and(|v| test.matches(v)))
    }
}

impl GatewayRoutes {
    /// Compiles the HTTPRoutes attached to existing Gateways; matches that make no sense are skipped.
    pub(super) fn build(services: &Services, gateways: &[Arc<Value>], http_routes: &[Arc<Value>]) -> GatewayRoutes {
        let gateways: Vec<(String, String, &Value)> = gateways
            .iter()
            .filter_map(|g| {
                let m = meta(g)?;
                Some((m.namespace.to_string(), m.name.to_string(), g.as_ref()))
            })
            .collect();
        let mut routes = GatewayRoutes::default();
        for (m, route) in oldest_first(http_routes) {
            let Some(spec) = route.get("spec") else { continue };
            let hostnames = hostnames(spec, m.namespace, &gateways).unwrap_or_default();
            let mesh_hosts = mesh_hosts(spec, m.namespace);
            if hostnames.is_empty() && mesh_hosts.is_empty() {
                continue;
            }
            let full_name = format!("{}/{}", m.namespace, m.name);
            for (r, rule) in list(spec, "rules").iter().enumerate() {
                let rule_backends = compile_rule(services, m.namespace, m.name, rule);
                let matches = list(rule, "matches");
                let default_match = [Value::Object(serde_json::Map::new())];
                let matches = if matches.is_empty() {
                    &default_match[..]
                } else {
                    matches
                };
                for (i, found) in matches.iter().enumerate() {
                    let Some((path, headers, method, queries)) = compile_match(found) else {
                        continue;
                    };
                    let compiled = RouteMatch {
                        path,
                        headers,
                        method,
                        queries,
                        order: (m.created.to_string(), full_name.clone(), r, i),
                        rule: Arc::clone(&rule_backends),
                    };
                    for host in &hostnames {
                        routes.hosts.entry(host).push(compiled.clone());
                    }
                    for host in &mesh_hosts {
                        routes.mesh.entry(host.clone()).or_default().push(compiled.clone());
                    }
                }
            }
        }
        for matches in routes.hosts.values_mut().chain(routes.mesh.values_mut()) {
            matches.sort_by(|a, b| a.rank().cmp(&b.rank()).then_with(|| a.order.cmp(&b.order)));
        }
        routes.hosts.finish();
        routes
    }

    /// The answer for a host a route names (exactly or by wildcard); `None` when none does.
    pub(super) fn specific(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let matches = self.hosts.specific(request.host)?;
        Some(serve(matches, request, draw).unwrap_or_else(|| {
            Outcome::NotFound(format!(
                "no HTTPRoute rule matches {} on host {}",
                request.path, request.host
            ))
        }))
    }

    /// The answer of the routes for any host, when one of their rules matches.
    pub(super) fn any(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        serve(self.hosts.any()?, request, draw)
    }

    /// The answer for an in-mesh call to a Service a route is attached to (GAMMA).
    pub(super) fn mesh(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let matches = self.mesh.get(request.host)?;
        Some(serve(matches, request, draw).unwrap_or_else(|| {
            Outcome::NotFound(format!(
                "no HTTPRoute rule matches {} for service host {}",
                request.path, request.host
            ))
        }))
    }
}

/// Every in-mesh name of the Services the route is attached to (`parentRefs` of kind `Service`).
fn mesh_hosts(spec: &Value, namespace: &str) -> Vec<String> {
    let mut hosts: Vec<String> = list(spec, "parentRefs")
        .iter()
        .filter(|p| matches!(text(p, "group"), Some("" | "core")) && text(p, "kind") == Some("Service"))
        .filter_map(|p| {
            Some(service_hosts(
                text(p, "namespace").unwrap_or(namespace),
                text(p, "name")?,
            ))
        })
        .flatten()
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

fn serve(matches: &[RouteMatch], request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
    let rule = &matches.iter().find(|m| m.holds(request))?.rule;
    if let Some(why) = &rule.broken {
        return Some(Outcome::Unavailable(why.clone()));
    }
    let target = rule.backends.pick(draw)?;
    let via = Via::Gateway {
        namespace: rule.namespace.clone(),
        route: rule.route.clone(),
    };
    Some(land(target, via, Vec::new(), draw))
}

/// The hosts an attached route serves (lowercase; empty for any); `None` when it is not attached.
fn hostnames(spec: &Value, namespace: &str, gateways: &[(String, String, &Value)]) -> Option<Vec<String>> {
    let mut listener_hosts = Vec::new();
    let mut attached = false;
    for parent in list(spec, "parentRefs") {
        if text(parent, "group").unwrap_or(GROUP) != GROUP || text(parent, "kind").unwrap_or("Gateway") != "Gateway" {
            continue;
        }
        let Some(name) = text(parent, "name") else { continue };
        let ns = text(parent, "namespace").unwrap_or(namespace);
        let Some((_, _, gateway)) = gateways.iter().find(|(n, g, _)| n == ns && g == name) else {
            continue;
        };
        attached = true;
        let section = text(parent, "sectionName");
        let listeners = gateway.get("spec").map(|s| list(s, "listeners")).unwrap_or_default();
        let mut any_listener = listeners.is_empty();
        for listener in listeners {
            if section.is_some_and(|s| text(listener, "name") != Some(s)) {
                continue;
            }
            any_listener = true;
            listener_hosts.push(text(listener, "hostname").unwrap_or_default().to_ascii_lowercase());
        }
        if !any_listener {
            listener_hosts.push(String::new());
        }
    }
    if !attached {
        return None;
    }
    let own: Vec<String> = list(spec, "hostnames")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_ascii_lowercase)
        .collect();
    let hosts = if own.is_empty() { listener_hosts } else { own };
    // A route listed twice under one host would only repeat its matches.
    let unique: HashSet<String> = hosts.into_iter().collect();
    let mut hosts: Vec<String> = unique.into_iter().collect();
    hosts.sort();
    Some(hosts)
}

/// A rule's backends by weight, resolved.
fn compile_rule(services: &Services, namespace: &str, route: &str, rule: &Value) -> Arc<Rule> {
    let refs = list(rule, "backendRefs");
    let backends = Weighted::new(refs.iter().filter_map(|b| {
        let weight = b.get("weight").map_or(Some(1), Value::as_i64)?.max(0) as u64;
        let name = text(b, "name")?;
        let ns = text(b, "namespace").unwrap_or(namespace);
        let core = text(b, "group").unwrap_or("").is_empty() && text(b, "kind").unwrap_or("Service") == "Service";
        let port = b
            .get("port")
            .and_then(Value::as_i64)
            .map_or(PortRef::Unnamed, PortRef::Number);
        let mut target = services.target(ns, name, port, None);
        if !core {
            target.pods = Arc::from(Vec::new());
            target.unavailable =
                format!("backend {ns}/{name} of HTTPRoute {namespace}/{route} is not a Service").into();
        }
        Some((weight, target))
    }));
    let broken = if refs.is_empty() {
        Some(format!("HTTPRoute {namespace}/{route} rule has no backends"))
    } else if backends.pick(&mut NoDraw).is_none() {
        Some(format!(
            "HTTPRoute {namespace}/{route} rule has only backends of weight 0"
        ))
    } else {
        None
    };
    Arc::new(Rule {
        namespace: namespace.to_string(),
        route: route.to_string(),
        backends,
        broken,
    })
}

/// A draw for checking that a choice exists: always the first value.
struct NoDraw;

impl Draw for NoDraw {
    fn below(&mut self, _bound: u64) -> u64 {
        0
    }
}

type CompiledMatch = (PathMatch, Vec<(String, StringMatch)>, Option<String>, usize);

/// One `matches` entry; `None` when a value or expression makes no sense.
fn compile_match(found: &Value) -> Option<CompiledMatch> {
    let path = match found.get("path") {
        None => PathMatch::Prefix("/".to_string()),
        Some(p) => {
            let value = text(p, "value").unwrap_or("/");
            match text(p, "type").unwrap_or("PathPrefix") {
                "Exact" => PathMatch::Exact(value.to_string()),
                "PathPrefix" => PathMatch::Prefix(value.to_string()),
                "RegularExpression" => PathMatch::Regex(full_match(value)?),
                _ => return None,
            }
        }
    };
    let mut headers: Vec<(String, StringMatch)> = Vec::new();
    for h in list(found, "headers") {
        let name = text(h, "name")?.to_ascii_lowercase();
        let value = text(h, "value")?;
        let test = match text(h, "type").unwrap_or("Exact") {
            "Exact" => StringMatch::Exact(value.to_string()),
            "RegularExpression" => StringMatch::Regex(full_match(value)?),
            _ => return None,
        };
        // The first test of a header name counts; later ones are ignored, as the API says.
        if !headers.iter().any(|(n, _)| *n == name) {
            headers.push((name, test));
        }
    }
    let method = text(found, "method").map(str::to_string);
    let queries = list(found, "queryParams").len();
    Some((path, headers, method, queries))
}
