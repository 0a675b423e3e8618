//! A container's life as a pure function of its start time and the current time: runs, exits,
//! restarts with the kubelet's back-off, pull failures. Computing the state in closed form (rather than
//! stepping it) makes the kubelet's answer the same however often, or late, it is asked.

use std::time::Duration;

use jiff::Timestamp;

use super::meta;

/// The kubelet's first restart back-off; it doubles per restart.
pub const BACKOFF_BASE: Duration = Duration::from_secs(10);
/// The kubelet's longest restart back-off.
pub const BACKOFF_CAP: Duration = Duration::from_secs(300);

/// Which exits are followed by a restart (the pod's `restartPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restart {
    Always,
    OnFailure,
    Never,
}

impl Restart {
    pub(crate) fn parse(s: Option<&str>) -> Self {
        match s {
            Some("Never") => Restart::Never,
            Some("OnFailure") => Restart::OnFailure,
            _ => Restart::Always,
        }
    }

    fn restarts_after(self, code: i32) -> bool {
        match self {
            Restart::Always => true,
            Restart::OnFailure => code != 0,
            Restart::Never => false,
        }
    }
}

/// What one container does once the pod has started.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Behaviour {
    /// The image cannot be pulled: the container never runs.
    pub pull_failure: bool,
    /// How long each run lasts (scaled); `None` runs forever.
    pub run_for: Option<Duration>,
    /// The exit code at the end of each run.
    pub exit_code: i32,
    /// How long after each start the container turns ready; `None` never.
    pub ready_after: Option<Duration>,
}

/// One finished run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    pub index: u64,
    pub started: Timestamp,
    pub finished: Timestamp,
    pub code: i32,
}

/// The container's current state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum State {
    /// Image pull failing; `backing_off` once past the first attempt.
    Pulling { backing_off: bool },
    /// Run number `index` in progress since `since`.
    Running { index: u64, since: Timestamp },
    /// Waiting to restart after a crash, for `backoff`.
    BackOff { backoff: Duration },
    /// Finished for good.
    Done,
}

/// Where a container is at a given time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Snapshot {
    pub state: State,
    /// The latest finished run, shown as `lastState` (or as `state` once `Done`).
    pub last: Option<Run>,
    pub restarts: u64,
    pub ready: bool,
    /// When `ready` last took its current value.
    pub ready_since: Timestamp,
    /// When the snapshot next changes, if ever.
    pub next_change: Option<Timestamp>,
}

/// The restart back-off after run `index` ends: none after the first run, then 10s, 20s, ... capped
/// at 300s, times `scale`.
pub(crate) fn backoff(index: u64, scale: f64) -> Duration {
    if index == 0 {
        return Duration::ZERO;
    }
    let doublings = u32::try_from(index - 1).unwrap_or(u32::MAX).min(16);
    let unscaled = BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(BACKOFF_CAP);
    scaled(unscaled, scale)
}

/// `d * scale`, never negative, saturating.
pub(crate) fn scaled(d: Duration, scale: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * scale.max(0.0)).unwrap_or(Duration::MAX)
}

/// The container's state at `now`, given that the pod started at `t0`.
pub(crate) fn at(
    b: &Behaviour,
    restart: Restart,
    t0: Timestamp,
    now: Timestamp,
    pull_error_for: Duration,
    scale: f64,
) -> Snapshot {
    let waiting = |state, ready_since, next_change| Snapshot {
        state,
        last: None,
        restarts: 0,
        ready: false,
        ready_since,
        next_change,
    };
    if b.pull_failure {
        let retry = meta::add(t0, pull_error_for);
        let backing_off = now >= retry;
        return waiting(State::Pulling { backing_off }, t0, (!backing_off).then_some(retry));
    }
    let Some(run_for) = b.run_for else {
        return running(b, 0, t0, None, None, now);
    };
    let code = b.exit_code;
    let cap = scaled(BACKOFF_CAP, scale);
    let (mut index, mut start, mut prev) = (0u64, t0, None);
    loop {
        let end = meta::add(start, run_for);
        if now < end {
            return running(b, index, start, prev, Some(end), now);
        }
        let finished = Run {
            index,
            started: start,
            finished: end,
            code,
        };
        if !restart.restarts_after(code) {
            return Snapshot {
                last: Some(finished),
                restarts: index,
                ..waiting(State::Done, end, None)
            };
        }
        let wait = backoff(index, scale);
        let next = meta::add(end, wait);
        if now < next {
            let snap = waiting(State::BackOff { backoff: wait }, end, Some(next));
            return Snapshot {
                last: Some(finished),
                restarts: index,
                ..snap
            };
        }
        prev = Some(finished);
        start = if index == 0 {
            next
        } else {
            next.max(meta::add(start, MIN_CYCLE))
        };
        index += 1;
        if index >= 2 && wait >= cap {
            // Periodic from here on (run, then the capped back-off): skip whole cycles at once.
            let period = run_for.saturating_add(wait).max(MIN_CYCLE);
            let cycles = meta::until(start, now).as_nanos() / period.as_nanos();
            if cycles > 1 {
                let skip = u32::try_from(cycles - 1).unwrap_or(u32::MAX);
                index = index.saturating_add(u64::from(skip));
                start = meta::add(start, period.saturating_mul(skip));
                let finished = meta::sub(start, period.saturating_sub(run_for));
                prev = Some(Run {
                    index: index - 1,
                    started: meta::sub(finished, run_for),
                    finished,
                    code,
                });
            }
        }
    }
}

/// The shortest run-plus-back-off cycle, so that time always moves on.
const MIN_CYCLE: Duration = Duration::from_millis(1);

fn running(
    b: &Behaviour,
    index: u64,
    start: Timestamp,
    last: Option<Run>,
    end: Option<Timestamp>,
    now: Timestamp,
) -> Snapshot {
    let ready_at = b
        .ready_after
        .map(|d| meta::add(start, d))
        .filter(|at| end.is_none_or(|e| *at < e));
    let ready = ready_at.is_some_and(|at| now >= at);
    let next_change = match (ready_at.filter(|_| !ready), end) {
        (Some(r), Some(e)) => Some(r.min(e)),
        (r, e) => r.or(e),
    };
    Snapshot {
        state: State::Running { index, since: start },
        last,
        restarts: index,
        ready,
        ready_since: if ready { ready_at.unwrap_or(start) } else { start },
        next_change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> Timestamp {
        meta::add("2024-01-01T00:00:00Z".parse().unwrap(), Duration::from_secs(s))
    }

    fn crash() -> Behaviour {
        Behaviour {
            pull_failure: false,
            run_for: Some(Duration::from_secs(1)),
            exit_code: 1,
            ready_after: None,
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let secs: Vec<u64> = (0..9).map(|i| backoff(i, 1.0).as_secs()).collect();
        assert_eq!(secs, [0, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(backoff(2, 0.1), Duration::from_secs(2));
    }

    #[test]
    fn crashloop_restarts_with_growing_backoff() {
        let b = crash();
        let snap = |s| at(&b, Restart::Always, t(0), t(s), Duration::ZERO, 1.0);
        // run 0: [0,1); run 1: [1,2); back-off 10s; run 2: [12,13); back-off 20s; run 3: [33,34); 40s ...
        assert!(matches!(snap(0).state, State::Running { index: 0, .. }));
        assert_eq!(snap(1).restarts, 1);
        assert!(matches!(snap(1).state, State::Running { index: 1, .. }));
        assert_eq!(
            snap(2).state,
            State::BackOff {
                backoff: Duration::from_secs(10)
            }
        );
        assert_eq!(snap(2).restarts, 1);
        assert_eq!(snap(2).next_change, Some(t(12)));
        assert_eq!(snap(12).restarts, 2);
        assert_eq!(
            snap(13).state,
            State::BackOff {
                backoff: Duration::from_secs(20)
            }
        );
        assert_eq!(
            snap(34).state,
            State::BackOff {
                backoff: Duration::from_secs(40)
            }
        );
        let last = snap(34).last.unwrap();
        assert_eq!((last.started, last.finished, last.code), (t(33), t(34), 1));
        assert!((0..2000).all(|s| !snap(s).ready));
        // far in the future the cycle is periodic (301s) and restarts keep growing
        let (a, b2) = (snap(100_000), snap(200_000));
        assert!(
            b2.restarts > a.restarts && a.restarts > 300,
            "{} {}",
            a.restarts,
            b2.restarts
        );
    }

    #[test]
    fn previous_run_is_reported_while_running_again() {
        let snap = at(&crash(), Restart::Always, t(0), t(12), Duration::ZERO, 1.0);
        let last = snap.last.unwrap();
        assert_eq!((last.index, last.started, last.finished), (1, t(1), t(2)));
    }

    #[test]
    fn job_containers_finish() {
        let b = Behaviour {
            pull_failure: false,
            run_for: Some(Duration::from_secs(5)),
            exit_code: 0,
            ready_after: Some(Duration::ZERO),
        };
        let running = at(&b, Restart::Never, t(0), t(3), Duration::ZERO, 1.0);
        assert!(running.ready);
        assert_eq!(running.next_change, Some(t(5)));
        let done = at(&b, Restart::Never, t(0), t(6), Duration::ZERO, 1.0);
        assert_eq!(done.state, State::Done);
        assert_eq!(done.last.unwrap().finished, t(5));
        assert!(!done.ready && done.next_change.is_none());
        // OnFailure restarts failures only
        let fail = Behaviour {
            exit_code: 2,
            ..b.clone()
        };
        assert_eq!(
            at(&fail, Restart::OnFailure, t(0), t(6), Duration::ZERO, 1.0).restarts,
            1
        );
        assert_eq!(
            at(&b, Restart::OnFailure, t(0), t(60), Duration::ZERO, 1.0).state,
            State::Done
        );
    }

    #[test]
    fn readiness_delay_and_pull_failure() {
        let b = Behaviour {
            pull_failure: false,
            run_for: None,
            exit_code: 0,
            ready_after: Some(Duration::from_secs(4)),
        };
        let early = at(&b, Restart::Always, t(0), t(2), Duration::ZERO, 1.0);
        assert!(!early.ready);
        assert_eq!(early.next_change, Some(t(4)));
        let late = at(&b, Restart::Always, t(0), t(9), Duration::ZERO, 1.0);
        assert!(late.ready && late.ready_since == t(4) && late.next_change.is_none());
        let pull = Behaviour {
            pull_failure: true,
            ..b
        };
        let s = at(&pull, Restart::Always, t(0), t(1), Duration::from_secs(3), 1.0);
        assert_eq!(
            (s.state, s.next_change),
            (State::Pulling { backing_off: false }, Some(t(3)))
        );
        let s = at(&pull, Restart::Always, t(0), t(3), Duration::from_secs(3), 1.0);
        assert_eq!((s.state, s.next_change), (State::Pulling { backing_off: true }, None));
    }
}
