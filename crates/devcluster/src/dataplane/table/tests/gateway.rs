//! Gateway API HTTPRoutes: attachment, hostnames, match precedence and weighted backends.

use serde_json::{Value, json};

use super::*;

fn gateway(name: &str, listeners: Value) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"gatewayClassName": "eg", "listeners": listeners},
    })
}

fn http_route(name: &str, hostnames: Value, rules: Value) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"parentRefs": [{"name": "eg"}], "hostnames": hostnames, "rules": rules},
    })
}

fn backend(name: &str, weight: i64) -> Value {
    json!({"group": "", "kind": "Service", "name": name, "port": 80, "weight": weight})
}

/// The stable/canary world behind Gateway `eg` with one route for `demo.example.com` at `weight`.
fn weighted(weight: i64) -> World {
    let mut w = two_versions();
    w.add(gateway("eg", json!([{"name": "http", "protocol": "HTTP", "port": 80}])))
        .add(http_route(
            "demo-route",
            json!(["demo.example.com"]),
            json!([{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [backend("stable", 100 - weight), backend("canary", weight)]}]),
        ));
    w
}

fn canary_count(table: &RoutingTable, request: &Request<'_>, n: usize) -> usize {
    spread(table, request, n, 5).get("canary-1").copied().unwrap_or(0)
}

#[test]
fn upstream_envoy_gateway_example_routes_its_hostname() {
    let mut w = World::default();
    let dir = "../gatewayapi-plugin/examples/envoygateway";
    for file in ["gateway.yaml", "httproute.yaml", "stable.yaml", "canary.yaml"] {
        if !w.add_upstream("upstream_envoy_gateway_example", &format!("{dir}/{file}")) {
            return;
        }
    }
    w.add(pod(
        "demo-1",
        json!({"app": "rollouts-demo"}),
        "argoproj/rollouts-demo:blue",
    ));
    let table = w.table();
    let r = routed(table.route(&get("demo.example.com", "/color"), &mut Seeded::new(1)));
    assert_eq!(
        r.via,
        Via::Gateway {
            namespace: "default".into(),
            route: "argo-rollouts-http-route".into()
        }
    );
    assert_eq!(r.service.port, 80);
    // Both backends weigh 1 before the plugin sets a weight: each takes about half.
    let counts = {
        let mut draw = Seeded::new(2);
        let mut stable = 0;
        for _ in 0..2000 {
            let r = routed(table.route(&get("demo.example.com", "/"), &mut draw));
            stable += usize::from(r.service.name == "argo-rollouts-stable-service");
        }
        stable
    };
    assert!((900..=1100).contains(&counts), "{counts} of 2000");
    assert_not_found(
        table.route(&get("other.example.com", "/"), &mut Seeded::new(1)),
        "other.example.com",
    );
}

#[test]
fn weights_split_exactly_in_expectation() {
    let table = weighted(20).table();
    let canary = canary_count(&table, &get("demo.example.com", "/"), 5000);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    assert_eq!(
        canary_count(&weighted(0).table(), &get("demo.example.com", "/"), 5000),
        0
    );
    assert_eq!(
        canary_count(&weighted(100).table(), &get("demo.example.com", "/"), 500),
        500
    );
}

#[test]
fn header_rule_the_plugin_appends_takes_matching_requests_only() {
    let mut w = two_versions();
    w.add(gateway("eg", json!([{"name": "http", "port": 80}])))
        .add(http_route(
            "demo-route",
            json!(["demo.example.com"]),
            json!([
                {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                 "backendRefs": [backend("stable", 100), backend("canary", 0)]},
                {"name": "header-route",
                 "matches": [{"path": {"type": "PathPrefix", "value": "/"},
                              "headers": [{"name": "X-Canary", "type": "Exact", "value": "yes"}]}],
                 "backendRefs": [{"group": "", "kind": "Service", "name": "canary", "port": 80}]},
            ]),
        ));
    let table = w.table();
    let matching = with_headers("demo.example.com", "/color", &[("x-canary", "yes")]);
    assert_eq!(canary_count(&table, &matching, 1000), 1000);
    let other = with_headers("demo.example.com", "/color", &[("x-canary", "no")]);
    assert_eq!(canary_count(&table, &other, 1000), 0);
    assert_eq!(canary_count(&table, &get("demo.example.com", "/color"), 1000), 0);
}

#[test]
fn match_precedence_follows_the_api() {
    let mut w = two_versions();
    let to = |svc: &str| json!([backend(svc, 1)]);
    w.add(gateway("eg", json!([{"name": "http", "port": 80}]))).add(http_route(
        "r",
        json!(["p.example.com"]),
        json!([
            {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": to("demo")},
            {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}], "backendRefs": to("stable")},
            {"matches": [{"path": {"type": "Exact", "value": "/api/exact"}}], "backendRefs": to("canary")},
            {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}, "method": "POST"}], "backendRefs": to("canary")},
            {"matches": [{"path": {"type": "RegularExpression", "value": "/re/[0-9]+"}}], "backendRefs": to("canary")},
            {"matches": [{"path": {"type": "PathPrefix", "value": "/q"}, "queryParams": [{"name": "a", "value": "1"}]}],
             "backendRefs": to("canary")},
            {"matches": [{"headers": [{"name": "x-re", "type": "RegularExpression", "value": "v[0-9]"}]}],
             "backendRefs": to("canary")},
        ]),
    ));
    let table = w.table();
    let service = |request: Request<'_>| routed(table.route(&request, &mut Seeded::new(1))).service.name;
    let host = "p.example.com";
    assert_eq!(service(get(host, "/api/x")), "stable");
    assert_eq!(service(get(host, "/apiary")), "demo");
    assert_eq!(service(get(host, "/api/exact")), "canary");
    assert_eq!(service(with_headers(host, "/api/x", &[(":method", "POST")])), "canary");
    assert_eq!(service(get(host, "/re/42")), "canary");
    assert_eq!(service(get(host, "/re/42/more")), "demo");
    // Query parameters are not seen here: that match never holds.
    assert_eq!(service(get(host, "/q")), "demo");
    assert_eq!(service(with_headers(host, "/", &[("x-re", "v2")])), "canary");
    assert_eq!(service(with_headers(host, "/", &[("x-re", "v22")])), "demo");
}

#[test]
fn ties_go_to_the_oldest_route_then_the_first_rule() {
    let mut w = two_versions();
    let mut young = http_route(
        "a",
        json!(["t.example.com"]),
        json!([{"backendRefs": [backend("canary", 1)]}]),
    );
    young["metadata"]["creationTimestamp"] = json!("2026-03-01T00:00:00Z");
    let mut old = http_route(
        "b",
        json!(["t.example.com"]),
        json!([{"backendRefs": [backend("stable", 1)]}, {"backendRefs": [backend("canary", 1)]}]),
    );
    old["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
    w.add(gateway("eg", json!([{"name": "http", "port": 80}])))
        .add(young)
        .add(old);
    let r = routed(w.table().route(&get("t.example.com", "/"), &mut Seeded::new(1)));
    assert_eq!(
        (r.service.name.as_str(), r.via),
        (
            "stable",
            Via::Gateway {
                namespace: "default".into(),
                route: "b".into()
            }
        )
    );
}

#[test]
fn routes_need_an_existing_gateway() {
    let mut w = weighted(0);
    w.gateways.clear();
    assert_not_found(
        w.table().route(&get("demo.example.com", "/"), &mut Seeded::new(1)),
        "demo.example.com",
    );
    // A parentRef to a Service (a mesh route) attaches to no Gateway either.
    let mut w = weighted(0);
    let route = std::sync::Arc::make_mut(&mut w.http_routes[0]);
    route["spec"]["parentRefs"] = json!([{"group": "", "kind": "Service", "name": "eg"}]);
    assert_not_found(
        w.table().route(&get("demo.example.com", "/"), &mut Seeded::new(1)),
        "demo.example.com",
    );
}

#[test]
fn hostnames_wildcards_and_listener_hostnames() {
    let mut w = two_versions();
    w.add(gateway(
        "eg",
        json!([{"name": "http", "port": 80}, {"name": "shop", "port": 80, "hostname": "shop.local"}]),
    ))
    .add(http_route(
        "wild",
        json!(["*.example.com"]),
        json!([{"backendRefs": [backend("canary", 1)]}]),
    ))
    .add(http_route(
        "exact",
        json!(["www.example.com"]),
        json!([{"backendRefs": [backend("stable", 1)]}]),
    ));
    let mut by_section = http_route("shop", json!([]), json!([{"backendRefs": [backend("demo", 1)]}]));
    by_section["spec"]["parentRefs"] = json!([{"name": "eg", "sectionName": "shop"}]);
    w.add(by_section);
    let table = w.table();
    let service = |host: &str| routed(table.route(&get(host, "/"), &mut Seeded::new(1))).service.name;
    assert_eq!(service("www.example.com"), "stable");
    assert_eq!(service("a.b.example.com"), "canary");
    assert_eq!(service("shop.local"), "demo");
    assert_not_found(
        table.route(&get("example.com", "/"), &mut Seeded::new(1)),
        "example.com",
    );
}

#[test]
fn routes_without_hostnames_serve_any_host() {
    let mut w = two_versions();
    w.add(gateway("eg", json!([{"name": "http", "port": 80}])))
        .add(http_route(
            "any",
            json!([]),
            json!([{"backendRefs": [backend("canary", 1)]}]),
        ));
    let table = w.table();
    assert_eq!(pod_of(&table, &get("127.0.0.1", "/color")), "canary-1");
    assert_eq!(pod_of(&table, &get("stable", "/")), "stable-1");
}

#[test]
fn broken_rules_and_backends_answer_503() {
    let mut w = two_versions();
    w.add(gateway("eg", json!([{"name": "http", "port": 80}]))).add(http_route(
        "r",
        json!(["b.example.com"]),
        json!([
            {"matches": [{"path": {"value": "/none"}}]},
            {"matches": [{"path": {"value": "/zero"}}], "backendRefs": [backend("stable", 0)]},
            {"matches": [{"path": {"value": "/missing"}}], "backendRefs": [backend("nope", 1)]},
            {"matches": [{"path": {"value": "/kind"}}],
             "backendRefs": [{"group": "example.io", "kind": "Bucket", "name": "b"}]},
            {"matches": [{"path": {"type": "RegularExpression", "value": "(broken"}}], "backendRefs": [backend("canary", 1)]},
            {"backendRefs": [backend("stable", 1)]},
        ]),
    ));
    let table = w.table();
    let route = |path: &str| table.route(&get("b.example.com", path), &mut Seeded::new(1));
    assert_unavailable(route("/none"), "no backends");
    assert_unavailable(route("/zero"), "weight 0");
    assert_unavailable(route("/missing"), "default/nope not found");
    assert_unavailable(route("/kind"), "is not a Service");
    // The broken expression is skipped; the catch-all rule still answers.
    assert_eq!(routed(route("(broken")).service.name, "stable");
}

#[test]
fn routes_attached_to_a_service_split_in_mesh_calls() {
    let mut w = World::default();
    if !w.add_upstream(
        "gamma_mesh_route",
        "../gatewayapi-plugin/examples/cilium-header-based/httproute.yaml",
    ) {
        return;
    }
    let mut w2 = two_versions();
    w2.add(service("argo-rollouts-service", json!({"app": "demo"})))
        .add(service(
            "argo-rollouts-stable-service",
            json!({"app": "demo", "rollouts-pod-template-hash": "s"}),
        ))
        .add(service(
            "argo-rollouts-canary-service",
            json!({"app": "demo", "rollouts-pod-template-hash": "c"}),
        ));
    w2.http_routes = w.http_routes;
    // The plugin's weights at `setWeight: 20`, and a header route it appended.
    let route = std::sync::Arc::make_mut(&mut w2.http_routes[0]);
    route["spec"]["rules"][0]["backendRefs"][0]["weight"] = json!(80);
    route["spec"]["rules"][0]["backendRefs"][1]["weight"] = json!(20);
    let header_rule = json!({"name": "canary-header", "matches": [{"path": {"type": "PathPrefix", "value": "/"},
        "headers": [{"name": "x-canary", "type": "Exact", "value": "yes"}]}],
        "backendRefs": [{"group": "", "kind": "Service", "name": "argo-rollouts-canary-service", "port": 80}]});
    route["spec"]["rules"].as_array_mut().expect("rules").push(header_rule);
    let table = w2.table();
    let host = "argo-rollouts-service.default.svc.cluster.local";
    let canary = canary_count(&table, &get(host, "/"), 5000);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    assert_eq!(
        canary_count(
            &table,
            &with_headers("argo-rollouts-service", "/", &[("x-canary", "yes")]),
            500
        ),
        500
    );
    let r = routed(table.route(&get(host, "/"), &mut Seeded::new(1)));
    assert_eq!(
        r.via,
        Via::Gateway {
            namespace: "default".into(),
            route: "argo-rollouts-http-route".into()
        }
    );
    // The backends themselves are reached directly.
    assert_eq!(
        via(table.route(&get("argo-rollouts-canary-service", "/"), &mut Seeded::new(1))),
        Via::Service
    );
}
