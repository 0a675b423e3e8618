//! Human-readable ages (`5m12s`, `3h`, `2d`), reproducing apimachinery's
//! `duration.HumanDuration`, which every AGE column in `kubectl get` shows.

use jiff::Timestamp;
use serde_json::Value;

const SECOND: i128 = 1_000_000_000;
const MINUTE: i128 = 60 * SECOND;
const HOUR: i128 = 60 * MINUTE;

/// A duration (in nanoseconds, may be negative) with ~2–3 significant figures, exactly as
/// Kubernetes renders ages: seconds below 2m, `XmYs` below 10m, minutes below 3h, `XhYm` below
/// 8h, hours below 2d, `XdYh` below 8d, days below 2y, `XyYd` below 8y, then years. Up to one
/// second in the future counts as `0s`; further is `<invalid>`.
pub fn human_duration(nanos: i128) -> String {
    let seconds = nanos / SECOND;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = nanos / MINUTE;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = nanos / HOUR;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// The nanoseconds from `from` to `to`.
pub fn nanos_between(from: Timestamp, to: Timestamp) -> i128 {
    to.as_nanosecond() - from.as_nanosecond()
}

/// Parses an RFC 3339 timestamp as Kubernetes writes them; `None` for anything else.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    text.parse::<Timestamp>().ok()
}

/// Whether `ts` is Go's zero time (`0001-01-01T00:00:00Z`), which Kubernetes treats as unset.
pub fn is_zero(ts: Timestamp) -> bool {
    ts.as_second() == -62_135_596_800 && ts.subsec_nanosecond() == 0
}

/// A timestamp field (RFC 3339 string) as a set time: `None` when missing, null, empty,
/// unparseable or Go's zero time.
pub fn timestamp_of(value: Option<&Value>) -> Option<Timestamp> {
    value
        .and_then(Value::as_str)
        .and_then(parse_timestamp)
        .filter(|ts| !is_zero(*ts))
}

/// The age of a timestamp field as printers show it: `<unknown>` when it is not set.
pub fn since(value: Option<&Value>, now: Timestamp) -> String {
    match timestamp_of(value) {
        Some(ts) => human_duration(nanos_between(ts, now)),
        None => "<unknown>".to_string(),
    }
}

/// A timestamp as Go's `Time.UTC().Format(time.RFC3339)` writes it (whole seconds, `Z`).
pub fn rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i128) -> String {
        human_duration(s * SECOND)
    }

    #[test]
    fn human_duration_table() {
        let m = 60;
        let h = 60 * m;
        let d = 24 * h;
        let y = 365 * d;
        for (input, want) in [
            (0, "0s"),
            (1, "1s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (2 * m, "2m"),
            (2 * m + 5, "2m5s"),
            (9 * m + 59, "9m59s"),
            (10 * m, "10m"),
            (10 * m + 30, "10m"),
            (h, "60m"),
            (h + 30 * m, "90m"),
            (3 * h - 1, "179m"),
            (3 * h, "3h"),
            (3 * h + 5 * m, "3h5m"),
            (7 * h + 59 * m, "7h59m"),
            (8 * h, "8h"),
            (47 * h, "47h"),
            (2 * d, "2d"),
            (2 * d + 3 * h, "2d3h"),
            (7 * d + 23 * h, "7d23h"),
            (8 * d, "8d"),
            (400 * d, "400d"),
            (2 * y - 1, "729d"),
            (2 * y, "2y"),
            (2 * y + d, "2y1d"),
            (7 * y + 364 * d, "7y364d"),
            (8 * y, "8y"),
            (20 * y + 100 * d, "20y"),
            (-1, "0s"),
            (-2, "<invalid>"),
        ] {
            assert_eq!(secs(input), want, "{input}s");
        }
        assert_eq!(human_duration(-1_999_999_999), "0s");
        assert_eq!(human_duration(-2_000_000_000), "<invalid>");
        assert_eq!(human_duration(59 * SECOND + SECOND / 2), "59s");
    }

    #[test]
    fn timestamps() {
        let now: Timestamp = "2024-05-01T12:00:00Z".parse().unwrap();
        assert_eq!(since(Some(&Value::from("2024-05-01T11:54:48Z")), now), "5m12s");
        assert_eq!(since(Some(&Value::from("2024-04-29T12:00:00Z")), now), "2d");
        assert_eq!(since(Some(&Value::from("2024-05-01T12:00:00.5Z")), now), "0s");
        assert_eq!(since(None, now), "<unknown>");
        assert_eq!(since(Some(&Value::Null), now), "<unknown>");
        assert_eq!(since(Some(&Value::from("0001-01-01T00:00:00Z")), now), "<unknown>");
        assert_eq!(since(Some(&Value::from("garbage")), now), "<unknown>");
        assert_eq!(
            rfc3339("2024-05-01T11:54:48.123Z".parse().unwrap()),
            "2024-05-01T11:54:48Z"
        );
        assert_eq!(
            rfc3339("2024-05-01T13:54:48+02:00".parse().unwrap()),
            "2024-05-01T11:54:48Z"
        );
    }
}
