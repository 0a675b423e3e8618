//! Whether an update goes back to an earlier ReplicaSet, and whether it may skip the steps or the
//! pause on the way (upstream `isRollback`, `isRollbackWithinWindow`, `isFastRollback`). Both
//! strategies ask.

use super::context::Ctx;
use super::replica_sets::{created_before, hash_of};

/// Upstream `isRollbackWithinWindow`: the new ReplicaSet is older than the stable one and fewer than
/// `rollbackWindow.revisions` ReplicaSets (not counting experiments') were created in between.
pub(super) fn rollback_within_window(ctx: &Ctx<'_>) -> bool {
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
pub(super) fn is_rollback(ctx: &Ctx<'_>) -> bool {
    let (Some(new), Some(stable)) = (ctx.new_rs(), ctx.stable_rs()) else {
        return false;
    };
    ctx.old.stable_rs.as_deref() == Some(hash_of(new)) || created_before(new, stable)
}

/// Upstream `isFastRollback`: back to the stable ReplicaSet, or to an older one within the rollback
/// window, or (blue-green) to an older one still waiting for its scale-down deadline.
pub(super) fn fast_rollback(ctx: &Ctx<'_>) -> bool {
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
