//! Experiment planner tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;
mod golden_analysis;
mod golden_experiment;
mod golden_replica_sets;
mod golden_write_failures;
mod properties;
mod render;
mod world;
