//! Canary step validation, with upstream's messages and `spec.strategy.steps[i]` paths.

use crate::validation_fixtures as fixtures;

use fixtures::{canary_rollout, case, check_table, istio_rollout};
use rollouts_api::validation::{is_downward_api_path, validate_rollout};
use serde_json::{Value, json};

fn steps(steps: Value) -> Value {
    json!({"spec": {"strategy": {"canary": {"steps": steps}}}})
}

fn canary(fields: Value) -> Value {
    json!({"spec": {"strategy": {"canary": fields}}})
}

fn nginx_routing() -> Value {
    json!({"istio": null, "nginx": {"stableIngress": "demo"}})
}

#[test]
fn step_kinds_weights_and_pauses() {
    let cases = vec![
        case(
            "empty step",
            steps(json!([{}])),
            &[
                "spec.strategy.steps[0]: Invalid value: \"step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true step.Plugin: true\": Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause",
            ],
        ),
        case(
            "two actions in one step",
            steps(json!([{"setWeight": 10, "pause": {}}])),
            &[
                "spec.strategy.steps[0]: Invalid value: \"step.Experiment: false step.Pause: true step.SetWeight: true step.Analysis: false\": Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause",
            ],
        ),
        case(
            "a plugin step alone",
            steps(json!([{"plugin": {"name": "argoproj-labs/sample", "config": {"a": 1}}}])),
            &[],
        ),
        case(
            "weight above 100",
            steps(json!([{"setWeight": 101}])),
            &["spec.strategy.steps[0].setWeight: Invalid value: 101: SetWeight needs to be between 0 and 100"],
        ),
        case(
            "negative weight",
            steps(json!([{"setWeight": 5}, {"setWeight": -1}])),
            &["spec.strategy.steps[1].setWeight: Invalid value: -1: SetWeight needs to be between 0 and 100"],
        ),
        case(
            "weights at both ends",
            steps(json!([{"setWeight": 0}, {"setWeight": 100}])),
            &[],
        ),
        case(
            "pause duration that is not a duration",
            steps(json!([{"pause": {"duration": "abc"}}])),
            &["spec.strategy.steps[0].pause.duration: Invalid value: -1: Duration needs to be greater than 0"],
        ),
        case(
            "negative pause seconds",
            steps(json!([{"pause": {"duration": -5}}])),
            &["spec.strategy.steps[0].pause.duration: Invalid value: -5: Duration needs to be greater than 0"],
        ),
        case(
            "negative pause duration string",
            steps(json!([{"pause": {"duration": "-10s"}}])),
            &["spec.strategy.steps[0].pause.duration: Invalid value: -10: Duration needs to be greater than 0"],
        ),
        case(
            "pause durations upstream accepts",
            steps(
                json!([{"pause": {"duration": 30}}, {"pause": {"duration": "10"}}, {"pause": {"duration": "1h"}},
                {"pause": {"duration": "500ms"}}, {"pause": {}}]),
            ),
            &[],
        ),
        case(
            "setCanaryScale without traffic routing",
            steps(json!([{"setCanaryScale": {"replicas": 1}}])),
            &["spec.strategy.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set"],
        ),
        case(
            "experiment weight without traffic routing",
            steps(json!([{"experiment": {"templates": [{"name": "a", "specRef": "canary", "weight": 20}]}}])),
            &[
                "spec.strategy.steps[0].experiment.templates[0].weight: Invalid value: 20: Experiment template weight cannot be set unless TrafficRouting is enabled",
            ],
        ),
        case(
            "header route without traffic routing",
            steps(json!([{"setHeaderRoute": {"name": "header-route",
                "match": [{"headerName": "x-canary", "headerValue": {"exact": "yes"}}]}}])),
            &[
                "spec.strategy.steps[0].setHeaderRoute: Invalid value: {\"name\":\"header-route\",\"match\":[{\"headerName\":\"x-canary\",\"headerValue\":{\"exact\":\"yes\"}}]}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix",
            ],
        ),
        case(
            "mirror route without traffic routing",
            steps(json!([{"setMirrorRoute": {"name": "mirror-route", "percentage": 50}}])),
            &[
                "spec.strategy.steps[0].setMirrorRoute: Invalid value: {\"name\":\"mirror-route\",\"percentage\":50}: SetMirrorRoute requires TrafficRouting, supports Istio and Plugins",
            ],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}

#[test]
fn routed_steps() {
    let header = |value: Value| json!([{"setHeaderRoute": {"name": "header-route", "match": [{"headerName": "x-canary", "headerValue": value}]}}]);
    let cases = vec![
        case(
            "weights, scale and routes that Istio supports",
            steps(
                json!([{"setCanaryScale": {"weight": 10}}, {"setWeight": 10, "setCanaryScale": {"matchTrafficWeight": true}},
                {"setHeaderRoute": {"name": "header-route", "match": [{"headerName": "x", "headerValue": {"regex": "a.*"}}]}},
                {"setMirrorRoute": {"name": "mirror-route", "match": [{"method": {"exact": "GET"}, "headers": {"x": {"prefix": "a"}}}]}},
                {"setHeaderRoute": {"name": "header-route"}}]),
            ),
            &[],
        ),
        case(
            "header match with two values",
            steps(header(json!({"exact": "a", "prefix": "b"}))),
            &[
                "spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {\"exact\":\"a\",\"prefix\":\"b\"}: StringMatch match value must have exactly one of the following: exact, regex, prefix",
            ],
        ),
        case(
            "header match with no value",
            steps(header(json!({}))),
            &[
                "spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {}: StringMatch value missed, match value must have one of the following: exact, regex, prefix",
            ],
        ),
        case(
            "header route with NGINX",
            canary(json!({"trafficRouting": nginx_routing(), "steps": header(json!({"exact": "a"}))})),
            &[
                "spec.strategy.steps[0].setHeaderRoute: Invalid value: {\"name\":\"header-route\",\"match\":[{\"headerName\":\"x-canary\",\"headerValue\":{\"exact\":\"a\"}}]}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix",
            ],
        ),
        case(
            "ALB header route matching by prefix",
            canary(
                json!({"trafficRouting": {"istio": null, "alb": {"ingress": "demo", "servicePort": 80}},
                "steps": header(json!({"prefix": "a"}))}),
            ),
            &[
                "spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {\"prefix\":\"a\"}: SetHeaderRoute match value invalid. ALB supports 'exact' value only",
            ],
        ),
        case(
            "ALB header route matching exactly",
            canary(
                json!({"trafficRouting": {"istio": null, "alb": {"ingress": "demo", "servicePort": 80}},
                "steps": header(json!({"exact": "a"}))}),
            ),
            &[],
        ),
        case(
            "mirror route with NGINX",
            canary(
                json!({"trafficRouting": nginx_routing(), "steps": [{"setMirrorRoute": {"name": "mirror-route",
                "match": [{"path": {"prefix": "/api"}}]}}]}),
            ),
            &[
                "spec.strategy.steps[0].setMirrorRoute: Invalid value: {\"name\":\"mirror-route\",\"match\":[{\"path\":{\"prefix\":\"/api\"}}]}: SetMirrorRoute requires TrafficRouting, supports Istio and Plugins",
            ],
        ),
        case(
            "mirror method with two values",
            steps(
                json!([{"setMirrorRoute": {"name": "mirror-route", "match": [{"method": {"exact": "GET", "regex": "P.*"}}]}}]),
            ),
            &[
                "spec.strategy.steps[0].setMirrorRoute.match[0]: Invalid value: {\"exact\":\"GET\",\"regex\":\"P.*\"}: StringMatch match value must have exactly one of the following: exact, regex, prefix",
            ],
        ),
        case(
            "mirror header with no value (upstream never checks headers)",
            steps(json!([{"setMirrorRoute": {"name": "mirror-route", "match": [{"headers": {"x": {}}}]}}])),
            &[
                "spec.strategy.steps[0].setMirrorRoute.match[0]: Invalid value: {}: StringMatch value missed, match value must have one of the following: exact, regex, prefix",
            ],
        ),
        case(
            "routes without managedRoutes",
            canary(json!({"trafficRouting": {"managedRoutes": null}, "steps": header(json!({"exact": "a"}))})),
            &[
                "spec.strategy.trafficRouting.managedRoutes: Required value: Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
            ],
        ),
        case(
            "header route not declared",
            steps(json!([{"setHeaderRoute": {"name": "other"}}])),
            &[
                "spec.strategy.steps[0].setHeaderRoute: Invalid value: \"other\": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes",
            ],
        ),
        case(
            "mirror route not declared",
            steps(json!([{"setMirrorRoute": {"name": "other"}}])),
            &[
                "spec.strategy.steps[0].setMirrorRoute: Invalid value: \"other\": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes",
            ],
        ),
        case(
            "experiment weight with Istio",
            steps(json!([{"experiment": {"templates": [{"name": "a", "specRef": "canary", "weight": 20}]}}])),
            &[],
        ),
        case(
            "experiment weight with NGINX",
            canary(
                json!({"trafficRouting": nginx_routing(), "steps": [{"experiment": {"templates": [
                {"name": "a", "specRef": "canary"}, {"name": "b", "specRef": "stable", "weight": 20}]}}]}),
            ),
            &[
                "spec.strategy.steps[0].experiment.templates[1].weight: Invalid value: 20: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time",
            ],
        ),
        case(
            "setWeight ceiling follows maxTrafficWeight",
            canary(
                json!({"trafficRouting": {"istio": null, "maxTrafficWeight": 10, "nginx": {"stableIngress": "demo"}},
                "steps": [{"setWeight": 11}]}),
            ),
            &["spec.strategy.steps[0].setWeight: Invalid value: 11: SetWeight needs to be between 0 and 10"],
        ),
    ];
    check_table(istio_rollout, validate_rollout, cases);
}

#[test]
fn analysis_arguments_read_metadata_through_the_downward_api() {
    let analysis_step = |path: &str| {
        steps(json!([{"analysis": {"templates": [{"templateName": "t"}],
            "args": [{"name": "a", "valueFrom": {"fieldRef": {"fieldPath": path}}}]}}]))
    };
    let cases = vec![
        case(
            "unsupported metadata field",
            analysis_step("metadata.bogus"),
            &[
                "spec.strategy.steps[0].analyses: Invalid value: [{\"name\":\"a\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.bogus\"}}}]: Analyses arguments must refer to valid object metadata supported by downwardAPI",
            ],
        ),
        case("a label", analysis_step("metadata.labels['app']"), &[]),
        case(
            "a spec field",
            analysis_step("spec.template.spec.containers[0].image"),
            &[],
        ),
        case(
            "experiment analysis arguments, listed with the step's own",
            steps(json!([{"experiment": {
                "templates": [{"name": "a", "specRef": "canary"}],
                "analyses": [{"name": "x", "templateName": "t", "args": [
                    {"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}},
                    {"name": "n", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['a b']"}}}
                ]}]
            }}])),
            &[
                "spec.strategy.steps[0].analyses: Invalid value: [{\"name\":\"hash\",\"valueFrom\":{\"podTemplateHashValue\":\"Latest\"}},{\"name\":\"n\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.labels['a b']\"}}}]: Analyses arguments must refer to valid object metadata supported by downwardAPI",
            ],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}

#[test]
fn downward_api_paths() {
    for ok in [
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "metadata.labels",
        "metadata.annotations",
        "metadata.labels['app.kubernetes.io/name']",
        "metadata.annotations['Example.COM/Key']",
    ] {
        assert!(is_downward_api_path(ok), "{ok}");
    }
    for bad in [
        "metadata.generation",
        "metadata.name['x']",
        "metadata.labels['']",
        "metadata.labels['a b']",
        "metadata.labels[app]",
        "['x']",
    ] {
        assert!(!is_downward_api_path(bad), "{bad}");
    }
}
