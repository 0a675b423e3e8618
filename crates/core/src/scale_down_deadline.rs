//! The `scale-down-deadline` annotation of a ReplicaSet: when (RFC 3339, UTC, whole seconds) a
//! ReplicaSet that stopped serving may lose its pods. Shared by the Rollout planner (blue-green and
//! traffic-routed canaries) and the Experiment planner; both write and remove it with a JSON patch, as
//! upstream does.

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::well_known::annotations::SCALE_DOWN_DEADLINE;
use serde_json::{Value, json};

/// The annotation's value on a ReplicaSet, when present and not empty.
pub fn of(rs: &ReplicaSet) -> Option<&str> {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SCALE_DOWN_DEADLINE))
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// A deadline as written; `None` when unreadable.
pub fn parse(value: &str) -> Option<Timestamp> {
    value.parse().ok()
}

/// The value written for a deadline `seconds` after `now` (whole seconds, as Go's RFC 3339 format).
pub fn value_after(now: Timestamp, seconds: i32) -> String {
    let deadline = now
        .checked_add(SignedDuration::from_secs(i64::from(seconds)))
        .unwrap_or(now);
    Timestamp::from_second(deadline.as_second())
        .unwrap_or(deadline)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The JSON patch (RFC 6902) that writes the annotation.
pub fn add_patch(value: &str) -> Value {
    json!([{"op": "add", "path": format!("/metadata/annotations/{SCALE_DOWN_DEADLINE}"), "value": value}])
}

/// The JSON patch (RFC 6902) that removes the annotation.
pub fn remove_patch() -> Value {
    json!([{"op": "remove", "path": format!("/metadata/annotations/{SCALE_DOWN_DEADLINE}")}])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn deadline_is_written_in_whole_seconds_and_read_back() {
        let now: Timestamp = "2026-01-01T00:00:00.75Z".parse().unwrap();
        let value = value_after(now, 30);
        assert_eq!(value, "2026-01-01T00:00:30Z");
        assert_eq!(parse(&value), Some("2026-01-01T00:00:30Z".parse().unwrap()));
        assert_eq!(parse("soon"), None);
        assert_eq!(
            add_patch(&value),
            json!([{"op": "add", "path": "/metadata/annotations/scale-down-deadline", "value": "2026-01-01T00:00:30Z"}])
        );
    }
}
