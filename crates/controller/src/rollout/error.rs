//! Why one reconcile of a Rollout failed ([`ReconcileError`], which decides how soon the Rollout is
//! tried again).

use crate::runtime::reconcile::{Failure, ReconcileFailure};

/// Why one reconcile of a Rollout failed.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The stored Rollout does not decode into the Rollout type; it is skipped until it changes.
    #[error("the Rollout cannot be decoded: {0}")]
    Decode(String),
    /// The plan ended in an error: an invalid spec (InvalidSpec) or a traffic router that failed;
    /// retried with backoff, as upstream does.
    #[error("{0}")]
    InvalidSpec(String),
    /// A write was refused because the object changed since our snapshot (409).
    #[error("{action}: {source}")]
    Conflict {
        /// What we tried, e.g. `update ReplicaSet web-6d4f`.
        action: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// An API request failed.
    #[error("{action}: {source}")]
    Api {
        /// What we tried, e.g. `patch Rollout web status`.
        action: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// A plan asked for something this controller cannot do.
    #[error("{0}")]
    Unsupported(String),
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
    TimedOut(std::time::Duration),
    /// The reconcile task ended abnormally.
    #[error("the reconcile task failed: {0}")]
    Task(String),
}

impl ReconcileFailure for ReconcileError {
    fn undecodable(_kind: &'static str, message: String) -> Self {
        ReconcileError::Decode(message)
    }

    fn timed_out(limit: std::time::Duration) -> Self {
        ReconcileError::TimedOut(limit)
    }

    fn task_failed(message: String) -> Self {
        ReconcileError::Task(message)
    }

    fn failure(&self) -> Failure {
        match self {
            ReconcileError::Decode(_) => Failure::Undecodable,
            ReconcileError::Conflict { .. } => Failure::Conflict,
            _ => Failure::Other,
        }
    }
}

impl ReconcileError {
    /// Wraps an API error of `action`, telling conflicts apart.
    pub(crate) fn api(action: impl Into<String>, source: kube::Error) -> Self {
        let action = action.into();
        if crate::runtime::api::is_status(&source, 409) {
            ReconcileError::Conflict { action, source }
        } else {
            ReconcileError::Api { action, source }
        }
    }
}
