//! Text forms of JSON values as Kubernetes' Go code prints them: `fmt`'s `%v` for scalars and
//! `encoding/json` for objects and arrays. Printer columns and `-o jsonpath` output depend on it.

use serde_json::{Number, Value};

use crate::gofmt::{exponent_form, go_float, plain_decimal, push_go_json_string, shortest_digits};
use crate::json::{Spelling, write_sorted};

/// A value as a JSONPath template prints it: strings bare, numbers and booleans as Go's `%v`,
/// `null` as `null`, objects and arrays as compact JSON.
pub fn format_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => go_number(n),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Array(_) | Value::Object(_) => go_json(value),
    }
}

/// A JSON number as Go's `%v` prints the `int64`/`float64` Kubernetes decodes it to.
pub fn go_number(n: &Number) -> String {
    match n.as_i64() {
        Some(i) => i.to_string(),
        None => go_float(n.as_f64().unwrap_or(0.0)),
    }
}

/// A float as Go's `encoding/json` writes it: plain decimal, exponent form outside [1e-6, 1e21).
fn go_json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_string();
    }
    let sign = if f.is_sign_negative() && f != 0.0 { "-" } else { "" };
    if f == 0.0 {
        return "0".to_string();
    }
    let (digits, exp) = shortest_digits(f);
    let abs = f.abs();
    let body = if (1e-6..1e21).contains(&abs) {
        plain_decimal(&digits, exp)
    } else {
        // Go trims one leading zero from a two-digit negative exponent (`e-07` → `e-7`).
        exponent_form(&digits, exp, 1)
    };
    format!("{sign}{body}")
}

/// A JSON number as Go's `encoding/json` writes the `int64`/`float64` it decoded.
fn push_go_json_number(out: &mut String, n: &Number) {
    match n.as_i64() {
        Some(i) => out.push_str(&i.to_string()),
        None => out.push_str(&go_json_float(n.as_f64().unwrap_or(0.0))),
    }
}

/// Go's `encoding/json` spelling of strings and numbers.
const GO_JSON: Spelling = Spelling {
    string: push_go_json_string,
    number: push_go_json_number,
};

/// Compact JSON exactly as Go's `json.Marshal` writes a decoded value: sorted keys, HTML-safe
/// escapes, Go's number forms.
pub fn go_json(value: &Value) -> String {
    let mut out = String::new();
    write_sorted(value, GO_JSON, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_as_go_marshals_it() {
        assert_eq!(
            go_json(&json!({"b": 1, "a": [true, null, "x<y&z"]})),
            r#"{"a":[true,null,"x\u003cy\u0026z"],"b":1}"#
        );
        assert_eq!(go_json(&json!(1.0)), "1");
        assert_eq!(go_json(&json!(1e21)), "1e+21");
        assert_eq!(go_json(&json!(1.5e-7)), "1.5e-7");
        assert_eq!(go_json(&json!(123456789.0)), "123456789");
        assert_eq!(go_json(&json!("a\u{1}\n")), r#""a\u0001\n""#);
    }

    #[test]
    fn values() {
        assert_eq!(format_value(&json!("s")), "s");
        assert_eq!(format_value(&json!(3)), "3");
        assert_eq!(format_value(&json!(false)), "false");
        assert_eq!(format_value(&Value::Null), "null");
        assert_eq!(format_value(&json!({"k": "v"})), r#"{"k":"v"}"#);
    }
}
