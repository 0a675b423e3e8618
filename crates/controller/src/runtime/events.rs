//! Recording events on the reconciled objects, as upstream does through client-go's recorder: core/v1
//! Events, deduplicated by object, type, reason and message. A repeat of a recent event bumps the
//! `count` and `lastTimestamp` of the Event already written; an event with another message is an
//! Event of its own.
//! (kube-runtime's recorder folds events by reason alone, losing every message but the first.)
//!
//! Events are informational: a failure to record one is logged, never retried, and never fails the
//! reconcile, so that it cannot make the controller repeat writes that already succeeded.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use kube::api::{Api, Patch, PatchParams, PostParams};
use rollouts_core::plan;
use serde_json::json;
use tokio::sync::mpsc;

use crate::runtime::api::{MANAGER, is_status};
use crate::runtime::change_log;
use crate::runtime::metrics::Metrics;
use crate::runtime::repeats::{Repeats, Report};

/// How many distinct events are remembered for deduplication (client-go keeps 4096 too).
const CACHE_SIZE: usize = 4096;

/// What makes two events the same: the object (by uid, so that a recreated object starts afresh),
/// the type, the reason and the message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventKey {
    namespace: String,
    uid: String,
    type_: &'static str,
    reason: String,
    message: String,
}

impl EventKey {
    /// The key of `event` about the object `reference`.
    pub fn new(reference: &ObjectReference, event: &plan::Event) -> Self {
        Self {
            namespace: reference.namespace.clone().unwrap_or_default(),
            uid: reference.uid.clone().unwrap_or_default(),
            type_: type_name(event.type_),
            reason: event.reason.clone(),
            message: event.message.clone(),
        }
    }
}

/// The write one occurrence of an event calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// A new Event of this name.
    Create {
        /// The Event's name.
        name: String,
    },
    /// The Event of this name seen `count` times now.
    Bump {
        /// The Event's name.
        name: String,
        /// The new `count`.
        count: i32,
    },
}

struct Entry {
    name: String,
    count: i32,
    /// When it was last used, for eviction.
    used: u64,
}

/// The events recorded lately and the Events they were written as, the least recently used forgotten
/// first once `capacity` is reached. It is updated as if every write succeeds; the recorder corrects it
/// when one does not.
pub struct EventCache {
    capacity: usize,
    entries: HashMap<EventKey, Entry>,
    by_use: BTreeMap<u64, EventKey>,
    clock: u64,
    /// The last name suffix handed out; suffixes are the creation time in nanoseconds, made strictly
    /// increasing so that two Events created in the same nanosecond do not collide.
    last_suffix: u64,
}

impl EventCache {
    /// An empty cache of at most `capacity` events.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: HashMap::new(),
            by_use: BTreeMap::new(),
            clock: 0,
            last_suffix: 0,
        }
    }

    /// The write for one occurrence of `key`, an event about the object named `object` at
    /// `now_nanos` (nanoseconds since the epoch, which name a new Event).
    pub fn observe(&mut self, key: EventKey, object: &str, now_nanos: u64) -> Write {
        let used = self.tick();
        if let Some(entry) = self.entries.get_mut(&key) {
            self.by_use.remove(&entry.used);
            self.by_use.insert(used, key);
            entry.used = used;
            entry.count = entry.count.saturating_add(1);
            return Write::Bump {
                name: entry.name.clone(),
                count: entry.count,
            };
        }
        let name = self.new_name(object, now_nanos);
        self.insert(key, name.clone(), used);
        Write::Create { name }
    }

    /// A new name for the Event of `key`, whose Event went away (count 1 again).
    pub fn renew(&mut self, key: &EventKey, object: &str, now_nanos: u64) -> String {
        let name = self.new_name(object, now_nanos);
        let used = self.tick();
        self.forget(key);
        self.insert(key.clone(), name.clone(), used);
        name
    }

    /// Forgets `key` if it is still recorded as the Event `name` (whose creation failed), so that its
    /// next occurrence creates an Event again.
    pub fn forget_failed(&mut self, key: &EventKey, name: &str) {
        if self.entries.get(key).is_some_and(|entry| entry.name == name) {
            self.forget(key);
        }
    }

    fn forget(&mut self, key: &EventKey) {
        if let Some(entry) = self.entries.remove(key) {
            self.by_use.remove(&entry.used);
        }
    }

    fn insert(&mut self, key: EventKey, name: String, used: u64) {
        while self.entries.len() >= self.capacity {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.by_use.insert(used, key.clone());
        self.entries.insert(key, Entry { name, count: 1, used });
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// `<object>.<16 hex digits>`, as client-go names Events.
    fn new_name(&mut self, object: &str, now_nanos: u64) -> String {
        let suffix = now_nanos.max(self.last_suffix.saturating_add(1));
        self.last_suffix = suffix;
        format!("{object}.{suffix:016x}")
    }
}

/// How many events may wait per writer; beyond that new ones are dropped (with a log line), as
/// client-go's broadcaster drops rather than slow the controller down.
const QUEUE_SIZE: usize = 4096;

/// Writers working in parallel; an object's events always go to the same one, so they keep their order.
const WRITERS: usize = 4;

/// The recorder shared by every reconcile, so that repeated events are counted on one Event. Events
/// are written by background tasks in the order each object's reconcile published them, off the reconcile path
/// (an event is informational; waiting for it would hold a reconcile slot for a round trip per event).
pub struct Recorder {
    writer: Arc<Writer>,
    /// Counts the events of Rollouts (`rollout_events_total`).
    metrics: Metrics,
    queues: Vec<mpsc::Sender<(ObjectReference, plan::Event)>>,
    /// Events dropped because the queues were full, logged once per burst rather than per event.
    dropped: Mutex<Repeats>,
}

/// What writes the Events.
struct Writer {
    client: kube::Client,
    cache: Mutex<EventCache>,
    /// Failed writes, logged once per kind of failure rather than per event.
    failures: Mutex<Repeats>,
}

impl Recorder {
    /// A recorder writing with `client` and counting in `metrics`; within a Tokio runtime the writes
    /// happen on background tasks that end when the recorder is dropped.
    pub fn new(client: kube::Client, metrics: Metrics) -> Self {
        let writer = Arc::new(Writer {
            client,
            cache: Mutex::new(EventCache::new(CACHE_SIZE)),
            failures: Mutex::new(Repeats::default()),
        });
        let queues = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => (0..WRITERS)
                .map(|_| {
                    let (sender, mut receiver) = mpsc::channel::<(ObjectReference, plan::Event)>(QUEUE_SIZE);
                    let background = Arc::clone(&writer);
                    runtime.spawn(async move {
                        while let Some((reference, event)) = receiver.recv().await {
                            background.record(&reference, &event).await;
                        }
                    });
                    sender
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        Self {
            writer,
            metrics,
            queues,
            dropped: Mutex::new(Repeats::default()),
        }
    }

    /// Counts an event of a Rollout as upstream does: when it is recorded, whether or not it is
    /// written.
    fn count(&self, reference: &ObjectReference, event: &plan::Event) {
        if reference.kind.as_deref() == Some("Rollout") && !event.reason.is_empty() {
            self.metrics.record_rollout_event(
                reference.namespace.as_deref().unwrap_or_default(),
                reference.name.as_deref().unwrap_or_default(),
                type_name(event.type_),
                &event.reason,
            );
        }
    }

    /// Queues `events` about the object `reference`, to be written in order, and says each in the log
    /// (the plan they come from has been carried out).
    pub async fn publish(&self, reference: &ObjectReference, events: &[plan::Event]) {
        let uid = reference.uid.as_deref().unwrap_or_default();
        let shard = uid
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
        for event in events {
            change_log::log_event(reference, event);
            self.count(reference, event);
            match self.queues.get(shard % self.queues.len().max(1)) {
                Some(queue) => {
                    if queue.try_send((reference.clone(), event.clone())).is_err() {
                        self.log_dropped(&event.reason);
                    }
                }
                None => self.writer.record(reference, event).await,
            }
        }
    }

    fn log_dropped(&self, reason: &str) {
        let report = self
            .dropped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .failed("queue full", std::time::Instant::now());
        match report {
            Report::New => tracing::warn!(reason, "too many events waiting to be written; dropping some"),
            Report::Again { left_out } => {
                tracing::warn!(
                    reason,
                    left_out,
                    "too many events waiting to be written; still dropping some"
                );
            }
            Report::Quiet => tracing::debug!(reason, "too many events waiting to be written; dropping one"),
        }
    }

    /// Records `event` on the object `reference` now; a failure is logged only.
    pub async fn record(&self, reference: &ObjectReference, event: &plan::Event) {
        self.count(reference, event);
        self.writer.record(reference, event).await;
    }
}

impl Writer {
    fn cache(&self) -> MutexGuard<'_, EventCache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `event` on the object `reference`; a failure is logged only.
    async fn record(&self, reference: &ObjectReference, event: &plan::Event) {
        let object = reference.name.as_deref().unwrap_or_default();
        let namespace = reference.namespace.as_deref().unwrap_or_default();
        let key = EventKey::new(reference, event);
        let now = Timestamp::now();
        let write = self.cache().observe(key.clone(), object, nanos(now));
        let api: Api<Event> = Api::namespaced(self.client.clone(), namespace);
        let result = match write {
            Write::Create { name } => self.create(&api, &key, name, reference, event, now).await,
            Write::Bump { name, count } => {
                let patch = Patch::Merge(json!({"count": count, "lastTimestamp": Time(now)}));
                match api.patch(&name, &PatchParams::default(), &patch).await {
                    // The Event expired (or was deleted) since: start a new one.
                    Err(error) if is_status(&error, 404) => {
                        let name = self.cache().renew(&key, object, nanos(now));
                        self.create(&api, &key, name, reference, event, now).await
                    }
                    result => result.map(drop),
                }
            }
        };
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        // Logged as `rollout` whatever the object's kind, as it always was.
        let rollout = format_args!("{namespace}/{object}");
        match result {
            Ok(()) => {
                failures.succeeded(std::time::Instant::now());
            }
            Err(error) => match failures.failed(&error.to_string(), std::time::Instant::now()) {
                Report::New => tracing::warn!(%rollout, reason = %event.reason, %error, "recording an event failed"),
                Report::Again { left_out } => {
                    tracing::warn!(%rollout, reason = %event.reason, %error, left_out, "recording events still fails");
                }
                Report::Quiet => tracing::debug!(%rollout, reason = %event.reason, %error, "recording an event failed"),
            },
        }
    }

    async fn create(
        &self,
        api: &Api<Event>,
        key: &EventKey,
        name: String,
        reference: &ObjectReference,
        event: &plan::Event,
        now: Timestamp,
    ) -> Result<(), kube::Error> {
        let object = new_event(name.clone(), reference, event, now);
        let result = api.create(&PostParams::default(), &object).await;
        if result.is_err() {
            self.cache().forget_failed(key, &name);
        }
        result.map(drop)
    }
}

/// A new core/v1 Event `name` recording `event` about `reference` once, at `now`.
pub fn new_event(name: String, reference: &ObjectReference, event: &plan::Event, now: Timestamp) -> Event {
    Event {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: reference.namespace.clone(),
            ..ObjectMeta::default()
        },
        involved_object: reference.clone(),
        reason: Some(event.reason.clone()),
        message: Some(event.message.clone()),
        type_: Some(type_name(event.type_).to_string()),
        source: Some(EventSource {
            component: Some(MANAGER.to_string()),
            host: None,
        }),
        first_timestamp: Some(Time(now)),
        last_timestamp: Some(Time(now)),
        count: Some(1),
        reporting_component: Some(MANAGER.to_string()),
        reporting_instance: None,
        ..Event::default()
    }
}

fn type_name(type_: plan::EventType) -> &'static str {
    match type_ {
        plan::EventType::Normal => "Normal",
        plan::EventType::Warning => "Warning",
    }
}

/// Nanoseconds since the epoch (0 before it, which only a broken clock gives).
fn nanos(at: Timestamp) -> u64 {
    u64::try_from(at.as_nanosecond()).unwrap_or_default()
}

/// The reference events about the object of `kind` with `metadata` point to. The `resourceVersion` is
/// left out so that the same event about successive versions of the object counts as one; the kind is
/// set here because list responses may leave it out of their items.
pub fn reference(kind: &str, metadata: &ObjectMeta) -> ObjectReference {
    ObjectReference {
        api_version: Some(rollouts_api::decode::API_VERSION.to_string()),
        kind: Some(kind.to_string()),
        name: metadata.name.clone(),
        namespace: metadata.namespace.clone(),
        uid: metadata.uid.clone(),
        ..ObjectReference::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::{ApiResource, DynamicObject};
    use rollouts_api::Rollout;

    fn web(uid: &str) -> ObjectReference {
        let mut object = DynamicObject::new("web", &ApiResource::erase::<Rollout>(&())).within("ns");
        object.metadata.uid = Some(uid.into());
        reference("Rollout", &object.metadata)
    }

    fn key(message: &str) -> EventKey {
        EventKey::new(&web("u-1"), &plan::Event::normal("NewReplicaSetCreated", message))
    }

    const T: u64 = 0x1800_0000_0000_0000;

    #[test]
    fn a_repeat_bumps_the_count_and_another_message_is_another_event() {
        let mut cache = EventCache::new(16);
        let first = key("Created ReplicaSet web-1 (revision 1)");
        let name = format!("web.{T:016x}");
        assert_eq!(
            cache.observe(first.clone(), "web", T),
            Write::Create { name: name.clone() }
        );
        assert_eq!(
            cache.observe(first.clone(), "web", T + 5),
            Write::Bump {
                name: name.clone(),
                count: 2
            }
        );
        assert_eq!(
            cache.observe(first.clone(), "web", T + 9),
            Write::Bump { name, count: 3 }
        );
        let second = key("Created ReplicaSet web-2 (revision 2)");
        assert_eq!(
            cache.observe(second, "web", T),
            Write::Create {
                name: format!("web.{:016x}", T + 1)
            },
            "a new message, and a name unique even within one nanosecond"
        );
    }

    #[test]
    fn type_reason_and_rollout_uid_all_tell_events_apart() {
        let mut cache = EventCache::new(16);
        let normal = plan::Event::normal("RolloutUpdated", "x");
        let warning = plan::Event::warning("RolloutUpdated", "x");
        let other_reason = plan::Event::normal("RolloutPaused", "x");
        for (n, key) in [
            EventKey::new(&web("u-1"), &normal),
            EventKey::new(&web("u-1"), &warning),
            EventKey::new(&web("u-1"), &other_reason),
            EventKey::new(&web("u-2"), &normal),
        ]
        .into_iter()
        .enumerate()
        {
            assert!(
                matches!(cache.observe(key, "web", T), Write::Create { .. }),
                "event {n} is new"
            );
        }
    }

    #[test]
    fn the_least_recently_used_event_is_forgotten_first() {
        let mut cache = EventCache::new(2);
        cache.observe(key("a"), "web", T);
        cache.observe(key("b"), "web", T);
        assert!(matches!(
            cache.observe(key("a"), "web", T),
            Write::Bump { count: 2, .. }
        ));
        cache.observe(key("c"), "web", T);
        assert_eq!(cache.entries.len(), 2);
        assert!(matches!(
            cache.observe(key("a"), "web", T),
            Write::Bump { count: 3, .. }
        ));
        assert!(
            matches!(cache.observe(key("b"), "web", T), Write::Create { .. }),
            "b was the least recently used"
        );
        assert_eq!(cache.entries.len(), cache.by_use.len());
    }

    #[test]
    fn a_failed_create_is_forgotten_and_a_vanished_event_is_renewed() {
        let mut cache = EventCache::new(16);
        let Write::Create { name } = cache.observe(key("a"), "web", T) else {
            panic!("a new event");
        };
        cache.forget_failed(&key("a"), "web.other");
        assert!(
            matches!(cache.observe(key("a"), "web", T), Write::Bump { count: 2, .. }),
            "another name is not forgotten"
        );
        cache.forget_failed(&key("a"), &name);
        assert!(matches!(cache.observe(key("a"), "web", T), Write::Create { .. }));

        let renewed = cache.renew(&key("a"), "web", T + 100);
        assert_eq!(renewed, format!("web.{:016x}", T + 100));
        assert_eq!(
            cache.observe(key("a"), "web", T + 200),
            Write::Bump {
                name: renewed,
                count: 2
            }
        );
        assert_eq!(cache.entries.len(), cache.by_use.len());
    }

    #[test]
    fn a_new_event_is_a_core_event_about_the_rollout() {
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let planned = plan::Event::warning("InvalidSpec", "The Rollout \"web\" is invalid");
        let event = new_event("web.1".into(), &web("u-1"), &planned, at);
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            json!({
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": "web.1", "namespace": "ns"},
                "involvedObject": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "web",
                                   "namespace": "ns", "uid": "u-1"},
                "reason": "InvalidSpec", "message": "The Rollout \"web\" is invalid", "type": "Warning",
                "source": {"component": "rollouts-controller"},
                "firstTimestamp": "2023-11-14T22:13:20Z", "lastTimestamp": "2023-11-14T22:13:20Z", "count": 1,
                "reportingComponent": "rollouts-controller"
            })
        );
    }

    #[test]
    fn repeats_are_counted_on_the_event_and_a_deleted_event_is_created_again() {
        use kube::api::{DeleteParams, ListParams};
        use kube::config::{KubeConfigOptions, Kubeconfig};
        use rollouts_devcluster::testing::{TestCluster, temp_dir};

        let cluster = TestCluster::start_in(&temp_dir("events"), 0).unwrap();
        cluster.block_on(async {
            let kubeconfig = Kubeconfig::read_from(cluster.kubeconfig()).unwrap();
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                .await
                .unwrap();
            let client = kube::Client::try_from(config).unwrap();
            let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
            let namespace = serde_json::from_value(json!({"metadata": {"name": "ns"}})).unwrap();
            namespaces.create(&PostParams::default(), &namespace).await.unwrap();
            let api: Api<Event> = Api::namespaced(client.clone(), "ns");
            // (message, count, name), in the order they were first created.
            let events = || async {
                let mut list = api.list(&ListParams::default()).await.unwrap().items;
                list.sort_by_key(|e| e.metadata.name.clone());
                list.into_iter()
                    .map(|e| {
                        (
                            e.message.unwrap_or_default(),
                            e.count.unwrap_or_default(),
                            e.metadata.name,
                        )
                    })
                    .collect::<Vec<_>>()
            };
            let one = "Created ReplicaSet web-1 (revision 1)";
            let two = "Created ReplicaSet web-2 (revision 2)";
            let first = plan::Event::normal("NewReplicaSetCreated", one);
            let second = plan::Event::normal("NewReplicaSetCreated", two);

            let metrics = Metrics::new();
            let recorder = Recorder::new(client.clone(), metrics.clone());
            recorder
                .publish(&web("u-1"), &[first.clone(), first.clone(), second])
                .await;
            // Published events are written in the background, in order.
            let mut before = events().await;
            for _ in 0..100 {
                if before.len() == 2 && before[0].1 == 2 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                before = events().await;
            }
            let summary = |list: &[(String, i32, Option<String>)]| {
                list.iter().map(|(m, c, _)| (m.clone(), *c)).collect::<Vec<_>>()
            };
            assert_eq!(summary(&before), [(one.to_string(), 2), (two.to_string(), 1)]);

            // The Event expired: the next repeat starts a new one.
            let expired = before[0].2.clone().unwrap();
            api.delete(&expired, &DeleteParams::default()).await.unwrap();
            recorder.record(&web("u-1"), &first).await;
            let after = events().await;
            assert_eq!(summary(&after), [(two.to_string(), 1), (one.to_string(), 1)]);
            assert_ne!(after[1].2.as_deref(), Some(expired.as_str()));
            // Every occurrence is counted, as upstream counts them.
            assert!(metrics.render().contains(
                "rollout_events_total{name=\"web\",namespace=\"ns\",reason=\"NewReplicaSetCreated\",type=\"Normal\"} 4\n"
            ));
        });
    }

    #[test]
    fn the_reference_names_the_rollout_without_its_version() {
        let mut object = DynamicObject::new("web", &ApiResource::erase::<Rollout>(&())).within("ns");
        object.metadata.uid = Some("u-1".into());
        object.metadata.resource_version = Some("42".into());
        let reference = reference("Rollout", &object.metadata);
        assert_eq!(reference.api_version.as_deref(), Some("argoproj.io/v1alpha1"));
        assert_eq!(reference.kind.as_deref(), Some("Rollout"));
        assert_eq!(reference.name.as_deref(), Some("web"));
        assert_eq!(reference.namespace.as_deref(), Some("ns"));
        assert_eq!(reference.uid.as_deref(), Some("u-1"));
        assert_eq!(reference.resource_version, None);
    }
}
