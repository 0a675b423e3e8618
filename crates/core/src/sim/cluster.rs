//! The simulated cluster: the API server's objects with resource versions, the ReplicaSet
//! controller and the kubelet (pods that become ready after a while, or never for a bad image), and
//! how the API server answers the planner's writes.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::Rollout;
use serde_json::{Value, json};

use super::rng::Rng;
use super::scenario::IMAGES;
use crate::plan::Action;
use crate::plan::merge_patch::apply as merge;
use crate::traffic::{ObjectRef, RoutingWrite};

/// The label carrying a ReplicaSet's template hash.
pub const HASH: &str = "rollouts-pod-template-hash";
/// The annotation carrying a ReplicaSet's revision.
pub const REVISION: &str = "rollout.argoproj.io/revision";

/// One pod of a ReplicaSet: ready from `ready_at` on, never when `None`.
#[derive(Debug, Clone)]
pub struct Pod {
    /// When it becomes ready.
    pub ready_at: Option<Timestamp>,
}

/// Why the API server refused a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 409: the object changed since it was read, or already exists.
    Conflict,
    /// 404.
    NotFound,
}

/// The cluster's objects.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The Rollout.
    pub rollout: Rollout,
    /// Its ReplicaSets.
    pub replica_sets: Vec<ReplicaSet>,
    /// The Services it names.
    pub services: Vec<Service>,
    /// Routing objects (the TrafficSplit).
    pub routing_objects: Vec<Value>,
    /// AnalysisRuns, as the analysis controller leaves them.
    pub analysis_runs: Vec<rollouts_api::AnalysisRun>,
    /// The AnalysisTemplate the Rollout's analyses name.
    pub analysis_templates: Vec<rollouts_api::AnalysisTemplate>,
    /// Pods by ReplicaSet name.
    pub pods: BTreeMap<String, Vec<Pod>>,
    /// ReplicaSets that ever had an available pod.
    pub ever_available: Vec<String>,
    /// The clock.
    pub now: Timestamp,
    /// The last resource version handed out.
    pub version: u64,
    next_uid: u64,
}

fn service(name: &str) -> Service {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default", "resourceVersion": "1"},
        "spec": {"selector": {"app": "sim"}, "ports": [{"port": 80}]}
    }))
    .unwrap_or_default()
}

fn set_version(metadata: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, version: u64) {
    metadata.resource_version = Some(version.to_string());
}

impl Cluster {
    /// A cluster holding `rollout` and the Services it names.
    pub fn new(rollout: Rollout, now: Timestamp) -> Self {
        let names = ["sim-canary", "sim-stable", "sim-active", "sim-preview"];
        Self {
            rollout,
            replica_sets: Vec::new(),
            services: names.iter().map(|n| service(n)).collect(),
            routing_objects: Vec::new(),
            analysis_runs: Vec::new(),
            analysis_templates: serde_json::from_value(super::scenario::analysis_template())
                .map(|t| vec![t])
                .unwrap_or_default(),
            pods: BTreeMap::new(),
            ever_available: Vec::new(),
            now,
            version: 10,
            next_uid: 0,
        }
    }

    fn bump(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    fn rs_index(&self, name: &str) -> Option<usize> {
        self.replica_sets
            .iter()
            .position(|rs| rs.metadata.name.as_deref() == Some(name))
    }

    /// The ReplicaSet named `name`.
    pub fn rs(&self, name: &str) -> Option<&ReplicaSet> {
        self.rs_index(name).map(|i| &self.replica_sets[i])
    }

    /// Applies a user's merge patch to the Rollout (spec and status alike); a spec change bumps the
    /// generation.
    pub fn patch_rollout(&mut self, patch: &Value) {
        let mut value = serde_json::to_value(&self.rollout).unwrap_or_default();
        let spec_before = value["spec"].clone();
        merge(&mut value, patch);
        if value["spec"] != spec_before {
            let generation = value["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
            value["metadata"]["generation"] = json!(generation);
        }
        value["metadata"]["resourceVersion"] = json!(self.bump().to_string());
        if let Ok(rollout) = serde_json::from_value(value) {
            self.rollout = rollout;
        }
    }

    /// Carries out one write of the planner, as the API server would.
    pub fn apply(&mut self, action: &Action) -> Result<(), Refusal> {
        let version = self.version + 1;
        match action {
            Action::CreateReplicaSet(rs) => {
                let mut rs = (**rs).clone();
                if self.rs_index(rs.metadata.name.as_deref().unwrap_or_default()).is_some() {
                    return Err(Refusal::Conflict);
                }
                self.next_uid += 1;
                rs.metadata.uid = Some(format!("rs-{}", self.next_uid));
                rs.metadata.creation_timestamp = Some(Time(self.now));
                rs.metadata.generation = Some(1);
                set_version(&mut rs.metadata, version);
                rs.status = Some(ReplicaSetStatus {
                    replicas: 0,
                    observed_generation: Some(1),
                    ..Default::default()
                });
                self.replica_sets.push(rs);
            }
            Action::UpdateReplicaSet(rs) => {
                let i = self
                    .rs_index(rs.metadata.name.as_deref().unwrap_or_default())
                    .ok_or(Refusal::NotFound)?;
                let old = &self.replica_sets[i];
                if rs.metadata.resource_version.is_some()
                    && rs.metadata.resource_version != old.metadata.resource_version
                {
                    return Err(Refusal::Conflict);
                }
                let mut rs = (**rs).clone();
                rs.status.clone_from(&old.status);
                rs.metadata.uid.clone_from(&old.metadata.uid);
                rs.metadata
                    .creation_timestamp
                    .clone_from(&old.metadata.creation_timestamp);
                let changed = rs.spec != old.spec;
                rs.metadata.generation = old.metadata.generation.map(|g| if changed { g + 1 } else { g });
                set_version(&mut rs.metadata, version);
                self.replica_sets[i] = rs;
            }
            Action::PatchReplicaSet { name, patch } => {
                let i = self.rs_index(name).ok_or(Refusal::NotFound)?;
                let mut value = serde_json::to_value(&self.replica_sets[i]).unwrap_or_default();
                if let Some(ops) = patch.as_array() {
                    for op in ops {
                        let key = op["path"]
                            .as_str()
                            .unwrap_or_default()
                            .rsplit('/')
                            .next()
                            .unwrap_or_default();
                        let key = key.replace("~1", "/").replace("~0", "~");
                        match op["op"].as_str() {
                            Some("remove") => {
                                if let Some(map) = value["metadata"]["annotations"].as_object_mut() {
                                    map.remove(&key);
                                }
                            }
                            _ => {
                                if !value["metadata"]["annotations"].is_object() {
                                    value["metadata"]["annotations"] = json!({});
                                }
                                value["metadata"]["annotations"][key] = op["value"].clone();
                            }
                        }
                    }
                } else {
                    merge(&mut value, patch);
                }
                value["metadata"]["resourceVersion"] = json!(version.to_string());
                if let Ok(rs) = serde_json::from_value(value) {
                    self.replica_sets[i] = rs;
                }
            }
            Action::DeleteReplicaSet { name, .. } => {
                let i = self.rs_index(name).ok_or(Refusal::NotFound)?;
                self.replica_sets.remove(i);
                self.pods.remove(name);
            }
            Action::PatchRollout(patch) => {
                let mut value = serde_json::to_value(&self.rollout).unwrap_or_default();
                let spec_before = value["spec"].clone();
                merge(&mut value, patch);
                if value["spec"] != spec_before {
                    let generation = value["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                    value["metadata"]["generation"] = json!(generation);
                }
                value["metadata"]["resourceVersion"] = json!(version.to_string());
                if let Ok(rollout) = serde_json::from_value(value) {
                    self.rollout = rollout;
                }
            }
            Action::PatchRolloutStatus(patch) => {
                let mut value = serde_json::to_value(&self.rollout).unwrap_or_default();
                if !value["status"].is_object() {
                    value["status"] = json!({});
                }
                merge(&mut value["status"], patch);
                value["metadata"]["resourceVersion"] = json!(version.to_string());
                if let Ok(rollout) = serde_json::from_value(value) {
                    self.rollout = rollout;
                }
            }
            Action::PatchService { name, patch } => {
                let svc = self
                    .services
                    .iter_mut()
                    .find(|s| s.metadata.name.as_deref() == Some(name))
                    .ok_or(Refusal::NotFound)?;
                let mut value = serde_json::to_value(&*svc).unwrap_or_default();
                merge(&mut value, patch);
                value["metadata"]["resourceVersion"] = json!(version.to_string());
                if let Ok(patched) = serde_json::from_value(value) {
                    *svc = patched;
                }
            }
            Action::Routing(write) => self.route(write, version)?,
            Action::CreateAnalysisRun(run) => {
                if self.analysis_runs.iter().any(|r| r.metadata.name == run.metadata.name) {
                    return Err(Refusal::Conflict);
                }
                let mut run = (**run).clone();
                self.next_uid += 1;
                run.metadata.uid = Some(format!("run-{}", self.next_uid));
                run.metadata.creation_timestamp = Some(Time(self.now));
                set_version(&mut run.metadata, version);
                self.analysis_runs.push(run);
            }
            Action::PatchAnalysisRun { name, patch } => {
                let run = self
                    .analysis_runs
                    .iter_mut()
                    .find(|r| r.metadata.name.as_deref() == Some(name))
                    .ok_or(Refusal::NotFound)?;
                let mut value = serde_json::to_value(&*run).unwrap_or_default();
                merge(&mut value, patch);
                value["metadata"]["resourceVersion"] = json!(version.to_string());
                if let Ok(patched) = serde_json::from_value(value) {
                    *run = patched;
                }
            }
            Action::DeleteAnalysisRun { name, .. } => {
                let before = self.analysis_runs.len();
                self.analysis_runs.retain(|r| r.metadata.name.as_deref() != Some(name));
                if self.analysis_runs.len() == before {
                    return Err(Refusal::NotFound);
                }
            }
            // Pods, workloads and experiments are not part of the simulated Rollouts.
            _ => {}
        }
        self.version = version;
        Ok(())
    }

    fn route(&mut self, write: &RoutingWrite, version: u64) -> Result<(), Refusal> {
        let target = write.target();
        let position = self.routing_objects.iter().position(|o| ObjectRef::of(o) == target);
        match (write, position) {
            (RoutingWrite::Create(object), None) => {
                let mut object = object.clone();
                object["metadata"]["resourceVersion"] = json!(version.to_string());
                self.routing_objects.push(object);
            }
            (RoutingWrite::Create(_), Some(_)) => return Err(Refusal::Conflict),
            (RoutingWrite::Update(object), Some(i)) => {
                let current = &self.routing_objects[i]["metadata"]["resourceVersion"];
                if !object["metadata"]["resourceVersion"].is_null() && &object["metadata"]["resourceVersion"] != current
                {
                    return Err(Refusal::Conflict);
                }
                let mut object = object.clone();
                object["metadata"]["resourceVersion"] = json!(version.to_string());
                self.routing_objects[i] = object;
            }
            (RoutingWrite::MergePatch { patch, .. }, Some(i)) => {
                merge(&mut self.routing_objects[i], patch);
                self.routing_objects[i]["metadata"]["resourceVersion"] = json!(version.to_string());
            }
            (RoutingWrite::Delete(_) | RoutingWrite::DeleteAfter { .. }, Some(i)) => {
                self.routing_objects.remove(i);
            }
            _ => return Err(Refusal::NotFound),
        }
        Ok(())
    }

    /// The ReplicaSet controller and the kubelet: pods follow each ReplicaSet's size (the newest
    /// removed first), new pods of a good image become ready 0–20 s after they start, and the
    /// ReplicaSets' status follows, as seen now.
    pub fn kubelet(&mut self, rng: &mut Rng) {
        let now = self.now;
        for rs in &mut self.replica_sets {
            let name = rs.metadata.name.clone().unwrap_or_default();
            let want = usize::try_from(rs.spec.replicas.unwrap_or(1)).unwrap_or(0);
            let bad = rs
                .spec
                .template
                .as_ref()
                .and_then(|t| t.spec.as_ref())
                .and_then(|s| s.containers.first())
                .and_then(|c| c.image.as_deref())
                == Some(IMAGES[3]);
            let pods = self.pods.entry(name.clone()).or_default();
            while pods.len() > want {
                pods.pop();
            }
            while pods.len() < want {
                let delay = rng.between(0, 20);
                pods.push(Pod {
                    ready_at: (!bad).then(|| now + jiff::SignedDuration::from_secs(delay)),
                });
            }
            let available = pods.iter().filter(|p| p.ready_at.is_some_and(|t| t <= now)).count();
            let available = i32::try_from(available).unwrap_or(0);
            let replicas = i32::try_from(pods.len()).unwrap_or(0);
            let status = rs.status.get_or_insert_with(Default::default);
            let changed = status.replicas != replicas
                || status.available_replicas.unwrap_or(0) != available
                || status.observed_generation != rs.metadata.generation;
            status.replicas = replicas;
            status.ready_replicas = Some(available);
            status.available_replicas = Some(available);
            status.fully_labeled_replicas = Some(replicas);
            status.observed_generation = rs.metadata.generation;
            if changed {
                self.version += 1;
                set_version(&mut rs.metadata, self.version);
            }
            if available > 0 && !self.ever_available.contains(&name) {
                self.ever_available.push(name);
            }
        }
    }

    /// The analysis controller: the newest AnalysisRun still running ends in `phase`; a new run is
    /// Running once it exists (its first reconcile).
    pub fn end_analysis(&mut self, phase: &str) {
        let newest = self
            .analysis_runs
            .iter_mut()
            .filter(|r| {
                let phase = r
                    .status
                    .as_ref()
                    .map(|s| serde_json::to_value(s.phase).unwrap_or_default());
                phase
                    .as_ref()
                    .and_then(Value::as_str)
                    .is_none_or(|p| p.is_empty() || p == "Pending" || p == "Running")
            })
            .max_by_key(|r| r.metadata.creation_timestamp.as_ref().map(|t| t.0));
        let Some(run) = newest else {
            return;
        };
        let mut value = serde_json::to_value(&*run).unwrap_or_default();
        value["status"] = json!({"phase": phase, "message": format!("simulated {phase}")});
        self.version += 1;
        value["metadata"]["resourceVersion"] = json!(self.version.to_string());
        if let Ok(ended) = serde_json::from_value(value) {
            *run = ended;
        }
    }

    /// The newest ReplicaSet's pods stop being ready (a crashing version).
    pub fn crash_newest(&mut self) {
        let newest = self
            .replica_sets
            .iter()
            .max_by_key(|rs| revision(rs))
            .and_then(|rs| rs.metadata.name.clone());
        if let Some(pods) = newest.and_then(|name| self.pods.get_mut(&name)) {
            for pod in pods {
                pod.ready_at = None;
            }
        }
    }
}

/// A ReplicaSet's revision (0 without one).
pub fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// A ReplicaSet's template hash.
pub fn hash(rs: &ReplicaSet) -> String {
    rs.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(HASH))
        .cloned()
        .unwrap_or_default()
}

/// Pods of `rs` that serve: available, and not more than its size.
pub fn serving(rs: &ReplicaSet) -> i32 {
    let size = rs.spec.replicas.unwrap_or(1);
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
        .min(size)
}

/// A ReplicaSet's size.
pub fn size(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}
