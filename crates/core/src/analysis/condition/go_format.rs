//! Go's text forms of values: `strconv` (formatting and parsing numbers) and `fmt`'s `%v` and `%T`.

use expr::Value;

use super::types::{ANY_ARRAY, ANY_MAP};

/// Go's `%v` of a decoded value.
#[allow(unreachable_patterns)]
pub(super) fn go_format(value: &Value) -> String {
    let list = |items: Vec<String>| format!("[{}]", items.join(" "));
    match value {
        Value::Nil => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => go_float(*f),
        Value::String(s) => s.clone(),
        Value::Array(items) => list(items.iter().map(go_format).collect()),
        Value::Bytes(bytes) => list(bytes.iter().map(u8::to_string).collect()),
        Value::Map(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{}", go_format(v)))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
        Value::KeyedMap(pairs) => {
            let entries: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", go_format(k), go_format(v)))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
        _ => String::new(),
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`).
pub(super) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's formatter does.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exponent) {
        let (head, tail) = digits.split_at(1.min(digits.len()));
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{head}{tail}e{exponent_sign}{:02}", exponent.abs());
    }
    let point = usize::try_from(exponent + 1).unwrap_or(0);
    if exponent < 0 {
        let zeros = "0".repeat(usize::try_from(-exponent - 1).unwrap_or(0));
        format!("{sign}0.{zeros}{digits}")
    } else if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        let (whole, fraction) = digits.split_at(point);
        format!("{sign}{whole}.{fraction}")
    }
}

/// Go's `%T` of a value.
#[allow(unreachable_patterns)] // the crate has more variants when its optional features are on
pub(super) fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Nil => "<nil>",
        Value::Bool(_) => "bool",
        Value::Integer(_) => "int",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => ANY_ARRAY,
        Value::Bytes(_) => "[]uint8",
        Value::Map(_) => ANY_MAP,
        Value::KeyedMap(_) => "map[interface {}]interface {}",
        _ => "interface {}",
    }
}

/// Go's reflect kind of a value (in reflect's panic messages).
#[allow(unreachable_patterns)]
pub(super) fn reflect_kind(value: &Value) -> &'static str {
    match value {
        Value::Nil => "zero",
        Value::Bool(_) => "bool",
        Value::Integer(_) => "int",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) | Value::Bytes(_) => "slice",
        Value::Map(_) | Value::KeyedMap(_) => "map",
        _ => "struct",
    }
}

/// Go's `strconv.ParseInt(s, radix, 64)`: an optional sign and digits. The error is Go's reason.
pub(super) fn parse_go_int(s: &str, radix: u32) -> Result<i64, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err("invalid syntax");
    }
    i64::from_str_radix(s, radix).map_err(|_| "value out of range")
}

/// Go's `strconv.ParseFloat(s, 64)` (decimal forms, `inf`, `infinity`, `nan`).
pub(super) fn parse_go_float(s: &str) -> Result<f64, &'static str> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let negative = s.starts_with('-');
    match unsigned.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => return Ok(if negative { f64::NEG_INFINITY } else { f64::INFINITY }),
        "nan" => return Ok(f64::NAN),
        _ => {}
    }
    if !unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return Err("invalid syntax");
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_infinite() => Err("value out of range"),
        Ok(v) => Ok(v),
        Err(_) => Err("invalid syntax"),
    }
}
