//! The simulated kubelet (and scheduler) for one pod: binds it to the node when there is room (see
//! [`super::scheduler`]), starts it after
//! [`SimConfig::start_delay`], reports container states, readiness, restarts and completion as the
//! image and command conventions of [`super::images`] and [`super::script`] say, and finishes deleted
//! pods.
//!
//! A pod's status is computed in closed form from its start time and `now`, so asking again changes
//! nothing until the next transition, whose time is the plan's `requeue_after`. Init containers are
//! reported as completed at once; probes other than the readiness probe's `initialDelaySeconds`, resource
//! limits and volumes have no effect.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::images::{self, ImageBehaviour};
use super::meta::{self, fmt_time};
use super::podutil;
use super::scheduler;
use super::script::{self, Script};
use super::timeline::{self, Behaviour, Restart, Run, Snapshot, State};
use super::{Action, Kind, ObjectRef, Plan, SimConfig, SimError};

/// Decides the kubelet's next move for `pod`, on a node with room for it. `ips` hands out a pod IP when
/// the pod first starts.
#[cfg(test)]
pub fn step(pod: &Value, now: Timestamp, cfg: &SimConfig, ips: &mut dyn FnMut() -> String) -> Result<Plan, SimError> {
    step_within(pod, now, cfg, 0, ips)
}

/// Like [`step`], on a node that already runs `running_pods` pods (bound to it and not terminated): a
/// pod not bound yet is bound only while that is below [`SimConfig::max_pods`].
pub fn step_within(
    pod: &Value,
    now: Timestamp,
    cfg: &SimConfig,
    running_pods: usize,
    ips: &mut dyn FnMut() -> String,
) -> Result<Plan, SimError> {
    meta::require_identity(pod)?;
    let target = ObjectRef::of(Kind::Pod, pod);
    let mut plan = Plan::none();
    let node = meta::str_at(pod, "/spec/nodeName").filter(|n| !n.is_empty());
    if meta::is_deleting(pod) {
        match finish_time(pod, node.is_some(), cfg) {
            Some(at) if now < at => plan.requeue_at(now, at),
            _ => plan.push(Action::Delete {
                target,
                grace_period_seconds: Some(0),
            }),
        }
        return Ok(plan);
    }
    if podutil::is_terminal(pod) {
        return Ok(plan);
    }
    let current = pod
        .get("status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let conditions = meta::array_at(pod, "/status/conditions");
    if node.is_none() {
        return Ok(scheduler::schedule(pod, now, cfg, running_pods));
    }
    let scheduled = meta::condition(conditions, "PodScheduled")
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(meta::parse_time)
        .or_else(|| meta::created(pod))
        .unwrap_or(now);
    let t0 = meta::str_at(pod, "/status/startTime")
        .and_then(meta::parse_time)
        .unwrap_or_else(|| meta::add(meta::created(pod).unwrap_or(scheduled), cfg.start_delay));
    let mut status = current.clone();
    if now < t0 {
        status.insert("phase".into(), json!("Pending"));
        status.insert(
            "conditions".into(),
            json!([condition("PodScheduled", true, scheduled, conditions, None)]),
        );
        plan.requeue_at(now, t0);
    } else {
        let ip = match meta::str_at(pod, "/status/podIP") {
            Some(ip) if !ip.is_empty() => ip.to_string(),
            _ => ips(),
        };
        if let Some(next) = running_status(pod, &mut status, t0, scheduled, now, cfg, &ip) {
            plan.requeue_at(now, next);
        }
    }
    if !meta::semantic_eq(&Value::Object(status.clone()), &Value::Object(current)) {
        plan.push(Action::UpdateStatus {
            target,
            status: Value::Object(status),
        });
    }
    Ok(plan)
}

/// When the kubelet has stopped a deleted pod: its grace period (capped by the config's termination
/// delay) after the delete; `None` for pods that never ran, which go at once.
fn finish_time(pod: &Value, scheduled: bool, cfg: &SimConfig) -> Option<Timestamp> {
    if !scheduled || podutil::is_terminal(pod) || meta::str_at(pod, "/status/startTime").is_none() {
        return None;
    }
    let deadline = meta::str_at(pod, "/metadata/deletionTimestamp").and_then(meta::parse_time)?;
    let grace = meta::secs(meta::i64_at(pod, "/metadata/deletionGracePeriodSeconds").unwrap_or(0));
    Some(meta::add(meta::sub(deadline, grace), grace.min(cfg.termination_delay)))
}

/// What one container does, from its image, command and the pod's restart policy.
fn behaviour(pod: &Value, container: &Value, restart: Restart, cfg: &SimConfig) -> Behaviour {
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let probe_delay = container
        .pointer("/readinessProbe/initialDelaySeconds")
        .and_then(Value::as_i64)
        .map_or(Duration::ZERO, meta::secs);
    let (run_for, exit_code) = match script::of_container(pod, container) {
        Script::Program if restart == Restart::Always => (None, 0),
        Script::Program => (Some(Duration::ZERO), 0),
        Script::Forever => (None, 0),
        Script::Exits { after, code, .. } => (Some(timeline::scaled(after, cfg.time_scale)), code),
    };
    let healthy = Behaviour {
        pull_failure: false,
        run_for,
        exit_code,
        ready_after: Some(probe_delay),
    };
    match images::classify(image) {
        ImageBehaviour::Healthy => healthy,
        ImageBehaviour::PullFailure => Behaviour {
            pull_failure: true,
            ready_after: None,
            ..healthy
        },
        ImageBehaviour::CrashLoop => Behaviour {
            run_for: Some(cfg.crash_after),
            exit_code: 1,
            ready_after: None,
            ..healthy
        },
        ImageBehaviour::NeverReady => Behaviour {
            ready_after: None,
            ..healthy
        },
    }
}

/// Fills in the status of a started pod; returns when it next changes.
fn running_status(
    pod: &Value,
    status: &mut Map<String, Value>,
    t0: Timestamp,
    scheduled: Timestamp,
    now: Timestamp,
    cfg: &SimConfig,
    ip: &str,
) -> Option<Timestamp> {
    let restart = Restart::parse(meta::str_at(pod, "/spec/restartPolicy"));
    let containers = meta::array_at(pod, "/spec/containers");
    let snaps: Vec<Snapshot> = containers
        .iter()
        .map(|c| {
            timeline::at(
                &behaviour(pod, c, restart, cfg),
                restart,
                t0,
                now,
                cfg.image_pull_error_for,
                cfg.time_scale,
            )
        })
        .collect();
    let next = snaps.iter().filter_map(|s| s.next_change).min();
    let phase = phase(&snaps, restart);
    let all_ready = !snaps.is_empty() && snaps.iter().all(|s| s.ready);
    let since = if all_ready {
        snaps.iter().map(|s| s.ready_since).max()
    } else {
        snaps.iter().filter(|s| !s.ready).map(|s| s.ready_since).min()
    }
    .unwrap_or(t0);
    let unready: Vec<&str> = containers
        .iter()
        .zip(&snaps)
        .filter(|(_, s)| !s.ready)
        .map(|(c, _)| c.get("name").and_then(Value::as_str).unwrap_or(""))
        .collect();
    let why = if phase == "Succeeded" {
        Some(("PodCompleted", String::new()))
    } else {
        Some((
            "ContainersNotReady",
            format!("containers with unready status: [{}]", unready.join(" ")),
        ))
    }
    .filter(|_| !all_ready);
    let old = meta::array_at(pod, "/status/conditions");
    let why_ref = why.as_ref().map(|(r, m)| (*r, m.as_str()));
    status.insert(
        "conditions".into(),
        json!([
            condition("PodReadyToStartContainers", true, t0, old, None),
            condition("Initialized", true, t0, old, None),
            condition("Ready", all_ready, since, old, why_ref),
            condition("ContainersReady", all_ready, since, old, why_ref),
            condition("PodScheduled", true, scheduled, old, None),
        ]),
    );
    status.insert("phase".into(), json!(phase));
    status.insert("hostIP".into(), json!(cfg.host_ip));
    status.insert("hostIPs".into(), json!([{"ip": cfg.host_ip}]));
    status.insert("podIP".into(), json!(ip));
    status.insert("podIPs".into(), json!([{"ip": ip}]));
    status.insert("startTime".into(), json!(fmt_time(t0)));
    let statuses: Vec<Value> = containers
        .iter()
        .zip(&snaps)
        .map(|(c, s)| container_status(pod, c, s))
        .collect();
    status.insert("containerStatuses".into(), Value::Array(statuses));
    let inits: Vec<Value> = meta::array_at(pod, "/spec/initContainers")
        .iter()
        .map(|c| init_status(pod, c, t0))
        .collect();
    if !inits.is_empty() {
        status.insert("initContainerStatuses".into(), Value::Array(inits));
    }
    next
}

/// The pod phase from its containers, as the kubelet derives it.
fn phase(snaps: &[Snapshot], restart: Restart) -> &'static str {
    let waiting = snaps
        .iter()
        .filter(|s| matches!(s.state, State::Pulling { .. }))
        .count();
    let running = snaps
        .iter()
        .filter(|s| matches!(s.state, State::Running { .. }))
        .count();
    let succeeded = snaps
        .iter()
        .filter(|s| s.state == State::Done && s.last.is_some_and(|r| r.code == 0))
        .count();
    if waiting > 0 || snaps.is_empty() {
        "Pending"
    } else if running > 0 || restart == Restart::Always {
        "Running"
    } else if succeeded == snaps.len() {
        "Succeeded"
    } else if restart == Restart::Never {
        "Failed"
    } else {
        "Running"
    }
}

/// A pod condition, keeping the existing transition time when the status is unchanged.
pub(super) fn condition(kind: &str, status: bool, since: Timestamp, old: &[Value], why: Option<(&str, &str)>) -> Value {
    let status = if status { "True" } else { "False" };
    let kept = meta::condition(old, kind)
        .filter(|c| c.get("status").and_then(Value::as_str) == Some(status))
        .and_then(|c| c.get("lastTransitionTime").cloned());
    let mut c = json!({
        "type": kind,
        "status": status,
        "lastProbeTime": null,
        "lastTransitionTime": kept.unwrap_or_else(|| json!(fmt_time(since))),
    });
    if let Some((reason, message)) = why {
        c["reason"] = json!(reason);
        if !message.is_empty() {
            c["message"] = json!(message);
        }
    }
    c
}

fn container_id(pod: &Value, name: &str, index: u64) -> String {
    format!(
        "containerd://{}",
        images::hex64(&format!("{}/{name}/{index}", meta::uid(pod)))
    )
}

fn terminated(pod: &Value, name: &str, run: &Run, message: Option<&str>) -> Value {
    let mut t = json!({"terminated": {
        "exitCode": run.code,
        "reason": if run.code == 0 { "Completed" } else { "Error" },
        "startedAt": fmt_time(run.started),
        "finishedAt": fmt_time(run.finished),
        "containerID": container_id(pod, name, run.index),
    }});
    if let Some(m) = message {
        t["terminated"]["message"] = json!(m);
    }
    t
}

/// Why the container's script stopped, when it stopped at a statement it could not run with the
/// code `code`.
fn termination_message(pod: &Value, c: &Value, code: i32) -> Option<String> {
    match script::of_container(pod, c) {
        Script::Exits { code: c, message, .. } if c == code => message,
        _ => None,
    }
}

fn container_status(pod: &Value, c: &Value, s: &Snapshot) -> Value {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let last = s.last.as_ref().map(|r| {
        let message = termination_message(pod, c, r.code);
        terminated(pod, name, r, message.as_deref())
    });
    let (state, last_state, id) = match &s.state {
        State::Pulling { backing_off: false } => {
            let n = images::normalize(image);
            let message =
                format!("failed to pull and unpack image \"{n}\": failed to resolve reference \"{n}\": {n}: not found");
            (
                json!({"waiting": {"reason": "ErrImagePull", "message": message}}),
                json!({}),
                None,
            )
        }
        State::Pulling { backing_off: true } => {
            let message = format!("Back-off pulling image \"{image}\"");
            (
                json!({"waiting": {"reason": "ImagePullBackOff", "message": message}}),
                json!({}),
                None,
            )
        }
        State::Running { index, since } => (
            json!({"running": {"startedAt": fmt_time(*since)}}),
            last.unwrap_or_else(|| json!({})),
            Some(*index),
        ),
        State::BackOff { backoff } => {
            let message = format!(
                "back-off {} restarting failed container={name} pod={}_{}({})",
                meta::go_duration(*backoff),
                meta::name(pod),
                meta::namespace(pod),
                meta::uid(pod)
            );
            let id = s.last.map(|r| r.index);
            (
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": message}}),
                last.unwrap_or_else(|| json!({})),
                id,
            )
        }
        State::Done => (last.unwrap_or_else(|| json!({})), json!({}), s.last.map(|r| r.index)),
    };
    let pulled = !matches!(s.state, State::Pulling { .. });
    let mut out = json!({
        "name": name,
        "image": if pulled { images::normalize(image) } else { image.to_string() },
        "imageID": if pulled { images::image_id(image) } else { String::new() },
        "ready": s.ready,
        "started": matches!(s.state, State::Running { .. }),
        "restartCount": s.restarts,
        "state": state,
        "lastState": last_state,
    });
    if let Some(index) = id {
        out["containerID"] = json!(container_id(pod, name, index));
    }
    out
}

fn init_status(pod: &Value, c: &Value, t0: Timestamp) -> Value {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let run = Run {
        index: 0,
        started: t0,
        finished: t0,
        code: 0,
    };
    json!({
        "name": name,
        "image": images::normalize(image),
        "imageID": images::image_id(image),
        "containerID": container_id(pod, name, 0),
        "ready": true,
        "started": false,
        "restartCount": 0,
        "state": terminated(pod, name, &run, None),
        "lastState": {},
    })
}
