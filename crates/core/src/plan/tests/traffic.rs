//! Golden plans of a traffic-routed canary: the routers' writes in the order the reconcile makes
//! them, `status.canary.weights` and its events, through deploy, each setWeight, promotion and abort.
//! SMI and NGINX together show that several routers are all driven, in upstream's order.

use rollouts_api::rollout_status::TrafficWeights;
use serde_json::{Value, json};

use super::world::{World, demo_rollout, describe_all, selector_of, service};
use crate::plan::{Action, Plan};
use crate::traffic::RoutingWrite;

const CANARY: &str = "rollouts-demo-canary";
const STABLE: &str = "rollouts-demo-stable";

fn ingress() -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": {"name": "rollouts-demo-stable", "namespace": "default", "resourceVersion": "1"},
           "spec": {"rules": [{"host": "demo.local", "http": {"paths": [{"path": "/", "pathType": "Prefix",
               "backend": {"service": {"name": STABLE, "port": {"number": 80}}}}]}}]}})
}

/// The demo Rollout (5 replicas, setWeight 20 → pause → 40 ...) routed through `routing`, with its
/// Services, deployed and Healthy.
fn routed(routing: Value) -> World {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {
        "canaryService": CANARY, "stableService": STABLE, "trafficRouting": routing}}}));
    world.services = vec![service(CANARY, "rollouts-demo"), service(STABLE, "rollouts-demo")];
    world.routing_objects = vec![ingress()];
    world.run_until_quiet(20);
    world
}

fn routing_writes(plan: &Plan) -> Vec<String> {
    describe_all(plan)
        .into_iter()
        .zip(&plan.actions)
        .filter(|(_, a)| matches!(a, Action::Routing(_)))
        .map(|(d, _)| d)
        .collect()
}

fn events(plan: &Plan) -> Vec<String> {
    plan.events
        .iter()
        .map(|e| format!("{}: {}", e.reason, e.message))
        .collect()
}

fn weights(world: &World) -> TrafficWeights {
    world.status().canary.clone().unwrap().weights.unwrap()
}

fn split(world: &World) -> Value {
    world
        .routing_objects
        .iter()
        .find(|o| o["kind"] == "TrafficSplit")
        .cloned()
        .expect("a TrafficSplit")
}

fn split_weights(world: &World) -> Vec<(String, String)> {
    split(world)["spec"]["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["service"].as_str().unwrap().to_string(), b["weight"].to_string()))
        .collect()
}

fn canary_weight_annotation(world: &World) -> Option<String> {
    world
        .routing_objects
        .iter()
        .find(|o| o["metadata"]["name"] == "rollouts-demo-rollouts-demo-stable-canary")
        .and_then(|o| o["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary-weight"].as_str())
        .map(str::to_string)
}

/// Reconciles until the plan writes nothing, settling pods in between; returns every plan.
fn quiet(world: &mut World) -> Vec<Plan> {
    world.run_until_quiet(30)
}

#[test]
fn initial_deploy_creates_the_routing_objects_with_no_canary_weight() {
    let world = routed(json!({"smi": {}, "nginx": {"stableIngress": "rollouts-demo-stable"}}));
    assert_eq!(
        split_weights(&world),
        [(CANARY.into(), "\"0\"".into()), (STABLE.into(), "\"100\"".into())]
    );
    assert_eq!(canary_weight_annotation(&world).as_deref(), Some("0"));
    let w = weights(&world);
    assert_eq!((w.canary.weight, w.stable.weight), (0, 100));
    assert_eq!(
        w.canary.pod_template_hash, w.stable.pod_template_hash,
        "stable and canary are the same version"
    );
    assert_eq!(w.canary.service_name.as_deref(), Some(CANARY));
}

#[test]
fn a_reconcile_that_changes_nothing_writes_nothing_to_the_routers() {
    let mut world = routed(json!({"smi": {}, "nginx": {"stableIngress": "rollouts-demo-stable"}}));
    let plan = world.reconcile();
    assert!(plan.actions.is_empty(), "{:?}", describe_all(&plan));
}

#[test]
fn each_set_weight_moves_traffic_only_once_the_canary_is_sized_for_it() {
    let mut world = routed(json!({"smi": {}, "nginx": {"stableIngress": "rollouts-demo-stable"}}));
    world.set_image("argoproj/rollouts-demo:yellow");
    let mut plans = Vec::new();
    // Reconcile without making new pods available: traffic must not move to a canary with none.
    for _ in 0..6 {
        plans.push(world.reconcile());
        world.settle_without_new_pods();
    }
    assert!(
        plans.iter().all(|p| routing_writes(p)
            .iter()
            .all(|w| !w.contains("\"20\"") && !w.contains("\"weight\":20"))),
        "no weight before the canary has pods: {:#?}",
        plans.iter().map(describe_all).collect::<Vec<_>>()
    );
    assert_eq!(weights(&world).canary.weight, 0);

    // Pods become available: the routers are set to 20 %, NGINX first then SMI (upstream's order),
    // in one reconcile, with one event.
    world.settle();
    let plans = quiet(&mut world);
    let setting: Vec<&Plan> = plans.iter().filter(|p| !routing_writes(p).is_empty()).collect();
    assert_eq!(
        setting.len(),
        1,
        "{:#?}",
        plans.iter().map(describe_all).collect::<Vec<_>>()
    );
    let writes = routing_writes(setting[0]);
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert!(
        writes[0].starts_with("patch Ingress rollouts-demo-rollouts-demo-stable-canary"),
        "{writes:?}"
    );
    assert!(writes[1].starts_with("patch TrafficSplit rollouts-demo"), "{writes:?}");
    assert!(events(setting[0]).contains(&"TrafficWeightUpdated: Traffic weight updated from 0 to 20".to_string()));
    assert_eq!(
        split_weights(&world),
        [(CANARY.into(), "\"20\"".into()), (STABLE.into(), "\"80\"".into())]
    );
    assert_eq!(canary_weight_annotation(&world).as_deref(), Some("20"));
    let w = weights(&world);
    assert_eq!((w.canary.weight, w.stable.weight), (20, 80));
    assert_ne!(w.canary.pod_template_hash, w.stable.pod_template_hash);
    // Traffic-routed arithmetic: 1 canary pod for 20 % of 5, the stable stays at 5.
    assert_eq!(world.status().current_step_index, Some(1));
}

#[test]
fn promotion_sends_everything_to_the_canary_then_back_to_the_new_stable() {
    let mut world = routed(json!({"smi": {}}));
    world.set_image("argoproj/rollouts-demo:yellow");
    quiet(&mut world);
    assert_eq!(weights(&world).canary.weight, 20);
    world.patch_status(json!({"promoteFull": true}));
    world.settle();
    let plans = quiet(&mut world);
    let canary_weights: Vec<i32> = plans
        .iter()
        .flat_map(|p| &p.events)
        .filter(|e| e.reason == "TrafficWeightUpdated")
        .map(|e| e.message.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    // Full promotion keeps the current weight until the canary is fully available, then the
    // stable becomes the new version and the canary weight is reset.
    assert_eq!(canary_weights.last(), Some(&0), "{canary_weights:?}");
    let w = weights(&world);
    assert_eq!((w.canary.weight, w.stable.weight), (0, 100));
    assert_eq!(w.canary.pod_template_hash, w.stable.pod_template_hash);
    assert_eq!(world.status().stable_rs, w.stable.pod_template_hash);
}

#[test]
fn abort_sends_the_weight_back_to_the_stable_before_the_canary_is_scaled_down() {
    let mut world = routed(json!({"smi": {}}));
    world.set_image("argoproj/rollouts-demo:yellow");
    quiet(&mut world);
    assert_eq!(weights(&world).canary.weight, 20);
    world.patch_status(json!({"abort": true}));
    let plan = world.reconcile();
    let all = describe_all(&plan);
    let weight_at = all
        .iter()
        .position(|d| d.starts_with("patch TrafficSplit"))
        .expect("a split write");
    let scale_down_at = all
        .iter()
        .position(|d| d.starts_with("update rs") && d.ends_with("replicas=0"));
    if let Some(scale_down_at) = scale_down_at {
        assert!(weight_at < scale_down_at, "{all:?}");
    }
    assert_eq!(
        split_weights(&world),
        [(CANARY.into(), "\"0\"".into()), (STABLE.into(), "\"100\"".into())]
    );
    assert_eq!(weights(&world).canary.weight, 0);
}

#[test]
fn a_router_error_stops_the_reconcile_before_the_replica_sets_and_names_the_problem() {
    let mut world = routed(json!({"smi": {}}));
    // Someone else's TrafficSplit of the same name: SMI refuses to take it over.
    let mut foreign = split(&world);
    foreign["metadata"]["ownerReferences"] = json!([]);
    world.routing_objects.retain(|o| o["kind"] != "TrafficSplit");
    world.routing_objects.push(foreign);
    world.set_image("argoproj/rollouts-demo:yellow");
    let plans: Vec<Plan> = (0..6)
        .map(|_| {
            let p = world.reconcile();
            world.settle();
            p
        })
        .collect();
    let failed = plans.iter().find(|p| p.error.is_some()).expect("an error");
    assert_eq!(
        failed.error.as_deref(),
        Some("Rollout does not own TrafficSplit `rollouts-demo`")
    );
    assert!(
        failed
            .actions
            .iter()
            .all(|a| !matches!(a, Action::Routing(RoutingWrite::MergePatch { .. }))),
        "{:?}",
        describe_all(failed)
    );
    assert!(
        events(failed)
            .iter()
            .any(|e| e.starts_with("TrafficRoutingError: Rollout does not own"))
    );
}

#[test]
fn a_missing_routing_object_is_an_invalid_spec_with_upstreams_message() {
    let mut world = World::new(demo_rollout());
    world.patch_spec(
        json!({"strategy": {"canary": {"canaryService": CANARY, "stableService": STABLE,
        "trafficRouting": {"nginx": {"stableIngress": "missing-ingress"}}}}}),
    );
    world.services = vec![service(CANARY, "rollouts-demo"), service(STABLE, "rollouts-demo")];
    let plan = world.reconcile();
    assert_eq!(
        world.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.trafficRouting.nginx.stableIngress: \
             Invalid value: \"missing-ingress\": ingress.networking.k8s.io \"missing-ingress\" not found"
        )
    );
    assert!(plan.error.is_some());
    assert!(world.sizes().is_empty(), "nothing is created");

    // An Ingress that does not route to the stable Service.
    let mut other = ingress();
    other["metadata"]["name"] = json!("missing-ingress");
    other["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = json!("elsewhere");
    world.routing_objects = vec![other];
    world.reconcile();
    let message = world.status().message.clone().unwrap_or_default();
    assert!(
        message.ends_with("ingress `missing-ingress` has no rules using service rollouts-demo-stable backend"),
        "{message}"
    );

    let mut world = World::new(demo_rollout());
    world.patch_spec(
        json!({"strategy": {"canary": {"canaryService": CANARY, "stableService": STABLE,
        "trafficRouting": {"istio": {"virtualService": {"name": "vsvc", "routes": ["primary"]}}}}}}),
    );
    world.services = vec![service(CANARY, "rollouts-demo"), service(STABLE, "rollouts-demo")];
    world.reconcile();
    assert_eq!(
        world.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.trafficRouting.istio.virtualService.name: \
             Invalid value: \"vsvc\": virtualservices.networking.istio.io \"vsvc\" not found"
        )
    );
}

fn ping_pong_virtual_service() -> Value {
    json!({"apiVersion": "networking.istio.io/v1alpha3", "kind": "VirtualService",
           "metadata": {"name": "vsvc", "namespace": "default", "resourceVersion": "1"},
           "spec": {"hosts": ["rollouts-demo"], "http": [{"name": "primary", "route": [
               {"destination": {"host": "ping"}, "weight": 100},
               {"destination": {"host": "pong"}, "weight": 0}]}]}})
}

fn virtual_service_weights(world: &World) -> Vec<(String, i64)> {
    let vsvc = world
        .routing_objects
        .iter()
        .find(|o| o["kind"] == "VirtualService")
        .expect("a VirtualService");
    vsvc["spec"]["http"][0]["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["destination"]["host"].as_str().unwrap().to_string(),
                r["weight"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

fn stable_ping_pong(world: &World) -> Option<String> {
    world.status().canary.as_ref().and_then(|c| c.stable_ping_pong.clone())
}

/// Upstream `promoteStable` and `reconcilePingAndPongService` (its e2e `TestIstioPingPongUpdate`): the
/// first deploy makes `ping` the stable Service; an update points the other one at the new ReplicaSet
/// and gives it the step's weight; the promotion makes it the stable one, and the next update goes to
/// `ping` again.
#[test]
fn ping_pong_services_take_turns_as_the_stable_one() {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {
        "pingPong": {"pingService": "ping", "pongService": "pong"},
        "trafficRouting": {"istio": {"virtualService": {"name": "vsvc", "routes": ["primary"]}}}}}}));
    world.services = vec![service("ping", "rollouts-demo"), service("pong", "rollouts-demo")];
    world.routing_objects = vec![ping_pong_virtual_service()];
    quiet(&mut world);
    assert_eq!(stable_ping_pong(&world).as_deref(), Some("ping"));
    assert_eq!(
        virtual_service_weights(&world),
        [("ping".into(), 100), ("pong".into(), 0)]
    );

    world.set_image("argoproj/rollouts-demo:yellow");
    world.settle();
    quiet(&mut world);
    let second = world.status().current_pod_hash.clone().unwrap();
    assert_eq!(selector_of(&world, "pong"), second);
    assert_eq!(
        virtual_service_weights(&world),
        [("ping".into(), 80), ("pong".into(), 20)]
    );

    world.patch_status(json!({"promoteFull": true}));
    world.settle();
    quiet(&mut world);
    assert_eq!(stable_ping_pong(&world).as_deref(), Some("pong"));
    assert_eq!(world.status().stable_rs.as_deref(), Some(second.as_str()));
    assert_eq!(
        virtual_service_weights(&world),
        [("ping".into(), 0), ("pong".into(), 100)]
    );

    world.set_image("argoproj/rollouts-demo:green");
    world.settle();
    quiet(&mut world);
    let third = world.status().current_pod_hash.clone().unwrap();
    assert_eq!(selector_of(&world, "ping"), third);
    assert_eq!(selector_of(&world, "pong"), second);
    assert_eq!(
        virtual_service_weights(&world),
        [("ping".into(), 20), ("pong".into(), 80)]
    );
}
