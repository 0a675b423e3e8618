//! `kubectl argo rollouts abort ROLLOUT_NAME...`: stops progressing and reverts to the stable ReplicaSet.

use rollouts_api::Rollout;

use crate::client::Connection;
use crate::client::patch::{name_of, status_first};
use crate::client::resources::untyped;

/// The patch sent to the status subresource (to the object when that is not found).
pub const ABORT_PATCH: &str = r#"{"status":{"abort":true}}"#;

/// Aborts each rollout in turn, printing `rollout '<name>' aborted`; stops at the first error.
pub async fn run(conn: &Connection, names: &[String], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = untyped::<Rollout>(conn);
    for name in names {
        let ro = status_first(&api, name, ABORT_PATCH).await?;
        writeln!(out, "rollout '{}' aborted", name_of(&ro, name))?;
    }
    Ok(())
}
