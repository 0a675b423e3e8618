//! The Prometheus address: checked as upstream checks it, and joined with the API endpoint.

/// Whether `s` parses as a URL with a scheme and a host (upstream `IsUrl`).
pub(super) fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_ok = !host.is_empty()
        && !host.starts_with(':')
        && !host.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        });
    scheme_ok && host_ok
}

/// The address with `endpoint` joined to its path (Go's `path.Join`), query kept.
pub(super) fn endpoint_url(address: &str, endpoint: &str) -> String {
    let (base, query) = match address.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (address, None),
    };
    let base = base.split('#').next().unwrap_or_default();
    let (origin, path) = match base.split_once("://") {
        Some((scheme, rest)) => {
            let at = rest.find('/').unwrap_or(rest.len());
            (format!("{scheme}://{}", &rest[..at]), &rest[at..])
        }
        None => (base.to_string(), ""),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/').chain(endpoint.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut url = format!("{origin}/{}", segments.join("/"));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_urls_with_a_host() {
        assert!(is_url("http://127.0.0.1:9090"));
        assert!(is_url("https://prometheus.example.com/prefix/"));
        assert!(!is_url(":invalid::url"));
        assert!(!is_url("localhost:9090"));
        assert!(!is_url("http://"));
        assert!(!is_url("prometheus"));
        assert_eq!(
            endpoint_url("http://p:9090", "api/v1/query"),
            "http://p:9090/api/v1/query"
        );
        assert_eq!(
            endpoint_url("http://p:9090/prom/?x=1", "api/v1/query"),
            "http://p:9090/prom/api/v1/query?x=1"
        );
    }
}
