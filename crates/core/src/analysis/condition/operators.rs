//! Go's runtime operators: numbers across int and float, equality, ordering, arithmetic, `in`, ranges
//! and the string operators.

use expr::Value;

use super::access::map_index_error;
use super::go_format::go_type;
use super::go_regex::{go_bytes_regex, go_regex};
use super::runtime::{arg, assertion};

/// Go's memory budget, which bounds ranges such as `1..n` (`conf.DefaultMemoryBudget`).
const MEMORY_BUDGET: i64 = 1_000_000;

#[derive(Clone, Copy)]
pub(super) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn of(value: &Value) -> Option<Num> {
        match value {
            Value::Integer(i) => Some(Num::Int(*i)),
            Value::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    pub(super) fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Go's `int64(f)` on amd64: truncation, and the minimum for NaN and out-of-range values.
pub(super) fn float_to_int(f: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if (-LIMIT..LIMIT).contains(&f) {
        f as i64
    } else {
        i64::MIN
    }
}

/// Go's `runtime.ToInt`.
pub(super) fn to_int(value: &Value) -> Result<i64, String> {
    match Num::of(value) {
        Some(Num::Int(i)) => Ok(i),
        Some(Num::Float(f)) => Ok(float_to_int(f)),
        None => Err(format!("invalid operation: int({})", go_type(value))),
    }
}

pub(super) fn negate(args: &[Value]) -> Result<Value, String> {
    match arg(args, 0) {
        Value::Integer(i) => Ok(Value::Integer(i.wrapping_neg())),
        Value::Float(f) => Ok(Value::Float(-f)),
        other => Err(format!("invalid operation: - {}", go_type(other))),
    }
}

/// Go's `runtime.Equal`: numbers by value across int and float, lists element by element, anything
/// else as `reflect.DeepEqual`.
pub(super) fn go_equal(a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (Num::of(a), Num::of(b)) {
        return match (x, y) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (x, y) => x.float() == y.float(),
        };
    }
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| go_equal(x, y)),
        _ => deep_equal(a, b),
    }
}

/// Go's `reflect.DeepEqual` on decoded values: same types, equal contents.
pub(super) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Integer(x), Value::Integer(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| deep_equal(x, y)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k.as_str()).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::KeyedMap(x), Value::KeyedMap(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| deep_equal(k, k2) && deep_equal(v, v2)))
        }
        _ => false,
    }
}

/// Go's `runtime.Less` and friends: numbers and strings only; NaN compares false.
pub(super) fn compare(op: &str, a: &Value, b: &Value) -> Result<Value, String> {
    let ordering = match (Num::of(a), Num::of(b), a, b) {
        (Some(Num::Int(x)), Some(Num::Int(y)), ..) => Some(x.cmp(&y)),
        (Some(x), Some(y), ..) => x.float().partial_cmp(&y.float()),
        (_, _, Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => return Err(format!("invalid operation: {} {op} {}", go_type(a), go_type(b))),
    };
    Ok(Value::Bool(ordering.is_some_and(|o| match op {
        "<" => o.is_lt(),
        ">" => o.is_gt(),
        "<=" => o.is_le(),
        _ => o.is_ge(),
    })))
}

/// Go's `runtime.Add`, `Subtract`, `Multiply`, `Divide`, `Modulo` and `Exponent`.
pub(super) fn arithmetic(op: &str, a: &Value, b: &Value) -> Result<Value, String> {
    let mismatch = || format!("invalid operation: {} {op} {}", go_type(a), go_type(b));
    let (Some(x), Some(y)) = (Num::of(a), Num::of(b)) else {
        return match (op, a, b) {
            ("+", Value::String(x), Value::String(y)) => Ok(Value::String(format!("{x}{y}"))),
            ("**", ..) => {
                let culprit = if Num::of(a).is_none() { a } else { b };
                Err(format!("invalid operation: float({})", go_type(culprit)))
            }
            _ => Err(mismatch()),
        };
    };
    Ok(match (op, x, y) {
        ("/", x, y) => Value::Float(x.float() / y.float()),
        ("**", x, y) => Value::Float(x.float().powf(y.float())),
        ("%", Num::Int(_), Num::Int(0)) => return Err("runtime error: integer divide by zero".to_string()),
        ("%", Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_rem(y)),
        ("%", ..) => return Err(mismatch()),
        ("+", Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_add(y)),
        ("-", Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_sub(y)),
        (_, Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_mul(y)),
        ("+", x, y) => Value::Float(x.float() + y.float()),
        ("-", x, y) => Value::Float(x.float() - y.float()),
        (_, x, y) => Value::Float(x.float() * y.float()),
    })
}

/// Go's `runtime.In`.
pub(super) fn go_in(args: &[Value]) -> Result<Value, String> {
    let (needle, haystack) = (arg(args, 0), arg(args, 1));
    Ok(Value::Bool(match haystack {
        Value::Nil => false,
        Value::Array(items) => items.iter().any(|item| go_equal(item, needle)),
        Value::Bytes(bytes) => bytes.iter().any(|b| go_equal(&Value::Integer(i64::from(*b)), needle)),
        Value::Map(map) => match needle {
            Value::Nil => map.contains_key(""),
            Value::String(key) => map.contains_key(key.as_str()),
            other => return Err(map_index_error(other)),
        },
        Value::KeyedMap(pairs) => pairs.iter().any(|(key, _)| deep_equal(key, needle)),
        other => return Err(format!("operator \"in\" not defined on {}", go_type(other))),
    }))
}

/// `a..b`, within Go's memory budget.
pub(super) fn range(args: &[Value]) -> Result<Value, String> {
    let from = to_int(arg(args, 0))?;
    let to = to_int(arg(args, 1))?;
    if to.saturating_sub(from).saturating_add(1) >= MEMORY_BUDGET {
        return Err("memory budget exceeded".to_string());
    }
    Ok(Value::Array((from..=to).map(Value::Integer).collect()))
}

/// `matches`, `contains`, `startsWith`, `endsWith`: false when either side is nil, else both sides
/// must be strings (`matches` also takes bytes on the left).
pub(super) fn string_operator(op: &str, args: &[Value]) -> Result<Value, String> {
    let (a, b) = (arg(args, 0), arg(args, 1));
    if a.is_nil() || b.is_nil() {
        return Ok(Value::Bool(false));
    }
    if op == "matches" {
        let Value::String(pattern) = b else {
            return Err(assertion(b, "string"));
        };
        return match a {
            Value::String(s) => Ok(Value::Bool(go_regex(pattern)?.is_match(s))),
            Value::Bytes(bytes) => Ok(Value::Bool(go_bytes_regex(pattern)?.is_match(bytes))),
            other => Err(assertion(other, "[]uint8")),
        };
    }
    let Value::String(x) = a else {
        return Err(assertion(a, "string"));
    };
    let Value::String(y) = b else {
        return Err(assertion(b, "string"));
    };
    Ok(Value::Bool(match op {
        "contains" => x.contains(y.as_str()),
        "startsWith" => x.starts_with(y.as_str()),
        _ => x.ends_with(y.as_str()),
    }))
}
