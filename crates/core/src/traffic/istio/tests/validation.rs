//! Reference validation of the VirtualServices, ported from upstream's `TestValidateVirtualService`
//! and `TestValidateVirtualServices` (`validation_references_test.go`), with the route checks of
//! `ValidateHTTPRoutes`, `ValidateTlsRoutes` and `ValidateTcpRoutes` (`istio_test.go`).

use serde_json::{Value, json};

use super::*;

const PATH: &str = "spec.strategy.canary.trafficRouting.istio.virtualService.name";

/// The first validation problem, rendered as upstream's `field.Error`; missing objects first.
fn problem(rollout: &Rollout, objects: &[Value]) -> Option<String> {
    let mut case = Case::new(rollout.clone(), objects);
    let mut found = None;
    let _ = case.call(|router, objects| {
        found = router
            .missing_reference(objects)
            .or_else(|| router.validate(objects))
            .map(|e| e.to_string());
        Ok(())
    });
    found
}

/// Upstream's rollout of these tests: `stable`/`canary`, VirtualService `istio-vsvc` with the http
/// routes `primary` and `secondary`.
fn upstream_rollout() -> Rollout {
    host_rollout(json!({"name": "istio-vsvc", "routes": ["primary", "secondary"]}))
}

fn vsvc(spec: Value) -> Value {
    virtual_service("istio-vsvc", spec)
}

fn tls_route(stable: &str) -> Value {
    json!({"match": [{"port": 443, "sniHosts": ["istio-rollout.dev.argoproj.io"]}], "route": split(stable, "canary")})
}

fn tcp_route(stable: &str) -> Value {
    json!({"match": [{"port": 443}], "route": split(stable, "canary")})
}

#[test]
fn upstreams_success_cases_have_no_problem() {
    let ro = upstream_rollout();
    for spec in [
        json!({"http": [http("primary"), http("secondary")]}),
        json!({"tls": [tls_route("stable")]}),
        json!({"tcp": [tcp_route("stable")]}),
    ] {
        assert_eq!(problem(&ro, &[vsvc(spec.clone())]), None, "{spec}");
    }
}

#[test]
fn upstreams_failure_cases_have_its_messages() {
    let ro = upstream_rollout();
    let not_stable = |name: &str| json!({"name": name, "route": split("not-stable", "canary")});
    let cases = [
        (
            json!({"http": [not_stable("primary"), not_stable("secondary")]}),
            "Istio VirtualService has invalid HTTP routes. Error: Stable Service 'stable' not found in route",
        ),
        (
            json!({"tls": [tls_route("not-stable")]}),
            "Istio VirtualService has invalid TLS routes. Error: Stable Service 'stable' not found in route",
        ),
        (
            json!({"tcp": [tcp_route("not-stable")]}),
            "Istio VirtualService has invalid TCP routes. Error: Stable Service 'stable' not found in route",
        ),
        (
            json!({}),
            "Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService",
        ),
        (
            json!({"http": ["invalid-structure"]}),
            "Unable to get HTTP routes for Istio VirtualService",
        ),
        (
            json!({"tls": ["invalid-structure"]}),
            "Unable to get TLS routes for Istio VirtualService",
        ),
        (
            json!({"tcp": ["invalid-structure"]}),
            "Unable to get TCP routes for Istio VirtualService",
        ),
    ];
    for (spec, message) in cases {
        assert_eq!(
            problem(&ro, &[vsvc(spec.clone())]),
            Some(format!("{PATH}: Invalid value: \"istio-vsvc\": {message}")),
            "{spec}"
        );
    }
    // `virtualServices` names its list field, without an index.
    let many = rollout(json!({
        "stableService": "stable", "canaryService": "canary",
        "trafficRouting": {"istio": {"virtualServices": [{"name": "istio-vsvc", "routes": ["primary", "secondary"]}]}}
    }));
    assert_eq!(
        problem(
            &many,
            &[vsvc(json!({"http": [not_stable("primary"), not_stable("secondary")]}))]
        ),
        Some(
            "spec.strategy.canary.trafficRouting.istio.virtualServices.name: Invalid value: \"istio-vsvc\": \
             Istio VirtualService has invalid HTTP routes. Error: Stable Service 'stable' not found in route"
                .to_string()
        )
    );
}

#[test]
fn the_route_lookups_fail_with_upstreams_messages() {
    let invalid = |kind: &str, error: &str| {
        Some(format!(
            "{PATH}: Invalid value: \"vsvc\": Istio VirtualService has invalid {kind} routes. Error: {error}"
        ))
    };
    // A named http route that is not there.
    let ro = host_rollout(json!({"name": "vsvc", "routes": ["primary", "tertiary"]}));
    assert_eq!(
        problem(&ro, &[regular_vsvc()]),
        invalid(
            "HTTP",
            "HTTP Route 'tertiary' is not found in the defined Virtual Service."
        )
    );
    // Routes omitted with several http routes.
    let ro = host_rollout(json!({"name": "vsvc"}));
    assert_eq!(
        problem(&ro, &[regular_vsvc()]),
        invalid(
            "HTTP",
            "spec.http[] should be set in VirtualService and it must have exactly one route when omitting \
             spec.strategy.canary.trafficRouting.istio.virtualService.routes"
        )
    );
    // ... and with several tls or tcp routes.
    let tls_only = virtual_service("vsvc", json!({"tls": [port_route(3000), port_route(3001)]}));
    assert_eq!(
        problem(&ro, &[tls_only]),
        invalid(
            "TLS",
            "spec.tls[] should be set in VirtualService and it must have exactly one route when omitting \
             spec.strategy.canary.trafficRouting.istio.virtualService.tlsRoutes"
        )
    );
    let tcp_only = virtual_service("vsvc", json!({"tcp": [port_route(3000), port_route(3001)]}));
    assert_eq!(
        problem(&ro, &[tcp_only]),
        invalid(
            "TCP",
            "spec.tcp[] should be set in VirtualService and it must have exactly one route when omitting \
             spec.strategy.canary.trafficRouting.istio.virtualService.tcpRoutes"
        )
    );
    // Selectors that match no route.
    let ro = host_rollout(json!({
        "name": "vsvc", "routes": ["primary", "secondary"],
        "tlsRoutes": [{"port": 3005}], "tcpRoutes": [{"port": 3000}]
    }));
    assert_eq!(
        problem(&ro, &[regular_mixed_vsvc()]),
        invalid("TLS", "No matching TLS routes found in the defined Virtual Service.")
    );
    let ro = host_rollout(json!({
        "name": "vsvc", "routes": ["primary", "secondary"],
        "tlsRoutes": [{"port": 3000}], "tcpRoutes": [{"port": 3005}]
    }));
    assert_eq!(
        problem(&ro, &[regular_mixed_vsvc()]),
        invalid("TCP", "No matching TCP routes found in the defined Virtual Service.")
    );
    // Every route selected and well formed.
    let ro = host_rollout(json!({
        "name": "vsvc", "routes": ["primary", "secondary"],
        "tlsRoutes": [{"port": 3000}, {"port": 3001}], "tcpRoutes": [{"port": 3001}]
    }));
    assert_eq!(problem(&ro, &[regular_mixed_vsvc()]), None);
}

#[test]
fn the_destinations_must_be_the_canary_and_stable_services_or_subsets() {
    let invalid = |error: &str| {
        Some(format!(
            "{PATH}: Invalid value: \"vsvc\": Istio VirtualService has invalid HTTP routes. Error: {error}"
        ))
    };
    let ro = host_rollout(json!({"name": "vsvc"}));
    let other_canary = virtual_service("vsvc", json!({"http": [{"route": split("stable", "other")}]}));
    assert_eq!(
        problem(&ro, &[other_canary]),
        invalid("Canary Service 'canary' not found in route")
    );
    let subsets = subset_rollout(json!({"name": "vsvc"}), None);
    let rule = destination_rule(json!({"subsets": [{"name": "stable"}, {"name": "canary"}]}));
    assert_eq!(
        problem(&subsets, &[single_route_subset_vsvc("stable", "canary"), rule.clone()]),
        None
    );
    assert_eq!(
        problem(&subsets, &[single_route_subset_vsvc("stable", "other"), rule.clone()]),
        invalid("Canary DestinationRule subset 'canary' not found in route")
    );
    assert_eq!(
        problem(&subsets, &[single_route_subset_vsvc("other", "canary"), rule]),
        invalid("Stable DestinationRule subset 'stable' not found in route")
    );
}

#[test]
fn managed_routes_in_place_do_not_count_as_the_rollouts_routes() {
    // A header route the router added earlier sits first; the one other route is still the one.
    let ro = with_managed_routes(host_rollout(json!({"name": "vsvc"})), &["header"]);
    let header = json!({"name": "header", "match": [{"headers": {"agent": {"exact": "x"}}}],
                        "route": [{"destination": {"host": "canary"}, "weight": 100}]});
    let vs = virtual_service("vsvc", json!({"http": [header, unnamed_http()]}));
    assert_eq!(problem(&ro, &[vs]), None);
}

#[test]
fn a_missing_virtual_service_comes_first_and_is_named_without_its_namespace() {
    let ro = rollout(json!({
        "stableService": "stable", "canaryService": "canary",
        "trafficRouting": {"istio": {"virtualServices": [{"name": "vsvc"}, {"name": "absent.other"}]}}
    }));
    // The first VirtualService's routes are bad, but a missing one is reported before any is checked.
    let bad = virtual_service("vsvc", json!({}));
    assert_eq!(
        problem(&ro, &[bad]),
        Some(
            "spec.strategy.canary.trafficRouting.istio.virtualServices.name: Invalid value: \"absent\": \
             virtualservices.networking.istio.io \"absent\" not found"
                .to_string()
        )
    );
}
