//! The HTTP client the metric providers share: HTTP/1.1 over hyper, TLS through rustls with the
//! platform's trust store (as kube's own client does it), or no certificate verification at all for
//! metrics marked `insecure`.
//!
//! It behaves like the Go `net/http` client upstream's providers use where a user can tell: redirects
//! are followed (at most 10; 301/302/303 turn a POST or PUT into a bodiless GET; credentials set on the
//! request are dropped when the redirect leaves the host), user info in the URL becomes basic
//! authentication, a timeout covers the whole exchange including reading the body, and failures read
//! like Go's (`Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`) because
//! they end up in measurement messages. It also fetches OAuth2 client-credentials tokens the way
//! `golang.org/x/oauth2/clientcredentials` does.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, LOCATION};
use hyper::{HeaderMap, Method, Request, StatusCode, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rollouts_api::gofmt::go_quote;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

/// How many redirects one request follows before giving up (Go's default policy).
const MAX_REDIRECTS: usize = 10;

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

    /// Fetches an OAuth2 token with the client-credentials grant and returns the `Authorization`
    /// header value (`Bearer <token>`). Like `clientcredentials` with automatic auth-style detection,
    /// it sends the client's credentials as basic authentication first and, if that fails, in the
    /// form; the last failure is reported (`oauth2: cannot fetch token: 401 Unauthorized ...`).
    pub async fn oauth2_token(&self, config: &OAuth2Request<'_>) -> Result<String, String> {
        let mut form = vec![("grant_type", "client_credentials".to_string())];
        if !config.scopes.is_empty() {
            form.push(("scope", config.scopes.join(" ")));
        }
        let credentials = format!(
            "{}:{}",
            form_escape(config.client_id),
            form_escape(config.client_secret)
        );
        let in_header = HttpRequest {
            method: Method::POST,
            url: config.token_url.to_string(),
            headers: vec![
                ("Content-Type".to_string(), FORM_CONTENT_TYPE.to_string()),
                (
                    "Authorization".to_string(),
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(credentials)
                    ),
                ),
            ],
            transport_headers: Vec::new(),
            body: Some(Bytes::from(encode_form(&form))),
            timeout: config.timeout,
            insecure: config.insecure,
        };
        match self.token_round_trip(&in_header).await {
            Ok(token) => Ok(token),
            Err(_) => {
                form.push(("client_id", config.client_id.to_string()));
                form.push(("client_secret", config.client_secret.to_string()));
                let in_form = HttpRequest {
                    headers: vec![("Content-Type".to_string(), FORM_CONTENT_TYPE.to_string())],
                    body: Some(Bytes::from(encode_form(&form))),
                    ..in_header
                };
                self.token_round_trip(&in_form).await
            }
        }
    }

    async fn token_round_trip(&self, request: &HttpRequest) -> Result<String, String> {
        let response = self.send(request).await.map_err(|e| e.to_string())?;
        let failed = !response.status.is_success();
        let retrieve_error = || {
            format!(
                "oauth2: cannot fetch token: {}\nResponse: {}",
                status_text(response.status),
                String::from_utf8_lossy(&response.body)
            )
        };
        let content_type = response
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .unwrap_or_default();
        let fields: std::collections::BTreeMap<String, String> =
            if content_type == FORM_CONTENT_TYPE || content_type == "text/plain" {
                parse_form(&String::from_utf8_lossy(&response.body))
            } else {
                match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&response.body) {
                    Ok(map) => map
                        .into_iter()
                        .filter_map(|(k, v)| match v {
                            serde_json::Value::String(s) => Some((k, s)),
                            serde_json::Value::Null => None,
                            other => Some((k, other.to_string())),
                        })
                        .collect(),
                    Err(e) if failed => {
                        let _ = e;
                        return Err(retrieve_error());
                    }
                    Err(e) => return Err(format!("oauth2: cannot parse json: {e}")),
                }
            };
        let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or_default();
        if !field("error").is_empty() {
            let mut message = format!("oauth2: {}", go_quote(field("error")));
            for extra in ["error_description", "error_uri"] {
                if !field(extra).is_empty() {
                    message.push(' ');
                    message.push_str(&go_quote(field(extra)));
                }
            }
            return Err(message);
        }
        if failed {
            return Err(retrieve_error());
        }
        let token = field("access_token");
        if token.is_empty() {
            return Err("oauth2: server response missing access_token".to_string());
        }
        let kind = match field("token_type") {
            t if t.is_empty() || t.eq_ignore_ascii_case("bearer") => "Bearer",
            t if t.eq_ignore_ascii_case("mac") => "MAC",
            t if t.eq_ignore_ascii_case("basic") => "Basic",
            t => t,
        };
        Ok(format!("{kind} {token}"))
    }
}

/// The `User-Agent` sent unless the metric sets one.
const USER_AGENT: &str = concat!("argo-rollouts-rs/", env!("CARGO_PKG_VERSION"));

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Where an exchange was when its time ran out.
struct Progress {
    url: String,
    reading_body: bool,
}

/// One request.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// GET, POST, PUT, ...
    pub method: Method,
    /// Absolute `http://` or `https://` URL.
    pub url: String,
    /// Headers set on the request, in order (a later one replaces an earlier one of the same name);
    /// they follow redirects to the same host only.
    pub headers: Vec<(String, String)>,
    /// Headers the transport adds to every request it sends, redirects included (authentication
    /// layered under the client, as upstream's round-trippers do).
    pub transport_headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Bytes>,
    /// For the whole exchange: connecting, redirects, reading the body.
    pub timeout: Duration,
    /// Skip TLS certificate verification.
    pub insecure: bool,
}

impl HttpRequest {
    /// A GET of `url` with no headers.
    pub fn get(url: impl Into<String>, timeout: Duration) -> Self {
        Self {
            method: Method::GET,
            url: url.into(),
            headers: Vec::new(),
            transport_headers: Vec::new(),
            body: None,
            timeout,
            insecure: false,
        }
    }
}

/// What an OAuth2 client-credentials token request needs.
#[derive(Clone, Debug)]
pub struct OAuth2Request<'a> {
    /// The token endpoint.
    pub token_url: &'a str,
    /// Client ID.
    pub client_id: &'a str,
    /// Client secret.
    pub client_secret: &'a str,
    /// Scopes to ask for.
    pub scopes: &'a [String],
    /// Time allowed for the token exchange.
    pub timeout: Duration,
    /// Skip TLS certificate verification.
    pub insecure: bool,
}

/// A complete response.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

/// Why a request got no response, worded as Go's `*url.Error`: `<Op> "<url>": <cause>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    /// `Get`, `Post`, `Put`, ... (Go's operation name), or `parse` for a URL that does not parse.
    pub op: String,
    /// The URL, password redacted.
    pub url: String,
    /// What went wrong.
    pub kind: HttpErrorKind,
}

/// What went wrong with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpErrorKind {
    /// The URL does not parse.
    InvalidUrl(String),
    /// The scheme is neither `http` nor `https` (possibly empty).
    UnsupportedScheme(String),
    /// No connection could be opened (Go's `dial tcp ...` text).
    Connect(String),
    /// The TLS handshake failed, or the trust store could not be loaded.
    Tls(String),
    /// The time ran out, before the response headers arrived or while reading the body.
    Timeout {
        /// Whether the headers had arrived.
        reading_body: bool,
    },
    /// The body could not be read.
    Body(String),
    /// Anything else.
    Other(String),
}

impl HttpError {
    fn new(method: &Method, url: &str, kind: HttpErrorKind) -> Self {
        Self {
            op: go_op(method.as_str()),
            url: redact(url),
            kind,
        }
    }

    /// The cause without the operation and URL.
    pub fn cause(&self) -> String {
        match &self.kind {
            HttpErrorKind::InvalidUrl(reason) => reason.clone(),
            HttpErrorKind::UnsupportedScheme(scheme) => format!("unsupported protocol scheme {}", go_quote(scheme)),
            HttpErrorKind::Connect(cause) | HttpErrorKind::Tls(cause) | HttpErrorKind::Other(cause) => cause.clone(),
            HttpErrorKind::Timeout { reading_body: false } => {
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".to_string()
            }
            HttpErrorKind::Timeout { reading_body: true } => {
                "context deadline exceeded (Client.Timeout or context cancellation while reading body)".to_string()
            }
            HttpErrorKind::Body(cause) => cause.clone(),
        }
    }

    /// The message as Go reports a request whose context deadline passed (rather than the client's
    /// own timeout): `Post "<url>": context deadline exceeded`; other errors read as usual.
    pub fn with_context_deadline(&self) -> String {
        match self.kind {
            HttpErrorKind::Timeout { .. } => format!("{} {}: context deadline exceeded", self.op, go_quote(&self.url)),
            _ => self.to_string(),
        }
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.op, go_quote(&self.url), self.cause())
    }
}

impl std::error::Error for HttpError {}

/// Go's operation name for a method: `Get`, `Post`, `Put`, `Delete`, ... (the first letter as given,
/// the rest lower case).
pub(crate) fn go_op(method: &str) -> String {
    let mut chars = method.chars();
    match chars.next() {
        Some(first) => first.to_string() + &chars.as_str().to_ascii_lowercase(),
        None => String::new(),
    }
}

/// The URL with any password replaced by `***`, as Go prints URLs in errors.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Parses an absolute URL the client can send to.
fn parse_url(method: &Method, url: &str) -> Result<Uri, HttpError> {
    let has_scheme = url.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if !has_scheme {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
        let scheme = if scheme.chars().all(|c| c.is_ascii_alphanumeric()) && !scheme.is_empty() {
            scheme
        } else {
            ""
        };
        return Err(HttpError::new(
            method,
            url,
            HttpErrorKind::UnsupportedScheme(scheme.to_ascii_lowercase()),
        ));
    }
    let uri: Uri = url.parse().map_err(|e: hyper::http::uri::InvalidUri| HttpError {
        op: "parse".to_string(),
        url: redact(url),
        kind: HttpErrorKind::InvalidUrl(e.to_string()),
    })?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        other => {
            return Err(HttpError::new(
                method,
                url,
                HttpErrorKind::UnsupportedScheme(other.unwrap_or_default().to_ascii_lowercase()),
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(HttpError::new(
            method,
            url,
            HttpErrorKind::Other("http: no Host in request URL".to_string()),
        ));
    }
    Ok(uri)
}

/// The URI without `user:password@`, which is sent as basic authentication instead.
fn strip_user_info(uri: &Uri) -> Uri {
    let Some(authority) = uri.authority() else {
        return uri.clone();
    };
    let Some((_, host)) = authority.as_str().rsplit_once('@') else {
        return uri.clone();
    };
    let mut parts = uri.clone().into_parts();
    match host.parse() {
        Ok(a) => {
            parts.authority = Some(a);
            Uri::from_parts(parts).unwrap_or_else(|_| uri.clone())
        }
        Err(_) => uri.clone(),
    }
}

/// `Basic ...` from the URL's `user:password@`, if it has one.
fn url_credentials(uri: &Uri) -> Option<HeaderValue> {
    let (user_info, _) = uri.authority()?.as_str().rsplit_once('@')?;
    let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
    let plain = format!("{}:{}", percent_decode(user), percent_decode(password));
    HeaderValue::from_str(&format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(plain)
    ))
    .ok()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Whether a redirect to `host` stays with `origin`: the same host (any port) or a subdomain of it.
fn same_site(host: &str, origin: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let origin = origin.trim_start_matches('[').trim_end_matches(']');
    if host == origin {
        return true;
    }
    origin.parse::<std::net::IpAddr>().is_err()
        && host.len() > origin.len()
        && host.ends_with(origin)
        && host.as_bytes().get(host.len() - origin.len() - 1) == Some(&b'.')
}

/// Headers Go does not forward when a redirect leaves the original host.
fn is_sensitive_header(name: &str) -> bool {
    ["authorization", "www-authenticate", "cookie", "cookie2"]
        .iter()
        .any(|s| name.eq_ignore_ascii_case(s))
}

/// The absolute URL a `Location` header points to, relative to `base`.
fn resolve_location(base: &Uri, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let path = base.path();
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
    if location.starts_with('?') {
        return format!("{scheme}://{authority}{path}{location}");
    }
    format!("{scheme}://{authority}{dir}/{location}")
}

/// The `host:port` a URL connects to.
fn dial_address(uri: &Uri) -> String {
    let host = uri.host().unwrap_or_default();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") { 443 } else { 80 });
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Every message in an error's source chain, joined with `: ` (repeats dropped).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Every error below `error`: its sources, and what `io::Error`s wrap (whose `source` skips it).
fn causes<'a>(error: &'a (dyn std::error::Error + 'static), out: &mut Vec<&'a (dyn std::error::Error + 'static)>) {
    out.push(error);
    if let Some(inner) = error.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
        causes(inner, out);
    } else if let Some(source) = error.source() {
        causes(source, out);
    }
}

/// Turns a client error into Go-like wording.
fn classify(error: &hyper_util::client::legacy::Error, uri: &Uri) -> HttpErrorKind {
    let mut all = Vec::new();
    causes(error, &mut all);
    let dns = all.iter().any(|e| e.to_string().starts_with("dns error"));
    let tls_error = all.iter().find_map(|e| e.downcast_ref::<rustls::Error>());
    // The innermost I/O error says most.
    let io_error = all.iter().rev().find_map(|e| e.downcast_ref::<std::io::Error>());
    if let Some(tls) = tls_error {
        return HttpErrorKind::Tls(format!("tls: {tls}"));
    }
    if dns {
        return HttpErrorKind::Connect(format!(
            "dial tcp: lookup {}: no such host",
            uri.host().unwrap_or_default()
        ));
    }
    if error.is_connect() {
        let address = dial_address(uri);
        let cause = match io_error.map(std::io::Error::kind) {
            Some(std::io::ErrorKind::ConnectionRefused) => "connect: connection refused".to_string(),
            Some(std::io::ErrorKind::TimedOut) => "i/o timeout".to_string(),
            Some(std::io::ErrorKind::HostUnreachable) => "connect: no route to host".to_string(),
            Some(std::io::ErrorKind::NetworkUnreachable) => "connect: network is unreachable".to_string(),
            _ => io_error.map(|e| e.to_string()).unwrap_or_else(|| error_chain(error)),
        };
        return HttpErrorKind::Connect(format!("dial tcp {address}: {cause}"));
    }
    HttpErrorKind::Other(error_chain(error))
}

/// `200 OK`, `401 Unauthorized`: a status as Go's `Response.Status` prints it.
pub(crate) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// Escapes a form value as Go's `url.QueryEscape` does (spaces become `+`).
pub(crate) fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A form body as Go's `url.Values.Encode` writes it: keys sorted.
pub(crate) fn encode_form(pairs: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The first value of each key of a form-encoded body.
fn parse_form(body: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        out.entry(decode(k)).or_insert_with(|| decode(v));
    }
    out
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

fn verified_tls_config(provider: Arc<CryptoProvider>) -> Result<ClientConfig, String> {
    use rustls_platform_verifier::BuilderVerifierExt;
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .with_platform_verifier()
        .map_err(|e| format!("tls: cannot load the system's trusted certificates: {e}"))?
        .with_no_client_auth())
}

fn insecure_tls_config(provider: Arc<CryptoProvider>) -> Result<ClientConfig, String> {
    let verifier = Arc::new(AcceptAnyCertificate(provider.clone()));
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// Accepts every server certificate, but still checks that the handshake is signed by the key
/// in the certificate presented.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A metric's OAuth2 client-credentials settings, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuth2Settings {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
}

impl OAuth2Settings {
    /// The token request for these settings.
    pub fn request(&self, timeout: Duration, insecure: bool) -> OAuth2Request<'_> {
        OAuth2Request {
            token_url: &self.token_url,
            client_id: &self.client_id,
            client_secret: &self.client_secret,
            scopes: &self.scopes,
            timeout,
            insecure,
        }
    }
}

/// The OAuth2 settings of `authentication.oauth2`: `None` without a token URL, an error when the
/// client ID or secret is missing (upstream's wording).
pub fn oauth2_settings(
    config: Option<&rollouts_api::providers::OAuth2Config>,
) -> Result<Option<OAuth2Settings>, String> {
    let Some(config) = config else { return Ok(None) };
    let token_url = config.token_url.clone().unwrap_or_default();
    if token_url.is_empty() {
        return Ok(None);
    }
    let client_id = config.client_id.clone().unwrap_or_default();
    let client_secret = config.client_secret.clone().unwrap_or_default();
    if client_id.is_empty() || client_secret.is_empty() {
        return Err("missing mandatory parameter in metric for OAuth2 setup".to_string());
    }
    Ok(Some(OAuth2Settings {
        token_url,
        client_id,
        client_secret,
        scopes: config.scopes.clone().unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_printed_like_go() {
        let get = Method::GET;
        let err = |url: &str| parse_url(&get, url).unwrap_err().to_string();
        assert_eq!(
            err("bad://url.com"),
            r#"Get "bad://url.com": unsupported protocol scheme "bad""#
        );
        assert_eq!(err(""), r#"Get "": unsupported protocol scheme """#);
        assert_eq!(
            err("localhost:8080/x"),
            r#"Get "localhost:8080/x": unsupported protocol scheme "localhost""#
        );
        assert!(err("http://exa mple.com/").starts_with(r#"parse "http://exa mple.com/": "#));
        assert!(parse_url(&get, "http://127.0.0.1:9090/api?x=1").is_ok());
        assert_eq!(redact("https://user:pw@host:1/p?q"), "https://user:***@host:1/p?q");
        assert_eq!(redact("https://user@host/"), "https://user@host/");
        assert_eq!(go_quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(go_op("GET"), "Get");
        assert_eq!(go_op("put"), "put");
    }

    #[test]
    fn redirect_targets_resolve_against_the_request() {
        let base: Uri = "http://h:1/a/b?x=1".parse().unwrap();
        assert_eq!(resolve_location(&base, "/c"), "http://h:1/c");
        assert_eq!(resolve_location(&base, "c"), "http://h:1/a/c");
        assert_eq!(resolve_location(&base, "?y=2"), "http://h:1/a/b?y=2");
        assert_eq!(resolve_location(&base, "//other/x"), "http://other/x");
        assert_eq!(resolve_location(&base, "https://o/x"), "https://o/x");
        assert!(same_site("api.example.com", "example.com"));
        assert!(same_site("example.com", "example.com"));
        assert!(!same_site("badexample.com", "example.com"));
        assert!(!same_site("1.127.0.0.1", "127.0.0.1"));
    }

    #[test]
    fn forms_encode_like_go() {
        assert_eq!(
            encode_form(&[("time", "1.5".to_string()), ("query", "sum(x{a=\"b c\"})".to_string())]),
            "query=sum%28x%7Ba%3D%22b+c%22%7D%29&time=1.5"
        );
        let parsed = parse_form("access_token=a%2Bb&token_type=bearer&access_token=second");
        assert_eq!(parsed.get("access_token").map(String::as_str), Some("a+b"));
        assert_eq!(status_text(StatusCode::UNAUTHORIZED), "401 Unauthorized");
    }
}
