//! Following redirects as Go's client does: at most 10; 301/302/303 turn a POST or PUT into a
//! bodiless GET; credentials set on the request are dropped when the redirect leaves the host.

use hyper::{StatusCode, Uri};

/// How many redirects one request follows before giving up (Go's default policy).
pub(super) const MAX_REDIRECTS: usize = 10;

pub(super) fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Whether a redirect to `host` stays with `origin`: the same host (any port) or a subdomain of it.
pub(super) fn same_site(host: &str, origin: &str) -> bool {
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
pub(super) fn is_sensitive_header(name: &str) -> bool {
    ["authorization", "www-authenticate", "cookie", "cookie2"]
        .iter()
        .any(|s| name.eq_ignore_ascii_case(s))
}

/// The absolute URL a `Location` header points to, relative to `base`.
pub(super) fn resolve_location(base: &Uri, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base
        .authority()
        .map(hyper::http::uri::Authority::as_str)
        .unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
