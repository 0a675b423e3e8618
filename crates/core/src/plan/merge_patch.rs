//! The JSON merge patch (RFC 7386) that turns one status into another, and the Go `omitempty` view of a
//! status that makes two statuses comparable: upstream diffs Go structs, where a false flag, a zero
//! count or an empty string is simply absent, so an explicit `false` on the server is no difference.

use rollouts_api::rollout_status::RolloutStatus;
use serde_json::{Map, Value};

/// The merge patch from `old` to `new`: changed and added members set, removed members `null`;
/// objects recurse, everything else (arrays included) is replaced whole. `None` when equal.
pub fn diff(old: &Value, new: &Value) -> Option<Value> {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let mut patch = Map::new();
            for (key, value) in n {
                match o.get(key) {
                    Some(previous) if previous == value => {}
                    Some(previous @ Value::Object(_)) if value.is_object() => {
                        if let Some(inner) = diff(previous, value) {
                            patch.insert(key.clone(), inner);
                        }
                    }
                    _ => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in o.keys() {
                if !n.contains_key(key) {
                    patch.insert(key.clone(), Value::Null);
                }
            }
            (!patch.is_empty()).then_some(Value::Object(patch))
        }
        _ if old == new => None,
        _ => Some(new.clone()),
    }
}

/// Applies a merge patch to `target` the way the API server does (RFC 7386): `null` removes a member,
/// objects merge, anything else replaces. Used to replay a plan's patches over an observed object.
pub fn apply(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(members) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(map) = target {
                for (k, v) in members {
                    if v.is_null() {
                        map.remove(k);
                    } else {
                        apply(map.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Drops what Go's `omitempty` would not write: false, 0, "", empty lists and objects (recursively, so
/// an empty `canary: {}` disappears as well). `null` members go too.
pub(crate) fn omit_empty(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Object(members) => {
            let kept: Map<String, Value> = members
                .into_iter()
                .filter_map(|(k, v)| keep_member(&k, v).map(|v| (k, v)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other),
    }
}

/// Pointer fields upstream writes even when zero (`currentStepIndex: 0`, `collisionCount: 0`,
/// condition and weight contents), and list items, are kept as they are.
fn keep_member(key: &str, value: Value) -> Option<Value> {
    match key {
        "currentStepIndex" | "collisionCount" | "weight" | "verified" => (!value.is_null()).then_some(value),
        "conditions" | "pauseConditions" | "additional" | "stepPluginStatuses" => match value {
            Value::Array(items) if !items.is_empty() => Some(Value::Array(items)),
            _ => None,
        },
        _ => omit_empty(value),
    }
}

/// A status as upstream would serialise it, for comparisons and diffs.
pub(crate) fn status_value(status: &RolloutStatus) -> Value {
    serde_json::to_value(status)
        .ok()
        .and_then(omit_empty)
        .unwrap_or_else(|| Value::Object(Map::new()))
}

/// The status patch from `old` to `new`, `None` when they agree.
pub(crate) fn status_patch(old: &RolloutStatus, new: &RolloutStatus) -> Option<Value> {
    diff(&status_value(old), &status_value(new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn applying_the_diff_gives_the_new_value() {
        let old = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        let new = json!({"a": 1, "b": {"c": 4}, "e": [1, 2], "f": "x"});
        let mut patched = old.clone();
        apply(&mut patched, &diff(&old, &new).unwrap());
        assert_eq!(patched, new);
    }

    #[test]
    fn diff_sets_changed_and_nulls_removed_members() {
        let old = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        let new = json!({"a": 1, "b": {"c": 4}, "e": [1, 2], "f": "x"});
        assert_eq!(
            diff(&old, &new),
            Some(json!({"b": {"c": 4, "d": null}, "e": [1, 2], "f": "x"}))
        );
        assert_eq!(diff(&old, &old), None);
    }

    #[test]
    fn omit_empty_keeps_pointer_zeroes() {
        let v = json!({"replicas": 0, "currentStepIndex": 0, "abort": false, "canary": {}, "message": "",
                       "conditions": [], "stableRS": "abc"});
        assert_eq!(omit_empty(v), Some(json!({"currentStepIndex": 0, "stableRS": "abc"})));
    }

    #[test]
    fn explicit_false_on_the_server_is_no_difference() {
        let old = RolloutStatus {
            controller_pause: Some(false),
            replicas: Some(0),
            ..Default::default()
        };
        assert_eq!(status_patch(&old, &RolloutStatus::default()), None);
    }
}
