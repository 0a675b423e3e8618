//! The HorizontalPodAutoscaler printer, including the TARGETS summary of metrics.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::Row;
use super::fields::{age_cell, array_at, int_at, int_or_string, name, opt_int_at, str_at};

/// A quantity as printed; `<nil>` when absent, as Go prints a nil quantity.
fn quantity(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".to_string(),
        Some(v) => int_or_string(v),
    }
}

fn present(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null())
}

/// Metric specs and statuses in the autoscaling/v2 shape, converting an autoscaling/v1 object
/// and applying the default 80% CPU target as the API server would have stored it.
fn metrics(hpa: &Value) -> (Vec<Value>, Vec<Value>) {
    let mut specs = array_at(hpa, "/spec/metrics").to_vec();
    let mut statuses = array_at(hpa, "/status/currentMetrics").to_vec();
    if specs.is_empty() {
        let target = opt_int_at(hpa, "/spec/targetCPUUtilizationPercentage").unwrap_or(80);
        let target = json!({"type": "Utilization", "averageUtilization": target});
        specs.push(json!({"type": "Resource", "resource": {"name": "cpu", "target": target}}));
        if statuses.is_empty()
            && let Some(current) = opt_int_at(hpa, "/status/currentCPUUtilizationPercentage")
        {
            statuses.push(
                json!({"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}),
            );
        }
    }
    (specs, statuses)
}

fn value_or_average(spec: &Value, status: Option<&Value>) -> String {
    let target = spec.get("target");
    let current = status.and_then(|s| s.get("current"));
    if present(target.and_then(|t| t.get("averageValue"))) {
        let cur = match current.and_then(|c| c.get("averageValue")) {
            Some(v) if !v.is_null() => quantity(Some(v)),
            _ => "<unknown>".to_string(),
        };
        format!("{cur}/{} (avg)", quantity(target.and_then(|t| t.get("averageValue"))))
    } else {
        let cur = if present(status) {
            quantity(current.and_then(|c| c.get("value")))
        } else {
            "<unknown>".to_string()
        };
        format!("{cur}/{}", quantity(target.and_then(|t| t.get("value"))))
    }
}

fn resource(source: &Value, status: Option<&Value>) -> String {
    let resource_name = str_at(source, "/name");
    let target = source.get("target");
    let current = status.and_then(|s| s.get("current"));
    if present(target.and_then(|t| t.get("averageValue"))) {
        let cur = if present(status) {
            quantity(current.and_then(|c| c.get("averageValue")))
        } else {
            "<unknown>".to_string()
        };
        return format!(
            "{resource_name}: {cur}/{}",
            quantity(target.and_then(|t| t.get("averageValue")))
        );
    }
    let cur = match current
        .and_then(|c| c.get("averageUtilization"))
        .and_then(Value::as_i64)
    {
        Some(u) => format!("{u}%"),
        None => "<unknown>".to_string(),
    };
    let want = match target.and_then(|t| t.get("averageUtilization")).and_then(Value::as_i64) {
        Some(u) => format!("{u}%"),
        None => "<auto>".to_string(),
    };
    format!("{resource_name}: {cur}/{want}")
}

/// Up to two metric summaries (`cpu: 40%/80%`), then `+ N more...`; `<none>` without metrics.
fn format_metrics(specs: &[Value], statuses: &[Value]) -> String {
    if specs.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 2;
    let mut list: Vec<String> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let status_of = |field: &str| statuses.get(i).and_then(|s| s.get(field)).filter(|v| !v.is_null());
        let entry = match str_at(spec, "/type") {
            "External" => value_or_average(spec.get("external").unwrap_or(&Value::Null), status_of("external")),
            "Object" => value_or_average(spec.get("object").unwrap_or(&Value::Null), status_of("object")),
            "Pods" => {
                let cur = match status_of("pods") {
                    Some(s) => quantity(s.pointer("/current/averageValue")),
                    None => "<unknown>".to_string(),
                };
                format!("{cur}/{}", quantity(spec.pointer("/pods/target/averageValue")))
            }
            "Resource" => resource(spec.get("resource").unwrap_or(&Value::Null), status_of("resource")),
            "ContainerResource" => resource(
                spec.get("containerResource").unwrap_or(&Value::Null),
                status_of("containerResource"),
            ),
            _ => "<unknown type>".to_string(),
        };
        list.push(entry);
    }
    let count = list.len();
    if count > MAX {
        list.truncate(MAX);
        return format!("{} + {} more...", list.join(", "), count - MAX);
    }
    list.join(", ")
}

/// NAME, REFERENCE, TARGETS, MINPODS, MAXPODS, REPLICAS, AGE.
pub(crate) fn horizontal_pod_autoscaler(hpa: &Value, now: Timestamp) -> Row {
    let reference = format!(
        "{}/{}",
        str_at(hpa, "/spec/scaleTargetRef/kind"),
        str_at(hpa, "/spec/scaleTargetRef/name")
    );
    let (specs, statuses) = metrics(hpa);
    // minReplicas defaults to 1 in every autoscaling version, so a stored object always has it.
    let min_pods = opt_int_at(hpa, "/spec/minReplicas").unwrap_or(1).to_string();
    Row {
        cells: vec![
            name(hpa),
            Value::from(reference),
            Value::from(format_metrics(&specs, &statuses)),
            Value::from(min_pods),
            Value::from(int_at(hpa, "/spec/maxReplicas")),
            Value::from(int_at(hpa, "/status/currentReplicas")),
            age_cell(hpa, now),
        ],
        conditions: Vec::new(),
    }
}
