//! Schema, validation and conformance tests of the API types: one test binary for the crate, so a cold
//! build links once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod conformance;
mod crds;
mod validation;
mod validation_analysis;
mod validation_canary;
mod validation_conformance;
mod validation_experiment;
mod validation_fixtures;
mod validation_pod_template;
mod validation_required;
mod validation_steps;
