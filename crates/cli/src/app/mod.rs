//! The plugin's entry point, shared by the `kubectl-argo-rollouts` binary and by the `rollouts` binary
//! when it is invoked under the plugin's name (the link `rollouts dev` puts on PATH).

mod args;
mod dispatch;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::client::error_line;
use crate::cmd;
use args::{Cli, Command};

/// The executable name kubectl looks for to run `kubectl argo rollouts`.
pub const PLUGIN_NAME: &str = "kubectl-argo-rollouts";

/// Runs the plugin with `args` (the program name first, as in `std::env::args_os()`) and returns its
/// exit code: 0 on success (and for `--help`), 1 on usage errors and failed commands, as upstream's.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // Usage errors exit 1, as the upstream plugin's do; --help exits 0.
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if let Command::Version { short } = cli.command {
        print!("{}", cmd::version::render(&cmd::version::BuildInfo::current(), short));
        return ExitCode::SUCCESS;
    }
    if let Command::Completion { shell } = cli.command {
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = cmd::completion::run(shell, &mut Cli::command(), &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    if let Command::Lint { filename } = &cli.command {
        let Some(file) = filename else {
            let mut root = Cli::command();
            if let Some(lint) = root.find_subcommand_mut("lint") {
                let _ = lint.print_help();
            }
            return ExitCode::FAILURE;
        };
        return match cmd::lint::run(file, &mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {}", error_line(&e));
                ExitCode::FAILURE
            }
        };
    }
    if let Command::Create {
        what: None, filenames, ..
    } = &cli.command
        && filenames.is_empty()
    {
        // Upstream prints the usage to stderr and fails.
        let mut root = Cli::command();
        if let Some(create) = root.find_subcommand_mut("create") {
            eprint!("{}", create.render_help());
        }
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch::run(cli.kube, cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {}", error_line(&e));
            ExitCode::FAILURE
        }
    }
}
