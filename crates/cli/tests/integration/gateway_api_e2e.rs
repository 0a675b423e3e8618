#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of the in-tree Gateway API router with the dev cluster, the in-process rollouts
//! controller and the real kubectl: the Gateway API v1.6.1 CRDs and examples of the Gateway API
//! plugin, applied unchanged (their Rollouts name `plugins."argoproj-labs/gatewayAPI"`); at each step
//! the HTTPRoute's backendRefs weights and header-route rules read back through kubectl are what the
//! plugin writes (its own e2e assertions), and `kubectl argo rollouts get rollout` shows the weight.

use crate::common;

use common::objects::wait_phase;
use common::routing::{
    get_line, object, revision_pod_count, selected, sibling_corpus, start_applied, step_index, update_spec, wait_eq,
};
use common::{Controller, Env, wait_for};
use serde_json::{Value, json};

/// The Gateway API CRDs the examples need (standard channel).
const CRDS: [&str; 3] = ["crds/gatewayclasses.yaml", "crds/gateways.yaml", "crds/httproutes.yaml"];
const ROUTE: &str = "argo-rollouts-http-route";
const NAME: &str = "rollouts-demo";
const STABLE: &str = "argo-rollouts-stable-service";
const CANARY: &str = "argo-rollouts-canary-service";

/// A cluster and controller with the CRDs installed (server-side: they are too large for the
/// last-applied annotation) and then the plugin example's files applied in order.
fn start(test: &str, label: &str, example: &str, files: &[&str]) -> Option<(Env, Controller)> {
    let crds: Vec<String> = CRDS
        .iter()
        .map(|c| sibling_corpus(test, "gateway-api", c))
        .collect::<Option<_>>()?;
    let manifests: Vec<String> = files
        .iter()
        .map(|f| sibling_corpus(test, "gatewayapi-plugin", &format!("examples/{example}/{f}")))
        .collect::<Option<_>>()?;
    let (env, controller) = start_applied(label, &[])?;
    for crd in &crds {
        env.cluster.kubectl_ok(&["apply", "--server-side", "-f", crd]);
    }
    for manifest in &manifests {
        env.cluster.kubectl_ok(&["apply", "-f", manifest]);
    }
    Some((env, controller))
}

fn http_route(env: &Env) -> Value {
    object(env, "httproute", ROUTE)
}

/// `(name, weight)` of each backendRef of the route's rule `index`.
fn backend_weights(route: &Value, index: usize) -> Vec<(String, i64)> {
    route["spec"]["rules"][index]["backendRefs"]
        .as_array()
        .map(|refs| {
            refs.iter()
                .map(|b| {
                    (
                        b["name"].as_str().unwrap_or_default().to_string(),
                        b["weight"].as_i64().unwrap_or(-1),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn split(canary: i64) -> Vec<(String, i64)> {
    vec![(STABLE.to_string(), 100 - canary), (CANARY.to_string(), canary)]
}

/// The plugin's Envoy Gateway example: setWeight 30, 60 and 100 with a pause after each, moved on by
/// `promote`; the HTTPRoute's single rule carries the weights.
#[test]
fn gateway_api_envoy_gateway_example_weights_each_step() {
    const TEST: &str = "gateway_api_envoy_gateway_example_weights_each_step";
    let Some((env, mut controller)) = start(
        TEST,
        "gateway-api-weights",
        "envoygateway",
        &[
            "gateway.yaml",
            "stable.yaml",
            "canary.yaml",
            "httproute.yaml",
            "rollout.yaml",
        ],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "weights when healthy", split(0), || {
        backend_weights(&http_route(&env), 0)
    });

    update_spec(&env, NAME, "1");
    for (index, weight) in [(1, 30), (3, 60), (5, 100)] {
        if index > 1 {
            env.plugin_ok(&["promote", NAME]);
        }
        wait_for(30, &format!("step {index}"), || {
            (step_index(&env, NAME) == index).then_some(())
        });
        wait_phase(&env, NAME, 30, "Paused");
        wait_eq(10, &format!("weights at setWeight {weight}"), split(weight), || {
            backend_weights(&http_route(&env), 0)
        });
        assert_eq!(
            get_line(&env, NAME, "ActualWeight:"),
            format!("ActualWeight:  {weight}")
        );
    }
    let route = http_route(&env);
    assert_eq!(route["spec"]["rules"].as_array().map(Vec::len), Some(1));
    assert_eq!(route["spec"]["parentRefs"][0]["name"], "eg");

    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "weights after promotion", split(0), || {
        backend_weights(&http_route(&env), 0)
    });
    assert_eq!(selected(&env, STABLE), selected(&env, CANARY));
    controller.stop();
}

/// The plugin's header-based example (an HTTPRoute of the `v1beta1` version attached to a Service):
/// `setHeaderRoute` appends a rule named after the managed route that sends the matching requests,
/// whatever the weights, to the canary scaled by `setCanaryScale`; the step without `match` removes it.
#[test]
fn gateway_api_header_route_example_adds_and_removes_the_header_rule() {
    const TEST: &str = "gateway_api_header_route_example_adds_and_removes_the_header_rule";
    let Some((env, mut controller)) = start(
        TEST,
        "gateway-api-header",
        "cilium-header-based",
        &["service.yaml", "httproute.yaml", "rollout.yaml"],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "weights when healthy", split(0), || {
        backend_weights(&http_route(&env), 0)
    });

    update_spec(&env, NAME, "1");
    wait_phase(&env, NAME, 30, "Paused");
    assert_eq!(step_index(&env, NAME), 0);

    // setCanaryScale, the header route, then the second pause.
    env.plugin_ok(&["promote", NAME]);
    wait_for(30, "step 3", || (step_index(&env, NAME) == 3).then_some(()));
    wait_phase(&env, NAME, 30, "Paused");
    let header_rule = json!({
        "name": "argo-rollouts",
        "matches": [{
            "path": {"type": "PathPrefix", "value": "/"},
            "headers": [{"name": "X-Test", "type": "Exact", "value": "test"}],
        }],
        "backendRefs": [{"group": "", "kind": "Service", "name": CANARY, "port": 80, "weight": 1}],
    });
    wait_eq(10, "the header rule after the weighted one", Some(header_rule), || {
        http_route(&env)["spec"]["rules"].get(1).cloned()
    });
    let route = http_route(&env);
    assert_eq!(route["spec"]["rules"].as_array().map(Vec::len), Some(2));
    assert_eq!(backend_weights(&route, 0), split(0));
    assert_eq!(revision_pod_count(&env, NAME, "2"), 1);

    // The header route removed; the update completes.
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "only the weighted rule after the update", (1, split(0)), || {
        let route = http_route(&env);
        (
            route["spec"]["rules"].as_array().map_or(0, Vec::len),
            backend_weights(&route, 0),
        )
    });
    controller.stop();
}
