//! The web provider (upstream `metricproviders/webmetric`): calls an HTTP endpoint and judges what it
//! returns with the metric's conditions.
//!
//! * Request: `method` GET (default), POST or PUT to `url`, with `headers`; POST and PUT may carry
//!   `body` (text) or `jsonBody` (sent as compact JSON with `Content-Type: application/json`), not both.
//!   `timeoutSeconds` (default 10, also for 0 or less) bounds the whole exchange; `insecure` skips TLS
//!   verification; `authentication.oauth2` fetches a client-credentials token first.
//! * Response: outside 2xx the measurement is an `Error` (`received non 2xx response code: 503`).
//!   A JSON body is searched with `jsonPath` (Kubernetes JSONPath, default `{$}`) and the first value
//!   found is the result; its JSON text (as Go writes it) is the measurement's value. A body that is not
//!   JSON (an empty one included) is the result as a string, and the value as is.

use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use hyper::Method;
use jiff::Timestamp;
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisRun, Measurement};
use rollouts_api::gofmt::go_quote;
use rollouts_api::jsonpath::{self, JsonPath, go_json};
use rollouts_core::analysis::value::MetricValue;

use super::http::{HttpClient, HttpRequest, go_op, oauth2_settings};
use super::{Provider, finish_measurement, measurement_error, new_measurement};

/// The provider's type name.
pub const PROVIDER_TYPE: &str = "Web";

/// Seconds a call may take when the metric does not say (or says 0 or less).
const DEFAULT_TIMEOUT_SECONDS: u64 = 10;

/// The JSONPath used when the metric has none: the whole document.
const DEFAULT_JSON_PATH: &str = "{$}";

/// Calls HTTP endpoints.
#[derive(Clone, Debug)]
pub struct WebProvider {
    http: HttpClient,
}

/// What a call returned: the result the conditions see and the measurement's value.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    result: MetricValue,
    text: String,
}

impl WebProvider {
    /// A provider sending its requests through `http`.
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }

    /// Takes one measurement; it is always finished.
    pub async fn measure(&self, metric: &Metric) -> Measurement {
        let measurement = new_measurement(Timestamp::now());
        match self.call(metric).await {
            Ok(answer) => finish_measurement(measurement, metric, &answer.result, answer.text),
            Err(message) => measurement_error(measurement, message, Timestamp::now()),
        }
    }

    async fn call(&self, metric: &Metric) -> Result<Answer, String> {
        let Some(config) = metric.provider.web.as_ref() else {
            return Err("metric has no web provider".to_string());
        };
        let timeout = match config.timeout_seconds {
            Some(seconds) if seconds > 0 => Duration::from_secs(seconds.unsigned_abs()),
            _ => Duration::from_secs(DEFAULT_TIMEOUT_SECONDS),
        };
        let insecure = config.insecure.unwrap_or(false);
        let oauth2 = oauth2_settings(config.authentication.as_ref().and_then(|a| a.oauth2.as_ref()))?;
        let json_path = parse_json_path(config.json_path.as_deref())?;

        let method_name = config.method.as_deref().filter(|m| !m.is_empty()).unwrap_or("GET");
        let text_body = config.body.as_deref().filter(|b| !b.is_empty());
        let json_body = config.json_body.as_ref();
        if text_body.is_some() && json_body.is_some() {
            return Err("use either Body or JSONBody; both cannot exists for WebMetric payload".to_string());
        }
        if (text_body.is_some() || json_body.is_some()) && method_name == "GET" {
            return Err("Body/JSONBody can only be used with POST or PUT WebMetric Method types".to_string());
        }
        let method = Method::from_bytes(method_name.as_bytes())
            .map_err(|_| format!("net/http: invalid method {}", go_quote(method_name)))?;

        let mut headers: Vec<(String, String)> = config
            .headers
            .iter()
            .flatten()
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect();
        let body = match (text_body, json_body) {
            (Some(text), _) => Some(Bytes::from(text.to_string())),
            (None, Some(json)) => {
                headers.push(("Content-Type".to_string(), "application/json".to_string()));
                Some(Bytes::from(serde_json::to_vec(json).map_err(|e| e.to_string())?))
            }
            (None, None) => None,
        };
        let mut request = HttpRequest {
            method,
            url: config.url.clone(),
            headers,
            transport_headers: Vec::new(),
            body,
            timeout,
            insecure,
        };

        let exchange = async {
            if let Some(oauth2) = &oauth2 {
                let token = self
                    .http
                    .oauth2_token(&oauth2.request(timeout, insecure))
                    .await
                    .map_err(|e| format!("{} {}: {e}", go_op(method_name), go_quote(&request.url)))?;
                request.transport_headers.push(("Authorization".to_string(), token));
            }
            self.http.send(&request).await.map_err(|e| e.to_string())
        };
        let response = exchange.await?;
        if !response.status.is_success() {
            return Err(format!("received non 2xx response code: {}", response.status.as_u16()));
        }
        interpret(&response.body, &json_path)
    }
}

/// The metric's `jsonPath`, `{$}` when unset; a path without braces is read as if it had them.
fn parse_json_path(path: Option<&str>) -> Result<JsonPath, String> {
    let path = path.filter(|p| !p.is_empty()).unwrap_or(DEFAULT_JSON_PATH);
    jsonpath::parse(path).map_err(|e| format!("invalid jsonPath {}: {}", go_quote(path), e.message()))
}

/// The result and value of a response body.
fn interpret(body: &[u8], json_path: &JsonPath) -> Result<Answer, String> {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(body) else {
        let text = String::from_utf8_lossy(body).into_owned();
        return Ok(Answer {
            result: MetricValue::String(text.clone()),
            text,
        });
    };
    let found = json_path
        .try_find_strict(&document)
        .map_err(|e| format!("Could not find JSONPath in body: {}", e.message()))?;
    let Some(first) = found.into_iter().next() else {
        return Err("result of web metric produced no value".to_string());
    };
    Ok(Answer {
        text: go_json(first),
        result: MetricValue::from(first.clone()),
    })
}

impl Provider for WebProvider {
    fn kind(&self) -> &'static str {
        PROVIDER_TYPE
    }

    fn run<'a>(&'a self, _run: &'a AnalysisRun, metric: &'a Metric) -> BoxFuture<'a, Measurement> {
        Box::pin(self.measure(metric))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str, path: Option<&str>) -> Result<(MetricValue, String), String> {
        let path = parse_json_path(path)?;
        interpret(body.as_bytes(), &path).map(|a| (a.result, a.text))
    }

    #[test]
    fn json_bodies_give_the_first_match() {
        let body = r#"{"key": [{"key2": {"value": "1"}}], "a": 1, "b": true, "c": [1, 2], "d": null, "f": 1.2, "html": "<&>"}"#;
        assert_eq!(
            answer(body, Some("{$.key[0].key2.value}")).unwrap(),
            (MetricValue::String("1".into()), "\"1\"".into())
        );
        let (whole, text) = answer(r#"{"b":true,"a":1,"c":[1,2,3,4],"d":null}"#, None).unwrap();
        assert_eq!(text, r#"{"a":1,"b":true,"c":[1,2,3,4],"d":null}"#);
        assert!(matches!(whole, MetricValue::Object(_)));
        assert_eq!(answer(body, Some("{.f}")).unwrap().1, "1.2");
        assert_eq!(answer(body, Some("{.c}")).unwrap().0, MetricValue::from(vec![1.0, 2.0]));
        assert_eq!(answer(body, Some("{.d}")).unwrap(), (MetricValue::Null, "null".into()));
        assert_eq!(answer(body, Some("{.html}")).unwrap().1, r#""\u003c\u0026\u003e""#);
        assert_eq!(answer(body, Some("{.c[*]}")).unwrap().1, "1");
        assert_eq!(answer(body, Some(".a")).unwrap().1, "1");
    }

    #[test]
    fn missing_values_are_errors() {
        let body = r#"{"key": [{"key2": {"value": "true"}}], "empty": []}"#;
        assert_eq!(
            answer(body, Some("{$.key[0].key2.novalue}")).unwrap_err(),
            "Could not find JSONPath in body: novalue is not found"
        );
        assert_eq!(
            answer(body, Some("{.empty[*]}")).unwrap_err(),
            "result of web metric produced no value"
        );
        assert!(
            answer(body, Some("{.key[5]}"))
                .unwrap_err()
                .starts_with("Could not find JSONPath in body: ")
        );
        assert!(
            answer(body, Some("{.a"))
                .unwrap_err()
                .starts_with("invalid jsonPath \"{.a\": ")
        );
    }

    #[test]
    fn other_bodies_are_text() {
        assert_eq!(
            answer("test: notJson", Some("{$.key}")).unwrap(),
            (MetricValue::String("test: notJson".into()), "test: notJson".into())
        );
        assert_eq!(
            answer("", None).unwrap(),
            (MetricValue::String(String::new()), String::new())
        );
    }
}
