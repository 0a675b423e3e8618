//! `events.k8s.io/v1` Events and core `v1` Events are one resource stored once (in the core form), as
//! in Kubernetes: what a controller records through events.k8s.io, `kubectl describe` reads as core
//! events, and the other way round. These functions convert between the two shapes.

use serde_json::{Map, Value};

/// Field renames between the events.k8s.io form (left) and the core form (right).
const RENAMES: [(&str, &str); 7] = [
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

/// Whether objects of this group/plural are events.k8s.io Events.
pub fn is_events_api(group: &str, plural: &str) -> bool {
    group == "events.k8s.io" && plural == "events"
}

fn rename(obj: &Value, from_core: bool, api_version: &str) -> Value {
    let Some(map) = obj.as_object() else { return obj.clone() };
    let mut out = Map::new();
    for (key, value) in map {
        let renamed = RENAMES
            .iter()
            .find(|(events, core)| if from_core { core == key } else { events == key })
            .map_or(key.as_str(), |(events, core)| if from_core { *events } else { *core });
        out.insert(renamed.to_string(), value.clone());
    }
    out.insert("apiVersion".into(), Value::String(api_version.to_string()));
    out.insert("kind".into(), Value::String("Event".into()));
    Value::Object(out)
}

/// A stored (core) Event as served by events.k8s.io/v1.
pub fn to_events_api(core: &Value) -> Value {
    rename(core, true, "events.k8s.io/v1")
}

/// An events.k8s.io/v1 Event in the stored (core) form.
pub fn to_core(event: &Value) -> Value {
    rename(event, false, "v1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_map_both_ways() {
        let e = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "x"},
            "regarding": {"kind": "Rollout", "name": "r"}, "note": "Scaled up", "reason": "ScalingReplicaSet",
            "type": "Normal", "reportingController": "rollouts-controller", "eventTime": "2026-01-01T00:00:00.000000Z"});
        let core = to_core(&e);
        assert_eq!(core["apiVersion"], "v1");
        assert_eq!(core["involvedObject"]["name"], "r");
        assert_eq!(core["message"], "Scaled up");
        assert_eq!(core["reportingComponent"], "rollouts-controller");
        assert_eq!(to_events_api(&core), e);
    }
}
