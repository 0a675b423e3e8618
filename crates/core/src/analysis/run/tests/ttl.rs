//! Deleting completed runs after their TTL.

use std::time::Duration;

use rollouts_api::analysis_run::AnalysisPhase::{self, Error, Failed, Inconclusive, Running, Successful};
use rollouts_api::analysis_run::TtlStrategy;

use super::super::ttl::{expired, remaining, ttl_seconds};
use super::*;

const DAY: i32 = 86_400;

fn completed(phase: AnalysisPhase, completed_ago: Option<i64>, strategy: Option<TtlStrategy>) -> AnalysisRun {
    let mut run = run_of(vec![metric("m")]);
    run.spec.ttl_strategy = strategy;
    run.status = Some(AnalysisRunStatus {
        phase,
        completed_at: completed_ago.map(|ago| time(-ago)),
        ..Default::default()
    });
    run
}

fn strategy(completion: Option<i32>, failure: Option<i32>, success: Option<i32>) -> Option<TtlStrategy> {
    Some(TtlStrategy {
        seconds_after_completion: completion,
        seconds_after_failure: failure,
        seconds_after_success: success,
    })
}

#[test]
fn ttl_table() {
    let day = i64::from(DAY);
    // (name, run, deleted now)
    let cases: Vec<(&str, AnalysisRun, bool)> = vec![
        (
            "completion ttl, successful, expired",
            completed(Successful, Some(day + 1), strategy(Some(DAY), None, None)),
            true,
        ),
        (
            "completion ttl, successful, exactly the ttl",
            completed(Successful, Some(day), strategy(Some(DAY), None, None)),
            false,
        ),
        (
            "completion ttl, failed",
            completed(Failed, Some(day + 1), strategy(Some(DAY), None, None)),
            true,
        ),
        (
            "completion ttl, error",
            completed(Error, Some(day + 1), strategy(Some(DAY), None, None)),
            true,
        ),
        (
            "completion ttl, inconclusive",
            completed(Inconclusive, Some(day + 1), strategy(Some(DAY), None, None)),
            true,
        ),
        (
            "success ttl, successful",
            completed(Successful, Some(day + 1), strategy(None, None, Some(DAY))),
            true,
        ),
        (
            "success ttl, successful, not yet",
            completed(Successful, Some(day), strategy(None, None, Some(DAY))),
            false,
        ),
        (
            "failure ttl, failed",
            completed(Failed, Some(day + 1), strategy(None, Some(DAY), None)),
            true,
        ),
        (
            "failure ttl, failed, not yet",
            completed(Failed, Some(day), strategy(None, Some(DAY), None)),
            false,
        ),
        (
            "success ttl does not apply to failed",
            completed(Failed, Some(day + 1), strategy(None, None, Some(DAY))),
            false,
        ),
        (
            "failure ttl does not apply to successful",
            completed(Successful, Some(day + 1), strategy(None, Some(DAY), None)),
            false,
        ),
        (
            "failure ttl does not apply to error",
            completed(Error, Some(day + 1), strategy(None, Some(DAY), None)),
            false,
        ),
        (
            "failure ttl does not apply to inconclusive",
            completed(Inconclusive, Some(day + 1), strategy(None, Some(1), None)),
            false,
        ),
        (
            "success ttl overrides completion",
            completed(Successful, Some(day + 1), strategy(Some(100_000), None, Some(DAY))),
            true,
        ),
        (
            "failure ttl overrides completion",
            completed(Failed, Some(day + 1), strategy(Some(100_000), Some(DAY), None)),
            true,
        ),
        (
            "completion still applies when the override does not match",
            completed(Successful, Some(day + 1), strategy(Some(DAY), Some(DAY + 1), None)),
            true,
        ),
        (
            "for a failed run the failure ttl wins over the completion ttl",
            completed(Failed, Some(day + 1), strategy(Some(DAY), Some(DAY + 1), None)),
            false,
        ),
        ("no ttl strategy", completed(Successful, Some(day * 100), None), false),
        (
            "empty ttl strategy",
            completed(Successful, Some(day * 100), strategy(None, None, None)),
            false,
        ),
        (
            "no completedAt",
            completed(Error, None, strategy(Some(0), None, None)),
            false,
        ),
        (
            "not completed",
            completed(Running, Some(day * 100), strategy(Some(0), None, None)),
            false,
        ),
        (
            "zero ttl, one second later",
            completed(Successful, Some(1), strategy(Some(0), None, None)),
            true,
        ),
        (
            "zero ttl, at once",
            completed(Successful, Some(0), strategy(Some(0), None, None)),
            false,
        ),
    ];
    for (name, run, want) in cases {
        assert_eq!(expired(&run.spec, run.status.as_ref().unwrap(), now()), want, "{name}");
        if !run.status.as_ref().unwrap().phase.is_completed() {
            continue;
        }
        let update = done_update(prepare(&run, &no_secrets, now()));
        assert_eq!(update.delete, want, "{name}");
        assert_eq!(
            update.status,
            run.status.clone().unwrap_or_default(),
            "{name}: status untouched"
        );
        assert!(update.events.is_empty(), "{name}");
    }
}

#[test]
fn completed_runs_are_requeued_for_their_ttl() {
    let run = completed(Successful, Some(100), strategy(Some(300), None, None));
    let update = done_update(prepare(&run, &no_secrets, now()));
    assert!(!update.delete);
    // Deleted once the whole seconds exceed 300: at 301s after completion.
    assert_eq!(update.requeue_after, Some(Duration::from_secs(201)));
    assert_eq!(
        remaining(&run.spec, run.status.as_ref().unwrap(), now()),
        Some(Duration::from_secs(201))
    );
    assert!(!done_update(prepare(&run, &no_secrets, at(200))).delete);
    assert!(done_update(prepare(&run, &no_secrets, at(201))).delete);
    // No TTL, no requeue.
    let run = completed(Successful, Some(100), None);
    assert_eq!(done_update(prepare(&run, &no_secrets, now())).requeue_after, None);
    // A run that completes in this pass is requeued for its TTL.
    let mut run = run_of(vec![metric("m")]);
    run.spec.ttl_strategy = strategy(None, None, Some(60));
    let update = reconcile(&run, Successful);
    assert_eq!(update.status.phase, Successful);
    assert_eq!(update.requeue_after, Some(Duration::from_secs(61)));
}

#[test]
fn ttl_selection() {
    let spec = |s| AnalysisRunSpec {
        ttl_strategy: s,
        ..Default::default()
    };
    let all = spec(strategy(Some(1), Some(2), Some(3)));
    assert_eq!(ttl_seconds(&all, Successful), Some(3));
    assert_eq!(ttl_seconds(&all, Failed), Some(2));
    assert_eq!(ttl_seconds(&all, Error), Some(1));
    assert_eq!(ttl_seconds(&all, Inconclusive), Some(1));
    assert_eq!(ttl_seconds(&spec(None), Successful), None);
}

#[test]
fn a_run_being_deleted_is_left_alone() {
    let mut run = completed(Successful, Some(1_000_000), strategy(Some(0), None, None));
    run.metadata.deletion_timestamp = Some(Time(now()));
    let update = done_update(prepare(&run, &no_secrets, now()));
    assert!(!update.delete);
    let mut running_run = run_of(vec![metric("m")]);
    running_run.metadata.deletion_timestamp = Some(Time(now()));
    let update = done_update(prepare(&running_run, &no_secrets, now()));
    assert_eq!(update.status, AnalysisRunStatus::default());
    assert!(update.events.is_empty());
}
