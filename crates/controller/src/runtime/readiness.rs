//! Whether the watch caches a reconcile reads have been filled by their first list.
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
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// The watch caches a controller's reconcile waits for, one value each (at most 64).
pub trait CacheSet: Copy + Eq + fmt::Display + fmt::Debug + Send + Sync + 'static {
    /// Every cache of the set.
    const ALL: &'static [Self];
}

fn bit<C: CacheSet>(cache: C) -> u64 {
    let index = C::ALL.iter().position(|c| *c == cache).unwrap_or_default();
    1 << index
}

fn all_bits<C: CacheSet>() -> u64 {
    C::ALL.iter().fold(0, |bits, cache| bits | bit(*cache))
}

/// The caches not filled yet when a bounded wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFilled<C>(pub Vec<C>);

impl<C: CacheSet> fmt::Display for NotFilled<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(C::to_string).collect();
        write!(f, "the {} cache(s) have not been listed yet", names.join(", "))
    }
}

/// Which caches have been filled; cheap to clone, shared by the watches (which fill it) and the
/// reconciles (which wait for it).
#[derive(Debug)]
pub struct Readiness<C> {
    filled: Arc<watch::Sender<u64>>,
    caches: PhantomData<C>,
}

impl<C> Clone for Readiness<C> {
    fn clone(&self) -> Self {
        Self {
            filled: Arc::clone(&self.filled),
            caches: PhantomData,
        }
    }
}

impl<C: CacheSet> Default for Readiness<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: CacheSet> Readiness<C> {
    /// Nothing filled yet.
    pub fn new() -> Self {
        Self {
            filled: Arc::new(watch::Sender::new(0)),
            caches: PhantomData,
        }
    }

    /// Records that `cache` has been listed once (later relists change nothing: the cache keeps its
    /// objects while it relists).
    pub fn filled(&self, cache: C) {
        self.filled.send_if_modified(|bits| {
            let before = *bits;
            *bits |= bit(cache);
            *bits != before
        });
    }

    /// Whether every cache has been filled.
    #[cfg(test)]
    pub fn is_ready(&self) -> bool {
        *self.filled.borrow() == all_bits::<C>()
    }

    /// Waits until every cache is filled, for at most `bound`.
    pub async fn wait(&self, bound: Duration) -> Result<(), NotFilled<C>> {
        let mut filled = self.filled.subscribe();
        let all = all_bits::<C>();
        match tokio::time::timeout(bound, filled.wait_for(|bits| *bits == all)).await {
            Ok(Ok(_)) => Ok(()),
            // The sender lives as long as `self`, so only the timeout can end the wait early.
            Ok(Err(_)) | Err(_) => {
                let bits = *self.filled.borrow();
                Err(NotFilled(
                    C::ALL.iter().copied().filter(|c| bits & bit(*c) == 0).collect(),
                ))
            }
        }
    }
}

/// A [`Readiness`] seen from a controller that shares another controller's caches without knowing
/// their set (the Experiment controller reads the Rollout controller's).
pub trait CachesFilled: Send + Sync {
    /// Waits until every cache is filled, for at most `bound`; the error names the caches still empty.
    fn wait_filled(&self, bound: Duration) -> futures::future::BoxFuture<'_, Result<(), String>>;
}

impl<C: CacheSet> CachesFilled for Readiness<C> {
    fn wait_filled(&self, bound: Duration) -> futures::future::BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.wait(bound).await.map_err(|not_filled| not_filled.to_string()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSet;
    use kube::runtime::reflector::store::Writer;
    use kube::runtime::watcher::Event;

    const WAITERS: usize = 10;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Cache {
        Pods,
        Services,
        Jobs,
    }

    impl fmt::Display for Cache {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Debug::fmt(self, f)
        }
    }

    impl CacheSet for Cache {
        const ALL: &'static [Self] = &[Cache::Pods, Cache::Services, Cache::Jobs];
    }

    fn fill_all(readiness: &Readiness<Cache>) {
        for cache in Cache::ALL {
            readiness.filled(*cache);
        }
    }

    #[tokio::test]
    async fn every_concurrent_waiter_is_released_once_all_caches_are_filled() {
        let readiness = Readiness::<Cache>::new();
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let readiness = readiness.clone();
                tokio::spawn(async move { readiness.wait(Duration::from_secs(30)).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!readiness.is_ready());
        readiness.filled(Cache::Pods);
        readiness.filled(Cache::Pods);
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
        let result = readiness.wait(Duration::from_millis(30)).await;
        assert_eq!(result, Err(NotFilled(vec![Cache::Pods, Cache::Jobs])));
        assert_eq!(
            result.unwrap_err().to_string(),
            "the Pods, Jobs cache(s) have not been listed yet"
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
