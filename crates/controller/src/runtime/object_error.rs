//! Why one reconcile of a controller with no errors of its own failed (the AnalysisRun and Service
//! controllers); the kind word comes from the controller, so the messages name the object they are about.

use std::time::Duration;

use super::reconcile::{Failure, ReconcileFailure};

/// Why one reconcile failed.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// The stored object does not decode into the type; it is skipped until it changes.
    #[error("the {kind} cannot be decoded: {message}")]
    Decode {
        /// The object's kind, e.g. `AnalysisRun`.
        kind: &'static str,
        /// Why it does not decode.
        message: String,
    },
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
    TimedOut(Duration),
    /// The reconcile task ended abnormally.
    #[error("the reconcile task failed: {0}")]
    Task(String),
}

impl ReconcileFailure for ObjectError {
    fn undecodable(kind: &'static str, message: String) -> Self {
        ObjectError::Decode { kind, message }
    }

    fn timed_out(limit: Duration) -> Self {
        ObjectError::TimedOut(limit)
    }

    fn task_failed(message: String) -> Self {
        ObjectError::Task(message)
    }

    fn failure(&self) -> Failure {
        match self {
            ObjectError::Decode { .. } => Failure::Undecodable,
            _ => Failure::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_failures_name_the_kind() {
        let error = ObjectError::undecodable("AnalysisRun", "missing field `spec`".to_string());
        assert_eq!(
            error.to_string(),
            "the AnalysisRun cannot be decoded: missing field `spec`"
        );
        assert!(matches!(error.failure(), Failure::Undecodable));
    }
}
