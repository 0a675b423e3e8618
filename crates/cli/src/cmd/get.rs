//! `kubectl argo rollouts get rollout ROLLOUT_NAME [-w] [--no-color] [--timeout-seconds N]`: the Rollout with
//! its ReplicaSets, Pods, AnalysisRuns and Experiments as a tree; with `--watch`, redrawn on every change.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use futures::{Stream, StreamExt, stream};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use rollouts_api::{AnalysisRun, Experiment, Rollout};
use serde::de::DeserializeOwned;

use crate::client::Connection;
use crate::info::rollout_info;
use crate::render::{RenderOptions, render_rollout};

/// Clears the terminal and moves the cursor home, as upstream does before each redraw.
pub const CLEAR_SCREEN: &str = "\x1b[H\x1b[2J\x1b[0;0H";

/// Shortest time between two redraws.
const MIN_REDRAW_INTERVAL: Duration = Duration::from_millis(200);

/// Flags of `get rollout`.
#[derive(Clone, Debug, Default)]
pub struct GetRolloutOptions {
    /// `-w/--watch`.
    pub watch: bool,
    /// `--no-color`.
    pub no_color: bool,
    /// `--timeout-seconds` (0: no timeout).
    pub timeout_seconds: u64,
}

/// Colours are used unless `--no-color`, `TERM=dumb`, or stdout is not a terminal.
pub fn use_color(no_color: bool) -> bool {
    !no_color && std::io::stdout().is_terminal() && std::env::var("TERM").map_or(true, |term| term != "dumb")
}

async fn list_all<K>(conn: &Connection) -> anyhow::Result<Vec<K>>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(conn.client.clone(), &conn.namespace);
    Ok(api.list(&ListParams::default()).await?.items)
}

/// Fetches everything the view needs once and renders it.
pub async fn render_once(conn: &Connection, name: &str, render: &RenderOptions) -> anyhow::Result<String> {
    let rollouts: Api<Rollout> = Api::namespaced(conn.client.clone(), &conn.namespace);
    let ro = rollouts.get(name).await?;
    let (replica_sets, pods, runs, experiments) = futures::try_join!(
        list_all::<ReplicaSet>(conn),
        list_all::<Pod>(conn),
        list_all::<AnalysisRun>(conn),
        list_all::<Experiment>(conn),
    )?;
    let info = rollout_info(&ro, &replica_sets, &pods, &runs, &experiments, jiff::Timestamp::now());
    Ok(render_rollout(&info, render))
}

fn cloned<K: kube::Resource<DynamicType = ()> + Clone>(store: &Store<K>) -> Vec<K> {
    store.state().iter().map(|k| (**k).clone()).collect()
}

fn watched<K>(conn: &Connection) -> (Store<K>, impl Stream<Item = ()> + Send + use<K>)
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let api: Api<K> = Api::namespaced(conn.client.clone(), &conn.namespace);
    let (reader, writer) = reflector::store();
    let events = reflector::reflector(writer, watcher(api, watcher::Config::default()))
        .default_backoff()
        .map(|_| ());
    (reader, events)
}

struct Stores {
    rollouts: Store<Rollout>,
    replica_sets: Store<ReplicaSet>,
    pods: Store<Pod>,
    runs: Store<AnalysisRun>,
    experiments: Store<Experiment>,
}

impl Stores {
    fn render(&self, name: &str, render: &RenderOptions) -> Option<String> {
        let ro = self
            .rollouts
            .state()
            .into_iter()
            .find(|ro| ro.metadata.name.as_deref() == Some(name))?;
        let info = rollout_info(
            &ro,
            &cloned(&self.replica_sets),
            &cloned(&self.pods),
            &cloned(&self.runs),
            &cloned(&self.experiments),
            jiff::Timestamp::now(),
        );
        Some(render_rollout(&info, render))
    }
}

/// Prints the rollout once, or (with `--watch`) redraws it on every change of the Rollout or of the
/// objects in its namespace until Ctrl-C or `--timeout-seconds`, which both end with success.
pub async fn run(conn: &Connection, name: &str, opts: &GetRolloutOptions) -> anyhow::Result<()> {
    let render = RenderOptions {
        color: use_color(opts.no_color),
    };
    let first = render_once(conn, name, &render).await?;
    let mut out = std::io::stdout().lock();
    if !opts.watch {
        out.write_all(first.as_bytes())?;
        out.flush()?;
        return Ok(());
    }
    drop(out);
    let (rollouts, ro_events) = watched::<Rollout>(conn);
    let (replica_sets, rs_events) = watched::<ReplicaSet>(conn);
    let (pods, pod_events) = watched::<Pod>(conn);
    let (runs, run_events) = watched::<AnalysisRun>(conn);
    let (experiments, exp_events) = watched::<Experiment>(conn);
    let stores = Stores {
        rollouts,
        replica_sets,
        pods,
        runs,
        experiments,
    };
    let mut events = stream::select_all([
        ro_events.boxed(),
        rs_events.boxed(),
        pod_events.boxed(),
        run_events.boxed(),
        exp_events.boxed(),
    ]);
    let deadline = async {
        match opts.timeout_seconds {
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
    loop {
        tokio::select! {
            _ = &mut deadline => break,
            _ = &mut ctrl_c => break,
            event = events.next() => match event {
                Some(()) => dirty = true,
                None => break,
            },
            _ = ticker.tick() => {}
        }
        let due = last_draw.is_none_or(|at| at.elapsed() >= MIN_REDRAW_INTERVAL);
        if dirty && due {
            if let Some(view) = stores.render(name, &render) {
                shown = view;
            }
            let mut out = std::io::stdout().lock();
            out.write_all(CLEAR_SCREEN.as_bytes())?;
            out.write_all(shown.as_bytes())?;
            out.flush()?;
            last_draw = Some(tokio::time::Instant::now());
            dirty = false;
        }
    }
    Ok(())
}
