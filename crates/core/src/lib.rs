//! The Rollout controller's decisions as pure functions of an observed snapshot and the time: no
//! Kubernetes client, no async runtime, no clock of its own. The controller loads a snapshot from its
//! caches, asks the core for a plan, and carries the plan out.

#![warn(missing_docs)]

pub mod analysis;
pub mod canary;
pub mod hash;
pub mod plan;
pub mod service;
pub mod status;
pub mod traffic;
