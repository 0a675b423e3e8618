//! Why one reconcile of a Service failed (which decides how soon it is tried again).

use crate::runtime::reconcile::{Failure, ReconcileFailure};

/// Why one reconcile of a Service failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The stored Service does not decode into the type; it is skipped until it changes.
    #[error("the Service cannot be decoded: {0}")]
    Decode(String),
    /// An API request failed.
    #[error("{action}: {source}")]
    Api {
        /// What we tried, e.g. `get Rollout ns/web`.
        action: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// The reconcile ran into its time limit and was cut off.
    #[error("the reconcile did not finish within {0:?} and was cut off")]
    TimedOut(std::time::Duration),
    /// The reconcile task ended abnormally.
    #[error("the reconcile task failed: {0}")]
    Task(String),
}

impl ReconcileFailure for ServiceError {
    fn undecodable(message: String) -> Self {
        ServiceError::Decode(message)
    }

    fn timed_out(limit: std::time::Duration) -> Self {
        ServiceError::TimedOut(limit)
    }

    fn task_failed(message: String) -> Self {
        ServiceError::Task(message)
    }

    fn failure(&self) -> Failure {
        match self {
            ServiceError::Decode(_) => Failure::Undecodable,
            _ => Failure::Other,
        }
    }
}
