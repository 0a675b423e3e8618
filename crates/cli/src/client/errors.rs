//! The one-line error the plugin prints, and the API statuses commands react to.

/// One line for an error: the API server's own message when there is one
/// (`rollouts.argoproj.io "x" not found`), else the error chain joined by `: `, leaving out causes
/// already spelled out by the error that wraps them.
pub fn error_line(error: &anyhow::Error) -> String {
    let api = error.chain().find_map(|e| match e.downcast_ref::<kube::Error>() {
        Some(kube::Error::Api(status)) => Some(status.message.clone()),
        _ => None,
    });
    let text = api.unwrap_or_else(|| {
        let mut line = String::new();
        for cause in error.chain().map(ToString::to_string) {
            if line.contains(&cause) {
                continue;
            }
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&cause);
        }
        line
    });
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `error` is the API server's 404.
pub fn is_not_found(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404)
}

/// Whether `error` is the API server's 409 (a write based on a stale resourceVersion).
pub fn is_conflict(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 409)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::anyhow;

    #[test]
    fn error_lines_are_single_lines() {
        let error = anyhow!("first\nsecond").context("outer");
        assert_eq!(error_line(&error), "outer: first second");
        let repeated = anyhow!("inner").context("wrapper: inner");
        assert_eq!(error_line(&repeated), "wrapper: inner");
    }
}
