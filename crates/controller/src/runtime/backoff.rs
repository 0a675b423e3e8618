//! Per-object retry delays after failed reconciles.
//!
//! Upstream's work queues use `ItemExponentialFailureRateLimiter(1ms, 10s)`: each object's delay doubles
//! with every consecutive failure, is capped at 10 s, and is forgotten after a success. We start at
//! 10 ms rather than 1 ms, because the first few retries of a 1 ms series would all land before the
//! watch caches could have changed. A write conflict (409) is retried once at once, since it only
//! means our snapshot was a little old; a second consecutive conflict backs off like any failure.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::runtime::ObjectKey;

/// The first retry delay.
pub const BASE_DELAY: Duration = Duration::from_millis(10);
/// The longest retry delay.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

#[derive(Debug, Default, Clone, Copy)]
struct Failures {
    /// Consecutive failures so far.
    count: u32,
    /// Whether the immediate retry a conflict earns was already used.
    conflict_retried: bool,
}

/// Exponential backoff, one series per object.
#[derive(Debug)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: Mutex<HashMap<ObjectKey, Failures>>,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(BASE_DELAY, MAX_DELAY)
    }
}

impl Backoff {
    /// A backoff starting at `base`, doubling, capped at `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Records a failure of `key` and returns how long to wait before retrying it.
    pub fn failure(&self, key: &ObjectKey) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = failures.entry(key.clone()).or_default();
        let delay = self.delay(entry.count);
        entry.count = entry.count.saturating_add(1);
        delay
    }

    /// Records a write conflict of `key`: the first since the last success is retried at once, later
    /// ones back off as failures.
    pub fn conflict(&self, key: &ObjectKey) -> Duration {
        {
            let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = failures.entry(key.clone()).or_default();
            if !entry.conflict_retried {
                entry.conflict_retried = true;
                return Duration::ZERO;
            }
        }
        self.failure(key)
    }

    /// Forgets the failures of `key` (after a successful reconcile, or once the object is deleted).
    pub fn reset(&self, key: &ObjectKey) {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }

    /// How many objects currently have failures on record.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether no object has failures on record.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn delay(&self, previous_failures: u32) -> Duration {
        // 2^31 × 10 ms is far past any sensible cap; clamping the exponent keeps the arithmetic finite.
        let factor = 1u32.checked_shl(previous_failures.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> ObjectKey {
        ObjectKey::new("default", name)
    }

    #[test]
    fn delays_double_from_ten_milliseconds_up_to_ten_seconds() {
        let backoff = Backoff::default();
        let delays: Vec<u128> = (0..14).map(|_| backoff.failure(&key("a")).as_millis()).collect();
        assert_eq!(
            delays,
            [
                10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10_000, 10_000, 10_000, 10_000
            ]
        );
        for _ in 0..100 {
            assert_eq!(backoff.failure(&key("a")), MAX_DELAY);
        }
    }

    #[test]
    fn each_rollout_has_its_own_series_and_a_success_resets_it() {
        let backoff = Backoff::default();
        backoff.failure(&key("a"));
        backoff.failure(&key("a"));
        assert_eq!(backoff.failure(&key("b")), Duration::from_millis(10));
        assert_eq!(backoff.failure(&key("a")), Duration::from_millis(40));
        backoff.reset(&key("a"));
        assert_eq!(backoff.failure(&key("a")), Duration::from_millis(10));
        backoff.reset(&key("a"));
        backoff.reset(&key("b"));
        assert!(backoff.is_empty());
    }

    #[test]
    fn a_conflict_is_retried_at_once_then_backs_off() {
        let backoff = Backoff::default();
        assert_eq!(backoff.conflict(&key("a")), Duration::ZERO);
        assert_eq!(backoff.conflict(&key("a")), Duration::from_millis(10));
        assert_eq!(backoff.conflict(&key("a")), Duration::from_millis(20));
        backoff.reset(&key("a"));
        assert_eq!(backoff.conflict(&key("a")), Duration::ZERO);
    }
}
