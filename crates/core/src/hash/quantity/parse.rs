//! Parsing a quantity string the way apimachinery's `resource.ParseQuantity` does, including which
//! inputs keep their original text (Go caches the string when it is already canonical, and
//! `MarshalJSON` then writes it back verbatim, e.g. `+500m` or `0100m`).

use super::{Amount, Format, Quantity};

/// The pieces `parseQuantityString` splits a quantity into.
struct Split<'a> {
    positive: bool,
    /// Sign, integer digits and fraction, as written (`-1.50`).
    value: &'a [u8],
    /// Integer digits without leading zeros (`"0"` when there are none).
    num: &'a [u8],
    /// Fraction digits.
    denom: &'a [u8],
    suffix: &'a [u8],
}

fn split(s: &[u8]) -> Option<Split<'_>> {
    const ZERO: &[u8] = b"0";
    let end = s.len();
    let mut positive = true;
    let mut pos = 0;
    match s.first() {
        Some(b'-') => {
            positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    while pos < end && s[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Some(Split {
            positive,
            value: ZERO,
            num: ZERO,
            denom: &[],
            suffix: &[],
        });
    }
    let digits_end = pos + s[pos..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits_end >= end {
        return Some(Split {
            positive,
            value: s,
            num: &s[pos..],
            denom: &[],
            suffix: &[],
        });
    }
    let num = if digits_end == pos { ZERO } else { &s[pos..digits_end] };
    pos = digits_end;
    let mut denom: &[u8] = &[];
    if s[pos] == b'.' {
        pos += 1;
        let denom_end = pos + s[pos..].iter().take_while(|b| b.is_ascii_digit()).count();
        denom = &s[pos..denom_end];
        if denom_end >= end {
            return Some(Split {
                positive,
                value: s,
                num,
                denom,
                suffix: &[],
            });
        }
        pos = denom_end;
    }
    let value = &s[..pos];
    let suffix_start = pos;
    pos += s[pos..].iter().take_while(|b| b"eEinumkKMGTP".contains(b)).count();
    if pos < end && (s[pos] == b'-' || s[pos] == b'+') {
        pos += 1;
    }
    if s[pos..].iter().all(u8::is_ascii_digit) {
        return Some(Split {
            positive,
            value,
            num,
            denom,
            suffix: &s[suffix_start..],
        });
    }
    None
}

/// `(base, exponent, format)` of a suffix, as the k8s suffixer interprets it.
fn interpret(suffix: &[u8]) -> Option<(u32, i32, Format)> {
    let decimal = |e| Some((10, e, Format::DecimalSi));
    let binary = |e| Some((2, e, Format::BinarySi));
    match suffix {
        b"" => decimal(0),
        b"n" => decimal(-9),
        b"u" => decimal(-6),
        b"m" => decimal(-3),
        b"k" => decimal(3),
        b"M" => decimal(6),
        b"G" => decimal(9),
        b"T" => decimal(12),
        b"P" => decimal(15),
        b"E" => decimal(18),
        b"Ki" => binary(10),
        b"Mi" => binary(20),
        b"Gi" => binary(30),
        b"Ti" => binary(40),
        b"Pi" => binary(50),
        b"Ei" => binary(60),
        [b'e' | b'E', rest @ ..] if !rest.is_empty() => {
            let parsed: i64 = std::str::from_utf8(rest).ok()?.parse().ok()?;
            // Go converts with int32(parsed), which wraps.
            Some((10, parsed as i32, Format::DecimalExponent))
        }
        _ => None,
    }
}

/// Parses `text` like `resource.ParseQuantity`; `None` where Go returns an error (and for decimal
/// values too large for 128 bits, which no real manifest carries).
pub(super) fn parse(text: &str) -> Option<Quantity<'_>> {
    if text.is_empty() {
        return None;
    }
    if text == "0" {
        return Some(Quantity {
            amount: Amount::Int { value: 0, scale: 0 },
            format: Format::DecimalSi,
            cached: Some(text),
        });
    }
    let parts = split(text.as_bytes())?;
    let (base, exponent, format) = interpret(parts.suffix)?;
    let digits = i32::try_from(parts.num.len() + parts.denom.len()).ok()?;
    let denom_len = i32::try_from(parts.denom.len()).ok()?;
    let (mut scale, precision, mantissa) = match format {
        Format::BinarySi if exponent >= 0 && parts.denom.is_empty() => {
            let num_len = i32::try_from(parts.num.len()).ok()?;
            (0, 15 - num_len - exponent * 3 / 10 - 1, 1i64 << exponent)
        }
        Format::BinarySi => (0, -1, 1),
        _ => (exponent, 18 - digits, 1),
    };
    if precision >= 0 {
        scale = scale.wrapping_sub(denom_len);
        if scale >= -9 {
            let shifted: Vec<u8> = parts.num.iter().chain(parts.denom).copied().collect();
            let value: i64 = std::str::from_utf8(&shifted).ok()?.parse().ok()?;
            if let Some(result) = value.checked_mul(mantissa) {
                let result = if parts.positive { result } else { -result };
                let canonical = match format {
                    Format::BinarySi => exponent % 10 == 0 && value & 0x07 != 0,
                    _ => scale % 3 == 0 && !shifted.ends_with(b"000") && shifted.first() != Some(&b'0'),
                };
                let cached = canonical.then_some(text);
                return Some(Quantity {
                    amount: Amount::Int { value: result, scale },
                    format,
                    cached,
                });
            }
        }
    }
    parse_decimal(&parts, base, exponent, format)
}

/// The arbitrary-precision branch of `ParseQuantity` (inf.Dec), on 128 bits.
fn parse_decimal(parts: &Split<'_>, base: u32, exponent: i32, format: Format) -> Option<Quantity<'static>> {
    let mut unscaled: u128 = 0;
    let mut scale: i32 = 0;
    let mut in_fraction = false;
    for &b in parts.value {
        match b {
            b'0'..=b'9' => {
                unscaled = unscaled.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
                scale += i32::from(in_fraction);
            }
            b'.' => in_fraction = true,
            _ => {}
        }
    }
    if base == 10 {
        scale = scale.wrapping_sub(exponent);
    } else {
        unscaled = unscaled.checked_mul(1u128.checked_shl(u32::try_from(exponent).ok()?)?)?;
    }
    if unscaled != 0 && scale > 9 {
        unscaled = div_round_up(unscaled, scale - 9);
        scale = 9;
    }
    let mut format = format;
    if format == Format::BinarySi {
        let max = u128::from(i64::MAX.unsigned_abs());
        if cmp_magnitude(unscaled, scale, max) == std::cmp::Ordering::Greater {
            unscaled = max;
            scale = 0;
        }
        if unscaled != 0 && cmp_magnitude(unscaled, scale, 1) == std::cmp::Ordering::Less {
            format = Format::DecimalSi;
        }
    }
    Some(Quantity {
        amount: Amount::Dec {
            negative: !parts.positive,
            unscaled,
            scale,
        },
        format,
        cached: None,
    })
}

/// `ceil(value / 10^digits)` for positive values (inf.RoundUp on a non-negative number).
pub(super) fn div_round_up(value: u128, digits: i32) -> u128 {
    match u32::try_from(digits).ok().and_then(|d| 10u128.checked_pow(d)) {
        Some(divisor) => value / divisor + u128::from(!value.is_multiple_of(divisor)),
        None => u128::from(value != 0),
    }
}

/// Compares `unscaled × 10^-scale` with `other`.
pub(super) fn cmp_magnitude(unscaled: u128, scale: i32, other: u128) -> std::cmp::Ordering {
    if scale <= 0 {
        let factor = u32::try_from(-i64::from(scale))
            .ok()
            .and_then(|d| 10u128.checked_pow(d));
        match factor.and_then(|f| unscaled.checked_mul(f)) {
            Some(v) => v.cmp(&other),
            None if unscaled == 0 => 0.cmp(&other),
            None => std::cmp::Ordering::Greater,
        }
    } else {
        let factor = u32::try_from(scale).ok().and_then(|d| 10u128.checked_pow(d));
        match factor.and_then(|f| other.checked_mul(f)) {
            Some(o) => unscaled.cmp(&o),
            None if other == 0 => unscaled.cmp(&0),
            None => std::cmp::Ordering::Less,
        }
    }
}
