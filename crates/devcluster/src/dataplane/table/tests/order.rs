//! The order in which the routers claim a host.

use serde_json::{Value, json};

use super::*;

fn ingress(host: &str, path: &str, svc: &str) -> Value {
    let mut rule = json!({"http": {"paths": [{"path": path, "pathType": "Prefix",
        "backend": {"service": {"name": svc, "port": {"number": 80}}}}]}});
    if !host.is_empty() {
        rule["host"] = json!(host);
    }
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": {"name": format!("ing-{svc}"), "namespace": "default"}, "spec": {"rules": [rule]}})
}

fn http_route(hostnames: Value, path: &str, svc: &str) -> Value {
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
           "metadata": {"name": format!("route-{svc}"), "namespace": "default"},
           "spec": {"parentRefs": [{"name": "gw"}], "hostnames": hostnames,
                    "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": path}}],
                               "backendRefs": [{"name": svc, "port": 80}]}]}})
}

fn virtual_service(host: &str, path: &str, svc: &str) -> Value {
    json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
           "metadata": {"name": format!("vs-{svc}"), "namespace": "default"},
           "spec": {"gateways": ["gw"], "hosts": [host],
                    "http": [{"match": [{"uri": {"prefix": path}}], "route": [{"destination": {"host": svc}}]}]}})
}

fn world() -> World {
    let mut w = two_versions();
    w.add(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                 "metadata": {"name": "gw", "namespace": "default"},
                 "spec": {"listeners": [{"name": "http", "port": 80}]}}));
    w
}

fn service_of(table: &RoutingTable, host: &str, path: &str) -> String {
    routed(table.route(&get(host, path), &mut Seeded::new(1))).service.name
}

#[test]
fn ingress_then_gateway_then_istio_for_a_named_host() {
    let mut w = world();
    w.add(ingress("one.local", "/", "stable"))
        .add(http_route(json!(["one.local", "two.local"]), "/", "canary"))
        .add(virtual_service("one.local", "/", "demo"))
        .add(virtual_service("two.local", "/", "demo"))
        .add(virtual_service("three.local", "/", "demo"));
    let table = w.table();
    assert_eq!(service_of(&table, "one.local", "/"), "stable");
    assert_eq!(service_of(&table, "two.local", "/"), "canary");
    assert_eq!(service_of(&table, "three.local", "/"), "demo");
}

#[test]
fn the_router_that_claims_a_host_answers_404_for_its_missing_paths() {
    let mut w = world();
    w.add(ingress("one.local", "/api", "stable"))
        .add(http_route(json!(["one.local"]), "/", "canary"));
    let table = w.table();
    assert_not_found(
        table.route(&get("one.local", "/web"), &mut Seeded::new(1)),
        "no ingress path matches /web",
    );
}

#[test]
fn catch_alls_come_after_in_mesh_names_in_router_order() {
    let mut w = world();
    w.add(ingress("", "/a", "stable"))
        .add(http_route(json!([]), "/b", "canary"))
        .add(virtual_service("*", "/c", "demo"));
    let table = w.table();
    assert_eq!(service_of(&table, "127.0.0.1", "/a"), "stable");
    assert_eq!(service_of(&table, "127.0.0.1", "/b"), "canary");
    assert_eq!(service_of(&table, "127.0.0.1", "/c"), "demo");
    assert_eq!(service_of(&table, "canary", "/a"), "canary");
    assert_not_found(
        table.route(&get("127.0.0.1", "/d"), &mut Seeded::new(1)),
        "no route for host 127.0.0.1",
    );
}
