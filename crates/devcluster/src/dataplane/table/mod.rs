//! The routing table: a snapshot of the cluster's routing objects compiled for lookups, and the choice
//! of the pod that answers one request.
//!
//! Only plain Service routing is in place so far (`Host: <svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`,
//! `<svc>.<ns>.svc.cluster.local`); the routers come next.

use std::sync::Arc;

use serde_json::Value;

use super::{Backend, Draw, Outcome, Request, Routed, ServiceRef, Via};

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
}

/// The storage prefixes of the kinds in a [`Snapshot`], in its field order.
pub const PREFIXES: [&str; 8] = [
    "/core/pods",
    "/core/services",
    "/networking.k8s.io/ingresses",
    "/gateway.networking.k8s.io/gateways",
    "/gateway.networking.k8s.io/httproutes",
    "/networking.istio.io/virtualservices",
    "/networking.istio.io/destinationrules",
    "/split.smi-spec.io/trafficsplits",
];

/// A Service and its Ready pods.
#[derive(Debug, Clone)]
struct ServiceEntry {
    namespace: String,
    name: String,
    ready: Vec<Arc<Backend>>,
}

/// The compiled routing objects.
#[derive(Debug, Default, Clone)]
pub struct RoutingTable {
    services: Vec<ServiceEntry>,
}

impl RoutingTable {
    /// Compiles a snapshot. Objects that make no sense are skipped (they never stop the others).
    pub fn build(snapshot: &Snapshot<'_>) -> RoutingTable {
        let backends: Vec<(Arc<Value>, Arc<Backend>)> = snapshot
            .pods
            .iter()
            .filter(|p| is_ready(p))
            .filter_map(|p| Some((Arc::clone(p), Arc::new(backend(p)?))))
            .collect();
        let services = snapshot
            .services
            .iter()
            .filter_map(|svc| {
                let namespace = svc.pointer("/metadata/namespace")?.as_str()?.to_string();
                let name = svc.pointer("/metadata/name")?.as_str()?.to_string();
                let selector = svc.pointer("/spec/selector")?.as_object()?;
                let ready = backends
                    .iter()
                    .filter(|(pod, b)| {
                        b.namespace == namespace
                            && !selector.is_empty()
                            && selector
                                .iter()
                                .all(|(k, v)| pod.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v))
                    })
                    .map(|(_, b)| Arc::clone(b))
                    .collect();
                Some(ServiceEntry { namespace, name, ready })
            })
            .collect();
        RoutingTable { services }
    }

    /// Where `request` goes.
    pub fn route(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Outcome {
        let host = request.host;
        let (name, namespace) = match host.split('.').collect::<Vec<_>>().as_slice() {
            [name] => (*name, "default"),
            [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => (*name, *ns),
            _ => return Outcome::NotFound(format!("no route for host {host}")),
        };
        let Some(entry) = self
            .services
            .iter()
            .find(|s| s.name == name && s.namespace == namespace)
        else {
            return Outcome::NotFound(format!("no route for host {host}"));
        };
        if entry.ready.is_empty() {
            return Outcome::Unavailable(format!("service {namespace}/{name} has no ready endpoints"));
        }
        let i = usize::try_from(draw.below(entry.ready.len() as u64)).unwrap_or(0);
        Outcome::Routed(Routed {
            backend: Arc::clone(&entry.ready[i.min(entry.ready.len() - 1)]),
            service: ServiceRef {
                namespace: entry.namespace.clone(),
                name: entry.name.clone(),
                port: 0,
            },
            via: Via::Service,
            mirrors: Vec::new(),
        })
    }
}

/// Running, Ready and not being deleted.
fn is_ready(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp").is_none()
        && pod.pointer("/status/phase").and_then(Value::as_str) == Some("Running")
        && pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// What answering depends on, from the pod.
fn backend(pod: &Value) -> Option<Backend> {
    let container = pod.pointer("/spec/containers/0")?;
    let env = container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["name"].as_str()?.to_string(), e["value"].as_str()?.to_string())))
        .collect();
    Some(Backend {
        namespace: pod.pointer("/metadata/namespace")?.as_str()?.to_string(),
        pod: pod.pointer("/metadata/name")?.as_str()?.to_string(),
        image: container["image"].as_str().unwrap_or_default().to_string(),
        env,
        template_hash: pod
            .pointer("/metadata/labels/rollouts-pod-template-hash")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}
