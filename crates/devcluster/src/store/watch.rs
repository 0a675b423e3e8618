//! Watch events and the bounded history that lets a watch resume from a past resourceVersion.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::Value;

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
}

/// The most recent events, in revision order.
pub struct History {
    events: VecDeque<Arc<WatchEvent>>,
    capacity: usize,
    /// Every event with a revision above this one is in `events`.
    complete_after: u64,
    last: u64,
}

impl History {
    /// An empty history starting at `revision`.
    pub fn new(revision: u64, capacity: usize) -> Self {
        History {
            events: VecDeque::new(),
            capacity: capacity.max(1),
            complete_after: revision,
            last: revision,
        }
    }

    /// Records a published event, forgetting the oldest beyond capacity.
    pub fn push(&mut self, event: Arc<WatchEvent>) {
        self.last = event.revision;
        self.events.push_back(event);
        while self.events.len() > self.capacity {
            if let Some(old) = self.events.pop_front() {
                self.complete_after = old.revision;
            }
        }
    }

    /// Events after `revision`, or `Err(oldest resumable revision)` if some were forgotten.
    pub fn since(&self, revision: u64) -> Result<Vec<Arc<WatchEvent>>, u64> {
        if revision < self.complete_after {
            return Err(self.complete_after);
        }
        Ok(self.events.iter().filter(|e| e.revision > revision).cloned().collect())
    }

    /// The newest published revision.
    pub fn last_revision(&self) -> u64 {
        self.last
    }

    /// Forgets events up to `revision`.
    pub fn compact(&mut self, revision: u64) {
        while self.events.front().is_some_and(|e| e.revision <= revision) {
            self.events.pop_front();
        }
        self.complete_after = self.complete_after.max(revision.min(self.last));
    }
}
