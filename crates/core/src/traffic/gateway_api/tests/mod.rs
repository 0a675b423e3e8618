//! Golden tests of the Gateway API router: the plugin's unit-test expectations (its `plugin_test.go`
//! and `experiment_test.go`) and end-to-end scenarios (its `test/e2e/chainsaw` assertions), as exact
//! ordered writes and bodies, and every example of the plugin's conformance folder.

mod config;
mod examples;
mod experiment;
mod header_routes;
mod scenarios;
mod selectors;
mod set_weight;

use rollouts_api::Rollout;
use rollouts_api::steps::{HeaderRoutingMatch, SetHeaderRoute};
use serde_json::{Value, json};

use super::PLUGIN_NAME;
use crate::traffic::{ObjectRef, Objects, Router, RouterInput, RoutingWrite, references, routers};

// The plugin's test fixtures (`pkg/mocks/plugin.go`).
const STABLE: &str = "argo-rollouts-stable-service";
const CANARY: &str = "argo-rollouts-canary-service";
const HTTP_ROUTE: &str = "argo-rollouts-http-route";
const GRPC_ROUTE: &str = "argo-rollouts-grpc-route";
const TCP_ROUTE: &str = "argo-rollouts-tcp-route";
const TLS_ROUTE: &str = "argo-rollouts-tls-route";
const NS: &str = "default";
const MANAGED: &str = "test-header-route";
const LABEL: &str = "rollouts.argoproj.io/gatewayapi-canary";

/// The plugin's `newRollout`: the fixture Services, one managed route, and `config` as the plugin's
/// configuration.
fn rollout(config: Value) -> Rollout {
    rollout_json(config, |_| {})
}

/// The same Rollout, changed by `edit` (as JSON) first.
fn rollout_json(config: Value, edit: impl FnOnce(&mut Value)) -> Rollout {
    let mut r = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": NS},
        "spec": {"strategy": {"canary": {
            "stableService": STABLE, "canaryService": CANARY,
            "trafficRouting": {"managedRoutes": [{"name": MANAGED}], "plugins": {PLUGIN_NAME: config}}
        }}}
    });
    edit(&mut r);
    serde_json::from_value(r).expect("a Rollout")
}

/// The Rollout's only router.
fn router(rollout: &Rollout) -> Box<dyn Router + '_> {
    let mut all = routers(RouterInput {
        rollout,
        replica_sets: &[],
    });
    assert_eq!(all.len(), 1, "one router");
    all.remove(0)
}

/// A route as the API server returns it.
fn route(api_version: &str, kind: &str, name: &str, rules: Value) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": NS, "resourceVersion": "1"},
        "spec": {"rules": rules}
    })
}

fn http_route(rules: Value) -> Value {
    route("gateway.networking.k8s.io/v1", "HTTPRoute", HTTP_ROUTE, rules)
}

fn grpc_route(rules: Value) -> Value {
    route("gateway.networking.k8s.io/v1", "GRPCRoute", GRPC_ROUTE, rules)
}

fn tcp_route(rules: Value) -> Value {
    route("gateway.networking.k8s.io/v1alpha2", "TCPRoute", TCP_ROUTE, rules)
}

fn tls_route(rules: Value) -> Value {
    route("gateway.networking.k8s.io/v1alpha2", "TLSRoute", TLS_ROUTE, rules)
}

/// A stable and canary backend pair on port 80.
fn split(stable: i64, canary: i64) -> Value {
    json!([
        {"name": STABLE, "port": 80, "weight": stable},
        {"name": CANARY, "port": 80, "weight": canary}
    ])
}

/// The plugin's `HTTPRouteObj`: one rule, both backends at weight 0, a `/` prefix match.
fn mock_http_route() -> Value {
    http_route(json!([{"backendRefs": split(0, 0), "matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}]))
}

/// The plugin's `GRPCRouteObj`: one rule, both backends at weight 0.
fn mock_grpc_route() -> Value {
    grpc_route(json!([{"backendRefs": split(0, 0)}]))
}

/// The object with a label added.
fn labelled(mut object: Value, key: &str, value: &str) -> Value {
    object["metadata"]["labels"] = json!({key: value});
    object
}

/// The header route step `name` matching `header` against `value` (`{"exact": ...}` and so on).
fn header_step(name: &str, header: &str, value: Value) -> SetHeaderRoute {
    SetHeaderRoute {
        name: Some(name.to_string()),
        r#match: Some(vec![HeaderRoutingMatch {
            header_name: header.to_string(),
            header_value: serde_json::from_value(value).expect("a string match"),
        }]),
    }
}

/// The removal step of header route `name`.
fn header_removal(name: &str) -> SetHeaderRoute {
    SetHeaderRoute {
        name: Some(name.to_string()),
        r#match: None,
    }
}

/// The bodies of the writes, which must all be updates.
fn updates(objects: &Objects) -> Vec<Value> {
    objects
        .writes()
        .iter()
        .map(|w| match w {
            RoutingWrite::Update(body) => body.clone(),
            other => panic!("an update, not {other:?}"),
        })
        .collect()
}

/// The route as the writes left it.
fn held(objects: &Objects, object: &Value) -> Value {
    objects.get(&ObjectRef::of(object)).cloned().expect("the route is held")
}

#[test]
fn the_router_is_registered_by_its_plugin_key_only() {
    let with = rollout(json!({"httpRoute": HTTP_ROUTE}));
    assert_eq!(router(&with).kind(), "GatewayAPI");
    let other = rollout_json(json!({}), |r| {
        r["spec"]["strategy"]["canary"]["trafficRouting"]["plugins"] = json!({"example/other": {}});
    });
    assert!(
        routers(RouterInput {
            rollout: &other,
            replica_sets: &[]
        })
        .is_empty()
    );
    let none = rollout_json(json!({}), |r| {
        if let Some(t) = r["spec"]["strategy"]["canary"]["trafficRouting"].as_object_mut() {
            t.remove("plugins");
        }
    });
    assert!(
        routers(RouterInput {
            rollout: &none,
            replica_sets: &[]
        })
        .is_empty()
    );
}

#[test]
fn references_name_every_route_in_the_configured_namespace() {
    let r = rollout(json!({
        "namespace": "routes",
        "httpRoutes": [{"name": "h1"}], "httpRoute": "h2",
        "grpcRoute": "g", "tcpRoutes": [{"name": "t"}], "tlsRoute": "s"
    }));
    let refs = references(&r, &crate::traffic::RoutingSettings::default());
    let v1 = "gateway.networking.k8s.io/v1";
    let v1alpha2 = "gateway.networking.k8s.io/v1alpha2";
    let mut expected = vec![
        ObjectRef::new(v1, "HTTPRoute", "routes", "h1"),
        ObjectRef::new(v1, "HTTPRoute", "routes", "h2"),
        ObjectRef::new(v1, "GRPCRoute", "routes", "g"),
        ObjectRef::new(v1alpha2, "TCPRoute", "routes", "t"),
        ObjectRef::new(v1alpha2, "TLSRoute", "routes", "s"),
    ];
    expected.sort();
    assert_eq!(refs, expected);
    assert_eq!(expected[0].plural(), "grpcroutes");
}

#[test]
fn a_bad_configuration_references_nothing_and_fails_every_operation_but_update_hash() {
    let r = rollout(json!({"httpRoutes": "not a list"}));
    assert!(references(&r, &crate::traffic::RoutingSettings::default()).is_empty());
    let router = router(&r);
    let mut objects = Objects::new(&[]);
    let expected = "spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI.httpRoutes: \
                    Invalid value: invalid type: string \"not a list\", expected a sequence";
    assert_eq!(
        router.set_weight(&mut objects, 10, &[]).map_err(|e| e.0),
        Err(expected.to_string())
    );
    assert_eq!(
        router.remove_managed_routes(&mut objects).map_err(|e| e.0),
        Err(expected.to_string())
    );
    assert_eq!(router.update_hash(&mut objects, "c", "s", &[]), Ok(()));
}

#[test]
fn update_hash_writes_nothing() {
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let mut objects = Objects::new(&[mock_http_route()]);
    router(&r)
        .update_hash(&mut objects, "canary-hash", "stable-hash", &[])
        .expect("no-op");
    assert!(objects.writes().is_empty());
}

#[test]
fn a_mirror_route_is_refused_and_its_removal_is_a_no_op() {
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let router = router(&r);
    let mut objects = Objects::new(&[mock_http_route()]);
    let mirror: rollouts_api::steps::SetMirrorRoute = serde_json::from_value(json!({
        "name": MANAGED, "percentage": 50, "match": [{"method": {"exact": "GET"}}]
    }))
    .expect("a mirror step");
    assert_eq!(
        router.set_mirror_route(&mut objects, &mirror).map_err(|e| e.0),
        Err(
            "setMirrorRoute \"test-header-route\": the Gateway API router (argoproj-labs/gatewayAPI) \
             does not mirror traffic"
                .to_string()
        )
    );
    let removal: rollouts_api::steps::SetMirrorRoute =
        serde_json::from_value(json!({"name": MANAGED})).expect("a mirror step");
    assert_eq!(router.set_mirror_route(&mut objects, &removal), Ok(()));
    assert!(objects.writes().is_empty());
}
