//! The pod anti-affinity a new ReplicaSet gets against the stable ReplicaSet's pods when the strategy
//! asks for `antiAffinity` (upstream `GenerateReplicaSetAffinity`, `IfInjectedAntiAffinityRuleNeedsUpdate`).
//!
//! The injected term is recognised by a `matchExpressions` entry on `rollouts-pod-template-hash`, the
//! same rule [`template_without_injections`](crate::hash::template_without_injections) uses to strip
//! it again before templates are compared.

use k8s_openapi::api::core::v1::{Affinity, PodAffinityTerm, PodAntiAffinity, WeightedPodAffinityTerm};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use rollouts_api::Rollout;
use rollouts_api::common::AntiAffinity;
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;

/// The node label the injected term spreads over: one pod per host.
pub const TOPOLOGY_KEY: &str = "kubernetes.io/hostname";

/// The strategy's `antiAffinity`, when one of its two rules is set (upstream `GetRolloutAffinity`:
/// the canary's wins over the blue-green one should both be present).
pub fn rollout_anti_affinity(rollout: &Rollout) -> Option<&AntiAffinity> {
    let strategy = rollout.spec.strategy.as_ref()?;
    let configured = strategy
        .canary
        .as_ref()
        .and_then(|c| c.anti_affinity.as_ref())
        .or_else(|| strategy.blue_green.as_ref().and_then(|b| b.anti_affinity.as_ref()))?;
    let has_rule = configured
        .preferred_during_scheduling_ignored_during_execution
        .is_some()
        || configured.required_during_scheduling_ignored_during_execution.is_some();
    has_rule.then_some(configured)
}

/// The term keeping new pods off the nodes of the stable ReplicaSet's pods (upstream
/// `CreateInjectedAntiAffinityRule`): `rollouts-pod-template-hash In [stable]` in the Rollout's
/// namespace, per `kubernetes.io/hostname`.
pub fn injected_term(namespace: &str, stable_hash: &str) -> PodAffinityTerm {
    PodAffinityTerm {
        label_selector: Some(LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: POD_TEMPLATE_HASH.to_owned(),
                operator: "In".to_owned(),
                values: Some(vec![stable_hash.to_owned()]),
            }]),
            match_labels: None,
        }),
        namespaces: Some(vec![namespace.to_owned()]),
        topology_key: TOPOLOGY_KEY.to_owned(),
        ..PodAffinityTerm::default()
    }
}

/// The affinity of the ReplicaSet for `new_hash` (upstream `GenerateReplicaSetAffinity`): the Rollout
/// template's own affinity, plus, when `antiAffinity` is configured and a stable ReplicaSet other than
/// the new one exists, the [`injected_term`] appended to the preferred list (with the configured
/// `weight`) or, for the required rule, to the required list. The preferred rule wins when both are set.
pub fn replica_set_affinity(
    rollout: &Rollout,
    template_affinity: Option<&Affinity>,
    stable_hash: Option<&str>,
    new_hash: &str,
) -> Option<Affinity> {
    let mut affinity = template_affinity.cloned();
    let Some(strategy) = rollout_anti_affinity(rollout) else {
        return affinity;
    };
    let Some(stable) = stable_hash.filter(|s| !s.is_empty() && *s != new_hash) else {
        return affinity;
    };
    let term = injected_term(rollout.metadata.namespace.as_deref().unwrap_or_default(), stable);
    let anti = affinity
        .get_or_insert_default()
        .pod_anti_affinity
        .get_or_insert_with(PodAntiAffinity::default);
    match &strategy.preferred_during_scheduling_ignored_during_execution {
        Some(preferred) => anti
            .preferred_during_scheduling_ignored_during_execution
            .get_or_insert_default()
            .push(WeightedPodAffinityTerm {
                weight: preferred.weight,
                pod_affinity_term: term,
            }),
        None => anti
            .required_during_scheduling_ignored_during_execution
            .get_or_insert_default()
            .push(term),
    }
    affinity
}

/// Whether a ReplicaSet's affinity carries an injected term that points at a stable hash other than
/// the current one, so it must be regenerated with [`replica_set_affinity`] (upstream
/// `IfInjectedAntiAffinityRuleNeedsUpdate`). Only the first hash-keyed term of the configured kind is
/// looked at; a term without values (an `Exists` expression) never needs an update; nothing needs one
/// while the stable ReplicaSet is the new one.
pub fn injected_rule_needs_update(
    current: Option<&Affinity>,
    rollout: &Rollout,
    stable_hash: Option<&str>,
    new_hash: &str,
) -> bool {
    let stable = stable_hash.unwrap_or_default();
    if stable == new_hash {
        return false;
    }
    let Some(term) = find_injected_term(current, rollout) else {
        return false;
    };
    hash_expressions(term).any(|req| {
        req.values
            .as_deref()
            .and_then(<[String]>::first)
            .is_some_and(|first| first != stable)
    })
}

/// The first term of the configured kind with a `rollouts-pod-template-hash` expression (upstream
/// `HasInjectedAntiAffinityRule`).
fn find_injected_term<'a>(affinity: Option<&'a Affinity>, rollout: &Rollout) -> Option<&'a PodAffinityTerm> {
    let strategy = rollout_anti_affinity(rollout)?;
    let anti = affinity?.pod_anti_affinity.as_ref()?;
    let injected = |term: &&PodAffinityTerm| hash_expressions(term).next().is_some();
    if strategy.preferred_during_scheduling_ignored_during_execution.is_some() {
        anti.preferred_during_scheduling_ignored_during_execution
            .iter()
            .flatten()
            .map(|weighted| &weighted.pod_affinity_term)
            .find(injected)
    } else {
        anti.required_during_scheduling_ignored_during_execution
            .iter()
            .flatten()
            .find(injected)
    }
}

fn hash_expressions(term: &PodAffinityTerm) -> impl Iterator<Item = &LabelSelectorRequirement> {
    term.label_selector
        .as_ref()
        .and_then(|s| s.match_expressions.as_ref())
        .into_iter()
        .flatten()
        .filter(|req| req.key == POD_TEMPLATE_HASH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::template_without_injections;
    use k8s_openapi::api::apps::v1::ReplicaSet;
    use serde_json::{Value, json};

    fn rollout(strategy: Value) -> Rollout {
        serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "nginx", "namespace": "ns"},
            "spec": {"strategy": strategy},
        }))
        .unwrap()
    }

    fn affinity(value: Value) -> Affinity {
        serde_json::from_value(value).unwrap()
    }

    fn required() -> Rollout {
        rollout(json!({"blueGreen": {"activeService": "a", "antiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {}
        }}}))
    }

    fn preferred(weight: i32) -> Rollout {
        rollout(json!({"canary": {"antiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": {"weight": weight}
        }}}))
    }

    fn own_term() -> Value {
        json!({"labelSelector": {"matchExpressions": [{"key": "xxxx", "operator": "Exists"}]}, "topologyKey": "zone"})
    }

    fn injected_json(hash: &str) -> Value {
        json!({
            "labelSelector": {"matchExpressions": [{"key": POD_TEMPLATE_HASH, "operator": "In", "values": [hash]}]},
            "namespaces": ["ns"],
            "topologyKey": "kubernetes.io/hostname",
        })
    }

    #[test]
    fn the_configured_rule_is_found() {
        assert_eq!(rollout_anti_affinity(&rollout(json!({"canary": {}}))), None);
        assert_eq!(
            rollout_anti_affinity(&rollout(json!({"canary": {"antiAffinity": {}}}))),
            None
        );
        assert!(rollout_anti_affinity(&required()).is_some());
        assert!(rollout_anti_affinity(&preferred(1)).is_some());
        assert_eq!(rollout_anti_affinity(&rollout(Value::Null)), None);
    }

    #[test]
    fn the_injected_term_has_upstream_shape() {
        let term = serde_json::to_value(injected_term("ns", "abc")).unwrap();
        assert_eq!(term, injected_json("abc"));
    }

    #[test]
    fn generates_replica_set_affinity() {
        let template_own = affinity(json!({
            "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [own_term()]},
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [own_term()]},
        }));
        let preferred_own = affinity(json!({"podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": own_term()}]
        }}));
        type Case<'a> = (&'a str, Rollout, Option<&'a Affinity>, Option<&'a str>, Option<Value>);
        let cases: Vec<Case> = vec![
            (
                "not configured",
                rollout(json!({"canary": {}})),
                None,
                Some("stable"),
                None,
            ),
            (
                "not configured keeps own",
                rollout(json!({"canary": {}})),
                Some(&preferred_own),
                Some("s"),
                Some(serde_json::to_value(&preferred_own).unwrap()),
            ),
            ("no stable", required(), None, None, None),
            ("empty stable", required(), None, Some(""), None),
            ("stable is new", required(), None, Some("new"), None),
            (
                "required into empty",
                required(),
                None,
                Some("test"),
                Some(
                    json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [injected_json("test")]}}),
                ),
            ),
            (
                "required appended after own terms",
                required(),
                Some(&template_own),
                Some("test"),
                Some(json!({
                    "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [own_term()]},
                    "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [own_term(), injected_json("test")]},
                })),
            ),
            (
                "preferred appended with weight",
                preferred(7),
                Some(&preferred_own),
                Some("test"),
                Some(
                    json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 1, "podAffinityTerm": own_term()},
                        {"weight": 7, "podAffinityTerm": injected_json("test")},
                    ]}}),
                ),
            ),
        ];
        for (name, rollout, template, stable, expected) in cases {
            let got = replica_set_affinity(&rollout, template, stable, "new").map(|a| serde_json::to_value(a).unwrap());
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn detects_a_stale_injected_rule() {
        let ro = required();
        let stale = affinity(
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchExpressions": [{"key": POD_TEMPLATE_HASH, "operator": "In", "values": ["not-test"]}]}, "topologyKey": "h"}
            ]}}),
        );
        let exists = affinity(
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchExpressions": [{"key": POD_TEMPLATE_HASH, "operator": "Exists"}]}, "topologyKey": "h"}
            ]}}),
        );
        let no_selector = affinity(
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "h"}]}}),
        );
        let current = replica_set_affinity(&ro, None, Some("test"), "new");
        let soft = preferred(1);
        type Case<'a> = (&'a str, &'a Rollout, Option<&'a Affinity>, Option<&'a str>, bool);
        let cases: Vec<Case> = vec![
            ("no affinity", &ro, None, Some("test"), false),
            ("stale hash", &ro, Some(&stale), Some("test"), true),
            ("no values (Exists)", &ro, Some(&exists), Some("test"), false),
            ("no label selector", &ro, Some(&no_selector), Some("test"), false),
            ("up to date", &ro, current.as_ref(), Some("test"), false),
            ("stable became the new one", &ro, Some(&stale), Some("new"), false),
            ("stable gone", &ro, Some(&stale), None, true),
            ("strategy kind differs", &soft, Some(&stale), Some("test"), false),
        ];
        for (name, rollout, current, stable, expected) in cases {
            assert_eq!(
                injected_rule_needs_update(current, rollout, stable, "new"),
                expected,
                "{name}"
            );
        }
    }

    /// What is injected here is exactly what the hash module strips before comparing templates.
    #[test]
    fn injection_round_trips_through_the_stripper() {
        let template_own =
            affinity(json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [own_term()]}}));
        for (ro, own) in [
            (required(), None),
            (required(), Some(&template_own)),
            (preferred(3), None),
        ] {
            let injected = replica_set_affinity(&ro, own, Some("stable"), "new");
            let rs: ReplicaSet = serde_json::from_value(json!({"spec": {"selector": {}, "template": {
                "spec": {"containers": [], "affinity": injected}
            }}}))
            .unwrap();
            let stripped = template_without_injections(&rs, rollout_anti_affinity(&ro));
            assert_eq!(stripped.spec.and_then(|s| s.affinity).as_ref(), own);
            // Regenerating is stable: the same inputs give the same affinity.
            assert_eq!(replica_set_affinity(&ro, own, Some("stable"), "new"), injected);
        }
    }
}
