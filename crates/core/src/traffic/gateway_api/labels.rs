//! The in-progress label: put on every route the router weights while the canary carries traffic, and
//! taken off when the canary weight returns to 0, so that GitOps tools can ignore the route meanwhile.

use serde_json::{Map, Value};

use super::config::InProgressLabel;

/// Puts the label on `route` (canary weight above 0) or takes it off (weight 0).
pub fn apply_in_progress_label(route: &mut Value, canary_weight: i32, label: Option<&InProgressLabel>) {
    let Some(label) = label else {
        return;
    };
    let Some(metadata) = route.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if canary_weight == 0 {
        let now_empty = match metadata.get_mut("labels").and_then(Value::as_object_mut) {
            Some(labels) => labels.remove(&label.key).is_some() && labels.is_empty(),
            None => false,
        };
        // Go's `omitempty` drops the map once its last label is gone.
        if now_empty {
            metadata.remove("labels");
        }
        return;
    }
    let labels = metadata.entry("labels").or_insert_with(|| Value::Object(Map::new()));
    if labels.is_null() {
        *labels = Value::Object(Map::new());
    }
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(label.key.clone(), Value::String(label.value.clone()));
    }
}
