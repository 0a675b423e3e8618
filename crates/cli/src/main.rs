//! `kubectl-argo-rollouts`: the kubectl plugin (`kubectl argo rollouts ...`).

fn main() -> std::process::ExitCode {
    rollouts_cli::main_with_args(std::env::args_os())
}
