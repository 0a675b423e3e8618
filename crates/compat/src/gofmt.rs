//! Go's two quoted forms of a string and its float formats, for text that must read exactly as Go's code
//! writes it.

use std::fmt::Write as _;

/// `s` as Go's `strconv.Quote` (`%q`) writes it: C escapes, other control characters as `\xNN` or `\uNNNN`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_control() => {
                let n = u32::from(c);
                let _ = if n < 0x80 {
                    write!(out, "\\x{n:02x}")
                } else {
                    write!(out, "\\u{n:04x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as Go's `encoding/json` (Go 1.22+) writes it: HTML-safe, `<`, `>`, `&` and controls as `\u00XX`.
pub fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_go_json_string(&mut out, s);
    out
}

/// Appends [`go_json_string`] of `s` to `out`.
pub fn push_go_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Shortest round-trip decimal digits of `f` (no sign) and the decimal exponent of the first digit.
pub(crate) fn shortest_digits(f: f64) -> (String, i32) {
    let text = format!("{:e}", f.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// `digits` (of a number whose first digit has decimal exponent `exp`) written out without an exponent.
pub(crate) fn plain_decimal(digits: &str, exp: i32) -> String {
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

/// `digits` as `d.ddde±XX`, the exponent `exp` written with at least `min_exp_digits` digits.
pub(crate) fn exponent_form(digits: &str, exp: i32, min_exp_digits: usize) -> String {
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
    let body = if (-4..6).contains(&exp) {
        plain_decimal(&digits, exp)
    } else {
        exponent_form(&digits, exp, 2)
    };
    format!("{sign}{body}")
}

/// A float as Go's `strconv.FormatFloat(f, 'f', -1, 64)` writes it: shortest digits, never an exponent
/// (`NaN`, `+Inf` and `-Inf` as `%v` writes them).
pub fn go_float_fixed(f: f64) -> String {
    if !f.is_finite() {
        return go_float(f);
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    let (digits, exp) = shortest_digits(f);
    format!("{sign}{}", plain_decimal(&digits, exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_like_strconv() {
        assert_eq!(go_quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(go_quote("a\nb\u{1}ü"), r#""a\nb\x01ü""#);
        assert_eq!(
            go_quote("\u{7}\u{8}\u{b}\u{c}\u{7f}\u{85}<&>"),
            r#""\a\b\v\f\x7f\u0085<&>""#
        );
    }

    #[test]
    fn json_strings_are_escaped_like_go() {
        assert_eq!(go_json_string("a<b>&c"), r#""a\u003cb\u003e\u0026c""#);
        assert_eq!(go_json_string("q\"b\\"), r#""q\"b\\""#);
        assert_eq!(
            go_json_string("\n\r\t\u{8}\u{c}\u{1}\u{7f}"),
            "\"\\n\\r\\t\\b\\f\\u0001\u{7f}\""
        );
        assert_eq!(go_json_string("é\u{2028}\u{85}"), "\"é\\u2028\u{85}\"");
    }

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
        assert_eq!(go_float(-0.0), "-0");
        assert_eq!(go_float(f64::NAN), "NaN");
        assert_eq!(go_float(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn fixed_floats_never_use_an_exponent() {
        assert_eq!(go_float_fixed(1e21), "1000000000000000000000");
        assert_eq!(go_float_fixed(0.25), "0.25");
        assert_eq!(go_float_fixed(1.5e-7), "0.00000015");
        assert_eq!(go_float_fixed(-0.0), "-0");
        assert_eq!(go_float_fixed(f64::INFINITY), "+Inf");
    }
}
