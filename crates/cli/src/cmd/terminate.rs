//! `kubectl argo rollouts terminate analysisrun|experiment NAME...`: stops an AnalysisRun or an Experiment
//! that is in progress by setting `spec.terminate`.

use rollouts_api::{AnalysisRun, Experiment};

use crate::client::Connection;
use crate::client::patch::{Target, patch_each};
use crate::client::resources::untyped;

/// The merge patch sent to the object.
pub const TERMINATE_PATCH: &str = r#"{"spec":{"terminate":true}}"#;

/// Terminate an AnalysisRun or Experiment
///
/// This command consists of multiple subcommands which can be used to terminate an AnalysisRun or Experiment
/// that is in progress.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum TerminateCommand {
    #[command(visible_aliases = ["ar", "analysisruns"])]
    Analysisrun(TerminateAnalysisRunArgs),
    #[command(visible_aliases = ["exp", "experiments"])]
    Experiment(TerminateExperimentArgs),
}

/// Terminate an AnalysisRun
///
/// This command terminates an AnalysisRun.
#[derive(Clone, Debug, clap::Args)]
pub struct TerminateAnalysisRunArgs {
    /// Name of the AnalysisRun
    #[arg(required = true, value_name = "ANALYSISRUN_NAME")]
    pub names: Vec<String>,
}

/// Terminate an experiment
///
/// This command terminates an Experiment.
#[derive(Clone, Debug, clap::Args)]
pub struct TerminateExperimentArgs {
    /// Name of the experiment
    #[arg(required = true, value_name = "EXPERIMENT_NAME")]
    pub names: Vec<String>,
}

/// Runs `terminate analysisrun` (printing `analysisRun '<name>' terminated`) or `terminate experiment` on
/// each name in turn; stops at the first error. For an Experiment the message says `retried`, not
/// `terminated`: that is upstream's wording, which scripts may match.
pub async fn run(conn: &Connection, command: &TerminateCommand, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    match command {
        TerminateCommand::Analysisrun(args) => {
            let api = untyped::<AnalysisRun>(conn);
            patch_each(&api, &args.names, Target::Object, TERMINATE_PATCH, out, |name| {
                format!("analysisRun '{name}' terminated")
            })
            .await
        }
        TerminateCommand::Experiment(args) => {
            let api = untyped::<Experiment>(conn);
            patch_each(&api, &args.names, Target::Object, TERMINATE_PATCH, out, |name| {
                format!("experiment '{name}' retried")
            })
            .await
        }
    }
}
