//! Pre- and post-promotion analysis as the blue-green reconcile sees it (upstream
//! `reconcileAnalysisRuns` for blue-green): the runs themselves come from the snapshot (the
//! AnalysisRuns named in the status); an inconclusive run pauses the rollout, a failed or errored one
//! aborts it, a successful pre-promotion run allows the promotion and a successful post-promotion run
//! the new stable ReplicaSet.

use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun};
use rollouts_api::rollout_status::RolloutAnalysisRunStatus;
use rollouts_api::well_known::pause_reasons::INCONCLUSIVE_ANALYSIS_RUN;

use super::super::context::Ctx;
use super::super::replica_sets::hash_of;
use super::is_saturated;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pre,
    Post,
}

fn recorded<'s>(ctx: &'s Ctx<'_>, kind: Kind) -> Option<&'s RolloutAnalysisRunStatus> {
    let bg = ctx.old.blue_green.as_ref()?;
    match kind {
        Kind::Pre => bg.pre_promotion_analysis_run_status.as_ref(),
        Kind::Post => bg.post_promotion_analysis_run_status.as_ref(),
    }
}

/// The run of this kind the status names, as found in the snapshot.
fn current_run<'s>(ctx: &'s Ctx<'_>, kind: Kind) -> Option<&'s AnalysisRun> {
    let name = &recorded(ctx, kind)?.name;
    ctx.snapshot
        .analysis_runs
        .iter()
        .find(|r| r.metadata.name.as_ref() == Some(name))
}

fn phase(run: &AnalysisRun) -> AnalysisPhase {
    run.status.as_ref().map(|s| s.phase).unwrap_or_default()
}

/// Upstream `completedPrePromotionAnalysis`: none configured, or its run succeeded.
pub fn completed_pre_promotion(ctx: &Ctx<'_>) -> bool {
    if ctx.blue_green().is_none_or(|b| b.pre_promotion_analysis.is_none()) {
        return true;
    }
    current_run(ctx, Kind::Pre).is_some_and(|r| phase(r) == AnalysisPhase::Successful)
}

/// Whether the post-promotion run succeeded.
pub fn post_promotion_successful(ctx: &Ctx<'_>) -> bool {
    current_run(ctx, Kind::Post).is_some_and(|r| phase(r) == AnalysisPhase::Successful)
}

/// Upstream `skipPostPromotionAnalysisRun`: post-promotion analysis does not apply while the new
/// ReplicaSet is stable already or not yet active, or (before a run started) not saturated.
pub fn skip_post_promotion(ctx: &Ctx<'_>) -> bool {
    let Some(new) = ctx.new else { return true };
    let current = hash_of(&ctx.all[new]);
    let active = ctx.old.blue_green.as_ref().and_then(|b| b.active_selector.as_deref());
    if current.is_empty() || ctx.old.stable_rs.as_deref() == Some(current) || active != Some(current) {
        return true;
    }
    if current_run(ctx, Kind::Post).is_some() {
        return false;
    }
    !is_saturated(ctx, new)
}

/// Upstream `skipPrePromotionAnalysisRun`.
fn skip_pre_promotion(ctx: &Ctx<'_>) -> bool {
    let Some(new) = ctx.new else { return true };
    let current = hash_of(&ctx.all[new]);
    let active = ctx
        .old
        .blue_green
        .as_ref()
        .and_then(|b| b.active_selector.as_deref())
        .unwrap_or("");
    if current.is_empty() || ctx.old.stable_rs.as_deref() == Some(current) || active.is_empty() || active == current {
        return true;
    }
    if current_run(ctx, Kind::Pre).is_some() {
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

/// Reads the current runs into the status and turns their outcome into a pause or an abort. Creating
/// the runs (and terminating those no longer needed) belongs to the analysis controller's side.
pub fn reconcile_analysis(ctx: &mut Ctx<'_>) {
    let cancelled = ctx.pause.is_aborted()
        || super::super::canary::fast_rollback(ctx)
        || ctx.old.stable_rs.as_deref().unwrap_or("").is_empty()
        || ctx.old.stable_rs == ctx.old.current_pod_hash
        || ctx.old.promote_full.unwrap_or(false);
    for kind in [Kind::Pre, Kind::Post] {
        let Some(run) = current_run(ctx, kind) else { continue };
        let run_status = RolloutAnalysisRunStatus {
            name: run.metadata.name.clone().unwrap_or_default(),
            status: phase(run),
            message: run
                .status
                .as_ref()
                .and_then(|s| s.message.clone())
                .filter(|m| !m.is_empty()),
        };
        let skip = match kind {
            Kind::Pre => skip_pre_promotion(ctx),
            Kind::Post => skip_post_promotion(ctx),
        };
        let inconclusive_paused = ctx
            .old
            .pause_conditions
            .iter()
            .flatten()
            .any(|c| c.reason == INCONCLUSIVE_ANALYSIS_RUN);
        if !cancelled && !skip && !inconclusive_paused {
            match run_status.status {
                AnalysisPhase::Inconclusive => ctx.pause.add_reasons.push(INCONCLUSIVE_ANALYSIS_RUN.to_string()),
                AnalysisPhase::Error | AnalysisPhase::Failed => {
                    let which = if kind == Kind::Post { "post" } else { "pre" };
                    let mut message = format!("Blue/green {which}-promotion analysis phase error/failed");
                    if let Some(m) = &run_status.message {
                        message = format!("{message}: {m}");
                    }
                    ctx.pause.add_abort(message);
                }
                _ => {}
            }
        }
        let bg = ctx.status.blue_green.get_or_insert_with(Default::default);
        match kind {
            Kind::Pre => bg.pre_promotion_analysis_run_status = Some(run_status),
            Kind::Post => bg.post_promotion_analysis_run_status = Some(run_status),
        }
    }
}
