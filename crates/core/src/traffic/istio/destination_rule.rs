//! `UpdateHash` (upstream `UpdateHash`, `shouldDelayDestinationRuleUpdate`): the canary and stable
//! subsets of the DestinationRule select their ReplicaSet's pod-template hash, experiment subsets are
//! kept, updated or added, and the DestinationRule is marked as managed by the Rollout.
//!
//! Without canary and stable Services the subsets are the only thing sending traffic to a
//! ReplicaSet, so the switch waits until the ReplicaSets it points at are fully available
//! (upstream issue #2507).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::well_known::{annotations, labels};
use serde_json::{Map, Value, json};

use super::IstioRouter;
use crate::plan::replica_sets::{hash_of, spec_replicas};
use crate::traffic::{Objects, RouterError};

/// Upstream `IsReplicaSetAvailable`: scaled up, and every desired pod available.
fn fully_available(rs: &ReplicaSet) -> bool {
    let replicas = spec_replicas(rs);
    let available = rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0);
    replicas != 0 && available != 0 && replicas <= available
}

/// Sets (or, with an empty hash, removes) the pod-template hash label of a subset.
fn set_hash_label(subset: &mut Map<String, Value>, hash: &str) {
    let labels = subset
        .entry("labels")
        .and_modify(|l| {
            if !l.is_object() {
                *l = json!({});
            }
        })
        .or_insert_with(|| json!({}));
    if let Value::Object(labels) = labels {
        if hash.is_empty() {
            labels.remove(labels::POD_TEMPLATE_HASH);
        } else {
            labels.insert(labels::POD_TEMPLATE_HASH.to_string(), json!(hash));
        }
    }
}

fn decode_error(value: &Value) -> RouterError {
    let kind = match value {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        _ => "array",
    };
    RouterError(format!(
        "json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    ))
}

impl IstioRouter<'_> {
    pub(super) fn update_destination_rule(
        &self,
        objects: &mut Objects,
        canary_hash: &str,
        stable_hash: &str,
        experiments: &[WeightDestination],
    ) -> Result<(), RouterError> {
        if let Some(waiting) = self.replica_set_to_wait_for(canary_hash, stable_hash) {
            return Err(RouterError(format!(
                "delaying destination rule switch: ReplicaSet {waiting} not fully available"
            )));
        }
        let Some(rule) = self.destination_rule() else {
            return Ok(());
        };
        let target = self.destination_rule_ref(rule);
        let mut object = objects.get(&target).cloned().ok_or_else(|| self.not_found(&target))?;

        // Experiment subsets are named after their Service.
        let mut experiment_hashes: BTreeMap<&str, &str> = experiments
            .iter()
            .map(|d| {
                (
                    d.service_name.as_deref().unwrap_or_default(),
                    d.pod_template_hash.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        let read_subsets = object
            .pointer("/spec/subsets")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let had_subsets = object.pointer("/spec/subsets").is_some();
        let mut subsets = Vec::with_capacity(read_subsets.len() + experiment_hashes.len());
        for subset in read_subsets {
            let mut subset = match subset {
                Value::Object(subset) => subset,
                // A null subset has no name, so it is none of ours and is dropped like the others.
                Value::Null => continue,
                other => return Err(decode_error(&other)),
            };
            let name = subset
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if name == rule.canary_subset_name {
                set_hash_label(&mut subset, canary_hash);
            } else if name == rule.stable_subset_name {
                set_hash_label(&mut subset, stable_hash);
            } else if let Some(hash) = experiment_hashes.remove(name.as_str()) {
                if hash.is_empty() {
                    if let Some(Value::Object(labels)) = subset.get_mut("labels") {
                        labels.remove(labels::POD_TEMPLATE_HASH);
                    }
                } else {
                    set_hash_label(&mut subset, hash);
                }
            } else {
                // Upstream keeps only the subsets it manages.
                continue;
            }
            subsets.push(Value::Object(subset));
        }
        // An extra destination without a Service would make a nameless subset, which Istio refuses.
        for (name, hash) in experiment_hashes.into_iter().filter(|(name, _)| !name.is_empty()) {
            subsets.push(json!({"name": name, "labels": {labels::POD_TEMPLATE_HASH: hash}}));
        }

        let Value::Object(root) = &mut object else {
            return Err(RouterError::new("DestinationRule is not an object"));
        };
        let metadata = root.entry("metadata").or_insert_with(|| json!({}));
        if let Value::Object(metadata) = metadata {
            let notes = metadata.entry("annotations").or_insert_with(|| json!({}));
            if !notes.is_object() {
                *notes = json!({});
            }
            if let Value::Object(notes) = notes {
                notes.insert(annotations::MANAGED_BY_ROLLOUTS.to_string(), json!(self.input.name()));
            }
        }
        if had_subsets || !subsets.is_empty() {
            let spec = root.entry("spec").or_insert_with(|| json!({}));
            if let Value::Object(spec) = spec {
                spec.insert("subsets".to_string(), Value::Array(subsets));
            }
        }
        if objects.update(object) {
            objects.event(
                "UpdatedDestinationRule",
                format!(
                    "DestinationRule {} subset updated ({}: {canary_hash}, {}: {stable_hash})",
                    rule.name, rule.canary_subset_name, rule.stable_subset_name
                ),
            );
        }
        Ok(())
    }

    /// The ReplicaSet that must become fully available before the subsets may point at it, if any:
    /// only when no canary or stable Service carries the traffic, and only among the ReplicaSets of
    /// the two hashes (the canary's not at all when aborting or rolling back to the stable).
    fn replica_set_to_wait_for(&self, canary_hash: &str, stable_hash: &str) -> Option<String> {
        let canary = self.input.rollout.spec.strategy.as_ref()?.canary.as_ref()?;
        let named = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
        if named(&canary.canary_service) || named(&canary.stable_service) {
            return None;
        }
        let to_stable = self.aborting_or_rolling_back_to_stable(stable_hash);
        self.input
            .replica_sets
            .iter()
            .filter(|rs| spec_replicas(rs) != 0)
            .filter(|rs| {
                let hash = hash_of(rs);
                !hash.is_empty() && (hash == stable_hash || hash == canary_hash) && !(to_stable && hash == canary_hash)
            })
            .find(|rs| !fully_available(rs))
            .map(|rs| rs.metadata.name.clone().unwrap_or_default())
    }

    /// Upstream `AbortOrDynamicRollbackToStable`.
    fn aborting_or_rolling_back_to_stable(&self, stable_hash: &str) -> bool {
        let rollout = self.input.rollout;
        let status = rollout.status.as_ref();
        if status.and_then(|s| s.abort).unwrap_or(false) {
            return true;
        }
        let Some(stable) = self.input.replica_sets.iter().find(|rs| hash_of(rs) == stable_hash) else {
            return false;
        };
        // Upstream `IsDynamicallyRollingBackToStable`: fully promoted, with dynamic stable scaling,
        // while the weights still point at another canary and the stable is not yet back to size.
        let fully_promoted = status.and_then(|s| s.stable_rs.as_deref()).unwrap_or_default()
            == status.and_then(|s| s.current_pod_hash.as_deref()).unwrap_or_default();
        let dynamic = rollout
            .spec
            .strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .is_some_and(|c| c.traffic_routing.is_some() && c.dynamic_stable_scale.unwrap_or(false));
        if !fully_promoted || !dynamic {
            return false;
        }
        let Some(weights) = status.and_then(|s| s.canary.as_ref()).and_then(|c| c.weights.as_ref()) else {
            return false;
        };
        if weights.canary.pod_template_hash.as_deref().unwrap_or_default() == hash_of(stable) {
            return false;
        }
        let available = stable.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0);
        available < rollout.spec.replicas_or_default()
    }
}
