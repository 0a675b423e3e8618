//! Whether a ReplicaSet is still in use, so that it must keep its pods (upstream
//! `isReplicaSetReferenced`): its hash is recorded in the Rollout's status, a Service of the Rollout
//! selects it, or (Istio with subsets) a DestinationRule subset does.

use k8s_openapi::api::core::v1::Service;
use rollouts_api::Rollout;
use rollouts_api::rollout_status::RolloutStatus;
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;
use serde_json::Value;

/// A hash the status names: `stableRS`, `currentPodHash`, the blue-green active and preview
/// selectors, or a destination of `canary.weights` (canary, stable, and the extra ones).
pub fn recorded_in_status(status: &RolloutStatus, hash: &str) -> bool {
    if hash.is_empty() {
        return false;
    }
    let blue_green = status.blue_green.as_ref();
    let recorded = [
        status.stable_rs.as_deref(),
        status.current_pod_hash.as_deref(),
        blue_green.and_then(|b| b.active_selector.as_deref()),
        blue_green.and_then(|b| b.preview_selector.as_deref()),
    ];
    if recorded.contains(&Some(hash)) {
        return true;
    }
    let Some(weights) = status.canary.as_ref().and_then(|c| c.weights.as_ref()) else {
        return false;
    };
    std::iter::once(&weights.canary)
        .chain(std::iter::once(&weights.stable))
        .chain(weights.additional.iter().flatten())
        .any(|d| d.pod_template_hash.as_deref() == Some(hash))
}

/// Whether the canary or the stable Service, as observed, selects this hash. A Service that does not
/// exist selects nothing.
fn selected_by_canary_services(rollout: &Rollout, services: &[Service], hash: &str) -> bool {
    let Some(canary) = rollout.spec.strategy.as_ref().and_then(|s| s.canary.as_ref()) else {
        return false;
    };
    [canary.canary_service.as_deref(), canary.stable_service.as_deref()]
        .into_iter()
        .flatten()
        .filter(|name| !name.is_empty())
        .filter_map(|name| services.iter().find(|s| s.metadata.name.as_deref() == Some(name)))
        .any(|svc| {
            svc.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .and_then(|s| s.get(POD_TEMPLATE_HASH))
                .is_some_and(|h| h == hash)
        })
}

/// Whether a subset of the Istio DestinationRule the Rollout names (any subset, the canary, the stable
/// or an additional one) selects this hash. Without such a DestinationRule, or when it does not exist,
/// nothing is selected.
pub fn selected_by_destination_rule(rollout: &Rollout, routing_objects: &[Value], hash: &str) -> bool {
    let Some(rule) = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.traffic_routing.as_ref())
        .and_then(|t| t.istio.as_ref())
        .and_then(|i| i.destination_rule.as_ref())
    else {
        return false;
    };
    let namespace = rollout.metadata.namespace.as_deref().unwrap_or_default();
    let text = |object: &Value, pointer: &str| object.pointer(pointer).and_then(Value::as_str).map(str::to_string);
    let Some(object) = routing_objects.iter().find(|o| {
        text(o, "/kind").as_deref() == Some("DestinationRule")
            && text(o, "/metadata/name").as_deref() == Some(rule.name.as_str())
            && text(o, "/metadata/namespace").is_none_or(|n| n.is_empty() || n == namespace)
    }) else {
        return false;
    };
    object
        .pointer("/spec/subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|subset| {
            subset
                .pointer("/labels")
                .and_then(|l| l.get(POD_TEMPLATE_HASH))
                .and_then(Value::as_str)
                == Some(hash)
        })
}

/// Upstream `isReplicaSetReferenced` for a canary, against what was observed: the status, the canary
/// and stable Services, and the DestinationRule. An empty hash is never referenced.
pub fn canary_replica_set_referenced(
    rollout: &Rollout,
    services: &[Service],
    routing_objects: &[Value],
    hash: &str,
) -> bool {
    if hash.is_empty() {
        return false;
    }
    let status = rollout.status.clone().unwrap_or_default();
    recorded_in_status(&status, hash)
        || selected_by_canary_services(rollout, services, hash)
        || selected_by_destination_rule(rollout, routing_objects, hash)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn canary_rollout(canary: Value, status: Value) -> Rollout {
        serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Rollout",
            "metadata": {"name": "test", "namespace": "default"},
            "spec": {"strategy": {"canary": canary}},
            "status": status
        }))
        .unwrap()
    }

    fn service(name: &str, hash: &str) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"rollouts-pod-template-hash": hash}}
        }))
        .unwrap()
    }

    fn status(value: Value) -> RolloutStatus {
        serde_json::from_value(value).unwrap()
    }

    /// Upstream's `TestIsReplicaSetReferenced`, status rows.
    #[test]
    fn hashes_recorded_in_the_status_are_referenced() {
        let cases = [
            ("empty hash", json!({"stableRS": "abc123"}), "", false),
            ("not referenced", json!({"stableRS": "abc123"}), "def456", false),
            ("stable rs referenced", json!({"stableRS": "abc123"}), "abc123", true),
            (
                "current rs referenced",
                json!({"currentPodHash": "abc123"}),
                "abc123",
                true,
            ),
            (
                "active referenced",
                json!({"blueGreen": {"activeSelector": "abc123"}}),
                "abc123",
                true,
            ),
            (
                "preview referenced",
                json!({"blueGreen": {"previewSelector": "abc123"}}),
                "abc123",
                true,
            ),
            (
                "traffic routed canary pod hash",
                json!({"canary": {"weights": {"canary": {"weight": 10, "podTemplateHash": "abc123"},
                                              "stable": {"weight": 90}}}}),
                "abc123",
                true,
            ),
            (
                "traffic routed stable pod hash",
                json!({"canary": {"weights": {"canary": {"weight": 10},
                                              "stable": {"weight": 90, "podTemplateHash": "abc123"}}}}),
                "abc123",
                true,
            ),
            (
                "experiment destination pod hash",
                json!({"canary": {"weights": {"canary": {"weight": 10}, "stable": {"weight": 80},
                    "additional": [{"weight": 10, "podTemplateHash": "abc123"}]}}}),
                "abc123",
                true,
            ),
        ];
        for (name, s, hash, expected) in cases {
            assert_eq!(recorded_in_status(&status(s.clone()), hash), expected, "{name}");
            let rollout = canary_rollout(json!({}), s);
            assert_eq!(
                canary_replica_set_referenced(&rollout, &[], &[], hash),
                expected,
                "{name}"
            );
        }
    }

    /// Upstream's `TestIsReplicaSetReferenced`, Service rows of a canary.
    #[test]
    fn hashes_selected_by_the_canary_or_stable_service_are_referenced() {
        let promoted = json!({"currentPodHash": "abc123", "stableRS": "abc123"});
        let services = [service("mysvc", "def456")];
        let canary = canary_rollout(json!({"canaryService": "mysvc"}), promoted.clone());
        assert!(canary_replica_set_referenced(&canary, &services, &[], "def456"));
        let stable = canary_rollout(json!({"stableService": "mysvc"}), promoted.clone());
        assert!(canary_replica_set_referenced(&stable, &services, &[], "def456"));
        // A Service that does not exist references nothing.
        assert!(!canary_replica_set_referenced(&stable, &[], &[], "def456"));
        // Another Service of the namespace does not count.
        let other = [service("unrelated", "def456")];
        assert!(!canary_replica_set_referenced(&stable, &other, &[], "def456"));
    }

    fn istio(destination_rule: Option<&str>) -> Value {
        let mut istio = json!({"virtualService": {"name": "vsvc"}});
        if let Some(name) = destination_rule {
            istio["destinationRule"] =
                json!({"name": name, "canarySubsetName": "canary", "stableSubsetName": "stable"});
        }
        json!({"trafficRouting": {"istio": istio}})
    }

    fn destination_rule(name: &str, subsets: Value) -> Value {
        let mut rule = json!({
            "apiVersion": "networking.istio.io/v1alpha3",
            "kind": "DestinationRule",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"host": "test-service"}
        });
        if !subsets.is_null() {
            rule["spec"]["subsets"] = subsets;
        }
        rule
    }

    fn subsets(stable: &str, canary: &str) -> Value {
        json!([
            {"name": "stable", "labels": {"rollouts-pod-template-hash": stable}},
            {"name": "canary", "labels": {"rollouts-pod-template-hash": canary}}
        ])
    }

    /// Upstream's `TestIsReplicaSetReferencedByIstioDestinationRule`.
    #[test]
    fn hashes_selected_by_a_destination_rule_subset_are_referenced() {
        let rule = destination_rule("test-destrule", subsets("abc123", "def456"));
        let cases = [
            ("no traffic routing", json!({}), vec![rule.clone()], "abc123", false),
            (
                "traffic routing but no istio",
                json!({"trafficRouting": {}}),
                vec![rule.clone()],
                "abc123",
                false,
            ),
            (
                "no destination rule configured",
                istio(None),
                vec![rule.clone()],
                "abc123",
                false,
            ),
            (
                "stable subset references the hash",
                istio(Some("test-destrule")),
                vec![rule.clone()],
                "abc123",
                true,
            ),
            (
                "no subset references the hash",
                istio(Some("test-destrule")),
                vec![rule.clone()],
                "xyz789",
                false,
            ),
            (
                "destination rule not found",
                istio(Some("non-existent-destrule")),
                vec![rule.clone()],
                "abc123",
                false,
            ),
            (
                "destination rule not loaded",
                istio(Some("test-destrule")),
                vec![],
                "abc123",
                false,
            ),
            (
                "canary subset references the hash",
                istio(Some("test-destrule")),
                vec![destination_rule("test-destrule", subsets("stable-hash", "canary-hash"))],
                "canary-hash",
                true,
            ),
            (
                "an additional subset references the hash",
                istio(Some("test-destrule")),
                vec![destination_rule(
                    "test-destrule",
                    json!([{"name": "extra", "labels": {"rollouts-pod-template-hash": "abc123"}}]),
                )],
                "abc123",
                true,
            ),
            (
                "no subsets",
                istio(Some("test-destrule")),
                vec![destination_rule("test-destrule", Value::Null)],
                "abc123",
                false,
            ),
            (
                "subset without labels",
                istio(Some("test-destrule")),
                vec![destination_rule("test-destrule", json!([{"name": "stable"}]))],
                "abc123",
                false,
            ),
        ];
        for (name, canary, objects, hash, expected) in cases {
            let rollout = canary_rollout(canary, json!({}));
            assert_eq!(
                selected_by_destination_rule(&rollout, &objects, hash),
                expected,
                "{name}"
            );
            assert_eq!(
                canary_replica_set_referenced(&rollout, &[], &objects, hash),
                expected,
                "{name}"
            );
        }
    }
}
