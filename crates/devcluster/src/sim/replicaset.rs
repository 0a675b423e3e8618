//! The ReplicaSet controller: keeps `spec.replicas` active pods matching the template, and reports how
//! many there are, how many are ready and how many available.
//!
//! Its pods are those it controls (controller owner reference to its uid) whose labels match its
//! selector; finished pods (Succeeded/Failed) and pods being deleted are not active. Missing pods are
//! created from the template (at most [`BURST_REPLICAS`] per call, as Kubernetes limits a sync), excess
//! pods are deleted in Kubernetes' `ActivePods` order (unscheduled, pending and not-ready pods first, then
//! the newest). Orphans are not adopted. The `ReplicaFailure` condition is not reported.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::meta::{self, Selector};
use super::podutil::{self, Availability};
use super::{Action, Kind, ObjectRef, Plan, SimError};

/// Most pods created or deleted in one call (Kubernetes' `burstReplicas`).
pub const BURST_REPLICAS: usize = 500;

/// Decides the next step for `rs` given the pods of its namespace; `names` draws the random suffix of
/// each new pod's name.
pub fn reconcile(
    rs: &Value,
    pods: &[Value],
    now: Timestamp,
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
    if !meta::is_deleting(rs) {
        if active.len() < want {
            create_pods(rs, pods, want - active.len(), names, &mut plan);
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
    let (status, available_at) = status(rs, &active, now);
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

fn create_pods(rs: &Value, pods: &[Value], count: usize, names: &mut dyn FnMut() -> String, plan: &mut Plan) {
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
