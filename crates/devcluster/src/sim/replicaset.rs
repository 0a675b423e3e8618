//! The ReplicaSet controller: keeps `spec.replicas` active pods matching the template, and reports how
//! many there are, how many are ready and how many available.
//!
//! Its pods are those it controls (controller owner reference to its uid) whose labels match its
//! selector; finished pods (Succeeded/Failed) and pods being deleted are not active. Missing pods are
//! created from the template (at most [`BURST_REPLICAS`] per call, as Kubernetes limits a sync), excess
//! pods are deleted in Kubernetes' `ActivePods` order (unscheduled, pending and not-ready pods first, then
//! the newest). Orphans are not adopted. Pods are created only up to the cluster's pod limit
//! ([`SimConfig::max_pod_objects`]); a ReplicaSet held back by it reports the `ReplicaFailure` condition
//! and a `FailedCreate` Event, as Kubernetes' controller reports a creation refused (by a quota, say).

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::meta::{self, Selector};
use super::podutil::{self, Availability};
use super::{Action, EventRecord, Kind, ObjectRef, Plan, SimConfig, SimError};

/// Most pods created or deleted in one call (Kubernetes' `burstReplicas`).
pub const BURST_REPLICAS: usize = 500;
/// The component recording the Events.
pub const COMPONENT: &str = "replicaset-controller";
/// The condition reporting pods that could not be created.
pub const REPLICA_FAILURE: &str = "ReplicaFailure";
/// Its reason, and the Event's.
pub const FAILED_CREATE: &str = "FailedCreate";

/// Decides the next step for `rs` given the pods of its namespace, with no pod limit; `names` draws the
/// random suffix of each new pod's name.
#[cfg(test)]
pub fn reconcile(
    rs: &Value,
    pods: &[Value],
    now: Timestamp,
    names: &mut dyn FnMut() -> String,
) -> Result<Plan, SimError> {
    let unlimited = SimConfig {
        max_pod_objects: usize::MAX,
        ..SimConfig::default()
    };
    reconcile_within(rs, pods, now, &unlimited, 0, names)
}

/// Like [`reconcile`], in a cluster that stores `pod_objects` pods, of [`SimConfig::max_pod_objects`].
pub fn reconcile_within(
    rs: &Value,
    pods: &[Value],
    now: Timestamp,
    cfg: &SimConfig,
    pod_objects: usize,
    names: &mut dyn FnMut() -> String,
) -> Result<Plan, SimError> {
    meta::require_identity(rs)?;
    let selector = Selector::parse(rs.pointer("/spec/selector"))?;
    let owned: Vec<&Value> = pods
        .iter()
        .filter(|p| meta::is_controlled_by(p, meta::uid(rs)) && selector.selects(p))
        .collect();
    let mut active: Vec<&Value> = owned.iter().copied().filter(|p| podutil::is_active(p)).collect();
    let want = usize::try_from(meta::i64_at(rs, "/spec/replicas").unwrap_or(1).max(0)).unwrap_or(0);
    let mut plan = Plan::none();
    let mut refused = None;
    if !meta::is_deleting(rs) {
        if active.len() < want {
            let batch = (want - active.len()).min(BURST_REPLICAS);
            let room = cfg.max_pod_objects.saturating_sub(pod_objects);
            let taken = create_pods(rs, pods, batch.min(room), names, &mut plan);
            if room < batch {
                // The creation after the last one the limit allows, refused as the API server would.
                let name = podutil::fresh_name(&format!("{}-", meta::name(rs)), &taken, names);
                refused = Some(format!(
                    "pods \"{name}\" is forbidden: exceeded the dev cluster's pod limit, requested: pods=1, \
                     used: pods={}, limited: pods={}",
                    pod_objects + room.min(batch),
                    cfg.max_pod_objects
                ));
            }
        } else if active.len() > want {
            active.sort_by(|a, b| podutil::deletion_order(a, b));
            for pod in active.iter().take((active.len() - want).min(BURST_REPLICAS)) {
                let target = ObjectRef::of(Kind::Pod, pod);
                plan.push(Action::Delete {
                    target,
                    grace_period_seconds: None,
                });
            }
        }
    }
    let (mut status, available_at) = status(rs, &active, now);
    report_failure(rs, &mut status, refused, now, &mut plan);
    if let Some(at) = available_at {
        // Just after the moment, since availability needs the ready time plus minReadySeconds to have passed.
        plan.requeue(meta::until(now, at) + Duration::from_millis(1));
    }
    let current = rs.get("status").cloned().unwrap_or_else(|| json!({}));
    if !meta::semantic_eq(&status, &current) {
        plan.push(Action::UpdateStatus {
            target: ObjectRef::of(Kind::ReplicaSet, rs),
            status,
        });
    }
    Ok(plan)
}

/// Plans `count` new pods; returns every name now taken.
fn create_pods(
    rs: &Value,
    pods: &[Value],
    count: usize,
    names: &mut dyn FnMut() -> String,
    plan: &mut Plan,
) -> Vec<String> {
    let template = rs.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let prefix = format!("{}-", meta::name(rs));
    let owner = meta::controller_owner_ref("apps/v1", "ReplicaSet", rs);
    let mut taken: Vec<String> = pods.iter().map(|p| meta::name(p).to_string()).collect();
    for _ in 0..count.min(BURST_REPLICAS) {
        let name = podutil::fresh_name(&prefix, &taken, names);
        let pod = podutil::pod_from_template(
            &template,
            meta::namespace(rs),
            &prefix,
            &name,
            &Map::new(),
            owner.clone(),
        );
        taken.push(name);
        plan.push(Action::Create(pod));
    }
    taken
}

/// Sets the `ReplicaFailure` condition (and records the Event) when a creation was `refused` and the
/// condition is not set yet; removes it once nothing is refused, as Kubernetes' controller does.
fn report_failure(rs: &Value, status: &mut Value, refused: Option<String>, now: Timestamp, plan: &mut Plan) {
    let Some(map) = status.as_object_mut() else { return };
    let mut conditions: Vec<Value> = map
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let had = conditions
        .iter()
        .any(|c| c.get("type").and_then(Value::as_str) == Some(REPLICA_FAILURE));
    match refused {
        Some(message) if !had => {
            conditions.push(json!({
                "type": REPLICA_FAILURE,
                "status": "True",
                "lastTransitionTime": meta::fmt_time(now),
                "reason": FAILED_CREATE,
                "message": message,
            }));
            plan.push(Action::RecordEvent(EventRecord {
                regarding: ObjectRef::of(Kind::ReplicaSet, rs),
                warning: true,
                reason: FAILED_CREATE.into(),
                message: format!("Error creating: {message}"),
                component: COMPONENT.into(),
            }));
        }
        Some(_) => return,
        None if had => conditions.retain(|c| c.get("type").and_then(Value::as_str) != Some(REPLICA_FAILURE)),
        None => return,
    }
    if conditions.is_empty() {
        map.remove("conditions");
    } else {
        map.insert("conditions".into(), Value::Array(conditions));
    }
}

/// The status Kubernetes reports for the active pods, and when the next not-yet-available ready pod
/// becomes available.
fn status(rs: &Value, active: &[&Value], now: Timestamp) -> (Value, Option<Timestamp>) {
    let template_labels = rs.pointer("/spec/template/metadata/labels").and_then(Value::as_object);
    let fully_labeled = active
        .iter()
        .filter(|p| {
            let labels = meta::labels(p);
            template_labels.is_none_or(|t| t.iter().all(|(k, v)| labels.get(k) == Some(v)))
        })
        .count();
    let min_ready = meta::secs(meta::i64_at(rs, "/spec/minReadySeconds").unwrap_or(0));
    let mut ready = 0;
    let mut available = 0;
    let mut next: Option<Timestamp> = None;
    for pod in active {
        match podutil::availability(pod, min_ready, now) {
            Availability::Unavailable => {}
            Availability::Available => {
                ready += 1;
                available += 1;
            }
            Availability::From(at) => {
                ready += 1;
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
    }
    let mut status = rs.get("status").and_then(Value::as_object).cloned().unwrap_or_default();
    status.insert("replicas".into(), json!(active.len()));
    meta::set_count(&mut status, "fullyLabeledReplicas", count(fully_labeled));
    meta::set_count(&mut status, "readyReplicas", ready);
    meta::set_count(&mut status, "availableReplicas", available);
    meta::set_count(&mut status, "observedGeneration", meta::generation(rs));
    (Value::Object(status), next)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
