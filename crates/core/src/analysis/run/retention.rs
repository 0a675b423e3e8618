//! Keeping the measurement history bounded (upstream `garbageCollectMeasurements`): each metric keeps
//! its newest measurements, as many as the last matching `measurementRetention` rule with a positive
//! `limit` says, else [`DEFAULT_MEASUREMENT_HISTORY_LIMIT`].
//!
//! Unlike upstream, the history is trimmed whether or not the provider's garbage collection succeeds
//! afterwards (upstream leaves it untrimmed when that fails, and the status can then grow without
//! bound): the providers are told which metrics to clean up and to what limit.

use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::MetricResult;

/// Measurements kept per metric without a `measurementRetention` rule (upstream
/// `DefaultMeasurementHistoryLimit`).
pub const DEFAULT_MEASUREMENT_HISTORY_LIMIT: usize = 10;

/// The number of measurements a metric keeps, given the limit of its retention rule.
pub fn limit_for(rule_limit: Option<i32>) -> usize {
    rule_limit
        .filter(|l| *l > 0)
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(DEFAULT_MEASUREMENT_HISTORY_LIMIT)
}

/// Drops the oldest measurements beyond each metric's limit; returns (metric index, limit) for every
/// metric of `metrics` that had some dropped, in result order. `limits` is per metric, in spec order.
pub fn trim(results: &mut [MetricResult], metrics: &[Metric], limits: &[Option<i32>]) -> Vec<(usize, usize)> {
    let mut collect = Vec::new();
    for result in results.iter_mut() {
        let index = metrics.iter().position(|m| m.name == result.name);
        let limit = limit_for(index.and_then(|i| limits.get(i).copied().flatten()));
        let Some(measurements) = result.measurements.as_mut() else {
            continue;
        };
        if measurements.len() > limit {
            measurements.drain(..measurements.len() - limit);
            if let Some(index) = index {
                collect.push((index, limit));
            }
        }
    }
    collect
}
