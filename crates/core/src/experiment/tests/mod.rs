//! Experiment planner tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;
mod golden_experiment;
mod render;
mod world;
