//! What is due now, and when the next thing is due.

use std::time::Duration;

use rollouts_api::analysis_run::AnalysisPhase::{self, Error, Failed, Inconclusive, Running, Successful};

use super::super::tasks::{generate, is_terminating, next_reconcile};
use super::*;

/// The kinds of the tasks due now, as (metric, kind).
fn due(run: &AnalysisRun) -> Vec<(usize, &'static str)> {
    let metrics = super::super::args::resolve_metrics(&run.spec.metrics, &[]).unwrap();
    generate(run, &metrics, now())
        .iter()
        .map(|t| {
            let kind = match t {
                Task::Measure { .. } => "measure",
                Task::Resume { .. } => "resume",
                Task::Terminate { .. } => "terminate",
            };
            (t.metric(), kind)
        })
        .collect()
}

fn next(run: &AnalysisRun) -> Option<i64> {
    let status = run.status.clone().unwrap_or_default();
    let results = status.metric_results.clone().unwrap_or_default();
    next_reconcile(&status, &results, &run.spec.metrics, now()).map(|t| t.duration_since(now()).as_secs())
}

fn with_count(mut m: Metric, count: i32) -> Metric {
    m.count = Some(int(count));
    m
}

fn delayed(mut m: Metric, delay: &str) -> Metric {
    m.initial_delay = Some(delay.into());
    m
}

#[test]
fn task_table() {
    let ok = |ago| done(Successful, ago);
    type Case = (&'static str, AnalysisRun, Vec<(usize, &'static str)>);
    let cases: Vec<Case> = vec![
        (
            "first measurement",
            running(vec![metric("m")], vec![], 0),
            vec![(0, "measure")],
        ),
        (
            "first measurement of a new run",
            run_of(vec![metric("a"), metric("b")]),
            vec![(0, "measure"), (1, "measure")],
        ),
        (
            "within the interval",
            running(vec![every("m", "60s")], vec![result("m", Running, vec![ok(50)])], 100),
            vec![],
        ),
        (
            "exactly at the interval (upstream wants strictly after)",
            running(vec![every("m", "60s")], vec![result("m", Running, vec![ok(60)])], 100),
            vec![],
        ),
        (
            "past the interval",
            running(vec![every("m", "60s")], vec![result("m", Running, vec![ok(61)])], 100),
            vec![(0, "measure")],
        ),
        (
            "no count nor interval: one measurement",
            running(vec![metric("m")], vec![result("m", Running, vec![ok(50)])], 100),
            vec![],
        ),
        (
            "count zero counts as unset",
            running(
                vec![with_count(metric("m"), 0)],
                vec![result("m", Running, vec![ok(50)])],
                100,
            ),
            vec![],
        ),
        (
            "count reached",
            running(
                vec![with_count(every("m", "10s"), 2)],
                vec![result("m", Running, vec![ok(50), ok(40)])],
                100,
            ),
            vec![],
        ),
        (
            "count not reached",
            running(
                vec![with_count(every("m", "10s"), 3)],
                vec![result("m", Running, vec![ok(50), ok(40)])],
                100,
            ),
            vec![(0, "measure")],
        ),
        (
            "errors do not count toward count",
            running(
                vec![with_count(every("m", "5m"), 1)],
                vec![result("m", Running, vec![done(Error, 11)])],
                100,
            ),
            vec![(0, "measure")],
        ),
        (
            "error retry after 10s, not the interval",
            running(
                vec![every("m", "5m")],
                vec![result("m", Running, vec![done(Error, 11)])],
                100,
            ),
            vec![(0, "measure")],
        ),
        (
            "error retry waits 10s",
            running(
                vec![every("m", "5m")],
                vec![result("m", Running, vec![done(Error, 9)])],
                100,
            ),
            vec![],
        ),
        (
            "error retry without interval",
            running(
                vec![metric("m")],
                vec![result("m", Running, vec![done(Error, 120)])],
                200,
            ),
            vec![(0, "measure")],
        ),
        (
            "completed metric",
            running(vec![every("m", "1s")], vec![result("m", Successful, vec![ok(50)])], 100),
            vec![],
        ),
        (
            "in flight without resumeAt",
            running(
                vec![metric("m")],
                vec![result("m", Running, vec![in_flight(50, None)])],
                100,
            ),
            vec![(0, "resume")],
        ),
        (
            "in flight, resumeAt passed",
            running(
                vec![metric("m")],
                vec![result("m", Running, vec![in_flight(50, Some(-10))])],
                100,
            ),
            vec![(0, "resume")],
        ),
        (
            "in flight, resumeAt now",
            running(
                vec![metric("m")],
                vec![result("m", Running, vec![in_flight(50, Some(0))])],
                100,
            ),
            vec![(0, "resume")],
        ),
        (
            "in flight, resumeAt ahead",
            running(
                vec![metric("m")],
                vec![result("m", Running, vec![in_flight(50, Some(10))])],
                100,
            ),
            vec![],
        ),
        (
            "a finished phase without finishedAt is still in flight",
            running(
                vec![metric("m")],
                vec![result(
                    "m",
                    Running,
                    vec![rollouts_api::analysis_run::Measurement {
                        phase: Successful,
                        started_at: Some(time(-50)),
                        ..Default::default()
                    }],
                )],
                100,
            ),
            vec![(0, "resume")],
        ),
        (
            "a sibling failed: no new measurements",
            running(
                vec![metric("a"), metric("b")],
                vec![result("b", Failed, vec![done(Failed, 10)])],
                100,
            ),
            vec![],
        ),
        (
            "a sibling failed: the one in flight is terminated, even before its resumeAt",
            running(
                vec![metric("a"), metric("b")],
                vec![
                    result("a", Running, vec![in_flight(50, Some(100))]),
                    result("b", Inconclusive, vec![done(Inconclusive, 10)]),
                ],
                100,
            ),
            vec![(0, "terminate")],
        ),
        (
            "initial delay not started",
            {
                let mut run = run_of(vec![delayed(metric("m"), "20s")]);
                run.status = Some(Default::default());
                run
            },
            vec![],
        ),
        (
            "initial delay not over",
            running(vec![delayed(metric("m"), "20s")], vec![], 10),
            vec![],
        ),
        (
            "initial delay just over",
            running(vec![delayed(metric("m"), "20s")], vec![], 20),
            vec![(0, "measure")],
        ),
        (
            "initial delay over",
            running(vec![delayed(metric("m"), "20s")], vec![], 21),
            vec![(0, "measure")],
        ),
        (
            "initial delay unparsable",
            running(vec![delayed(metric("m"), "soon")], vec![], 1000),
            vec![],
        ),
        (
            "initial delay applies only before the first measurement",
            running(
                vec![delayed(every("m", "5s"), "1h")],
                vec![result("m", Running, vec![ok(6)])],
                100,
            ),
            vec![(0, "measure")],
        ),
        (
            "unparsable interval waits",
            running(
                vec![every("m", "often")],
                vec![result("m", Running, vec![ok(600)])],
                1000,
            ),
            vec![],
        ),
        (
            "negative interval measures at once",
            running(vec![every("m", "-5s")], vec![result("m", Running, vec![ok(0)])], 1000),
            vec![(0, "measure")],
        ),
    ];
    for (name, run, want) in cases {
        assert_eq!(due(&run), want, "{name}");
    }
}

#[test]
fn terminate_requested_stops_new_measurements_and_terminates_in_flight_ones() {
    let mut run = running(
        vec![every("a", "1s"), every("b", "1s"), metric("c")],
        vec![
            result("a", Running, vec![done(Successful, 100)]),
            result("b", Running, vec![in_flight(10, Some(100))]),
        ],
        200,
    );
    run.spec.terminate = Some(true);
    assert!(is_terminating(&run));
    assert_eq!(due(&run), vec![(1, "terminate")]);
}

#[test]
fn dry_run_failures_do_not_terminate() {
    let mut failed = result("b", Failed, vec![done(Failed, 10)]);
    failed.dry_run = Some(true);
    let run = running(vec![metric("a"), metric("b")], vec![failed], 100);
    assert!(!is_terminating(&run));
    assert_eq!(due(&run), vec![(0, "measure")]);
    for phase in [Failed, Error, Inconclusive] {
        let run = running(vec![metric("a")], vec![result("a", phase, vec![])], 100);
        assert!(is_terminating(&run), "{phase}");
    }
    for phase in [Successful, Running, AnalysisPhase::Pending] {
        let run = running(vec![metric("a")], vec![result("a", phase, vec![])], 100);
        assert!(!is_terminating(&run), "{phase}");
    }
}

#[test]
fn next_reconcile_table() {
    let ok = |ago| done(Successful, ago);
    let cases: Vec<(&str, AnalysisRun, Option<i64>)> = vec![
        (
            "at the interval",
            running(vec![every("m", "60s")], vec![result("m", Running, vec![ok(30)])], 100),
            Some(30),
        ),
        (
            "in flight without resumeAt: nothing",
            running(
                vec![every("m", "60s")],
                vec![result("m", Running, vec![in_flight(30, None)])],
                100,
            ),
            None,
        ),
        (
            "in flight: resumeAt",
            running(
                vec![every("m", "60s")],
                vec![result("m", Running, vec![in_flight(30, Some(10))])],
                100,
            ),
            Some(10),
        ),
        (
            "completed metric: nothing",
            running(
                vec![every("m", "60s")],
                vec![result("m", Successful, vec![ok(120)])],
                200,
            ),
            None,
        ),
        (
            "count reached, no interval: nothing",
            running(
                vec![with_count(metric("m"), 1)],
                vec![result("m", Running, vec![ok(0)])],
                100,
            ),
            None,
        ),
        (
            "earliest of two metrics",
            running(
                vec![every("a", "60s"), every("b", "60s")],
                vec![result("a", Running, vec![ok(30)]), result("b", Running, vec![ok(50)])],
                100,
            ),
            Some(10),
        ),
        (
            "initial delay end",
            running(
                vec![every("a", "60s"), delayed(every("b", "60s"), "40s")],
                vec![result("a", Running, vec![ok(30)])],
                30,
            ),
            Some(10),
        ),
        (
            "unparsable initial delay is skipped",
            running(
                vec![every("a", "60s"), delayed(every("b", "60s"), "whenever")],
                vec![result("a", Running, vec![ok(30)])],
                30,
            ),
            Some(30),
        ),
        (
            "error retry, without interval",
            running(vec![metric("m")], vec![result("m", Running, vec![done(Error, 0)])], 100),
            Some(10),
        ),
        (
            "error retry, not the interval",
            running(
                vec![every("m", "5m")],
                vec![result("m", Running, vec![done(Error, 0)])],
                100,
            ),
            Some(10),
        ),
        (
            "overdue: in the past",
            running(vec![every("m", "10s")], vec![result("m", Running, vec![ok(30)])], 100),
            Some(-20),
        ),
        ("nothing started, no delay", running(vec![metric("m")], vec![], 0), None),
    ];
    for (name, run, want) in cases {
        assert_eq!(next(&run), want, "{name}");
    }
}

#[test]
fn requeue_follows_the_next_measurement() {
    // A fresh run with a 30s interval: measured now, next one in 30s.
    let run = run_of(vec![every("m", "30s")]);
    let update = reconcile(&run, Successful);
    assert_eq!(update.requeue_after, Some(Duration::from_secs(30)));
    // An initial delay: nothing measured, requeued at the end of the delay, counted from startedAt = now.
    let run = run_of(vec![delayed(every("m", "30s"), "45s")]);
    let update = reconcile(&run, Successful);
    assert!(measurements_of(&update).is_empty());
    assert_eq!(update.status.started_at, Some(Time(now())));
    assert_eq!(update.requeue_after, Some(Duration::from_secs(45)));
    // An error: retried in 10s.
    let run = run_of(vec![every("m", "5m")]);
    let update = reconcile(&run, Error);
    assert_eq!(update.requeue_after, Some(Duration::from_secs(10)));
    // An asynchronous measurement: resumed at its resumeAt.
    let update = reconcile_with(&run, now(), &no_secrets, &|_, _| in_flight(0, Some(7)));
    assert_eq!(update.requeue_after, Some(Duration::from_secs(7)));
    // Overdue: at once.
    let run = running(
        vec![every("m", "10s"), metric("x")],
        vec![result("m", Running, vec![done(Successful, 5)])],
        100,
    );
    let update = reconcile_with(&run, at(20), &no_secrets, &|_, _| in_flight(0, Some(-100)));
    assert_eq!(update.requeue_after, Some(Duration::ZERO));
}

fn measurements_of(update: &RunUpdate) -> Vec<&rollouts_api::analysis_run::Measurement> {
    results(update).iter().flat_map(|r| measurements(r).iter()).collect()
}
