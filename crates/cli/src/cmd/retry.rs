//! `kubectl argo rollouts retry rollout ROLLOUT_NAME...`: clears the abort of an aborted rollout.

use crate::client::Connection;
use crate::cmd::patch::{name_of, rollouts, status_first};

/// The patch sent to the status subresource (to the object when that is not found).
pub const RETRY_ROLLOUT_PATCH: &str = r#"{"status":{"abort":false}}"#;

/// Retries each rollout in turn, printing `rollout '<name>' retried`; stops at the first error.
pub async fn run_rollout(conn: &Connection, names: &[String], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = rollouts(conn);
    for name in names {
        let ro = status_first(&api, name, RETRY_ROLLOUT_PATCH).await?;
        writeln!(out, "rollout '{}' retried", name_of(&ro, name))?;
    }
    Ok(())
}
