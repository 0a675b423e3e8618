//! The Prometheus provider (upstream `metricproviders/prometheus`): runs the metric's PromQL query
//! against the HTTP API and judges the result with the metric's conditions.
//!
//! * Address: the metric's `address`, else the controller's `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`; it must
//!   be a URL with a scheme and a host.
//! * Query: an instant query at the current time (`POST /api/v1/query`, form `query`, `time`), or with
//!   `rangeQuery` a range query (`POST /api/v1/query_range`, `start`, `end`, `step`) whose `start` and
//!   `end` are time expressions (see [`time_expr`]). Like Go's client, a server answering 405 or 501
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
use rollouts_core::analysis::value::MetricValue;
use serde::Deserialize;

use super::http::{HttpClient, HttpRequest, encode_form, oauth2_settings};
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
                transport_headers.push(("Authorization".to_string(), basic_auth(username, password)));
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

/// A decoded answer: the result and the warnings that came with it.
#[derive(Debug, Clone, PartialEq)]
struct QueryOutcome {
    result: QueryResult,
    warnings: Vec<String>,
}

/// The `data` of an answer, reduced to what the conditions see.
#[derive(Debug, Clone, PartialEq)]
enum QueryResult {
    Scalar(f64),
    /// Every sample of a vector or matrix, series after series.
    Samples(Vec<f64>),
}

impl QueryResult {
    fn value(&self) -> MetricValue {
        match self {
            QueryResult::Scalar(v) => MetricValue::Number(*v),
            QueryResult::Samples(values) => MetricValue::from(values.clone()),
        }
    }

    /// `0.99`, or `[0.99,1]` for samples.
    fn text(&self) -> String {
        match self {
            QueryResult::Scalar(v) => go_float(*v),
            QueryResult::Samples(values) => {
                let items: Vec<String> = values.iter().map(|v| go_float(*v)).collect();
                format!("[{}]", items.join(","))
            }
        }
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

/// The envelope of every API answer.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default, rename = "errorType")]
    error_type: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    warnings: Vec<String>,
}

/// Reads an API answer as Go's client does: status codes other than 2xx, 400 and 422 are errors of
/// their own; otherwise the JSON envelope decides.
fn decode_answer(status: StatusCode, body: &[u8]) -> Result<QueryOutcome, String> {
    let code = status.as_u16();
    let api_error = code == 400 || code == 422;
    if !status.is_success() && !api_error {
        return Err(match code / 100 {
            4 => format!("client_error: client error: {code}"),
            5 => format!("server_error: server error: {code}"),
            _ => format!("bad_response: bad response code {code}"),
        });
    }
    let envelope: Envelope = if code == 204 {
        Envelope {
            status: String::new(),
            data: None,
            error_type: String::new(),
            error: String::new(),
            warnings: Vec::new(),
        }
    } else {
        serde_json::from_slice(body).map_err(|e| format!("bad_response: {}", json_error(body, &e)))?
    };
    if api_error && envelope.status == "success" {
        return Err("bad_response: inconsistent body for response code".to_string());
    }
    if envelope.status == "error" {
        return Err(format!("{}: {}", envelope.error_type, envelope.error));
    }
    let result = decode_data(envelope.data.as_ref())?;
    Ok(QueryOutcome {
        result,
        warnings: envelope.warnings,
    })
}

/// `{"resultType": ..., "result": ...}` as numbers.
fn decode_data(data: Option<&serde_json::Value>) -> Result<QueryResult, String> {
    let Some(data) = data.filter(|d| !d.is_null()) else {
        return Err("unexpected end of JSON input".to_string());
    };
    let kind = data.get("resultType").and_then(|t| t.as_str()).unwrap_or_default();
    let result = data.get("result").cloned().unwrap_or_default();
    match kind {
        "scalar" => Ok(QueryResult::Scalar(sample_pair(&result)?)),
        "vector" => {
            let mut values = Vec::new();
            for sample in result.as_array().into_iter().flatten() {
                // A native-histogram sample has no float value; Go's client leaves it at 0.
                match sample.get("value") {
                    Some(pair) => values.push(sample_pair(pair)?),
                    None => values.push(0.0),
                }
            }
            Ok(QueryResult::Samples(values))
        }
        "matrix" => {
            let mut values = Vec::new();
            for series in result.as_array().into_iter().flatten() {
                for pair in series.get("values").and_then(|v| v.as_array()).into_iter().flatten() {
                    values.push(sample_pair(pair)?);
                }
            }
            Ok(QueryResult::Samples(values))
        }
        other => Err(format!("unexpected value type {}", go_quote(other))),
    }
}

/// The value of a `[<time>, "<value>"]` pair.
fn sample_pair(pair: &serde_json::Value) -> Result<f64, String> {
    let text = pair
        .get(1)
        .and_then(|v| v.as_str())
        .ok_or_else(|| "sample value must be a quoted string".to_string())?;
    parse_sample(text)
}

/// A sample value as Go's `strconv.ParseFloat` reads it (`NaN`, `+Inf`, `-Inf` included).
fn parse_sample(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse::<f64>()
            .map_err(|_| format!("strconv.ParseFloat: parsing {}: invalid syntax", go_quote(text))),
    }
}

/// A JSON decoding error in Go's words where they are easy to match, else serde's.
fn json_error(body: &[u8], error: &serde_json::Error) -> String {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => "unexpected end of JSON input".to_string(),
        Some(b) if !matches!(b, b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
            format!("invalid character '{}' looking for beginning of value", char::from(*b))
        }
        Some(_) => error.to_string(),
    }
}

/// A number as Go's `strconv.FormatFloat(v, 'f', -1, 64)` writes it (Prometheus' sample values).
pub(crate) fn go_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        // Rust prints the shortest round-trip digits without an exponent, as Go's 'f' with -1 does.
        value.to_string()
    }
}

/// A time as the API takes it: Unix seconds with a fraction (Go's client formats it this way).
fn api_time(t: Timestamp) -> String {
    go_float(t.as_second() as f64 + f64::from(t.subsec_nanosecond()) / 1e9)
}

/// `basic` credentials as an `Authorization` value.
fn basic_auth(username: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
    )
}

/// Whether `s` parses as a URL with a scheme and a host (upstream `IsUrl`).
fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_ok = !host.is_empty()
        && !host.starts_with(':')
        && !host.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        });
    scheme_ok && host_ok
}

/// The address with `endpoint` joined to its path (Go's `path.Join`), query kept.
fn endpoint_url(address: &str, endpoint: &str) -> String {
    let (base, query) = match address.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (address, None),
    };
    let base = base.split('#').next().unwrap_or_default();
    let (origin, path) = match base.split_once("://") {
        Some((scheme, rest)) => {
            let at = rest.find('/').unwrap_or(rest.len());
            (format!("{scheme}://{}", &rest[..at]), &rest[at..])
        }
        None => (base.to_string(), ""),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/').chain(endpoint.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut url = format!("{origin}/{}", segments.join("/"));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// The `rangeQuery.start` / `end` language: the part of upstream's expression language that yields a
/// time. Supported: `now()`, `duration("5m")` (Go durations), `date("2023-08-14 00:00:00")`,
/// `date(value, layout[, timezone])` with Go layouts, parentheses, and `+` / `-` between times and
/// durations. Errors read like upstream's where the cause is the same (`time: invalid duration "??"`).
pub(crate) mod time_expr {
    use jiff::Timestamp;
    use jiff::tz::TimeZone;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Value {
        Time(Timestamp),
        /// Nanoseconds.
        Duration(i64),
    }

    /// Evaluates `expression` with `now()` = `now`; the result must be a time.
    pub fn eval(expression: &str, now: Timestamp) -> Result<Timestamp, String> {
        let mut parser = Parser {
            text: expression,
            pos: 0,
            now,
        };
        parser.skip_space();
        if parser.at_end() {
            return Err("unexpected token EOF".to_string());
        }
        let value = parser.sum()?;
        parser.skip_space();
        if !parser.at_end() {
            return Err(format!(
                "unexpected token {} (1:{})",
                super::go_quote(&parser.text[parser.pos..]),
                parser.pos + 1
            ));
        }
        match value {
            Value::Time(t) => Ok(t),
            Value::Duration(_) => Err("expected time.Time, but got time.Duration".to_string()),
        }
    }

    struct Parser<'a> {
        text: &'a str,
        pos: usize,
        now: Timestamp,
    }

    impl Parser<'_> {
        fn rest(&self) -> &str {
            self.text.get(self.pos..).unwrap_or_default()
        }

        fn at_end(&self) -> bool {
            self.rest().is_empty()
        }

        fn skip_space(&mut self) {
            let trimmed = self.rest().trim_start();
            self.pos = self.text.len() - trimmed.len();
        }

        fn eat(&mut self, token: &str) -> bool {
            self.skip_space();
            if self.rest().starts_with(token) {
                self.pos += token.len();
                true
            } else {
                false
            }
        }

        fn sum(&mut self) -> Result<Value, String> {
            let mut left = self.term()?;
            loop {
                let op = if self.eat("+") {
                    '+'
                } else if self.eat("-") {
                    '-'
                } else {
                    return Ok(left);
                };
                let right = self.term()?;
                left = combine(left, op, right)?;
            }
        }

        fn term(&mut self) -> Result<Value, String> {
            if self.eat("(") {
                let value = self.sum()?;
                if !self.eat(")") {
                    return Err("unexpected token EOF, expected )".to_string());
                }
                return Ok(value);
            }
            self.skip_space();
            let name: String = self
                .rest()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                let found = self
                    .rest()
                    .chars()
                    .next()
                    .map(String::from)
                    .unwrap_or_else(|| "EOF".to_string());
                return Err(format!("unexpected token {}", super::go_quote(&found)));
            }
            self.pos += name.len();
            if !self.eat("(") {
                return Err(format!("unknown name {name}"));
            }
            let mut args = Vec::new();
            if !self.eat(")") {
                loop {
                    args.push(self.string()?);
                    if self.eat(")") {
                        break;
                    }
                    if !self.eat(",") {
                        return Err(format!("unexpected token in the arguments of {name}()"));
                    }
                }
            }
            match (name.as_str(), args.as_slice()) {
                ("now", []) => Ok(Value::Time(self.now)),
                ("duration", [d]) => rollouts_api::duration::parse_nanos(d)
                    .map(Value::Duration)
                    .map_err(|e| e.to_string()),
                ("date", [value]) => date_any(value).map(Value::Time),
                ("date", [value, layout]) => date_layout(value, layout, &TimeZone::UTC).map(Value::Time),
                ("date", [value, layout, zone]) => {
                    let tz = TimeZone::get(zone).map_err(|_| format!("unknown time zone {zone}"))?;
                    date_layout(value, layout, &tz).map(Value::Time)
                }
                ("now" | "duration" | "date", _) => Err(format!("invalid number of arguments for {name}()")),
                _ => Err(format!("unknown func {name}")),
            }
        }

        /// A string literal in double quotes, single quotes or backquotes.
        fn string(&mut self) -> Result<String, String> {
            self.skip_space();
            let mut chars = self.rest().char_indices();
            let Some((_, quote)) = chars.next().filter(|(_, c)| matches!(c, '"' | '\'' | '`')) else {
                return Err("expected a string argument".to_string());
            };
            let mut out = String::new();
            let mut escaped = false;
            for (i, c) in chars {
                if escaped {
                    out.push(match c {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    escaped = false;
                } else if c == '\\' && quote != '`' {
                    escaped = true;
                } else if c == quote {
                    self.pos += i + 1;
                    return Ok(out);
                } else {
                    out.push(c);
                }
            }
            Err("literal not terminated".to_string())
        }
    }

    fn combine(left: Value, op: char, right: Value) -> Result<Value, String> {
        let shift = |t: Timestamp, nanos: i64| {
            t.checked_add(jiff::SignedDuration::from_nanos(nanos))
                .map_err(|e| format!("time out of range: {e}"))
        };
        match (left, op, right) {
            (Value::Time(t), '+', Value::Duration(d)) | (Value::Duration(d), '+', Value::Time(t)) => {
                shift(t, d).map(Value::Time)
            }
            (Value::Time(t), '-', Value::Duration(d)) => shift(t, d.saturating_neg()).map(Value::Time),
            (Value::Duration(a), '+', Value::Duration(b)) => Ok(Value::Duration(a.saturating_add(b))),
            (Value::Duration(a), '-', Value::Duration(b)) => Ok(Value::Duration(a.saturating_sub(b))),
            (Value::Time(a), '-', Value::Time(b)) => {
                let nanos = a.as_nanosecond().saturating_sub(b.as_nanosecond());
                Ok(Value::Duration(i64::try_from(nanos).unwrap_or(i64::MAX)))
            }
            (l, op, r) => Err(format!("invalid operation: {} {op} {}", type_name(l), type_name(r))),
        }
    }

    fn type_name(v: Value) -> &'static str {
        match v {
            Value::Time(_) => "time.Time",
            Value::Duration(_) => "time.Duration",
        }
    }

    /// `date(value)`: the layouts upstream's language tries, in order (no zone means UTC).
    fn date_any(value: &str) -> Result<Timestamp, String> {
        const LAYOUTS: [&str; 7] = [
            "2006-01-02",
            "15:04:05",
            "2006-01-02 15:04:05",
            "2006-01-02T15:04:05Z07:00",
            "02 Jan 06 15:04 MST",
            "Monday, 02-Jan-06 15:04:05 MST",
            "Mon, 02 Jan 2006 15:04:05 MST",
        ];
        LAYOUTS
            .iter()
            .find_map(|layout| date_layout(value, layout, &TimeZone::UTC).ok())
            .ok_or_else(|| format!("invalid date {value}"))
    }

    /// `value` read with a Go layout; times without an offset are in `tz`.
    fn date_layout(value: &str, layout: &str, tz: &TimeZone) -> Result<Timestamp, String> {
        let (format, has_offset) = strptime_format(layout)?;
        let parsed = jiff::fmt::strtime::parse(&format, value).map_err(|e| {
            format!(
                "parsing time {} as {}: {e}",
                super::go_quote(value),
                super::go_quote(layout)
            )
        })?;
        if has_offset {
            return parsed
                .to_timestamp()
                .map_err(|e| format!("parsing time {}: {e}", super::go_quote(value)));
        }
        let date = parsed.to_date().or_else(|_| jiff::civil::Date::new(0, 1, 1));
        let date = date.map_err(|e| e.to_string())?;
        let time = parsed.to_time().unwrap_or(jiff::civil::Time::midnight());
        date.to_datetime(time)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| format!("parsing time {}: {e}", super::go_quote(value)))
    }

    /// Translates a Go layout into a `strptime` format; also says whether it reads an offset.
    fn strptime_format(layout: &str) -> Result<(String, bool), String> {
        // Longest tokens first, so that `2006` wins over `2` and `January` over `Jan`.
        const TOKENS: [(&str, &str, bool); 22] = [
            ("Z07:00", "%:z", true),
            ("-07:00", "%:z", true),
            ("-0700", "%z", true),
            ("Z0700", "%z", true),
            ("January", "%B", false),
            ("Monday", "%A", false),
            ("2006", "%Y", false),
            (".000000000", "%.9f", false),
            (".000000", "%.6f", false),
            (".000", "%.3f", false),
            ("Jan", "%b", false),
            ("Mon", "%a", false),
            ("MST", "%Z", false),
            ("01", "%m", false),
            ("02", "%d", false),
            ("03", "%I", false),
            ("04", "%M", false),
            ("05", "%S", false),
            ("06", "%y", false),
            ("15", "%H", false),
            ("PM", "%p", false),
            ("_2", "%e", false),
        ];
        let mut out = String::new();
        let mut has_offset = false;
        let mut rest = layout;
        'outer: while !rest.is_empty() {
            for (token, directive, offset) in TOKENS {
                if let Some(after) = rest.strip_prefix(token) {
                    out.push_str(directive);
                    has_offset |= offset;
                    rest = after;
                    continue 'outer;
                }
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                if c == '%' {
                    out.push_str("%%");
                } else {
                    out.push(c);
                }
            }
            rest = chars.as_str();
        }
        if out.contains("%Z") {
            return Err(format!(
                "time zone abbreviations are not supported in date layouts ({layout})"
            ));
        }
        Ok((out, has_offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_matches_prometheus_sample_strings() {
        assert_eq!(go_float(10.0), "10");
        assert_eq!(go_float(0.99), "0.99");
        assert_eq!(go_float(f64::NAN), "NaN");
        assert_eq!(go_float(f64::INFINITY), "+Inf");
        assert_eq!(go_float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(go_float(1e21), "1000000000000000000000");
        assert_eq!(go_float(1e-7), "0.0000001");
        assert_eq!(go_float(-2.5), "-2.5");
    }

    #[test]
    fn answers_decode_like_the_go_client() {
        let ok = |body: &str| decode_answer(StatusCode::OK, body.as_bytes());
        assert_eq!(
            ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"10"]}}"#)
                .unwrap()
                .result,
            QueryResult::Scalar(10.0)
        );
        let vector = ok(r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"a":"1"},"value":[1.5,"0.99"]},{"metric":{"a":"2"},"value":[1.5,"NaN"]}]},
            "warnings":["w1","w2"]}"#)
        .unwrap();
        assert_eq!(vector.result.text(), "[0.99,NaN]");
        assert_eq!(vector.warnings, vec!["w1", "w2"]);
        let matrix = ok(r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1,"11"],[2,"12"]]},{"metric":{},"values":[[1,"13"],[2,"+Inf"]]}]}}"#)
        .unwrap();
        assert_eq!(matrix.result.text(), "[11,12,13,+Inf]");
        let empty = ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#).unwrap();
        assert_eq!(empty.result.text(), "[]");
        assert!(empty.result.value().is_empty());

        assert_eq!(
            ok(r#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#).unwrap_err(),
            r#"unexpected value type "string""#
        );
        assert_eq!(
            decode_answer(
                StatusCode::BAD_REQUEST,
                br#"{"status":"error","errorType":"bad_data","error":"1:1: parse error: unexpected end of input"}"#
            )
            .unwrap_err(),
            "bad_data: 1:1: parse error: unexpected end of input"
        );
        assert_eq!(
            decode_answer(StatusCode::UNPROCESSABLE_ENTITY, br#"{"status":"success","data":{}}"#).unwrap_err(),
            "bad_response: inconsistent body for response code"
        );
        assert_eq!(
            decode_answer(StatusCode::SERVICE_UNAVAILABLE, b"down").unwrap_err(),
            "server_error: server error: 503"
        );
        assert_eq!(
            decode_answer(StatusCode::NOT_FOUND, b"404 page not found").unwrap_err(),
            "client_error: client error: 404"
        );
        assert_eq!(
            ok("<html>").unwrap_err(),
            "bad_response: invalid character '<' looking for beginning of value"
        );
        assert_eq!(ok("").unwrap_err(), "bad_response: unexpected end of JSON input");
    }

    #[test]
    fn addresses_are_urls_with_a_host() {
        assert!(is_url("http://127.0.0.1:9090"));
        assert!(is_url("https://prometheus.example.com/prefix/"));
        assert!(!is_url(":invalid::url"));
        assert!(!is_url("localhost:9090"));
        assert!(!is_url("http://"));
        assert!(!is_url("prometheus"));
        assert_eq!(
            endpoint_url("http://p:9090", "api/v1/query"),
            "http://p:9090/api/v1/query"
        );
        assert_eq!(
            endpoint_url("http://p:9090/prom/?x=1", "api/v1/query"),
            "http://p:9090/prom/api/v1/query?x=1"
        );
    }

    #[test]
    fn range_times_evaluate_like_upstream() {
        let now: Timestamp = "2023-08-14T12:00:00Z".parse().unwrap();
        let eval = |e: &str| time_expr::eval(e, now).map(|t| t.to_string());
        assert_eq!(eval("now()").unwrap(), "2023-08-14T12:00:00Z");
        assert_eq!(eval(r#"now() - duration("5m")"#).unwrap(), "2023-08-14T11:55:00Z");
        assert_eq!(eval("now() + duration('1h30m')").unwrap(), "2023-08-14T13:30:00Z");
        assert_eq!(
            eval(r#"date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")"#).unwrap(),
            "2023-08-13T23:00:00Z"
        );
        assert_eq!(eval(r#"date("2023-08-14")"#).unwrap(), "2023-08-14T00:00:00Z");
        assert_eq!(
            eval(r#"date("2023-08-14T02:00:00+02:00")"#).unwrap(),
            "2023-08-14T00:00:00Z"
        );
        assert_eq!(
            eval(r#"now() - (duration("1h") + duration("1h"))"#).unwrap(),
            "2023-08-14T10:00:00Z"
        );
        assert_eq!(
            eval(r#"now() - duration("??")"#).unwrap_err(),
            r#"time: invalid duration "??""#
        );
        assert_eq!(
            eval(r#"duration("1h")"#).unwrap_err(),
            "expected time.Time, but got time.Duration"
        );
        assert!(eval("").is_err());
        assert!(eval("now() * 2").is_err());
        assert!(eval("later()").is_err());
    }
}
