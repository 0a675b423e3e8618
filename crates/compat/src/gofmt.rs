//! Go's two quoted forms of a string, for text that must read exactly as Go's code writes it.

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
}
