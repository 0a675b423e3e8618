//! The `kubectl-argo-rollouts` plugin as a library: its commands, the data gathered for
//! `get rollout` / `get experiment`, and the text renderer for those views.

pub mod client;
pub mod cmd;
pub mod info;
pub mod render;
