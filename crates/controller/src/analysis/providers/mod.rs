//! Metric providers: each takes measurements from one kind of source. A provider never fails as a
//! call: whatever goes wrong (unreachable address, timeout, bad response, a condition that cannot be
//! evaluated) becomes a measurement in phase `Error` with a message saying what and where.

use std::collections::BTreeMap;

use futures::future::BoxFuture;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, Measurement};
use rollouts_core::analysis::condition::evaluate_result;
use rollouts_core::analysis::value::MetricValue;

/// Why a provider could not do something that is not a measurement (garbage collection).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProviderError(pub String);

/// One kind of metric source (upstream `metricproviders.Provider`).
pub trait Provider: Send + Sync {
    /// The provider's type name as upstream reports it (`Prometheus`, `Web`, `Job`, ...).
    fn kind(&self) -> &'static str;

    /// Takes a measurement. A provider that measures asynchronously returns it in flight (no
    /// `finishedAt`, `resumeAt` set); [`Provider::resume`] then completes it.
    fn run<'a>(&'a self, run: &'a AnalysisRun, metric: &'a Metric) -> BoxFuture<'a, Measurement>;

    /// Checks on a measurement in flight. The default, for a provider that measures synchronously,
    /// logs and returns it unchanged.
    fn resume<'a>(
        &'a self,
        _run: &'a AnalysisRun,
        metric: &'a Metric,
        measurement: Measurement,
    ) -> BoxFuture<'a, Measurement> {
        let warning = "takes measurements synchronously and never resumes one";
        unchanged(self.kind(), metric, measurement, warning)
    }

    /// Stops a measurement in flight because the run is terminating. The default, for a provider
    /// that measures synchronously, logs and returns it unchanged.
    fn terminate<'a>(
        &'a self,
        _run: &'a AnalysisRun,
        metric: &'a Metric,
        measurement: Measurement,
    ) -> BoxFuture<'a, Measurement> {
        let warning = "has no measurement in flight to terminate";
        unchanged(self.kind(), metric, measurement, warning)
    }

    /// Deletes what the provider created for measurements beyond the newest `limit` (by default
    /// nothing).
    fn garbage_collect<'a>(
        &'a self,
        _run: &'a AnalysisRun,
        _metric: &'a Metric,
        _limit: usize,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A synchronous provider's answer to `resume` or `terminate`: `measurement` as is, after a warning.
fn unchanged<'a>(kind: &str, metric: &Metric, measurement: Measurement, warning: &str) -> BoxFuture<'a, Measurement> {
    tracing::warn!(metric = %metric.name, "the {kind} provider {warning}");
    Box::pin(std::future::ready(measurement))
}

/// A measurement started now.
pub fn new_measurement(now: Timestamp) -> Measurement {
    Measurement {
        phase: AnalysisPhase::Running,
        started_at: Some(Time(now)),
        ..Default::default()
    }
}

/// Finishes `measurement` as an `Error` with `message`.
pub fn measurement_error(mut measurement: Measurement, message: impl Into<String>, now: Timestamp) -> Measurement {
    measurement.phase = AnalysisPhase::Error;
    measurement.message = Some(message.into());
    measurement.finished_at = Some(Time(now));
    measurement
}

/// Finishes `measurement` with `value`, in the phase the metric's conditions give `result`, or as an
/// `Error` when they cannot be evaluated.
pub(crate) fn finish_measurement(
    mut measurement: Measurement,
    metric: &Metric,
    result: &MetricValue,
    value: String,
) -> Measurement {
    let phase = evaluate_result(
        result,
        metric.success_condition.as_deref().unwrap_or_default(),
        metric.failure_condition.as_deref().unwrap_or_default(),
    );
    match phase {
        Ok(phase) => {
            measurement.value = Some(value);
            measurement.phase = phase;
            measurement.finished_at = Some(Time(Timestamp::now()));
            measurement
        }
        Err(message) => measurement_error(measurement, message, Timestamp::now()),
    }
}

/// Metadata entries for a measurement (upstream stores them as a string map).
pub type MeasurementMetadata = BTreeMap<String, String>;

pub mod http;
pub mod job;
pub mod prometheus;
pub mod web;
