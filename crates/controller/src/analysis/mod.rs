//! AnalysisRuns at run time: the metric providers that take measurements, and the AnalysisRun
//! controller that drives each run (upstream `analysis/`).
//!
//! The controller (`controller`) is fed by the AnalysisRun watch the Rollout controller already runs
//! (every change is forwarded through a channel) and by a watch of the Jobs the job provider creates.
//! One reconcile (`reconcile`) decodes the cached run, reads the Secrets its arguments refer to
//! (`secrets`), lets the pure reconcile of `rollouts_core::analysis::run` decide which measurements
//! are due, takes them through the providers (`registry` picks one per metric) in parallel, and
//! writes the outcome (`write`): a merge patch of the status when it changed, the events, the
//! providers' garbage collection, the deletion of runs whose TTL expired, and the next look.

pub(crate) mod context;
pub(crate) mod controller;
pub(crate) mod error;
pub(crate) mod jobs;
pub mod providers;
pub(crate) mod reconcile;
pub(crate) mod registry;
pub(crate) mod secrets;
pub(crate) mod write;
