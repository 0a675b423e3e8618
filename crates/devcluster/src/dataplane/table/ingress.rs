//! Ingresses (networking.k8s.io/v1) as ingress-nginx serves them, canary annotations included.
//!
//! - Hosts: a rule's `host` exactly, or a `*.` wildcard covering any subdomain (nginx's `server_name`
//!   reading); a rule without host serves any host no other route claims.
//! - Paths: `Exact`, `Prefix` (element by element) and `ImplementationSpecific` (read as `Prefix`); the
//!   longest path wins, `Exact` before `Prefix` at equal length. When two Ingresses define the same host
//!   and path, the oldest wins. A host with no matching path falls back to the `defaultBackend` of an
//!   Ingress with rules for it, else 404; an Ingress's `defaultBackend` also serves the hosts nothing
//!   else routes.
//! - Canaries: an Ingress annotated `nginx.ingress.kubernetes.io/canary: "true"` adds its backends to
//!   the primary Ingress's location of the same host and path (a canary without a primary is ignored).
//!   For each request, as ingress-nginx's balancer decides: first `canary-by-header` (with
//!   `canary-by-header-value`, only that value takes the canary; else with `canary-by-header-pattern`,
//!   only values the expression finds a match in; else `always` takes it and `never` keeps the request
//!   off that canary), then `canary-by-cookie` (`always`/`never`), then `canary-weight` out of
//!   `canary-weight-total` (taken as 100 unless larger). A canary Service without Ready pods is passed
//!   over; a primary Service without Ready pods answers 503 whatever the canaries.

use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::land;
use super::matching::{HostMap, parse_int, path_has_prefix};
use super::objects::{list, oldest_first, text};
use super::services::{PortRef, Services, Target};
use crate::dataplane::{Draw, Outcome, Request, Via};

/// The annotation prefix of ingress-nginx.
const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// The compiled Ingresses.
#[derive(Default, Clone)]
pub(super) struct IngressRoutes {
    servers: HostMap<Server>,
    /// The oldest `defaultBackend`: ingress-nginx's default server answers with it.
    default_backend: Option<Arc<Primary>>,
}

/// What one host serves.
#[derive(Default, Clone)]
struct Server {
    /// Longest path first.
    locations: Vec<Location>,
    /// The `defaultBackend` of the oldest Ingress with a rule for this host.
    default: Option<Arc<Primary>>,
}

/// A primary Ingress backend.
#[derive(Clone)]
struct Primary {
    namespace: String,
    ingress: String,
    target: Target,
}

#[derive(Clone)]
struct Location {
    path: String,
    exact: bool,
    primary: Arc<Primary>,
    canaries: Vec<Canary>,
}

/// A canary Ingress's backend and its traffic policy.
#[derive(Clone)]
struct Canary {
    target: Target,
    /// ingress-nginx's upstream name, `<namespace>-<service>-<port>`.
    upstream: String,
    header: Option<String>,
    header_value: Option<String>,
    /// `Some(None)` when the expression does not compile: the canary is then passed over.
    header_pattern: Option<Option<Regex>>,
    cookie: Option<String>,
    weight: u64,
    total: u64,
}

/// One path of a rule: (path, exact, backend).
type PathRule<'a> = (&'a str, bool, &'a Value);

impl IngressRoutes {
    /// Compiles the Ingresses; rules and paths that make no sense are skipped.
    pub(super) fn build(services: &Services, ingresses: &[Arc<Value>]) -> IngressRoutes {
        // Ingresses of class `alb` are the AWS Load Balancer Controller's (`alb.rs`).
        let ordered: Vec<_> = oldest_first(ingresses)
            .into_iter()
            .filter(|(_, i)| !super::alb::is_alb(i))
            .collect();
        let mut routes = IngressRoutes::default();
        let (canaries, primaries): (Vec<_>, Vec<_>) = ordered.into_iter().partition(|(_, i)| is_canary(i));
        for (m, ingress) in primaries {
            let primary = |backend: &Value| {
                Some(Arc::new(Primary {
                    namespace: m.namespace.to_string(),
                    ingress: m.name.to_string(),
                    target: backend_target(services, m.namespace, backend)?.0,
                }))
            };
            let default = ingress.pointer("/spec/defaultBackend").and_then(primary);
            if routes.default_backend.is_none() {
                routes.default_backend.clone_from(&default);
            }
            for (host, paths) in rules(ingress) {
                let server = routes.servers.entry(&host);
                if server.default.is_none() {
                    server.default.clone_from(&default);
                }
                for (path, exact, backend) in paths {
                    if server.locations.iter().any(|l| l.path == path && l.exact == exact) {
                        continue;
                    }
                    let Some(primary) = primary(backend) else { continue };
                    server.locations.push(Location {
                        path: path.to_string(),
                        exact,
                        primary,
                        canaries: Vec::new(),
                    });
                }
            }
        }
        for (m, ingress) in canaries {
            for (host, paths) in rules(ingress) {
                let Some(server) = routes.servers.get_mut(&host) else {
                    continue;
                };
                for (path, _, backend) in paths {
                    let Some(location) = server.locations.iter_mut().find(|l| l.path == path) else {
                        continue;
                    };
                    let Some((target, port)) = backend_target(services, m.namespace, backend) else {
                        continue;
                    };
                    let upstream = format!("{}-{}-{port}", m.namespace, target.service.name);
                    location.canaries.push(canary_policy(ingress, target, upstream));
                }
            }
        }
        for server in routes.servers.values_mut() {
            server
                .locations
                .sort_by(|a, b| b.path.len().cmp(&a.path.len()).then(b.exact.cmp(&a.exact)));
        }
        routes.servers.finish();
        routes
    }

    /// The answer for a host an Ingress rule names (exactly or by wildcard); `None` when none does.
    pub(super) fn specific(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let server = self.servers.specific(request.host)?;
        Some(server.serve(request, draw).unwrap_or_else(|| match &server.default {
            Some(default) => default.serve(draw),
            None => Outcome::NotFound(format!(
                "no ingress path matches {} on host {}",
                request.path, request.host
            )),
        }))
    }

    /// The answer of the rules without host, when one of their paths matches.
    pub(super) fn any(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        self.servers.any()?.serve(request, draw)
    }

    /// The answer of the default backend, when an Ingress has one.
    pub(super) fn default_backend(&self, draw: &mut dyn Draw) -> Option<Outcome> {
        Some(self.default_backend.as_ref()?.serve(draw))
    }
}

impl Server {
    /// The answer of the location matching the path; `None` when none does.
    fn serve(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let path = request.path;
        let location = self.locations.iter().find(|l| {
            if l.exact {
                path == l.path
            } else {
                path_has_prefix(path, &l.path)
            }
        })?;
        let primary = &location.primary;
        if primary.target.pods.is_empty() {
            return Some(Outcome::Unavailable(primary.target.unavailable.to_string()));
        }
        let (target, canary) = match choose_canary(&location.canaries, request, draw) {
            Some(c) => (&c.target, Some(c.upstream.clone())),
            None => (&primary.target, None),
        };
        Some(land(target, primary.via(canary), Vec::new(), draw))
    }
}

impl Primary {
    fn via(&self, canary: Option<String>) -> Via {
        Via::Ingress {
            namespace: self.namespace.clone(),
            ingress: self.ingress.clone(),
            canary,
        }
    }

    fn serve(&self, draw: &mut dyn Draw) -> Outcome {
        land(&self.target, self.via(None), Vec::new(), draw)
    }
}

/// The canary that takes the request, if any: header rules, then cookies, then weights. A canary
/// closed by `never` (or a broken pattern) takes no part in the later phases.
fn choose_canary<'c>(canaries: &'c [Canary], request: &Request<'_>, draw: &mut dyn Draw) -> Option<&'c Canary> {
    // One bit per canary; a location has a handful at most, any beyond 64 are simply never closed.
    let bit = |i: usize| if i < 64 { 1u64 << i } else { 0 };
    let mut closed = 0u64;
    let open = |closed: u64| {
        canaries
            .iter()
            .enumerate()
            .filter(move |(i, c)| !c.target.pods.is_empty() && closed & bit(*i) == 0)
    };
    let mut closing = 0u64;
    for (i, canary) in open(closed) {
        let Some(value) = canary.header.as_deref().and_then(|h| request.header(h)) else {
            continue;
        };
        if let Some(wanted) = canary.header_value.as_deref() {
            if value == wanted {
                return Some(canary);
            }
        } else if let Some(pattern) = &canary.header_pattern {
            match pattern {
                Some(re) if re.is_match(value) => return Some(canary),
                Some(_) => {}
                None => closing |= bit(i),
            }
        } else if value == "always" {
            return Some(canary);
        } else if value == "never" {
            closing |= bit(i);
        }
    }
    closed |= closing;
    for (i, canary) in open(closed) {
        match canary.cookie.as_deref().and_then(|name| cookie(request, name)) {
            Some("always") => return Some(canary),
            Some("never") => closing |= bit(i),
            _ => {}
        }
    }
    closed |= closing;
    open(closed)
        .map(|(_, c)| c)
        .find(|c| c.weight > 0 && draw.below(c.total) < c.weight)
}

/// The value of cookie `name` in the request's `Cookie` header.
pub(super) fn cookie<'r>(request: &Request<'r>, name: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .filter(|(n, _)| n == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// Whether an Ingress is a canary: the `canary` annotation reads true as Go's `ParseBool` does.
fn is_canary(ingress: &Value) -> bool {
    matches!(
        annotation(ingress, "canary"),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True")
    )
}

fn annotation<'a>(ingress: &'a Value, key: &str) -> Option<&'a str> {
    ingress
        .pointer("/metadata/annotations")?
        .as_object()?
        .get(&format!("{PREFIX}{key}"))?
        .as_str()
}

/// The canary annotations of `ingress`, for its backend `target`.
fn canary_policy(ingress: &Value, target: Target, upstream: String) -> Canary {
    let set = |key: &str| annotation(ingress, key).filter(|v| !v.is_empty()).map(str::to_string);
    let number = |key: &str| annotation(ingress, key).and_then(parse_int).map(|n| n.max(0) as u64);
    Canary {
        target,
        upstream,
        header: set("canary-by-header").map(|h| h.to_ascii_lowercase()),
        header_value: set("canary-by-header-value"),
        header_pattern: set("canary-by-header-pattern").map(|p| Regex::new(&p).ok()),
        cookie: set("canary-by-cookie"),
        weight: number("canary-weight").unwrap_or(0),
        total: number("canary-weight-total").unwrap_or(100).max(100),
    }
}

/// The rules of an Ingress: each host (lowercase, empty for any) with its usable paths.
fn rules(ingress: &Value) -> Vec<(String, Vec<PathRule<'_>>)> {
    let rules = ingress.get("spec").map(|s| list(s, "rules")).unwrap_or_default();
    rules
        .iter()
        .map(|rule| {
            let host = text(rule, "host").unwrap_or_default().to_ascii_lowercase();
            let paths = rule.get("http").map(|h| list(h, "paths")).unwrap_or_default();
            let paths = paths
                .iter()
                .filter_map(|p| {
                    let path = text(p, "path").filter(|p| !p.is_empty()).unwrap_or("/");
                    let exact = text(p, "pathType") == Some("Exact");
                    Some((path, exact, p.get("backend")?))
                })
                .collect();
            (host, paths)
        })
        .collect()
}

/// The target of an Ingress backend (`{service: {name, port}}`) with the port as written (number or
/// name); `None` for a resource backend or one without a Service name.
fn backend_target(services: &Services, namespace: &str, backend: &Value) -> Option<(Target, String)> {
    let service = backend.get("service")?;
    let name = text(service, "name").filter(|n| !n.is_empty())?;
    let port = PortRef::of(service.get("port"));
    let written = match port {
        PortRef::Number(n) => n.to_string(),
        PortRef::Name(n) => n.to_string(),
        PortRef::Unnamed => "0".to_string(),
    };
    Some((services.target(namespace, name, port, None), written))
}
