//! The Ingress rules as the ALB router reads and edits them: whether a path sends to a Service, the
//! `use-annotation` path of a header route, and the order of paths.

use serde_json::{Value, json};

/// The port name the AWS Load Balancer Controller reads as "take the action from the annotation".
const USE_ANNOTATION: &str = "use-annotation";

/// The paths of a rule, when it has `http`.
fn paths(rule: &Value) -> Option<&Vec<Value>> {
    rule.pointer("/http/paths").and_then(Value::as_array)
}

/// The Service a path sends to (`None` for a resource backend).
fn path_service(path: &Value) -> Option<&str> {
    path.pointer("/backend/service/name").and_then(Value::as_str)
}

/// Whether a path of any rule of `ingress` sends to `service` (upstream `HasRuleWithService`).
pub(super) fn has_rule_with_service(ingress: &Value, service: &str) -> bool {
    ingress
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(paths)
        .flatten()
        .any(|p| path_service(p) == Some(service))
}

/// The rules' paths, each rule with `http` given to `edit`.
fn edit_paths(spec: &mut Value, mut edit: impl FnMut(&mut Vec<Value>)) {
    let Some(rules) = spec.get_mut("rules").and_then(Value::as_array_mut) else {
        return;
    };
    for rule in rules {
        if let Some(paths) = rule.pointer_mut("/http/paths").and_then(Value::as_array_mut) {
            edit(paths);
        }
    }
}

/// Puts, first in every rule, a path `/*` sending to the header route's action (upstream
/// `CreateAnnotationBasedPath`); nothing when a path already sends there.
pub(super) fn add_action_path(spec: &mut Value, action: &str) {
    let wrapped = json!({"spec": spec.clone()});
    if has_rule_with_service(&wrapped, action) {
        return;
    }
    let path = json!({
        "path": "/*",
        "pathType": "ImplementationSpecific",
        "backend": {"service": {"name": action, "port": {"name": USE_ANNOTATION}}},
    });
    edit_paths(spec, |paths| paths.insert(0, path.clone()));
}

/// Removes, from every rule, the first path sending to `action` (upstream `RemovePathByServiceName`).
pub(super) fn remove_action_path(spec: &mut Value, action: &str) {
    edit_paths(spec, |paths| {
        if let Some(i) = paths.iter().position(|p| path_service(p) == Some(action)) {
            paths.remove(i);
        }
    });
}

/// Orders every rule's paths: the managed routes' paths first, in `managedRoutes` order, then the
/// others as they were (upstream `SortHttpPaths`, a stable sort).
pub(super) fn sort_paths(spec: &mut Value, managed_routes: &[&str]) {
    let rank = |path: &Value| {
        path_service(path)
            .and_then(|s| managed_routes.iter().position(|r| *r == s))
            .unwrap_or(managed_routes.len())
    };
    edit_paths(spec, |paths| paths.sort_by_key(|p| rank(p)));
}
