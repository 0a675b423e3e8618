//! The object store: every object in memory for reads, lists and watches, written through to the
//! embedded database before a write is acknowledged.
//!
//! Writes are applied in memory under a short lock and given the next revision; a committer thread then
//! writes pending changes to disk in batches (group commit) and only afterwards publishes their watch
//! events and wakes the writers. So a write is acknowledged, and seen by watchers, only once durable,
//! and revisions seen by clients never go backwards across restarts.

mod persist;
mod size;
pub mod watch;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch as tokio_watch;

pub use persist::PersistError;
use persist::{Persist, Put};
pub use size::heap_size;
pub use watch::{EventType, RecvError, Subscriber, WatchEvent};

/// Where an object lives: the resource's storage prefix, its namespace (if namespaced) and its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// e.g. `/apps/replicasets`.
    pub prefix: String,
    /// Namespace, or `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl Key {
    /// The storage key string.
    pub fn encode(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.prefix, ns, self.name),
            None => format!("{}/{}", self.prefix, self.name),
        }
    }
}

/// An object as stored, with its resource version.
#[derive(Debug)]
pub struct Stored {
    /// Where it lives.
    pub key: Key,
    /// The revision that last wrote it (equal to its `metadata.resourceVersion`).
    pub revision: u64,
    /// The object, with `metadata.resourceVersion` set.
    pub object: Arc<Value>,
    /// Estimated heap bytes of `object` ([`heap_size`]).
    pub size: usize,
}

/// What a mutation wants done with the object.
pub enum Change {
    /// Store this value (it gets the next resourceVersion).
    Put(Value),
    /// Remove the object.
    Delete,
    /// Leave everything as it is (no revision is spent, no event is sent).
    Keep,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be written or read.
    #[error(transparent)]
    Persist(#[from] PersistError),
    /// The stored JSON could not be read back.
    #[error("stored object {key} is not valid JSON: {message}")]
    Corrupt {
        /// Its key.
        key: String,
        /// The parser's message.
        message: String,
    },
    /// The committer stopped (the store is shutting down or its disk failed).
    #[error("the store is closed")]
    Closed,
}

struct Pending {
    batch: Vec<Put>,
    events: Vec<Arc<WatchEvent>>,
    revision: u64,
}

struct Inner {
    revision: u64,
    objects: BTreeMap<String, Arc<Stored>>,
    pending: Pending,
    closed: bool,
    /// Counters of writes under key prefixes, for caches derived from those objects.
    counters: Vec<(String, Arc<AtomicU64>)>,
}

/// The store. Cheap to share behind an `Arc`.
pub struct Store {
    inner: Mutex<Inner>,
    wake_committer: Condvar,
    /// The newest durable revision, whose events are published (`u64::MAX` once writes fail).
    durable: tokio_watch::Sender<u64>,
    history: Arc<Mutex<watch::History>>,
    persist: Option<Persist>,
    failed: Mutex<Option<String>>,
    committer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Tunables of the store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Most past watch events kept for watches that resume from a resourceVersion (and for watchers
    /// that have not read them yet).
    pub watch_history: usize,
    /// Most memory those events may hold, in estimated heap bytes of their objects ([`heap_size`]).
    /// Whichever bound is reached first forgets the oldest events; a watch resuming from before them
    /// gets `410 Gone`, and a watcher that had not read them yet is cut off, so that its client relists.
    pub watch_history_bytes: usize,
}

/// The default [`StoreConfig::watch_history_bytes`]: 64 MiB.
pub const DEFAULT_WATCH_HISTORY_BYTES: usize = 64 << 20;

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            watch_history: 10_000,
            watch_history_bytes: DEFAULT_WATCH_HISTORY_BYTES,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves consistent data here (every critical section is a few map
    // operations), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store {
    /// A store kept only in memory (tests, benchmarks).
    pub fn in_memory(config: StoreConfig) -> Arc<Self> {
        Self::build(None, 0, BTreeMap::new(), config)
    }

    /// Opens the store in `dir` (created if needed), loading every object.
    pub fn open(dir: &Path, config: StoreConfig) -> Result<Arc<Self>, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| PersistError::from_io(dir, e))?;
        let persist = Persist::open(&dir.join("objects.redb"))?;
        let (revision, rows) = persist.load()?;
        let mut objects = BTreeMap::new();
        for (k, bytes) in rows {
            let object: Value = serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                key: k.clone(),
                message: e.to_string(),
            })?;
            let Some(key) = key_of(&k, &object) else { continue };
            let rv = object
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
                .unwrap_or(revision);
            objects.insert(
                k,
                Arc::new(Stored {
                    key,
                    revision: rv,
                    size: heap_size(&object),
                    object: Arc::new(object),
                }),
            );
        }
        Ok(Self::build(Some(persist), revision, objects, config))
    }

    fn build(
        persist: Option<Persist>,
        revision: u64,
        objects: BTreeMap<String, Arc<Stored>>,
        config: StoreConfig,
    ) -> Arc<Self> {
        let (durable, _) = tokio_watch::channel(revision);
        let limits = watch::HistoryLimits {
            events: config.watch_history,
            bytes: config.watch_history_bytes,
        };
        let store = Arc::new(Store {
            inner: Mutex::new(Inner {
                revision,
                objects,
                pending: Pending {
                    batch: Vec::new(),
                    events: Vec::new(),
                    revision,
                },
                closed: false,
                counters: Vec::new(),
            }),
            wake_committer: Condvar::new(),
            durable,
            history: Arc::new(Mutex::new(watch::History::new(revision, limits))),
            persist,
            failed: Mutex::new(None),
            committer: Mutex::new(None),
        });
        let committer = Arc::clone(&store);
        let handle = std::thread::Builder::new()
            .name("store-committer".into())
            .spawn(move || committer.commit_loop())
            .map_err(|e| tracing::error!("cannot start the store committer: {e}"))
            .ok();
        *lock(&store.committer) = handle;
        store
    }

    /// Stops the committer after it has written what is pending.
    /// Returns once the committer has finished, so that the database is released as soon as the last handle
    /// on the store goes (and the same directory can be opened again at once).
    pub fn close(&self) {
        lock(&self.inner).closed = true;
        self.wake_committer.notify_all();
        let handle = lock(&self.committer).take();
        if let Some(handle) = handle
            && handle.thread().id() != std::thread::current().id()
        {
            let _ = handle.join();
        }
    }

    fn commit_loop(&self) {
        loop {
            let pending = {
                let mut inner = lock(&self.inner);
                while inner.pending.events.is_empty() && !inner.closed {
                    inner = self
                        .wake_committer
                        .wait(inner)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                if inner.pending.events.is_empty() && inner.closed {
                    return;
                }
                let revision = inner.pending.revision;
                std::mem::replace(
                    &mut inner.pending,
                    Pending {
                        batch: Vec::new(),
                        events: Vec::new(),
                        revision,
                    },
                )
            };
            if let Some(persist) = &self.persist
                && let Err(e) = persist.commit(pending.revision, &pending.batch)
            {
                // Nothing after this point can be acknowledged: fail every waiting and future write.
                tracing::error!("{e}");
                *lock(&self.failed) = Some(e.to_string());
                lock(&self.inner).closed = true;
                self.durable.send_replace(u64::MAX);
                return;
            }
            {
                let mut history = lock(&self.history);
                for event in pending.events {
                    history.push(event);
                }
            }
            // Wakes the writers waiting for durability and the subscribers waiting for events.
            self.durable.send_replace(pending.revision);
        }
    }

    /// A counter raised by every write under `prefix` (e.g. `/rbac.authorization.k8s.io/`), from the moment
    /// the write is visible to reads: a cache built from those objects after reading the counter is current
    /// as long as the counter has not moved.
    pub fn write_counter(&self, prefix: &str) -> Arc<AtomicU64> {
        let mut inner = lock(&self.inner);
        if let Some((_, counter)) = inner.counters.iter().find(|(p, _)| p == prefix) {
            return Arc::clone(counter);
        }
        let counter = Arc::new(AtomicU64::new(0));
        inner.counters.push((prefix.to_string(), Arc::clone(&counter)));
        counter
    }

    /// The newest revision handed out (possibly not yet durable).
    pub fn revision(&self) -> u64 {
        lock(&self.inner).revision
    }

    /// The object at `key`.
    pub fn get(&self, key: &Key) -> Option<Arc<Stored>> {
        lock(&self.inner).objects.get(&key.encode()).cloned()
    }

    /// Objects under a resource prefix, optionally in one namespace, in key order, with the revision the
    /// list reflects.
    pub fn list(&self, prefix: &str, namespace: Option<&str>) -> (Vec<Arc<Stored>>, u64) {
        let inner = lock(&self.inner);
        let start = match namespace {
            Some(ns) => format!("{prefix}/{ns}/"),
            None => format!("{prefix}/"),
        };
        let items = inner
            .objects
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .map(|(_, v)| Arc::clone(v))
            .collect();
        (items, inner.revision)
    }

    /// Every stored object (garbage collection, namespace deletion).
    pub fn all(&self) -> Vec<Arc<Stored>> {
        lock(&self.inner).objects.values().cloned().collect()
    }

    /// Reads the object at `key`, lets `f` decide what to do with it, and applies that atomically with
    /// respect to other writes. Returns the stored result (`None` after a delete or when nothing existed)
    /// and `f`'s extra output, once the change is durable.
    pub async fn mutate<T, E>(
        &self,
        key: &Key,
        f: impl FnOnce(Option<&Arc<Stored>>) -> Result<(Change, T), E>,
    ) -> Result<Result<(Option<Arc<Stored>>, T), E>, StoreError> {
        let encoded = key.encode();
        let (result, wait_for) = {
            let mut inner = lock(&self.inner);
            if inner.closed {
                return Err(self.closed_error());
            }
            let current = inner.objects.get(&encoded).cloned();
            let (change, extra) = match f(current.as_ref()) {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            };
            if !matches!(change, Change::Keep) {
                for (prefix, counter) in &inner.counters {
                    if encoded.starts_with(prefix.as_str()) {
                        counter.fetch_add(1, Ordering::Release);
                    }
                }
            }
            match change {
                Change::Keep => return Ok(Ok((current, extra))),
                Change::Put(mut object) => {
                    inner.revision += 1;
                    let revision = inner.revision;
                    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                        meta.insert("resourceVersion".into(), Value::String(revision.to_string()));
                    }
                    let bytes = serde_json::to_vec(&object).unwrap_or_default();
                    let stored = Arc::new(Stored {
                        key: key.clone(),
                        revision,
                        size: heap_size(&object),
                        object: Arc::new(object),
                    });
                    let event_type = if current.is_some() {
                        EventType::Modified
                    } else {
                        EventType::Added
                    };
                    inner.objects.insert(encoded.clone(), Arc::clone(&stored));
                    inner.pending.batch.push((encoded, Some(bytes)));
                    inner.pending.events.push(Arc::new(WatchEvent {
                        revision,
                        event_type,
                        key: key.clone(),
                        object: Arc::clone(&stored.object),
                        previous: current.as_ref().map(|c| Arc::clone(&c.object)),
                        size: stored.size,
                        previous_size: current.as_ref().map_or(0, |c| c.size),
                    }));
                    inner.pending.revision = revision;
                    ((Some(stored), extra), revision)
                }
                Change::Delete => {
                    let Some(old) = current else {
                        return Ok(Ok((None, extra)));
                    };
                    inner.revision += 1;
                    let revision = inner.revision;
                    let mut last = (*old.object).clone();
                    if let Some(meta) = last.get_mut("metadata").and_then(Value::as_object_mut) {
                        meta.insert("resourceVersion".into(), Value::String(revision.to_string()));
                    }
                    inner.objects.remove(&encoded);
                    inner.pending.batch.push((encoded, None));
                    inner.pending.events.push(Arc::new(WatchEvent {
                        revision,
                        event_type: EventType::Deleted,
                        key: key.clone(),
                        object: Arc::new(last),
                        previous: None,
                        size: old.size,
                        previous_size: 0,
                    }));
                    inner.pending.revision = revision;
                    ((None, extra), revision)
                }
            }
        };
        self.wake_committer.notify_one();
        self.wait_durable(wait_for).await?;
        Ok(Ok(result))
    }

    async fn wait_durable(&self, revision: u64) -> Result<(), StoreError> {
        let mut rx = self.durable.subscribe();
        let reached = rx
            .wait_for(|durable| *durable >= revision)
            .await
            .map(|v| *v)
            .map_err(|_| StoreError::Closed)?;
        if reached == u64::MAX {
            Err(self.closed_error())
        } else {
            Ok(())
        }
    }

    fn closed_error(&self) -> StoreError {
        match lock(&self.failed).clone() {
            Some(message) => StoreError::Persist(PersistError::message(message)),
            None => StoreError::Closed,
        }
    }

    /// Reads the events published after `since`, or `Err(oldest)` when history no longer reaches back
    /// to `since`.
    pub fn subscribe_since(&self, since: u64) -> Result<Subscriber, u64> {
        lock(&self.history).check_resumable(since)?;
        Ok(Subscriber::new(
            Arc::clone(&self.history),
            self.durable.subscribe(),
            since,
        ))
    }

    /// Reads every event published from now on.
    pub fn subscribe_all(&self) -> Subscriber {
        let from = lock(&self.history).last_revision();
        Subscriber::new(Arc::clone(&self.history), self.durable.subscribe(), from)
    }

    /// The newest revision whose events have been published.
    pub fn published_revision(&self) -> u64 {
        lock(&self.history).last_revision()
    }

    /// How many watch events are kept, and the estimated heap bytes their objects hold.
    pub fn history_usage(&self) -> (usize, usize) {
        let history = lock(&self.history);
        (history.len(), history.bytes())
    }

    /// Forgets watch history up to `revision` (watches resuming from before it get 410 Gone).
    pub fn compact(&self, revision: u64) {
        lock(&self.history).compact(revision);
    }
}

fn key_of(encoded: &str, object: &Value) -> Option<Key> {
    let name = object.pointer("/metadata/name")?.as_str()?.to_string();
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    let suffix = match &namespace {
        Some(ns) => format!("/{ns}/{name}"),
        None => format!("/{name}"),
    };
    let prefix = encoded.strip_suffix(&suffix)?.to_string();
    Some(Key {
        prefix,
        namespace,
        name,
    })
}

impl Drop for Store {
    fn drop(&mut self) {
        lock(&self.inner).closed = true;
        self.wake_committer.notify_all();
    }
}
