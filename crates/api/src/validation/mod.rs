//! Spec validation: one entry point per kind, each returning every problem found.
