//! `rollouts dev`: the embedded dev cluster, with the Rollout controller running against it, in the
//! foreground until Ctrl-C.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::builder::TypedValueParser;
use rollouts_controller::ControllerConfig;
use rollouts_devcluster::faults::{FaultRule, FaultSettings};
use rollouts_devcluster::sim::{DEFAULT_MAX_PODS, SimConfig};
use rollouts_devcluster::{Config, DataPlaneConfig, DevCluster};

/// Options of `rollouts dev`.
#[derive(clap::Args, Debug)]
pub struct DevArgs {
    /// Where the cluster's state and kubeconfig live [default: $XDG_STATE_HOME/rollouts/dev, or
    /// ~/.local/state/rollouts/dev].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Port on 127.0.0.1 (0: the previous run's port if free, else any).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Port on 127.0.0.1 of the ingress, where requests are routed to pods by Host and path (0: the
    /// previous run's port if free, else any).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub ingress_port: u16,
    /// Port on 127.0.0.1 of the data plane's Prometheus metrics, at /metrics (0: the previous run's
    /// port if free, else any).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub metrics_port: u16,
    /// Inject API errors: `verb=update,resource=replicasets,code=409,rate=0.1` (repeatable).
    #[arg(long, value_name = "SPEC")]
    pub fault: Vec<String>,
    /// Add this many milliseconds of latency to every API request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub fault_latency: u64,
    /// Run the API server (and simulated workloads) alone, without the Rollout controller.
    #[arg(long)]
    pub no_controller: bool,
    /// Pods the simulated node pool runs at once (pods not yet terminated), as a real pool of about
    /// nine nodes at the kubelet's default of 110 pods each would: more stay Pending, Unschedulable,
    /// until room frees up. The simulated controllers also stop creating pods at ten times this many
    /// pod objects (the ReplicaSet reports ReplicaFailure), so that a runaway replica count cannot
    /// exhaust the machine's memory.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PODS,
          value_parser = clap::value_parser!(u32).range(1..).map(|n| usize::try_from(n).unwrap_or(usize::MAX)))]
    pub max_pods: usize,
}

/// The documented default data directory.
pub fn default_data_dir() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))
        .unwrap_or_else(|| PathBuf::from("."));
    state.join("rollouts").join("dev")
}

/// Runs the dev cluster until Ctrl-C (or SIGTERM).
pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let signals = Signals::install();
    let rules = args
        .fault
        .iter()
        .map(|f| FaultRule::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    // Absolute, so that the printed exports work from any directory.
    let data_dir = args.data_dir.unwrap_or_else(default_data_dir);
    let data_dir = std::path::absolute(&data_dir).unwrap_or(data_dir);
    // The project's CRDs are installed (or brought up to date) on every start, before the cluster
    // answers, so that anyone who can connect finds them.
    let crds = rollouts_api::crd::all()?
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd))
        .collect::<Result<Vec<_>, _>>()?;
    let cluster = DevCluster::start(Config {
        install: crds,
        data_dir: Some(data_dir.clone()),
        port: args.port,
        simulation: Some(SimConfig::default().with_max_pods(args.max_pods)),
        dataplane: Some(DataPlaneConfig {
            ingress_port: args.ingress_port,
            metrics_port: args.metrics_port,
            seed: None,
        }),
        ..Config::default()
    })
    .await
    .with_context(|| format!("starting the dev cluster in {}", data_dir.display()))?;
    cluster.server.faults.set(FaultSettings {
        rules,
        latency_millis: args.fault_latency,
    });

    let kubeconfig = cluster.kubeconfig.clone().unwrap_or_default();
    let controller = if args.no_controller {
        None
    } else {
        match start_controller(&kubeconfig).await {
            Ok(controller) => Some(controller),
            Err(error) => {
                cluster.stop().await;
                return Err(error);
            }
        }
    };
    // The plugin is this binary under its kubectl name, in a directory of its own to put on PATH.
    let bin_dir = data_dir.join("bin");
    let plugin = crate::plugin::link_into(&bin_dir);
    // One write, whose failure is ignored: a reader that took the first line and went away (a script
    // waiting for the address, `| head -1`) must not take the cluster down with a broken pipe.
    let mut banner = format!("rollouts dev cluster is running at {}\n", cluster.url());
    banner += &format!("  data directory: {}\n", data_dir.display());
    banner += &format!("  kubeconfig:     {}\n", kubeconfig.display());
    if let Some(addr) = cluster.ingress_addr {
        banner += &format!("  ingress:        http://{addr}\n");
    }
    if let Some(addr) = cluster.metrics_addr {
        banner += &format!("  metrics:        http://{addr}/metrics\n");
    }
    banner += if controller.is_some() {
        "  controller:     running (--no-controller to run the API server alone)\n"
    } else {
        "  controller:     not running (--no-controller)\n"
    };
    banner += "\nPoint kubectl and the kubectl-argo-rollouts plugin at it:\n";
    banner += &format!("  export KUBECONFIG={}\n", shell_word(&kubeconfig));
    match &plugin {
        Ok(_) => banner += &format!("  export PATH={}:$PATH\n", shell_word(&bin_dir)),
        Err(error) => say_err(&format!(
            "warning: cannot put {} into {}: {error}",
            rollouts_cli::PLUGIN_NAME,
            bin_dir.display()
        )),
    }
    banner += "  kubectl get ns\n\n";
    banner += "Ctrl-C stops it; running it again with the same data directory resumes with every object intact.\n";
    say(&banner);
    signals.recv().await;
    say("stopping\n");
    // The controller stops first, so that it does not watch a server going away.
    if let Some(controller) = controller {
        controller.stop().await;
    }
    cluster.stop().await;
    Ok(())
}

/// `path` as one word for a POSIX shell: as it is when it holds no special character, else in single
/// quotes.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The controller running in this process.
struct Controller {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Controller {
    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Starts the controller against the dev cluster, as a client of its API like any other; alone, so
/// without leader election (`ControllerConfig::default()` elects no leader).
async fn start_controller(kubeconfig: &std::path::Path) -> anyhow::Result<Controller> {
    let client = crate::controller::client_from_kubeconfig(kubeconfig).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let task = tokio::spawn(async move {
        if let Err(error) = rollouts_controller::run(client, ControllerConfig::default(), shutdown).await {
            say_err(&format!("the Rollout controller stopped: {error}"));
        }
    });
    Ok(Controller { stop, task })
}

/// Ctrl-C and SIGTERM, listened for from the moment this is created: a signal that arrives while the
/// process is still starting up is then not lost (the default action would kill the process instead
/// of letting it stop cleanly).
pub struct Signals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Starts listening (inside the Tokio runtime).
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// Resolves on the first Ctrl-C or SIGTERM.
    pub async fn recv(self) {
        #[cfg(unix)]
        {
            let (mut interrupt, mut terminate) = (self.interrupt, self.terminate);
            let interrupted = async {
                match interrupt.as_mut() {
                    Some(s) => drop(s.recv().await),
                    None => drop(tokio::signal::ctrl_c().await),
                }
            };
            let terminated = async {
                match terminate.as_mut() {
                    Some(s) => drop(s.recv().await),
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = interrupted => {}
                () = terminated => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Writes `text` to stdout; a closed stdout is not an error worth stopping the cluster for.
fn say(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes the line `text` to stderr, ignoring a closed stderr.
fn say_err(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_paths_are_single_shell_words() {
        assert_eq!(shell_word(Path::new("/tmp/rollouts/dev/bin")), "/tmp/rollouts/dev/bin");
        assert_eq!(shell_word(Path::new("/home/a b/dev")), "'/home/a b/dev'");
        assert_eq!(shell_word(Path::new("/it's/$HOME")), r"'/it'\''s/$HOME'");
    }
}
