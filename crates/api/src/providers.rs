//! Metric providers: one optional block per backend; exactly one is set on a metric.

use crate::common::PodTemplateMetadata;
use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a metric is measured; exactly one member is set.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricProvider {
    /// Query AWS CloudWatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch: Option<CloudWatchMetric>,
    /// Query Datadog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog: Option<DatadogMetric>,
    /// Query Graphite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graphite: Option<GraphiteMetric>,
    /// Run an InfluxDB Flux query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub influxdb: Option<InfluxdbMetric>,
    /// Run a Kubernetes Job; its success or failure is the measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobMetric>,
    /// Ask Kayenta for a canary score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kayenta: Option<KayentaMetric>,
    /// Run a New Relic NRQL query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_relic: Option<NewRelicMetric>,
    /// A metric provider plugin, keyed by plugin name with its configuration. Plugins are declared in the controller's `argo-rollouts-config` ConfigMap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::preserve_unknown_fields")]
    pub plugin: Option<serde_json::Value>,
    /// Run a Prometheus query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusMetric>,
    /// Run an Apache SkyWalking GraphQL query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skywalking: Option<SkyWalkingMetric>,
    /// Query Wavefront.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wavefront: Option<WavefrontMetric>,
    /// Call an HTTP endpoint and read its response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebMetric>,
}

impl MetricProvider {
    /// The provider's type name as upstream reports it (in measurements, errors and the
    /// `analysis_run_metric_type` metric): the first one set in upstream's order of precedence, `None`
    /// when none is.
    pub fn type_name(&self) -> Option<&'static str> {
        [
            (self.prometheus.is_some(), "Prometheus"),
            (self.job.is_some(), "Job"),
            (self.kayenta.is_some(), "Kayenta"),
            (self.web.is_some(), "Web"),
            (self.datadog.is_some(), "Datadog"),
            (self.wavefront.is_some(), "Wavefront"),
            (self.new_relic.is_some(), "NewRelic"),
            (self.cloud_watch.is_some(), "CloudWatch"),
            (self.graphite.is_some(), "Graphite"),
            (self.influxdb.is_some(), "Influxdb"),
            (self.skywalking.is_some(), "skywalking"),
            (self.plugin.is_some(), "RPCPlugin"),
        ]
        .into_iter()
        .find_map(|(set, name)| set.then_some(name))
    }
}

/// AWS CloudWatch metric data queries.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchMetric {
    /// Length of the window to query, ending now, as a duration string. Defaults to 5m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Queries to send in one GetMetricData call; `result` is the list of their results. Required.
    #[serde(default)]
    #[schemars(required)]
    pub metric_data_queries: Vec<CloudWatchMetricDataQuery>,
}

/// One CloudWatch GetMetricData query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchMetricDataQuery {
    /// Math or search expression over other queries. Set this or `metricStat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Identifier of the query, for use in expressions and results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Label for the returned series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The metric and statistic to fetch. Set this or `expression`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<CloudWatchMetricStat>,
    /// Granularity of the returned points, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<IntOrString>,
    /// Whether this query's data is returned, or only used by expressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_data: Option<bool>,
}

/// A CloudWatch metric statistic.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchMetricStat {
    /// The metric to fetch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<CloudWatchMetricStatMetric>,
    /// Granularity of the returned points, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<IntOrString>,
    /// Statistic to return, such as `Average`, `Sum` or `p99`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    /// Unit to return the values in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A CloudWatch metric by namespace, name and dimensions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchMetricStatMetric {
    /// Dimensions that identify the metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<CloudWatchMetricStatMetricDimension>>,
    /// Name of the metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    /// Namespace of the metric, such as `AWS/ApplicationELB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A CloudWatch dimension.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchMetricStatMetricDimension {
    /// Name of the dimension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Value of the dimension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A Datadog query (v1) or queries and formula (v2).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatadogMetric {
    /// How the v2 API reduces each series to one value: avg, min, max, sum, last, percentile, mean, l2norm or area. Defaults to last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregator: Option<DatadogAggregator>,
    /// Which Datadog API to call: `v1` (the default) takes `query`, `v2` takes `queries` and `formula`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<DatadogApiVersion>,
    /// v2 only: formula combining the named `queries` into the measured value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Length of the window to query, ending now, as a duration string. Defaults to 5m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// v2 only: queries by name, for use in `formula`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queries: Option<BTreeMap<String, String>>,
    /// v1 only: the metric query; `result` is the last point of the first series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Timeout of the HTTP request, as a duration string. Defaults to 10s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<String>,
    /// The Secret with the API credentials. Defaults to the Secret `datadog` in the controller's namespace (or the `DD_API_KEY`, `DD_APP_KEY` and `DD_ADDRESS` environment variables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretRef>,
}

/// The Secret holding provider credentials.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    /// Name of the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When true, the Secret is read from the namespace of the AnalysisRun instead of the controller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaced: Option<bool>,
}

/// A Graphite query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphiteMetric {
    /// Base URL of the Graphite server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Graphite target expression; `result` is the list of returned values, nulls dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// An InfluxDB Flux query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InfluxdbMetric {
    /// Name of the Secret, in the controller's namespace, holding `address`, `authToken` and `org`. Defaults to `influxdb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Flux query; `result` is the list of returned record values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// A Kubernetes Job whose completion is the measurement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobMetric {
    /// Labels and annotations for the Job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<PodTemplateMetadata>,
    /// Spec of the Job to create for each measurement: completion means Successful, failure means Failed. Required.
    #[serde(default)]
    #[schemars(required)]
    pub spec: JobSpec,
}

/// A Kayenta canary judgement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KayentaMetric {
    /// Base URL of the Kayenta service. Required.
    #[serde(default)]
    #[schemars(required)]
    pub address: String,
    /// Application name passed to Kayenta. Required.
    #[serde(default)]
    #[schemars(required)]
    pub application: String,
    /// Name of the Kayenta canary configuration to judge with. Required.
    #[serde(default)]
    #[schemars(required)]
    pub canary_config_name: String,
    /// Kayenta account that stores the canary configuration. Required.
    #[serde(default)]
    #[schemars(required)]
    pub configuration_account_name: String,
    /// Kayenta's lookback option, passed through as is. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback: Option<bool>,
    /// Kayenta account used to read the metrics. Required.
    #[serde(default)]
    #[schemars(required)]
    pub metrics_account_name: String,
    /// Named pairs of control and experiment scopes to compare. Required.
    #[serde(default)]
    #[schemars(required)]
    pub scopes: Vec<KayentaScope>,
    /// Kayenta account where results are stored. Required.
    #[serde(default)]
    #[schemars(required)]
    pub storage_account_name: String,
    /// Scores that decide the outcome. Required.
    #[serde(default)]
    #[schemars(required)]
    pub threshold: KayentaThreshold,
}

/// A pair of control and experiment scopes.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KayentaScope {
    /// Where and when to read the baseline (control) data. Required.
    #[serde(default)]
    #[schemars(required)]
    pub control_scope: ScopeDetail,
    /// Where and when to read the canary (experiment) data. Required.
    #[serde(default)]
    #[schemars(required)]
    pub experiment_scope: ScopeDetail,
    /// Name of the scope pair. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
}

/// A Kayenta scope.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeDetail {
    /// End of the time range, as an RFC 3339 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Region of the data. Required.
    #[serde(default)]
    #[schemars(required)]
    pub region: String,
    /// Query scope that selects the data to compare. Required.
    #[serde(default)]
    #[schemars(required)]
    pub scope: String,
    /// Start of the time range, as an RFC 3339 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Resolution of the data, in seconds. Required.
    #[serde(default)]
    #[schemars(required)]
    pub step: i64,
}

/// Kayenta pass and marginal scores.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KayentaThreshold {
    /// Lowest score that still counts as marginal (Inconclusive); below it the measurement fails. Required.
    #[serde(default)]
    #[schemars(required)]
    pub marginal: i64,
    /// Lowest score that counts as a pass (Successful). Required.
    #[serde(default)]
    #[schemars(required)]
    pub pass: i64,
}

/// A New Relic NRQL query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewRelicMetric {
    /// Name of the Secret, in the controller's namespace, with the account ID, API key and optional region and endpoints. Defaults to `newrelic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// NRQL query; `result` is one row, or a list of rows. Required.
    #[serde(default)]
    #[schemars(required)]
    pub query: String,
    /// Query timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
}

/// A Prometheus query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusMetric {
    /// URL of the Prometheus server. Defaults to the controller's `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS` environment variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// How to authenticate to Prometheus: SigV4, OAuth2 or basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    /// Extra HTTP headers to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<WebMetricHeader>>,
    /// Skip TLS certificate verification. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// PromQL query; `result` is a number for a scalar, or the list of sample values for a vector or matrix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Run `query` over a time range instead of at a single instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_query: Option<PrometheusRangeQueryArgs>,
    /// Query timeout in seconds. Defaults to 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
}

/// How to authenticate to a metrics endpoint.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Authentication {
    /// HTTP basic authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// OAuth2 client-credentials flow; the token is sent as a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Config>,
    /// AWS Signature Version 4 signing, for Amazon Managed Prometheus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigv4: Option<Sigv4Config>,
}

/// HTTP basic authentication.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BasicAuth {
    /// Password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// User name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// OAuth2 client credentials.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Config {
    /// Client ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Scopes to request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// URL of the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

/// AWS SigV4 signing.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sigv4Config {
    /// AWS profile to take the credentials from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// AWS region to sign for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ARN of an IAM role to assume for signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

/// An HTTP header sent with a query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebMetricHeader {
    /// Header name. Required.
    #[serde(default)]
    #[schemars(required)]
    pub key: String,
    /// Header value. Required.
    #[serde(default)]
    #[schemars(required)]
    pub value: String,
}

/// Start, end and step of a range query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusRangeQueryArgs {
    /// End of the range: an expression such as `now()`, evaluated at each measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Start of the range: an expression such as `now() - duration('5m')`, evaluated at each measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Resolution of the range query, as a duration string such as `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// An Apache SkyWalking GraphQL query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkyWalkingMetric {
    /// URL of the SkyWalking GraphQL endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Length of the window to query, ending now, as a duration string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// GraphQL query; `result` is the decoded response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// A Wavefront query.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WavefrontMetric {
    /// Wavefront server address; its API token is looked up under this address in the Secret `wavefront-api-tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Wavefront query; `result` is a number or a list of numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// An HTTP request whose response is the measurement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebMetric {
    /// How to authenticate; only OAuth2 is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    /// Request body as text. Only for POST and PUT; do not combine with `jsonBody`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// HTTP headers to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<WebMetricHeader>>,
    /// Skip TLS certificate verification. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Request body as a JSON object. Only for POST and PUT; do not combine with `body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::preserve_unknown_fields")]
    pub json_body: Option<serde_json::Value>,
    /// JSONPath (Kubernetes syntax) selecting the value from a JSON response; `result` is the first match. Defaults to `{$}`, the whole document; a non-JSON response is returned as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    /// HTTP method: GET, POST or PUT. Defaults to GET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Request timeout in seconds. Defaults to 10 (also when 0 or negative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    /// URL to call; a response outside 2xx makes the measurement an Error. Required.
    #[serde(default)]
    #[schemars(required)]
    pub url: String,
}

/// How Datadog v2 reduces a series to one value.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatadogAggregator {
    /// Average of the points.
    Avg,
    /// Smallest point.
    Min,
    /// Largest point.
    Max,
    /// Sum of the points.
    Sum,
    /// The newest point (Datadog's default).
    #[default]
    Last,
    /// A percentile.
    Percentile,
    /// Mean of the points.
    Mean,
    /// Euclidean norm.
    L2norm,
    /// Area under the curve.
    Area,
}

/// Which Datadog query API to call.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatadogApiVersion {
    /// `/api/v1/query` with a single query.
    #[default]
    V1,
    /// `/api/v2/query/scalar` with named queries and a formula.
    V2,
}
