//! Pod predicates shared by the controllers (active, ready, available), the order in which controllers
//! pick pods to delete, and building pods from a template.

use std::cmp::Ordering;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::meta;

/// The annotation that lowers (or raises) a pod's priority for deletion on scale-down.
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// Longest generateName prefix before the random suffix, as the API server truncates it.
const MAX_GENERATED_PREFIX: usize = 58;

/// `status.phase`, or "" when not set yet.
pub(crate) fn phase(pod: &Value) -> &str {
    meta::str_at(pod, "/status/phase").unwrap_or("")
}

/// True for pods that have finished (Succeeded or Failed).
pub(crate) fn is_terminal(pod: &Value) -> bool {
    matches!(phase(pod), "Succeeded" | "Failed")
}

/// True for pods that count towards a controller's replicas: not finished and not being deleted.
pub(crate) fn is_active(pod: &Value) -> bool {
    !is_terminal(pod) && !meta::is_deleting(pod)
}

/// The pod's `Ready` condition.
pub(crate) fn ready_condition(pod: &Value) -> Option<&Value> {
    meta::condition(meta::array_at(pod, "/status/conditions"), "Ready")
}

/// True when the pod's `Ready` condition is True.
pub(crate) fn is_ready(pod: &Value) -> bool {
    ready_condition(pod)
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

/// Since when the pod has been ready, if it is.
pub(crate) fn ready_since(pod: &Value) -> Option<Timestamp> {
    if !is_ready(pod) {
        return None;
    }
    ready_condition(pod)
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(meta::parse_time)
}

/// Whether a pod counts as available for `min_ready` (ready for longer than that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Availability {
    /// Not ready.
    Unavailable,
    /// Ready, and available from this time on.
    From(Timestamp),
    /// Ready and available now.
    Available,
}

/// Kubernetes' `IsPodAvailable`: ready, and the Ready transition plus `min_ready` is before `now`.
pub(crate) fn availability(pod: &Value, min_ready: Duration, now: Timestamp) -> Availability {
    if !is_ready(pod) {
        return Availability::Unavailable;
    }
    if min_ready.is_zero() {
        return Availability::Available;
    }
    match ready_since(pod) {
        None => Availability::From(now),
        Some(since) => {
            let at = meta::add(since, min_ready);
            if at < now {
                Availability::Available
            } else {
                Availability::From(at)
            }
        }
    }
}

/// The highest restart count among the pod's containers.
pub(crate) fn max_restarts(pod: &Value) -> i64 {
    meta::array_at(pod, "/status/containerStatuses")
        .iter()
        .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
        .max()
        .unwrap_or(0)
}

fn phase_rank(pod: &Value) -> u8 {
    match phase(pod) {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    }
}

fn deletion_cost(pod: &Value) -> i64 {
    meta::annotation(pod, POD_DELETION_COST)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The order controllers delete pods in (Kubernetes' `ActivePods`): unscheduled before scheduled,
/// Pending before Unknown before Running, not ready before ready, lower deletion cost first, ready for
/// less time before longer, more restarts first, newer before older. `Less` means "delete first".
pub(crate) fn deletion_order(a: &Value, b: &Value) -> Ordering {
    let scheduled = |p: &Value| meta::str_at(p, "/spec/nodeName").is_some_and(|n| !n.is_empty());
    scheduled(a)
        .cmp(&scheduled(b))
        .then_with(|| phase_rank(a).cmp(&phase_rank(b)))
        .then_with(|| is_ready(a).cmp(&is_ready(b)))
        .then_with(|| deletion_cost(a).cmp(&deletion_cost(b)))
        .then_with(|| match (ready_since(a), ready_since(b)) {
            (Some(x), Some(y)) => y.cmp(&x),
            _ => Ordering::Equal,
        })
        .then_with(|| max_restarts(b).cmp(&max_restarts(a)))
        .then_with(|| meta::created(b).cmp(&meta::created(a)))
        .then_with(|| meta::name(a).cmp(meta::name(b)))
}

/// A name from a generateName prefix and a random suffix, truncated as the API server does.
pub(crate) fn generated_name(prefix: &str, suffix: &str) -> String {
    let cut = prefix
        .char_indices()
        .nth(MAX_GENERATED_PREFIX)
        .map_or(prefix.len(), |(i, _)| i);
    format!("{}{suffix}", &prefix[..cut])
}

/// Draws a name `<prefix><suffix>` that no pod in `taken` has yet; gives up after a few draws (the
/// create then fails with AlreadyExists and the controller tries again).
pub(crate) fn fresh_name(prefix: &str, taken: &[String], names: &mut dyn FnMut() -> String) -> String {
    let mut name = generated_name(prefix, &names());
    for _ in 0..8 {
        if !taken.contains(&name) {
            break;
        }
        name = generated_name(prefix, &names());
    }
    name
}

/// A pod from a pod template, as controllers create them: the template's labels (plus `extra_labels`),
/// annotations and finalizers, the owner reference, `generateName` and the drawn name, and the spec.
pub(crate) fn pod_from_template(
    template: &Value,
    namespace: &str,
    generate_name: &str,
    name: &str,
    extra_labels: &Map<String, Value>,
    owner: Value,
) -> Value {
    let mut labels = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.extend(extra_labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut metadata = json!({
        "name": name,
        "generateName": generate_name,
        "namespace": namespace,
        "ownerReferences": [owner],
    });
    if !labels.is_empty() {
        metadata["labels"] = Value::Object(labels);
    }
    for key in ["annotations", "finalizers"] {
        if let Some(v) = template.pointer(&format!("/metadata/{key}")).filter(|v| !v.is_null()) {
            metadata[key] = v.clone();
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
        "status": {"phase": "Pending"},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, node: bool, phase: &str, ready: Option<&str>, created: &str) -> Value {
        let mut p =
            json!({"metadata": {"name": name, "creationTimestamp": created}, "spec": {}, "status": {"phase": phase}});
        if node {
            p["spec"]["nodeName"] = json!("n");
        }
        if let Some(t) = ready {
            p["status"]["conditions"] = json!([{"type": "Ready", "status": "True", "lastTransitionTime": t}]);
        }
        p
    }

    #[test]
    fn deletion_order_prefers_unscheduled_pending_unready_new() {
        let t = "2024-01-01T00:00:00Z";
        let mut pods = [
            pod("ready-old", true, "Running", Some("2024-01-01T00:00:05Z"), t),
            pod("ready-new", true, "Running", Some("2024-01-01T00:00:09Z"), t),
            pod("running-unready", true, "Running", None, t),
            pod("pending", true, "Pending", None, t),
            pod("unscheduled", false, "Pending", None, t),
        ];
        pods.sort_by(deletion_order);
        let names: Vec<&str> = pods.iter().map(meta::name).collect();
        assert_eq!(
            names,
            ["unscheduled", "pending", "running-unready", "ready-new", "ready-old"]
        );
    }

    #[test]
    fn deletion_cost_and_age_break_ties() {
        let mut cheap = pod("cheap", true, "Running", None, "2024-01-01T00:00:00Z");
        cheap["metadata"]["annotations"] = json!({POD_DELETION_COST: "-5"});
        let newer = pod("newer", true, "Running", None, "2024-01-01T00:01:00Z");
        let older = pod("older", true, "Running", None, "2024-01-01T00:00:00Z");
        let mut pods = [older, newer, cheap];
        pods.sort_by(deletion_order);
        let names: Vec<&str> = pods.iter().map(meta::name).collect();
        assert_eq!(names, ["cheap", "newer", "older"]);
    }

    #[test]
    fn availability_waits_for_min_ready_seconds() {
        let now: Timestamp = "2024-01-01T00:00:10Z".parse().unwrap();
        let p = pod(
            "a",
            true,
            "Running",
            Some("2024-01-01T00:00:05Z"),
            "2024-01-01T00:00:00Z",
        );
        assert_eq!(availability(&p, Duration::ZERO, now), Availability::Available);
        assert_eq!(availability(&p, Duration::from_secs(4), now), Availability::Available);
        let at: Timestamp = "2024-01-01T00:00:15Z".parse().unwrap();
        assert_eq!(availability(&p, Duration::from_secs(10), now), Availability::From(at));
        let unready = pod("b", true, "Running", None, "2024-01-01T00:00:00Z");
        assert_eq!(availability(&unready, Duration::ZERO, now), Availability::Unavailable);
    }

    #[test]
    fn generated_names_are_truncated() {
        let long = format!("{}-", "x".repeat(70));
        assert_eq!(generated_name(&long, "abcde").len(), 63);
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("s{n}")
        };
        assert_eq!(fresh_name("web-", &["web-s1".to_string()], &mut next), "web-s2");
    }
}
