//! What every reconcile of a Service shares.

use std::time::Duration;

use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::reconcile::Runtime;
use crate::runtime::watchdog::Limits;

/// A reconcile is one read and at most one patch.
pub const LIMITS: Limits = Limits {
    slow: Duration::from_secs(10),
    limit: Duration::from_secs(120),
};

/// What every reconcile of a Service shares.
pub struct Context {
    /// The client, the event recorder, the backoff, the counters and the limits.
    pub runtime: Runtime,
}

impl Context {
    /// A context for the Service controller.
    pub fn new(client: kube::Client, metrics: Metrics, resync: Duration) -> Self {
        Self {
            runtime: Runtime::new(ControllerKind::Service, client, metrics, resync, LIMITS),
        }
    }
}
