//! Metric and run phases, messages, summaries and events.

use rollouts_api::analysis_run::AnalysisPhase::{self, Error, Failed, Inconclusive, Pending, Running, Successful};
use rollouts_api::analysis_run::RunSummary;
use rollouts_api::common::DryRun;

use super::super::RunEvent;
use super::super::assess::{assess_run, is_worse, limit_breach, metric_phase, worst};
use super::*;

/// A result with the given counters and one finished measurement in `last`.
fn counters(
    last: AnalysisPhase,
    count: i32,
    successful: i32,
    failed: i32,
    inconclusive: i32,
    consecutive_success: i32,
) -> MetricResult {
    let nz = |n: i32| (n != 0).then_some(n);
    MetricResult {
        name: "m".into(),
        phase: Running,
        count: nz(count),
        successful: nz(successful),
        failed: nz(failed),
        inconclusive: nz(inconclusive),
        consecutive_success: nz(consecutive_success),
        measurements: Some(vec![done(last, 60)]),
        ..Default::default()
    }
}

fn limits(failure: Option<i32>, success: Option<i32>, count: Option<i32>) -> Metric {
    Metric {
        failure_limit: failure.map(int),
        consecutive_success_limit: success.map(int),
        count: count.map(int),
        ..every("m", "60s")
    }
}

/// (non-terminating, terminating) phases.
fn phases(metric: &Metric, result: &MetricResult) -> (AnalysisPhase, AnalysisPhase) {
    (metric_phase(metric, result, false), metric_phase(metric, result, true))
}

#[test]
fn worst_order() {
    let order = [Successful, Running, Pending, Inconclusive, Error, Failed];
    for (i, a) in order.iter().enumerate() {
        for (j, b) in order.iter().enumerate() {
            assert_eq!(is_worse(*a, *b), j > i, "{a} {b}");
            assert_eq!(worst(*a, *b), order[i.max(j)]);
        }
    }
}

#[test]
fn metric_phase_without_or_with_measurements_in_flight() {
    let m = metric("m");
    let empty = MetricResult::default();
    assert_eq!(phases(&m, &empty), (Pending, Successful));
    let flying = MetricResult {
        measurements: Some(vec![done(Successful, 60), in_flight(0, None)]),
        ..Default::default()
    };
    assert_eq!(phases(&m, &flying), (Running, Running));
    // A completed metric keeps its phase whatever its counters say.
    let completed = MetricResult {
        phase: Inconclusive,
        ..counters(Successful, 5, 5, 0, 0, 5)
    };
    assert_eq!(phases(&m, &completed), (Inconclusive, Inconclusive));
}

#[test]
fn metric_phase_limits_table() {
    let mut error_metric = every("m", "60s");
    error_metric.consecutive_error_limit = Some(int(0));
    let errors = |n: i32| MetricResult {
        consecutive_error: Some(n),
        error: Some(n),
        count: Some(5),
        measurements: Some(vec![done(Error, 60)]),
        ..Default::default()
    };
    let mut inconclusive_2 = every("m", "60s");
    inconclusive_2.inconclusive_limit = Some(int(2));
    let mut inconclusive_3 = every("m", "60s");
    inconclusive_3.inconclusive_limit = Some(int(3));

    let cases: Vec<(&str, Metric, MetricResult, (AnalysisPhase, AnalysisPhase))> = vec![
        // failureLimit
        (
            "failed 1 > default 0",
            every("m", "60s"),
            counters(Failed, 1, 0, 1, 0, 0),
            (Failed, Failed),
        ),
        (
            "failed 3 > 2",
            limits(Some(2), None, None),
            counters(Failed, 3, 0, 3, 0, 0),
            (Failed, Failed),
        ),
        (
            "failed 3 = 3",
            limits(Some(3), None, None),
            counters(Failed, 3, 0, 3, 0, 0),
            (Running, Successful),
        ),
        // inconclusiveLimit
        (
            "inconclusive 3 > 2",
            inconclusive_2,
            counters(Inconclusive, 3, 0, 0, 3, 0),
            (Inconclusive, Inconclusive),
        ),
        (
            "inconclusive 3 = 3",
            inconclusive_3,
            counters(Inconclusive, 3, 0, 0, 3, 0),
            (Running, Successful),
        ),
        // consecutiveErrorLimit
        ("5 errors > default 4", every("m", "60s"), errors(5), (Error, Error)),
        (
            "4 errors = default 4",
            every("m", "60s"),
            errors(4),
            (Running, Successful),
        ),
        ("1 error > 0", error_metric, errors(1), (Error, Error)),
        // consecutiveSuccessLimit, indefinite
        (
            "success limit reached",
            limits(Some(-1), Some(3), None),
            counters(Failed, 7, 4, 3, 0, 3),
            (Successful, Successful),
        ),
        (
            "success limit not reached",
            limits(Some(-1), Some(5), None),
            counters(Failed, 7, 4, 3, 0, 3),
            (Running, Successful),
        ),
        // consecutiveSuccessLimit with count
        (
            "count reached, success limit not",
            limits(Some(-1), Some(5), Some(7)),
            counters(Failed, 7, 4, 3, 0, 3),
            (Failed, Failed),
        ),
        (
            "count reached, success limit too",
            limits(Some(-1), Some(3), Some(7)),
            counters(Failed, 7, 4, 3, 0, 3),
            (Successful, Successful),
        ),
        (
            "count not reached, success limit reached",
            limits(Some(-1), Some(3), Some(9)),
            counters(Failed, 7, 4, 3, 0, 3),
            (Successful, Successful),
        ),
        (
            "count not reached, success limit not",
            limits(Some(-1), Some(5), Some(9)),
            counters(Failed, 7, 4, 3, 0, 3),
            (Running, Successful),
        ),
        // failureLimit and consecutiveSuccessLimit, indefinite
        (
            "neither decided",
            limits(Some(4), Some(4), None),
            counters(Failed, 7, 4, 3, 0, 3),
            (Running, Successful),
        ),
        (
            "failure limit breached",
            limits(Some(4), Some(4), None),
            counters(Failed, 9, 9, 5, 0, 0),
            (Failed, Failed),
        ),
        (
            "success limit reached first",
            limits(Some(4), Some(4), None),
            counters(Failed, 8, 5, 3, 0, 4),
            (Successful, Successful),
        ),
        (
            "breach wins over success",
            limits(Some(4), Some(4), None),
            counters(Failed, 10, 5, 5, 0, 4),
            (Failed, Failed),
        ),
        // ... with count 10
        (
            "count reached, neither decided: Inconclusive",
            limits(Some(4), Some(4), Some(10)),
            counters(Failed, 10, 6, 4, 0, 3),
            (Inconclusive, Inconclusive),
        ),
        (
            "count reached, breached",
            limits(Some(4), Some(4), Some(10)),
            counters(Failed, 10, 5, 5, 0, 3),
            (Failed, Failed),
        ),
        (
            "count reached, success",
            limits(Some(4), Some(4), Some(10)),
            counters(Failed, 10, 6, 4, 0, 4),
            (Successful, Successful),
        ),
        (
            "count reached, breach over success",
            limits(Some(4), Some(4), Some(10)),
            counters(Failed, 10, 5, 5, 0, 4),
            (Failed, Failed),
        ),
        (
            "count not reached, undecided",
            limits(Some(4), Some(4), Some(10)),
            counters(Failed, 8, 5, 3, 0, 3),
            (Running, Successful),
        ),
        (
            "count not reached, breached",
            limits(Some(4), Some(4), Some(10)),
            counters(Failed, 8, 3, 5, 0, 3),
            (Failed, Failed),
        ),
        (
            "count not reached, success",
            limits(Some(4), Some(4), Some(10)),
            counters(Failed, 8, 5, 3, 0, 4),
            (Successful, Successful),
        ),
        // count alone
        (
            "count reached",
            limits(None, None, Some(10)),
            counters(Successful, 10, 10, 0, 0, 10),
            (Successful, Successful),
        ),
        (
            "count reached with inconclusives",
            limits(None, None, Some(10)),
            counters(Successful, 10, 5, 0, 5, 0),
            (Inconclusive, Inconclusive),
        ),
        (
            "effective count 1 without interval",
            metric("m"),
            counters(Successful, 1, 1, 0, 0, 1),
            (Successful, Successful),
        ),
        (
            "count 0 without interval is 1",
            Metric {
                count: Some(int(0)),
                ..metric("m")
            },
            counters(Successful, 1, 1, 0, 0, 1),
            (Successful, Successful),
        ),
        (
            "interval only runs until terminated",
            every("m", "60s"),
            counters(Successful, 50, 50, 0, 0, 50),
            (Running, Successful),
        ),
    ];
    for (name, metric, result, want) in cases {
        assert_eq!(phases(&metric, &result), want, "{name}");
    }
}

#[test]
fn limit_breach_messages_and_precedence() {
    let m = metric("m");
    let failed = MetricResult {
        failed: Some(1),
        ..Default::default()
    };
    assert_eq!(
        limit_breach(&m, &failed),
        Some((Failed, "failed (1) > failureLimit (0)".to_string()))
    );
    let inconclusive = MetricResult {
        inconclusive: Some(1),
        ..Default::default()
    };
    assert_eq!(
        limit_breach(&m, &inconclusive),
        Some((Inconclusive, "inconclusive (1) > inconclusiveLimit (0)".to_string()))
    );
    let errors = MetricResult {
        consecutive_error: Some(5),
        ..Default::default()
    };
    assert_eq!(
        limit_breach(&m, &errors),
        Some((Error, "consecutiveErrors (5) > consecutiveErrorLimit (4)".to_string()))
    );
    let all = MetricResult {
        failed: Some(1),
        inconclusive: Some(1),
        consecutive_error: Some(5),
        ..Default::default()
    };
    assert_eq!(limit_breach(&m, &all).map(|b| b.0), Some(Error));
    let two = MetricResult {
        failed: Some(1),
        inconclusive: Some(1),
        ..Default::default()
    };
    assert_eq!(limit_breach(&m, &two).map(|b| b.0), Some(Inconclusive));
    let disabled = Metric {
        failure_limit: Some(int(-1)),
        consecutive_success_limit: Some(int(1)),
        ..metric("m")
    };
    assert_eq!(limit_breach(&disabled, &failed), None);
    assert_eq!(limit_breach(&m, &MetricResult::default()), None);
}

/// Upstream's terminating fixture: `run-forever` (in flight) and `failed-metric` (completed `phase`).
fn terminating_fixture(phase: AnalysisPhase, dry_run: bool) -> (Vec<Metric>, Vec<MetricResult>, Vec<bool>) {
    let metrics = vec![metric("run-forever"), metric("failed-metric")];
    let mut forever = result("run-forever", Running, vec![in_flight(60, None)]);
    let mut failed = MetricResult {
        name: "failed-metric".into(),
        phase,
        count: Some(1),
        measurements: Some(vec![done(phase, 60)]),
        ..Default::default()
    };
    match phase {
        Failed => failed.failed = Some(1),
        Inconclusive => failed.inconclusive = Some(1),
        Error => {
            failed.error = Some(1);
            failed.measurements = Some(vec![done(Error, 120)]);
        }
        _ => {}
    }
    forever.dry_run = dry_run.then_some(true);
    failed.dry_run = dry_run.then_some(true);
    (metrics, vec![forever, failed], vec![dry_run, dry_run])
}

fn summary(count: i32, successful: i32, failed: i32, inconclusive: i32, error: i32) -> RunSummary {
    let nz = |n: i32| (n != 0).then_some(n);
    RunSummary {
        count: nz(count),
        successful: nz(successful),
        failed: nz(failed),
        inconclusive: nz(inconclusive),
        error: nz(error),
    }
}

#[test]
fn failure_messages_with_and_without_the_provider_message() {
    for (provider_message, dry_run, want_phase, want_message, want_dry) in [
        (
            None,
            false,
            Failed,
            "Metric \"failed-metric\" assessed Failed due to failed (1) > failureLimit (0)",
            summary(0, 0, 0, 0, 0),
        ),
        (
            Some("Provider Error"),
            false,
            Failed,
            "Metric \"failed-metric\" assessed Failed due to failed (1) > failureLimit (0): \"Error Message: Provider Error\"",
            summary(0, 0, 0, 0, 0),
        ),
        (None, true, Successful, "", summary(2, 1, 1, 0, 0)),
        (Some("Provider Error"), true, Successful, "", summary(2, 1, 1, 0, 0)),
    ] {
        let (metrics, mut results, dry) = terminating_fixture(Failed, dry_run);
        results[0].phase = Successful;
        results[1].message = provider_message.map(str::to_string);
        let mut events = Vec::new();
        let verdict = assess_run(&metrics, &dry, &mut results, true, false, &mut events);
        assert_eq!(verdict.phase, want_phase);
        assert_eq!(verdict.message, want_message);
        assert_eq!(verdict.dry_run_summary, want_dry);
        assert!(events.is_empty(), "no metric changed phase");
    }
}

#[test]
fn the_first_of_equally_bad_metrics_names_the_failure() {
    for dry_run in [false, true] {
        let (metrics, mut results, dry) = terminating_fixture(Failed, dry_run);
        results[0].phase = Failed;
        results[0].failed = Some(1);
        let mut events = Vec::new();
        let verdict = assess_run(&metrics, &dry, &mut results, true, false, &mut events);
        if dry_run {
            assert_eq!((verdict.phase, verdict.message.as_str()), (Successful, ""));
            assert_eq!(verdict.dry_run_summary, summary(2, 0, 2, 0, 0));
            assert_eq!(verdict.run_summary, summary(0, 0, 0, 0, 0));
            assert_eq!(
                results[0].message.as_deref(),
                Some("Metric assessed Failed due to failed (1) > failureLimit (0)")
            );
        } else {
            assert_eq!(verdict.phase, Failed);
            assert_eq!(
                verdict.message,
                "Metric \"run-forever\" assessed Failed due to failed (1) > failureLimit (0)"
            );
            assert_eq!(verdict.run_summary, summary(2, 0, 2, 0, 0));
        }
    }
}

#[test]
fn a_worse_phase_without_a_breach_keeps_the_earlier_message() {
    // `a` is Inconclusive through its limit; `b` ended Failed through the count rule (no breach).
    let metrics = vec![
        metric("a"),
        Metric {
            failure_limit: Some(int(-1)),
            consecutive_success_limit: Some(int(2)),
            count: Some(int(2)),
            ..every("b", "1m")
        },
    ];
    let mut results = vec![
        MetricResult {
            inconclusive: Some(1),
            ..result("a", Inconclusive, vec![done(Inconclusive, 10)])
        },
        result("b", Failed, vec![done(Failed, 20), done(Successful, 10)]),
    ];
    let mut events = Vec::new();
    let verdict = assess_run(&metrics, &[false, false], &mut results, true, false, &mut events);
    assert_eq!(verdict.phase, Failed);
    assert_eq!(
        verdict.message,
        "Metric \"a\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)"
    );
    // `b` did not breach a limit, so it counts as successful in the summary.
    assert_eq!(verdict.run_summary, summary(2, 1, 0, 1, 0));
}

#[test]
fn run_phase_table() {
    // (name, metric phases already persisted, terminating, terminate requested, (run phase, message))
    type Case = (
        &'static str,
        Vec<AnalysisPhase>,
        bool,
        bool,
        (AnalysisPhase, &'static str),
    );
    let cases: Vec<Case> = vec![
        (
            "one still running",
            vec![Successful, Running],
            false,
            false,
            (Running, ""),
        ),
        (
            "worst of completed",
            vec![Successful, Failed],
            false,
            false,
            (Failed, ""),
        ),
        (
            "all successful",
            vec![Successful, Successful],
            false,
            false,
            (Successful, ""),
        ),
        (
            "inconclusive over successful",
            vec![Inconclusive, Successful],
            false,
            false,
            (Inconclusive, ""),
        ),
        (
            "error over inconclusive",
            vec![Inconclusive, Error],
            false,
            false,
            (Error, ""),
        ),
        ("failed over error", vec![Failed, Error], false, false, (Failed, "")),
        (
            "terminating: worst so far",
            vec![Running, Inconclusive],
            true,
            false,
            (Inconclusive, ""),
        ),
        (
            "terminate requested, nothing completed",
            vec![Running],
            true,
            true,
            (Successful, "Run Terminated"),
        ),
        (
            "terminate requested, successful",
            vec![Successful],
            true,
            true,
            (Successful, "Run Terminated"),
        ),
    ];
    for (name, phases, terminating, requested, want) in cases {
        let metrics: Vec<Metric> = (0..phases.len()).map(|i| every(&format!("m{i}"), "1m")).collect();
        let mut results: Vec<MetricResult> = phases
            .iter()
            .enumerate()
            .map(|(i, p)| MetricResult {
                name: format!("m{i}"),
                phase: *p,
                measurements: Some(vec![if *p == Running { in_flight(1, None) } else { done(*p, 1) }]),
                ..Default::default()
            })
            .collect();
        let mut events = Vec::new();
        let dry = vec![false; metrics.len()];
        let verdict = assess_run(&metrics, &dry, &mut results, terminating, requested, &mut events);
        assert_eq!((verdict.phase, verdict.message.as_str()), want, "{name}");
    }
}

#[test]
fn a_newly_failed_metric_decides_the_run_only_on_the_next_pass() {
    let run = running(
        vec![every("slow", "1m"), metric("fast")],
        vec![result("slow", Running, vec![done(Successful, 5)])],
        100,
    );
    let first = reconcile(&run, Failed);
    assert_eq!(result_of(&first, "fast").phase, Failed);
    assert_eq!(first.status.phase, Running);
    assert_eq!(first.status.message, None);
    assert_eq!(reasons(&first), vec!["MetricFailed"]);
    assert!(first.events[0].warning);
    assert_eq!(first.events[0].message, "Metric 'fast' Completed. Result: Failed");

    let second = reconcile(&applied(&run, &first), Successful);
    assert_eq!(second.status.phase, Failed);
    assert_eq!(
        second.status.message.as_deref(),
        Some("Metric \"fast\" assessed Failed due to failed (1) > failureLimit (0)")
    );
    assert_eq!(
        result_of(&second, "slow").phase,
        Successful,
        "an interval metric ends Successful when terminated"
    );
    assert_eq!(
        measurements(result_of(&second, "slow")).len(),
        1,
        "no new measurement while terminating"
    );
    assert_eq!(reasons(&second), vec!["MetricSuccessful", "AnalysisRunFailed"]);
    assert_eq!(second.events[1].message, "Analysis Completed. Result: Failed");
    assert!(second.events[1].warning);
    assert!(!second.events[0].warning);
    assert_eq!(second.status.completed_at, Some(Time(now())));
    assert_eq!(second.status.run_summary, Some(summary(2, 1, 1, 0, 0)));
}

#[test]
fn dry_run_metrics_never_decide_the_run() {
    // Only dry-run metrics: the run succeeds whatever they measure.
    let mut run = run_of(vec![metric("success-metric")]);
    run.spec.dry_run = Some(vec![DryRun {
        metric_name: "success-metric".into(),
    }]);
    let update = reconcile(&run, Failed);
    assert_eq!(update.status.phase, Successful);
    assert_eq!(update.status.message, None);
    let r = result_of(&update, "success-metric");
    assert_eq!(r.phase, Failed);
    assert_eq!(r.dry_run, Some(true));
    assert_eq!(
        r.message.as_deref(),
        Some("Metric assessed Failed due to failed (1) > failureLimit (0)")
    );
    assert_eq!(update.status.dry_run_summary, Some(summary(1, 0, 1, 0, 0)));
    assert_eq!(update.status.run_summary, Some(summary(0, 0, 0, 0, 0)));
    assert_eq!(reasons(&update), vec!["MetricFailed", "AnalysisRunSuccessful"]);

    // Mixed: the dry-run failure neither terminates the run nor decides it.
    let mut run = run_of(vec![every("run-forever", "1m"), metric("dry")]);
    run.spec.dry_run = Some(vec![DryRun {
        metric_name: "dry".into(),
    }]);
    let by_name =
        |ok: &'static str| move |_: &Task, m: &Metric| finished(if m.name == ok { Successful } else { Failed });
    let first = reconcile_with(&run, now(), &no_secrets, &by_name("run-forever"));
    assert_eq!(first.status.phase, Running);
    assert_eq!(result_of(&first, "dry").phase, Failed);
    assert_eq!(result_of(&first, "run-forever").phase, Running);
    assert_eq!(reasons(&first), vec!["MetricFailed"]);
    let second = reconcile_with(&applied(&run, &first), at(61), &no_secrets, &by_name("dry"));
    assert_eq!(
        measurements(result_of(&second, "run-forever")).len(),
        2,
        "still measuring after the dry-run failure"
    );
    assert_eq!(second.status.phase, Failed);
    assert_eq!(
        second.status.message.as_deref(),
        Some("Metric \"run-forever\" assessed Failed due to failed (1) > failureLimit (0)")
    );
    assert_eq!(second.status.dry_run_summary, Some(summary(1, 0, 1, 0, 0)));
    assert_eq!(second.status.run_summary, Some(summary(1, 0, 1, 0, 0)));
}

#[test]
fn mixed_metrics_upstream_case() {
    let mut run = running(
        vec![metric("run-forever"), metric("success-metric")],
        vec![
            MetricResult {
                inconclusive: Some(1),
                ..result("run-forever", Running, vec![in_flight(60, None)])
            },
            MetricResult {
                dry_run: Some(true),
                ..result("success-metric", Successful, vec![done(Failed, 60)])
            },
        ],
        100,
    );
    run.spec.dry_run = Some(vec![DryRun {
        metric_name: "success-metric".into(),
    }]);
    let update = reconcile(&run, Successful);
    assert_eq!(update.status.phase, Inconclusive);
    assert_eq!(
        update.status.message.as_deref(),
        Some("Metric \"run-forever\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)")
    );
}

#[test]
fn metric_events_carry_upstream_reasons() {
    for (phase, reason, warning) in [
        (Successful, "MetricSuccessful", false),
        (Failed, "MetricFailed", true),
        (Error, "MetricError", true),
        (Inconclusive, "MetricInconclusive", false),
    ] {
        let e = RunEvent::metric_completed("m", phase);
        assert_eq!((e.reason.as_str(), e.warning), (reason, warning));
        assert_eq!(e.message, format!("Metric 'm' Completed. Result: {phase}"));
        let e = RunEvent::run_completed(phase);
        assert_eq!(e.reason, format!("AnalysisRun{phase}"));
        assert_eq!(e.message, format!("Analysis Completed. Result: {phase}"));
        assert_eq!(e.warning, warning);
    }
}
