//! The traffic a running Experiment's weighted templates get (upstream
//! `calculateWeightDestinationsFromExperiment`): one extra destination per template the step gives a
//! `weight`, pointing at the Service and pod-template hash the Experiment reports for it.

use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::RolloutExperimentStep;

use super::super::context::Ctx;
use super::super::steps::steps;
use super::{phase, recorded};

/// The experiment step at or before the current step, the one whose Experiment may still run.
fn experiment_step<'a>(ctx: &Ctx<'a>) -> Option<&'a RolloutExperimentStep> {
    let index = usize::try_from(ctx.old.current_step_index.unwrap_or(0)).ok()?;
    let all = steps(ctx.spec());
    all.get(index)?;
    all[..=index].iter().rev().find_map(|s| s.experiment.as_ref())
}

/// The extra weighted destinations of the Experiment the status names, while it is Running.
pub fn weight_destinations(ctx: &Ctx<'_>) -> Vec<WeightDestination> {
    let (Some(step), Some(experiment)) = (experiment_step(ctx), recorded(ctx)) else {
        return Vec::new();
    };
    if phase(experiment) != Some(AnalysisPhase::Running) {
        return Vec::new();
    }
    let statuses = experiment
        .status
        .as_ref()
        .and_then(|s| s.template_statuses.as_deref())
        .unwrap_or_default();
    statuses
        .iter()
        .filter_map(|status| {
            let weight = step.templates.iter().find(|t| t.name == status.name)?.weight?;
            Some(WeightDestination {
                pod_template_hash: status.pod_template_hash.clone(),
                service_name: status.service_name.clone(),
                weight,
            })
        })
        .collect()
}
