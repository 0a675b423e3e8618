//! What a candidate decides from the Lease it read: client-go's `tryAcquireOrRenew` without the I/O.
//!
//! A lease counts as held while the holder keeps changing the record: each candidate notes, by its own
//! monotonic clock, when it last saw the record change, and takes the lease only once
//! `leaseDurationSeconds` have passed since then without a change. The holder's `renewTime` is written
//! for people and other tools but never compared with this machine's clock, so clock skew between
//! nodes cannot hand the lease to two candidates.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::LeaseSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;

/// The lease record as last seen, and when it was seen to change.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The record.
    pub spec: LeaseSpec,
    /// When this candidate first saw it (its own clock).
    pub since: Instant,
}

impl Observation {
    /// Whether the holder's claim still stands at `now`: the record changed less than its
    /// `leaseDurationSeconds` ago.
    pub fn valid_at(&self, now: Instant) -> bool {
        self.expiry() > now
    }

    /// When the holder's claim lapses unless the record changes before.
    pub fn expiry(&self) -> Instant {
        let seconds = self.spec.lease_duration_seconds.unwrap_or_default().max(0);
        self.since + Duration::from_secs(u64::from(seconds.unsigned_abs()))
    }
}

/// What to do after reading the Lease.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// No Lease yet: create it holding it.
    Create(LeaseSpec),
    /// Write this record over the one read (guarded by its resourceVersion): a renewal when this
    /// candidate holds the lease, a takeover otherwise.
    Update(LeaseSpec),
    /// Another candidate holds the lease and its claim still stands.
    Held {
        /// The holder.
        holder: String,
    },
}

/// Whole seconds, rounded up, for `leaseDurationSeconds` (at least one).
pub fn lease_seconds(duration: Duration) -> i32 {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    i32::try_from(seconds.max(1)).unwrap_or(i32::MAX)
}

/// The holder named by `spec`, if any.
pub fn holder(spec: &LeaseSpec) -> Option<&str> {
    spec.holder_identity.as_deref().filter(|h| !h.is_empty())
}

/// Decides what `identity` does with `current` (the Lease's record, `None` when there is no Lease),
/// updating `observed` when the record changed since it was last seen. `now` is this candidate's clock,
/// `wall` the time written into the record.
pub fn decide(
    identity: &str,
    lease_duration: Duration,
    current: Option<&LeaseSpec>,
    observed: &mut Option<Observation>,
    now: Instant,
    wall: Timestamp,
) -> Decision {
    let claim = |acquire_time, transitions| LeaseSpec {
        holder_identity: Some(identity.to_string()),
        lease_duration_seconds: Some(lease_seconds(lease_duration)),
        acquire_time: Some(acquire_time),
        renew_time: Some(MicroTime(wall)),
        lease_transitions: Some(transitions),
        ..LeaseSpec::default()
    };
    let Some(current) = current else {
        return Decision::Create(claim(MicroTime(wall), 0));
    };
    if observed.as_ref().is_none_or(|seen| seen.spec != *current) {
        *observed = Some(Observation {
            spec: current.clone(),
            since: now,
        });
    }
    let transitions = current.lease_transitions.unwrap_or_default();
    match holder(current) {
        Some(holder) if holder == identity => {
            let acquired = current.acquire_time.clone().unwrap_or(MicroTime(wall));
            Decision::Update(LeaseSpec {
                // Fields this candidate does not manage (preferredHolder, strategy) stay as they are.
                preferred_holder: current.preferred_holder.clone(),
                strategy: current.strategy.clone(),
                ..claim(acquired, transitions)
            })
        }
        Some(holder) if observed.as_ref().is_some_and(|seen| seen.valid_at(now)) => Decision::Held {
            holder: holder.to_string(),
        },
        _ => Decision::Update(LeaseSpec {
            preferred_holder: current.preferred_holder.clone(),
            strategy: current.strategy.clone(),
            ..claim(MicroTime(wall), transitions.saturating_add(1))
        }),
    }
}

/// The record that gives the lease up: no holder, so that any candidate takes it at its next try
/// instead of waiting for it to expire (client-go writes a one-second duration for the same reason).
pub fn released(current: &LeaseSpec, wall: Timestamp) -> LeaseSpec {
    LeaseSpec {
        holder_identity: None,
        lease_duration_seconds: Some(1),
        acquire_time: Some(MicroTime(wall)),
        renew_time: Some(MicroTime(wall)),
        ..current.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(15);

    fn held_by(holder: &str, transitions: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(holder.to_string()),
            lease_duration_seconds: Some(15),
            acquire_time: Some(MicroTime(Timestamp::UNIX_EPOCH)),
            renew_time: Some(MicroTime(Timestamp::UNIX_EPOCH)),
            lease_transitions: Some(transitions),
            ..LeaseSpec::default()
        }
    }

    fn spec_of(decision: Decision) -> LeaseSpec {
        match decision {
            Decision::Create(spec) | Decision::Update(spec) => spec,
            Decision::Held { holder } => panic!("held by {holder}"),
        }
    }

    #[test]
    fn no_lease_is_created_held() {
        let mut observed = None;
        let now = Instant::now();
        let decision = decide("a", LEASE, None, &mut observed, now, Timestamp::UNIX_EPOCH);
        let Decision::Create(spec) = decision else {
            panic!("{decision:?}")
        };
        assert_eq!(spec.holder_identity.as_deref(), Some("a"));
        assert_eq!(spec.lease_duration_seconds, Some(15));
        assert_eq!(spec.lease_transitions, Some(0));
        assert!(spec.acquire_time.is_some() && spec.renew_time.is_some());
    }

    #[test]
    fn another_holder_is_waited_for_until_its_record_stops_changing_for_the_lease_duration() {
        let mut observed = None;
        let start = Instant::now();
        let wall = Timestamp::UNIX_EPOCH;
        let first = held_by("b", 3);
        assert_eq!(
            decide("a", LEASE, Some(&first), &mut observed, start, wall),
            Decision::Held { holder: "b".into() }
        );
        // b renews at 10 s: the clock starts again from when a saw the change.
        let mut renewed = first.clone();
        renewed.renew_time = Some(MicroTime(Timestamp::from_second(10).unwrap()));
        let at = |s| start + Duration::from_secs(s);
        assert!(matches!(
            decide("a", LEASE, Some(&renewed), &mut observed, at(10), wall),
            Decision::Held { .. }
        ));
        assert!(matches!(
            decide("a", LEASE, Some(&renewed), &mut observed, at(24), wall),
            Decision::Held { .. }
        ));
        // 15 s after the last change seen, the lease is taken over: one more transition.
        let spec = spec_of(decide("a", LEASE, Some(&renewed), &mut observed, at(25), wall));
        assert_eq!(spec.holder_identity.as_deref(), Some("a"));
        assert_eq!(spec.lease_transitions, Some(4));
        assert_eq!(spec.acquire_time, Some(MicroTime(wall)));
    }

    #[test]
    fn the_holder_renews_keeping_its_acquire_time_and_the_transitions() {
        let mut observed = None;
        let wall = Timestamp::from_second(100).unwrap();
        let mut current = held_by("a", 2);
        current.preferred_holder = Some("c".into());
        let spec = spec_of(decide("a", LEASE, Some(&current), &mut observed, Instant::now(), wall));
        assert_eq!(spec.acquire_time, Some(MicroTime(Timestamp::UNIX_EPOCH)));
        assert_eq!(spec.renew_time, Some(MicroTime(wall)));
        assert_eq!(spec.lease_transitions, Some(2));
        assert_eq!(spec.preferred_holder.as_deref(), Some("c"), "fields of others are kept");
    }

    #[test]
    fn a_released_lease_is_taken_at_once() {
        let mut observed = None;
        let released = released(&held_by("b", 5), Timestamp::UNIX_EPOCH);
        assert_eq!(released.holder_identity, None);
        assert_eq!(released.lease_transitions, Some(5));
        let spec = spec_of(decide(
            "a",
            LEASE,
            Some(&released),
            &mut observed,
            Instant::now(),
            Timestamp::UNIX_EPOCH,
        ));
        assert_eq!(spec.holder_identity.as_deref(), Some("a"));
        assert_eq!(spec.lease_transitions, Some(6));
        let empty = LeaseSpec {
            holder_identity: Some(String::new()),
            ..held_by("", 0)
        };
        assert!(matches!(
            decide(
                "a",
                LEASE,
                Some(&empty),
                &mut None,
                Instant::now(),
                Timestamp::UNIX_EPOCH
            ),
            Decision::Update(_)
        ));
    }

    #[test]
    fn a_record_without_a_duration_is_expired() {
        let mut spec = held_by("b", 0);
        spec.lease_duration_seconds = None;
        assert!(matches!(
            decide(
                "a",
                LEASE,
                Some(&spec),
                &mut None,
                Instant::now(),
                Timestamp::UNIX_EPOCH
            ),
            Decision::Update(_)
        ));
    }

    #[test]
    fn lease_seconds_round_up() {
        assert_eq!(lease_seconds(Duration::from_secs(15)), 15);
        assert_eq!(lease_seconds(Duration::from_millis(2500)), 3);
        assert_eq!(lease_seconds(Duration::from_millis(10)), 1);
        assert_eq!(lease_seconds(Duration::ZERO), 1);
    }
}
