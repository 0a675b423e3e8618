//! The test world: a Rollout, its ReplicaSets and Services, a clock, and the API server's handling
//! of the planner's writes (merge patches, updates, creates, deletes).

use crate::traffic::{ObjectRef, RoutingWrite};
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::Rollout;
use serde_json::{Value, json};

use crate::plan::merge_patch::apply as merge;
use crate::plan::{Action, Plan, Snapshot, WorkloadState, plan};

/// The seed walkthrough's Rollout (upstream's getting-started example).
pub fn demo_rollout() -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "rollouts-demo", "namespace": "default", "uid": "uid-1", "generation": 1},
        "spec": {
            "replicas": 5,
            "revisionHistoryLimit": 2,
            "selector": {"matchLabels": {"app": "rollouts-demo"}},
            "strategy": {"canary": {"steps": [
                {"setWeight": 20}, {"pause": {}}, {"setWeight": 40}, {"pause": {"duration": 10}},
                {"setWeight": 60}, {"pause": {"duration": 10}}, {"setWeight": 80}, {"pause": {"duration": 10}}
            ]}},
            "template": {
                "metadata": {"labels": {"app": "rollouts-demo"}},
                "spec": {"containers": [{
                    "name": "rollouts-demo", "image": "argoproj/rollouts-demo:blue",
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "resources": {"requests": {"memory": "32Mi", "cpu": "5m"}}
                }]}
            }
        }
    }))
    .unwrap()
}

/// Upstream's blue-green example (`examples/rollout-bluegreen.yaml`), with the demo's image.
pub fn bluegreen_rollout() -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "rollout-bluegreen", "namespace": "default", "uid": "uid-bg", "generation": 1},
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 2,
            "selector": {"matchLabels": {"app": "rollout-bluegreen"}},
            "template": {
                "metadata": {"labels": {"app": "rollout-bluegreen"}},
                "spec": {"containers": [{
                    "name": "rollouts-demo", "image": "argoproj/rollouts-demo:blue",
                    "imagePullPolicy": "Always", "ports": [{"containerPort": 8080}]
                }]}
            },
            "strategy": {"blueGreen": {
                "activeService": "rollout-bluegreen-active",
                "previewService": "rollout-bluegreen-preview",
                "autoPromotionEnabled": false
            }}
        }
    }))
    .unwrap()
}

/// A Service selecting `app: <app>`, as a user creates it (no hash selector yet).
pub fn service(name: &str, app: &str) -> Service {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": 8080}]}
    }))
    .unwrap()
}

/// The hash selector of a Service ("" without one).
pub fn selector_of(world: &World, name: &str) -> String {
    world
        .services
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(name))
        .and_then(|s| s.spec.as_ref())
        .and_then(|s| s.selector.as_ref())
        .and_then(|s| s.get("rollouts-pod-template-hash"))
        .cloned()
        .unwrap_or_default()
}

/// A Rollout with its objects, evolving under the planner's writes.
pub struct World {
    pub rollout: Rollout,
    pub replica_sets: Vec<ReplicaSet>,
    pub services: Vec<Service>,
    pub now: Timestamp,
    pub next_uid: u32,
    /// Pods, only for restart tests (empty otherwise).
    pub pods: Vec<k8s_openapi::api::core::v1::Pod>,
    /// Every write applied so far.
    pub log: Vec<Action>,
    /// What the Rollout's `workloadRef` resolved to.
    pub workload: WorkloadState,
    /// AnalysisRuns owned by the Rollout (as the analysis controller leaves them).
    pub analysis_runs: Vec<rollouts_api::analysis_run::AnalysisRun>,
    /// AnalysisTemplates of the namespace.
    pub analysis_templates: Vec<rollouts_api::AnalysisTemplate>,
    /// ClusterAnalysisTemplates.
    pub cluster_analysis_templates: Vec<rollouts_api::ClusterAnalysisTemplate>,
    /// Experiments (as the experiment controller leaves them).
    pub experiments: Vec<rollouts_api::Experiment>,
    /// Routing objects (Ingresses, VirtualServices...), as the routers' writes leave them.
    pub routing_objects: Vec<serde_json::Value>,
    /// The routers' API versions.
    pub routing_settings: crate::traffic::RoutingSettings,
}

impl World {
    pub fn new(rollout: Rollout) -> Self {
        Self {
            rollout,
            replica_sets: Vec::new(),
            services: Vec::new(),
            now: "2026-01-01T00:00:00Z".parse().unwrap(),
            next_uid: 100,
            pods: Vec::new(),
            log: Vec::new(),
            workload: WorkloadState::NotReferenced,
            analysis_runs: Vec::new(),
            analysis_templates: Vec::new(),
            cluster_analysis_templates: Vec::new(),
            experiments: Vec::new(),
            routing_objects: Vec::new(),
            routing_settings: crate::traffic::RoutingSettings::default(),
        }
    }

    pub fn plan(&self) -> Plan {
        let snapshot = Snapshot {
            rollout: &self.rollout,
            replica_sets: &self.replica_sets,
            services: &self.services,
            pods: Snapshot::needs_pods(&self.rollout, self.now).then_some(&self.pods[..]),
            analysis_runs: &self.analysis_runs,
            analysis_templates: &self.analysis_templates,
            cluster_analysis_templates: &self.cluster_analysis_templates,
            experiments: &self.experiments,
            routing_objects: &self.routing_objects,
            routing_settings: &self.routing_settings,
            workload: self.workload.clone(),
            now: self.now,
        };
        plan(&snapshot)
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

    pub fn rs(&self, name: &str) -> &ReplicaSet {
        &self.replica_sets[self.rs_index(name)]
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
                self.next_uid += 1;
                rs.metadata.uid = Some(format!("rs-{}", self.next_uid));
                rs.metadata.creation_timestamp = Some(Time(self.now));
                rs.metadata.generation = Some(1);
                rs.status = Some(ReplicaSetStatus {
                    replicas: 0,
                    observed_generation: Some(1),
                    ..Default::default()
                });
                self.replica_sets.push(rs);
            }
            Action::UpdateReplicaSet(rs) => {
                let i = self.rs_index(rs.metadata.name.as_deref().unwrap());
                let old = &self.replica_sets[i];
                let mut rs = (**rs).clone();
                rs.status = old.status.clone();
                let changed_spec = rs.spec != old.spec;
                rs.metadata.generation = old.metadata.generation.map(|g| if changed_spec { g + 1 } else { g });
                self.replica_sets[i] = rs;
            }
            Action::PatchReplicaSet { name, patch } => {
                let i = self.rs_index(name);
                for op in patch.as_array().unwrap() {
                    let key = op["path"].as_str().unwrap().rsplit('/').next().unwrap();
                    let annotations = self.replica_sets[i]
                        .metadata
                        .annotations
                        .get_or_insert_with(Default::default);
                    match op["op"].as_str().unwrap() {
                        "remove" => {
                            assert!(
                                annotations.remove(key).is_some(),
                                "JSON patch remove of a missing {key}"
                            );
                        }
                        "add" => {
                            annotations.insert(key.to_string(), op["value"].as_str().unwrap().to_string());
                        }
                        other => panic!("unexpected JSON patch op {other}"),
                    }
                }
            }
            Action::DeleteReplicaSet { name, .. } => {
                let i = self.rs_index(name);
                self.replica_sets.remove(i);
            }
            Action::PatchRollout(patch) => {
                let mut v = serde_json::to_value(&self.rollout).unwrap();
                let spec_before = v["spec"].clone();
                merge(&mut v, patch);
                if v["spec"] != spec_before {
                    let generation = v["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                    v["metadata"]["generation"] = json!(generation);
                }
                self.rollout = serde_json::from_value(v).unwrap();
            }
            Action::PatchRolloutStatus(patch) => {
                let mut v = serde_json::to_value(&self.rollout).unwrap();
                merge(&mut v["status"], patch);
                self.rollout = serde_json::from_value(v).unwrap();
            }
            Action::PatchService { name, patch } => {
                let svc = self
                    .services
                    .iter_mut()
                    .find(|s| s.metadata.name.as_deref() == Some(name))
                    .unwrap();
                let mut v = serde_json::to_value(&*svc).unwrap();
                merge(&mut v, patch);
                *svc = serde_json::from_value(v).unwrap();
            }
            Action::EvictPod { name } => {
                // The ReplicaSet replaces the evicted pod at once with a ready one.
                let i = self
                    .pods
                    .iter()
                    .position(|p| p.metadata.name.as_deref() == Some(name))
                    .unwrap();
                let mut pod = self.pods.remove(i);
                self.next_uid += 1;
                pod.metadata.name = Some(format!("pod-{}", self.next_uid));
                pod.metadata.creation_timestamp = Some(Time(self.now));
                self.pods.push(pod);
            }
            Action::ScaleWorkload { replicas, .. } => {
                if let WorkloadState::Resolved { replicas: current, .. } = &mut self.workload {
                    *current = Some(*replicas);
                }
            }
            Action::PatchPods { .. } => {}
            Action::Routing(write) => {
                let target = write.target();
                let position = self.routing_objects.iter().position(|o| ObjectRef::of(o) == target);
                match (write, position) {
                    (RoutingWrite::Create(o), None) => self.routing_objects.push(o.clone()),
                    (RoutingWrite::Update(o), Some(i)) => self.routing_objects[i] = o.clone(),
                    (RoutingWrite::MergePatch { patch, .. }, Some(i)) => {
                        crate::plan::merge_patch::apply(&mut self.routing_objects[i], patch);
                    }
                    // The world has no clock: a delayed delete is done by the next reconcile.
                    (RoutingWrite::Delete(_) | RoutingWrite::DeleteAfter { .. }, Some(i)) => {
                        self.routing_objects.remove(i);
                    }
                    (write, _) => panic!("routing write on a missing or existing object: {write:?}"),
                }
            }
            Action::CreateAnalysisRun(run) => {
                let mut run = (**run).clone();
                assert!(
                    !self.analysis_runs.iter().any(|r| r.metadata.name == run.metadata.name),
                    "AlreadyExists: {:?}",
                    run.metadata.name
                );
                self.next_uid += 1;
                run.metadata.uid = Some(format!("ar-{}", self.next_uid));
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
            Action::DeleteAnalysisRun { name, .. } => {
                self.analysis_runs.retain(|r| r.metadata.name.as_deref() != Some(name));
            }
            Action::CreateExperiment(experiment) => {
                let mut experiment = (**experiment).clone();
                assert!(
                    !self
                        .experiments
                        .iter()
                        .any(|e| e.metadata.name == experiment.metadata.name),
                    "AlreadyExists: {:?}",
                    experiment.metadata.name
                );
                self.next_uid += 1;
                experiment.metadata.uid = Some(format!("ex-{}", self.next_uid));
                experiment.metadata.creation_timestamp = Some(Time(self.now));
                self.experiments.push(experiment);
            }
            Action::PatchExperiment { name, patch } => {
                let experiment = self
                    .experiments
                    .iter_mut()
                    .find(|e| e.metadata.name.as_deref() == Some(name))
                    .unwrap();
                let mut v = serde_json::to_value(&*experiment).unwrap();
                merge(&mut v, patch);
                *experiment = serde_json::from_value(v).unwrap();
            }
            Action::DeleteExperiment { name, .. } => {
                self.experiments.retain(|e| e.metadata.name.as_deref() != Some(name));
            }
        }
    }

    /// Creates `count` ready pods for a ReplicaSet, created now.
    pub fn add_pods(&mut self, rs_name: &str, count: usize) {
        let rs = self.rs(rs_name).clone();
        let labels = rs
            .spec
            .template
            .as_ref()
            .unwrap()
            .metadata
            .as_ref()
            .unwrap()
            .labels
            .clone();
        for _ in 0..count {
            self.next_uid += 1;
            let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
                "metadata": {
                    "name": format!("pod-{}", self.next_uid), "namespace": "default", "labels": labels,
                    "creationTimestamp": self.now.to_string(),
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs_name,
                                         "uid": rs.metadata.uid, "controller": true}]
                },
                "status": {"phase": "Running", "conditions": [
                    {"type": "Ready", "status": "True", "lastTransitionTime": self.now.to_string()}
                ]}
            }))
            .unwrap();
            self.pods.push(pod);
        }
    }

    /// The analysis controller's verdict: the named run ends in `phase` (with `message`).
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

    /// Every ReplicaSet's pods exist and are ready and available (an instant kubelet).
    pub fn settle(&mut self) {
        for rs in &mut self.replica_sets {
            let replicas = rs.spec.replicas.unwrap_or(1);
            let generation = rs.metadata.generation;
            let status = rs.status.get_or_insert_with(Default::default);
            status.replicas = replicas;
            status.ready_replicas = Some(replicas);
            status.available_replicas = Some(replicas);
            status.fully_labeled_replicas = Some(replicas);
            status.observed_generation = generation;
        }
    }

    /// Pods of each ReplicaSet exist (as many as its size) but only `available` of the new ones are
    /// available: old pods stay available, new pods never become so.
    pub fn settle_without_new_pods(&mut self) {
        for rs in &mut self.replica_sets {
            let replicas = rs.spec.replicas.unwrap_or(1);
            let status = rs.status.get_or_insert_with(Default::default);
            let available = status.available_replicas.unwrap_or(0).min(replicas);
            status.replicas = replicas;
            status.ready_replicas = Some(available);
            status.available_replicas = Some(available);
        }
    }

    /// Reconciles (settling pods after each write) until a plan writes nothing; returns the plans.
    pub fn run_until_quiet(&mut self, max: usize) -> Vec<Plan> {
        let mut plans = Vec::new();
        for _ in 0..max {
            let plan = self.reconcile();
            let quiet = plan.actions.is_empty();
            plans.push(plan);
            if quiet {
                return plans;
            }
            self.settle();
        }
        panic!(
            "no quiet state after {max} reconciles: last plans {:#?}",
            &plans[plans.len().saturating_sub(3)..]
        );
    }

    pub fn status(&self) -> &rollouts_api::RolloutStatus {
        self.rollout.status.as_ref().unwrap()
    }

    /// Changes the pod template's image (a user's `set image`).
    pub fn set_image(&mut self, image: &str) {
        let mut v = serde_json::to_value(&self.rollout).unwrap();
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
        let generation = v["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
        v["metadata"]["generation"] = json!(generation);
        self.rollout = serde_json::from_value(v).unwrap();
    }

    /// A user's status patch (`promote`, `abort`, `retry`).
    pub fn patch_status(&mut self, patch: Value) {
        let mut v = serde_json::to_value(&self.rollout).unwrap();
        merge(&mut v["status"], &patch);
        self.rollout = serde_json::from_value(v).unwrap();
    }

    /// A user's spec patch (scale, pause, ...); bumps the generation.
    pub fn patch_spec(&mut self, patch: Value) {
        let mut v = serde_json::to_value(&self.rollout).unwrap();
        merge(&mut v["spec"], &patch);
        let generation = v["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
        v["metadata"]["generation"] = json!(generation);
        self.rollout = serde_json::from_value(v).unwrap();
    }

    /// `(name-suffix image, spec replicas)` of every ReplicaSet, oldest first.
    pub fn sizes(&self) -> Vec<(String, i32)> {
        self.replica_sets
            .iter()
            .map(|rs| {
                let image = rs.spec.template.as_ref().unwrap().spec.as_ref().unwrap().containers[0]
                    .image
                    .clone()
                    .unwrap();
                let tag = image.rsplit(':').next().unwrap().to_string();
                (tag, rs.spec.replicas.unwrap())
            })
            .collect()
    }
}

/// A one-line description of a write, for golden comparisons.
pub fn describe(action: &Action) -> String {
    match action {
        Action::CreateReplicaSet(rs) => format!(
            "create rs {} replicas={} revision={}",
            rs.metadata.name.as_deref().unwrap(),
            rs.spec.replicas.unwrap(),
            rs.metadata.annotations.as_ref().unwrap()["rollout.argoproj.io/revision"]
        ),
        Action::UpdateReplicaSet(rs) => format!(
            "update rs {} replicas={}",
            rs.metadata.name.as_deref().unwrap(),
            rs.spec.replicas.unwrap()
        ),
        Action::PatchReplicaSet { name, patch } => format!("patch rs {name} {patch}"),
        Action::DeleteReplicaSet { name, .. } => format!("delete rs {name}"),
        Action::PatchRollout(p) => format!("patch rollout {p}"),
        Action::PatchRolloutStatus(p) => {
            let mut keys: Vec<&String> = p.as_object().unwrap().keys().collect();
            keys.sort();
            format!(
                "patch status {}",
                keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
            )
        }
        Action::PatchService { name, patch } => format!("patch svc {name} {patch}"),
        Action::EvictPod { name } => format!("evict {name}"),
        Action::ScaleWorkload { name, replicas, .. } => format!("scale workload {name} {replicas}"),
        Action::PatchPods { replica_set, patch, .. } => format!("patch pods of {replica_set} {patch}"),
        Action::CreateAnalysisRun(run) => format!("create analysisrun {}", run.metadata.name.as_deref().unwrap()),
        Action::PatchAnalysisRun { name, patch } => format!("patch analysisrun {name} {patch}"),
        Action::DeleteAnalysisRun { name, .. } => format!("delete analysisrun {name}"),
        Action::CreateExperiment(e) => format!("create experiment {}", e.metadata.name.as_deref().unwrap()),
        Action::PatchExperiment { name, patch } => format!("patch experiment {name} {patch}"),
        Action::DeleteExperiment { name, .. } => format!("delete experiment {name}"),
        Action::Routing(write) => match write {
            RoutingWrite::Create(o) => format!(
                "create {} {}",
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap()
            ),
            RoutingWrite::Update(o) => format!(
                "update {} {}",
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap()
            ),
            RoutingWrite::MergePatch { target, patch } => format!("patch {} {} {patch}", target.kind, target.name),
            RoutingWrite::Delete(target) => format!("delete {} {}", target.kind, target.name),
            RoutingWrite::DeleteAfter { target, delay, .. } => {
                format!("delete {} {} after {}s", target.kind, target.name, delay.as_secs())
            }
        },
    }
}

pub fn describe_all(plan: &Plan) -> Vec<String> {
    plan.actions.iter().map(describe).collect()
}
