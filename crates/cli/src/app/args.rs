//! The plugin's command line: flags, subcommands and their help texts, as upstream's plugin spells them.

use clap::{Parser, Subcommand};

use crate::client::KubeOptions;
use crate::cmd;

#[derive(Parser)]
#[command(
    name = crate::app::PLUGIN_NAME,
    about = "Manage argo rollouts",
    disable_version_flag = true
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) kube: KubeOptions,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Print version
    Version {
        /// print just the version number
        #[arg(long)]
        short: bool,
    },
    /// Get details about rollouts and experiments
    Get {
        #[command(subcommand)]
        what: GetCommand,
    },
    /// Update various values on resources
    Set {
        #[command(subcommand)]
        what: SetCommand,
    },
    /// Promote a rollout
    ///
    /// Promotes a rollout paused at a canary step, or a paused blue-green pre-promotion.
    /// To skip analysis, pauses and steps entirely, use '--full' to fully promote the rollout
    Promote {
        /// Name of the rollout
        #[arg(value_name = "ROLLOUT_NAME")]
        name: String,
        /// Skip currently running canary step (deprecated: use without the flag instead ex: promote ROLLOUT_NAME)
        #[arg(short = 'c', long, hide = true)]
        skip_current_step: bool,
        /// Skip remaining steps (deprecated: use --full instead)
        #[arg(short = 'a', long, hide = true)]
        skip_all_steps: bool,
        /// Perform a full promotion, skipping analysis, pauses, and steps
        #[arg(long)]
        full: bool,
    },
    /// Abort a rollout
    ///
    /// This command stops progressing the current rollout and reverts all steps. The previous ReplicaSet will be
    /// active.
    Abort {
        /// Name of the rollout
        #[arg(required = true, value_name = "ROLLOUT_NAME")]
        names: Vec<String>,
    },
    /// Retry a rollout or experiment
    Retry {
        #[command(subcommand)]
        what: RetryCommand,
    },
    /// Pause a rollout
    ///
    /// Set the rollout paused state to 'true'
    Pause {
        /// Name of the rollout
        #[arg(required = true, value_name = "ROLLOUT_NAME")]
        names: Vec<String>,
    },
    /// Lint and validate a Rollout
    ///
    /// This command lints and validates a new Rollout resource from a file.
    Lint {
        /// File to lint
        #[arg(short = 'f', long = "filename", value_name = "FILE")]
        filename: Option<String>,
    },
    /// List rollouts or experiments
    List {
        #[command(subcommand)]
        what: ListCommand,
    },
    /// Show the status of a rollout
    ///
    /// Watch rollout until it finishes or the timeout is exceeded. Returns success if
    /// the rollout is healthy upon completion and an error otherwise.
    Status {
        /// Name of the rollout
        #[arg(value_name = "ROLLOUT_NAME")]
        name: String,
        /// Watch the status of the rollout until it's done
        #[arg(
            short = 'w',
            long,
            default_value_t = true,
            num_args = 0..=1,
            require_equals = true,
            default_missing_value = "true",
            action = clap::ArgAction::Set
        )]
        watch: bool,
        /// The length of time to watch before giving up. Non-zero values should contain a corresponding time
        /// unit (e.g. 1s, 2m, 3h). Zero means wait forever
        #[arg(short = 't', long, default_value = "0s", value_parser = parse_duration)]
        timeout: std::time::Duration,
    },
    /// Generate completion script
    ///
    /// To load completions in Bash: `source <(kubectl-argo-rollouts completion bash)`; in fish:
    /// `kubectl-argo-rollouts completion fish | source`; in Zsh, save the script as `_kubectl-argo-rollouts`
    /// in a directory of `$fpath`.
    Completion {
        /// The shell
        #[arg(value_enum)]
        shell: cmd::completion::CompletionShell,
    },
    /// Restart the pods of a rollout
    Restart {
        /// Name of the rollout
        #[arg(value_name = "ROLLOUT")]
        name: String,
        /// Amount of time before a restart. (e.g. 30s, 5m, 1h)
        #[arg(short = 'i', long = "in")]
        delay: Option<String>,
    },
    /// Undo a rollout
    ///
    /// Rollback to the previous rollout.
    Undo {
        /// Name of the rollout
        #[arg(value_name = "ROLLOUT_NAME")]
        name: String,
        /// The revision to rollback to. Default to 0 (last revision).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        to_revision: i64,
    },
    /// Create a Rollout, Experiment, AnalysisTemplate, ClusterAnalysisTemplate, or AnalysisRun resource
    ///
    /// This command creates a new Rollout, Experiment, AnalysisTemplate, ClusterAnalysisTemplate, or AnalysisRun
    /// resource from a file.
    #[command(args_conflicts_with_subcommands = true)]
    Create {
        #[command(subcommand)]
        what: Option<CreateCommand>,
        /// Files to use to create the resource
        #[arg(short = 'f', long = "filename", value_name = "FILE")]
        filenames: Vec<String>,
        /// Watch live updates to the resource after creating
        #[arg(short = 'w', long)]
        watch: bool,
        /// Do not colorize output
        #[arg(long)]
        no_color: bool,
    },
    /// Terminate an AnalysisRun or Experiment
    ///
    /// This command consists of multiple subcommands which can be used to terminate an AnalysisRun or Experiment
    /// that is in progress.
    Terminate {
        #[command(subcommand)]
        what: TerminateCommand,
    },
}

#[derive(Subcommand)]
pub(crate) enum CreateCommand {
    /// Create an AnalysisRun from an AnalysisTemplate or a ClusterAnalysisTemplate
    ///
    /// This command creates a new AnalysisRun from an existing AnalysisTemplate resources or from an
    /// AnalysisTemplate file.
    #[command(visible_aliases = ["ar"])]
    Analysisrun {
        /// Use the specified name for the run
        #[arg(long)]
        name: Option<String>,
        /// Use the specified generateName for the run
        #[arg(long)]
        generate_name: Option<String>,
        /// Instance-ID for the AnalysisRun
        #[arg(long)]
        instance_id: Option<String>,
        /// Arguments to the parameter template
        #[arg(short = 'a', long = "argument")]
        arguments: Vec<String>,
        /// Create an AnalysisRun from an AnalysisTemplate or ClusterAnalysisTemplate in the cluster
        #[arg(long)]
        from: Option<String>,
        /// Create an AnalysisRun from an AnalysisTemplate or ClusterAnalysisTemplate in a local file
        #[arg(long)]
        from_file: Option<String>,
        /// Use a ClusterAnalysisTemplate instead of a AnalysisTemplate
        #[arg(long)]
        global: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum TerminateCommand {
    /// Terminate an AnalysisRun
    ///
    /// This command terminates an AnalysisRun.
    #[command(visible_aliases = ["ar", "analysisruns"])]
    Analysisrun {
        /// Name of the AnalysisRun
        #[arg(required = true, value_name = "ANALYSISRUN_NAME")]
        names: Vec<String>,
    },
    /// Terminate an experiment
    ///
    /// This command terminates an Experiment.
    #[command(visible_aliases = ["exp", "experiments"])]
    Experiment {
        /// Name of the experiment
        #[arg(required = true, value_name = "EXPERIMENT_NAME")]
        names: Vec<String>,
    },
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    rollouts_api::duration::parse(text).map_err(|e| e.to_string())
}

#[derive(Subcommand)]
pub(crate) enum ListCommand {
    /// List rollouts
    ///
    /// This command lists all of the rollouts for a specified namespace (uses current namespace context if
    /// namespace not specified).
    #[command(visible_aliases = ["ro", "rollout"])]
    Rollouts {
        /// Only show rollout with specified name
        #[arg(long)]
        name: Option<String>,
        /// Include all namespaces
        #[arg(short = 'A', long)]
        all_namespaces: bool,
        /// Watch for changes
        #[arg(short = 'w', long)]
        watch: bool,
        /// Print timestamps on updates
        #[arg(long)]
        timestamps: bool,
    },
    /// List experiments
    ///
    /// This command lists all of the experiments for a specified namespace (uses current namespace context if
    /// namespace not specified).
    #[command(visible_aliases = ["exp", "experiment"])]
    Experiments {
        /// Include all namespaces
        #[arg(short = 'A', long)]
        all_namespaces: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum GetCommand {
    /// Get details about a rollout
    #[command(visible_aliases = ["ro", "rollouts"])]
    Rollout {
        /// Name of the rollout
        #[arg(value_name = "ROLLOUT_NAME")]
        name: String,
        /// Watch live updates to the rollout
        #[arg(short = 'w', long)]
        watch: bool,
        /// Do not colorize output
        #[arg(long)]
        no_color: bool,
        /// Timeout after specified seconds
        #[arg(long, default_value_t = 0)]
        timeout_seconds: u64,
    },
    /// Get details about an Experiment
    #[command(visible_aliases = ["exp", "experiments"])]
    Experiment {
        /// Name of the experiment
        #[arg(value_name = "EXPERIMENT_NAME")]
        name: String,
        /// Watch live updates to the rollout
        #[arg(short = 'w', long)]
        watch: bool,
        /// Do not colorize output
        #[arg(long)]
        no_color: bool,
        /// Timeout after specified seconds
        #[arg(long, default_value_t = 0)]
        timeout_seconds: u64,
    },
}

#[derive(Subcommand)]
pub(crate) enum SetCommand {
    /// Update the image of a rollout
    Image {
        /// Name of the rollout
        #[arg(value_name = "ROLLOUT_NAME")]
        rollout: String,
        /// CONTAINER=IMAGE (CONTAINER `*`: all containers)
        #[arg(value_name = "CONTAINER=IMAGE")]
        assignment: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum RetryCommand {
    /// Retry an aborted rollout
    #[command(visible_aliases = ["ro", "rollouts"])]
    Rollout {
        /// Name of the rollout
        #[arg(required = true, value_name = "ROLLOUT_NAME")]
        names: Vec<String>,
    },
    /// Retry an experiment
    ///
    /// Retry a failed experiment.
    #[command(visible_aliases = ["exp", "experiments"])]
    Experiment {
        /// Name of the experiment
        #[arg(required = true, value_name = "EXPERIMENT_NAME")]
        names: Vec<String>,
    },
}
