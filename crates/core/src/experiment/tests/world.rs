//! The test world of Experiments: an Experiment, its ReplicaSets, Services and AnalysisRuns, the
//! analysis templates, a clock, and the API server's handling of the planner's writes.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::experiment::Experiment;
use rollouts_api::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate};
use serde_json::{Value, json};

use crate::experiment::{Action, Plan, Snapshot, plan};
use crate::plan::merge_patch::apply as merge;

/// The clock every fixture starts at.
pub const START: &str = "2026-01-01T00:00:00Z";

/// An Experiment with its objects, evolving under the planner's writes.
pub struct World {
    pub experiment: Experiment,
    pub replica_sets: Vec<ReplicaSet>,
    pub services: Vec<Service>,
    pub analysis_runs: Vec<AnalysisRun>,
    pub analysis_templates: Vec<AnalysisTemplate>,
    pub cluster_analysis_templates: Vec<ClusterAnalysisTemplate>,
    pub now: Timestamp,
    pub next_uid: u32,
    /// Every write applied so far.
    pub log: Vec<Action>,
}

impl World {
    pub fn new(experiment: Experiment) -> Self {
        Self {
            experiment,
            replica_sets: Vec::new(),
            services: Vec::new(),
            analysis_runs: Vec::new(),
            analysis_templates: Vec::new(),
            cluster_analysis_templates: Vec::new(),
            now: START.parse().unwrap(),
            next_uid: 100,
            log: Vec::new(),
        }
    }

    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            experiment: &self.experiment,
            replica_sets: &self.replica_sets,
            services: &self.services,
            analysis_runs: &self.analysis_runs,
            analysis_templates: &self.analysis_templates,
            cluster_analysis_templates: &self.cluster_analysis_templates,
            now: self.now,
        }
    }

    pub fn plan(&self) -> Plan {
        plan(&self.snapshot())
    }

    pub fn advance(&mut self, seconds: i64) {
        self.now = crate::test_support::later(self.now, seconds);
    }

    /// Plans and applies one reconcile.
    pub fn reconcile(&mut self) -> Plan {
        let plan = self.plan();
        for action in &plan.actions {
            self.apply(action);
        }
        plan
    }

    fn rs_index(&self, name: &str) -> usize {
        crate::test_support::index_of(&self.replica_sets, name)
    }

    fn uid(&mut self, prefix: &str) -> String {
        self.next_uid += 1;
        format!("{prefix}-{}", self.next_uid)
    }

    pub fn apply(&mut self, action: &Action) {
        self.log.push(action.clone());
        match action {
            Action::CreateReplicaSet(rs) => {
                let mut rs = (**rs).clone();
                assert!(
                    !self.replica_sets.iter().any(|r| r.metadata.name == rs.metadata.name),
                    "AlreadyExists: {:?}",
                    rs.metadata.name
                );
                rs.metadata.uid = Some(self.uid("rs"));
                rs.metadata.creation_timestamp = Some(Time(self.now));
                rs.metadata.resource_version = Some("1".to_string());
                rs.status = Some(ReplicaSetStatus::default());
                self.replica_sets.push(rs);
            }
            Action::UpdateReplicaSet(rs) => {
                let i = self.rs_index(rs.metadata.name.as_deref().unwrap());
                let old = &self.replica_sets[i];
                assert_eq!(
                    rs.metadata.resource_version, old.metadata.resource_version,
                    "Conflict on {:?}",
                    rs.metadata.name
                );
                let mut rs = (**rs).clone();
                rs.status = old.status.clone();
                bump(&mut rs);
                self.replica_sets[i] = rs;
            }
            Action::PatchReplicaSet { name, patch } => {
                let i = self.rs_index(name);
                let rs = &mut self.replica_sets[i];
                for op in patch.as_array().unwrap() {
                    let key = op["path"].as_str().unwrap().rsplit('/').next().unwrap();
                    let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
                    match op["op"].as_str().unwrap() {
                        "remove" => assert!(annotations.remove(key).is_some(), "remove of a missing {key}"),
                        "add" => {
                            annotations.insert(key.to_string(), op["value"].as_str().unwrap().to_string());
                        }
                        other => panic!("unexpected JSON patch op {other}"),
                    }
                }
                bump(rs);
            }
            Action::CreateService(svc) => {
                let mut svc = (**svc).clone();
                assert!(
                    !self.services.iter().any(|s| s.metadata.name == svc.metadata.name),
                    "AlreadyExists: {:?}",
                    svc.metadata.name
                );
                svc.metadata.uid = Some(self.uid("svc"));
                self.services.push(svc);
            }
            Action::DeleteService { name, uid } => {
                let before = self.services.len();
                self.services.retain(|s| {
                    !(s.metadata.name.as_deref() == Some(name) && (uid.is_none() || &s.metadata.uid == uid))
                });
                assert_eq!(self.services.len() + 1, before, "no Service {name} to delete");
            }
            Action::CreateAnalysisRun(run) => {
                let mut run = (**run).clone();
                assert!(
                    !self.analysis_runs.iter().any(|r| r.metadata.name == run.metadata.name),
                    "AlreadyExists: {:?}",
                    run.metadata.name
                );
                run.metadata.uid = Some(self.uid("ar"));
                run.metadata.creation_timestamp = Some(Time(self.now));
                self.analysis_runs.push(run);
            }
            Action::PatchAnalysisRun { name, patch } => {
                let run = self
                    .analysis_runs
                    .iter_mut()
                    .find(|r| r.metadata.name.as_deref() == Some(name))
                    .unwrap();
                let mut v = serde_json::to_value(&*run).unwrap();
                merge(&mut v, patch);
                *run = serde_json::from_value(v).unwrap();
            }
            Action::PatchExperiment(patch) => {
                let mut v = serde_json::to_value(&self.experiment).unwrap();
                merge(&mut v, patch);
                self.experiment = serde_json::from_value(v).unwrap();
            }
        }
    }

    /// Every ReplicaSet's pods exist and are ready and available (an instant kubelet).
    pub fn settle(&mut self) {
        for rs in &mut self.replica_sets {
            let replicas = rs.spec.replicas.unwrap_or(1);
            let status = rs.status.get_or_insert_with(Default::default);
            status.replicas = replicas;
            status.ready_replicas = Some(replicas);
            status.available_replicas = Some(replicas);
        }
    }

    /// The analysis controller's verdict on a run.
    pub fn finish_run(&mut self, name: &str, phase: &str, message: &str) {
        let run = self
            .analysis_runs
            .iter_mut()
            .find(|r| r.metadata.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no AnalysisRun {name}"));
        let mut v = serde_json::to_value(&*run).unwrap();
        v["status"] = json!({"phase": phase, "message": message});
        *run = serde_json::from_value(v).unwrap();
    }

    /// The Experiment's status as JSON.
    pub fn status(&self) -> Value {
        serde_json::to_value(&self.experiment).unwrap()["status"].clone()
    }

    /// The Experiment's phase ("" when unset).
    pub fn phase(&self) -> String {
        self.status()["phase"].as_str().unwrap_or_default().to_string()
    }
}

/// A write bumps the object's resourceVersion, as the API server does.
fn bump(rs: &mut ReplicaSet) {
    let version: u64 = rs
        .metadata
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    rs.metadata.resource_version = Some((version + 1).to_string());
}
