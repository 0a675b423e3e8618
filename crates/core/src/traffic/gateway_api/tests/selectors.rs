//! Route selectors: the routes the controller lists by label are weighted after the named ones, in
//! name order, with header routes off, as the plugin's `discoverRoutesBySelector` adds them; and the
//! reference validation of the named routes.

use serde_json::json;

use super::*;
use crate::traffic::{LabelQuery, ObjectSelector, selectors};

/// An HTTPRoute `name` in `namespace` with these labels and both backends at weight 0.
fn labelled_route(kind: &str, name: &str, namespace: &str, labels: Value) -> Value {
    let api_version = match kind {
        "HTTPRoute" | "GRPCRoute" => "gateway.networking.k8s.io/v1",
        _ => "gateway.networking.k8s.io/v1alpha2",
    };
    let mut object = route(api_version, kind, name, json!([{"backendRefs": split(0, 0)}]));
    object["metadata"]["namespace"] = json!(namespace);
    object["metadata"]["labels"] = labels;
    object
}

/// The names and canary weights of the writes, in order.
fn written(objects: &Objects) -> Vec<String> {
    updates(objects)
        .iter()
        .map(|u| {
            format!(
                "{} {} canary={}",
                u["kind"].as_str().unwrap_or_default(),
                u["metadata"]["name"].as_str().unwrap_or_default(),
                u["spec"]["rules"][0]["backendRefs"][1]["weight"]
            )
        })
        .collect()
}

fn query(selector: Value) -> LabelQuery {
    let selector = serde_json::from_value(selector).expect("a selector");
    LabelQuery::from_selector(&selector, &rollouts_api::validation::FieldPath::new("s")).expect("valid")
}

#[test]
fn the_controller_is_told_to_list_each_selected_kind_in_the_configured_namespace() {
    let r = rollout(json!({
        "namespace": "routes",
        "httpRoute": "named",
        "httpRouteSelector": {"matchLabels": {"app": "web"}},
        "tlsRouteSelector": {"matchExpressions": [{"key": "team", "operator": "Exists"}]}
    }));
    let listed = selectors(&r, &crate::traffic::RoutingSettings::default());
    let mut expected = vec![
        ObjectSelector::new(
            "gateway.networking.k8s.io/v1",
            "HTTPRoute",
            "routes",
            query(json!({"matchLabels": {"app": "web"}})),
        ),
        ObjectSelector::new(
            "gateway.networking.k8s.io/v1alpha2",
            "TLSRoute",
            "routes",
            query(json!({"matchExpressions": [{"key": "team", "operator": "Exists"}]})),
        ),
    ];
    expected.sort();
    assert_eq!(listed, expected);
    // The named route is still read by name.
    assert_eq!(
        references(&r, &crate::traffic::RoutingSettings::default()),
        [ObjectRef::new(
            "gateway.networking.k8s.io/v1",
            "HTTPRoute",
            "routes",
            "named"
        )]
    );
    // No selector, nothing to list.
    assert!(
        selectors(
            &rollout(json!({"httpRoute": "named"})),
            &crate::traffic::RoutingSettings::default()
        )
        .is_empty()
    );
}

#[test]
fn selected_routes_get_the_weights_after_the_named_ones_in_name_order() {
    let r = rollout(json!({
        "httpRoutes": [{"name": HTTP_ROUTE}],
        "httpRouteSelector": {"matchLabels": {"app": "my-app", "canary-enabled": "true"}},
        "tcpRouteSelector": {"matchLabels": {"app": "my-app"}}
    }));
    let selected = json!({"app": "my-app", "canary-enabled": "true"});
    let objects_read = [
        labelled_route("HTTPRoute", "zeta-route", NS, selected.clone()),
        labelled_route("HTTPRoute", "api-route", NS, selected.clone()),
        // Not selected: a label missing, another namespace, another kind.
        labelled_route("HTTPRoute", "other-route", NS, json!({"app": "my-app"})),
        labelled_route("HTTPRoute", "far-route", "elsewhere", selected.clone()),
        labelled_route("GRPCRoute", "grpc-route", NS, selected.clone()),
        labelled_route("TCPRoute", "tcp-route", NS, json!({"app": "my-app"})),
        mock_http_route(),
    ];
    let mut objects = Objects::new(&objects_read);
    router(&r).set_weight(&mut objects, 20, &[]).expect("weighted");
    assert_eq!(
        written(&objects),
        [
            "HTTPRoute argo-rollouts-http-route canary=20",
            "HTTPRoute api-route canary=20",
            "HTTPRoute zeta-route canary=20",
            "TCPRoute tcp-route canary=20",
        ]
    );
    // The selected route as written: the split and the in-progress label beside its own labels.
    let mut expected = labelled_route("HTTPRoute", "api-route", NS, selected.clone());
    expected["spec"]["rules"][0]["backendRefs"] = split(80, 20);
    expected["metadata"]["labels"][LABEL] = json!("in-progress");
    assert_eq!(updates(&objects)[1], expected);

    // Asked again, nothing is written.
    objects.take_writes();
    router(&r).set_weight(&mut objects, 20, &[]).expect("weighted");
    assert!(objects.writes().is_empty(), "{:?}", objects.writes());
    // Nor from a fresh read of what was written.
    let reread: Vec<Value> = objects_read.iter().map(|o| held(&objects, o)).collect();
    let mut fresh = Objects::new(&reread);
    router(&r).set_weight(&mut fresh, 20, &[]).expect("weighted");
    assert!(fresh.writes().is_empty(), "{:?}", fresh.writes());
}

#[test]
fn a_route_both_named_and_selected_is_driven_once_as_named() {
    let r = rollout(json!({
        "httpRoute": HTTP_ROUTE,
        "httpRouteSelector": {"matchLabels": {"app": "my-app"}}
    }));
    let route = labelled(mock_http_route(), "app", "my-app");
    let mut objects = Objects::new(&[route.clone(), route]);
    router(&r).set_weight(&mut objects, 10, &[]).expect("weighted");
    assert_eq!(written(&objects), ["HTTPRoute argo-rollouts-http-route canary=10"]);
    // Named by `httpRoute`, it keeps its header routes.
    let step = header_step(MANAGED, "X-Test", json!({"exact": "test"}));
    objects.take_writes();
    router(&r).set_header_route(&mut objects, &step).expect("header route");
    assert_eq!(updates(&objects).len(), 1);
}

#[test]
fn selected_routes_take_no_header_routes() {
    let r = rollout(json!({"httpRouteSelector": {"matchLabels": {"app": "my-app"}}}));
    let mut objects = Objects::new(&[labelled(mock_http_route(), "app", "my-app")]);
    let step = header_step(MANAGED, "X-Test", json!({"exact": "test"}));
    router(&r).set_header_route(&mut objects, &step).expect("nothing to do");
    router(&r).remove_managed_routes(&mut objects).expect("nothing to do");
    assert!(objects.writes().is_empty());
}

#[test]
fn a_selector_that_finds_nothing_is_no_route_at_all() {
    let r = rollout(json!({"grpcRouteSelector": {"matchLabels": {"app": "my-app"}}}));
    let mut objects = Objects::new(&[mock_grpc_route()]);
    assert_eq!(
        router(&r).set_weight(&mut objects, 10, &[]).map_err(|e| e.0),
        Err(super::super::NO_ROUTES.to_string())
    );
    // Once a route carries the label, it is found.
    let mut objects = Objects::new(&[labelled(mock_grpc_route(), "app", "my-app")]);
    router(&r).set_weight(&mut objects, 10, &[]).expect("weighted");
    assert_eq!(written(&objects), ["GRPCRoute argo-rollouts-grpc-route canary=10"]);
}

#[test]
fn a_missing_named_route_is_an_invalid_reference_naming_its_field() {
    let prefix = "spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI";
    let cases = [
        (
            json!({"httpRoute": "absent"}),
            format!(
                "{prefix}.httpRoute: Invalid value: \"absent\": httproutes.gateway.networking.k8s.io \"absent\" not found"
            ),
        ),
        (
            json!({"httpRoutes": [{"name": HTTP_ROUTE}, {"name": "absent"}]}),
            format!(
                "{prefix}.httpRoutes[1].name: Invalid value: \"absent\": httproutes.gateway.networking.k8s.io \"absent\" not found"
            ),
        ),
        (
            json!({"grpcRoutes": [{"name": "absent"}]}),
            format!(
                "{prefix}.grpcRoutes[0].name: Invalid value: \"absent\": grpcroutes.gateway.networking.k8s.io \"absent\" not found"
            ),
        ),
        (
            json!({"tcpRoute": "absent"}),
            format!(
                "{prefix}.tcpRoute: Invalid value: \"absent\": tcproutes.gateway.networking.k8s.io \"absent\" not found"
            ),
        ),
        (
            json!({"tlsRoutes": [{"name": "absent"}]}),
            format!(
                "{prefix}.tlsRoutes[0].name: Invalid value: \"absent\": tlsroutes.gateway.networking.k8s.io \"absent\" not found"
            ),
        ),
        // Looked up in the configured namespace.
        (
            json!({"httpRoute": HTTP_ROUTE, "namespace": "elsewhere"}),
            format!(
                "{prefix}.httpRoute: Invalid value: \"argo-rollouts-http-route\": \
                 httproutes.gateway.networking.k8s.io \"argo-rollouts-http-route\" not found"
            ),
        ),
    ];
    let objects = Objects::new(&[mock_http_route()]);
    for (config, expected) in cases {
        let r = rollout(config.clone());
        assert_eq!(
            router(&r).missing_reference(&objects).map(|e| e.to_string()),
            Some(expected),
            "{config}"
        );
    }
    // Present routes, selectors (whatever they find) and a bad configuration are no missing reference.
    for config in [
        json!({"httpRoute": HTTP_ROUTE}),
        json!({"httpRouteSelector": {"matchLabels": {"app": "none"}}}),
        json!({"httpRoutes": "not a list"}),
    ] {
        let r = rollout(config.clone());
        assert_eq!(router(&r).missing_reference(&objects), None, "{config}");
        assert_eq!(router(&r).validate(&objects), None, "{config}");
    }
}
