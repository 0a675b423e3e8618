//! Golden cases of upstream's `apisix_test.go`: the exact writes, in order, and nothing written when
//! nothing changes.

mod header_route;
mod weights;

use rollouts_api::Rollout;
use serde_json::{Value, json};

use super::*;
use crate::traffic::RoutingWrite;

const STABLE: &str = "stable-rollout";
const CANARY: &str = "canary-rollout";
const ROUTE: &str = "mocks-apisix-route";
const HEADER_ROUTE: &str = "set-header";
const UID: &str = "1a2b2d82-50a4-4d83-9ff4-cdc6f5197d30";

/// Upstream's `newRollout`, with `routing` merged into its `trafficRouting.apisix.route`.
fn rollout_with(stable: &str, canary: &str, route: Value) -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": "default", "uid": UID},
        "spec": {"strategy": {"canary": {
            "stableService": stable, "canaryService": canary,
            "trafficRouting": {"apisix": {"route": route}, "managedRoutes": [{"name": HEADER_ROUTE}]},
        }}},
    }))
    .expect("a valid Rollout")
}

fn rollout() -> Rollout {
    rollout_with(STABLE, CANARY, json!({"name": ROUTE}))
}

fn router(rollout: &Rollout) -> Apisix<'_> {
    let routing = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.traffic_routing.as_ref())
        .and_then(|r| r.apisix.as_ref())
        .expect("apisix routing");
    Apisix::new(
        RouterInput {
            rollout,
            replica_sets: &[],
        },
        routing,
    )
}

fn backend(service: &str, weight: i64) -> Value {
    json!({"serviceName": service, "servicePort": 80, "weight": weight})
}

/// Upstream's `apisixRoute`, with the backends' weights.
fn apisix_route(stable_weight: i64, canary_weight: i64) -> Value {
    json!({
        "apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
        "metadata": {"name": ROUTE, "namespace": "default", "resourceVersion": "3", "uid": "route-uid",
                     "generation": 2, "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"http": [{
            "name": ROUTE,
            "match": {"paths": ["/*"], "methods": ["GET"]},
            "backends": [backend(STABLE, stable_weight), backend(CANARY, canary_weight)],
        }]},
    })
}

fn owner() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollout", "uid": UID,
           "controller": true, "blockOwnerDeletion": true})
}

/// Upstream's `apisixSetHeaderRoute` (owned by the Rollout) or `apisixSetHeaderDuplicateRoute` (not).
fn header_route(owned: bool) -> Value {
    let mut route = json!({
        "apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
        "metadata": {"name": HEADER_ROUTE, "namespace": "default", "resourceVersion": "5"},
        "spec": {"http": [{
            "backends": [backend(CANARY, 100)],
            "match": {
                "exprs": [{"op": "Equal", "subject": {"name": "trace", "scope": "Header"}, "value": "debug"}],
                "hosts": ["rollouts-demo.apisix.local"],
                "methods": ["GET", "POST", "PUT", "DELETE", "PATCH"],
                "paths": ["/*"],
            },
            "name": ROUTE,
            "priority": 2,
        }]},
    });
    if owned {
        route["metadata"]["ownerReferences"] = json!([owner()]);
    }
    route
}

fn route_ref(name: &str) -> ObjectRef {
    ObjectRef::new("apisix.apache.org/v2", "ApisixRoute", "default", name)
}

#[test]
fn type_and_references() {
    let ro = rollout();
    let r = router(&ro);
    assert_eq!(r.kind(), "Apisix");
    assert_eq!(r.references(), [route_ref(ROUTE), route_ref(HEADER_ROUTE)]);
}

#[test]
fn update_hash_and_mirror_route_write_nothing() {
    let ro = rollout();
    let mut objects = Objects::new(&[apisix_route(100, 0)]);
    router(&ro).update_hash(&mut objects, "", "", &[]).expect("no-op");
    let mirror: SetMirrorRoute = serde_json::from_value(json!({"name": "mirror-route",
        "match": [{"method": {"exact": "GET"}}]}))
    .expect("a mirror route");
    router(&ro).set_mirror_route(&mut objects, &mirror).expect("no-op");
    assert!(objects.writes().is_empty());
}

/// The one write recorded, which must be an update.
fn only_update(objects: &Objects) -> &Value {
    match objects.writes() {
        [RoutingWrite::Update(object)] => object,
        other => panic!("expected one update, got {other:?}"),
    }
}

#[test]
fn a_rollout_without_a_route_is_invalid_and_reads_nothing() {
    let mut ro = rollout();
    if let Some(apisix) = ro
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
        .and_then(|r| r.apisix.as_mut())
    {
        apisix.route = None;
    }
    let r = router(&ro);
    assert_eq!(
        r.missing_reference(&Objects::new(&[]))
            .map(|e| e.to_string())
            .as_deref(),
        Some("spec.strategy.canary.trafficRouting.apisix.route: Required value")
    );
    assert_eq!(r.references(), [route_ref(HEADER_ROUTE)]);
    assert_eq!(router(&rollout()).missing_reference(&Objects::new(&[])), None);
}
