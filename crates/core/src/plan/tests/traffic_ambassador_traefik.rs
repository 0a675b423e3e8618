//! The Ambassador and Traefik routers driven by the planner through a whole canary: the writes each
//! transition makes, the canary Mapping's delayed delete once the weight is back to 0, and nothing
//! written once settled.

use serde_json::{Value, json};

use super::world::{World, demo_rollout, describe_all, service};
use crate::plan::{Action, Plan};

const CANARY: &str = "rollouts-demo-canary";
const STABLE: &str = "rollouts-demo-stable";

fn world_with(routing: Value, objects: Vec<Value>) -> World {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {
        "canaryService": CANARY, "stableService": STABLE, "trafficRouting": routing}}}));
    world.services = vec![service(CANARY, "rollouts-demo"), service(STABLE, "rollouts-demo")];
    world.routing_objects = objects;
    world.run_until_quiet(20);
    world
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
                .collect::<Vec<_>>()
        })
        .collect()
}

fn object<'w>(world: &'w World, name: &str) -> Option<&'w Value> {
    world.routing_objects.iter().find(|o| o["metadata"]["name"] == name)
}

fn base_mapping() -> Value {
    json!({"apiVersion": "getambassador.io/v2", "kind": "Mapping",
           "metadata": {"name": "demo", "namespace": "default", "uid": "m-1", "resourceVersion": "1"},
           "spec": {"prefix": "/demo", "service": "rollouts-demo-stable:80"}})
}

#[test]
fn ambassador_creates_updates_and_later_deletes_the_canary_mapping() {
    let mut world = world_with(json!({"ambassador": {"mappings": ["demo"]}}), vec![base_mapping()]);
    // Deployed: nothing goes to a canary, so there is no canary Mapping.
    assert_eq!(world.routing_objects, [base_mapping()]);
    assert!(world.reconcile().actions.is_empty());

    world.set_image("argoproj/rollouts-demo:yellow");
    let plans = world.run_until_quiet(30);
    assert_eq!(routing_writes(&plans), ["create Mapping demo-canary"]);
    let canary = object(&world, "demo-canary").expect("the canary Mapping");
    assert_eq!(
        canary,
        &json!({"apiVersion": "getambassador.io/v2", "kind": "Mapping",
                "metadata": {"name": "demo-canary", "namespace": "default"},
                "spec": {"prefix": "/demo", "service": "rollouts-demo-canary:80", "weight": 20}})
    );
    let events: Vec<String> = plans
        .iter()
        .flat_map(|p| &p.events)
        .map(|e| format!("{}: {}", e.reason, e.message))
        .collect();
    assert!(
        events.contains(&"CanaryMappingWeightUpdate: Set canary mapping weight to 20".to_string()),
        "{events:?}"
    );

    world.patch_status(json!({"pauseConditions": null, "controllerPause": false, "currentStepIndex": 2}));
    let plans = world.run_until_quiet(30);
    assert_eq!(routing_writes(&plans), ["update Mapping demo-canary"]);
    assert_eq!(object(&world, "demo-canary").unwrap()["spec"]["weight"], 40);

    // Promoted fully: the weight goes to 0 first, and the Mapping is deleted later.
    world.patch_status(json!({"promoteFull": true}));
    let plans = world.run_until_quiet(30);
    let writes = routing_writes(&plans);
    let zero = writes.iter().position(|w| w == "update Mapping demo-canary");
    let delete = writes.iter().position(|w| w == "delete Mapping demo-canary after 5s");
    assert!(matches!((zero, delete), (Some(z), Some(d)) if z < d), "{writes:?}");
    assert_eq!(object(&world, "demo-canary"), None);
    assert_eq!(
        world.routing_objects,
        [base_mapping()],
        "the base Mapping is never written"
    );
    assert!(world.reconcile().actions.is_empty());
}

#[test]
fn traefik_sets_the_weights_once_per_step() {
    let service = json!({"apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService",
        "metadata": {"name": "demo", "namespace": "default", "resourceVersion": "1"},
        "spec": {"weighted": {"services": [{"name": STABLE, "port": 80}, {"name": CANARY, "port": 80}]}}});
    let weights = |world: &World| -> Vec<Value> {
        object(world, "demo").unwrap()["spec"]["weighted"]["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["weight"].clone())
            .collect()
    };
    let mut world = world_with(
        json!({"traefik": {"weightedTraefikServiceName": "demo"}}),
        vec![service],
    );
    assert_eq!(weights(&world), [json!(100), json!(0)]);
    assert!(world.reconcile().actions.is_empty());
    world.set_image("argoproj/rollouts-demo:yellow");
    let plans = world.run_until_quiet(30);
    assert_eq!(routing_writes(&plans), ["update TraefikService demo"]);
    assert_eq!(weights(&world), [json!(80), json!(20)]);
    world.patch_status(json!({"promoteFull": true}));
    world.run_until_quiet(30);
    assert_eq!(weights(&world), [json!(100), json!(0)]);
}
