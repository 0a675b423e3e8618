//! What the controller counts: every API request it makes (by verb and resource) and every reconcile
//! (by Rollout, and by AnalysisRun), readable in-process through [`Metrics`] and served in the
//! Prometheus text format.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::runtime::ObjectKey;
use crate::runtime::kind::ControllerKind;

/// A cheap, cloneable handle on the controller's counters.
#[derive(Clone, Default, Debug)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Default, Debug)]
struct Inner {
    /// Keyed by (verb, resource), e.g. ("patch", "rollouts/status").
    api: RwLock<BTreeMap<(String, String), AtomicU64>>,
    /// Reconciles by controller ([`ControllerKind`] as index), then by object.
    reconciles: [RwLock<HashMap<ObjectKey, ReconcileCounts>>; ControllerKind::ALL.len()],
    /// Reconciles of all Rollouts (AnalysisRuns are not counted here).
    reconcile_total: AtomicU64,
    reconcile_errors: AtomicU64,
    /// Slow reconciles, by controller ([`ControllerKind`] as index).
    slow: [SlowCounts; ControllerKind::ALL.len()],
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

#[derive(Default, Debug)]
struct ReconcileCounts {
    total: AtomicU64,
    errors: AtomicU64,
}

/// Counts one reconcile of `key` in `series`; the write lock is taken only the first time a key is seen.
fn record_in(series: &RwLock<HashMap<ObjectKey, ReconcileCounts>>, key: &ObjectKey, failed: bool) {
    let count = |counts: &ReconcileCounts| {
        counts.total.fetch_add(1, Ordering::Relaxed);
        if failed {
            counts.errors.fetch_add(1, Ordering::Relaxed);
        }
    };
    if let Some(counts) = series.read().unwrap_or_else(PoisonError::into_inner).get(key) {
        count(counts);
        return;
    }
    let mut series = series.write().unwrap_or_else(PoisonError::into_inner);
    count(series.entry(key.clone()).or_default());
}

impl Metrics {
    /// Fresh counters, all zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one API request.
    pub(crate) fn record_api_request(&self, verb: &str, resource: &str) {
        let key = (verb.to_string(), resource.to_string());
        // The write lock is taken only the first time a key is seen.
        if let Some(counter) = self.inner.api.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
            counter.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut api = self.inner.api.write().unwrap_or_else(PoisonError::into_inner);
        api.entry(key).or_default().fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one reconcile of `key` by `controller`, failed or not.
    pub(crate) fn record_reconcile(&self, controller: ControllerKind, key: &ObjectKey, failed: bool) {
        if controller == ControllerKind::Rollout {
            self.inner.reconcile_total.fetch_add(1, Ordering::Relaxed);
            if failed {
                self.inner.reconcile_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        record_in(&self.inner.reconciles[controller.index()], key, failed);
    }

    /// Drops the series of the object `key` of `controller`, deleted.
    pub(crate) fn forget(&self, controller: ControllerKind, key: &ObjectKey) {
        self.inner.reconciles[controller.index()]
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
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
        counter: impl Fn(&ReconcileCounts) -> &AtomicU64,
    ) -> u64 {
        self.inner.reconciles[controller.index()]
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&ObjectKey::new(namespace, name))
            .map_or(0, |c| counter(c).load(Ordering::Relaxed))
    }

    /// The counters in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP rollout_controller_api_requests_total API requests made by the controller, by verb and resource.\n",
        );
        out.push_str("# TYPE rollout_controller_api_requests_total counter\n");
        for ((verb, resource), count) in self.inner.api.read().unwrap_or_else(PoisonError::into_inner).iter() {
            let _ = writeln!(
                out,
                "rollout_controller_api_requests_total{{verb=\"{}\",resource=\"{}\"}} {}",
                escape(verb),
                escape(resource),
                count.load(Ordering::Relaxed)
            );
        }
        let reconciles = self.inner.reconciles[ControllerKind::Rollout.index()]
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let families: [(&str, &str, CounterOf); 2] = [
            ("rollout_reconcile_total", "Reconciles of a Rollout.", |c| &c.total),
            (
                "rollout_reconcile_error_total",
                "Failed reconciles of a Rollout.",
                |c| &c.errors,
            ),
        ];
        render_families(&mut out, &reconciles, &families);
        let runs = self.inner.reconciles[ControllerKind::AnalysisRun.index()]
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let run_families: [(&str, &str, CounterOf); 2] = [
            ("analysis_run_reconcile_total", "Reconciles of an AnalysisRun.", |c| {
                &c.total
            }),
            (
                "analysis_run_reconcile_error_total",
                "Failed reconciles of an AnalysisRun.",
                |c| &c.errors,
            ),
        ];
        render_families(&mut out, &runs, &run_families);
        let slow: [(&str, &str, &str, SlowOf); 3] = [
            (
                "controller_reconcile_slow_total",
                "counter",
                "Reconciles that ran longer than the slow threshold, by controller.",
                |c| &c.total,
            ),
            (
                "controller_reconcile_slow_running",
                "gauge",
                "Reconciles running longer than the slow threshold now, by controller.",
                |c| &c.running,
            ),
            (
                "controller_reconcile_timeout_total",
                "counter",
                "Reconciles cut off at the time limit, by controller.",
                |c| &c.timed_out,
            ),
        ];
        for (name, kind, help, counter) in slow {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for controller in ControllerKind::ALL {
                let value = counter(&self.inner.slow[controller.index()]).load(Ordering::Relaxed);
                let _ = writeln!(out, "{name}{{controller=\"{}\"}} {value}", controller.label());
            }
        }
        out
    }
}

/// Picks one of a controller's slow-reconcile counters.
type SlowOf = fn(&SlowCounts) -> &AtomicU64;

/// Picks one of an object's counters.
type CounterOf = fn(&ReconcileCounts) -> &AtomicU64;

/// Writes counter families with one series per object (namespace and name), sorted.
fn render_families(
    out: &mut String,
    counts: &HashMap<ObjectKey, ReconcileCounts>,
    families: &[(&str, &str, CounterOf)],
) {
    let mut keys: Vec<&ObjectKey> = counts.keys().collect();
    keys.sort();
    for (name, help, counter) in families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        for key in &keys {
            if let Some(c) = counts.get(*key) {
                let _ = writeln!(
                    out,
                    "{name}{{namespace=\"{}\",name=\"{}\"}} {}",
                    escape(&key.namespace),
                    escape(&key.name),
                    counter(c).load(Ordering::Relaxed)
                );
            }
        }
    }
}

/// Escapes a label value as the text format requires.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_kept_per_verb_and_resource() {
        let metrics = Metrics::new();
        metrics.record_api_request("create", "replicasets");
        metrics.record_api_request("create", "replicasets");
        metrics.record_api_request("patch", "rollouts/status");
        assert_eq!(metrics.api_requests("create", "replicasets"), 2);
        assert_eq!(metrics.api_requests("patch", "rollouts/status"), 1);
        assert_eq!(metrics.api_requests("delete", "replicasets"), 0);
        let counts = metrics.api_request_counts();
        assert_eq!(counts.get("create replicasets"), Some(&2));
        assert_eq!(counts.len(), 2);
    }

    #[test]
    fn reconciles_are_counted_per_rollout_and_forgotten_on_deletion() {
        let metrics = Metrics::new();
        let a = ObjectKey::new("default", "a");
        metrics.record_reconcile(ControllerKind::Rollout, &a, false);
        metrics.record_reconcile(ControllerKind::Rollout, &a, true);
        metrics.record_reconcile(ControllerKind::Rollout, &ObjectKey::new("other", "a"), false);
        assert_eq!((metrics.reconciles(), metrics.reconcile_errors()), (3, 1));
        assert_eq!(
            (
                metrics.reconciles_of("default", "a"),
                metrics.reconcile_errors_of("default", "a")
            ),
            (2, 1)
        );
        metrics.forget(ControllerKind::Rollout, &a);
        assert_eq!(metrics.reconciles_of("default", "a"), 0);
        assert_eq!(metrics.reconciles(), 3, "the totals only grow");
    }

    #[test]
    fn the_text_format_is_prometheus_exposition() {
        let metrics = Metrics::new();
        metrics.record_api_request("watch", "replicasets");
        metrics.record_api_request("list", "replicasets");
        metrics.record_reconcile(ControllerKind::Rollout, &ObjectKey::new("ns", "b"), true);
        metrics.record_reconcile(ControllerKind::Rollout, &ObjectKey::new("ns", "a\"x"), false);
        metrics.record_reconcile(ControllerKind::AnalysisRun, &ObjectKey::new("ns", "run"), false);
        let text = metrics.render();
        let expected = "\
# HELP rollout_controller_api_requests_total API requests made by the controller, by verb and resource.
# TYPE rollout_controller_api_requests_total counter
rollout_controller_api_requests_total{verb=\"list\",resource=\"replicasets\"} 1
rollout_controller_api_requests_total{verb=\"watch\",resource=\"replicasets\"} 1
# HELP rollout_reconcile_total Reconciles of a Rollout.
# TYPE rollout_reconcile_total counter
rollout_reconcile_total{namespace=\"ns\",name=\"a\\\"x\"} 1
rollout_reconcile_total{namespace=\"ns\",name=\"b\"} 1
# HELP rollout_reconcile_error_total Failed reconciles of a Rollout.
# TYPE rollout_reconcile_error_total counter
rollout_reconcile_error_total{namespace=\"ns\",name=\"a\\\"x\"} 0
rollout_reconcile_error_total{namespace=\"ns\",name=\"b\"} 1
# HELP analysis_run_reconcile_total Reconciles of an AnalysisRun.
# TYPE analysis_run_reconcile_total counter
analysis_run_reconcile_total{namespace=\"ns\",name=\"run\"} 1
# HELP analysis_run_reconcile_error_total Failed reconciles of an AnalysisRun.
# TYPE analysis_run_reconcile_error_total counter
analysis_run_reconcile_error_total{namespace=\"ns\",name=\"run\"} 0
# HELP controller_reconcile_slow_total Reconciles that ran longer than the slow threshold, by controller.
# TYPE controller_reconcile_slow_total counter
controller_reconcile_slow_total{controller=\"rollout\"} 0
controller_reconcile_slow_total{controller=\"analysisrun\"} 0
controller_reconcile_slow_total{controller=\"service\"} 0
controller_reconcile_slow_total{controller=\"experiment\"} 0
# HELP controller_reconcile_slow_running Reconciles running longer than the slow threshold now, by controller.
# TYPE controller_reconcile_slow_running gauge
controller_reconcile_slow_running{controller=\"rollout\"} 0
controller_reconcile_slow_running{controller=\"analysisrun\"} 0
controller_reconcile_slow_running{controller=\"service\"} 0
controller_reconcile_slow_running{controller=\"experiment\"} 0
# HELP controller_reconcile_timeout_total Reconciles cut off at the time limit, by controller.
# TYPE controller_reconcile_timeout_total counter
controller_reconcile_timeout_total{controller=\"rollout\"} 0
controller_reconcile_timeout_total{controller=\"analysisrun\"} 0
controller_reconcile_timeout_total{controller=\"service\"} 0
controller_reconcile_timeout_total{controller=\"experiment\"} 0
";
        assert_eq!(text, expected);
    }
}
