//! The `kubectl-argo-rollouts` plugin as a library: its command line and entry point, its commands, the
//! data gathered for `get rollout` / `get experiment`, and the text renderer for those views.

pub mod app;
pub mod client;
pub mod cmd;
pub mod info;
pub mod render;
pub mod watch;

pub use app::{PLUGIN_NAME, main_with_args};
