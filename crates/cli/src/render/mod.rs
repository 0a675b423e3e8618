//! Text rendering of `kubectl argo rollouts get rollout` / `get experiment`, from gathered info.

mod color;
pub(crate) mod tabwriter;
mod tree;

pub use color::RenderOptions;
pub use tree::{render_experiment, render_rollout};
