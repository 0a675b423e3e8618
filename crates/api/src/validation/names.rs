//! Kubernetes name formats (RFC 1123 labels and subdomains, qualified names), with Kubernetes' messages.

/// Longest RFC 1123 label.
pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
/// Longest RFC 1123 subdomain.
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;

const DNS1123_LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// Problems of `value` as an RFC 1123 label (a container name, for instance), worded as Kubernetes'
/// `IsDNS1123Label`; empty when it is a valid label.
pub fn dns1123_label_problems(value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        problems.push(format!("must be no more than {DNS1123_LABEL_MAX_LENGTH} characters"));
    }
    if !is_dns1123_label_text(value) {
        if is_dns1123_subdomain_text(value) {
            // A valid subdomain that is not a valid label can only be one with dots.
            problems.push("must not contain dots".to_string());
        } else {
            problems.push(DNS1123_LABEL_MESSAGE.to_string());
        }
    }
    problems
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, whatever the length.
fn is_dns1123_label_text(value: &str) -> bool {
    let bytes = value.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => alnum(first) && alnum(last) && bytes.iter().all(|b| alnum(b) || *b == b'-'),
        _ => false,
    }
}

/// Dot-separated RFC 1123 labels, whatever the length.
fn is_dns1123_subdomain_text(value: &str) -> bool {
    value.split('.').all(is_dns1123_label_text)
}

/// Whether `value` is an RFC 1123 subdomain (a Kubernetes object name).
pub fn is_dns1123_subdomain(value: &str) -> bool {
    value.len() <= DNS1123_SUBDOMAIN_MAX_LENGTH && is_dns1123_subdomain_text(value)
}

/// Whether `value` is a Kubernetes qualified name (a label or annotation key): an optional
/// subdomain prefix and `/`, then up to 63 alphanumerics, `-`, `_` or `.`, starting and ending
/// alphanumeric.
pub fn is_qualified_name(value: &str) -> bool {
    let (prefix, name) = match value.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, value),
    };
    if let Some(prefix) = prefix
        && (prefix.is_empty() || !is_dns1123_subdomain(prefix))
    {
        return false;
    }
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    name.len() <= DNS1123_LABEL_MAX_LENGTH
        && first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(dns1123_label_problems("web-1").is_empty());
        assert!(dns1123_label_problems("1").is_empty());
        assert_eq!(dns1123_label_problems("a.b"), vec!["must not contain dots".to_string()]);
        assert_eq!(dns1123_label_problems("Web"), vec![DNS1123_LABEL_MESSAGE.to_string()]);
        assert_eq!(dns1123_label_problems("-a"), vec![DNS1123_LABEL_MESSAGE.to_string()]);
        let long = "a".repeat(64);
        assert_eq!(
            dns1123_label_problems(&long),
            vec!["must be no more than 63 characters".to_string()]
        );
    }

    #[test]
    fn qualified_names() {
        for ok in ["app", "app.kubernetes.io/name", "A_b-c.d", "x/y"] {
            assert!(is_qualified_name(ok), "{ok}");
        }
        for bad in ["", "/a", "a/", "-a", "a b", "Example.com/a", "a/b/c"] {
            assert!(!is_qualified_name(bad), "{bad}");
        }
    }
}
