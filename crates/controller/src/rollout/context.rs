//! What every reconcile of a Rollout shares.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rollouts_core::traffic::{ObjectRef, RoutingSettings};

use kube::core::ApiResource;

use super::caches::{Readiness, Stores};
use super::routing_watch::RoutingWatches;
use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::reconcile::Runtime;
use crate::runtime::watchdog::Limits;

/// A Rollout reconcile is a few reads from the caches and a few writes: seconds are already a sign of
/// trouble, and two minutes (every API request inside has its own timeout) means it is stuck.
pub const DEFAULT_LIMITS: Limits = Limits {
    slow: Duration::from_secs(10),
    limit: Duration::from_secs(120),
};

/// What every reconcile of a Rollout shares.
pub struct Context {
    /// The client, the event recorder, the write tracker, the backoff, the counters and the limits.
    pub runtime: Runtime,
    /// The watch caches.
    pub stores: Stores,
    /// `argoproj.io/v1alpha1` Rollouts, for the dynamic API.
    pub rollout_resource: ApiResource,
    /// Whether the caches the reconcile reads have been listed once.
    pub readiness: Readiness,
    /// The watches of routing objects and which Rollouts read them.
    pub routing: RoutingWatches,
    /// The routers' API versions as configured (`None`: discovered, see [`super::routing::settings`]).
    pub routing_flags: RoutingSettings,
    /// API group → the version the cluster prefers, once discovered.
    pub discovered_versions: Mutex<HashMap<String, String>>,
    /// Routing objects whose delayed delete is scheduled and not done yet, so that the reconciles
    /// meanwhile, which plan it again, do not schedule another.
    pub pending_deletes: Arc<Mutex<HashSet<ObjectRef>>>,
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
        // Replaced by the controller's own, whose requests it queues; this one's go nowhere.
        let (routing, _) = RoutingWatches::new(client.clone(), None, rollout_resource.clone());
        Self {
            routing,
            routing_flags: RoutingSettings::default(),
            discovered_versions: Mutex::default(),
            pending_deletes: Arc::default(),
            runtime: Runtime::new(ControllerKind::Rollout, client, metrics, resync, DEFAULT_LIMITS),
            readiness: stores.readiness.clone(),
            stores,
            rollout_resource,
        }
    }
}
