//! `rollouts`: the controller, the embedded dev cluster (with the controller), the CRD printer and the
//! install manifests' renderer; invoked as `kubectl-argo-rollouts`, the kubectl plugin.

use std::path::PathBuf;
use std::process::ExitCode;

mod controller;
mod dev;
mod manifests;
mod plugin;
mod sim;
mod traffic;

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
    /// Render the install kustomizations under deploy/ into deploy/install.yaml and
    /// deploy/namespace-install.yaml.
    Manifests(manifests::ManifestsArgs),
    /// Run the controllers against a cluster (the current kubeconfig's, or the in-cluster service
    /// account's), as upstream's rollouts-controller.
    #[command(version)]
    Controller(Box<controller::ControllerArgs>),
    /// Run the embedded dev cluster (a Kubernetes-compatible API server on 127.0.0.1) with the
    /// controller.
    Dev(dev::DevArgs),
    /// Send requests through the dev cluster's ingress and show the share of each answer and status.
    Traffic(traffic::TrafficArgs),
    /// Run the deterministic simulation of the controller and a cluster (virtual time, faults and
    /// user operations drawn from each seed) and check its invariants.
    Sim(sim::SimArgs),
}

fn main() -> anyhow::Result<ExitCode> {
    if plugin::invoked_as_plugin(std::env::args_os().next().as_deref()) {
        return Ok(rollouts_cli::main_with_args(std::env::args_os()));
    }
    let cli = Cli::parse();
    match &cli.command {
        Command::Controller(args) => controller::init_logging(args),
        _ => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("ROLLOUTS_LOG").unwrap_or_else(|_| "warn".into()),
                )
                .with_writer(std::io::stderr)
                .init();
        }
    }
    match cli.command {
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
        Command::Manifests(args) => manifests::run(&args)?,
        Command::Controller(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(controller::run(*args))?;
        }
        Command::Dev(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(dev::run(args))?;
        }
        Command::Traffic(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(traffic::run(args))?;
        }
        Command::Sim(args) => return sim::run(&args),
    }
    Ok(ExitCode::SUCCESS)
}
