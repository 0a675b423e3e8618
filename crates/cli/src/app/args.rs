//! The plugin's top-level command line: kubectl's connection flags and one subcommand per verb. Each verb's
//! flags and help text live with the code that runs it, in `cmd/`.

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

// The verbs, in the order `--help` lists them. Their help texts are the doc comments of their argument
// types (a doc comment here would become the plugin's own help text).
#[derive(Subcommand)]
pub(crate) enum Command {
    Version(cmd::version::VersionArgs),
    #[command(subcommand)]
    Get(cmd::get::GetCommand),
    #[command(subcommand)]
    Set(cmd::set_image::SetCommand),
    Promote(cmd::promote::PromoteArgs),
    Abort(cmd::abort::AbortArgs),
    #[command(subcommand)]
    Retry(cmd::retry::RetryCommand),
    Pause(cmd::pause::PauseArgs),
    Lint(cmd::lint::LintArgs),
    #[command(subcommand)]
    List(cmd::list::ListCommand),
    Status(cmd::status::StatusArgs),
    Completion(cmd::completion::CompletionArgs),
    Restart(cmd::restart::RestartArgs),
    Undo(cmd::undo::UndoArgs),
    Create(cmd::create::CreateArgs),
    #[command(subcommand)]
    Terminate(cmd::terminate::TerminateCommand),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// clap's own consistency checks over every verb's arguments (names, short flags, groups).
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
