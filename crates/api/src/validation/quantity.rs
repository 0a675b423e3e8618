//! Resource quantities (`500m`, `1Gi`, `1e3`), checked as Kubernetes' `resource.ParseQuantity` reads
//! them, with its error messages.

/// Kubernetes' message for text that is not shaped like a quantity.
pub const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// Kubernetes' message for a quantity with an unknown suffix.
pub const SUFFIX_WRONG: &str = "unable to parse quantity's suffix";

/// Why a quantity string was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not number-then-suffix.
    #[error("{}", FORMAT_WRONG)]
    Format,
    /// A suffix that is neither a decimal or binary SI suffix nor an exponent.
    #[error("{}", SUFFIX_WRONG)]
    Suffix,
}

/// A parsed quantity: whether it is negative (the only property validation needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    /// The quantity is below zero.
    pub negative: bool,
}

/// Parses `text` as Kubernetes does, keeping only what validation needs.
pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
    if text.is_empty() {
        return Err(QuantityError::Format);
    }
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut negative = false;
    if let Some(&sign) = bytes.first()
        && (sign == b'-' || sign == b'+')
    {
        negative = sign == b'-';
        pos = 1;
    }
    let digits_from = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |n| from + n)
    };
    let number_start = pos;
    pos = digits_from(pos);
    if pos < bytes.len() && bytes[pos] == b'.' {
        pos = digits_from(pos + 1);
    }
    let all_zero = bytes[number_start..pos].iter().all(|b| *b == b'0' || *b == b'.');
    let suffix_start = pos;
    while pos < bytes.len() && b"eEinumkKMGTP".contains(&bytes[pos]) {
        pos += 1;
    }
    if pos < bytes.len() && (bytes[pos] == b'-' || bytes[pos] == b'+') {
        pos += 1;
    }
    if digits_from(pos) != bytes.len() {
        return Err(QuantityError::Format);
    }
    if !is_known_suffix(&text[suffix_start..]) {
        return Err(QuantityError::Suffix);
    }
    Ok(Quantity {
        negative: negative && !all_zero,
    })
}

fn is_known_suffix(suffix: &str) -> bool {
    const KNOWN: [&str; 16] = [
        "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
    ];
    if KNOWN.contains(&suffix) {
        return true;
    }
    // An exponent: e or E followed by a signed integer.
    match suffix.strip_prefix(['e', 'E']) {
        Some(exponent) if !exponent.is_empty() => {
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && exponent.parse::<i64>().is_ok()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kubernetes_quantities() {
        for ok in [
            "0", "1", "100m", "0.5", ".5", "1.", "1Gi", "512Mi", "2k", "1e3", "1E-3", "+1", "-1", "12e+6", "1n", "1u",
            "1Ei",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        assert!(parse("-1").is_ok_and(|q| q.negative));
        assert!(parse("-0").is_ok_and(|q| !q.negative));
    }

    #[test]
    fn rejects_like_kubernetes() {
        for (bad, want) in [
            ("", QuantityError::Format),
            ("invalid", QuantityError::Format),
            ("1 Gi", QuantityError::Format),
            ("1.2.3", QuantityError::Format),
            ("1Gb", QuantityError::Format),
            ("1Ki1", QuantityError::Suffix),
            ("1i", QuantityError::Suffix),
            ("1ee", QuantityError::Suffix),
            ("1e", QuantityError::Suffix),
            ("1mm", QuantityError::Suffix),
        ] {
            assert_eq!(parse(bad), Err(want), "{bad:?}");
        }
        assert_eq!(
            QuantityError::Format.to_string(),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
    }
}
