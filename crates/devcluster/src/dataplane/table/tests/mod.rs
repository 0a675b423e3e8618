//! Table tests of the routers, and seeded statistical tests of their weighted choices.

mod alb;
mod ambassador;
mod apisix;
mod gateway;
mod ingress;
mod istio;
mod matching;
mod order;
mod services;
mod smi;
mod traefik;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{RoutingTable, Snapshot};
use crate::dataplane::{Draw, Outcome, Request, Routed, Via};
use crate::sim::random::SeededRandom;

/// SplitMix64 draws, mapped onto `0..bound` without modulo bias worth speaking of.
pub(super) struct Seeded(SeededRandom);

impl Seeded {
    pub(super) fn new(seed: u64) -> Self {
        Seeded(SeededRandom::new(seed))
    }
}

impl Draw for Seeded {
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.0.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

/// Draws that return the given values in turn (each reduced below its bound), then 0.
pub(super) struct Script(pub Vec<u64>);

impl Draw for Script {
    fn below(&mut self, bound: u64) -> u64 {
        if self.0.is_empty() { 0 } else { self.0.remove(0) % bound }
    }
}

/// The objects of one test, by kind.
#[derive(Default)]
pub(super) struct World {
    pub pods: Vec<Arc<Value>>,
    pub services: Vec<Arc<Value>>,
    pub ingresses: Vec<Arc<Value>>,
    pub gateways: Vec<Arc<Value>>,
    pub http_routes: Vec<Arc<Value>>,
    pub virtual_services: Vec<Arc<Value>>,
    pub destination_rules: Vec<Arc<Value>>,
    pub traffic_splits: Vec<Arc<Value>>,
    pub ingress_routes: Vec<Arc<Value>>,
    pub traefik_services: Vec<Arc<Value>>,
    pub mappings: Vec<Arc<Value>>,
    pub apisix_routes: Vec<Arc<Value>>,
}

impl World {
    /// Adds an object to the list of its kind.
    pub(super) fn add(&mut self, object: Value) -> &mut Self {
        let list = match object["kind"].as_str().unwrap_or_default() {
            "Pod" => &mut self.pods,
            "Service" => &mut self.services,
            "Ingress" => &mut self.ingresses,
            "Gateway" if object["apiVersion"].as_str().is_some_and(|v| v.starts_with("gateway.")) => &mut self.gateways,
            "HTTPRoute" => &mut self.http_routes,
            "VirtualService" => &mut self.virtual_services,
            "DestinationRule" => &mut self.destination_rules,
            "TrafficSplit" => &mut self.traffic_splits,
            "IngressRoute" => &mut self.ingress_routes,
            "TraefikService" => &mut self.traefik_services,
            "Mapping" => &mut self.mappings,
            "ApisixRoute" => &mut self.apisix_routes,
            // Istio Gateways, Rollouts and the like play no part in routing.
            _ => return self,
        };
        list.push(Arc::new(object));
        self
    }

    /// Adds every document of a YAML text.
    pub(super) fn add_yaml(&mut self, yaml: &str) -> &mut Self {
        for doc in rollouts_testkit::yaml_documents(yaml).expect("fixture YAML") {
            self.add(doc);
        }
        self
    }

    /// Adds the documents of a file of the upstream corpus (a path relative to its Argo Rollouts
    /// folder); `false` (and nothing added) when the corpus or the file is absent.
    pub(super) fn add_upstream(&mut self, test: &str, path: &str) -> bool {
        let Some(dir) = rollouts_testkit::conformance_or_skip(test) else {
            return false;
        };
        let Ok(text) = std::fs::read_to_string(dir.join(path)) else {
            eprintln!("SKIPPED {test}: {path} is not in the conformance corpus");
            return false;
        };
        self.add_yaml(&text);
        true
    }

    pub(super) fn table(&self) -> RoutingTable {
        RoutingTable::build(&Snapshot {
            pods: &self.pods,
            services: &self.services,
            ingresses: &self.ingresses,
            gateways: &self.gateways,
            http_routes: &self.http_routes,
            virtual_services: &self.virtual_services,
            destination_rules: &self.destination_rules,
            traffic_splits: &self.traffic_splits,
            ingress_routes: &self.ingress_routes,
            traefik_services: &self.traefik_services,
            mappings: &self.mappings,
            apisix_routes: &self.apisix_routes,
        })
    }
}

/// A Running, Ready pod of namespace `default`.
pub(super) fn pod(name: &str, labels: Value, image: &str) -> Value {
    pod_in("default", name, labels, image)
}

pub(super) fn pod_in(namespace: &str, name: &str, labels: Value, image: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": image}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    })
}

/// A Service of namespace `default` with one port 80 named `http`.
pub(super) fn service(name: &str, selector: Value) -> Value {
    service_in("default", name, selector)
}

pub(super) fn service_in(namespace: &str, name: &str, selector: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": selector, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    })
}

/// The getting-started world: Services `stable` and `canary` (and a root `demo` selecting both), a
/// stable pod `stable-1` (hash `s`, image `...:blue`) and a canary pod `canary-1` (hash `c`, `...:yellow`).
pub(super) fn two_versions() -> World {
    let mut w = World::default();
    w.add(pod(
        "stable-1",
        json!({"app": "demo", "rollouts-pod-template-hash": "s"}),
        "argoproj/rollouts-demo:blue",
    ))
    .add(pod(
        "canary-1",
        json!({"app": "demo", "rollouts-pod-template-hash": "c"}),
        "argoproj/rollouts-demo:yellow",
    ))
    .add(service(
        "stable",
        json!({"app": "demo", "rollouts-pod-template-hash": "s"}),
    ))
    .add(service(
        "canary",
        json!({"app": "demo", "rollouts-pod-template-hash": "c"}),
    ))
    .add(service("demo", json!({"app": "demo"})));
    w
}

pub(super) fn get(host: &str, path: &str) -> Request<'static> {
    with_headers(host, path, &[])
}

/// A request with headers; the headers are leaked, which is fine in a test.
pub(super) fn with_headers(host: &str, path: &str, headers: &[(&str, &str)]) -> Request<'static> {
    let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Request {
        host: Box::leak(host.to_string().into_boxed_str()),
        path: Box::leak(path.to_string().into_boxed_str()),
        headers: Box::leak(headers.into_boxed_slice()),
    }
}

/// The routed outcome, failing the test otherwise.
pub(super) fn routed(outcome: Outcome) -> Routed {
    match outcome {
        Outcome::Routed(r) => r,
        other => panic!("expected a routed request, got {other:?}"),
    }
}

/// The pod that answers one request.
pub(super) fn pod_of(table: &RoutingTable, request: &Request<'_>) -> String {
    routed(table.route(request, &mut Seeded::new(1))).backend.pod.clone()
}

/// How many of `n` requests each pod answers, with a seeded draw.
pub(super) fn spread(table: &RoutingTable, request: &Request<'_>, n: usize, seed: u64) -> BTreeMap<String, usize> {
    let mut draw = Seeded::new(seed);
    let mut counts = BTreeMap::new();
    for _ in 0..n {
        *counts
            .entry(routed(table.route(request, &mut draw)).backend.pod.clone())
            .or_default() += 1;
    }
    counts
}

/// Asserts a 404 whose reason mentions `words`.
pub(super) fn assert_not_found(outcome: Outcome, words: &str) {
    match outcome {
        Outcome::NotFound(reason) => {
            assert!(reason.contains(words), "reason {reason:?} lacks {words:?}");
            assert!(!reason.contains('\n'), "one line: {reason:?}");
        }
        other => panic!("expected 404, got {other:?}"),
    }
}

/// Asserts a 503 whose reason mentions `words`.
pub(super) fn assert_unavailable(outcome: Outcome, words: &str) {
    match outcome {
        Outcome::Unavailable(reason) => {
            assert!(reason.contains(words), "reason {reason:?} lacks {words:?}");
            assert!(!reason.contains('\n'), "one line: {reason:?}");
        }
        other => panic!("expected 503, got {other:?}"),
    }
}

/// The Via of a routed outcome.
pub(super) fn via(outcome: Outcome) -> Via {
    routed(outcome).via
}
