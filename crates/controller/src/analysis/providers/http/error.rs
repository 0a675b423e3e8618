//! Why a request failed, in the words of Go's `net/http` (`Get "http://127.0.0.1:1/": dial tcp
//! 127.0.0.1:1: connect: connection refused`): these messages end up in measurements, where users
//! compare them with upstream's.

use hyper::{Method, StatusCode, Uri};
use rollouts_api::gofmt::go_quote;

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
    pub(super) fn new(method: &Method, url: &str, kind: HttpErrorKind) -> Self {
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
pub(super) fn redact(url: &str) -> String {
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
pub(super) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
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
pub(super) fn classify(error: &hyper_util::client::legacy::Error, uri: &Uri) -> HttpErrorKind {
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
            _ => io_error.map_or_else(|| error_chain(error), std::string::ToString::to_string),
        };
        return HttpErrorKind::Connect(format!("dial tcp {address}: {cause}"));
    }
    HttpErrorKind::Other(error_chain(error))
}

/// `200 OK`, `401 Unauthorized`: a status as Go's `Response.Status` prints it.
pub(super) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_print_like_go() {
        assert_eq!(status_text(StatusCode::UNAUTHORIZED), "401 Unauthorized");
    }
}
