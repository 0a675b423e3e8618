//! `kubectl argo rollouts retry rollout|experiment NAME...`: clears the abort of an aborted rollout, or the
//! status of a failed experiment.

use rollouts_api::{Experiment, Rollout};

use crate::client::Connection;
use crate::client::patch::{merge_patch, name_of, status_first};
use crate::client::resources::untyped;

/// The patch sent to the status subresource (to the object when that is not found).
pub const RETRY_ROLLOUT_PATCH: &str = r#"{"status":{"abort":false}}"#;

/// The merge patch sent to the Experiment itself (never to its status subresource, as upstream does).
pub const RETRY_EXPERIMENT_PATCH: &str = r#"{"status":null}"#;

/// Retries each rollout in turn, printing `rollout '<name>' retried`; stops at the first error.
pub async fn run_rollout(conn: &Connection, names: &[String], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = untyped::<Rollout>(conn);
    for name in names {
        let ro = status_first(&api, name, RETRY_ROLLOUT_PATCH).await?;
        writeln!(out, "rollout '{}' retried", name_of(&ro, name))?;
    }
    Ok(())
}

/// Retries each experiment in turn, printing `experiment '<name>' retried`; stops at the first error.
pub async fn run_experiment(conn: &Connection, names: &[String], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = untyped::<Experiment>(conn);
    for name in names {
        let exp = merge_patch(&api, name, RETRY_EXPERIMENT_PATCH).await?;
        writeln!(out, "experiment '{}' retried", name_of(&exp, name))?;
    }
    Ok(())
}
