//! `/healthz` on a port of its own (upstream's `--healthzPort`, 8080), beside the metrics server's
//! (`--metricsPort`, 8090). It answers `ok` from the start, on followers too, as upstream's does: a
//! follower waiting for the lease is healthy.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::error::ControllerError;

/// The running server; [`HealthServer::stop`] ends it and its open connections.
pub struct HealthServer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
    addr: SocketAddr,
}

impl HealthServer {
    /// Binds `addr` (port 0: any free port) and starts answering.
    pub async fn start(addr: SocketAddr) -> Result<Self, ControllerError> {
        let bind_error = |source| ControllerError::HealthBind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let bound = listener.local_addr().map_err(bind_error)?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, stopped));
        Ok(Self {
            stop,
            task,
            addr: bound,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

async fn serve(listener: TcpListener, mut stopped: oneshot::Receiver<()>) {
    // Dropping the set when the loop ends aborts the connections still open (keep-alive probes).
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: pause rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            continue;
        };
        connections.spawn(async move {
            let service = service_fn(|request: Request<Incoming>| {
                let response = respond(request.method(), request.uri().path());
                async move { Ok::<_, Infallible>(response) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond(method: &Method, path: &str) -> Response<Full<Bytes>> {
    let (status, body) = match (method, path) {
        (&Method::GET | &Method::HEAD, "/healthz") => (StatusCode::OK, "ok"),
        (_, "/healthz") => (StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n"),
        _ => (StatusCode::NOT_FOUND, "not found\n"),
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_healthz_is_served() {
        assert_eq!(respond(&Method::GET, "/healthz").status(), StatusCode::OK);
        assert_eq!(respond(&Method::GET, "/metrics").status(), StatusCode::NOT_FOUND);
        assert_eq!(
            respond(&Method::POST, "/healthz").status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
