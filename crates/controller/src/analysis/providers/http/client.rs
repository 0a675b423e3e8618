//! The client itself: connection pools over hyper, one verifying server certificates and one not,
//! the exchange of one request (redirects followed, the whole body read, all within the request's
//! timeout) and what every request carries (headers, basic authentication from the URL, the
//! `User-Agent`).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, HeaderName, HeaderValue, LOCATION};
use hyper::{HeaderMap, Method, Request, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rollouts_api::gofmt::go_quote;
use rustls::ClientConfig;

use super::error::{HttpError, HttpErrorKind, classify, error_chain};
use super::redirect::{MAX_REDIRECTS, is_redirect, is_sensitive_header, resolve_location, same_site};
use super::tls::{insecure_tls_config, verified_tls_config};
use super::url::{parse_url, strip_user_info, url_credentials};
use super::{HttpRequest, HttpResponse};

/// How long opening a TCP connection may take (Go's dialer in upstream's Prometheus transport).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

type Inner = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A connection-pooling HTTP client; cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    clients: Arc<Clients>,
}

struct Clients {
    /// Verifies server certificates; `Err` says why the trust store could not be set up (reported by
    /// every HTTPS request that needs it).
    verified: Result<Inner, String>,
    /// Accepts any server certificate (`insecure: true`); also sends plain HTTP when `verified` could
    /// not be set up.
    insecure: Result<Inner, String>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").finish_non_exhaustive()
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// A client with the platform's trust store.
    pub fn new() -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verified = verified_tls_config(provider.clone()).map(build_client);
        let insecure = insecure_tls_config(provider).map(build_client);
        Self {
            clients: Arc::new(Clients { verified, insecure }),
        }
    }

    /// Sends `request`, following redirects, and reads the whole response body, all within
    /// `request.timeout`.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut progress = Progress {
            url: request.url.clone(),
            reading_body: false,
        };
        let exchange = self.exchange(request, &mut progress);
        let outcome = tokio::time::timeout(request.timeout, exchange).await;
        match outcome {
            Ok(result) => result,
            Err(_) => Err(HttpError::new(
                &request.method,
                &progress.url,
                HttpErrorKind::Timeout {
                    reading_body: progress.reading_body,
                },
            )),
        }
    }

    async fn exchange(&self, request: &HttpRequest, progress: &mut Progress) -> Result<HttpResponse, HttpError> {
        let mut method = request.method.clone();
        let mut body = request.body.clone();
        let mut headers = request.headers.clone();
        let mut url = request.url.clone();
        let mut uri = parse_url(&method, &url)?;
        let origin_host = uri.host().map(str::to_ascii_lowercase);
        for hop in 0..=MAX_REDIRECTS {
            progress.url = url.clone();
            let response = self.send_once(request, &method, &uri, &headers, body.clone()).await?;
            let status = response.status();
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(str::to_string);
            if let (true, Some(location)) = (is_redirect(status), location) {
                if hop == MAX_REDIRECTS {
                    return Err(HttpError::new(
                        &method,
                        &url,
                        HttpErrorKind::Other(format!("stopped after {MAX_REDIRECTS} redirects")),
                    ));
                }
                let next = resolve_location(&uri, &location);
                let next_uri = parse_url(&method, &next)?;
                if matches!(status.as_u16(), 301..=303) && method != Method::GET && method != Method::HEAD {
                    method = Method::GET;
                    body = None;
                }
                let next_host = next_uri.host().map(str::to_ascii_lowercase).unwrap_or_default();
                if !same_site(&next_host, origin_host.as_deref().unwrap_or_default()) {
                    headers.retain(|(name, _)| !is_sensitive_header(name));
                }
                url = next;
                uri = next_uri;
                continue;
            }
            progress.reading_body = true;
            let (parts, incoming) = response.into_parts();
            let bytes = incoming
                .collect()
                .await
                .map_err(|e| HttpError::new(&method, &url, HttpErrorKind::Body(error_chain(&e))))?
                .to_bytes();
            return Ok(HttpResponse {
                status: parts.status,
                headers: parts.headers,
                body: bytes,
            });
        }
        Err(HttpError::new(
            &method,
            &url,
            HttpErrorKind::Other(format!("stopped after {MAX_REDIRECTS} redirects")),
        ))
    }

    async fn send_once(
        &self,
        request: &HttpRequest,
        method: &Method,
        uri: &Uri,
        headers: &[(String, String)],
        body: Option<Bytes>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, HttpError> {
        let url = uri.to_string();
        let plain = uri.scheme_str() != Some("https");
        let chosen = match (&self.clients.verified, &self.clients.insecure) {
            (_, insecure) if request.insecure => insecure,
            (Err(_), insecure @ Ok(_)) if plain => insecure,
            (verified, _) => verified,
        };
        let client = chosen
            .as_ref()
            .map_err(|e| HttpError::new(method, &url, HttpErrorKind::Tls(e.clone())))?;
        let mut map = HeaderMap::new();
        for (name, value) in headers.iter().chain(request.transport_headers.iter()) {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                HttpError::new(
                    method,
                    &url,
                    HttpErrorKind::Other(format!("net/http: invalid header field name {}", go_quote(name))),
                )
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                HttpError::new(
                    method,
                    &url,
                    HttpErrorKind::Other(format!(
                        "net/http: invalid header field value for {}",
                        go_quote(name.as_str())
                    )),
                )
            })?;
            map.insert(name, value);
        }
        if !map.contains_key(AUTHORIZATION)
            && let Some(credentials) = url_credentials(uri)
        {
            map.insert(AUTHORIZATION, credentials);
        }
        if !map.contains_key(hyper::header::USER_AGENT) {
            map.insert(hyper::header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        }
        let target = strip_user_info(uri);
        let mut builder = Request::builder().method(method.clone()).uri(target);
        if let Some(h) = builder.headers_mut() {
            *h = map;
        }
        let req = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| HttpError::new(method, &url, HttpErrorKind::Other(e.to_string())))?;
        client
            .request(req)
            .await
            .map_err(|e| HttpError::new(method, &url, classify(&e, uri)))
    }
}

/// The `User-Agent` sent unless the metric sets one.
const USER_AGENT: &str = concat!("argo-rollouts-rs/", env!("CARGO_PKG_VERSION"));

/// Where an exchange was when its time ran out.
struct Progress {
    url: String,
    reading_body: bool,
}

fn build_client(config: ClientConfig) -> Inner {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    http.set_keepalive(Some(Duration::from_secs(30)));
    http.set_nodelay(true);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .build(https)
}
