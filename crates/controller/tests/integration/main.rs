//! The controller's tests against the dev cluster and real providers. One binary for the crate, so a
//! cold build links once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod analysis_runs;
mod common;
mod controller_runtime;
mod info_logs;
mod providers_prometheus;
mod providers_web;
mod restarts;
mod services;
