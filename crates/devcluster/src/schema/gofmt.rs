//! Renders values the way Kubernetes' Go code prints them in error messages (`%q`, `%v`, `%#v`, JSON),
//! so that clients comparing messages see the same text a real API server would produce.

use rollouts_compat::gofmt::go_quote;
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
            GoVal::Float(f) => float_v(*f),
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

/// Go's `%v` for a `float64` (`strconv.FormatFloat(f, 'g', -1, 64)`): shortest digits, in exponent form when
/// the decimal exponent is below -4 or at least 6.
pub(crate) fn float_v(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".to_string()
        } else {
            "-Inf".to_string()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".to_string()
        } else {
            "0".to_string()
        };
    }
    let (negative, digits, exp) = decompose(f);
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mut out = String::from(sign);
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e_sign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{e_sign}{:02}", exp.abs()));
        return out;
    }
    format!("{sign}{}", fixed(&digits, exp))
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)` (shortest digits, never an exponent); also how
/// encoding/json prints floats in the usual range.
pub(crate) fn float_f(f: f64) -> String {
    if !f.is_finite() {
        return float_v(f);
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".to_string()
        } else {
            "0".to_string()
        };
    }
    let (negative, digits, exp) = decompose(f);
    let sign = if negative { "-" } else { "" };
    format!("{sign}{}", fixed(&digits, exp))
}

/// The shortest decimal digits of `|f|` and its decimal exponent (`d.ddd × 10^exp`).
fn decompose(f: f64) -> (bool, String, i32) {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.is_empty() { "0".to_string() } else { digits };
    (f.is_sign_negative(), digits, exp.parse().unwrap_or(0))
}

fn fixed(digits: &str, exp: i32) -> String {
    if exp < 0 {
        let zeros = "0".repeat(usize::try_from(-exp - 1).unwrap_or(0));
        return format!("0.{zeros}{digits}");
    }
    let int_len = usize::try_from(exp + 1).unwrap_or(0);
    if digits.len() <= int_len {
        format!("{digits}{}", "0".repeat(int_len - digits.len()))
    } else {
        format!("{}.{}", &digits[..int_len], &digits[int_len..])
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

/// Go's `json.Marshal` of a decoded JSON value: keys sorted, numbers as Go prints them.
pub(crate) fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match number(n) {
            GoVal::Int(i) => out.push_str(&i.to_string()),
            GoVal::Float(f) => out.push_str(&json_float(f)),
            _ => out.push('0'),
        },
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(item) = map.get(k) {
                    write_json(item, out);
                }
            }
            out.push('}');
        }
    }
}

/// encoding/json's float format: plain decimals, exponent only for very small or large magnitudes.
fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (negative, digits, exp) = decompose(f);
        let sign = if negative { "-" } else { "" };
        let mut out = format!("{sign}{}", &digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e_sign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{e_sign}{:02}", exp.abs()));
        return out;
    }
    float_f(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(float_v(1.0), "1");
        assert_eq!(float_v(1.5), "1.5");
        assert_eq!(float_v(100000.0), "100000");
        assert_eq!(float_v(1_000_000.0), "1e+06");
        assert_eq!(float_v(123_456_789.0), "1.23456789e+08");
        assert_eq!(float_v(0.0001), "0.0001");
        assert_eq!(float_v(0.00001), "1e-05");
        assert_eq!(float_v(-2.5), "-2.5");
        assert_eq!(float_f(1e21), "1000000000000000000000");
        assert_eq!(float_f(0.25), "0.25");
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
