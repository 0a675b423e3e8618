//! APISIX ApisixRoutes: weighted backends, the header-route copy the controller writes, expressions.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;

const HOST: &str = "rollouts-demo.apisix.local";

/// An ApisixRoute with one rule `name` for HOST, `/*`, and the backends given as (service, weight).
fn route(name: &str, rule: &str, backends: &[(&str, Option<i64>)]) -> Value {
    let backends: Vec<Value> = backends
        .iter()
        .map(|(svc, weight)| {
            let mut b = json!({"serviceName": svc, "servicePort": 80});
            if let Some(w) = weight {
                b["weight"] = json!(w);
            }
            b
        })
        .collect();
    json!({"apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
           "metadata": {"name": name, "namespace": "default"},
           "spec": {"http": [{"name": rule, "match": {"hosts": [HOST], "paths": ["/*"],
                                                      "methods": ["GET", "POST"]},
                              "backends": backends}]}})
}

fn weighted(canary: i64) -> World {
    let mut w = two_versions();
    w.add(route(
        "demo",
        "rule",
        &[("stable", Some(100 - canary)), ("canary", Some(canary))],
    ));
    w
}

fn canary_share(table: &RoutingTable, request: &Request<'_>, n: usize) -> usize {
    spread(table, request, n, 29).get("canary-1").copied().unwrap_or(0)
}

#[test]
fn the_upstream_e2e_route_splits_at_weight_20() {
    let mut w = World::default();
    if !w.add_upstream(
        "apisix_e2e_splits_at_weight_20",
        "test/e2e/apisix/rollout-apisix-canary.yaml",
    ) {
        return;
    }
    for svc in &mut w.services {
        let svc = Arc::make_mut(svc);
        let hash = if svc["metadata"]["name"] == "rollout-apisix-canary-stable" {
            "s"
        } else {
            "c"
        };
        svc["spec"]["selector"]["rollouts-pod-template-hash"] = json!(hash);
    }
    for (name, hash) in [("apisix-s", "s"), ("apisix-c", "c")] {
        w.add(pod(
            name,
            json!({"app": "rollout-apisix-canary", "rollouts-pod-template-hash": hash}),
            "argoproj/rollouts-demo:blue",
        ));
    }
    // As the controller sets the weights at step setWeight: 20.
    let r = Arc::make_mut(&mut w.apisix_routes[0]);
    r["spec"]["http"][0]["backends"][0]["weight"] = json!(80);
    r["spec"]["http"][0]["backends"][1]["weight"] = json!(20);
    let table = w.table();
    assert!(table.skipped().is_empty(), "{:?}", table.skipped());
    let counts = spread(&table, &get(HOST, "/color"), 5000, 3);
    let canary = counts.get("apisix-c").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "canary took {canary} of 5000");
    assert_eq!(
        via(table.route(&get(HOST, "/"), &mut Seeded::new(1))),
        Via::Apisix {
            namespace: "default".into(),
            route: "rollouts-apisix-route".into()
        }
    );
    // The rule is for GET and friends only, and for its host.
    let head = with_headers(HOST, "/", &[(":method", "HEAD")]);
    assert_not_found(table.route(&head, &mut Seeded::new(1)), HOST);
    assert_not_found(
        table.route(&get("other.local", "/"), &mut Seeded::new(1)),
        "other.local",
    );
}

#[test]
fn weights_default_to_100_and_0_takes_nothing() {
    let request = get(HOST, "/");
    assert_eq!(canary_share(&weighted(0).table(), &request, 2000), 0);
    assert_eq!(canary_share(&weighted(100).table(), &request, 2000), 2000);
    // No weights: 100 each, an even split.
    let mut w = two_versions();
    w.add(route("demo", "rule", &[("stable", None), ("canary", None)]));
    let canary = canary_share(&w.table(), &request, 4000);
    assert!((1800..=2200).contains(&canary), "{canary} of 4000");
    // A weight of 25 beside the default 100: a fifth.
    let mut w = two_versions();
    w.add(route("demo", "rule", &[("stable", None), ("canary", Some(25))]));
    let canary = canary_share(&w.table(), &request, 5000);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    let mut w = two_versions();
    w.add(route("demo", "rule", &[("stable", Some(0))]));
    assert_unavailable(w.table().route(&request, &mut Seeded::new(1)), "weight above 0");
}

/// The header route the controller writes: a copy of the route under the header route's name, the
/// canary at 100 and the stable removed, its priority one higher, with `exprs` on the header.
fn with_header_route(exprs: Value) -> World {
    let mut w = weighted(0);
    let mut copy = route("set-header", "rule", &[("canary", Some(100))]);
    copy["spec"]["http"][0]["priority"] = json!(1);
    copy["spec"]["http"][0]["match"]["exprs"] = exprs;
    w.add(copy);
    w
}

#[test]
fn the_header_route_copy_takes_matching_requests_by_priority() {
    let exact = json!([{"subject": {"scope": "Header", "name": "X-Canary"}, "op": "Equal", "value": "yes"}]);
    let table = with_header_route(exact).table();
    assert!(table.skipped().is_empty(), "{:?}", table.skipped());
    let header = |v: &str| pod_of(&table, &with_headers(HOST, "/color", &[("x-canary", v)]));
    assert_eq!(header("yes"), "canary-1");
    assert_eq!(header("no"), "stable-1");
    assert_eq!(pod_of(&table, &get(HOST, "/color")), "stable-1");
    let regex = json!([{"subject": {"scope": "Header", "name": "x-canary"}, "op": "RegexMatch", "value": "^ye"}]);
    let table = with_header_route(regex).table();
    assert_eq!(
        pod_of(&table, &with_headers(HOST, "/", &[("x-canary", "yeah")])),
        "canary-1"
    );
    assert_eq!(
        pod_of(&table, &with_headers(HOST, "/", &[("x-canary", "nope")])),
        "stable-1"
    );
    let set = json!([{"subject": {"scope": "Header", "name": "x-user"}, "op": "In", "set": ["ann", "bob"]},
                     {"subject": {"scope": "Cookie", "name": "beta"}, "op": "NotEqual", "value": "off"}]);
    let table = with_header_route(set).table();
    assert_eq!(
        pod_of(&table, &with_headers(HOST, "/", &[("x-user", "bob")])),
        "canary-1"
    );
    assert_eq!(
        pod_of(
            &table,
            &with_headers(HOST, "/", &[("x-user", "bob"), ("cookie", "a=1; beta=off")])
        ),
        "stable-1"
    );
    assert_eq!(
        pod_of(&table, &with_headers(HOST, "/", &[("x-user", "eve")])),
        "stable-1"
    );
}

#[test]
fn exact_paths_and_longer_prefixes_come_before_priority() {
    let mut w = two_versions();
    let mut r = route("demo", "all", &[("stable", None)]);
    r["spec"]["http"][0]["priority"] = json!(10);
    r["spec"]["http"].as_array_mut().unwrap().push(
        json!({"name": "api", "match": {"hosts": [HOST], "paths": ["/api/*", "/exact"]},
                     "backends": [{"serviceName": "canary", "servicePort": 80}]}),
    );
    w.add(r);
    // A rule for any host, tried after the host's own.
    w.add(json!({"apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
                 "metadata": {"name": "any", "namespace": "default"},
                 "spec": {"http": [{"name": "any", "match": {"paths": ["/fallback"]},
                                    "backends": [{"serviceName": "canary", "servicePort": "http"}]}]}}));
    let table = w.table();
    assert_eq!(pod_of(&table, &get(HOST, "/api/x")), "canary-1");
    assert_eq!(pod_of(&table, &get(HOST, "/exact")), "canary-1");
    assert_eq!(pod_of(&table, &get(HOST, "/exact/x")), "stable-1");
    assert_eq!(pod_of(&table, &get(HOST, "/color")), "stable-1");
    assert_eq!(pod_of(&table, &get("elsewhere", "/fallback")), "canary-1");
    assert_not_found(
        table.route(&get("elsewhere", "/color"), &mut Seeded::new(1)),
        "no route",
    );
}

#[test]
fn unreadable_rules_are_skipped_with_a_reason() {
    let mut w = two_versions();
    let mut r = route("broken", "ok", &[("stable", None)]);
    let rules = r["spec"]["http"].as_array_mut().unwrap();
    rules.insert(
        0,
        json!({"name": "no-paths", "match": {"hosts": [HOST]}, "backends": [{"serviceName": "canary"}]}),
    );
    rules.insert(0, json!({"name": "no-backends", "match": {"paths": ["/*"]}}));
    rules.insert(
        0,
        json!({"name": "bad-regex", "match": {"paths": ["/*"], "exprs": [
        {"subject": {"scope": "Header", "name": "x"}, "op": "RegexMatch", "value": "(broken"}]},
        "backends": [{"serviceName": "canary"}]}),
    );
    rules.insert(
        0,
        json!({"name": "bad-op", "match": {"paths": ["/*"], "exprs": [
        {"subject": {"scope": "Header", "name": "x"}, "op": "Sounds", "value": "like"}]},
        "backends": [{"serviceName": "canary"}]}),
    );
    w.add(r);
    let table = w.table();
    let skipped = table.skipped().join("\n");
    for why in [
        "ApisixRoute default/broken: rule no-paths: no paths",
        "ApisixRoute default/broken: rule no-backends: no backends",
        "ApisixRoute default/broken: rule bad-regex: the expression \"(broken\" does not compile",
        "ApisixRoute default/broken: rule bad-op: the operator \"Sounds\"",
    ] {
        assert!(skipped.contains(why), "{why} not in\n{skipped}");
    }
    assert_eq!(pod_of(&table, &get(HOST, "/")), "stable-1");
}
