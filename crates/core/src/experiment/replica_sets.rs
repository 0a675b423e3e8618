//! Each template's ReplicaSet (upstream `experiments/replicaset.go`): the object a template gets, its
//! creation, its scaling, and the `scale-down-deadline` that keeps its pods up for
//! `scaleDownDelaySeconds` after the experiment no longer needs them.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::experiment::{Experiment, TemplateSpec, TemplateStatus, TemplateStatusCode};
use rollouts_api::well_known::{annotations, labels, reasons};

use super::actions::Action;
use super::claim::controlled_by;
use super::context::{Ctx, controller_ref};
use super::lifecycle::until;
use crate::hash::pod_template_hash;
use crate::plan::Event;
use crate::scale_down_deadline;

/// A template's ReplicaSet name: `<experiment>-<template>`.
pub fn replica_set_name(experiment: &str, template: &str) -> String {
    format!("{experiment}-{template}")
}

/// The `rollouts-pod-template-hash` label of a ReplicaSet, "" when missing.
pub fn hash_of(rs: &ReplicaSet) -> &str {
    rs.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::POD_TEMPLATE_HASH))
        .map_or("", String::as_str)
}

/// `spec.replicas` (the API server defaults it to 1).
pub fn spec_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

/// `status.availableReplicas`.
pub fn available_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

/// Upstream `newReplicaSetFromTemplate`: the template's pod template without any hash label it
/// carries (a template copied from a Rollout's ReplicaSet has one), hashed with the template's
/// `collisionCount`; the hash goes into the pod labels, the selector and the ReplicaSet's labels.
pub fn new_replica_set(
    experiment: &Experiment,
    template: &TemplateSpec,
    collision_count: Option<i32>,
    replicas: i32,
) -> ReplicaSet {
    let mut pod_template = template.template.clone();
    if let Some(l) = pod_template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove(labels::POD_TEMPLATE_HASH);
    }
    let hash = pod_template_hash(&pod_template, collision_count);
    let pod_labels = pod_template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(BTreeMap::new);
    pod_labels.insert(labels::POD_TEMPLATE_HASH.to_string(), hash.clone());
    let rs_labels = pod_labels.clone();
    let mut selector = template.selector.clone();
    selector
        .match_labels
        .get_or_insert_with(BTreeMap::new)
        .insert(labels::POD_TEMPLATE_HASH.to_string(), hash);
    let name = experiment.metadata.name.as_deref().unwrap_or_default();
    ReplicaSet {
        metadata: ObjectMeta {
            name: Some(replica_set_name(name, &template.name)),
            namespace: experiment.metadata.namespace.clone(),
            labels: Some(rs_labels),
            annotations: Some(owner_annotations(name, &template.name)),
            owner_references: Some(vec![controller_ref(experiment)]),
            ..Default::default()
        },
        spec: ReplicaSetSpec {
            replicas: Some(replicas),
            min_ready_seconds: template.min_ready_seconds.filter(|s| *s != 0),
            selector,
            template: Some(pod_template),
        },
        status: None,
    }
}

/// The annotations that tie a ReplicaSet or Service to its Experiment and template.
pub fn owner_annotations(experiment: &str, template: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (annotations::EXPERIMENT_NAME.to_string(), experiment.to_string()),
        (annotations::EXPERIMENT_TEMPLATE_NAME.to_string(), template.to_string()),
    ])
}

/// Upstream `createReplicaSetForTemplate`: creates the template's ReplicaSet with 0 replicas. A name
/// taken by a ReplicaSet that is not this template's raises the template's `collisionCount` (once: the
/// name does not depend on the hash, so only the other ReplicaSet going away lets it through) and
/// leaves the template Progressing, to fail at its progress deadline unless the name frees up. A pod template the API server would
/// refuse makes the template `Error` with the server's message.
pub fn create(ctx: &mut Ctx<'_>, template: &TemplateSpec, status: &mut TemplateStatus) {
    let experiment = ctx.experiment;
    let rs = new_replica_set(experiment, template, status.collision_count, 0);
    let name = rs.metadata.name.clone().unwrap_or_default();
    let taken = ctx
        .snapshot
        .replica_sets
        .iter()
        .find(|other| other.metadata.name.as_deref() == Some(name.as_str()));
    if let Some(other) = taken {
        if status.collision_count.is_none() {
            status.collision_count = Some(1);
            // Upstream sets no transition time here, so such a template waited for good; from now
            // on the progress deadline counts.
            if status.last_transition_time.is_none() {
                status.last_transition_time = Some(ctx.stamp());
            }
            let owner = if controlled_by(&other.metadata, experiment) {
                "is not annotated for this template"
            } else {
                "is not controlled by this experiment"
            };
            ctx.event(Event::warning(
                reasons::REPLICA_SET_CREATE_ERROR,
                format!("ReplicaSet \"{name}\" already exists and {owner}"),
            ));
        }
        return;
    }
    if let Some(refusal) = super::validate::replica_set_refusal(ctx, template, &name) {
        let message = format!("Failed to create new replica set \"{name}\": {refusal}");
        ctx.event(Event::normal(reasons::REPLICA_SET_CREATE_ERROR, message));
        status.status = Some(TemplateStatusCode::Error);
        status.message = Some(format!(
            "Failed to create ReplicaSet for template '{}': {refusal}",
            template.name
        ));
        return;
    }
    ctx.plan.actions.push(Action::CreateReplicaSet(Box::new(rs.clone())));
    ctx.replica_sets.insert(template.name.clone(), rs);
    status.last_transition_time = Some(ctx.stamp());
}

/// Upstream `addScaleDownDelay`, for a template going to 0: without a delay a leftover deadline goes
/// (folded into the scale-down when there is one); with one, a ReplicaSet without a deadline gets
/// now + `scaleDownDelaySeconds`, and one that has a deadline keeps it.
pub fn add_scale_down_delay(ctx: &mut Ctx<'_>, template: &str) {
    let delay = ctx.spec().scale_down_delay_seconds_or_default();
    let Some(rs) = ctx.replica_sets.get_mut(template) else {
        return;
    };
    let name = rs.metadata.name.clone().unwrap_or_default();
    let has_deadline = scale_down_deadline::of(rs).is_some();
    if delay <= 0 {
        if has_deadline && spec_replicas(rs) == 0 {
            ctx.plan.actions.push(Action::PatchReplicaSet {
                name,
                patch: scale_down_deadline::remove_patch(),
            });
            remove_deadline(rs);
        }
        return;
    }
    if has_deadline {
        return;
    }
    let value = scale_down_deadline::value_after(ctx.now, delay);
    ctx.plan.actions.push(Action::PatchReplicaSet {
        name,
        patch: scale_down_deadline::add_patch(&value),
    });
    rs.metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(annotations::SCALE_DOWN_DEADLINE.to_string(), value);
    ctx.plan
        .requeue(std::time::Duration::from_secs(u64::try_from(delay).unwrap_or(0)));
}

fn remove_deadline(rs: &mut ReplicaSet) {
    if let Some(ann) = rs.metadata.annotations.as_mut() {
        ann.remove(annotations::SCALE_DOWN_DEADLINE);
    }
}

/// Upstream `scaleTemplateRS`: scales the template's ReplicaSet to `desired`. Going to 0 waits for the
/// `scale-down-deadline` while it lies ahead (the ReplicaSet keeps its size and the experiment is looked
/// at again then); an unreadable deadline does not hold it. Returns whether a write was planned.
pub fn scale(ctx: &mut Ctx<'_>, template: &str, desired: i32) -> bool {
    let delay = ctx.spec().scale_down_delay_seconds_or_default();
    let now = ctx.now;
    let Some(rs) = ctx.replica_sets.get(template) else {
        return false;
    };
    let current = spec_replicas(rs);
    if current == desired {
        return false;
    }
    let mut updated = rs.clone();
    if desired == 0 {
        match scale_down_deadline::of(rs).map(scale_down_deadline::parse) {
            Some(Some(deadline)) if deadline > now && delay > 0 => {
                ctx.plan.requeue(until(now, deadline));
                return false;
            }
            Some(_) if delay <= 0 => remove_deadline(&mut updated),
            _ => {}
        }
    }
    updated.spec.replicas = Some(desired);
    let name = updated.metadata.name.clone().unwrap_or_default();
    let direction = if current < desired { "up" } else { "down" };
    ctx.plan
        .actions
        .push(Action::UpdateReplicaSet(Box::new(updated.clone())));
    ctx.event(Event::normal(
        reasons::SCALING_REPLICA_SET,
        format!("Scaled {direction} ReplicaSet {name} from {current} to {desired}"),
    ));
    ctx.replica_sets.insert(template.to_string(), updated);
    true
}

/// The template status counts of a ReplicaSet (upstream reads all of them from its status; updated
/// replicas are its replicas).
pub fn record_counts(rs: Option<&ReplicaSet>, status: &mut TemplateStatus) {
    let s = rs.and_then(|rs| rs.status.as_ref());
    let replicas = s.map_or(0, |s| s.replicas);
    status.replicas = replicas;
    status.updated_replicas = replicas;
    status.ready_replicas = s.and_then(|s| s.ready_replicas).unwrap_or(0);
    status.available_replicas = s.and_then(|s| s.available_replicas).unwrap_or(0);
}
