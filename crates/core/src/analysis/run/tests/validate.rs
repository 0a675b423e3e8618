//! The spec checks and their messages.

use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::common::{DryRun, MeasurementRetention};
use rollouts_api::providers::{JobMetric, MetricProvider, WebMetric};

use super::super::validate::{dry_run_flags, retention_limits, validate_metric, validate_metrics};
use super::*;

fn with(f: impl FnOnce(&mut Metric)) -> Metric {
    let mut m = metric("m");
    f(&mut m);
    m
}

#[test]
fn metric_rules_table() {
    let s = |v: &str| IntOrString::String(v.into());
    let cases: Vec<(&str, Metric, Result<(), &str>)> = vec![
        ("plain", metric("m"), Ok(())),
        (
            "negative success limit",
            with(|m| m.consecutive_success_limit = Some(int(-1))),
            Err("consecutiveSuccessLimit must be >= 0"),
        ),
        (
            "failure limit below -1",
            with(|m| m.failure_limit = Some(int(-2))),
            Err("failureLimit must be >= 0, or -1 to be disabled"),
        ),
        (
            "both disabled",
            with(|m| m.failure_limit = Some(int(-1))),
            Err("failureLimit and consecutiveSuccessLimit cannot both be disabled"),
        ),
        (
            "failure disabled with success limit",
            with(|m| {
                m.failure_limit = Some(int(-1));
                m.consecutive_success_limit = Some(int(2));
                m.interval = Some("1m".into());
            }),
            Ok(()),
        ),
        (
            "negative inconclusive limit",
            with(|m| m.inconclusive_limit = Some(int(-1))),
            Err("inconclusiveLimit must be >= 0"),
        ),
        (
            "negative error limit",
            with(|m| m.consecutive_error_limit = Some(int(-1))),
            Err("consecutiveErrorLimit must be >= 0"),
        ),
        (
            "zero error limit",
            with(|m| m.consecutive_error_limit = Some(int(0))),
            Ok(()),
        ),
        (
            "count below the sum of limits",
            with(|m| {
                m.count = Some(int(3));
                m.interval = Some("1m".into());
                m.failure_limit = Some(int(2));
                m.consecutive_success_limit = Some(int(2));
            }),
            Err("count (3) must be >= failureLimit + consecutiveSuccessLimit (2 + 2) if both >= 0"),
        ),
        (
            "count below the success limit with failure disabled",
            with(|m| {
                m.count = Some(int(2));
                m.interval = Some("1m".into());
                m.failure_limit = Some(int(-1));
                m.consecutive_success_limit = Some(int(3));
            }),
            Err("count must be >= consecutiveSuccessLimit"),
        ),
        (
            "count below the inconclusive limit",
            with(|m| {
                m.count = Some(int(2));
                m.interval = Some("1m".into());
                m.inconclusive_limit = Some(int(3));
            }),
            Err("count must be >= inconclusiveLimit"),
        ),
        (
            "count without interval",
            with(|m| m.count = Some(int(2))),
            Err("interval must be specified when count > 1"),
        ),
        (
            "count as a string",
            with(|m| m.count = Some(s("2"))),
            Err("interval must be specified when count > 1"),
        ),
        ("count one without interval", with(|m| m.count = Some(int(1))), Ok(())),
        ("count zero", with(|m| m.count = Some(int(0))), Ok(())),
        (
            "bad interval",
            with(|m| m.interval = Some("5".into())),
            Err("invalid interval string: time: missing unit in duration \"5\""),
        ),
        (
            "bad interval unit",
            with(|m| m.interval = Some("1d".into())),
            Err("invalid interval string: time: unknown unit \"d\" in duration \"1d\""),
        ),
        (
            "bad initial delay",
            with(|m| m.initial_delay = Some("soon".into())),
            Err("invalid startDelay string: time: invalid duration \"soon\""),
        ),
        (
            "no provider",
            with(|m| m.provider = MetricProvider::default()),
            Err("no provider specified"),
        ),
        (
            "two providers",
            with(|m| m.provider.job = Some(JobMetric::default())),
            Err("multiple providers specified"),
        ),
        (
            "one plugin",
            with(|m| {
                m.provider = MetricProvider {
                    plugin: Some(serde_json::json!({"argoproj-labs/sample": {"q": 1}})),
                    ..Default::default()
                }
            }),
            Ok(()),
        ),
        (
            "two plugins",
            with(|m| {
                m.provider = MetricProvider {
                    plugin: Some(serde_json::json!({"a": {}, "b": {}})),
                    ..Default::default()
                }
            }),
            Err("multiple providers specified"),
        ),
        (
            "a plugin and a provider",
            with(|m| m.provider.plugin = Some(serde_json::json!({"a": {}}))),
            Err("multiple providers specified"),
        ),
    ];
    for (name, metric, want) in cases {
        assert_eq!(validate_metric(&metric), want.map_err(str::to_string), "{name}");
    }
}

#[test]
fn metric_list_rules() {
    assert_eq!(validate_metrics(&[]), Err("no metrics specified".to_string()));
    assert_eq!(
        validate_metrics(&[metric("a"), metric("b"), metric("a")]),
        Err("metrics[2]: duplicate name 'a'".to_string())
    );
    let mut bad = metric("b");
    bad.count = Some(int(5));
    assert_eq!(
        validate_metrics(&[metric("a"), bad]),
        Err("metrics[1]: interval must be specified when count > 1".to_string())
    );
}

#[test]
fn dry_run_and_retention_rules_are_unanchored_regexes() {
    let metrics = vec![metric("success-rate"), metric("error-rate"), metric("latency")];
    let dry = |names: &[&str]| -> Vec<DryRun> {
        names
            .iter()
            .map(|n| DryRun {
                metric_name: n.to_string(),
            })
            .collect()
    };
    assert_eq!(dry_run_flags(&[], &metrics), Ok(vec![false, false, false]));
    assert_eq!(dry_run_flags(&dry(&[".*"]), &metrics), Ok(vec![true, true, true]));
    assert_eq!(dry_run_flags(&dry(&["rate"]), &metrics), Ok(vec![true, true, false]));
    assert_eq!(dry_run_flags(&dry(&["^error"]), &metrics), Ok(vec![false, true, false]));
    assert_eq!(
        dry_run_flags(&dry(&["lat", "success"]), &metrics),
        Ok(vec![true, false, true])
    );
    assert_eq!(
        dry_run_flags(&dry(&["latency", "cpu"]), &metrics),
        Err("dryRun[1]: Rule didn't match any metric name(s)".to_string())
    );
    // A pattern that does not compile matches nothing.
    assert_eq!(
        dry_run_flags(&dry(&["*"]), &metrics),
        Err("dryRun[0]: Rule didn't match any metric name(s)".to_string())
    );

    let keep = |rules: &[(&str, i32)]| -> Vec<MeasurementRetention> {
        rules
            .iter()
            .map(|(n, l)| MeasurementRetention {
                metric_name: n.to_string(),
                limit: *l,
            })
            .collect()
    };
    assert_eq!(retention_limits(&[], &metrics), Ok(vec![None, None, None]));
    assert_eq!(
        retention_limits(&keep(&[(".*", 5), ("latency", 20)]), &metrics),
        Ok(vec![Some(5), Some(5), Some(20)])
    );
    assert_eq!(
        retention_limits(&keep(&[("error", 3), ("cpu", 1)]), &metrics),
        Err("measurementRetention[1]: Rule didn't match any metric name(s)".to_string())
    );
}

#[test]
fn invalid_specs_end_the_run_in_error_without_completed_at() {
    let now_run = |mut run: AnalysisRun| {
        run.status = Some(rollouts_api::analysis_run::AnalysisRunStatus {
            phase: AnalysisPhase::Running,
            started_at: Some(Time(now())),
            ..Default::default()
        });
        run
    };
    let cases: Vec<(AnalysisRun, &str)> = vec![
        (run_of(vec![]), "Analysis spec invalid: no metrics specified"),
        (
            run_of(vec![with(|m| m.count = Some(int(3)))]),
            "Analysis spec invalid: metrics[0]: interval must be specified when count > 1",
        ),
        (
            {
                let mut run = run_of(vec![every("success-rate", "20s")]);
                run.spec.dry_run = Some(vec![DryRun {
                    metric_name: "error-rate".into(),
                }]);
                run
            },
            "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)",
        ),
        (
            {
                let mut run = run_of(vec![every("success-rate", "20s")]);
                run.spec.measurement_retention = Some(vec![MeasurementRetention {
                    metric_name: "error-rate".into(),
                    limit: 0,
                }]);
                run
            },
            "Analysis spec invalid: measurementRetention[0]: Rule didn't match any metric name(s)",
        ),
        (
            run_of(vec![with(|m| {
                m.provider.prometheus = None;
                m.provider.web = Some(WebMetric::default());
                m.provider.job = Some(JobMetric::default());
            })]),
            "Analysis spec invalid: metrics[0]: multiple providers specified",
        ),
    ];
    for (run, want) in cases {
        for run in [run.clone(), now_run(run)] {
            let update = done_update(prepare(&run, &no_secrets, now()));
            assert_eq!(update.status.phase, AnalysisPhase::Error, "{want}");
            assert_eq!(update.status.message.as_deref(), Some(want));
            assert_eq!(update.status.completed_at, None);
            assert_eq!(reasons(&update), vec!["AnalysisRunError"]);
            // The next reconcile sees a completed run and does nothing (no TTL without completedAt).
            let mut errored = applied(&run, &update);
            errored.spec.ttl_strategy = Some(rollouts_api::analysis_run::TtlStrategy {
                seconds_after_completion: Some(0),
                ..Default::default()
            });
            let again = done_update(prepare(&errored, &no_secrets, at(3600)));
            assert_eq!(again.status, update.status);
            assert!(again.events.is_empty());
            assert!(!again.delete);
        }
    }
}
