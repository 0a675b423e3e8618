//! The steps every reconcile goes through before the strategy (upstream `newRolloutContext`,
//! `checkPausedConditions`, `syncReplicaSetRevision`, `isScalingEvent`, `syncReplicasOnly`).

use rollouts_api::well_known::{condition_status, condition_types, reasons};

use super::actions::{Action, Event};
use super::canary::{pod_template_or_steps_changed, reconcile_canary_replica_sets};
use super::context::Ctx;
use super::ephemeral::{ReplicaSetRole, desired_metadata, sync_replica_set_metadata};
use super::merge_patch::status_patch;
use super::persist::{persist, record_phase};
use super::replica_sets::{self, desired_replica_set, max_revision, revision_of, set_new_replica_set_annotations};
use crate::status::conditions::{self as cond, get_condition, new_condition, set_condition};
use crate::status::predicates;

/// No ReplicaSet for the current template yet: create it (scaled to 0) and record the revision; this
/// ends the reconcile (upstream `createDesiredReplicaSet`).
pub fn create_new_replica_set(ctx: &mut Ctx<'_>) {
    let revision = max_revision(&ctx.all) + 1;
    let hash = ctx.current_pod_hash();
    let mut rs = desired_replica_set(ctx.rollout, &hash, revision);
    // Upstream follows `status.stableRS`, whether or not that ReplicaSet still exists.
    let stable_hash = ctx.old.stable_rs.clone();
    if let Some(template) = rs.spec.template.as_mut() {
        let current = template.spec.as_ref().and_then(|s| s.affinity.as_ref());
        let affinity = super::anti_affinity::replica_set_affinity(ctx.rollout, current, stable_hash.as_deref(), &hash);
        if let Some(spec) = template.spec.as_mut() {
            spec.affinity = affinity;
        }
    }
    let role = if ctx.stable.is_some() {
        ReplicaSetRole::Canary
    } else {
        ReplicaSetRole::Stable
    };
    if let Some(sync) = sync_replica_set_metadata(&rs, desired_metadata(ctx.rollout, role)) {
        rs = sync.replica_set;
    }
    let name = rs.metadata.name.clone().unwrap_or_default();
    ctx.plan.actions.push(Action::CreateReplicaSet(Box::new(rs)));
    ctx.set_rollout_revision(revision);
    ctx.event(Event::normal(
        reasons::NEW_REPLICA_SET_CREATED,
        format!("Created ReplicaSet {name} (revision {revision})"),
    ));
    let observed = ctx.rollout.status.clone().unwrap_or_default();
    let mut status = observed.clone();
    let mut conditions = status.conditions.take().unwrap_or_default();
    set_condition(&mut conditions, cond::progressing_new_rs_created(&name, ctx.now));
    status.conditions = Some(conditions);
    if let Some(patch) = status_patch(&observed, &status) {
        ctx.plan.actions.push(Action::PatchRolloutStatus(patch));
    }
}

/// Upstream `checkPausedConditions`: keeps the Progressing (RolloutPaused / RolloutResumed /
/// RolloutRetry) and Paused conditions in line with the pause state, as a reconcile of its own.
/// Returns whether it planned a write (which ends the reconcile).
pub fn check_paused_conditions(ctx: &mut Ctx<'_>) -> bool {
    let generation = ctx.rollout.metadata.generation.unwrap_or(0).to_string();
    if ctx.old.observed_generation.as_deref() != Some(generation.as_str()) {
        return false;
    }
    let now = ctx.now;
    let conditions = ctx.old.conditions.clone().unwrap_or_default();
    let progressing = get_condition(&conditions, condition_types::PROGRESSING);
    let progressing_paused = progressing.is_some_and(|c| c.reason == reasons::ROLLOUT_PAUSED);
    let abort_condition = progressing.is_some_and(|c| c.reason == reasons::ROLLOUT_ABORTED);
    let paused = ctx.old.pause_conditions.as_ref().is_some_and(|p| !p.is_empty()) || ctx.spec().paused.unwrap_or(false);
    let mut updates = Vec::new();
    if paused != progressing_paused && !abort_condition && !predicates::rollout_completed(&ctx.old) {
        updates.push(if paused {
            cond::progressing_paused(now)
        } else {
            cond::progressing_resumed(now)
        });
    }
    if !ctx.old.abort.unwrap_or(false) && abort_condition {
        updates.push(cond::progressing_retry(now));
    }
    let paused_true =
        get_condition(&conditions, condition_types::PAUSED).is_some_and(|c| c.status == condition_status::TRUE);
    if paused != paused_true && !abort_condition {
        updates.push(cond::paused(now, paused));
    }
    if updates.is_empty() {
        return false;
    }
    let observed = ctx.rollout.status.clone().unwrap_or_default();
    let mut status = observed.clone();
    let mut list = status.conditions.take().unwrap_or_default();
    for c in updates {
        set_condition(&mut list, c);
    }
    status.conditions = Some(list);
    status.observed_generation = Some(generation);
    record_phase(ctx.spec(), &mut status);
    ctx.status = status;
    super::duration::calculate(ctx);
    let status = ctx.status.clone();
    match status_patch(&observed, &status) {
        Some(patch) => {
            ctx.plan.actions.push(Action::PatchRolloutStatus(patch));
            true
        }
        None => false,
    }
}

/// Upstream `syncReplicaSetRevision`: the new ReplicaSet carries the Rollout's annotations, the newest
/// revision (a rolled-back ReplicaSet gets a new number and keeps the old ones in
/// `revision-history`), `minReadySeconds` and the current anti-affinity; the Rollout's revision
/// annotation follows it; a first Progressing condition is recorded.
pub fn sync_revision(ctx: &mut Ctx<'_>) {
    let Some(index) = ctx.new else { return };
    let new_revision = max_revision(ctx.older().into_iter().map(|i| &ctx.all[i])) + 1;
    let mut rs = ctx.all[index].clone();
    let annotations_changed = set_new_replica_set_annotations(ctx.rollout, &mut rs, new_revision, true);
    let min_ready = ctx.spec().min_ready_seconds.unwrap_or(0);
    let spec = &mut rs.spec;
    let min_ready_changed = spec.min_ready_seconds.unwrap_or(0) != min_ready;
    let hash = replica_sets::hash_of(&ctx.all[index]).to_string();
    // Upstream follows `status.stableRS`, whether or not that ReplicaSet still exists.
    let stable_hash = ctx.old.stable_rs.clone();
    let current_affinity = spec
        .template
        .as_ref()
        .and_then(|t| t.spec.as_ref())
        .and_then(|s| s.affinity.as_ref());
    let affinity_changed =
        super::anti_affinity::injected_rule_needs_update(current_affinity, ctx.rollout, stable_hash.as_deref(), &hash);
    if annotations_changed || min_ready_changed || affinity_changed {
        spec.min_ready_seconds = (min_ready != 0).then_some(min_ready);
        if affinity_changed {
            let template_affinity = ctx
                .spec()
                .template
                .as_ref()
                .and_then(|t| t.spec.as_ref())
                .and_then(|s| s.affinity.as_ref());
            let affinity = super::anti_affinity::replica_set_affinity(
                ctx.rollout,
                template_affinity,
                stable_hash.as_deref(),
                &hash,
            );
            if let Some(pod) = spec.template.as_mut().and_then(|t| t.spec.as_mut()) {
                pod.affinity = affinity;
            }
        }
        ctx.update_rs(index, rs);
    }
    if let Some(revision) = revision_of(&ctx.all[index].metadata) {
        ctx.set_rollout_revision(revision);
    }
    let mut conditions = ctx.old.conditions.clone().unwrap_or_default();
    if get_condition(&conditions, condition_types::PROGRESSING).is_none() {
        let name = ctx.all[index].metadata.name.clone().unwrap_or_default();
        set_condition(&mut conditions, cond::progressing_found_new_rs(&name, ctx.now));
        ctx.old.conditions = Some(conditions);
    }
}

/// Upstream `CheckPodSpecChange`: the recorded pod hash differs from the new ReplicaSet's (no
/// recorded hash counts as no change).
pub fn pod_spec_changed(ctx: &Ctx<'_>) -> bool {
    let recorded = ctx.old.current_pod_hash.as_deref().unwrap_or("");
    !recorded.is_empty() && recorded != ctx.current_pod_hash()
}

/// Whether a new update starts in this reconcile: the pod template changed (and, for a canary, its
/// steps).
pub fn update_started(ctx: &Ctx<'_>) -> bool {
    if ctx.blue_green().is_some() {
        pod_spec_changed(ctx)
    } else {
        pod_template_or_steps_changed(ctx)
    }
}

/// Upstream `isScalingEvent`: `spec.replicas` changed since the new or stable ReplicaSet was last
/// scaled (its `desired-replicas` annotation says otherwise).
///
/// A template (or steps) change in the same edit is not a scaling event here: upstream would resize
/// the new ReplicaSet by the status of the previous, fully promoted revision and so skip the steps;
/// the update starts over first, and the resize follows on the next reconcile.
pub fn is_scaling_event(ctx: &Ctx<'_>) -> bool {
    if update_started(ctx) {
        return false;
    }
    let replicas = ctx.replicas();
    ctx.new
        .iter()
        .chain(ctx.stable.iter())
        .map(|i| &ctx.all[*i])
        .filter(|rs| replica_sets::spec_replicas(rs) > 0)
        .any(|rs| replica_sets::desired_replicas_annotation(rs).is_some_and(|d| d != replicas))
}

/// Upstream `syncReplicasOnly`: a scaling event only resizes the ReplicaSets (keeping the step's
/// ratio) and refreshes the counts, without touching steps, Services or pauses.
pub fn sync_replicas_only(ctx: &mut Ctx<'_>) {
    if ctx.blue_green().is_some() {
        super::bluegreen::sync_replicas_only(ctx);
        return;
    }
    ctx.status = ctx.old.clone();
    reconcile_canary_replica_sets(ctx);
    ctx.status.available_replicas = Some(
        ctx.all
            .iter()
            .map(|rs| replica_sets::counts(rs).available_replicas)
            .sum(),
    );
    ctx.status.hpa_replicas = Some(ctx.all.iter().map(|rs| replica_sets::counts(rs).status_replicas).sum());
    persist(ctx);
}

/// Records an InvalidSpec condition (upstream `createInvalidRolloutCondition`); no write when the same
/// message is already recorded for the current generation.
pub fn invalid_spec(ctx: &mut Ctx<'_>, message: &str) {
    let generation = ctx.rollout.metadata.generation.unwrap_or(0).to_string();
    let observed = ctx.rollout.status.clone().unwrap_or_default();
    let mut status = observed.clone();
    let mut conditions = status.conditions.take().unwrap_or_default();
    let previous = get_condition(&conditions, condition_types::INVALID_SPEC).cloned();
    if previous.as_ref().is_some_and(|p| p.message != message) {
        cond::remove_condition(&mut conditions, condition_types::INVALID_SPEC);
    }
    let condition = new_condition(
        condition_types::INVALID_SPEC,
        condition_status::TRUE,
        reasons::INVALID_SPEC,
        message,
        ctx.now,
    );
    set_condition(&mut conditions, condition);
    status.conditions = Some(conditions);
    status.observed_generation = Some(generation);
    record_phase(ctx.spec(), &mut status);
    if let Some(patch) = status_patch(&observed, &status) {
        ctx.plan.actions.push(Action::PatchRolloutStatus(patch));
        ctx.event(Event::warning(reasons::INVALID_SPEC, message));
    }
}
