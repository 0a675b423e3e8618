//! Text forms of JSON values as Kubernetes' Go code prints them: `fmt`'s `%v` for scalars and
//! `encoding/json` for objects and arrays. Printer columns and `-o jsonpath` output depend on it.

use serde_json::{Number, Value};

use crate::gofmt::push_go_json_string;

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

/// Shortest round-trip decimal digits of `f` (no sign) and the decimal exponent of the first digit.
fn shortest_digits(f: f64) -> (String, i32) {
    let text = format!("{:e}", f.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

fn plain_decimal(digits: &str, exp: i32) -> String {
    let point = exp + 1;
    let nd = digits.len() as i32;
    if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= nd {
        format!("{digits}{}", "0".repeat((point - nd) as usize))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    }
}

fn exponent_form(digits: &str, exp: i32, min_exp_digits: usize) -> String {
    let (first, rest) = digits.split_at(1.min(digits.len()));
    let mantissa = if rest.is_empty() {
        first.to_string()
    } else {
        format!("{first}.{rest}")
    };
    let sign = if exp < 0 { '-' } else { '+' };
    format!(
        "{mantissa}e{sign}{:0width$}",
        exp.unsigned_abs(),
        width = min_exp_digits
    )
}

/// A float as Go's `%v` (shortest `%g`) prints it: `1.5`, `1e+06`, `1e-05`.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    let (digits, exp) = shortest_digits(f);
    let body = if !(-4..6).contains(&exp) {
        exponent_form(&digits, exp, 2)
    } else {
        plain_decimal(&digits, exp)
    };
    format!("{sign}{body}")
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
    let body = if !(1e-6..1e21).contains(&abs) {
        // Go trims one leading zero from a two-digit negative exponent (`e-07` → `e-7`).
        exponent_form(&digits, exp, 1)
    } else {
        plain_decimal(&digits, exp)
    };
    format!("{sign}{body}")
}

fn write_go_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_i64() {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&go_json_float(n.as_f64().unwrap_or(0.0))),
        },
        Value::String(s) => push_go_json_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_go_json_string(out, key);
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_go_json(v, out);
                }
            }
            out.push('}');
        }
    }
}

/// Compact JSON exactly as Go's `json.Marshal` writes a decoded value: sorted keys, HTML-safe
/// escapes, Go's number forms.
pub fn go_json(value: &Value) -> String {
    let mut out = String::new();
    write_go_json(value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_as_go_prints_them() {
        for (f, want) in [
            (1.5, "1.5"),
            (1.0, "1"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (1e100, "1e+100"),
            (0.0, "0"),
        ] {
            assert_eq!(go_float(f), want, "{f}");
        }
    }

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
