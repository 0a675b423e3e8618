//! Whether a routing object belongs to the Rollout, so that a router only ever changes objects it
//! created (a canary Ingress, a TrafficSplit) and refuses someone else's of the same name.

use rollouts_api::Rollout;
use serde_json::Value;

/// Whether the object's controller owner reference is the Rollout (Go's `metav1.IsControlledBy`:
/// the first owner reference marked `controller`, compared by UID).
pub fn controlled_by(object: &Value, rollout: &Rollout) -> bool {
    let rollout_uid = rollout.metadata.uid.as_deref().unwrap_or_default();
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .is_some_and(|r| r.get("uid").and_then(Value::as_str).unwrap_or_default() == rollout_uid)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rollout(uid: &str) -> Rollout {
        serde_json::from_value(json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "r", "namespace": "ns", "uid": uid}, "spec": {}}))
        .expect("a Rollout")
    }

    fn owned(references: Value) -> Value {
        json!({"metadata": {"name": "o", "ownerReferences": references}})
    }

    #[test]
    fn the_first_controller_reference_decides_by_uid() {
        let r = rollout("u1");
        let reference = |uid: &str, controller: bool| {
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "r", "uid": uid,
                   "controller": controller})
        };
        assert!(controlled_by(&owned(json!([reference("u1", true)])), &r));
        assert!(controlled_by(
            &owned(json!([reference("u2", false), reference("u1", true)])),
            &r
        ));
        // Owned but not controlled, or controlled by another object.
        assert!(!controlled_by(&owned(json!([reference("u1", false)])), &r));
        assert!(!controlled_by(
            &owned(json!([reference("u2", true), reference("u1", true)])),
            &r
        ));
        assert!(!controlled_by(&json!({"metadata": {"name": "o"}}), &r));
    }
}
