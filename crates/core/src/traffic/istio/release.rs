//! Releasing a DestinationRule (upstream's Istio controller, `syncDestinationRule`): once the Rollout
//! its managed-by annotation names is gone or no longer references it, the pod-template hash labels
//! injected into its subsets and the annotation are taken out, so that the subsets select every pod of
//! their Service again.

use rollouts_api::Rollout;
use rollouts_api::well_known::{annotations, labels};
use serde_json::Value;

/// The Rollout a DestinationRule's managed-by annotation names, if any.
pub fn managing_rollout(rule: &Value) -> Option<&str> {
    rule["metadata"]["annotations"][annotations::MANAGED_BY_ROLLOUTS]
        .as_str()
        .filter(|name| !name.is_empty())
}

/// Whether `rollout` routes through the DestinationRule `namespace/name` (upstream
/// `GetRolloutDesinationRuleKeys`: its own namespace, `trafficRouting.istio.destinationRule.name`).
pub fn references_destination_rule(rollout: &Rollout, namespace: &str, name: &str) -> bool {
    rollout.metadata.namespace.as_deref().unwrap_or_default() == namespace
        && rollout
            .spec
            .strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .and_then(|c| c.traffic_routing.as_ref())
            .and_then(|r| r.istio.as_ref())
            .and_then(|i| i.destination_rule.as_ref())
            .is_some_and(|d| d.name == name)
}

/// The DestinationRule to write back without what was injected into it, or `None` to leave it as it
/// is: it names no managing Rollout, or `rollout` (the one it names, `None` when that one does not
/// exist) still references it.
pub fn released_destination_rule(rule: &Value, rollout: Option<&Rollout>) -> Option<Value> {
    let owner = managing_rollout(rule)?;
    let namespace = rule["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = rule["metadata"]["name"].as_str().unwrap_or_default();
    if let Some(rollout) = rollout
        && rollout.metadata.name.as_deref() == Some(owner)
        && references_destination_rule(rollout, namespace, name)
    {
        return None;
    }
    let mut released = rule.clone();
    if let Some(notes) = released["metadata"]["annotations"].as_object_mut() {
        notes.remove(annotations::MANAGED_BY_ROLLOUTS);
    }
    if let Some(subsets) = released["spec"]["subsets"].as_array_mut() {
        for subset in subsets {
            if let Some(subset_labels) = subset.get_mut("labels").and_then(Value::as_object_mut) {
                subset_labels.remove(labels::POD_TEMPLATE_HASH);
            }
        }
    }
    Some(released)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rule(annotations: Value) -> Value {
        json!({
            "apiVersion": "networking.istio.io/v1alpha3", "kind": "DestinationRule",
            "metadata": {"name": "destrule", "namespace": "default", "annotations": annotations},
            "spec": {"host": "svc", "subsets": [
                {"name": "stable", "labels": {"app": "demo", "rollouts-pod-template-hash": "abc"}},
                {"name": "canary", "labels": {"app": "demo", "rollouts-pod-template-hash": "def"}},
                {"name": "other"}
            ]}
        })
    }

    fn rollout(routing: Value) -> Rollout {
        serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "demo", "namespace": "default"},
            "spec": {"strategy": {"canary": {"trafficRouting": routing}}}
        }))
        .unwrap()
    }

    fn subset_route(rule_name: &str) -> Value {
        json!({"istio": {
            "virtualService": {"name": "vsvc"},
            "destinationRule": {"name": rule_name, "canarySubsetName": "canary", "stableSubsetName": "stable"}
        }})
    }

    fn released() -> Value {
        json!({
            "apiVersion": "networking.istio.io/v1alpha3", "kind": "DestinationRule",
            "metadata": {"name": "destrule", "namespace": "default", "annotations": {"keep": "me"}},
            "spec": {"host": "svc", "subsets": [
                {"name": "stable", "labels": {"app": "demo"}},
                {"name": "canary", "labels": {"app": "demo"}},
                {"name": "other"}
            ]}
        })
    }

    #[test]
    fn a_rule_still_referenced_by_its_rollout_is_left_alone() {
        let managed = rule(json!({"argo-rollouts.argoproj.io/managed-by-rollouts": "demo"}));
        assert_eq!(
            released_destination_rule(&managed, Some(&rollout(subset_route("destrule")))),
            None
        );
    }

    #[test]
    fn a_rule_without_the_annotation_is_left_alone() {
        assert_eq!(released_destination_rule(&rule(json!({"keep": "me"})), None), None);
    }

    #[test]
    fn a_rule_whose_rollout_is_gone_is_released() {
        let managed = rule(json!({"argo-rollouts.argoproj.io/managed-by-rollouts": "demo", "keep": "me"}));
        assert_eq!(released_destination_rule(&managed, None), Some(released()));
    }

    #[test]
    fn a_rule_its_rollout_no_longer_references_is_released() {
        let managed = rule(json!({"argo-rollouts.argoproj.io/managed-by-rollouts": "demo", "keep": "me"}));
        for routing in [Value::Null, json!({"smi": {}}), subset_route("another")] {
            assert_eq!(
                released_destination_rule(&managed, Some(&rollout(routing.clone()))),
                Some(released()),
                "{routing}"
            );
        }
    }
}
