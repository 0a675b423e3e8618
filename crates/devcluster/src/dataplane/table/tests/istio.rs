//! Istio VirtualServices at the gateway and in the mesh: matches, weights, subsets and mirrors.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;

fn virtual_service(name: &str, gateways: Value, hosts: Value, http: Value) -> Value {
    json!({
        "apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"gateways": gateways, "hosts": hosts, "http": http},
    })
}

fn destination(host: &str, weight: i64) -> Value {
    json!({"destination": {"host": host}, "weight": weight})
}

/// Stable and canary behind a gateway VirtualService for `demo.local`, `http` as given.
fn at_gateway(http: Value) -> World {
    let mut w = two_versions();
    w.add(virtual_service(
        "demo-vsvc",
        json!(["demo-gateway"]),
        json!(["demo.local"]),
        http,
    ));
    w
}

fn canary_count(table: &RoutingTable, request: &Request<'_>, n: usize) -> usize {
    spread(table, request, n, 9).get("canary-1").copied().unwrap_or(0)
}

#[test]
fn getting_started_istio_host_split() {
    let mut w = World::default();
    let files = [
        "docs/getting-started/istio/virtualsvc.yaml",
        "docs/getting-started/istio/services.yaml",
    ];
    for file in files {
        if !w.add_upstream("getting_started_istio_host_split", file) {
            return;
        }
    }
    w.add_upstream(
        "getting_started_istio_host_split",
        "docs/getting-started/istio/gateway.yaml",
    );
    for svc in &mut w.services {
        let svc = Arc::make_mut(svc);
        let hash = if svc["metadata"]["name"] == "rollouts-demo-stable" {
            "s"
        } else {
            "c"
        };
        svc["spec"]["selector"]["rollouts-pod-template-hash"] = json!(hash);
    }
    // The controller's weights at `setWeight: 20`.
    let vs = Arc::make_mut(&mut w.virtual_services[0]);
    vs["spec"]["http"][0]["route"][0]["weight"] = json!(80);
    vs["spec"]["http"][0]["route"][1]["weight"] = json!(20);
    w.add(pod(
        "s-1",
        json!({"app": "rollouts-demo", "rollouts-pod-template-hash": "s"}),
        "argoproj/rollouts-demo:blue",
    ))
    .add(pod(
        "c-1",
        json!({"app": "rollouts-demo", "rollouts-pod-template-hash": "c"}),
        "argoproj/rollouts-demo:yellow",
    ));
    let table = w.table();
    let counts = spread(&table, &get("rollouts-demo.local", "/color"), 5000, 4);
    let canary = counts.get("c-1").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    let r = routed(table.route(&get("rollouts-demo.local", "/"), &mut Seeded::new(1)));
    assert_eq!(
        r.via,
        Via::Istio {
            namespace: "default".into(),
            virtual_service: "rollouts-demo-vsvc".into(),
            subset: None
        }
    );
    // The VirtualService is bound to the gateway only: in the mesh, the Service answers by itself.
    assert_eq!(
        via(table.route(&get("rollouts-demo-canary", "/"), &mut Seeded::new(1))),
        Via::Service
    );
}

#[test]
fn upstream_subset_split_in_the_mesh() {
    let mut w = World::default();
    if !w.add_upstream(
        "upstream_subset_split_in_the_mesh",
        "examples/istio/istio-subset-split.yaml",
    ) {
        return;
    }
    // The controller's DestinationRule subsets and weights at `setWeight: 10`.
    let dr = Arc::make_mut(&mut w.destination_rules[0]);
    dr["spec"]["subsets"][0]["labels"]["rollouts-pod-template-hash"] = json!("s");
    dr["spec"]["subsets"][1]["labels"]["rollouts-pod-template-hash"] = json!("c");
    let vs = Arc::make_mut(&mut w.virtual_services[0]);
    vs["spec"]["http"][0]["route"][0]["weight"] = json!(90);
    vs["spec"]["http"][0]["route"][1]["weight"] = json!(10);
    let labels = |hash: &str| json!({"app": "istio-subset-split", "rollouts-pod-template-hash": hash});
    w.add(pod("s-1", labels("s"), "nginx:1.19-alpine"))
        .add(pod("s-2", labels("s"), "nginx:1.19-alpine"))
        .add(pod("c-1", labels("c"), "nginx:1.20-alpine"));
    let table = w.table();
    let counts = spread(&table, &get("istio-subset-split", "/"), 5000, 8);
    let canary = counts.get("c-1").copied().unwrap_or(0);
    assert!((400..=600).contains(&canary), "{canary} of 5000");
    let r = routed(table.route(
        &get("istio-subset-split.default.svc.cluster.local", "/"),
        &mut Script(vec![4999]),
    ));
    assert_eq!(r.backend.pod, "c-1");
    assert_eq!(
        r.via,
        Via::Istio {
            namespace: "default".into(),
            virtual_service: "istio-subset-split-vsvc".into(),
            subset: Some("canary".into()),
        }
    );
    assert_eq!(r.service.name, "istio-subset-split");
}

#[test]
fn weights_at_20_and_0() {
    let http =
        |w: i64| json!([{"name": "primary", "route": [destination("stable", 100 - w), destination("canary", w)]}]);
    let canary = canary_count(&at_gateway(http(20)).table(), &get("demo.local", "/"), 5000);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    assert_eq!(
        canary_count(&at_gateway(http(0)).table(), &get("demo.local", "/"), 5000),
        0
    );
}

#[test]
fn header_route_sends_every_matching_request_and_no_other() {
    // The controller puts a `setHeaderRoute` ahead of the weighted route.
    let table = at_gateway(json!([
        {"name": "canary-header", "match": [{"headers": {"x-canary": {"exact": "yes"}}}],
         "route": [{"destination": {"host": "canary"}, "weight": 100}]},
        {"name": "primary", "route": [destination("stable", 100), destination("canary", 0)]},
    ]))
    .table();
    let matching = with_headers("demo.local", "/color", &[("x-canary", "yes")]);
    assert_eq!(canary_count(&table, &matching, 1000), 1000);
    let other = with_headers("demo.local", "/color", &[("x-canary", "no")]);
    assert_eq!(canary_count(&table, &other, 1000), 0);
    assert_eq!(canary_count(&table, &get("demo.local", "/color"), 1000), 0);
}

#[test]
fn match_conditions() {
    let to = |svc: &str| json!([{"destination": {"host": svc}}]);
    let table = at_gateway(json!([
        {"match": [{"uri": {"exact": "/exact"}}], "route": to("canary")},
        {"match": [{"uri": {"regex": "/re/[0-9]+"}}], "route": to("canary")},
        {"match": [{"uri": {"prefix": "/CaSe"}, "ignoreUriCase": true}], "route": to("canary")},
        {"match": [{"uri": {"prefix": "/both"}, "headers": {"x-a": {"prefix": "v"}, "x-b": {"regex": "[a-z]+"}}}],
         "route": to("canary")},
        {"match": [{"uri": {"prefix": "/either"}}, {"headers": {"x-either": {}}}], "route": to("canary")},
        {"match": [{"method": {"exact": "POST"}, "uri": {"prefix": "/post"}}], "route": to("canary")},
        {"match": [{"uri": {"prefix": "/without"}, "withoutHeaders": {"x-skip": {"exact": "1"}}}], "route": to("canary")},
        {"match": [{"uri": {"prefix": "/query"}, "queryParams": {"a": {"exact": "1"}}}], "route": to("canary")},
        {"match": [{"uri": {"prefix": "/mesh-only"}, "gateways": ["mesh"]}], "route": to("canary")},
        {"match": [{"uri": {"regex": "(broken"}}], "route": to("canary")},
        {"redirect": {"uri": "/elsewhere"}},
        {"route": to("stable")},
    ]))
    .table();
    let service = |request: Request<'_>| routed(table.route(&request, &mut Seeded::new(1))).service.name;
    let host = "demo.local";
    assert_eq!(service(get(host, "/exact")), "canary");
    assert_eq!(service(get(host, "/exact/x")), "stable");
    assert_eq!(service(get(host, "/re/12")), "canary");
    assert_eq!(service(get(host, "/re/12x")), "stable");
    assert_eq!(service(get(host, "/case/x")), "canary");
    assert_eq!(
        service(with_headers(host, "/both", &[("x-a", "v1"), ("x-b", "abc")])),
        "canary"
    );
    assert_eq!(
        service(with_headers(host, "/both", &[("x-a", "v1"), ("x-b", "ABC")])),
        "stable"
    );
    assert_eq!(service(with_headers(host, "/both", &[("x-a", "v1")])), "stable");
    assert_eq!(service(get(host, "/either")), "canary");
    assert_eq!(service(with_headers(host, "/", &[("x-either", "")])), "canary");
    assert_eq!(service(with_headers(host, "/post", &[(":method", "POST")])), "canary");
    assert_eq!(service(get(host, "/post")), "stable");
    assert_eq!(service(get(host, "/without")), "canary");
    assert_eq!(service(with_headers(host, "/without", &[("x-skip", "1")])), "stable");
    assert_eq!(service(get(host, "/query")), "stable");
    assert_eq!(service(get(host, "/mesh-only")), "stable");
    assert_eq!(service(get(host, "(broken")), "stable");
}

#[test]
fn no_matching_route_is_404_naming_the_virtual_service() {
    let table =
        at_gateway(json!([{"match": [{"uri": {"prefix": "/api"}}], "route": [destination("stable", 100)]}])).table();
    assert_not_found(
        table.route(&get("demo.local", "/"), &mut Seeded::new(1)),
        "VirtualService default/demo-vsvc",
    );
}

#[test]
fn mirror_route_copies_its_share() {
    // What the controller writes for `setMirrorRoute` (percentage 50) ahead of the weighted route.
    let table = at_gateway(json!([
        {"name": "mirror-route", "match": [{"method": {"exact": "POST"}, "uri": {"prefix": "/color"}}],
         "route": [{"destination": {"host": "stable"}, "weight": 100}],
         "mirror": {"host": "canary"}, "mirrorPercentage": {"value": 50.0}},
        {"name": "primary", "route": [destination("stable", 100), destination("canary", 0)]},
    ]))
    .table();
    let post = with_headers("demo.local", "/color", &[(":method", "POST")]);
    let mut draw = Seeded::new(12);
    let mut mirrored = 0;
    for _ in 0..4000 {
        let r = routed(table.route(&post, &mut draw));
        assert_eq!(r.backend.pod, "stable-1");
        match r.mirrors.as_slice() {
            [] => {}
            [copy] => {
                assert_eq!(copy.pod, "canary-1");
                mirrored += 1;
            }
            more => panic!("{more:?}"),
        }
    }
    assert!((1800..=2200).contains(&mirrored), "{mirrored} of 4000");
    for _ in 0..200 {
        assert!(
            routed(table.route(&get("demo.local", "/color"), &mut draw))
                .mirrors
                .is_empty()
        );
    }
}

#[test]
fn mirror_without_percentage_copies_everything() {
    let table = at_gateway(
        json!([{"route": [destination("stable", 100)], "mirror": {"host": "canary.default.svc.cluster.local"}}]),
    )
    .table();
    let r = routed(table.route(&get("demo.local", "/"), &mut Seeded::new(1)));
    assert_eq!(
        r.mirrors.iter().map(|b| b.pod.as_str()).collect::<Vec<_>>(),
        ["canary-1"]
    );
}

#[test]
fn destinations_resolve_in_the_virtual_service_namespace_with_ports() {
    let mut w = two_versions();
    w.add(pod_in("shop", "cart-1", json!({"app": "cart"}), "cart:v1"))
        .add(service_in("shop", "cart", json!({"app": "cart"})));
    let mut vs = virtual_service(
        "shop-vs",
        json!(["shop/gw"]),
        json!(["shop.local"]),
        json!([
            {"match": [{"uri": {"prefix": "/short"}}], "route": [{"destination": {"host": "cart", "port": {"number": 8080}}}]},
            {"match": [{"uri": {"prefix": "/other-ns"}}], "route": [{"destination": {"host": "stable.default.svc.cluster.local"}}]},
            {"match": [{"uri": {"prefix": "/external"}}], "route": [{"destination": {"host": "api.example.com"}}]},
            {"route": [{"destination": {"host": "cart"}}, {"destination": {"host": "cart"}}]},
        ]),
    );
    vs["metadata"]["namespace"] = json!("shop");
    w.add(vs);
    let table = w.table();
    let r = routed(table.route(&get("shop.local", "/short"), &mut Seeded::new(1)));
    assert_eq!(
        (r.backend.pod.as_str(), r.service.namespace.as_str(), r.service.port),
        ("cart-1", "shop", 8080)
    );
    assert_eq!(pod_of(&table, &get("shop.local", "/other-ns")), "stable-1");
    assert_unavailable(
        table.route(&get("shop.local", "/external"), &mut Seeded::new(1)),
        "api.example.com",
    );
    // Several destinations without weights all weigh 0.
    assert_unavailable(table.route(&get("shop.local", "/"), &mut Seeded::new(1)), "weight 0");
}

#[test]
fn subsets_need_a_destination_rule() {
    let mut w = two_versions();
    w.add(virtual_service(
        "vs",
        json!([]),
        json!(["demo"]),
        json!([
            {"match": [{"uri": {"prefix": "/known"}}], "route": [{"destination": {"host": "demo", "subset": "canary"}}]},
            {"route": [{"destination": {"host": "demo", "subset": "gone"}}]},
        ]),
    ))
    .add(json!({
        "apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule",
        "metadata": {"name": "dr", "namespace": "default"},
        "spec": {"host": "demo.default.svc.cluster.local",
                 "subsets": [{"name": "canary", "labels": {"rollouts-pod-template-hash": "c"}},
                             {"name": "stable", "labels": {"rollouts-pod-template-hash": "s"}}]},
    }));
    let table = w.table();
    for _ in 0..20 {
        assert_eq!(pod_of(&table, &get("demo", "/known")), "canary-1");
    }
    assert_unavailable(table.route(&get("demo", "/"), &mut Seeded::new(1)), "subset gone");
}

#[test]
fn gateway_binding_decides_where_a_virtual_service_serves() {
    let mut w = two_versions();
    let only_canary = json!([{"route": [{"destination": {"host": "canary"}}]}]);
    w.add(virtual_service(
        "mesh-only",
        json!(["mesh"]),
        json!(["stable", "mesh.local"]),
        only_canary.clone(),
    ))
    .add(virtual_service(
        "both",
        json!(["gw", "mesh"]),
        json!(["both.local", "demo"]),
        only_canary.clone(),
    ))
    .add(virtual_service(
        "wild",
        json!(["gw"]),
        json!(["*.wild.local"]),
        only_canary,
    ));
    let table = w.table();
    assert_eq!(pod_of(&table, &get("stable", "/")), "canary-1");
    assert_eq!(
        pod_of(&table, &get("stable.default.svc.cluster.local", "/")),
        "canary-1"
    );
    assert_not_found(
        table.route(&get("mesh.local.example", "/"), &mut Seeded::new(1)),
        "mesh.local.example",
    );
    assert_eq!(pod_of(&table, &get("both.local", "/")), "canary-1");
    assert_eq!(pod_of(&table, &get("demo.default", "/")), "canary-1");
    assert_eq!(pod_of(&table, &get("a.b.wild.local", "/")), "canary-1");
    // `mesh.local` is not a Service's name: only the mesh-side literal host knows it.
    assert_eq!(pod_of(&table, &get("mesh.local", "/")), "canary-1");
}
