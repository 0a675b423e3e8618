//! Defaults of analysis metrics and of their providers.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{
    CONSECUTIVE_ERROR_LIMIT, DATADOG_INTERVAL, DATADOG_REQUEST_TIMEOUT, PROMETHEUS_TIMEOUT_SECONDS, WEB_METHOD,
    WEB_TIMEOUT_SECONDS, int_value, non_empty,
};
use crate::analysis::Metric;
use crate::providers::{DatadogAggregator, DatadogApiVersion, DatadogMetric, PrometheusMetric, WebMetric};

impl Metric {
    /// `consecutiveErrorLimit` as a number, 4 when unset (upstream `GetConsecutiveErrorLimitOrDefault`).
    pub fn consecutive_error_limit_or_default(&self) -> i64 {
        self.consecutive_error_limit
            .as_ref()
            .map_or(i64::from(CONSECUTIVE_ERROR_LIMIT), int_value)
    }

    /// `failureLimit` as a number, 0 when unset; -1 disables it.
    pub fn failure_limit_or_default(&self) -> i64 {
        self.failure_limit.as_ref().map_or(0, int_value)
    }

    /// `inconclusiveLimit` as a number, 0 when unset.
    pub fn inconclusive_limit_or_default(&self) -> i64 {
        self.inconclusive_limit.as_ref().map_or(0, int_value)
    }

    /// `consecutiveSuccessLimit` as a number, 0 (disabled) when unset.
    pub fn consecutive_success_limit_or_default(&self) -> i64 {
        self.consecutive_success_limit.as_ref().map_or(0, int_value)
    }

    /// How many measurements the metric takes (upstream `Metric.EffectiveCount`): `count` when it is
    /// a non-zero number; otherwise 1 when there is no `interval`, and `None` (measure until the run
    /// ends) when there is one.
    pub fn effective_count(&self) -> Option<IntOrString> {
        match &self.count {
            Some(count) if int_value(count) != 0 => Some(count.clone()),
            _ if self.interval.as_deref().unwrap_or_default().is_empty() => Some(IntOrString::Int(1)),
            _ => None,
        }
    }
}

impl DatadogMetric {
    /// `interval` (the query window), `"5m"` when unset or empty (the CRD's schema default).
    pub fn interval_or_default(&self) -> &str {
        non_empty(self.interval.as_deref()).unwrap_or(DATADOG_INTERVAL)
    }

    /// `requestTimeout`, `"10s"` when unset or empty (the CRD's schema default).
    pub fn request_timeout_or_default(&self) -> &str {
        non_empty(self.request_timeout.as_deref()).unwrap_or(DATADOG_REQUEST_TIMEOUT)
    }

    /// `apiVersion`, v1 when unset (the CRD's schema default).
    pub fn api_version_or_default(&self) -> DatadogApiVersion {
        self.api_version.unwrap_or_default()
    }

    /// `aggregator` (v2 only), `last` when unset, as Datadog itself defaults.
    pub fn aggregator_or_default(&self) -> DatadogAggregator {
        self.aggregator.unwrap_or_default()
    }
}

impl PrometheusMetric {
    /// `timeout` in seconds, 30 when unset (a negative value is the provider's error to report).
    pub fn timeout_or_default(&self) -> i64 {
        self.timeout.unwrap_or(PROMETHEUS_TIMEOUT_SECONDS)
    }
}

impl WebMetric {
    /// `timeoutSeconds`, 10 when unset or not positive.
    pub fn timeout_seconds_or_default(&self) -> i64 {
        self.timeout_seconds.filter(|t| *t > 0).unwrap_or(WEB_TIMEOUT_SECONDS)
    }

    /// `method`, `GET` when unset or empty.
    pub fn method_or_default(&self) -> &str {
        non_empty(self.method.as_deref()).unwrap_or(WEB_METHOD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::tests::{int, string};

    #[test]
    fn metric_limits_and_effective_count() {
        let unset = Metric::default();
        assert_eq!(unset.consecutive_error_limit_or_default(), 4);
        assert_eq!(unset.failure_limit_or_default(), 0);
        assert_eq!(unset.inconclusive_limit_or_default(), 0);
        assert_eq!(unset.consecutive_success_limit_or_default(), 0);
        assert_eq!(unset.effective_count(), Some(int(1)));

        let with_interval = Metric {
            interval: Some("1m".to_string()),
            ..Default::default()
        };
        assert_eq!(with_interval.effective_count(), None);
        let zero_count = Metric {
            count: Some(int(0)),
            ..with_interval.clone()
        };
        assert_eq!(zero_count.effective_count(), None);
        let counted = Metric {
            count: Some(string("3")),
            consecutive_error_limit: Some(string("0")),
            failure_limit: Some(int(-1)),
            ..with_interval
        };
        assert_eq!(counted.effective_count(), Some(string("3")));
        assert_eq!(counted.consecutive_error_limit_or_default(), 0);
        assert_eq!(counted.failure_limit_or_default(), -1);
    }
    #[test]
    fn provider_defaults() {
        let datadog = DatadogMetric::default();
        assert_eq!(datadog.interval_or_default(), "5m");
        assert_eq!(datadog.request_timeout_or_default(), "10s");
        assert_eq!(datadog.api_version_or_default(), DatadogApiVersion::V1);
        assert_eq!(datadog.aggregator_or_default(), DatadogAggregator::Last);
        let datadog = DatadogMetric {
            interval: Some("1h".to_string()),
            request_timeout: Some(String::new()),
            api_version: Some(DatadogApiVersion::V2),
            ..Default::default()
        };
        assert_eq!(datadog.interval_or_default(), "1h");
        assert_eq!(datadog.request_timeout_or_default(), "10s");
        assert_eq!(datadog.api_version_or_default(), DatadogApiVersion::V2);

        assert_eq!(PrometheusMetric::default().timeout_or_default(), 30);
        let prometheus = PrometheusMetric {
            timeout: Some(5),
            ..Default::default()
        };
        assert_eq!(prometheus.timeout_or_default(), 5);

        let web = WebMetric::default();
        assert_eq!(web.timeout_seconds_or_default(), 10);
        assert_eq!(web.method_or_default(), "GET");
        let web = WebMetric {
            timeout_seconds: Some(0),
            method: Some("POST".to_string()),
            ..Default::default()
        };
        assert_eq!(web.timeout_seconds_or_default(), 10);
        assert_eq!(web.method_or_default(), "POST");
    }
}
