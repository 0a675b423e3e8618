//! Properties over random runs and random sequences of provider answers: the measurement history never
//! exceeds its retention limit, counters agree with what was measured, reconciles are deterministic, a
//! terminating run completes in the reconcile that sees it terminating and never measures anew, and a
//! completed run never changes.

use proptest::prelude::*;
use rollouts_api::analysis_run::AnalysisPhase::{self, Error, Failed, Inconclusive, Running, Successful};
use rollouts_api::analysis_run::Measurement;
use rollouts_api::common::{DryRun, MeasurementRetention};

use super::super::tasks::is_terminating;
use super::*;

#[derive(Debug, Clone)]
struct MetricShape {
    interval: bool,
    count: Option<i32>,
    failure_limit: Option<i32>,
    success_limit: Option<i32>,
    inconclusive_limit: Option<i32>,
    error_limit: Option<i32>,
    initial_delay: Option<u8>,
    dry_run: bool,
    retention: Option<i32>,
}

fn shape() -> impl Strategy<Value = MetricShape> {
    (
        any::<bool>(),
        prop_oneof![Just(None), (0i32..5).prop_map(Some)],
        prop_oneof![Just(None), (-1i32..3).prop_map(Some)],
        prop_oneof![Just(None), (0i32..4).prop_map(Some)],
        prop_oneof![Just(None), (0i32..3).prop_map(Some)],
        prop_oneof![Just(None), (0i32..3).prop_map(Some)],
        prop_oneof![Just(None), (1u8..40).prop_map(Some)],
        prop::bool::weighted(0.2),
        prop_oneof![Just(None), (-1i32..6).prop_map(Some)],
    )
        .prop_map(
            |(
                interval,
                count,
                failure_limit,
                mut success_limit,
                inconclusive_limit,
                error_limit,
                initial_delay,
                dry_run,
                retention,
            )| {
                // Keep the spec valid, so that runs measure rather than end in Error at once.
                if failure_limit == Some(-1) && success_limit.unwrap_or(0) == 0 {
                    success_limit = Some(1);
                }
                let floor = failure_limit.unwrap_or(0).max(0) + success_limit.unwrap_or(0);
                let count = count
                    .filter(|c| *c > 0)
                    .map(|c| c.max(floor).max(inconclusive_limit.unwrap_or(0)));
                let interval = interval || count.is_some_and(|c| c > 1);
                MetricShape {
                    interval,
                    count,
                    failure_limit,
                    success_limit,
                    inconclusive_limit,
                    error_limit,
                    initial_delay,
                    dry_run,
                    retention,
                }
            },
        )
}

fn build(shapes: &[MetricShape]) -> AnalysisRun {
    let metrics = shapes
        .iter()
        .enumerate()
        .map(|(i, s)| Metric {
            interval: s.interval.then(|| "10s".to_string()),
            count: s.count.map(int),
            failure_limit: s.failure_limit.map(int),
            consecutive_success_limit: s.success_limit.map(int),
            inconclusive_limit: s.inconclusive_limit.map(int),
            consecutive_error_limit: s.error_limit.map(int),
            initial_delay: s.initial_delay.map(|d| format!("{d}s")),
            ..metric(&format!("metric-{i}"))
        })
        .collect();
    let mut run = run_of(metrics);
    let dry: Vec<DryRun> = shapes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.dry_run)
        .map(|(i, _)| DryRun {
            metric_name: format!("^metric-{i}$"),
        })
        .collect();
    run.spec.dry_run = Some(dry).filter(|d| !d.is_empty());
    let retention: Vec<MeasurementRetention> = shapes
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.retention.map(|limit| MeasurementRetention {
                metric_name: format!("^metric-{i}$"),
                limit,
            })
        })
        .collect();
    run.spec.measurement_retention = Some(retention).filter(|r| !r.is_empty());
    run
}

/// One provider answer: a finished phase, or still in flight with a `resumeAt` some seconds ahead.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Done(AnalysisPhase),
    InFlight(u8),
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => Just(Answer::Done(Successful)),
        2 => Just(Answer::Done(Failed)),
        1 => Just(Answer::Done(Inconclusive)),
        2 => Just(Answer::Done(Error)),
        2 => (0u8..20).prop_map(Answer::InFlight),
    ]
}

#[derive(Debug, Clone)]
struct Step {
    /// Seconds to move the clock before the reconcile.
    advance: u8,
    /// Answers, used in turn by the tasks.
    answers: Vec<Answer>,
    /// Request termination before this reconcile.
    terminate: bool,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0u8..30,
        prop::collection::vec(answer(), 1..4),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(advance, answers, terminate)| Step {
            advance,
            answers,
            terminate,
        })
}

fn respond(answer: Answer, task: &Task, now: Timestamp) -> Measurement {
    let base = match task {
        Task::Measure { .. } => Measurement {
            started_at: Some(Time(now)),
            ..Default::default()
        },
        Task::Resume { measurement, .. } | Task::Terminate { measurement, .. } => measurement.clone(),
    };
    match answer {
        Answer::Done(phase) => Measurement {
            phase,
            value: Some("1".into()),
            ..base
        },
        Answer::InFlight(_) if matches!(task, Task::Terminate { .. }) => Measurement {
            phase: Inconclusive,
            ..base
        },
        Answer::InFlight(secs) => Measurement {
            phase: Running,
            resume_at: Some(Time(
                now.checked_add(SignedDuration::from_secs(i64::from(secs))).unwrap(),
            )),
            ..base
        },
    }
}

/// One reconcile at `now`, tasks answered from `answers` in turn.
fn reconcile_at(run: &AnalysisRun, now: Timestamp, answers: &[Answer]) -> RunUpdate {
    match prepare(run, &no_secrets, now) {
        PrepareOutcome::Done(update) => update,
        PrepareOutcome::Measure(p) => {
            let outcomes = p
                .tasks
                .iter()
                .enumerate()
                .map(|(i, task)| (task.metric(), respond(answers[i % answers.len()], task, now)).into())
                .collect();
            assess(run, &p, outcomes, now)
        }
    }
}

fn retention_limit(run: &AnalysisRun, name: &str) -> usize {
    let rule = run
        .spec
        .measurement_retention
        .iter()
        .flatten()
        .rfind(|r| regex::Regex::new(&r.metric_name).unwrap().is_match(name))
        .map(|r| r.limit);
    super::super::retention::limit_for(rule)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reconciles_keep_their_invariants(
        shapes in prop::collection::vec(shape(), 1..4),
        steps in prop::collection::vec(step(), 1..30),
    ) {
        let mut run = build(&shapes);
        let mut clock = now();
        for step in &steps {
            clock = clock.checked_add(SignedDuration::from_secs(i64::from(step.advance))).unwrap();
            if step.terminate {
                run.spec.terminate = Some(true);
            }
            let before = run.status.clone().unwrap_or_default();
            let before_results = before.metric_results.clone().unwrap_or_default();
            let was_terminating = is_terminating(&run);
            let update = reconcile_at(&run, clock, &step.answers);

            // Deterministic.
            prop_assert_eq!(&update, &reconcile_at(&run, clock, &step.answers));

            // A completed run never changes.
            if before.phase.is_completed() {
                prop_assert_eq!(&update.status, &before);
                prop_assert!(update.events.is_empty());
                prop_assert!(update.garbage_collect.is_empty());
            }

            let results = update.status.metric_results.clone().unwrap_or_default();
            for result in &results {
                // Bounded history.
                prop_assert!(measurements(result).len() <= retention_limit(&run, &result.name),
                    "{} holds {} measurements", result.name, measurements(result).len());
                // Counters agree with each other.
                let n = |c: Option<i32>| i64::from(c.unwrap_or(0));
                prop_assert_eq!(n(result.count), n(result.successful) + n(result.failed) + n(result.inconclusive));
                prop_assert!(n(result.consecutive_success) <= n(result.successful));
                prop_assert!(n(result.consecutive_error) <= n(result.error));
                // Zero counters are omitted, as upstream's omitempty does.
                for c in [result.count, result.successful, result.failed, result.inconclusive, result.error,
                          result.consecutive_error, result.consecutive_success] {
                    prop_assert_ne!(c, Some(0));
                }
                // At most one measurement finishes per metric and reconcile.
                let finished = |r: &MetricResult| n(r.count) + n(r.error);
                let old = before_results.iter().find(|r| r.name == result.name).map_or(0, finished);
                prop_assert!(finished(result) == old || finished(result) == old + 1);
            }

            // A run that was terminating completes in this reconcile, and takes no new measurement.
            if was_terminating && !before.phase.is_completed() {
                prop_assert!(update.status.phase.is_completed(), "terminating run still {}", update.status.phase);
                for result in &results {
                    let old = before_results
                        .iter()
                        .find(|r| r.name == result.name)
                        .map(|r| measurements(r).len());
                    prop_assert!(old.is_some(), "{} started while terminating", result.name);
                    prop_assert!(measurements(result).len() <= old.unwrap_or(0), "{} measured while terminating", result.name);
                }
            }

            // completedAt once completed by assessment; never while running, never for early errors.
            if update.status.phase.is_completed() && update.status.started_at.is_some() {
                prop_assert!(update.status.completed_at.is_some());
            }
            if !update.status.phase.is_completed() {
                prop_assert!(update.status.completed_at.is_none());
                prop_assert_eq!(update.status.message.as_deref(), None);
            }
            if update.status.phase == AnalysisPhase::Error && update.status.started_at.is_none() {
                prop_assert!(update.status.completed_at.is_none());
            }
            // One run event, on the reconcile that completes the run.
            let run_events = update.events.iter().filter(|e| e.reason.starts_with("AnalysisRun")).count();
            prop_assert_eq!(run_events, usize::from(!before.phase.is_completed() && update.status.phase.is_completed()));
            // Every metric event is for a metric that just completed.
            for event in update.events.iter().filter(|e| e.reason.starts_with("Metric")) {
                let phase = event.reason.trim_start_matches("Metric");
                prop_assert!(results.iter().any(|r| r.phase.as_str() == phase && event.message.contains(&r.name)));
            }

            run = applied(&run, &update);
        }
    }

    #[test]
    fn trimming_never_keeps_more_than_the_limit(
        lengths in prop::collection::vec(0usize..40, 1..4),
        limits in prop::collection::vec(prop_oneof![Just(None), (-2i32..30).prop_map(Some)], 4),
    ) {
        let metrics: Vec<Metric> = (0..lengths.len()).map(|i| every(&format!("m{i}"), "1s")).collect();
        let mut results: Vec<MetricResult> = lengths
            .iter()
            .enumerate()
            .map(|(i, n)| result(&format!("m{i}"), Running, (0..*n as i64).map(|k| done(Successful, 1000 - k)).collect()))
            .collect();
        let original = results.clone();
        let gc = super::super::retention::trim(&mut results, &metrics, &limits);
        for (i, r) in results.iter().enumerate() {
            let limit = super::super::retention::limit_for(limits.get(i).copied().flatten());
            let kept = measurements(r);
            let all = measurements(&original[i]);
            prop_assert_eq!(kept.len(), all.len().min(limit));
            prop_assert_eq!(kept, &all[all.len() - kept.len()..], "the newest are kept, in order");
            prop_assert_eq!(gc.contains(&(i, limit)), all.len() > limit);
        }
    }
}

#[test]
fn generated_runs_are_valid() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for _ in 0..500 {
        let shapes = prop::collection::vec(shape(), 1..4)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let run = build(&shapes);
        assert!(
            matches!(prepare(&run, &no_secrets, now()), PrepareOutcome::Measure(_)),
            "{shapes:?}"
        );
    }
}
