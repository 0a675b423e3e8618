//! The URLs the client sends to: checked as Go's client checks them, and with any `user:password@`
//! taken out and sent as basic authentication.

use hyper::header::HeaderValue;
use hyper::{Method, Uri};

use super::basic_authorization;
use super::error::{HttpError, HttpErrorKind, redact};
use super::form::percent_decode;

/// Parses an absolute URL the client can send to.
pub(super) fn parse_url(method: &Method, url: &str) -> Result<Uri, HttpError> {
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
pub(super) fn strip_user_info(uri: &Uri) -> Uri {
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
pub(super) fn url_credentials(uri: &Uri) -> Option<HeaderValue> {
    let (user_info, _) = uri.authority()?.as_str().rsplit_once('@')?;
    let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
    HeaderValue::from_str(&basic_authorization(&percent_decode(user), &percent_decode(password))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::providers::http::error::go_op;
    use rollouts_api::gofmt::go_quote;

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
}
