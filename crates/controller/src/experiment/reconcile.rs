//! One reconcile of one Experiment (upstream `experiments/controller.go` `syncHandler`): decode the
//! cached copy, wait (bounded) for the shared caches' first list, make sure they are not behind our own
//! writes, load the snapshot, plan, carry the plan out, record its events (on the Experiment, and the
//! ones meant for the Rollout that owns it on that Rollout), and say when to look again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::api::ObjectMeta;
use kube::core::DynamicObject;
use kube::runtime::controller::Action;
use kube::runtime::reflector::ObjectRef;
use rollouts_api::experiment::Experiment;

use super::ExperimentKey;
use super::context::Context;
use super::error::ExperimentError;
use super::execute::{self, Executed};
use super::snapshot;
use crate::runtime::events;
use crate::runtime::reconcile::Reconciled;
use crate::runtime::staleness::STALE_REQUEUE;

/// How long a reconcile waits for the caches' first list before putting the Experiment off.
const CACHE_WAIT: Duration = Duration::from_secs(5);

/// How soon to look again at an Experiment put off because the caches were not filled yet.
const UNFILLED_REQUEUE: Duration = Duration::from_millis(100);

/// Reconciles one Experiment, counting it.
pub async fn reconcile(object: Arc<DynamicObject>, ctx: Arc<Context>) -> Result<Action, ExperimentError> {
    let key = ExperimentKey::of(object.as_ref());
    Box::pin(ctx.runtime.supervise(&key, reconcile_experiment(&object, &ctx, &key))).await
}

async fn reconcile_experiment(
    object: &DynamicObject,
    ctx: &Context,
    key: &ExperimentKey,
) -> Result<Reconciled, ExperimentError> {
    if object.metadata.deletion_timestamp.is_some() {
        return Ok(Reconciled::Done(Action::await_change()));
    }
    let experiment: Experiment = ctx.runtime.decode(object, key).await?;
    if let Err(not_filled) = ctx.caches.filled.wait_filled(CACHE_WAIT).await {
        tracing::debug!(experiment = %key, "{not_filled}; looking again shortly");
        return Ok(Reconciled::Deferred(Action::requeue(UNFILLED_REQUEUE)));
    }
    let stale = ctx.runtime.tracker.is_stale(
        key,
        object.metadata.resource_version.as_deref(),
        |name| {
            ctx.caches
                .replica_sets
                .get(&ObjectRef::new(name).within(&key.namespace))
                .map(|rs| rs.metadata.resource_version.clone().unwrap_or_default())
        },
        Instant::now(),
    );
    if stale {
        tracing::debug!(experiment = %key, "the cache is behind our last write; looking again shortly");
        return Ok(Reconciled::Deferred(Action::requeue(STALE_REQUEUE)));
    }
    let observed = snapshot::load(ctx, experiment, jiff::Timestamp::now()).await?;
    let plan = rollouts_core::experiment::plan(&observed.snapshot());
    if let Some(message) = plan.error {
        return Err(ExperimentError::Plan(message));
    }
    let kind = ctx.runtime.controller.object_kind();
    match execute::execute(ctx, key, &plan.actions).await {
        Ok(Executed::All) => {}
        Ok(Executed::Stopped(after)) => return Ok(Reconciled::Deferred(Action::requeue(after))),
        Err(failed) => {
            record_failure(ctx, key, object, &observed, &plan.actions[failed.index], &failed.error).await;
            return Err(failed.error);
        }
    }
    ctx.runtime
        .recorder
        .publish(&events::reference(kind, &object.metadata), &plan.events)
        .await;
    if let Some(owner) = rollouts_core::experiment::owner_rollout(&observed.experiment)
        && !plan.rollout_events.is_empty()
    {
        let rollout = ObjectMeta {
            name: Some(owner.name.clone()),
            namespace: Some(key.namespace.clone()),
            uid: Some(owner.uid.clone()),
            ..ObjectMeta::default()
        };
        ctx.runtime
            .recorder
            .publish(&events::reference("Rollout", &rollout), &plan.rollout_events)
            .await;
    }
    let after = plan
        .requeue_after
        .map_or(ctx.runtime.resync, |after| after.min(ctx.runtime.resync));
    Ok(Reconciled::Done(Action::requeue(after)))
}

/// Records on the Experiment what upstream records when `action` fails with `error` (a conflict
/// excepted, which the retry sorts out): the template or analysis it was for turns `Error`. A failure
/// to record that is only logged; the retry plans again anyway.
async fn record_failure(
    ctx: &Context,
    key: &ExperimentKey,
    object: &DynamicObject,
    observed: &snapshot::Observed,
    action: &rollouts_core::experiment::Action,
    error: &ExperimentError,
) {
    if matches!(error, ExperimentError::Conflict { .. }) {
        return;
    }
    let Some(message) = execute::api_message(error) else {
        return;
    };
    let plan = rollouts_core::experiment::write_failed(&observed.snapshot(), action, &message);
    if let Err(failed) = execute::execute(ctx, key, &plan.actions).await {
        tracing::warn!(experiment = %key, error = %failed.error, "could not record a failed write");
        return;
    }
    let kind = ctx.runtime.controller.object_kind();
    ctx.runtime
        .recorder
        .publish(&events::reference(kind, &object.metadata), &plan.events)
        .await;
}

/// When to retry an Experiment whose reconcile failed.
pub fn error_policy(object: Arc<DynamicObject>, error: &ExperimentError, ctx: Arc<Context>) -> Action {
    ctx.runtime.retry_after(&ExperimentKey::of(object.as_ref()), error)
}
