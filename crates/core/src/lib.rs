//! The controllers' decisions (Rollouts, Experiments, AnalysisRuns) as pure functions of an observed
//! snapshot and the time: no Kubernetes client, no async runtime, no clock of its own. The controller
//! loads a snapshot from its caches, asks the core for a plan, and carries the plan out.

#![warn(missing_docs)]

pub mod analysis;
pub mod canary;
pub mod experiment;
pub mod hash;
pub mod plan;
pub mod scale_down_deadline;
pub mod service;
pub mod sim;
pub mod status;
pub mod traffic;

#[cfg(test)]
mod test_support;
