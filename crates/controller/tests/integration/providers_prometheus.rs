//! The Prometheus metric provider.
//!
//! Against a real Prometheus (Debian's `prometheus` package; see `rollouts_testkit::prometheus`) that
//! scrapes an exporter this test controls: scalars, vectors of several series, empty vectors, NaN and
//! ±Inf, range queries, query errors, and values that change between measurements. Against scripted
//! servers on 127.0.0.1: what is sent (form, headers, basic auth, OAuth2), warnings, the GET fallback,
//! HTTP and API errors, timeouts and unreachable or misconfigured addresses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{assert_error, assert_phase, measure_synchronously};
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, Measurement};
use rollouts_api::providers::{
    Authentication, BasicAuth, MetricProvider, OAuth2Config, PrometheusMetric, PrometheusRangeQueryArgs, Sigv4Config,
    WebMetricHeader,
};
use rollouts_controller::analysis::providers::http::HttpClient;
use rollouts_controller::analysis::providers::prometheus::{PrometheusProvider, RESOLVED_PROMETHEUS_QUERY};
use rollouts_testkit::http::{StubResponse, StubServer};
use rollouts_testkit::prometheus::prometheus_or_skip;

fn metric(config: PrometheusMetric, success: &str, failure: &str) -> Metric {
    let provider = MetricProvider {
        prometheus: Some(config),
        ..Default::default()
    };
    common::metric("prometheus", provider, success, failure)
}

fn query(address: &str, promql: &str) -> PrometheusMetric {
    PrometheusMetric {
        address: Some(address.to_string()),
        query: Some(promql.to_string()),
        ..Default::default()
    }
}

fn provider() -> PrometheusProvider {
    PrometheusProvider::with_default_address(HttpClient::new(), None)
}

async fn measure(metric: &Metric) -> Measurement {
    provider().measure(metric).await
}

const WAIT: Duration = Duration::from_secs(30);

/// One Prometheus for every scenario: starting it takes a few seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_real_prometheus() {
    let Some(prometheus) = prometheus_or_skip("against_a_real_prometheus") else {
        return;
    };
    let exporter = prometheus.exporter();
    exporter.set(r#"rollouts_test_success_rate{service="a"}"#, 0.99);
    exporter.set(r#"rollouts_test_success_rate{service="b"}"#, 1.0);
    exporter.set(r#"rollouts_test_requests{code="200"}"#, 42.0);
    exporter.set("rollouts_test_nan", f64::NAN);
    prometheus
        .wait_for_series("rollouts_test_success_rate", 2, WAIT)
        .unwrap();
    prometheus.wait_for_series("rollouts_test_requests", 1, WAIT).unwrap();
    prometheus.wait_for_series("rollouts_test_nan", 1, WAIT).unwrap();
    let url = prometheus.url().to_string();
    let run = |promql: &str, success: &str, failure: &str| metric(query(&url, promql), success, failure);

    // A scalar is a number.
    let m = measure(&run(
        r#"scalar(rollouts_test_requests{code="200"})"#,
        "result == 42",
        "result != 42",
    ))
    .await;
    assert_phase(&m, AnalysisPhase::Successful, "42");
    assert!(m.metadata.is_none(), "{m:?}");
    assert_phase(
        &measure(&run("1 + 1", "result > 2", "")).await,
        AnalysisPhase::Failed,
        "2",
    );

    // A vector is the list of its samples, one per series.
    let sorted = "sort(rollouts_test_success_rate)";
    assert_phase(
        &measure(&run(sorted, "all(result, # >= 0.95)", "any(result, # < 0.9)")).await,
        AnalysisPhase::Successful,
        "[0.99,1]",
    );
    assert_phase(
        &measure(&run(sorted, "result[0] >= 0.995", "")).await,
        AnalysisPhase::Failed,
        "[0.99,1]",
    );
    assert_phase(
        &measure(&run(sorted, "len(result) == 2 && 1 in result", "")).await,
        AnalysisPhase::Successful,
        "[0.99,1]",
    );
    assert_phase(
        &measure(&run(r"sum(rollouts_test_success_rate)", "result[0] > 1.9", "")).await,
        AnalysisPhase::Successful,
        "[1.99]",
    );

    // An empty vector: conditions that index it report that there was no data; others can test for it.
    let none = r#"rollouts_test_success_rate{service="none"}"#;
    let m = measure(&run(none, "result[0] >= 0.95", "")).await;
    assert_eq!(m.phase, AnalysisPhase::Error, "{m:?}");
    let message = m.message.clone().unwrap_or_default();
    assert!(
        message.contains("no data returned from the metric provider"),
        "{message}"
    );
    assert_phase(
        &measure(&run(none, "len(result) == 0", "")).await,
        AnalysisPhase::Successful,
        "[]",
    );
    assert_phase(&measure(&run(none, "", "")).await, AnalysisPhase::Successful, "[]");

    // NaN and infinities stay numbers.
    assert_phase(
        &measure(&run("0/0", "result >= 0.9", "result < 0.9")).await,
        AnalysisPhase::Inconclusive,
        "NaN",
    );
    assert_phase(
        &measure(&run("0/0", "isNaN(result) || result >= 0.9", "")).await,
        AnalysisPhase::Successful,
        "NaN",
    );
    assert_phase(
        &measure(&run("0/0", "result >= 0.9", "")).await,
        AnalysisPhase::Failed,
        "NaN",
    );
    assert_phase(
        &measure(&run("rollouts_test_nan", "all(result, isNaN(#))", "")).await,
        AnalysisPhase::Successful,
        "[NaN]",
    );
    assert_phase(
        &measure(&run("1/0", "", "isInf(result)")).await,
        AnalysisPhase::Failed,
        "+Inf",
    );
    assert_phase(
        &measure(&run("-1/0", "result < 0", "")).await,
        AnalysisPhase::Successful,
        "-Inf",
    );

    // Range queries: every sample of every series in the window (once a few scrapes are in it).
    prometheus
        .wait_for_values(
            r#"count_over_time(rollouts_test_success_rate{service="a"}[10s])"#,
            |v| v[0] >= 3.0,
            WAIT,
        )
        .unwrap();
    let ranged = PrometheusMetric {
        range_query: Some(PrometheusRangeQueryArgs {
            start: Some(r#"now() - duration("10s")"#.to_string()),
            end: Some("now()".to_string()),
            step: Some("1s".to_string()),
        }),
        ..query(&url, r#"rollouts_test_success_rate{service="a"}"#)
    };
    let m = measure(&metric(
        ranged.clone(),
        "len(result) >= 3 && all(result, # == 0.99)",
        "",
    ))
    .await;
    assert_eq!(m.phase, AnalysisPhase::Successful, "{m:?}");
    assert!(
        m.value.as_deref().unwrap_or_default().starts_with("[0.99,0.99"),
        "{m:?}"
    );
    let bad_step = PrometheusMetric {
        range_query: Some(PrometheusRangeQueryArgs {
            step: Some("??".to_string()),
            ..ranged.range_query.clone().unwrap()
        }),
        ..ranged.clone()
    };
    assert_error(
        &measure(&metric(bad_step, "true", "")).await,
        r#"failed to parse rangeQuery.step as duration: time: invalid duration "??""#,
    );
    let bad_start = PrometheusMetric {
        range_query: Some(PrometheusRangeQueryArgs {
            start: Some(r#"now() - duration("??")"#.to_string()),
            ..ranged.range_query.clone().unwrap()
        }),
        ..ranged
    };
    assert_error(
        &measure(&metric(bad_start, "true", "")).await,
        r#"failed to parse rangeQuery.start as time: time: invalid duration "??""#,
    );

    // Errors from the query engine.
    let m = measure(&run("sum(", "true", "")).await;
    assert_eq!(m.phase, AnalysisPhase::Error, "{m:?}");
    let message = m.message.unwrap_or_default();
    assert!(
        message.starts_with("bad_data: ") && message.contains("parse error"),
        "{message}"
    );
    let m = measure(&run(r#""text""#, "true", "")).await;
    assert_error(&m, r#"unexpected value type "string""#);

    // A new value is seen by the next measurement.
    exporter.set(r#"rollouts_test_success_rate{service="a"}"#, 0.5);
    prometheus
        .wait_for_values(r#"rollouts_test_success_rate{service="a"}"#, |v| v == [0.5], WAIT)
        .unwrap();
    assert_phase(
        &measure(&run(sorted, "all(result, # >= 0.95)", "any(result, # < 0.9)")).await,
        AnalysisPhase::Failed,
        "[0.5,1]",
    );

    // The address can come from the controller's environment instead of the metric.
    let from_env = PrometheusProvider::with_default_address(HttpClient::new(), Some(url.clone()));
    let no_address = PrometheusMetric {
        address: None,
        ..query(&url, "vector(1)")
    };
    assert_phase(
        &from_env.measure(&metric(no_address, "result[0] == 1", "")).await,
        AnalysisPhase::Successful,
        "[1]",
    );
}

#[test]
fn the_resolved_query_is_the_metric_results_metadata() {
    let m = metric(query("http://127.0.0.1:9090", "sum(up)"), "", "");
    let metadata = PrometheusProvider::metadata(&m);
    assert_eq!(
        metadata.get(RESOLVED_PROMETHEUS_QUERY).map(String::as_str),
        Some("sum(up)")
    );
    assert_eq!(RESOLVED_PROMETHEUS_QUERY, "ResolvedPrometheusQuery");
    assert!(PrometheusProvider::metadata(&metric(query("http://127.0.0.1:9090", ""), "", "")).is_empty());
}

fn vector_answer(values: &[&str]) -> String {
    let result: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!(r#"{{"metric":{{"i":"{i}"}},"value":[1700000000.5,"{v}"]}}"#))
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        result.join(",")
    )
}

#[tokio::test]
async fn the_query_request_carries_the_form_headers_and_credentials() {
    let server = StubServer::start(|_| StubResponse::json(200, vector_answer(&["10", "11"]))).unwrap();
    let config = PrometheusMetric {
        headers: Some(vec![
            WebMetricHeader {
                key: "X-Scope-OrgID".to_string(),
                value: "tenant-1".to_string(),
            },
            WebMetricHeader {
                key: "x-scope-orgid".to_string(),
                value: "tenant-2".to_string(),
            },
        ]),
        authentication: Some(Authentication {
            basic_auth: Some(BasicAuth {
                username: Some("user".to_string()),
                password: Some("pass".to_string()),
            }),
            ..Default::default()
        }),
        ..query(
            &format!("{}/prefix/", server.url()),
            "sum(rate(http_requests_total[5m])) by (code)",
        )
    };
    let before = jiff::Timestamp::now().as_second();
    let m = measure(&metric(config, "10 in result", "len(result) != 2")).await;
    assert_phase(&m, AnalysisPhase::Successful, "[10,11]");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/prefix/api/v1/query")
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.form_value("query").as_deref(),
        Some("sum(rate(http_requests_total[5m])) by (code)")
    );
    let time: f64 = request.form_value("time").unwrap().parse().unwrap();
    assert!((time as i64 - before).abs() <= 5, "{time}");
    assert_eq!(request.header("x-scope-orgid"), Some("tenant-2"));
    assert_eq!(request.header("authorization"), Some("Basic dXNlcjpwYXNz"));
}

#[tokio::test]
async fn range_queries_send_start_end_and_step() {
    let server = StubServer::start(|_| {
        StubResponse::json(
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":[
                {"metric":{"a":"1"},"values":[[1,"11"],[2,"12"]]},
                {"metric":{"a":"2"},"values":[[1,"13"],[2,"14"]]}]}}"#,
        )
    })
    .unwrap();
    let config = PrometheusMetric {
        range_query: Some(PrometheusRangeQueryArgs {
            start: Some(r#"date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")"#.to_string()),
            end: Some(r#"date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC")"#.to_string()),
            step: Some("1m".to_string()),
        }),
        ..query(&server.url(), "test")
    };
    let m = measure(&metric(config, "all(result, # > 10)", "all(result, # < 10)")).await;
    assert_phase(&m, AnalysisPhase::Successful, "[11,12,13,14]");
    let request = &server.requests()[0];
    assert_eq!(request.path(), "/api/v1/query_range");
    assert_eq!(request.form_value("start").as_deref(), Some("1691967600"));
    assert_eq!(request.form_value("end").as_deref(), Some("1691971200"));
    assert_eq!(request.form_value("step").as_deref(), Some("60"));
}

#[tokio::test]
async fn warnings_become_measurement_metadata() {
    let server = StubServer::start(|_| {
        StubResponse::json(
            200,
            r#"{"status":"success","data":{"resultType":"scalar","result":[1,"10"]},"warnings":["warning","warning2"]}"#,
        )
    })
    .unwrap();
    let m = measure(&metric(query(&server.url(), "test"), "result == 10", "result != 10")).await;
    assert_phase(&m, AnalysisPhase::Successful, "10");
    let metadata = m.metadata.unwrap();
    assert_eq!(
        metadata.get("warnings").map(String::as_str),
        Some(r#""warning", "warning2""#)
    );
}

#[tokio::test]
async fn a_server_refusing_post_is_asked_with_get() {
    let server = StubServer::start(|req| {
        if req.method == "POST" {
            StubResponse::text(405, "method not allowed")
        } else {
            StubResponse::json(200, vector_answer(&["1"]))
        }
    })
    .unwrap();
    let m = measure(&metric(query(&server.url(), "up == 1"), "result[0] == 1", "")).await;
    assert_phase(&m, AnalysisPhase::Successful, "[1]");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path()),
        ("GET", "/api/v1/query")
    );
    assert_eq!(requests[1].form_value("query").as_deref(), Some("up == 1"));
    assert!(requests[1].form_value("time").is_some());
}

#[tokio::test]
async fn http_and_api_failures_are_errors() {
    let cases: [(u16, &str, &str); 6] = [
        (503, "unavailable", "server_error: server error: 503"),
        (404, "404 page not found", "client_error: client error: 404"),
        (
            400,
            r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"}"#,
            r#"bad_data: invalid parameter "query": 1:5: parse error: unclosed left parenthesis"#,
        ),
        (
            422,
            r#"{"status":"error","errorType":"execution","error":"query processing would load too many samples"}"#,
            "execution: query processing would load too many samples",
        ),
        (
            200,
            "<html>proxy login</html>",
            "bad_response: invalid character '<' looking for beginning of value",
        ),
        (
            200,
            r#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#,
            r#"unexpected value type "string""#,
        ),
    ];
    for (status, body, message) in cases {
        let server = StubServer::start(move |_| StubResponse::json(status, body)).unwrap();
        assert_error(
            &measure(&metric(query(&server.url(), "test"), "true", "")).await,
            message,
        );
    }
}

#[tokio::test]
async fn slow_servers_time_out() {
    let server =
        StubServer::start(|_| StubResponse::json(200, vector_answer(&["1"])).with_delay(Duration::from_secs(5)))
            .unwrap();
    let config = PrometheusMetric {
        timeout: Some(1),
        ..query(&server.url(), "test")
    };
    let started = Instant::now();
    let m = measure(&metric(config, "true", "")).await;
    let took = started.elapsed();
    assert_error(
        &m,
        &format!("Post \"{}/api/v1/query\": context deadline exceeded", server.url()),
    );
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[tokio::test]
async fn unreachable_and_misconfigured_addresses_are_errors() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let address = format!("http://127.0.0.1:{port}");
    assert_error(
        &measure(&metric(query(&address, "up"), "true", "")).await,
        &format!("Post \"{address}/api/v1/query\": dial tcp 127.0.0.1:{port}: connect: connection refused"),
    );
    assert_error(
        &measure(&metric(query(":invalid::url", "up"), "true", "")).await,
        "prometheus address is not is url format",
    );
    let unset = PrometheusMetric {
        address: None,
        ..query("", "up")
    };
    assert_error(
        &measure(&metric(unset.clone(), "true", "")).await,
        "prometheus address is not configured",
    );
    let bad_default = PrometheusProvider::with_default_address(HttpClient::new(), Some("not a url".to_string()));
    assert_error(
        &bad_default.measure(&metric(unset, "true", "")).await,
        "prometheus address is not is url format",
    );
    let negative = PrometheusMetric {
        timeout: Some(-1),
        ..query(&address, "up")
    };
    assert_error(
        &measure(&metric(negative, "true", "")).await,
        "prometheus timeout should not be negative",
    );
    for (username, password, missing) in [("", "pass", "username"), ("user", "", "password")] {
        let config = PrometheusMetric {
            authentication: Some(Authentication {
                basic_auth: Some(BasicAuth {
                    username: Some(username.to_string()),
                    password: Some(password.to_string()),
                }),
                ..Default::default()
            }),
            ..query(&address, "up")
        };
        assert_error(
            &measure(&metric(config, "true", "")).await,
            &format!("missing mandatory parameter in metric for basic auth setup: {missing}"),
        );
    }
    let sigv4 = PrometheusMetric {
        authentication: Some(Authentication {
            sigv4: Some(Sigv4Config {
                region: Some("eu-west-1".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..query("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1", "up")
    };
    assert_error(
        &measure(&metric(sigv4, "true", "")).await,
        "prometheus sigv4 authentication is not supported",
    );
}

#[tokio::test]
async fn oauth2_tokens_are_sent_as_bearer_tokens() {
    let tokens = StubServer::start(|req| {
        // Credentials in the form (the second style Go's client tries) are accepted too.
        if req.form_value("client_id").as_deref() == Some("id")
            && req.form_value("client_secret").as_deref() == Some("secret")
        {
            StubResponse::text(200, "access_token=tok-9&token_type=bearer")
                .with_header("Content-Type", "application/x-www-form-urlencoded")
        } else {
            StubResponse::json(401, r#"{"error":"invalid_client","error_description":"use the form"}"#)
        }
    })
    .unwrap();
    let api = StubServer::start(|req| {
        if req.header("authorization") == Some("Bearer tok-9") {
            StubResponse::json(200, vector_answer(&["10"]))
        } else {
            StubResponse::json(401, "{}")
        }
    })
    .unwrap();
    let config = PrometheusMetric {
        authentication: Some(Authentication {
            oauth2: Some(OAuth2Config {
                token_url: Some(format!("{}/oauth/token", tokens.url())),
                client_id: Some("id".to_string()),
                client_secret: Some("secret".to_string()),
                scopes: None,
            }),
            ..Default::default()
        }),
        ..query(&api.url(), "test")
    };
    assert_phase(
        &measure(&metric(config, "result[0] == 10", "")).await,
        AnalysisPhase::Successful,
        "[10]",
    );
    assert_eq!(tokens.requests().len(), 2, "basic authentication first, then the form");
}

#[tokio::test]
async fn the_provider_trait_runs_measurements_synchronously() {
    let server = StubServer::start(|_| StubResponse::json(200, vector_answer(&["1"]))).unwrap();
    let metric = metric(query(&server.url(), "up"), "result[0] == 1", "");
    let m = measure_synchronously(Arc::new(provider()), "Prometheus", &metric).await;
    assert_phase(&m, AnalysisPhase::Successful, "[1]");
}
