//! Deleting completed runs (upstream `maybeGarbageCollectAnalysisRun` / `isAnalysisRunTtlExceeded`).
//!
//! A completed run with a `ttlStrategy` and a `completedAt` is deleted once the whole seconds since
//! `completedAt` exceed its TTL: `secondsAfterSuccess` for a Successful run, `secondsAfterFailure` for a
//! Failed one, otherwise `secondsAfterCompletion` (also for Error and Inconclusive runs, and when the
//! more specific setting is absent). Runs that ended in `Error` before measuring have no `completedAt`
//! and are never deleted this way.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, AnalysisRunSpec, AnalysisRunStatus};

use super::RunUpdate;

/// The TTL in seconds that applies to a run in `phase`, if any.
pub fn ttl_seconds(spec: &AnalysisRunSpec, phase: AnalysisPhase) -> Option<i32> {
    let strategy = spec.ttl_strategy.as_ref()?;
    match phase {
        AnalysisPhase::Successful if strategy.seconds_after_success.is_some() => strategy.seconds_after_success,
        AnalysisPhase::Failed if strategy.seconds_after_failure.is_some() => strategy.seconds_after_failure,
        _ => strategy.seconds_after_completion,
    }
}

/// The TTL and completion time, for a completed run that has both.
fn deadline_parts(spec: &AnalysisRunSpec, status: &AnalysisRunStatus) -> Option<(i32, Timestamp)> {
    if !status.phase.is_completed() {
        return None;
    }
    let completed = status.completed_at.as_ref()?.0;
    Some((ttl_seconds(spec, status.phase)?, completed))
}

/// Whole seconds from `from` to `to`, truncated toward zero (Go's `int32(d.Seconds())`).
fn whole_seconds(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs()
}

/// Whether the run is completed and its TTL has expired at `now`.
pub fn expired(spec: &AnalysisRunSpec, status: &AnalysisRunStatus, now: Timestamp) -> bool {
    deadline_parts(spec, status).is_some_and(|(ttl, completed)| whole_seconds(completed, now) > i64::from(ttl))
}

/// How long until the TTL of a completed run expires; `None` when it has no TTL (or already expired).
pub fn remaining(spec: &AnalysisRunSpec, status: &AnalysisRunStatus, now: Timestamp) -> Option<Duration> {
    let (ttl, completed) = deadline_parts(spec, status)?;
    if whole_seconds(completed, now) > i64::from(ttl) {
        return None;
    }
    // The first instant whose whole seconds exceed the TTL.
    let deadline = completed
        .checked_add(SignedDuration::from_secs(i64::from(ttl) + 1))
        .ok()?;
    Some(Duration::try_from(deadline.duration_since(now)).unwrap_or(Duration::ZERO))
}

/// The reconcile of a completed run: nothing changes; delete it when its TTL expired, otherwise look
/// again when it will have.
pub fn completed_update(run: &AnalysisRun, now: Timestamp) -> RunUpdate {
    let status = run.status.clone().unwrap_or_default();
    let delete = expired(&run.spec, &status, now);
    let requeue_after = if delete {
        None
    } else {
        remaining(&run.spec, &status, now)
    };
    RunUpdate {
        status,
        requeue_after,
        delete,
        ..RunUpdate::default()
    }
}
