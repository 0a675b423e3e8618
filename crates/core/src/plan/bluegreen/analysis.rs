//! What the blue-green reconcile asks of its pre- and post-promotion runs (the runs themselves are
//! reconciled in `plan::analysis`): a successful pre-promotion run allows the promotion, a successful
//! post-promotion run the new stable ReplicaSet, and when each kind of run applies at all.

use rollouts_api::analysis_run::AnalysisPhase;

use super::super::analysis::{Slot as Kind, current_run, phase};

use super::super::context::Ctx;
use super::super::replica_sets::hash_of;
use super::{active_selector, is_saturated};

/// Upstream `completedPrePromotionAnalysis`: none configured, or its run succeeded.
pub fn completed_pre_promotion(ctx: &Ctx<'_>) -> bool {
    if ctx.blue_green().is_none_or(|b| b.pre_promotion_analysis.is_none()) {
        return true;
    }
    current_run(ctx, Kind::PrePromotion).is_some_and(|r| phase(r) == AnalysisPhase::Successful)
}

/// Whether the post-promotion run succeeded.
pub fn post_promotion_successful(ctx: &Ctx<'_>) -> bool {
    current_run(ctx, Kind::PostPromotion).is_some_and(|r| phase(r) == AnalysisPhase::Successful)
}

/// Upstream `skipPostPromotionAnalysisRun`: post-promotion analysis does not apply while the new
/// ReplicaSet is stable already or not yet active, or (before a run started) not saturated.
pub fn skip_post_promotion(ctx: &Ctx<'_>) -> bool {
    let Some(new) = ctx.new else { return true };
    let current = hash_of(&ctx.all[new]);
    let active = active_selector(&ctx.old);
    if current.is_empty() || ctx.old.stable_rs.as_deref() == Some(current) || active != current {
        return true;
    }
    if current_run(ctx, Kind::PostPromotion).is_some() {
        return false;
    }
    !is_saturated(ctx, new)
}

/// Upstream `skipPrePromotionAnalysisRun`.
pub fn skip_pre_promotion(ctx: &Ctx<'_>) -> bool {
    let Some(new) = ctx.new else { return true };
    let current = hash_of(&ctx.all[new]);
    let active = active_selector(&ctx.old);
    if current.is_empty() || ctx.old.stable_rs.as_deref() == Some(current) || active.is_empty() || active == current {
        return true;
    }
    if current_run(ctx, Kind::PrePromotion).is_some() {
        return false;
    }
    match ctx.blue_green().and_then(|b| b.preview_replica_count) {
        Some(preview) => {
            let c = super::super::replica_sets::counts(&ctx.all[new]);
            c.spec_replicas != preview || c.available_replicas != preview
        }
        None => !is_saturated(ctx, new),
    }
}
