//! `rollouts`: the controller, the embedded dev cluster, and the CRD printer.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rollouts",
    version,
    about = "Progressive delivery for Kubernetes, compatible with Argo Rollouts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the argoproj.io CRDs as YAML (install with `kubectl apply --server-side -f -`).
    Crds {
        /// Write one file per CRD into this directory instead of printing them.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Run the controller on the embedded dev cluster (not built yet).
    Dev,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Crds { out_dir: None } => {
            print!("{}", rollouts_api::crd::all_yaml()?);
        }
        Command::Crds { out_dir: Some(dir) } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (file, crd) in rollouts_api::crd::all()? {
                let path = dir.join(file);
                std::fs::write(&path, rollouts_api::crd::to_yaml(&crd)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
        Command::Dev => {
            anyhow::bail!(
                "the embedded dev cluster is not built yet (see the status table in README.md); \
                 `rollouts crds` prints the CRDs for an existing cluster"
            );
        }
    }
    Ok(())
}
