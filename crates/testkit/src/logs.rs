//! Capturing what the code under test logs, as the lines an operator reads: level, message and fields
//! (`INFO Created ReplicaSet web-abc namespace=default rollout=web`), without times, targets or
//! colours, so that tests can compare them exactly.
//!
//! The subscriber is made the default of the thread (or future) the test chooses, so tests running
//! side by side in one process do not see each other's lines.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::{Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// The lines logged to [`LogCapture::subscriber`] so far.
#[derive(Clone, Default)]
pub struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl LogCapture {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// A subscriber writing the events of `target` (a crate name, such as `rollouts_controller`, or a
    /// module path) at `level` and above into this capture.
    pub fn subscriber(&self, target: &str, level: Level) -> impl Subscriber + Send + Sync + 'static {
        let layer = tracing_subscriber::fmt::layer()
            .with_writer(self.clone())
            .with_ansi(false)
            .without_time()
            .with_target(false);
        tracing_subscriber::registry()
            .with(layer)
            .with(Targets::new().with_target(target, level))
    }

    /// Every line captured so far, trimmed.
    pub fn lines(&self) -> Vec<String> {
        let buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&buffer)
            .lines()
            .map(|line| line.trim().to_string())
            .collect()
    }

    /// The lines captured since the last call (or since the start), trimmed.
    pub fn take(&self) -> Vec<String> {
        let taken = std::mem::take(&mut *self.buffer.lock().unwrap_or_else(PoisonError::into_inner));
        String::from_utf8_lossy(&taken)
            .lines()
            .map(|line| line.trim().to_string())
            .collect()
    }
}

impl io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_the_level_the_message_and_the_fields_of_the_target_only() {
        let capture = LogCapture::new();
        tracing::subscriber::with_default(capture.subscriber("rollouts_testkit", Level::INFO), || {
            tracing::info!(namespace = %"default", rollout = %"web", "Created ReplicaSet {}", "web-abc");
            tracing::debug!("not at info");
            tracing::warn!(target: "elsewhere", "another target");
        });
        assert_eq!(
            capture.take(),
            ["INFO Created ReplicaSet web-abc namespace=default rollout=web"]
        );
        assert!(capture.lines().is_empty());
    }
}
