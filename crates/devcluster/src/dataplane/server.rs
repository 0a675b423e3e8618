//! The data plane's two HTTP/1.1 listeners: the ingress, where every request is routed to a pod and
//! answered as that pod would, and `/metrics`, where the counts are scraped.
//!
//! A request is read as the routing table expects it: the Host (the request target's authority when
//! absolute, else the `Host` header) without its port and in lowercase, the path without the query,
//! the headers with lowercase names. No route: 404 with a one-line reason; a route whose Service has
//! no Ready pod: 503 likewise, as ingress-nginx answers; otherwise the pod's answer, after its latency,
//! as JSON. Mirrored copies are answered and counted at once and their answers dropped, so they never
//! delay the caller. Connections are kept alive and served concurrently.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HOST, HeaderValue, SET_COOKIE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::answer::answer;
use super::draw::SharedDraw;
use super::metrics::{self, Metrics, Served};
use super::snapshot::LiveTable;
use super::{Outcome, Request};
use crate::podlogs::PodLogs;
use crate::store::Store;

/// Where the data plane listens (127.0.0.1), and how it draws.
#[derive(Debug, Clone, Default)]
pub struct DataPlaneConfig {
    /// The ingress port; 0 picks one (the previous run's port is tried first).
    pub ingress_port: u16,
    /// The metrics port; 0 likewise.
    pub metrics_port: u16,
    /// Seeds the weighted choices, for a reproducible run; `None` seeds from the operating system.
    pub seed: Option<u64>,
}

/// Connections served at once on the ingress; more wait in the listen backlog. Below the usual limit
/// of 1,024 file handles, which the API server's connections share.
const MAX_INGRESS_CONNECTIONS: usize = 256;
/// Connections served at once on the metrics port (scrapers and people).
const MAX_METRICS_CONNECTIONS: usize = 16;
/// How long a connection may wait for its next request head before it is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// The pause after a failed accept (typically out of file handles), so that it is not retried at once.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

/// The data plane: the live routing table, the metrics, and the source of weighted choices.
#[derive(Debug)]
pub struct DataPlane {
    /// The pods' logs, which get a line per answer.
    logs: Arc<PodLogs>,
    routes: LiveTable,
    metrics: Metrics,
    draw: SharedDraw,
}

type Answer = Response<Full<Bytes>>;

impl DataPlane {
    /// A data plane routing by the objects in `store`.
    pub fn new(store: Arc<Store>, logs: Arc<PodLogs>, config: &DataPlaneConfig) -> Arc<DataPlane> {
        Arc::new(DataPlane {
            logs,
            routes: LiveTable::new(store),
            metrics: Metrics::new(),
            draw: config.seed.map_or_else(SharedDraw::from_entropy, SharedDraw::seeded),
        })
    }

    /// The live routing table.
    pub fn routes(&self) -> &LiveTable {
        &self.routes
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Serves the ingress on `listener` until the task is dropped (its connections with it).
    pub async fn serve_ingress(self: Arc<Self>, listener: TcpListener) {
        accept_loop(listener, MAX_INGRESS_CONNECTIONS, move |stream| {
            let plane = Arc::clone(&self);
            serve_connection(stream, move |req| {
                let plane = Arc::clone(&plane);
                // The body is never read: a pod's answer depends on the request's head only.
                let req = req.map(|_| ());
                async move { plane.route(&req).await }
            })
        })
        .await;
    }

    /// Serves `/metrics` on `listener` until the task is dropped.
    pub async fn serve_metrics(self: Arc<Self>, listener: TcpListener) {
        accept_loop(listener, MAX_METRICS_CONNECTIONS, move |stream| {
            let plane = Arc::clone(&self);
            serve_connection(stream, move |req| {
                let plane = Arc::clone(&plane);
                async move { plane.scrape(&req) }
            })
        })
        .await;
    }

    /// Routes and answers one ingress request.
    pub async fn route<B>(&self, req: &hyper::Request<B>) -> Answer {
        let arrived = Instant::now();
        let Some(host) = host_of(req) else {
            return text(StatusCode::NOT_FOUND, "no route: the request has no Host");
        };
        let path = req.uri().path();
        let headers: Vec<(String, String)> = req
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = value.to_str().map_or_else(
                    |_| String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    str::to_string,
                );
                (name.as_str().to_string(), value)
            })
            .collect();
        let mut headers = headers;
        // Method matches (Istio, Gateway API) read the method as Envoy presents it.
        headers.push((":method".to_string(), req.method().as_str().to_string()));
        let request = Request {
            host: &host,
            path,
            headers: &headers,
        };
        let compiled = self.routes.current();
        let mut draw = self.draw.draw();
        let routed = match compiled.table.route(&request, &mut draw) {
            Outcome::NotFound(reason) => return text(StatusCode::NOT_FOUND, &reason),
            Outcome::Unavailable(reason) => return text(StatusCode::SERVICE_UNAVAILABLE, &reason),
            Outcome::Fixed(fixed) => return fixed_response(fixed),
            Outcome::Routed(routed) => routed,
        };
        let method = req.method().as_str();
        for mirror in &routed.mirrors {
            let copy = answer(mirror, path, &mut draw);
            self.log(mirror, &copy.log_line);
            let served = Served {
                method,
                host: &host,
                path,
                status: copy.status,
                duration: copy.latency,
            };
            self.metrics.record_mirror(&compiled.labels, &routed, mirror, &served);
        }
        let answered = answer(&routed.backend, path, &mut draw);
        self.log(&routed.backend, &answered.log_line);
        if !answered.latency.is_zero() {
            tokio::time::sleep(answered.latency).await;
        }
        let served = Served {
            method,
            host: &host,
            path,
            status: answered.status,
            duration: arrived.elapsed(),
        };
        self.metrics.record(&compiled.labels, &routed, &served);
        let status = StatusCode::from_u16(answered.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = respond(status, answered.content_type, answered.body);
        if let Some(cookie) = routed.set_cookie.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        response
    }

    /// Writes a pod's log line for one answer.
    fn log(&self, backend: &super::Backend, line: &str) {
        if !line.is_empty() {
            self.logs.append(
                &backend.namespace,
                &backend.pod,
                &backend.uid,
                jiff::Timestamp::now(),
                line,
            );
        }
    }

    /// Answers one request on the metrics port.
    pub fn scrape<B>(&self, req: &hyper::Request<B>) -> Answer {
        if req.uri().path() != "/metrics" {
            return text(StatusCode::NOT_FOUND, "not found: metrics are served at /metrics");
        }
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return text(StatusCode::METHOD_NOT_ALLOWED, "only GET is served at /metrics");
        }
        match self.metrics.encode() {
            Ok(body) => respond(StatusCode::OK, metrics::CONTENT_TYPE, body),
            Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, &format!("encoding the metrics: {e}")),
        }
    }
}

/// The request's host without port, lowercase: from an absolute request target, else the `Host`
/// header. `None` when neither names one.
fn host_of<B>(req: &hyper::Request<B>) -> Option<String> {
    let raw = match req.uri().authority() {
        Some(authority) => authority.host(),
        None => {
            let value = req.headers().get(HOST)?.to_str().ok()?.trim();
            strip_port(value)
        }
    };
    let host = raw.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// `host:port` → `host`; an IPv6 literal keeps its brackets.
fn strip_port(value: &str) -> &str {
    if value.starts_with('[') {
        return value.find(']').map_or(value, |end| &value[..=end]);
    }
    match value.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => value,
    }
}

fn text(status: StatusCode, reason: &str) -> Answer {
    respond(status, "text/plain; charset=utf-8", format!("{reason}\n"))
}

/// A proxy's own answer (an ALB `fixed-response` action); a content type that is no valid header value
/// is sent as plain text.
fn fixed_response(fixed: super::FixedResponse) -> Answer {
    let mut response = respond(
        StatusCode::from_u16(fixed.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        "text/plain",
        fixed.body,
    );
    if let Ok(value) = HeaderValue::from_str(&fixed.content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Accepts connections on `listener`, at most `max` open at once, each served by `serve`. The
/// connections are tasks of a set owned by this future: dropping it (aborting its task) closes them.
async fn accept_loop<F, Fut>(listener: TcpListener, max: usize, serve: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        while connections.len() >= max {
            let _ = connections.join_next().await;
        }
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve(stream));
                }
                Err(e) => {
                    tracing::warn!("data plane: accepting a connection: {e}");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One keep-alive HTTP/1.1 connection, each request answered by `handle`.
async fn serve_connection<H, Fut>(stream: TcpStream, handle: H)
where
    H: Fn(hyper::Request<hyper::body::Incoming>) -> Fut + Send + 'static,
    Fut: Future<Output = Answer> + Send + 'static,
{
    let service = service_fn(move |req| {
        let answered = handle(req);
        async move { Ok::<_, Infallible>(answered.await) }
    });
    let result = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(IDLE_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(e) = result {
        tracing::debug!("data plane connection ended: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, host: Option<&str>) -> hyper::Request<()> {
        let mut builder = hyper::Request::builder().uri(uri);
        if let Some(h) = host {
            builder = builder.header(HOST, h);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn the_host_loses_its_port_and_case() {
        assert_eq!(
            host_of(&request("/", Some("Web.Default:8080"))).as_deref(),
            Some("web.default")
        );
        assert_eq!(host_of(&request("/", Some("web"))).as_deref(), Some("web"));
        assert_eq!(host_of(&request("/", Some("[::1]:80"))).as_deref(), Some("[::1]"));
        assert_eq!(
            host_of(&request("/", Some("shop.example.com."))).as_deref(),
            Some("shop.example.com")
        );
        assert_eq!(
            host_of(&request("http://Abs.Example:81/x", Some("ignored"))).as_deref(),
            Some("abs.example"),
            "an absolute target names the host"
        );
        assert_eq!(host_of(&request("/", None)), None);
        assert_eq!(host_of(&request("/", Some(""))), None);
        assert_eq!(host_of(&request("/", Some(":80"))), None);
    }

    #[tokio::test]
    async fn bad_requests_get_a_reason_not_a_panic() {
        let plane = DataPlane::new(
            Store::in_memory(crate::StoreConfig::default()),
            Arc::new(crate::podlogs::PodLogs::default()),
            &DataPlaneConfig::default(),
        );
        let body = |r: Answer| {
            use http_body_util::BodyExt;
            async move {
                let status = r.status();
                let bytes = r
                    .into_body()
                    .collect()
                    .await
                    .map(http_body_util::Collected::to_bytes)
                    .unwrap_or_default();
                (status, String::from_utf8_lossy(&bytes).into_owned())
            }
        };
        let (status, text) = body(plane.route(&request("/color", None)).await).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::NOT_FOUND, "no route: the request has no Host\n")
        );
        let (status, text) = body(plane.route(&request("/color", Some("nowhere.default"))).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(text.contains("nowhere.default") && text.ends_with('\n') && text.lines().count() == 1);
        let (status, _) = body(plane.scrape(&request("/other", None))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let scraped = plane.scrape(&request("/metrics", None));
        assert_eq!(scraped.headers()[CONTENT_TYPE], metrics::CONTENT_TYPE);
        let (status, text) = body(scraped).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!text.contains("istio_requests_total{"), "nothing was routed: {text}");
    }
}
