//! The disruption controller: a PodDisruptionBudget's status, i.e. how many of its pods are healthy,
//! how many must stay healthy, and so how many may be evicted now.
//!
//! As in Kubernetes: with an integer `minAvailable` the expected pods are the selected pods; with a
//! percentage or with `maxUnavailable` they are the replicas of the pods' controllers (a ReplicaSet owned
//! by a Deployment counts as the Deployment; any other controller by its `spec.replicas`), so the
//! controllers must be passed in. Pods without a controller are ignored; a pod whose controller is not
//! found makes the sync fail (`SyncFailed`, no disruptions allowed). Healthy pods are ready pods that
//! are not being deleted and not listed in `status.disruptedPods` (entries expire after two minutes).

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::meta::{self, Selector, fmt_time};
use super::podutil;
use super::{Action, Kind, ObjectRef, Plan, SimError};

/// How long an eviction stays recorded in `disruptedPods` if the pod is not deleted.
pub const DISRUPTION_TIMEOUT: Duration = Duration::from_secs(120);

/// Decides the budget's status; updates it when it changed and asks to be called again when a
/// recorded disruption expires. `controllers` are the workload objects (ReplicaSets, Deployments,
/// StatefulSets, ...) of the namespace.
pub fn reconcile(pdb: &Value, pods: &[Value], controllers: &[Value], now: Timestamp) -> Result<Plan, SimError> {
    meta::require_identity(pdb)?;
    let mut plan = Plan::none();
    let (status, expiry) = compute(pdb, pods, controllers, now);
    if let Some(at) = expiry {
        plan.requeue_at(now, at);
    }
    if !meta::semantic_eq(&status, pdb.get("status").unwrap_or(&Value::Null)) {
        plan.push(Action::UpdateStatus {
            target: ObjectRef::of(Kind::PodDisruptionBudget, pdb),
            status,
        });
    }
    Ok(plan)
}

/// The status the budget should have now.
#[cfg(test)]
pub fn status(pdb: &Value, pods: &[Value], controllers: &[Value], now: Timestamp) -> Value {
    compute(pdb, pods, controllers, now).0
}

fn compute(pdb: &Value, pods: &[Value], controllers: &[Value], now: Timestamp) -> (Value, Option<Timestamp>) {
    let mut status = pdb
        .get("status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let generation = meta::generation(pdb);
    let counts = Selector::parse(pdb.pointer("/spec/selector")).and_then(|selector| {
        let selected: Vec<&Value> = pods
            .iter()
            .filter(|p| meta::namespace(p) == meta::namespace(pdb) && selector.selects(p))
            .collect();
        let (expected, desired) = expected_and_desired(pdb, &selected, controllers)?;
        Ok((selected, expected, desired))
    });
    let (selected, expected, desired) = match counts {
        Ok(c) => c,
        Err(e) => {
            status.insert("disruptionsAllowed".into(), json!(0));
            set_condition(&mut status, false, "SyncFailed", &e.to_string(), generation, now);
            return (Value::Object(status), None);
        }
    };
    let (disrupted, expiry) = live_disruptions(pdb, &selected, now);
    let healthy = selected
        .iter()
        .filter(|p| !meta::is_deleting(p) && !disrupted.contains_key(meta::name(p)) && podutil::is_ready(p))
        .count();
    let healthy = i64::try_from(healthy).unwrap_or(i64::MAX);
    let allowed = if expected <= 0 { 0 } else { (healthy - desired).max(0) };
    status.insert("currentHealthy".into(), json!(healthy));
    status.insert("desiredHealthy".into(), json!(desired));
    status.insert("expectedPods".into(), json!(expected));
    status.insert("disruptionsAllowed".into(), json!(allowed));
    meta::set_count(&mut status, "observedGeneration", generation);
    if disrupted.is_empty() {
        status.remove("disruptedPods");
    } else {
        status.insert("disruptedPods".into(), Value::Object(disrupted));
    }
    let reason = if allowed > 0 {
        "SufficientPods"
    } else {
        "InsufficientPods"
    };
    set_condition(&mut status, allowed > 0, reason, "", generation, now);
    (Value::Object(status), expiry)
}

/// `(expectedPods, desiredHealthy)` from minAvailable or maxUnavailable.
fn expected_and_desired(pdb: &Value, selected: &[&Value], controllers: &[Value]) -> Result<(i64, i64), SimError> {
    let spec = |k: &str| pdb.pointer(&format!("/spec/{k}")).filter(|v| !v.is_null());
    if let Some(max_unavailable) = spec("maxUnavailable") {
        let expected = expected_from_controllers(selected, controllers)?;
        let unavailable = meta::int_or_percent(Some(max_unavailable), "0", expected, true)?;
        return Ok((expected, (expected - unavailable).max(0)));
    }
    match spec("minAvailable") {
        Some(Value::Number(n)) => Ok((
            i64::try_from(selected.len()).unwrap_or(i64::MAX),
            n.as_i64().unwrap_or(0),
        )),
        Some(v) => {
            let expected = expected_from_controllers(selected, controllers)?;
            Ok((expected, meta::int_or_percent(Some(v), "0", expected, true)?))
        }
        None => Ok((i64::try_from(selected.len()).unwrap_or(i64::MAX), 0)),
    }
}

/// The summed replicas of the selected pods' controllers, each counted once.
fn expected_from_controllers(selected: &[&Value], controllers: &[Value]) -> Result<i64, SimError> {
    let by_uid = |uid: &str| controllers.iter().find(|c| meta::uid(c) == uid);
    let mut seen: Vec<String> = Vec::new();
    let mut total = 0;
    for pod in selected {
        let Some(owner) = meta::controller_ref(pod) else {
            continue;
        };
        let uid = owner.get("uid").and_then(Value::as_str).unwrap_or("");
        let Some(mut controller) = by_uid(uid) else {
            let kind = owner.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = owner.get("name").and_then(Value::as_str).unwrap_or("");
            return Err(SimError::Invalid {
                field: format!("pod {}", meta::name(pod)),
                reason: format!("found no controller {kind} {name} for it"),
            });
        };
        if owner.get("kind").and_then(Value::as_str) == Some("ReplicaSet") {
            let parent = meta::controller_ref(controller)
                .filter(|r| r.get("kind").and_then(Value::as_str) == Some("Deployment"))
                .and_then(|r| r.get("uid").and_then(Value::as_str))
                .and_then(by_uid);
            if let Some(d) = parent {
                controller = d;
            }
        }
        let key = meta::uid(controller).to_string();
        if !seen.contains(&key) {
            total += meta::i64_at(controller, "/spec/replicas").unwrap_or(1);
            seen.push(key);
        }
    }
    Ok(total)
}

/// The recorded disruptions still in force (pod present, not yet deleted, recorded less than two
/// minutes ago), and when the first of them expires.
fn live_disruptions(pdb: &Value, selected: &[&Value], now: Timestamp) -> (Map<String, Value>, Option<Timestamp>) {
    let mut live = Map::new();
    let mut expiry: Option<Timestamp> = None;
    let recorded = pdb.pointer("/status/disruptedPods").and_then(Value::as_object);
    for (name, at) in recorded.into_iter().flatten() {
        let pod = selected.iter().find(|p| meta::name(p) == name);
        let Some(when) = at.as_str().and_then(meta::parse_time) else {
            continue;
        };
        let ends = meta::add(when, DISRUPTION_TIMEOUT);
        if pod.is_some_and(|p| !meta::is_deleting(p)) && ends > now {
            live.insert(name.clone(), at.clone());
            expiry = Some(expiry.map_or(ends, |e| e.min(ends)));
        }
    }
    (live, expiry)
}

/// Sets the DisruptionAllowed condition, keeping its transition time while the status is unchanged.
fn set_condition(
    status: &mut Map<String, Value>,
    allowed: bool,
    reason: &str,
    message: &str,
    generation: i64,
    now: Timestamp,
) {
    let value = if allowed { "True" } else { "False" };
    let old = status
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let since = meta::condition(&old, "DisruptionAllowed")
        .filter(|c| c.get("status").and_then(Value::as_str) == Some(value))
        .and_then(|c| c.get("lastTransitionTime").cloned())
        .unwrap_or_else(|| json!(fmt_time(now)));
    let mut conditions: Vec<Value> = old
        .into_iter()
        .filter(|c| c.get("type").and_then(Value::as_str) != Some("DisruptionAllowed"))
        .collect();
    conditions.push(json!({
        "type": "DisruptionAllowed",
        "status": value,
        "reason": reason,
        "message": message,
        "lastTransitionTime": since,
        "observedGeneration": generation,
    }));
    status.insert("conditions".into(), Value::Array(conditions));
}
