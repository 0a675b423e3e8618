//! Ending a controller's queue at shutdown. Ending the queue is what starts kube-runtime's graceful
//! shutdown of an applier: no new reconciles, the ones in flight finish.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{FutureExt, Stream, StreamExt};

/// A stream that ends once `shutdown` resolves, dropping the stream it wraps. Dropping matters: the
/// watches inside own the cache writers, and until they are gone a cache that never filled (an
/// unreachable API server) would keep the controller waiting for it.
pub struct UntilShutdown<S, F> {
    stream: Option<S>,
    shutdown: F,
}

impl<S, F> UntilShutdown<S, F> {
    /// Wraps `stream`.
    pub fn new(stream: S, shutdown: F) -> Self {
        Self {
            stream: Some(stream),
            shutdown,
        }
    }
}

impl<S: Stream + Unpin, F: Future<Output = ()> + Unpin> Stream for UntilShutdown<S, F> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = &mut *self;
        if this.stream.is_some() && this.shutdown.poll_unpin(cx).is_ready() {
            this.stream = None;
        }
        match this.stream.as_mut() {
            Some(stream) => stream.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::stream;

    use super::*;

    #[tokio::test]
    async fn the_queue_ends_and_drops_its_stream_at_shutdown() {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let dropped = Arc::new(());
        let guard = Arc::clone(&dropped);
        let inner = stream::iter([1, 2]).chain(stream::pending()).map(move |n| {
            let _ = &guard;
            n
        });
        let mut queue = UntilShutdown::new(inner.boxed(), stopped.map(|_| ()));
        assert_eq!(queue.next().await, Some(1));
        assert_eq!(queue.next().await, Some(2));
        stop.send(()).unwrap();
        assert_eq!(queue.next().await, None);
        assert_eq!(Arc::strong_count(&dropped), 1, "the wrapped stream was dropped");
        assert_eq!(queue.next().await, None);
    }
}
