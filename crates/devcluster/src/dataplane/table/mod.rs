//! The routing table: a snapshot of the cluster's routing objects compiled for lookups, and the choice
//! of the pod that answers one request.
//!
//! [`RoutingTable::build`] reads every object once (the ones that make no sense are skipped, never
//! stopping the others) and resolves each route down to the Ready pods of its Services, so that
//! [`RoutingTable::route`] only looks up hosts, tests paths and headers and draws.
//!
//! A request's Host is resolved in this order; the first router that claims the host answers, with a
//! 404 of its own when none of its paths match:
//!
//! 1. a host an Ingress rule names (`ingress.rs`, then `alb.rs` for Ingresses of class `alb`), exactly
//!    or by wildcard;
//! 2. a host an HTTPRoute attached to a Gateway serves (`gateway.rs`);
//! 3. a host a VirtualService bound to a gateway names (`istio.rs`);
//! 4. a host a Traefik IngressRoute's rule (`traefik.rs`), an Ambassador Mapping (`ambassador.rs`) or
//!    an ApisixRoute (`apisix.rs`) names, in that order;
//! 5. an in-mesh name of a Service (`<svc>` in namespace `default`, `<svc>.<ns>`, `<svc>.<ns>.svc`,
//!    `<svc>.<ns>.svc.cluster.local`): the in-mesh VirtualService for it, else an HTTPRoute attached to
//!    the Service, else the TrafficSplit whose root it is (`smi.rs`), else the Service itself;
//! 6. the routes for any host, in the same router order, when one of their paths matches: Ingress rules
//!    without host, HTTPRoutes without hostnames, VirtualServices for `*`, then the Traefik, Ambassador
//!    and APISIX routes for any host; then an Ingress `defaultBackend`.
//!
//! Routes for any host come after the in-mesh names so that `Host: <svc>` reaches that Service even
//! when a catch-all route exists, as a call from inside the cluster would. Anything else is a 404.
//!
//! Whatever router reaches a Service that is the root of a TrafficSplit, the split picks the Service
//! whose pods answer (a meshed ingress controller's traffic is split by the mesh too, as in upstream's
//! SMI getting-started); the metrics still name the Service the router chose.

mod alb;
mod ambassador;
mod apisix;
mod gateway;
mod ingress;
mod istio;
mod matching;
mod objects;
mod services;
mod smi;
mod traefik;
mod traefik_rule;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use self::alb::AlbRoutes;
use self::ambassador::AmbassadorRoutes;
use self::apisix::ApisixRoutes;
use self::gateway::GatewayRoutes;
use self::ingress::IngressRoutes;
use self::istio::IstioRoutes;
use self::objects::{Skips, service_hosts};
use self::services::{PortRef, Services, Target};
use self::smi::Split;
use self::traefik::TraefikRoutes;
use super::{Backend, Draw, Outcome, Request, Routed, Via};

/// The objects the data plane routes by, as stored (raw JSON), all namespaces.
#[derive(Debug, Default, Clone, Copy)]
pub struct Snapshot<'a> {
    /// core/v1 Pods.
    pub pods: &'a [Arc<Value>],
    /// core/v1 Services.
    pub services: &'a [Arc<Value>],
    /// networking.k8s.io/v1 Ingresses.
    pub ingresses: &'a [Arc<Value>],
    /// gateway.networking.k8s.io Gateways.
    pub gateways: &'a [Arc<Value>],
    /// gateway.networking.k8s.io HTTPRoutes.
    pub http_routes: &'a [Arc<Value>],
    /// networking.istio.io VirtualServices.
    pub virtual_services: &'a [Arc<Value>],
    /// networking.istio.io DestinationRules.
    pub destination_rules: &'a [Arc<Value>],
    /// split.smi-spec.io TrafficSplits.
    pub traffic_splits: &'a [Arc<Value>],
    /// Traefik IngressRoutes (traefik.io and traefik.containo.us).
    pub ingress_routes: &'a [Arc<Value>],
    /// TraefikServices (both groups).
    pub traefik_services: &'a [Arc<Value>],
    /// Ambassador Mappings (getambassador.io and x.getambassador.io).
    pub mappings: &'a [Arc<Value>],
    /// apisix.apache.org ApisixRoutes.
    pub apisix_routes: &'a [Arc<Value>],
}

/// The storage prefixes of the kinds in a [`Snapshot`], in its field order; a kind served under two
/// API groups has both prefixes, one after the other (see [`PREFIX_FIELDS`]).
pub const PREFIXES: [&str; 15] = [
    "/core/pods",
    "/core/services",
    "/networking.k8s.io/ingresses",
    "/gateway.networking.k8s.io/gateways",
    "/gateway.networking.k8s.io/httproutes",
    "/networking.istio.io/virtualservices",
    "/networking.istio.io/destinationrules",
    "/split.smi-spec.io/trafficsplits",
    "/traefik.io/ingressroutes",
    "/traefik.containo.us/ingressroutes",
    "/traefik.io/traefikservices",
    "/traefik.containo.us/traefikservices",
    "/getambassador.io/mappings",
    "/x.getambassador.io/mappings",
    "/apisix.apache.org/apisixroutes",
];

/// The [`Snapshot`] field (by position) each of [`PREFIXES`] fills.
pub const PREFIX_FIELDS: [usize; 15] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11];

/// What an in-mesh name reaches when no VirtualService claims it.
#[derive(Clone)]
enum MeshEntry {
    /// A TrafficSplit's root Service.
    Split(Arc<Split>),
    /// A plain Service.
    Service(Target),
}

/// The compiled routing objects.
#[derive(Default, Clone)]
pub struct RoutingTable {
    ingress: IngressRoutes,
    gateway: GatewayRoutes,
    istio: IstioRoutes,
    alb: AlbRoutes,
    traefik: TraefikRoutes,
    ambassador: AmbassadorRoutes,
    apisix: ApisixRoutes,
    /// Services and TrafficSplit roots by every in-mesh name.
    mesh: HashMap<String, MeshEntry>,
    /// What was left out, and why.
    skipped: Vec<String>,
}

impl std::fmt::Debug for RoutingTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutingTable")
            .field("mesh_hosts", &self.mesh.len())
            .finish_non_exhaustive()
    }
}

impl RoutingTable {
    /// Compiles a snapshot. Objects that make no sense are skipped (they never stop the others).
    pub fn build(snapshot: &Snapshot<'_>) -> RoutingTable {
        let mut services = Services::build(snapshot.pods, snapshot.services);
        let splits = smi::build(&services, snapshot.traffic_splits);
        services.set_splits(splits.clone());
        let mut mesh = HashMap::new();
        for (namespace, name) in services.names() {
            let target = services.target(namespace, name, PortRef::Unnamed, None);
            for host in service_hosts(namespace, name) {
                mesh.insert(host, MeshEntry::Service(target.clone()));
            }
        }
        for (namespace, by_root) in &splits {
            for (root, split) in by_root {
                for host in service_hosts(namespace, root) {
                    mesh.insert(host, MeshEntry::Split(Arc::clone(split)));
                }
            }
        }
        let mut skips = Skips::default();
        RoutingTable {
            ingress: IngressRoutes::build(&services, snapshot.ingresses),
            gateway: GatewayRoutes::build(&services, snapshot.gateways, snapshot.http_routes),
            istio: IstioRoutes::build(&services, snapshot.virtual_services, snapshot.destination_rules),
            alb: AlbRoutes::build(&services, snapshot.ingresses, &mut skips),
            traefik: TraefikRoutes::build(
                &services,
                snapshot.ingress_routes,
                snapshot.traefik_services,
                &mut skips,
            ),
            ambassador: AmbassadorRoutes::build(&services, snapshot.mappings, &mut skips),
            apisix: ApisixRoutes::build(&services, snapshot.apisix_routes, &mut skips),
            mesh,
            skipped: skips.0,
        }
    }

    /// What the build left out of the ALB Ingresses, IngressRoutes, Mappings and ApisixRoutes, one line
    /// each (`<Kind> <namespace>/<name>: <why>`).
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Where `request` goes.
    pub fn route(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Outcome {
        // A fully qualified name may end with a dot.
        let request = &Request {
            host: request.host.strip_suffix('.').unwrap_or(request.host),
            ..*request
        };
        self.ingress
            .specific(request, draw)
            .or_else(|| self.alb.specific(request, draw))
            .or_else(|| self.gateway.specific(request, draw))
            .or_else(|| self.istio.specific(request, draw))
            .or_else(|| self.traefik.specific(request, draw))
            .or_else(|| self.ambassador.specific(request, draw))
            .or_else(|| self.apisix.specific(request, draw))
            .or_else(|| self.mesh(request, draw))
            .or_else(|| self.ingress.any(request, draw))
            .or_else(|| self.alb.any(request, draw))
            .or_else(|| self.gateway.any(request, draw))
            .or_else(|| self.istio.any(request, draw))
            .or_else(|| self.traefik.any(request, draw))
            .or_else(|| self.ambassador.any(request, draw))
            .or_else(|| self.apisix.any(request, draw))
            .or_else(|| self.ingress.default_backend(draw))
            .or_else(|| self.alb.default_backend(request, draw))
            .unwrap_or_else(|| Outcome::NotFound(format!("no route for host {}", request.host)))
    }

    /// An in-mesh call: a VirtualService for the host, else an HTTPRoute of the Service, else a
    /// TrafficSplit or the Service.
    fn mesh(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        if let Some(outcome) = self.istio.mesh(request, draw) {
            return Some(outcome);
        }
        if let Some(outcome) = self.gateway.mesh(request, draw) {
            return Some(outcome);
        }
        Some(match self.mesh.get(request.host)? {
            MeshEntry::Service(target) => land(target, Via::Service, Vec::new(), draw),
            MeshEntry::Split(split) => {
                let via = Via::Smi {
                    namespace: split.namespace.clone(),
                    split: split.name.clone(),
                };
                match split.backends.pick(draw) {
                    Some(backend) => land(backend, via, Vec::new(), draw),
                    None => Outcome::Unavailable(no_split_backend(split)),
                }
            }
        })
    }
}

/// Sends the request to one Ready pod of `target`: through its TrafficSplit when it is a root. The
/// outcome names `target`'s Service, as the router that chose it would.
fn land(target: &Target, via: Via, mirrors: Vec<Arc<Backend>>, draw: &mut dyn Draw) -> Outcome {
    let answering = match &target.split {
        None => target,
        Some(split) => match split.backends.pick(draw) {
            Some(backend) => backend,
            None => return Outcome::Unavailable(no_split_backend(split)),
        },
    };
    match pick_pod(answering, draw) {
        Some(backend) => Outcome::Routed(Routed {
            backend,
            service: target.service.clone(),
            via,
            mirrors,
            set_cookie: None,
        }),
        None => Outcome::Unavailable(answering.unavailable.to_string()),
    }
}

/// One of the target's Ready pods, each as likely.
fn pick_pod(target: &Target, draw: &mut dyn Draw) -> Option<Arc<Backend>> {
    let pods = &target.pods;
    let i = match pods.len() {
        0 => return None,
        1 => 0,
        n => usize::try_from(draw.below(n as u64)).unwrap_or(0),
    };
    pods.get(i).or(pods.last()).cloned()
}

fn no_split_backend(split: &Split) -> String {
    format!(
        "TrafficSplit {}/{} has no backend of weight above 0",
        split.namespace, split.name
    )
}
