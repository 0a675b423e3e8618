//! The controller as the simulation runs it: a watch cache that sees the cluster's changes late or
//! twice (and relists on a 410 or a restart), the real planner over that cache, and the plan's writes
//! sent one by one to an API server that may refuse, fail, time out or see the controller crash.

use super::cluster::{Cluster, Refusal};
use super::rng::Rng;
use crate::plan::{Action, Plan, Snapshot, WorkloadState, plan};
use crate::traffic::RoutingSettings;

/// Fault rates, per mille of each decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// A write answered 409 Conflict.
    pub conflict: u64,
    /// A write answered 500.
    pub server_error: u64,
    /// A write carried out but answered with a timeout.
    pub timeout: u64,
    /// The controller crashes at a write (carried out or not) and restarts with empty caches.
    pub crash: u64,
    /// A watch event arrives late (the cache stays stale until a later sync).
    pub late_event: u64,
    /// A watch event arrives twice (one more reconcile).
    pub duplicate_event: u64,
    /// The watch ends with 410 Gone and the cache is listed again.
    pub watch_restart: u64,
}

impl Faults {
    /// The seed's fault rates: a quarter of the seeds run without faults.
    pub fn of(rng: &mut Rng) -> Self {
        if rng.chance(250) {
            return Self::default();
        }
        Self {
            conflict: rng.below(80),
            server_error: rng.below(60),
            timeout: rng.below(40),
            crash: rng.below(30),
            late_event: rng.below(400),
            duplicate_event: rng.below(200),
            watch_restart: rng.below(50),
        }
    }
}

/// What happened to one reconcile.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The plan, as made from the cache.
    pub plan: Option<Plan>,
    /// The writes the API server carried out, in order.
    pub applied: Vec<Action>,
    /// The controller crashed.
    pub crashed: bool,
}

/// The controller's side: its cache of the cluster.
#[derive(Debug, Clone)]
pub struct Controller {
    cache: Cluster,
    settings: RoutingSettings,
}

impl Controller {
    /// A controller that has just listed `cluster`.
    pub fn new(cluster: &Cluster) -> Self {
        Self {
            cache: cluster.clone(),
            settings: RoutingSettings::default(),
        }
    }

    /// Delivers the watch events since the last sync; some arrive late, and a 410 lists again.
    /// Returns whether an event came twice (the caller reconciles once more).
    pub fn sync(&mut self, cluster: &Cluster, faults: &Faults, rng: &mut Rng) -> bool {
        if rng.chance(faults.watch_restart) {
            self.cache = cluster.clone();
            return false;
        }
        self.cache.now = cluster.now;
        // The Rollout: a late event leaves the cached one as it was.
        if cluster.rollout.metadata.resource_version != self.cache.rollout.metadata.resource_version
            && !rng.chance(faults.late_event)
        {
            self.cache.rollout = cluster.rollout.clone();
        }
        let mut replica_sets = Vec::new();
        for rs in &cluster.replica_sets {
            let cached = self
                .cache
                .replica_sets
                .iter()
                .find(|c| c.metadata.name == rs.metadata.name);
            match cached {
                Some(cached) if cached.metadata.resource_version != rs.metadata.resource_version => {
                    if rng.chance(faults.late_event) {
                        replica_sets.push(cached.clone());
                    } else {
                        replica_sets.push(rs.clone());
                    }
                }
                Some(cached) => replica_sets.push(cached.clone()),
                // A new ReplicaSet's event may be late too.
                None if rng.chance(faults.late_event) => {}
                None => replica_sets.push(rs.clone()),
            }
        }
        self.cache.replica_sets = replica_sets;
        self.cache.services.clone_from(&cluster.services);
        self.cache.routing_objects.clone_from(&cluster.routing_objects);
        // An AnalysisRun's end may reach the cache late too.
        if !rng.chance(faults.late_event) {
            self.cache.analysis_runs.clone_from(&cluster.analysis_runs);
        }
        rng.chance(faults.duplicate_event)
    }

    /// The controller's own writes are in its cache once the API server answered them: the real
    /// controller defers a reconcile until its cache has caught up with its last writes, which comes
    /// to the same. Other changes (the kubelet's) still arrive by [`Controller::sync`].
    fn saw(&mut self, cluster: &Cluster, applied: &[Action]) {
        for action in applied {
            match action {
                Action::PatchRollout(_) | Action::PatchRolloutStatus(_) => {
                    self.cache.rollout = cluster.rollout.clone();
                }
                Action::CreateReplicaSet(rs) | Action::UpdateReplicaSet(rs) => {
                    self.refresh_rs(cluster, rs.metadata.name.as_deref().unwrap_or_default());
                }
                Action::PatchReplicaSet { name, .. } | Action::DeleteReplicaSet { name, .. } => {
                    self.refresh_rs(cluster, name);
                }
                Action::CreateAnalysisRun(_) | Action::PatchAnalysisRun { .. } | Action::DeleteAnalysisRun { .. } => {
                    self.cache.analysis_runs.clone_from(&cluster.analysis_runs);
                }
                _ => {}
            }
        }
        self.cache.services.clone_from(&cluster.services);
        self.cache.routing_objects.clone_from(&cluster.routing_objects);
    }

    fn refresh_rs(&mut self, cluster: &Cluster, name: &str) {
        let named = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| rs.metadata.name.as_deref() == Some(name);
        self.cache.replica_sets.retain(|rs| !named(rs));
        if let Some(rs) = cluster.replica_sets.iter().find(|rs| named(rs)) {
            self.cache.replica_sets.push(rs.clone());
        }
    }

    /// The planner's view: the cached objects at the cluster's time.
    pub fn plan(&self) -> Plan {
        let snapshot = Snapshot {
            rollout: &self.cache.rollout,
            replica_sets: &self.cache.replica_sets,
            services: &self.cache.services,
            pods: None,
            analysis_runs: &self.cache.analysis_runs,
            analysis_templates: &self.cache.analysis_templates,
            cluster_analysis_templates: &[],
            experiments: &[],
            routing_objects: &self.cache.routing_objects,
            routing_settings: &self.settings,
            workload: WorkloadState::NotReferenced,
            now: self.cache.now,
        };
        plan(&snapshot)
    }

    /// One reconcile: plan from the cache and send the writes in order until one fails. `check` sees
    /// the cache the plan was made from and the cluster before and after each write the API server
    /// carries out.
    pub fn reconcile(
        &mut self,
        cluster: &mut Cluster,
        faults: &Faults,
        rng: &mut Rng,
        check: &mut dyn FnMut(&Cluster, &Cluster, &Action, &Cluster),
    ) -> Outcome {
        let plan = self.plan();
        let seen = self.cache.clone();
        let mut outcome = Outcome::default();

        for action in &plan.actions {
            let roll = rng.below(1000);
            let mut limit = faults.conflict;
            if roll < limit {
                break;
            }
            limit += faults.server_error;
            if roll < limit {
                break;
            }
            let before = cluster.clone();
            limit += faults.timeout;
            if roll < limit {
                if cluster.apply(action).is_ok() {
                    check(&seen, &before, action, cluster);
                    outcome.applied.push(action.clone());
                }
                break;
            }
            limit += faults.crash;
            if roll < limit {
                if rng.chance(500) && cluster.apply(action).is_ok() {
                    check(&seen, &before, action, cluster);
                    outcome.applied.push(action.clone());
                }
                outcome.crashed = true;
                // A restarted controller lists everything again.
                self.cache = cluster.clone();
                break;
            }
            match cluster.apply(action) {
                Ok(()) => {
                    check(&seen, &before, action, cluster);
                    outcome.applied.push(action.clone());
                }
                Err(Refusal::Conflict | Refusal::NotFound) => break,
            }
        }

        if !outcome.crashed {
            self.saw(cluster, &outcome.applied);
        }
        outcome.plan = Some(plan);
        outcome
    }
}
