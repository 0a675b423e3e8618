#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Analysis costs per measurement: evaluating a metric's conditions against a provider's result, and
//! one reconcile of a running AnalysisRun (prepare the tasks, then assess the measurement taken).

use criterion::{Criterion, criterion_group, criterion_main};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, Measurement};
use rollouts_core::analysis::condition::evaluate_result;
use rollouts_core::analysis::run::{Outcome, PrepareOutcome, assess, prepare};
use rollouts_core::analysis::value::MetricValue;
use serde_json::json;

fn run_with_history(measurements: usize) -> AnalysisRun {
    let taken: Vec<serde_json::Value> = (0..measurements)
        .map(|i| {
            json!({"phase": "Successful", "value": "[0.99]",
                   "startedAt": format!("2026-01-01T00:{:02}:00Z", i), "finishedAt": format!("2026-01-01T00:{:02}:01Z", i)})
        })
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "r", "namespace": "default", "uid": "u"},
        "spec": {"args": [{"name": "service", "value": "web"}],
                 "metrics": [{"name": "success-rate", "interval": "1m", "count": 100,
                              "successCondition": "result[0] >= 0.95", "failureLimit": 3,
                              "provider": {"prometheus": {"address": "http://127.0.0.1:9090",
                                  "query": "sum(rate(http_requests_total{service=\"{{args.service}}\",code!~\"5..\"}[5m])) / sum(rate(http_requests_total{service=\"{{args.service}}\"}[5m]))"}}}]},
        "status": {"phase": "Running", "startedAt": "2026-01-01T00:00:00Z",
                   "metricResults": [{"name": "success-rate", "phase": "Running", "count": measurements,
                                      "successful": measurements, "consecutiveSuccess": measurements,
                                      "measurements": taken}]}
    }))
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let vector = MetricValue::from(vec![0.991, 0.987, 0.999]);
    c.bench_function("condition/vector_index_compare", |b| {
        b.iter(|| evaluate_result(std::hint::black_box(&vector), "result[0] >= 0.95", ""));
    });
    let web = MetricValue::from(json!({"data": {"ok": true, "latency": [12, 40, 33]}}));
    c.bench_function("condition/closure_over_json", |b| {
        b.iter(|| {
            evaluate_result(
                std::hint::black_box(&web),
                "result.data.ok && all(result.data.latency, {# < 100})",
                "len(result.data.latency) == 0",
            )
        });
    });
    let nan = MetricValue::Number(f64::NAN);
    c.bench_function("condition/nan_guard", |b| {
        b.iter(|| evaluate_result(std::hint::black_box(&nan), "isNaN(result) || result >= 0.95", ""));
    });

    // A run with ten measurements kept (the retention limit), taking its next one.
    let run = run_with_history(10);
    let now: jiff::Timestamp = "2026-01-01T00:11:00Z".parse().unwrap();
    let no_secrets = |_: &str, _: &str| -> Result<String, String> { Err("no secrets".to_string()) };
    c.bench_function("run/prepare_and_assess_one_measurement", |b| {
        b.iter(|| {
            let PrepareOutcome::Measure(prepared) = prepare(std::hint::black_box(&run), &no_secrets, now) else {
                panic!("the run should measure");
            };
            let outcomes: Vec<Outcome> = prepared
                .tasks
                .iter()
                .map(|t| {
                    Outcome::from((
                        t.metric(),
                        Measurement {
                            phase: AnalysisPhase::Successful,
                            value: Some("[0.99]".to_string()),
                            started_at: Some(Time(now)),
                            finished_at: Some(Time(now)),
                            ..Default::default()
                        },
                    ))
                })
                .collect();
            assess(&run, &prepared, outcomes, now)
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
