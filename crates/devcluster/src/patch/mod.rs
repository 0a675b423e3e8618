//! Patch formats and server-side apply, on plain `serde_json::Value`s.
//!
//! The API server accepts four kinds of partial writes and each one has its own module:
//!
//! - [`merge_patch`]: RFC 7386 JSON merge patch (`application/merge-patch+json`).
//! - [`json_patch`]: RFC 6902 JSON patch (`application/json-patch+json`).
//! - [`strategic_merge_patch`]: Kubernetes strategic merge patch
//!   (`application/strategic-merge-patch+json`), driven by a per-kind [`Strategy`].
//! - [`server_side_apply`]: a simplified server-side apply (`application/apply-patch+yaml`) that
//!   records field ownership in `metadata.managedFields`.
//!
//! Everything here is pure: functions take values and return new values or errors, so the
//! server can run them under its own locking and turn errors into `Status` responses.

mod apply;
mod error;
mod fieldset;
mod json_patch;
mod merge;
mod pointer;
mod strategic;
mod strategic_list;
mod strategy;
mod strategy_table;

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod strategic_tests;

#[cfg(test)]
pub use apply::fields_v1;
pub use apply::server_side_apply;
pub use error::{ApplyError, FieldConflict, PatchError};
pub use json_patch::json_patch;
pub use merge::merge_patch;
pub use strategic::strategic_merge_patch;
#[cfg(test)]
pub use strategy::FieldStrategy;
pub use strategy::Strategy;

use serde_json::{Number, Value};

/// JSON equality where numbers compare by numeric value (`1` equals `1.0`), as JSON itself
/// does not distinguish integer and float encodings.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_eq(x, y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(l, r)| json_eq(l, r)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn number_eq(x: &Number, y: &Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The JSON type of a value, for error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}
