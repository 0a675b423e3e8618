//! The plugin's entry point, shared by the `kubectl-argo-rollouts` binary and by the `rollouts` binary
//! when it is invoked under the plugin's name (the link `rollouts dev` puts on PATH).

mod args;
mod dispatch;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use args::Cli;

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
    if let Some(code) = dispatch::local(&cli.command) {
        return code;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    dispatch::exit_code(runtime.block_on(dispatch::run(cli.kube, cli.command)))
}
