//! Data plane routing cost: one `RoutingTable::route` per request, in a cluster of 200 apps with 5
//! Ready pods each (1,000 pods), every app behind a stable/canary pair of Services, and routed by an
//! Ingress with an ingress-nginx canary at weight 20, an HTTPRoute, and an Istio VirtualService (a
//! header route ahead of the weighted route); plus in-mesh calls and compiling the whole table.
//!
//! Run: `cargo bench -p rollouts-devcluster --bench dataplane_route`. Requests per second on one core
//! are 1 / (time per iteration) of the `route/*` benchmarks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use rollouts_devcluster::dataplane::table::{RoutingTable, Snapshot};
use rollouts_devcluster::dataplane::{Draw, Outcome, Request};
use serde_json::{Value, json};

const APPS: usize = 200;
const PODS_PER_VERSION: usize = 5;

/// SplitMix64, mapped onto `0..bound`.
struct SplitMix(u64);

impl Draw for SplitMix {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((u128::from(z) * u128::from(bound)) >> 64) as u64
    }
}

#[derive(Default)]
struct Cluster {
    pods: Vec<Arc<Value>>,
    services: Vec<Arc<Value>>,
    ingresses: Vec<Arc<Value>>,
    gateways: Vec<Arc<Value>>,
    http_routes: Vec<Arc<Value>>,
    virtual_services: Vec<Arc<Value>>,
    destination_rules: Vec<Arc<Value>>,
    traffic_splits: Vec<Arc<Value>>,
}

impl Cluster {
    fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            pods: &self.pods,
            services: &self.services,
            ingresses: &self.ingresses,
            gateways: &self.gateways,
            http_routes: &self.http_routes,
            virtual_services: &self.virtual_services,
            destination_rules: &self.destination_rules,
            traffic_splits: &self.traffic_splits,
            ..Snapshot::default()
        }
    }
}

fn ingress(name: &str, host: &str, service: &str, annotations: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": {"name": name, "namespace": "default", "annotations": annotations},
           "spec": {"rules": [{"host": host, "http": {"paths": [
               {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": service, "port": {"number": 80}}}},
               {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": service, "port": {"number": 80}}}}]}}]}})
}

fn cluster() -> Cluster {
    let mut c = Cluster::default();
    c.gateways.push(Arc::new(
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "gw", "namespace": "default"}, "spec": {"listeners": [{"name": "http", "port": 80}]}}),
    ));
    for app in 0..APPS {
        for (version, hash) in [("stable", "s"), ("canary", "c")] {
            for i in 0..PODS_PER_VERSION {
                c.pods.push(Arc::new(json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": format!("app-{app}-{hash}-{i}"), "namespace": "default",
                                 "labels": {"app": format!("app-{app}"), "rollouts-pod-template-hash": hash}},
                    "spec": {"containers": [{"name": "app", "image": "argoproj/rollouts-demo:blue"}]},
                    "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})));
            }
            c.services.push(Arc::new(json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": format!("app-{app}-{version}"), "namespace": "default"},
                "spec": {"selector": {"app": format!("app-{app}"), "rollouts-pod-template-hash": hash},
                         "ports": [{"name": "http", "port": 80}]}})));
        }
        let (stable, canary) = (format!("app-{app}-stable"), format!("app-{app}-canary"));
        let host = format!("app-{app}.nginx.local");
        c.ingresses
            .push(Arc::new(ingress(&format!("app-{app}"), &host, &stable, json!({}))));
        c.ingresses.push(Arc::new(ingress(
            &format!("app-{app}-canary"),
            &host,
            &canary,
            json!({"nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "20"}),
        )));
        c.http_routes.push(Arc::new(
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": format!("app-{app}"), "namespace": "default"},
            "spec": {"parentRefs": [{"name": "gw"}], "hostnames": [format!("app-{app}.gateway.local")],
                     "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                                "backendRefs": [{"name": stable, "port": 80, "weight": 80},
                                                {"name": canary, "port": 80, "weight": 20}]}]}}),
        ));
        c.virtual_services.push(Arc::new(json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": format!("app-{app}"), "namespace": "default"},
            "spec": {"gateways": ["gw", "mesh"], "hosts": [format!("app-{app}.istio.local"), format!("app-{app}-stable")],
                     "http": [{"name": "header", "match": [{"headers": {"x-canary": {"exact": "yes"}}}],
                               "route": [{"destination": {"host": canary}}]},
                              {"name": "primary", "route": [{"destination": {"host": stable}, "weight": 80},
                                                            {"destination": {"host": canary}, "weight": 20}]}]}})));
    }
    c
}

fn route_benches(c: &mut Criterion) {
    let objects = cluster();
    let table = RoutingTable::build(&objects.snapshot());
    let headers = vec![
        ("user-agent".to_string(), "bench".to_string()),
        ("accept".to_string(), "*/*".to_string()),
    ];
    let cases = [
        ("route/ingress_canary_weight_20", "app-123.nginx.local", "/color"),
        ("route/gateway_weights_80_20", "app-123.gateway.local", "/color"),
        (
            "route/istio_gateway_header_then_weights",
            "app-123.istio.local",
            "/color",
        ),
        (
            "route/in_mesh_service",
            "app-123-canary.default.svc.cluster.local",
            "/color",
        ),
        ("route/unknown_host_404", "nowhere.example.com", "/"),
    ];
    for (name, host, path) in cases {
        let request = Request {
            host,
            path,
            headers: &headers,
        };
        let mut draw = SplitMix(7);
        // Each case must reach what it claims to measure.
        let outcome = table.route(&request, &mut draw);
        assert_eq!(
            matches!(outcome, Outcome::Routed(_)),
            !name.ends_with("404"),
            "{name}: {outcome:?}"
        );
        c.bench_function(name, |b| {
            b.iter(|| black_box(table.route(black_box(&request), &mut draw)));
        });
    }
    c.bench_function("build/1000_pods_400_services_600_routes", |b| {
        b.iter(|| black_box(RoutingTable::build(&objects.snapshot())));
    });
}

criterion_group!(benches, route_benches);
criterion_main!(benches);
