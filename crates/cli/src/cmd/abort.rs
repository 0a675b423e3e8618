//! `kubectl argo rollouts abort ROLLOUT_NAME...`: stops progressing and reverts to the stable ReplicaSet.

use rollouts_api::Rollout;

use crate::client::Connection;
use crate::client::patch::{Target, patch_each};
use crate::client::resources::untyped;

/// The patch sent to the status subresource (to the object when that is not found).
pub const ABORT_PATCH: &str = r#"{"status":{"abort":true}}"#;

/// Abort a rollout
///
/// This command stops progressing the current rollout and reverts all steps. The previous ReplicaSet will be
/// active.
#[derive(Clone, Debug, clap::Args)]
pub struct AbortArgs {
    /// Name of the rollout
    #[arg(required = true, value_name = "ROLLOUT_NAME")]
    pub names: Vec<String>,
}

/// Aborts each rollout in turn, printing `rollout '<name>' aborted`; stops at the first error.
pub async fn run(conn: &Connection, args: &AbortArgs, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = untyped::<Rollout>(conn);
    patch_each(&api, &args.names, Target::StatusFirst, ABORT_PATCH, out, |name| {
        format!("rollout '{name}' aborted")
    })
    .await
}
