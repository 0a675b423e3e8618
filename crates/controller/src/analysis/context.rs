//! What every reconcile of an AnalysisRun shares.

use std::time::Duration;

use kube::core::ApiResource;

use super::registry::Providers;
use crate::runtime::ObjectKey;
use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::reconcile::Runtime;
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
    /// The client, the event recorder, the write tracker, the backoff, the counters and the limits.
    pub runtime: Runtime,
    /// `argoproj.io/v1alpha1` AnalysisRuns, for the dynamic API.
    pub run_resource: ApiResource,
    /// The metric providers.
    pub providers: Providers,
}

impl Context {
    /// A context for the AnalysisRun controller.
    pub fn new(client: kube::Client, providers: Providers, metrics: Metrics, resync: Duration) -> Self {
        Self {
            runtime: Runtime::new(ControllerKind::AnalysisRun, client, metrics, resync, LIMITS),
            run_resource: ApiResource::erase::<rollouts_api::AnalysisRun>(&()),
            providers,
        }
    }
}
