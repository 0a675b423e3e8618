//! The canary strategy's reconcile (upstream `rolloutCanary` and `syncRolloutStatusCanary`): scale the
//! stable, then the new, then the other ReplicaSets, one kind of change per reconcile; hold at pause
//! steps; advance at most one step per reconcile; promote, abort, roll back.

use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use rollouts_api::rollout_status::{PauseCondition, RolloutStatus};
use rollouts_api::well_known::{completion_status, pause_reasons, reasons};
use serde_json::json;

use super::actions::{Action, Event};
use super::context::Ctx;
use super::history::reconcile_revision_history_limit;
use super::persist::persist;
use super::replica_sets::{self, counts, created_before, hash_of, scale_down_deadline, spec_replicas};
use super::services::reconcile_stable_and_canary_services;
use super::steps::{current_step, pause_duration, step_count, step_string};
use crate::canary::{
    CanaryInput, OldReplicaSet, OldReplicaSetsInput, ProgressThreshold, at_desired_replica_counts,
    replica_progress_threshold_met, scale_down_old_replica_sets,
};
use crate::hash::steps_hash_opt;

/// Upstream `PodTemplateOrStepsChanged`: the step hash is missing or differs, or the recorded pod hash
/// differs from the new ReplicaSet's.
pub fn pod_template_or_steps_changed(ctx: &Ctx<'_>) -> bool {
    let recorded_steps = ctx.old.current_step_hash.as_deref().unwrap_or("");
    if recorded_steps.is_empty() || recorded_steps != steps_hash(ctx) {
        return true;
    }
    let recorded_pod = ctx.old.current_pod_hash.as_deref().unwrap_or("");
    !recorded_pod.is_empty() && recorded_pod != ctx.current_pod_hash()
}

fn steps_hash(ctx: &Ctx<'_>) -> String {
    let steps = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.steps.as_deref());
    steps_hash_opt(steps)
}

/// The canary reconcile after the common part (ReplicaSet found, pause conditions checked, no scaling
/// event).
pub fn rollout_canary(ctx: &mut Ctx<'_>) {
    if pod_template_or_steps_changed(ctx) {
        sync_rollout_status_canary(ctx);
        return;
    }
    if restart_pods(ctx) {
        return;
    }
    reconcile_ephemeral_metadata(ctx);
    reconcile_revision_history_limit(ctx);
    reconcile_stable_and_canary_services(ctx);
    super::analysis::reconcile(ctx);
    let inconclusive = ctx
        .pause
        .add_reasons
        .iter()
        .any(|r| r == pause_reasons::INCONCLUSIVE_ANALYSIS_RUN);
    if inconclusive {
        sync_rollout_status_canary(ctx);
        return;
    }
    if reconcile_canary_replica_sets(ctx) {
        sync_rollout_status_canary(ctx);
        return;
    }
    reconcile_canary_pause(ctx);
    sync_rollout_status_canary(ctx);
}

/// `spec.restartAt`: evicts pods older than it, within `maxUnavailable`; the reconcile stops when any
/// pod was evicted, since the ReplicaSets' availability no longer reflects those pods (upstream
/// `RolloutPodRestarter`). Returns whether it evicted.
pub(super) fn restart_pods(ctx: &mut Ctx<'_>) -> bool {
    let Some(restart_at) = ctx.spec().restart_at.as_ref() else {
        return false;
    };
    if restart_at.0 > ctx.now {
        let wait = Duration::try_from(restart_at.0.duration_since(ctx.now)).unwrap_or(Duration::ZERO);
        ctx.plan.requeue(wait);
        return false;
    }
    let Some(pods) = ctx.snapshot.pods else { return false };
    if !super::restart::needs_restart(ctx.rollout, ctx.now) {
        return false;
    }
    let replica_sets: Vec<&k8s_openapi::api::apps::v1::ReplicaSet> = ctx.all.iter().collect();
    let new_hash = ctx.new_rs().map(hash_of);
    let stable_hash = ctx.stable_rs().map(hash_of);
    let input = super::restart::RestartInput {
        rollout: ctx.rollout,
        replica_sets: &replica_sets,
        stable_hash,
        new_hash,
        pods,
        now: ctx.now,
    };
    let restart = super::restart::plan_restart(&input);
    if let Some(after) = restart.requeue_after {
        ctx.plan.requeue(after);
    }
    if restart.evict.is_empty() {
        if let Some(done) = restart.restarted_at {
            ctx.status.restarted_at = Some(done);
        }
        return false;
    }
    for name in restart.evict {
        ctx.plan.actions.push(Action::EvictPod { name });
    }
    true
}

/// Ephemeral `canaryMetadata`/`stableMetadata` (upstream `reconcileEphemeralMetadata`): once fully
/// promoted the new ReplicaSet carries the stable metadata; during an update the new one carries the
/// canary metadata and the stable one the stable metadata; the others lose what was injected. The
/// pods are patched before their ReplicaSet records the change, so a failed pod patch is retried.
pub(super) fn reconcile_ephemeral_metadata(ctx: &mut Ctx<'_>) {
    use super::ephemeral::{
        ReplicaSetRole, desired_metadata, ephemeral_metadata_configured, sync_replica_set_metadata,
    };
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

/// Upstream `haltProgress`: `spec.paused` or an inconclusive analysis stop all ReplicaSet scaling.
pub(super) fn halted(ctx: &Ctx<'_>) -> bool {
    ctx.spec().paused.unwrap_or(false)
        || ctx
            .old
            .pause_conditions
            .iter()
            .flatten()
            .any(|c| c.reason == pause_reasons::INCONCLUSIVE_ANALYSIS_RUN)
}

fn canary_input(ctx: &Ctx<'_>) -> Option<CanaryInput> {
    let weights = ctx.old.canary.as_ref().and_then(|c| c.weights.as_ref());
    CanaryInput::from_rollout(ctx.spec(), Some(&ctx.old), ctx.canary_replica_sets(), weights)
}

/// New and stable ReplicaSets never keep a `scale-down-deadline` (upstream `removeScaleDownDeadlines`).
pub(super) fn remove_scale_down_deadlines(ctx: &mut Ctx<'_>, keep_new: bool) {
    let mut targets = Vec::new();
    targets.extend(ctx.new.filter(|_| !keep_new));
    if let Some(s) = ctx.stable.filter(|s| Some(*s) != ctx.new) {
        targets.push(s);
    }
    for i in targets {
        if scale_down_deadline(&ctx.all[i]).is_none() {
            continue;
        }
        let name = ctx.all[i].metadata.name.clone().unwrap_or_default();
        ctx.plan.actions.push(Action::PatchReplicaSet {
            name,
            patch: json!([{"op": "remove", "path": "/metadata/annotations/scale-down-deadline"}]),
        });
        if let Some(ann) = ctx.all[i].metadata.annotations.as_mut() {
            ann.remove(rollouts_api::well_known::annotations::SCALE_DOWN_DEADLINE);
        }
    }
}

/// Scales stable, then new, then the others; the first that changes size ends the phase. Returns
/// whether anything was scaled (upstream `reconcileCanaryReplicaSets`).
pub fn reconcile_canary_replica_sets(ctx: &mut Ctx<'_>) -> bool {
    if halted(ctx) {
        return false;
    }
    remove_scale_down_deadlines(ctx, false);
    if let (Some(stable), Some(input)) = (ctx.stable.filter(|s| Some(*s) != ctx.new), canary_input(ctx)) {
        let desired = within_surge(ctx, stable, crate::canary::replica_counts(&input).scaled.stable);
        if ctx.scale(stable, desired, false) {
            return true;
        }
    }
    if let (Some(new), Some(input)) = (ctx.new, canary_input(ctx)) {
        let desired = within_surge(ctx, new, crate::canary::replica_counts(&input).scaled.new);
        let before = spec_replicas(&ctx.all[new]);
        let scaled = ctx.scale(new, desired, false);
        super::workload::scale_down_progressively(ctx, desired, before);
        if scaled {
            return true;
        }
    }
    reconcile_other_replica_sets(ctx)
}

/// Caps a scale-up so the Rollout's pods stay within `replicas + maxSurge`. The arithmetic already
/// does so from a settled state; this covers the cases it does not, such as `spec.replicas` lowered
/// while a full promotion is under way, where upstream would grow the stable ReplicaSet before
/// shrinking the canary and briefly exceed the surge.
fn within_surge(ctx: &Ctx<'_>, index: usize, desired: i32) -> i32 {
    let current = spec_replicas(&ctx.all[index]);
    if desired <= current {
        return desired;
    }
    let total: i32 = ctx.all.iter().map(spec_replicas).sum();
    let headroom = (ctx.replicas() + ctx.spec().max_surge_pods() - total).max(0);
    current + (desired - current).min(headroom)
}

/// Counts of a ReplicaSet with its available pods capped at its size: right after a scale-down the
/// status still reports pods that are being deleted, and counting them (as upstream does) lets the
/// scale-down budget take availability below `replicas − maxUnavailable`.
fn counted_available(rs: &k8s_openapi::api::apps::v1::ReplicaSet) -> crate::canary::ReplicaSetCounts {
    let mut c = counts(rs);
    c.available_replicas = c.available_replicas.min(c.spec_replicas);
    c
}

/// Drains the other ReplicaSets no faster than availability allows (basic canary).
fn reconcile_other_replica_sets(ctx: &mut Ctx<'_>) -> bool {
    let active: Vec<usize> = ctx
        .others()
        .into_iter()
        .filter(|i| spec_replicas(&ctx.all[*i]) > 0)
        .collect();
    if active.is_empty() {
        return false;
    }
    let names: Vec<String> = active
        .iter()
        .map(|i| ctx.all[*i].metadata.name.clone().unwrap_or_default())
        .collect();
    let old: Vec<OldReplicaSet<'_>> = active
        .iter()
        .zip(&names)
        .map(|(i, name)| OldReplicaSet {
            name,
            revision: replica_sets::revision_of(&ctx.all[*i].metadata),
            created_at: replica_sets::created_at(&ctx.all[*i]),
            counts: counted_available(&ctx.all[*i]),
        })
        .collect();
    let new_and_stable_available = ctx
        .new
        .iter()
        .chain(ctx.stable.iter().filter(|s| Some(**s) != ctx.new))
        .map(|i| counted_available(&ctx.all[*i]).available_replicas)
        .sum();
    let input = OldReplicaSetsInput {
        replicas: ctx.replicas(),
        max_unavailable: ctx.spec().max_unavailable_pods(),
        new_and_stable_available,
        old: &old,
    };
    let scales = scale_down_old_replica_sets(&input);
    let mut scaled = false;
    for s in scales {
        scaled |= ctx.scale(active[s.index], s.to, false);
    }
    scaled
}

/// At a pause step: adds the CanaryPauseStep condition the first time and requeues at its expiry.
/// Returns whether the rollout is on a pause step (upstream `reconcileCanaryPause`).
fn reconcile_canary_pause(ctx: &mut Ctx<'_>) -> bool {
    if ctx.spec().paused.unwrap_or(false) || ctx.old.promote_full.unwrap_or(false) {
        return false;
    }
    let Some(pause) = current_step(ctx.spec(), &ctx.old).and_then(|s| s.pause.as_ref()) else {
        return false;
    };
    let Some(condition) = pause_condition(&ctx.old, pause_reasons::CANARY_PAUSE_STEP) else {
        if !ctx.old.controller_pause.unwrap_or(false) {
            ctx.pause.add_reasons.push(pause_reasons::CANARY_PAUSE_STEP.to_string());
        }
        return true;
    };
    if let Some(duration) = pause_duration(pause.duration.as_ref()) {
        let start = condition.start_time.0;
        let elapsed = Duration::try_from(ctx.now.duration_since(start)).unwrap_or(Duration::ZERO);
        ctx.plan.requeue(duration.saturating_sub(elapsed));
    }
    true
}

fn pause_condition<'s>(status: &'s RolloutStatus, reason: &str) -> Option<&'s PauseCondition> {
    status.pause_conditions.iter().flatten().find(|c| c.reason == reason)
}

/// `replicaProgressThreshold` of the canary strategy.
fn progress_threshold(ctx: &Ctx<'_>) -> Option<ProgressThreshold> {
    let canary = ctx.spec().strategy.as_ref()?.canary.as_ref()?;
    canary
        .replica_progress_threshold
        .as_ref()
        .and_then(ProgressThreshold::from_spec)
}

/// Whether the current step is done (upstream `completedCurrentCanaryStep`).
fn completed_current_step(ctx: &Ctx<'_>) -> bool {
    if ctx.spec().paused.unwrap_or(false) {
        return false;
    }
    let Some(step) = current_step(ctx.spec(), &ctx.old) else {
        return false;
    };
    if let Some(pause) = &step.pause {
        let condition = pause_condition(&ctx.old, pause_reasons::CANARY_PAUSE_STEP);
        if ctx.old.controller_pause.unwrap_or(false) && condition.is_none() {
            return true;
        }
        return match (pause_duration(pause.duration.as_ref()), condition) {
            (Some(duration), Some(c)) => {
                let elapsed = Duration::try_from(ctx.now.duration_since(c.start_time.0)).unwrap_or(Duration::ZERO);
                elapsed > duration
            }
            _ => false,
        };
    }
    if step.set_canary_scale.is_some() || step.set_weight.is_some() {
        let threshold = progress_threshold(ctx);
        let reached = canary_input(ctx).is_some_and(|input| at_desired_replica_counts(&input, threshold));
        let verified = ctx
            .status
            .canary
            .as_ref()
            .and_then(|c| c.weights.as_ref())
            .and_then(|w| w.verified)
            .unwrap_or(true);
        return reached && (step.set_canary_scale.is_some() || verified);
    }
    if step.set_header_route.is_some() || step.set_mirror_route.is_some() {
        return true;
    }
    if step.analysis.is_some() {
        return super::analysis::step_run_successful(ctx);
    }
    // Experiment and plugin steps wait for their own controllers.
    false
}

/// Upstream `calculateBaseStatus`.
pub(super) fn calculate_base_status(ctx: &mut Ctx<'_>) {
    let mut conditions = ctx.old.conditions.clone().unwrap_or_default();
    crate::status::conditions::remove_condition(
        &mut conditions,
        rollouts_api::well_known::condition_types::INVALID_SPEC,
    );
    let current = ctx.current_pod_hash();
    let s = &mut ctx.status;
    s.replicas = Some(ctx.all.iter().map(|rs| counts(rs).status_replicas).sum());
    s.updated_replicas = Some(ctx.new.map_or(0, |i| counts(&ctx.all[i]).status_replicas));
    s.ready_replicas = Some(ctx.all.iter().map(replica_sets::ready_replicas).sum());
    s.collision_count = ctx.old.collision_count;
    s.conditions = Some(conditions);
    s.promote_full = (Some(current.as_str()) != ctx.old.stable_rs.as_deref() && ctx.old.promote_full.unwrap_or(false))
        .then_some(true);
    s.current_pod_hash = Some(current);
}

/// `metav1.FormatLabelSelector` for the selectors a Rollout can have.
pub fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    let Some(selector) = selector else { return String::new() };
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for expr in selector.match_expressions.iter().flatten() {
        let values = expr.values.clone().unwrap_or_default();
        parts.push(match expr.operator.as_str() {
            "In" => format!("{} in ({})", expr.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", expr.key, values.join(",")),
            "Exists" => expr.key.clone(),
            "DoesNotExist" => format!("!{}", expr.key),
            other => format!("{} {other}", expr.key),
        });
    }
    if parts.is_empty() {
        "<none>".to_string()
    } else {
        parts.join(",")
    }
}

/// Upstream `isRollbackWithinWindow`: the new ReplicaSet is older than the stable one and fewer than
/// `rollbackWindow.revisions` ReplicaSets (not counting experiments') were created in between.
pub fn rollback_within_window(ctx: &Ctx<'_>) -> bool {
    let (Some(new), Some(stable)) = (ctx.new_rs(), ctx.stable_rs()) else {
        return false;
    };
    if !created_before(new, stable) {
        return false;
    }
    let Some(window) = ctx
        .spec()
        .rollback_window
        .as_ref()
        .and_then(|w| w.revisions)
        .filter(|r| *r > 0)
    else {
        return false;
    };
    let between = ctx
        .all
        .iter()
        .filter(|rs| {
            let experiment = rs
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(rollouts_api::well_known::annotations::EXPERIMENT_NAME))
                .is_some_and(|v| !v.is_empty());
            !experiment && created_before(rs, stable) && created_before(new, rs)
        })
        .count();
    i32::try_from(between).unwrap_or(i32::MAX) < window
}

/// Upstream `isRollback`: the new ReplicaSet is the stable one or older than it.
pub fn is_rollback(ctx: &Ctx<'_>) -> bool {
    let (Some(new), Some(stable)) = (ctx.new_rs(), ctx.stable_rs()) else {
        return false;
    };
    ctx.old.stable_rs.as_deref() == Some(hash_of(new)) || created_before(new, stable)
}

/// Upstream `isFastRollback`: back to the stable ReplicaSet, or to an older one within the rollback
/// window, or (blue-green) to an older one still waiting for its scale-down deadline.
pub fn fast_rollback(ctx: &Ctx<'_>) -> bool {
    let (Some(new), Some(stable)) = (ctx.new_rs(), ctx.stable_rs()) else {
        return false;
    };
    let to_stable = ctx.old.stable_rs.as_deref() == Some(hash_of(new));
    let within_delay = ctx.new_within_delay && ctx.blue_green().is_some();
    to_stable || (created_before(new, stable) && (rollback_within_window(ctx) || within_delay))
}

/// The promotion reason of a fast rollback, when this is one.
pub(super) fn fast_rollback_reason(ctx: &Ctx<'_>) -> Option<String> {
    if !fast_rollback(ctx) {
        return None;
    }
    let reason = if rollback_within_window(ctx) {
        "Rollback within window"
    } else {
        "Fast rollback"
    };
    Some(reason.to_string())
}

/// Why the new ReplicaSet should become stable now, if it should (upstream `shouldFullPromote`).
fn should_full_promote(ctx: &Ctx<'_>) -> Option<String> {
    if ctx.stable.is_none() {
        return Some("Initial deploy".to_string());
    }
    if ctx.pause.is_aborted() {
        return None;
    }
    let new = ctx.new_rs()?;
    let replicas = ctx.replicas();
    let threshold = progress_threshold(ctx);
    let new_counts = counts(new);
    if new_counts.available_replicas < replicas
        && !replica_progress_threshold_met(threshold, Some(new_counts), replicas)
    {
        return None;
    }
    if ctx.old.promote_full.unwrap_or(false) {
        return Some("Full promotion requested".to_string());
    }
    if let Some(reason) = fast_rollback_reason(ctx) {
        return Some(reason);
    }
    let count = step_count(ctx.spec());
    let index = ctx.old.current_step_index.unwrap_or(0);
    (count == 0 || index == count).then(|| format!("Completed all {count} canary steps"))
}

/// Upstream `promoteStable` for a canary.
pub(super) fn promote_stable(ctx: &mut Ctx<'_>, reason: &str) {
    ctx.pause.clear = true;
    ctx.pause.remove_abort = true;
    ctx.status.promote_full = None;
    let count = step_count(ctx.spec());
    ctx.status.current_step_index = (count > 0).then_some(count);
    let current = ctx.status.current_pod_hash.clone().unwrap_or_default();
    if ctx.status.stable_rs.as_deref() != Some(current.as_str()) {
        if let Some(d) = ctx.status.duration.as_mut()
            && d.completion_status.is_none()
        {
            let full = ctx.old.promote_full.unwrap_or(false);
            let status = if full {
                completion_status::FAST_PROMOTED
            } else {
                completion_status::PROMOTED
            };
            d.completion_status = Some(status.to_string());
        }
        ctx.status.stable_rs = Some(current.clone());
        let revision = ctx.revision.unwrap_or(0);
        ctx.event(Event::normal(
            reasons::ROLLOUT_COMPLETED,
            format!("Rollout completed update to revision {revision} ({current}): {reason}"),
        ));
    }
    super::workload::scale_down_on_success(ctx);
}

/// Upstream `resetRolloutStatus`: a new template or new steps start the update over.
fn reset_status(ctx: &mut Ctx<'_>) {
    ctx.pause.clear = true;
    ctx.pause.remove_abort = true;
    ctx.status.restarted_at = ctx.spec().restart_at.clone();
    ctx.status.promote_full = None;
    ctx.status.current_step_index = (step_count(ctx.spec()) > 0).then_some(0);
}

/// Upstream `syncRolloutStatusCanary`: the canary part of the status, then persist.
pub fn sync_rollout_status_canary(ctx: &mut Ctx<'_>) {
    calculate_base_status(ctx);
    let all_available = ctx.all.iter().map(|rs| counts(rs).available_replicas).sum();
    let all_replicas = ctx.all.iter().map(|rs| counts(rs).status_replicas).sum();
    ctx.status.available_replicas = Some(all_available);
    ctx.status.hpa_replicas = Some(all_replicas);
    ctx.status.selector = Some(format_label_selector(ctx.spec().selector.as_ref()));
    if let (Some(canary), Some(old)) = (ctx.status.canary.as_mut(), ctx.old.canary.as_ref()) {
        canary.stable_ping_pong = old.stable_ping_pong.clone();
        canary.step_plugin_statuses = old.step_plugin_statuses.clone();
    }
    ctx.status.stable_rs = ctx.old.stable_rs.clone();
    ctx.status.current_step_hash = Some(steps_hash(ctx));
    let count = step_count(ctx.spec());
    let mut index = (count > 0).then(|| ctx.old.current_step_index.unwrap_or(0));

    if pod_template_or_steps_changed(ctx) {
        reset_status(ctx);
        if let Some(new) = ctx.new_rs()
            && count > 0
        {
            let new_hash = hash_of(new).to_string();
            let active = spec_replicas(new) > 0;
            if ctx.old.stable_rs.as_deref() == Some(new_hash.as_str()) {
                ctx.event(Event::normal(reasons::SKIP_STEPS, "Rollback to stable ReplicaSets"));
                ctx.status.current_step_index = Some(count);
            } else if rollback_within_window(ctx) && active {
                ctx.event(Event::normal(
                    reasons::SKIP_STEPS,
                    "Rollback to active ReplicaSets within RollbackWindow",
                ));
                ctx.status.current_step_index = Some(count);
            }
        }
        persist(ctx);
        return;
    }

    if ctx.old.promote_full.unwrap_or(false) || rollback_within_window(ctx) {
        ctx.pause.clear = true;
        ctx.pause.remove_abort = true;
        if count > 0 {
            index = Some(count);
        }
    }

    if let Some(reason) = should_full_promote(ctx) {
        promote_stable(ctx, &reason);
        persist(ctx);
        return;
    }

    if ctx.pause.is_aborted() {
        if count > 0 {
            let at_stable = ctx.status.stable_rs == ctx.status.current_pod_hash;
            ctx.status.current_step_index = Some(if at_stable { count } else { 0 });
        }
        persist(ctx);
        return;
    }

    if completed_current_step(ctx)
        && let Some(step) = current_step(ctx.spec(), &ctx.old)
    {
        let text = step_string(step);
        let next = index.unwrap_or(0) + 1;
        index = Some(next);
        if let Some(c) = ctx.status.canary.as_mut() {
            c.current_step_analysis_run_status = None;
        }
        ctx.event(Event::normal(
            reasons::ROLLOUT_STEP_COMPLETED,
            format!("Rollout step {next}/{count} completed ({text})"),
        ));
        ctx.pause
            .remove_reasons
            .push(pause_reasons::CANARY_PAUSE_STEP.to_string());
    }
    ctx.status.current_step_index = index;
    persist(ctx);
}
