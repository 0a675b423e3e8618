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

/// The demo Rollout routed through `routing`, with its Services and these routing objects, reconciled
/// once (or until quiet when `settle`).
fn routed_with(routing: Value, objects: Vec<Value>) -> World {
    let mut world = World::new(demo_rollout());
    world.patch_spec(json!({"strategy": {"canary": {
        "canaryService": CANARY, "stableService": STABLE, "trafficRouting": routing}}}));
    world.services = vec![service(CANARY, "rollouts-demo"), service(STABLE, "rollouts-demo")];
    world.routing_objects = objects;
    world
}

fn invalid_spec(world: &World) -> String {
    world.status().message.clone().unwrap_or_default()
}

/// An HTTPRoute of the default namespace with these labels, sending to the stable and canary Services.
fn http_route(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
           "metadata": {"name": name, "namespace": "default", "resourceVersion": "1", "labels": labels},
           "spec": {"rules": [{"backendRefs": [{"name": STABLE, "port": 80}, {"name": CANARY, "port": 80}]}]}})
}

/// `stable=<w> canary=<w>` of a route's first rule (`-` for no weight).
fn route_weights(world: &World, name: &str) -> String {
    let route = world
        .routing_objects
        .iter()
        .find(|o| o["metadata"]["name"] == name)
        .expect("the route");
    route["spec"]["rules"][0]["backendRefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let who = if b["name"] == STABLE { "stable" } else { "canary" };
            let weight = b.get("weight").map_or("-".to_string(), Value::to_string);
            format!("{who}={weight}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn gateway_api_route_selectors_weight_the_selected_routes_and_write_nothing_on_repeat() {
    let selected = json!({"app": "rollouts-demo", "canary-enabled": "true"});
    let mut world = routed_with(
        json!({"plugins": {"argoproj-labs/gatewayAPI": {
            "httpRouteSelector": {"matchLabels": {"app": "rollouts-demo", "canary-enabled": "true"}}}}}),
        vec![
            http_route("backend-route", selected.clone()),
            http_route("api-route", selected),
            http_route("unrelated-route", json!({"app": "rollouts-demo"})),
        ],
    );
    world.run_until_quiet(20);
    assert_eq!(route_weights(&world, "api-route"), "stable=100 canary=0");
    assert_eq!(route_weights(&world, "backend-route"), "stable=100 canary=0");

    world.set_image("argoproj/rollouts-demo:yellow");
    world.settle();
    let plans = quiet(&mut world);
    let writes: Vec<String> = plans.iter().flat_map(routing_writes).collect();
    assert!(writes.iter().all(|w| !w.contains("unrelated-route")), "{writes:#?}");
    // Both selected routes, in name order, in the one reconcile that moves the weight.
    let setting: Vec<&Plan> = plans.iter().filter(|p| !routing_writes(p).is_empty()).collect();
    assert_eq!(setting.len(), 1, "{writes:#?}");
    let targets: Vec<&str> = setting[0]
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Routing(RoutingWrite::Update(body)) => body["metadata"]["name"].as_str(),
            _ => None,
        })
        .collect();
    assert_eq!(targets, ["api-route", "backend-route"]);
    assert_eq!(route_weights(&world, "api-route"), "stable=80 canary=20");
    assert_eq!(route_weights(&world, "backend-route"), "stable=80 canary=20");
    assert_eq!(route_weights(&world, "unrelated-route"), "stable=- canary=-");
    assert_eq!(weights(&world).canary.weight, 20);

    let plan = world.reconcile();
    assert!(plan.actions.is_empty(), "{:?}", describe_all(&plan));
}

#[test]
fn a_missing_gateway_api_route_is_an_invalid_spec_naming_the_field() {
    let mut world = routed_with(
        json!({"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "missing-route"}}}),
        vec![],
    );
    let plan = world.reconcile();
    assert_eq!(
        invalid_spec(&world),
        "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: \
         spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI.httpRoute: \
         Invalid value: \"missing-route\": httproutes.gateway.networking.k8s.io \"missing-route\" not found"
    );
    assert!(plan.error.is_some());
    assert!(world.sizes().is_empty(), "nothing is created");

    let mut world = routed_with(
        json!({"plugins": {"argoproj-labs/gatewayAPI": {
            "httpRoutes": [{"name": "present-route"}], "grpcRoutes": [{"name": "missing-grpc"}]}}}),
        vec![http_route("present-route", json!({}))],
    );
    world.reconcile();
    assert_eq!(
        invalid_spec(&world),
        "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: \
         spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI.grpcRoutes[0].name: \
         Invalid value: \"missing-grpc\": grpcroutes.gateway.networking.k8s.io \"missing-grpc\" not found"
    );
}

#[test]
fn istio_routes_are_validated_with_upstreams_messages() {
    let vs = |http: Value| {
        json!({"apiVersion": "networking.istio.io/v1alpha3", "kind": "VirtualService",
               "metadata": {"name": "vsvc", "namespace": "default", "resourceVersion": "1"},
               "spec": {"hosts": ["demo.local"], "http": http}})
    };
    let route = |name: &str, canary: &str| {
        json!({"name": name, "route": [{"destination": {"host": STABLE}, "weight": 100},
                                        {"destination": {"host": canary}, "weight": 0}]})
    };
    let prefix = "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: \
                  spec.strategy.canary.trafficRouting.istio.virtualService.name: Invalid value: \"vsvc\": ";
    let cases = [
        (
            json!({"name": "vsvc", "routes": ["primary", "secondary"]}),
            json!([route("primary", CANARY)]),
            "Istio VirtualService has invalid HTTP routes. Error: HTTP Route 'secondary' is not found in the \
             defined Virtual Service.",
        ),
        (
            json!({"name": "vsvc"}),
            json!([route("primary", CANARY), route("secondary", CANARY)]),
            "Istio VirtualService has invalid HTTP routes. Error: spec.http[] should be set in VirtualService \
             and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes",
        ),
        (
            json!({"name": "vsvc", "routes": ["primary"]}),
            json!([route("primary", "elsewhere")]),
            "Istio VirtualService has invalid HTTP routes. Error: Canary Service 'rollouts-demo-canary' not found in route",
        ),
    ];
    for (virtual_service, http, message) in cases {
        let mut world = routed_with(
            json!({"istio": {"virtualService": virtual_service}}),
            vec![vs(http.clone())],
        );
        let plan = world.reconcile();
        assert_eq!(invalid_spec(&world), format!("{prefix}{message}"), "{http}");
        assert!(plan.error.is_some());
        assert!(world.sizes().is_empty(), "nothing is created");
    }
    // No route of any kind.
    let mut empty = vs(json!(null));
    empty["spec"] = json!({"hosts": ["demo.local"]});
    let mut world = routed_with(json!({"istio": {"virtualService": {"name": "vsvc"}}}), vec![empty]);
    world.reconcile();
    assert_eq!(
        invalid_spec(&world),
        format!("{prefix}Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService")
    );

    // Fixed, the Rollout deploys and the route is weighted.
    world.routing_objects = vec![vs(json!([route("primary", CANARY)]))];
    world.run_until_quiet(20);
    assert!(
        !invalid_spec(&world).starts_with("InvalidSpec"),
        "{}",
        invalid_spec(&world)
    );
    assert_eq!(world.sizes().len(), 1);
}

#[test]
fn a_missing_ingress_is_reported_before_a_virtual_service_with_bad_routes() {
    // Upstream reads every routing object before checking any, Ingresses before VirtualServices.
    let bad_vs = json!({"apiVersion": "networking.istio.io/v1alpha3", "kind": "VirtualService",
                        "metadata": {"name": "vsvc", "namespace": "default"}, "spec": {"hosts": ["x"]}});
    let mut world = routed_with(
        json!({"istio": {"virtualService": {"name": "vsvc"}},
               "nginx": {"stableIngress": "missing-ingress"}}),
        vec![bad_vs],
    );
    world.reconcile();
    assert_eq!(
        invalid_spec(&world),
        "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.trafficRouting.nginx.stableIngress: \
         Invalid value: \"missing-ingress\": ingress.networking.k8s.io \"missing-ingress\" not found"
    );
}

#[test]
fn a_missing_traffic_split_is_created_not_an_invalid_spec() {
    let mut world = routed_with(json!({"smi": {}}), vec![]);
    let plans = world.run_until_quiet(20);
    assert!(
        !invalid_spec(&world).starts_with("InvalidSpec"),
        "{}",
        invalid_spec(&world)
    );
    let created: Vec<String> = plans
        .iter()
        .flat_map(routing_writes)
        .filter(|w| w.starts_with("create TrafficSplit"))
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        split_weights(&world),
        [(CANARY.into(), "\"0\"".into()), (STABLE.into(), "\"100\"".into())]
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
