//! The configuration as the plugin reads it (its `getGatewayAPITrafficRoutingConfig` tests), and clear
//! errors naming the field.

use serde_json::{Value, json};

use super::super::{GatewayApiConfig, InProgressLabel, NamedRoute};
use super::LABEL;

fn parse(config: Value) -> Result<GatewayApiConfig, String> {
    GatewayApiConfig::parse(&config, "rollout-namespace").map_err(|e| e.0)
}

fn named(name: &str, use_header_routes: bool) -> NamedRoute {
    NamedRoute {
        name: name.to_string(),
        use_header_routes,
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
        [named("a", false), named("b", true), named("c", true)]
    );
    assert_eq!(config.grpc_routes, [named("g", true)]);
    assert_eq!(config.tcp_routes, [named("t", false)]);
    assert_eq!(config.tls_routes, [named("s", true)]);
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
    assert_eq!(config.http_routes, [named("a", false), named("r", true)]);
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
fn a_route_selector_is_refused_naming_it() {
    // The plugin lists routes by label selector on every call; the routing objects of a reconcile are
    // named ahead of it, so a selector is refused rather than silently ignored.
    let prefix = "spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI";
    for (field, list) in [
        ("httpRouteSelector", "httpRoutes"),
        ("grpcRouteSelector", "grpcRoutes"),
        ("tcpRouteSelector", "tcpRoutes"),
        ("tlsRouteSelector", "tlsRoutes"),
    ] {
        let config = json!({"httpRoute": "explicit-route", field: {"matchLabels": {"app": "test-app"}}});
        assert_eq!(
            parse(config),
            Err(format!(
                "{prefix}.{field}: Forbidden: discovering routes by label selector is not supported; \
                 name the routes in {list}"
            ))
        );
    }
    // A malformed selector is still reported as such.
    let bad = parse(json!({"httpRouteSelector": {"matchLabels": "app"}})).unwrap_err();
    assert!(
        bad.starts_with(&format!("{prefix}.httpRouteSelector.matchLabels: Invalid value")),
        "{bad}"
    );
}
