//! Istio VirtualServices and DestinationRules.
//!
//! A VirtualService is served at the ingress gateway when `spec.gateways` names a gateway other than
//! `mesh`, for the `hosts` it lists (exact, `*.` wildcards, `*`); it is served in the mesh when
//! `spec.gateways` is empty or holds `mesh`, for the Services its hosts name (`<svc>` taken in its own
//! namespace, `<svc>.<ns>`, `<svc>.<ns>.svc.cluster.local`). When two claim one host, the oldest wins.
//!
//! Its `http` routes are tried in order; the first whose `match` list has an entry that holds (or that
//! has no list) answers. An entry holds when all its conditions do: `uri`, `headers`, `withoutHeaders`,
//! `method` (read from `:method`, `GET` when absent), `authority` (the host), `scheme` (`http`), and
//! `gateways` (the side the request came in on); `exact`, `prefix` or `regex` (the whole value), an
//! empty header test meaning the header is present. Conditions on what requests here do not carry
//! (query parameters, source labels or namespace) never hold. Routes without `route` destinations
//! (redirects, direct responses) are passed over.
//!
//! Destinations are chosen by weight (a single destination without weight takes everything; 0 is
//! never chosen); a `subset` adds the labels the DestinationRule for that host gives it (the rule in
//! the VirtualService's namespace first) to the Service's selector. `mirror` with `mirrorPercentage`
//! (default 100%, also the older `mirrorPercent` and the newer `mirrors` list) copies that share of the
//! requests to one pod of the mirror destination.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::matching::{HostMap, StringMatch, Weighted, full_match, method};
use super::objects::{list, oldest_first, service_hosts, service_of_host, text};
use super::services::{PortRef, Services, Target};
use super::{land, pick_pod};
use crate::dataplane::{Backend, Draw, Outcome, Request, Via};

/// The mesh gateway's name in `spec.gateways`.
const MESH: &str = "mesh";

/// Parts per million of a mirror percentage.
const MILLION: u64 = 1_000_000;

/// The compiled VirtualServices.
#[derive(Default, Clone)]
pub(super) struct IstioRoutes {
    /// Bound to a gateway, by host.
    gateway: HostMap<Option<Arc<VirtualService>>>,
    /// In the mesh, by every name of the Service (or the literal host).
    mesh: HashMap<String, Arc<VirtualService>>,
}

/// Which side a request came in on, for matches restricted by `gateways`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Gateway,
    Mesh,
}

struct VirtualService {
    namespace: String,
    name: String,
    http: Vec<HttpRoute>,
}

struct HttpRoute {
    /// Empty: matches everything.
    matches: Vec<Condition>,
    destinations: Weighted<Destination>,
    mirrors: Vec<Mirror>,
    /// Whether it has destinations, all of weight 0.
    all_zero: bool,
}

struct Destination {
    target: Target,
    subset: Option<String>,
}

struct Mirror {
    target: Target,
    per_million: u64,
}

/// One `match` entry.
#[derive(Default)]
struct Condition {
    uri: Option<StringMatch>,
    ignore_uri_case: bool,
    headers: Vec<(String, StringMatch)>,
    without_headers: Vec<(String, StringMatch)>,
    method: Option<StringMatch>,
    authority: Option<StringMatch>,
    scheme: Option<StringMatch>,
    gateways: Vec<String>,
    never: bool,
}

impl Condition {
    fn holds(&self, request: &Request<'_>, side: Side) -> bool {
        if self.never {
            return false;
        }
        let on_side = self.gateways.is_empty() || self.gateways.iter().any(|g| (g == MESH) == (side == Side::Mesh));
        let uri = self.uri.as_ref().is_none_or(|test| {
            if self.ignore_uri_case {
                test.matches(&request.path.to_ascii_lowercase())
            } else {
                test.matches(request.path)
            }
        });
        on_side
            && uri
            && self
                .headers
                .iter()
                .all(|(name, test)| request.header(name).is_some_and(|v| test.matches(v)))
            && !self
                .without_headers
                .iter()
                .any(|(name, test)| request.header(name).is_some_and(|v| test.matches(v)))
            && self.method.as_ref().is_none_or(|t| t.matches(method(request)))
            && self.authority.as_ref().is_none_or(|t| t.matches(request.host))
            && self.scheme.as_ref().is_none_or(|t| t.matches("http"))
    }
}

impl IstioRoutes {
    /// Compiles the VirtualServices, with the DestinationRules' subsets.
    pub(super) fn build(
        services: &Services,
        virtual_services: &[Arc<Value>],
        destination_rules: &[Arc<Value>],
    ) -> IstioRoutes {
        let subsets = Subsets::build(destination_rules);
        let mut routes = IstioRoutes::default();
        for (m, vs) in oldest_first(virtual_services) {
            let Some(spec) = vs.get("spec") else { continue };
            let compiled = Arc::new(VirtualService {
                namespace: m.namespace.to_string(),
                name: m.name.to_string(),
                http: list(spec, "http")
                    .iter()
                    .filter_map(|h| compile_http(services, &subsets, m.namespace, h))
                    .collect(),
            });
            let gateways: Vec<&str> = list(spec, "gateways").iter().filter_map(Value::as_str).collect();
            let at_gateway = gateways.iter().any(|g| *g != MESH);
            let in_mesh = gateways.is_empty() || gateways.contains(&MESH);
            for host in list(spec, "hosts").iter().filter_map(Value::as_str) {
                let host = host.to_ascii_lowercase();
                if at_gateway {
                    routes.gateway.entry(&host).get_or_insert_with(|| Arc::clone(&compiled));
                }
                if in_mesh && !host.starts_with('*') {
                    let names = match service_of_host(&host, m.namespace) {
                        Some((ns, name)) => service_hosts(ns, name),
                        None => vec![host.clone()],
                    };
                    for name in names {
                        routes.mesh.entry(name).or_insert_with(|| Arc::clone(&compiled));
                    }
                }
            }
        }
        routes.gateway.finish();
        routes
    }

    /// The answer for a host a gateway-bound VirtualService names (exactly or by wildcard).
    pub(super) fn specific(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let vs = self.gateway.specific(request.host)?.as_ref()?;
        Some(
            vs.serve(request, Side::Gateway, draw)
                .unwrap_or_else(|| vs.no_route(request)),
        )
    }

    /// The answer of a gateway-bound VirtualService for any host (`*`), when one of its routes matches.
    pub(super) fn any(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        self.gateway.any()?.as_ref()?.serve(request, Side::Gateway, draw)
    }

    /// The answer for an in-mesh call to a host a VirtualService names.
    pub(super) fn mesh(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let vs = self.mesh.get(request.host)?;
        Some(
            vs.serve(request, Side::Mesh, draw)
                .unwrap_or_else(|| vs.no_route(request)),
        )
    }
}

impl VirtualService {
    fn serve(&self, request: &Request<'_>, side: Side, draw: &mut dyn Draw) -> Option<Outcome> {
        let http = self
            .http
            .iter()
            .find(|h| h.matches.is_empty() || h.matches.iter().any(|c| c.holds(request, side)))?;
        let Some(destination) = http.destinations.pick(draw) else {
            let why = if http.all_zero {
                "only destinations of weight 0"
            } else {
                "no destination"
            };
            return Some(Outcome::Unavailable(format!(
                "VirtualService {}/{} route has {why}",
                self.namespace, self.name
            )));
        };
        let mirrors: Vec<Arc<Backend>> = http.mirrors.iter().filter_map(|m| m.copy(draw)).collect();
        let via = Via::Istio {
            namespace: self.namespace.clone(),
            virtual_service: self.name.clone(),
            subset: destination.subset.clone(),
        };
        Some(land(&destination.target, via, mirrors, draw))
    }

    fn no_route(&self, request: &Request<'_>) -> Outcome {
        Outcome::NotFound(format!(
            "no http route of VirtualService {}/{} matches {} on host {}",
            self.namespace, self.name, request.path, request.host
        ))
    }
}

impl Mirror {
    /// The pod that gets a copy of this request, if the share says so and one is Ready.
    fn copy(&self, draw: &mut dyn Draw) -> Option<Arc<Backend>> {
        if self.per_million == 0 || (self.per_million < MILLION && draw.below(MILLION) >= self.per_million) {
            return None;
        }
        pick_pod(&self.target, draw)
    }
}

/// One `http` route; `None` for one without destinations to route to.
fn compile_http(services: &Services, subsets: &Subsets, namespace: &str, http: &Value) -> Option<HttpRoute> {
    let route = list(http, "route");
    if route.is_empty() {
        return None;
    }
    let single = route.len() == 1;
    let resolve = |destination: &Value| -> Option<(Target, Option<String>)> {
        let host = text(destination, "host")?;
        let subset = text(destination, "subset").filter(|s| !s.is_empty());
        let port = PortRef::of(destination.get("port"));
        Some(target(services, subsets, namespace, host, subset, port))
    };
    let mut weights = Vec::new();
    let destinations = Weighted::new(route.iter().filter_map(|r| {
        let weight = match r.get("weight").and_then(Value::as_i64) {
            None if single => 100,
            w => w.unwrap_or(0).max(0) as u64,
        };
        weights.push(weight);
        let (target, subset) = resolve(r.get("destination")?)?;
        Some((weight, Destination { target, subset }))
    }));
    let mut mirrors = Vec::new();
    if let Some(mirror) = http.get("mirror") {
        let percent = http
            .pointer("/mirrorPercentage/value")
            .and_then(Value::as_f64)
            .or_else(|| http.get("mirrorPercent").and_then(Value::as_f64))
            .unwrap_or(100.0);
        mirrors.extend(resolve(mirror).map(|(target, _)| Mirror {
            target,
            per_million: per_million(percent),
        }));
    }
    for mirror in list(http, "mirrors") {
        let percent = mirror
            .pointer("/percentage/value")
            .and_then(Value::as_f64)
            .unwrap_or(100.0);
        let Some((target, _)) = mirror.get("destination").and_then(resolve) else {
            continue;
        };
        mirrors.push(Mirror {
            target,
            per_million: per_million(percent),
        });
    }
    Some(HttpRoute {
        matches: list(http, "match").iter().map(compile_condition).collect(),
        destinations,
        mirrors,
        all_zero: !weights.is_empty() && weights.iter().all(|w| *w == 0),
    })
}

fn per_million(percent: f64) -> u64 {
    if percent.is_finite() {
        (percent.clamp(0.0, 100.0) * 10_000.0).round() as u64
    } else {
        0
    }
}

/// A destination host (a Service's name in any of its forms, short names taken in `namespace`) with
/// its subset, resolved. Hosts outside the cluster's Services answer 503.
fn target(
    services: &Services,
    subsets: &Subsets,
    namespace: &str,
    host: &str,
    subset: Option<&str>,
    port: PortRef<'_>,
) -> (Target, Option<String>) {
    let Some((ns, name)) = service_of_host(host, namespace) else {
        let mut missing = services.target(namespace, host, port, None);
        missing.unavailable = format!("destination host {host} is not a Service of the cluster").into();
        return (missing, subset.map(str::to_string));
    };
    let Some(subset) = subset else {
        return (services.target(ns, name, port, None), None);
    };
    match subsets.labels(ns, name, namespace, subset) {
        Some(labels) => (
            services.target(ns, name, port, Some((subset, labels))),
            Some(subset.to_string()),
        ),
        None => {
            let mut missing = services.target(ns, name, port, None);
            missing.pods = Arc::from(Vec::new());
            missing.split = None;
            missing.unavailable = format!("no DestinationRule defines subset {subset} of service {ns}/{name}").into();
            (missing, Some(subset.to_string()))
        }
    }
}

/// One `match` entry; an entry that cannot be read never holds.
fn compile_condition(entry: &Value) -> Condition {
    let mut condition = Condition::default();
    let mut broken = false;
    let mut string = |v: Option<&Value>, lower: bool| -> Option<StringMatch> {
        let v = v?;
        let text_of = |k: &str| text(v, k).map(|s| if lower { s.to_ascii_lowercase() } else { s.to_string() });
        if let Some(s) = text_of("exact") {
            Some(StringMatch::Exact(s))
        } else if let Some(s) = text_of("prefix") {
            Some(StringMatch::Prefix(s))
        } else if let Some(s) = text(v, "regex") {
            let compiled = full_match(s);
            broken |= compiled.is_none();
            compiled.map(StringMatch::Regex)
        } else {
            // `{}`: the value may be anything, as long as it is there.
            Some(StringMatch::Prefix(String::new()))
        }
    };
    let ignore_case = entry.get("ignoreUriCase").and_then(Value::as_bool).unwrap_or(false);
    condition.ignore_uri_case = ignore_case;
    condition.uri = string(entry.get("uri"), ignore_case);
    condition.method = string(entry.get("method"), false);
    condition.authority = string(entry.get("authority"), false);
    condition.scheme = string(entry.get("scheme"), false);
    for (key, into_without) in [("headers", false), ("withoutHeaders", true)] {
        let tests: Vec<(String, StringMatch)> = entry
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(name, test)| Some((name.to_ascii_lowercase(), string(Some(test), false)?)))
            .collect();
        if into_without {
            condition.without_headers = tests;
        } else {
            condition.headers = tests;
        }
    }
    condition.gateways = list(entry, "gateways")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let unknowable = ["queryParams", "sourceLabels", "sourceNamespace"]
        .iter()
        .any(|k| entry.get(*k).is_some_and(is_set));
    condition.never = broken || unknowable;
    condition
}

/// One DestinationRule's subsets: its namespace, and each subset's labels by name.
type RuleSubsets = (String, HashMap<String, Map<String, Value>>);

/// The DestinationRules' subsets, by the Service their host names.
struct Subsets {
    /// (namespace, Service) → the rules for it, oldest first.
    by_service: HashMap<(String, String), Vec<RuleSubsets>>,
}

impl Subsets {
    fn build(destination_rules: &[Arc<Value>]) -> Subsets {
        let mut by_service: HashMap<_, Vec<_>> = HashMap::new();
        for (m, rule) in oldest_first(destination_rules) {
            let Some(host) = rule.pointer("/spec/host").and_then(Value::as_str) else {
                continue;
            };
            let Some((ns, name)) = service_of_host(host, m.namespace) else {
                continue;
            };
            let subsets = rule
                .get("spec")
                .map(|s| list(s, "subsets"))
                .unwrap_or_default()
                .iter()
                .filter_map(|s| {
                    let labels = s.get("labels").and_then(Value::as_object).cloned().unwrap_or_default();
                    Some((text(s, "name")?.to_string(), labels))
                })
                .collect();
            by_service
                .entry((ns.to_string(), name.to_string()))
                .or_default()
                .push((m.namespace.to_string(), subsets));
        }
        Subsets { by_service }
    }

    /// The labels of `subset` of Service `namespace/name`, from the rule in `client_namespace` if there
    /// is one, else the oldest rule.
    fn labels(&self, namespace: &str, name: &str, client_namespace: &str, subset: &str) -> Option<&Map<String, Value>> {
        let rules = self.by_service.get(&(namespace.to_string(), name.to_string()))?;
        let rule = rules
            .iter()
            .find(|(ns, _)| ns == client_namespace)
            .or_else(|| rules.first())?;
        rule.1.get(subset)
    }
}

/// Whether a field says something: not null, not empty.
fn is_set(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Object(o) => !o.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}
