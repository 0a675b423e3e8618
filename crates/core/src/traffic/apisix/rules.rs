//! The HTTP rules of an ApisixRoute (`spec.http[]`) and their backends, edited in place with
//! upstream's checks and messages: a rule is found by `name`, a backend by `serviceName`.

use rollouts_api::steps::HeaderRoutingMatch;
use serde_json::{Map, Value, json};

use crate::traffic::RouterError;
use crate::traffic::unstructured::field_accessor_error as accessor_error;

const FAILED_TYPE_ASSERTION: &str = "Failed type assertion for Apisix http route";

/// `spec.http` of an ApisixRoute, to be edited.
pub(super) fn http_rules(route: &mut Value) -> Result<&mut Vec<Value>, RouterError> {
    match route.pointer_mut("/spec/http") {
        Some(Value::Array(rules)) => Ok(rules),
        Some(other) => Err(RouterError::new(accessor_error("spec.http", other, "[]interface{}"))),
        None => Err(RouterError::new("spec.http was not found in Apisix Route manifest")),
    }
}

/// The rule named `name`; every rule before it must be an object with a string name.
pub(super) fn rule_named<'r>(rules: &'r mut [Value], name: &str) -> Result<&'r mut Map<String, Value>, RouterError> {
    let mut found = None;
    for (index, rule) in rules.iter().enumerate() {
        let Value::Object(fields) = rule else {
            return Err(RouterError::new(FAILED_TYPE_ASSERTION));
        };
        match fields.get("name") {
            None => return Err(RouterError::new("Apisix http route rule name field not found")),
            Some(Value::String(rule_name)) if rule_name == name => {
                found = Some(index);
                break;
            }
            Some(Value::String(_)) => {}
            Some(_) => return Err(RouterError::new(format!("{FAILED_TYPE_ASSERTION} rule name"))),
        }
    }
    match found.and_then(|index| rules.get_mut(index)) {
        Some(Value::Object(rule)) => Ok(rule),
        _ => Err(RouterError::new(format!("Apisix http route rule {name} not found"))),
    }
}

/// The rule's `backends`.
fn backends(rule: &mut Map<String, Value>) -> Result<&mut Vec<Value>, RouterError> {
    match rule.get_mut("backends") {
        Some(Value::Array(backends)) => Ok(backends),
        Some(_) => Err(RouterError::new(format!("{FAILED_TYPE_ASSERTION} backends"))),
        None => Err(RouterError::new("Apisix http route backends not found")),
    }
}

/// The `serviceName` of a backend.
fn service_name(backend: &Value) -> Result<&str, RouterError> {
    let Value::Object(fields) = backend else {
        return Err(RouterError::new(format!("{FAILED_TYPE_ASSERTION} backends")));
    };
    match fields.get("serviceName") {
        Some(Value::String(name)) => Ok(name),
        Some(other) => Err(RouterError::new(accessor_error("serviceName", other, "string"))),
        None => Err(RouterError::new("serviceName field was not found in backend")),
    }
}

/// Sets the weight of the first backend of `service`, which must be there.
pub(super) fn set_backend_weight(rule: &mut Map<String, Value>, service: &str, weight: i64) -> Result<(), RouterError> {
    for backend in backends(rule)?.iter_mut() {
        if service_name(backend)? == service {
            backend["weight"] = Value::from(weight);
            return Ok(());
        }
    }
    Err(RouterError::new(format!(
        "apisix route {service} backend was not found"
    )))
}

/// Removes every backend of `service`.
pub(super) fn remove_backend(rule: &mut Map<String, Value>, service: &str) -> Result<(), RouterError> {
    let backends = backends(rule)?;
    let mut kept = Vec::with_capacity(backends.len());
    for backend in backends.iter() {
        if service_name(backend)? != service {
            kept.push(backend.clone());
        }
    }
    *backends = kept;
    Ok(())
}

/// Raises the rule's `priority` by one (0 when unset), so that the header route is tried before the
/// rule it was copied from.
pub(super) fn raise_priority(rule: &mut Map<String, Value>) -> Result<(), RouterError> {
    let priority = match rule.get("priority") {
        None => 0,
        Some(Value::Number(n)) if n.is_i64() => n.as_i64().unwrap_or_default(),
        Some(other) => return Err(RouterError::new(accessor_error("priority", other, "int64"))),
    };
    rule.insert("priority".into(), Value::from(priority.saturating_add(1)));
    Ok(())
}

/// Replaces the rule's `match.exprs` with the header conditions (`match` is created if missing).
pub(super) fn set_header_exprs(
    rule: &mut Map<String, Value>,
    matches: &[HeaderRoutingMatch],
) -> Result<(), RouterError> {
    let exprs: Vec<Value> = matches.iter().flat_map(header_exprs).collect();
    let conditions = rule.entry("match").or_insert_with(|| json!({}));
    let Value::Object(conditions) = conditions else {
        return Err(RouterError::new(format!(
            "value cannot be set because {conditions} is not a map[string]interface{{}}"
        )));
    };
    conditions.insert("exprs".into(), Value::Array(exprs));
    Ok(())
}

/// APISIX expressions of one header condition: `exact` is `Equal`, `regex` is `RegexMatch`, `prefix`
/// is `RegexMatch` of `^<prefix>.*`, each one that is set, in that order.
fn header_exprs(header: &HeaderRoutingMatch) -> Vec<Value> {
    let value = &header.header_value;
    let set = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    let candidates = [
        ("Equal", set(&value.exact)),
        ("RegexMatch", set(&value.regex)),
        ("RegexMatch", set(&value.prefix).map(|p| format!("^{p}.*"))),
    ];
    candidates
        .into_iter()
        .filter_map(|(op, value)| {
            let value = value?;
            Some(json!({
                "subject": {"scope": "Header", "name": header.header_name},
                "op": op,
                "value": value,
            }))
        })
        .collect()
}
