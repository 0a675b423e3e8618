//! Experiment validation: upstream's `InvalidSpec` checks and messages, then schema requirements and
//! each template's pod template.

use crate::validation_fixtures as fixtures;

use fixtures::{case, check_table, experiment, patched, to_json};
use rollouts_api::validation::{experiment_invalid_spec_message, validate_experiment};
use serde_json::{Value, json};

/// A patch replacing template `i` (0 or 1) of the base with the base's template merged with `fields`.
fn template(i: usize, fields: Value) -> Value {
    let mut templates = to_json(&experiment().spec.templates);
    if let (Some(t), Value::Object(fields)) = (templates.get_mut(i).and_then(Value::as_object_mut), fields) {
        for (key, value) in fields {
            t.insert(key, value);
        }
    }
    json!({"spec": {"templates": templates}})
}

#[test]
fn valid_experiment_has_no_problems() {
    assert!(validate_experiment(&experiment()).is_empty());
    assert_eq!(experiment_invalid_spec_message(&experiment()), None);
}

#[test]
fn upstream_checks() {
    let cases = vec![
        case(
            "selector selecting everything",
            template(1, json!({"selector": {}})),
            &[
                "spec.templates[1].selector: Required value: This experiment is selecting all pods at index 1. A non-empty selector is required.",
            ],
        ),
        case(
            "minReadySeconds beyond the default deadline",
            template(0, json!({"minReadySeconds": 601})),
            &[
                "spec.templates[0].minReadySeconds: Invalid value: 601: MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index 0",
            ],
        ),
        case(
            "minReadySeconds equal to an explicit deadline",
            json!({"spec": {"progressDeadlineSeconds": 30, "templates": [
                {"name": "a", "minReadySeconds": 30, "selector": {"matchLabels": {"app": "a"}},
                 "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "a", "image": "a"}]}}}
            ]}}),
            &[],
        ),
        case(
            "template without name",
            template(0, json!({"name": ""})),
            &["spec.templates[0].name: Required value: Experiment exp has empty template name at index 0"],
        ),
        case(
            "repeated template name",
            template(1, json!({"name": "baseline"})),
            &[
                "spec.templates[1].name: Duplicate value: \"baseline\": Experiment exp has repeated template name 'baseline' in templates",
            ],
        ),
    ];
    check_table(experiment, validate_experiment, cases);
}

#[test]
fn schema_and_pod_template_checks() {
    let cases = vec![
        case(
            "no templates",
            json!({"spec": {"templates": []}}),
            &["spec.templates: Required value"],
        ),
        case(
            "duration Go cannot parse",
            json!({"spec": {"duration": "1s-typo"}}),
            &["spec.duration: Invalid value: \"1s-typo\": time: unknown unit \"s-typo\" in duration \"1s-typo\""],
        ),
        case(
            "analysis without names, argument without name",
            json!({"spec": {"analyses": [{"args": [{"value": "x"}]}], "dryRun": [{}], "measurementRetention": [{"limit": 1}]}}),
            &[
                "spec.analyses[0].name: Required value",
                "spec.analyses[0].templateName: Required value",
                "spec.analyses[0].args[0].name: Required value",
                "spec.dryRun[0].metricName: Required value",
                "spec.measurementRetention[0].metricName: Required value",
            ],
        ),
        case(
            "template labels not matching its selector",
            template(
                0,
                json!({"template": {"metadata": {"labels": {"app": "demo", "color": "red"}},
                "spec": {"containers": [{"name": "demo", "image": "demo"}]}}}),
            ),
            &[
                "spec.templates[0].template.metadata.labels: Invalid value: {\"app\":\"demo\",\"color\":\"red\"}: `selector` does not match template `labels`",
            ],
        ),
        case(
            "template without pod spec",
            template(
                1,
                json!({"template": {"metadata": {"labels": {"app": "demo", "color": "green"}}}}),
            ),
            &["spec.templates[1].template.spec.containers: Required value"],
        ),
        case(
            "template restart policy other than Always",
            template(
                0,
                json!({"template": {"metadata": {"labels": {"app": "demo", "color": "blue"}},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "demo", "image": "demo"}]}}}),
            ),
            &[
                "spec.templates[0].template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            ],
        ),
        case(
            "template selector with an unknown operator",
            template(
                0,
                json!({"selector": {"matchExpressions": [{"key": "app", "operator": "Like", "values": ["d"]}]}}),
            ),
            &[
                "spec.templates[0].selector.matchExpressions[0].operator: Invalid value: \"Like\": not a valid selector operator",
            ],
        ),
    ];
    check_table(experiment, validate_experiment, cases);
}

#[test]
fn condition_message_is_upstreams_first_then_the_field_error() {
    let repeated = patched(experiment(), template(1, json!({"name": "baseline", "selector": {}})));
    assert_eq!(
        experiment_invalid_spec_message(&repeated).as_deref(),
        Some("This experiment is selecting all pods at index 1. A non-empty selector is required.")
    );
    let named = patched(experiment(), template(1, json!({"name": "baseline"})));
    assert_eq!(
        experiment_invalid_spec_message(&named).as_deref(),
        Some("Experiment exp has repeated template name 'baseline' in templates")
    );
    let no_pods = patched(
        experiment(),
        template(
            0,
            json!({"template": {"metadata": {"labels": {"app": "demo", "color": "blue"}}}}),
        ),
    );
    assert_eq!(
        experiment_invalid_spec_message(&no_pods).as_deref(),
        Some("spec.templates[0].template.spec.containers: Required value")
    );
}
