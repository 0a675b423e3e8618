//! The Experiment's analyses (upstream `reconcileAnalysisRun`): before the experiment is available
//! only the referenced template is looked for; once it is available each analysis gets its run
//! (`<experiment>-<analysis>`, from the templates, the experiment's arguments, dry-run and retention
//! rules and `analysisRunMetadata`), whose phase the status then follows; a terminating experiment
//! starts no run and terminates the ones still going.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::AnalysisRun;
use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::experiment::{ExperimentAnalysisRunStatus, ExperimentAnalysisTemplateRef};
use rollouts_api::rollout_analysis::AnalysisTemplateRef;
use rollouts_api::well_known::labels;
use serde_json::json;

use super::actions::Action;
use super::args;
use super::claim::controlled_by;
use super::context::{Ctx, controller_ref};
use super::lifecycle::{analysis_status, phase_completed, run_phase};
use crate::plan::Event;
use crate::plan::analysis::factory::{AnalysisRequest, run_spec, same_request};
use crate::plan::analysis::templates::{TemplateError, TemplateSource};

/// The phase as upstream prints it, "" when unknown.
fn phase_name(phase: Option<AnalysisPhase>) -> &'static str {
    phase.map_or("", AnalysisPhase::as_str)
}

/// The API server's NotFound message for a template (`analysistemplate.argoproj.io "x" not found`).
fn not_found(name: &str, cluster: bool) -> String {
    let resource = if cluster {
        "clusteranalysistemplate"
    } else {
        "analysistemplate"
    };
    format!("{resource}.argoproj.io \"{name}\" not found")
}

fn template_error(e: &TemplateError) -> String {
    match e {
        TemplateError::NotFound { name, cluster } => not_found(name, *cluster),
        TemplateError::Cycle(_) => e.to_string(),
    }
}

fn source<'s>(ctx: &Ctx<'s>) -> TemplateSource<'s> {
    TemplateSource {
        namespaced: ctx.snapshot.analysis_templates,
        cluster: ctx.snapshot.cluster_analysis_templates,
    }
}

/// Upstream `verifyAnalysisTemplate` / `verifyClusterAnalysisTemplate`: the referenced template exists.
fn verify(ctx: &Ctx<'_>, analysis: &ExperimentAnalysisTemplateRef) -> Option<String> {
    let cluster = analysis.cluster_scope.unwrap_or(false);
    let name = analysis.template_name.as_str();
    let found = if cluster {
        ctx.snapshot
            .cluster_analysis_templates
            .iter()
            .any(|t| t.metadata.name.as_deref() == Some(name))
    } else {
        ctx.snapshot
            .analysis_templates
            .iter()
            .any(|t| t.metadata.name.as_deref() == Some(name))
    };
    if found {
        return None;
    }
    let kind = if cluster {
        "ClusterAnalysisTemplate"
    } else {
        "AnalysisTemplate"
    };
    Some(format!(
        "{kind} verification failed for analysis '{}': {}",
        analysis.name,
        not_found(name, cluster)
    ))
}

/// Upstream `newAnalysisRun`: the run an analysis asks for, or why it cannot be built.
pub fn new_run(ctx: &Ctx<'_>, analysis: &ExperimentAnalysisTemplateRef) -> Result<AnalysisRun, String> {
    let spec = ctx.spec();
    let values = args::placeholders(spec, &ctx.old, &ctx.replica_sets);
    let arguments = args::resolve(analysis.args.as_deref().unwrap_or_default(), &values)?;
    let references = [AnalysisTemplateRef {
        cluster_scope: Some(analysis.cluster_scope.unwrap_or(false)),
        template_name: Some(analysis.template_name.clone()),
    }];
    let templates = source(ctx).resolve(&references).map_err(|e| template_error(&e))?;
    let request = AnalysisRequest {
        dry_run: spec.dry_run.as_deref().unwrap_or_default(),
        measurement_retention: spec.measurement_retention.as_deref().unwrap_or_default(),
        ..Default::default()
    };
    let run_spec = run_spec(&templates, &arguments, &request)?;
    let experiment = ctx.experiment;
    let mut run_labels = BTreeMap::new();
    if let Some(id) = experiment
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::CONTROLLER_INSTANCE_ID))
    {
        run_labels.insert(labels::CONTROLLER_INSTANCE_ID.to_string(), id.clone());
    }
    let metadata = spec.analysis_run_metadata.as_ref();
    run_labels.extend(metadata.and_then(|m| m.labels.clone()).unwrap_or_default());
    let run_annotations = metadata.and_then(|m| m.annotations.clone()).unwrap_or_default();
    Ok(AnalysisRun {
        metadata: ObjectMeta {
            name: Some(format!("{}-{}", ctx.name(), analysis.name)),
            namespace: experiment.metadata.namespace.clone(),
            labels: Some(run_labels).filter(|l| !l.is_empty()),
            annotations: Some(run_annotations).filter(|a| !a.is_empty()),
            owner_references: Some(vec![controller_ref(experiment)]),
            ..Default::default()
        },
        spec: run_spec,
        status: None,
    })
}

fn find_run<'s>(ctx: &Ctx<'s>, name: &str) -> Option<&'s AnalysisRun> {
    ctx.snapshot
        .analysis_runs
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some(name))
}

fn observed_phase(run: &AnalysisRun) -> AnalysisPhase {
    run.status.as_ref().map(|s| s.phase).unwrap_or_default()
}

/// Upstream `CreateWithCollisionCounter`: the run is created under its name, or `<name>.1`, `<name>.2`
/// ... past runs that are not an identical one of this experiment still going, which is adopted
/// instead. Returns the name.
fn create(ctx: &mut Ctx<'_>, mut run: AnalysisRun) -> String {
    let base = run.metadata.name.clone().unwrap_or_default();
    let mut name = base.clone();
    for n in 1.. {
        let Some(existing) = find_run(ctx, &name) else {
            break;
        };
        if controlled_by(&existing.metadata, ctx.experiment)
            && same_request(&existing.spec, &run.spec)
            && !observed_phase(existing).is_completed()
        {
            return name;
        }
        name = format!("{base}.{n}");
    }
    run.metadata.name = Some(name.clone());
    ctx.plan.actions.push(Action::CreateAnalysisRun(Box::new(run)));
    name
}

/// Reconciles one analysis and records its entry in the status.
pub fn reconcile(ctx: &mut Ctx<'_>, analysis: &ExperimentAnalysisTemplateRef) {
    let prev = analysis_status(&ctx.old, &analysis.name)
        .cloned()
        .unwrap_or_else(|| ExperimentAnalysisRunStatus {
            name: analysis.name.clone(),
            ..Default::default()
        });
    let mut entry = prev.clone();
    if ctx.old.available_at.is_none() {
        if let Some(message) = verify(ctx, analysis) {
            entry.phase = AnalysisPhase::Error;
            entry.message = Some(message);
        }
    } else if prev.analysis_run.is_empty() {
        if !ctx.terminating {
            match new_run(ctx, analysis) {
                Ok(run) => {
                    entry.analysis_run = create(ctx, run);
                    entry.phase = AnalysisPhase::Pending;
                }
                Err(e) => {
                    entry.phase = AnalysisPhase::Error;
                    entry.message = Some(format!(
                        "Failed to create AnalysisRun for analysis '{}': {e}",
                        analysis.name
                    ));
                }
            }
        }
    } else if !phase_completed(run_phase(&prev)) {
        follow_run(ctx, analysis, &mut entry);
    }
    transition_event(ctx, analysis, &prev, &entry);
    set_entry(ctx, entry);
}

/// Upstream `SetAnalysisRunStatus`: replaces the entry of that name, or appends one.
pub(super) fn set_entry(ctx: &mut Ctx<'_>, entry: ExperimentAnalysisRunStatus) {
    let list = ctx.status.analysis_runs.get_or_insert_with(Vec::new);
    match list.iter_mut().find(|a| a.name == entry.name) {
        Some(existing) => *existing = entry,
        None => list.push(entry),
    }
}

/// The entry follows its run's phase and message; a terminating experiment first asks a run still
/// going to terminate. Upstream stops following runs once terminating, so an experiment terminated
/// while a required analysis ran stayed Running for good; here the entry keeps following the run.
fn follow_run(ctx: &mut Ctx<'_>, analysis: &ExperimentAnalysisTemplateRef, entry: &mut ExperimentAnalysisRunStatus) {
    let Some(run) = find_run(ctx, &entry.analysis_run) else {
        entry.phase = AnalysisPhase::Error;
        entry.message = Some(format!("analysisruns.argoproj.io \"{}\" not found", entry.analysis_run));
        return;
    };
    if ctx.terminating && !observed_phase(run).is_completed() && !run.spec.terminate.unwrap_or(false) {
        ctx.event(Event::normal(
            "AnalysisRunTerminating",
            format!("Terminating {} ({})", analysis.name, entry.analysis_run),
        ));
        ctx.plan.actions.push(Action::PatchAnalysisRun {
            name: entry.analysis_run.clone(),
            patch: json!({"spec": {"terminate": true}}),
        });
    }
    // A run the analysis controller has not looked at yet has no phase; upstream copies that `""`,
    // which its ranking takes for the best outcome. It is Pending.
    entry.phase = observed_phase(run);
    entry.message = run
        .status
        .as_ref()
        .and_then(|s| s.message.clone())
        .filter(|m| !m.is_empty());
}

/// `AnalysisRun<Phase>` on the Experiment (a Warning for Failed, Error and Inconclusive) and, as a
/// Warning, on the Rollout owning it.
pub(super) fn transition_event(
    ctx: &mut Ctx<'_>,
    analysis: &ExperimentAnalysisTemplateRef,
    prev: &ExperimentAnalysisRunStatus,
    entry: &ExperimentAnalysisRunStatus,
) {
    let (before, after) = (run_phase(prev), run_phase(entry));
    let Some(phase) = after.filter(|_| before != after) else {
        return;
    };
    let mut message = format!(
        "AnalysisRun '{}' transitioned from {} -> {}",
        analysis.name,
        phase_name(before),
        phase_name(after)
    );
    if let Some(m) = entry.message.as_deref().filter(|m| !m.is_empty()) {
        message = format!("{message}: {m}");
    }
    let reason = format!("AnalysisRun{phase}");
    let event = if matches!(
        phase,
        AnalysisPhase::Failed | AnalysisPhase::Error | AnalysisPhase::Inconclusive
    ) {
        Event::warning(&reason, message.clone())
    } else {
        Event::normal(&reason, message.clone())
    };
    ctx.event(event);
    if super::owner_rollout(ctx.experiment).is_some() {
        ctx.plan.rollout_events.push(Event::warning(&reason, message));
    }
}
