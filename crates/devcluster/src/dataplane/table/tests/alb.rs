//! Ingresses of class `alb` as the AWS Load Balancer Controller serves them: actions, conditions,
//! rule order and the annotation prefix.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::dataplane::FixedResponse;

const PREFIX: &str = "alb.ingress.kubernetes.io";

/// The forward action the Rollouts controller writes for `canary` at `weight` (stable the rest).
fn forward(canary: &str, stable: &str, weight: i64) -> String {
    json!({"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"ServiceName": canary, "ServicePort": "80", "Weight": weight},
        {"ServiceName": stable, "ServicePort": "80", "Weight": 100 - weight},
    ]}})
    .to_string()
}

/// An `alb` Ingress (by annotation) with one hostless rule: `paths` as (path, pathType, service,
/// port name or "" for port 80), and the annotations given.
fn alb_ingress(name: &str, paths: &[(&str, &str, &str, &str)], annotations: &[(&str, String)]) -> Value {
    let paths: Vec<Value> = paths
        .iter()
        .map(|(path, kind, svc, port)| {
            let port = if port.is_empty() {
                json!({"number": 80})
            } else {
                json!({"name": port})
            };
            json!({"path": path, "pathType": kind, "backend": {"service": {"name": svc, "port": port}}})
        })
        .collect();
    let mut all = serde_json::Map::new();
    all.insert("kubernetes.io/ingress.class".into(), json!("alb"));
    for (k, v) in annotations {
        all.insert((*k).to_string(), json!(v));
    }
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "default", "annotations": all},
        "spec": {"rules": [{"http": {"paths": paths}}]},
    })
}

fn managed(keys: &[&str]) -> String {
    json!({"demo": keys}).to_string()
}

/// The getting-started shape: root `demo` by annotation at `weight`.
fn weighted(weight: i64) -> World {
    let mut w = two_versions();
    w.add(alb_ingress(
        "demo-ingress",
        &[("/", "Prefix", "demo", "use-annotation")],
        &[
            (
                "alb.ingress.kubernetes.io/actions.demo",
                forward("canary", "stable", weight),
            ),
            (
                "rollouts.argoproj.io/managed-alb-annotations",
                managed(&["alb.ingress.kubernetes.io/actions.demo"]),
            ),
        ],
    ));
    w
}

fn canary_share(table: &RoutingTable, request: &Request<'_>, n: usize) -> usize {
    spread(table, request, n, 31).get("canary-1").copied().unwrap_or(0)
}

#[test]
fn getting_started_alb_splits_at_weight_20() {
    let mut w = World::default();
    for file in [
        "docs/getting-started/alb/ingress.yaml",
        "docs/getting-started/alb/services.yaml",
    ] {
        if !w.add_upstream("getting_started_alb_splits_at_weight_20", file) {
            return;
        }
    }
    for svc in &mut w.services {
        let svc = Arc::make_mut(svc);
        let hash = match svc["metadata"]["name"].as_str() {
            Some("rollouts-demo-stable") => "s",
            Some("rollouts-demo-canary") => "c",
            _ => continue,
        };
        svc["spec"]["selector"]["rollouts-pod-template-hash"] = json!(hash);
    }
    for (name, hash, colour) in [("demo-s-1", "s", "blue"), ("demo-c-1", "c", "yellow")] {
        w.add(pod(
            name,
            json!({"app": "rollouts-demo", "rollouts-pod-template-hash": hash}),
            &format!("argoproj/rollouts-demo:{colour}"),
        ));
    }
    // Before the controller writes its action the path has none: skipped, with the reason.
    let table = w.table();
    assert_not_found(
        table.route(&get("any.example.com", "/color"), &mut Seeded::new(1)),
        "any.example.com",
    );
    assert!(
        table
            .skipped()
            .iter()
            .any(|s| s.contains("rollouts-demo-ingress") && s.contains("actions.rollouts-demo-root")),
        "{:?}",
        table.skipped()
    );
    let ingress = Arc::make_mut(&mut w.ingresses[0]);
    ingress["metadata"]["annotations"][format!("{PREFIX}/actions.rollouts-demo-root")] =
        json!(forward("rollouts-demo-canary", "rollouts-demo-stable", 20));
    let table = w.table();
    assert!(table.skipped().is_empty(), "{:?}", table.skipped());
    // The ALB has no host of its own here: any host reaches it.
    let counts = spread(&table, &get("alb.example.com", "/color"), 5000, 7);
    let canary = counts.get("demo-c-1").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "canary took {canary} of 5000");
    let r = routed(table.route(&get("alb.example.com", "/color"), &mut Seeded::new(2)));
    assert_eq!(
        r.via,
        Via::Alb {
            namespace: "default".into(),
            ingress: "rollouts-demo-ingress".into()
        }
    );
    assert_eq!(r.service.port, 80);
}

#[test]
fn weights_0_and_100_send_nothing_or_everything() {
    let request = get("demo.example.com", "/");
    assert_eq!(canary_share(&weighted(0).table(), &request, 2000), 0);
    assert_eq!(canary_share(&weighted(100).table(), &request, 2000), 2000);
    let canary = canary_share(&weighted(50).table(), &request, 4000);
    assert!((1800..=2200).contains(&canary), "{canary} of 4000");
    // Weights are relative to their sum, not to 100.
    let mut w = two_versions();
    let action = json!({"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"ServiceName": "canary", "ServicePort": "http", "Weight": 1},
        {"ServiceName": "stable", "ServicePort": 80, "Weight": 4},
    ]}});
    w.add(alb_ingress(
        "i",
        &[("/*", "ImplementationSpecific", "demo", "use-annotation")],
        &[("alb.ingress.kubernetes.io/actions.demo", action.to_string())],
    ));
    let canary = canary_share(&w.table(), &request, 5000);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    // Nothing of weight above 0: 503 with the reason.
    let mut w = two_versions();
    let zero = json!({"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"ServiceName": "canary", "ServicePort": "80", "Weight": 0}]}});
    w.add(alb_ingress(
        "i",
        &[("/*", "ImplementationSpecific", "demo", "use-annotation")],
        &[("alb.ingress.kubernetes.io/actions.demo", zero.to_string())],
    ));
    assert_unavailable(w.table().route(&request, &mut Seeded::new(1)), "weight above 0");
}

/// The header route the controller writes: a `/*` path first, its action all canary, its conditions
/// on `X-Canary`.
fn with_header_route(values: &[&str]) -> World {
    let mut w = two_versions();
    let conditions = json!([{"field": "http-header",
        "httpHeaderConfig": {"httpHeaderName": "X-Canary", "values": values}}]);
    let all_canary = json!({"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"ServiceName": "canary", "ServicePort": "80", "Weight": 100}]}});
    w.add(alb_ingress(
        "demo-ingress",
        &[
            ("/*", "ImplementationSpecific", "header-route", "use-annotation"),
            ("/", "Prefix", "demo", "use-annotation"),
        ],
        &[
            ("alb.ingress.kubernetes.io/actions.demo", forward("canary", "stable", 0)),
            ("alb.ingress.kubernetes.io/actions.header-route", all_canary.to_string()),
            (
                "alb.ingress.kubernetes.io/conditions.header-route",
                conditions.to_string(),
            ),
        ],
    ));
    w
}

#[test]
fn header_routes_come_first_and_match_with_wildcards() {
    let table = with_header_route(&["yes", "ma?be", "*-please"]).table();
    let header = |value: &str| {
        pod_of(
            &table,
            &with_headers("demo.example.com", "/color", &[("x-canary", value)]),
        )
    };
    assert_eq!(header("yes"), "canary-1");
    assert_eq!(header("YES"), "canary-1", "ALB compares header values in any case");
    assert_eq!(header("maybe"), "canary-1");
    assert_eq!(header("canary-please"), "canary-1");
    assert_eq!(header("no"), "stable-1");
    assert_eq!(header("mayybe"), "stable-1");
    assert_eq!(pod_of(&table, &get("demo.example.com", "/color")), "stable-1");
    // Without its conditions the header route's path would take everything: order matters.
    assert_eq!(
        canary_share(&table, &get("demo.example.com", "/"), 500),
        0,
        "requests without the header follow the weights (0)"
    );
}

#[test]
fn a_custom_annotation_prefix_is_found_through_the_managed_annotations() {
    let custom = "custom.ingress.kubernetes.io";
    let key = format!("{custom}/actions.demo");
    let mut w = two_versions();
    w.add(alb_ingress(
        "i",
        &[("/", "Prefix", "demo", "use-annotation")],
        &[
            (key.as_str(), forward("canary", "stable", 100)),
            (
                "rollouts.argoproj.io/managed-alb-annotations",
                managed(&[&format!("{custom}/actions.demo")]),
            ),
        ],
    ));
    assert_eq!(pod_of(&w.table(), &get("h", "/")), "canary-1");
    // The older `managed-alb-actions` form names it too.
    let ingress = Arc::make_mut(&mut w.ingresses[0]);
    let annotations = ingress["metadata"]["annotations"].as_object_mut().unwrap();
    annotations.remove("rollouts.argoproj.io/managed-alb-annotations");
    annotations.insert(
        "rollouts.argoproj.io/managed-alb-actions".into(),
        json!(format!("demo:{custom}/actions.demo")),
    );
    assert_eq!(pod_of(&w.table(), &get("h", "/")), "canary-1");
    // Undetectable: the default prefix is read, and the path is skipped for want of an action.
    let ingress = Arc::make_mut(&mut w.ingresses[0]);
    ingress["metadata"]["annotations"]
        .as_object_mut()
        .unwrap()
        .remove("rollouts.argoproj.io/managed-alb-actions");
    let table = w.table();
    assert_not_found(table.route(&get("h", "/"), &mut Seeded::new(1)), "no route");
    assert_eq!(table.skipped().len(), 1, "{:?}", table.skipped());
}

#[test]
fn fixed_responses_answer_without_a_pod() {
    let mut w = two_versions();
    let fixed = json!({"type": "fixed-response", "fixedResponseConfig": {
        "contentType": "text/plain", "statusCode": "418", "messageBody": "short and stout"}});
    w.add(alb_ingress(
        "i",
        &[
            ("/teapot", "Exact", "teapot", "use-annotation"),
            ("/", "Prefix", "stable", ""),
        ],
        &[("alb.ingress.kubernetes.io/actions.teapot", fixed.to_string())],
    ));
    let table = w.table();
    assert_eq!(
        table.route(&get("h", "/teapot"), &mut Seeded::new(1)),
        Outcome::Fixed(FixedResponse {
            status: 418,
            content_type: "text/plain".into(),
            body: "short and stout".into()
        })
    );
    // A plain backend forwards to its Service; Exact is exact.
    assert_eq!(pod_of(&table, &get("h", "/teapot/x")), "stable-1");
}

#[test]
fn paths_hosts_and_classes_read_as_the_load_balancer_controller_reads_them() {
    let mut w = two_versions();
    let mut ingress = alb_ingress(
        "i",
        &[("/api", "Prefix", "canary", ""), ("/", "Prefix", "stable", "")],
        &[],
    );
    // By class name instead of annotation, and for one host.
    ingress["metadata"]["annotations"] = json!({});
    ingress["spec"]["ingressClassName"] = json!("alb");
    ingress["spec"]["rules"][0]["host"] = json!("*.shop.example.com");
    w.add(ingress);
    let table = w.table();
    assert_eq!(pod_of(&table, &get("eu.shop.example.com", "/api")), "canary-1");
    assert_eq!(pod_of(&table, &get("eu.shop.example.com", "/api/v1")), "canary-1");
    assert_eq!(
        pod_of(&table, &get("eu.shop.example.com", "/apix")),
        "stable-1",
        "Prefix is by element"
    );
    assert_not_found(
        table.route(&get("other.example.com", "/api"), &mut Seeded::new(1)),
        "other.example.com",
    );
    // An nginx Ingress is not taken for an ALB one, nor the other way round.
    let mut nginx = alb_ingress("n", &[("/", "Prefix", "canary", "")], &[]);
    nginx["metadata"]["annotations"] = json!({"nginx.ingress.kubernetes.io/canary": "false"});
    nginx["spec"]["rules"][0]["host"] = json!("nginx.example.com");
    w.add(nginx);
    let table = w.table();
    assert!(matches!(
        via(table.route(&get("nginx.example.com", "/"), &mut Seeded::new(1))),
        Via::Ingress { .. }
    ));
    assert!(matches!(
        via(table.route(&get("eu.shop.example.com", "/"), &mut Seeded::new(1))),
        Via::Alb { .. }
    ));
}

#[test]
fn malformed_actions_and_conditions_are_skipped_with_a_reason() {
    let mut w = two_versions();
    w.add(alb_ingress(
        "broken",
        &[
            ("/a", "Prefix", "not-json", "use-annotation"),
            ("/b", "Prefix", "no-groups", "use-annotation"),
            ("/c", "Prefix", "bad-condition", "use-annotation"),
            ("/d", "Prefix", "redirect", "use-annotation"),
            ("/", "Prefix", "demo", "use-annotation"),
        ],
        &[
            ("alb.ingress.kubernetes.io/actions.not-json", "{nope".into()),
            (
                "alb.ingress.kubernetes.io/actions.no-groups",
                r#"{"Type":"forward"}"#.into(),
            ),
            (
                "alb.ingress.kubernetes.io/actions.bad-condition",
                forward("canary", "stable", 100),
            ),
            (
                "alb.ingress.kubernetes.io/conditions.bad-condition",
                r#"[{"field":"http-header"}]"#.into(),
            ),
            (
                "alb.ingress.kubernetes.io/actions.redirect",
                r#"{"Type":"redirect","RedirectConfig":{}}"#.into(),
            ),
            ("alb.ingress.kubernetes.io/actions.demo", forward("canary", "stable", 0)),
        ],
    ));
    let table = w.table();
    let skipped = table.skipped().join("\n");
    for why in [
        "not JSON",
        "TargetGroups",
        "HttpHeaderName",
        "redirect actions are not served",
    ] {
        assert!(skipped.contains(why), "{why} not in\n{skipped}");
    }
    assert!(
        table
            .skipped()
            .iter()
            .all(|s| s.starts_with("Ingress default/broken: ")),
        "{skipped}"
    );
    // The rest of the Ingress still routes.
    for path in ["/a", "/b", "/c", "/d", "/"] {
        assert_eq!(pod_of(&table, &get("h", path)), "stable-1", "{path}");
    }
}

#[test]
fn target_group_stickiness_keeps_a_client_on_its_target_group() {
    let mut w = two_versions();
    let sticky = |weight: i64| {
        json!({"Type": "forward", "ForwardConfig": {
            "TargetGroups": [
                {"ServiceName": "canary", "ServicePort": "80", "Weight": weight},
                {"ServiceName": "stable", "ServicePort": "80", "Weight": 100 - weight}],
            "TargetGroupStickinessConfig": {"Enabled": true, "DurationSeconds": 3600}}})
        .to_string()
    };
    w.add(alb_ingress(
        "i",
        &[("/", "Prefix", "demo", "use-annotation")],
        &[("alb.ingress.kubernetes.io/actions.demo", sticky(20))],
    ));
    let table = w.table();
    // A new client is drawn by the weights and told where it went.
    let r = routed(table.route(&get("h", "/"), &mut Seeded::new(1)));
    let cookie = r.set_cookie.expect("a sticky cookie");
    assert_eq!(
        cookie,
        format!("AWSALBTG=default.{}.80; Max-Age=3600; Path=/", r.service.name)
    );
    // A client that kept it stays, whatever the draws.
    let back = |table: &RoutingTable, service: &str| {
        let request = with_headers("h", "/", &[("cookie", &format!("a=b; AWSALBTG=default.{service}.80"))]);
        spread(table, &request, 500, 5).into_keys().collect::<Vec<_>>()
    };
    assert_eq!(back(&table, "canary"), ["canary-1"]);
    assert_eq!(back(&table, "stable"), ["stable-1"]);
    // A target group no longer weighted (or unknown) is drawn for again.
    let ingress = Arc::make_mut(&mut w.ingresses[0]);
    ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/actions.demo"] = json!(sticky(0));
    assert_eq!(back(&w.table(), "canary"), ["stable-1"]);
    assert_eq!(back(&w.table(), "elsewhere"), ["stable-1"]);
    // Without stickiness no cookie is set.
    assert_eq!(
        routed(weighted(20).table().route(&get("h", "/"), &mut Seeded::new(1))).set_cookie,
        None
    );
}
