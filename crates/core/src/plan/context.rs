//! The working state of one reconcile: the Rollout, its ReplicaSets by role (kept up to date as the
//! plan changes them), the pause decisions, the status being computed and the plan so far.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::rollout_status::{CanaryStatus, RolloutStatus};
use rollouts_api::{Rollout, RolloutSpec};
use serde_json::json;

use super::actions::{Action, Event, Plan};
use super::pause::PauseContext;
use super::replica_sets::{self, counts, hash_of, spec_replicas};
use super::snapshot::Snapshot;
use crate::canary::{ReplicaSets, StableReplicaSet};
use rollouts_api::well_known::{annotations, reasons};

/// One reconcile in progress.
pub struct Ctx<'a> {
    /// The snapshot being planned.
    pub snapshot: &'a Snapshot<'a>,
    /// The Rollout.
    pub rollout: &'a Rollout,
    /// Its status as observed (empty when it has none yet).
    pub old: RolloutStatus,
    /// The Rollout's revision annotation, following the plan's own patches.
    pub revision: Option<i64>,
    /// The ReplicaSets, oldest first, as they will be once the plan's writes so far are done.
    pub all: Vec<ReplicaSet>,
    /// Index of the new ReplicaSet in `all`.
    pub new: Option<usize>,
    /// Index of the stable ReplicaSet in `all` (may equal `new`).
    pub stable: Option<usize>,
    /// Pause and abort decisions.
    pub pause: PauseContext,
    /// The status being computed.
    pub status: RolloutStatus,
    /// The plan being built.
    pub plan: Plan,
    /// The time of this reconcile.
    pub now: Timestamp,
    /// Services whose hash selector this plan switched, with the hash they now select.
    pub switched_services: Vec<(String, String)>,
    /// Whether the new ReplicaSet carried a `scale-down-deadline` still in the future when the
    /// reconcile started (a blue-green rollback to a ReplicaSet not yet scaled down is fast-tracked).
    pub new_within_delay: bool,
}

impl<'a> Ctx<'a> {
    /// Reads the snapshot.
    pub fn new(snapshot: &'a Snapshot<'a>) -> Self {
        let rollout = snapshot.rollout;
        let mut old = rollout.status.clone().unwrap_or_default();
        // An abort the controller has not seen yet (no `abortedAt`) wins over an earlier
        // `promote --full`: upstream lifts the abort for as long as `promoteFull` is set, so an abort
        // after a full promotion of an unhealthy canary is never honoured (upstream #4461). A
        // promotion after an abort the controller has seen still lifts it.
        if old.abort == Some(true) && old.aborted_at.is_none() && old.promote_full == Some(true) {
            old.promote_full = None;
        }
        let mut all = snapshot.replica_sets.to_vec();
        replica_sets::sort_by_creation(&mut all);
        let new = replica_sets::find_new(rollout, &all);
        let mut ctx = Ctx {
            snapshot,
            rollout,
            pause: PauseContext::new(&old),
            status: RolloutStatus {
                restarted_at: old.restarted_at.clone(),
                duration: old.duration.clone(),
                alb: old.alb.clone(),
                albs: old.albs.clone(),
                canary: Some(CanaryStatus {
                    weights: old.canary.as_ref().and_then(|c| c.weights.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            old,
            revision: replica_sets::revision_of(&rollout.metadata),
            all,
            new,
            stable: None,
            plan: Plan::default(),
            now: snapshot.now,
            switched_services: Vec::new(),
            new_within_delay: false,
        };
        ctx.new_within_delay = ctx
            .new_rs()
            .and_then(replica_sets::scale_down_deadline)
            .and_then(|d| d.parse::<Timestamp>().ok())
            .is_some_and(|d| d > ctx.now);
        ctx.find_stable();
        ctx
    }

    /// Upstream `GetStableRS`: the ReplicaSet whose hash is `status.stableRS`, preferring the new one.
    pub fn find_stable(&mut self) {
        let stable = self.old.stable_rs.as_deref().unwrap_or("");
        self.stable = if stable.is_empty() {
            None
        } else if self.new.is_some_and(|i| hash_of(&self.all[i]) == stable) {
            self.new
        } else {
            self.all.iter().position(|rs| hash_of(rs) == stable)
        };
    }

    /// The Rollout's spec.
    pub fn spec(&self) -> &'a RolloutSpec {
        &self.rollout.spec
    }

    /// The blue-green strategy, when the Rollout uses it.
    pub fn blue_green(&self) -> Option<&'a rollouts_api::bluegreen::BlueGreenStrategy> {
        self.spec().strategy.as_ref().and_then(|s| s.blue_green.as_ref())
    }

    /// The hash a Service selects, as this plan leaves it: `None` when the Service does not exist,
    /// `Some("")` when it has no hash selector.
    pub fn service_hash(&self, name: &str) -> Option<String> {
        if let Some((_, hash)) = self.switched_services.iter().rev().find(|(n, _)| n == name) {
            return Some(hash.clone());
        }
        let svc = self
            .snapshot
            .services
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some(name))?;
        Some(
            svc.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .and_then(|s| s.get(rollouts_api::well_known::labels::POD_TEMPLATE_HASH))
                .cloned()
                .unwrap_or_default(),
        )
    }

    /// The ReplicaSet with the given hash.
    pub fn rs_by_hash(&self, hash: &str) -> Option<usize> {
        if hash.is_empty() {
            return None;
        }
        self.all.iter().position(|rs| hash_of(rs) == hash)
    }

    /// `metadata.name`.
    pub fn name(&self) -> &'a str {
        self.rollout.metadata.name.as_deref().unwrap_or_default()
    }

    /// `spec.replicas` or 1.
    pub fn replicas(&self) -> i32 {
        self.spec().replicas_or_default()
    }

    /// The new ReplicaSet.
    pub fn new_rs(&self) -> Option<&ReplicaSet> {
        self.new.map(|i| &self.all[i])
    }

    /// The stable ReplicaSet.
    pub fn stable_rs(&self) -> Option<&ReplicaSet> {
        self.stable.map(|i| &self.all[i])
    }

    /// Indices of every ReplicaSet but the new one (upstream `olderRSs`).
    pub fn older(&self) -> Vec<usize> {
        (0..self.all.len()).filter(|i| Some(*i) != self.new).collect()
    }

    /// Indices of the ReplicaSets that are neither new nor stable (upstream `otherRSs`).
    pub fn others(&self) -> Vec<usize> {
        (0..self.all.len())
            .filter(|i| Some(*i) != self.new && Some(*i) != self.stable)
            .collect()
    }

    /// The hash of the new ReplicaSet, or of the template when it does not exist.
    pub fn current_pod_hash(&self) -> String {
        match self.new_rs() {
            Some(rs) => hash_of(rs).to_string(),
            None => crate::hash::pod_template_hash(
                &self.spec().template.clone().unwrap_or_default(),
                self.old.collision_count,
            ),
        }
    }

    /// The ReplicaSets by role, as the canary arithmetic sees them.
    pub fn canary_replica_sets(&self) -> ReplicaSets {
        let stable = match (self.stable, self.new) {
            (None, _) => StableReplicaSet::Missing,
            (Some(s), Some(n)) if s == n => StableReplicaSet::SameAsNew,
            (Some(s), _) => StableReplicaSet::Separate(counts(&self.all[s])),
        };
        ReplicaSets {
            new: self.new_rs().map(counts),
            stable,
            others: self.others().into_iter().map(|i| counts(&self.all[i])).collect(),
        }
    }

    /// Adds an event.
    pub fn event(&mut self, event: Event) {
        self.plan.events.push(event);
    }

    /// Scales a ReplicaSet (upstream `scaleReplicaSetAndRecordEvent`): an update when its size or its
    /// `desired-replicas` annotation differ, with a `ScalingReplicaSet` event when the size changes.
    /// Returns whether the size changed.
    pub fn scale(&mut self, index: usize, to: i32, keep_deadline: bool) -> bool {
        let replicas = self.replicas();
        let rs = &self.all[index];
        let from = spec_replicas(rs);
        let size_changes = from != to;
        if !size_changes && !replica_sets::replicas_annotations_need_update(rs, replicas) {
            return false;
        }
        let mut updated = rs.clone();
        updated.spec.replicas = Some(to);
        let ann = updated.metadata.annotations.get_or_insert_with(Default::default);
        ann.insert(annotations::DESIRED_REPLICAS.to_string(), replicas.to_string());
        if to == 0 && !keep_deadline {
            ann.remove(annotations::SCALE_DOWN_DEADLINE);
        }
        let name = updated.metadata.name.clone().unwrap_or_default();
        let revision = replica_sets::revision_of(&updated.metadata).unwrap_or(0);
        self.plan
            .actions
            .push(Action::UpdateReplicaSet(Box::new(updated.clone())));
        self.all[index] = updated;
        if size_changes {
            let direction = if from < to { "up" } else { "down" };
            self.event(Event::normal(
                reasons::SCALING_REPLICA_SET,
                format!("Scaled {direction} ReplicaSet {name} (revision {revision}) from {from} to {to}"),
            ));
        }
        size_changes
    }

    /// Records an update of a ReplicaSet made by the plan.
    pub fn update_rs(&mut self, index: usize, rs: ReplicaSet) {
        self.plan.actions.push(Action::UpdateReplicaSet(Box::new(rs.clone())));
        self.all[index] = rs;
    }

    /// Sets the Rollout's revision annotation when it differs (upstream `setRolloutRevision`).
    pub fn set_rollout_revision(&mut self, revision: i64) {
        if self.revision == Some(revision) {
            return;
        }
        self.revision = Some(revision);
        self.plan.actions.push(Action::PatchRollout(
            json!({"metadata": {"annotations": {annotations::REVISION: revision.to_string()}}}),
        ));
        self.event(Event::normal(
            reasons::ROLLOUT_UPDATED,
            format!("Rollout updated to revision {revision}"),
        ));
    }
}
