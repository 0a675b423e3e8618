//! Printers for the workload controllers: ReplicaSet, Deployment and Job.

use jiff::Timestamp;
use serde_json::Value;

use super::Row;
use super::age;
use super::fields::{age_cell, array_at, condition_true, container_cells, int_at, name, opt_int_at};
use crate::selectors::{LabelSelector, format_label_selector};

fn row(cells: Vec<Value>) -> Row {
    Row {
        cells,
        conditions: Vec::new(),
    }
}

/// `spec.replicas`, defaulted to 1 as the API server stores it.
fn desired(obj: &Value) -> i64 {
    opt_int_at(obj, "/spec/replicas").unwrap_or(1)
}

/// NAME, DESIRED, CURRENT, READY, AGE, CONTAINERS, IMAGES, SELECTOR.
pub(crate) fn replica_set(rs: &Value, now: Timestamp) -> Row {
    let (containers, images) = container_cells(rs, "/spec/template/spec/containers");
    row(vec![
        name(rs),
        Value::from(desired(rs)),
        Value::from(int_at(rs, "/status/replicas")),
        Value::from(int_at(rs, "/status/readyReplicas")),
        age_cell(rs, now),
        containers,
        images,
        Value::from(format_label_selector(rs.pointer("/spec/selector"))),
    ])
}

/// NAME, READY (`ready/desired`), UP-TO-DATE, AVAILABLE, AGE, CONTAINERS, IMAGES, SELECTOR.
pub(crate) fn deployment(d: &Value, now: Timestamp) -> Row {
    let (containers, images) = container_cells(d, "/spec/template/spec/containers");
    let selector = match LabelSelector::from_object(d.pointer("/spec/selector").unwrap_or(&Value::Null)) {
        Ok(s) => s.to_string(),
        Err(_) => "<invalid>".to_string(),
    };
    row(vec![
        name(d),
        Value::from(format!("{}/{}", int_at(d, "/status/readyReplicas"), desired(d))),
        Value::from(int_at(d, "/status/updatedReplicas")),
        Value::from(int_at(d, "/status/availableReplicas")),
        age_cell(d, now),
        containers,
        images,
        Value::from(selector),
    ])
}

/// NAME, STATUS, COMPLETIONS, DURATION, AGE, CONTAINERS, IMAGES, SELECTOR.
pub(crate) fn job(job: &Value, now: Timestamp) -> Row {
    let succeeded = int_at(job, "/status/succeeded");
    let completions = match opt_int_at(job, "/spec/completions") {
        Some(c) => format!("{succeeded}/{c}"),
        None => match int_at(job, "/spec/parallelism") {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let duration = match (
        age::timestamp_of(job.pointer("/status/startTime")),
        age::timestamp_of(job.pointer("/status/completionTime")),
    ) {
        (None, _) => String::new(),
        (Some(start), None) => age::human_duration(age::nanos_between(start, now)),
        (Some(start), Some(end)) => age::human_duration(age::nanos_between(start, end)),
    };
    let conditions = array_at(job, "/status/conditions");
    let deleting = job.pointer("/metadata/deletionTimestamp").is_some_and(|v| !v.is_null());
    let status = if condition_true(conditions, "Complete") {
        "Complete"
    } else if condition_true(conditions, "Failed") {
        "Failed"
    } else if deleting {
        "Terminating"
    } else if condition_true(conditions, "Suspended") {
        "Suspended"
    } else if condition_true(conditions, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let (containers, images) = container_cells(job, "/spec/template/spec/containers");
    row(vec![
        name(job),
        Value::from(status),
        Value::from(completions),
        Value::from(duration),
        age_cell(job, now),
        containers,
        images,
        Value::from(format_label_selector(job.pointer("/spec/selector"))),
    ])
}
