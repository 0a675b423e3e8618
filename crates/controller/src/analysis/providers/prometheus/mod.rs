//! The Prometheus provider (upstream `metricproviders/prometheus`): runs the metric's PromQL query
//! against the HTTP API and judges the result with the metric's conditions.
//!
//! * Address: the metric's `address`, else the controller's `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`; it must
//!   be a URL with a scheme and a host.
//! * Query: an instant query at the current time (`POST /api/v1/query`, form `query`, `time`), or with
//!   `rangeQuery` a range query (`POST /api/v1/query_range`, `start`, `end`, `step`) whose `start` and
//!   `end` are time expressions (see `time_expr.rs`). Like Go's client, a server answering 405 or 501
//!   to the POST is asked again with a GET.
//! * Result: a scalar is a number; a vector or matrix is the list of all its sample values (`[]` when
//!   empty, which the conditions report as "no data"). NaN and ±Inf samples stay numbers. The value
//!   string is `0.99` or `[0.99,1]`, numbers printed as Go prints them.
//! * `timeout` (seconds, default 30) bounds the whole query; `headers`, `authentication.basicAuth`
//!   and `authentication.oauth2` (client credentials) are sent with every request; `insecure` skips
//!   TLS verification. SigV4 signing is not supported (an `Error` measurement says so).
//! * Warnings in the answer become the measurement's `warnings` metadata (`"w1", "w2"`); the metric
//!   result's metadata carries the query as `ResolvedPrometheusQuery` ([`PrometheusProvider::metadata`]).

use std::time::Duration;

use futures::future::BoxFuture;
use hyper::{Method, StatusCode};
use jiff::Timestamp;
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, Measurement};
use rollouts_api::gofmt::go_quote;
use rollouts_api::providers::PrometheusMetric;

mod address;
mod answer;
mod time_expr;

use self::address::{endpoint_url, is_url};
use self::answer::{QueryOutcome, decode_answer, go_float};
use super::http::{HttpClient, HttpRequest, basic_authorization, encode_form, oauth2_settings};
use super::{MeasurementMetadata, Provider, finish_measurement, measurement_error, new_measurement};

/// The provider's type name.
pub const PROVIDER_TYPE: &str = "Prometheus";

/// Metric-result metadata key holding the query that was run (after argument substitution).
pub const RESOLVED_PROMETHEUS_QUERY: &str = "ResolvedPrometheusQuery";

/// The controller environment variable with the default Prometheus address.
pub const ADDRESS_ENV: &str = "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS";

/// Seconds a query may take when the metric does not say.
const DEFAULT_TIMEOUT_SECONDS: i64 = 30;

/// Queries Prometheus.
#[derive(Clone, Debug)]
pub struct PrometheusProvider {
    http: HttpClient,
    default_address: Option<String>,
}

impl PrometheusProvider {
    /// A provider whose default address comes from `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`, read now.
    pub fn new(http: HttpClient) -> Self {
        Self::with_default_address(http, std::env::var(ADDRESS_ENV).ok())
    }

    /// A provider with an explicit default address (what the environment variable would give).
    pub fn with_default_address(http: HttpClient, default_address: Option<String>) -> Self {
        Self { http, default_address }
    }

    /// The metric result's metadata: the query as `ResolvedPrometheusQuery`, when there is one
    /// (upstream `GetMetadata`).
    pub fn metadata(metric: &Metric) -> MeasurementMetadata {
        let mut metadata = MeasurementMetadata::new();
        if let Some(query) = metric
            .provider
            .prometheus
            .as_ref()
            .and_then(|p| p.query.as_deref())
            .filter(|q| !q.is_empty())
        {
            metadata.insert(RESOLVED_PROMETHEUS_QUERY.to_string(), query.to_string());
        }
        metadata
    }

    /// Takes one measurement; it is always finished.
    pub async fn measure(&self, metric: &Metric) -> Measurement {
        let measurement = new_measurement(Timestamp::now());
        match self.query(metric).await {
            Ok(outcome) => finish(measurement, metric, outcome),
            Err(message) => measurement_error(measurement, message, Timestamp::now()),
        }
    }

    /// Checks the configuration, runs the query and decodes the answer.
    async fn query(&self, metric: &Metric) -> Result<QueryOutcome, String> {
        let Some(config) = metric.provider.prometheus.as_ref() else {
            return Err("metric has no prometheus provider".to_string());
        };
        let address = self.address(config)?;
        let auth = config.authentication.as_ref();
        let mut transport_headers: Vec<(String, String)> = config
            .headers
            .iter()
            .flatten()
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect();
        if let Some(basic) = auth.and_then(|a| a.basic_auth.as_ref()) {
            let username = basic.username.as_deref().unwrap_or_default();
            let password = basic.password.as_deref().unwrap_or_default();
            if !username.is_empty() || !password.is_empty() {
                if username.is_empty() {
                    return Err("missing mandatory parameter in metric for basic auth setup: username".to_string());
                }
                if password.is_empty() {
                    return Err("missing mandatory parameter in metric for basic auth setup: password".to_string());
                }
                transport_headers.push(("Authorization".to_string(), basic_authorization(username, password)));
            }
        }
        let sigv4 = auth.and_then(|a| a.sigv4.as_ref()).filter(|s| {
            [&s.region, &s.profile, &s.role_arn]
                .iter()
                .any(|f| f.as_deref().is_some_and(|v| !v.is_empty()))
        });
        if address.contains("aps-workspaces") && sigv4.is_some() {
            return Err("prometheus sigv4 authentication is not supported".to_string());
        }
        let oauth2 = oauth2_settings(auth.and_then(|a| a.oauth2.as_ref()))?;
        let timeout_seconds = config.timeout.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
        if timeout_seconds < 0 {
            return Err("prometheus timeout should not be negative".to_string());
        }
        let timeout = Duration::from_secs(timeout_seconds.unsigned_abs());
        let query = config.query.clone().unwrap_or_default();

        let (endpoint, mut form) = match &config.range_query {
            Some(range) => {
                let now = Timestamp::now();
                let start = time_expr::eval(range.start.as_deref().unwrap_or_default(), now)
                    .map_err(|e| format!("failed to parse rangeQuery.start as time: {e}"))?;
                let end = time_expr::eval(range.end.as_deref().unwrap_or_default(), now)
                    .map_err(|e| format!("failed to parse rangeQuery.end as time: {e}"))?;
                let step = rollouts_api::duration::parse_nanos(range.step.as_deref().unwrap_or_default())
                    .map_err(|e| format!("failed to parse rangeQuery.step as duration: {e}"))?;
                let form = vec![
                    ("query", query.clone()),
                    ("start", api_time(start)),
                    ("end", api_time(end)),
                    ("step", go_float(step as f64 / 1e9)),
                ];
                ("api/v1/query_range", form)
            }
            None => (
                "api/v1/query",
                vec![("query", query.clone()), ("time", api_time(Timestamp::now()))],
            ),
        };
        let url = endpoint_url(&address, endpoint);

        let exchange = async {
            if let Some(oauth2) = &oauth2 {
                let token = self
                    .http
                    .oauth2_token(&oauth2.request(timeout, config.insecure.unwrap_or(false)))
                    .await
                    .map_err(|e| format!("Post {}: {e}", go_quote(&url)))?;
                transport_headers.push(("Authorization".to_string(), token));
            }
            let mut request = HttpRequest {
                method: Method::POST,
                url: url.clone(),
                headers: vec![(
                    "Content-Type".to_string(),
                    "application/x-www-form-urlencoded".to_string(),
                )],
                transport_headers: transport_headers.clone(),
                body: Some(encode_form(&form).into()),
                timeout,
                insecure: config.insecure.unwrap_or(false),
            };
            let mut response = self.http.send(&request).await.map_err(|e| e.with_context_deadline())?;
            if matches!(
                response.status,
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
            ) {
                form.sort_by(|a, b| a.0.cmp(b.0));
                request.method = Method::GET;
                request.url = format!("{}?{}", url.split('?').next().unwrap_or_default(), encode_form(&form));
                request.headers.clear();
                request.body = None;
                response = self.http.send(&request).await.map_err(|e| e.with_context_deadline())?;
            }
            decode_answer(response.status, &response.body)
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("Post {}: context deadline exceeded", go_quote(&url))),
        }
    }

    fn address(&self, config: &PrometheusMetric) -> Result<String, String> {
        const NOT_A_URL: &str = "prometheus address is not is url format";
        match config.address.as_deref().filter(|a| !a.is_empty()) {
            Some(address) if is_url(address) => Ok(address.to_string()),
            Some(_) => Err(NOT_A_URL.to_string()),
            None => match self.default_address.as_deref().filter(|a| !a.is_empty()) {
                Some(address) if is_url(address) => Ok(address.to_string()),
                Some(_) => Err(NOT_A_URL.to_string()),
                None => Err("prometheus address is not configured".to_string()),
            },
        }
    }
}

impl Provider for PrometheusProvider {
    fn kind(&self) -> &'static str {
        PROVIDER_TYPE
    }

    fn run<'a>(&'a self, _run: &'a AnalysisRun, metric: &'a Metric) -> BoxFuture<'a, Measurement> {
        Box::pin(self.measure(metric))
    }
}

/// Judges the outcome with the metric's conditions and completes the measurement.
fn finish(measurement: Measurement, metric: &Metric, outcome: QueryOutcome) -> Measurement {
    let mut measurement = finish_measurement(measurement, metric, &outcome.result.value(), outcome.result.text());
    // Warnings go with a judged result only, not with a condition that could not be evaluated.
    if measurement.phase != AnalysisPhase::Error && !outcome.warnings.is_empty() {
        let joined = outcome
            .warnings
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(", ");
        tracing::warn!(metric = %metric.name, warnings = %joined, "Prometheus returned warnings");
        measurement.metadata = Some([("warnings".to_string(), joined)].into_iter().collect());
    }
    measurement
}

/// A time as the API takes it: Unix seconds with a fraction (Go's client formats it this way).
fn api_time(t: Timestamp) -> String {
    go_float(t.as_second() as f64 + f64::from(t.subsec_nanosecond()) / 1e9)
}
