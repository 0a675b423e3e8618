//! One reconcile of one Rollout: decode it, make sure the caches are not behind our own writes, load
//! the snapshot, plan, execute the plan's writes in order, record its events, and say when to look
//! again. Failures are retried with a per-Rollout exponential backoff.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::core::DynamicObject;
use kube::runtime::controller::Action;
use kube::runtime::reflector::ObjectRef;
use rollouts_api::Rollout;

use super::RolloutKey;
use super::context::Context;
use super::error::ReconcileError;
use super::execute::{self, Executed};
use super::snapshot;
use crate::runtime::events;
use crate::runtime::reconcile::Reconciled;
use crate::runtime::staleness::STALE_REQUEUE;

/// How long a reconcile waits for the caches' first list before putting the Rollout off.
const CACHE_WAIT: Duration = Duration::from_secs(5);

/// How soon to look again at a Rollout put off because the caches were not filled yet.
const UNFILLED_REQUEUE: Duration = Duration::from_millis(100);

/// Reconciles one Rollout, counting it.
pub async fn reconcile(object: Arc<DynamicObject>, ctx: Arc<Context>) -> Result<Action, ReconcileError> {
    let key = RolloutKey::of(object.as_ref());
    // Boxed: the reconcile's state is large, and the applier keeps many of them at once.
    Box::pin(ctx.runtime.supervise(&key, reconcile_rollout(&object, &ctx, &key))).await
}

async fn reconcile_rollout(
    object: &DynamicObject,
    ctx: &Context,
    key: &RolloutKey,
) -> Result<Reconciled, ReconcileError> {
    if object.metadata.deletion_timestamp.is_some() {
        return Ok(Reconciled::Done(Action::await_change()));
    }
    let rollout: Rollout = ctx.runtime.decode(object, key).await?;
    // Planning from half-filled caches would recreate what exists; this waits only at start, and
    // never without a bound.
    if let Err(not_filled) = ctx.readiness.wait(CACHE_WAIT).await {
        tracing::debug!(rollout = %key, "{not_filled}; looking again shortly");
        return Ok(Reconciled::Deferred(Action::requeue(UNFILLED_REQUEUE)));
    }
    let stale = ctx.runtime.tracker.is_stale(
        key,
        object.metadata.resource_version.as_deref(),
        |name| {
            ctx.stores
                .replica_sets
                .get(&ObjectRef::new(name).within(&key.namespace))
                .map(|rs| rs.metadata.resource_version.clone().unwrap_or_default())
        },
        Instant::now(),
    );
    if stale {
        tracing::debug!("the cache is behind our last write; looking again shortly");
        return Ok(Reconciled::Deferred(Action::requeue(STALE_REQUEUE)));
    }
    let observed = snapshot::load(ctx, rollout, jiff::Timestamp::now()).await?;
    let plan = rollouts_core::plan::plan(&observed.snapshot());
    if let Executed::Stopped(after) = execute::execute(ctx, key, &plan.actions).await? {
        return Ok(Reconciled::Deferred(Action::requeue(after)));
    }
    ctx.runtime
        .recorder
        .publish(
            &events::reference(ctx.runtime.controller.object_kind(), &object.metadata),
            &plan.events,
        )
        .await;
    if let Some(message) = plan.error {
        return Err(ReconcileError::InvalidSpec(message));
    }
    let after = plan
        .requeue_after
        .map_or(ctx.runtime.resync, |after| after.min(ctx.runtime.resync));
    Ok(Reconciled::Done(Action::requeue(after)))
}

/// When to retry a Rollout whose reconcile failed.
pub fn error_policy(object: Arc<DynamicObject>, error: &ReconcileError, ctx: Arc<Context>) -> Action {
    ctx.runtime.retry_after(&RolloutKey::of(object.as_ref()), error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::metrics::Metrics;
    use kube::core::ApiResource;
    use kube::core::Status;
    use rollouts_api::Rollout;

    fn context() -> Arc<Context> {
        let client = kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
        let resource = ApiResource::erase::<Rollout>(&());
        let (stores, _writers) = crate::rollout::caches::empty(&resource);
        Arc::new(Context::new(
            client,
            stores,
            resource,
            Metrics::new(),
            Duration::from_secs(900),
        ))
    }

    fn api_error(code: u16, reason: &str) -> kube::Error {
        let mut status = Status::failure("refused", reason);
        status.code = code;
        kube::Error::Api(status.boxed())
    }

    #[tokio::test]
    async fn failures_back_off_conflicts_retry_at_once_and_undecodable_rollouts_wait_for_a_change() {
        let ctx = context();
        let object = Arc::new(DynamicObject::new("web", &ctx.rollout_resource).within("default"));
        let policy = |error: &ReconcileError| error_policy(Arc::clone(&object), error, Arc::clone(&ctx));
        let invalid = ReconcileError::InvalidSpec("The Rollout \"web\" is invalid".into());
        assert_eq!(policy(&invalid), Action::requeue(Duration::from_millis(10)));
        assert_eq!(policy(&invalid), Action::requeue(Duration::from_millis(20)));
        let conflict = ReconcileError::api("update ReplicaSet web-1", api_error(409, "Conflict"));
        assert!(matches!(conflict, ReconcileError::Conflict { .. }));
        assert_eq!(policy(&conflict), Action::requeue(Duration::ZERO));
        assert_eq!(policy(&conflict), Action::requeue(Duration::from_millis(40)));
        let failed = ReconcileError::api("patch Service web", api_error(500, "InternalError"));
        assert!(matches!(failed, ReconcileError::Api { .. }));
        assert_eq!(policy(&failed), Action::requeue(Duration::from_millis(80)));
        let undecodable = ReconcileError::Decode("status.phase: unknown variant".into());
        assert_eq!(policy(&undecodable), Action::requeue(Duration::from_secs(900)));
        ctx.runtime.forget(&RolloutKey::of(object.as_ref()));
        assert_eq!(
            policy(&invalid),
            Action::requeue(Duration::from_millis(10)),
            "deletion forgets"
        );
    }
}
