//! The `kubectl-argo-rollouts` plugin as a library: its entry point and top-level command line, its
//! verbs, what they share to talk to the API server, the data gathered for `get rollout` /
//! `get experiment`, the text renderer for those views and the watches that keep them live.

pub mod app;
pub mod client;
pub mod cmd;
pub mod info;
pub mod render;
pub mod watch;

pub use app::{PLUGIN_NAME, main_with_args};
