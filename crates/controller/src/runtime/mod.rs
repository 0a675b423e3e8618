//! What every controller of this crate runs on: the keys objects are known by, the API conventions
//! (field manager, status checks), the guard against stale caches, retry backoff, event recording,
//! decoding of raw cached objects, shutdown of the watch queues, cache readiness, once-per-state
//! logging, the reconcile watchdog, request counting and throttling, the metrics with their HTTP
//! endpoint and the health endpoint, the instance-id selector, and leader election on a Lease.
//!
//! Nothing here knows a particular controller: the Rollout controller (`rollout/`) and the
//! AnalysisRun controller (`analysis/`) are built on it, side by side.

pub(crate) mod api;
pub(crate) mod api_requests;
pub(crate) mod applier;
pub(crate) mod backoff;
pub(crate) mod change_log;
pub(crate) mod changes;
pub(crate) mod decode;
pub(crate) mod events;
pub(crate) mod health;
pub(crate) mod instance;
pub(crate) mod key;
pub(crate) mod kind;
pub(crate) mod leader;
pub(crate) mod metrics;
pub(crate) mod object_error;
pub(crate) mod queue;
pub(crate) mod readiness;
pub(crate) mod reconcile;
pub(crate) mod repeats;
pub(crate) mod server;
pub(crate) mod shutdown;
pub(crate) mod staleness;
pub(crate) mod throttle;
pub(crate) mod watchdog;
pub(crate) mod watching;

pub(crate) use key::ObjectKey;
