//! Metric providers: each takes measurements from one kind of source. A provider never fails as a
//! call: whatever goes wrong (unreachable address, timeout, bad response, a condition that cannot be
//! evaluated) becomes a measurement in phase `Error` with a message saying what and where.

use std::collections::BTreeMap;

use futures::future::BoxFuture;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, Measurement};

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

    /// Checks on a measurement in flight.
    fn resume<'a>(
        &'a self,
        run: &'a AnalysisRun,
        metric: &'a Metric,
        measurement: Measurement,
    ) -> BoxFuture<'a, Measurement>;

    /// Stops a measurement in flight because the run is terminating.
    fn terminate<'a>(
        &'a self,
        run: &'a AnalysisRun,
        metric: &'a Metric,
        measurement: Measurement,
    ) -> BoxFuture<'a, Measurement>;

    /// Deletes what the provider created for measurements beyond the newest `limit`.
    fn garbage_collect<'a>(
        &'a self,
        run: &'a AnalysisRun,
        metric: &'a Metric,
        limit: usize,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;
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

/// Metadata entries for a measurement (upstream stores them as a string map).
pub type MeasurementMetadata = BTreeMap<String, String>;

pub mod http;
pub mod job;
pub mod prometheus;
pub mod web;
