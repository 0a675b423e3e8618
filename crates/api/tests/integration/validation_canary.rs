//! Canary strategy validation: the strategy-level rules, at upstream's `spec.strategy.<field>` paths
//! (without `.canary`), with upstream's messages.

use crate::validation_fixtures as fixtures;

use fixtures::{canary_rollout, case, check_table, istio_rollout};
use rollouts_api::validation::validate_rollout;
use serde_json::{Value, json};

fn canary(fields: Value) -> Value {
    json!({"spec": {"strategy": {"canary": fields}}})
}

#[test]
fn surge_and_unavailability() {
    let cases = vec![
        case(
            "both ints zero",
            canary(json!({"maxSurge": 0, "maxUnavailable": 0})),
            &["spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero"],
        ),
        case(
            "zero percent and zero",
            canary(json!({"maxSurge": "0%", "maxUnavailable": 0})),
            &["spec.strategy.maxSurge: Invalid value: \"0%\": MaxSurge and MaxUnavailable both can not be zero"],
        ),
        case(
            "strings without percent signs",
            canary(json!({"maxSurge": "0", "maxUnavailable": "0%"})),
            &["spec.strategy.maxSurge: Invalid value: \"0\": MaxSurge and MaxUnavailable both can not be zero"],
        ),
        case(
            "a non-number string counts as zero",
            canary(json!({"maxSurge": "abc", "maxUnavailable": 0})),
            &["spec.strategy.maxSurge: Invalid value: \"abc\": MaxSurge and MaxUnavailable both can not be zero"],
        ),
        case(
            "zero surge, 1% unavailable",
            canary(json!({"maxSurge": 0, "maxUnavailable": "1%"})),
            &[],
        ),
        case(
            "only unavailability set to zero",
            canary(json!({"maxUnavailable": 0})),
            &[],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}

#[test]
fn services_ping_pong_and_routers() {
    let cases = vec![
        case(
            "same canary and stable Service",
            canary(json!({"canaryService": "demo", "stableService": "demo"})),
            &[
                "spec.strategy.stableService: Invalid value: \"demo\": This rollout uses the same service for the stable and canary services, but two different services are required.",
            ],
        ),
        case(
            "routing without a canary Service",
            canary(json!({"canaryService": null})),
            &[
                "spec.strategy.canaryService: Invalid value: \"\": Canary service and Stable service must to be set to use Traffic Routing",
            ],
        ),
        case(
            "routing without either Service",
            canary(json!({"canaryService": null, "stableService": null})),
            &[
                "spec.strategy.stableService: Invalid value: \"\": Canary service and Stable service must to be set to use Traffic Routing",
                "spec.strategy.canaryService: Invalid value: \"\": Canary service and Stable service must to be set to use Traffic Routing",
            ],
        ),
        case(
            "Istio subset split needs no Services",
            canary(
                json!({"canaryService": null, "stableService": null, "trafficRouting": {"istio": {
                    "destinationRule": {"name": "demo-dr", "canarySubsetName": "canary", "stableSubsetName": "stable"}
                }}}),
            ),
            &[],
        ),
        case(
            "ping-pong with a router that cannot do it",
            canary(json!({"pingPong": {"pingService": "ping", "pongService": "pong"},
                "trafficRouting": {"istio": null, "nginx": {"stableIngress": "demo"}}})),
            &[
                "spec.strategy.trafficRouting.alb: Invalid value: null: Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only",
            ],
        ),
        case(
            "ping-pong without Services",
            canary(json!({"pingPong": {}})),
            &[
                "spec.strategy.pingPong.pingService: Invalid value: \"\": Ping service and Pong service must to be set to use Ping-Pong feature",
                "spec.strategy.pingPong.pongService: Invalid value: \"\": Ping service and Pong service must to be set to use Ping-Pong feature",
                "spec.strategy.pingPong.pingService: Invalid value: \"\": This rollout uses the same service for the ping and pong services, but two different services are required.",
            ],
        ),
        case(
            "ping-pong with one Service twice",
            canary(json!({"pingPong": {"pingService": "ping", "pongService": "ping"}})),
            &[
                "spec.strategy.pingPong.pingService: Invalid value: \"ping\": This rollout uses the same service for the ping and pong services, but two different services are required.",
            ],
        ),
        case(
            "ping-pong with ALB but no root Service",
            canary(json!({"canaryService": null, "stableService": null,
                "pingPong": {"pingService": "ping", "pongService": "pong"},
                "trafficRouting": {"istio": null, "alb": {"ingress": "demo", "servicePort": 80}}})),
            &[
                "spec.strategy.trafficRouting.alb.rootService: Invalid value: \"\": Root service field is required for the configuration with ALB and ping-pong feature enabled",
            ],
        ),
        case(
            "ping-pong with ALB and a root Service",
            canary(json!({"canaryService": null, "stableService": null,
                "pingPong": {"pingService": "ping", "pongService": "pong"},
                "trafficRouting": {"istio": null, "alb": {"ingress": "demo", "servicePort": 80, "rootService": "root"}}})),
            &[],
        ),
        case(
            "scale-down delay together with dynamic stable scale",
            canary(json!({"scaleDownDelaySeconds": 10, "dynamicStableScale": true})),
            &[
                "spec.strategy.dynamicStableScale: Invalid value: true: Canary dynamicStableScale cannot be used with scaleDownDelaySeconds",
            ],
        ),
        case(
            "maxTrafficWeight with Istio",
            canary(json!({"trafficRouting": {"maxTrafficWeight": 1000}})),
            &[
                "spec.strategy.trafficRouting.maxTrafficWeight: Invalid value: 1000: Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins",
            ],
        ),
        case(
            "maxTrafficWeight with NGINX raises the setWeight ceiling",
            canary(json!({"steps": [{"setWeight": 500}],
                "trafficRouting": {"istio": null, "maxTrafficWeight": 1000, "nginx": {"stableIngress": "demo"}}})),
            &[],
        ),
        case(
            "maxTrafficWeight with a plugin router",
            canary(json!({"trafficRouting": {"istio": null, "maxTrafficWeight": 1000,
                "plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "demo"}}}})),
            &[],
        ),
        case(
            "anti-affinity at the canary's path",
            canary(json!({"antiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 0}}})),
            &["spec.strategy.antiAffinity.weight: Invalid value: 0: AntiAffinity weight must be between 1-100"],
        ),
    ];
    check_table(istio_rollout, validate_rollout, cases);
}

#[test]
fn options_that_need_traffic_routing() {
    let cases = vec![
        case(
            "scale-down delay",
            canary(json!({"scaleDownDelaySeconds": 60})),
            &[
                "spec.strategy.scaleDownDelaySeconds: Invalid value: 60: Canary scaleDownDelaySeconds can only be used with traffic routing",
            ],
        ),
        case(
            "dynamic stable scale",
            canary(json!({"dynamicStableScale": true})),
            &[
                "spec.strategy.dynamicStableScale: Invalid value: true: Canary dynamicStableScale can only be used with traffic routing",
            ],
        ),
        case(
            "dynamic stable scale off",
            canary(json!({"dynamicStableScale": false})),
            &[],
        ),
        case(
            "ping-pong without a router only needs its Services",
            canary(json!({"pingPong": {"pingService": "ping", "pongService": "pong"}})),
            &[],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}
