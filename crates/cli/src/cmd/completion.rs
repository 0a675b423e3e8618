//! `kubectl argo rollouts completion bash|zsh|fish|powershell`: a shell completion script for the plugin.

use clap_complete::Shell;

/// Generate completion script
///
/// To load completions in Bash: `source <(kubectl-argo-rollouts completion bash)`; in fish:
/// `kubectl-argo-rollouts completion fish | source`; in Zsh, save the script as `_kubectl-argo-rollouts`
/// in a directory of `$fpath`.
#[derive(Clone, Debug, clap::Args)]
pub struct CompletionArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells a completion script can be generated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell.
    Powershell,
}

impl From<CompletionShell> for Shell {
    fn from(shell: CompletionShell) -> Self {
        match shell {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
            CompletionShell::Powershell => Shell::PowerShell,
        }
    }
}

/// The completion script of `command` for `shell`.
pub fn script(shell: CompletionShell, command: &mut clap::Command) -> Vec<u8> {
    let name = command.get_name().to_string();
    let mut buffer = Vec::new();
    clap_complete::generate(Shell::from(shell), command, name, &mut buffer);
    buffer
}

/// Writes the completion script of `command` for `shell` to `out`.
pub fn run(shell: CompletionShell, command: &mut clap::Command, out: &mut impl std::io::Write) -> std::io::Result<()> {
    out.write_all(&script(shell, command))?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_the_commands() {
        let mut command = clap::Command::new("kubectl-argo-rollouts").subcommand(clap::Command::new("status"));
        for shell in [
            CompletionShell::Bash,
            CompletionShell::Zsh,
            CompletionShell::Fish,
            CompletionShell::Powershell,
        ] {
            let text = String::from_utf8_lossy(&script(shell, &mut command)).into_owned();
            assert!(text.contains("kubectl-argo-rollouts"), "{shell:?}");
            assert!(text.contains("status"), "{shell:?}");
        }
    }
}
