//! Why one reconcile of a Service failed (which decides how soon it is tried again).

/// Why one reconcile of a Service failed: the runtime's shared error.
pub type ServiceError = crate::runtime::object_error::ObjectError;
