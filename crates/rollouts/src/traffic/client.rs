//! One keep-alive HTTP/1.1 connection to the dev cluster's ingress, reopened when it breaks.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::tally::Outcome;

/// What every request carries.
#[derive(Debug, Clone)]
pub struct Target {
    /// The ingress listener.
    pub addr: SocketAddr,
    /// The Host header.
    pub host: String,
    /// The path (with any query).
    pub path: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
}

/// A connection used for one request at a time.
#[derive(Default)]
pub struct Connection {
    sender: Option<SendRequest<Empty<Bytes>>>,
}

impl Connection {
    /// Sends one GET and reads the whole answer.
    pub async fn get(&mut self, target: &Target) -> Outcome {
        match self.try_get(target).await {
            Ok(outcome) => outcome,
            Err(reason) => {
                // A broken connection is not reused.
                self.sender = None;
                Outcome::Failed(reason)
            }
        }
    }

    async fn try_get(&mut self, target: &Target) -> Result<Outcome, String> {
        let sender = match &mut self.sender {
            Some(sender) if !sender.is_closed() => sender,
            _ => self.sender.insert(connect(target.addr).await?),
        };
        sender.ready().await.map_err(|e| e.to_string())?;
        let mut request = hyper::Request::get(target.path.as_str()).header(hyper::header::HOST, target.host.as_str());
        for (name, value) in &target.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = request.body(Empty::new()).map_err(|e| e.to_string())?;
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(Outcome::Answer {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Empty<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connecting to {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("connecting to {addr}: {e}"))?;
    tokio::spawn(async move {
        // The connection ends with an error when the server goes away; the next request reconnects.
        let _ = connection.await;
    });
    Ok(sender)
}
