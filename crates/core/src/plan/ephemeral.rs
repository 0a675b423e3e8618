//! Ephemeral pod metadata: the labels and annotations a ReplicaSet's pods carry only while it plays a
//! role (`canaryMetadata`/`stableMetadata` of a canary, `previewMetadata`/`activeMetadata` of a
//! blue-green Rollout), as upstream's `reconcileEphemeralMetadata`, `SyncReplicaSetEphemeralPodMetadata`
//! and `SyncEphemeralPodMetadata` do it.
//!
//! What was injected is recorded in the ReplicaSet annotation `rollout.argoproj.io/ephemeral-metadata`,
//! so that only those keys are ever removed again; labels and annotations set by anyone else (sidecar
//! injectors, the template itself) are left alone. The `rollouts-pod-template-hash` label is never set
//! nor removed here, whatever the metadata says.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::Rollout;
use rollouts_api::common::PodTemplateMetadata;
use rollouts_api::well_known::annotations::EPHEMERAL_METADATA;
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;
use serde_json::{Map, Value};

use super::actions::Action;
use super::context::Ctx;
use super::replica_sets::{hash_of, spec_replicas};

/// The part a ReplicaSet plays for ephemeral metadata (upstream `reconcileEphemeralMetadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaSetRole {
    /// Serves the promoted version: the stable ReplicaSet, or the new one once fully promoted.
    Stable,
    /// The new ReplicaSet while an update is in progress (canary, or blue-green preview).
    Canary,
    /// Any other ReplicaSet: whatever was injected is removed.
    Other,
}

impl ReplicaSetRole {
    /// The role of the ReplicaSet with hash `rs_hash`, given `status.stableRS` and the new ReplicaSet's
    /// hash. As upstream, the Rollout is fully promoted when there is no stable hash or it is the new
    /// one; then the new ReplicaSet is the stable one.
    pub fn of(rs_hash: &str, stable_hash: Option<&str>, new_hash: Option<&str>) -> Self {
        let stable = stable_hash.unwrap_or_default();
        if new_hash == Some(rs_hash) {
            if stable.is_empty() || stable == rs_hash {
                ReplicaSetRole::Stable
            } else {
                ReplicaSetRole::Canary
            }
        } else if !stable.is_empty() && stable == rs_hash {
            ReplicaSetRole::Stable
        } else {
            ReplicaSetRole::Other
        }
    }
}

/// Whether the strategy asks for ephemeral metadata at all (upstream `hasEphemeralMetadataConfigured`;
/// upstream skips the whole sync otherwise, so metadata injected before it was unset stays).
pub fn ephemeral_metadata_configured(rollout: &Rollout) -> bool {
    let Some(strategy) = rollout.spec.strategy.as_ref() else {
        return false;
    };
    if let Some(canary) = strategy.canary.as_ref() {
        return canary.canary_metadata.is_some() || canary.stable_metadata.is_some();
    }
    strategy
        .blue_green
        .as_ref()
        .is_some_and(|b| b.preview_metadata.is_some() || b.active_metadata.is_some())
}

/// The metadata a ReplicaSet in `role` should carry: the canary strategy's `stableMetadata` /
/// `canaryMetadata`, else blue-green's `activeMetadata` / `previewMetadata`; `None` for
/// [`ReplicaSetRole::Other`] (upstream `reconcileEphemeralMetadata`).
pub fn desired_metadata(rollout: &Rollout, role: ReplicaSetRole) -> Option<&PodTemplateMetadata> {
    let strategy = rollout.spec.strategy.as_ref()?;
    let (canary, stable) = if let Some(c) = strategy.canary.as_ref() {
        (c.canary_metadata.as_ref(), c.stable_metadata.as_ref())
    } else {
        let b = strategy.blue_green.as_ref()?;
        (b.preview_metadata.as_ref(), b.active_metadata.as_ref())
    };
    match role {
        ReplicaSetRole::Stable => stable,
        ReplicaSetRole::Canary => canary,
        ReplicaSetRole::Other => None,
    }
}

/// The metadata recorded in the ReplicaSet's `rollout.argoproj.io/ephemeral-metadata` annotation;
/// `None` when absent or not parsable (upstream `ParseExistingPodMetadata`).
pub fn recorded_metadata(rs: &ReplicaSet) -> Option<PodTemplateMetadata> {
    let text = rs.metadata.annotations.as_ref()?.get(EPHEMERAL_METADATA)?;
    serde_json::from_str(text).ok()
}

/// A ReplicaSet whose pod template needs other ephemeral metadata, and how to bring its pods along.
#[derive(Debug, Clone, PartialEq)]
pub struct EphemeralSync {
    /// The updated ReplicaSet (to write with an update): `spec.template.metadata` without the keys
    /// injected before and with the desired ones, and the annotation recording what is injected now
    /// (removed when nothing is desired).
    pub replica_set: ReplicaSet,
    /// A JSON merge patch for each existing pod of the ReplicaSet: the desired keys set, the keys
    /// injected before and no longer desired set to `null`. Upstream skips the pods of a ReplicaSet
    /// scaled to zero.
    pub pod_patch: Value,
}

/// Brings a ReplicaSet's pod template to the `desired` ephemeral metadata (`None`: remove what was
/// injected), as upstream's `SyncReplicaSetEphemeralPodMetadata`; `None` when the template already
/// matches (then the annotation is left as it is, like upstream) or the ReplicaSet has no template.
///
/// Differences from upstream, on purpose: the `rollouts-pod-template-hash` label is ignored in the
/// desired and the recorded metadata (so it is neither overwritten, removed, nor recorded), and a
/// desired label or annotation with an empty value is added when missing (upstream treats a missing
/// key as equal to `""`).
pub fn sync_replica_set_metadata(rs: &ReplicaSet, desired: Option<&PodTemplateMetadata>) -> Option<EphemeralSync> {
    let desired = desired.map(without_hash_label);
    let recorded = recorded_metadata(rs);
    let template = rs.spec.template.as_ref()?;
    let current = template.metadata.clone().unwrap_or_default();
    let changes = Changes::between(&current, recorded.as_ref(), desired.as_ref());
    if changes.is_empty() {
        return None;
    }
    let mut replica_set = rs.clone();
    if let Some(template) = replica_set.spec.template.as_mut() {
        changes.apply(template.metadata.get_or_insert_default());
    }
    let annotations = replica_set.metadata.annotations.get_or_insert_default();
    match desired.as_ref() {
        Some(metadata) => drop(annotations.insert(EPHEMERAL_METADATA.to_owned(), go_json(metadata))),
        None => drop(annotations.remove(EPHEMERAL_METADATA)),
    }
    if annotations.is_empty() {
        replica_set.metadata.annotations = None;
    }
    let pod_patch = Changes::everything(recorded.as_ref(), desired.as_ref()).merge_patch();
    Some(EphemeralSync { replica_set, pod_patch })
}

/// The merge patch bringing one pod to the `desired` metadata, given what its ReplicaSet recorded as
/// injected before the sync (read it with [`recorded_metadata`] from the ReplicaSet as it was);
/// `None` when the pod already matches. Mirrors upstream's per-pod `SyncEphemeralPodMetadata`, which
/// runs even when the ReplicaSet itself was already up to date (a pod update may have failed before).
pub fn sync_pod_metadata(
    pod: &ObjectMeta,
    recorded: Option<&PodTemplateMetadata>,
    desired: Option<&PodTemplateMetadata>,
) -> Option<Value> {
    let desired = desired.map(without_hash_label);
    let changes = Changes::between(pod, recorded, desired.as_ref());
    (!changes.is_empty()).then(|| changes.merge_patch())
}

/// Ephemeral `canaryMetadata`/`stableMetadata` (or `previewMetadata`/`activeMetadata`) in a reconcile
/// (upstream `reconcileEphemeralMetadata`): once fully promoted the new ReplicaSet carries the stable
/// metadata; during an update the new one carries the canary metadata and the stable one the stable
/// metadata; the others lose what was injected. The pods are patched before their ReplicaSet records
/// the change, so a failed pod patch is retried.
pub(super) fn reconcile_ephemeral_metadata(ctx: &mut Ctx<'_>) {
    if !ephemeral_metadata_configured(ctx.rollout) {
        return;
    }
    let fully_promoted = ctx.stable.is_none() || ctx.stable == ctx.new;
    let mut targets: Vec<(usize, ReplicaSetRole)> = Vec::new();
    if let Some(new) = ctx.new {
        targets.push((
            new,
            if fully_promoted {
                ReplicaSetRole::Stable
            } else {
                ReplicaSetRole::Canary
            },
        ));
    }
    if let Some(stable) = ctx.stable.filter(|_| !fully_promoted) {
        targets.push((stable, ReplicaSetRole::Stable));
    }
    targets.extend(ctx.others().into_iter().map(|i| (i, ReplicaSetRole::Other)));
    for (index, role) in targets {
        let Some(sync) = sync_replica_set_metadata(&ctx.all[index], desired_metadata(ctx.rollout, role)) else {
            continue;
        };
        let rs = &ctx.all[index];
        let has_patch = sync.pod_patch.as_object().is_some_and(|o| !o.is_empty());
        if spec_replicas(rs) > 0 && has_patch {
            ctx.plan.actions.push(Action::PatchPods {
                replica_set: rs.metadata.name.clone().unwrap_or_default(),
                pod_template_hash: hash_of(rs).to_string(),
                patch: sync.pod_patch,
            });
        }
        ctx.update_rs(index, sync.replica_set);
    }
}

fn without_hash_label(metadata: &PodTemplateMetadata) -> PodTemplateMetadata {
    let mut metadata = metadata.clone();
    if let Some(labels) = metadata.labels.as_mut() {
        labels.remove(POD_TEMPLATE_HASH);
    }
    metadata
}

/// The annotation value: Go's `json.Marshal` of `PodTemplateMetadata` (labels first, empty maps
/// omitted, sorted keys, HTML-safe escaping).
fn go_json(metadata: &PodTemplateMetadata) -> String {
    serde_json::to_value(metadata)
        .ok()
        .and_then(|value| crate::hash::go_json(&value, "v1alpha1.PodTemplateMetadata").ok())
        .unwrap_or_else(|| serde_json::to_string(metadata).unwrap_or_else(|_| "{}".to_owned()))
}

/// Per key, the new value or `None` for removal.
type KeyChanges = BTreeMap<String, Option<String>>;

#[derive(Debug, Default)]
struct Changes {
    labels: KeyChanges,
    annotations: KeyChanges,
}

impl Changes {
    /// What `current` needs: desired keys whose value differs, and recorded keys no longer desired
    /// that are still present.
    fn between(
        current: &ObjectMeta,
        recorded: Option<&PodTemplateMetadata>,
        desired: Option<&PodTemplateMetadata>,
    ) -> Self {
        Changes {
            labels: key_changes(Some(current.labels.as_ref()), labels(recorded), labels(desired), true),
            annotations: key_changes(
                Some(current.annotations.as_ref()),
                annotations(recorded),
                annotations(desired),
                false,
            ),
        }
    }

    /// Every desired key, and every recorded key no longer desired, whatever an object carries now.
    fn everything(recorded: Option<&PodTemplateMetadata>, desired: Option<&PodTemplateMetadata>) -> Self {
        Changes {
            labels: key_changes(None, labels(recorded), labels(desired), true),
            annotations: key_changes(None, annotations(recorded), annotations(desired), false),
        }
    }

    fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.annotations.is_empty()
    }

    fn apply(&self, meta: &mut ObjectMeta) {
        apply_keys(&mut meta.labels, &self.labels);
        apply_keys(&mut meta.annotations, &self.annotations);
    }

    fn merge_patch(&self) -> Value {
        let mut metadata = Map::new();
        for (name, keys) in [("labels", &self.labels), ("annotations", &self.annotations)] {
            if !keys.is_empty() {
                let entries = keys
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().map_or(Value::Null, Value::String)));
                metadata.insert(name.to_owned(), Value::Object(entries.collect()));
            }
        }
        serde_json::json!({ "metadata": metadata })
    }
}

fn labels(metadata: Option<&PodTemplateMetadata>) -> Option<&BTreeMap<String, String>> {
    metadata?.labels.as_ref()
}

fn annotations(metadata: Option<&PodTemplateMetadata>) -> Option<&BTreeMap<String, String>> {
    metadata?.annotations.as_ref()
}

/// `current`: `None` to list every key regardless of the object, `Some(map)` to list only real changes.
fn key_changes(
    current: Option<Option<&BTreeMap<String, String>>>,
    recorded: Option<&BTreeMap<String, String>>,
    desired: Option<&BTreeMap<String, String>>,
    protect_hash: bool,
) -> KeyChanges {
    let protected = |key: &str| protect_hash && key == POD_TEMPLATE_HASH;
    let value_of = |key: &str| current.map(|c| c.and_then(|c| c.get(key)));
    let mut changes = KeyChanges::new();
    for (key, value) in desired.into_iter().flatten() {
        if !protected(key) && value_of(key) != Some(Some(value)) {
            changes.insert(key.clone(), Some(value.clone()));
        }
    }
    for key in recorded.into_iter().flatten().map(|(k, _)| k) {
        let still_desired = desired.is_some_and(|d| d.contains_key(key));
        let present = value_of(key).is_none_or(|v| v.is_some());
        if !still_desired && !protected(key) && present {
            changes.insert(key.clone(), None);
        }
    }
    changes
}

fn apply_keys(map: &mut Option<BTreeMap<String, String>>, changes: &KeyChanges) {
    if changes.is_empty() {
        return;
    }
    let entries = map.get_or_insert_default();
    for (key, value) in changes {
        match value {
            Some(value) => drop(entries.insert(key.clone(), value.clone())),
            None => drop(entries.remove(key)),
        }
    }
    if entries.is_empty() {
        *map = None;
    }
}

#[cfg(test)]
mod tests;
