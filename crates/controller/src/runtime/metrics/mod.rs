//! What the controller counts and exposes at `/metrics`, under upstream's names, help texts and
//! labels so that upstream's dashboards and alerts work unchanged:
//!
//! - per object, `rollout_reconcile`, `analysis_run_reconcile` and `experiment_reconcile` (reconcile
//!   durations, histograms with upstream's buckets) and `*_reconcile_error` (failed reconciles), removed
//!   [`CLEANUP_DELAY`] after the object is deleted as upstream removes them;
//! - `rollout_events_total`, the events recorded on each Rollout by type and reason;
//! - `controller_clientset_k8s_request_total`, every API request by upstream's labels
//!   ([`k8s_requests`]);
//! - at each scrape, from the controllers' watch caches, the object series of [`objects`]
//!   (`rollout_info`, `analysis_run_info`, `experiment_info`, ...);
//! - `argo_rollouts_controller_info` and the process metrics of [`process`].
//!
//! Beside them, the project's own series: `rollout_controller_api_requests_total` (requests by RBAC
//! verb and resource, the vocabulary of the install manifests' roles, which upstream's labels do not
//! give) and the slow-reconcile counters of the watchdog. Everything is readable in-process through
//! [`Metrics`] and encoded with prometheus-client in the Prometheus text format.

pub(crate) mod family;
pub(crate) mod k8s_requests;
pub(crate) mod objects;
pub(crate) mod process;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use prometheus_client::metrics::histogram::Histogram;

use self::family::{Family, Kind, Value, labels};
use self::k8s_requests::RequestLabels;
pub use self::objects::ObjectCaches;
use crate::runtime::ObjectKey;
use crate::runtime::kind::ControllerKind;

/// How long the series of a deleted object stay, so that a scrape sees their last values
/// (upstream's default; Prometheus scrapes every minute by default).
pub const CLEANUP_DELAY: Duration = Duration::from_secs(65);

/// Upstream's reconcile duration buckets, in seconds.
const RECONCILE_BUCKETS: [f64; 5] = [0.01, 0.15, 0.25, 0.5, 1.0];

/// The version `argo_rollouts_controller_info` reports.
const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// A cheap, cloneable handle on the controller's metrics.
#[derive(Clone, Default, Debug)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Default, Debug)]
struct Inner {
    /// Keyed by (verb, resource), e.g. ("patch", "rollouts/status").
    api: RwLock<BTreeMap<(String, String), AtomicU64>>,
    /// By upstream's labels.
    requests: RwLock<BTreeMap<RequestLabels, AtomicU64>>,
    /// Per controller ([`ControllerKind`] as index), per object.
    objects: [RwLock<HashMap<ObjectKey, ObjectSeries>>; ControllerKind::ALL.len()],
    /// Reconciles of all Rollouts (AnalysisRuns are not counted here).
    reconcile_total: AtomicU64,
    reconcile_errors: AtomicU64,
    /// Events recorded on Rollouts, by (name, namespace, reason, type): the label order.
    events: Mutex<BTreeMap<[String; 4], u64>>,
    /// When each deleted object was deleted, until its series are removed.
    deleted: Mutex<HashMap<(ControllerKind, ObjectKey), Instant>>,
    /// Slow reconciles, by controller ([`ControllerKind`] as index).
    slow: [SlowCounts; ControllerKind::ALL.len()],
    /// What the object series are computed from, once the controllers run.
    caches: RwLock<Option<ObjectCaches>>,
    endpoint: Mutex<Option<SocketAddr>>,
}

#[derive(Default, Debug)]
struct SlowCounts {
    /// Reconciles that passed the slow threshold.
    total: AtomicU64,
    /// Of those, the ones still running.
    running: AtomicU64,
    /// Of those, the ones cut off at the time limit.
    timed_out: AtomicU64,
}

/// Counts a slow reconcile as running until dropped.
pub(crate) struct RunningSlow {
    metrics: Metrics,
    controller: ControllerKind,
}

impl Drop for RunningSlow {
    fn drop(&mut self) {
        self.metrics.inner.slow[self.controller.index()]
            .running
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// The reconciles of one object.
#[derive(Debug)]
struct ObjectSeries {
    total: AtomicU64,
    errors: AtomicU64,
    durations: Histogram,
}

impl Default for ObjectSeries {
    fn default() -> Self {
        Self {
            total: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            durations: Histogram::new(RECONCILE_BUCKETS),
        }
    }
}

impl ObjectSeries {
    fn record(&self, elapsed: Duration, failed: bool) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.durations.observe(elapsed.as_secs_f64());
    }
}

/// Adds one to the counter of `key` in `map`; the write lock is taken only the first time a key is seen.
fn count_in<K: Ord + Clone>(map: &RwLock<BTreeMap<K, AtomicU64>>, key: &K) {
    if let Some(counter) = map.read().unwrap_or_else(PoisonError::into_inner).get(key) {
        counter.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mut map = map.write().unwrap_or_else(PoisonError::into_inner);
    map.entry(key.clone()).or_default().fetch_add(1, Ordering::Relaxed);
}

/// The per-object families of a controller: its reconcile histogram and error counter.
fn reconcile_families(controller: ControllerKind) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
    match controller {
        ControllerKind::Rollout => Some((
            "rollout_reconcile",
            "Rollout reconciliation performance.",
            "rollout_reconcile_error",
            "Error occurring during the rollout",
        )),
        ControllerKind::AnalysisRun => Some((
            "analysis_run_reconcile",
            "Analysis Run reconciliation performance.",
            "analysis_run_reconcile_error",
            "Error occurring during the analysis run",
        )),
        ControllerKind::Experiment => Some((
            "experiment_reconcile",
            "Experiments reconciliation performance.",
            "experiment_reconcile_error",
            "Error occurring during the experiment",
        )),
        ControllerKind::Service => None,
    }
}

impl Metrics {
    /// Fresh metrics, all zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one API request by RBAC verb and resource (before it is sent).
    pub(crate) fn record_api_request(&self, verb: &str, resource: &str) {
        count_in(&self.inner.api, &(verb.to_string(), resource.to_string()));
    }

    /// Counts one API request by upstream's labels (once answered).
    pub(crate) fn record_k8s_request(&self, labels: &RequestLabels) {
        count_in(&self.inner.requests, labels);
    }

    /// Counts one reconcile of `key` by `controller`, which took `elapsed`, failed or not.
    pub(crate) fn record_reconcile(
        &self,
        controller: ControllerKind,
        key: &ObjectKey,
        elapsed: Duration,
        failed: bool,
    ) {
        if controller == ControllerKind::Rollout {
            self.inner.reconcile_total.fetch_add(1, Ordering::Relaxed);
            if failed {
                self.inner.reconcile_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        let series = &self.inner.objects[controller.index()];
        if let Some(object) = series.read().unwrap_or_else(PoisonError::into_inner).get(key) {
            object.record(elapsed, failed);
            return;
        }
        let mut series = series.write().unwrap_or_else(PoisonError::into_inner);
        series.entry(key.clone()).or_default().record(elapsed, failed);
    }

    /// Counts an event of `type_` (`Normal`, `Warning`) and `reason` recorded on the Rollout
    /// `namespace/name`.
    pub(crate) fn record_rollout_event(&self, namespace: &str, name: &str, type_: &str, reason: &str) {
        let key = [
            name.to_string(),
            namespace.to_string(),
            reason.to_string(),
            type_.to_string(),
        ];
        *self
            .inner
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default() += 1;
    }

    /// The object `key` of `controller` was deleted: its series go [`CLEANUP_DELAY`] from now.
    pub(crate) fn forget(&self, controller: ControllerKind, key: &ObjectKey) {
        self.forget_at(controller, key, Instant::now());
    }

    fn forget_at(&self, controller: ControllerKind, key: &ObjectKey, now: Instant) {
        self.inner
            .deleted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((controller, key.clone()), now);
        self.sweep(now);
    }

    /// Removes the series of the objects deleted [`CLEANUP_DELAY`] or longer before `now`.
    fn sweep(&self, now: Instant) {
        let expired: Vec<(ControllerKind, ObjectKey)> = {
            let mut deleted = self.inner.deleted.lock().unwrap_or_else(PoisonError::into_inner);
            let expired = deleted
                .iter()
                .filter(|(_, at)| now.saturating_duration_since(**at) >= CLEANUP_DELAY)
                .map(|(key, _)| key.clone())
                .collect::<Vec<_>>();
            for key in &expired {
                deleted.remove(key);
            }
            expired
        };
        for (controller, key) in expired {
            self.inner.objects[controller.index()]
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&key);
            if controller == ControllerKind::Rollout {
                self.inner
                    .events
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .retain(|[name, namespace, ..], _| !(*name == key.name && *namespace == key.namespace));
            }
        }
    }

    /// Computes the object series (`rollout_info`, ...) from `caches` at each scrape from now on.
    pub(crate) fn watch_objects(&self, caches: ObjectCaches) {
        *self.inner.caches.write().unwrap_or_else(PoisonError::into_inner) = Some(caches);
    }

    /// Counts a reconcile of `controller` that passed the slow threshold; it counts as running until
    /// the returned guard is dropped.
    pub(crate) fn slow_reconcile_started(&self, controller: ControllerKind) -> RunningSlow {
        let counts = &self.inner.slow[controller.index()];
        counts.total.fetch_add(1, Ordering::Relaxed);
        counts.running.fetch_add(1, Ordering::Relaxed);
        RunningSlow {
            metrics: self.clone(),
            controller,
        }
    }

    /// Counts a slow reconcile of `controller` cut off at the time limit.
    pub(crate) fn slow_reconcile_timed_out(&self, controller: ControllerKind) {
        self.inner.slow[controller.index()]
            .timed_out
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Slow reconciles of `controller`: so far, running now, cut off so far.
    pub fn slow_reconciles(&self, controller: ControllerKind) -> (u64, u64, u64) {
        let counts = &self.inner.slow[controller.index()];
        (
            counts.total.load(Ordering::Relaxed),
            counts.running.load(Ordering::Relaxed),
            counts.timed_out.load(Ordering::Relaxed),
        )
    }

    /// Reconciles run so far of the AnalysisRun `namespace/name`.
    pub fn analysis_run_reconciles_of(&self, namespace: &str, name: &str) -> u64 {
        self.per_object(ControllerKind::AnalysisRun, namespace, name, |c| &c.total)
    }

    /// Reconciles run so far of the Experiment `namespace/name`.
    pub fn experiment_reconciles_of(&self, namespace: &str, name: &str) -> u64 {
        self.per_object(ControllerKind::Experiment, namespace, name, |c| &c.total)
    }

    /// Failed reconciles so far of the Experiment `namespace/name`.
    pub fn experiment_reconcile_errors_of(&self, namespace: &str, name: &str) -> u64 {
        self.per_object(ControllerKind::Experiment, namespace, name, |c| &c.errors)
    }

    /// Reconciles run so far of the Service `namespace/name` by the Service controller.
    pub fn service_reconciles_of(&self, namespace: &str, name: &str) -> u64 {
        self.per_object(ControllerKind::Service, namespace, name, |c| &c.total)
    }

    pub(crate) fn set_endpoint(&self, addr: SocketAddr) {
        *self.inner.endpoint.lock().unwrap_or_else(PoisonError::into_inner) = Some(addr);
    }

    /// Where `/metrics` and `/healthz` are served, once the server listens (useful with port 0).
    pub fn endpoint(&self) -> Option<SocketAddr> {
        *self.inner.endpoint.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// API requests made so far with `verb` (`get`, `list`, `watch`, `create`, `update`, `patch`,
    /// `delete`) on `resource` (the plural, with the subresource if any: `rollouts/status`).
    pub fn api_requests(&self, verb: &str, resource: &str) -> u64 {
        self.inner
            .api
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(verb.to_string(), resource.to_string()))
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Every API request count, keyed `"<verb> <resource>"` (e.g. `"create replicasets"`).
    pub fn api_request_counts(&self) -> BTreeMap<String, u64> {
        self.inner
            .api
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|((verb, resource), c)| (format!("{verb} {resource}"), c.load(Ordering::Relaxed)))
            .collect()
    }

    /// Reconciles run so far, of all Rollouts.
    pub fn reconciles(&self) -> u64 {
        self.inner.reconcile_total.load(Ordering::Relaxed)
    }

    /// Reconciles that failed so far, of all Rollouts.
    pub fn reconcile_errors(&self) -> u64 {
        self.inner.reconcile_errors.load(Ordering::Relaxed)
    }

    /// Reconciles run so far of the Rollout `namespace/name`.
    pub fn reconciles_of(&self, namespace: &str, name: &str) -> u64 {
        self.per_object(ControllerKind::Rollout, namespace, name, |c| &c.total)
    }

    /// Failed reconciles so far of the Rollout `namespace/name`.
    pub fn reconcile_errors_of(&self, namespace: &str, name: &str) -> u64 {
        self.per_object(ControllerKind::Rollout, namespace, name, |c| &c.errors)
    }

    fn per_object(
        &self,
        controller: ControllerKind,
        namespace: &str,
        name: &str,
        counter: impl Fn(&ObjectSeries) -> &AtomicU64,
    ) -> u64 {
        self.inner.objects[controller.index()]
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&ObjectKey::new(namespace, name))
            .map_or(0, |c| counter(c).load(Ordering::Relaxed))
    }

    /// Everything, in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.render_at(Instant::now())
    }

    fn render_at(&self, now: Instant) -> String {
        self.sweep(now);
        let mut families = self.stored_families();
        let caches = self.inner.caches.read().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(caches) = caches {
            families.extend(caches.families());
        }
        families.extend(process::families());
        family::render(families)
    }

    /// The families of what was recorded.
    fn stored_families(&self) -> Vec<Family> {
        let mut families = Vec::new();
        let mut info = Family::new(
            "argo_rollouts_controller_info",
            "Running Argo-rollouts version",
            Kind::Gauge,
        );
        info.push(labels([("version", VERSION)]), Value::Int(1));
        families.push(info);
        for controller in ControllerKind::ALL {
            let Some((name, help, error_name, error_help)) = reconcile_families(controller) else {
                continue;
            };
            let mut durations = Family::new(name, help, Kind::Histogram);
            let mut errors = Family::new(error_name, error_help, Kind::UnsuffixedCounter);
            for (key, series) in self.inner.objects[controller.index()]
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
            {
                let object = || labels([("namespace", &key.namespace), ("name", &key.name)]);
                durations.push(object(), Value::Histogram(series.durations.clone()));
                // As upstream's counter vector, a series appears with the first error.
                let failed = series.errors.load(Ordering::Relaxed);
                if failed > 0 {
                    errors.push(object(), Value::Count(failed));
                }
            }
            families.push(durations);
            families.push(errors);
        }
        let mut events = Family::new("rollout_events", "Count of rollout events", Kind::Counter);
        for ([name, namespace, reason, type_], count) in
            self.inner.events.lock().unwrap_or_else(PoisonError::into_inner).iter()
        {
            events.push(
                labels([
                    ("namespace", namespace),
                    ("name", name),
                    ("type", type_),
                    ("reason", reason),
                ]),
                Value::Count(*count),
            );
        }
        families.push(events);
        let mut requests = Family::new(
            "controller_clientset_k8s_request",
            "Number of kubernetes requests executed during application reconciliation.",
            Kind::Counter,
        );
        for (request, count) in self
            .inner
            .requests
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            requests.push(request.pairs(), Value::Count(count.load(Ordering::Relaxed)));
        }
        families.push(requests);
        let mut api = Family::new(
            "rollout_controller_api_requests",
            "API requests made by the controller, by verb and resource.",
            Kind::Counter,
        );
        for ((verb, resource), count) in self.inner.api.read().unwrap_or_else(PoisonError::into_inner).iter() {
            api.push(
                labels([("verb", verb), ("resource", resource)]),
                Value::Count(count.load(Ordering::Relaxed)),
            );
        }
        families.push(api);
        families.extend(self.slow_families());
        families
    }

    /// The watchdog's counters, every controller always present.
    fn slow_families(&self) -> [Family; 3] {
        let mut total = Family::new(
            "controller_reconcile_slow",
            "Reconciles that ran longer than the slow threshold, by controller.",
            Kind::Counter,
        );
        let mut running = Family::new(
            "controller_reconcile_slow_running",
            "Reconciles running longer than the slow threshold now, by controller.",
            Kind::Gauge,
        );
        let mut timed_out = Family::new(
            "controller_reconcile_timeout",
            "Reconciles cut off at the time limit, by controller.",
            Kind::Counter,
        );
        for controller in ControllerKind::ALL {
            let counts = &self.inner.slow[controller.index()];
            let label = || labels([("controller", controller.label())]);
            total.push(label(), Value::Count(counts.total.load(Ordering::Relaxed)));
            running.push(label(), Value::Count(counts.running.load(Ordering::Relaxed)));
            timed_out.push(label(), Value::Count(counts.timed_out.load(Ordering::Relaxed)));
        }
        [total, running, timed_out]
    }
}

#[cfg(test)]
mod tests;
