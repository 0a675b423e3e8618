//! Accepting and serving client connections, with the limits Go's `http.Server` applies for
//! kube-apiserver: a deadline for the TLS handshake, one for an idle connection's next request, a cap on
//! open connections, and a pause after a failed accept. Without them, connections that never start TLS
//! pile up until the process runs out of file handles, and then `accept` fails at once, again and again,
//! spinning a core while the pending connections wait in the backlog.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::ApiServer;

/// Limits on client connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// How long a client has to complete the TLS handshake before the connection is closed
    /// (kube-apiserver: 10 s).
    pub tls_handshake_timeout: Duration,
    /// How long a connection may wait for (the head of) its next request before it is closed: an idle
    /// keep-alive connection (Go's `IdleTimeout`, 90 s for kube-apiserver), or one that sends its request
    /// line and headers too slowly. A connection streaming a response, such as a watch, is never idle.
    pub idle_timeout: Duration,
    /// Connections served at once. Beyond it, new connections are not accepted (they wait in the
    /// listen backlog) until one closes, so they cannot use up the process's file handles.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            tls_handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(90),
            // Well below the usual soft limit of 1024 file handles, leaving room for the store and the
            // clients running in the same process.
            max_connections: 512,
        }
    }
}

/// The pause after a failed `accept`, as Go's `http.Server` takes it: 5 ms, doubling up to 1 s, back to
/// none after a success.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    delay: Option<Duration>,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(5);
    const MAX: Duration = Duration::from_secs(1);

    /// The pause after one more failure.
    pub(crate) fn failed(&mut self) -> Duration {
        let next = self.delay.map_or(Self::FIRST, |d| (d * 2).min(Self::MAX));
        self.delay = Some(next);
        next
    }

    /// Accepting works again.
    pub(crate) fn succeeded(&mut self) {
        self.delay = None;
    }
}

/// A connection's place among the open ones, given back (and counted out) when it closes.
struct Slot {
    server: Arc<ApiServer>,
    _permit: OwnedSemaphorePermit,
}

impl Slot {
    fn take(server: &Arc<ApiServer>, permit: OwnedSemaphorePermit) -> Slot {
        server.open_connections.fetch_add(1, Ordering::Relaxed);
        Slot {
            server: Arc::clone(server),
            _permit: permit,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.server.open_connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How often a full house is reported.
const FULL_REPORT_INTERVAL: Duration = Duration::from_secs(60);

impl ApiServer {
    /// Serves HTTPS on `listener` within `limits` until `shutdown` completes.
    pub(crate) async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        tls: Arc<rustls::ServerConfig>,
        limits: ConnectionLimits,
        shutdown: impl Future<Output = ()>,
    ) {
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        if let Ok(addr) = listener.local_addr() {
            self.set_address(addr.to_string());
        }
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let mut backoff = AcceptBackoff::default();
        let mut reported_full: Option<Instant> = None;
        tokio::pin!(shutdown);
        loop {
            if slots.available_permits() == 0 && reported_full.is_none_or(|t| t.elapsed() >= FULL_REPORT_INTERVAL) {
                tracing::warn!(
                    "{} client connections are open: new ones wait until one closes",
                    limits.max_connections
                );
                reported_full = Some(Instant::now());
            }
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = Arc::clone(&slots).acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => accepted,
            };
            let stream = match accepted {
                Ok((stream, _)) => {
                    backoff.succeeded();
                    stream
                }
                Err(e) => {
                    // Typically out of file handles (EMFILE): the connection stays in the backlog and the
                    // listener stays ready, so retrying at once would only spin.
                    let delay = backoff.failed();
                    self.accept_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!("accepting a connection: {e}; retrying in {delay:?}");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(delay) => continue,
                    }
                }
            };
            tokio::spawn(serve_connection(
                Arc::clone(&self),
                acceptor.clone(),
                stream,
                limits.clone(),
                permit,
            ));
        }
    }
}

/// One connection: TLS, then HTTP/1.1 requests until the client leaves or stays idle too long. The
/// permit is its slot among the open connections.
async fn serve_connection(
    server: Arc<ApiServer>,
    acceptor: tokio_rustls::TlsAcceptor,
    stream: TcpStream,
    limits: ConnectionLimits,
    permit: OwnedSemaphorePermit,
) {
    let _slot = Slot::take(&server, permit);
    let _ = stream.set_nodelay(true);
    let stream = match tokio::time::timeout(limits.tls_handshake_timeout, acceptor.accept(stream)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            tracing::debug!("TLS handshake failed: {e}");
            return;
        }
        Err(_) => {
            tracing::debug!(
                "TLS handshake not done after {:?}: connection closed",
                limits.tls_handshake_timeout
            );
            return;
        }
    };
    let service = service_fn(move |req| {
        let server = Arc::clone(&server);
        async move { Ok::<_, Infallible>(server.handle(req).await) }
    });
    // hyper's header read timeout runs whenever the connection waits for a request head, which covers
    // both Go's IdleTimeout (between requests) and ReadHeaderTimeout; it does not run while a response
    // (a watch) is being written.
    let result = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(e) = result {
        tracing::debug!("connection ended: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_backoff_doubles_from_5ms_to_1s_and_resets() {
        let mut b = AcceptBackoff::default();
        let delays: Vec<u64> = (0..10).map(|_| b.failed().as_millis() as u64).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        b.succeeded();
        assert_eq!(b.failed(), Duration::from_millis(5));
    }
}
