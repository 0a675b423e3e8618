//! `kubectl argo rollouts pause ROLLOUT_NAME...`: sets `spec.paused`.

use rollouts_api::Rollout;

use crate::client::Connection;
use crate::client::patch::{Target, patch_each};
use crate::client::resources::untyped;

/// The patch sent to the Rollout.
pub const PAUSE_PATCH: &str = r#"{"spec":{"paused":true}}"#;

/// Pause a rollout
///
/// Set the rollout paused state to 'true'
#[derive(Clone, Debug, clap::Args)]
pub struct PauseArgs {
    /// Name of the rollout
    #[arg(required = true, value_name = "ROLLOUT_NAME")]
    pub names: Vec<String>,
}

/// Pauses each rollout in turn, printing `rollout '<name>' paused`; stops at the first error.
pub async fn run(conn: &Connection, args: &PauseArgs, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = untyped::<Rollout>(conn);
    patch_each(&api, &args.names, Target::Object, PAUSE_PATCH, out, |name| {
        format!("rollout '{name}' paused")
    })
    .await
}
