//! Whole reconciles through fake providers.

use std::collections::BTreeMap;

use rollouts_api::analysis_run::AnalysisPhase::{Error, Failed, Inconclusive, Running, Successful};
use rollouts_api::analysis_run::{Measurement, RunSummary};
use rollouts_api::common::MeasurementRetention;

use super::super::DEFAULT_MEASUREMENT_HISTORY_LIMIT;
use super::*;

#[test]
fn initial_reconcile_of_an_interval_metric() {
    let run = run_of(vec![every("success-rate", "60s")]);
    let update = reconcile(&run, Successful);
    let r = result_of(&update, "success-rate");
    assert_eq!(r.phase, Running);
    assert_eq!(update.status.phase, Running);
    assert_eq!(update.status.message, None);
    assert_eq!(update.status.started_at, Some(Time(now())));
    assert_eq!(update.status.completed_at, None);
    assert_eq!(measurements(r).len(), 1);
    assert_eq!(measurements(r)[0].phase, Successful);
    assert_eq!(
        (r.count, r.successful, r.consecutive_success),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(
        update.status.run_summary,
        Some(RunSummary {
            count: Some(1),
            ..Default::default()
        })
    );
    assert_eq!(update.status.dry_run_summary, Some(RunSummary::default()));
    assert!(update.events.is_empty());
}

#[test]
fn a_single_measurement_completes_the_run() {
    for m in [
        Metric {
            count: Some(int(1)),
            ..every("success-rate", "60s")
        },
        metric("success-rate"),
        Metric {
            count: Some(int(0)),
            ..metric("success-rate")
        },
    ] {
        let update = reconcile(&run_of(vec![m]), Successful);
        assert_eq!(result_of(&update, "success-rate").phase, Successful);
        assert_eq!(update.status.phase, Successful);
        assert_eq!(update.status.completed_at, Some(Time(now())));
        assert_eq!(reasons(&update), vec!["MetricSuccessful", "AnalysisRunSuccessful"]);
        assert_eq!(update.requeue_after, None);
    }
}

#[test]
fn the_first_failure_fails_the_run_by_default() {
    let update = reconcile(&run_of(vec![every("m", "1m")]), Failed);
    assert_eq!(update.status.phase, Failed);
    assert_eq!(
        update.status.message.as_deref(),
        Some("Metric \"m\" assessed Failed due to failed (1) > failureLimit (0)")
    );
    let mut with_message = run_of(vec![every("m", "1m")]);
    with_message.metadata.name = Some("x".into());
    let update = reconcile_with(&with_message, now(), &no_secrets, &|_, _| Measurement {
        message: Some("latency too high".into()),
        ..finished(Failed)
    });
    assert_eq!(
        update.status.message.as_deref(),
        Some("Metric \"m\" assessed Failed due to failed (1) > failureLimit (0): \"Error Message: latency too high\"")
    );
    assert_eq!(result_of(&update, "m").message.as_deref(), Some("latency too high"));
}

#[test]
fn five_consecutive_errors_end_the_metric_in_error() {
    let mut run = run_of(vec![every("m", "1m")]);
    let mut t = 0;
    for round in 1..=5 {
        let update = reconcile_with(&run, at(t), &no_secrets, &|_, _| Measurement {
            message: Some("connection refused".into()),
            finished_at: None,
            ..finished(Error)
        });
        let r = result_of(&update, "m");
        assert_eq!(r.consecutive_error, Some(round));
        assert_eq!(r.error, Some(round));
        assert_eq!(r.count, None, "errors do not count");
        assert_eq!(
            measurements(r).last().unwrap().finished_at,
            Some(Time(at(t))),
            "finishedAt filled in"
        );
        if round < 5 {
            assert_eq!(update.status.phase, Running, "round {round}");
            assert_eq!(update.requeue_after, Some(std::time::Duration::from_secs(10)));
        } else {
            assert_eq!(r.phase, Error);
            assert_eq!(update.status.phase, Error);
            assert_eq!(
                update.status.message.as_deref(),
                Some(
                    "Metric \"m\" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): \
                     \"Error Message: connection refused\""
                )
            );
            assert_eq!(
                update.status.run_summary,
                Some(RunSummary {
                    count: Some(1),
                    error: Some(1),
                    ..Default::default()
                })
            );
            assert_eq!(update.status.completed_at, Some(Time(at(t))));
        }
        run = applied(&run, &update);
        t += 11;
    }
}

#[test]
fn a_success_resets_the_consecutive_errors() {
    let run = running(
        vec![every("m", "1m")],
        vec![result("m", Running, vec![done(Error, 30), done(Error, 20)])],
        100,
    );
    let update = reconcile(&run, Successful);
    let r = result_of(&update, "m");
    assert_eq!((r.consecutive_error, r.error, r.count), (None, Some(2), Some(1)));
    assert_eq!(r.consecutive_success, Some(1));
    let update = reconcile(&run, Error);
    let r = result_of(&update, "m");
    assert_eq!((r.consecutive_error, r.error, r.count), (Some(3), Some(3), None));
}

#[test]
fn consecutive_success_limit_ends_an_endless_metric() {
    let m = Metric {
        failure_limit: Some(int(-1)),
        consecutive_success_limit: Some(int(3)),
        ..every("m", "10s")
    };
    let mut run = run_of(vec![m]);
    let outcomes = [
        Failed, Successful, Successful, Failed, Successful, Successful, Successful,
    ];
    for (i, phase) in outcomes.iter().enumerate() {
        let update = reconcile_with(&run, at(11 * i as i64), &no_secrets, &|_, _| Measurement {
            finished_at: None,
            ..finished(*phase)
        });
        let want = if i == outcomes.len() - 1 { Successful } else { Running };
        assert_eq!(update.status.phase, want, "after measurement {i}");
        run = applied(&run, &update);
    }
    let r = result_of(&done_update(prepare(&run, &no_secrets, at(1000))), "m").clone();
    assert_eq!(
        (r.count, r.successful, r.failed, r.consecutive_success),
        (Some(7), Some(5), Some(2), Some(3))
    );
}

#[test]
fn terminate_request() {
    // Upstream's case: terminate before the initial delay passed and before anything was measured.
    let mut run = running(
        vec![Metric {
            initial_delay: Some("20s".into()),
            ..every("success-rate", "20s")
        }],
        vec![],
        0,
    );
    run.spec.terminate = Some(true);
    for dry_run in [false, true] {
        let mut run = run.clone();
        if dry_run {
            run.spec.dry_run = Some(vec![rollouts_api::common::DryRun {
                metric_name: "success-rate".into(),
            }]);
        }
        let update = reconcile(&run, Error);
        assert_eq!(update.status.phase, Successful);
        assert_eq!(update.status.message.as_deref(), Some("Run Terminated"));
        assert!(results(&update).is_empty());
        assert_eq!(reasons(&update), vec!["AnalysisRunSuccessful"]);
        let summary = RunSummary {
            count: Some(1),
            ..Default::default()
        };
        if dry_run {
            assert_eq!(update.status.dry_run_summary, Some(summary));
        } else {
            assert_eq!(update.status.run_summary, Some(summary));
        }
    }

    // Terminating in-flight measurements: the provider's verdict is kept, with upstream's message for
    // Successful / Inconclusive.
    let mut run = running(
        vec![every("a", "1m"), every("b", "1m")],
        vec![
            result("a", Running, vec![done(Successful, 100), in_flight(10, Some(50))]),
            result("b", Running, vec![done(Successful, 20)]),
        ],
        200,
    );
    run.spec.terminate = Some(true);
    let update = reconcile(&run, Inconclusive);
    let a = result_of(&update, "a");
    assert_eq!(measurements(a).len(), 2);
    let last = measurements(a).last().unwrap();
    assert_eq!(last.phase, Inconclusive);
    assert_eq!(last.message.as_deref(), Some("Metric Terminated"));
    assert_eq!(a.message.as_deref(), Some("Metric Terminated"));
    assert_eq!(a.phase, Inconclusive);
    assert_eq!(result_of(&update, "b").phase, Successful);
    assert_eq!(update.status.phase, Inconclusive);
    assert_eq!(
        update.status.message.as_deref(),
        Some(
            "Metric \"a\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): \"Error Message: Metric Terminated\""
        )
    );
    // A Failed terminated measurement keeps the provider's message.
    let update = reconcile_with(&run, now(), &no_secrets, &|_, _| Measurement {
        message: Some("job failed".into()),
        ..finished(Failed)
    });
    assert_eq!(
        measurements(result_of(&update, "a")).last().unwrap().message.as_deref(),
        Some("job failed")
    );
}

#[test]
fn a_sibling_failure_terminates_the_measurement_in_flight() {
    for phase in [Failed, Inconclusive, Error] {
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
            _ => {
                failed.error = Some(1);
                failed.consecutive_error = Some(5);
            }
        }
        let run = running(
            vec![metric("run-forever"), metric("failed-metric")],
            vec![result("run-forever", Running, vec![in_flight(60, None)]), failed],
            100,
        );
        let update = reconcile_with(&run, now(), &no_secrets, &|task, _| {
            assert!(matches!(task, Task::Terminate { .. }), "{task:?}");
            finished(Inconclusive)
        });
        assert_eq!(update.status.phase, phase);
        assert_eq!(result_of(&update, "failed-metric").phase, phase);
        let forever = result_of(&update, "run-forever");
        assert_eq!(forever.phase, Inconclusive);
        assert_eq!(forever.message.as_deref(), Some("Metric Terminated"));
        assert_eq!(measurements(forever)[0].phase, Inconclusive);
        assert!(measurements(forever)[0].finished_at.is_some());
    }
}

#[test]
fn resuming_completes_a_measurement_in_flight() {
    let run = running(
        vec![metric("test")],
        vec![result("test", Running, vec![in_flight(60, None)])],
        100,
    );
    let update = reconcile_with(&run, now(), &no_secrets, &|task, _| {
        let Task::Resume { measurement, .. } = task else {
            panic!("{task:?}")
        };
        Measurement {
            phase: Successful,
            finished_at: None,
            ..measurement.clone()
        }
    });
    assert_eq!(update.status.phase, Successful);
    let r = result_of(&update, "test");
    assert_eq!(r.phase, Successful);
    assert_eq!(measurements(r).len(), 1);
    assert_eq!(measurements(r)[0].finished_at, Some(Time(now())));
    assert_eq!(measurements(r)[0].started_at, Some(time(-60)));

    // Still in flight: nothing counted, the metric stays Running.
    let update = reconcile_with(&run, now(), &no_secrets, &|_, _| in_flight(60, Some(30)));
    let r = result_of(&update, "test");
    assert_eq!((r.phase, r.count), (Running, None));
    assert_eq!(update.requeue_after, Some(std::time::Duration::from_secs(30)));
}

#[test]
fn provider_metadata_is_kept_on_the_first_result_only() {
    let run = run_of(vec![every("rate", "1m")]);
    let p = prepared(&run);
    let meta: BTreeMap<String, String> = [("ResolvedPrometheusQuery".to_string(), "up".to_string())].into();
    let outcome = Outcome {
        metric: 0,
        measurement: finished(Successful),
        metadata: Some(meta.clone()),
    };
    let update = assess(&run, &p, vec![outcome.clone()], now());
    assert_eq!(result_of(&update, "rate").metadata, Some(meta.clone()));
    let next = applied(&run, &update);
    let p = match prepare(&next, &no_secrets, at(61)) {
        PrepareOutcome::Measure(p) => p,
        other => panic!("{other:?}"),
    };
    let other: BTreeMap<String, String> = [("k".to_string(), "v".to_string())].into();
    let update = assess(
        &next,
        &p,
        vec![Outcome {
            metadata: Some(other),
            ..outcome
        }],
        at(61),
    );
    assert_eq!(result_of(&update, "rate").metadata, Some(meta));
}

#[test]
fn outcomes_without_a_task_are_ignored() {
    let run = running(
        vec![every("a", "1m"), every("b", "1m")],
        vec![result("a", Running, vec![done(Successful, 10)])],
        100,
    );
    let p = prepared(&run);
    assert_eq!(p.tasks, vec![Task::Measure { metric: 1 }]);
    let update = assess(
        &run,
        &p,
        vec![
            (0, finished(Failed)).into(),
            (1, finished(Successful)).into(),
            (1, finished(Failed)).into(),
            (7, finished(Failed)).into(),
        ],
        now(),
    );
    assert_eq!(measurements(result_of(&update, "a")).len(), 1);
    assert_eq!(measurements(result_of(&update, "b")).len(), 1);
    assert_eq!(result_of(&update, "b").successful, Some(1));
    assert_eq!(update.status.phase, Running);
}

#[test]
fn measurement_history_is_trimmed_to_ten_by_default() {
    let mut run = run_of(vec![every("m", "1s")]);
    let mut gc = Vec::new();
    for i in 0..15 {
        let update = reconcile_with(&run, at(2 * i), &no_secrets, &|_, _| Measurement {
            value: Some(i.to_string()),
            finished_at: None,
            ..finished(Successful)
        });
        let ms = measurements(result_of(&update, "m"));
        assert!(ms.len() <= DEFAULT_MEASUREMENT_HISTORY_LIMIT);
        assert_eq!(ms.last().unwrap().value, Some(i.to_string()), "the newest is kept");
        gc.extend(update.garbage_collect.clone());
        run = applied(&run, &update);
    }
    let ms = measurements(&run.status.as_ref().unwrap().metric_results.as_ref().unwrap()[0]).to_vec();
    let values: Vec<String> = ms.iter().map(|m| m.value.clone().unwrap()).collect();
    assert_eq!(values, (5..15).map(|i: i32| i.to_string()).collect::<Vec<_>>());
    assert_eq!(gc, vec![(0, 10); 5]);
    assert_eq!(
        run.status.as_ref().unwrap().metric_results.as_ref().unwrap()[0].count,
        Some(15)
    );
}

#[test]
fn measurement_retention_rules() {
    let history = |n: i64| (0..n).map(|i| done(Successful, 100 - i)).collect::<Vec<_>>();
    let metrics = vec![every("metric1", "1h"), every("metric2", "1h"), every("other", "1h")];
    let mut run = running(
        metrics,
        vec![
            result("metric1", Running, history(12)),
            result("metric2", Running, history(12)),
            result("other", Running, history(3)),
        ],
        1000,
    );
    run.spec.measurement_retention = Some(vec![
        MeasurementRetention {
            metric_name: "metric".into(),
            limit: 5,
        },
        MeasurementRetention {
            metric_name: "2$".into(),
            limit: 2,
        },
        MeasurementRetention {
            metric_name: "other".into(),
            limit: 0,
        },
    ]);
    let update = reconcile(&run, Successful);
    assert_eq!(measurements(result_of(&update, "metric1")).len(), 5);
    assert_eq!(measurements(result_of(&update, "metric2")).len(), 2);
    assert_eq!(
        measurements(result_of(&update, "other")).len(),
        3,
        "limit 0 keeps the default"
    );
    assert_eq!(update.garbage_collect, vec![(0, 5), (1, 2)]);
    // The newest are kept.
    assert_eq!(measurements(result_of(&update, "metric2"))[1], done(Successful, 89));
}

#[test]
fn measurement_retention_above_the_default() {
    let mut run = run_of(vec![every("m", "1s")]);
    run.spec.measurement_retention = Some(vec![MeasurementRetention {
        metric_name: ".*".into(),
        limit: 12,
    }]);
    for i in 0..14 {
        let update = reconcile_with(&run, at(2 * i), &no_secrets, &|_, _| Measurement {
            finished_at: None,
            ..finished(Successful)
        });
        run = applied(&run, &update);
    }
    let r = &run.status.as_ref().unwrap().metric_results.as_ref().unwrap()[0];
    assert_eq!(measurements(r).len(), 12);
}

#[test]
fn completed_at_is_set_once_and_phase_never_changes_after() {
    let mut run = running(
        vec![Metric {
            count: Some(int(1)),
            ..every("metric1", "60s")
        }],
        vec![MetricResult {
            count: Some(1),
            ..result("metric1", Successful, vec![done(Successful, 60)])
        }],
        0,
    );
    let update = reconcile(&run, Failed);
    assert_eq!(update.status.phase, Successful);
    assert_eq!(update.status.completed_at, Some(Time(now())));
    assert_eq!(
        reasons(&update),
        vec!["AnalysisRunSuccessful"],
        "the metric had completed already"
    );
    run = applied(&run, &update);
    let later = reconcile_with(&run, at(5000), &no_secrets, &|_, _| finished(Failed));
    assert_eq!(later.status, update.status);
    assert!(later.events.is_empty());
}

#[test]
fn a_run_in_progress_is_not_completed() {
    let run = running(
        vec![Metric {
            count: Some(int(3)),
            ..every("metric1", "60s")
        }],
        vec![result("metric1", Running, vec![done(Successful, 60)])],
        0,
    );
    let update = reconcile(&run, Successful);
    assert_eq!(update.status.phase, Running);
    assert_eq!(update.status.completed_at, None);
    assert!(!update.delete);
}

#[test]
fn the_status_serializes_like_upstream() {
    let update = reconcile(&run_of(vec![every("m", "1m")]), Successful);
    let json = serde_json::to_value(&update.status).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "phase": "Running",
            "startedAt": "2023-11-14T22:13:20Z",
            "runSummary": {"count": 1},
            "dryRunSummary": {},
            "metricResults": [{
                "name": "m",
                "phase": "Running",
                "count": 1,
                "successful": 1,
                "consecutiveSuccess": 1,
                "measurements": [{
                    "phase": "Successful",
                    "startedAt": "2023-11-14T22:13:20Z",
                    "finishedAt": "2023-11-14T22:13:20Z",
                    "value": "1"
                }]
            }]
        })
    );
}

#[test]
fn metrics_are_judged_with_resolved_arguments() {
    let mut run = run_of(vec![Metric {
        count: Some(IntOrString::String("{{args.count}}".into())),
        interval: Some("{{args.interval}}".into()),
        ..metric("m")
    }]);
    run.spec.args = Some(vec![
        rollouts_api::analysis::Argument {
            name: "count".into(),
            value: Some("2".into()),
            value_from: None,
        },
        rollouts_api::analysis::Argument {
            name: "interval".into(),
            value: Some("5s".into()),
            value_from: None,
        },
    ]);
    let first = reconcile(&run, Successful);
    assert_eq!(first.status.phase, Running);
    assert_eq!(first.requeue_after, Some(std::time::Duration::from_secs(5)));
    let run = applied(&run, &first);
    let second = reconcile_with(&run, at(6), &no_secrets, &|_, _| finished(Successful));
    assert_eq!(second.status.phase, Successful);
}

/// Upstream #3259: a provider that keeps erroring (there, one that could not even be created, which
/// also made garbage collection fail and skip the trimming) grew the status until etcd refused it.
#[test]
fn an_erroring_metric_keeps_a_bounded_history() {
    let mut run = run_of(vec![Metric {
        consecutive_error_limit: Some(int(1000)),
        ..every("m", "1m")
    }]);
    for i in 0..40 {
        let update = reconcile_with(&run, at(11 * i), &no_secrets, &|_, _| Measurement {
            message: Some("prometheus address is not is url format".into()),
            finished_at: None,
            ..finished(Error)
        });
        assert_eq!(update.status.phase, Running);
        assert!(measurements(result_of(&update, "m")).len() <= DEFAULT_MEASUREMENT_HISTORY_LIMIT);
        if i >= 10 {
            assert_eq!(update.garbage_collect, vec![(0, 10)]);
        }
        run = applied(&run, &update);
    }
    let r = &run.status.as_ref().unwrap().metric_results.as_ref().unwrap()[0];
    assert_eq!((r.error, r.consecutive_error), (Some(40), Some(40)));
}
