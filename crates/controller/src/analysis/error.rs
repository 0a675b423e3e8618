//! Why one reconcile of an AnalysisRun failed (which decides how soon it is tried again).

/// Why one reconcile of an AnalysisRun failed: the runtime's shared error.
pub type RunError = crate::runtime::object_error::ObjectError;
