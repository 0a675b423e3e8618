//! The `resource.Quantity` text of v1alpha1 TrafficSplit weights. Upstream builds each weight as an
//! integer quantity in the `DecimalExponent` format, and compares the TrafficSplit it read with the one
//! it wants after a typed round trip, which rewrites every quantity in its canonical text. Both are
//! reproduced here, so a weight reads as unchanged exactly when upstream would find it unchanged.

use serde_json::Value;

/// The `DecimalSI` suffixes by decimal exponent.
const SI_SUFFIXES: [(i32, &str); 10] = [
    (-9, "n"),
    (-6, "u"),
    (-3, "m"),
    (0, ""),
    (3, "k"),
    (6, "M"),
    (9, "G"),
    (12, "T"),
    (15, "P"),
    (18, "E"),
];

/// Digits a 64-bit value always holds; longer numbers take Go's arbitrary-precision path, left alone.
const INT64_DIGITS: usize = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    DecimalExponent,
    DecimalSi,
}

/// The text upstream writes for an integer weight: `10`, `100`, `1e3`, `15e3`.
pub(super) fn weight(value: i64) -> String {
    canonical(value, 0, Format::DecimalExponent).unwrap_or_else(|| value.to_string())
}

/// The weight as upstream re-encodes what it read: `None` when absent (Go's nil pointer, omitted), the
/// canonical text of a decimal quantity, or the value as read when it is something else (a binary
/// suffix, a huge number, not a quantity at all), which then differs from any weight to write.
pub(super) fn normalized(raw: Option<&Value>) -> Option<Value> {
    let text = match raw? {
        Value::Null => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        other => return Some(other.clone()),
    };
    let canonical = parse(&text).unwrap_or(text);
    Some(Value::String(canonical))
}

/// Go's `ParseQuantity` followed by `MarshalJSON`, for the decimal formats: text already in canonical
/// form is kept as written (sign and all), anything else is rewritten. `None` when not handled.
fn parse(text: &str) -> Option<String> {
    match text {
        "" => return None,
        "0" => return Some(text.to_string()),
        _ => {}
    }
    let parts = split(text)?;
    let (format, exponent) = suffix(parts.suffix)?;
    if parts.num.len() + parts.denom.len() > INT64_DIGITS {
        return None;
    }
    let scale = exponent.checked_sub(i32::try_from(parts.denom.len()).ok()?)?;
    if scale < -9 {
        return None;
    }
    let shifted = format!("{}{}", parts.num, parts.denom);
    let magnitude: i64 = shifted.parse().ok()?;
    let value = if parts.negative { -magnitude } else { magnitude };
    if scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0') {
        return Some(text.to_string());
    }
    canonical(value, scale, format)
}

/// A quantity's text split as Go's `parseQuantityString` does.
struct Parts<'a> {
    negative: bool,
    /// The integer digits, leading zeros removed (`0` when there are none).
    num: &'a str,
    /// The fraction digits.
    denom: &'a str,
    suffix: &'a str,
}

fn split(text: &str) -> Option<Parts<'_>> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let rest = rest.trim_start_matches('0');
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let num_len = digits(rest);
    let num = if num_len == 0 { "0" } else { &rest[..num_len] };
    let mut rest = &rest[num_len..];
    let mut denom = "";
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = digits(fraction);
        denom = &fraction[..len];
        rest = &fraction[len..];
    }
    // The suffix: letters of a unit, then an optional signed exponent; nothing may follow.
    let letters = rest.bytes().take_while(|b| b"eEinumkKMGTP".contains(b)).count();
    let mut tail = &rest[letters..];
    if let Some(unsigned) = tail.strip_prefix(['-', '+']) {
        tail = unsigned;
    }
    if tail.bytes().any(|b| !b.is_ascii_digit()) {
        return None;
    }
    Some(Parts {
        negative,
        num,
        denom,
        suffix: rest,
    })
}

/// The format and decimal exponent a suffix stands for; binary suffixes are not handled.
fn suffix(suffix: &str) -> Option<(Format, i32)> {
    if let Some((exponent, _)) = SI_SUFFIXES.iter().find(|(_, s)| *s == suffix) {
        return Some((Format::DecimalSi, *exponent));
    }
    let exponent = suffix.strip_prefix(['e', 'E']).filter(|e| !e.is_empty())?;
    Some((Format::DecimalExponent, exponent.parse().ok()?))
}

/// Go's canonical text of `value × 10^scale`: trailing zeros move into an exponent that is a multiple
/// of three, spelled `e<n>` or with an SI suffix.
fn canonical(value: i64, scale: i32, format: Format) -> Option<String> {
    if value == 0 {
        return Some("0".to_string());
    }
    let mut amount = value;
    let mut exponent = scale;
    while amount % 10 == 0 {
        amount /= 10;
        exponent += 1;
    }
    match exponent.rem_euclid(3) {
        1 => {
            amount = amount.checked_mul(10)?;
            exponent -= 1;
        }
        2 => {
            amount = amount.checked_mul(100)?;
            exponent -= 2;
        }
        _ => {}
    }
    let suffix = match format {
        Format::DecimalExponent if exponent == 0 => String::new(),
        Format::DecimalExponent => format!("e{exponent}"),
        Format::DecimalSi => SI_SUFFIXES.iter().find(|(e, _)| *e == exponent)?.1.to_string(),
    };
    Some(format!("{amount}{suffix}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn integer_weights_are_written_in_the_decimal_exponent_format() {
        let written: Vec<String> = [0, 5, 10, 90, 100, 1000, 1500, 10_000, -1000].map(weight).to_vec();
        assert_eq!(written, ["0", "5", "10", "90", "100", "1e3", "1500", "10e3", "-1e3"]);
    }

    #[test]
    fn weights_read_back_as_go_re_encodes_them() {
        let read = |v: Value| normalized(Some(&v));
        let text = |s: &str| Some(Value::String(s.to_string()));
        // Canonical text is kept as written.
        assert_eq!(read(json!("10")), text("10"));
        assert_eq!(read(json!("1e3")), text("1e3"));
        assert_eq!(read(json!("+10")), text("+10"));
        assert_eq!(read(json!("010")), text("010"));
        // Numbers and non-canonical text are rewritten.
        assert_eq!(read(json!(10)), text("10"));
        assert_eq!(read(json!("1000")), text("1k"));
        assert_eq!(read(json!("10.0")), text("10"));
        assert_eq!(read(json!("1e1")), text("10"));
        assert_eq!(read(json!("0.0")), text("0"));
        assert_eq!(read(json!("500m")), text("500m"));
        assert_eq!(read(json!("0.5")), text("500m"));
        // Absent, and what is not a decimal quantity.
        assert_eq!(normalized(None), None);
        assert_eq!(read(Value::Null), None);
        assert_eq!(read(json!("1Ki")), text("1Ki"));
        assert_eq!(read(json!("ten")), text("ten"));
        assert_eq!(read(json!("")), text(""));
        assert_eq!(read(json!(true)), Some(json!(true)));
    }
}
