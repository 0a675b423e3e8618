//! Go's runtime for member access, indexes, slices, `len`, the lists predicates walk, and map
//! literals.

use expr::Value;

use super::go_format::{go_format, go_type, reflect_kind};
use super::operators::{deep_equal, to_int};
use super::runtime::{arg, assertion};

pub(super) fn map_index_error(key: &Value) -> String {
    format!(
        "reflect.Value.MapIndex: value of type {} is not assignable to type string",
        go_type(key)
    )
}

/// The position `key` designates in a sequence of `len` items (negative counts from the end).
fn position(key: &Value, len: usize) -> Result<usize, String> {
    let length = i64::try_from(len).unwrap_or(i64::MAX);
    let mut index = to_int(key)?;
    if index < 0 {
        index += length;
    }
    if index < 0 || index >= length {
        return Err(format!("index out of range: {index} (array length is {len})"));
    }
    usize::try_from(index).map_err(|_| format!("index out of range: {index} (array length is {len})"))
}

/// Go's `runtime.Fetch`: `base.name` and `base[key]`.
pub(super) fn fetch(args: &[Value]) -> Result<Value, String> {
    let (base, key) = (arg(args, 0), arg(args, 1));
    let byte = |bytes: &[u8]| -> Result<Value, String> {
        let i = position(key, bytes.len())?;
        Ok(bytes.get(i).map_or(Value::Nil, |b| Value::Integer(i64::from(*b))))
    };
    match base {
        Value::Array(items) => Ok(items.get(position(key, items.len())?).cloned().unwrap_or(Value::Nil)),
        Value::Bytes(bytes) => byte(bytes),
        Value::String(s) => byte(s.as_bytes()),
        Value::Map(map) => match key {
            Value::Nil => Ok(map.get("").cloned().unwrap_or(Value::Nil)),
            Value::String(k) => Ok(map.get(k.as_str()).cloned().unwrap_or(Value::Nil)),
            other => Err(map_index_error(other)),
        },
        Value::KeyedMap(pairs) => Ok(pairs
            .iter()
            .find(|(k, _)| deep_equal(k, key))
            .map_or(Value::Nil, |(_, v)| v.clone())),
        other => Err(format!("cannot fetch {} from {}", go_format(key), go_type(other))),
    }
}

/// Go's `runtime.Len`.
pub(super) fn go_len(value: &Value) -> Result<i64, String> {
    let len = match value {
        Value::Array(items) => items.len(),
        Value::Bytes(bytes) => bytes.len(),
        Value::String(s) => s.len(),
        Value::Map(map) => map.len(),
        Value::KeyedMap(pairs) => pairs.len(),
        other => return Err(format!("invalid argument for len (type {})", go_type(other))),
    };
    Ok(i64::try_from(len).unwrap_or(i64::MAX))
}

/// `base[from:to]`: arguments are the base, then for each bound whether it is given and its value.
pub(super) fn slice(args: &[Value]) -> Result<Value, String> {
    let base = arg(args, 0);
    let given = |i: usize| matches!(arg(args, i), Value::Bool(true));
    let to = if given(3) {
        arg(args, 4).clone()
    } else {
        Value::Integer(go_len(base)?)
    };
    let from = if given(1) {
        arg(args, 2).clone()
    } else {
        Value::Integer(0)
    };
    let bounds = |len: usize| -> Result<(usize, usize), String> {
        let length = i64::try_from(len).unwrap_or(i64::MAX);
        let clamp = |mut i: i64| {
            if i < 0 {
                i += length;
            }
            i.clamp(0, length)
        };
        let (a, b) = (clamp(to_int(&from)?), clamp(to_int(&to)?));
        let a = a.min(b);
        Ok((usize::try_from(a).unwrap_or(0), usize::try_from(b).unwrap_or(0)))
    };
    match base {
        Value::Array(items) => {
            let (a, b) = bounds(items.len())?;
            Ok(Value::Array(items.get(a..b).map(<[Value]>::to_vec).unwrap_or_default()))
        }
        Value::Bytes(bytes) => {
            let (a, b) = bounds(bytes.len())?;
            Ok(Value::Bytes(bytes.get(a..b).map(<[u8]>::to_vec).unwrap_or_default()))
        }
        Value::String(s) => {
            let (a, b) = bounds(s.len())?;
            Ok(Value::String(
                String::from_utf8_lossy(s.as_bytes().get(a..b).unwrap_or_default()).into_owned(),
            ))
        }
        _ => Err(format!("cannot slice {}", go_format(&from))),
    }
}

/// The list a predicate builtin walks, as Go's `OpBegin` reads it.
pub(super) fn iterate(args: &[Value]) -> Result<Value, String> {
    let bytes = |b: &[u8]| Value::Array(b.iter().map(|b| Value::Integer(i64::from(*b))).collect());
    match arg(args, 0) {
        list @ Value::Array(_) => Ok(list.clone()),
        Value::Bytes(b) => Ok(bytes(b)),
        Value::String(s) => Ok(bytes(s.as_bytes())),
        Value::Map(map) if map.is_empty() => Ok(Value::Array(Vec::new())),
        Value::KeyedMap(pairs) if pairs.is_empty() => Ok(Value::Array(Vec::new())),
        Value::Map(_) | Value::KeyedMap(_) => Err("reflect: call of reflect.Value.Index on map Value".to_string()),
        other => Err(format!(
            "reflect: call of reflect.Value.Len on {} Value",
            reflect_kind(other)
        )),
    }
}

/// A map literal: keys must be strings; for a repeated key the first value stays, as in Go.
pub(super) fn map_literal(args: &[Value]) -> Result<Value, String> {
    let mut pairs = Vec::new();
    for pair in args.chunks(2).rev() {
        let (key, value) = (arg(pair, 0), arg(pair, 1));
        let Value::String(key) = key else {
            return Err(assertion(key, "string"));
        };
        pairs.push((key.clone(), value.clone()));
    }
    let mut seen = std::collections::HashSet::new();
    let kept: Vec<(String, Value)> = pairs
        .into_iter()
        .rev()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect();
    Ok(kept.into_iter().collect())
}
