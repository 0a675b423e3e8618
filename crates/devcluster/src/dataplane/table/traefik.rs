//! Traefik IngressRoutes and TraefikServices (`traefik.io/v1alpha1` and the older
//! `traefik.containo.us/v1alpha1`, read alike).
//!
//! - Every route of every IngressRoute is one Traefik router; the routers are tried by `priority`
//!   (when set above 0, else the length of the rule, as Traefik orders them), highest first, then
//!   oldest first. A route whose rule cannot be read is skipped with the reason (see
//!   `traefik_rule.rs` for the rules understood).
//! - A route whose rule needs a `Host` serves those hosts; the others serve any host.
//! - A route's `services` are balanced by `weight` (1 when absent); one of `kind: TraefikService`
//!   names a TraefikService of the route's namespace (or its `namespace`): `spec.weighted.services`
//!   splits by weight (TraefikServices may nest), `spec.mirroring` sends to its main service.
//!   A name that resolves to nothing, or a cycle, skips the route with the reason.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::land;
use super::matching::{HostMap, Weighted};
use super::objects::{Meta, Skips, list, oldest_first, text};
use super::services::{PortRef, Services, Target};
use super::traefik_rule::{self, Rule};
use crate::dataplane::{Draw, Outcome, Request, Via};

const KIND: &str = "IngressRoute";
/// How deep TraefikServices may nest.
const MAX_NESTING: usize = 16;

/// The compiled IngressRoutes.
#[derive(Default, Clone)]
pub(super) struct TraefikRoutes {
    /// In the order they are tried.
    routers: Vec<Arc<Router>>,
    /// The hosts some router is for.
    hosts: HostMap<()>,
}

struct Router {
    namespace: String,
    route: String,
    rule: Rule,
    /// Whether it serves only the hosts its rule names.
    host_bound: bool,
    service: Node,
}

/// Where a router sends: a Service, or a weighted choice among nodes.
enum Node {
    Service(Target),
    Weighted {
        /// `TraefikService <ns>/<name>` or the route's services, for a reason.
        what: String,
        choices: Weighted<Node>,
    },
}

impl Node {
    /// The Service that answers, drawn through the weighted choices.
    fn pick(&self, draw: &mut dyn Draw) -> Result<&Target, String> {
        let mut node = self;
        loop {
            match node {
                Node::Service(target) => return Ok(target),
                Node::Weighted { what, choices } => {
                    node = choices
                        .pick(draw)
                        .ok_or_else(|| format!("{what} has no service of weight above 0"))?;
                }
            }
        }
    }
}

impl TraefikRoutes {
    /// Compiles the IngressRoutes with the TraefikServices they name.
    pub(super) fn build(
        services: &Services,
        ingress_routes: &[Arc<Value>],
        traefik_services: &[Arc<Value>],
        skips: &mut Skips,
    ) -> TraefikRoutes {
        let mut by_name: HashMap<(&str, &str), &Value> = HashMap::new();
        for (m, ts) in oldest_first(traefik_services) {
            by_name.entry((m.namespace, m.name)).or_insert(ts);
        }
        let resolver = Resolver { services, by_name };
        let mut routers: Vec<(i64, usize, Arc<Router>)> = Vec::new();
        for (m, ingress_route) in oldest_first(ingress_routes) {
            let routes = ingress_route.get("spec").map(|s| list(s, "routes")).unwrap_or_default();
            for (i, route) in routes.iter().enumerate() {
                match compile(&resolver, &m, route) {
                    Ok((priority, router)) => routers.push((priority, routers.len(), Arc::new(router))),
                    Err(why) => skips.add(KIND, &m, format!("route {i}: {why}")),
                }
            }
        }
        routers.sort_by_key(|(priority, order, _)| (std::cmp::Reverse(*priority), *order));
        let mut table = TraefikRoutes::default();
        for (_, _, router) in routers {
            if router.host_bound {
                for host in router.rule.hosts() {
                    table.hosts.entry(host);
                }
            }
            table.routers.push(router);
        }
        table.hosts.finish();
        table
    }

    /// The answer for a host a router is for: the first router whose rule holds, else 404.
    pub(super) fn specific(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        self.hosts.specific(request.host)?;
        Some(match self.routers.iter().find(|r| r.rule.holds(request)) {
            Some(router) => router.serve(draw),
            None => Outcome::NotFound(format!(
                "no Traefik router matches {} on host {}",
                request.path, request.host
            )),
        })
    }

    /// The answer of the first router for any host whose rule holds.
    pub(super) fn any(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let router = self.routers.iter().find(|r| !r.host_bound && r.rule.holds(request))?;
        Some(router.serve(draw))
    }
}

impl Router {
    fn serve(&self, draw: &mut dyn Draw) -> Outcome {
        match self.service.pick(draw) {
            Ok(target) => land(
                target,
                Via::Traefik {
                    namespace: self.namespace.clone(),
                    route: self.route.clone(),
                },
                Vec::new(),
                draw,
            ),
            Err(why) => Outcome::Unavailable(why),
        }
    }
}

/// One route: its priority and router.
fn compile(resolver: &Resolver<'_>, m: &Meta<'_>, route: &Value) -> Result<(i64, Router), String> {
    if text(route, "kind").is_some_and(|k| k != "Rule") {
        return Err("not of kind Rule".into());
    }
    let expression = text(route, "match")
        .filter(|t| !t.trim().is_empty())
        .ok_or("no match rule")?;
    let rule = traefik_rule::parse(expression)?;
    let priority = route
        .get("priority")
        .and_then(Value::as_i64)
        .filter(|p| *p > 0)
        .unwrap_or(expression.len() as i64);
    let refs = list(route, "services");
    if refs.is_empty() {
        return Err("no services".into());
    }
    let service = resolver.balance(m.namespace, refs, format!("IngressRoute {}/{}", m.namespace, m.name), 0)?;
    Ok((
        priority,
        Router {
            namespace: m.namespace.to_string(),
            route: m.name.to_string(),
            host_bound: rule.needs_host(),
            rule,
            service,
        },
    ))
}

struct Resolver<'a> {
    services: &'a Services,
    by_name: HashMap<(&'a str, &'a str), &'a Value>,
}

impl Resolver<'_> {
    /// A weighted choice among service references (a single one is that reference itself).
    fn balance(&self, namespace: &str, refs: &[Value], what: String, depth: usize) -> Result<Node, String> {
        if let [only] = refs {
            return self.reference(namespace, only, depth);
        }
        let mut choices = Vec::new();
        for r in refs {
            let weight = match r.get("weight") {
                None | Some(Value::Null) => 1,
                Some(w) => w.as_i64().ok_or("a weight that is not an integer")?.max(0) as u64,
            };
            choices.push((weight, self.reference(namespace, r, depth)?));
        }
        Ok(Node::Weighted {
            what,
            choices: Weighted::new(choices),
        })
    }

    /// One `{name, namespace, port, kind}` reference.
    fn reference(&self, namespace: &str, r: &Value, depth: usize) -> Result<Node, String> {
        let name = text(r, "name")
            .filter(|n| !n.is_empty())
            .ok_or("a service without name")?;
        let namespace = text(r, "namespace").filter(|n| !n.is_empty()).unwrap_or(namespace);
        match text(r, "kind").unwrap_or("Service") {
            "Service" => {
                let port = match r.get("port") {
                    Some(Value::Number(n)) => n.as_i64().map_or(PortRef::Unnamed, PortRef::Number),
                    Some(Value::String(s)) => s.parse().map_or(PortRef::Name(s), PortRef::Number),
                    _ => PortRef::Unnamed,
                };
                Ok(Node::Service(self.services.target(namespace, name, port, None)))
            }
            "TraefikService" => self.traefik_service(namespace, name, depth + 1),
            other => Err(format!("a service of kind {other}")),
        }
    }

    fn traefik_service(&self, namespace: &str, name: &str, depth: usize) -> Result<Node, String> {
        if depth > MAX_NESTING {
            return Err(format!("TraefikService {namespace}/{name} nests too deeply (a cycle?)"));
        }
        let ts = self
            .by_name
            .get(&(namespace, name))
            .ok_or_else(|| format!("TraefikService {namespace}/{name} not found"))?;
        let what = format!("TraefikService {namespace}/{name}");
        if let Some(weighted) = ts.pointer("/spec/weighted") {
            let refs = list(weighted, "services");
            if refs.is_empty() {
                return Err(format!("{what} has no weighted services"));
            }
            // Even a single weighted service keeps its weight: 0 takes nothing.
            let mut choices = Vec::new();
            for r in refs {
                let weight = match r.get("weight") {
                    None | Some(Value::Null) => 1,
                    Some(w) => w.as_i64().ok_or("a weight that is not an integer")?.max(0) as u64,
                };
                choices.push((weight, self.reference(namespace, r, depth)?));
            }
            return Ok(Node::Weighted {
                what,
                choices: Weighted::new(choices),
            });
        }
        if let Some(mirroring) = ts.pointer("/spec/mirroring") {
            return self.reference(namespace, mirroring, depth);
        }
        Err(format!("{what} is neither weighted nor mirroring"))
    }
}
