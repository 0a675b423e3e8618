//! `kubectl-argo-rollouts`: the kubectl plugin (`kubectl argo rollouts ...`).

use clap::{Parser, Subcommand};
use rollouts_cli::cmd;

#[derive(Parser)]
#[command(
    name = "kubectl-argo-rollouts",
    about = "Manage argo rollouts",
    disable_version_flag = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print version
    Version {
        /// print just the version number
        #[arg(long)]
        short: bool,
    },
}

fn main() {
    match Cli::parse().command {
        Command::Version { short } => print!("{}", cmd::version::render(&cmd::version::BuildInfo::current(), short)),
    }
}
