//! Running a controller's reconciles: kube-runtime's applier over the controller's queue, at most
//! `concurrency` at once and never one object twice at once, each reconcile on a task of its own, and
//! the applier's results logged.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use kube::core::DynamicObject;
use kube::runtime::controller::{self, Action, Error as ControllerRunError, ReconcileRequest};
use kube::runtime::reflector::{ObjectRef, Store};
use tokio::task::JoinHandle;

use crate::runtime::kind::{ControllerKind, log_object};
use crate::runtime::reconcile::ReconcileFailure;

/// Reconciles the objects of `store` that `queue` asks for until the queue ends, then lets the
/// reconciles in flight finish. `reconcile` runs each on its own task; `error_policy` says when to
/// retry a failed one.
pub async fn run<C, E, F>(
    controller: ControllerKind,
    ctx: Arc<C>,
    store: Store<DynamicObject>,
    queue: impl Stream<Item = Result<ReconcileRequest<DynamicObject>, Infallible>>,
    concurrency: u16,
    mut reconcile: impl FnMut(Arc<DynamicObject>, Arc<C>) -> F,
    error_policy: impl Fn(Arc<DynamicObject>, &E, Arc<C>) -> Action,
) where
    E: ReconcileFailure,
    F: Future<Output = Result<Action, E>> + Send + 'static,
{
    controller::applier(
        move |object, ctx| Spawned::spawn(reconcile(object, ctx)),
        error_policy,
        ctx,
        store,
        queue,
        controller::Config::default().concurrency(concurrency),
    )
    .for_each(|result| {
        log_applied(controller, result);
        std::future::ready(())
    })
    .await;
}

/// One result of the applier.
type Applied<E> = Result<(ObjectRef<DynamicObject>, Action), ControllerRunError<E, Infallible>>;

fn log_applied<E: ReconcileFailure>(controller: ControllerKind, result: Applied<E>) {
    let prefix = controller.log_prefix();
    match result {
        Ok((object, action)) => log_object!(debug, controller, object, ?action, "{prefix}reconciled"),
        // Logged by the reconcile itself, once per failing state.
        Err(ControllerRunError::ReconcilerFailed(error, object)) => {
            log_object!(trace, controller, object, %error, "{prefix}reconcile failed");
        }
        // An object deleted while a reconcile of it was queued.
        Err(ControllerRunError::ObjectNotFound(object)) => {
            let kind = controller.object_kind();
            log_object!(debug, controller, object, "reconcile of a deleted {kind}");
        }
        // Only when shutting down before the cache ever filled (an unreachable API server).
        Err(ControllerRunError::RunnerError(error)) => match controller {
            ControllerKind::Rollout => tracing::debug!(%error, "stopped before the caches filled"),
            ControllerKind::AnalysisRun => {
                tracing::debug!(%error, "AnalysisRun controller stopped before the caches filled");
            }
            ControllerKind::Service => tracing::debug!(%error, "Service controller stopped before the caches filled"),
            ControllerKind::Experiment => {
                tracing::debug!(%error, "Experiment controller stopped before the caches filled");
            }
        },
        Err(error) => tracing::warn!(%error, "{prefix}controller"),
    }
}

/// A reconcile running on its own task (so that reconciles of different objects use every worker
/// thread), aborted if the applier drops it.
pub struct Spawned<E>(JoinHandle<Result<Action, E>>);

impl<E: ReconcileFailure> Spawned<E> {
    /// Spawns `future` on the current runtime.
    pub fn spawn(future: impl Future<Output = Result<Action, E>> + Send + 'static) -> Self {
        Spawned(tokio::spawn(future))
    }
}

impl<E: ReconcileFailure> Future for Spawned<E> {
    type Output = Result<Action, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|joined| joined.unwrap_or_else(|e| Err(E::task_failed(e.to_string()))))
    }
}

impl<E> Drop for Spawned<E> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
