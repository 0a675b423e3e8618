//! The Experiment controller (upstream `experiments/`): it runs each Experiment's templates as
//! ReplicaSets (with their Services), starts its AnalysisRuns once the templates are available, and
//! records the outcome on the Experiment.
//!
//! It owns no watch: the Rollout controller's watches cache Experiments, ReplicaSets, Services,
//! AnalysisRuns and templates, and forward every change that concerns an Experiment (the Experiment
//! itself, a ReplicaSet, Service or AnalysisRun it controls) through a channel, which is this
//! controller's queue (`controller`). One reconcile (`reconcile`) loads a snapshot from those caches
//! (`snapshot`), lets `rollouts_core::experiment::plan` decide, and carries the plan out (`execute`).

pub(crate) mod context;
pub(crate) mod controller;
pub(crate) mod error;
mod execute;
mod execute_log;
mod reconcile;
mod snapshot;

/// The namespace and name of an Experiment.
pub type ExperimentKey = crate::runtime::ObjectKey;
