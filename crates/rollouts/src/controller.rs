//! `rollouts controller`: the Rollout controller against the cluster of the current kubeconfig.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use kube::config::{KubeConfigOptions, Kubeconfig};
use rollouts_controller::ControllerConfig;

/// Options of `rollouts controller`.
#[derive(clap::Args, Debug)]
pub struct ControllerArgs {
    /// Path to a kubeconfig [default: $KUBECONFIG, else ~/.kube/config, else the in-cluster service
    /// account].
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Watch only this namespace.
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// How often every Rollout is reconciled even when nothing changed: seconds, or a duration such as
    /// `15m`.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_resync)]
    pub rollout_resync: Duration,
    /// Serve Prometheus `/metrics` and `/healthz` on this address (e.g. 127.0.0.1:8090).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// How many AnalysisRuns are reconciled at once at most.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..))]
    pub analysis_threads: u16,
    /// How many Rollouts are reconciled at once at most.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub rollout_threads: u16,
    /// How many Services are reconciled at once at most (releasing those no Rollout references any more).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub service_threads: u16,
    /// How many Experiments are reconciled at once at most.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub experiment_threads: u16,
    /// Log (with its key) and count a reconcile that runs longer than this: seconds, or a duration such
    /// as `30s`.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_resync)]
    pub slow_reconcile: Duration,
    /// API version of Istio's VirtualServices and DestinationRules (e.g. v1alpha3, v1beta1, v1);
    /// by default the version the cluster prefers.
    #[arg(long, value_name = "VERSION")]
    pub istio_api_version: Option<String>,
    /// API version of SMI TrafficSplits (v1alpha1, v1alpha2, v1alpha3 or v1alpha4); by default the
    /// version the cluster prefers.
    #[arg(long, value_name = "VERSION", value_parser = parse_split_version)]
    pub traffic_split_api_version: Option<String>,
}

/// Checks `--traffic-split-api-version`.
fn parse_split_version(value: &str) -> Result<String, String> {
    value
        .parse::<rollouts_core::traffic::smi::SplitVersion>()
        .map(|v| v.to_string())
        .map_err(|e| e.to_string())
}

/// Parses `--rollout-resync` and `--slow-reconcile`: a whole number of seconds (upstream's form) or a Go duration.
fn parse_resync(value: &str) -> Result<Duration, String> {
    let duration = match value.trim().parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => rollouts_api::duration::parse(value.trim()).map_err(|e| e.to_string())?,
    };
    if duration.is_zero() {
        return Err("must be greater than zero".to_string());
    }
    Ok(duration)
}

/// A client for the cluster of the kubeconfig at `path` (its current context).
pub async fn client_from_kubeconfig(path: &Path) -> anyhow::Result<kube::Client> {
    let kubeconfig =
        Kubeconfig::read_from(path).with_context(|| format!("reading the kubeconfig {}", path.display()))?;
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .with_context(|| format!("loading the kubeconfig {}", path.display()))?;
    kube::Client::try_from(config).context("building the API client")
}

/// Runs the controller until Ctrl-C (or SIGTERM).
pub async fn run(args: ControllerArgs) -> anyhow::Result<()> {
    let signals = crate::dev::Signals::install();
    let client = match &args.kubeconfig {
        Some(path) => client_from_kubeconfig(path).await?,
        None => kube::Client::try_default()
            .await
            .context("loading the kubeconfig (set KUBECONFIG or pass --kubeconfig)")?,
    };
    let config = ControllerConfig {
        resync: args.rollout_resync,
        metrics_addr: args.metrics_addr,
        namespace: args.namespace,
        analysis_concurrency: args.analysis_threads,
        concurrency: args.rollout_threads,
        service_concurrency: args.service_threads,
        experiment_concurrency: args.experiment_threads,
        slow_reconcile: args.slow_reconcile,
        routing: rollouts_core::traffic::RoutingSettings {
            traffic_split_api_version: args.traffic_split_api_version,
            istio_api_version: args.istio_api_version,
        },
        ..ControllerConfig::default()
    };
    rollouts_controller::run(client, config, signals.recv()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resync_takes_seconds_or_go_durations() {
        assert_eq!(parse_resync("900"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_resync("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_resync("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_resync("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_resync("0").is_err());
        assert!(parse_resync("0s").is_err());
        assert!(parse_resync("soon").is_err());
        assert!(parse_resync("-5m").is_err());
    }
}
