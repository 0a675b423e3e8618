//! Numeric checks (`multipleOf`, `minimum`, `maximum`, and the `int32`/`float` ranges), with the OpenAPI
//! validator's quirks: integers are compared as integers, and a bound that does not fit the declared
//! format is reported and then compared as a float.

use serde_json::Number;

use rollouts_compat::gofmt::{go_float, go_float_fixed};

use super::gofmt::GoVal;
use super::node::Node;
use super::report::{Code, Failure, Outcome};

/// A JSON number as the API server decodes it: `int64` when it fits, `float64` otherwise.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(crate) fn of(n: &Number) -> Num {
        match n.as_i64() {
            Some(i) => Num::Int(i),
            None => Num::Float(n.as_f64().unwrap_or(0.0)),
        }
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Whether a float is (close enough to) an integer, as go-openapi decides it: negative values only
/// when exact, positive ones within a relative error of 1e-9, and nothing beyond 2^53.
pub(crate) fn is_json_integer(f: f64) -> bool {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    if !f.is_finite() || !(-LIMIT..=LIMIT).contains(&f) {
        return false;
    }
    if f == f.trunc() {
        return true;
    }
    if f < 0.0 {
        return false;
    }
    let tiny = f64::from_bits(1);
    let g = f.trunc();
    let diff = (f - g).abs();
    if g == 0.0 || diff < tiny {
        return diff < 1e-9 * tiny;
    }
    diff / (f + g).min(f64::MAX) < 1e-9
}

/// The type and format the numeric checks enforce: only an unambiguous `integer` (int32, int64) or
/// `number` (float, double).
pub(crate) fn numeric_format<'a>(types: &[&str], format: &'a str) -> (&'static str, &'a str) {
    match types {
        ["integer"] => (
            "integer",
            if matches!(format, "int32" | "int64") {
                format
            } else {
                ""
            },
        ),
        ["number"] => (
            "number",
            if matches!(format, "float" | "double") {
                format
            } else {
                ""
            },
        ),
        _ => ("", ""),
    }
}

/// The error when `val` does not fit `type_name`/`format`.
fn range_error(val: Num, type_name: &str, format: &str, prefix: &str, path: &str) -> Option<String> {
    let rep = match val {
        Num::Int(i) => i.to_string(),
        Num::Float(f) => go_float_fixed(f),
    };
    let bad = match (type_name, format) {
        ("integer", "int32") => rep.parse::<i32>().is_err(),
        ("integer", _) => rep.parse::<i64>().is_err(),
        (_, "float" | "float32") => !rep.parse::<f32>().is_ok_and(f32::is_finite),
        _ => false,
    };
    if !bad {
        return None;
    }
    Some(if format.is_empty() {
        format!("{prefix} value must be of type {type_name} (default format) in {path}")
    } else {
        format!("{prefix} value must be of type {type_name} with format {format} in {path}")
    })
}

fn other(path: &str, value: GoVal, message: String) -> Failure {
    Failure::field(Code::Other, path, value, message)
}

fn multiple_of(path: &str, val: Num, factor: f64, native: bool) -> Option<Failure> {
    match val {
        Num::Int(data) if native => {
            let factor = factor as i64;
            if factor <= 0 {
                return Some(other(
                    path,
                    GoVal::Int(factor),
                    format!("factor MultipleOf declared for {path} must be positive: {factor}"),
                ));
            }
            (data.wrapping_div(factor).wrapping_mul(factor) != data).then(|| {
                other(
                    path,
                    GoVal::Int(data),
                    format!("{path} in body should be a multiple of {factor}"),
                )
            })
        }
        _ => {
            let data = val.as_f64();
            if factor <= 0.0 {
                let shown = go_float(factor);
                return Some(other(
                    path,
                    GoVal::Float(factor),
                    format!("factor MultipleOf declared for {path} must be positive: {shown}"),
                ));
            }
            let mult = if factor < 1.0 {
                1.0 / factor * data
            } else {
                data / factor
            };
            (!is_json_integer(mult)).then(|| {
                other(
                    path,
                    GoVal::Float(data),
                    format!("{path} in body should be a multiple of {}", go_float(factor)),
                )
            })
        }
    }
}

/// Compares `val` with a bound; `upper` selects maximum (else minimum).
fn bound(path: &str, val: Num, limit: f64, exclusive: bool, upper: bool, native: bool) -> Option<Failure> {
    let words = match (upper, exclusive) {
        (true, false) => "should be less than or equal to",
        (true, true) => "should be less than",
        (false, false) => "should be greater than or equal to",
        (false, true) => "should be greater than",
    };
    let (fails, shown, value) = match val {
        Num::Int(data) if native => {
            let l = limit as i64;
            let fails = if upper {
                data > l || (exclusive && data == l)
            } else {
                data < l || (exclusive && data == l)
            };
            (fails, l.to_string(), GoVal::Int(data))
        }
        _ => {
            let data = val.as_f64();
            let fails = if upper {
                data > limit || (exclusive && data == limit)
            } else {
                data < limit || (exclusive && data == limit)
            };
            (fails, go_float(limit), GoVal::Float(data))
        }
    };
    fails.then(|| other(path, value, format!("{path} in body {words} {shown}")))
}

/// The numeric checks of schema `s` for a number at `path`.
pub(crate) fn check_number(s: Node<'_>, types: &[&str], format: &str, val: Num, path: &str) -> Outcome {
    let (type_name, format) = numeric_format(types, format);
    let mut out = Outcome::default();
    if let Some(e) = range_error(val, type_name, format, "Checked", path) {
        out.push(Failure::Plain(e));
    }
    let mut tail = Vec::new();
    if let Some(factor) = s.f64("multipleOf") {
        let range = range_error(Num::Float(factor), type_name, format, "MultipleOf", path);
        let native = range.is_none();
        tail.extend(range.map(Failure::Plain));
        tail.extend(multiple_of(path, val, factor, native));
    }
    let mut bounds = Vec::new();
    for (key, excl_key, upper, prefix) in [
        ("minimum", "exclusiveMinimum", false, "Minimum boundary"),
        ("maximum", "exclusiveMaximum", true, "Maximum boundary"),
    ] {
        if let Some(limit) = s.f64(key) {
            let range = range_error(Num::Float(limit), type_name, format, prefix, path);
            let native = range.is_none();
            bounds.extend(range.map(Failure::Plain));
            bounds.extend(bound(path, val, limit, s.flag(excl_key), upper, native));
        }
    }
    out.errors.extend(tail);
    out.errors.extend(bounds);
    out.inc();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msgs(s: serde_json::Value, val: Num) -> Vec<String> {
        let types: Vec<&str> = s.get("type").and_then(|t| t.as_str()).into_iter().collect();
        let format = s.get("format").and_then(|t| t.as_str()).unwrap_or("");
        check_number(Node(&s), &types, format, val, "spec.n")
            .errors
            .into_iter()
            .map(|f| f.to_cause(None).to_string())
            .collect()
    }

    #[test]
    fn bounds_and_multiples() {
        let s = json!({"type": "integer", "minimum": 1, "maximum": 10, "multipleOf": 2});
        assert!(msgs(s.clone(), Num::Int(4)).is_empty());
        assert_eq!(
            msgs(s.clone(), Num::Int(11)),
            vec![
                "spec.n: Invalid value: 11: spec.n in body should be a multiple of 2",
                "spec.n: Invalid value: 11: spec.n in body should be less than or equal to 10",
            ]
        );
        assert_eq!(
            msgs(s, Num::Int(0)),
            vec!["spec.n: Invalid value: 0: spec.n in body should be greater than or equal to 1"]
        );
        let f = json!({"type": "number", "exclusiveMinimum": true, "minimum": 0.5});
        assert_eq!(
            msgs(f, Num::Float(0.5)),
            vec!["spec.n: Invalid value: 0.5: spec.n in body should be greater than 0.5"]
        );
    }

    #[test]
    fn int32_range() {
        let s = json!({"type": "integer", "format": "int32"});
        assert!(msgs(s.clone(), Num::Int(2_147_483_647)).is_empty());
        assert_eq!(
            msgs(s, Num::Int(2_147_483_648)),
            vec!["<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.n"]
        );
        assert!(msgs(json!({"type": "integer", "format": "int64"}), Num::Int(i64::MAX)).is_empty());
        assert_eq!(
            msgs(json!({"type": "number", "format": "float"}), Num::Float(1e39)).len(),
            1
        );
    }

    #[test]
    fn json_integers() {
        assert!(is_json_integer(3.0));
        assert!(is_json_integer(-3.0));
        assert!(is_json_integer(2.000_000_000_1));
        assert!(!is_json_integer(2.5));
        assert!(!is_json_integer(-2.000_000_000_1));
        assert!(!is_json_integer(1e300));
    }
}
