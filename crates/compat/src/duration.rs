//! Go-style duration strings, as upstream reads them with `time.ParseDuration`: `interval`,
//! `initialDelay`, experiment `duration`, pause durations, Datadog windows and timeouts.
//!
//! The grammar is `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with the units `ns`, `us` (also `µs`, `μs`),
//! `ms`, `s`, `m` and `h`; the lone string `0` needs no unit. Errors carry Go's exact wording, because
//! they end up in user-visible messages such as `invalid interval string: time: invalid duration "5"`.

use std::time::Duration;

const NANOS_PER_MICRO: u64 = 1_000;
const NANOS_PER_MILLI: u64 = 1_000_000;
const NANOS_PER_SECOND: u64 = 1_000_000_000;
const NANOS_PER_MINUTE: u64 = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR: u64 = 60 * NANOS_PER_MINUTE;
/// 2^63: the magnitude of the most negative Go duration.
const TWO_POW_63: u64 = 1 << 63;

/// Why a duration string was rejected; `Display` matches Go's `time.ParseDuration` errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a duration at all, or out of range (Go: `time: invalid duration "x"`).
    #[error("time: invalid duration {}", time_quote(.input))]
    Invalid {
        /// The whole input.
        input: String,
    },
    /// A number without a unit, such as `"5"` (Go: `time: missing unit in duration "5"`).
    #[error("time: missing unit in duration {}", time_quote(.input))]
    MissingUnit {
        /// The whole input.
        input: String,
    },
    /// A unit Go does not know, such as `d` (Go: `time: unknown unit "d" in duration "1d"`).
    #[error("time: unknown unit {} in duration {}", time_quote(.unit), time_quote(.input))]
    UnknownUnit {
        /// The offending unit.
        unit: String,
        /// The whole input.
        input: String,
    },
    /// A valid but negative duration where only non-negative ones make sense.
    #[error("negative duration {}", time_quote(.input))]
    Negative {
        /// The whole input.
        input: String,
    },
}

/// Parses a Go duration string into signed nanoseconds, exactly as Go's `time.ParseDuration` does
/// (including its float arithmetic for fractions and its range of ±2^63 ns).
pub fn parse_nanos(input: &str) -> Result<i64, DurationError> {
    let invalid = || DurationError::Invalid {
        input: input.to_string(),
    };
    let mut s = input.as_bytes();
    let mut negative = false;
    if let Some((&sign, rest)) = s.split_first()
        && (sign == b'-' || sign == b'+')
    {
        negative = sign == b'-';
        s = rest;
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let before = s.len();
        let (whole, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let had_whole = before != s.len();

        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut had_fraction = false;
        if let Some((&b'.', rest)) = s.split_first() {
            let before = rest.len();
            let (f, sc, rest) = leading_fraction(rest);
            fraction = f;
            scale = sc;
            s = rest;
            had_fraction = before != s.len();
        }
        if !had_whole && !had_fraction {
            return Err(invalid());
        }

        let unit_len = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(DurationError::MissingUnit {
                input: input.to_string(),
            });
        }
        let (unit_bytes, rest) = s.split_at(unit_len);
        s = rest;
        let unit_str = String::from_utf8_lossy(unit_bytes);
        let unit = unit_nanos(&unit_str).ok_or_else(|| DurationError::UnknownUnit {
            unit: unit_str.to_string(),
            input: input.to_string(),
        })?;
        if whole > TWO_POW_63 / unit {
            return Err(invalid());
        }
        let mut value = whole * unit;
        if fraction > 0 {
            // Go computes the fractional part in float64, then truncates.
            value += (fraction as f64 * (unit as f64 / scale)) as u64;
            if value > TWO_POW_63 {
                return Err(invalid());
            }
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
        if total > TWO_POW_63 {
            return Err(invalid());
        }
    }
    if negative {
        // total <= 2^63, so the negation always fits (2^63 itself becomes i64::MIN).
        return Ok(0i64.wrapping_sub_unsigned(total));
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Parses a Go duration string that must not be negative (`-0s` is zero and accepted).
pub fn parse(input: &str) -> Result<Duration, DurationError> {
    let nanos = parse_nanos(input)?;
    u64::try_from(nanos)
        .map(Duration::from_nanos)
        .map_err(|_| DurationError::Negative {
            input: input.to_string(),
        })
}

/// Renders a duration the way Go's `time.Duration.String` does: `1h30m0s`, `1.5s`, `250ms`, `0s`.
/// Durations beyond Go's range (about 292 years) are clamped to it.
pub fn format(d: Duration) -> String {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).min(TWO_POW_63 - 1);
    format_nanos(nanos)
}

fn format_nanos(u: u64) -> String {
    if u == 0 {
        return "0s".to_string();
    }
    if u < NANOS_PER_SECOND {
        let (unit, prec) = if u < NANOS_PER_MICRO {
            ("ns", 0)
        } else if u < NANOS_PER_MILLI {
            ("µs", 3)
        } else {
            ("ms", 6)
        };
        let (int, frac) = split_fraction(u, prec);
        return format!("{int}{frac}{unit}");
    }
    let (secs, frac) = split_fraction(u, 9);
    let mut out = String::new();
    let minutes = secs / 60;
    if minutes > 0 {
        let hours = minutes / 60;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        out.push_str(&format!("{}m", minutes % 60));
    }
    out.push_str(&format!("{}{frac}s", secs % 60));
    out
}

/// `v / 10^prec` and its fraction as `.ddd` without trailing zeros (empty when zero).
fn split_fraction(v: u64, prec: u32) -> (u64, String) {
    let pow = 10u64.pow(prec);
    let frac = v % pow;
    if frac == 0 {
        return (v / pow, String::new());
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    (v / pow, format!(".{}", digits.trim_end_matches('0')))
}

/// Seconds of a canary `pause.duration` given as a string, with upstream's rule: a string holding a 32-bit
/// integer is seconds, anything else is a Go duration truncated to whole seconds. Negative values are
/// returned as they are; deciding that they are invalid is validation's job.
pub fn pause_string_seconds(text: &str) -> Result<i64, DurationError> {
    if let Some(seconds) = parse_go_int32(text) {
        return Ok(i64::from(seconds));
    }
    // Go converts the float seconds to int32, truncating toward zero.
    Ok(parse_nanos(text)? / NANOS_PER_SECOND as i64)
}

/// Go's `strconv.ParseInt(s, 10, 32)`: optional sign, ASCII digits, within the i32 range.
fn parse_go_int32(s: &str) -> Option<i32> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok()
}

fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => NANOS_PER_MICRO,
        "ms" => NANOS_PER_MILLI,
        "s" => NANOS_PER_SECOND,
        "m" => NANOS_PER_MINUTE,
        "h" => NANOS_PER_HOUR,
        _ => return None,
    })
}

/// The leading `[0-9]*` as an integer, or `None` when it overflows Go's range.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > TWO_POW_63 / 10 {
            return None;
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > TWO_POW_63 {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

/// The leading `[0-9]*` of a fraction: its value, `10^digits kept`, and the rest. Digits past the
/// precision of a u64 are consumed but ignored, as Go does.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let mut x: u64 = 0;
    let mut scale = 1.0;
    let mut overflow = false;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if !overflow {
            if x > (TWO_POW_63 - 1) / 10 {
                overflow = true;
            } else {
                let y = x * 10 + u64::from(s[i] - b'0');
                if y > TWO_POW_63 {
                    overflow = true;
                } else {
                    x = y;
                    scale *= 10.0;
                }
            }
        }
        i += 1;
    }
    (x, scale, &s[i..])
}

/// Go's `time` package quoting in duration errors (not `strconv.Quote`): `"` and `\` escaped, control and non-ASCII bytes as `\xNN`.
fn time_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("+0", 0),
            ("-0", 0),
            ("0s", 0),
            ("5s", 5 * NANOS_PER_SECOND as i64),
            ("30s", 30 * NANOS_PER_SECOND as i64),
            ("1478s", 1478 * NANOS_PER_SECOND as i64),
            ("-5s", -5 * NANOS_PER_SECOND as i64),
            ("+5s", 5 * NANOS_PER_SECOND as i64),
            ("-0s", 0),
            ("5.0s", 5 * NANOS_PER_SECOND as i64),
            ("5.6s", 5_600_000_000),
            ("5.s", 5 * NANOS_PER_SECOND as i64),
            (".5s", 500_000_000),
            ("1.0s", NANOS_PER_SECOND as i64),
            ("1.00s", NANOS_PER_SECOND as i64),
            ("1.004s", 1_004_000_000),
            ("1.0040s", 1_004_000_000),
            ("100.00100s", 100_001_000_000),
            ("10ns", 10),
            ("11us", 11_000),
            ("12µs", 12_000),
            ("12μs", 12_000),
            ("13ms", 13_000_000),
            ("14s", 14 * NANOS_PER_SECOND as i64),
            ("15m", 15 * NANOS_PER_MINUTE as i64),
            ("16h", 16 * NANOS_PER_HOUR as i64),
            ("3h30m", (3 * NANOS_PER_HOUR + 30 * NANOS_PER_MINUTE) as i64),
            (
                "10.5s4m",
                (4 * NANOS_PER_MINUTE + 10 * NANOS_PER_SECOND + 500_000_000) as i64,
            ),
            (
                "-2m3.4s",
                -((2 * NANOS_PER_MINUTE + 3 * NANOS_PER_SECOND + 400_000_000) as i64),
            ),
            (
                "1h2m3s4ms5us6ns",
                (NANOS_PER_HOUR + 2 * NANOS_PER_MINUTE + 3 * NANOS_PER_SECOND + 4_005_006) as i64,
            ),
            ("39h9m14.425s", 140_954_425_000_000),
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 20 * NANOS_PER_MINUTE as i64),
            ("9007199254740993ns", 9_007_199_254_740_993),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("9223372036s854ms775us807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("-9223372036854775.808us", i64::MIN),
            ("0.100000000000000000000h", 6 * NANOS_PER_MINUTE as i64),
            ("0.830103483285477580700h", 2_988_372_539_827),
            ("1.5h", (NANOS_PER_HOUR + 30 * NANOS_PER_MINUTE) as i64),
        ];
        for (input, want) in cases {
            assert_eq!(parse_nanos(input), Ok(*want), "input {input:?}");
        }
    }

    #[test]
    fn rejects_like_go_with_go_messages() {
        let cases: &[(&str, &str)] = &[
            ("", r#"time: invalid duration """#),
            ("3", r#"time: missing unit in duration "3""#),
            ("-", r#"time: invalid duration "-""#),
            ("s", r#"time: invalid duration "s""#),
            (".", r#"time: invalid duration ".""#),
            ("-.", r#"time: invalid duration "-.""#),
            (".s", r#"time: invalid duration ".s""#),
            ("+.s", r#"time: invalid duration "+.s""#),
            ("1d", r#"time: unknown unit "d" in duration "1d""#),
            ("1h 30m", r#"time: unknown unit "h " in duration "1h 30m""#),
            ("abc", r#"time: invalid duration "abc""#),
            ("\"", r#"time: invalid duration "\"""#),
            ("\"1\"", r#"time: invalid duration "\"1\"""#),
            (
                "9223372036854775808ns",
                r#"time: invalid duration "9223372036854775808ns""#,
            ),
            (
                "9223372036854775.808us",
                r#"time: invalid duration "9223372036854775.808us""#,
            ),
            ("3000000h", r#"time: invalid duration "3000000h""#),
            ("1ä", r#"time: unknown unit "\xc3\xa4" in duration "1\xc3\xa4""#),
        ];
        for (input, want) in cases {
            let err = parse_nanos(input).expect_err(input);
            assert_eq!(err.to_string(), *want, "input {input:?}");
        }
    }

    #[test]
    fn unsigned_parse_rejects_negative_durations_only() {
        assert_eq!(parse("-0s"), Ok(Duration::ZERO));
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(
            parse("-1s"),
            Err(DurationError::Negative {
                input: "-1s".to_string()
            })
        );
    }

    #[test]
    fn formats_like_go() {
        let cases: &[(u64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (3_300_000_000, "3.3s"),
            (4 * NANOS_PER_MINUTE + 5 * NANOS_PER_SECOND, "4m5s"),
            (4 * NANOS_PER_MINUTE + 5 * NANOS_PER_SECOND + 1_000_000, "4m5.001s"),
            (5 * NANOS_PER_HOUR + 6 * NANOS_PER_MINUTE + 7_001_000_000, "5h6m7.001s"),
            (8 * NANOS_PER_MINUTE + 1, "8m0.000000001s"),
            (NANOS_PER_HOUR, "1h0m0s"),
            (TWO_POW_63 - 1, "2562047h47m16.854775807s"),
        ];
        for (nanos, want) in cases {
            assert_eq!(format(Duration::from_nanos(*nanos)), *want);
        }
    }

    #[test]
    fn pause_strings_are_int32_seconds_or_truncated_durations() {
        assert_eq!(pause_string_seconds("2147483647"), Ok(2_147_483_647));
        assert_eq!(pause_string_seconds("-2147483648"), Ok(-2_147_483_648));
        assert_eq!(pause_string_seconds("90s"), Ok(90));
        assert_eq!(pause_string_seconds("-2.9s"), Ok(-2));
        assert_eq!(
            pause_string_seconds("2147483648").map_err(|e| e.to_string()),
            Err(r#"time: missing unit in duration "2147483648""#.to_string())
        );
    }

    proptest::proptest! {
        /// Whatever Go prints, Go parses back to the same duration.
        #[test]
        fn formatted_durations_parse_back(nanos in 0u64..=(TWO_POW_63 - 1)) {
            let d = Duration::from_nanos(nanos);
            proptest::prop_assert_eq!(parse(&format(d)), Ok(d));
        }

        /// A sequence of whole-unit parts adds up, whatever the order of the parts.
        #[test]
        fn unit_sequences_add_up(
            parts in proptest::collection::vec((0u64..10_000, 0usize..6), 1..6),
            negative in proptest::bool::ANY,
        ) {
            const UNITS: [(&str, u64); 6] = [
                ("ns", 1),
                ("us", NANOS_PER_MICRO),
                ("ms", NANOS_PER_MILLI),
                ("s", NANOS_PER_SECOND),
                ("m", NANOS_PER_MINUTE),
                ("h", NANOS_PER_HOUR),
            ];
            let mut text = String::from(if negative { "-" } else { "" });
            let mut want: i64 = 0;
            for (n, u) in &parts {
                let (unit, scale) = UNITS[*u];
                text.push_str(&format!("{n}{unit}"));
                want += (n * scale) as i64;
            }
            let want = if negative { -want } else { want };
            proptest::prop_assert_eq!(parse_nanos(&text), Ok(want));
        }
    }
}
