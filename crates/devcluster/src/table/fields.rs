//! Small readers for object fields, defaulting as Go's zero values do, shared by the printers.

use jiff::Timestamp;
use serde_json::Value;

use super::age;

/// The string at a JSON pointer, `""` when missing or not a string.
pub(crate) fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

/// The integer at a JSON pointer, if it is a number.
pub(crate) fn opt_int_at(obj: &Value, pointer: &str) -> Option<i64> {
    let v = obj.pointer(pointer)?;
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

/// The integer at a JSON pointer, `0` when missing.
pub(crate) fn int_at(obj: &Value, pointer: &str) -> i64 {
    opt_int_at(obj, pointer).unwrap_or(0)
}

/// The boolean at a JSON pointer, `false` when missing.
pub(crate) fn bool_at(obj: &Value, pointer: &str) -> bool {
    obj.pointer(pointer).and_then(Value::as_bool).unwrap_or(false)
}

/// The array at a JSON pointer, empty when missing.
pub(crate) fn array_at<'a>(obj: &'a Value, pointer: &str) -> &'a [Value] {
    obj.pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The number of entries of the map at a JSON pointer.
pub(crate) fn map_len(obj: &Value, pointer: &str) -> i64 {
    obj.pointer(pointer)
        .and_then(Value::as_object)
        .map_or(0, |m| m.len() as i64)
}

/// `metadata.name`.
pub(crate) fn name(obj: &Value) -> Value {
    Value::from(str_at(obj, "/metadata/name"))
}

/// The age cell: time since `metadata.creationTimestamp`.
pub(crate) fn age_cell(obj: &Value, now: Timestamp) -> Value {
    Value::from(age::since(obj.pointer("/metadata/creationTimestamp"), now))
}

/// Names and images of the containers at `pointer`, each comma-joined.
pub(crate) fn container_cells(obj: &Value, pointer: &str) -> (Value, Value) {
    let containers = array_at(obj, pointer);
    let names: Vec<&str> = containers.iter().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = containers.iter().map(|c| str_at(c, "/image")).collect();
    (Value::from(names.join(",")), Value::from(images.join(",")))
}

/// The condition of type `kind` in `conditions`, if present.
pub(crate) fn condition<'a>(conditions: &'a [Value], kind: &str) -> Option<&'a Value> {
    conditions.iter().find(|c| str_at(c, "/type") == kind)
}

/// Whether the first condition of type `kind` has status `True`.
pub(crate) fn condition_true(conditions: &[Value], kind: &str) -> bool {
    condition(conditions, kind).is_some_and(|c| str_at(c, "/status") == "True")
}

/// `s`, or `<none>` when empty.
pub(crate) fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s.to_string()
    }
}

/// An int-or-string field as Go's `IntOrString.String()` prints it.
pub(crate) fn int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_i64().map_or_else(|| n.to_string(), |i| i.to_string()),
        other => other.to_string(),
    }
}
