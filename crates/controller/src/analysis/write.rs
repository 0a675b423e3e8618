//! Writing the outcome of a reconcile (upstream `persistAnalysisRunStatus` and what follows it):
//!
//! 1. the status, by a JSON merge patch of the AnalysisRun itself (the kind has no status
//!    subresource), carrying only what changed, and only when something did: a reconcile that changes
//!    nothing writes nothing;
//! 2. the events, once the status they describe is written (a failed write is retried, and its events
//!    come with the retry);
//! 3. the providers' garbage collection of the measurements trimmed from the history;
//! 4. the deletion of a completed run whose `ttlStrategy` has expired;
//! 5. when to look again.

use std::time::Instant;

use kube::api::{Api, DeleteParams, Patch};
use kube::core::DynamicObject;
use kube::runtime::controller::Action;
use rollouts_api::analysis_run::{AnalysisRun, AnalysisRunStatus};
use rollouts_core::analysis::run::{Prepared, RunEvent, RunUpdate};
use rollouts_core::plan;
use serde_json::{Value, json};

use super::context::{Context, RunKey};
use super::error::RunError;
use crate::runtime::api::{is_status, patch_params};
use crate::runtime::events;
use crate::runtime::reconcile::Reconciled;

/// Writes `update`, the outcome of reconciling `run` (as observed); `prepared` holds the metrics the
/// providers measured with, when measurements were taken.
pub async fn apply(
    ctx: &Context,
    key: &RunKey,
    run: &AnalysisRun,
    update: RunUpdate,
    prepared: Option<&Prepared>,
) -> Result<Reconciled, RunError> {
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.runtime.client.clone(), &key.namespace, &ctx.run_resource);
    if let Some(patch) = status_patch(run.status.as_ref(), &update.status) {
        match api.patch(&key.name, &patch_params(), &Patch::Merge(&patch)).await {
            Ok(patched) => {
                ctx.runtime
                    .tracker
                    .written(key, patched.metadata.resource_version.as_deref(), Instant::now());
            }
            // Deleted meanwhile: nothing left to do.
            Err(error) if is_status(&error, 404) => return Ok(Reconciled::Done(Action::await_change())),
            Err(source) => {
                return Err(RunError::Api {
                    action: format!("patch AnalysisRun {key}"),
                    source,
                });
            }
        }
    }
    let events: Vec<plan::Event> = update.events.iter().map(plan_event).collect();
    ctx.runtime
        .recorder
        .publish(
            &events::reference(ctx.runtime.controller.object_kind(), &run.metadata),
            &events,
        )
        .await;
    if let Some(prepared) = prepared {
        garbage_collect(ctx, run, prepared, &update.garbage_collect).await;
    }
    if update.delete {
        return match api.delete(&key.name, &DeleteParams::default()).await {
            Ok(_) => {
                tracing::info!(namespace = %key.namespace, analysisrun = %key.name, "Trying to cleanup TTL exceeded analysis run");
                Ok(Reconciled::Done(Action::await_change()))
            }
            Err(error) if is_status(&error, 404) => Ok(Reconciled::Done(Action::await_change())),
            Err(source) => Err(RunError::Api {
                action: format!("delete AnalysisRun {key}"),
                source,
            }),
        };
    }
    let after = update
        .requeue_after
        .map_or(ctx.runtime.resync, |after| after.min(ctx.runtime.resync));
    Ok(Reconciled::Done(Action::requeue(after)))
}

/// The merge patch from the observed status to `new` (`{"status": {...}}` with only the changed
/// members; arrays are replaced whole), or `None` when nothing changed.
pub fn status_patch(old: Option<&AnalysisRunStatus>, new: &AnalysisRunStatus) -> Option<Value> {
    let unchanged = match old {
        Some(old) => old == new,
        None => *new == AnalysisRunStatus::default(),
    };
    if unchanged {
        return None;
    }
    let old = old.map_or_else(|| json!({}), to_value);
    rollouts_core::plan::merge_patch::diff(&old, &to_value(new)).map(|status| json!({ "status": status }))
}

fn to_value(status: &AnalysisRunStatus) -> Value {
    serde_json::to_value(status).unwrap_or_else(|_| json!({}))
}

/// Asks the providers to clean up after the measurements trimmed from the history; failures are
/// logged only (the history is trimmed regardless, and the next trim retries).
async fn garbage_collect(ctx: &Context, run: &AnalysisRun, prepared: &Prepared, collect: &[(usize, usize)]) {
    for (index, limit) in collect {
        let Some(metric) = prepared.metrics.get(*index) else {
            continue;
        };
        let Ok(provider) = ctx.providers.for_metric(metric) else {
            continue;
        };
        if let Err(error) = provider.garbage_collect(run, metric, *limit).await {
            tracing::warn!(
                run = ?run.metadata.name,
                metric = %metric.name,
                %error,
                "failed to garbage collect measurements"
            );
        }
    }
}

fn plan_event(event: &RunEvent) -> plan::Event {
    if event.warning {
        plan::Event::warning(&event.reason, event.message.clone())
    } else {
        plan::Event::normal(&event.reason, event.message.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollouts_api::analysis_run::{AnalysisPhase, MetricResult};

    #[test]
    fn only_changes_are_written() {
        let running = AnalysisRunStatus {
            phase: AnalysisPhase::Running,
            metric_results: Some(vec![MetricResult {
                name: "m".into(),
                phase: AnalysisPhase::Running,
                count: Some(1),
                ..MetricResult::default()
            }]),
            message: Some("x".into()),
            ..AnalysisRunStatus::default()
        };
        assert_eq!(status_patch(Some(&running), &running), None);
        assert_eq!(status_patch(None, &AnalysisRunStatus::default()), None);
        let mut done = running.clone();
        done.phase = AnalysisPhase::Successful;
        done.message = None;
        assert_eq!(
            status_patch(Some(&running), &done),
            Some(json!({"status": {"phase": "Successful", "message": null}}))
        );
        assert_eq!(
            status_patch(None, &running).unwrap()["status"]["metricResults"][0]["count"],
            1
        );
    }
}
