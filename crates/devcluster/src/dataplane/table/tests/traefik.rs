//! Traefik IngressRoutes and the TraefikServices the Rollouts controller weights.

use serde_json::{Value, json};

use super::super::traefik_rule::{Rule, parse};
use super::*;

const HOST: &str = "demo.traefik.local";

fn ingress_route(group: &str, name: &str, routes: Value) -> Value {
    json!({"apiVersion": format!("{group}/v1alpha1"), "kind": "IngressRoute",
           "metadata": {"name": name, "namespace": "default"},
           "spec": {"entryPoints": ["web"], "routes": routes}})
}

/// The TraefikService the controller writes: `canary` at `weight`, `stable` the rest.
fn traefik_service(group: &str, name: &str, services: Value) -> Value {
    json!({"apiVersion": format!("{group}/v1alpha1"), "kind": "TraefikService",
           "metadata": {"name": name, "namespace": "default"},
           "spec": {"weighted": {"services": services}}})
}

fn weights(canary: i64) -> Value {
    json!([{"name": "stable", "port": 80, "weight": 100 - canary},
           {"name": "canary", "port": 80, "weight": canary}])
}

fn world(group: &str, canary: i64) -> World {
    let mut w = two_versions();
    w.add(ingress_route(
        group,
        "demo",
        json!([{"match": format!("Host(`{HOST}`) && PathPrefix(`/`)"), "kind": "Rule",
                "services": [{"name": "demo-ts", "kind": "TraefikService"}]}]),
    ))
    .add(traefik_service(group, "demo-ts", weights(canary)));
    w
}

fn canary_share(table: &RoutingTable, request: &Request<'_>, n: usize) -> usize {
    spread(table, request, n, 17).get("canary-1").copied().unwrap_or(0)
}

#[test]
fn a_weighted_traefik_service_splits_at_weight_20_in_both_api_groups() {
    for group in ["traefik.io", "traefik.containo.us"] {
        let table = world(group, 20).table();
        assert!(table.skipped().is_empty(), "{:?}", table.skipped());
        let canary = canary_share(&table, &get(HOST, "/color"), 5000);
        assert!((900..=1100).contains(&canary), "{group}: {canary} of 5000");
        assert_eq!(
            via(table.route(&get(HOST, "/"), &mut Seeded::new(1))),
            Via::Traefik {
                namespace: "default".into(),
                route: "demo".into()
            }
        );
        assert_not_found(
            table.route(&get("other.local", "/"), &mut Seeded::new(1)),
            "other.local",
        );
    }
}

#[test]
fn weights_0_and_100_and_nothing_above_0() {
    let request = get(HOST, "/");
    assert_eq!(canary_share(&world("traefik.io", 0).table(), &request, 2000), 0);
    assert_eq!(canary_share(&world("traefik.io", 100).table(), &request, 2000), 2000);
    let mut w = two_versions();
    w.add(ingress_route(
        "traefik.io",
        "demo",
        json!([{"match": format!("Host(`{HOST}`)"), "services": [{"name": "demo-ts", "kind": "TraefikService"}]}]),
    ))
    .add(traefik_service(
        "traefik.io",
        "demo-ts",
        json!([{"name": "canary", "port": 80, "weight": 0}]),
    ));
    assert_unavailable(
        w.table().route(&request, &mut Seeded::new(1)),
        "TraefikService default/demo-ts",
    );
}

#[test]
fn traefik_services_nest_and_route_services_balance_by_weight() {
    let mut w = two_versions();
    // Outer: inner 1, stable 1; inner: canary 2, stable 2: the canary takes a quarter.
    w.add(ingress_route(
        "traefik.io",
        "demo",
        json!([{"match": format!("Host(`{HOST}`)"), "services": [{"name": "outer", "kind": "TraefikService"}]}]),
    ))
    .add(traefik_service(
        "traefik.io",
        "outer",
        json!([{"name": "inner", "kind": "TraefikService", "weight": 1}, {"name": "stable", "port": 80, "weight": 1}]),
    ))
    .add(traefik_service(
        "traefik.io",
        "inner",
        json!([{"name": "canary", "port": "http", "weight": 2}, {"name": "stable", "port": 80, "weight": 2}]),
    ));
    let canary = canary_share(&w.table(), &get(HOST, "/"), 4000);
    assert!((900..=1100).contains(&canary), "{canary} of 4000");
    // Services listed on the route itself: weight 1 unless given.
    let mut w = two_versions();
    w.add(ingress_route(
        "traefik.io",
        "demo",
        json!([{"match": format!("Host(`{HOST}`)"),
                "services": [{"name": "canary", "port": 80}, {"name": "stable", "port": 80, "weight": 3}]}]),
    ));
    let canary = canary_share(&w.table(), &get(HOST, "/"), 4000);
    assert!((900..=1100).contains(&canary), "{canary} of 4000");
}

#[test]
fn rules_match_hosts_paths_and_headers_by_priority() {
    let mut w = two_versions();
    w.add(ingress_route(
        "traefik.io",
        "demo",
        json!([
            {"match": format!("Host(`{HOST}`) && PathPrefix(`/`)"), "services": [{"name": "stable", "port": 80}]},
            // Longer, so tried first: the header route.
            {"match": format!("Host(`{HOST}`) && PathPrefix(`/`) && Headers(`X-Canary`, `yes`)"),
             "services": [{"name": "canary", "port": 80}]},
            {"match": "Path(`/exact`) || Host(`canary.local`)", "priority": 1000,
             "services": [{"name": "canary", "port": 80}]},
            {"match": "PathPrefix(`/any`)", "services": [{"name": "canary", "port": 80}]},
        ]),
    ));
    let table = w.table();
    assert!(table.skipped().is_empty(), "{:?}", table.skipped());
    assert_eq!(pod_of(&table, &get(HOST, "/color")), "stable-1");
    assert_eq!(
        pod_of(&table, &with_headers(HOST, "/color", &[("x-canary", "yes")])),
        "canary-1"
    );
    assert_eq!(
        pod_of(&table, &with_headers(HOST, "/color", &[("x-canary", "no")])),
        "stable-1"
    );
    assert_eq!(
        pod_of(&table, &get(HOST, "/exact")),
        "canary-1",
        "the explicit priority wins"
    );
    assert_eq!(pod_of(&table, &get(HOST, "/exact/x")), "stable-1");
    // A rule that needs no host serves any host the other routers leave; a host it names it claims.
    assert_eq!(pod_of(&table, &get("elsewhere.local", "/anything")), "canary-1");
    assert_eq!(pod_of(&table, &get("canary.local", "/")), "canary-1");
    assert_not_found(
        table.route(&get("elsewhere.local", "/color"), &mut Seeded::new(1)),
        "no route",
    );
}

#[test]
fn the_rule_parser_reads_the_common_subset() {
    assert_eq!(
        parse("Host(`a.local`, \"B.local\") && !Method(`POST`)"),
        Ok(Rule::And(
            Box::new(Rule::Host(vec!["a.local".into(), "b.local".into()])),
            Box::new(Rule::Not(Box::new(Rule::Method(vec!["POST".into()]))))
        ))
    );
    let or = parse("(Host(`a`) || Host(`b`)) && Path(`/x`)").unwrap();
    assert!(or.needs_host());
    assert_eq!(or.hosts(), ["a", "b"]);
    assert!(!parse("Host(`a`) || PathPrefix(`/`)").unwrap().needs_host());
    for (bad, why) in [
        ("HostRegexp(`{sub:[a-z]+}.local`)", "HostRegexp is not supported"),
        ("Host(`a`) &&", "a matcher expected"),
        ("Host(`a`", "missing ',' or ')'"),
        ("Host(a)", "quoted argument"),
        ("PathPrefix(`/{id}`)", "template"),
        ("Headers(`k`)", "a name and a value"),
        ("Host(`a`) Host(`b`)", "unexpected text"),
        (&"(".repeat(100), "nested too deeply"),
    ] {
        let err = parse(bad).expect_err(bad);
        assert!(err.contains(why), "{bad}: {err}");
    }
}

#[test]
fn unreadable_routes_are_skipped_with_a_reason_and_the_others_still_route() {
    let mut w = two_versions();
    w.add(ingress_route(
        "traefik.io",
        "broken",
        json!([
            {"match": "HostRegexp(`.*`)", "services": [{"name": "canary", "port": 80}]},
            {"match": "Host(`a.local`)", "services": [{"name": "missing", "kind": "TraefikService"}]},
            {"match": "Host(`b.local`)", "services": [{"name": "loop", "kind": "TraefikService"}]},
            {"match": "Host(`c.local`)"},
            {"match": format!("Host(`{HOST}`)"), "services": [{"name": "stable", "port": 80}]},
        ]),
    ))
    .add(traefik_service(
        "traefik.io",
        "loop",
        json!([{"name": "loop", "kind": "TraefikService"}]),
    ));
    let table = w.table();
    let skipped = table.skipped().join("\n");
    for why in [
        "route 0: the matcher HostRegexp is not supported",
        "route 1: TraefikService default/missing not found",
        "route 2: TraefikService default/loop nests too deeply",
        "route 3: no services",
    ] {
        assert!(
            skipped.contains(&format!("IngressRoute default/broken: {why}")),
            "{why} not in\n{skipped}"
        );
    }
    assert_eq!(pod_of(&table, &get(HOST, "/")), "stable-1");
    assert_not_found(table.route(&get("a.local", "/"), &mut Seeded::new(1)), "a.local");
}
