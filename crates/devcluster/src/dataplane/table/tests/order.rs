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

fn alb_ingress(host: &str, path: &str, svc: &str) -> Value {
    let mut i = ingress(host, path, svc);
    i["metadata"]["name"] = json!(format!("alb-{svc}"));
    i["spec"]["ingressClassName"] = json!("alb");
    i
}

fn ingress_route(rule: &str, svc: &str) -> Value {
    json!({"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
           "metadata": {"name": format!("ir-{svc}"), "namespace": "default"},
           "spec": {"routes": [{"match": rule, "services": [{"name": svc, "port": 80}]}]}})
}

fn mapping(host: &str, prefix: &str, svc: &str) -> Value {
    let mut spec = json!({"prefix": prefix, "service": svc});
    if !host.is_empty() {
        spec["hostname"] = json!(host);
    }
    json!({"apiVersion": "getambassador.io/v3alpha1", "kind": "Mapping",
           "metadata": {"name": format!("m-{svc}"), "namespace": "default"}, "spec": spec})
}

fn apisix_route(host: &str, path: &str, svc: &str) -> Value {
    let mut rule =
        json!({"name": "r", "match": {"paths": [path]}, "backends": [{"serviceName": svc, "servicePort": 80}]});
    if !host.is_empty() {
        rule["match"]["hosts"] = json!([host]);
    }
    json!({"apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
           "metadata": {"name": format!("ar-{svc}"), "namespace": "default"}, "spec": {"http": [rule]}})
}

#[test]
fn the_gateway_routers_claim_hosts_after_ingresses_and_istio_in_their_order() {
    let mut w = world();
    w.add(ingress("one.local", "/", "stable"))
        .add(alb_ingress("one.local", "/", "canary"))
        .add(alb_ingress("two.local", "/", "canary"))
        .add(virtual_service("three.local", "/", "demo"))
        .add(ingress_route("Host(`three.local`) || Host(`four.local`)", "stable"))
        .add(mapping("four.local", "/", "canary"))
        .add(mapping("five.local", "/", "canary"))
        .add(apisix_route("five.local", "/*", "stable"))
        .add(apisix_route("six.local", "/*", "demo"));
    let table = w.table();
    assert!(table.skipped().is_empty(), "{:?}", table.skipped());
    assert_eq!(
        service_of(&table, "one.local", "/"),
        "stable",
        "ingress-nginx before the ALB"
    );
    assert_eq!(service_of(&table, "two.local", "/"), "canary");
    assert_eq!(service_of(&table, "three.local", "/"), "demo", "Istio before Traefik");
    assert_eq!(
        service_of(&table, "four.local", "/"),
        "stable",
        "Traefik before Ambassador"
    );
    assert_eq!(
        service_of(&table, "five.local", "/"),
        "canary",
        "Ambassador before APISIX"
    );
    assert_eq!(service_of(&table, "six.local", "/"), "demo");
}

#[test]
fn the_gateway_routers_catch_alls_come_after_in_mesh_names() {
    let mut w = world();
    w.add(alb_ingress("", "/a", "stable"))
        .add(ingress_route("PathPrefix(`/b`)", "canary"))
        .add(mapping("", "/c", "demo"))
        .add(apisix_route("", "/d*", "stable"));
    let table = w.table();
    assert_eq!(service_of(&table, "127.0.0.1", "/a"), "stable");
    assert_eq!(service_of(&table, "127.0.0.1", "/b"), "canary");
    assert_eq!(service_of(&table, "127.0.0.1", "/c/x"), "demo");
    assert_eq!(service_of(&table, "127.0.0.1", "/dx"), "stable");
    assert_eq!(
        service_of(&table, "canary", "/a"),
        "canary",
        "an in-mesh name reaches its Service"
    );
    assert_not_found(
        table.route(&get("127.0.0.1", "/e"), &mut Seeded::new(1)),
        "no route for host 127.0.0.1",
    );
}
