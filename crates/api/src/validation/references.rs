//! Checks against the Services a Rollout names (upstream's referenced-resource validation): every
//! selector label of a referenced Service must be one of the pod template's labels, and the Service must
//! not be managed by another Rollout. Used by the controller with the Services it sees and by
//! `lint` with the Services in the same file.

use serde_json::Value;

use super::FieldError;
use crate::Rollout;
use crate::well_known::{annotations, labels};

/// The Services a Rollout refers to, with the field path each reference is reported at.
pub fn referenced_services(r: &Rollout) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let Some(strategy) = &r.spec.strategy else { return out };
    if let Some(c) = &strategy.canary {
        if let Some(s) = c.canary_service.as_deref().filter(|s| !s.is_empty()) {
            out.push(("spec.strategy.canary.canaryService", s.to_string()));
        }
        if let Some(s) = c.stable_service.as_deref().filter(|s| !s.is_empty()) {
            out.push(("spec.strategy.canary.stableService", s.to_string()));
        }
        if let Some(pp) = &c.ping_pong {
            if !pp.ping_service.is_empty() {
                out.push(("spec.strategy.canary.pingPong.pingService", pp.ping_service.clone()));
            }
            if !pp.pong_service.is_empty() {
                out.push(("spec.strategy.canary.pingPong.pongService", pp.pong_service.clone()));
            }
        }
    }
    if let Some(bg) = &strategy.blue_green {
        if !bg.active_service.is_empty() {
            out.push(("spec.strategy.blueGreen.activeService", bg.active_service.clone()));
        }
        if let Some(s) = bg.preview_service.as_deref().filter(|s| !s.is_empty()) {
            out.push(("spec.strategy.blueGreen.previewService", s.to_string()));
        }
    }
    out
}

fn service_named<'a>(services: &'a [Value], name: &str, namespace: Option<&str>) -> Option<&'a Value> {
    services.iter().find(|s| {
        s.get("kind").and_then(Value::as_str) == Some("Service")
            && s.pointer("/metadata/name").and_then(Value::as_str) == Some(name)
            && match (namespace, s.pointer("/metadata/namespace").and_then(Value::as_str)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    })
}

/// Problems of a Rollout with the Services among `objects` that it references. Services that are not
/// among `objects` are not checked here (the controller reports missing Services itself).
pub fn validate_rollout_services(r: &Rollout, objects: &[Value]) -> Vec<FieldError> {
    let mut out = Vec::new();
    let rollout_name = r.metadata.name.as_deref().unwrap_or_default();
    let template_labels = r
        .spec
        .template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.as_ref());
    for (path, name) in referenced_services(r) {
        let Some(svc) = service_named(objects, &name, r.metadata.namespace.as_deref()) else {
            continue;
        };
        if let Some(owner) = svc
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(annotations::MANAGED_BY_ROLLOUTS))
            .and_then(Value::as_str)
            && owner != rollout_name
        {
            out.push(FieldError::invalid(
                path,
                name.as_str(),
                format!("Service \"{name}\" is managed by another Rollout"),
            ));
            continue;
        }
        let selector = svc.pointer("/spec/selector").and_then(Value::as_object);
        for (key, value) in selector.into_iter().flatten() {
            if key == labels::POD_TEMPLATE_HASH {
                continue;
            }
            let matches = template_labels.and_then(|l| l.get(key)).map(String::as_str) == value.as_str();
            if !matches {
                out.push(FieldError::invalid(
                    path,
                    name.as_str(),
                    format!("Service \"{name}\" has unmatch label \"{key}\" in rollout"),
                ));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rollout(labels: Value) -> Rollout {
        serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
            "spec": {"template": {"metadata": {"labels": labels}},
                     "strategy": {"canary": {"canaryService": "c", "stableService": "s"}}}
        }))
        .unwrap()
    }

    fn service(name: &str, selector: Value, managed_by: Option<&str>) -> Value {
        let mut s =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {"selector": selector}});
        if let Some(m) = managed_by {
            s["metadata"]["annotations"] = json!({ annotations::MANAGED_BY_ROLLOUTS: m });
        }
        s
    }

    #[test]
    fn selector_labels_must_be_template_labels() {
        let r = rollout(json!({"app": "web"}));
        let objs = [
            service("c", json!({"app": "other"}), None),
            service("s", json!({"app": "web", labels::POD_TEMPLATE_HASH: "abc"}), None),
        ];
        let errs = validate_rollout_services(&r, &objs);
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "spec.strategy.canary.canaryService: Invalid value: \"c\": Service \"c\" has unmatch label \"app\" in rollout"
        );
    }

    #[test]
    fn a_service_managed_by_another_rollout_is_refused_and_missing_ones_are_skipped() {
        let r = rollout(json!({"app": "web"}));
        let objs = [service("s", json!({"app": "web"}), Some("someone-else"))];
        let errs = validate_rollout_services(&r, &objs);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0]
                .to_string()
                .ends_with("Service \"s\" is managed by another Rollout")
        );
        assert!(validate_rollout_services(&r, &[service("s", json!({"app": "web"}), Some("r"))]).is_empty());
    }
}
