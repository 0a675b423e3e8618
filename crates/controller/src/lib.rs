//! The Rollout controller: the kube-rs runtime around the pure planner of `rollouts-core`, and beside
//! it the AnalysisRun controller ([`analysis`]) and the Service controller.
//!
//! [`run()`] watches Rollouts, their ReplicaSets, the Services they reference and the Deployments their
//! `workloadRef`s point to, and reconciles each Rollout whenever one of them changes (and at least
//! every [`ControllerConfig::resync`]): it loads a snapshot from the watch caches, asks
//! [`rollouts_core::plan::plan`] what to do, performs the plan's writes in order and records its
//! events. In the same process, with the same client and shutdown, the AnalysisRun controller takes
//! the measurements of every AnalysisRun and records their results, and the Service controller gives
//! back the Services a Rollout no longer uses (their hash selector and managed-by annotation
//! removed). Every API request is counted in
//! [`Metrics`], which can be served in the Prometheus text format together with a health endpoint.
//!
//! The Experiment controller runs each Experiment's templates and analyses.
//!
//! Each controller is a folder of its own (`rollout/`, `analysis/`, `experiment/`, `service/`) over one shared runtime
//! (`runtime/`: keys, staleness, backoff, events, decoding, readiness, the reconcile watchdog and
//! logging, the applier, metrics, throttling, leader election); the controllers do not import each
//! other, and the runtime imports neither. `run.rs` wires them together, and runs them only while it
//! holds the leader lease when [`ControllerConfig::leader_election`] is set.

pub mod analysis;
mod error;
mod experiment;
mod ingress;
mod rollout;
mod run;
mod runtime;
mod service;

pub use error::ControllerError;
pub use rollout::ReconcileError;
pub use run::{ControllerConfig, run};
pub use runtime::api_requests::classify as classify_request;
pub use runtime::instance::selector as instance_selector;
pub use runtime::kind::ControllerKind;
pub use runtime::leader::{LEASE_NAME, Settings as LeaderElection, SettingsError as LeaderElectionError, lease_name};
pub use runtime::metrics::Metrics;
pub use runtime::throttle::RateLimit;
