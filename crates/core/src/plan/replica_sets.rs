//! Reading the ReplicaSets of a Rollout: their hash, revision and counts, which one is new, stable or
//! other (upstream `FindNewReplicaSet`, `GetStableRS`, `GetOtherRSs`), the ReplicaSet a new pod
//! template gets (`createDesiredReplicaSet`), and clearing the `scale-down-deadline` of the ones in use.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use rollouts_api::Rollout;
use rollouts_api::common::AntiAffinity;
use rollouts_api::well_known::{annotations, labels};

use crate::canary::ReplicaSetCounts;
use crate::hash::{
    legacy_pod_template_hash, pod_template_hash, template_equal_ignoring_hash, template_without_injections,
};

/// The `rollouts-pod-template-hash` label of a ReplicaSet, "" when missing.
pub fn hash_of(rs: &ReplicaSet) -> &str {
    rs.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::POD_TEMPLATE_HASH))
        .map_or("", String::as_str)
}

/// A numeric `rollout.argoproj.io/revision` annotation.
pub(crate) fn revision_of(meta: &ObjectMeta) -> Option<i64> {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(annotations::REVISION))
        .and_then(|v| v.parse().ok())
}

/// The largest revision among the given ReplicaSets, 0 when none has one (upstream `MaxRevision`).
pub(crate) fn max_revision<'a>(replica_sets: impl IntoIterator<Item = &'a ReplicaSet>) -> i64 {
    replica_sets
        .into_iter()
        .filter_map(|rs| revision_of(&rs.metadata))
        .fold(0, i64::max)
}

/// `spec.replicas` of a ReplicaSet (the API server defaults it to 1).
pub(crate) fn spec_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

/// The counts the canary arithmetic works on.
pub(crate) fn counts(rs: &ReplicaSet) -> ReplicaSetCounts {
    let status = rs.status.as_ref();
    ReplicaSetCounts {
        spec_replicas: spec_replicas(rs),
        status_replicas: status.map_or(0, |s| s.replicas),
        available_replicas: status.and_then(|s| s.available_replicas).unwrap_or(0),
    }
}

/// [`counts`] with the available pods capped at the spec: right after a scale-down the status still
/// counts pods that are being deleted, and those serve no request, so no traffic or Service selector
/// is moved to them.
pub(crate) fn serving_counts(rs: &ReplicaSet) -> ReplicaSetCounts {
    let mut c = counts(rs);
    c.available_replicas = c.available_replicas.min(c.spec_replicas);
    c
}

/// `status.readyReplicas`.
pub(crate) fn ready_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)
}

/// `metadata.creationTimestamp`.
pub(crate) fn created_at(rs: &ReplicaSet) -> Option<Timestamp> {
    rs.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// Whether `a` was created strictly before `b` (upstream `CreationTimestamp.Before`).
pub(crate) fn created_before(a: &ReplicaSet, b: &ReplicaSet) -> bool {
    match (created_at(a), created_at(b)) {
        (Some(a), Some(b)) => a < b,
        _ => false,
    }
}

/// The `scale-down-deadline` annotation, when present.
pub(crate) fn scale_down_deadline(rs: &ReplicaSet) -> Option<&str> {
    crate::scale_down_deadline::of(rs)
}

/// The anti-affinity setting of the Rollout's strategy.
pub(crate) fn anti_affinity(rollout: &Rollout) -> Option<&AntiAffinity> {
    let strategy = rollout.spec.strategy.as_ref()?;
    match (&strategy.canary, &strategy.blue_green) {
        (Some(c), _) => c.anti_affinity.as_ref(),
        (None, Some(b)) => b.anti_affinity.as_ref(),
        (None, None) => None,
    }
}

/// Sorts ReplicaSets oldest first (creation time, then name), as upstream sorts before searching.
pub(crate) fn sort_by_creation(replica_sets: &mut [ReplicaSet]) {
    replica_sets.sort_by(|a, b| {
        created_at(a)
            .cmp(&created_at(b))
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
}

/// Upstream `FindNewReplicaSet` over ReplicaSets sorted oldest first: the one labelled with the
/// template's hash, else the one labelled with the legacy (Deployment-style) hash, else the first whose
/// template — without what the controller injects — equals the Rollout's template semantically. The last
/// step is what keeps a takeover from another controller from redeploying.
pub(crate) fn find_new(rollout: &Rollout, sorted: &[ReplicaSet]) -> Option<usize> {
    let template = rollout.spec.template.clone().unwrap_or_default();
    let collision = rollout.status.as_ref().and_then(|s| s.collision_count);
    let current = pod_template_hash(&template, collision);
    if let Some(i) = sorted.iter().position(|rs| hash_of(rs) == current) {
        return Some(i);
    }
    let legacy = legacy_pod_template_hash(&template, collision);
    if let Some(i) = sorted.iter().position(|rs| hash_of(rs) == legacy) {
        return Some(i);
    }
    let anti = anti_affinity(rollout);
    sorted
        .iter()
        .position(|rs| template_equal_ignoring_hash(&template_without_injections(rs, anti), &template))
}

/// Rollout annotations that are not copied to its ReplicaSets (upstream `skipCopyAnnotation`).
fn skip_copy_annotation(key: &str) -> bool {
    matches!(
        key,
        annotations::LAST_APPLIED_CONFIGURATION
            | annotations::REVISION
            | annotations::REVISION_HISTORY
            | annotations::DESIRED_REPLICAS
            | annotations::NOTIFIED
    )
}

/// Upstream `SetNewReplicaSetAnnotations` on an existing or a new ReplicaSet: copies the Rollout's
/// annotations (add/overwrite only), raises the revision to `new_revision` when it is lower, appends
/// the previous revision to `revision-history` when the ReplicaSet already had one and anything changed,
/// and for a new ReplicaSet records `desired-replicas`. Returns whether an annotation changed.
pub(crate) fn set_new_replica_set_annotations(
    rollout: &Rollout,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
) -> bool {
    let ann = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (k, v) in rollout.metadata.annotations.iter().flatten() {
        if skip_copy_annotation(k) || ann.get(k) == Some(v) {
            continue;
        }
        ann.insert(k.clone(), v.clone());
        changed = true;
    }
    let old_revision = ann.get(annotations::REVISION).cloned();
    let old_value = match old_revision.as_deref() {
        None | Some("") => 0,
        Some(text) => match text.parse::<i64>() {
            Ok(v) => v,
            // Upstream gives up on a ReplicaSet whose revision is not a number.
            Err(_) => return false,
        },
    };
    if old_value < new_revision {
        ann.insert(annotations::REVISION.to_string(), new_revision.to_string());
        changed = true;
    }
    if let Some(old) = old_revision.filter(|_| changed) {
        let history = ann.get(annotations::REVISION_HISTORY).cloned().unwrap_or_default();
        let value = if history.is_empty() {
            old
        } else {
            format!("{history},{old}")
        };
        ann.insert(annotations::REVISION_HISTORY.to_string(), value);
    }
    if !exists {
        let desired = rollout.spec.replicas_or_default().to_string();
        if ann.get(annotations::DESIRED_REPLICAS) != Some(&desired) {
            ann.insert(annotations::DESIRED_REPLICAS.to_string(), desired);
            changed = true;
        }
    }
    changed
}

/// Whether the `desired-replicas` annotation (or a leftover deadline on an RS going to 0) needs a
/// write (upstream `ReplicasAnnotationsNeedUpdate`).
pub(crate) fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32) -> bool {
    let Some(ann) = rs.metadata.annotations.as_ref() else {
        return true;
    };
    if ann.get(annotations::DESIRED_REPLICAS).map(String::as_str) != Some(desired.to_string().as_str()) {
        return true;
    }
    desired == 0 && scale_down_deadline(rs).is_some()
}

/// The `desired-replicas` annotation.
pub(crate) fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(annotations::DESIRED_REPLICAS))
        .and_then(|v| v.parse().ok())
}

/// The controller owner reference a Rollout puts on its ReplicaSets.
pub(crate) fn controller_ref(rollout: &Rollout) -> OwnerReference {
    OwnerReference {
        api_version: "argoproj.io/v1alpha1".to_string(),
        kind: "Rollout".to_string(),
        name: rollout.metadata.name.clone().unwrap_or_default(),
        uid: rollout.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The ReplicaSet for the Rollout's current template (upstream `createDesiredReplicaSet`, before the
/// ephemeral metadata and anti-affinity are applied): named `<rollout>-<hash>`, template and selector
/// carrying the hash label, scaled to 0, annotated with the revision and the desired replicas.
pub(crate) fn desired_replica_set(rollout: &Rollout, hash: &str, revision: i64) -> ReplicaSet {
    let mut template: PodTemplateSpec = rollout.spec.template.clone().unwrap_or_default();
    let meta = template.metadata.get_or_insert_with(Default::default);
    meta.labels
        .get_or_insert_with(BTreeMap::new)
        .insert(labels::POD_TEMPLATE_HASH.to_string(), hash.to_string());
    let rs_labels = meta.labels.clone();
    let mut selector: LabelSelector = rollout.spec.selector.clone().unwrap_or_default();
    selector
        .match_labels
        .get_or_insert_with(BTreeMap::new)
        .insert(labels::POD_TEMPLATE_HASH.to_string(), hash.to_string());
    let name = rollout.metadata.name.as_deref().unwrap_or_default();
    let mut rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(format!("{name}-{hash}")),
            namespace: rollout.metadata.namespace.clone(),
            owner_references: Some(vec![controller_ref(rollout)]),
            labels: rs_labels,
            ..Default::default()
        },
        spec: ReplicaSetSpec {
            replicas: Some(0),
            min_ready_seconds: rollout.spec.min_ready_seconds.filter(|s| *s != 0),
            selector,
            template: Some(template),
        },
        status: None,
    };
    set_new_replica_set_annotations(rollout, &mut rs, revision, false);
    rs
}

/// After creating the new ReplicaSet failed because one of that name exists (upstream's handling in
/// `createDesiredReplicaSet`): `None` when the existing one is this Rollout's own with the same
/// template (a slow cache; it will show up in the next snapshot); otherwise the hash collided with a
/// different ReplicaSet, and the returned status patch raises `collisionCount` so the next hash differs.
pub fn hash_collision_patch(rollout: &Rollout, existing: &ReplicaSet) -> Option<serde_json::Value> {
    let ours = existing
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && Some(&o.uid) == rollout.metadata.uid.as_ref());
    let template = rollout.spec.template.clone().unwrap_or_default();
    let same = template_equal_ignoring_hash(
        &template_without_injections(existing, anti_affinity(rollout)),
        &template,
    );
    if ours && same {
        return None;
    }
    let count = rollout.status.as_ref().and_then(|s| s.collision_count).unwrap_or(0);
    Some(serde_json::json!({ "collisionCount": count.saturating_add(1) }))
}
