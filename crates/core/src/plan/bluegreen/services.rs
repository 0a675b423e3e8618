//! The preview and active Services (upstream `reconcilePreviewService`, `reconcileActiveService`).

use super::super::context::Ctx;
use super::super::pause::halted;
use super::super::replica_sets::hash_of;
use super::super::services::switch_selector;
use super::{active_service, fast_tracked, fully_available, is_saturated, preview_service, ready_for_pause};

/// The preview Service selects the new ReplicaSet as soon as it exists, ready or not. After an abort,
/// once the aborted ReplicaSet is due to be scaled down, it selects the stable ReplicaSet instead, so
/// that no Service is left selecting a ReplicaSet being scaled away.
pub fn reconcile_preview_service(ctx: &mut Ctx<'_>) {
    let Some(name) = preview_service(ctx) else { return };
    if halted(ctx) {
        return;
    }
    let Some(new) = ctx.new_rs() else { return };
    let mut target = hash_of(new).to_string();
    if super::replica_sets::abort_scale_down_due(ctx) {
        let stable = ctx.old.stable_rs.clone().unwrap_or_default();
        if ctx.rs_by_hash(&stable).is_some() {
            target = stable;
        }
    }
    switch_selector(ctx, &name, &target);
}

/// The active Service moves to the new ReplicaSet once it is fully available and saturated and the
/// promotion is allowed (pause over and pre-promotion analysis successful, or fast-tracked); an abort
/// moves it back to the stable ReplicaSet once that one is fully available.
pub fn reconcile_active_service(ctx: &mut Ctx<'_>) {
    if halted(ctx) {
        return;
    }
    let name = active_service(ctx);
    let Some(current) = ctx.service_hash(&name) else { return };
    if ctx.pause.is_aborted() {
        let stable = ctx.old.stable_rs.clone().unwrap_or_default();
        if !stable.is_empty() && stable != current && fully_available(ctx, &stable) {
            switch_selector(ctx, &name, &stable);
        }
        return;
    }
    let Some(new) = ctx.new else { return };
    if !ready_for_pause(ctx) || !is_saturated(ctx, new) {
        return;
    }
    let new_hash = hash_of(&ctx.all[new]).to_string();
    let promote =
        fast_tracked(ctx) || (super::pause::completed_pause(ctx) && super::analysis::completed_pre_promotion(ctx));
    let target = if promote { new_hash } else { current };
    if !target.is_empty() {
        switch_selector(ctx, &name, &target);
    }
}
