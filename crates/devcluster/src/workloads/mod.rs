//! The dev cluster's simulated controllers at work: they watch the store, call the pure decisions of
//! [`crate::sim`] for whatever changed, and carry out the plans through [`client::InternalClient`].
//!
//! Work is keyed by object: a pod event wakes the pod's kubelet, its owning ReplicaSet or Job, the
//! Services whose selector picks it and the budgets of its namespace; a ReplicaSet event wakes its
//! Deployment. A plan's `requeue_after` schedules the key again. Failed writes (conflicts) need no
//! retry logic: the next event or requeue decides again from what is stored.
//!
//! The runtime counts the pods on the node ([`node::NodeIndex`]) for the scheduler and the pod limit;
//! when a running pod ends, it wakes the pods that have waited longest to be scheduled.

pub mod client;
mod node;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::selectors::LabelSelector;
use crate::server::ApiServer;
use crate::sim::{self, Plan, SeededRandom, SimConfig};
use crate::store::{Key, RecvError, WatchEvent};
use client::InternalClient;
use node::NodeIndex;

const PODS: &str = "/core/pods";
const SERVICES: &str = "/core/services";
const ENDPOINTS: &str = "/core/endpoints";
const REPLICASETS: &str = "/apps/replicasets";
const DEPLOYMENTS: &str = "/apps/deployments";
const JOBS: &str = "/batch/jobs";
const BUDGETS: &str = "/policy/poddisruptionbudgets";

/// What to reconcile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Work {
    Kubelet(String, String),
    ReplicaSet(String, String),
    Deployment(String, String),
    Job(String, String),
    Endpoints(String, String),
    Budget(String, String),
}

struct Queue {
    ready: BTreeSet<Work>,
    timers: BTreeMap<Instant, Vec<Work>>,
}

impl Queue {
    fn push(&mut self, w: Work) {
        self.ready.insert(w);
    }

    fn later(&mut self, w: Work, after: Duration) {
        self.timers.entry(Instant::now() + after).or_default().push(w);
    }

    fn promote_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Instant> = self.timers.range(..=now).map(|(t, _)| *t).collect();
        for t in due {
            if let Some(ws) = self.timers.remove(&t) {
                self.ready.extend(ws);
            }
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        self.timers.keys().next().copied()
    }
}

fn namespace_of(key: &Key) -> String {
    key.namespace.clone().unwrap_or_default()
}

fn owners(obj: &Value, kind: &str) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter(|r| r.get("kind").and_then(Value::as_str) == Some(kind))
                .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Which objects each owner (by uid) controls, kept from the event stream so that a ReplicaSet's
/// reconcile looks at its own pods rather than at every pod of its namespace.
#[derive(Default)]
struct OwnerIndex {
    dependents: std::collections::HashMap<String, BTreeSet<Key>>,
}

impl OwnerIndex {
    fn update(&mut self, event: &WatchEvent) {
        if let Some(previous) = &event.previous {
            for uid in crate::object::owner_uids(previous) {
                if let Some(set) = self.dependents.get_mut(&uid) {
                    set.remove(&event.key);
                }
            }
        }
        if event.event_type == crate::store::EventType::Deleted {
            for uid in crate::object::owner_uids(&event.object) {
                if let Some(set) = self.dependents.get_mut(&uid) {
                    set.remove(&event.key);
                    if set.is_empty() {
                        self.dependents.remove(&uid);
                    }
                }
            }
        } else {
            for uid in crate::object::owner_uids(&event.object) {
                self.dependents.entry(uid).or_default().insert(event.key.clone());
            }
        }
    }

    fn of(&self, uid: &str) -> Vec<Key> {
        self.dependents
            .get(uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// The simulated controllers.
pub struct Workloads {
    server: Arc<ApiServer>,
    client: InternalClient,
    config: SimConfig,
    random: std::sync::Mutex<SeededRandom>,
    owners: std::sync::Mutex<OwnerIndex>,
    node: std::sync::Mutex<NodeIndex>,
}

impl Workloads {
    /// Controllers for `server`, moving simulated time as `config` says.
    pub fn new(server: Arc<ApiServer>, config: SimConfig) -> Self {
        let mut seed = [0u8; 8];
        let _ = getrandom::fill(&mut seed);
        Workloads {
            client: InternalClient::new(Arc::clone(&server)),
            server,
            config,
            random: std::sync::Mutex::new(SeededRandom::new(u64::from_le_bytes(seed))),
            owners: std::sync::Mutex::new(OwnerIndex::default()),
            node: std::sync::Mutex::new(NodeIndex::default()),
        }
    }

    fn suffix(&self) -> String {
        self.random
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .suffix()
    }

    fn node(&self) -> std::sync::MutexGuard<'_, NodeIndex> {
        self.node.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn pod_ip(&self) -> String {
        self.random
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pod_ip()
    }

    fn objects(&self, prefix: &str, namespace: &str) -> Vec<Value> {
        self.server
            .store
            .list(prefix, Some(namespace))
            .0
            .iter()
            .map(|s| (*s.object).clone())
            .collect()
    }

    /// The stored objects controlled by (or at least owned by) the object with `uid`.
    fn dependents(&self, owner: &Value) -> Vec<Value> {
        let uid = owner
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let keys = self
            .owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .of(uid);
        keys.iter()
            .filter_map(|k| self.server.store.get(k))
            .map(|s| (*s.object).clone())
            .collect()
    }

    fn object(&self, prefix: &str, namespace: &str, name: &str) -> Option<Value> {
        let key = Key {
            prefix: prefix.to_string(),
            namespace: Some(namespace.to_string()),
            name: name.to_string(),
        };
        self.server.store.get(&key).map(|s| (*s.object).clone())
    }

    /// The work an event calls for.
    fn wake(&self, event: &WatchEvent, queue: &mut Queue) {
        if matches!(event.key.prefix.as_str(), PODS | REPLICASETS) {
            self.owners
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .update(event);
        }
        let ns = namespace_of(&event.key);
        let name = event.key.name.clone();
        let obj = &event.object;
        match event.key.prefix.as_str() {
            PODS => {
                let mut node = self.node();
                if node.update(event) {
                    // Room on the node: the pods waiting longest get scheduled.
                    let room = self.config.max_pods.saturating_sub(node.running());
                    for key in node.oldest_waiting(room) {
                        queue.push(Work::Kubelet(namespace_of(&key), key.name));
                    }
                }
                drop(node);
                queue.push(Work::Kubelet(ns.clone(), name));
                for rs in owners(obj, "ReplicaSet") {
                    queue.push(Work::ReplicaSet(ns.clone(), rs));
                }
                for job in owners(obj, "Job") {
                    queue.push(Work::Job(ns.clone(), job));
                }
                let labels = obj.pointer("/metadata/labels").and_then(Value::as_object);
                let before = event
                    .previous
                    .as_deref()
                    .and_then(|p| p.pointer("/metadata/labels"))
                    .and_then(Value::as_object);
                for svc in self.server.store.list(SERVICES, Some(&ns)).0 {
                    let selects = svc
                        .object
                        .pointer("/spec/selector")
                        .and_then(Value::as_object)
                        .and_then(|m| LabelSelector::from_labels(m).ok())
                        .is_some_and(|s| !s.is_empty() && (s.matches(labels) || s.matches(before)));
                    if selects {
                        queue.push(Work::Endpoints(ns.clone(), svc.key.name.clone()));
                    }
                }
                for pdb in self.server.store.list(BUDGETS, Some(&ns)).0 {
                    queue.push(Work::Budget(ns.clone(), pdb.key.name.clone()));
                }
            }
            REPLICASETS => {
                queue.push(Work::ReplicaSet(ns.clone(), name));
                for d in owners(obj, "Deployment") {
                    queue.push(Work::Deployment(ns.clone(), d));
                }
            }
            DEPLOYMENTS => queue.push(Work::Deployment(ns, name)),
            JOBS => queue.push(Work::Job(ns, name)),
            SERVICES => queue.push(Work::Endpoints(ns, name)),
            BUDGETS => queue.push(Work::Budget(ns, name)),
            _ => {}
        }
    }

    fn plan(&self, work: &Work) -> Option<Result<Plan, sim::SimError>> {
        let now = jiff::Timestamp::now();
        Some(match work {
            Work::Kubelet(ns, name) => {
                let pod = self.object(PODS, ns, name)?;
                // Pods that have waited longer take the room first.
                let taken = {
                    let node = self.node();
                    let key = Key {
                        prefix: PODS.to_string(),
                        namespace: Some(ns.clone()),
                        name: name.clone(),
                    };
                    let room = self.config.max_pods.saturating_sub(node.running());
                    node.running() + node.waiting_ahead(&key, room)
                };
                sim::kubelet::step_within(&pod, now, &self.config, taken, &mut || self.pod_ip())
            }
            Work::ReplicaSet(ns, name) => {
                let rs = self.object(REPLICASETS, ns, name)?;
                let pods = self.node().pod_objects();
                sim::replicaset::reconcile_within(&rs, &self.dependents(&rs), now, &self.config, pods, &mut || {
                    self.suffix()
                })
            }
            Work::Deployment(ns, name) => {
                let d = self.object(DEPLOYMENTS, ns, name)?;
                let rss = self.dependents(&d);
                let pods: Vec<Value> = rss.iter().flat_map(|rs| self.dependents(rs)).collect();
                sim::deployment::reconcile(&d, &rss, &pods, now)
            }
            Work::Job(ns, name) => {
                let job = self.object(JOBS, ns, name)?;
                let pods = self.node().pod_objects();
                sim::job::reconcile_within(&job, &self.dependents(&job), now, &self.config, pods, &mut || {
                    self.suffix()
                })
            }
            Work::Endpoints(ns, name) => {
                let svc = self.object(SERVICES, ns, name)?;
                let existing = self.object(ENDPOINTS, ns, name);
                sim::endpoints::reconcile(&svc, &self.objects(PODS, ns), existing.as_ref(), now)
            }
            Work::Budget(ns, name) => {
                let pdb = self.object(BUDGETS, ns, name)?;
                let mut controllers = self.objects(REPLICASETS, ns);
                controllers.extend(self.objects(DEPLOYMENTS, ns));
                controllers.extend(self.objects(JOBS, ns));
                sim::disruption::reconcile(&pdb, &self.objects(PODS, ns), &controllers, now)
            }
        })
    }

    async fn reconcile(&self, work: &Work, queue: &mut Queue) {
        let plan = match self.plan(work) {
            None => return,
            Some(Err(e)) => {
                tracing::debug!("simulated controller skipped {work:?}: {e}");
                return;
            }
            Some(Ok(plan)) => plan,
        };
        for action in &plan.actions {
            if let Err(e) = self.client.execute(action).await {
                // Conflicts and races are expected: the next event decides again. Anything else is
                // worth a look, but never stops the simulation.
                if e.code >= 500 {
                    tracing::warn!("simulated controller write failed for {work:?}: {}", e.message);
                } else {
                    tracing::debug!("simulated controller write refused for {work:?}: {}", e.message);
                }
                queue.later(work.clone(), Duration::from_millis(200));
                break;
            }
        }
        if let Some(after) = plan.requeue_after {
            queue.later(work.clone(), after.max(Duration::from_millis(10)));
        }
    }

    fn initial_work(&self, queue: &mut Queue) {
        self.node().clear();
        for s in self.server.store.all() {
            let event = WatchEvent {
                revision: s.revision,
                event_type: crate::store::EventType::Added,
                key: s.key.clone(),
                object: Arc::clone(&s.object),
                previous: None,
                size: s.size,
                previous_size: 0,
            };
            self.wake(&event, queue);
        }
    }

    /// Runs until the store closes.
    pub async fn run(self) {
        let mut events = self.server.store.subscribe_all();
        let mut queue = Queue {
            ready: BTreeSet::new(),
            timers: BTreeMap::new(),
        };
        self.initial_work(&mut queue);
        loop {
            loop {
                match events.try_recv() {
                    Ok(Some(e)) => self.wake(&e, &mut queue),
                    Ok(None) => break,
                    Err(_) => self.initial_work(&mut queue),
                }
            }
            queue.promote_due();
            if let Some(work) = queue.ready.pop_first() {
                self.reconcile(&work, &mut queue).await;
                continue;
            }
            let sleep = queue.next_timer().map(|t| t.saturating_duration_since(Instant::now()));
            tokio::select! {
                received = events.recv() => match received {
                    Ok(e) => self.wake(&e, &mut queue),
                    Err(RecvError::Lagged) => self.initial_work(&mut queue),
                    Err(RecvError::Closed) => return,
                },
                () = tokio::time::sleep(sleep.unwrap_or(Duration::from_secs(3600))) => {}
            }
        }
    }
}
