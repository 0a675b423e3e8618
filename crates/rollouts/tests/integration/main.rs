//! The `rollouts` binary's commands, run as a user would. One binary for the crate, so a cold build
//! links once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod chaos;
mod chaos_run;
mod closed_loop;
mod controller_command;
mod controller_info_logs;
mod crds_command;
mod dev_command;
mod dev_crash_safety;
mod dev_plugin;
mod install_manifests;
mod leader_election;
mod metrics_e2e;
