//! One reconcile of one Rollout: decode it, make sure the caches are not behind our own writes, load
//! the snapshot, plan, execute the plan's writes in order, record its events, and say when to look
//! again. Failures are retried with a per-Rollout exponential backoff.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use kube::core::{ApiResource, DynamicObject};
use kube::runtime::controller::Action;
use kube::runtime::reflector::ObjectRef;
use tokio::task::JoinHandle;

use crate::RolloutKey;
use crate::error::ReconcileError;
use crate::execute::{self, Executed};
use crate::runtime::backoff::Backoff;
use crate::runtime::events::{self, Recorder};
use crate::runtime::metrics::{Metrics, SlowReconciles};
use crate::runtime::readiness::Readiness;
use crate::runtime::repeats::{KeyedRepeats, Report};
use crate::runtime::staleness::{STALE_REQUEUE, Tracker};
use crate::runtime::watchdog::{self, Limits};
use crate::snapshot;
use crate::watch::Stores;

/// The kind events are recorded on.
pub const KIND: &str = "Rollout";

/// A Rollout reconcile is a few reads from the caches and a few writes: seconds are already a sign of
/// trouble, and two minutes (every API request inside has its own timeout) means it is stuck.
pub const DEFAULT_LIMITS: Limits = Limits {
    slow: Duration::from_secs(10),
    limit: Duration::from_secs(120),
};

/// How long a reconcile waits for the caches' first list before putting the Rollout off.
const CACHE_WAIT: Duration = Duration::from_secs(5);

/// How soon to look again at a Rollout put off because the caches were not filled yet.
const UNFILLED_REQUEUE: Duration = Duration::from_millis(100);

/// What every reconcile shares.
pub struct Context {
    /// The (counting) API client.
    pub client: kube::Client,
    /// The watch caches.
    pub stores: Stores,
    /// `argoproj.io/v1alpha1` Rollouts, for the dynamic API.
    pub rollout_resource: ApiResource,
    /// Our latest writes, against stale caches.
    pub tracker: Tracker,
    /// Retry delays after failures.
    pub backoff: Backoff,
    /// Whether the caches the reconcile reads have been listed once.
    pub readiness: Readiness,
    /// Counters.
    pub metrics: Metrics,
    /// The event recorder.
    pub recorder: Recorder,
    /// How long to wait before looking at a Rollout again when nothing asks for sooner.
    pub resync: Duration,
    /// When a reconcile counts as slow, and when it is cut off.
    pub limits: Limits,
    /// The Rollouts whose reconciles are failing, so that each failure is logged once.
    failures: KeyedRepeats<RolloutKey>,
    /// The `resourceVersion` of each undecodable Rollout already warned about, so that one broken
    /// object raises one event per version rather than one per resync.
    warned: Mutex<HashMap<RolloutKey, String>>,
}

impl Context {
    /// A context for a controller using `client`.
    pub fn new(
        client: kube::Client,
        stores: Stores,
        rollout_resource: ApiResource,
        metrics: Metrics,
        resync: Duration,
    ) -> Self {
        Self {
            recorder: Recorder::new(client.clone()),
            client,
            stores,
            rollout_resource,
            tracker: Tracker::default(),
            backoff: Backoff::default(),
            readiness: Readiness::new(),
            metrics,
            resync,
            limits: DEFAULT_LIMITS,
            failures: KeyedRepeats::default(),
            warned: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets everything kept about a deleted Rollout.
    pub fn rollout_deleted(&self, key: &RolloutKey) {
        self.tracker.forget(key);
        self.backoff.reset(key);
        self.metrics.forget_rollout(key);
        self.failures.forget(key);
        self.warned.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }

    /// Whether to warn about this version of an undecodable Rollout (once per version).
    fn first_warning(&self, key: &RolloutKey, resource_version: &str) -> bool {
        let mut warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
        if warned.get(key).is_some_and(|rv| rv == resource_version) {
            return false;
        }
        warned.insert(key.clone(), resource_version.to_string());
        true
    }

    fn decodes_again(&self, key: &RolloutKey) {
        self.warned.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}

/// How a reconcile that did not fail ended.
enum Reconciled {
    /// It planned and executed the whole plan (or had nothing to do): the failure series is over.
    Done(Action),
    /// It put the work off (a cache behind our writes, a ReplicaSet that already existed), which says
    /// nothing about whether the failures that came before are resolved.
    Deferred(Action),
}

/// Reconciles one Rollout, counting it.
pub async fn reconcile(object: Arc<DynamicObject>, ctx: Arc<Context>) -> Result<Action, ReconcileError> {
    let key = RolloutKey::of(object.as_ref());
    let work = reconcile_rollout(&object, &ctx, &key);
    let result = watchdog::watch(work, ctx.limits, SlowReconciles::Rollout, &key, &ctx.metrics)
        .await
        .unwrap_or_else(|watchdog::TimedOut(limit)| Err(ReconcileError::TimedOut(limit)));
    ctx.metrics.record_reconcile(&key, result.is_err());
    log_outcome(&ctx, &key, &result);
    result.map(|reconciled| match reconciled {
        Reconciled::Done(action) => {
            ctx.backoff.reset(&key);
            action
        }
        Reconciled::Deferred(action) => action,
    })
}

async fn reconcile_rollout(
    object: &DynamicObject,
    ctx: &Context,
    key: &RolloutKey,
) -> Result<Reconciled, ReconcileError> {
    if object.metadata.deletion_timestamp.is_some() {
        return Ok(Reconciled::Done(Action::await_change()));
    }
    let rollout = match snapshot::decode_rollout(object) {
        Ok(rollout) => rollout,
        Err(message) => {
            warn_undecodable(ctx, object, key, &message).await;
            return Err(ReconcileError::Decode(message));
        }
    };
    ctx.decodes_again(key);
    // Planning from half-filled caches would recreate what exists; this waits only at start, and
    // never without a bound.
    if let Err(not_filled) = ctx.readiness.wait(CACHE_WAIT).await {
        tracing::debug!(rollout = %key, "{not_filled}; looking again shortly");
        return Ok(Reconciled::Deferred(Action::requeue(UNFILLED_REQUEUE)));
    }
    let stale = ctx.tracker.is_stale(
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
    ctx.recorder
        .publish(&events::reference(KIND, &object.metadata), &plan.events)
        .await;
    if let Some(message) = plan.error {
        return Err(ReconcileError::InvalidSpec(message));
    }
    let after = plan.requeue_after.map_or(ctx.resync, |after| after.min(ctx.resync));
    Ok(Reconciled::Done(Action::requeue(after)))
}

/// Logs a failing Rollout when it starts failing, when the failure changes and now and then while it
/// goes on, and once when it reconciles again; every retry in between only at the debug level.
fn log_outcome(ctx: &Context, key: &RolloutKey, result: &Result<Reconciled, ReconcileError>) {
    let now = Instant::now();
    match result {
        Ok(Reconciled::Done(_)) => {
            if let Some(failing_for) = ctx.failures.succeeded(key, now) {
                tracing::info!(rollout = %key, ?failing_for, "the Rollout reconciles again");
            }
        }
        Ok(Reconciled::Deferred(_)) => {}
        // Already reported, once per version, when it was found.
        Err(ReconcileError::Decode(_)) => {}
        // Retried at once from fresh caches: part of normal operation.
        Err(error @ ReconcileError::Conflict { .. }) => tracing::debug!(rollout = %key, %error, "reconcile failed"),
        Err(error) => match ctx.failures.failed(key, &error.to_string(), now) {
            Report::New => tracing::warn!(rollout = %key, %error, "reconcile failed"),
            Report::Again { left_out } => {
                tracing::warn!(rollout = %key, %error, left_out, "reconcile still failing")
            }
            Report::Quiet => tracing::debug!(rollout = %key, %error, "reconcile failed again"),
        },
    }
}

/// Logs and (once per version) records a Warning event on a Rollout that cannot be decoded.
async fn warn_undecodable(ctx: &Context, object: &DynamicObject, key: &RolloutKey, message: &str) {
    let version = object.metadata.resource_version.clone().unwrap_or_default();
    if !ctx.first_warning(key, &version) {
        return;
    }
    tracing::warn!(rollout = %key, error = %message, "skipping a Rollout that cannot be decoded");
    let event = rollouts_core::plan::Event::warning(
        "InvalidSpec",
        format!("The Rollout \"{}\" is invalid: cannot be decoded: {message}", key.name),
    );
    ctx.recorder
        .record(&events::reference(KIND, &object.metadata), &event)
        .await;
}

/// When to retry a Rollout whose reconcile failed.
pub fn error_policy(object: Arc<DynamicObject>, error: &ReconcileError, ctx: Arc<Context>) -> Action {
    let key = RolloutKey::of(object.as_ref());
    match error {
        // Nothing to retry until the object changes; the resync still looks at it now and then.
        ReconcileError::Decode(_) => Action::requeue(ctx.resync),
        ReconcileError::Conflict { .. } => Action::requeue(ctx.backoff.conflict(&key)),
        _ => Action::requeue(ctx.backoff.failure(&key)),
    }
}

/// A reconcile running on its own task (so that reconciles of different Rollouts use every worker
/// thread), aborted if the controller drops it.
pub struct Spawned(JoinHandle<Result<Action, ReconcileError>>);

impl Spawned {
    /// Spawns `future` on the current runtime.
    pub fn spawn(future: impl Future<Output = Result<Action, ReconcileError>> + Send + 'static) -> Self {
        Spawned(tokio::spawn(future))
    }
}

impl Future for Spawned {
    type Output = Result<Action, ReconcileError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|joined| joined.unwrap_or_else(|e| Err(ReconcileError::Task(e.to_string()))))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;
    use rollouts_api::Rollout;

    fn context() -> Arc<Context> {
        let client = kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
        let resource = ApiResource::erase::<Rollout>(&());
        let (stores, _writers) = crate::watch::stores(&resource);
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
        ctx.rollout_deleted(&RolloutKey::of(object.as_ref()));
        assert_eq!(
            policy(&invalid),
            Action::requeue(Duration::from_millis(10)),
            "deletion forgets"
        );
    }

    #[tokio::test]
    async fn an_undecodable_rollout_is_warned_about_once_per_version() {
        let ctx = context();
        let key = RolloutKey::new("default", "bad");
        assert!(ctx.first_warning(&key, "10"));
        assert!(!ctx.first_warning(&key, "10"));
        assert!(ctx.first_warning(&key, "11"), "a new version is warned about again");
        ctx.decodes_again(&key);
        assert!(ctx.first_warning(&key, "11"), "fixed, then broken again");
        ctx.rollout_deleted(&key);
        assert!(ctx.warned.lock().unwrap().is_empty());
    }
}
