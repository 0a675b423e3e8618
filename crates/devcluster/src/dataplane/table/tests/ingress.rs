//! Ingresses as ingress-nginx serves them: hosts, paths, default backends and canary annotations.

use serde_json::{Value, json};

use super::*;

const HOST: &str = "rollouts-demo.local";

/// An Ingress of namespace `default` for `host` (empty: any) with `(path, pathType, service)` paths to
/// port 80.
fn ingress(name: &str, host: &str, paths: &[(&str, &str, &str)], annotations: Value) -> Value {
    let paths: Vec<Value> = paths
        .iter()
        .map(|(path, kind, svc)| {
            json!({"path": path, "pathType": kind,
                   "backend": {"service": {"name": svc, "port": {"number": 80}}}})
        })
        .collect();
    let mut rule = json!({"http": {"paths": paths}});
    if !host.is_empty() {
        rule["host"] = json!(host);
    }
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "default", "annotations": annotations},
        "spec": {"rules": [rule]},
    })
}

/// The canary Ingress the controller writes next to `stable-ingress` for Service `canary`, with the
/// canary annotations given (keys without the `nginx.ingress.kubernetes.io/` prefix).
fn canary_ingress(annotations: &[(&str, &str)]) -> Value {
    let mut all = serde_json::Map::new();
    all.insert("kubernetes.io/ingress.class".into(), json!("nginx"));
    all.insert("nginx.ingress.kubernetes.io/canary".into(), json!("true"));
    for (k, v) in annotations {
        all.insert(format!("nginx.ingress.kubernetes.io/{k}"), json!(v));
    }
    let mut canary = ingress(
        "demo-stable-ingress-canary",
        HOST,
        &[("/", "Prefix", "canary")],
        Value::Object(all),
    );
    canary["metadata"]["ownerReferences"] = json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "name": "demo", "uid": "u-1", "controller": true, "blockOwnerDeletion": true}]);
    canary
}

/// Stable and canary versions behind `stable-ingress`, with the controller's canary Ingress.
fn with_canary(annotations: &[(&str, &str)]) -> World {
    let mut w = two_versions();
    w.add(ingress(
        "stable-ingress",
        HOST,
        &[("/", "Prefix", "stable")],
        json!({"kubernetes.io/ingress.class": "nginx"}),
    ))
    .add(canary_ingress(annotations));
    w
}

fn canary_share(table: &RoutingTable, request: &Request<'_>, n: usize) -> usize {
    spread(table, request, n, 20).get("canary-1").copied().unwrap_or(0)
}

#[test]
fn getting_started_nginx_splits_at_weight_20() {
    let mut w = World::default();
    if !w.add_upstream(
        "getting_started_nginx_splits_at_weight_20",
        "docs/getting-started/nginx/ingress.yaml",
    ) {
        return;
    }
    w.add_upstream("getting_started_nginx", "docs/getting-started/nginx/services.yaml");
    // The controller pins each Service to its ReplicaSet's pods, then writes the canary Ingress.
    for svc in &mut w.services {
        let svc = std::sync::Arc::make_mut(svc);
        let hash = if svc["metadata"]["name"] == "rollouts-demo-stable" {
            "s"
        } else {
            "c"
        };
        svc["spec"]["selector"]["rollouts-pod-template-hash"] = json!(hash);
    }
    w.add(pod(
        "demo-s-1",
        json!({"app": "rollouts-demo", "rollouts-pod-template-hash": "s"}),
        "argoproj/rollouts-demo:blue",
    ))
    .add(pod(
        "demo-c-1",
        json!({"app": "rollouts-demo", "rollouts-pod-template-hash": "c"}),
        "argoproj/rollouts-demo:yellow",
    ));
    let mut canary = canary_ingress(&[("canary-weight", "20")]);
    canary["metadata"]["name"] = json!("rollouts-demo-rollouts-demo-stable-canary");
    canary["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = json!("rollouts-demo-canary");
    w.add(canary);
    let table = w.table();

    let counts = spread(&table, &get(HOST, "/color"), 5000, 7);
    let canary = counts.get("demo-c-1").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "canary took {canary} of 5000");

    let mut draw = Seeded::new(3);
    let mut seen = (false, false);
    for _ in 0..50 {
        let r = routed(table.route(&get(HOST, "/color"), &mut draw));
        let Via::Ingress {
            namespace,
            ingress,
            canary,
        } = r.via
        else {
            panic!("{:?}", r.via)
        };
        assert_eq!(
            (namespace.as_str(), ingress.as_str()),
            ("default", "rollouts-demo-stable")
        );
        if r.backend.pod == "demo-c-1" {
            assert_eq!(canary.as_deref(), Some("default-rollouts-demo-canary-80"));
            assert_eq!(r.service.name, "rollouts-demo-canary");
            seen.1 = true;
        } else {
            assert_eq!(canary, None);
            assert_eq!((r.service.name.as_str(), r.service.port), ("rollouts-demo-stable", 80));
            seen.0 = true;
        }
    }
    assert_eq!(seen, (true, true));
}

#[test]
fn canary_weight_20_takes_a_fifth_and_0_takes_none() {
    let table = with_canary(&[("canary-weight", "20")]).table();
    let canary = canary_share(&table, &get(HOST, "/"), 5000);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");

    let table = with_canary(&[("canary-weight", "0")]).table();
    assert_eq!(canary_share(&table, &get(HOST, "/"), 5000), 0);
    let table = with_canary(&[]).table();
    assert_eq!(canary_share(&table, &get(HOST, "/"), 1000), 0);
    let table = with_canary(&[("canary-weight", "100")]).table();
    assert_eq!(canary_share(&table, &get(HOST, "/"), 1000), 1000);
}

#[test]
fn weight_total_below_100_counts_as_100() {
    let table = with_canary(&[("canary-weight", "250"), ("canary-weight-total", "1000")]).table();
    let canary = canary_share(&table, &get(HOST, "/"), 4000);
    assert!((900..=1100).contains(&canary), "{canary} of 4000");
    let table = with_canary(&[("canary-weight", "25"), ("canary-weight-total", "50")]).table();
    let canary = canary_share(&table, &get(HOST, "/"), 4000);
    assert!((900..=1100).contains(&canary), "{canary} of 4000");
    let table = with_canary(&[("canary-weight", "junk")]).table();
    assert_eq!(canary_share(&table, &get(HOST, "/"), 500), 0);
}

#[test]
fn header_always_and_never() {
    let table = with_canary(&[("canary-by-header", "X-Canary"), ("canary-weight", "50")]).table();
    let always = with_headers(HOST, "/", &[("x-canary", "always")]);
    let never = with_headers(HOST, "/", &[("x-canary", "never")]);
    let other = with_headers(HOST, "/", &[("x-canary", "maybe")]);
    assert_eq!(canary_share(&table, &always, 500), 500);
    assert_eq!(canary_share(&table, &never, 500), 0);
    // Any other value falls through to the weight.
    let share = canary_share(&table, &other, 2000);
    assert!((900..=1100).contains(&share), "{share} of 2000");
}

#[test]
fn header_route_sends_every_matching_request_and_no_other() {
    // What the controller writes for a `setHeaderRoute` at weight 0.
    let table = with_canary(&[
        ("canary-weight", "0"),
        ("canary-by-header", "X-Version"),
        ("canary-by-header-value", "v2"),
    ])
    .table();
    let matching = with_headers(HOST, "/color", &[("x-version", "v2")]);
    assert_eq!(canary_share(&table, &matching, 1000), 1000);
    for headers in [
        &[("x-version", "v1")][..],
        &[("x-version", "always")],
        &[("x-other", "v2")],
        &[],
    ] {
        let request = with_headers(HOST, "/color", headers);
        assert_eq!(canary_share(&table, &request, 1000), 0, "{headers:?}");
    }
}

#[test]
fn header_pattern_finds_a_match_anywhere_unless_anchored() {
    let table = with_canary(&[("canary-by-header", "user"), ("canary-by-header-pattern", "^beta-.*")]).table();
    let beta = with_headers(HOST, "/", &[("user", "beta-tester")]);
    let not_beta = with_headers(HOST, "/", &[("user", "x-beta-tester")]);
    assert_eq!(canary_share(&table, &beta, 300), 300);
    assert_eq!(canary_share(&table, &not_beta, 300), 0);

    let table = with_canary(&[("canary-by-header", "user"), ("canary-by-header-pattern", "beta")]).table();
    assert_eq!(canary_share(&table, &not_beta, 300), 300);
    // With a value set, the pattern is not consulted.
    let table = with_canary(&[
        ("canary-by-header", "user"),
        ("canary-by-header-value", "exact"),
        ("canary-by-header-pattern", ".*"),
    ])
    .table();
    assert_eq!(canary_share(&table, &beta, 300), 0);
    // A broken pattern keeps the canary out, weight included.
    let table = with_canary(&[
        ("canary-by-header", "user"),
        ("canary-by-header-pattern", "(unclosed"),
        ("canary-weight", "100"),
    ])
    .table();
    assert_eq!(canary_share(&table, &beta, 300), 0);
    assert_eq!(canary_share(&table, &get(HOST, "/"), 300), 300);
}

#[test]
fn cookie_always_and_never_come_after_headers() {
    let table = with_canary(&[
        ("canary-by-cookie", "canary"),
        ("canary-by-header", "x-canary"),
        ("canary-weight", "100"),
    ])
    .table();
    let always = with_headers(HOST, "/", &[("cookie", "a=b; canary=always")]);
    let never = with_headers(HOST, "/", &[("cookie", "canary=never")]);
    assert_eq!(canary_share(&table, &always, 100), 100);
    assert_eq!(canary_share(&table, &never, 100), 0);
    let header_wins = with_headers(HOST, "/", &[("cookie", "canary=never"), ("x-canary", "always")]);
    assert_eq!(canary_share(&table, &header_wins, 100), 100);
}

#[test]
fn a_canary_without_ready_pods_is_passed_over_and_a_primary_without_is_503() {
    let mut w = with_canary(&[("canary-by-header", "x-canary"), ("canary-weight", "100")]);
    w.pods.retain(|p| p["metadata"]["name"] != "canary-1");
    let table = w.table();
    let always = with_headers(HOST, "/", &[("x-canary", "always")]);
    assert_eq!(pod_of(&table, &always), "stable-1");

    let mut w = with_canary(&[("canary-by-header", "x-canary"), ("canary-weight", "100")]);
    w.pods.retain(|p| p["metadata"]["name"] != "stable-1");
    assert_unavailable(
        w.table().route(&always, &mut Seeded::new(1)),
        "default/stable has no ready endpoints",
    );
}

#[test]
fn longest_path_wins_exact_first_prefix_by_element() {
    let mut w = two_versions();
    w.add(ingress(
        "paths",
        HOST,
        &[
            ("/", "Prefix", "demo"),
            ("/api", "Prefix", "stable"),
            ("/api/v2", "ImplementationSpecific", "canary"),
            ("/exact", "Exact", "canary"),
            ("/exact", "Prefix", "stable"),
        ],
        json!({}),
    ));
    let table = w.table();
    let service = |path: &str| routed(table.route(&get(HOST, path), &mut Seeded::new(1))).service.name;
    assert_eq!(service("/api"), "stable");
    assert_eq!(service("/api/"), "stable");
    assert_eq!(service("/api/v1/x"), "stable");
    assert_eq!(service("/api/v2/x"), "canary");
    assert_eq!(service("/apis"), "demo");
    assert_eq!(service("/exact"), "canary");
    assert_eq!(service("/exact/more"), "stable");
    assert_eq!(service("/"), "demo");
}

#[test]
fn hosts_exact_then_wildcard_and_a_known_host_without_path_is_404() {
    let mut w = two_versions();
    w.add(ingress(
        "wild",
        "*.example.com",
        &[("/", "Prefix", "canary")],
        json!({}),
    ))
    .add(ingress(
        "exact",
        "www.example.com",
        &[("/only", "Exact", "stable")],
        json!({}),
    ));
    let table = w.table();
    let service = |host: &str| routed(table.route(&get(host, "/"), &mut Seeded::new(1))).service.name;
    assert_eq!(service("a.example.com"), "canary");
    assert_eq!(service("a.b.example.com"), "canary");
    assert_eq!(
        routed(table.route(&get("www.example.com", "/only"), &mut Seeded::new(1)))
            .service
            .name,
        "stable"
    );
    assert_not_found(
        table.route(&get("www.example.com", "/"), &mut Seeded::new(1)),
        "no ingress path matches /",
    );
    assert_not_found(
        table.route(&get("example.com", "/"), &mut Seeded::new(1)),
        "example.com",
    );
}

#[test]
fn default_backends_serve_their_hosts_and_the_unknown_ones() {
    let mut w = two_versions();
    let mut with_default = ingress("site", "site.local", &[("/api", "Prefix", "stable")], json!({}));
    with_default["spec"]["defaultBackend"] = json!({"service": {"name": "canary", "port": {"number": 80}}});
    w.add(with_default);
    let table = w.table();
    let r = routed(table.route(&get("site.local", "/other"), &mut Seeded::new(1)));
    assert_eq!(r.service.name, "canary");
    assert_eq!(
        r.via,
        Via::Ingress {
            namespace: "default".into(),
            ingress: "site".into(),
            canary: None
        }
    );
    assert_eq!(pod_of(&table, &get("unknown.host", "/")), "canary-1");
    // In-mesh names still reach their Service.
    assert_eq!(pod_of(&table, &get("stable", "/")), "stable-1");
}

#[test]
fn rules_without_host_serve_any_host_after_in_mesh_names() {
    let mut w = two_versions();
    w.add(ingress("any", "", &[("/app", "Prefix", "canary")], json!({})));
    let table = w.table();
    assert_eq!(pod_of(&table, &get("127.0.0.1", "/app")), "canary-1");
    assert_eq!(pod_of(&table, &get("stable", "/app")), "stable-1");
    assert_not_found(table.route(&get("127.0.0.1", "/"), &mut Seeded::new(1)), "127.0.0.1");
}

#[test]
fn the_oldest_ingress_wins_a_host_and_path() {
    let mut w = two_versions();
    let mut young = ingress("a-young", HOST, &[("/", "Prefix", "canary")], json!({}));
    young["metadata"]["creationTimestamp"] = json!("2026-02-01T00:00:00Z");
    let mut old = ingress("z-old", HOST, &[("/", "Prefix", "stable")], json!({}));
    old["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
    w.add(young).add(old);
    let r = routed(w.table().route(&get(HOST, "/"), &mut Seeded::new(1)));
    assert_eq!(r.service.name, "stable");
    assert_eq!(
        r.via,
        Via::Ingress {
            namespace: "default".into(),
            ingress: "z-old".into(),
            canary: None
        }
    );
}

#[test]
fn a_canary_without_its_primary_is_ignored() {
    let mut w = two_versions();
    w.add(canary_ingress(&[("canary-weight", "100")]));
    assert_not_found(w.table().route(&get(HOST, "/"), &mut Seeded::new(1)), HOST);
    // Nor does it attach to another path of the host.
    let mut w = two_versions();
    w.add(ingress(
        "stable-ingress",
        HOST,
        &[("/api", "Prefix", "stable")],
        json!({}),
    ))
    .add(canary_ingress(&[("canary-weight", "100")]));
    assert_eq!(pod_of(&w.table(), &get(HOST, "/api")), "stable-1");
}

#[test]
fn the_canary_label_names_the_port_as_written() {
    let mut w = with_canary(&[("canary-weight", "100")]);
    let canary = std::sync::Arc::make_mut(&mut w.ingresses[1]);
    canary["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = json!({"name": "http"});
    let r = routed(w.table().route(&get(HOST, "/"), &mut Seeded::new(1)));
    assert_eq!(r.service.port, 80);
    let Via::Ingress { canary, .. } = r.via else { panic!() };
    assert_eq!(canary.as_deref(), Some("default-canary-http"));
}
