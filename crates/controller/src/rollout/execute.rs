//! Carrying out a plan: each [`Action`] becomes one API request, in order, stopping at the first
//! failure. The next reconcile plans again from a fresh snapshot, so a partly executed plan is never
//! resumed. Each write that changed something is said in the log ([`super::execute_log`]).

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, EvictParams, Patch};
use kube::core::DynamicObject;
use rollouts_core::plan::Action;
use serde_json::{Value, json};

use super::RolloutKey;
use super::context::Context;
use super::error::ReconcileError;
use super::execute_log;
use super::workload::WorkloadKind;
use crate::runtime::api::{ALREADY_EXISTS_REQUEUE, delete_params, is_status, patch_params, post_params};

/// How long an eviction may take. A PodDisruptionBudget refuses with 429 and `Retry-After: 10`, which
/// kube's default retry policy honours up to 15 times; waiting that out would hold the reconcile for
/// minutes, so a refusal that outlasts this is treated like the refusal it is.
pub const EVICTION_TIMEOUT: Duration = Duration::from_secs(3);

/// How a plan's execution ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Executed {
    /// Every action succeeded.
    All,
    /// A ReplicaSet to create already existed: the rest of the plan was skipped, and the Rollout
    /// should be looked at again after this long.
    Stopped(Duration),
}

/// Executes `actions` for the Rollout `key`, in order.
pub async fn execute(ctx: &Context, key: &RolloutKey, actions: &[Action]) -> Result<Executed, ReconcileError> {
    let ns = key.namespace.as_str();
    let replica_sets: Api<ReplicaSet> = Api::namespaced(ctx.runtime.client.clone(), ns);
    let rollouts: Api<DynamicObject> = Api::namespaced_with(ctx.runtime.client.clone(), ns, &ctx.rollout_resource);
    for action in actions {
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
                        tracing::debug!(replicaset = %name, "the ReplicaSet already exists; planning again");
                        collision(ctx, key, &replica_sets, &rollouts, &name).await?;
                        return Ok(Executed::Stopped(ALREADY_EXISTS_REQUEUE));
                    }
                    Err(e) => return Err(ReconcileError::api(format!("create ReplicaSet {name}"), e)),
                }
            }
            Action::UpdateReplicaSet(rs) => {
                let name = rs.metadata.name.clone().unwrap_or_default();
                let updated = replica_sets
                    .replace(&name, &post_params(), rs)
                    .await
                    .map_err(|e| ReconcileError::api(format!("update ReplicaSet {name}"), e))?;
                let rv = updated.metadata.resource_version.as_deref();
                ctx.runtime.tracker.owned_written(key, &name, rv, Instant::now());
                true
            }
            Action::PatchReplicaSet { name, patch } => {
                let action = format!("patch ReplicaSet {name}");
                let patch: json_patch::Patch =
                    serde_json::from_value(patch.clone()).map_err(|source| ReconcileError::BadPatch {
                        action: action.clone(),
                        source,
                    })?;
                let patched = replica_sets
                    .patch(name, &patch_params(), &Patch::Json::<()>(patch))
                    .await
                    .map_err(|e| ReconcileError::api(action, e))?;
                let rv = patched.metadata.resource_version.as_deref();
                ctx.runtime.tracker.owned_written(key, name, rv, Instant::now());
                true
            }
            Action::DeleteReplicaSet { name, uid } => {
                let deleted = match replica_sets.delete(name, &delete_params(uid.as_deref())).await {
                    Ok(_) => true,
                    Err(e) if is_status(&e, 404) => false,
                    Err(e) => return Err(ReconcileError::api(format!("delete ReplicaSet {name}"), e)),
                };
                ctx.runtime.tracker.owned_deleted(ns, name);
                deleted
            }
            Action::PatchRollout(patch) => {
                let patched = rollouts
                    .patch(&key.name, &patch_params(), &Patch::Merge(patch))
                    .await
                    .map_err(|e| ReconcileError::api(format!("patch Rollout {}", key.name), e))?;
                let rv = patched.metadata.resource_version.as_deref();
                ctx.runtime.tracker.written(key, rv, Instant::now());
                true
            }
            Action::PatchRolloutStatus(patch) => {
                let patched = rollouts
                    .patch_status(&key.name, &patch_params(), &Patch::Merge(status_patch(patch)))
                    .await
                    .map_err(|e| ReconcileError::api(format!("patch Rollout {} status", key.name), e))?;
                let rv = patched.metadata.resource_version.as_deref();
                ctx.runtime.tracker.written(key, rv, Instant::now());
                true
            }
            Action::PatchService { name, patch } => {
                let services: Api<Service> = Api::namespaced(ctx.runtime.client.clone(), ns);
                services
                    .patch(name, &patch_params(), &Patch::Strategic(patch))
                    .await
                    .map_err(|e| ReconcileError::api(format!("patch Service {name}"), e))?;
                true
            }
            Action::EvictPod { name } => {
                let pods: Api<Pod> = Api::namespaced(ctx.runtime.client.clone(), ns);
                match tokio::time::timeout(EVICTION_TIMEOUT, pods.evict(name, &EvictParams::default())).await {
                    Ok(Ok(_)) => true,
                    // A PodDisruptionBudget refused (429), or the pod is already gone: a later
                    // reconcile tries the pods that are left.
                    Ok(Err(e)) if is_status(&e, 429) || is_status(&e, 404) => {
                        tracing::debug!(pod = %name, error = %e, "eviction not possible now");
                        false
                    }
                    Ok(Err(e)) => return Err(ReconcileError::api(format!("evict Pod {name}"), e)),
                    Err(_) => {
                        tracing::debug!(pod = %name, "eviction still refused; trying again later");
                        false
                    }
                }
            }
            Action::PatchPods {
                replica_set,
                pod_template_hash,
                patch,
            } => {
                let pods: Api<Pod> = Api::namespaced(ctx.runtime.client.clone(), ns);
                let selector = format!(
                    "{}={pod_template_hash}",
                    rollouts_api::well_known::labels::POD_TEMPLATE_HASH
                );
                let list = pods
                    .list_metadata(&kube::api::ListParams::default().labels(&selector))
                    .await
                    .map_err(|e| ReconcileError::api(format!("list Pods of ReplicaSet {replica_set}"), e))?;
                for pod in list.items {
                    let Some(name) = pod.metadata.name else { continue };
                    match pods.patch(&name, &patch_params(), &Patch::Merge(patch)).await {
                        Ok(_) => execute_log::pod_patched(key, &name, patch),
                        Err(e) if is_status(&e, 404) => {}
                        Err(e) => return Err(ReconcileError::api(format!("patch Pod {name}"), e)),
                    }
                }
                // Said pod by pod.
                false
            }
            Action::CreateAnalysisRun(run) => {
                let runs: Api<rollouts_api::AnalysisRun> = Api::namespaced(ctx.runtime.client.clone(), ns);
                let name = run.metadata.name.clone().unwrap_or_default();
                match runs.create(&post_params(), run).await {
                    Ok(_) => true,
                    // The cache has not seen the run yet: plan again once it has.
                    Err(e) if is_status(&e, 409) => return Ok(Executed::Stopped(ALREADY_EXISTS_REQUEUE)),
                    Err(e) => return Err(ReconcileError::api(format!("create AnalysisRun {name}"), e)),
                }
            }
            Action::PatchAnalysisRun { name, patch } => {
                let runs: Api<rollouts_api::AnalysisRun> = Api::namespaced(ctx.runtime.client.clone(), ns);
                match runs.patch(name, &patch_params(), &Patch::Merge(patch)).await {
                    Ok(_) => true,
                    Err(e) if is_status(&e, 404) => false,
                    Err(e) => return Err(ReconcileError::api(format!("patch AnalysisRun {name}"), e)),
                }
            }
            Action::DeleteAnalysisRun { name, uid } => {
                let runs: Api<rollouts_api::AnalysisRun> = Api::namespaced(ctx.runtime.client.clone(), ns);
                match runs.delete(name, &delete_params(uid.as_deref())).await {
                    Ok(_) => true,
                    Err(e) if is_status(&e, 404) => false,
                    Err(e) => return Err(ReconcileError::api(format!("delete AnalysisRun {name}"), e)),
                }
            }
            Action::CreateExperiment(experiment) => {
                let experiments: Api<rollouts_api::Experiment> = Api::namespaced(ctx.runtime.client.clone(), ns);
                let name = experiment.metadata.name.clone().unwrap_or_default();
                match experiments.create(&post_params(), experiment).await {
                    Ok(_) => true,
                    // The cache has not seen the Experiment yet: plan again once it has.
                    Err(e) if is_status(&e, 409) => return Ok(Executed::Stopped(ALREADY_EXISTS_REQUEUE)),
                    Err(e) => return Err(ReconcileError::api(format!("create Experiment {name}"), e)),
                }
            }
            Action::PatchExperiment { name, patch } => {
                let experiments: Api<rollouts_api::Experiment> = Api::namespaced(ctx.runtime.client.clone(), ns);
                match experiments.patch(name, &patch_params(), &Patch::Merge(patch)).await {
                    Ok(_) => true,
                    Err(e) if is_status(&e, 404) => false,
                    Err(e) => return Err(ReconcileError::api(format!("patch Experiment {name}"), e)),
                }
            }
            Action::DeleteExperiment { name, uid } => {
                let experiments: Api<rollouts_api::Experiment> = Api::namespaced(ctx.runtime.client.clone(), ns);
                match experiments.delete(name, &delete_params(uid.as_deref())).await {
                    Ok(_) => true,
                    Err(e) if is_status(&e, 404) => false,
                    Err(e) => return Err(ReconcileError::api(format!("delete Experiment {name}"), e)),
                }
            }
            Action::Routing(write) => match super::routing::write(ctx, write).await {
                Ok(true) => true,
                Ok(false) => return Ok(Executed::Stopped(ALREADY_EXISTS_REQUEUE)),
                Err(error) => {
                    super::routing::report_failure(ctx, key, write, &error).await;
                    return Err(error);
                }
            },
            Action::ScaleWorkload {
                api_version,
                kind,
                name,
                replicas,
            } => {
                let Ok(workload_kind @ (WorkloadKind::Deployment | WorkloadKind::ReplicaSet)) =
                    WorkloadKind::of(api_version, kind)
                else {
                    return Err(ReconcileError::Unsupported(format!(
                        "cannot scale a workload of type {api_version}/{kind}"
                    )));
                };
                let resource = workload_kind.api_resource(api_version, kind);
                let api: Api<DynamicObject> = Api::namespaced_with(ctx.runtime.client.clone(), ns, &resource);
                api.patch_scale(name, &patch_params(), &Patch::Merge(scale_patch(*replicas)))
                    .await
                    .map_err(|e| ReconcileError::api(format!("scale {kind} {name}"), e))?;
                true
            }
        };
        if wrote {
            execute_log::written(key, action);
        }
    }
    Ok(Executed::All)
}

/// A ReplicaSet of the new one's name already exists: unless it is this Rollout's own (a cache that
/// has not caught up), the pod template hash collided, and `collisionCount` is raised so the next
/// hash differs (logged as a warning, in upstream's words).
async fn collision(
    ctx: &Context,
    key: &RolloutKey,
    replica_sets: &Api<ReplicaSet>,
    rollouts: &Api<DynamicObject>,
    name: &str,
) -> Result<(), ReconcileError> {
    let existing = replica_sets
        .get(name)
        .await
        .map_err(|e| ReconcileError::api(format!("get ReplicaSet {name}"), e))?;
    let current = rollouts
        .get(&key.name)
        .await
        .map_err(|e| ReconcileError::api(format!("get Rollout {}", key.name), e))?;
    let Ok(rollout) = serde_json::to_value(&current).and_then(serde_json::from_value::<rollouts_api::Rollout>) else {
        return Ok(());
    };
    if let Some(patch) = rollouts_core::plan::replica_sets::hash_collision_patch(&rollout, &existing) {
        let patched = rollouts
            .patch_status(&key.name, &patch_params(), &Patch::Merge(status_patch(&patch)))
            .await
            .map_err(|e| ReconcileError::api(format!("patch Rollout {} status", key.name), e))?;
        let rv = patched.metadata.resource_version.as_deref();
        ctx.runtime.tracker.written(key, rv, Instant::now());
        let before = rollout.status.as_ref().and_then(|s| s.collision_count).unwrap_or(0);
        let after = &patch["collisionCount"];
        tracing::warn!(
            namespace = %key.namespace,
            rollout = %key.name,
            "Found a hash collision - bumped collisionCount ({before}->{after}) to resolve it"
        );
    }
    Ok(())
}

/// The body of a status merge patch: the planner gives the patch of the status itself, which goes
/// under `status` on the wire.
fn status_patch(patch: &Value) -> Value {
    json!({ "status": patch })
}

/// The merge patch of a scale subresource that sets its replicas.
fn scale_patch(replicas: i32) -> Value {
    json!({"spec": {"replicas": replicas}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_patch_is_sent_under_status() {
        let patch = json!({"phase": "Progressing", "message": null});
        assert_eq!(
            status_patch(&patch),
            json!({"status": {"phase": "Progressing", "message": null}})
        );
    }

    #[test]
    fn a_scale_patch_sets_spec_replicas() {
        assert_eq!(scale_patch(4).to_string(), r#"{"spec":{"replicas":4}}"#);
    }
}
