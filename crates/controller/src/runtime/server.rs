//! A tiny HTTP/1 server for `/metrics` (Prometheus text format, 0.0.4) and `/healthz`.

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
use crate::runtime::metrics::Metrics;

/// The running server; [`MetricsServer::stop`] ends it and its open connections.
pub struct MetricsServer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl MetricsServer {
    /// Binds `addr` and starts serving `metrics`.
    pub async fn start(addr: SocketAddr, metrics: Metrics) -> Result<Self, ControllerError> {
        let bind_error = |source| ControllerError::MetricsBind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        metrics.set_endpoint(listener.local_addr().map_err(bind_error)?);
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, metrics, stopped));
        Ok(Self { stop, task })
    }

    /// Stops serving.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

async fn serve(listener: TcpListener, metrics: Metrics, mut stopped: oneshot::Receiver<()>) {
    // Dropping the set when the loop ends aborts the connections still open (keep-alive clients).
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!(%error, "accepting a metrics connection");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let metrics = metrics.clone();
        connections.spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let response = respond(request.method(), request.uri().path(), &metrics);
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "metrics connection");
            }
        });
    }
}

fn respond(method: &Method, path: &str, metrics: &Metrics) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match (method, path) {
        (&Method::GET, "/metrics") => (
            StatusCode::OK,
            crate::runtime::metrics::family::CONTENT_TYPE,
            metrics.render(),
        ),
        (&Method::GET, "/healthz") => (StatusCode::OK, "text/plain; charset=utf-8", "ok".to_string()),
        (_, "/metrics" | "/healthz") => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "method not allowed\n".to_string(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found\n".to_string(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_answer_metrics_health_and_not_found() {
        let metrics = Metrics::new();
        assert_eq!(respond(&Method::GET, "/healthz", &metrics).status(), StatusCode::OK);
        let response = respond(&Method::GET, "/metrics", &metrics);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers().get(hyper::header::CONTENT_TYPE).unwrap(),
            "text/plain; version=0.0.4; charset=utf-8"
        );
        assert_eq!(
            respond(&Method::POST, "/metrics", &metrics).status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(respond(&Method::GET, "/", &metrics).status(), StatusCode::NOT_FOUND);
    }
}
