//! Field errors rendered exactly like Kubernetes' `field.Error`, because upstream puts them verbatim in
//! the `InvalidSpec` condition (`spec.strategy.maxSurge: Invalid value: 0: MaxSurge and ...`), and
//! users, Argo CD and the plugin read that text.

use std::fmt;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use crate::gofmt::{go_json_string, go_quote};

/// The kind of a field error; `Display` is Kubernetes' wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A required field is missing or empty (`Required value`).
    Required,
    /// A field has a value that is not allowed (`Invalid value`).
    Invalid,
    /// A value that must be unique is repeated (`Duplicate value`).
    Duplicate,
    /// A value is not one of an enumeration (`Unsupported value`).
    NotSupported,
    /// A field may not be set here (`Forbidden`).
    Forbidden,
    /// A value is too long (`Too long`).
    TooLong,
    /// Something that is not the user's value is wrong (`Internal error`).
    Internal,
}

impl ErrorKind {
    /// Kubernetes' name for the kind, as printed in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Required => "Required value",
            ErrorKind::Invalid => "Invalid value",
            ErrorKind::Duplicate => "Duplicate value",
            ErrorKind::NotSupported => "Unsupported value",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::TooLong => "Too long",
            ErrorKind::Internal => "Internal error",
        }
    }

    /// Kinds whose rendering never shows the offending value.
    fn hides_value(self) -> bool {
        matches!(
            self,
            ErrorKind::Required | ErrorKind::Forbidden | ErrorKind::TooLong | ErrorKind::Internal
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one field. `Display` renders `<path>: <kind>[: <value>][: <message>]` as Kubernetes'
/// `field.Error.Error()` does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {}", self.body())]
pub struct FieldError {
    /// Dotted path of the field, with `[i]` indexes and `[key]` map keys: `spec.strategy.steps[0].setWeight`.
    pub path: String,
    /// What kind of problem it is.
    pub kind: ErrorKind,
    /// The offending value, already rendered as Kubernetes prints it (strings quoted, numbers bare,
    /// objects as JSON); `None` when the kind shows no value.
    pub value: Option<String>,
    /// The explanation (upstream's message), possibly empty.
    pub message: String,
}

impl FieldError {
    /// The message without the path, as Kubernetes' `ErrorBody()`.
    pub fn body(&self) -> String {
        let mut out = self.kind.as_str().to_string();
        if !self.kind.hides_value()
            && let Some(value) = &self.value
        {
            out.push_str(": ");
            out.push_str(value);
        }
        if !self.message.is_empty() {
            out.push_str(": ");
            out.push_str(&self.message);
        }
        out
    }

    /// The same error with an explanation added (Kubernetes' `Duplicate` carries none of its own).
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// A missing required field.
    pub fn required(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(path, ErrorKind::Required, None, message)
    }

    /// A value that is not allowed.
    pub fn invalid(path: impl Into<String>, value: &(impl BadValue + ?Sized), message: impl Into<String>) -> Self {
        Self::new(path, ErrorKind::Invalid, Some(value.render()), message)
    }

    /// A repeated value that must be unique.
    pub fn duplicate(path: impl Into<String>, value: &(impl BadValue + ?Sized)) -> Self {
        Self::new(path, ErrorKind::Duplicate, Some(value.render()), "")
    }

    /// A value outside an enumeration; the message lists the supported values as Kubernetes does.
    pub fn not_supported(path: impl Into<String>, value: &str, supported: &[&str]) -> Self {
        let message = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|v| go_quote(v)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(path, ErrorKind::NotSupported, Some(go_quote(value)), message)
    }

    /// A field that may not be set.
    pub fn forbidden(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(path, ErrorKind::Forbidden, None, message)
    }

    /// A value longer than allowed.
    pub fn too_long(path: impl Into<String>, max_len: usize) -> Self {
        let unit = if max_len == 1 { "byte" } else { "bytes" };
        Self::new(
            path,
            ErrorKind::TooLong,
            None,
            format!("may not be more than {max_len} {unit}"),
        )
    }

    /// A problem that is not about the user's value.
    pub fn internal(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(path, ErrorKind::Internal, None, message)
    }

    fn new(path: impl Into<String>, kind: ErrorKind, value: Option<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            kind,
            value,
            message: message.into(),
        }
    }
}

/// A field path under construction: `spec` → `spec.strategy` → `spec.strategy.steps[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(String);

impl FieldPath {
    /// A path starting at a top-level field.
    pub fn new(root: &str) -> Self {
        FieldPath(root.to_string())
    }

    /// The path of a field of this object.
    pub fn child(&self, name: &str) -> Self {
        FieldPath(format!("{}.{name}", self.0))
    }

    /// The path of an item of this list.
    pub fn index(&self, i: usize) -> Self {
        FieldPath(format!("{}[{i}]", self.0))
    }

    /// The path of a value of this map.
    pub fn key(&self, key: &str) -> Self {
        FieldPath(format!("{}[{key}]", self.0))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<FieldPath> for String {
    fn from(p: FieldPath) -> String {
        p.0
    }
}

impl From<&FieldPath> for String {
    fn from(p: &FieldPath) -> String {
        p.0.clone()
    }
}

/// A value as Kubernetes prints it in a field error: strings quoted Go-style, numbers and booleans
/// bare, anything else as Go's JSON.
pub trait BadValue {
    /// The rendered value.
    fn render(&self) -> String;
}

impl BadValue for str {
    fn render(&self) -> String {
        go_quote(self)
    }
}

impl BadValue for String {
    fn render(&self) -> String {
        go_quote(self)
    }
}

macro_rules! bare_values {
    ($($t:ty),*) => {
        $(impl BadValue for $t {
            fn render(&self) -> String {
                self.to_string()
            }
        })*
    };
}
bare_values!(i32, i64, bool);

impl BadValue for IntOrString {
    fn render(&self) -> String {
        match self {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => go_json_string(s),
        }
    }
}

impl BadValue for Value {
    fn render(&self) -> String {
        go_json(self)
    }
}

/// A value rendered elsewhere (for objects whose Go JSON field order differs from ours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered(pub String);

impl BadValue for Rendered {
    fn render(&self) -> String {
        self.0.clone()
    }
}

/// A JSON value as Go's `encoding/json` writes it (compact, HTML-safe strings, object keys in the
/// value's order — sorted, as Go sorts map keys and our structs declare fields alphabetically).
pub fn go_json(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => go_json_string(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_json).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}:{}", go_json_string(k), go_json(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

/// Builds a JSON object with fields in a chosen order (Go's struct order), skipping unset ones as
/// `omitempty` does.
#[derive(Debug, Default)]
pub struct GoObject {
    fields: Vec<String>,
}

impl GoObject {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field whose value is already rendered JSON.
    pub fn raw(mut self, name: &str, json: String) -> Self {
        self.fields.push(format!("{}:{json}", go_json_string(name)));
        self
    }

    /// Adds a string field, skipped when empty (`omitempty`).
    pub fn string_omitempty(self, name: &str, value: &str) -> Self {
        if value.is_empty() {
            self
        } else {
            self.raw(name, go_json_string(value))
        }
    }

    /// Adds a field when present (`omitempty` on a pointer).
    pub fn optional(self, name: &str, json: Option<String>) -> Self {
        match json {
            Some(json) => self.raw(name, json),
            None => self,
        }
    }

    /// The rendered object.
    pub fn render(self) -> String {
        format!("{{{}}}", self.fields.join(","))
    }
}

/// A JSON array of already rendered items.
pub fn go_array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kubernetes_field_errors() {
        let cases = [
            (
                FieldError::required("spec.selector", "Rollout has missing field '.spec.selector'"),
                "spec.selector: Required value: Rollout has missing field '.spec.selector'",
            ),
            (
                FieldError::required("spec.template.spec.containers", ""),
                "spec.template.spec.containers: Required value",
            ),
            (
                FieldError::invalid(
                    "spec.strategy.maxSurge",
                    &IntOrString::Int(0),
                    "MaxSurge and MaxUnavailable both can not be zero",
                ),
                "spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero",
            ),
            (
                FieldError::invalid("spec.x", &IntOrString::String("0%".into()), "m"),
                r#"spec.x: Invalid value: "0%": m"#,
            ),
            (
                FieldError::invalid("spec.x", "a\"b", "m"),
                r#"spec.x: Invalid value: "a\"b": m"#,
            ),
            (
                FieldError::invalid("spec.x", &true, "m"),
                "spec.x: Invalid value: true: m",
            ),
            (
                FieldError::duplicate("spec.x[1].name", "web"),
                r#"spec.x[1].name: Duplicate value: "web""#,
            ),
            (
                FieldError::not_supported("spec.x", "bad", &["a", "b"]),
                r#"spec.x: Unsupported value: "bad": supported values: "a", "b""#,
            ),
            (
                FieldError::forbidden("spec.x", "not here"),
                "spec.x: Forbidden: not here",
            ),
            (
                FieldError::too_long("spec.x", 63),
                "spec.x: Too long: may not be more than 63 bytes",
            ),
            (
                FieldError::internal("spec.template", "boom"),
                "spec.template: Internal error: boom",
            ),
        ];
        for (err, want) in cases {
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn go_json_escapes_html_and_keeps_order_given() {
        let v = serde_json::json!({"b": "<&>", "a": [1, null, true]});
        assert_eq!(go_json(&v), r#"{"a":[1,null,true],"b":"\u003c\u0026\u003e"}"#);
        let obj = GoObject::new()
            .string_omitempty("name", "r")
            .string_omitempty("skipped", "")
            .optional("match", Some(go_array(["{}".to_string()])))
            .render();
        assert_eq!(obj, r#"{"name":"r","match":[{}]}"#);
    }

    #[test]
    fn paths_compose() {
        let p = FieldPath::new("spec")
            .child("containers")
            .index(0)
            .child("resources")
            .child("requests")
            .key("memory");
        assert_eq!(p.as_str(), "spec.containers[0].resources.requests[memory]");
    }
}
