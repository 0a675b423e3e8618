//! Runs a parsed command: the verbs that need no cluster at once, the others against the cluster.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::app::args::{Cli, Command};
use crate::client::{KubeOptions, error_line};
use crate::cmd;

/// Runs the verbs that need no cluster (`version`, `completion`, `lint`, and `create` with neither files
/// nor a subcommand, which prints its usage) and returns their exit code; `None` for the others.
pub(crate) fn local(command: &Command) -> Option<ExitCode> {
    match command {
        Command::Version(args) => {
            cmd::version::run(args);
            Some(ExitCode::SUCCESS)
        }
        Command::Completion(args) => {
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = cmd::completion::run(args.shell, &mut Cli::command(), &mut std::io::stdout());
            Some(ExitCode::SUCCESS)
        }
        Command::Lint(args) => Some(match &args.filename {
            Some(file) => exit_code(cmd::lint::run(file, &mut std::io::stdout())),
            None => {
                let mut root = Cli::command();
                if let Some(lint) = root.find_subcommand_mut("lint") {
                    let _ = lint.print_help();
                }
                ExitCode::FAILURE
            }
        }),
        Command::Create(args) if args.what.is_none() && args.filenames.is_empty() => {
            // Upstream prints the usage to stderr and fails.
            let mut root = Cli::command();
            if let Some(create) = root.find_subcommand_mut("create") {
                eprint!("{}", create.render_help());
            }
            Some(ExitCode::FAILURE)
        }
        _ => None,
    }
}

/// Connects to the cluster and runs the verb there.
pub(crate) async fn run(kube: KubeOptions, command: Command) -> anyhow::Result<()> {
    let conn = kube.connect().await?;
    let mut out = std::io::stdout();
    match command {
        // Run by `local`.
        Command::Version(_) | Command::Completion(_) | Command::Lint(_) => Ok(()),
        Command::Get(what) => cmd::get::run(&conn, &what).await,
        Command::Set(what) => cmd::set_image::run(&conn, &what, &mut out).await,
        Command::Promote(args) => cmd::promote::run(&conn, &args, &mut out).await,
        Command::Abort(args) => cmd::abort::run(&conn, &args, &mut out).await,
        Command::Retry(what) => cmd::retry::run(&conn, &what, &mut out).await,
        Command::Pause(args) => cmd::pause::run(&conn, &args, &mut out).await,
        Command::List(what) => cmd::list::run(&conn, &what, &mut out, &mut std::io::stderr()).await,
        Command::Status(args) => cmd::status::run(&conn, &args, &mut out).await,
        Command::Restart(args) => cmd::restart::run(&conn, &args, &mut out).await,
        Command::Undo(args) => cmd::undo::run(&conn, &args, &mut out).await,
        Command::Create(args) => cmd::create::run(&conn, &args, &mut out).await,
        Command::Terminate(what) => cmd::terminate::run(&conn, &what, &mut out).await,
    }
}

/// 0 on success; else the error on one line of stderr and 1.
pub(crate) fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {}", error_line(&e));
            ExitCode::FAILURE
        }
    }
}
