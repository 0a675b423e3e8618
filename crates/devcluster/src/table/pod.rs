//! The Pod printer: READY, the STATUS reason (init progress, waiting and terminated reasons,
//! Terminating), RESTARTS with the time of the last restart, and the wide columns.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::Row;
use super::age::{self, timestamp_of};
use super::fields::{age_cell, array_at, bool_at, condition_true, int_at, name, or_none, str_at};

fn is_restartable_init_container(container: Option<&Value>) -> bool {
    container.is_some_and(|c| str_at(c, "/restartPolicy") == "Always")
}

/// The later of two optional restart times.
fn later(current: Option<Timestamp>, candidate: Option<Timestamp>) -> Option<Timestamp> {
    match (current, candidate) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn last_termination(status: &Value) -> Option<Timestamp> {
    status
        .pointer("/lastState/terminated")
        .and_then(|t| timestamp_of(t.get("finishedAt")))
}

/// `Signal:9`/`ExitCode:1` for a terminated state without a reason.
fn exit_text(terminated: &Value) -> String {
    let signal = int_at(terminated, "/signal");
    if signal != 0 {
        format!("Signal:{signal}")
    } else {
        format!("ExitCode:{}", int_at(terminated, "/exitCode"))
    }
}

struct Tally {
    restarts: i64,
    last_restart: Option<Timestamp>,
}

/// A Pod's row as kube-apiserver prints it (wide columns included).
pub(crate) fn row(pod: &Value, now: Timestamp) -> Row {
    let spec_containers = array_at(pod, "/spec/containers");
    let init_specs = array_at(pod, "/spec/initContainers");
    let init_spec = |name: &str| init_specs.iter().find(|c| str_at(c, "/name") == name);
    let conditions = array_at(pod, "/status/conditions");

    let total = spec_containers.len()
        + init_specs
            .iter()
            .filter(|c| is_restartable_init_container(Some(c)))
            .count();
    let mut ready = 0usize;
    let phase = str_at(pod, "/status/phase");
    let mut reason = phase.to_string();
    let status_reason = str_at(pod, "/status/reason");
    if !status_reason.is_empty() {
        reason = status_reason.to_string();
    }
    if conditions
        .iter()
        .any(|c| str_at(c, "/type") == "PodScheduled" && str_at(c, "/reason") == "SchedulingGated")
    {
        reason = "SchedulingGated".to_string();
    }

    let completed = |reason: &str, message: &str| {
        vec![json!({"type": "Completed", "status": "True", "reason": reason, "message": message})]
    };
    let row_conditions = match phase {
        "Succeeded" => completed("Succeeded", "The pod has completed successfully."),
        "Failed" => completed("Failed", "The pod failed."),
        _ => Vec::new(),
    };

    let mut all = Tally {
        restarts: 0,
        last_restart: None,
    };
    let mut sidecars = Tally {
        restarts: 0,
        last_restart: None,
    };
    let mut initializing = false;
    let init_statuses = array_at(pod, "/status/initContainerStatuses");
    for (i, container) in init_statuses.iter().enumerate() {
        let restartable = is_restartable_init_container(init_spec(str_at(container, "/name")));
        all.restarts += int_at(container, "/restartCount");
        all.last_restart = later(all.last_restart, last_termination(container));
        if restartable {
            sidecars.restarts += int_at(container, "/restartCount");
            sidecars.last_restart = later(sidecars.last_restart, last_termination(container));
        }
        let terminated = container.pointer("/state/terminated");
        let waiting_reason = str_at(container, "/state/waiting/reason");
        if terminated.is_some_and(|t| int_at(t, "/exitCode") == 0) {
            continue;
        }
        if restartable && bool_at(container, "/started") {
            if bool_at(container, "/ready") {
                ready += 1;
            }
            continue;
        }
        reason = match terminated {
            Some(t) if str_at(t, "/reason").is_empty() => format!("Init:{}", exit_text(t)),
            Some(t) => format!("Init:{}", str_at(t, "/reason")),
            None if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" => {
                format!("Init:{waiting_reason}")
            }
            None => format!("Init:{i}/{}", init_specs.len()),
        };
        initializing = true;
        break;
    }

    let mut restarts = all.restarts;
    let mut last_restart = all.last_restart;
    if !initializing || condition_true(conditions, "Initialized") {
        restarts = sidecars.restarts;
        last_restart = sidecars.last_restart;
        let mut has_running = false;
        for container in array_at(pod, "/status/containerStatuses").iter().rev() {
            restarts += int_at(container, "/restartCount");
            last_restart = later(last_restart, last_termination(container));
            let waiting_reason = str_at(container, "/state/waiting/reason");
            let terminated = container.pointer("/state/terminated");
            if !waiting_reason.is_empty() {
                reason = waiting_reason.to_string();
            } else if let Some(t) = terminated {
                let r = str_at(t, "/reason");
                reason = if r.is_empty() { exit_text(t) } else { r.to_string() };
            } else if bool_at(container, "/ready") && container.pointer("/state/running").is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true(conditions, "Ready") {
                "Running"
            } else {
                "NotReady"
            }
            .to_string();
        }
    }

    let deleting = pod.pointer("/metadata/deletionTimestamp").is_some_and(|v| !v.is_null());
    if deleting && status_reason == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }

    let restarts_text = match last_restart {
        Some(ts) if restarts != 0 => format!("{restarts} ({} ago)", age::human_duration(age::nanos_between(ts, now))),
        _ => restarts.to_string(),
    };

    let pod_ip = [str_at(pod, "/status/podIPs/0/ip"), str_at(pod, "/status/podIP")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let gates = array_at(pod, "/spec/readinessGates");
    let readiness_gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let passing = gates
            .iter()
            .filter(|g| {
                conditions
                    .iter()
                    .find(|c| str_at(c, "/type") == str_at(g, "/conditionType"))
                    .is_some_and(|c| str_at(c, "/status") == "True")
            })
            .count();
        format!("{passing}/{}", gates.len())
    };

    Row {
        cells: vec![
            name(pod),
            Value::from(format!("{ready}/{total}")),
            Value::from(reason),
            Value::from(restarts_text),
            age_cell(pod, now),
            Value::from(or_none(pod_ip)),
            Value::from(or_none(str_at(pod, "/spec/nodeName"))),
            Value::from(or_none(str_at(pod, "/status/nominatedNodeName"))),
            Value::from(readiness_gates),
        ],
        conditions: row_conditions,
    }
}
