//! Out of file handles, `accept` fails at once while the connection waits in the backlog: the server pauses
//! between attempts (5 ms doubling to 1 s, as Go's does) rather than spinning, and serves the connection once
//! handles are free again.
//!
//! The file-handle limit is process-wide, so this binary holds this one test only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs::File;
use std::time::Duration;

use rollouts_devcluster::ConnectionLimits;
use rollouts_devcluster::testing::TestCluster;
use rustix::process::{Resource, getrlimit, setrlimit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn highest_open_fd() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap()
}

#[test]
fn accept_errors_back_off_and_the_server_recovers() {
    let tc = TestCluster::start_configured(|c| {
        c.connections = ConnectionLimits {
            tls_handshake_timeout: Duration::from_secs(60),
            ..ConnectionLimits::default()
        }
    })
    .unwrap();
    let addr = tc.cluster().addr;
    let connector = tc.tls_connector().unwrap();
    let original = getrlimit(Resource::Nofile);

    // Every handle number below the limit in use, but one for the client's socket.
    let limit = highest_open_fd() + 16;
    setrlimit(
        Resource::Nofile,
        rustix::process::Rlimit {
            current: Some(limit),
            maximum: original.maximum,
        },
    )
    .unwrap();
    let mut fillers = Vec::new();
    while let Ok(f) = File::open("/dev/null") {
        fillers.push(f);
    }
    fillers.pop();
    let client = std::net::TcpStream::connect(addr);
    let errors_before = tc.cluster().server.accept_errors();
    std::thread::sleep(Duration::from_secs(1));
    let errors = tc.cluster().server.accept_errors() - errors_before;
    // Handles again: the connection waiting in the backlog is accepted and served.
    drop(fillers);
    setrlimit(Resource::Nofile, original).unwrap();
    let client = client.unwrap();

    // Without a pause this is hundreds of thousands of failed attempts a second.
    assert!(errors >= 1, "accept never failed: the test did not exhaust the handles");
    assert!(errors <= 20, "{errors} failed accepts in one second");
    let version = format!(
        "GET /version HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        tc.cluster().token
    );
    let answer = tc.block_on(async move {
        client.set_nonblocking(true).unwrap();
        let tcp = tokio::net::TcpStream::from_std(client).unwrap();
        let served = async {
            let mut tls = connector
                .connect(rustls::pki_types::ServerName::from(addr.ip()), tcp)
                .await
                .unwrap();
            tls.write_all(version.as_bytes()).await.unwrap();
            let mut answer = Vec::new();
            let _ = tls.read_to_end(&mut answer).await;
            String::from_utf8_lossy(&answer).into_owned()
        };
        tokio::time::timeout(Duration::from_secs(10), served).await
    });
    let answer = answer.expect("the waiting connection was served once handles were free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
