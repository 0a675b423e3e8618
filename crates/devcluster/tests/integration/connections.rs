//! Client connections are bounded: ones that never finish TLS are closed after the handshake timeout, idle
//! keep-alive ones after the idle timeout (but not a quiet watch), and beyond the cap new ones wait for a
//! free slot; a normal client is served all along. The bearer scheme is case-insensitive.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use rollouts_devcluster::ConnectionLimits;
use rollouts_devcluster::testing::TestCluster;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn start(limits: ConnectionLimits) -> TestCluster {
    TestCluster::start_configured(|c| c.connections = limits).unwrap()
}

/// Waits (at most `within`) for the server to close `stream`: end of file or a reset.
async fn closed_by_server(stream: &mut (impl AsyncRead + Unpin), within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read_all).await.is_ok()
}

async fn tls_connect(
    tc: &TestCluster,
    addr: SocketAddr,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::from(addr.ip());
    tc.tls_connector()?.connect(name, tcp).await
}

/// Reads one answer (a body of known length, or chunked); returns its head.
async fn read_answer(stream: &mut (impl AsyncRead + Unpin)) -> String {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "answer cut short: {raw:?}");
        raw.push(byte[0]);
    }
    let head = String::from_utf8(raw).unwrap();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    if let Some(length) = header("content-length") {
        let mut body = vec![0u8; length.parse().unwrap()];
        stream.read_exact(&mut body).await.unwrap();
    } else {
        assert_eq!(header("transfer-encoding").as_deref(), Some("chunked"), "{head}");
        // JSON bodies hold no raw line breaks, so the last chunk is the first empty line pair after a 0.
        let mut body = Vec::new();
        while !body.ends_with(b"\r\n0\r\n\r\n") && body != b"0\r\n\r\n" {
            assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "body cut short");
            body.push(byte[0]);
        }
    }
    head
}

fn get_version(tc: &TestCluster) -> String {
    format!(
        "GET /version HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n",
        tc.cluster().addr,
        tc.cluster().token
    )
}

#[test]
fn connections_that_never_finish_tls_are_closed_and_others_are_served_meanwhile() {
    let tc = start(ConnectionLimits {
        tls_handshake_timeout: Duration::from_secs(2),
        ..ConnectionLimits::default()
    });
    let addr = tc.cluster().addr;
    // 300 connections that say nothing, and a few that stop in the middle of a ClientHello.
    let mut idle = tc.block_on(async {
        let mut conns = Vec::new();
        for i in 0..300 {
            let mut s = TcpStream::connect(addr).await.unwrap();
            if i % 50 == 0 {
                s.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00]).await.unwrap();
            }
            conns.push(s);
        }
        conns
    });
    common::wait_for("the idle connections to be accepted", Duration::from_secs(10), || {
        tc.cluster().server.open_connections() >= 300
    });
    // kubectl and a plain client are served while they are open.
    let answer = tc.request("GET", "/version", &[], b"").unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    if rollouts_devcluster::testing::kubectl_available() {
        tc.kubectl_ok(&["get", "namespaces"]);
    }
    // Every one of them is closed by the server after the handshake timeout.
    let closed = tc.block_on(async {
        let waits = idle.iter_mut().map(|s| closed_by_server(s, Duration::from_secs(15)));
        futures::future::join_all(waits).await
    });
    assert!(
        closed.iter().all(|c| *c),
        "{} left open",
        closed.iter().filter(|c| !**c).count()
    );
    common::wait_for("no connection to be left open", Duration::from_secs(10), || {
        tc.cluster().server.open_connections() == 0
    });
}

#[test]
fn idle_connections_are_closed_but_a_quiet_watch_is_not() {
    let idle_timeout = Duration::from_millis(500);
    let tc = start(ConnectionLimits {
        idle_timeout,
        ..ConnectionLimits::default()
    });
    let addr = tc.cluster().addr;
    tc.block_on(async {
        // Handshake done, no request ever.
        let mut silent = tls_connect(&tc, addr).await.unwrap();
        // One request answered, then the connection is kept alive and idle.
        let mut kept = tls_connect(&tc, addr).await.unwrap();
        kept.write_all(get_version(&tc).as_bytes()).await.unwrap();
        let head = read_answer(&mut kept).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(closed_by_server(&mut silent, Duration::from_secs(10)).await);
        assert!(closed_by_server(&mut kept, Duration::from_secs(10)).await);
    });

    // A watch that hears nothing for several idle timeouts still delivers the next event.
    let mut watch = tc.block_on(async {
        let mut w = tls_connect(&tc, addr).await.unwrap();
        let request = format!(
            "GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\r\n",
            tc.cluster().token
        );
        w.write_all(request.as_bytes()).await.unwrap();
        w
    });
    std::thread::sleep(idle_timeout * 4);
    let created = tc
        .request(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            &[("Content-Type", "application/json")],
            br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after-a-quiet-while"}}"#,
        )
        .unwrap();
    assert_eq!(created.status, 201, "{created:?}");
    let seen = tc.block_on(async {
        let mut text = String::new();
        let mut buf = [0u8; 4096];
        let read = async {
            while !text.contains("after-a-quiet-while") {
                let n = watch.read(&mut buf).await.unwrap();
                assert!(n > 0, "the watch was closed: {text}");
                text.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read).await.is_ok()
    });
    assert!(seen, "the watch delivered no event");
}

#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let tc = start(ConnectionLimits {
        tls_handshake_timeout: Duration::from_secs(60),
        max_connections: 3,
        ..ConnectionLimits::default()
    });
    let addr = tc.cluster().addr;
    let mut idle = tc.block_on(async {
        let mut conns = Vec::new();
        for _ in 0..3 {
            conns.push(TcpStream::connect(addr).await.unwrap());
        }
        conns
    });
    common::wait_for("the three connections to be accepted", Duration::from_secs(10), || {
        tc.cluster().server.open_connections() == 3
    });
    // A fourth client connects (the backlog takes it) but is not served while the three hold every slot.
    let connector = tc.tls_connector().unwrap();
    let runtime = tc.block_on(async { tokio::runtime::Handle::current() });
    let fourth = runtime.spawn(async move {
        let tcp = TcpStream::connect(addr).await?;
        connector
            .connect(rustls::pki_types::ServerName::from(addr.ip()), tcp)
            .await
    });
    std::thread::sleep(Duration::from_secs(1));
    assert!(!fourth.is_finished(), "a fourth connection was served beyond the cap");
    assert_eq!(tc.cluster().server.open_connections(), 3);
    // One of the three leaves: the fourth gets its slot and is served.
    drop(idle.pop());
    let mut fourth = tc.block_on(async { tokio::time::timeout(Duration::from_secs(10), fourth).await });
    let stream = fourth
        .as_mut()
        .expect("the fourth connection was served after a slot freed")
        .as_mut()
        .unwrap()
        .as_mut()
        .unwrap();
    let version = get_version(&tc);
    let head = tc.block_on(async {
        stream.write_all(version.as_bytes()).await.unwrap();
        read_answer(stream).await
    });
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let tc = start(ConnectionLimits::default());
    let token = tc.cluster().token.clone();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let auth = format!("{scheme} {token}");
        let answer = tc
            .request(
                "GET",
                "/api/v1/namespaces/default",
                &[("Authorization", auth.as_str())],
                b"",
            )
            .unwrap();
        assert_eq!(answer.status, 200, "{scheme}: {answer:?}");
    }
    for auth in [
        format!("Basic {token}"),
        "bearer wrong".to_string(),
        format!("bearer  {token}"),
    ] {
        let answer = tc
            .request(
                "GET",
                "/api/v1/namespaces/default",
                &[("Authorization", auth.as_str())],
                b"",
            )
            .unwrap();
        assert_eq!(answer.status, 401, "{auth}: {answer:?}");
    }
}
