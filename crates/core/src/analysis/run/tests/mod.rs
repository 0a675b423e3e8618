//! AnalysisRun reconcile tests: table tests per concern, whole reconciles through fake providers, and
//! properties over random sequences of measurements.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod args;
mod phases;
mod properties;
mod reconcile;
mod tasks;
mod ttl;
mod validate;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{
    AnalysisPhase, AnalysisRun, AnalysisRunSpec, AnalysisRunStatus, Measurement, MetricResult,
};
use rollouts_api::providers::{MetricProvider, PrometheusMetric};

use super::{Outcome, PrepareOutcome, Prepared, RunUpdate, Task, assess, prepare};

/// The fixed "now" of the tests.
pub fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

/// `now` moved by `secs` (negative: the past).
pub fn at(secs: i64) -> Timestamp {
    now().checked_add(SignedDuration::from_secs(secs)).unwrap()
}

pub fn time(secs: i64) -> Time {
    Time(at(secs))
}

pub fn int(i: i32) -> IntOrString {
    IntOrString::Int(i)
}

/// A Prometheus metric with no count, interval or limits.
pub fn metric(name: &str) -> Metric {
    Metric {
        name: name.to_string(),
        provider: MetricProvider {
            prometheus: Some(PrometheusMetric {
                address: Some("http://prometheus:9090".into()),
                query: Some("up".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A metric that measures every `interval` (no count: until the run ends).
pub fn every(name: &str, interval: &str) -> Metric {
    Metric {
        interval: Some(interval.into()),
        ..metric(name)
    }
}

pub fn run_of(metrics: Vec<Metric>) -> AnalysisRun {
    AnalysisRun {
        metadata: ObjectMeta {
            name: Some("run".into()),
            namespace: Some("default".into()),
            ..Default::default()
        },
        spec: AnalysisRunSpec {
            metrics,
            ..Default::default()
        },
        status: None,
    }
}

/// A running run whose metric results are `results`, started `started` seconds ago.
pub fn running(metrics: Vec<Metric>, results: Vec<MetricResult>, started: i64) -> AnalysisRun {
    let mut run = run_of(metrics);
    run.status = Some(AnalysisRunStatus {
        phase: AnalysisPhase::Running,
        started_at: Some(time(-started)),
        metric_results: Some(results).filter(|r| !r.is_empty()),
        ..Default::default()
    });
    run
}

/// A finished measurement `ago` seconds ago.
pub fn done(phase: AnalysisPhase, ago: i64) -> Measurement {
    Measurement {
        phase,
        started_at: Some(time(-ago)),
        finished_at: Some(time(-ago)),
        value: Some("1".into()),
        ..Default::default()
    }
}

/// A measurement in flight since `ago` seconds, to be resumed at `resume_at` (seconds from now).
pub fn in_flight(ago: i64, resume_at: Option<i64>) -> Measurement {
    Measurement {
        phase: AnalysisPhase::Running,
        started_at: Some(time(-ago)),
        resume_at: resume_at.map(time),
        ..Default::default()
    }
}

/// A result whose counters agree with `measurements` (as if each had been recorded in turn).
pub fn result(name: &str, phase: AnalysisPhase, measurements: Vec<Measurement>) -> MetricResult {
    let mut result = MetricResult {
        name: name.into(),
        phase,
        ..Default::default()
    };
    for m in &measurements {
        if m.phase.is_completed() {
            super::record::count(&mut result, m.phase);
        }
    }
    result.measurements = Some(measurements).filter(|m| !m.is_empty());
    result
}

pub fn no_secrets(name: &str, _key: &str) -> Result<String, String> {
    Err(super::secret_not_found_message(name))
}

pub fn prepared(run: &AnalysisRun) -> Prepared {
    match prepare(run, &no_secrets, now()) {
        PrepareOutcome::Measure(p) => p,
        PrepareOutcome::Done(update) => panic!("expected measurements, got {update:?}"),
    }
}

pub fn done_update(outcome: PrepareOutcome) -> RunUpdate {
    match outcome {
        PrepareOutcome::Done(update) => update,
        PrepareOutcome::Measure(p) => panic!("expected the reconcile to end early, got {p:?}"),
    }
}

/// One whole reconcile at `now`: every task answered by `provider`.
pub fn reconcile_with(
    run: &AnalysisRun,
    now: Timestamp,
    secrets: &dyn Fn(&str, &str) -> Result<String, String>,
    provider: &dyn Fn(&Task, &Metric) -> Measurement,
) -> RunUpdate {
    match prepare(run, secrets, now) {
        PrepareOutcome::Done(update) => update,
        PrepareOutcome::Measure(p) => {
            let outcomes: Vec<Outcome> = p
                .tasks
                .iter()
                .map(|task| Outcome::from((task.metric(), provider(task, &p.metrics[task.metric()]))))
                .collect();
            assess(run, &p, outcomes, now)
        }
    }
}

/// One reconcile at the tests' `now` where every task ends in `phase`.
pub fn reconcile(run: &AnalysisRun, phase: AnalysisPhase) -> RunUpdate {
    reconcile_with(run, now(), &no_secrets, &|_, _| finished(phase))
}

/// A measurement as a provider returns it, finished now.
pub fn finished(phase: AnalysisPhase) -> Measurement {
    Measurement {
        phase,
        started_at: Some(Time(now())),
        finished_at: Some(Time(now())),
        value: Some("1".into()),
        ..Default::default()
    }
}

/// The run with `update` applied, as the API server would store it.
pub fn applied(run: &AnalysisRun, update: &RunUpdate) -> AnalysisRun {
    let mut next = run.clone();
    next.status = Some(update.status.clone());
    next
}

pub fn results(update: &RunUpdate) -> &[MetricResult] {
    update.status.metric_results.as_deref().unwrap_or_default()
}

pub fn result_of<'a>(update: &'a RunUpdate, name: &str) -> &'a MetricResult {
    results(update).iter().find(|r| r.name == name).unwrap()
}

pub fn measurements(result: &MetricResult) -> &[Measurement] {
    result.measurements.as_deref().unwrap_or_default()
}

pub fn reasons(update: &RunUpdate) -> Vec<String> {
    update.events.iter().map(|e| e.reason.clone()).collect()
}
