//! A Deployment's status: replica counts summed over its ReplicaSets, the `Available` condition, and
//! the `Progressing` condition with its progress deadline, as Kubernetes' deployment controller writes
//! them.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::Plan;
use super::deployment::{Ctx, Work};
use super::meta::{self, fmt_time};

/// The condition of a type in a status.
pub(crate) fn condition<'a>(status: &'a Map<String, Value>, kind: &str) -> Option<&'a Value> {
    status
        .get("conditions")
        .and_then(Value::as_array)
        .and_then(|cs| meta::condition(cs, kind))
}

fn field<'a>(c: &'a Value, key: &str) -> &'a str {
    c.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A new Deployment condition, both times set to now.
pub(crate) fn new_condition(kind: &str, status: &str, reason: &str, message: &str, now: Timestamp) -> Value {
    json!({
        "type": kind,
        "status": status,
        "lastUpdateTime": fmt_time(now),
        "lastTransitionTime": fmt_time(now),
        "reason": reason,
        "message": message,
    })
}

/// Kubernetes' `SetDeploymentCondition`: no change when status and reason are the same; the
/// transition time kept when only the reason changes; the condition moved to the end.
pub(crate) fn set_condition(status: &mut Map<String, Value>, mut cond: Value) {
    let kind = field(&cond, "type").to_string();
    if let Some(current) = condition(status, &kind)
        && field(current, "status") == field(&cond, "status")
    {
        if field(current, "reason") == field(&cond, "reason") {
            return;
        }
        let since = current.get("lastTransitionTime").cloned().unwrap_or(Value::Null);
        meta::set_at(&mut cond, &["lastTransitionTime"], since);
    }
    remove_condition(status, &kind);
    if let Some(cs) = status.entry("conditions").or_insert_with(|| json!([])).as_array_mut() {
        cs.push(cond);
    }
}

fn remove_condition(status: &mut Map<String, Value>, kind: &str) {
    if let Some(cs) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        cs.retain(|c| field(c, "type") != kind);
    }
}

/// Kubernetes' `checkPausedConditions`: a Progressing condition of status Unknown saying the
/// Deployment was paused or resumed (unless it already timed out).
pub(crate) fn check_paused(w: &mut Work, ctx: &Ctx) {
    if ctx.progress_deadline.is_none() {
        return;
    }
    let reason = condition(&w.status, "Progressing").map(|c| field(c, "reason").to_string());
    if reason.as_deref() == Some("ProgressDeadlineExceeded") {
        return;
    }
    let paused_recorded = reason.as_deref() == Some("DeploymentPaused");
    let paused = meta::bool_at(ctx.d, "/spec/paused");
    let cond = if paused && !paused_recorded {
        new_condition(
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
            ctx.now,
        )
    } else if !paused && paused_recorded {
        new_condition(
            "Progressing",
            "Unknown",
            "DeploymentResumed",
            "Deployment is resumed",
            ctx.now,
        )
    } else {
        return;
    };
    set_condition(&mut w.status, cond);
}

/// Kubernetes' `calculateStatus`: counts from the ReplicaSets, and the Available condition.
fn calculate(w: &Work, ctx: &Ctx) -> Map<String, Value> {
    let live = || w.rss.iter().filter(|rs| !rs.create);
    let sum = |f: &str| live().map(|rs| rs.status(f)).sum::<i64>();
    let available = sum("availableReplicas");
    let total: i64 = w.rss.iter().map(super::deployment::WorkingRs::replicas).sum();
    let updated = w.new.and_then(|i| w.rss.get(i)).map_or(0, |rs| rs.status("replicas"));
    let mut status = Map::new();
    meta::set_count(&mut status, "observedGeneration", meta::generation(ctx.d));
    meta::set_count(&mut status, "replicas", sum("replicas"));
    meta::set_count(&mut status, "updatedReplicas", updated);
    meta::set_count(&mut status, "readyReplicas", sum("readyReplicas"));
    meta::set_count(&mut status, "availableReplicas", available);
    meta::set_count(&mut status, "unavailableReplicas", (total - available).max(0));
    for key in ["conditions", "collisionCount"] {
        if let Some(v) = w.status.get(key) {
            status.insert(key.to_string(), v.clone());
        }
    }
    let cond = if available >= ctx.replicas - ctx.unavailable_allowed() {
        new_condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            ctx.now,
        )
    } else {
        new_condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            ctx.now,
        )
    };
    set_condition(&mut status, cond);
    status
}

/// Kubernetes' `syncDeploymentStatus`: counts only, no progress estimation (paused or scaling).
pub(crate) fn sync_status(w: &mut Work, ctx: &Ctx) {
    w.status = calculate(w, ctx);
}

fn count(status: &Value, key: &str) -> i64 {
    status.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// Kubernetes' `DeploymentComplete`: every replica updated and available, and the generation observed.
pub(crate) fn complete(ctx: &Ctx, status: &Value) -> bool {
    count(status, "updatedReplicas") == ctx.replicas
        && count(status, "replicas") == ctx.replicas
        && count(status, "availableReplicas") == ctx.replicas
        && count(status, "observedGeneration") >= meta::generation(ctx.d)
}

/// Kubernetes' `DeploymentProgressing`: more updated, ready or available replicas, or fewer old ones,
/// than the status as read says.
fn progressing(ctx: &Ctx, new: &Value) -> bool {
    let old = &ctx.old_status;
    let old_old = count(old, "replicas") - count(old, "updatedReplicas");
    let new_old = count(new, "replicas") - count(new, "updatedReplicas");
    count(new, "updatedReplicas") > count(old, "updatedReplicas")
        || new_old < old_old
        || count(new, "readyReplicas") > count(old, "readyReplicas")
        || count(new, "availableReplicas") > count(old, "availableReplicas")
}

/// When the Progressing condition times out, unless the rollout completed or already timed out.
fn deadline(ctx: &Ctx, status: &Map<String, Value>) -> Option<Timestamp> {
    let seconds = ctx.progress_deadline?;
    let c = condition(status, "Progressing")?;
    if matches!(
        field(c, "reason"),
        "NewReplicaSetAvailable" | "ProgressDeadlineExceeded"
    ) {
        return None;
    }
    let from = meta::parse_time(field(c, "lastUpdateTime"))?;
    Some(meta::add(from, meta::secs(seconds)))
}

/// Kubernetes' `syncRolloutStatus`: the status with the Progressing condition estimated.
pub(crate) fn sync_rollout_status(w: &mut Work, ctx: &Ctx) {
    let mut status = calculate(w, ctx);
    if ctx.progress_deadline.is_none() {
        remove_condition(&mut status, "Progressing");
    }
    let new = Value::Object(status.clone());
    let current = condition(&status, "Progressing").cloned();
    let finished = count(&new, "replicas") == count(&new, "updatedReplicas")
        && current
            .as_ref()
            .is_some_and(|c| field(c, "reason") == "NewReplicaSetAvailable");
    if ctx.progress_deadline.is_some() && !finished {
        let rs_name = w
            .new
            .and_then(|i| w.rss.get(i))
            .map(|rs| meta::name(&rs.obj).to_string());
        let about = |what: &str| match &rs_name {
            Some(n) => format!("ReplicaSet \"{n}\" {what}"),
            None => format!("Deployment \"{}\" {what}", meta::name(ctx.d)),
        };
        if complete(ctx, &new) {
            let message = about("has successfully progressed.");
            set_condition(
                &mut status,
                new_condition("Progressing", "True", "NewReplicaSetAvailable", &message, ctx.now),
            );
        } else if progressing(ctx, &new) {
            let mut cond = new_condition(
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                &about("is progressing."),
                ctx.now,
            );
            if let Some(c) = current.as_ref().filter(|c| field(c, "status") == "True") {
                let since = c.get("lastTransitionTime").cloned().unwrap_or(Value::Null);
                meta::set_at(&mut cond, &["lastTransitionTime"], since);
            }
            remove_condition(&mut status, "Progressing");
            set_condition(&mut status, cond);
        } else if deadline(ctx, &status).is_some_and(|at| at < ctx.now)
            || current
                .as_ref()
                .is_some_and(|c| field(c, "reason") == "ProgressDeadlineExceeded")
        {
            let message = about("has timed out progressing.");
            set_condition(
                &mut status,
                new_condition("Progressing", "False", "ProgressDeadlineExceeded", &message, ctx.now),
            );
        }
    }
    w.status = status;
}

/// Kubernetes' `requeueStuckDeployment`: look again when the progress deadline passes.
pub(crate) fn requeue_if_stuck(w: &Work, ctx: &Ctx, plan: &mut Plan) {
    if complete(ctx, &Value::Object(w.status.clone())) {
        return;
    }
    if let Some(at) = deadline(ctx, &w.status) {
        plan.requeue(meta::until(ctx.now, at) + std::time::Duration::from_millis(1));
    }
}
