//! The configuration as the plugin reads it (its `getGatewayAPITrafficRoutingConfig` tests), and clear
//! errors naming the field.

use serde_json::{Value, json};

use super::super::{GatewayApiConfig, InProgressLabel, NamedRoute, RouteKind};
use super::LABEL;

fn parse(config: Value) -> Result<GatewayApiConfig, String> {
    GatewayApiConfig::parse(&config, "rollout-namespace").map_err(|e| e.0)
}

fn named(name: &str, use_header_routes: bool, field: &str) -> NamedRoute {
    NamedRoute {
        name: name.to_string(),
        use_header_routes,
        field: field.to_string(),
    }
}

#[test]
fn the_single_routes_join_their_lists_with_header_routes_on() {
    let config = parse(json!({
        "httpRoutes": [{"name": "a"}, {"name": "b", "useHeaderRoutes": true}],
        "httpRoute": "c",
        "grpcRoute": "g",
        "tcpRoutes": [{"name": "t", "useHeaderRoutes": false}],
        "tlsRoute": "s"
    }))
    .expect("valid");
    assert_eq!(
        config.http_routes,
        [
            named("a", false, "httpRoutes[0].name"),
            named("b", true, "httpRoutes[1].name"),
            named("c", true, "httpRoute")
        ]
    );
    assert_eq!(config.grpc_routes, [named("g", true, "grpcRoute")]);
    assert_eq!(config.tcp_routes, [named("t", false, "tcpRoutes[0].name")]);
    assert_eq!(config.tls_routes, [named("s", true, "tlsRoute")]);
    assert!(config.selectors.is_empty());
    assert!(config.has_routes());
}

#[test]
fn the_namespace_defaults_to_the_rollouts() {
    // The plugin's TestNamespaceDefaulting: unset and empty both default; a set one is kept.
    assert_eq!(
        parse(json!({"httpRoute": "r"})).expect("valid").namespace,
        "rollout-namespace"
    );
    assert_eq!(
        parse(json!({"grpcRoute": "r", "namespace": ""}))
            .expect("valid")
            .namespace,
        "rollout-namespace"
    );
    assert_eq!(
        parse(json!({"httpRoute": "r", "namespace": "explicit-namespace"}))
            .expect("valid")
            .namespace,
        "explicit-namespace"
    );
}

#[test]
fn unknown_fields_and_nulls_are_tolerated_as_go_decodes_them() {
    let config = parse(json!({
        "httpRoute": "r", "someFutureField": {"x": 1}, "grpcRoute": null, "tcpRoutes": null,
        // Earlier plugin releases kept header routes in the ConfigMap this field named.
        "configMap": "argo-gatewayapi-configmap",
        "httpRoutes": [{"name": "a", "useHeaderRoutes": null, "extra": true}]
    }))
    .expect("valid");
    assert_eq!(
        config.http_routes,
        [named("a", false, "httpRoutes[0].name"), named("r", true, "httpRoute")]
    );
    assert!(config.grpc_routes.is_empty() && config.tcp_routes.is_empty());
}

#[test]
fn no_route_at_all_parses_and_is_refused_when_weighting() {
    let config = parse(json!({"namespace": "x"})).expect("valid");
    assert!(!config.has_routes());
}

#[test]
fn the_in_progress_label_is_on_by_default_and_configurable() {
    let default = parse(json!({"httpRoute": "r"})).expect("valid");
    assert_eq!(
        default.in_progress_label,
        Some(InProgressLabel {
            key: LABEL.to_string(),
            value: "in-progress".to_string()
        })
    );
    let custom = parse(json!({"httpRoute": "r", "inProgressLabelKey": "team/canary", "inProgressLabelValue": "yes"}))
        .expect("valid");
    assert_eq!(
        custom.in_progress_label,
        Some(InProgressLabel {
            key: "team/canary".to_string(),
            value: "yes".to_string()
        })
    );
    let empty = parse(json!({"httpRoute": "r", "inProgressLabelKey": "", "inProgressLabelValue": ""})).expect("valid");
    assert_eq!(empty.in_progress_label, default.in_progress_label);
    let disabled = parse(json!({"httpRoute": "r", "disableInProgressLabel": true})).expect("valid");
    assert_eq!(disabled.in_progress_label, None);
}

#[test]
fn bad_values_are_errors_naming_the_field() {
    let prefix = "spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI";
    let cases = [
        (
            json!({"httpRoute": 5}),
            format!("{prefix}.httpRoute: Invalid value: invalid type: integer `5`, expected a string"),
        ),
        (
            json!({"httpRoutes": [{"name": "a"}, {"name": "b", "useHeaderRoutes": "yes"}]}),
            format!(
                "{prefix}.httpRoutes[1].useHeaderRoutes: Invalid value: invalid type: string \"yes\", \
                 expected a boolean"
            ),
        ),
        (
            json!({"grpcRoutes": [{"useHeaderRoutes": true}]}),
            format!("{prefix}.grpcRoutes[0].name: Required value"),
        ),
        (
            json!({"tcpRoutes": [{"name": ""}]}),
            format!("{prefix}.tcpRoutes[0].name: Required value"),
        ),
        (
            json!({"disableInProgressLabel": "true"}),
            format!(
                "{prefix}.disableInProgressLabel: Invalid value: invalid type: string \"true\", expected a boolean"
            ),
        ),
        (
            json!("argo-rollouts-http-route"),
            format!(
                "{prefix}: Invalid value: invalid type: string \"argo-rollouts-http-route\", \
                 expected an object"
            ),
        ),
    ];
    for (config, expected) in cases {
        assert_eq!(parse(config.clone()), Err(expected), "{config}");
    }
}

#[test]
fn route_selectors_are_read_for_every_kind() {
    let config = parse(json!({
        "httpRoute": "explicit-route",
        "httpRouteSelector": {"matchLabels": {"app": "test-app", "canary-enabled": "true"}},
        "grpcRouteSelector": {"matchLabels": {"protocol": "grpc"}},
        "tcpRouteSelector": {"matchExpressions": [{"key": "team", "operator": "Exists"}]},
        "tlsRouteSelector": {}
    }))
    .expect("valid");
    let read: Vec<(RouteKind, String)> = config
        .selectors
        .iter()
        .map(|s| (s.kind, s.labels.to_string()))
        .collect();
    assert_eq!(
        read,
        [
            (RouteKind::Http, "app=test-app,canary-enabled=true".to_string()),
            (RouteKind::Grpc, "protocol=grpc".to_string()),
            (RouteKind::Tcp, "team".to_string()),
            // An empty selector selects every route of the namespace, as Kubernetes' does.
            (RouteKind::Tls, String::new()),
        ]
    );
    assert_eq!(config.http_routes, [named("explicit-route", true, "httpRoute")]);
    assert!(config.selector(RouteKind::Grpc).is_some());
    // A selector alone is a configuration; whether it finds routes is known when weighting.
    let alone = parse(json!({"httpRouteSelector": {"matchLabels": {"app": "x"}}})).expect("valid");
    assert!(!alone.has_routes() && alone.selector(RouteKind::Http).is_some());
}

#[test]
fn a_malformed_route_selector_is_refused_naming_the_field() {
    let prefix = "spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI";
    let bad = parse(json!({"httpRouteSelector": {"matchLabels": "app"}})).unwrap_err();
    assert!(
        bad.starts_with(&format!("{prefix}.httpRouteSelector.matchLabels: Invalid value")),
        "{bad}"
    );
    assert_eq!(
        parse(json!({"grpcRouteSelector": {"matchExpressions": [{"key": "app", "operator": "Is", "values": ["a"]}]}})),
        Err(format!(
            "{prefix}.grpcRouteSelector.matchExpressions[0].operator: Unsupported value: \"Is\": \
             supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\""
        ))
    );
    assert_eq!(
        parse(json!({"tlsRouteSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn"}]}})),
        Err(format!(
            "{prefix}.tlsRouteSelector.matchExpressions[0].values: Required value: \
             must be specified when `operator` is 'In' or 'NotIn'"
        ))
    );
}
