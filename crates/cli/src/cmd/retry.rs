//! `kubectl argo rollouts retry rollout|experiment NAME...`: clears the abort of an aborted rollout, or the
//! status of a failed experiment.

use rollouts_api::{Experiment, Rollout};

use crate::client::Connection;
use crate::client::patch::{Target, patch_each};
use crate::client::resources::untyped;

/// The patch sent to the status subresource (to the object when that is not found).
pub const RETRY_ROLLOUT_PATCH: &str = r#"{"status":{"abort":false}}"#;

/// The merge patch sent to the Experiment itself (never to its status subresource, as upstream does).
pub const RETRY_EXPERIMENT_PATCH: &str = r#"{"status":null}"#;

/// Retry a rollout or experiment
#[derive(Clone, Debug, clap::Subcommand)]
pub enum RetryCommand {
    #[command(visible_aliases = ["ro", "rollouts"])]
    Rollout(RetryRolloutArgs),
    #[command(visible_aliases = ["exp", "experiments"])]
    Experiment(RetryExperimentArgs),
}

/// Retry an aborted rollout
#[derive(Clone, Debug, clap::Args)]
pub struct RetryRolloutArgs {
    /// Name of the rollout
    #[arg(required = true, value_name = "ROLLOUT_NAME")]
    pub names: Vec<String>,
}

/// Retry an experiment
///
/// Retry a failed experiment.
#[derive(Clone, Debug, clap::Args)]
pub struct RetryExperimentArgs {
    /// Name of the experiment
    #[arg(required = true, value_name = "EXPERIMENT_NAME")]
    pub names: Vec<String>,
}

/// Runs `retry rollout` (printing `rollout '<name>' retried`) or `retry experiment` (printing
/// `experiment '<name>' retried`) on each name in turn; stops at the first error.
pub async fn run(conn: &Connection, command: &RetryCommand, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    match command {
        RetryCommand::Rollout(args) => {
            let api = untyped::<Rollout>(conn);
            patch_each(
                &api,
                &args.names,
                Target::StatusFirst,
                RETRY_ROLLOUT_PATCH,
                out,
                |name| format!("rollout '{name}' retried"),
            )
            .await
        }
        RetryCommand::Experiment(args) => {
            let api = untyped::<Experiment>(conn);
            patch_each(&api, &args.names, Target::Object, RETRY_EXPERIMENT_PATCH, out, |name| {
                format!("experiment '{name}' retried")
            })
            .await
        }
    }
}
