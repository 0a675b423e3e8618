//! Warnings for the client, sent as `Warning: 299 - "<text>"` headers (kubectl prints each as
//! `Warning: <text>`). Handlers add them while a request is served; requests made from inside the process
//! (the simulated controllers) have nobody to show them to, and theirs are dropped.

use std::cell::RefCell;
use std::future::Future;

use hyper::header::HeaderValue;

tokio::task_local! {
    static WARNINGS: RefCell<Vec<String>>;
}

/// Runs `f` collecting the warnings added while it runs.
pub(crate) async fn collect<F: Future>(f: F) -> (F::Output, Vec<String>) {
    WARNINGS
        .scope(RefCell::new(Vec::new()), async {
            let out = f.await;
            (out, WARNINGS.with(std::cell::RefCell::take))
        })
        .await
}

/// Adds a warning for the request being served (once, however often it is added).
pub(crate) fn add(text: impl Into<String>) {
    let text = text.into();
    let _ = WARNINGS.try_with(|w| {
        let mut w = w.borrow_mut();
        if !text.is_empty() && !w.contains(&text) {
            w.push(text);
        }
    });
}

/// The `Warning` header for `text`, as kube-apiserver writes it: code 299, no agent, the text quoted
/// (line breaks become spaces, as Go's HTTP server writes them).
pub(crate) fn header(text: &str) -> Option<HeaderValue> {
    let mut value = String::with_capacity(text.len() + 8);
    value.push_str("299 - \"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                value.push('\\');
                value.push(c);
            }
            c if c.is_control() => value.push(' '),
            c => value.push(c),
        }
    }
    value.push('"');
    HeaderValue::from_bytes(value.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn warnings_are_collected_once_each_and_quoted() {
        let ((), warnings) = collect(async {
            add("unknown field \"spec.x\"");
            add("unknown field \"spec.x\"");
            add("line 1:\n  key");
        })
        .await;
        assert_eq!(warnings, ["unknown field \"spec.x\"", "line 1:\n  key"]);
        assert_eq!(header(&warnings[0]).unwrap(), r#"299 - "unknown field \"spec.x\"""#);
        assert_eq!(header(&warnings[1]).unwrap(), r#"299 - "line 1:   key""#);
        // Outside a request there is nobody to warn.
        add("dropped");
    }
}
