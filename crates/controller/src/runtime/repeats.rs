//! Logging a failing state once, not once per retry. A Rollout whose spec is invalid is retried every
//! ten seconds and a watch of an unreachable API server every second or two; logging each retry buries
//! everything else. So a failure is logged when it starts and whenever its message changes, repeated at
//! most every [`REPEAT`] (saying how many retries were left out), and its end is logged once.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often a failure that goes on unchanged is logged again.
pub const REPEAT: Duration = Duration::from_secs(60);

/// What to do with one more report of a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// A new failure (or a new message): log it.
    New,
    /// The same failure again, last logged at least [`REPEAT`] ago: log it with the count of the
    /// reports left out since.
    Again {
        /// Reports left out since the last one logged.
        left_out: u64,
    },
    /// The same failure again, logged recently: leave it out.
    Quiet,
}

/// One failing state.
#[derive(Debug, Clone)]
struct Failing {
    message: String,
    since: Instant,
    logged_at: Instant,
    left_out: u64,
}

/// The state of one thing that can fail (a watch).
#[derive(Debug, Default)]
pub struct Repeats {
    failing: Option<Failing>,
}

impl Repeats {
    /// Takes a failure with `message` at `now`.
    pub fn failed(&mut self, message: &str, now: Instant) -> Report {
        match &mut self.failing {
            Some(failing) if failing.message == message => {
                if now.duration_since(failing.logged_at) >= REPEAT {
                    let left_out = std::mem::take(&mut failing.left_out);
                    failing.logged_at = now;
                    Report::Again { left_out }
                } else {
                    failing.left_out += 1;
                    Report::Quiet
                }
            }
            Some(failing) => {
                *failing = Failing {
                    message: message.to_string(),
                    since: failing.since,
                    logged_at: now,
                    left_out: 0,
                };
                Report::New
            }
            None => {
                self.failing = Some(Failing {
                    message: message.to_string(),
                    since: now,
                    logged_at: now,
                    left_out: 0,
                });
                Report::New
            }
        }
    }

    /// Takes a success at `now`: how long it had been failing, if it was.
    pub fn succeeded(&mut self, now: Instant) -> Option<Duration> {
        self.failing.take().map(|failing| now.duration_since(failing.since))
    }
}

/// The health of one watch, logged as it changes.
#[derive(Debug)]
pub struct WatchHealth {
    what: &'static str,
    repeats: Repeats,
}

impl WatchHealth {
    /// The health of the watch of `what` (`"Rollouts"`).
    pub fn new(what: &'static str) -> Self {
        Self {
            what,
            repeats: Repeats::default(),
        }
    }

    /// Takes one item of the watch stream.
    pub fn observe<T, E: std::fmt::Display>(&mut self, item: &Result<T, E>) {
        let now = Instant::now();
        match item {
            Ok(_) => {
                if let Some(failing_for) = self.repeats.succeeded(now) {
                    tracing::info!(watch = self.what, ?failing_for, "the watch works again");
                }
            }
            Err(error) => match self.repeats.failed(&error.to_string(), now) {
                Report::New => tracing::warn!(watch = self.what, %error, "the watch failed; retrying"),
                Report::Again { left_out } => {
                    tracing::warn!(watch = self.what, %error, left_out, "the watch is still failing; retrying");
                }
                Report::Quiet => tracing::debug!(watch = self.what, %error, "the watch failed again"),
            },
        }
    }
}

/// [`Repeats`] for many objects at once (the Rollouts).
#[derive(Debug)]
pub struct KeyedRepeats<K> {
    states: Mutex<HashMap<K, Repeats>>,
}

impl<K> Default for KeyedRepeats<K> {
    fn default() -> Self {
        Self {
            states: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Clone> KeyedRepeats<K> {
    /// Takes a failure of `key`.
    pub fn failed(&self, key: &K, message: &str, now: Instant) -> Report {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        states.entry(key.clone()).or_default().failed(message, now)
    }

    /// Takes a success of `key`: how long it had been failing, if it was.
    pub fn succeeded(&self, key: &K, now: Instant) -> Option<Duration> {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        let recovered = states.get_mut(key)?.succeeded(now);
        states.remove(key);
        recovered
    }

    /// Forgets `key` (deleted).
    pub fn forget(&self, key: &K) {
        self.states.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }

    /// How many keys are failing.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.states.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_logged_when_it_starts_changes_and_every_minute_after() {
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        let mut repeats = Repeats::default();
        assert_eq!(repeats.failed("connection refused", at(0)), Report::New);
        for second in 1..60 {
            assert_eq!(repeats.failed("connection refused", at(second)), Report::Quiet);
        }
        assert_eq!(
            repeats.failed("connection refused", at(60)),
            Report::Again { left_out: 59 }
        );
        assert_eq!(repeats.failed("connection refused", at(61)), Report::Quiet);
        assert_eq!(repeats.failed("503 Service Unavailable", at(62)), Report::New);
        assert_eq!(repeats.failed("503 Service Unavailable", at(63)), Report::Quiet);
        assert_eq!(
            repeats.succeeded(at(70)),
            Some(Duration::from_secs(70)),
            "failing since the first report"
        );
        assert_eq!(repeats.succeeded(at(71)), None, "already recovered");
        assert_eq!(
            repeats.failed("connection refused", at(72)),
            Report::New,
            "a new failure after a recovery"
        );
    }

    #[test]
    fn keyed_failures_are_independent_and_forgotten_on_success_or_deletion() {
        let now = Instant::now();
        let repeats: KeyedRepeats<&str> = KeyedRepeats::default();
        assert_eq!(repeats.failed(&"a", "invalid", now), Report::New);
        assert_eq!(repeats.failed(&"a", "invalid", now), Report::Quiet);
        assert_eq!(repeats.failed(&"b", "invalid", now), Report::New, "another Rollout");
        assert_eq!(repeats.succeeded(&"a", now), Some(Duration::ZERO));
        assert_eq!(repeats.succeeded(&"c", now), None, "never failed");
        repeats.forget(&"b");
        assert_eq!(repeats.len(), 0);
    }
}
