//! `workloadRef` with `scaleDown`: the referenced Deployment is scaled down as the Rollout takes over
//! (upstream `scaleDeployment` calls in `promoteStable` and `reconcileNewReplicaSet`). Only the first
//! revision migrates; later revisions leave the Deployment alone.

use rollouts_api::RolloutPhase;

use super::actions::Action;
use super::context::Ctx;
use super::snapshot::WorkloadState;

fn scale_down_mode(ctx: &Ctx<'_>) -> Option<&'static str> {
    let reference = ctx.spec().workload_ref.as_ref()?;
    match reference.scale_down.as_deref() {
        Some("onsuccess") => Some("onsuccess"),
        Some("progressively") => Some("progressively"),
        _ => None,
    }
}

fn scale_workload(ctx: &mut Ctx<'_>, replicas: i32) {
    let Some(reference) = ctx.spec().workload_ref.as_ref() else {
        return;
    };
    if reference.kind.as_deref() != Some("Deployment") {
        return;
    }
    if let WorkloadState::Resolved {
        replicas: Some(current),
        ..
    } = ctx.snapshot.workload
        && current == replicas
    {
        return;
    }
    ctx.plan.actions.push(Action::ScaleWorkload {
        api_version: reference.api_version.clone().unwrap_or_else(|| "apps/v1".to_string()),
        kind: "Deployment".to_string(),
        name: reference.name.clone().unwrap_or_default(),
        replicas,
    });
}

fn first_revision_healthy(ctx: &Ctx<'_>) -> bool {
    ctx.revision == Some(1) && ctx.old.phase == Some(RolloutPhase::Healthy)
}

/// `scaleDown: onsuccess` (and `progressively` once Healthy): the Deployment goes to 0 when the first
/// revision is promoted and Healthy.
pub fn scale_down_on_success(ctx: &mut Ctx<'_>) {
    if scale_down_mode(ctx) == Some("onsuccess") && first_revision_healthy(ctx) {
        scale_workload(ctx, 0);
    }
}

/// `scaleDown: progressively`: while the first revision comes up, the Deployment keeps
/// `replicas − ready` pods so the total stays at the desired count; 0 once Healthy.
pub fn scale_down_progressively(ctx: &mut Ctx<'_>, new_replicas: i32, old_new_replicas: i32) {
    if scale_down_mode(ctx) != Some("progressively") {
        return;
    }
    let revision = ctx
        .new_rs()
        .and_then(|rs| super::replica_sets::revision_of(&rs.metadata));
    if revision != Some(1) {
        return;
    }
    if ctx.old.phase == Some(RolloutPhase::Healthy) {
        scale_workload(ctx, 0);
        return;
    }
    let ready = ctx.old.ready_replicas.unwrap_or(0);
    if let Some(replicas) = ctx.spec().replicas
        && (ready > 0 || old_new_replicas > new_replicas)
    {
        scale_workload(ctx, replicas - ready);
    }
}
