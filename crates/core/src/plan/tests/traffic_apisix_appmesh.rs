//! Golden plans of a canary routed through App Mesh and APISIX together: both driven in upstream's
//! order (App Mesh first) at every step, the VirtualNodes following the ReplicaSets, the APISIX header
//! route made and removed, and upstream's errors for missing App Mesh objects.

use serde_json::{Value, json};

use super::world::{World, demo_rollout, describe_all, service};
use crate::plan::{Action, Plan};

const CANARY: &str = "rollouts-demo-canary";
const STABLE: &str = "rollouts-demo-stable";

fn apisix_route() -> Value {
    json!({"apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
           "metadata": {"name": "demo-route", "namespace": "default", "resourceVersion": "1"},
           "spec": {"http": [{"name": "demo", "match": {"paths": ["/*"]}, "backends": [
               {"serviceName": STABLE, "servicePort": 80, "weight": 100},
               {"serviceName": CANARY, "servicePort": 80, "weight": 0}]}]}})
}

fn appmesh(kind: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": kind,
           "metadata": {"name": name, "namespace": "default", "resourceVersion": "1"}, "spec": spec})
}

fn mesh_objects() -> Vec<Value> {
    let node =
        |hash: &str| json!({"podSelector": {"matchLabels": {"app": "demo", "rollouts-pod-template-hash": hash}}});
    vec![
        appmesh(
            "VirtualService",
            "demo-svc",
            json!({"provider": {"virtualRouter": {"virtualRouterRef": {"name": "demo-router"}}}}),
        ),
        appmesh(
            "VirtualRouter",
            "demo-router",
            json!({"routes": [{"name": "primary", "httpRoute": {"action": {"weightedTargets": [
            {"virtualNodeRef": {"name": "demo-canary"}, "weight": 0},
            {"virtualNodeRef": {"name": "demo-stable"}, "weight": 100}]}}}]}),
        ),
        appmesh("VirtualNode", "demo-canary", node("canary-tbd")),
        appmesh("VirtualNode", "demo-stable", node("stable-tbd")),
    ]
}

fn routing() -> Value {
    json!({
        "managedRoutes": [{"name": "demo-header"}],
        "apisix": {"route": {"name": "demo-route", "rules": ["demo"]}},
        "appMesh": {"virtualService": {"name": "demo-svc"}, "virtualNodeGroup": {
            "canaryVirtualNodeRef": {"name": "demo-canary"}, "stableVirtualNodeRef": {"name": "demo-stable"}}},
    })
}

fn world_with(objects: Vec<Value>) -> World {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {
        "canaryService": CANARY, "stableService": STABLE, "trafficRouting": routing(),
        "steps": [
            {"setWeight": 20},
            {"setHeaderRoute": {"name": "demo-header", "match": [{"headerName": "trace", "headerValue": {"exact": "debug"}}]}},
            {"pause": {}},
        ]}}}));
    world.services = vec![service(CANARY, "rollouts-demo"), service(STABLE, "rollouts-demo")];
    world.routing_objects = objects;
    world
}

fn object<'w>(world: &'w World, kind: &str, name: &str) -> Option<&'w Value> {
    world
        .routing_objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

/// `(canary, stable)` weights of the VirtualRouter and of the ApisixRoute.
fn weights(world: &World) -> ((i64, i64), (i64, i64)) {
    let router = object(world, "VirtualRouter", "demo-router").expect("the VirtualRouter");
    let targets = &router["spec"]["routes"][0]["httpRoute"]["action"]["weightedTargets"];
    let route = object(world, "ApisixRoute", "demo-route").expect("the ApisixRoute");
    let backends = &route["spec"]["http"][0]["backends"];
    (
        (
            targets[0]["weight"].as_i64().unwrap(),
            targets[1]["weight"].as_i64().unwrap(),
        ),
        (
            backends[1]["weight"].as_i64().unwrap(),
            backends[0]["weight"].as_i64().unwrap(),
        ),
    )
}

/// `(canary, stable)` hashes the VirtualNodes select.
fn node_hashes(world: &World) -> (String, String) {
    let hash = |name: &str| {
        object(world, "VirtualNode", name).expect("a VirtualNode")["spec"]["podSelector"]["matchLabels"]
            ["rollouts-pod-template-hash"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (hash("demo-canary"), hash("demo-stable"))
}

fn routing_writes(plans: &[Plan]) -> Vec<String> {
    plans
        .iter()
        .flat_map(|plan| {
            describe_all(plan)
                .into_iter()
                .zip(&plan.actions)
                .filter(|(_, a)| matches!(a, Action::Routing(_)))
                .map(|(d, _)| d)
        })
        .collect()
}

#[test]
fn app_mesh_and_apisix_are_driven_together_through_the_update() {
    let mut world = world_with({
        let mut objects = mesh_objects();
        objects.push(apisix_route());
        objects
    });
    let plans = world.run_until_quiet(20);
    let stable = world.status().stable_rs.clone().expect("a stable ReplicaSet");
    // Deployed: one ReplicaSet, so the canary node gets the placeholder; the weights are as read.
    assert_eq!(
        routing_writes(&plans),
        ["update VirtualNode demo-stable", "update VirtualNode demo-canary"]
    );
    assert_eq!(node_hashes(&world), ("canary-hash".to_string(), stable.clone()));
    assert_eq!(weights(&world), ((0, 100), (0, 100)));
    assert!(world.reconcile().actions.is_empty(), "nothing changes");

    world.set_image("argoproj/rollouts-demo:yellow");
    let plans = world.run_until_quiet(30);
    let canary = world.status().current_pod_hash.clone().expect("a canary hash");
    assert_eq!(weights(&world), ((20, 80), (20, 80)));
    assert_eq!(node_hashes(&world), (canary.clone(), stable));
    let writes = routing_writes(&plans);
    // App Mesh before APISIX in each reconcile, the canary node before any weight moves.
    let at = |w: &str| {
        writes
            .iter()
            .position(|x| x == w)
            .unwrap_or_else(|| panic!("{w} in {writes:?}"))
    };
    assert!(
        at("update VirtualNode demo-canary") < at("update VirtualRouter demo-router"),
        "{writes:?}"
    );
    assert!(
        at("update VirtualRouter demo-router") < at("update ApisixRoute demo-route"),
        "{writes:?}"
    );
    // The header route of step 1, to the canary only, one priority above the route.
    let header = object(&world, "ApisixRoute", "demo-header").expect("the header route");
    assert_eq!(header["metadata"]["ownerReferences"][0]["uid"], "uid-1");
    assert_eq!(
        header["spec"]["http"][0],
        json!({"name": "demo", "priority": 1,
               "match": {"paths": ["/*"], "exprs": [{"subject": {"scope": "Header", "name": "trace"}, "op": "Equal", "value": "debug"}]},
               "backends": [{"serviceName": CANARY, "servicePort": 80, "weight": 100}]})
    );
    assert_eq!(world.status().current_step_index, Some(2));

    // Promoted fully: everything to the new stable, the placeholder back on the canary node, and the
    // header route removed.
    world.patch_status(json!({"promoteFull": true}));
    world.settle();
    world.run_until_quiet(30);
    assert_eq!(weights(&world), ((0, 100), (0, 100)));
    assert_eq!(node_hashes(&world), ("canary-hash".to_string(), canary));
    assert!(object(&world, "ApisixRoute", "demo-header").is_none());
}

#[test]
fn missing_app_mesh_objects_are_reported_as_upstream() {
    // No VirtualService: InvalidSpec with the API server's NotFound message.
    let mut world = world_with(vec![apisix_route()]);
    world.reconcile();
    assert_eq!(
        world.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.trafficRouting.appmesh.virtualService: \
             Invalid value: \"demo-svc.default\": virtualservices.appmesh.k8s.aws \"demo-svc\" not found"
        )
    );
    assert!(world.sizes().is_empty(), "nothing is created");

    // No VirtualRouter.
    let mut objects = mesh_objects();
    objects.retain(|o| o["kind"] != "VirtualRouter");
    objects.push(apisix_route());
    let mut world = world_with(objects);
    world.reconcile();
    let message = world.status().message.clone().unwrap_or_default();
    assert!(
        message
            .ends_with("Invalid value: \"demo-svc.default\": virtualrouters.appmesh.k8s.aws \"demo-router\" not found"),
        "{message}"
    );

    // A missing VirtualNode is not checked up front: the router fails with upstream's error and
    // Warning, before the ReplicaSets are touched.
    let mut objects = mesh_objects();
    objects.retain(|o| o["metadata"]["name"] != "demo-canary");
    objects.push(apisix_route());
    let mut world = world_with(objects);
    let plan = (0..6)
        .find_map(|_| {
            let plan = world.reconcile();
            world.settle();
            plan.error.is_some().then_some(plan)
        })
        .expect("an error");
    assert_eq!(plan.error.as_deref(), Some("Virtual-node is missing"));
    // The stable node was pointed first, as upstream; no ReplicaSet is touched.
    assert_eq!(
        routing_writes(std::slice::from_ref(&plan)),
        ["update VirtualNode demo-stable"]
    );
    assert!(
        !describe_all(&plan).iter().any(|d| d.contains(" rs ")),
        "{:?}",
        describe_all(&plan)
    );
    let warnings: Vec<String> = plan
        .events
        .iter()
        .map(|e| format!("{}: {}", e.reason, e.message))
        .collect();
    assert!(
        warnings
            .contains(&"VirtualNodeNotFound: VirtualNode `demo-canary` not found in namespace `default`".to_string()),
        "{warnings:?}"
    );
}
