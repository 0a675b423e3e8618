//! Carrying out an Experiment's plan: each action becomes one API request, in order, stopping at the
//! first failure; the next reconcile plans again from a fresh snapshot. Each write that changed
//! something is said in the log ([`super::execute_log`]).

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, Patch};
use kube::core::DynamicObject;
use rollouts_api::AnalysisRun;
use rollouts_core::experiment::Action;

use super::ExperimentKey;
use super::context::Context;
use super::error::ExperimentError;
use super::execute_log;
use crate::runtime::api::{ALREADY_EXISTS_REQUEUE, delete_params, is_status, patch_params, post_params};

/// How a plan's execution ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Executed {
    /// Every action succeeded.
    All,
    /// An object to create already existed: the rest of the plan was skipped, and the Experiment
    /// should be looked at again after this long.
    Stopped(Duration),
}

/// A write that failed: which action of the plan, and why.
#[derive(Debug)]
pub struct FailedWrite {
    /// Its index in the plan's actions.
    pub index: usize,
    /// The failure.
    pub error: ExperimentError,
}

/// Executes `actions` for the Experiment `key`, in order, stopping at the first failure.
pub async fn execute(ctx: &Context, key: &ExperimentKey, actions: &[Action]) -> Result<Executed, FailedWrite> {
    for (index, action) in actions.iter().enumerate() {
        match execute_one(ctx, key, action).await {
            Ok(Executed::All) => {}
            Ok(stopped @ Executed::Stopped(_)) => return Ok(stopped),
            Err(error) => return Err(FailedWrite { index, error }),
        }
    }
    Ok(Executed::All)
}

/// The API server's own words for a failure (a `Status` message), as upstream records them.
pub fn api_message(error: &ExperimentError) -> Option<String> {
    let (ExperimentError::Api { source, .. } | ExperimentError::Conflict { source, .. }) = error else {
        return None;
    };
    Some(match source {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    })
}

/// Executes one action.
async fn execute_one(ctx: &Context, key: &ExperimentKey, action: &Action) -> Result<Executed, ExperimentError> {
    let ns = key.namespace.as_str();
    let client = ctx.runtime.client.clone();
    let replica_sets: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let runs: Api<AnalysisRun> = Api::namespaced(client.clone(), ns);
    let experiments: Api<DynamicObject> = Api::namespaced_with(client, ns, &ctx.experiment_resource);
    let wrote = match action {
        Action::CreateReplicaSet(rs) => {
            let name = rs.metadata.name.clone().unwrap_or_default();
            match replica_sets.create(&post_params(), rs).await {
                Ok(created) => {
                    let rv = created.metadata.resource_version.as_deref();
                    ctx.runtime.tracker.owned_written(key, &name, rv, Instant::now());
                    true
                }
                Err(e) if is_status(&e, 409) => {
                    tracing::debug!(experiment = %key, replicaset = %name, "the ReplicaSet already exists; planning again");
                    return Ok(Executed::Stopped(ALREADY_EXISTS_REQUEUE));
                }
                Err(e) => return Err(ExperimentError::api(format!("create ReplicaSet {name}"), e)),
            }
        }
        Action::UpdateReplicaSet(rs) => {
            let name = rs.metadata.name.clone().unwrap_or_default();
            let updated = replica_sets
                .replace(&name, &post_params(), rs)
                .await
                .map_err(|e| ExperimentError::api(format!("update ReplicaSet {name}"), e))?;
            let rv = updated.metadata.resource_version.as_deref();
            ctx.runtime.tracker.owned_written(key, &name, rv, Instant::now());
            true
        }
        Action::PatchReplicaSet { name, patch } => {
            let action = format!("patch ReplicaSet {name}");
            let patch: json_patch::Patch =
                serde_json::from_value(patch.clone()).map_err(|source| ExperimentError::BadPatch {
                    action: action.clone(),
                    source,
                })?;
            let patched = replica_sets
                .patch(name, &patch_params(), &Patch::Json::<()>(patch))
                .await
                .map_err(|e| ExperimentError::api(action, e))?;
            let rv = patched.metadata.resource_version.as_deref();
            ctx.runtime.tracker.owned_written(key, name, rv, Instant::now());
            true
        }
        Action::CreateService(svc) => {
            let name = svc.metadata.name.clone().unwrap_or_default();
            match services.create(&post_params(), svc).await {
                Ok(_) => true,
                Err(e) if is_status(&e, 409) => {
                    tracing::debug!(experiment = %key, service = %name, "the Service already exists; planning again");
                    return Ok(Executed::Stopped(ALREADY_EXISTS_REQUEUE));
                }
                Err(e) => return Err(ExperimentError::api(format!("create Service {name}"), e)),
            }
        }
        Action::DeleteService { name, uid } => match services.delete(name, &delete_params(uid.as_deref())).await {
            Ok(_) => true,
            Err(e) if is_status(&e, 404) => false,
            Err(e) => return Err(ExperimentError::api(format!("delete Service {name}"), e)),
        },
        Action::CreateAnalysisRun(run) => {
            let name = run.metadata.name.clone().unwrap_or_default();
            match runs.create(&post_params(), run).await {
                Ok(_) => true,
                // The cache has not seen the run yet: plan again once it has.
                Err(e) if is_status(&e, 409) => return Ok(Executed::Stopped(ALREADY_EXISTS_REQUEUE)),
                Err(e) => return Err(ExperimentError::api(format!("create AnalysisRun {name}"), e)),
            }
        }
        Action::PatchAnalysisRun { name, patch } => {
            match runs.patch(name, &patch_params(), &Patch::Merge(patch)).await {
                Ok(_) => true,
                Err(e) if is_status(&e, 404) => false,
                Err(e) => return Err(ExperimentError::api(format!("patch AnalysisRun {name}"), e)),
            }
        }
        Action::PatchExperiment(patch) => {
            match experiments
                .patch(&key.name, &patch_params(), &Patch::Merge(patch))
                .await
            {
                Ok(patched) => {
                    let rv = patched.metadata.resource_version.as_deref();
                    ctx.runtime.tracker.written(key, rv, Instant::now());
                    true
                }
                // Deleted meanwhile: nothing left to record.
                Err(e) if is_status(&e, 404) => false,
                Err(e) => return Err(ExperimentError::api(format!("patch Experiment {}", key.name), e)),
            }
        }
    };
    if wrote {
        execute_log::written(key, action);
    }
    Ok(Executed::All)
}
