//! A fake store that applies plans the way the API server and garbage collector would, and steps all
//! simulated controllers together, for end-to-end tests of the decisions.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::sim::meta::{self, fmt_time};
use crate::sim::{Action, Kind, Plan, SeededRandom, SimConfig, deployment, job, kubelet, replicaset};

/// An invariant checked after every applied plan.
pub type Check = Box<dyn Fn(&Cluster)>;

pub struct Cluster {
    pub now: Timestamp,
    pub cfg: SimConfig,
    pub objects: BTreeMap<(String, String), Value>,
    rng: SeededRandom,
    uids: u64,
    /// Called after every applied plan, to check invariants at every intermediate state.
    pub check: Option<Check>,
    /// Earliest requeue asked for since the last settle.
    pub wake: Option<Timestamp>,
}

fn kind_of(v: &Value) -> String {
    v.get("kind").and_then(Value::as_str).unwrap_or("").to_string()
}

impl Cluster {
    pub fn new(now: Timestamp) -> Self {
        let cfg = SimConfig {
            time_scale: 0.1,
            ..SimConfig::default()
        };
        Cluster {
            now,
            cfg,
            objects: BTreeMap::new(),
            rng: SeededRandom::new(42),
            uids: 0,
            check: None,
            wake: None,
        }
    }

    pub fn list(&self, kind: &str) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn get(&self, kind: &str, name: &str) -> Option<&Value> {
        self.objects.get(&(kind.to_string(), name.to_string()))
    }

    /// Creates an object as the API server would (uid, creationTimestamp, generation).
    pub fn create(&mut self, mut obj: Value) {
        let key = (kind_of(&obj), meta::name(&obj).to_string());
        if self.objects.contains_key(&key) {
            return;
        }
        self.uids += 1;
        meta::set_at(&mut obj, &["metadata", "uid"], json!(format!("uid-{}", self.uids)));
        meta::set_at(&mut obj, &["metadata", "namespace"], json!("default"));
        meta::set_at(&mut obj, &["metadata", "creationTimestamp"], json!(fmt_time(self.now)));
        meta::set_at(&mut obj, &["metadata", "generation"], json!(1));
        self.objects.insert(key, obj);
    }

    /// Replaces an object's spec (bumping its generation when it changed), as a client update would.
    pub fn update_spec(&mut self, kind: &str, name: &str, f: impl FnOnce(&mut Value)) {
        if let Some(obj) = self.objects.get_mut(&(kind.to_string(), name.to_string())) {
            let before = obj.get("spec").cloned();
            f(obj);
            if obj.get("spec").cloned() != before {
                let g = meta::generation(obj) + 1;
                meta::set_at(obj, &["metadata", "generation"], json!(g));
            }
        }
    }

    pub fn apply(&mut self, plan: Plan) {
        if let Some(after) = plan.requeue_after {
            let at = meta::add(self.now, after);
            self.wake = Some(self.wake.map_or(at, |w| w.min(at)));
        }
        for action in plan.actions {
            match action {
                Action::Create(obj) => self.create(obj),
                Action::Update(obj) => {
                    let (kind, name) = (kind_of(&obj), meta::name(&obj).to_string());
                    let mut spec = obj.get("spec").cloned();
                    let metadata = obj.get("metadata").cloned();
                    self.update_spec(&kind, &name, |o| {
                        if let Some(s) = spec.take() {
                            meta::set_at(o, &["spec"], s);
                        }
                        if let Some(m) = metadata {
                            for key in ["labels", "annotations"] {
                                meta::set_at(o, &["metadata", key], m.get(key).cloned().unwrap_or(json!({})));
                            }
                        }
                    });
                }
                Action::UpdateStatus { target, status } => {
                    if let Some(o) = self.objects.get_mut(&(target.kind.as_str().to_string(), target.name)) {
                        meta::set_at(o, &["status"], status);
                    }
                }
                Action::Bind { pod, node } => {
                    if let Some(o) = self.objects.get_mut(&("Pod".to_string(), pod.name)) {
                        meta::set_at(o, &["spec", "nodeName"], json!(node));
                    }
                }
                Action::Delete {
                    target,
                    grace_period_seconds,
                } => self.delete(target.kind, &target.name, grace_period_seconds),
                Action::RecordEvent(record) => {
                    let name = format!("{}.{}", record.regarding.name, record.reason);
                    let key = ("Event".to_string(), name.clone());
                    let count = self
                        .get("Event", &name)
                        .and_then(|e| meta::i64_at(e, "/count"))
                        .unwrap_or(0);
                    self.objects.insert(
                        key,
                        json!({"kind": "Event", "metadata": {"name": name}, "count": count + 1,
                               "reason": record.reason, "message": record.message,
                               "source": {"component": record.component}}),
                    );
                }
            }
        }
        if let Some(check) = &self.check {
            check(self);
        }
    }

    /// Deletes as the API server does: pods that ran get a grace period, everything else goes now, and
    /// dependents are collected.
    pub fn delete(&mut self, kind: Kind, name: &str, grace: Option<i64>) {
        let key = (kind.as_str().to_string(), name.to_string());
        let Some(obj) = self.objects.get(&key) else { return };
        if kind == Kind::Pod && grace != Some(0) {
            let ran = meta::str_at(obj, "/spec/nodeName").is_some() && !crate::sim::podutil::is_terminal(obj);
            let grace = grace
                .or_else(|| meta::i64_at(obj, "/spec/terminationGracePeriodSeconds"))
                .unwrap_or(30);
            if ran && grace > 0 {
                if !meta::is_deleting(obj) {
                    let at = fmt_time(meta::add(self.now, meta::secs(grace)));
                    let obj = self.objects.get_mut(&key).into_iter().next();
                    if let Some(o) = obj {
                        meta::set_at(o, &["metadata", "deletionTimestamp"], json!(at));
                        meta::set_at(o, &["metadata", "deletionGracePeriodSeconds"], json!(grace));
                    }
                }
                return;
            }
        }
        let uid = meta::uid(obj).to_string();
        self.objects.remove(&key);
        let dependents: Vec<(String, String)> = self
            .objects
            .iter()
            .filter(|(_, o)| meta::is_controlled_by(o, &uid))
            .map(|(k, _)| k.clone())
            .collect();
        for (k, n) in dependents {
            let kind = match k.as_str() {
                "Pod" => Kind::Pod,
                "ReplicaSet" => Kind::ReplicaSet,
                _ => continue,
            };
            self.delete(kind, &n, None);
        }
    }

    /// Pods bound to the node and not terminated.
    pub fn running_pods(&self) -> usize {
        self.list("Pod")
            .iter()
            .filter(|p| meta::str_at(p, "/spec/nodeName").is_some() && !crate::sim::podutil::is_terminal(p))
            .count()
    }

    /// Runs every controller once over the current objects, applying each plan as it comes; returns
    /// whether anything changed.
    pub fn round(&mut self) -> bool {
        let mut changed = false;
        let now = self.now;
        for pod in self.list("Pod") {
            let cfg = self.cfg.clone();
            let running = self.running_pods();
            let rng = &mut self.rng;
            let plan = kubelet::step_within(&pod, now, &cfg, running, &mut || rng.pod_ip()).unwrap();
            changed |= !plan.is_noop();
            self.apply(plan);
        }
        for rs in self.list("ReplicaSet") {
            let pods = self.list("Pod");
            let cfg = self.cfg.clone();
            let rng = &mut self.rng;
            let plan = replicaset::reconcile_within(&rs, &pods, now, &cfg, pods.len(), &mut || rng.suffix()).unwrap();
            changed |= !plan.is_noop();
            self.apply(plan);
        }
        for d in self.list("Deployment") {
            let (rss, pods) = (self.list("ReplicaSet"), self.list("Pod"));
            let plan = deployment::reconcile(&d, &rss, &pods, now).unwrap();
            changed |= !plan.is_noop();
            self.apply(plan);
        }
        for j in self.list("Job") {
            let pods = self.list("Pod");
            let cfg = self.cfg.clone();
            let rng = &mut self.rng;
            let plan = job::reconcile_within(&j, &pods, now, &cfg, pods.len(), &mut || rng.suffix()).unwrap();
            changed |= !plan.is_noop();
            self.apply(plan);
        }
        changed
    }

    /// Runs rounds until nothing changes; panics if that never happens.
    pub fn settle(&mut self) {
        for _ in 0..100 {
            if !self.round() {
                return;
            }
        }
        panic!("the cluster did not settle at {}", self.now);
    }

    /// Advances time in steps of `tick`, settling at each, for `total`.
    pub fn run_for(&mut self, total: Duration, tick: Duration) {
        let end = meta::add(self.now, total);
        self.settle();
        while self.now < end {
            self.now = meta::add(self.now, tick);
            self.settle();
        }
    }

    /// Settles, then jumps to each requested wake-up time until `until` or nothing is pending.
    pub fn run_until_quiet(&mut self, until: Timestamp) {
        self.settle();
        for _ in 0..100_000 {
            let Some(wake) = self.wake.take() else { return };
            if wake > until {
                return;
            }
            self.now = self.now.max(wake);
            self.settle();
        }
        panic!("still waking up at {}", self.now);
    }
}
