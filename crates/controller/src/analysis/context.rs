//! What every reconcile of an AnalysisRun shares.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use kube::core::ApiResource;

use super::registry::Providers;
use crate::runtime::ObjectKey;
use crate::runtime::backoff::Backoff;
use crate::runtime::events::Recorder;
use crate::runtime::metrics::Metrics;
use crate::runtime::repeats::KeyedRepeats;
use crate::runtime::staleness::Tracker;
use crate::runtime::watchdog::Limits;

/// A measurement may wait for a provider's own timeout (a web metric's `timeoutSeconds`, a slow
/// Prometheus query), so an AnalysisRun reconcile is given far longer than a Rollout's.
pub const LIMITS: Limits = Limits {
    slow: Duration::from_secs(60),
    limit: Duration::from_secs(600),
};

/// The namespace and name of an AnalysisRun.
pub type RunKey = ObjectKey;

/// What every reconcile of an AnalysisRun shares.
pub struct Context {
    /// The (counting) API client.
    pub client: kube::Client,
    /// `argoproj.io/v1alpha1` AnalysisRuns, for the dynamic API.
    pub run_resource: ApiResource,
    /// The metric providers.
    pub providers: Providers,
    /// The event recorder.
    pub recorder: Recorder,
    /// Our latest status writes, against a stale cache.
    pub tracker: Tracker,
    /// Retry delays after failures.
    pub backoff: Backoff,
    /// Counters.
    pub metrics: Metrics,
    /// How long to wait before looking at a run again when nothing asks for sooner.
    pub resync: Duration,
    /// When a reconcile counts as slow, and when it is cut off.
    pub limits: Limits,
    /// The runs whose reconciles are failing, so that each failure is logged once.
    pub failures: KeyedRepeats<RunKey>,
    /// The `resourceVersion` of each undecodable run already warned about.
    warned: Mutex<HashMap<RunKey, String>>,
}

impl Context {
    /// A context for the AnalysisRun controller.
    pub fn new(client: kube::Client, providers: Providers, metrics: Metrics, resync: Duration) -> Self {
        Self {
            recorder: Recorder::new(client.clone()),
            client,
            run_resource: ApiResource::erase::<rollouts_api::AnalysisRun>(&()),
            providers,
            tracker: Tracker::default(),
            backoff: Backoff::default(),
            metrics,
            resync,
            limits: LIMITS,
            failures: KeyedRepeats::default(),
            warned: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets everything kept about a deleted run.
    pub fn run_deleted(&self, key: &RunKey) {
        self.tracker.forget(key);
        self.backoff.reset(key);
        self.metrics.forget_analysis_run(key);
        self.failures.forget(key);
        self.warned.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }

    /// Whether to warn about this version of an undecodable run (once per version).
    pub fn first_warning(&self, key: &RunKey, resource_version: &str) -> bool {
        let mut warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
        if warned.get(key).is_some_and(|rv| rv == resource_version) {
            return false;
        }
        warned.insert(key.clone(), resource_version.to_string());
        true
    }

    /// The run decodes (again): a later breakage is warned about anew.
    pub fn decodes_again(&self, key: &RunKey) {
        self.warned.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}
