//! Rollout validation: the spec-level rules and the blue-green strategy, with upstream's messages and
//! field paths, and the `InvalidSpec` condition message.

use crate::validation_fixtures as fixtures;

use fixtures::{blue_green_rollout, canary_rollout, case, check_table, istio_rollout, patched, rendered};
use rollouts_api::validation::{
    ErrorKind, FieldError, invalid_spec_message, rollout_invalid_spec_message, validate_rollout,
    validate_rollout_resolved,
};
use serde_json::json;

#[test]
fn valid_rollouts_have_no_problems() {
    for (name, rollout) in [
        ("canary", canary_rollout()),
        ("istio canary", istio_rollout()),
        ("blue-green", blue_green_rollout()),
    ] {
        assert_eq!(rendered(&validate_rollout(&rollout)), Vec::<String>::new(), "{name}");
        assert_eq!(rollout_invalid_spec_message(&rollout), None, "{name}");
    }
}

#[test]
fn spec_rules() {
    let cases = vec![
        case(
            "negative replicas",
            json!({"spec": {"replicas": -1}}),
            &["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
        ),
        case(
            "missing selector (which then matches no template labels)",
            json!({"spec": {"selector": null}}),
            &[
                "spec.selector: Required value: Rollout has missing field '.spec.selector'",
                "spec.template.metadata.labels: Invalid value: {\"app\":\"demo\"}: `selector` does not match template `labels`",
            ],
        ),
        case(
            "empty selector",
            json!({"spec": {"selector": {"matchLabels": null}}}),
            &["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
        ),
        case(
            "unknown selector operator",
            json!({"spec": {"selector": {"matchExpressions": [{"key": "tier", "operator": "Equals", "values": ["web"]}]}}}),
            &[
                "spec.selector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator",
                "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"demo\"},\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"Equals\",\"values\":[\"web\"]}]}: invalid label selector",
            ],
        ),
        case(
            "In without values",
            json!({"spec": {"selector": {"matchExpressions": [{"key": "tier", "operator": "In"}]}}}),
            &[
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"demo\"},\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\"}]}: invalid label selector",
            ],
        ),
        case(
            "Exists with values",
            json!({"spec": {"selector": {"matchExpressions": [{"key": "tier", "operator": "Exists", "values": ["x"]}]}}}),
            &[
                "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"demo\"},\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}: invalid label selector",
            ],
        ),
        case(
            "selector expressions that the labels satisfy",
            json!({"spec": {"selector": {"matchExpressions": [
                {"key": "tier", "operator": "NotIn", "values": ["db"]},
                {"key": "app", "operator": "In", "values": ["demo", "other"]},
                {"key": "app", "operator": "Exists"},
                {"key": "tier", "operator": "DoesNotExist"}
            ]}}}),
            &[],
        ),
        case(
            "selector expression that the labels fail",
            json!({"spec": {"selector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["demo"]}]}}}),
            &[
                "spec.template.metadata.labels: Invalid value: {\"app\":\"demo\"}: `selector` does not match template `labels`",
            ],
        ),
        case(
            "template labels not matching the selector",
            json!({"spec": {"template": {"metadata": {"labels": {"app": "other", "tier": "web"}}}}}),
            &[
                "spec.template.metadata.labels: Invalid value: {\"app\":\"other\",\"tier\":\"web\"}: `selector` does not match template `labels`",
            ],
        ),
        case(
            "workloadRef with template labels",
            json!({"spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "demo"}}}),
            &["spec.template: Internal error: template must be empty for workload reference rollout"],
        ),
        case(
            "workloadRef with an empty template and no selector",
            json!({"spec": {"selector": null, "template": null,
                "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "demo", "scaleDown": "onsuccess"}}}),
            &[],
        ),
        case(
            "negative minReadySeconds",
            json!({"spec": {"minReadySeconds": -1}}),
            &["spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"],
        ),
        case(
            "negative revisionHistoryLimit",
            json!({"spec": {"revisionHistoryLimit": -1}}),
            &["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"],
        ),
        case(
            "negative progressDeadlineSeconds",
            json!({"spec": {"progressDeadlineSeconds": -5}}),
            &[
                "spec.progressDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0",
                "spec.progressDeadlineSeconds: Invalid value: -5: must be greater than minReadySeconds",
            ],
        ),
        case(
            "progressDeadlineSeconds not above minReadySeconds",
            json!({"spec": {"progressDeadlineSeconds": 10, "minReadySeconds": 10}}),
            &["spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"],
        ),
        case(
            "minReadySeconds above the default deadline",
            json!({"spec": {"minReadySeconds": 600}}),
            &["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"],
        ),
        case(
            "no strategy, reported at upstream's doubled path",
            json!({"spec": {"strategy": {"canary": null}}}),
            &[
                "spec.strategy.strategy: Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
            ],
        ),
        case(
            "two strategies",
            json!({"spec": {"strategy": {"blueGreen": {"activeService": "a"}}}}),
            &[
                "spec.strategy.strategy: Invalid value: \"blueGreen: true canary: true\": Multiple Strategies can not be listed",
            ],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}

#[test]
fn blue_green_rules() {
    let cases = vec![
        case(
            "same active and preview Service",
            json!({"spec": {"strategy": {"blueGreen": {"previewService": "demo-active"}}}}),
            &[
                "spec.strategy.activeService: Invalid value: \"demo-active\": This rollout uses the same service for the active and preview services, but two different services are required.",
            ],
        ),
        case(
            "no Services at all: upstream's rule first, then the schema's",
            json!({"spec": {"strategy": {"blueGreen": {"activeService": null, "previewService": null}}}}),
            &[
                "spec.strategy.activeService: Invalid value: \"\": This rollout uses the same service for the active and preview services, but two different services are required.",
                "spec.strategy.blueGreen.activeService: Required value",
            ],
        ),
        case(
            "only an active Service",
            json!({"spec": {"strategy": {"blueGreen": {"previewService": null}}}}),
            &[],
        ),
        case(
            "scale-down revision limit above the history limit",
            json!({"spec": {"strategy": {"blueGreen": {"scaleDownDelayRevisionLimit": 11}}}}),
            &[
                "spec.strategy.scaleDownDelayRevisionLimit: Invalid value: 11: This rollout's revision history limit can not be smaller than the rollout's scale down limit",
            ],
        ),
        case(
            "scale-down revision limit within an explicit history limit",
            json!({"spec": {"revisionHistoryLimit": 3, "strategy": {"blueGreen": {"scaleDownDelayRevisionLimit": 3}}}}),
            &[],
        ),
        case(
            "anti-affinity without a strategy",
            json!({"spec": {"strategy": {"blueGreen": {"antiAffinity": {}}}}}),
            &[
                "spec.strategy.antiAffinity: Invalid value: \"antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: false antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: false\": AntiAffinity must have exactly one strategy listed",
            ],
        ),
        case(
            "anti-affinity with both strategies",
            json!({"spec": {"strategy": {"blueGreen": {"antiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": {"weight": 50},
                "requiredDuringSchedulingIgnoredDuringExecution": {}
            }}}}}),
            &[
                "spec.strategy.antiAffinity: Invalid value: \"antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: true antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: true\": AntiAffinity must have exactly one strategy listed",
            ],
        ),
        case(
            "anti-affinity weight out of range",
            json!({"spec": {"strategy": {"blueGreen": {"antiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": {"weight": 101}
            }}}}}),
            &["spec.strategy.antiAffinity.weight: Invalid value: 101: AntiAffinity weight must be between 1-100"],
        ),
        case(
            "anti-affinity with a valid preferred weight",
            json!({"spec": {"strategy": {"blueGreen": {"antiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": {"weight": 100}
            }}}}}),
            &[],
        ),
    ];
    check_table(blue_green_rollout, validate_rollout, cases);
}

#[test]
fn resolved_workload_ref_template_is_validated_not_rejected() {
    let rollout = patched(
        canary_rollout(),
        json!({"spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "demo"}}}),
    );
    assert_eq!(rendered(&validate_rollout_resolved(&rollout)), Vec::<String>::new());

    let broken = patched(
        rollout,
        json!({"spec": {"template": {"metadata": {"labels": {"app": "x"}}}}}),
    );
    assert_eq!(
        rendered(&validate_rollout_resolved(&broken)),
        ["spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`"]
    );
}

#[test]
fn invalid_spec_condition_message_names_the_rollout_and_its_first_problem() {
    let rollout = patched(
        canary_rollout(),
        json!({"spec": {"replicas": -1, "strategy": {"canary": {"maxSurge": 0, "maxUnavailable": 0}}}}),
    );
    assert_eq!(
        rollout_invalid_spec_message(&rollout).as_deref(),
        Some("The Rollout \"demo\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0")
    );
    let error = FieldError {
        path: "spec.strategy.maxSurge".to_string(),
        kind: ErrorKind::Invalid,
        value: Some("0".to_string()),
        message: "MaxSurge and MaxUnavailable both can not be zero".to_string(),
    };
    assert_eq!(
        invalid_spec_message("invalid-rollout", &error),
        "The Rollout \"invalid-rollout\" is invalid: spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero"
    );
}
