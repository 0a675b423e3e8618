//! Reading nested fields of a routing object the way upstream's `unstructured.Nested*` helpers do,
//! with their error messages: a missing field is "not found", a field of the wrong JSON type is an
//! accessor error naming the path and the Go type found.

use serde_json::Value;

/// The field at `path`: `Ok(None)` when a member on the way is missing or `null` (upstream's "not
/// found"), an accessor error when a member on the way is not an object. A `null` at the end is found,
/// and is then of the wrong type for the typed readers below.
pub(super) fn nested<'v>(object: &'v Value, path: &[&str]) -> Result<Option<&'v Value>, String> {
    let mut current = object;
    for (i, field) in path.iter().enumerate() {
        if current.is_null() {
            return Ok(None);
        }
        let Value::Object(members) = current else {
            return Err(accessor_error(&path[..=i], current, "map[string]interface{}"));
        };
        match members.get(*field) {
            Some(value) => current = value,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// The list at `path` (upstream `NestedSlice`); `null` there is the wrong type.
pub(super) fn nested_slice<'v>(object: &'v Value, path: &[&str]) -> Result<Option<&'v Vec<Value>>, String> {
    let Some(value) = nested(object, path)? else {
        return Ok(None);
    };
    match value {
        Value::Array(items) => Ok(Some(items)),
        other => Err(accessor_error(path, other, "[]interface{}")),
    }
}

/// The string at `path` (upstream `NestedString`); `null` there is the wrong type.
pub(super) fn nested_string<'v>(object: &'v Value, path: &[&str]) -> Result<Option<&'v str>, String> {
    let Some(value) = nested(object, path)? else {
        return Ok(None);
    };
    match value {
        Value::String(text) => Ok(Some(text)),
        other => Err(accessor_error(path, other, "string")),
    }
}

/// The integer at `path` as upstream's `NestedInt64` reads it, 0 when missing or not an integer (as
/// upstream's callers treat both).
pub(super) fn int64_or_zero(object: &Value, path: &[&str]) -> i64 {
    nested(object, path).ok().flatten().and_then(Value::as_i64).unwrap_or(0)
}

/// Sets `path` to `value` as upstream's `SetNestedField`: missing objects on the way are created; a
/// member on the way that is not an object leaves everything as it was (upstream's error, which its
/// callers ignore).
pub(super) fn set_nested(object: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = object;
    for field in parents {
        let Value::Object(members) = current else {
            return;
        };
        current = members
            .entry(field.to_string())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    if let Value::Object(members) = current {
        members.insert(last.to_string(), value);
    }
}

/// Upstream's `<.path> accessor error: <value> is of the type <type>, expected <expected>`.
fn accessor_error(path: &[&str], found: &Value, expected: &str) -> String {
    field_accessor_error(&path.join("."), found, expected)
}

/// The accessor error of the field at `field`, a dotted path (`spec.http`).
pub(crate) fn field_accessor_error(field: &str, found: &Value, expected: &str) -> String {
    format!(
        ".{field} accessor error: {} is of the type {}, expected {expected}",
        go_value(found),
        go_type(found)
    )
}

/// Go's `%T` of a decoded JSON value.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%v` of a decoded JSON value (maps print with their keys sorted).
fn go_value(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_value).collect::<Vec<_>>().join(" ")),
        Value::Object(members) => {
            let mut entries: Vec<String> = members.iter().map(|(k, v)| format!("{k}:{}", go_value(v))).collect();
            entries.sort();
            format!("map[{}]", entries.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn missing_members_are_not_found_and_wrong_types_name_the_path() {
        let object = json!({"spec": {"weighted": {"services": 3}, "name": null}, "other": "x"});
        assert_eq!(nested(&object, &["spec", "missing", "services"]), Ok(None));
        assert_eq!(
            nested_slice(&object, &["spec", "weighted", "services"]),
            Err(".spec.weighted.services accessor error: 3 is of the type int64, expected []interface{}".into())
        );
        assert_eq!(
            nested_slice(&object, &["other", "weighted"]),
            Err(".other.weighted accessor error: x is of the type string, expected map[string]interface{}".into())
        );
        assert_eq!(
            nested_string(&object, &["spec", "name"]),
            Err(".spec.name accessor error: <nil> is of the type <nil>, expected string".into())
        );
        assert_eq!(nested_string(&object, &["spec", "nothing"]), Ok(None));
    }

    #[test]
    fn set_nested_creates_objects_and_leaves_other_types_alone() {
        let mut object = json!({"metadata": {}});
        set_nested(&mut object, &["spec", "weight"], json!(5));
        assert_eq!(object["spec"]["weight"], 5);
        let mut scalar = json!({"spec": "text"});
        set_nested(&mut scalar, &["spec", "weight"], json!(5));
        assert_eq!(scalar, json!({"spec": "text"}));
        assert_eq!(int64_or_zero(&json!({"spec": {"weight": 2.5}}), &["spec", "weight"]), 0);
        assert_eq!(int64_or_zero(&json!({"spec": {"weight": 20}}), &["spec", "weight"]), 20);
    }
}
