//! The `spec.weighted.services` list of a TraefikService, looked up and changed with upstream's checks
//! and messages.

use serde_json::{Map, Value};

use super::super::unstructured::{nested_slice, nested_string};

const SERVICES: [&str; 3] = ["spec", "weighted", "services"];

/// The weighted services of a TraefikService, to change in place.
pub(super) fn weighted_services(object: &mut Value) -> Result<&mut Vec<Value>, String> {
    if nested_slice(object, &SERVICES)?.is_none() {
        return Err("spec.weighted.services was not found in traefik service manifest".to_string());
    }
    match object.pointer_mut("/spec/weighted/services") {
        Some(Value::Array(services)) => Ok(services),
        // Checked just above.
        _ => Err("spec.weighted.services was not found in traefik service manifest".to_string()),
    }
}

/// Sets the weight of the first service named `name`; `missing` is the error when there is none. As
/// upstream, the services before it must be objects with a string `name`.
pub(super) fn set_weight(services: &mut [Value], name: &str, weight: i64, missing: &str) -> Result<(), String> {
    let service = find(services, name)?.ok_or_else(|| missing.to_string())?;
    service.insert("weight".into(), Value::from(weight));
    Ok(())
}

fn find<'s>(services: &'s mut [Value], name: &str) -> Result<Option<&'s mut Map<String, Value>>, String> {
    for service in services.iter_mut() {
        if !service.is_object() {
            return Err("Failed type assertion setting weight for traefik service".to_string());
        }
        match nested_string(service, &["name"])? {
            None => return Err("name field was not found in service".to_string()),
            Some(found) if found == name => return Ok(service.as_object_mut()),
            Some(_) => {}
        }
    }
    Ok(None)
}
