//! The Rollout's summary phase and its status conditions, as pure functions.
//!
//! Argo CD, notifications and `kubectl argo rollouts` read `status.phase`, `status.message` and
//! `status.conditions`, so these reproduce upstream exactly: the phase computation of
//! `utils/rollout/rolloututil.go` and the condition helpers of `utils/conditions/conditions.go`.
//!
//! - [`phase`]: upstream `CalculateRolloutPhase`.
//! - [`conditions`]: get / set / remove, one constructor per upstream condition, and the
//!   progress-deadline check.
//! - [`predicates`]: when a rollout counts as progressing, healthy or completed.

pub mod conditions;
pub mod phase;
pub mod predicates;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use phase::calculate_rollout_phase;
