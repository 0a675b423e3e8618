//! Ambassador Mappings: groups of one host and prefix, weighted canary Mappings, header matches.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;

fn mapping(group_version: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": group_version, "kind": "Mapping",
           "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

/// The canary Mapping the controller clones from `base`: the canary Service and a weight.
fn canary_of(base: &Value, weight: i64) -> Value {
    let mut canary = base.clone();
    canary["metadata"]["name"] = json!(format!(
        "{}-canary",
        base["metadata"]["name"].as_str().unwrap_or_default()
    ));
    let service = base["spec"]["service"]
        .as_str()
        .unwrap_or_default()
        .replace("stable", "canary");
    canary["spec"]["service"] = json!(service);
    canary["spec"]["weight"] = json!(weight);
    canary
}

fn world(version: &str, weight: i64) -> World {
    let base = mapping(version, "demo", json!({"prefix": "/demo", "service": "stable:80"}));
    let mut w = two_versions();
    w.add(canary_of(&base, weight)).add(base);
    w
}

fn canary_share(table: &RoutingTable, request: &Request<'_>, n: usize) -> usize {
    spread(table, request, n, 23).get("canary-1").copied().unwrap_or(0)
}

#[test]
fn the_upstream_example_splits_at_weight_20() {
    let mut w = World::default();
    for file in [
        "examples/ambassador/echo-mapping.yaml",
        "examples/ambassador/echo-service.yaml",
    ] {
        if !w.add_upstream("ambassador_example_splits_at_weight_20", file) {
            return;
        }
    }
    for svc in &mut w.services {
        let svc = Arc::make_mut(svc);
        let hash = if svc["metadata"]["name"] == "echo-stable" {
            "s"
        } else {
            "c"
        };
        svc["spec"]["selector"]["rollouts-pod-template-hash"] = json!(hash);
    }
    for (name, hash) in [("echo-s", "s"), ("echo-c", "c")] {
        w.add(pod(
            name,
            json!({"app": "echo", "rollouts-pod-template-hash": hash}),
            "hashicorp/http-echo",
        ));
    }
    let mut base = (*w.mappings[0]).clone();
    base["metadata"]["namespace"] = json!("default");
    w.mappings.clear();
    w.add(canary_of(&base, 20)).add(base);
    let table = w.table();
    assert!(table.skipped().is_empty(), "{:?}", table.skipped());
    // The Mappings name no host: any host.
    let counts = spread(&table, &get("ambassador.example.com", "/echo"), 5000, 9);
    let canary = counts.get("echo-c").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "canary took {canary} of 5000");
    let r = routed(table.route(&get("a", "/echo/x"), &mut Seeded::new(4)));
    assert!(
        matches!(&r.via, Via::Ambassador { mapping, .. } if mapping == "echo" || mapping == "echo-canary"),
        "{:?}",
        r.via
    );
    assert_not_found(table.route(&get("a", "/other"), &mut Seeded::new(1)), "no route");
}

#[test]
fn every_api_version_and_the_weights_0_and_100() {
    for version in [
        "getambassador.io/v2",
        "getambassador.io/v3alpha1",
        "x.getambassador.io/v3alpha1",
    ] {
        let request = get("h", "/demo");
        let canary = canary_share(&world(version, 20).table(), &request, 5000);
        assert!((900..=1100).contains(&canary), "{version}: {canary} of 5000");
        assert_eq!(canary_share(&world(version, 0).table(), &request, 1000), 0, "{version}");
        assert_eq!(
            canary_share(&world(version, 100).table(), &request, 1000),
            1000,
            "{version}"
        );
    }
    // Only weighted Mappings, at 0: nothing to send to.
    let mut w = two_versions();
    w.add(mapping(
        "getambassador.io/v2",
        "m",
        json!({"prefix": "/", "service": "canary", "weight": 0}),
    ));
    assert_unavailable(w.table().route(&get("h", "/"), &mut Seeded::new(1)), "weight above 0");
}

#[test]
fn hosts_headers_and_prefixes_pick_the_group() {
    let mut w = two_versions();
    let v3 = "getambassador.io/v3alpha1";
    w.add(mapping(
        v3,
        "site",
        json!({"hostname": "shop.example.com", "prefix": "/", "service": "stable.default:80"}),
    ))
    .add(mapping(
        v3,
        "api",
        json!({"hostname": "shop.example.com", "prefix": "/api/", "service": "canary"}),
    ))
    .add(mapping(
        v3,
        "beta",
        json!({"hostname": "shop.example.com", "prefix": "/",
                                        "headers": {"x-canary": "yes"}, "service": "http://canary.default:80"}),
    ))
    .add(mapping(
        "getambassador.io/v2",
        "wild",
        json!({"host": "*.example.org", "prefix": "/", "service": "canary"}),
    ));
    let table = w.table();
    assert!(table.skipped().is_empty(), "{:?}", table.skipped());
    assert_eq!(pod_of(&table, &get("shop.example.com", "/color")), "stable-1");
    assert_eq!(
        pod_of(&table, &get("shop.example.com", "/api/x")),
        "canary-1",
        "the longest prefix first"
    );
    assert_eq!(
        pod_of(&table, &with_headers("shop.example.com", "/", &[("x-canary", "yes")])),
        "canary-1"
    );
    assert_eq!(
        pod_of(&table, &with_headers("shop.example.com", "/", &[("x-canary", "YES")])),
        "stable-1"
    );
    assert_eq!(pod_of(&table, &get("a.example.org", "/")), "canary-1");
    assert_not_found(
        table.route(&get("other.example.com", "/"), &mut Seeded::new(1)),
        "other.example.com",
    );
}

#[test]
fn mappings_without_weight_share_what_the_weighted_ones_leave() {
    let mut w = two_versions();
    let v2 = "getambassador.io/v2";
    // 40 to the canary; the two unweighted stable Mappings share the other 60.
    w.add(mapping(v2, "a", json!({"prefix": "/", "service": "stable"})))
        .add(mapping(v2, "b", json!({"prefix": "/", "service": "stable.default"})))
        .add(mapping(
            v2,
            "c",
            json!({"prefix": "/", "service": "canary", "weight": 40}),
        ));
    let canary = canary_share(&w.table(), &get("h", "/"), 5000);
    assert!((1900..=2100).contains(&canary), "{canary} of 5000");
}

#[test]
fn unreadable_mappings_are_skipped_with_a_reason() {
    let mut w = two_versions();
    let v2 = "getambassador.io/v2";
    w.add(mapping(v2, "no-prefix", json!({"service": "canary"})))
        .add(mapping(v2, "no-service", json!({"prefix": "/"})))
        .add(mapping(
            v2,
            "regex",
            json!({"prefix": "/.*", "prefix_regex": true, "service": "canary"}),
        ))
        .add(mapping(
            v2,
            "bad-weight",
            json!({"prefix": "/", "service": "canary", "weight": "lots"}),
        ))
        .add(mapping(v2, "ok", json!({"prefix": "/", "service": "stable"})));
    let table = w.table();
    let skipped = table.skipped().join("\n");
    for why in [
        "Mapping default/no-prefix: no prefix",
        "Mapping default/no-service: no service",
        "Mapping default/regex: prefix_regex is not supported",
        "Mapping default/bad-weight: a weight that is not an integer",
    ] {
        assert!(skipped.contains(why), "{why} not in\n{skipped}");
    }
    assert_eq!(pod_of(&table, &get("h", "/")), "stable-1");
}
