//! `revisionHistoryLimit`: deleting the oldest scaled-down ReplicaSets beyond the limit (upstream
//! `reconcileRevisionHistoryLimit`).

use super::actions::Action;
use super::context::Ctx;
use super::replica_sets::spec_replicas;

/// Examines the oldest `count − limit` other ReplicaSets and deletes those fully scaled down and
/// observed; one still holding pods is skipped, not replaced by a newer one.
pub fn reconcile_revision_history_limit(ctx: &mut Ctx<'_>) {
    let limit = usize::try_from(ctx.spec().revision_history_limit_or_default()).unwrap_or(0);
    let cleanable: Vec<usize> = ctx
        .others()
        .into_iter()
        .filter(|i| ctx.all[*i].metadata.deletion_timestamp.is_none())
        .collect();
    let excess = cleanable.len().saturating_sub(limit);
    let mut deleted = Vec::new();
    for &i in cleanable.iter().take(excess) {
        let rs = &ctx.all[i];
        let status_replicas = rs.status.as_ref().map_or(0, |s| s.replicas);
        let observed = rs.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0);
        if status_replicas != 0 || spec_replicas(rs) != 0 || rs.metadata.generation.unwrap_or(0) > observed {
            continue;
        }
        ctx.plan.actions.push(Action::DeleteReplicaSet {
            name: rs.metadata.name.clone().unwrap_or_default(),
            uid: rs.metadata.uid.clone(),
        });
        deleted.push(i);
    }
    // Forget deleted ReplicaSets so nothing later in this plan touches them.
    for i in deleted.into_iter().rev() {
        ctx.all.remove(i);
        let shift = |x: Option<usize>| x.map(|x| if x > i { x - 1 } else { x });
        ctx.new = shift(ctx.new);
        ctx.stable = shift(ctx.stable);
    }
}
