//! The Experiments of a canary Rollout (upstream `reconcileExperiments`): creating the Experiment an
//! `experiment` step asks for, turning its outcome into a pause (Inconclusive), an abort (Failed,
//! Error) or the step's completion (Successful), terminating Experiments no step needs any more, and
//! deleting old ones beyond the history limits.
//!
//! The Experiment itself is run by its own controller; the Rollout only reads its phase and template
//! statuses, and writes nothing to it but `spec.terminate`.

pub mod factory;
mod history;
mod weights;

use rollouts_api::Experiment;
use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::well_known::{pause_reasons, reasons};
use serde_json::json;

use super::actions::{Action, Event};
use super::context::Ctx;
use super::pause::pause_condition;
use super::steps::current_step;
use factory::{ExperimentInput, base_name, new_experiment, same_spec};
use history::{Limits, to_delete};

pub use weights::weight_destinations;

/// Why a Failed or Error Experiment aborts the rollout (its own message follows after a colon).
const FAILED_MESSAGE: &str = "Experiment analysis phase is error/failed";

/// The phase of an Experiment (`None` before its controller has looked at it).
pub fn phase(experiment: &Experiment) -> Option<AnalysisPhase> {
    experiment.status.as_ref().and_then(|s| s.phase)
}

fn finished(experiment: &Experiment) -> bool {
    phase(experiment).is_some_and(AnalysisPhase::is_completed)
}

fn name_of(experiment: &Experiment) -> &str {
    experiment.metadata.name.as_deref().unwrap_or_default()
}

fn owned(ctx: &Ctx<'_>, experiment: &Experiment) -> bool {
    let uid = ctx.rollout.metadata.uid.as_deref();
    experiment
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && Some(o.uid.as_str()) == uid)
}

/// The Experiments the Rollout owns, in snapshot order.
fn owned_experiments<'a>(ctx: &Ctx<'a>) -> Vec<&'a Experiment> {
    let experiments: &'a [Experiment] = ctx.snapshot.experiments;
    experiments.iter().filter(|e| owned(ctx, e)).collect()
}

/// The Experiment `status.canary.currentExperiment` names, when the snapshot has it (upstream
/// `GetCurrentExperiment`).
pub fn recorded<'a>(ctx: &Ctx<'a>) -> Option<&'a Experiment> {
    let name = ctx.old.canary.as_ref()?.current_experiment.as_deref()?;
    owned_experiments(ctx).into_iter().find(|e| name_of(e) == name)
}

/// The name the current step's Experiment gets before any collision suffix.
fn step_base_name(ctx: &Ctx<'_>) -> String {
    let template = ctx.spec().template.clone().unwrap_or_default();
    let pod_hash = crate::hash::pod_template_hash(&template, ctx.old.collision_count);
    let revision = ctx.revision.map(|r| r.to_string()).unwrap_or_default();
    base_name(
        ctx.rollout,
        &pod_hash,
        &revision,
        ctx.old.current_step_index.unwrap_or(0),
    )
}

/// Whether `name` is the base name or the base name with a collision suffix (`-1`, `-2`...).
fn is_named_after(name: &str, base: &str) -> bool {
    name == base
        || name
            .strip_prefix(base)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The recorded Experiment when it is the current step's. Upstream takes the recorded one whatever
/// step created it, so after `promote` skips from one experiment step to the next the first step's
/// Experiment would stand for the second (and complete it); its name, which carries the step index,
/// tells them apart.
fn current_for_step<'a>(ctx: &Ctx<'a>) -> Option<&'a Experiment> {
    let recorded = recorded(ctx)?;
    is_named_after(name_of(recorded), &step_base_name(ctx)).then_some(recorded)
}

/// Whether the current `experiment` step is done: its Experiment succeeded.
pub fn step_successful(ctx: &Ctx<'_>) -> bool {
    current_step(ctx.spec(), &ctx.old).is_some_and(|s| s.experiment.is_some())
        && current_for_step(ctx).is_some_and(|e| phase(e) == Some(AnalysisPhase::Successful))
}

/// Records the current Experiment in the status being computed.
fn record(ctx: &mut Ctx<'_>, name: &str) {
    ctx.status
        .canary
        .get_or_insert_with(Default::default)
        .current_experiment = Some(name.to_string());
}

/// Upstream `cancelExperiments`: asks an Experiment still going to terminate.
fn terminate(ctx: &mut Ctx<'_>, experiment: &Experiment) {
    if experiment.spec.terminate.unwrap_or(false) || finished(experiment) {
        return;
    }
    ctx.plan.actions.push(Action::PatchExperiment {
        name: name_of(experiment).to_string(),
        patch: json!({"spec": {"terminate": true}}),
    });
}

/// The phase and message of the step's Experiment, and its name.
struct Current {
    name: String,
    phase: Option<AnalysisPhase>,
    message: Option<String>,
}

impl Current {
    fn of(experiment: &Experiment) -> Self {
        Self {
            name: name_of(experiment).to_string(),
            phase: phase(experiment),
            message: experiment
                .status
                .as_ref()
                .and_then(|s| s.message.clone())
                .filter(|m| !m.is_empty()),
        }
    }
}

/// Creates the step's Experiment under the first free name (`<base>`, `<base>-1`, ...), or adopts an
/// identical one of this Rollout still going under one of those names, as upstream's collision
/// handling does.
fn create(ctx: &mut Ctx<'_>, mut experiment: Experiment) -> Current {
    let experiments: &[Experiment] = ctx.snapshot.experiments;
    let base = name_of(&experiment).to_string();
    let mut name = base.clone();
    for n in 1.. {
        let Some(existing) = experiments.iter().find(|e| name_of(e) == name) else {
            break;
        };
        if owned(ctx, existing) && same_spec(&existing.spec, &experiment.spec) && !finished(existing) {
            return Current::of(existing);
        }
        name = format!("{base}-{n}");
    }
    experiment.metadata.name = Some(name.clone());
    ctx.plan.actions.push(Action::CreateExperiment(Box::new(experiment)));
    Current {
        name,
        phase: None,
        message: None,
    }
}

/// Builds the current step's Experiment and creates (or adopts) it; `Ok(None)` while there is no
/// stable ReplicaSet to copy from.
fn start(ctx: &mut Ctx<'_>) -> Result<Option<Current>, String> {
    let Some(step) = current_step(ctx.spec(), &ctx.old).and_then(|s| s.experiment.as_ref()) else {
        return Ok(None);
    };
    let (Some(new_rs), Some(stable_rs)) = (ctx.new_rs(), ctx.stable_rs()) else {
        return Ok(None);
    };
    let template = ctx.spec().template.clone().unwrap_or_default();
    let pod_hash = crate::hash::pod_template_hash(&template, ctx.old.collision_count);
    let revision = ctx.revision.map(|r| r.to_string()).unwrap_or_default();
    let experiment = new_experiment(&ExperimentInput {
        rollout: ctx.rollout,
        step,
        step_index: ctx.old.current_step_index.unwrap_or(0),
        pod_hash: &pod_hash,
        revision: &revision,
        new_rs,
        stable_rs,
    })?;
    let current = create(ctx, experiment);
    ctx.event(Event::normal(
        reasons::EXPERIMENT_CREATED,
        format!("Created Experiment '{}'", current.name),
    ));
    Ok(Some(current))
}

/// Whether a person resumed the rollout after the step's Experiment ended Inconclusive: the step then
/// runs a new Experiment, as a resumed inconclusive analysis step runs a new AnalysisRun.
fn resumed_after_inconclusive(ctx: &Ctx<'_>, current: &Experiment) -> bool {
    phase(current) == Some(AnalysisPhase::Inconclusive) && ctx.old.controller_pause.unwrap_or(false)
}

/// Reconciles the Rollout's Experiments and records the current one in the status being computed.
/// `Err` when the step's Experiment cannot be built: the reconcile stops there, as upstream's does.
pub fn reconcile(ctx: &mut Ctx<'_>) -> Result<(), String> {
    let recorded_experiment = recorded(ctx);
    let current_experiment = current_for_step(ctx);
    let mut stale: Vec<&Experiment> = owned_experiments(ctx)
        .into_iter()
        .filter(|e| current_experiment.is_none_or(|c| name_of(c) != name_of(e)))
        .collect();
    if ctx.pause.is_aborted() || ctx.old.promote_full.unwrap_or(false) {
        for experiment in stale {
            terminate(ctx, experiment);
        }
        if let Some(current) = current_experiment {
            terminate(ctx, current);
        }
        return Ok(());
    }
    if pause_condition(&ctx.old, pause_reasons::INCONCLUSIVE_ANALYSIS_RUN).is_some()
        || pause_condition(&ctx.old, pause_reasons::INCONCLUSIVE_EXPERIMENT).is_some()
    {
        // Held until a person decides. Upstream forgets the current Experiment here, so its traffic
        // share is dropped during the pause and, for an inconclusive Experiment, another one is
        // started while the rollout is still paused; keeping it on record does neither.
        if let Some(recorded) = recorded_experiment {
            record(ctx, name_of(recorded));
        }
        return Ok(());
    }
    let on_experiment_step = current_step(ctx.spec(), &ctx.old).is_some_and(|s| s.experiment.is_some());
    if on_experiment_step {
        let current = match current_experiment {
            Some(e) if !resumed_after_inconclusive(ctx, e) => Some(Current::of(e)),
            _ => start(ctx)?,
        };
        // A stable ReplicaSet is needed to copy from; until there is one, nothing else happens.
        let Some(current) = current else {
            return Ok(());
        };
        match current.phase {
            Some(AnalysisPhase::Inconclusive) => {
                ctx.pause
                    .add_reasons
                    .push(pause_reasons::INCONCLUSIVE_EXPERIMENT.to_string());
                // Kept on record (upstream drops it) so the pause holds it rather than starting another.
                record(ctx, &current.name);
                stale.retain(|e| name_of(e) != current.name);
            }
            Some(AnalysisPhase::Error | AnalysisPhase::Failed) => {
                let message = match &current.message {
                    Some(m) => format!("{FAILED_MESSAGE}: {m}"),
                    None => FAILED_MESSAGE.to_string(),
                };
                ctx.pause.add_abort(message);
            }
            // A successful Experiment completes the step and is not current any more.
            Some(AnalysisPhase::Successful) => {}
            _ => {
                record(ctx, &current.name);
                stale.retain(|e| name_of(e) != current.name);
            }
        }
    } else if let Some(current) = current_experiment {
        stale.push(current);
    }
    for experiment in &stale {
        terminate(ctx, experiment);
    }
    let limits = Limits {
        successful: usize::try_from(ctx.spec().successful_run_history_limit_or_default()).unwrap_or(0),
        unsuccessful: usize::try_from(ctx.spec().unsuccessful_run_history_limit_or_default()).unwrap_or(0),
    };
    for experiment in to_delete(&stale, &ctx.all, limits) {
        if experiment.metadata.deletion_timestamp.is_some() {
            continue;
        }
        ctx.plan.actions.push(Action::DeleteExperiment {
            name: name_of(experiment).to_string(),
            uid: experiment.metadata.uid.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_named_after;

    #[test]
    fn collision_suffixes_belong_to_the_base_name_and_other_steps_do_not() {
        assert!(is_named_after("foo-abc-2-1", "foo-abc-2-1"));
        assert!(is_named_after("foo-abc-2-1-3", "foo-abc-2-1"));
        assert!(!is_named_after("foo-abc-2-11", "foo-abc-2-1"));
        assert!(!is_named_after("foo-abc-2-1-", "foo-abc-2-1"));
        assert!(!is_named_after("foo-abc-2-1-x", "foo-abc-2-1"));
        assert!(!is_named_after("foo-abc-2-0", "foo-abc-2-1"));
    }
}
