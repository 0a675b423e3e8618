//! String formats a CRD schema may name, checked the way the API server's format registry checks them,
//! so that values accepted or refused by a real cluster are accepted or refused here too.

use std::net::IpAddr;

use super::netformats::{is_cidr, is_email, is_hostname, is_mac, is_request_uri, parse_ip_sloppy};
use super::regexes::is_match;

/// Formats the API server validates for `type: string` (names without dashes, as the registry normalises
/// them). Any other format on a string is ignored.
const SUPPORTED: [&str; 24] = [
    "bsonobjectid",
    "uri",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "isbn",
    "isbn10",
    "isbn13",
    "creditcard",
    "ssn",
    "hexcolor",
    "rgbcolor",
    "byte",
    "password",
    "date",
    "duration",
    "datetime",
];

/// The registry's name for a format (dashes removed).
pub(crate) fn normalize(format: &str) -> String {
    format.replace('-', "")
}

/// Whether the API server keeps `format` on a string schema.
pub(crate) fn is_supported(format: &str) -> bool {
    SUPPORTED.contains(&normalize(format).as_str())
}

/// Whether the registry knows `format` at all (it also knows the Kubernetes name formats).
pub(crate) fn is_known(format: &str) -> bool {
    let n = normalize(format);
    SUPPORTED.contains(&n.as_str()) || n == "k8sshortname" || n == "k8slongname"
}

/// Whether `s` is a valid value of `format`; unknown formats accept everything.
pub(crate) fn check(format: &str, s: &str) -> bool {
    match normalize(format).as_str() {
        "bsonobjectid" => s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()),
        "uri" => is_request_uri(s),
        "email" => is_email(s),
        "hostname" => is_hostname(s),
        "ipv4" => parse_ip_sloppy(s).is_some() && s.contains('.'),
        "ipv6" => s.parse::<IpAddr>().is_ok() && s.contains(':'),
        "cidr" => is_cidr(s),
        "mac" => is_mac(s),
        "uuid" => is_uuid(s, None),
        "uuid3" => is_uuid(s, Some(b'3')),
        "uuid4" => is_uuid(s, Some(b'4')),
        "uuid5" => is_uuid(s, Some(b'5')),
        "isbn" => is_isbn10(s) || is_isbn13(s),
        "isbn10" => is_isbn10(s),
        "isbn13" => is_isbn13(s),
        "creditcard" => is_credit_card(s),
        "ssn" => s.len() == 11 && is_match(r"^[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}$", s),
        "hexcolor" => is_match(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$", s),
        "rgbcolor" => is_match(
            r"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$",
            s,
        ),
        "byte" => is_match(
            r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$",
            s,
        ),
        "date" => is_date(s),
        "datetime" => is_date_time(s),
        "duration" => is_duration(s),
        "k8sshortname" => is_k8s_name(s, 63, false),
        "k8slongname" => is_k8s_name(s, 253, true),
        _ => true,
    }
}

/// A full date `YYYY-MM-DD` naming a real day.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// An RFC 3339 date-time, as loosely as the API server reads one (the `T` separator may be lower case,
/// the fraction separator is any character, an offset or `Z` is required).
pub(crate) fn is_date_time(s: &str) -> bool {
    if s.len() < 4 {
        return false;
    }
    let lower = s.to_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    if !is_match(
        r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$",
        time,
    ) {
        return false;
    }
    let field = |r: std::ops::Range<usize>| time.get(r).unwrap_or("99");
    field(0..2) <= "23" && field(3..5) <= "59" && field(6..8) <= "59"
}

/// A Go duration (`1h30m`, `0.5s`) or one of the looser forms the API server also takes (`3 days`).
pub(crate) fn is_duration(s: &str) -> bool {
    is_go_duration(s) || is_loose_duration(s)
}

fn is_go_duration(s: &str) -> bool {
    let rest = s.strip_prefix(['-', '+']).unwrap_or(s);
    if rest == "0" {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    let mut chars = rest;
    while !chars.is_empty() {
        let int_len = chars.bytes().take_while(u8::is_ascii_digit).count();
        let mut number_len = int_len;
        let mut frac_len = 0;
        if chars.as_bytes().get(int_len) == Some(&b'.') {
            frac_len = chars[int_len + 1..].bytes().take_while(u8::is_ascii_digit).count();
            number_len = int_len + 1 + frac_len;
        }
        if int_len == 0 && frac_len == 0 {
            return false;
        }
        chars = &chars[number_len..];
        let unit_len = chars
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(chars.len());
        if !matches!(
            &chars[..unit_len],
            "ns" | "us" | "\u{b5}s" | "\u{3bc}s" | "ms" | "s" | "m" | "h"
        ) {
            return false;
        }
        chars = &chars[unit_len..];
    }
    true
}

fn is_loose_duration(s: &str) -> bool {
    const UNITS: [&[&str]; 8] = [
        &["ns", "nano"],
        &["us", "\u{b5}s", "micro"],
        &["ms", "milli"],
        &["s", "sec"],
        &["m", "min"],
        &["h", "hr", "hour"],
        &["d", "day"],
        &["w", "wk", "week"],
    ];
    let Ok(re) = super::regexes::compiled("(([0-9]+)[\t\n\u{c}\r ]*([A-Za-z\u{b5}]+))") else {
        return false;
    };
    let mut ok = false;
    for caps in re.captures_iter(s) {
        let digits = caps.get(2).map_or("", |m| m.as_str());
        if digits.parse::<i64>().is_err() {
            return false;
        }
        let unit = caps
            .get(3)
            .map(|m| m.as_str().trim().to_lowercase())
            .unwrap_or_default();
        for variants in UNITS {
            let last = variants.len() - 1;
            for (i, variant) in variants.iter().enumerate() {
                if (i == last && unit.starts_with(variant)) || variant.eq_ignore_ascii_case(&unit) {
                    ok = true;
                }
            }
        }
    }
    ok
}

fn is_uuid(s: &str, version: Option<u8>) -> bool {
    let hex: Vec<u8> = s.bytes().filter(|b| *b != b'-').collect();
    if hex.len() != 32 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    // Dashes are optional, but only between the usual groups.
    let mut pos = 0;
    for (i, group) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if i > 0 && s.as_bytes().get(pos) == Some(&b'-') {
            pos += 1;
        }
        let Some(part) = s.get(pos..pos + group) else {
            return false;
        };
        if part.contains('-') {
            return false;
        }
        pos += group;
    }
    if pos != s.len() {
        return false;
    }
    match version {
        None => true,
        Some(v) => hex[12] == v && (v == b'3' || matches!(hex[16].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')),
    }
}

fn is_isbn10(s: &str) -> bool {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'-').collect();
    if clean.len() != 10 || !clean[..9].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let last = clean[9];
    if !(last.is_ascii_digit() || last == b'X') {
        return false;
    }
    let mut sum: u32 = (0..9).map(|i| (i as u32 + 1) * u32::from(clean[i] - b'0')).sum();
    sum += if last == b'X' { 100 } else { 10 * u32::from(last - b'0') };
    sum.is_multiple_of(11)
}

fn is_isbn13(s: &str) -> bool {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'-').collect();
    if clean.len() != 13 || !clean.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = (0..12).map(|i| [1, 3][i % 2] * u32::from(clean[i] - b'0')).sum();
    u32::from(clean[12] - b'0') == (10 - sum % 10) % 10
}

fn is_credit_card(s: &str) -> bool {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let pattern = r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35[0-9]{3})[0-9]{11})$";
    if !is_match(pattern, &digits) {
        return false;
    }
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d >= 10 {
                d = d % 10 + 1;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

fn is_k8s_name(s: &str, max: usize, dotted: bool) -> bool {
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    s.len() <= max && if dotted { s.split('.').all(label) } else { label(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert!(check("date-time", "2024-02-29T10:00:00Z"));
        assert!(check("date-time", "2024-02-29t10:00:00.123+02:00"));
        assert!(!check("date-time", "2023-02-29T10:00:00Z"));
        assert!(!check("date-time", "2024-01-01T24:00:00Z"));
        assert!(!check("date-time", "2024-01-01T10:00:00"));
        assert!(!check("date-time", "yesterday"));
        assert!(check("date", "2024-12-31"));
        assert!(!check("date", "2024-13-01"));
    }

    #[test]
    fn durations() {
        for ok in ["5m", "1h30m", "0", "1.5h", "3 days", "2weeks", "10 secs"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "5", "abc", "5 parsecs"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn identifiers() {
        assert!(check("uuid", "123e4567-e89b-12d3-a456-426614174000"));
        assert!(check("uuid", "123E4567E89B12D3A456426614174000"));
        assert!(!check("uuid", "123e4567-e89b-12d3-a456"));
        assert!(check("uuid4", "123e4567-e89b-42d3-a456-426614174000"));
        assert!(!check("uuid4", "123e4567-e89b-12d3-a456-426614174000"));
        assert!(check("byte", "aGVsbG8="));
        assert!(!check("byte", "hello!"));
        assert!(check("isbn10", "0321751043"));
        assert!(check("isbn13", "978-0321751041"));
        assert!(check("creditcard", "4111 1111 1111 1111"));
        assert!(check("ssn", "123-45-6789"));
        assert!(check("hexcolor", "#fff"));
        assert!(check("rgbcolor", "rgb(255, 0, 10)"));
        assert!(check("bsonobjectid", "507f1f77bcf86cd799439011"));
        assert!(check("password", "anything"));
        assert!(check("no-such-format", "anything"));
        assert!(is_supported("date-time") && !is_supported("int-or-string"));
        assert!(is_known("k8s-short-name") && !is_known("int32"));
    }
}
