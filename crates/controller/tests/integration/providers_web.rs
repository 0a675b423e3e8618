//! The web metric provider against HTTP servers on 127.0.0.1 started by each test: JSON and other
//! bodies, JSONPath extraction, conditions giving each phase, error statuses, timeouts, unreachable
//! addresses, the request it sends (method, headers, body), redirects, OAuth2 and TLS.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{assert_error, assert_phase, measure_synchronously};
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, Measurement};
use rollouts_api::providers::{Authentication, MetricProvider, OAuth2Config, WebMetric, WebMetricHeader};
use rollouts_controller::analysis::providers::http::HttpClient;
use rollouts_controller::analysis::providers::web::WebProvider;
use rollouts_testkit::http::{StubResponse, StubServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn metric(web: WebMetric, success: &str, failure: &str) -> Metric {
    let provider = MetricProvider {
        web: Some(web),
        ..Default::default()
    };
    common::metric("web", provider, success, failure)
}

fn web(url: &str) -> WebMetric {
    WebMetric {
        url: url.to_string(),
        ..Default::default()
    }
}

fn with_path(url: &str, path: &str) -> WebMetric {
    WebMetric {
        json_path: Some(path.to_string()),
        ..web(url)
    }
}

async fn measure(metric: &Metric) -> Measurement {
    WebProvider::new(HttpClient::new()).measure(metric).await
}

fn json_server(body: &'static str) -> StubServer {
    StubServer::start(move |_| StubResponse::json(200, body)).unwrap()
}

const DOC: &str = r#"{"a": 1, "b": true, "c": [1, 2, 3, 4], "d": null}"#;
const DOC_TEXT: &str = r#"{"a":1,"b":true,"c":[1,2,3,4],"d":null}"#;
const ALL_OK: &str = "result.a > 0 && result.b && all(result.c, {# < 5}) && result.d == nil";

#[tokio::test]
async fn whole_document_is_judged_by_the_conditions() {
    let server = json_server(DOC);
    let url = server.url();
    assert_phase(
        &measure(&metric(web(&url), ALL_OK, "")).await,
        AnalysisPhase::Successful,
        Some(DOC_TEXT),
    );
    // Neither condition holds: inconclusive.
    assert_phase(
        &measure(&metric(
            web(&url),
            "result.a >= 2 && result.b",
            "result.a <= 0 && result.b",
        ))
        .await,
        AnalysisPhase::Inconclusive,
        Some(DOC_TEXT),
    );
    // The failure condition wins.
    assert_phase(
        &measure(&metric(web(&url), "result.b", "result.a == 1")).await,
        AnalysisPhase::Failed,
        Some(DOC_TEXT),
    );
    // No conditions at all: successful.
    assert_phase(
        &measure(&metric(web(&url), "", "")).await,
        AnalysisPhase::Successful,
        Some(DOC_TEXT),
    );
}

#[tokio::test]
async fn json_path_selects_the_first_match() {
    let server = json_server(
        r#"{"data": {"ok": true, "ratio": 0.97, "count": "12"},
            "key": [{"key2": {"value": "1"}}, {"key2": {"value": "0"}}],
            "list": [1, 2, 3, 4, 5, 6]}"#,
    );
    let url = server.url();
    let cases: [(&str, &str, &str, AnalysisPhase, &str); 9] = [
        (
            "{$.data.ok}",
            "result == true",
            "result == false",
            AnalysisPhase::Successful,
            "true",
        ),
        ("{.data.ok}", "result == false", "", AnalysisPhase::Failed, "true"),
        (
            "{$.data.ratio}",
            "result >= 0.95",
            "result < 0.9",
            AnalysisPhase::Successful,
            "0.97",
        ),
        (
            "{$.data.count}",
            "asInt(result) > 10",
            "asInt(result) <= 10",
            AnalysisPhase::Successful,
            "\"12\"",
        ),
        (
            "{$.key[0].key2.value}",
            "asInt(result) > 0",
            "asInt(result) <= 0",
            AnalysisPhase::Successful,
            "\"1\"",
        ),
        (
            "{$.key[1].key2.value}",
            "asInt(result) > 0",
            "asInt(result) <= 0",
            AnalysisPhase::Failed,
            "\"0\"",
        ),
        (
            "{$.key[*].key2.value}",
            "result == '1'",
            "",
            AnalysisPhase::Successful,
            "\"1\"",
        ),
        (
            "{$.list}",
            "any(result, {# > 5})",
            "",
            AnalysisPhase::Successful,
            "[1,2,3,4,5,6]",
        ),
        (
            "{$.data}",
            "result.ok && result.ratio > 0.9",
            "",
            AnalysisPhase::Successful,
            r#"{"count":"12","ok":true,"ratio":0.97}"#,
        ),
    ];
    for (path, success, failure, phase, value) in cases {
        let m = measure(&metric(with_path(&url, path), success, failure)).await;
        assert_eq!((path, m.phase), (path, phase), "{m:?}");
        assert_eq!(m.value.as_deref(), Some(value), "{path}");
    }
}

#[tokio::test]
async fn a_path_that_matches_nothing_is_an_error() {
    let server = json_server(r#"{"key": [{"key2": {"value": "true"}}], "none": []}"#);
    let url = server.url();
    assert_error(
        &measure(&metric(with_path(&url, "{$.key[0].key2.novalue}"), "true", "true")).await,
        "Could not find JSONPath in body: novalue is not found",
    );
    assert_error(
        &measure(&metric(with_path(&url, "{$.none[*]}"), "true", "")).await,
        "result of web metric produced no value",
    );
}

#[tokio::test]
async fn other_bodies_are_strings() {
    let text = StubServer::start(|_| StubResponse::text(200, "test: notJson")).unwrap();
    let m = measure(&metric(
        with_path(&text.url(), "{$.key}"),
        "result == 'test: notJson'",
        "",
    ))
    .await;
    assert_phase(&m, AnalysisPhase::Successful, Some("test: notJson"));
    let m = measure(&metric(web(&text.url()), "result == 'fail123'", "")).await;
    assert_phase(&m, AnalysisPhase::Failed, Some("test: notJson"));

    let empty = StubServer::start(|_| StubResponse::json(200, "")).unwrap();
    assert_phase(
        &measure(&metric(web(&empty.url()), "true", "")).await,
        AnalysisPhase::Successful,
        Some(""),
    );
    assert_phase(
        &measure(&metric(web(&empty.url()), "result == 'fail123'", "")).await,
        AnalysisPhase::Failed,
        Some(""),
    );
}

#[tokio::test]
async fn statuses_outside_2xx_are_errors() {
    for status in [300, 400, 404, 500, 503] {
        let server = StubServer::start(move |_| StubResponse::json(status, r#"{"ok": true}"#)).unwrap();
        assert_error(
            &measure(&metric(web(&server.url()), "true", "")).await,
            &format!("received non 2xx response code: {status}"),
        );
    }
    let created = StubServer::start(|_| StubResponse::json(201, r#"{"ok": true}"#)).unwrap();
    assert_phase(
        &measure(&metric(with_path(&created.url(), "{.ok}"), "result", "")).await,
        AnalysisPhase::Successful,
        Some("true"),
    );
}

#[tokio::test]
async fn conditions_that_cannot_be_evaluated_are_errors() {
    let server = json_server(DOC);
    let m = measure(&metric(web(&server.url()), "result.a >", "")).await;
    assert_eq!(m.phase, AnalysisPhase::Error, "{m:?}");
    assert!(m.message.as_deref().unwrap_or_default().contains("result.a >"), "{m:?}");
    let m = measure(&metric(with_path(&server.url(), "{.a}"), "result", "")).await;
    assert_eq!(m.phase, AnalysisPhase::Error, "a number is not a bool: {m:?}");
}

#[tokio::test]
async fn the_request_carries_method_headers_and_body() {
    let server = json_server(DOC);
    let url = server.url();
    let headers = vec![
        WebMetricHeader {
            key: "X-Scope".to_string(),
            value: "first".to_string(),
        },
        WebMetricHeader {
            key: "Authorization".to_string(),
            value: "Bearer abc".to_string(),
        },
        WebMetricHeader {
            key: "x-scope".to_string(),
            value: "second".to_string(),
        },
    ];

    // GET by default, with the headers (a later header replaces an earlier one of the same name).
    let get = WebMetric {
        headers: Some(headers.clone()),
        ..web(&format!("{url}/health?full=1"))
    };
    assert_eq!(measure(&metric(get, ALL_OK, "")).await.phase, AnalysisPhase::Successful);
    // POST with a text body.
    let post = WebMetric {
        method: Some("POST".to_string()),
        body: Some("some body".to_string()),
        ..web(&url)
    };
    assert_eq!(
        measure(&metric(post, ALL_OK, "")).await.phase,
        AnalysisPhase::Successful
    );
    // PUT with a JSON body.
    let put = WebMetric {
        method: Some("PUT".to_string()),
        json_body: Some(serde_json::json!({"key1": "value1", "key2": {"key3": "value3"}})),
        headers: Some(vec![WebMetricHeader {
            key: "Content-Type".to_string(),
            value: "text/plain".to_string(),
        }]),
        ..web(&url)
    };
    assert_eq!(measure(&metric(put, ALL_OK, "")).await.phase, AnalysisPhase::Successful);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let (get, post, put) = (&requests[0], &requests[1], &requests[2]);
    assert_eq!((get.method.as_str(), get.target.as_str()), ("GET", "/health?full=1"));
    assert_eq!(get.header("x-scope"), Some("second"));
    assert_eq!(
        get.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-scope"))
            .count(),
        1
    );
    assert_eq!(get.header("authorization"), Some("Bearer abc"));
    assert!(get.body.is_empty());
    assert_eq!((post.method.as_str(), post.body_text().as_str()), ("POST", "some body"));
    assert_eq!(put.method, "PUT");
    assert_eq!(put.body_text(), r#"{"key1":"value1","key2":{"key3":"value3"}}"#);
    assert_eq!(put.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn invalid_bodies_are_errors_before_any_request() {
    let server = json_server(DOC);
    let url = server.url();
    let get_with_body = WebMetric {
        body: Some("some body".to_string()),
        ..web(&url)
    };
    assert_error(
        &measure(&metric(get_with_body, ALL_OK, "")).await,
        "Body/JSONBody can only be used with POST or PUT WebMetric Method types",
    );
    let get_with_json = WebMetric {
        json_body: Some(serde_json::json!({"k": "v"})),
        ..web(&url)
    };
    assert_error(
        &measure(&metric(get_with_json, ALL_OK, "")).await,
        "Body/JSONBody can only be used with POST or PUT WebMetric Method types",
    );
    let both = WebMetric {
        method: Some("POST".to_string()),
        body: Some("text".to_string()),
        json_body: Some(serde_json::json!({"k": "v"})),
        ..web(&url)
    };
    assert_error(
        &measure(&metric(both, ALL_OK, "")).await,
        "use either Body or JSONBody; both cannot exists for WebMetric payload",
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn slow_responses_time_out() {
    let slow = StubServer::start(|_| StubResponse::json(200, DOC).with_delay(Duration::from_secs(5))).unwrap();
    let url = format!("{}/slow", slow.url());
    let config = WebMetric {
        timeout_seconds: Some(1),
        ..web(&url)
    };
    let started = Instant::now();
    let m = measure(&metric(config, ALL_OK, "")).await;
    let took = started.elapsed();
    assert_error(
        &m,
        &format!("Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"),
    );
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(3),
        "{took:?}"
    );

    let slow_body =
        StubServer::start(|_| StubResponse::json(200, DOC).with_body_delay(Duration::from_secs(5))).unwrap();
    let config = WebMetric {
        timeout_seconds: Some(1),
        ..web(&slow_body.url())
    };
    assert_error(
        &measure(&metric(config, ALL_OK, "")).await,
        &format!(
            "Get \"{}\": context deadline exceeded (Client.Timeout or context cancellation while reading body)",
            slow_body.url()
        ),
    );

    // Within the default 10 seconds a 1s delay is fine.
    let late = StubServer::start(|_| StubResponse::json(200, DOC).with_delay(Duration::from_secs(1))).unwrap();
    assert_eq!(
        measure(&metric(web(&late.url()), ALL_OK, "")).await.phase,
        AnalysisPhase::Successful
    );
}

#[tokio::test]
async fn unreachable_and_malformed_urls_are_errors() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/metrics");
    assert_error(
        &measure(&metric(web(&url), "true", "")).await,
        &format!("Get \"{url}\": dial tcp 127.0.0.1:{port}: connect: connection refused"),
    );
    assert_error(
        &measure(&metric(web("bad://url.com"), "true", "")).await,
        "Get \"bad://url.com\": unsupported protocol scheme \"bad\"",
    );
    assert_error(
        &measure(&metric(web(""), "true", "")).await,
        "Get \"\": unsupported protocol scheme \"\"",
    );
    let m = measure(&metric(web("http://127.0.0.1:99999/"), "true", "")).await;
    assert_eq!(m.phase, AnalysisPhase::Error, "{m:?}");
}

#[tokio::test]
async fn redirects_are_followed() {
    let target = json_server(DOC);
    // Another host name for the same loopback server.
    let target_url = format!("http://localhost:{}", target.addr().port());
    let redirect = StubServer::start(move |req| match req.path() {
        "/old" => StubResponse::text(302, "").with_header("Location", "/new"),
        "/away" => StubResponse::text(307, "").with_header("Location", &format!("{target_url}/final")),
        _ => StubResponse::json(200, r#"{"moved": true}"#),
    })
    .unwrap();
    // A 302 answer to a POST is followed with a GET, credentials kept on the same host.
    let moved = WebMetric {
        method: Some("POST".to_string()),
        body: Some("payload".to_string()),
        headers: Some(vec![WebMetricHeader {
            key: "Authorization".to_string(),
            value: "Bearer secret".to_string(),
        }]),
        ..with_path(&format!("{}/old", redirect.url()), "{.moved}")
    };
    let m = measure(&metric(moved, "result", "")).await;
    assert_phase(&m, AnalysisPhase::Successful, Some("true"));
    let hops = redirect.requests();
    assert_eq!(
        hops.iter().map(|r| (r.method.as_str(), r.path())).collect::<Vec<_>>(),
        [("POST", "/old"), ("GET", "/new")]
    );
    assert!(hops[1].body.is_empty());
    assert_eq!(hops[1].header("authorization"), Some("Bearer secret"));
    let post = WebMetric {
        method: Some("POST".to_string()),
        body: Some("payload".to_string()),
        headers: Some(vec![WebMetricHeader {
            key: "Authorization".to_string(),
            value: "Bearer secret".to_string(),
        }]),
        ..web(&format!("{}/away", redirect.url()))
    };
    assert_eq!(
        measure(&metric(post, ALL_OK, "")).await.phase,
        AnalysisPhase::Successful
    );
    let forwarded = target.requests();
    assert_eq!(forwarded.len(), 1);
    // 307 keeps the method and body; credentials do not follow to another host.
    assert_eq!(
        (forwarded[0].method.as_str(), forwarded[0].body_text().as_str()),
        ("POST", "payload")
    );
    assert_eq!(forwarded[0].path(), "/final");
    assert_eq!(forwarded[0].header("authorization"), None);
}

#[tokio::test]
async fn oauth2_tokens_are_fetched_and_sent() {
    let tokens = StubServer::start(|req| {
        let form_ok = req.form_value("grant_type").as_deref() == Some("client_credentials")
            && req.form_value("scope").as_deref() == Some("read write");
        let basic_ok = req.header("authorization") == Some("Basic aWQ6c2VjcmV0"); // id:secret
        if form_ok && basic_ok {
            StubResponse::json(
                200,
                r#"{"access_token":"tok-123","token_type":"bearer","expires_in":3599}"#,
            )
        } else {
            StubResponse::json(401, r#"{"message":"bad client"}"#)
        }
    })
    .unwrap();
    let api = StubServer::start(|req| {
        if req.header("authorization") == Some("Bearer tok-123") {
            StubResponse::json(200, DOC)
        } else {
            StubResponse::json(401, "{}")
        }
    })
    .unwrap();
    let oauth = |secret: &str| {
        Some(Authentication {
            oauth2: Some(OAuth2Config {
                token_url: Some(format!("{}/token", tokens.url())),
                client_id: Some("id".to_string()),
                client_secret: Some(secret.to_string()),
                scopes: Some(vec!["read".to_string(), "write".to_string()]),
            }),
            ..Default::default()
        })
    };
    let config = WebMetric {
        authentication: oauth("secret"),
        ..web(&api.url())
    };
    assert_phase(
        &measure(&metric(config, ALL_OK, "")).await,
        AnalysisPhase::Successful,
        Some(DOC_TEXT),
    );

    let rejected = WebMetric {
        authentication: oauth("wrong"),
        ..web(&api.url())
    };
    let m = measure(&metric(rejected, ALL_OK, "")).await;
    assert_eq!(m.phase, AnalysisPhase::Error, "{m:?}");
    let message = m.message.unwrap_or_default();
    assert!(
        message.starts_with(&format!(
            "Get \"{}\": oauth2: cannot fetch token: 401 Unauthorized",
            api.url()
        )),
        "{message}"
    );

    let incomplete = WebMetric {
        authentication: Some(Authentication {
            oauth2: Some(OAuth2Config {
                token_url: Some(format!("{}/token", tokens.url())),
                client_id: Some("id".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..web(&api.url())
    };
    assert_error(
        &measure(&metric(incomplete, ALL_OK, "")).await,
        "missing mandatory parameter in metric for OAuth2 setup",
    );
}

/// An HTTPS server with a certificate from a CA nobody trusts, answering every request with `DOC`.
async fn tls_server() -> (String, tokio::task::JoinHandle<()>) {
    let material = rollouts_devcluster::tls::TlsMaterial::generate().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(material.server_config().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://127.0.0.1:{}/", listener.local_addr().unwrap().port());
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{DOC}",
                    DOC.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (url, task)
}

#[tokio::test]
async fn insecure_skips_certificate_verification() {
    let (url, server) = tls_server().await;
    let verified = measure(&metric(web(&url), ALL_OK, "")).await;
    assert_eq!(verified.phase, AnalysisPhase::Error, "{verified:?}");
    let message = verified.message.unwrap_or_default();
    assert!(message.starts_with(&format!("Get \"{url}\": tls: ")), "{message}");
    let insecure = WebMetric {
        insecure: Some(true),
        ..web(&url)
    };
    assert_phase(
        &measure(&metric(insecure, ALL_OK, "")).await,
        AnalysisPhase::Successful,
        Some(DOC_TEXT),
    );
    server.abort();
}

#[tokio::test]
async fn the_provider_trait_runs_measurements_synchronously() {
    let server = json_server(DOC);
    let provider = Arc::new(WebProvider::new(HttpClient::new()));
    let m = measure_synchronously(provider, "Web", &metric(web(&server.url()), ALL_OK, "")).await;
    assert_phase(&m, AnalysisPhase::Successful, Some(DOC_TEXT));
}
