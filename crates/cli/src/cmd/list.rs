//! `kubectl argo rollouts list rollouts [--name NAME] [-A] [-w] [--timestamps]`: one table row per
//! rollout; with `--watch`, a new row each time a rollout's row changes. `list experiments [-A]`: one
//! row per experiment.

use std::collections::HashMap;

use futures::StreamExt;
use jiff::Timestamp;
use kube::api::{Api, ListParams};
use kube::runtime::{WatchStreamExt, watcher};
use rollouts_api::{Experiment, Rollout};

use crate::client::Connection;
use crate::client::resources::in_scope;
use crate::info::age::{age, human_duration};
use crate::info::current_set_weight;
use crate::info::phase::get_rollout_phase;
use crate::render::tabwriter::align;

/// Header of the table, before the optional `NAMESPACE` / `TIMESTAMP` columns.
pub const HEADER: &str = "NAME\tSTRATEGY\tSTATUS\tSTEP\tSET-WEIGHT\tREADY\tDESIRED\tUP-TO-DATE\tAVAILABLE\n";

/// List rollouts or experiments
#[derive(Clone, Debug, clap::Subcommand)]
pub enum ListCommand {
    #[command(visible_aliases = ["ro", "rollout"])]
    Rollouts(ListRolloutsArgs),
    #[command(visible_aliases = ["exp", "experiment"])]
    Experiments(ListExperimentsArgs),
}

/// List rollouts
///
/// This command lists all of the rollouts for a specified namespace (uses current namespace context if
/// namespace not specified).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ListRolloutsArgs {
    /// Only show rollout with specified name
    #[arg(long)]
    pub name: Option<String>,
    /// Include all namespaces
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Watch for changes
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Print timestamps on updates
    #[arg(long)]
    pub timestamps: bool,
}

/// List experiments
///
/// This command lists all of the experiments for a specified namespace (uses current namespace context if
/// namespace not specified).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ListExperimentsArgs {
    /// Include all namespaces
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// Runs `list rollouts` or `list experiments`; `No resources found.` goes to `err`.
pub async fn run(
    conn: &Connection,
    command: &ListCommand,
    out: &mut impl std::io::Write,
    err: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    match command {
        ListCommand::Rollouts(args) => run_rollouts(conn, args, out, err).await,
        ListCommand::Experiments(args) => run_experiments(conn, args.all_namespaces, out, err).await,
    }
}

/// The columns of one rollout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutRow {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `Canary`, `BlueGreen` or `unknown`.
    pub strategy: String,
    /// The phase.
    pub status: String,
    /// `<index>/<steps>` or `-`.
    pub step: String,
    /// The desired canary weight, or `-`.
    pub set_weight: String,
    /// `<ready>/<current>` replicas.
    pub ready: String,
    /// Desired replicas.
    pub desired: i32,
    /// Up-to-date replicas.
    pub up_to_date: i32,
    /// Available replicas.
    pub available: i32,
}

impl RolloutRow {
    /// The row of a rollout.
    pub fn new(ro: &Rollout) -> Self {
        let status = ro.status.clone().unwrap_or_default();
        let strategy = ro.spec.strategy.clone().unwrap_or_default();
        let mut row = RolloutRow {
            namespace: ro.metadata.namespace.clone().unwrap_or_default(),
            name: ro.metadata.name.clone().unwrap_or_default(),
            strategy: "unknown".into(),
            status: get_rollout_phase(ro).0.as_str().to_string(),
            step: "-".into(),
            set_weight: "-".into(),
            ready: format!(
                "{}/{}",
                status.ready_replicas.unwrap_or(0),
                status.replicas.unwrap_or(0)
            ),
            desired: ro.spec.replicas.unwrap_or(1),
            up_to_date: status.updated_replicas.unwrap_or(0),
            available: status.available_replicas.unwrap_or(0),
        };
        if let Some(canary) = &strategy.canary {
            row.strategy = "Canary".into();
            let steps = canary.steps.as_deref().unwrap_or(&[]);
            if let Some(index) = status.current_step_index.filter(|_| !steps.is_empty()) {
                row.step = format!("{index}/{}", steps.len());
            }
            row.set_weight = current_set_weight(ro, canary).to_string();
        } else if strategy.blue_green.is_some() {
            row.strategy = "BlueGreen".into();
        }
        row
    }

    /// The tab-separated line, with upstream's per-column padding.
    pub fn line(&self, timestamp: Option<Timestamp>, namespace: bool) -> String {
        let mut line = String::new();
        if let Some(now) = timestamp {
            line.push_str(&format!("{:<20}\t", now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()));
        }
        if namespace {
            line.push_str(&format!("{:<9}\t", self.namespace));
        }
        line.push_str(&format!(
            "{:<10}\t{:<9}\t{:<12}\t{:<4}\t{:<10}\t{:<5}\t{:<7}\t{:<10}\t{:<9}",
            self.name,
            self.strategy,
            self.status,
            self.step,
            self.set_weight,
            self.ready,
            self.desired,
            self.up_to_date,
            self.available
        ));
        line
    }
}

/// The aligned table of `rollouts`, header first.
pub fn table(rollouts: &[Rollout], opts: &ListRolloutsArgs, now: Timestamp) -> String {
    let mut header = HEADER.to_string();
    if opts.all_namespaces {
        header = format!("NAMESPACE\t{header}");
    }
    if opts.timestamps {
        header = format!("TIMESTAMP\t{header}");
    }
    let mut text = header;
    for ro in rollouts {
        text.push_str(&RolloutRow::new(ro).line(opts.timestamps.then_some(now), opts.all_namespaces));
        text.push('\n');
    }
    align(&text)
}

/// Lists the rollouts; `No resources found.` goes to `err` when there are none (and no `--watch`).
pub async fn run_rollouts(
    conn: &Connection,
    opts: &ListRolloutsArgs,
    out: &mut impl std::io::Write,
    err: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let api = in_scope::<Rollout>(conn, opts.all_namespaces);
    let mut params = ListParams::default();
    if let Some(name) = &opts.name {
        params = params.fields(&format!("metadata.name={name}"));
    }
    let list = api.list(&params).await?;
    if list.items.is_empty() && !opts.watch {
        writeln!(err, "No resources found.")?;
        return Ok(());
    }
    write!(out, "{}", table(&list.items, opts, Timestamp::now()))?;
    out.flush()?;
    if opts.watch {
        watch(api, opts, &list.items, out).await?;
    }
    Ok(())
}

async fn watch(
    api: Api<Rollout>,
    opts: &ListRolloutsArgs,
    initial: &[Rollout],
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let key = |row: &RolloutRow| (row.namespace.clone(), row.name.clone());
    let mut shown: HashMap<(String, String), RolloutRow> = initial
        .iter()
        .map(RolloutRow::new)
        .map(|row| (key(&row), row))
        .collect();
    let mut config = watcher::Config::default();
    if let Some(name) = &opts.name {
        config = config.fields(&format!("metadata.name={name}"));
    }
    let mut events = watcher(api, config).default_backoff().applied_objects().boxed();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => break,
            event = events.next() => match event {
                Some(Ok(ro)) => {
                    let row = RolloutRow::new(&ro);
                    if shown.get(&key(&row)) != Some(&row) {
                        let line = row.line(opts.timestamps.then(Timestamp::now), opts.all_namespaces);
                        write!(out, "{}", align(&format!("{line}\n")))?;
                        out.flush()?;
                        shown.insert(key(&row), row);
                    }
                }
                Some(Err(_)) => {}
                None => break,
            },
        }
    }
    Ok(())
}

/// Header of the experiments table, before the optional `NAMESPACE` column.
pub const EXPERIMENT_HEADER: &str = "NAME\tSTATUS\tDURATION\tREMAINING\tAGE\n";

/// The columns of one experiment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExperimentRow {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The phase, empty before the controller set one.
    pub status: String,
    /// `spec.duration` as a human duration, or `-` when unset or unparsable.
    pub duration: String,
    /// Time left of the duration while running and available, or `-`.
    pub remaining: String,
    /// Age.
    pub age: String,
}

impl ExperimentRow {
    /// The row of an experiment, seen at `now`.
    pub fn new(exp: &Experiment, now: Timestamp) -> Self {
        let status = exp.status.clone().unwrap_or_default();
        let mut row = ExperimentRow {
            namespace: exp.metadata.namespace.clone().unwrap_or_default(),
            name: exp.metadata.name.clone().unwrap_or_default(),
            status: status
                .phase
                .map(rollouts_api::AnalysisPhase::as_str)
                .unwrap_or_default()
                .to_string(),
            duration: "-".into(),
            remaining: "-".into(),
            age: age(exp.metadata.creation_timestamp.as_ref().map(|t| t.0), now),
        };
        let parsed = exp
            .spec
            .duration
            .as_deref()
            .filter(|d| !d.is_empty())
            .and_then(|d| rollouts_api::duration::parse_nanos(d).ok());
        if let Some(nanos) = parsed {
            let duration = jiff::SignedDuration::from_nanos(nanos);
            row.duration = human_duration(duration);
            let completed = status.phase.is_some_and(rollouts_api::AnalysisPhase::is_completed);
            if let Some(available_at) = status.available_at.as_ref().filter(|_| !completed) {
                let left = available_at
                    .0
                    .checked_add(duration)
                    .ok()
                    .map(|end| end.duration_since(now));
                if let Some(left) = left.filter(jiff::SignedDuration::is_positive) {
                    row.remaining = human_duration(left);
                }
            }
        }
        row
    }

    /// The tab-separated line, with upstream's per-column padding.
    pub fn line(&self, namespace: bool) -> String {
        let mut line = String::new();
        if namespace {
            line.push_str(&format!("{:<9}\t", self.namespace));
        }
        line.push_str(&format!(
            "{:<10}\t{:<6}\t{:<8}\t{:<9}\t{:<3}",
            self.name, self.status, self.duration, self.remaining, self.age
        ));
        line
    }
}

/// The aligned table of `experiments`, header first.
pub fn experiment_table(experiments: &[Experiment], all_namespaces: bool, now: Timestamp) -> String {
    let mut text = String::new();
    if all_namespaces {
        text.push_str("NAMESPACE\t");
    }
    text.push_str(EXPERIMENT_HEADER);
    for exp in experiments {
        text.push_str(&ExperimentRow::new(exp, now).line(all_namespaces));
        text.push('\n');
    }
    align(&text)
}

/// Lists the experiments; `No resources found.` goes to `err` when there are none.
pub async fn run_experiments(
    conn: &Connection,
    all_namespaces: bool,
    out: &mut impl std::io::Write,
    err: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let list = in_scope::<Experiment>(conn, all_namespaces)
        .list(&ListParams::default())
        .await?;
    if list.items.is_empty() {
        writeln!(err, "No resources found.")?;
        return Ok(());
    }
    write!(
        out,
        "{}",
        experiment_table(&list.items, all_namespaces, Timestamp::now())
    )?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn experiment(json: serde_json::Value) -> Experiment {
        serde_json::from_value(json).unwrap()
    }

    /// Upstream's `TestListExperiments`: one running for an hour of its three, one without a duration.
    #[test]
    fn experiment_rows_match_upstream() {
        let now: Timestamp = "2026-01-08T12:00:00.25Z".parse().unwrap();
        let spec = serde_json::json!({"templates": [{"name": "t", "selector": {}, "template": {}}]});
        let mut with_duration = spec.clone();
        with_duration["duration"] = "3h".into();
        let exp1 = experiment(serde_json::json!({
            "metadata": {"name": "my-experiment", "namespace": "test", "creationTimestamp": "2026-01-01T12:00:00Z"},
            "spec": with_duration,
            "status": {"phase": "Running", "availableAt": "2026-01-08T11:00:00Z"}
        }));
        let exp2 = experiment(serde_json::json!({
            "metadata": {"name": "my-experiment2", "namespace": "my-other-namespace",
                         "creationTimestamp": "2026-01-01T12:00:00Z"},
            "spec": spec,
            "status": {"phase": "Running", "availableAt": "2026-01-08T11:00:00Z"}
        }));
        let got = experiment_table(&[exp2, exp1.clone()], true, now);
        let want = "NAMESPACE           NAME            STATUS   DURATION  REMAINING  AGE\n\
                    my-other-namespace  my-experiment2  Running  -         -          7d \n\
                    test                my-experiment   Running  3h        119m       7d \n";
        assert_eq!(got, want);

        let got = experiment_table(std::slice::from_ref(&exp1), false, now);
        let want = "NAME           STATUS   DURATION  REMAINING  AGE\n\
                    my-experiment  Running  3h        119m       7d \n";
        assert_eq!(got, want);

        // Finished, or past its duration: nothing remains.
        let mut done = exp1.clone();
        if let Some(status) = done.status.as_mut() {
            status.phase = Some(rollouts_api::AnalysisPhase::Successful);
        }
        assert_eq!(ExperimentRow::new(&done, now).remaining, "-");
        let later: Timestamp = "2026-01-08T15:00:00Z".parse().unwrap();
        assert_eq!(ExperimentRow::new(&exp1, later).remaining, "-");
        // No phase yet: the column is blank, padded like the others.
        let fresh = experiment(serde_json::json!({
            "metadata": {"name": "e", "creationTimestamp": "2026-01-08T11:59:15Z"},
            "spec": {"templates": []}
        }));
        let row = ExperimentRow::new(&fresh, now);
        assert_eq!((row.status.as_str(), row.age.as_str()), ("", "45s"));
        assert_eq!(row.line(false), "e         \t      \t-       \t-        \t45s");
    }

    fn rollout(json: serde_json::Value) -> Rollout {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn rows_match_upstream_columns() {
        let canary = rollout(serde_json::json!({
            "metadata": {"name": "canary-demo", "namespace": "default"},
            "spec": {"replicas": 5, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}},
            "status": {"currentStepIndex": 1, "replicas": 6, "readyReplicas": 5, "updatedReplicas": 1,
                       "availableReplicas": 5, "phase": "Paused", "message": "CanaryPauseStep"}
        }));
        let bg = rollout(serde_json::json!({
            "metadata": {"name": "bg", "namespace": "default"},
            "spec": {"strategy": {"blueGreen": {"activeService": "a"}}},
            "status": {"phase": "Healthy"}
        }));
        let got = table(&[canary, bg], &ListRolloutsArgs::default(), Timestamp::UNIX_EPOCH);
        let want = "NAME         STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE\n\
                    canary-demo  Canary     Paused        1/2   20          5/6    5        1           5        \n\
                    bg           BlueGreen  Healthy       -     -           0/0    1        0           0        \n";
        assert_eq!(got, want);
        let all = ListRolloutsArgs {
            all_namespaces: true,
            ..ListRolloutsArgs::default()
        };
        let got = table(&[], &all, Timestamp::UNIX_EPOCH);
        assert!(got.starts_with("NAMESPACE  NAME  STRATEGY"), "{got}");
    }
}
