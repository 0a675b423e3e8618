//! The flags of `rollouts controller`: upstream's (`cmd/rollouts-controller/main.go`), with their names
//! and defaults, beside this project's own (`--namespace`, `--metrics-addr`, `--slow-reconcile`).
//! Boolean flags are Go's: `--flag` or `--flag=false`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::cluster::ClusterFlags;

/// Options of `rollouts controller`.
#[derive(clap::Args, Debug)]
pub struct ControllerArgs {
    /// Path to a kubeconfig. Only required if out-of-cluster [default: $KUBECONFIG, else
    /// ~/.kube/config, else the in-cluster service account].
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterFlags,
    /// Watch only this namespace (wins over --namespaced).
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Runs controller in namespaced mode (does not require cluster RBAC): watch only the
    /// controller's namespace ($POD_NAMESPACE, else the service account's, else argo-rollouts).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_go_bool)]
    pub namespaced: bool,
    /// Indicates which argo rollout objects the controller should operate on: those labelled
    /// argo-rollouts.argoproj.io/controller-instance-id=<ID> (none: only those without the label).
    #[arg(long, value_name = "ID", default_value = "", value_parser = parse_instance_id)]
    pub instance_id: String,
    /// How often every Rollout is reconciled even when nothing changed: seconds, or a duration such as
    /// `15m`.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_positive_duration)]
    pub rollout_resync: Duration,
    /// Set the logging level. One of: debug|info|warn|error ($ROLLOUTS_LOG, when set, wins).
    #[arg(long, value_name = "LEVEL", default_value = "info", value_parser = parse_log_level)]
    pub loglevel: tracing::Level,
    /// Set the logging format. One of: text|json [default: text].
    #[arg(long, value_name = "FORMAT", default_value = "")]
    pub logformat: String,
    /// Set the klog logging level: above 0, the Kubernetes client's own debug logs.
    #[arg(long, value_name = "N", default_value_t = 0, allow_negative_numbers = true)]
    pub kloglevel: i32,
    /// Set the port the metrics endpoint should be exposed over, on 0.0.0.0 [default: 8090; 0: any
    /// free port].
    #[arg(long = "metricsPort", value_name = "PORT")]
    pub metrics_port: Option<u16>,
    /// Deprecated: use --metricsPort.
    #[arg(
        long = "metricsport",
        value_name = "PORT",
        hide = true,
        conflicts_with = "metrics_port"
    )]
    pub metrics_port_deprecated: Option<u16>,
    /// Set the port the healthz endpoint should be exposed over, on 0.0.0.0 [default: 8080; 0: any
    /// free port].
    #[arg(long = "healthzPort", value_name = "PORT")]
    pub healthz_port: Option<u16>,
    /// Serve Prometheus `/metrics` and `/healthz` together on this address (e.g. 127.0.0.1:8090)
    /// instead of on --metricsPort and --healthzPort.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Maximum QPS (queries per second) to the K8s API server (negative: no limit).
    #[arg(long, value_name = "QPS", default_value_t = 40.0, allow_negative_numbers = true)]
    pub qps: f32,
    /// Maximum burst for throttle.
    #[arg(long, value_name = "N", default_value_t = 80)]
    pub burst: u32,
    /// Set the number of worker threads for the Rollout controller.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub rollout_threads: u16,
    /// Set the number of worker threads for the Experiment controller.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub experiment_threads: u16,
    /// Set the number of worker threads for the AnalysisRun controller.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..))]
    pub analysis_threads: u16,
    /// Set the number of worker threads for the Service controller.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub service_threads: u16,
    /// Accepted for upstream's Ingress controller, which has no counterpart here: canary Ingresses
    /// are owned by their Rollout and go with it.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub ingress_threads: u32,
    /// Accepted; ephemeral pod metadata is updated within the Rollout's reconcile here.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub ephemeral_metadata_threads: u32,
    /// Accepted; ephemeral pod metadata is updated within the Rollout's reconcile here.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub ephemeral_metadata_update_pod_retries: u32,
    /// Log (with its key) and count a reconcile that runs longer than this: seconds, or a duration such
    /// as `30s`.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_positive_duration)]
    pub slow_reconcile: Duration,
    /// API version of Istio's VirtualServices and DestinationRules (e.g. v1alpha3, v1beta1, v1);
    /// by default the version the cluster prefers.
    #[arg(long, value_name = "VERSION")]
    pub istio_api_version: Option<String>,
    /// API version of SMI TrafficSplits (v1alpha1, v1alpha2, v1alpha3 or v1alpha4); by default the
    /// version the cluster prefers.
    #[arg(long, value_name = "VERSION", value_parser = parse_split_version)]
    pub traffic_split_api_version: Option<String>,
    /// The Ingress apiVersion: networking.k8s.io/v1, the only one read here [default: auto].
    #[arg(long, value_name = "VERSION", value_parser = parse_ingress_version)]
    pub ingress_api_version: Option<String>,
    #[command(flatten)]
    pub unsupported: UnsupportedRouterFlags,
    /// If true, controller will perform leader election between instances to ensure no more than one
    /// instance of controller operates at a time.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = parse_go_bool)]
    pub leader_elect: bool,
    /// How long non-leader candidates wait after observing a leadership renewal until attempting to
    /// acquire an unrenewed lease: the longest a stopped leader goes unreplaced.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_positive_duration)]
    pub leader_election_lease_duration: Duration,
    /// How long the leader keeps trying to renew the lease before it stops leading (less than the
    /// lease duration).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_positive_duration)]
    pub leader_election_renew_deadline: Duration,
    /// How long candidates wait between attempts to acquire or renew the lease.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_positive_duration)]
    pub leader_election_retry_period: Duration,
    /// Explicitly specify the list of controllers to run; upstream supports only 'analysis', not
    /// supported here yet [default: all controllers].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub controllers: Vec<String>,
}

/// Upstream flags for traffic routers and integrations. Those that are not supported are accepted
/// so that upstream's manifests start this controller, each logging a warning when given (see
/// [`super::unsupported`]).
#[derive(clap::Args, Debug, Default)]
pub struct UnsupportedRouterFlags {
    /// Not supported yet: the default AWS TargetGroupBinding apiVersion [upstream default:
    /// elbv2.k8s.aws/v1beta1].
    #[arg(long, value_name = "VERSION")]
    pub aws_target_group_binding_api_version: Option<String>,
    /// Not supported yet: the AWS LoadBalancer tag key for the resource ID [upstream default:
    /// ingress.k8s.aws/resource].
    #[arg(long, value_name = "KEY")]
    pub alb_tag_key_resource_id: Option<String>,
    /// The Ambassador apiVersion [default: getambassador.io/v2].
    #[arg(long, value_name = "VERSION")]
    pub ambassador_api_version: Option<String>,
    /// The Traefik apiGroup [default: traefik.io].
    #[arg(long, value_name = "GROUP")]
    pub traefik_api_group: Option<String>,
    /// The Traefik apiVersion [default: traefik.io/v1alpha1].
    #[arg(long, value_name = "VERSION")]
    pub traefik_api_version: Option<String>,
    /// The AppMesh CRD version [default: v1beta2].
    #[arg(long, value_name = "VERSION")]
    pub appmesh_crd_version: Option<String>,
    /// The ingress classes of the ALB ingress controller: on their Ingresses, the actions of Rollouts
    /// that no longer use them are reset.
    #[arg(long, value_name = "CLASS", default_value = "alb")]
    pub alb_ingress_classes: Vec<String>,
    /// Accepted, no effect: the ingress classes of the NGINX ingress controller [upstream default:
    /// nginx]; the NGINX router here writes the canary Ingress whatever the class.
    #[arg(long, value_name = "CLASS")]
    pub nginx_ingress_classes: Vec<String>,
    /// Not supported yet: verify ALB target groups before progressing (no AWS API is ever called).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_go_bool)]
    pub aws_verify_target_group: bool,
    /// Deprecated (use --aws-verify-target-group); not supported yet.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_go_bool, hide = true)]
    pub alb_verify_weight: bool,
    /// Not supported yet (there are no notifications yet): read notification configuration from
    /// the Rollout's namespace too.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_go_bool)]
    pub self_service_notification_enabled: bool,
    /// Not supported: there is no pprof profiling server here.
    #[arg(long, value_name = "ADDR")]
    pub enable_pprof_address: Option<String>,
}

/// A Go `strconv.ParseBool` boolean.
pub fn parse_go_bool(value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("invalid boolean {value:?}: use true or false")),
    }
}

/// A positive duration: a whole number of seconds (upstream's `--rollout-resync`) or a Go duration.
pub fn parse_positive_duration(value: &str) -> Result<Duration, String> {
    let duration = match value.trim().parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => rollouts_api::duration::parse(value.trim()).map_err(|e| e.to_string())?,
    };
    if duration.is_zero() {
        return Err("must be greater than zero".to_string());
    }
    Ok(duration)
}

/// A logrus level name (`warning` and `warn` alike; `panic` and `fatal` log errors only).
pub fn parse_log_level(value: &str) -> Result<tracing::Level, String> {
    match value.to_ascii_lowercase().as_str() {
        "panic" | "fatal" | "error" => Ok(tracing::Level::ERROR),
        "warn" | "warning" => Ok(tracing::Level::WARN),
        "info" => Ok(tracing::Level::INFO),
        "debug" => Ok(tracing::Level::DEBUG),
        "trace" => Ok(tracing::Level::TRACE),
        _ => Err(format!(
            "not a valid log level {value:?}: one of debug, info, warn, error"
        )),
    }
}

/// An `--instance-id`: a label value (at most 63 characters: letters, digits, `-`, `_` and `.`,
/// beginning and ending with a letter or digit), or empty.
pub fn parse_instance_id(value: &str) -> Result<String, String> {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let valid = value.is_empty()
        || (value.len() <= 63
            && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && alnum(value.chars().next())
            && alnum(value.chars().last()));
    if valid {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{value:?} is not a valid label value: at most 63 letters, digits, '-', '_' or '.', \
             beginning and ending with a letter or digit"
        ))
    }
}

/// Checks `--traffic-split-api-version`.
fn parse_split_version(value: &str) -> Result<String, String> {
    value
        .parse::<rollouts_core::traffic::smi::SplitVersion>()
        .map(|v| v.to_string())
        .map_err(|e| e.to_string())
}

/// Checks `--ingress-api-version`: only `networking.k8s.io/v1` Ingresses are read here.
fn parse_ingress_version(value: &str) -> Result<String, String> {
    match value {
        "" | "networking.k8s.io/v1" => Ok(value.to_string()),
        "extensions/v1beta1" | "networking.k8s.io/v1beta1" => Err(format!(
            "{value} Ingresses are not supported: only networking.k8s.io/v1 is read (served since Kubernetes 1.19)"
        )),
        _ => Err(format!(
            "unknown Ingress apiVersion {value:?}: use networking.k8s.io/v1"
        )),
    }
}

/// Where `/metrics` and `/healthz` are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoints {
    /// `/metrics` (and `/healthz` too).
    pub metrics: SocketAddr,
    /// `/healthz` alone, when not on the metrics address.
    pub healthz: Option<SocketAddr>,
}

/// Upstream's default metrics port.
pub const DEFAULT_METRICS_PORT: u16 = 8090;
/// Upstream's default healthz port.
pub const DEFAULT_HEALTHZ_PORT: u16 = 8080;

impl ControllerArgs {
    /// Where to serve: `--metrics-addr` (both endpoints there, and `/healthz` on `--healthzPort` too
    /// only when that is given), else `--metricsPort` and `--healthzPort` on 0.0.0.0 as upstream.
    pub fn endpoints(&self) -> Endpoints {
        let any = |port| SocketAddr::from(([0, 0, 0, 0], port));
        if let Some(metrics) = self.metrics_addr {
            return Endpoints {
                metrics,
                healthz: self.healthz_port.map(any),
            };
        }
        let metrics_port = self
            .metrics_port
            .or(self.metrics_port_deprecated)
            .unwrap_or(DEFAULT_METRICS_PORT);
        let healthz_port = self.healthz_port.unwrap_or(DEFAULT_HEALTHZ_PORT);
        Endpoints {
            metrics: any(metrics_port),
            // Port 0 asks for a free port each, so never the same server.
            healthz: (healthz_port != metrics_port || healthz_port == 0).then(|| any(healthz_port)),
        }
    }

    /// Checks what the parser cannot: the controllers asked for.
    pub fn check_controllers(&self) -> Result<(), String> {
        // An empty item is no controller, as in a Go string slice (`--controllers=`).
        let named = || self.controllers.iter().filter(|c| !c.is_empty());
        if let Some(unknown) = named().find(|c| *c != "analysis") {
            return Err(format!("unsupported controller: {unknown}"));
        }
        if named().next().is_some() {
            return Err(
                "--controllers=analysis (running only the AnalysisRun controller) is not supported yet".to_string(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ControllerArgs,
    }

    fn parse(args: &[&str]) -> Result<ControllerArgs, String> {
        Cli::try_parse_from(std::iter::once("controller").chain(args.iter().copied()))
            .map(|cli| cli.args)
            .map_err(|e| e.to_string())
    }

    fn ok(args: &[&str]) -> ControllerArgs {
        parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn defaults_are_upstream_s() {
        let args = ok(&[]);
        assert!(args.leader_elect);
        assert!(!args.namespaced);
        assert_eq!(args.instance_id, "");
        assert_eq!(args.leader_election_lease_duration, Duration::from_secs(15));
        assert_eq!(args.leader_election_renew_deadline, Duration::from_secs(10));
        assert_eq!(args.leader_election_retry_period, Duration::from_secs(2));
        assert_eq!(args.loglevel, tracing::Level::INFO);
        assert_eq!(args.qps, 40.0);
        assert_eq!(args.burst, 80);
        assert_eq!(args.rollout_threads, 10);
        assert_eq!(args.analysis_threads, 30);
        assert_eq!(args.rollout_resync, Duration::from_secs(900));
        assert_eq!(
            args.endpoints(),
            Endpoints {
                metrics: "0.0.0.0:8090".parse().unwrap(),
                healthz: Some("0.0.0.0:8080".parse().unwrap()),
            }
        );
    }

    #[test]
    fn booleans_are_go_s() {
        assert!(!ok(&["--leader-elect=false"]).leader_elect);
        assert!(ok(&["--leader-elect"]).leader_elect);
        assert!(ok(&["--leader-elect=true"]).leader_elect);
        assert!(ok(&["--namespaced"]).namespaced);
        assert!(!ok(&["--namespaced=0"]).namespaced);
        // As in Go, a separate word is not the flag's value.
        assert!(parse(&["--leader-elect", "false"]).is_err());
        assert!(
            parse(&["--leader-elect=maybe"])
                .unwrap_err()
                .contains("invalid boolean")
        );
    }

    #[test]
    fn durations_take_go_durations_or_seconds() {
        let args = ok(&[
            "--leader-election-lease-duration=3s",
            "--leader-election-renew-deadline",
            "2s",
            "--leader-election-retry-period=500ms",
            "--rollout-resync=60",
        ]);
        assert_eq!(args.leader_election_lease_duration, Duration::from_secs(3));
        assert_eq!(args.leader_election_renew_deadline, Duration::from_secs(2));
        assert_eq!(args.leader_election_retry_period, Duration::from_millis(500));
        assert_eq!(args.rollout_resync, Duration::from_secs(60));
        assert!(parse(&["--leader-election-retry-period=0s"]).is_err());
        assert!(parse(&["--rollout-resync=soon"]).is_err());
    }

    #[test]
    fn ports_and_addresses() {
        let args = ok(&["--metricsPort=9100", "--healthzPort=9101"]);
        assert_eq!(args.endpoints().metrics, "0.0.0.0:9100".parse().unwrap());
        assert_eq!(args.endpoints().healthz, Some("0.0.0.0:9101".parse().unwrap()));
        assert_eq!(
            ok(&["--metricsport=9200"]).endpoints().metrics,
            "0.0.0.0:9200".parse().unwrap()
        );
        assert!(parse(&["--metricsport=1", "--metricsPort=2"]).is_err());
        // One port for both: one server.
        assert_eq!(
            ok(&["--metricsPort=9100", "--healthzPort=9100"]).endpoints().healthz,
            None
        );
        // Port 0: a free port each.
        assert_eq!(
            ok(&["--metricsPort=0", "--healthzPort=0"]).endpoints().healthz,
            Some("0.0.0.0:0".parse().unwrap())
        );
        // --metrics-addr wins, and serves /healthz too.
        let args = ok(&["--metrics-addr=127.0.0.1:7000", "--metricsPort=9100"]);
        assert_eq!(
            args.endpoints(),
            Endpoints {
                metrics: "127.0.0.1:7000".parse().unwrap(),
                healthz: None
            }
        );
        assert_eq!(
            ok(&["--metrics-addr=127.0.0.1:7000", "--healthzPort=7001"])
                .endpoints()
                .healthz,
            Some("0.0.0.0:7001".parse().unwrap())
        );
    }

    #[test]
    fn log_levels_are_logrus_names() {
        assert_eq!(ok(&["--loglevel=debug"]).loglevel, tracing::Level::DEBUG);
        assert_eq!(ok(&["--loglevel=warning"]).loglevel, tracing::Level::WARN);
        assert_eq!(ok(&["--loglevel=ERROR"]).loglevel, tracing::Level::ERROR);
        assert!(
            parse(&["--loglevel=loud"])
                .unwrap_err()
                .contains("not a valid log level")
        );
        assert_eq!(ok(&["--kloglevel=4"]).kloglevel, 4);
        assert_eq!(ok(&["--logformat=json"]).logformat, "json");
    }

    #[test]
    fn instance_ids_are_label_values() {
        assert_eq!(ok(&["--instance-id=blue-1"]).instance_id, "blue-1");
        for bad in ["-blue", "blue_", "a b", &"x".repeat(64)] {
            let error = parse(&[&format!("--instance-id={bad}")]).unwrap_err();
            assert!(error.contains("not a valid label value"), "{bad}: {error}");
        }
    }

    #[test]
    fn throttle_flags() {
        let args = ok(&["--qps=-1", "--burst=5"]);
        assert_eq!(args.qps, -1.0);
        assert_eq!(args.burst, 5);
        assert!(parse(&["--burst=-1"]).is_err());
    }

    #[test]
    fn every_upstream_flag_is_accepted() {
        let args = ok(&[
            "--ingress-threads=5",
            "--ephemeral-metadata-threads=5",
            "--ephemeral-metadata-update-pod-retries=5",
            "--aws-target-group-binding-api-version=elbv2.k8s.aws/v1beta1",
            "--alb-tag-key-resource-id=ingress.k8s.aws/resource",
            "--istio-api-version=v1beta1",
            "--ambassador-api-version=getambassador.io/v2",
            "--traffic-split-api-version=v1alpha3",
            "--traefik-api-group=traefik.io",
            "--traefik-api-version=traefik.io/v1alpha1",
            "--ingress-api-version=networking.k8s.io/v1",
            "--appmesh-crd-version=v1beta2",
            "--alb-ingress-classes=alb",
            "--alb-ingress-classes=internal-alb",
            "--nginx-ingress-classes=nginx",
            "--aws-verify-target-group",
            "--alb-verify-weight=false",
            "--self-service-notification-enabled=false",
            "--controllers=",
            "--enable-pprof-address=",
            "--kloglevel=0",
            "--instance-id=",
            "--context=c",
            "--cluster=c",
            "--user=u",
            "--server=https://127.0.0.1:6443",
            "--insecure-skip-tls-verify",
            "--as=system:serviceaccount:argo-rollouts:argo-rollouts",
            "--as-group=g",
            "--request-timeout=0",
        ]);
        assert_eq!(args.unsupported.alb_ingress_classes, ["alb", "internal-alb"]);
        assert!(args.unsupported.aws_verify_target_group);
        assert!(args.cluster.insecure_skip_tls_verify);
        assert_eq!(args.check_controllers(), Ok(()));
    }

    #[test]
    fn what_cannot_work_is_refused_clearly() {
        let error = parse(&["--ingress-api-version=extensions/v1beta1"]).unwrap_err();
        assert!(error.contains("only networking.k8s.io/v1 is read"), "{error}");
        assert_eq!(
            ok(&["--controllers=analysis"]).check_controllers(),
            Err("--controllers=analysis (running only the AnalysisRun controller) is not supported yet".into())
        );
        assert_eq!(
            ok(&["--controllers=rollouts"]).check_controllers(),
            Err("unsupported controller: rollouts".into())
        );
    }
}
