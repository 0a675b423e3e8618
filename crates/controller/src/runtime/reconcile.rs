//! What one reconcile goes through around its own work, whatever its controller: the watchdog, the
//! reconcile counters, logging a failing object once per failing state, the retry backoff, and the
//! Warning raised (once per version) about an object that cannot be decoded. [`Runtime`] holds what a
//! controller's reconciles share for that; each controller keeps it in its own context.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use kube::core::DynamicObject;
use kube::runtime::controller::Action;
use serde::de::DeserializeOwned;

use crate::runtime::ObjectKey;
use crate::runtime::backoff::Backoff;
use crate::runtime::decode::decode_cached;
use crate::runtime::events::{self, Recorder};
use crate::runtime::kind::{ControllerKind, log_object};
use crate::runtime::metrics::Metrics;
use crate::runtime::repeats::{KeyedRepeats, Report};
use crate::runtime::staleness::Tracker;
use crate::runtime::watchdog::{self, Limits};

/// How a reconcile that did not fail ended.
pub enum Reconciled {
    /// It went through (or had nothing to do): the failure series, if any, is over.
    Done(Action),
    /// It put the work off (a cache behind our writes, a cache not filled yet, an object that already
    /// existed), which says nothing about whether the failures that came before are resolved.
    Deferred(Action),
}

/// What kind of failure a reconcile error is, which decides how it is logged and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The object does not decode: reported once per version when found, retried at the resync only.
    Undecodable,
    /// A write conflict: part of normal operation, retried at once (then with backoff).
    Conflict,
    /// Anything else: logged once per failing state, retried with backoff.
    Other,
}

/// A controller's reconcile error, as the runtime handles it.
pub trait ReconcileFailure: std::error::Error + Send + 'static {
    /// The cached object, of `kind`, does not decode (`message` says why).
    fn undecodable(kind: &'static str, message: String) -> Self;
    /// The reconcile was cut off at `limit`.
    fn timed_out(limit: Duration) -> Self;
    /// The reconcile's task ended abnormally.
    fn task_failed(message: String) -> Self;
    /// What kind of failure this is.
    fn failure(&self) -> Failure;
}

/// What the reconciles of one controller share.
pub struct Runtime {
    /// Whose reconciles these are.
    pub controller: ControllerKind,
    /// The (counting) API client.
    pub client: kube::Client,
    /// The event recorder.
    pub recorder: Recorder,
    /// Our latest writes, against stale caches.
    pub tracker: Tracker,
    /// Retry delays after failures.
    pub backoff: Backoff,
    /// Counters.
    pub metrics: Metrics,
    /// How long to wait before looking at an object again when nothing asks for sooner.
    pub resync: Duration,
    /// When a reconcile counts as slow, and when it is cut off.
    pub limits: Limits,
    /// The objects whose reconciles are failing, so that each failure is logged once.
    failures: KeyedRepeats<ObjectKey>,
    /// The `resourceVersion` of each undecodable object already warned about, so that one broken
    /// object raises one event per version rather than one per resync.
    warned: Mutex<HashMap<ObjectKey, String>>,
}

impl Runtime {
    /// The runtime of `controller`'s reconciles, using `client`.
    pub fn new(
        controller: ControllerKind,
        client: kube::Client,
        metrics: Metrics,
        resync: Duration,
        limits: Limits,
    ) -> Self {
        Self {
            controller,
            recorder: Recorder::new(client.clone(), metrics.clone()),
            client,
            tracker: Tracker::default(),
            backoff: Backoff::default(),
            metrics,
            resync,
            limits,
            failures: KeyedRepeats::default(),
            warned: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets everything kept about the deleted object `key`.
    pub fn forget(&self, key: &ObjectKey) {
        self.tracker.forget(key);
        self.backoff.reset(key);
        self.metrics.forget(self.controller, key);
        self.failures.forget(key);
        self.warned.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }

    /// Runs `work`, the reconcile of `key`, under the watchdog; counts it, logs how it ended, and ends
    /// the object's backoff series when it went through.
    pub async fn supervise<E: ReconcileFailure>(
        &self,
        key: &ObjectKey,
        work: impl Future<Output = Result<Reconciled, E>>,
    ) -> Result<Action, E> {
        let started = Instant::now();
        let result = watchdog::within_limits(work, self.limits, self.controller, key, &self.metrics)
            .await
            .unwrap_or_else(|watchdog::TimedOut(limit)| Err(E::timed_out(limit)));
        self.metrics
            .record_reconcile(self.controller, key, started.elapsed(), result.is_err());
        self.log_outcome(key, &result);
        result.map(|reconciled| match reconciled {
            Reconciled::Done(action) => {
                self.backoff.reset(key);
                action
            }
            Reconciled::Deferred(action) => action,
        })
    }

    /// When to retry `key` after `error`.
    pub fn retry_after<E: ReconcileFailure>(&self, key: &ObjectKey, error: &E) -> Action {
        match error.failure() {
            // Nothing to retry until the object changes; the resync still looks at it now and then.
            Failure::Undecodable => Action::requeue(self.resync),
            Failure::Conflict => Action::requeue(self.backoff.conflict(key)),
            Failure::Other => Action::requeue(self.backoff.failure(key)),
        }
    }

    /// Decodes the cached `object` (of key `key`). One that does not decode is logged and gets a
    /// Warning event, once per version.
    pub async fn decode<T: DeserializeOwned, E: ReconcileFailure>(
        &self,
        object: &DynamicObject,
        key: &ObjectKey,
    ) -> Result<T, E> {
        match decode_cached(object) {
            Ok(decoded) => {
                self.decodes_again(key);
                Ok(decoded)
            }
            Err(message) => {
                self.warn_undecodable(object, key, &message).await;
                Err(E::undecodable(self.controller.object_kind(), message))
            }
        }
    }

    /// Logs a failing object when it starts failing, when the failure changes and now and then while
    /// it goes on, and once when it reconciles again; every retry in between only at the debug level.
    fn log_outcome<E: ReconcileFailure>(&self, key: &ObjectKey, result: &Result<Reconciled, E>) {
        let now = Instant::now();
        let controller = self.controller;
        let prefix = controller.log_prefix();
        match result {
            Ok(Reconciled::Done(_)) => {
                if let Some(failing_for) = self.failures.succeeded(key, now) {
                    let kind = controller.object_kind();
                    log_object!(info, controller, key, ?failing_for, "the {kind} reconciles again");
                }
            }
            Ok(Reconciled::Deferred(_)) => {}
            Err(error) => match error.failure() {
                // Already reported, once per version, when it was found.
                Failure::Undecodable => {}
                // Retried at once from fresh caches: part of normal operation.
                Failure::Conflict => log_object!(debug, controller, key, %error, "{prefix}reconcile failed"),
                Failure::Other => match self.failures.failed(key, &error.to_string(), now) {
                    Report::New => log_object!(warn, controller, key, %error, "{prefix}reconcile failed"),
                    Report::Again { left_out } => {
                        log_object!(warn, controller, key, %error, left_out, "{prefix}reconcile still failing");
                    }
                    Report::Quiet => log_object!(debug, controller, key, %error, "{prefix}reconcile failed again"),
                },
            },
        }
    }

    /// Logs and (once per version) records a Warning event on an object that cannot be decoded.
    async fn warn_undecodable(&self, object: &DynamicObject, key: &ObjectKey, message: &str) {
        let version = object.metadata.resource_version.clone().unwrap_or_default();
        if !self.first_warning(key, &version) {
            return;
        }
        let kind = self.controller.object_kind();
        let article = self.controller.article();
        log_object!(warn, self.controller, key, error = %message, "skipping {article} {kind} that cannot be decoded");
        let event = rollouts_core::plan::Event::warning(
            "InvalidSpec",
            format!("The {kind} \"{}\" is invalid: cannot be decoded: {message}", key.name),
        );
        self.recorder
            .record(&events::reference(kind, &object.metadata), &event)
            .await;
    }

    /// Whether to warn about this version of an undecodable object (once per version).
    fn first_warning(&self, key: &ObjectKey, resource_version: &str) -> bool {
        let mut warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
        if warned.get(key).is_some_and(|rv| rv == resource_version) {
            return false;
        }
        warned.insert(key.clone(), resource_version.to_string());
        true
    }

    /// The object decodes (again): a later breakage is warned about anew.
    fn decodes_again(&self, key: &ObjectKey) {
        self.warned.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> Runtime {
        let client = kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
        let limits = Limits {
            slow: Duration::from_secs(10),
            limit: Duration::from_secs(120),
        };
        Runtime::new(
            ControllerKind::Rollout,
            client,
            Metrics::new(),
            Duration::from_secs(900),
            limits,
        )
    }

    #[tokio::test]
    async fn an_undecodable_object_is_warned_about_once_per_version() {
        let runtime = runtime();
        let key = ObjectKey::new("default", "bad");
        assert!(runtime.first_warning(&key, "10"));
        assert!(!runtime.first_warning(&key, "10"));
        assert!(runtime.first_warning(&key, "11"), "a new version is warned about again");
        runtime.decodes_again(&key);
        assert!(runtime.first_warning(&key, "11"), "fixed, then broken again");
        runtime.forget(&key);
        assert!(runtime.warned.lock().unwrap().is_empty());
    }
}
