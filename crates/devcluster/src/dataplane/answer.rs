//! How a pod answers, from its image and environment, as the public demo image
//! `argoproj/rollouts-demo` does.
//!
//! Only the colour is in place so far: `GET /color` answers the image tag as a JSON string.

use std::time::Duration;

use super::{Backend, Draw};

/// One pod's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
    /// How long the pod takes before answering.
    pub latency: Duration,
    /// The line the pod logs for it.
    pub log_line: String,
}

/// The answer of `backend` to a request for `path`.
pub fn answer(backend: &Backend, path: &str, _draw: &mut dyn Draw) -> Answer {
    let colour = backend.image.rsplit_once(':').map_or("", |(_, tag)| tag).to_string();
    let body = if path == "/color" {
        serde_json::Value::String(colour.clone()).to_string()
    } else {
        serde_json::json!({ "pod": backend.pod, "image": backend.image }).to_string()
    };
    Answer {
        status: 200,
        body,
        latency: Duration::ZERO,
        log_line: format!("200 - {colour}"),
    }
}
