#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of Istio's managed routes (`setHeaderRoute`, `setMirrorRoute`) with the dev
//! cluster, the in-process rollouts controller and the real kubectl: upstream's
//! `test/e2e/header-routing` and `test/e2e/mirror-route` manifests and its mirror example, applied
//! unchanged; after each step the VirtualService's HTTP routes read back through kubectl are in
//! upstream's order with upstream's bodies (what `header_route_test.go` and `mirror_route_test.go`
//! assert), and the managed routes are gone after promotion or abort.

use crate::common;

use common::objects::wait_phase;
use common::routing::{
    destinations, http_route_names, pairs, revision_pod_count, start_with_istio, step_index, update_spec,
    virtual_service, wait_eq,
};
use common::{Env, wait_for};
use serde_json::{Value, json};

/// The HTTP route `index` of the VirtualService, as stored.
fn http_route(env: &Env, vsvc: &str, index: usize) -> Value {
    virtual_service(env, vsvc)["spec"]["http"][index].clone()
}

/// Promotes the Rollout and waits for it to pause at step `index`.
fn promote_to_pause(env: &Env, name: &str, index: i64) {
    env.plugin_ok(&["promote", name]);
    wait_for(30, &format!("step {index}"), || {
        (step_index(env, name) == index).then_some(())
    });
    wait_phase(env, name, 30, "Paused");
}

/// Upstream's `TestIstioHostHeaderRoute`: the header route goes first, all to the canary, and is
/// replaced by the next `setHeaderRoute` and removed by one without `match`.
#[test]
fn istio_header_route_as_upstreams_test_istio_host_header_route() {
    const TEST: &str = "istio_header_route_as_upstreams_test_istio_host_header_route";
    const NAME: &str = "rollouts-demo";
    const VSVC: &str = "rollouts-demo-vsvc";
    let Some((env, mut controller)) = start_with_istio(
        TEST,
        "istio-header-route",
        &["test/e2e/header-routing/istio-hr-host.yaml"],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(
        10,
        "the routes when healthy",
        (
            vec!["primary".to_string()],
            pairs(&[("stable-service", 100), ("canary-service", 0)]),
        ),
        || {
            let vsvc = virtual_service(&env, VSVC);
            (http_route_names(&vsvc), destinations(&vsvc, "http", 0))
        },
    );

    // setWeight 20, then the first header route, then the pause.
    update_spec(&env, NAME, "1");
    wait_for(30, "step 2", || (step_index(&env, NAME) == 2).then_some(()));
    wait_phase(&env, NAME, 30, "Paused");
    let header_route = |regex: &str| {
        json!({
            "name": "set-header-1",
            "match": [{"headers": {"agent": {"regex": regex}}}],
            "route": [{"destination": {"host": "canary-service"}, "weight": 100}],
        })
    };
    wait_eq(
        10,
        "the firefox header route first",
        header_route("firefox(.*)"),
        || http_route(&env, VSVC, 0),
    );
    let vsvc = virtual_service(&env, VSVC);
    assert_eq!(http_route_names(&vsvc), ["set-header-1", "primary"]);
    assert_eq!(
        destinations(&vsvc, "http", 1),
        pairs(&[("stable-service", 80), ("canary-service", 20)])
    );

    // The second setHeaderRoute replaces the first.
    promote_to_pause(&env, NAME, 4);
    wait_eq(10, "the chrome header route first", header_route("chrome(.*)"), || {
        http_route(&env, VSVC, 0)
    });
    assert_eq!(
        http_route_names(&virtual_service(&env, VSVC)),
        ["set-header-1", "primary"]
    );

    // setWeight 40, then setHeaderRoute without match: the header route is gone.
    promote_to_pause(&env, NAME, 7);
    wait_eq(
        10,
        "the header route removed at setWeight 40",
        (
            vec!["primary".to_string()],
            pairs(&[("stable-service", 60), ("canary-service", 40)]),
        ),
        || {
            let vsvc = virtual_service(&env, VSVC);
            (http_route_names(&vsvc), destinations(&vsvc, "http", 0))
        },
    );

    env.plugin_ok(&["promote", "--full", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(
        10,
        "the routes after full promotion",
        (
            vec!["primary".to_string()],
            pairs(&[("stable-service", 100), ("canary-service", 0)]),
        ),
        || {
            let vsvc = virtual_service(&env, VSVC);
            (http_route_names(&vsvc), destinations(&vsvc, "http", 0))
        },
    );
    controller.stop();
}

/// Upstream's `TestIstioHostMirrorRoute`: mirror routes go ahead of the weighted route in the order of
/// `managedRoutes`, each carrying the weighted route's destinations (kept in step with setWeight);
/// one without `match` is removed, and promotion removes the rest.
#[test]
fn istio_mirror_routes_as_upstreams_test_istio_host_mirror_route() {
    const TEST: &str = "istio_mirror_routes_as_upstreams_test_istio_host_mirror_route";
    const NAME: &str = "rollouts-demo";
    const VSVC: &str = "rollouts-demo-vsvc";
    let Some((env, mut controller)) = start_with_istio(
        TEST,
        "istio-mirror-route",
        &["test/e2e/mirror-route/istio-mirror-host.yaml"],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "the routes when healthy", vec!["primary".to_string()], || {
        http_route_names(&virtual_service(&env, VSVC))
    });

    let split = |canary: i64| {
        json!([{"destination": {"host": "stable-service"}, "weight": 100 - canary},
               {"destination": {"host": "canary-service"}, "weight": canary}])
    };
    let mirror_route = |name: &str, condition: Value, percentage: i64, canary: i64| {
        json!({
            "name": name,
            "match": [condition],
            "route": split(canary),
            "mirror": {"host": "canary-service"},
            "mirrorPercentage": {"value": percentage},
        })
    };
    let routes = |env: &Env| {
        virtual_service(env, VSVC)["spec"]["http"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let primary = |canary: i64| json!({"name": "primary", "route": split(canary)});

    // setWeight 20, both mirror routes, then the pause.
    update_spec(&env, NAME, "1");
    wait_for(30, "step 3", || (step_index(&env, NAME) == 3).then_some(()));
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(
        10,
        "both mirror routes ahead of the weighted one",
        vec![
            mirror_route("mirror-route-1", json!({"uri": {"prefix": "/"}}), 100, 20),
            mirror_route(
                "mirror-route-2",
                json!({"method": {"exact": "GET"}, "uri": {"prefix": "/"}}),
                80,
                20,
            ),
            primary(20),
        ],
        || routes(&env),
    );

    // The first mirror route set again, with another match: it keeps its place.
    promote_to_pause(&env, NAME, 5);
    wait_eq(
        10,
        "mirror-route-1 replaced in place",
        vec![
            mirror_route("mirror-route-1", json!({"uri": {"prefix": "/rewrite"}}), 100, 20),
            mirror_route(
                "mirror-route-2",
                json!({"method": {"exact": "GET"}, "uri": {"prefix": "/"}}),
                80,
                20,
            ),
            primary(20),
        ],
        || routes(&env),
    );

    // setWeight 40 reaches the remaining mirror route too; the first is removed.
    promote_to_pause(&env, NAME, 8);
    wait_eq(
        10,
        "mirror-route-1 removed and the weights at 40",
        vec![
            mirror_route(
                "mirror-route-2",
                json!({"method": {"exact": "GET"}, "uri": {"prefix": "/"}}),
                80,
                40,
            ),
            primary(40),
        ],
        || routes(&env),
    );

    env.plugin_ok(&["promote", "--full", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(
        10,
        "only the weighted route after full promotion",
        vec![primary(0)],
        || routes(&env),
    );
    controller.stop();
}

/// Upstream's mirror example (`examples/istio/istio-mirror.yaml`): a canary scaled by
/// `setCanaryScale` with no traffic weight gets a copy of half the matching requests; its copy of the
/// weighted route leaves out the zero weight as upstream's does, and an abort removes the mirror route.
#[test]
fn istio_mirror_example_mirrors_to_a_scaled_canary_until_aborted() {
    const TEST: &str = "istio_mirror_example_mirrors_to_a_scaled_canary_until_aborted";
    const NAME: &str = "istio-host-split";
    const VSVC: &str = "istio-host-split-vsvc";
    const CANARY: &str = "istio-host-split-canary";
    const STABLE: &str = "istio-host-split-stable";
    let Some((env, mut controller)) =
        start_with_istio(TEST, "istio-mirror-example", &["examples/istio/istio-mirror.yaml"])
    else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    env.plugin_ok(&["set", "image", NAME, "istio-host-split=argoproj/rollouts-demo:blue"]);
    wait_for(30, "step 2", || (step_index(&env, NAME) == 2).then_some(()));
    wait_phase(&env, NAME, 30, "Paused");
    let primary = json!({"name": "primary", "route": [
        {"destination": {"host": STABLE}, "weight": 100},
        {"destination": {"host": CANARY}, "weight": 0}]});
    wait_eq(
        10,
        "the mirror route ahead of the weighted one",
        vec![
            json!({
                "name": "mirror-route",
                "match": [{"method": {"exact": "POST"}, "uri": {"prefix": "/color"}}],
                "route": [{"destination": {"host": STABLE}, "weight": 100}, {"destination": {"host": CANARY}}],
                "mirror": {"host": CANARY},
                "mirrorPercentage": {"value": 50},
            }),
            primary.clone(),
        ],
        || {
            virtual_service(&env, VSVC)["spec"]["http"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        },
    );
    // setCanaryScale weight 50 of 4 replicas.
    wait_eq(10, "two canary pods", 2, || revision_pod_count(&env, NAME, "2"));

    env.plugin_ok(&["abort", NAME]);
    wait_phase(&env, NAME, 30, "Degraded");
    wait_eq(10, "the mirror route removed by the abort", vec![primary], || {
        virtual_service(&env, VSVC)["spec"]["http"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    });
    controller.stop();
}
