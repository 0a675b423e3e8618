//! `kubectl argo rollouts get rollout ROLLOUT_NAME` and `get experiment EXPERIMENT_NAME` (`-w`, `--no-color`,
//! `--timeout-seconds N`): the object with the ReplicaSets, Pods, AnalysisRuns (and, for a Rollout,
//! Experiments) it owns as a tree; with `--watch`, redrawn on every change, with a line under the tree
//! while the API server cannot be reached.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt, stream};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::runtime::reflector::Store;
use rollouts_api::{AnalysisRun, Experiment, Rollout};

use crate::client::resources::{Namespaced, namespaced};
use crate::client::{Connection, is_not_found};
use crate::info::{experiment_info, rollout_info};
use crate::render::{RenderOptions, render_experiment, render_rollout};
use crate::watch::{self, WatchSignal};

/// Clears the terminal and moves the cursor home, as upstream does before each redraw.
pub const CLEAR_SCREEN: &str = "\x1b[H\x1b[2J\x1b[0;0H";

/// The line under the view while a watch is failing (followed by the reason in parentheses).
pub const RECONNECTING: &str = "Connection to the API server lost; reconnecting...";

/// Shortest time between two redraws.
const MIN_REDRAW_INTERVAL: Duration = Duration::from_millis(200);

/// Get details about rollouts and experiments
#[derive(Clone, Debug, clap::Subcommand)]
pub enum GetCommand {
    #[command(visible_aliases = ["ro", "rollouts"])]
    Rollout(GetRolloutArgs),
    #[command(visible_aliases = ["exp", "experiments"])]
    Experiment(GetExperimentArgs),
}

/// Get details about a rollout
#[derive(Clone, Debug, clap::Args)]
pub struct GetRolloutArgs {
    /// Name of the rollout
    #[arg(value_name = "ROLLOUT_NAME")]
    pub name: String,
    #[command(flatten)]
    pub view: ViewOptions,
}

/// Get details about an Experiment
#[derive(Clone, Debug, clap::Args)]
pub struct GetExperimentArgs {
    /// Name of the experiment
    #[arg(value_name = "EXPERIMENT_NAME")]
    pub name: String,
    #[command(flatten)]
    pub view: ViewOptions,
}

/// The flags of both views (`-w` speaks of the rollout in both, as upstream's does).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ViewOptions {
    /// Watch live updates to the rollout
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Do not colorize output
    #[arg(long)]
    pub no_color: bool,
    /// Timeout after specified seconds
    #[arg(long, default_value_t = 0)]
    pub timeout_seconds: u64,
}

impl ViewOptions {
    /// A watch until Ctrl-C, as `create -w` asks for.
    pub fn watching(no_color: bool) -> Self {
        ViewOptions {
            watch: true,
            no_color,
            timeout_seconds: 0,
        }
    }

    fn render(&self) -> RenderOptions {
        RenderOptions {
            color: use_color(self.no_color),
        }
    }
}

/// Runs `get rollout` or `get experiment`.
pub async fn run(conn: &Connection, command: &GetCommand) -> anyhow::Result<()> {
    match command {
        GetCommand::Rollout(args) => show_rollout(conn, &args.name, &args.view).await,
        GetCommand::Experiment(args) => show_experiment(conn, &args.name, &args.view).await,
    }
}

/// Colours are used unless `--no-color`, `TERM=dumb`, or stdout is not a terminal.
pub fn use_color(no_color: bool) -> bool {
    !no_color && std::io::stdout().is_terminal() && std::env::var("TERM").map_or(true, |term| term != "dumb")
}

async fn list_all<K: Namespaced>(conn: &Connection) -> anyhow::Result<Vec<K>> {
    Ok(namespaced::<K>(conn).list(&ListParams::default()).await?.items)
}

/// Reads one object; a missing one is reported as upstream's informer cache reports it
/// (`rollout.argoproj.io "x" not found`), whatever the server's wording.
async fn get_named<K: Namespaced>(conn: &Connection, name: &str) -> anyhow::Result<K> {
    match namespaced::<K>(conn).get(name).await {
        Ok(obj) => Ok(obj),
        Err(e) if is_not_found(&e) => {
            let kind = K::kind(&()).to_lowercase();
            let group = K::group(&());
            anyhow::bail!("{kind}.{group} \"{name}\" not found")
        }
        Err(e) => Err(e.into()),
    }
}

/// Fetches everything the rollout view needs once (all requests in parallel) and renders it.
pub async fn render_once(conn: &Connection, name: &str, render: &RenderOptions) -> anyhow::Result<String> {
    let (ro, replica_sets, pods, runs, experiments) = futures::try_join!(
        get_named::<Rollout>(conn, name),
        list_all::<ReplicaSet>(conn),
        list_all::<Pod>(conn),
        list_all::<AnalysisRun>(conn),
        list_all::<Experiment>(conn),
    )?;
    let info = rollout_info(&ro, &replica_sets, &pods, &runs, &experiments, jiff::Timestamp::now());
    Ok(render_rollout(&info, render))
}

/// Fetches everything the experiment view needs once (all requests in parallel) and renders it.
pub async fn render_experiment_once(conn: &Connection, name: &str, render: &RenderOptions) -> anyhow::Result<String> {
    let (exp, replica_sets, pods, runs) = futures::try_join!(
        get_named::<Experiment>(conn, name),
        list_all::<ReplicaSet>(conn),
        list_all::<Pod>(conn),
        list_all::<AnalysisRun>(conn),
    )?;
    let info = experiment_info(&exp, &replica_sets, &runs, &pods, jiff::Timestamp::now());
    Ok(render_experiment(&info, render))
}

fn cloned<K: kube::Resource<DynamicType = ()> + Clone>(store: &Store<K>) -> Vec<K> {
    store.state().iter().map(|k| (**k).clone()).collect()
}

fn named<K: kube::Resource<DynamicType = ()> + Clone>(store: &Store<K>, name: &str) -> Option<K> {
    store
        .state()
        .into_iter()
        .find(|k| k.meta().name.as_deref() == Some(name))
        .map(|k| (*k).clone())
}

/// The watches of a live view: the signals of each, in the order they were started, and a future per
/// watch that resolves once it has listed its objects.
#[derive(Default)]
struct Watches {
    signals: Vec<BoxStream<'static, WatchSignal>>,
    listed: Vec<BoxFuture<'static, ()>>,
}

impl Watches {
    /// Starts watching the `K` objects of the namespace and returns the store the watch keeps current.
    fn start<K: Namespaced>(&mut self, conn: &Connection) -> Store<K> {
        let (store, signals) = watch::watched(namespaced::<K>(conn));
        self.signals.push(signals.boxed());
        let listed = store.clone();
        self.listed.push(
            async move {
                let _ = listed.wait_until_ready().await;
            }
            .boxed(),
        );
        store
    }
}

/// The stores of the objects a Rollout or an Experiment owns: the namespace's ReplicaSets, Pods and
/// AnalysisRuns.
struct Children {
    replica_sets: Store<ReplicaSet>,
    pods: Store<Pod>,
    runs: Store<AnalysisRun>,
}

impl Children {
    fn start(watches: &mut Watches, conn: &Connection) -> Children {
        Children {
            replica_sets: watches.start(conn),
            pods: watches.start(conn),
            runs: watches.start(conn),
        }
    }
}

/// Prints the rollout once, or (with `--watch`) redraws it on every change of the Rollout or of the
/// objects in its namespace until Ctrl-C or `--timeout-seconds`, which both end with success.
pub async fn show_rollout(conn: &Connection, name: &str, opts: &ViewOptions) -> anyhow::Result<()> {
    let render = opts.render();
    let first = render_once(conn, name, &render).await?;
    show(first, opts, |watches| {
        let children = Children::start(watches, conn);
        let rollouts = watches.start::<Rollout>(conn);
        let experiments = watches.start::<Experiment>(conn);
        move || {
            let ro = named(&rollouts, name)?;
            let info = rollout_info(
                &ro,
                &cloned(&children.replica_sets),
                &cloned(&children.pods),
                &cloned(&children.runs),
                &cloned(&experiments),
                jiff::Timestamp::now(),
            );
            Some(render_rollout(&info, &render))
        }
    })
    .await
}

/// Prints the experiment once, or (with `--watch`) redraws it on every change, like [`show_rollout`].
pub async fn show_experiment(conn: &Connection, name: &str, opts: &ViewOptions) -> anyhow::Result<()> {
    let render = opts.render();
    let first = render_experiment_once(conn, name, &render).await?;
    show(first, opts, |watches| {
        let children = Children::start(watches, conn);
        let experiments = watches.start::<Experiment>(conn);
        move || {
            let exp = named(&experiments, name)?;
            let info = experiment_info(
                &exp,
                &cloned(&children.replica_sets),
                &cloned(&children.runs),
                &cloned(&children.pods),
                jiff::Timestamp::now(),
            );
            Some(render_experiment(&info, &render))
        }
    })
    .await
}

/// Prints `first` and returns, or with `--watch` starts the watches `start` asks for and redraws the view
/// it returns until Ctrl-C or the timeout.
async fn show<V: Fn() -> Option<String>>(
    first: String,
    opts: &ViewOptions,
    start: impl FnOnce(&mut Watches) -> V,
) -> anyhow::Result<()> {
    if !opts.watch {
        return print(&first, false);
    }
    let mut watches = Watches::default();
    let view = start(&mut watches);
    redraw_loop(first, watches, view, opts.timeout_seconds).await
}

fn print(view: &str, clear: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if clear {
        out.write_all(CLEAR_SCREEN.as_bytes())?;
    }
    out.write_all(view.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Redraws the view (at most every 200 ms, checked on each change and every second) until Ctrl-C or the
/// timeout. Until every watch has listed its objects, and while the object is missing (deleted), the
/// last complete view stays on screen, as upstream's does. While a watch is failing, the view carries
/// one [`RECONNECTING`] line, redrawn in place rather than repeated on each retry, and it goes away
/// once every watch has listed afresh.
async fn redraw_loop(
    first: String,
    watches: Watches,
    view: impl Fn() -> Option<String>,
    timeout_seconds: u64,
) -> anyhow::Result<()> {
    let Watches {
        signals: events,
        listed,
    } = watches;
    let ready = futures::future::join_all(listed).map(|_| ());
    // Why each watch (by its place in `events`) is failing, until it works again.
    let mut failing: Vec<Option<String>> = vec![None; events.len()];
    let mut events = stream::select_all(
        events
            .into_iter()
            .enumerate()
            .map(|(i, signals)| signals.map(move |signal| (i, signal))),
    );
    let ready = ready.fuse();
    tokio::pin!(ready);
    let mut synced = false;
    let deadline = async {
        match timeout_seconds {
            0 => std::future::pending().await,
            n => tokio::time::sleep(Duration::from_secs(n)).await,
        }
    };
    tokio::pin!(deadline);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut last_draw: Option<tokio::time::Instant> = None;
    let mut dirty = true;
    let mut shown = first;
    let mut notice: Option<String> = None;
    loop {
        tokio::select! {
            () = &mut deadline => break,
            _ = &mut ctrl_c => break,
            event = events.next() => match event {
                Some((i, WatchSignal::Changed)) => {
                    failing[i] = None;
                    dirty = true;
                }
                Some((i, WatchSignal::Lost(reason))) => failing[i] = Some(reason),
                None => break,
            },
            () = &mut ready, if !synced => {
                synced = true;
                dirty = true;
            },
            _ = ticker.tick() => {}
        }
        let now = failing
            .iter()
            .flatten()
            .next()
            .map(|reason| format!("{RECONNECTING} ({reason})"));
        if now != notice {
            notice = now;
            dirty = true;
        }
        let due = last_draw.is_none_or(|at| at.elapsed() >= MIN_REDRAW_INTERVAL);
        if dirty && due {
            if let Some(next) = view().filter(|_| synced) {
                shown = next;
            }
            print(&with_notice(&shown, notice.as_deref()), true)?;
            last_draw = Some(tokio::time::Instant::now());
            dirty = false;
        }
    }
    Ok(())
}

/// `view` with `notice` on a line of its own under it.
fn with_notice<'a>(view: &'a str, notice: Option<&str>) -> std::borrow::Cow<'a, str> {
    match notice {
        None => view.into(),
        Some(notice) => {
            let gap = if view.ends_with('\n') { "" } else { "\n" };
            format!("{view}{gap}\n{notice}\n").into()
        }
    }
}
