//! Whether the watch caches a Rollout reconcile reads have been filled by their first list.
//!
//! Planning from a half-filled cache would recreate what already exists (a ReplicaSet, an AnalysisRun)
//! or report a template missing that is only not listed yet, so a reconcile waits until every cache it
//! reads has been listed once. kube-runtime's `Store::wait_until_ready` cannot be used for that from
//! several reconciles at once: its waiters share one oneshot receiver, which keeps a single waker, so
//! when the cache fills only the waiter polled last is woken and the others sleep forever (found as
//! "reconcile concurrency minus one" Rollouts never reconciled after a start whose ReplicaSet list was
//! paged and so slower than the Rollout list). Here readiness goes through a tokio `watch` channel, which
//! wakes every waiter, and the wait is bounded: a reconcile that finds a cache still empty after
//! [`Readiness::wait`]'s bound is put off and tried again, never parked for good.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// One watch cache the Rollout reconcile reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// ReplicaSets with the pod-template-hash label.
    ReplicaSets,
    /// Services.
    Services,
    /// AnalysisRuns.
    AnalysisRuns,
    /// AnalysisTemplates.
    AnalysisTemplates,
    /// ClusterAnalysisTemplates.
    ClusterAnalysisTemplates,
}

impl Cache {
    const ALL: [Cache; 5] = [
        Cache::ReplicaSets,
        Cache::Services,
        Cache::AnalysisRuns,
        Cache::AnalysisTemplates,
        Cache::ClusterAnalysisTemplates,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    fn all_bits() -> u8 {
        Self::ALL.iter().fold(0, |bits, cache| bits | cache.bit())
    }
}

impl fmt::Display for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cache::ReplicaSets => "ReplicaSet",
            Cache::Services => "Service",
            Cache::AnalysisRuns => "AnalysisRun",
            Cache::AnalysisTemplates => "AnalysisTemplate",
            Cache::ClusterAnalysisTemplates => "ClusterAnalysisTemplate",
        })
    }
}

/// The caches not filled yet when a bounded wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFilled(pub Vec<Cache>);

impl fmt::Display for NotFilled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(Cache::to_string).collect();
        write!(f, "the {} cache(s) have not been listed yet", names.join(", "))
    }
}

/// Which caches have been filled; cheap to clone, shared by the watches (which fill it) and the
/// reconciles (which wait for it).
#[derive(Clone, Debug)]
pub struct Readiness {
    filled: Arc<watch::Sender<u8>>,
}

impl Default for Readiness {
    fn default() -> Self {
        Self::new()
    }
}

impl Readiness {
    /// Nothing filled yet.
    pub fn new() -> Self {
        Self {
            filled: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Records that `cache` has been listed once (later relists change nothing: the cache keeps its
    /// objects while it relists).
    pub fn filled(&self, cache: Cache) {
        self.filled.send_if_modified(|bits| {
            let before = *bits;
            *bits |= cache.bit();
            *bits != before
        });
    }

    /// Whether every cache has been filled.
    #[cfg(test)]
    pub fn is_ready(&self) -> bool {
        *self.filled.borrow() == Cache::all_bits()
    }

    /// Waits until every cache is filled, for at most `bound`.
    pub async fn wait(&self, bound: Duration) -> Result<(), NotFilled> {
        let mut filled = self.filled.subscribe();
        let all = Cache::all_bits();
        match tokio::time::timeout(bound, filled.wait_for(|bits| *bits == all)).await {
            Ok(Ok(_)) => Ok(()),
            // The sender lives as long as `self`, so only the timeout can end the wait early.
            Ok(Err(_)) | Err(_) => {
                let bits = *self.filled.borrow();
                Err(NotFilled(
                    Cache::ALL.into_iter().filter(|c| bits & c.bit() == 0).collect(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSet;
    use kube::runtime::reflector::store::Writer;
    use kube::runtime::watcher::Event;

    const WAITERS: usize = 10;

    fn fill_all(readiness: &Readiness) {
        for cache in Cache::ALL {
            readiness.filled(cache);
        }
    }

    #[tokio::test]
    async fn every_concurrent_waiter_is_released_once_all_caches_are_filled() {
        let readiness = Readiness::new();
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let readiness = readiness.clone();
                tokio::spawn(async move { readiness.wait(Duration::from_secs(30)).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!readiness.is_ready());
        readiness.filled(Cache::ReplicaSets);
        readiness.filled(Cache::ReplicaSets);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(waiters.iter().all(|w| !w.is_finished()), "one cache is not enough");
        fill_all(&readiness);
        for waiter in waiters {
            let released = tokio::time::timeout(Duration::from_secs(5), waiter).await;
            assert_eq!(released.expect("a waiter was never woken").unwrap(), Ok(()));
        }
        assert!(readiness.is_ready());
        assert_eq!(readiness.wait(Duration::ZERO).await, Ok(()), "filled stays filled");
    }

    #[tokio::test]
    async fn a_wait_is_bounded_and_names_the_caches_still_empty() {
        let readiness = Readiness::new();
        readiness.filled(Cache::Services);
        readiness.filled(Cache::AnalysisRuns);
        readiness.filled(Cache::AnalysisTemplates);
        let result = readiness.wait(Duration::from_millis(30)).await;
        assert_eq!(
            result,
            Err(NotFilled(vec![Cache::ReplicaSets, Cache::ClusterAnalysisTemplates]))
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "the ReplicaSet, ClusterAnalysisTemplate cache(s) have not been listed yet"
        );
    }

    /// Why [`Readiness`] exists: with kube-runtime's own readiness wait, several reconciles waiting at
    /// once are not all woken when the cache fills. Should this start failing, kube-runtime wakes every
    /// waiter now and the reconcile could use it again.
    #[tokio::test]
    async fn kube_store_readiness_loses_concurrent_waiters() {
        let mut writer: Writer<ReplicaSet> = Writer::default();
        let store = writer.as_reader();
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.wait_until_ready().await.is_ok() })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        writer.apply_watcher_event(&Event::Init);
        writer.apply_watcher_event(&Event::InitDone);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let released = waiters.iter().filter(|w| w.is_finished()).count();
        assert!(
            released < WAITERS,
            "all {WAITERS} waiters were released: kube-runtime's Store::wait_until_ready now wakes every waiter"
        );
        for waiter in waiters {
            waiter.abort();
        }
    }
}
