//! Small readers and helpers over objects in Kubernetes' JSON shape: metadata, owner references, label
//! selectors, int-or-percent values, times, and the semantic equality Kubernetes compares specs with.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use super::SimError;

/// The string at a JSON pointer, if it is one.
pub(crate) fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

/// The integer at a JSON pointer, if it is one.
pub(crate) fn i64_at(v: &Value, ptr: &str) -> Option<i64> {
    v.pointer(ptr).and_then(Value::as_i64)
}

/// The boolean at a JSON pointer; absent means false.
pub(crate) fn bool_at(v: &Value, ptr: &str) -> bool {
    v.pointer(ptr).and_then(Value::as_bool).unwrap_or(false)
}

/// The array at a JSON pointer; absent means empty.
pub(crate) fn array_at<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    v.pointer(ptr).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `metadata.name`, or "".
pub(crate) fn name(v: &Value) -> &str {
    str_at(v, "/metadata/name").unwrap_or("")
}

/// `metadata.namespace`, or "".
pub(crate) fn namespace(v: &Value) -> &str {
    str_at(v, "/metadata/namespace").unwrap_or("")
}

/// `metadata.uid`, or "".
pub(crate) fn uid(v: &Value) -> &str {
    str_at(v, "/metadata/uid").unwrap_or("")
}

/// `metadata.generation`, or 0.
pub(crate) fn generation(v: &Value) -> i64 {
    i64_at(v, "/metadata/generation").unwrap_or(0)
}

/// True when the object is being deleted.
pub(crate) fn is_deleting(v: &Value) -> bool {
    v.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

/// `metadata.creationTimestamp`, parsed.
pub(crate) fn created(v: &Value) -> Option<Timestamp> {
    str_at(v, "/metadata/creationTimestamp").and_then(parse_time)
}

/// `metadata.labels` (empty when absent).
pub(crate) fn labels(v: &Value) -> Map<String, Value> {
    v.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// An annotation's value.
pub(crate) fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// Requires metadata.name, namespace and uid, which every stored object has and every plan needs.
pub(crate) fn require_identity(v: &Value) -> Result<(), SimError> {
    for (field, value) in [
        ("metadata.name", name(v)),
        ("metadata.namespace", namespace(v)),
        ("metadata.uid", uid(v)),
    ] {
        if value.is_empty() {
            return Err(SimError::Missing { field });
        }
    }
    Ok(())
}

/// Sets the value at `path`, turning whatever is in the way into objects (unlike indexing, never panics).
pub(crate) fn set_at(v: &mut Value, path: &[&str], value: Value) {
    match path.split_first() {
        None => *v = value,
        Some((key, rest)) => {
            if !v.is_object() {
                *v = Value::Object(Map::new());
            }
            if let Some(m) = v.as_object_mut() {
                set_at(m.entry(key.to_string()).or_insert(Value::Null), rest, value);
            }
        }
    }
}

/// The owner reference marked `controller: true`, if any.
pub(crate) fn controller_ref(v: &Value) -> Option<&Value> {
    array_at(v, "/metadata/ownerReferences")
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// True when `v` is controlled by the object with uid `owner_uid`.
pub(crate) fn is_controlled_by(v: &Value, owner_uid: &str) -> bool {
    controller_ref(v).and_then(|r| r.get("uid")).and_then(Value::as_str) == Some(owner_uid)
}

/// A controller owner reference to `owner`, as controllers put on what they create.
pub(crate) fn controller_owner_ref(api_version: &str, kind: &str, owner: &Value) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Parses an RFC 3339 time as the API writes it.
pub(crate) fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

/// Formats a time as the API does for `metav1.Time`: whole seconds, UTC.
pub(crate) fn fmt_time(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).unwrap_or(t).to_string()
}

/// `t + d`, saturating at the end of representable time.
pub(crate) fn add(t: Timestamp, d: Duration) -> Timestamp {
    SignedDuration::try_from(d)
        .ok()
        .and_then(|sd| t.checked_add(sd).ok())
        .unwrap_or(Timestamp::MAX)
}

/// `t - d`, saturating at the start of representable time.
pub(crate) fn sub(t: Timestamp, d: Duration) -> Timestamp {
    SignedDuration::try_from(d)
        .ok()
        .and_then(|sd| t.checked_sub(sd).ok())
        .unwrap_or(Timestamp::MIN)
}

/// How long from `now` until `at`; zero when `at` has passed.
pub(crate) fn until(now: Timestamp, at: Timestamp) -> Duration {
    Duration::try_from(at.duration_since(now)).unwrap_or(Duration::ZERO)
}

/// Seconds as a duration (negative counts as zero).
pub(crate) fn secs(s: i64) -> Duration {
    Duration::from_secs(u64::try_from(s).unwrap_or(0))
}

/// A `metav1.LabelSelector` (or a plain label map, as Services use) ready to match label sets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selector {
    reqs: Vec<Requirement>,
    nothing: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    /// A selector that matches no object (a missing `LabelSelector`).
    pub(crate) fn nothing() -> Self {
        Selector {
            reqs: Vec::new(),
            nothing: true,
        }
    }

    /// Parses a `LabelSelector`: null selects nothing, `{}` everything.
    pub(crate) fn parse(v: Option<&Value>) -> Result<Self, SimError> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(Selector::nothing());
        };
        let mut reqs = Self::from_map(v.get("matchLabels"))?.reqs;
        for e in v
            .get("matchExpressions")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
        {
            let key = e.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
            let values: Vec<String> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|vs| vs.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let req = match e.get("operator").and_then(Value::as_str) {
                Some("In") => Requirement::In(key, values),
                Some("NotIn") => Requirement::NotIn(key, values),
                Some("Exists") => Requirement::Exists(key),
                Some("DoesNotExist") => Requirement::DoesNotExist(key),
                other => {
                    return Err(SimError::Invalid {
                        field: "selector.matchExpressions.operator".into(),
                        reason: format!("unknown operator {other:?}"),
                    });
                }
            };
            reqs.push(req);
        }
        Ok(Selector { reqs, nothing: false })
    }

    /// A selector from a plain label map (`matchLabels`, a Service's `spec.selector`).
    pub(crate) fn from_map(v: Option<&Value>) -> Result<Self, SimError> {
        let mut reqs = Vec::new();
        for (k, val) in v.and_then(Value::as_object).into_iter().flatten() {
            let Some(s) = val.as_str() else {
                return Err(SimError::Invalid {
                    field: format!("selector {k}"),
                    reason: "not a string".into(),
                });
            };
            reqs.push(Requirement::In(k.clone(), vec![s.to_string()]));
        }
        Ok(Selector { reqs, nothing: false })
    }

    /// True when the labels satisfy every requirement.
    pub(crate) fn matches(&self, labels: &Map<String, Value>) -> bool {
        if self.nothing {
            return false;
        }
        self.reqs.iter().all(|r| {
            let get = |k: &str| labels.get(k).and_then(Value::as_str);
            match r {
                Requirement::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
                Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
                Requirement::Exists(k) => labels.contains_key(k),
                Requirement::DoesNotExist(k) => !labels.contains_key(k),
            }
        })
    }

    /// True when the object's labels satisfy the selector.
    pub(crate) fn selects(&self, obj: &Value) -> bool {
        self.matches(&labels(obj))
    }
}

/// Resolves an int-or-percent against `total`, rounding percentages up or down, as Kubernetes'
/// `GetScaledValueFromIntOrPercent` does. Absent values take `default`.
pub(crate) fn int_or_percent(v: Option<&Value>, default: &str, total: i64, round_up: bool) -> Result<i64, SimError> {
    let v = match v {
        None | Some(Value::Null) => Value::String(default.to_string()),
        Some(v) => v.clone(),
    };
    if let Some(n) = v.as_i64() {
        return Ok(n);
    }
    let invalid = |s: &str| SimError::Invalid {
        field: "int-or-percent".into(),
        reason: format!("{s:?}"),
    };
    let s = v.as_str().ok_or_else(|| invalid(&v.to_string()))?;
    let pct: i64 = s
        .strip_suffix('%')
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| invalid(s))?;
    let scaled = pct.saturating_mul(total);
    Ok(if round_up {
        scaled.div_euclid(100) + i64::from(scaled.rem_euclid(100) != 0)
    } else {
        scaled.div_euclid(100)
    })
}

/// The value without nulls, empty objects and empty arrays anywhere: Kubernetes' semantic equality
/// treats those like absent fields.
pub(crate) fn normalized(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalized(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Semantic equality: equal once nulls and empty collections are dropped.
pub(crate) fn semantic_eq(a: &Value, b: &Value) -> bool {
    normalized(a) == normalized(b)
}

/// Sets an integer field that the API omits when zero (`omitempty`).
pub(crate) fn set_count(m: &mut Map<String, Value>, key: &str, n: i64) {
    if n == 0 {
        m.remove(key);
    } else {
        m.insert(key.to_string(), json!(n));
    }
}

/// The condition of a type in a `conditions` array.
pub(crate) fn condition<'a>(conditions: &'a [Value], kind: &str) -> Option<&'a Value> {
    conditions
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

/// Go's `time.Duration` printing for whole seconds (`10s`, `1m20s`, `5m0s`), used in kubelet messages.
pub(crate) fn go_duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec}s"),
        (h, m, sec) => format!("{h}h{m}m{sec}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_follow_label_selector_semantics() {
        let labels: Map<String, Value> = serde_json::from_value(json!({"app": "web", "tier": "front"})).unwrap();
        let cases = [
            (json!(null), false),
            (json!({}), true),
            (json!({"matchLabels": {"app": "web"}}), true),
            (json!({"matchLabels": {"app": "db"}}), false),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}),
                false,
            ),
            (
                json!({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "app", "operator": "Exists"}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}),
                false,
            ),
        ];
        for (sel, want) in cases {
            assert_eq!(Selector::parse(Some(&sel)).unwrap().matches(&labels), want, "{sel}");
        }
        assert!(Selector::parse(Some(&json!({"matchExpressions": [{"key": "a", "operator": "Near"}]}))).is_err());
    }

    #[test]
    fn int_or_percent_rounds_like_kubernetes() {
        assert_eq!(int_or_percent(None, "25%", 10, true).unwrap(), 3);
        assert_eq!(int_or_percent(None, "25%", 10, false).unwrap(), 2);
        assert_eq!(int_or_percent(Some(&json!(4)), "25%", 10, false).unwrap(), 4);
        assert_eq!(int_or_percent(Some(&json!("100%")), "0", 7, false).unwrap(), 7);
        assert!(int_or_percent(Some(&json!("abc")), "0", 7, false).is_err());
    }

    #[test]
    fn semantic_equality_ignores_empties() {
        assert!(semantic_eq(
            &json!({"a": {}, "b": [], "c": null, "d": 1}),
            &json!({"d": 1})
        ));
        assert!(!semantic_eq(&json!({"d": 1}), &json!({"d": 2})));
    }

    #[test]
    fn times_print_in_whole_seconds() {
        let t: Timestamp = "2024-05-01T10:00:00.750Z".parse().unwrap();
        assert_eq!(fmt_time(t), "2024-05-01T10:00:00Z");
        assert_eq!(until(t, add(t, Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(until(add(t, Duration::from_secs(3)), t), Duration::ZERO);
        assert_eq!(go_duration(Duration::from_secs(80)), "1m20s");
        assert_eq!(go_duration(Duration::from_secs(300)), "5m0s");
        assert_eq!(go_duration(Duration::from_secs(10)), "10s");
    }
}
