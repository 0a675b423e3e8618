//! Renders values the way Kubernetes' Go code prints them in error messages (`%q`, `%v`, `%#v`, JSON),
//! so that clients comparing messages see the same text a real API server would produce.

use rollouts_compat::gofmt::{go_float, go_float_fixed, go_quote};
use rollouts_compat::json::{Spelling, push_serde_string, write_sorted};
use serde_json::{Number, Value};

/// A value as the Go validation code holds it when it builds an error message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GoVal {
    /// No value at all (Go `nil`).
    Nil,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A decoded JSON array or object (printed with `%#v`).
    Json(Value),
    /// A `[]string` (printed with `%#v`).
    Strings(Vec<String>),
}

impl GoVal {
    /// The Go value a decoded JSON value becomes (integers are `int64`, other numbers `float64`).
    pub(crate) fn from_json(v: &Value) -> GoVal {
        match v {
            Value::Null => GoVal::Nil,
            Value::Bool(b) => GoVal::Bool(*b),
            Value::String(s) => GoVal::Str(s.clone()),
            Value::Number(n) => number(n),
            other => GoVal::Json(other.clone()),
        }
    }

    /// How `field.Error.ErrorBody` prints a bad value.
    pub(crate) fn body(&self) -> String {
        match self {
            GoVal::Nil => go_quote("null"),
            GoVal::Str(s) => go_quote(s),
            GoVal::Int(i) => i.to_string(),
            GoVal::Float(f) => go_float(*f),
            GoVal::Bool(b) => b.to_string(),
            GoVal::Json(v) => sharp_v(v),
            GoVal::Strings(list) => {
                let items: Vec<String> = list.iter().map(|s| go_quote(s)).collect();
                format!("[]string{{{}}}", items.join(", "))
            }
        }
    }
}

/// The Go value of a JSON number, as Kubernetes' JSON decoder produces it.
pub(crate) fn number(n: &Number) -> GoVal {
    if let Some(i) = n.as_i64() {
        GoVal::Int(i)
    } else {
        GoVal::Float(n.as_f64().unwrap_or(0.0))
    }
}

/// Go's `%#v` for a decoded JSON value (`map[string]interface {}{...}`, `[]interface {}{...}`).
pub(crate) fn sharp_v(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n).body(),
        Value::String(s) => go_quote(s),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(sharp_v).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", go_quote(k), map.get(k).map(sharp_v).unwrap_or_default()))
                .collect();
            format!("map[string]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}

/// Go's `json.Marshal` of a decoded JSON value: keys sorted, numbers as Go prints them (strings as
/// `serde_json` escapes them).
pub(crate) fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_sorted(v, GO_NUMBERS, &mut out);
    out
}

/// `serde_json`'s strings with Go's numbers.
const GO_NUMBERS: Spelling = Spelling {
    string: push_serde_string,
    number: push_json_number,
};

fn push_json_number(out: &mut String, n: &Number) {
    match number(n) {
        GoVal::Int(i) => out.push_str(&i.to_string()),
        GoVal::Float(f) => out.push_str(&json_float(f)),
        _ => out.push('0'),
    }
}

/// encoding/json's float format: plain decimals, exponent only for very small or large magnitudes (written
/// as `%v` writes it).
fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        return go_float(f);
    }
    go_float_fixed(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(100000.0), "100000");
        assert_eq!(go_float(1_000_000.0), "1e+06");
        assert_eq!(go_float(123_456_789.0), "1.23456789e+08");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(-2.5), "-2.5");
        assert_eq!(go_float_fixed(1e21), "1000000000000000000000");
        assert_eq!(go_float_fixed(0.25), "0.25");
        assert_eq!(json_float(1e21), "1e+21");
    }

    #[test]
    fn quoting_and_sharp_v() {
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(go_quote("\u{1}"), "\"\\x01\"");
        assert_eq!(
            sharp_v(&json!({"name": "x", "port": 80})),
            "map[string]interface {}{\"name\":\"x\", \"port\":80}"
        );
        assert_eq!(
            sharp_v(&json!(["a", 1.5, null])),
            "[]interface {}{\"a\", 1.5, interface {}(nil)}"
        );
        assert_eq!(
            GoVal::Strings(vec!["a".into(), "b".into()]).body(),
            "[]string{\"a\", \"b\"}"
        );
        assert_eq!(GoVal::Nil.body(), "\"null\"");
        assert_eq!(
            canonical_json(&json!({"b": 1, "a": [true, 2.5]})),
            "{\"a\":[true,2.5],\"b\":1}"
        );
    }
}
