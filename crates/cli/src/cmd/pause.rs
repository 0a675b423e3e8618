//! `kubectl argo rollouts pause ROLLOUT_NAME...`: sets `spec.paused`.

use rollouts_api::Rollout;

use crate::client::Connection;
use crate::client::patch::{merge_patch, name_of};
use crate::client::resources::untyped;

/// The patch sent to the Rollout.
pub const PAUSE_PATCH: &str = r#"{"spec":{"paused":true}}"#;

/// Pauses each rollout in turn, printing `rollout '<name>' paused`; stops at the first error.
pub async fn run(conn: &Connection, names: &[String], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = untyped::<Rollout>(conn);
    for name in names {
        let ro = merge_patch(&api, name, PAUSE_PATCH).await?;
        writeln!(out, "rollout '{}' paused", name_of(&ro, name))?;
    }
    Ok(())
}
