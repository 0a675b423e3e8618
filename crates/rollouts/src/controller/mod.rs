//! `rollouts controller`: the controllers against a cluster, as upstream's `rollouts-controller` runs:
//! its flags, in-cluster configuration, leader election, the metrics and health ports, logrus-like
//! logs.

mod cluster;
mod flags;
pub mod logging;
mod namespace;
mod unsupported;

use anyhow::Context as _;
use rollouts_controller::{ControllerConfig, LeaderElection, RateLimit};

pub use cluster::client_from_kubeconfig;
pub use flags::ControllerArgs;

/// Installs the controller's log subscriber as its flags say.
pub fn init_logging(args: &ControllerArgs) {
    let (format, unknown) = logging::parse_format(&args.logformat);
    logging::init(args.loglevel, format, args.kloglevel);
    if let Some(warning) = unknown {
        tracing::warn!("{warning}");
    }
}

/// Runs the controller until Ctrl-C (or SIGTERM). Exits with an error when it loses the leader lease,
/// as upstream's process exits, so that its pod restarts and campaigns again.
pub async fn run(args: ControllerArgs) -> anyhow::Result<()> {
    let signals = crate::dev::Signals::install();
    args.check_controllers().map_err(anyhow::Error::msg)?;
    for warning in unsupported::warnings(&args) {
        tracing::warn!("{warning}");
    }
    let (config, source) = cluster::config(args.kubeconfig.as_deref(), &args.cluster).await?;
    let client = kube::Client::try_from(config).context("building the API client")?;
    let own_namespace = namespace::controller_namespace();
    let watched = namespace::watched(args.namespace.as_deref(), args.namespaced, || own_namespace.clone());
    let endpoints = args.endpoints();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        namespace = watched.as_deref().unwrap_or(""),
        instanceID = %args.instance_id,
        metricsAddr = %endpoints.metrics,
        healthzAddr = %endpoints.healthz.unwrap_or(endpoints.metrics),
        config = %match &source {
            cluster::Source::Kubeconfig(path) => path.as_str(),
            cluster::Source::InCluster => "in-cluster",
        },
        "Argo Rollouts controller starting"
    );
    let leader_election = if args.leader_elect {
        Some(LeaderElection {
            lease_duration: args.leader_election_lease_duration,
            renew_deadline: args.leader_election_renew_deadline,
            retry_period: args.leader_election_retry_period,
            ..LeaderElection::new(own_namespace, &args.instance_id)
        })
    } else {
        tracing::info!("Leader election is turned off. Running in single-instance mode");
        None
    };
    let config = ControllerConfig {
        resync: args.rollout_resync,
        metrics_addr: Some(endpoints.metrics),
        healthz_addr: endpoints.healthz,
        namespace: watched,
        instance_id: args.instance_id,
        leader_election,
        rate_limit: RateLimit::from_flags(args.qps, args.burst),
        analysis_concurrency: args.analysis_threads,
        concurrency: args.rollout_threads,
        service_concurrency: args.service_threads,
        experiment_concurrency: args.experiment_threads,
        slow_reconcile: args.slow_reconcile,
        routing: rollouts_core::traffic::RoutingSettings {
            traffic_split_api_version: args.traffic_split_api_version,
            istio_api_version: args.istio_api_version,
            traefik_api_group: args.unsupported.traefik_api_group,
            traefik_api_version: args.unsupported.traefik_api_version,
            ambassador_api_version: args.unsupported.ambassador_api_version,
            appmesh_crd_version: args.unsupported.appmesh_crd_version,
        },
        alb_ingress_classes: args.unsupported.alb_ingress_classes,
        ..ControllerConfig::default()
    };
    rollouts_controller::run(client, config, signals.recv()).await?;
    Ok(())
}
