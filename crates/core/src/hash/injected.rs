//! What upstream's controller adds to a ReplicaSet's pod template beyond the Rollout's own
//! template, and removes again before comparing the two (`FindNewReplicaSet`): the ephemeral
//! canary/stable metadata and the anti-affinity term against the stable ReplicaSet.

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use rollouts_api::common::AntiAffinity;
use rollouts_api::well_known::annotations::EPHEMERAL_METADATA;
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;
use serde_json::{Map, Value};

/// A ReplicaSet's pod template without upstream's injections, ready for
/// [`template_equal_ignoring_hash`](super::template_equal_ignoring_hash):
///
/// - the labels and annotations recorded in the ReplicaSet's `rollout.argoproj.io/ephemeral-metadata`
///   annotation are removed (`SyncReplicaSetEphemeralPodMetadata(rs, nil)`);
/// - when the Rollout asks for anti-affinity (`anti_affinity` of its strategy, with one of the two
///   rules set), the first pod anti-affinity term of that kind selecting on
///   `rollouts-pod-template-hash` is removed (`RemoveInjectedAntiAffinityRule`). Upstream leaves an
///   empty `preferredDuringSchedulingIgnoredDuringExecution` list behind, which then never equals a
///   template without affinity; here emptied lists and objects are removed entirely.
pub fn template_without_injections(rs: &ReplicaSet, anti_affinity: Option<&AntiAffinity>) -> PodTemplateSpec {
    let Some(template) = rs.spec.template.clone() else {
        return PodTemplateSpec::default();
    };
    let Ok(mut value) = serde_json::to_value(&template) else {
        return template;
    };
    let recorded = rs.metadata.annotations.as_ref().and_then(|a| a.get(EPHEMERAL_METADATA));
    if let Some(Value::Object(injected)) = recorded.and_then(|text| serde_json::from_str::<Value>(text).ok()) {
        for key in ["labels", "annotations"] {
            let names = injected.get(key).and_then(Value::as_object);
            let present = value
                .pointer_mut(&format!("/metadata/{key}"))
                .and_then(Value::as_object_mut);
            if let (Some(names), Some(present)) = (names, present) {
                names.keys().for_each(|name| drop(present.remove(name)));
            }
        }
    }
    if let Some(strategy) = anti_affinity {
        let list = if strategy.preferred_during_scheduling_ignored_during_execution.is_some() {
            Some((
                "preferredDuringSchedulingIgnoredDuringExecution",
                "/podAffinityTerm/labelSelector/matchExpressions",
            ))
        } else if strategy.required_during_scheduling_ignored_during_execution.is_some() {
            Some((
                "requiredDuringSchedulingIgnoredDuringExecution",
                "/labelSelector/matchExpressions",
            ))
        } else {
            None
        };
        if let (Some((list, expressions)), Some(spec)) = (list, value.get_mut("spec").and_then(Value::as_object_mut)) {
            remove_injected_term(spec, list, expressions);
        }
    }
    serde_json::from_value(value).unwrap_or(template)
}

fn remove_injected_term(spec: &mut Map<String, Value>, list: &str, expressions: &str) {
    let Some(terms) = spec
        .get_mut("affinity")
        .and_then(|a| a.get_mut("podAntiAffinity"))
        .and_then(|p| p.get_mut(list))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    let injected = terms.iter().position(|term| {
        term.pointer(expressions)
            .and_then(Value::as_array)
            .is_some_and(|reqs| reqs.iter().any(|r| r["key"] == POD_TEMPLATE_HASH))
    });
    let Some(index) = injected else {
        return;
    };
    terms.remove(index);
    prune(spec, "affinity");
}

/// Removes empty lists and objects under `spec[key]`, and the key itself when nothing is left.
fn prune(parent: &mut Map<String, Value>, key: &str) {
    if let Some(Value::Object(child)) = parent.get_mut(key) {
        let keys: Vec<String> = child.keys().cloned().collect();
        for k in keys {
            prune(child, &k);
        }
    }
    let empty = match parent.get(key) {
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Null) => true,
        _ => false,
    };
    if empty {
        parent.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn replica_set(value: Value) -> ReplicaSet {
        match serde_json::from_value(value) {
            Ok(rs) => rs,
            Err(e) => panic!("{e}"),
        }
    }

    fn strategy(value: Value) -> AntiAffinity {
        match serde_json::from_value(value) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn ephemeral_metadata_is_removed() {
        let rs = replica_set(json!({
            "metadata": {"annotations": {EPHEMERAL_METADATA: r#"{"labels":{"role":"canary"},"annotations":{"a":"1"}}"#}},
            "spec": {"selector": {}, "template": {"metadata": {
                "labels": {"app": "x", "role": "canary"}, "annotations": {"a": "1", "b": "2"}
            }}},
        }));
        let template = serde_json::to_value(template_without_injections(&rs, None)).unwrap_or_default();
        assert_eq!(
            template["metadata"],
            json!({"labels": {"app": "x"}, "annotations": {"b": "2"}})
        );
    }

    #[test]
    fn the_injected_anti_affinity_term_is_removed() {
        let term = json!({"labelSelector": {"matchExpressions": [
            {"key": POD_TEMPLATE_HASH, "operator": "In", "values": ["abc"]}
        ]}, "topologyKey": "kubernetes.io/hostname"});
        let own = json!({"labelSelector": {"matchLabels": {"db": "x"}}, "topologyKey": "zone"});
        let rs = replica_set(
            json!({"spec": {"selector": {}, "template": {"spec": {"containers": [], "affinity": {
                "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5, "podAffinityTerm": term}]}
            }}}}}),
        );
        let preferred = strategy(json!({"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 5}}));
        let template = serde_json::to_value(template_without_injections(&rs, Some(&preferred))).unwrap_or_default();
        assert_eq!(template["spec"].get("affinity"), None);

        let rs = replica_set(
            json!({"spec": {"selector": {}, "template": {"spec": {"containers": [], "affinity": {
                "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [own.clone(), term]}
            }}}}}),
        );
        let required = strategy(json!({"requiredDuringSchedulingIgnoredDuringExecution": {}}));
        let template = serde_json::to_value(template_without_injections(&rs, Some(&required))).unwrap_or_default();
        assert_eq!(
            template["spec"]["affinity"],
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [own]}})
        );
        // Without an anti-affinity strategy nothing is touched.
        let untouched = serde_json::to_value(template_without_injections(&rs, None)).unwrap_or_default();
        assert_eq!(
            untouched["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
    }
}
