//! Why one reconcile of an Experiment failed (which decides how soon it is tried again).

use std::time::Duration;

use crate::runtime::reconcile::{Failure, ReconcileFailure};

/// Why one reconcile of an Experiment failed.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// The stored Experiment does not decode into the type; it is skipped until it changes.
    #[error("the Experiment cannot be decoded: {0}")]
    Decode(String),
    /// The plan could not be made (two objects claim one template); retried with backoff.
    #[error("{0}")]
    Plan(String),
    /// A write was refused because the object changed since our snapshot (409): retried at once.
    #[error("{action}: {source}")]
    Conflict {
        /// What we tried, e.g. `update ReplicaSet exp-baseline`.
        action: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// An API request failed.
    #[error("{action}: {source}")]
    Api {
        /// What we tried, e.g. `create Service exp-canary`.
        action: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// A plan carried a JSON patch that is not a JSON patch.
    #[error("{action}: the patch is not a JSON patch: {source}")]
    BadPatch {
        /// What we tried.
        action: String,
        /// Why the patch did not decode.
        #[source]
        source: serde_json::Error,
    },
    /// The reconcile ran into its time limit and was cut off.
    #[error("the reconcile did not finish within {0:?} and was cut off")]
    TimedOut(Duration),
    /// The reconcile task ended abnormally.
    #[error("the reconcile task failed: {0}")]
    Task(String),
}

impl ReconcileFailure for ExperimentError {
    fn undecodable(_kind: &'static str, message: String) -> Self {
        ExperimentError::Decode(message)
    }

    fn timed_out(limit: Duration) -> Self {
        ExperimentError::TimedOut(limit)
    }

    fn task_failed(message: String) -> Self {
        ExperimentError::Task(message)
    }

    fn failure(&self) -> Failure {
        match self {
            ExperimentError::Decode(_) => Failure::Undecodable,
            ExperimentError::Conflict { .. } => Failure::Conflict,
            _ => Failure::Other,
        }
    }
}

impl ExperimentError {
    /// Wraps an API error of `action`, telling conflicts apart.
    pub(crate) fn api(action: impl Into<String>, source: kube::Error) -> Self {
        let action = action.into();
        if crate::runtime::api::is_status(&source, 409) {
            ExperimentError::Conflict { action, source }
        } else {
            ExperimentError::Api { action, source }
        }
    }
}
