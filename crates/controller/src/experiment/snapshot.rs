//! Loading what one Experiment reconcile looks at, from the shared watch caches: the ReplicaSets and
//! Services it controls (and any other one holding a name it would give), its AnalysisRuns (and any
//! other one whose name could collide with a new run's), and the templates its analyses refer to. A
//! run the status names that the cache does not have yet is read from the API server: planning
//! without it would end its analysis in `Error`.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, ObjectMeta};
use rollouts_api::experiment::Experiment;
use rollouts_api::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate};
use rollouts_core::experiment::Snapshot;

use super::context::Context;
use super::error::ExperimentError;
use crate::runtime::api::is_status;
use crate::runtime::decode::decode_selected;

/// The owned data behind a [`Snapshot`].
#[derive(Debug, Clone)]
pub struct Observed {
    /// The Experiment.
    pub experiment: Experiment,
    /// Its ReplicaSets.
    pub replica_sets: Vec<ReplicaSet>,
    /// Its Services.
    pub services: Vec<Service>,
    /// Its AnalysisRuns.
    pub analysis_runs: Vec<AnalysisRun>,
    /// AnalysisTemplates of its namespace, when it has analyses.
    pub analysis_templates: Vec<AnalysisTemplate>,
    /// ClusterAnalysisTemplates, when it has analyses.
    pub cluster_analysis_templates: Vec<ClusterAnalysisTemplate>,
    /// The time of this reconcile.
    pub now: Timestamp,
}

impl Observed {
    /// The planner's view of this data.
    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            experiment: &self.experiment,
            replica_sets: &self.replica_sets,
            services: &self.services,
            analysis_runs: &self.analysis_runs,
            analysis_templates: &self.analysis_templates,
            cluster_analysis_templates: &self.cluster_analysis_templates,
            now: self.now,
        }
    }
}

/// Whether the object of `metadata` is controlled by the object with `uid`.
fn controlled_by(metadata: &ObjectMeta, uid: &str) -> bool {
    !uid.is_empty()
        && metadata
            .owner_references
            .iter()
            .flatten()
            .any(|o| o.controller == Some(true) && o.uid == uid)
}

/// Loads everything the planner looks at for `experiment` (already decoded) at `now`.
pub async fn load(ctx: &Context, experiment: Experiment, now: Timestamp) -> Result<Observed, ExperimentError> {
    let namespace = experiment.metadata.namespace.clone().unwrap_or_default();
    let name = experiment.metadata.name.clone().unwrap_or_default();
    let uid = experiment.metadata.uid.clone().unwrap_or_default();
    let in_namespace = |metadata: &ObjectMeta| metadata.namespace.as_deref() == Some(namespace.as_str());

    let replica_set_names = Snapshot::replica_set_names(&experiment);
    let replica_sets = ctx
        .caches
        .replica_sets
        .state_filter(|rs| {
            in_namespace(&rs.metadata)
                && (controlled_by(&rs.metadata, &uid)
                    || rs.metadata.name.as_ref().is_some_and(|n| replica_set_names.contains(n)))
        })
        .into_iter()
        .map(|rs| (*rs).clone())
        .collect();
    let service_names = Snapshot::service_names(&experiment);
    let services = ctx
        .caches
        .services
        .state_filter(|svc| {
            in_namespace(&svc.metadata)
                && (controlled_by(&svc.metadata, &uid)
                    || svc.metadata.name.as_ref().is_some_and(|n| service_names.contains(n)))
        })
        .into_iter()
        .map(|svc| (*svc).clone())
        .collect();
    let prefix = format!("{name}-");
    let mut analysis_runs: Vec<AnalysisRun> = decode_selected(
        &ctx.caches.analysis_runs,
        |run| {
            in_namespace(&run.metadata)
                && (controlled_by(&run.metadata, &uid)
                    || run.metadata.name.as_deref().is_some_and(|n| n.starts_with(&prefix)))
        },
        "AnalysisRun",
    );
    read_missing_runs(ctx, &experiment, &namespace, &mut analysis_runs).await?;
    let has_analyses = experiment.spec.analyses.as_ref().is_some_and(|a| !a.is_empty());
    let (analysis_templates, cluster_analysis_templates) = if has_analyses {
        (
            decode_selected(
                &ctx.caches.analysis_templates,
                |t| in_namespace(&t.metadata),
                "AnalysisTemplate",
            ),
            decode_selected(
                &ctx.caches.cluster_analysis_templates,
                |_| true,
                "ClusterAnalysisTemplate",
            ),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Observed {
        experiment,
        replica_sets,
        services,
        analysis_runs,
        analysis_templates,
        cluster_analysis_templates,
        now,
    })
}

/// Reads the runs the status names that the cache does not hold (created by the previous reconcile,
/// not seen by the watch yet); one that is really gone stays absent.
async fn read_missing_runs(
    ctx: &Context,
    experiment: &Experiment,
    namespace: &str,
    runs: &mut Vec<AnalysisRun>,
) -> Result<(), ExperimentError> {
    let named = experiment
        .status
        .as_ref()
        .and_then(|s| s.analysis_runs.as_ref())
        .into_iter()
        .flatten()
        .map(|r| r.analysis_run.clone())
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>();
    let api: Api<AnalysisRun> = Api::namespaced(ctx.runtime.client.clone(), namespace);
    for run_name in named {
        if runs
            .iter()
            .any(|r| r.metadata.name.as_deref() == Some(run_name.as_str()))
        {
            continue;
        }
        match api.get(&run_name).await {
            Ok(run) => runs.push(run),
            Err(error) if is_status(&error, 404) => {}
            Err(error) => return Err(ExperimentError::api(format!("get AnalysisRun {run_name}"), error)),
        }
    }
    Ok(())
}
