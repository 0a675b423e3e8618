//! Fixtures shared by the validation tests: valid base objects, a JSON merge
//! patch to derive each case from its base, and a table runner that reports every mismatch at once.
// Each test file uses a part of these; a fixture that cannot be built is a broken test, so it panics.
#![allow(dead_code, clippy::expect_used)]

use rollouts_api::validation::FieldError;
use rollouts_api::{AnalysisRun, AnalysisTemplate, Experiment, Rollout};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A valid basic canary Rollout: two steps, selector and template labels agreeing.
pub fn canary_rollout() -> Rollout {
    from_json(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "demo", "namespace": "default"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "demo"}},
            "template": {
                "metadata": {"labels": {"app": "demo"}},
                "spec": {"containers": [{"name": "demo", "image": "argoproj/rollouts-demo:blue"}]}
            },
            "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}
        }
    }))
}

/// A valid canary Rollout routed by Istio (host split), with canary and stable Services and one
/// managed route.
pub fn istio_rollout() -> Rollout {
    patched(
        canary_rollout(),
        json!({"spec": {"strategy": {"canary": {
            "canaryService": "demo-canary",
            "stableService": "demo-stable",
            "trafficRouting": {
                "istio": {"virtualService": {"name": "demo-vsvc", "routes": ["primary"]}},
                "managedRoutes": [{"name": "header-route"}, {"name": "mirror-route"}]
            }
        }}}}),
    )
}

/// A valid blue-green Rollout.
pub fn blue_green_rollout() -> Rollout {
    patched(
        canary_rollout(),
        json!({"spec": {"strategy": {
            "canary": null,
            "blueGreen": {"activeService": "demo-active", "previewService": "demo-preview"}
        }}}),
    )
}

/// A valid AnalysisTemplate with one Prometheus metric.
pub fn analysis_template() -> AnalysisTemplate {
    from_json(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisTemplate",
        "metadata": {"name": "success-rate"},
        "spec": {
            "args": [{"name": "service-name"}],
            "metrics": [{
                "name": "success-rate",
                "interval": "1m",
                "count": 5,
                "failureLimit": 2,
                "successCondition": "result[0] >= 0.95",
                "provider": {"prometheus": {"address": "http://prometheus:9090", "query": "up"}}
            }]
        }
    }))
}

/// A valid AnalysisRun with one Web metric.
pub fn analysis_run() -> AnalysisRun {
    from_json(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisRun",
        "metadata": {"name": "run"},
        "spec": {
            "metrics": [{
                "name": "web",
                "provider": {"web": {"url": "http://example.com/health", "jsonPath": "{$.ok}"}},
                "successCondition": "result == true"
            }]
        }
    }))
}

/// A valid Experiment with two templates and one analysis.
pub fn experiment() -> Experiment {
    let template = |name: &str, color: &str| {
        json!({
            "name": name,
            "selector": {"matchLabels": {"app": "demo", "color": color}},
            "template": {
                "metadata": {"labels": {"app": "demo", "color": color}},
                "spec": {"containers": [{"name": "demo", "image": format!("argoproj/rollouts-demo:{color}")}]}
            }
        })
    };
    from_json(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Experiment",
        "metadata": {"name": "exp"},
        "spec": {
            "duration": "5m",
            "templates": [template("baseline", "blue"), template("canary", "green")],
            "analyses": [{"name": "compare", "templateName": "success-rate"}]
        }
    }))
}

/// Decodes a fixture written as JSON.
pub fn from_json<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("fixture decodes")
}

/// A value as JSON.
pub fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("fixture encodes")
}

/// `base` with a JSON merge patch (RFC 7386) applied: objects merge, `null` removes, anything else
/// replaces.
pub fn patched<T: Serialize + DeserializeOwned>(base: T, patch: Value) -> T {
    let mut doc = to_json(&base);
    merge(&mut doc, patch);
    from_json(doc)
}

fn merge(target: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let Value::Object(target) = target else { unreachable!() };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(&key);
        } else {
            merge(target.entry(key).or_insert(Value::Null), value);
        }
    }
}

/// Errors as Kubernetes renders them.
pub fn rendered(errs: &[FieldError]) -> Vec<String> {
    errs.iter().map(ToString::to_string).collect()
}

/// One row of a validation table: a patch of a valid base and every error it must produce, rendered.
pub struct Case {
    pub name: &'static str,
    pub patch: Value,
    pub want: Vec<&'static str>,
}

/// A table row.
pub fn case(name: &'static str, patch: Value, want: &[&'static str]) -> Case {
    Case {
        name,
        patch,
        want: want.to_vec(),
    }
}

/// Runs every row against `base`, validating with `validate`, and fails listing every mismatch.
pub fn check_table<T>(base: fn() -> T, validate: impl Fn(&T) -> Vec<FieldError>, cases: Vec<Case>)
where
    T: Serialize + DeserializeOwned,
{
    let mut failures = Vec::new();
    for c in cases {
        let object = patched(base(), c.patch);
        let got = rendered(&validate(&object));
        if got != c.want {
            failures.push(format!("{}:\n  want {:#?}\n  got  {:#?}", c.name, c.want, got));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
