//! The Event printer, reading both the core/v1 and the events.k8s.io/v1 shapes (they share
//! storage, and `kubectl get events` shows either with the same columns).

use jiff::Timestamp;
use serde_json::Value;

use super::Row;
use super::age;
use super::fields::{name, opt_int_at, str_at};

/// The first of the given fields that is present and not null.
fn field<'a>(obj: &'a Value, pointers: &[&str]) -> Option<&'a Value> {
    pointers.iter().find_map(|p| obj.pointer(p).filter(|v| !v.is_null()))
}

fn text<'a>(obj: &'a Value, pointers: &[&str]) -> &'a str {
    pointers
        .iter()
        .map(|p| str_at(obj, p))
        .find(|s| !s.is_empty())
        .unwrap_or_default()
}

/// `component, host` (either falling back to the reporting controller/instance).
fn source(ev: &Value) -> String {
    let component = text(
        ev,
        &[
            "/source/component",
            "/deprecatedSource/component",
            "/reportingComponent",
            "/reportingController",
        ],
    );
    let host = text(ev, &["/source/host", "/deprecatedSource/host", "/reportingInstance"]);
    if host.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {host}")
    }
}

/// LAST SEEN, TYPE, REASON, OBJECT, SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME.
pub(crate) fn event(ev: &Value, now: Timestamp) -> Row {
    let first_time = field(ev, &["/firstTimestamp", "/deprecatedFirstTimestamp"]);
    let first_seen = match age::timestamp_of(first_time) {
        Some(_) => age::since(first_time, now),
        None => age::since(ev.get("eventTime"), now),
    };
    let last_time = field(ev, &["/lastTimestamp", "/deprecatedLastTimestamp"]);
    let mut last_seen = match age::timestamp_of(last_time) {
        Some(_) => age::since(last_time, now),
        None => first_seen.clone(),
    };
    let mut count = opt_int_at(ev, "/count")
        .or_else(|| opt_int_at(ev, "/deprecatedCount"))
        .unwrap_or(0);
    match ev.get("series").filter(|s| !s.is_null()) {
        Some(series) => {
            last_seen = age::since(series.get("lastObservedTime"), now);
            count = opt_int_at(series, "/count").unwrap_or(0);
        }
        None if count == 0 => count = 1,
        None => {}
    }
    let kind = text(ev, &["/involvedObject/kind", "/regarding/kind"]).to_lowercase();
    let object_name = text(ev, &["/involvedObject/name", "/regarding/name"]);
    let target = if object_name.is_empty() {
        kind
    } else {
        format!("{kind}/{object_name}")
    };
    let message = text(ev, &["/message", "/note"]).trim();
    Row {
        cells: vec![
            Value::from(last_seen),
            Value::from(str_at(ev, "/type")),
            Value::from(str_at(ev, "/reason")),
            Value::from(target),
            Value::from(text(ev, &["/involvedObject/fieldPath", "/regarding/fieldPath"])),
            Value::from(source(ev)),
            Value::from(message),
            Value::from(first_seen),
            Value::from(count),
            name(ev),
        ],
        conditions: Vec::new(),
    }
}
