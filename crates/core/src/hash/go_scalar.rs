//! Scalars the way Go's `encoding/json` writes them: float64 numbers and `metav1.Time`.

/// A float64 as Go's `encoding/json` writes it: the shortest representation that round-trips, in
/// plain notation unless the magnitude is below 1e-6 or at least 1e21, then as `1e+21` / `1e-7`.
/// Non-finite values (which Go refuses to marshal) are written as `null`.
pub(super) fn float(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return match exponent.strip_prefix('-') {
            Some(digits) => format!("{mantissa}e-{digits}"),
            None => format!("{mantissa}e+{exponent:0>2}"),
        };
    }
    if f == 0.0 {
        // Go writes negative zero as "-0".
        return if f.is_sign_negative() {
            "-0".to_owned()
        } else {
            "0".to_owned()
        };
    }
    format!("{f}")
}

/// A `metav1.Time` as `MarshalJSON` writes it after a round trip through `UnmarshalJSON`: RFC 3339
/// in UTC with the fraction dropped, or `None` for Go's zero time (written as `null`). `None` also
/// when the text is not RFC 3339 (the caller records that).
pub(super) fn time(text: &str) -> Result<Option<String>, ()> {
    let ts: jiff::Timestamp = text.parse().map_err(|_| ())?;
    // Go keeps a non-negative fraction, so dropping it rounds towards the past, also before 1970.
    let seconds = ts.as_second() - i64::from(ts.subsec_nanosecond() < 0);
    // Go's zero time, 0001-01-01T00:00:00Z.
    if seconds == -62_135_596_800 && ts.subsec_nanosecond() == 0 {
        return Ok(None);
    }
    let whole = jiff::Timestamp::from_second(seconds).map_err(|_| ())?;
    Ok(Some(whole.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_formatted_like_go() {
        assert_eq!(float(1.0), "1");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(1e20), "100000000000000000000");
        assert_eq!(float(1e21), "1e+21");
        assert_eq!(float(1.5e-7), "1.5e-7");
        assert_eq!(float(0.000001), "0.000001");
        assert_eq!(float(-2.5e300), "-2.5e+300");
    }

    #[test]
    fn times_drop_fractions_and_convert_to_utc() {
        assert_eq!(
            time("2019-10-25T06:07:18Z"),
            Ok(Some("2019-10-25T06:07:18Z".to_owned()))
        );
        assert_eq!(
            time("2019-10-25T08:07:18.9+02:00"),
            Ok(Some("2019-10-25T06:07:18Z".to_owned()))
        );
        assert_eq!(time("0001-01-01T00:00:00Z"), Ok(None));
        assert_eq!(time("yesterday"), Err(()));
    }
}
