//! A deterministic simulation of the Rollout controller and a cluster: one process, virtual time,
//! everything drawn from a seed. The real planner decides every reconcile; around it the simulation
//! plays the API server (resource versions, conflicts), the ReplicaSet controller and the kubelet
//! (pods ready after a while, never for a bad image, crashing on demand), the controller's watch
//! cache (events late or twice, relists after a 410 or a crash), faults on every write (409, 500, a
//! timeout after the write was done, a crash before or after it), clock jumps, and users running the
//! plugin's commands. After every write and every step it checks the invariants in
//! [`invariants`]; once the faults stop, the Rollout must come to rest and a quiet cluster must cost
//! no writes.
//!
//! A failing seed is shrunk to the fewest operations that still fail, printed as a replay
//! (`rollouts sim --seed S --ops ...`) that a test can pin with [`run`].

mod cluster;
mod controller;
pub mod invariants;
mod rng;
mod scenario;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

pub use cluster::Cluster;
pub use controller::Faults;
pub use scenario::{ANALYSIS_PHASES, IMAGES, Kind, Op, OpParseError, format_ops, operations, parse_ops};

use controller::Controller;
use rng::Rng;

use crate::plan::Action;
use crate::traffic::RoutingWrite;

/// The operations a seed runs unless told otherwise.
pub const DEFAULT_OPERATIONS: usize = 40;

/// How many reconciles a Rollout gets to come to rest once the faults stop.
const REST_BUDGET: usize = 400;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Reconciles planned.
    pub reconciles: u64,
    /// Writes the API server carried out.
    pub writes: u64,
    /// Controller crashes.
    pub crashes: u64,
}

/// An invariant that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The seed.
    pub seed: u64,
    /// The operations run (all of them, or up to the failing one).
    pub ops: Vec<Op>,
    /// What did not hold.
    pub message: String,
}

impl Violation {
    /// The command that runs this again.
    pub fn replay(&self) -> String {
        format!("rollouts sim --seed {} --ops '{}'", self.seed, format_ops(&self.ops))
    }
}

/// A short description of a write, for messages.
pub fn describe(action: &Action) -> String {
    match action {
        Action::CreateReplicaSet(rs) => format!(
            "create ReplicaSet {} with {} replicas",
            rs.metadata.name.as_deref().unwrap_or_default(),
            cluster::size(rs)
        ),
        Action::UpdateReplicaSet(rs) => format!(
            "update ReplicaSet {} to {} replicas",
            rs.metadata.name.as_deref().unwrap_or_default(),
            cluster::size(rs)
        ),
        Action::PatchReplicaSet { name, patch } => format!("patch ReplicaSet {name} {patch}"),
        Action::DeleteReplicaSet { name, .. } => format!("delete ReplicaSet {name}"),
        Action::PatchRollout(patch) => format!("patch Rollout {patch}"),
        Action::PatchRolloutStatus(patch) => format!("patch Rollout status {patch}"),
        Action::PatchService { name, patch } => format!("patch Service {name} {patch}"),
        Action::Routing(RoutingWrite::Create(o) | RoutingWrite::Update(o)) => {
            format!("write {} {}", o["kind"].as_str().unwrap_or_default(), o["spec"])
        }
        Action::Routing(write) => format!("routing write on {}", write.target().describe()),
        other => format!("{other:?}"),
    }
}

/// One simulated run.
struct Run {
    seed: u64,
    kind: Kind,
    cluster: Cluster,
    controller: Controller,
    faults: Faults,
    rng: Rng,
    stats: Stats,
    violations: Vec<String>,
    /// What happened, line by line, when traced.
    trace: Option<Vec<String>>,
}

impl Run {
    fn new(seed: u64, rollout: Value) -> Result<Self, String> {
        let kind = kind_of(&rollout);
        let rollout = serde_json::from_value(rollout).map_err(|e| format!("the Rollout does not decode: {e}"))?;
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap_or_default();
        let cluster = Cluster::new(rollout, now);
        let controller = Controller::new(&cluster);
        let mut rng = Rng::new(seed, 3);
        let faults = Faults::of(&mut rng);
        Ok(Self {
            seed,
            kind,
            cluster,
            controller,
            faults,
            rng,
            stats: Stats::default(),
            violations: Vec::new(),
            trace: None,
        })
    }

    /// Time passes by `seconds`, pods move, the controller syncs and reconciles (twice after a
    /// duplicated event). Returns whether the last reconcile wrote nothing.
    fn tick(&mut self, seconds: i64) -> bool {
        self.cluster.now += SignedDuration::from_secs(seconds);
        self.cluster.kubelet(&mut self.rng);
        let twice = self.controller.sync(&self.cluster, &self.faults, &mut self.rng);
        let mut quiet = self.reconcile();
        if twice {
            quiet = self.reconcile();
        }
        self.violations.extend(invariants::state(&self.cluster));
        quiet
    }

    fn reconcile(&mut self) -> bool {
        let kind = self.kind;
        let mut found = Vec::new();
        let outcome = self.controller.reconcile(
            &mut self.cluster,
            &self.faults,
            &mut self.rng,
            &mut |seen, before, action, after| {
                found.extend(invariants::after_write(kind, seen, before, action, after));
            },
        );
        self.violations.extend(found);
        if let Some(trace) = self.trace.as_mut() {
            for action in &outcome.applied {
                trace.push(format!("  {} write: {}", self.cluster.now, describe(action)));
            }
            if outcome.crashed {
                trace.push(format!("  {} controller crashed", self.cluster.now));
            }
        }
        self.stats.reconciles += 1;
        self.stats.writes += outcome.applied.len() as u64;
        if outcome.crashed {
            self.stats.crashes += 1;
        }
        outcome.plan.is_some_and(|plan| plan.actions.is_empty())
    }

    fn patch(&mut self, patch: &Value) {
        self.cluster.patch_rollout(patch);
    }

    fn paused(&self) -> bool {
        self.cluster.rollout.spec.paused == Some(true)
    }

    fn promote(&mut self) {
        let status = self.cluster.rollout.status.clone().unwrap_or_default();
        let paused_at_step = status.pause_conditions.as_ref().is_some_and(|p| !p.is_empty());
        if paused_at_step || self.paused() {
            let mut patch = json!({"status": {"pauseConditions": null}});
            if self.paused() {
                patch["spec"] = json!({"paused": false});
            }
            self.patch(&patch);
            return;
        }
        // Not paused: skip the current step, as the plugin does.
        let steps = serde_json::to_value(&self.cluster.rollout.spec.strategy).unwrap_or_default()["canary"]["steps"]
            .as_array()
            .map_or(0, Vec::len);
        let index = status.current_step_index.unwrap_or(0);
        if usize::try_from(index).is_ok_and(|i| i < steps) {
            self.patch(&json!({"status": {"pauseConditions": null, "currentStepIndex": index + 1}}));
        }
    }

    fn undo(&mut self) {
        let mut by_revision: Vec<_> = self.cluster.replica_sets.iter().collect();
        by_revision.sort_by_key(|rs| std::cmp::Reverse(cluster::revision(rs)));
        let Some(previous) = by_revision.get(1) else {
            return;
        };
        let mut template = serde_json::to_value(previous.spec.template.as_ref()).unwrap_or_default();
        if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
            labels.remove(cluster::HASH);
        }
        self.patch(&json!({"spec": {"template": template}}));
    }

    fn step_seconds(&mut self) -> i64 {
        self.rng.between(1, 5)
    }

    fn perform(&mut self, op: Op) {
        if let Some(trace) = self.trace.as_mut() {
            trace.push(format!("{} {op}", self.cluster.now));
        }
        match op {
            Op::SetImage(i) => {
                let image = IMAGES[usize::from(i) % IMAGES.len()];
                self.patch(&json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}));
            }
            Op::Promote => self.promote(),
            Op::PromoteFull => {
                let mut patch = json!({"status": {"promoteFull": true}});
                if self.paused() {
                    patch["spec"] = json!({"paused": false});
                }
                self.patch(&patch);
            }
            Op::Abort => self.patch(&json!({"status": {"abort": true}})),
            Op::Retry => self.patch(&json!({"status": {"abort": false}})),
            Op::Pause => self.patch(&json!({"spec": {"paused": true}})),
            Op::Resume => self.patch(&json!({"spec": {"paused": false}})),
            Op::Scale(n) => self.patch(&json!({"spec": {"replicas": n}})),
            Op::Undo => self.undo(),
            Op::Crash => self.cluster.crash_newest(),
            Op::Analysis(i) => self
                .cluster
                .end_analysis(scenario::ANALYSIS_PHASES[usize::from(i) % scenario::ANALYSIS_PHASES.len()]),
            Op::Wait(n) => {
                for _ in 0..n {
                    let seconds = self.step_seconds();
                    self.tick(seconds);
                }
                return;
            }
            Op::ClockJump(minutes) => {
                self.tick(i64::from(minutes) * 60);
                return;
            }
        }
        let seconds = self.step_seconds();
        self.tick(seconds);
    }

    /// Faults off: ticks until a reconcile writes nothing and, two hours later, still nothing.
    fn come_to_rest(&mut self) -> Result<(), String> {
        self.faults = Faults::default();
        // A fresh list, as a watch restart would give once the faults are over.
        self.controller = Controller::new(&self.cluster);
        let mut quiet_for = 0;
        for _ in 0..REST_BUDGET {
            if quiet_for > 0 {
                if self.tick(2 * 3600) {
                    return Ok(());
                }
                quiet_for = 0;
            } else if self.tick(3) {
                quiet_for += 1;
            }
        }
        Err(format!(
            "no rest {REST_BUDGET} reconciles after the faults stopped: status {}",
            serde_json::to_string(&self.cluster.rollout.status).unwrap_or_default()
        ))
    }
}

/// Runs `ops` on the seed's Rollout and faults, then lets it come to rest; the first violation is
/// the error.
pub fn run(seed: u64, ops: &[Op]) -> Result<Stats, Violation> {
    run_traced(seed, ops, None)
}

/// [`run`], adding to `trace` every operation and write with its time, and the faults.
pub fn run_traced(seed: u64, ops: &[Op], trace: Option<&mut Vec<String>>) -> Result<Stats, Violation> {
    run_rollout(seed, scenario::rollout(seed), ops, trace)
}

/// The simulation's kind of a Rollout: how its invariants are judged.
fn kind_of(rollout: &Value) -> Kind {
    let strategy = &rollout["spec"]["strategy"];
    if strategy["blueGreen"].is_object() {
        Kind::BlueGreen
    } else if strategy["canary"]["trafficRouting"].is_object() {
        Kind::CanarySmi
    } else {
        Kind::Canary
    }
}

/// [`run_traced`] with a Rollout of the caller's (named `sim`, in `default`, image `IMAGES[0]`, its
/// Services among `sim-canary`, `sim-stable`, `sim-active`, `sim-preview`) in place of the seed's; the
/// seed still draws the faults. Regression tests pin a Rollout this way, whatever later versions of
/// the generator make of the seed.
pub fn run_rollout(seed: u64, rollout: Value, ops: &[Op], trace: Option<&mut Vec<String>>) -> Result<Stats, Violation> {
    let mut run = Run::new(seed, rollout).map_err(|message| Violation {
        seed,
        ops: Vec::new(),
        message,
    })?;
    let tracing = trace.is_some();
    if tracing {
        run.trace = Some(vec![
            format!("kind {:?}, faults {:?}", run.kind, run.faults),
            format!(
                "rollout {}",
                serde_json::to_string(&run.cluster.rollout.spec).unwrap_or_default()
            ),
        ]);
    }
    let result = run_ops(&mut run, ops);
    if let (Some(out), Some(lines)) = (trace, run.trace.take()) {
        out.extend(lines);
        out.push(format!(
            "status {}",
            serde_json::to_string(&run.cluster.rollout.status).unwrap_or_default()
        ));
        for rs in &run.cluster.replica_sets {
            out.push(format!(
                "ReplicaSet {} revision {} size {} serving {}",
                cluster::hash(rs),
                cluster::revision(rs),
                cluster::size(rs),
                cluster::serving(rs)
            ));
        }
    }
    result
}

fn run_ops(run: &mut Run, ops: &[Op]) -> Result<Stats, Violation> {
    let fail = |run: &Run, done: usize, message: String| Violation {
        seed: run.seed,
        ops: ops[..done].to_vec(),
        message,
    };
    run.tick(1);
    if let Some(first) = run.violations.first() {
        return Err(fail(run, 0, first.clone()));
    }
    for (i, op) in ops.iter().enumerate() {
        run.perform(*op);
        if let Some(first) = run.violations.first() {
            return Err(fail(run, i + 1, format!("after {op}: {first}")));
        }
    }
    if let Some(trace) = run.trace.as_mut() {
        trace.push("faults stop".to_string());
    }
    if let Err(message) = run.come_to_rest() {
        return Err(fail(run, ops.len(), message));
    }
    let at_rest = invariants::at_rest(run.kind, &run.cluster);
    if let Some(first) = run.violations.first().or(at_rest.first()) {
        return Err(fail(run, ops.len(), format!("at rest: {first}")));
    }
    Ok(run.stats)
}

/// The fewest of `violation`'s operations (in order) that still fail with the same seed.
pub fn shrink(violation: &Violation) -> Violation {
    let mut best = violation.clone();
    let mut chunk = best.ops.len().div_ceil(2).max(1);
    while chunk >= 1 {
        let mut start = 0;
        let mut shrunk = false;
        while start < best.ops.len() {
            let mut candidate = best.ops.clone();
            let end = (start + chunk).min(candidate.len());
            candidate.drain(start..end);
            match run(best.seed, &candidate) {
                Err(found) => {
                    best = found;
                    shrunk = true;
                }
                Ok(_) => start += chunk,
            }
        }
        if !shrunk {
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
    }
    best
}

#[cfg(test)]
mod tests;
