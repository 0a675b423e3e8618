//! Hashes observed on clusters run by upstream's controller, and pins of this implementation.

use super::super::*;
use serde_json::json;

/// The `argoproj/rollouts-demo` template used throughout upstream's docs and Argo CD's tests.
fn demo_template(color: &str) -> PodTemplateSpec {
    let value = json!({
        "metadata": {"creationTimestamp": null, "labels": {"app": "rollouts-demo"}},
        "spec": {"containers": [{
            "image": format!("argoproj/rollouts-demo:{color}"),
            "name": "rollouts-demo",
            "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "5m", "memory": "32Mi"}},
        }]},
    });
    match serde_json::from_value(value) {
        Ok(template) => template,
        Err(e) => panic!("{e}"),
    }
}

fn steps(value: serde_json::Value) -> Vec<CanaryStep> {
    match serde_json::from_value(value) {
        Ok(steps) => steps,
        Err(e) => panic!("{e}"),
    }
}

/// `status.currentPodHash` and `status.stableRS` of a Rollout captured from an upstream v1.8-era
/// controller (Argo CD's `rollout-step1.yaml` test data).
#[test]
fn legacy_hash_matches_hashes_observed_from_upstream() {
    assert_eq!(legacy_pod_template_hash(&demo_template("blue"), None), "687d76d795");
    assert_eq!(legacy_pod_template_hash(&demo_template("yellow"), None), "6cf78c66c5");
}

/// Kubernetes 0.34 types omit the zero `creationTimestamp` (`omitzero`), so upstream v1.9+ hashes
/// the same template differently; these pin the 0.34 form of the templates above.
#[test]
fn current_hash_omits_the_zero_creation_timestamp() {
    assert_eq!(pod_template_hash(&demo_template("blue"), None), "5cd66ff7ff");
    assert_eq!(pod_template_hash(&demo_template("yellow"), None), "76ddfb4f47");
}

#[test]
fn collision_count_appends_eight_bytes() {
    assert_eq!(pod_template_hash(&demo_template("blue"), Some(1)), "7dd5d94754");
    // Go converts with uint32(count).
    assert_eq!(pod_template_hash(&demo_template("blue"), Some(-1)), "b66d67679");
    assert_ne!(
        pod_template_hash(&demo_template("blue"), Some(0)),
        pod_template_hash(&demo_template("blue"), None)
    );
}

/// `status.currentStepHash` values written by upstream controllers (Argo CD test data and the
/// `rollout-aborted` fixture of upstream's `get rollout` tests).
#[test]
fn step_hashes_match_hashes_observed_from_upstream() {
    assert_eq!(steps_hash(&steps(json!([{"pause": {}}, {"pause": {}}]))), "79c9b9f6bf");
    assert_eq!(
        steps_hash(&steps(json!([{"setWeight": 10}, {"pause": {}}]))),
        "849b756fd4"
    );
    assert_eq!(
        steps_hash(&steps(json!([{"setWeight": 50}, {"pause": {}}]))),
        "757f5f97b"
    );
    assert_eq!(
        steps_hash(&steps(json!([{"setWeight": 1}, {"pause": {}}]))),
        "566d47875b"
    );
    let six = json!([
        {"setWeight": 40}, {"pause": {}}, {"setWeight": 60}, {"pause": {}}, {"setWeight": 80}, {"pause": {"duration": 10}}
    ]);
    assert_eq!(steps_hash(&steps(six)), "59f8666948");
}

#[test]
fn absent_and_empty_steps_hash_differently() {
    assert_eq!(steps_hash(&[]), "5f8cb5778f");
    assert_eq!(steps_hash_opt(None), "5ffbfbbd64");
    assert_eq!(steps_hash_opt(Some(&[])), steps_hash(&[]));
}

#[test]
fn safe_encoding_uses_the_kubernetes_alphabet() {
    assert_eq!(safe_encode(0), "4");
    assert_eq!(safe_encode(1_234_567_890), "56789bcdf4");
    assert_eq!(fnv1a32(FNV_OFFSET, b""), FNV_OFFSET);
    assert_eq!(fnv1a32(FNV_OFFSET, b"a"), 0xe40c_292c);
}
