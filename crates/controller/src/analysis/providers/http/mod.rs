//! The HTTP client the metric providers share: HTTP/1.1 over hyper (`client`), TLS through rustls
//! with the platform's trust store, as kube's own client does it, or no certificate verification at
//! all for metrics marked `insecure` (`tls`).
//!
//! It behaves like the Go `net/http` client upstream's providers use where a user can tell: redirects
//! are followed (`redirect`), user info in the URL becomes basic authentication (`url`), a timeout
//! covers the whole exchange including reading the body, and failures read like Go's (`error`:
//! `Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`) because they end
//! up in measurement messages. It also fetches OAuth2 client-credentials tokens the way
//! `golang.org/x/oauth2/clientcredentials` does (`oauth2`, with Go's form encoding from `form`).

mod client;
mod error;
mod form;
mod oauth2;
mod redirect;
mod tls;
mod url;

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use hyper::{HeaderMap, Method, StatusCode};

pub use client::HttpClient;
pub(crate) use error::go_op;
pub use error::{HttpError, HttpErrorKind};
pub(crate) use form::encode_form;
pub use oauth2::{OAuth2Request, OAuth2Settings, oauth2_settings};

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

/// `Basic <base64 of user:password>`, the value of a basic `Authorization` header.
pub(crate) fn basic_authorization(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}
