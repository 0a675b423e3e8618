//! Guarding against reconciling from a watch cache that has not yet seen our own last write.
//!
//! After a controller writes an object (a Rollout's status, an AnalysisRun's status) or creates or
//! updates an object for it (a Rollout's ReplicaSets), the watch event that carries the new version may
//! arrive a little later than the reconcile that follows. Planning from the older copy would repeat the
//! write (create the same ReplicaSet twice, patch the same status again). So we remember the
//! `resourceVersion` each write returned, and a reconcile whose cache is older waits a few
//! milliseconds instead (upstream's `utils/resourceversion` tracker does the same).
//!
//! `resourceVersion`s are opaque by contract; we compare them as integers only when both parse, which
//! they do on every API server we know, and otherwise never block. Entries are dropped as soon as the
//! cache has caught up, when the object is deleted, or after [`EXPIRY`], so that a lost watch event can
//! delay an object but never stall it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::runtime::ObjectKey;

/// How long a write is remembered at most.
pub const EXPIRY: Duration = Duration::from_secs(10);

/// How soon to look again when the cache has not caught up with our last write yet.
pub const STALE_REQUEUE: Duration = Duration::from_millis(50);

#[derive(Debug, Clone)]
struct Written {
    resource_version: String,
    at: Instant,
}

/// A write of an object the controller keeps for another one (a Rollout's ReplicaSet).
#[derive(Debug, Clone)]
struct WrittenOwned {
    owner: ObjectKey,
    written: Written,
}

#[derive(Debug, Default)]
struct Inner {
    objects: HashMap<ObjectKey, Written>,
    /// Keyed by namespace and name of the owned object.
    owned: HashMap<(String, String), WrittenOwned>,
}

/// The `resourceVersion`s of our latest writes, per reconciled object and per object it owns.
#[derive(Debug, Default)]
pub struct Tracker {
    inner: Mutex<Inner>,
}

/// Whether the cached copy is older than our write: `None` when either version is not an integer.
fn is_older(cached: &str, written: &str) -> Option<bool> {
    let cached: u64 = cached.parse().ok()?;
    let written: u64 = written.parse().ok()?;
    Some(cached < written)
}

impl Tracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers that we wrote the object `key` (metadata, spec or status) and got `resource_version`.
    pub fn written(&self, key: &ObjectKey, resource_version: Option<&str>, now: Instant) {
        let Some(rv) = resource_version else { return };
        self.lock().objects.insert(
            key.clone(),
            Written {
                resource_version: rv.to_string(),
                at: now,
            },
        );
    }

    /// Remembers that we created or updated the object `name` (a ReplicaSet) owned by `owner`.
    pub fn owned_written(&self, owner: &ObjectKey, name: &str, resource_version: Option<&str>, now: Instant) {
        let Some(rv) = resource_version else { return };
        self.lock().owned.insert(
            (owner.namespace.clone(), name.to_string()),
            WrittenOwned {
                owner: owner.clone(),
                written: Written {
                    resource_version: rv.to_string(),
                    at: now,
                },
            },
        );
    }

    /// Forgets an owned object (we deleted it, or its deletion was watched).
    pub fn owned_deleted(&self, namespace: &str, name: &str) {
        self.lock().owned.remove(&(namespace.to_string(), name.to_string()));
    }

    /// Forgets a deleted object and the objects we wrote for it.
    pub fn forget(&self, key: &ObjectKey) {
        let mut inner = self.lock();
        inner.objects.remove(key);
        inner.owned.retain(|_, rs| rs.owner != *key);
    }

    /// Whether the cache is behind our writes for the object `key`: its cached `resourceVersion` is
    /// `cached_object`, and `cached_owned(name)` is the cached `resourceVersion` of an object of its
    /// namespace that it owns (`None` when the cache does not hold it). Entries that the cache has
    /// caught up with, or that expired, are dropped.
    pub fn is_stale(
        &self,
        key: &ObjectKey,
        cached_object: Option<&str>,
        cached_owned: impl Fn(&str) -> Option<String>,
        now: Instant,
    ) -> bool {
        let mut inner = self.lock();
        let mut stale = false;
        if let Some(written) = inner.objects.get(key) {
            let behind = now.duration_since(written.at) < EXPIRY
                && cached_object
                    .and_then(|cached| is_older(cached, &written.resource_version))
                    .unwrap_or(false);
            if behind {
                stale = true;
            } else {
                inner.objects.remove(key);
            }
        }
        inner.owned.retain(|(_, name), rs| {
            if rs.owner != *key {
                return true;
            }
            if now.duration_since(rs.written.at) >= EXPIRY {
                return false;
            }
            let behind = match cached_owned(name) {
                // Created (or updated) by us but not in the cache yet.
                None => true,
                Some(cached) => is_older(&cached, &rs.written.resource_version).unwrap_or(false),
            };
            stale |= behind;
            behind
        });
        stale
    }

    /// How many writes are remembered (objects plus owned objects).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        let inner = self.lock();
        inner.objects.len() + inner.owned.len()
    }

    /// Whether no write is remembered.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> ObjectKey {
        ObjectKey::new("default", name)
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn an_older_cached_rollout_is_stale_until_the_cache_catches_up() {
        let tracker = Tracker::default();
        let now = Instant::now();
        tracker.written(&key("a"), Some("120"), now);
        assert!(tracker.is_stale(&key("a"), Some("119"), none, now));
        assert!(
            tracker.is_stale(&key("a"), Some("99"), none, now),
            "integers, not strings, compare"
        );
        assert!(
            !tracker.is_stale(&key("b"), Some("1"), none, now),
            "other Rollouts are not held up"
        );
        assert!(!tracker.is_stale(&key("a"), Some("120"), none, now));
        assert!(tracker.is_empty(), "caught up: the entry is dropped");
        assert!(!tracker.is_stale(&key("a"), Some("119"), none, now));
    }

    #[test]
    fn a_newer_cached_rollout_is_fresh() {
        let tracker = Tracker::default();
        let now = Instant::now();
        tracker.written(&key("a"), Some("7"), now);
        assert!(!tracker.is_stale(&key("a"), Some("8"), none, now));
        assert!(tracker.is_empty());
    }

    #[test]
    fn versions_that_are_not_integers_never_block() {
        let tracker = Tracker::default();
        let now = Instant::now();
        tracker.written(&key("a"), Some("abc"), now);
        assert!(!tracker.is_stale(&key("a"), Some("1"), none, now));
        tracker.written(&key("a"), Some("5"), now);
        assert!(!tracker.is_stale(&key("a"), Some("x1"), none, now));
        tracker.written(&key("a"), None, now);
        assert!(tracker.is_empty(), "a write without a version is not remembered");
    }

    #[test]
    fn a_created_replica_set_missing_from_the_cache_is_stale() {
        let tracker = Tracker::default();
        let now = Instant::now();
        tracker.owned_written(&key("a"), "a-123", Some("40"), now);
        assert!(tracker.is_stale(&key("a"), Some("1"), none, now));
        assert!(
            !tracker.is_stale(&key("b"), Some("1"), none, now),
            "it belongs to a only"
        );
        let cached = |version: &'static str| move |name: &str| (name == "a-123").then(|| version.to_string());
        assert!(tracker.is_stale(&key("a"), Some("1"), cached("39"), now));
        assert!(!tracker.is_stale(&key("a"), Some("1"), cached("40"), now));
        assert!(tracker.is_empty());
    }

    #[test]
    fn deletions_and_expiry_bound_the_tracker() {
        let tracker = Tracker::default();
        let now = Instant::now();
        tracker.owned_written(&key("a"), "a-1", Some("10"), now);
        tracker.owned_written(&key("a"), "a-2", Some("11"), now);
        tracker.owned_written(&key("b"), "b-1", Some("12"), now);
        tracker.written(&key("a"), Some("13"), now);
        assert_eq!(tracker.len(), 4);
        tracker.owned_deleted("default", "a-1");
        assert_eq!(tracker.len(), 3);
        tracker.forget(&key("a"));
        assert_eq!(tracker.len(), 1, "the Rollout and its ReplicaSets are forgotten");
        let later = now + EXPIRY;
        assert!(
            !tracker.is_stale(&key("b"), None, none, later),
            "an old write no longer blocks"
        );
        assert!(tracker.is_empty());
    }
}
