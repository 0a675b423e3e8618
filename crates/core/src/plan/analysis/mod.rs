//! The Rollout's AnalysisRuns (upstream `reconcileAnalysisRuns`): which runs are current (named in
//! the status), creating the run a step, the background analysis or a blue-green promotion needs,
//! turning a run's outcome into a pause (Inconclusive) or an abort (Failed, Error), terminating runs
//! no longer needed, and deleting old ones beyond the history limits.

pub mod factory;
pub mod templates;
pub mod validate;

use std::collections::BTreeSet;

use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun};
use rollouts_api::rollout_analysis::{RolloutAnalysis, RolloutAnalysisBackground};
use rollouts_api::rollout_status::RolloutAnalysisRunStatus;
use rollouts_api::well_known::{labels, pause_reasons};
use serde_json::json;

use super::actions::{Action, Event};
use super::context::Ctx;
use super::replica_sets::hash_of;
use super::steps::current_step;
use factory::{AnalysisRequest, Hashes, RunInput, RunKind, new_analysis_run, same_request};
use templates::TemplateSource;

/// The four places a Rollout's status records a current run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    /// `status.canary.currentStepAnalysisRunStatus`.
    Step,
    /// `status.canary.currentBackgroundAnalysisRunStatus`.
    Background,
    /// `status.blueGreen.prePromotionAnalysisRunStatus`.
    PrePromotion,
    /// `status.blueGreen.postPromotionAnalysisRunStatus`.
    PostPromotion,
}

const SLOTS: [Slot; 4] = [Slot::Step, Slot::Background, Slot::PrePromotion, Slot::PostPromotion];

impl Slot {
    /// How upstream names the run type in events (the `rollout-type` label value).
    fn type_name(self) -> &'static str {
        match self {
            Slot::Step => labels::ROLLOUT_TYPE_STEP,
            Slot::Background => labels::ROLLOUT_TYPE_BACKGROUND,
            Slot::PrePromotion => labels::ROLLOUT_TYPE_PRE_PROMOTION,
            Slot::PostPromotion => labels::ROLLOUT_TYPE_POST_PROMOTION,
        }
    }
}

/// The run status the old status records in `slot`.
pub fn recorded(status: &rollouts_api::RolloutStatus, slot: Slot) -> Option<&RolloutAnalysisRunStatus> {
    match slot {
        Slot::Step => status.canary.as_ref()?.current_step_analysis_run_status.as_ref(),
        Slot::Background => status.canary.as_ref()?.current_background_analysis_run_status.as_ref(),
        Slot::PrePromotion => status.blue_green.as_ref()?.pre_promotion_analysis_run_status.as_ref(),
        Slot::PostPromotion => status.blue_green.as_ref()?.post_promotion_analysis_run_status.as_ref(),
    }
}

/// Records `run` in `slot` of the status being computed.
pub fn record(ctx: &mut Ctx<'_>, slot: Slot, run: Option<RolloutAnalysisRunStatus>) {
    match slot {
        Slot::Step => {
            ctx.status
                .canary
                .get_or_insert_with(Default::default)
                .current_step_analysis_run_status = run;
        }
        Slot::Background => {
            ctx.status
                .canary
                .get_or_insert_with(Default::default)
                .current_background_analysis_run_status = run;
        }
        Slot::PrePromotion => {
            ctx.status
                .blue_green
                .get_or_insert_with(Default::default)
                .pre_promotion_analysis_run_status = run;
        }
        Slot::PostPromotion => {
            ctx.status
                .blue_green
                .get_or_insert_with(Default::default)
                .post_promotion_analysis_run_status = run;
        }
    }
}

fn owned(ctx: &Ctx<'_>, run: &AnalysisRun) -> bool {
    let uid = ctx.rollout.metadata.uid.as_deref();
    run.metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && Some(o.uid.as_str()) == uid)
}

/// The run the status names in `slot`, when the snapshot has it.
pub fn current_run<'s>(ctx: &'s Ctx<'_>, slot: Slot) -> Option<&'s AnalysisRun> {
    let name = &recorded(&ctx.old, slot)?.name;
    ctx.snapshot
        .analysis_runs
        .iter()
        .find(|r| r.metadata.name.as_ref() == Some(name) && owned(ctx, r))
}

/// The phase of a run.
pub fn phase(run: &AnalysisRun) -> AnalysisPhase {
    run.status.as_ref().map(|s| s.phase).unwrap_or_default()
}

fn run_status(run: &AnalysisRun) -> RolloutAnalysisRunStatus {
    RolloutAnalysisRunStatus {
        name: run.metadata.name.clone().unwrap_or_default(),
        status: phase(run),
        message: run
            .status
            .as_ref()
            .and_then(|s| s.message.clone())
            .filter(|m| !m.is_empty()),
    }
}

fn terminated(run: &AnalysisRun) -> bool {
    run.spec.terminate.unwrap_or(false)
}

/// Upstream `cancelAnalysisRuns`: asks a run that is still going to terminate.
fn terminate(ctx: &mut Ctx<'_>, name: &str) {
    let Some(run) = ctx
        .snapshot
        .analysis_runs
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some(name))
    else {
        return;
    };
    if terminated(run) || phase(run).is_completed() {
        return;
    }
    ctx.plan.actions.push(Action::PatchAnalysisRun {
        name: name.to_string(),
        patch: json!({"spec": {"terminate": true}}),
    });
}

fn pause_condition(ctx: &Ctx<'_>, reason: &str) -> bool {
    ctx.old.pause_conditions.iter().flatten().any(|c| c.reason == reason)
}

/// Upstream `needsNewAnalysisRun`: no current run; or, after a person resumed a pause that was not a
/// step or blue-green pause, the current run was inconclusive; or the rollout was retried after an
/// abort.
fn needs_new_run(ctx: &Ctx<'_>, current: Option<&AnalysisRun>) -> bool {
    let Some(current) = current else { return true };
    if ctx.old.controller_pause.unwrap_or(false)
        && !pause_condition(ctx, pause_reasons::CANARY_PAUSE_STEP)
        && !pause_condition(ctx, pause_reasons::BLUE_GREEN_PAUSE)
    {
        return phase(current) == AnalysisPhase::Inconclusive;
    }
    ctx.old.aborted_at.is_some()
}

fn request_of(analysis: &RolloutAnalysis) -> AnalysisRequest<'_> {
    AnalysisRequest {
        templates: analysis.templates.as_deref().unwrap_or_default(),
        args: analysis.args.as_deref().unwrap_or_default(),
        dry_run: analysis.dry_run.as_deref().unwrap_or_default(),
        measurement_retention: analysis.measurement_retention.as_deref().unwrap_or_default(),
        metadata: analysis.analysis_run_metadata.as_ref(),
    }
}

fn background_request(analysis: &RolloutAnalysisBackground) -> AnalysisRequest<'_> {
    AnalysisRequest {
        templates: analysis.templates.as_deref().unwrap_or_default(),
        args: analysis.args.as_deref().unwrap_or_default(),
        dry_run: analysis.dry_run.as_deref().unwrap_or_default(),
        measurement_retention: analysis.measurement_retention.as_deref().unwrap_or_default(),
        metadata: analysis.analysis_run_metadata.as_ref(),
    }
}

/// The template source of the snapshot.
pub fn template_source<'s>(ctx: &Ctx<'s>) -> TemplateSource<'s> {
    TemplateSource {
        namespaced: ctx.snapshot.analysis_templates,
        cluster: ctx.snapshot.cluster_analysis_templates,
    }
}

/// Creates the run (or adopts an identical one still going, as upstream's collision handling does)
/// and returns its status entry.
fn create(ctx: &mut Ctx<'_>, kind: RunKind, request: AnalysisRequest<'_>) -> Option<RolloutAnalysisRunStatus> {
    let latest = ctx.new_rs().map(|rs| hash_of(rs).to_string()).unwrap_or_default();
    let stable = ctx.stable_rs().map(|rs| hash_of(rs).to_string()).unwrap_or_default();
    let input = RunInput {
        rollout: ctx.rollout,
        kind,
        request,
        source: template_source(ctx),
        hashes: Hashes {
            latest: &latest,
            stable: &stable,
        },
        revision: ctx.revision.map(|r| r.to_string()).unwrap_or_default(),
    };
    let mut run = match new_analysis_run(&input) {
        Ok(run) => run,
        Err(e) => {
            ctx.plan.error = Some(format!("failed to create the {} AnalysisRun: {e}", kind.label()));
            return None;
        }
    };
    let base = run.metadata.name.clone().unwrap_or_default();
    let mut name = base.clone();
    for n in 1.. {
        let Some(existing) = ctx
            .snapshot
            .analysis_runs
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(name.as_str()))
        else {
            break;
        };
        if owned(ctx, existing) && same_request(&existing.spec, &run.spec) && !phase(existing).is_completed() {
            return Some(run_status(existing));
        }
        name = format!("{base}.{n}");
    }
    run.metadata.name = Some(name.clone());
    ctx.plan.actions.push(Action::CreateAnalysisRun(Box::new(run)));
    Some(RolloutAnalysisRunStatus {
        name,
        status: AnalysisPhase::Pending,
        message: None,
    })
}

/// Turns a run's outcome into a pause or an abort (`what` names the analysis in the abort message).
fn act_on(ctx: &mut Ctx<'_>, run: &RolloutAnalysisRunStatus, what: &str) {
    match run.status {
        AnalysisPhase::Inconclusive => {
            ctx.pause
                .add_reasons
                .push(pause_reasons::INCONCLUSIVE_ANALYSIS_RUN.to_string());
        }
        AnalysisPhase::Error | AnalysisPhase::Failed => {
            let mut message = format!("{what} phase error/failed");
            if let Some(m) = &run.message {
                message = format!("{message}: {m}");
            }
            ctx.pause.add_abort(message);
        }
        _ => {}
    }
}

/// Upstream `reconcileStepBasedAnalysisRun`.
fn step_run(ctx: &mut Ctx<'_>) -> Option<RolloutAnalysisRunStatus> {
    let current = current_run(ctx, Slot::Step).map(run_status);
    if ctx.old.pause_conditions.as_ref().is_some_and(|p| !p.is_empty()) || ctx.old.abort.unwrap_or(false) {
        return current;
    }
    let index = ctx.old.current_step_index.unwrap_or(0);
    let analysis = current_step(ctx.spec(), &ctx.old)
        .and_then(|s| s.analysis.as_ref())
        .filter(|a| a.templates.as_ref().is_some_and(|t| !t.is_empty()));
    let from_previous_step = current_run(ctx, Slot::Step).is_some_and(|r| {
        r.metadata.labels.as_ref().and_then(|l| l.get(labels::STEP_INDEX)) != Some(&index.to_string())
    });
    let Some(analysis) = analysis.filter(|_| !from_previous_step) else {
        if let Some(c) = &current {
            terminate(ctx, &c.name);
        }
        return None;
    };
    if needs_new_run(ctx, current_run(ctx, Slot::Step)) {
        return create(ctx, RunKind::Step(index), request_of(analysis));
    }
    let current = current?;
    act_on(ctx, &current, "Step-based analysis");
    Some(current)
}

/// Upstream `reconcileBackgroundAnalysisRun`.
fn background_run(ctx: &mut Ctx<'_>) -> Option<RolloutAnalysisRunStatus> {
    let current = current_run(ctx, Slot::Background).map(run_status);
    let analysis = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.analysis.as_ref())
        .filter(|a| a.templates.as_ref().is_some_and(|t| !t.is_empty()));
    let Some(analysis) = analysis else {
        if let Some(c) = &current {
            terminate(ctx, &c.name);
        }
        return None;
    };
    let stable = ctx.old.stable_rs.as_deref().unwrap_or("");
    let pod_hash = ctx.old.current_pod_hash.as_deref().unwrap_or("");
    let before_starting_step = analysis
        .starting_step
        .is_some_and(|start| ctx.old.current_step_index.unwrap_or(0) < start);
    if stable.is_empty() || pod_hash.is_empty() || stable == pod_hash || before_starting_step {
        return None;
    }
    if pause_condition(ctx, pause_reasons::INCONCLUSIVE_ANALYSIS_RUN) {
        return current;
    }
    if needs_new_run(ctx, current_run(ctx, Slot::Background)) {
        return create(ctx, RunKind::Background, background_request(analysis));
    }
    let current = current?;
    act_on(ctx, &current, "Background analysis");
    Some(current)
}

/// Upstream `reconcilePrePromotionAnalysisRun` / `reconcilePostPromotionAnalysisRun`.
fn promotion_run(ctx: &mut Ctx<'_>, slot: Slot) -> Option<RolloutAnalysisRunStatus> {
    let current = current_run(ctx, slot).map(run_status);
    let blue_green = ctx.blue_green()?;
    let (analysis, kind, skip, what) = match slot {
        Slot::PrePromotion => (
            blue_green.pre_promotion_analysis.as_ref(),
            RunKind::PrePromotion,
            super::bluegreen::skip_pre_promotion(ctx),
            "Blue/green pre-promotion analysis",
        ),
        _ => (
            blue_green.post_promotion_analysis.as_ref(),
            RunKind::PostPromotion,
            super::bluegreen::skip_post_promotion(ctx),
            "Blue/green post-promotion analysis",
        ),
    };
    let Some(analysis) = analysis.filter(|a| a.templates.as_ref().is_some_and(|t| !t.is_empty())) else {
        if let Some(c) = &current {
            terminate(ctx, &c.name);
        }
        return None;
    };
    if skip {
        if let Some(c) = &current {
            terminate(ctx, &c.name);
        }
        return current;
    }
    if pause_condition(ctx, pause_reasons::INCONCLUSIVE_ANALYSIS_RUN) {
        return current;
    }
    if needs_new_run(ctx, current_run(ctx, slot)) {
        return create(ctx, kind, request_of(analysis));
    }
    let current = current?;
    act_on(ctx, &current, what);
    Some(current)
}

/// Reconciles the Rollout's runs and records the current ones in the status being computed.
pub fn reconcile(ctx: &mut Ctx<'_>) {
    let fully_promoted = ctx.old.stable_rs.is_some() && ctx.old.stable_rs == ctx.old.current_pod_hash;
    let initial_deploy = ctx.old.stable_rs.as_deref().unwrap_or("").is_empty();
    let cancel_all = fully_promoted
        || ctx.pause.is_aborted()
        || ctx.old.promote_full.unwrap_or(false)
        || super::rollback::fast_rollback(ctx)
        || initial_deploy;
    let blue_green = ctx.blue_green().is_some();
    let mut current: Vec<(Slot, Option<RolloutAnalysisRunStatus>)> = Vec::new();
    if cancel_all {
        for slot in SLOTS {
            // Upstream keeps a blue-green rollout's promotion runs on record once they are over, as
            // long as they exist; the canary's runs are dropped once cancelled (after an abort the
            // abort message keeps the reason).
            let promotion = blue_green && matches!(slot, Slot::PrePromotion | Slot::PostPromotion);
            if let Some(run) = current_run(ctx, slot).map(run_status) {
                terminate(ctx, &run.name);
                current.push((slot, promotion.then_some(run)));
            } else if recorded(&ctx.old, slot).is_some() {
                current.push((slot, None));
            }
        }
    } else if blue_green {
        current.push((Slot::PrePromotion, promotion_run(ctx, Slot::PrePromotion)));
        current.push((Slot::PostPromotion, promotion_run(ctx, Slot::PostPromotion)));
    } else {
        current.push((Slot::Step, step_run(ctx)));
        current.push((Slot::Background, background_run(ctx)));
    }
    let keep: BTreeSet<String> = current
        .iter()
        .filter_map(|(_, r)| r.as_ref().map(|r| r.name.clone()))
        .collect();
    terminate_and_collect_others(ctx, &keep);
    for (slot, run) in current {
        status_change_event(ctx, slot, run.as_ref());
        record(ctx, slot, run);
    }
}

/// Upstream `emitAnalysisRunStatusChanges`.
fn status_change_event(ctx: &mut Ctx<'_>, slot: Slot, run: Option<&RolloutAnalysisRunStatus>) {
    let Some(run) = run.filter(|r| r.status != AnalysisPhase::Pending) else {
        return;
    };
    let previous = recorded(&ctx.old, slot);
    let changed = match previous {
        None => true,
        Some(p) => p.name == run.name && p.status != run.status,
    };
    if !changed {
        return;
    }
    let before = previous.map_or("NoPreviousStatus".to_string(), |p| format!("{:?}", p.status));
    let now = format!("{:?}", run.status);
    let message = format!(
        "{} Analysis Run '{}' Status New: '{now}' Previous: '{before}'",
        slot.type_name(),
        run.name
    );
    let reason = format!("AnalysisRun{now}");
    ctx.event(if matches!(run.status, AnalysisPhase::Failed | AnalysisPhase::Error) {
        Event::warning(&reason, message)
    } else {
        Event::normal(&reason, message)
    });
}

/// Terminates owned runs that are not current any more, and deletes old ones beyond the history
/// limits or whose ReplicaSet is gone (upstream `FilterAnalysisRunsToDelete`).
fn terminate_and_collect_others(ctx: &mut Ctx<'_>, keep: &BTreeSet<String>) {
    let mut others: Vec<&AnalysisRun> = ctx
        .snapshot
        .analysis_runs
        .iter()
        .filter(|r| owned(ctx, r) && !keep.contains(r.metadata.name.as_deref().unwrap_or_default()))
        .collect();
    let names: Vec<String> = others
        .iter()
        .map(|r| r.metadata.name.clone().unwrap_or_default())
        .collect();
    for name in &names {
        terminate(ctx, name);
    }
    others.sort_by_key(|r| std::cmp::Reverse(r.metadata.creation_timestamp.as_ref().map(|t| t.0)));
    let successful_limit = usize::try_from(ctx.spec().successful_run_history_limit_or_default()).unwrap_or(0);
    let unsuccessful_limit = usize::try_from(ctx.spec().unsuccessful_run_history_limit_or_default()).unwrap_or(0);
    let (mut successful, mut unsuccessful) = (0, 0);
    let mut delete = Vec::new();
    for run in others {
        if run.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let hash = run
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::POD_TEMPLATE_HASH));
        let rs = hash.and_then(|h| ctx.all.iter().find(|rs| hash_of(rs) == h.as_str()));
        let gone = rs.is_none_or(|rs| rs.metadata.deletion_timestamp.is_some());
        let over_limit = !gone
            && match phase(run) {
                AnalysisPhase::Successful => {
                    successful += 1;
                    successful > successful_limit
                }
                AnalysisPhase::Failed | AnalysisPhase::Error | AnalysisPhase::Inconclusive => {
                    unsuccessful += 1;
                    unsuccessful > unsuccessful_limit
                }
                _ => false,
            };
        if gone || over_limit {
            delete.push(Action::DeleteAnalysisRun {
                name: run.metadata.name.clone().unwrap_or_default(),
                uid: run.metadata.uid.clone(),
            });
        }
    }
    ctx.plan.actions.extend(delete);
}

/// Whether the current step's run succeeded (an `analysis` step is then complete).
pub fn step_run_successful(ctx: &Ctx<'_>) -> bool {
    ctx.status
        .canary
        .as_ref()
        .and_then(|c| c.current_step_analysis_run_status.as_ref())
        .is_some_and(|r| r.status == AnalysisPhase::Successful)
}
