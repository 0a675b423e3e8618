//! Upstream defaults, as functions on the types.
