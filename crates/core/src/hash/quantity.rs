//! `resource.Quantity` as Go holds and prints it. Upstream hashes the JSON of a template that went
//! through Go's decoder, so every quantity is re-printed by `Quantity.MarshalJSON`: the original
//! text when Go considered it canonical (`500m`, `1Mi`, `+2`), otherwise the canonical form
//! (`0.5` → `500m`, `1024Mi` → `1Gi`, `1000` → `1k`), with apimachinery's quirks kept (a decimal
//! exponent without an SI suffix, such as 10^21, prints with no suffix at all).

mod parse;

use parse::{cmp_magnitude, div_round_up};
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    DecimalExponent,
    BinarySi,
    DecimalSi,
}

/// The amount, in one of Go's two representations.
#[derive(Clone, Copy, Debug)]
enum Amount {
    /// `value × 10^scale` (apimachinery's int64Amount).
    Int { value: i64, scale: i32 },
    /// `±unscaled × 10^-scale` (inf.Dec; the scale is "upside down").
    Dec { negative: bool, unscaled: u128, scale: i32 },
}

impl Amount {
    /// The amount as `±magnitude × 10^exponent`: the sign, the magnitude and the exponent.
    fn decimal(self) -> (bool, u128, i32) {
        match self {
            Amount::Int { value, scale } => (value < 0, u128::from(value.unsigned_abs()), scale),
            Amount::Dec {
                negative,
                unscaled,
                scale,
            } => (negative, unscaled, scale.wrapping_neg()),
        }
    }
}

/// A parsed quantity; `cached` is the text Go keeps and prints back verbatim.
#[derive(Clone, Copy, Debug)]
struct Quantity<'a> {
    amount: Amount,
    format: Format,
    cached: Option<&'a str>,
}

/// What `json.Marshal` writes (without the quotes) for a quantity decoded from `text`; `None`
/// when Go would reject the text.
pub(super) fn marshal(text: &str) -> Option<String> {
    marshal_parsed(parse::parse(text.trim())?)
}

/// A form that is equal for equal amounts, whatever their format (Kubernetes' semantic equality
/// compares quantities by value: `1Ki` equals `1024`).
pub(super) fn semantic_key(text: &str) -> Option<String> {
    let q = parse::parse(text.trim())?;
    let (negative, mut magnitude, mut exponent) = q.amount.decimal();
    if magnitude == 0 {
        return Some("0".to_owned());
    }
    while magnitude.is_multiple_of(10) {
        magnitude /= 10;
        exponent = exponent.wrapping_add(1);
    }
    Some(format!("{}{magnitude}e{exponent}", if negative { "-" } else { "" }))
}

/// The quantity after `Quantity.RoundUp(Milli)`, which Kubernetes' defaulting applies to resource
/// lists, printed by `MarshalJSON`.
pub(super) fn round_up_milli(text: &str) -> Option<String> {
    let mut q = parse::parse(text.trim())?;
    match q.amount {
        Amount::Int { scale, .. } if scale >= -3 => {}
        Amount::Int { value, scale } => {
            q.cached = None;
            q.amount = Amount::Int {
                value: negative_scale(value, (-3i32).wrapping_sub(scale)).0,
                scale: -3,
            };
        }
        Amount::Dec {
            negative,
            unscaled,
            scale,
        } => {
            q.cached = None;
            if scale > 3 {
                q.amount = Amount::Dec {
                    negative,
                    unscaled: div_round_up(unscaled, scale - 3),
                    scale: 3,
                };
            }
        }
    }
    marshal_parsed(q)
}

fn marshal_parsed(q: Quantity<'_>) -> Option<String> {
    if let Some(text) = q.cached {
        return Some(text.to_owned());
    }
    let (number, suffix) = canonicalize(&q)?;
    Some(number + suffix)
}

/// `Quantity.CanonicalizeBytes`: the number and the suffix.
fn canonicalize(q: &Quantity<'_>) -> Option<(String, &'static str)> {
    if is_zero(q.amount) {
        return Some(("0".to_owned(), ""));
    }
    let mut format = q.format;
    let mut rounded = q.amount;
    if format == Format::BinarySi {
        if cmp_int(q.amount, -1024) == Ordering::Greater && cmp_int(q.amount, 1024) == Ordering::Less {
            format = Format::DecimalSi;
        } else {
            let (whole, exact) = as_scale_zero(q.amount)?;
            if exact {
                rounded = whole;
            } else {
                format = Format::DecimalSi;
            }
        }
    }
    if format == Format::BinarySi {
        let (number, exponent) = canonical_base1024(rounded)?;
        return Some((number, binary_suffix(exponent.wrapping_mul(10))));
    }
    let (number, exponent) = canonical_base10(q.amount)?;
    if format == Format::DecimalExponent && exponent != 0 {
        return Some((format!("{number}e{exponent}"), ""));
    }
    Some((number, decimal_suffix(exponent)))
}

fn decimal_suffix(exponent: i32) -> &'static str {
    // Exponents without an SI suffix print with none at all (apimachinery's behaviour).
    match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => "",
    }
}

fn binary_suffix(exponent: i32) -> &'static str {
    match exponent {
        10 => "Ki",
        20 => "Mi",
        30 => "Gi",
        40 => "Ti",
        50 => "Pi",
        60 => "Ei",
        _ => "",
    }
}

fn is_zero(amount: Amount) -> bool {
    match amount {
        Amount::Int { value, .. } => value == 0,
        Amount::Dec { unscaled, .. } => unscaled == 0,
    }
}

/// Compares the amount with a small integer.
fn cmp_int(amount: Amount, other: i64) -> Ordering {
    let (negative, magnitude, scale) = match amount {
        Amount::Int { value, scale } => (value < 0, u128::from(value.unsigned_abs()), scale.wrapping_neg()),
        Amount::Dec {
            negative,
            unscaled,
            scale,
        } => (negative && unscaled != 0, unscaled, scale),
    };
    let other_magnitude = u128::from(other.unsigned_abs());
    match (negative, other < 0) {
        (false, false) => cmp_magnitude(magnitude, scale, other_magnitude),
        (true, true) => cmp_magnitude(magnitude, scale, other_magnitude).reverse(),
        (false, true) => Ordering::Greater,
        (true, false) if magnitude == 0 => 0.cmp(&other),
        (true, false) => Ordering::Less,
    }
}

/// `AsScale(0)`: the amount rounded away from zero to an integer, and whether that was exact.
fn as_scale_zero(amount: Amount) -> Option<(Amount, bool)> {
    Some(match amount {
        Amount::Int { scale, .. } if scale >= 0 => (amount, true),
        Amount::Int { value, scale } => {
            let (result, exact) = negative_scale(value, scale.wrapping_neg());
            (
                Amount::Int {
                    value: result,
                    scale: 0,
                },
                exact,
            )
        }
        Amount::Dec { scale, .. } if scale <= 0 => (amount, true),
        Amount::Dec {
            negative,
            unscaled,
            scale,
        } => {
            let whole = div_round_up(unscaled, scale);
            let exact = cmp_magnitude(unscaled, scale, whole) == Ordering::Equal;
            (
                Amount::Dec {
                    negative,
                    unscaled: whole,
                    scale: 0,
                },
                exact,
            )
        }
    })
}

/// `negativeScaleInt64`: `base / 10^scale` rounded away from zero, and whether it was exact.
fn negative_scale(base: i64, scale: i32) -> (i64, bool) {
    if scale <= 0 {
        return (base, true);
    }
    let mut value = base;
    let mut fraction = false;
    for _ in 0..scale {
        if !fraction && value % 10 != 0 {
            fraction = true;
        }
        value /= 10;
        if value == 0 {
            if fraction {
                return (if base > 0 { 1 } else { -1 }, false);
            }
            return (0, true);
        }
    }
    if fraction {
        value += if base > 0 { 1 } else { -1 };
    }
    (value, !fraction)
}

/// `AsCanonicalBytes`: digits and a base-10 exponent that is a multiple of 3.
fn canonical_base10(amount: Amount) -> Option<(String, i32)> {
    let (negative, mut magnitude, mut exponent) = amount.decimal();
    while magnitude >= 10 && magnitude.is_multiple_of(10) {
        magnitude /= 10;
        exponent = exponent.wrapping_add(1);
    }
    while exponent % 3 != 0 {
        magnitude = magnitude.checked_mul(10)?;
        exponent = exponent.wrapping_sub(1);
    }
    Some((signed(negative, magnitude), exponent))
}

/// `AsCanonicalBase1024Bytes` of an integral amount: digits and a power of 1024.
fn canonical_base1024(amount: Amount) -> Option<(String, i32)> {
    let (negative, mut magnitude) = match amount {
        Amount::Int { value, scale } => {
            let factor = 10u128.checked_pow(u32::try_from(scale).ok()?)?;
            (value < 0, u128::from(value.unsigned_abs()).checked_mul(factor)?)
        }
        Amount::Dec {
            negative,
            unscaled,
            scale,
        } => {
            let factor = 10u128.checked_pow(u32::try_from(scale.wrapping_neg()).ok()?)?;
            (negative, unscaled.checked_mul(factor)?)
        }
    };
    let mut times = 0;
    while magnitude >= 1024 && magnitude.is_multiple_of(1024) {
        magnitude /= 1024;
        times += 1;
    }
    Some((signed(negative, magnitude), times))
}

fn signed(negative: bool, magnitude: u128) -> String {
    if negative && magnitude != 0 {
        format!("-{magnitude}")
    } else {
        magnitude.to_string()
    }
}

#[cfg(test)]
mod tests;
