//! Which routes carry the weights, and upstream's errors when the VirtualService does not fit.

use serde_json::json;

use super::super::routes::{self, Destination, HttpRoute};
use super::*;

#[test]
fn virtual_service_not_found() {
    let mut case = Case::new(host_rollout(json!({"name": "vsvc", "routes": ["primary"]})), &[]);
    assert_eq!(
        case.set_weight_err(10),
        "virtualservices.networking.istio.io \"vsvc\" not found"
    );
}

#[test]
fn reconcile_invalid_validation() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["route-not-found"]})),
        &[regular_vsvc()],
    );
    assert_eq!(
        case.set_weight_err(0),
        "HTTP Route 'route-not-found' is not found in the defined Virtual Service."
    );
    let tls = virtual_service("vsvc", json!({"tls": [port_route(3000), port_route(3001)]}));
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "tlsRoutes": [{"port": 1001}]})),
        &[tls],
    );
    assert_eq!(
        case.set_weight_err(0),
        "No matching TLS routes found in the defined Virtual Service."
    );
    let tcp = virtual_service("vsvc", json!({"tcp": [port_route(3000), port_route(3001)]}));
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "tcpRoutes": [{"port": 1001}]})),
        &[tcp],
    );
    assert_eq!(
        case.set_weight_err(0),
        "No matching TCP routes found in the defined Virtual Service."
    );
    assert!(case.updates().is_empty());
}

#[test]
fn reconcile_invalid_virtual_services() {
    // invalidVsvc: one unnamed subset route where the Rollout names `primary`.
    let subsets = single_route_subset_vsvc("stable", "canary");
    let mut case = Case::new(host_rollout(json!({"name": "vsvc", "routes": ["primary"]})), &[subsets]);
    assert_eq!(
        case.set_weight_err(10),
        "HTTP Route 'primary' is not found in the defined Virtual Service."
    );
    for kind in ["tls", "tcp"] {
        let invalid = virtual_service("vsvc", json!({kind: ["invalid"]}));
        let selection = json!({"name": "vsvc", "tlsRoutes": [{"port": 3000}], "tcpRoutes": [{"port": 3000}]});
        let mut case = Case::new(host_rollout(selection), &[invalid]);
        let error = case.set_weight_err(10);
        assert!(
            error.starts_with("json: cannot unmarshal string into Go value of type istio.VirtualService"),
            "{error}"
        );
    }
}

#[test]
fn reconcile_ambiguous_routes() {
    let mut case = Case::new(host_rollout(json!({"name": "vsvc"})), &[regular_vsvc()]);
    assert_eq!(
        case.set_weight_err(0),
        "spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes"
    );
    let tls = virtual_service("vsvc", json!({"tls": [port_route(3000), port_route(3001)]}));
    let mut case = Case::new(host_rollout(json!({"name": "vsvc"})), &[tls]);
    assert_eq!(
        case.set_weight_err(0),
        "spec.tls[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.tlsRoutes"
    );
    let tcp = virtual_service("vsvc", json!({"tcp": [port_route(3000), port_route(3001)]}));
    let mut case = Case::new(host_rollout(json!({"name": "vsvc"})), &[tcp]);
    assert_eq!(
        case.set_weight_err(0),
        "spec.tcp[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.tcpRoutes"
    );
}

#[test]
fn missing_destinations_are_named() {
    let lone_stable = virtual_service(
        "vsvc",
        json!({"http": [{"name": "primary", "route": [{"destination": {"host": "stable"}, "weight": 100}]}]}),
    );
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[lone_stable],
    );
    assert_eq!(case.set_weight_err(10), "Canary Service 'canary' not found in route");

    let mut case = Case::new(
        subset_rollout(json!({"name": "vsvc"}), None),
        &[single_route_subset_vsvc("stable", "other")],
    );
    assert_eq!(
        case.set_weight_err(10),
        "Canary DestinationRule subset 'canary' not found in route"
    );
    let mut case = Case::new(
        subset_rollout(json!({"name": "vsvc"}), None),
        &[single_route_subset_vsvc("other", "canary")],
    );
    assert_eq!(
        case.set_weight_err(10),
        "Stable DestinationRule subset 'stable' not found in route"
    );
}

fn destination(host: &str, subset: &str) -> Destination {
    Destination {
        host: host.to_string(),
        subset: subset.to_string(),
        ..Destination::default()
    }
}

#[test]
fn validate_hosts() {
    let hosts = [destination("stable", ""), destination("canary", "")];
    assert_eq!(routes::check_destinations(&hosts, "stable", "canary", None), Ok(()));
    assert_eq!(
        routes::check_destinations(&hosts, "not-found-stable", "canary", None)
            .unwrap_err()
            .0,
        "Stable Service 'not-found-stable' not found in route"
    );
    assert_eq!(
        routes::check_destinations(&hosts, "stable", "not-found-canary", None)
            .unwrap_err()
            .0,
        "Canary Service 'not-found-canary' not found in route"
    );
    let qualified = [destination("stable.namespace", ""), destination("canary.namespace", "")];
    assert_eq!(routes::check_destinations(&qualified, "stable", "canary", None), Ok(()));
}

#[test]
fn validate_http_routes_subsets() {
    let subsets = [destination("rollout", "stable"), destination("rollout", "canary")];
    let mut rule = rollouts_api::traffic::IstioDestinationRule {
        name: "subset".into(),
        canary_subset_name: "canary".into(),
        stable_subset_name: "stable".into(),
        additional_subset_names: None,
    };
    assert_eq!(routes::check_destinations(&subsets, "", "", Some(&rule)), Ok(()));
    rule.stable_subset_name = "doesntexist".into();
    assert_eq!(
        routes::check_destinations(&subsets, "", "", Some(&rule)).unwrap_err().0,
        "Stable DestinationRule subset 'doesntexist' not found in route"
    );
    rule.canary_subset_name = "doesntexist".into();
    assert_eq!(
        routes::check_destinations(&subsets, "", "", Some(&rule)).unwrap_err().0,
        "Canary DestinationRule subset 'doesntexist' not found in route"
    );
}

fn named(name: &str) -> HttpRoute {
    HttpRoute {
        name: name.to_string(),
        ..HttpRoute::default()
    }
}

#[test]
fn get_http_route_indexes_to_patch() {
    let none: Vec<String> = Vec::new();
    assert_eq!(
        routes::http_route_indexes(&none, &[named("foo"), named("")], &[]),
        Ok(vec![1])
    );
    let both = vec!["foo".to_string(), "bar".to_string()];
    assert_eq!(
        routes::http_route_indexes(&both, &[named("foo"), named("bar")], &[]),
        Ok(vec![0, 1])
    );
    assert_eq!(routes::http_route_indexes(&none, &[named("foo")], &[]), Ok(vec![0]));
    assert_eq!(
        routes::http_route_indexes(&["bar".to_string()], &[named("foo")], &[])
            .unwrap_err()
            .0,
        "HTTP Route 'bar' is not found in the defined Virtual Service."
    );
}

#[test]
fn a_lone_named_route_beside_managed_routes_is_the_weighted_one() {
    // Upstream looks for an unnamed route only, so with a header route in place and `routes` omitted
    // it weighs nothing at all; the one route that is not managed is the one the Rollout means.
    let none: Vec<String> = Vec::new();
    let managed = vec!["header".to_string()];
    assert_eq!(
        routes::http_route_indexes(&none, &[named("header"), named("primary")], &managed),
        Ok(vec![1])
    );
    let vs = virtual_service(
        "vsvc",
        json!({"http": [{"name": "header", "route": [{"destination": {"host": "canary"}, "weight": 100}]}, http("primary")]}),
    );
    let mut case = Case::new(
        with_managed_routes(host_rollout(json!({"name": "vsvc"})), &["header"]),
        &[vs],
    );
    let writes = case.set_weight(10, &[]);
    assert_eq!(
        weights(&writes[0], "http"),
        ["header: canary=100", "primary: stable=90 canary=10"]
    );
}

#[test]
fn tls_routes_with_several_ports_never_match() {
    let vs = virtual_service(
        "vsvc",
        json!({"tls": [
            {"match": [{"port": 3000}, {"port": 3001}], "route": split("stable", "canary")},
            port_route(3000)
        ]}),
    );
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "tlsRoutes": [{"port": 3000}]})),
        &[vs],
    );
    let writes = case.set_weight(10, &[]);
    assert_eq!(
        weights(&writes[0], "tls"),
        ["3000: stable=100 canary=0", "3000: stable=90 canary=10"]
    );
}
