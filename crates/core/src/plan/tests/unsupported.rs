//! A Rollout that configures what the controller does not drive yet (a traffic router, a step plugin)
//! is refused with an InvalidSpec naming it, and nothing is created for it.

use rollouts_api::RolloutPhase;
use serde_json::{Value, json};

use super::world::{World, demo_rollout};

fn routed(routing: Value) -> World {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {
        "canaryService": "rollouts-demo-canary",
        "stableService": "rollouts-demo-stable",
        "trafficRouting": routing
    }}}));
    world
}

#[test]
fn a_traffic_router_plugin_is_an_invalid_spec_naming_the_plugin() {
    let mut world = routed(json!({"plugins": {"example.com/router": {"route": "r"}}}));
    world.reconcile();
    assert_eq!(
        world.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.trafficRouting.plugins: \
             Forbidden: traffic router plugin \"example.com/router\" is not supported yet"
        )
    );
    assert!(world.sizes().is_empty());
}

#[test]
fn built_in_routers_next_to_an_unknown_plugin_name_the_plugin() {
    let mut world = routed(json!({
        "smi": {},
        "traefik": {"weightedTraefikServiceName": "demo"},
        "plugins": {"example.com/router": {"route": "r"}}
    }));
    world.reconcile();
    let message = world.status().message.clone().unwrap_or_default();
    assert!(message.contains("trafficRouting.plugins: Forbidden"), "{message}");
    assert!(message.contains("\"example.com/router\""), "{message}");
}

#[test]
fn a_spec_problem_is_still_reported_before_the_router() {
    // Traffic routing needs both Services named; that spec error comes first, as upstream reports it.
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {"trafficRouting": {"smi": {}}}}}));
    world.reconcile();
    let message = world.status().message.clone().unwrap_or_default();
    assert!(message.contains("must to be set to use Traffic Routing"), "{message}");
}

#[test]
fn no_router_is_not_refused() {
    let mut world = World::new(demo_rollout());
    world.reconcile();
    assert_eq!(world.status().message, None);
    assert_eq!(world.sizes().len(), 1);
}

#[test]
fn a_plugin_step_is_an_invalid_spec_naming_the_step_and_the_plugin() {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {"steps": [
        {"setWeight": 20}, {"plugin": {"name": "example/step", "config": {}}}, {"pause": {}}
    ]}}}));
    let plan = world.reconcile();
    assert_eq!(
        world.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.steps[1].plugin: \
             Forbidden: step plugin \"example/step\" is not supported yet"
        )
    );
    assert_eq!(world.status().phase, Some(RolloutPhase::Degraded));
    assert!(plan.error.is_some());
    assert!(world.sizes().is_empty(), "nothing is created: {:?}", world.sizes());
}

#[test]
fn an_experiment_step_is_not_refused() {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {"steps": [
        {"setWeight": 20},
        {"experiment": {"duration": "1m", "templates": [{"name": "baseline", "specRef": "stable"}]}},
        {"pause": {}}
    ]}}}));
    world.reconcile();
    assert_eq!(world.status().message, None);
    assert_eq!(world.sizes().len(), 1);
}
