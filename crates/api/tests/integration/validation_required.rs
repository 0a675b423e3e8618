//! The Rollout CRD's required fields and enumerations, reported at their real paths (with `.canary`
//! and `.blueGreen`) as the API server reports them, after upstream's own rules.

use crate::validation_fixtures as fixtures;

use fixtures::{blue_green_rollout, canary_rollout, case, check_table, istio_rollout};
use rollouts_api::validation::validate_rollout;
use serde_json::{Value, json};

fn canary(fields: Value) -> Value {
    json!({"spec": {"strategy": {"canary": fields}}})
}

fn routing(routers: Value) -> Value {
    canary(json!({"trafficRouting": routers}))
}

fn workload_ref(fields: Value) -> Value {
    json!({"spec": {"selector": null, "template": null, "workloadRef": fields}})
}

#[test]
fn workload_ref_and_threshold_enumerations() {
    let cases = vec![
        case(
            "unsupported workload kind",
            workload_ref(json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "demo"})),
            &[
                "spec.workloadRef.kind: Unsupported value: \"StatefulSet\": supported values: \"Deployment\", \"ReplicaSet\", \"PodTemplate\"",
            ],
        ),
        case(
            "workload reference without kind or name",
            workload_ref(json!({"apiVersion": "apps/v1"})),
            &[
                "spec.workloadRef.kind: Required value",
                "spec.workloadRef.name: Required value",
            ],
        ),
        case(
            "unsupported scale-down mode",
            workload_ref(json!({"apiVersion": "v1", "kind": "PodTemplate", "name": "demo", "scaleDown": "always"})),
            &[
                "spec.workloadRef.scaleDown: Unsupported value: \"always\": supported values: \"never\", \"onsuccess\", \"progressively\"",
            ],
        ),
        case(
            "every supported scale-down mode",
            workload_ref(
                json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "demo", "scaleDown": "progressively"}),
            ),
            &[],
        ),
        case(
            "unsupported progress threshold type",
            canary(json!({"replicaProgressThreshold": {"type": "Ratio", "value": 50}})),
            &[
                "spec.strategy.canary.replicaProgressThreshold.type: Unsupported value: \"Ratio\": supported values: \"Percent\", \"Pods\"",
            ],
        ),
        case(
            "progress threshold without type",
            canary(json!({"replicaProgressThreshold": {"value": 50}})),
            &["spec.strategy.canary.replicaProgressThreshold.type: Required value"],
        ),
        case(
            "supported progress threshold",
            canary(json!({"replicaProgressThreshold": {"type": "Pods", "value": 2}})),
            &[],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}

#[test]
fn analysis_references() {
    let cases = vec![
        case(
            "unsupported pod template hash source",
            canary(json!({"analysis": {"templates": [{"templateName": "t"}],
                "args": [{"name": "hash", "valueFrom": {"podTemplateHashValue": "Newest"}}]}})),
            &[
                "spec.strategy.canary.analysis.args[0].valueFrom.podTemplateHashValue: Unsupported value: \"Newest\": supported values: \"Stable\", \"Latest\"",
            ],
        ),
        case(
            "argument without name and fieldRef without path",
            canary(
                json!({"analysis": {"templates": [{"templateName": "t"}], "args": [{"valueFrom": {"fieldRef": {}}}]}}),
            ),
            &[
                "spec.strategy.canary.analysis.args[0].name: Required value",
                "spec.strategy.canary.analysis.args[0].valueFrom.fieldRef.fieldPath: Required value",
            ],
        ),
        case(
            "template reference without a name",
            canary(json!({"steps": [{"analysis": {"templates": [{"clusterScope": true}]}}]})),
            &["spec.strategy.canary.steps[0].analysis.templates[0].templateName: Required value"],
        ),
        case(
            "dry-run and retention rules without metric names",
            canary(json!({"steps": [{"analysis": {"templates": [{"templateName": "t"}],
                "dryRun": [{}], "measurementRetention": [{"limit": 5}]}}]})),
            &[
                "spec.strategy.canary.steps[0].analysis.dryRun[0].metricName: Required value",
                "spec.strategy.canary.steps[0].analysis.measurementRetention[0].metricName: Required value",
            ],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);

    let blue_green = vec![case(
        "pre-promotion argument without name",
        json!({"spec": {"strategy": {"blueGreen": {"prePromotionAnalysis": {
            "templates": [{"templateName": "t"}], "args": [{"value": "x"}]}}}}}),
        &["spec.strategy.blueGreen.prePromotionAnalysis.args[0].name: Required value"],
    )];
    check_table(blue_green_rollout, validate_rollout, blue_green);
}

#[test]
fn step_fields() {
    let step = |s: Value| canary(json!({"steps": [s]}));
    let cases = vec![
        case(
            "experiment step without templates",
            step(json!({"experiment": {"duration": "1h"}})),
            &["spec.strategy.canary.steps[0].experiment.templates: Required value"],
        ),
        case(
            "experiment template without name or specRef",
            step(json!({"experiment": {"templates": [{}]}})),
            &[
                "spec.strategy.canary.steps[0].experiment.templates[0].name: Required value",
                "spec.strategy.canary.steps[0].experiment.templates[0].specRef: Required value",
            ],
        ),
        case(
            "unsupported specRef",
            step(json!({"experiment": {"templates": [{"name": "a", "specRef": "preview"}]}})),
            &[
                "spec.strategy.canary.steps[0].experiment.templates[0].specRef: Unsupported value: \"preview\": supported values: \"canary\", \"stable\"",
            ],
        ),
        case(
            "experiment duration Go cannot parse",
            step(json!({"experiment": {"duration": "1d", "templates": [{"name": "a", "specRef": "stable"}]}})),
            &[
                "spec.strategy.canary.steps[0].experiment.duration: Invalid value: \"1d\": time: unknown unit \"d\" in duration \"1d\"",
            ],
        ),
        case(
            "experiment analysis without names",
            step(json!({"experiment": {"templates": [{"name": "a", "specRef": "canary"}],
                "analyses": [{"args": [{"name": "x", "value": "1"}]}], "dryRun": [{}]}})),
            &[
                "spec.strategy.canary.steps[0].experiment.analyses[0].name: Required value",
                "spec.strategy.canary.steps[0].experiment.analyses[0].templateName: Required value",
                "spec.strategy.canary.steps[0].experiment.dryRun[0].metricName: Required value",
            ],
        ),
        case(
            "plugin step without name",
            step(json!({"plugin": {"config": {}}})),
            &["spec.strategy.canary.steps[0].plugin.name: Required value"],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);

    let routed = vec![
        case(
            "header match without header name",
            step(json!({"setHeaderRoute": {"name": "header-route", "match": [{"headerValue": {"exact": "a"}}]}})),
            &["spec.strategy.canary.steps[0].setHeaderRoute.match[0].headerName: Required value"],
        ),
        case(
            "mirror route without name: upstream's rule first",
            step(json!({"setMirrorRoute": {"percentage": 10}})),
            &[
                "spec.strategy.steps[0].setMirrorRoute: Invalid value: \"\": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes",
                "spec.strategy.canary.steps[0].setMirrorRoute.name: Required value",
            ],
        ),
    ];
    check_table(istio_rollout, validate_rollout, routed);
}

#[test]
fn traffic_router_fields() {
    let cases = vec![
        case(
            "ALB without service port",
            routing(json!({"istio": null, "alb": {"ingress": "demo"}})),
            &["spec.strategy.canary.trafficRouting.alb.servicePort: Required value"],
        ),
        case(
            "Ambassador without mappings",
            routing(json!({"istio": null, "ambassador": {}})),
            &["spec.strategy.canary.trafficRouting.ambassador.mappings: Required value"],
        ),
        case(
            "APISIX route without name",
            routing(json!({"istio": null, "apisix": {"route": {"rules": ["r"]}}})),
            &["spec.strategy.canary.trafficRouting.apisix.route.name: Required value"],
        ),
        case(
            "App Mesh without names",
            routing(json!({"istio": null, "appMesh": {"virtualService": {},
                "virtualNodeGroup": {"canaryVirtualNodeRef": {}, "stableVirtualNodeRef": {"name": "stable"}}}})),
            &[
                "spec.strategy.canary.trafficRouting.appMesh.virtualService.name: Required value",
                "spec.strategy.canary.trafficRouting.appMesh.virtualNodeGroup.canaryVirtualNodeRef.name: Required value",
            ],
        ),
        case(
            "Istio without virtual service names",
            routing(json!({"istio": {"virtualService": {"name": null}, "virtualServices": [{"name": "a"}, {}]}})),
            &[
                "spec.strategy.canary.trafficRouting.istio.virtualService.name: Required value",
                "spec.strategy.canary.trafficRouting.istio.virtualServices[1].name: Required value",
            ],
        ),
        case(
            "Istio destination rule without names",
            routing(json!({"istio": {"destinationRule": {}}})),
            &[
                "spec.strategy.canary.trafficRouting.istio.destinationRule.name: Required value",
                "spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName: Required value",
                "spec.strategy.canary.trafficRouting.istio.destinationRule.stableSubsetName: Required value",
            ],
        ),
        case(
            "Traefik without service name",
            routing(json!({"istio": null, "traefik": {}})),
            &["spec.strategy.canary.trafficRouting.traefik.weightedTraefikServiceName: Required value"],
        ),
        case(
            "managed route without name",
            routing(json!({"managedRoutes": [{"name": "a"}, {}]})),
            &["spec.strategy.canary.trafficRouting.managedRoutes[1].name: Required value"],
        ),
        case(
            "SMI, NGINX and plugins need nothing more",
            routing(json!({"istio": null, "smi": {}, "nginx": {"stableIngresses": ["a"]}, "plugins": {"p": {}}})),
            &[],
        ),
    ];
    check_table(istio_rollout, validate_rollout, cases);
}
