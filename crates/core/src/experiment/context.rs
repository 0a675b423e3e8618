//! The working state of one Experiment reconcile: the Experiment, its ReplicaSets and Services by
//! template (kept as they will be once the plan's writes so far are done), the status being computed
//! and the plan so far.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use rollouts_api::experiment::{Experiment, ExperimentSpec, ExperimentStatus};

use super::actions::Plan;
use super::claim::Claimed;
use super::lifecycle;
use super::snapshot::Snapshot;
use crate::plan::Event;

/// One reconcile in progress.
pub struct Ctx<'a> {
    /// The snapshot being planned.
    pub snapshot: &'a Snapshot<'a>,
    /// The Experiment.
    pub experiment: &'a Experiment,
    /// Its status as observed (empty when it has none yet).
    pub old: ExperimentStatus,
    /// The status being computed, starting from the observed one.
    pub status: ExperimentStatus,
    /// Each template's ReplicaSet, as it will be once the plan's writes so far are done.
    pub replica_sets: BTreeMap<String, ReplicaSet>,
    /// Each template's Service, as it will be once the plan's writes so far are done.
    pub services: BTreeMap<String, Service>,
    /// Upstream `isTerminating`, decided on the observed status: no new ReplicaSets scaled up or runs
    /// started, everything scaled down and every run terminated.
    pub terminating: bool,
    /// The plan being built.
    pub plan: Plan,
    /// The time of this reconcile.
    pub now: Timestamp,
}

impl<'a> Ctx<'a> {
    /// Reads the snapshot, with the objects each template owns.
    pub fn new(snapshot: &'a Snapshot<'a>, claimed: Claimed) -> Self {
        let experiment = snapshot.experiment;
        let old = experiment.status.clone().unwrap_or_default();
        let terminating = lifecycle::is_terminating(&experiment.spec, &old);
        Ctx {
            snapshot,
            experiment,
            status: old.clone(),
            old,
            replica_sets: claimed.replica_sets,
            services: claimed.services,
            terminating,
            plan: Plan::default(),
            now: snapshot.now,
        }
    }

    /// The Experiment's spec.
    pub fn spec(&self) -> &'a ExperimentSpec {
        &self.experiment.spec
    }

    /// The Experiment's name.
    pub fn name(&self) -> &'a str {
        self.experiment.metadata.name.as_deref().unwrap_or_default()
    }

    /// The time to write in the status: now, in whole seconds as the API server keeps it.
    pub fn stamp(&self) -> Time {
        Time(Timestamp::from_second(self.now.as_second()).unwrap_or(self.now))
    }

    /// Records an event on the Experiment.
    pub fn event(&mut self, event: Event) {
        self.plan.events.push(event);
    }
}

/// The controller owner reference the Experiment puts on what it creates.
pub fn controller_ref(experiment: &Experiment) -> OwnerReference {
    OwnerReference {
        api_version: rollouts_api::decode::API_VERSION.to_string(),
        kind: "Experiment".to_string(),
        name: experiment.metadata.name.clone().unwrap_or_default(),
        uid: experiment.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}
