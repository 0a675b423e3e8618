//! Ages of timestamp fields as table cells show them (`5m12s`, `3h`, `2d`, `<unknown>`): the fields read as
//! Kubernetes writes them, the ages in apimachinery's `duration.HumanDuration` form.

use jiff::Timestamp;
use serde_json::Value;

pub use crate::object::rfc3339;
pub use rollouts_compat::age::human_duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
