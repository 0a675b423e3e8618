//! Why one reconcile of an AnalysisRun failed (which decides how soon it is tried again).

use crate::runtime::reconcile::{Failure, ReconcileFailure};

/// Why one reconcile of an AnalysisRun failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The stored AnalysisRun does not decode into the type; it is skipped until it changes.
    #[error("the AnalysisRun cannot be decoded: {0}")]
    Decode(String),
    /// An API request failed.
    #[error("{action}: {source}")]
    Api {
        /// What we tried, e.g. `patch AnalysisRun ns/run`.
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

impl ReconcileFailure for RunError {
    fn undecodable(message: String) -> Self {
        RunError::Decode(message)
    }

    fn timed_out(limit: std::time::Duration) -> Self {
        RunError::TimedOut(limit)
    }

    fn task_failed(message: String) -> Self {
        RunError::Task(message)
    }

    fn failure(&self) -> Failure {
        match self {
            RunError::Decode(_) => Failure::Undecodable,
            _ => Failure::Other,
        }
    }
}
