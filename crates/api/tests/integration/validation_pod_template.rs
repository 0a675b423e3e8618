//! The pod template checks Kubernetes applies to a ReplicaSet's template, on a Rollout's template:
//! containers, names, images, resource quantities, restart policy, ephemeral containers.

use crate::validation_fixtures as fixtures;

use fixtures::{canary_rollout, case, check_table, patched, rendered};
use rollouts_api::validation::validate_rollout;
use serde_json::{Value, json};

fn pod_spec(spec: Value) -> Value {
    json!({"spec": {"template": {"spec": spec}}})
}

fn containers(containers: Value) -> Value {
    pod_spec(json!({"containers": containers}))
}

fn requests(quantities: Value) -> Value {
    containers(json!([{"name": "demo", "image": "demo", "resources": {"requests": quantities}}]))
}

const LABEL_FORMAT: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

#[test]
fn containers_and_names() {
    let long_name = "a".repeat(64);
    let cases = vec![
        case(
            "no containers",
            containers(json!([])),
            &["spec.template.spec.containers: Required value"],
        ),
        case(
            "no template at all",
            json!({"spec": {"template": null}}),
            &[
                "spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`",
                "spec.template.spec.containers: Required value",
            ],
        ),
        case(
            "container without name or image",
            containers(json!([{}])),
            &[
                "spec.template.spec.containers[0].name: Required value",
                "spec.template.spec.containers[0].image: Required value",
            ],
        ),
        case(
            "container name with dots",
            containers(json!([{"name": "a.b", "image": "demo"}])),
            &["spec.template.spec.containers[0].name: Invalid value: \"a.b\": must not contain dots"],
        ),
        case(
            "container name too long",
            containers(json!([{"name": long_name, "image": "demo"}])),
            &[
                "spec.template.spec.containers[0].name: Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be no more than 63 characters",
            ],
        ),
        case(
            "duplicate container names",
            containers(json!([{"name": "demo", "image": "a"}, {"name": "demo", "image": "b"}])),
            &["spec.template.spec.containers[1].name: Duplicate value: \"demo\""],
        ),
        case(
            "init container named like a container",
            pod_spec(
                json!({"containers": [{"name": "demo", "image": "a"}], "initContainers": [{"name": "demo", "image": "b"}]}),
            ),
            &["spec.template.spec.initContainers[0].name: Duplicate value: \"demo\""],
        ),
        case(
            "ephemeral containers",
            pod_spec(
                json!({"containers": [{"name": "demo", "image": "a"}], "ephemeralContainers": [{"name": "demo", "image": "b"}]}),
            ),
            &[
                "spec.template.spec.ephemeralContainers[0].name: Duplicate value: \"demo\"",
                "spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template",
            ],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);

    // Kubernetes' label message (with its double space) is too long for a table row.
    let capitals = patched(canary_rollout(), containers(json!([{"name": "Demo", "image": "demo"}])));
    assert_eq!(
        rendered(&validate_rollout(&capitals)),
        [format!(
            "spec.template.spec.containers[0].name: Invalid value: \"Demo\": {LABEL_FORMAT}"
        )]
    );
}

#[test]
fn resource_quantities() {
    let cases = vec![
        case(
            "quantity that is not one",
            requests(json!({"memory": "invalid"})),
            &[
                "spec.template.spec.containers[0].resources.requests[memory]: Invalid value: \"invalid\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ],
        ),
        case(
            "quantity with an unknown suffix",
            requests(json!({"cpu": "1Ki1"})),
            &[
                "spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: \"1Ki1\": unable to parse quantity's suffix",
            ],
        ),
        case(
            "negative limit",
            containers(json!([{"name": "demo", "image": "demo", "resources": {"limits": {"cpu": "-1"}}}])),
            &[
                "spec.template.spec.containers[0].resources.limits[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
            ],
        ),
        case(
            "init container quantity",
            pod_spec(json!({"containers": [{"name": "demo", "image": "a"}],
                "initContainers": [{"name": "init", "image": "b", "resources": {"limits": {"memory": "1GB"}}}]})),
            &[
                "spec.template.spec.initContainers[0].resources.limits[memory]: Invalid value: \"1GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ],
        ),
        case(
            "quantities in every format",
            requests(json!({"cpu": "500m", "memory": "1Gi", "ephemeral-storage": "1e9", "example.com/gpu": 2})),
            &[],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}

#[test]
fn restart_policy_and_deadline() {
    let cases = vec![
        case(
            "Never",
            pod_spec(json!({"restartPolicy": "Never", "containers": [{"name": "demo", "image": "demo"}]})),
            &["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""],
        ),
        case(
            "not a restart policy",
            pod_spec(json!({"restartPolicy": "Sometimes", "containers": [{"name": "demo", "image": "demo"}]})),
            &[
                "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
                "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\"",
            ],
        ),
        case(
            "Always",
            pod_spec(json!({"restartPolicy": "Always", "containers": [{"name": "demo", "image": "demo"}]})),
            &[],
        ),
        case(
            "active deadline",
            pod_spec(json!({"activeDeadlineSeconds": 10, "containers": [{"name": "demo", "image": "demo"}]})),
            &[
                "spec.template.spec.activeDeadlineSeconds: Invalid value: 10: activeDeadlineSeconds in ReplicaSet is not Supported",
            ],
        ),
    ];
    check_table(canary_rollout, validate_rollout, cases);
}
