//! Watch events, the bounded history that lets a watch resume from a past resourceVersion, and the
//! subscriptions that read it.
//!
//! The history is the only buffer of events: a subscriber keeps just the revision it has read up to
//! and takes the next event from the history when it wants one. A subscriber that falls so far behind
//! that the events it has not read yet are forgotten learns it ([`RecvError::Lagged`]) and starts over
//! from the current state, as a watcher that kube-apiserver cuts off relists. So however slow a watcher
//! is, it never holds more than the history does.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch as tokio_watch;

use super::Key;

/// The type of a watch event, as Kubernetes spells it on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Created.
    Added,
    /// Changed.
    Modified,
    /// Removed; the object is its last state.
    Deleted,
}

impl EventType {
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change of one object.
#[derive(Debug)]
pub struct WatchEvent {
    /// The revision of the change.
    pub revision: u64,
    /// What happened.
    pub event_type: EventType,
    /// Which object.
    pub key: Key,
    /// Its state after the change (for deletes: its last state with the deletion's resourceVersion).
    pub object: Arc<Value>,
    /// Its state before a modification, so that selector-filtered watches can tell an object leaving
    /// or entering the selection.
    pub previous: Option<Arc<Value>>,
    /// Estimated heap bytes of `object` (see [`super::size::heap_size`]).
    pub size: usize,
    /// Estimated heap bytes of `previous`.
    pub previous_size: usize,
}

/// How much history to keep: the first bound reached forgets the oldest events.
#[derive(Debug, Clone, Copy)]
pub struct HistoryLimits {
    /// Most events.
    pub events: usize,
    /// Most estimated heap bytes of the objects the events hold.
    pub bytes: usize,
}

/// The most recent events, in revision order.
pub struct History {
    events: VecDeque<Arc<WatchEvent>>,
    limits: HistoryLimits,
    /// The objects the events hold, each counted once however many events share it (an event's
    /// `previous` is usually the object of the event before): address → (references, size).
    held: HashMap<usize, (usize, usize)>,
    bytes: usize,
    /// Every event with a revision above this one is in `events` (or was dropped because a later
    /// deletion of its object made it moot).
    complete_after: u64,
    last: u64,
}

fn address(value: &Arc<Value>) -> usize {
    Arc::as_ptr(value) as usize
}

impl History {
    /// An empty history starting at `revision`.
    pub fn new(revision: u64, limits: HistoryLimits) -> Self {
        History {
            events: VecDeque::new(),
            limits: HistoryLimits {
                events: limits.events.max(1),
                bytes: limits.bytes,
            },
            held: HashMap::new(),
            bytes: 0,
            complete_after: revision,
            last: revision,
        }
    }

    fn hold(&mut self, value: &Arc<Value>, size: usize) {
        let entry = self.held.entry(address(value)).or_insert((0, size));
        if entry.0 == 0 {
            self.bytes += size;
        }
        entry.0 += 1;
    }

    fn release(&mut self, value: &Arc<Value>) {
        let key = address(value);
        if let Some(entry) = self.held.get_mut(&key) {
            entry.0 -= 1;
            if entry.0 == 0 {
                self.bytes -= entry.1;
                self.held.remove(&key);
            }
        }
    }

    fn hold_event(&mut self, event: &WatchEvent) {
        self.hold(&event.object, event.size);
        if let Some(previous) = &event.previous {
            self.hold(previous, event.previous_size);
        }
    }

    fn release_event(&mut self, event: &WatchEvent) {
        self.release(&event.object);
        if let Some(previous) = &event.previous {
            self.release(previous);
        }
    }

    /// Records a published event, then forgets the oldest events beyond the limits (the newest is
    /// always kept). A deletion also forgets the earlier events of its object: a watcher resuming from
    /// before them learns of the deletion, which is all that is left to know, and a deleted object's
    /// states stop taking memory at once.
    pub fn push(&mut self, event: Arc<WatchEvent>) {
        self.last = event.revision;
        if event.event_type == EventType::Deleted {
            let mut dropped = Vec::new();
            self.events.retain(|e| {
                let same = e.key == event.key;
                if same {
                    dropped.push(Arc::clone(e));
                }
                !same
            });
            for e in dropped {
                self.release_event(&e);
            }
        }
        self.hold_event(&event);
        self.events.push_back(event);
        while self.events.len() > 1 && (self.events.len() > self.limits.events || self.bytes > self.limits.bytes) {
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some(old) = self.events.pop_front() {
            self.release_event(&old);
            self.complete_after = self.complete_after.max(old.revision);
        }
    }

    /// The first event after `revision`, `Ok(None)` if there is none yet, or `Err(oldest resumable
    /// revision)` if events after `revision` were forgotten.
    pub fn next_after(&self, revision: u64) -> Result<Option<Arc<WatchEvent>>, u64> {
        if revision < self.complete_after {
            return Err(self.complete_after);
        }
        let at = self.events.partition_point(|e| e.revision <= revision);
        Ok(self.events.get(at).cloned())
    }

    /// Whether a watch may resume from `revision` (`Err(oldest resumable revision)` if not).
    pub fn check_resumable(&self, revision: u64) -> Result<(), u64> {
        if revision < self.complete_after {
            Err(self.complete_after)
        } else {
            Ok(())
        }
    }

    /// The newest published revision.
    pub fn last_revision(&self) -> u64 {
        self.last
    }

    /// Forgets events up to `revision`.
    pub fn compact(&mut self, revision: u64) {
        while self.events.front().is_some_and(|e| e.revision <= revision) {
            self.pop_oldest();
        }
        self.complete_after = self.complete_after.max(revision.min(self.last));
    }

    /// How many events are kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Estimated heap bytes of the objects the kept events hold.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

fn lock(history: &Mutex<History>) -> MutexGuard<'_, History> {
    history.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Why no event came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecvError {
    /// Events this subscriber had not read were forgotten; it now reads on from the newest published
    /// revision, and should start over from the current state.
    #[error("the watch fell behind the kept history")]
    Lagged,
    /// The store is gone.
    #[error("the store is closed")]
    Closed,
}

/// Reads published events in order, from a revision on.
pub struct Subscriber {
    history: Arc<Mutex<History>>,
    published: tokio_watch::Receiver<u64>,
    cursor: u64,
}

impl Subscriber {
    pub(super) fn new(history: Arc<Mutex<History>>, published: tokio_watch::Receiver<u64>, cursor: u64) -> Self {
        Subscriber {
            history,
            published,
            cursor,
        }
    }

    /// The revision read up to.
    pub fn revision(&self) -> u64 {
        self.cursor
    }

    /// The next event if one is published, `Ok(None)` if not yet.
    pub fn try_recv(&mut self) -> Result<Option<Arc<WatchEvent>>, RecvError> {
        let history = lock(&self.history);
        match history.next_after(self.cursor) {
            Ok(Some(event)) => {
                self.cursor = event.revision;
                Ok(Some(event))
            }
            Ok(None) => Ok(None),
            Err(_) => {
                self.cursor = history.last_revision();
                Err(RecvError::Lagged)
            }
        }
    }

    /// The next event, once published.
    pub async fn recv(&mut self) -> Result<Arc<WatchEvent>, RecvError> {
        loop {
            // Marks the current publication as seen before looking, so that one published after the
            // look wakes the wait below.
            self.published.borrow_and_update();
            if let Some(event) = self.try_recv()? {
                return Ok(event);
            }
            self.published.changed().await.map_err(|_| RecvError::Closed)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(name: &str) -> Key {
        Key {
            prefix: "/core/configmaps".into(),
            namespace: Some("default".into()),
            name: name.into(),
        }
    }

    /// Events of one object each holding a fresh state of `size` bytes (and the previous one).
    struct Writer {
        revision: u64,
        last: HashMap<String, (Arc<Value>, usize)>,
    }

    impl Writer {
        fn event(&mut self, name: &str, event_type: EventType, size: usize) -> Arc<WatchEvent> {
            self.revision += 1;
            let object = Arc::new(json!({"metadata": {"name": name}, "rev": self.revision}));
            let previous = match event_type {
                EventType::Modified => self.last.get(name).cloned(),
                _ => None,
            };
            self.last.insert(name.into(), (Arc::clone(&object), size));
            Arc::new(WatchEvent {
                revision: self.revision,
                event_type,
                key: key(name),
                object,
                previous_size: previous.as_ref().map_or(0, |p| p.1),
                previous: previous.map(|p| p.0),
                size,
            })
        }
    }

    fn revision_after(h: &History, revision: u64) -> Result<Option<u64>, u64> {
        h.next_after(revision).map(|e| e.map(|e| e.revision))
    }

    fn writer() -> Writer {
        Writer {
            revision: 0,
            last: HashMap::new(),
        }
    }

    #[test]
    fn shared_states_are_counted_once_and_bytes_bound_the_history() {
        let mut h = History::new(
            0,
            HistoryLimits {
                events: 100,
                bytes: 1000,
            },
        );
        let mut w = writer();
        h.push(w.event("a", EventType::Added, 100));
        for _ in 0..5 {
            h.push(w.event("a", EventType::Modified, 100));
        }
        // Six states, each the object of one event and the previous of the next.
        assert_eq!((h.len(), h.bytes()), (6, 600));
        for _ in 0..10 {
            h.push(w.event("a", EventType::Modified, 100));
        }
        // Ten events, plus the state before the oldest, would be 1,100 bytes: nine are kept.
        assert_eq!((h.len(), h.bytes()), (9, 1000));
        assert_eq!(revision_after(&h, 1), Err(7));
        assert_eq!(revision_after(&h, 7), Ok(Some(8)));
    }

    #[test]
    fn the_newest_event_is_kept_even_beyond_the_bytes() {
        let mut h = History::new(0, HistoryLimits { events: 100, bytes: 10 });
        let mut w = writer();
        h.push(w.event("a", EventType::Added, 500));
        h.push(w.event("b", EventType::Added, 500));
        assert_eq!((h.len(), h.bytes()), (1, 500));
        assert!(h.next_after(1).is_ok());
        assert!(h.next_after(0).is_err());
    }

    #[test]
    fn a_deletion_forgets_the_earlier_states_of_its_object() {
        let mut h = History::new(
            0,
            HistoryLimits {
                events: 100,
                bytes: 1 << 30,
            },
        );
        let mut w = writer();
        h.push(w.event("big", EventType::Added, 1000));
        h.push(w.event("small", EventType::Added, 10));
        h.push(w.event("big", EventType::Modified, 1000));
        assert_eq!(h.bytes(), 2010);
        let deleted = w.event("big", EventType::Deleted, 1000);
        h.push(deleted);
        // Left: small's creation and big's deletion (whose last state is a copy).
        assert_eq!((h.len(), h.bytes()), (2, 1010));
        let first = h.next_after(0).ok().flatten().map(|e| e.key.name.clone());
        assert_eq!(first.as_deref(), Some("small"));
        assert_eq!(
            h.next_after(2).ok().flatten().map(|e| e.event_type),
            Some(EventType::Deleted)
        );
    }

    #[test]
    fn count_bound_and_compaction_still_apply() {
        let mut h = History::new(
            0,
            HistoryLimits {
                events: 3,
                bytes: 1 << 30,
            },
        );
        let mut w = writer();
        for i in 0..5 {
            h.push(w.event(&format!("o{i}"), EventType::Added, 1));
        }
        assert_eq!(h.len(), 3);
        assert_eq!(h.check_resumable(1), Err(2));
        h.compact(4);
        assert_eq!((h.len(), h.bytes()), (1, 1));
        assert_eq!(h.check_resumable(3), Err(4));
    }

    #[tokio::test]
    async fn a_subscriber_reads_in_order_and_learns_when_it_fell_behind() {
        let history = Arc::new(Mutex::new(History::new(
            0,
            HistoryLimits {
                events: 2,
                bytes: 1 << 30,
            },
        )));
        let (published, rx) = tokio_watch::channel(0u64);
        let mut sub = Subscriber::new(Arc::clone(&history), rx, 0);
        let mut w = writer();
        assert!(matches!(sub.try_recv(), Ok(None)));
        lock(&history).push(w.event("a", EventType::Added, 1));
        published.send_replace(1);
        assert_eq!(sub.recv().await.map(|e| e.revision), Ok(1));
        for name in ["b", "c", "d"] {
            lock(&history).push(w.event(name, EventType::Added, 1));
        }
        published.send_replace(4);
        // Revision 2 is forgotten: the subscriber is told, then reads on from the newest revision.
        assert_eq!(sub.recv().await.map(|e| e.revision), Err(RecvError::Lagged));
        assert_eq!(sub.revision(), 4);
        let waiting = tokio::spawn(async move { sub.recv().await.map(|e| e.revision) });
        lock(&history).push(w.event("e", EventType::Added, 1));
        published.send_replace(5);
        assert_eq!(waiting.await.ok(), Some(Ok(5)));
    }
}
