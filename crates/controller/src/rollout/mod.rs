//! The Rollout controller (upstream `rollout/`): the kube-rs runtime around the pure planner of
//! `rollouts-core`.
//!
//! [`controller::run`] watches Rollouts, their ReplicaSets, the Services they reference, the
//! Deployments their `workloadRef`s point to, AnalysisRuns and (cluster) AnalysisTemplates
//! ([`watch`], into [`caches`]), and reconciles each Rollout whenever one of them changes (and at
//! least every resync). One reconcile ([`reconcile`]) loads a snapshot from the caches ([`snapshot`],
//! with the `workloadRef` target from [`workload`]), asks [`rollouts_core::plan::plan`] what to do,
//! performs the plan's writes in order ([`execute`]) and records its events.

pub(crate) mod caches;
pub(crate) mod context;
pub(crate) mod controller;
pub(crate) mod error;
pub(crate) mod execute;
mod execute_log;
#[cfg(test)]
mod execute_tests;
pub(crate) mod reconcile;
pub(crate) mod routing;
pub(crate) mod routing_watch;
pub(crate) mod snapshot;
pub(crate) mod triggers;
pub(crate) mod watch;
pub(crate) mod workload;

pub use error::ReconcileError;

/// A Rollout's namespace and name.
pub(crate) type RolloutKey = crate::runtime::ObjectKey;
