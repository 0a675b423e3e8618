//! The blue-green strategy's reconcile (upstream `rolloutBlueGreen`): the preview Service follows the
//! new ReplicaSet at once; the new ReplicaSet grows to full size (or `previewReplicaCount`); the
//! rollout pauses before promotion when asked to; the active Service moves to the new ReplicaSet only
//! once it is fully available; the previous one is scaled down after `scaleDownDelaySeconds`.
//!
//! Two rules hold beyond upstream: the active Service only ever selects a fully available ReplicaSet
//! (an abort moves it back to the stable one only when that one can serve), and no ReplicaSet is
//! scaled down while a Service still selects it (after an abort, the preview Service moves back to
//! the stable ReplicaSet before the aborted one is scaled down).

mod analysis;
mod pause;
mod replica_sets;
mod services;
mod status;

use rollouts_api::rollout_status::RolloutStatus;

use super::context::Ctx;
use super::replica_sets::{counts, hash_of, spec_replicas};

pub use analysis::{skip_post_promotion, skip_pre_promotion};
pub use replica_sets::reconcile_replica_sets;
pub use status::sync_replicas_only;

/// The blue-green reconcile after the common part (ReplicaSet found, pause conditions checked, no
/// scaling event).
pub fn rollout_blue_green(ctx: &mut Ctx<'_>) {
    services::reconcile_preview_service(ctx);
    if super::sync::pod_spec_changed(ctx) {
        status::sync_status(ctx);
        return;
    }
    // Evictions do not end a blue-green reconcile (upstream): the ReplicaSets are reconciled as usual.
    super::restart::restart_pods(ctx);
    reconcile_replica_sets(ctx);
    pause::reconcile_pause(ctx);
    services::reconcile_active_service(ctx);
    super::analysis::reconcile(ctx);
    super::ephemeral::reconcile_ephemeral_metadata(ctx);
    status::sync_status(ctx);
}

/// Size of the new ReplicaSet (upstream `NewRSNewReplicas` for blue-green): `previewReplicaCount`
/// until the pause is over and the preview pods are available, then `spec.replicas`.
fn desired_new_replicas(ctx: &Ctx<'_>) -> i32 {
    let replicas = ctx.replicas();
    let (Some(blue_green), Some(new)) = (ctx.blue_green(), ctx.new_rs()) else {
        return replicas;
    };
    let Some(preview) = blue_green.preview_replica_count else {
        return replicas;
    };
    let active = ctx.rs_by_hash(active_selector(&ctx.old));
    if active.is_none() || active == ctx.new || ctx.old.promote_full.unwrap_or(false) {
        return replicas;
    }
    if Some(hash_of(new)) != ctx.old.current_pod_hash.as_deref() {
        return preview;
    }
    let paused = ctx.spec().paused.unwrap_or(false) || ctx.old.pause_conditions.as_ref().is_some_and(|p| !p.is_empty());
    if !paused && scale_up_preview_check_point(ctx) {
        return replicas;
    }
    preview
}

fn scale_up_preview_check_point(ctx: &Ctx<'_>) -> bool {
    ctx.old
        .blue_green
        .as_ref()
        .and_then(|b| b.scale_up_preview_check_point)
        .unwrap_or(false)
}

/// Upstream `ReadyForPause`: the new ReplicaSet has its desired size and all of it is available.
fn ready_for_pause(ctx: &Ctx<'_>) -> bool {
    let Some(new) = ctx.new_rs() else { return false };
    let desired = desired_new_replicas(ctx);
    let c = counts(new);
    c.spec_replicas == desired && c.available_replicas == desired
}

/// Upstream `IsSaturated`: the ReplicaSet has `spec.replicas` pods, all available, and was last sized
/// for the current `spec.replicas`.
fn is_saturated(ctx: &Ctx<'_>, index: usize) -> bool {
    let replicas = ctx.replicas();
    let rs = &ctx.all[index];
    let c = counts(rs);
    c.spec_replicas == replicas
        && super::replica_sets::desired_replicas_annotation(rs) == Some(replicas)
        && c.available_replicas == replicas
}

/// Whether every pod of the ReplicaSet with this hash is available (and it has some): the only kind
/// of ReplicaSet the active Service may be pointed at.
fn fully_available(ctx: &Ctx<'_>, hash: &str) -> bool {
    ctx.rs_by_hash(hash).is_some_and(|i| {
        let c = counts(&ctx.all[i]);
        spec_replicas(&ctx.all[i]) > 0 && c.available_replicas >= c.spec_replicas
    })
}

/// The hash the active Service selects as `status` records it (`status.blueGreen.activeSelector`), ""
/// when none.
pub(super) fn active_selector(status: &RolloutStatus) -> &str {
    status
        .blue_green
        .as_ref()
        .and_then(|b| b.active_selector.as_deref())
        .unwrap_or("")
}

/// The active Service's name.
fn active_service(ctx: &Ctx<'_>) -> String {
    ctx.blue_green().map(|b| b.active_service.clone()).unwrap_or_default()
}

/// The preview Service's name, when configured.
fn preview_service(ctx: &Ctx<'_>) -> Option<String> {
    ctx.blue_green()
        .and_then(|b| b.preview_service.clone())
        .filter(|p| !p.is_empty())
}

/// Upstream `isBlueGreenFastTracked`: no pause when rolling back fast, promoting fully, deploying for
/// the first time (the active Service selects no hash yet) or when the active Service already selects
/// the new ReplicaSet.
fn fast_tracked(ctx: &Ctx<'_>) -> bool {
    if super::rollback::fast_rollback(ctx) || ctx.old.promote_full.unwrap_or(false) {
        return true;
    }
    let active = ctx.service_hash(&active_service(ctx)).unwrap_or_default();
    active.is_empty() || ctx.new_rs().is_some_and(|n| hash_of(n) == active)
}
