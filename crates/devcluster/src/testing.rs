//! A dev cluster for tests: started on its own runtime thread, with a private data directory, kubeconfig
//! and kubectl cache, and helpers to run the real `kubectl` against it. Stopped (and its directory
//! removed) on drop.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::sim::SimConfig;
use crate::{Config, DevCluster, StartError};

/// Estimated heap bytes of a JSON value, as the store counts them against its bound on watch history; for
/// tests that check that bound.
pub use crate::store::heap_size;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running dev cluster owned by a test.
pub struct TestCluster {
    runtime: Option<tokio::runtime::Runtime>,
    cluster: Option<DevCluster>,
    dir: PathBuf,
    keep_dir: bool,
    config: Config,
}

/// Simulation settings for tests: quick starts and a tenth of real time for sleeps and back-offs.
pub fn fast_simulation() -> SimConfig {
    SimConfig {
        start_delay: std::time::Duration::from_millis(200),
        time_scale: 0.1,
        termination_delay: std::time::Duration::from_millis(100),
        crash_after: std::time::Duration::from_millis(300),
        ..SimConfig::default()
    }
}

/// A fresh directory under the system temp dir, unique to this process and call.
pub fn temp_dir(label: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("rollouts-{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

impl TestCluster {
    /// Starts a cluster in a new temporary directory.
    pub fn start() -> Result<Self, StartError> {
        Self::start_in(&temp_dir("devcluster"), 0)
    }

    /// Starts a cluster in a new temporary directory with the simulated workloads running, fast:
    /// pods start in 200 ms and every simulated wait is a tenth of real time.
    pub fn start_simulated() -> Result<Self, StartError> {
        Self::start_with(&temp_dir("devcluster"), 0, Some(fast_simulation()))
    }

    /// Starts a cluster on `dir` (reusing what is stored there) and `port` (0: any), serving the API only.
    pub fn start_in(dir: &Path, port: u16) -> Result<Self, StartError> {
        Self::start_with(dir, port, None)
    }

    /// Starts a cluster on `dir` and `port` with the simulated workloads when `simulation` is given.
    pub fn start_with(dir: &Path, port: u16, simulation: Option<SimConfig>) -> Result<Self, StartError> {
        Self::start_installed(dir, port, simulation, Vec::new())
    }

    /// Like [`Self::start_with`], with `install` (e.g. CRDs) in place before the first request.
    pub fn start_installed(
        dir: &Path,
        port: u16,
        simulation: Option<SimConfig>,
        install: Vec<serde_json::Value>,
    ) -> Result<Self, StartError> {
        Self::start_config(Config {
            data_dir: Some(dir.to_path_buf()),
            port,
            simulation,
            install,
            ..Config::default()
        })
    }

    /// Starts a cluster in a new temporary directory, with `configure` applied to its configuration (e.g. to
    /// set connection limits).
    pub fn start_configured(configure: impl FnOnce(&mut Config)) -> Result<Self, StartError> {
        let mut config = Config {
            data_dir: Some(temp_dir("devcluster")),
            ..Config::default()
        };
        configure(&mut config);
        Self::start_config(config)
    }

    /// Starts a cluster with `config`, in a new temporary directory unless it names one.
    pub fn start_config(mut config: Config) -> Result<Self, StartError> {
        let dir = config.data_dir.get_or_insert_with(|| temp_dir("devcluster")).clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|source| StartError::Listen {
                port: config.port,
                source,
            })?;
        let cluster = runtime.block_on(DevCluster::start(config.clone()))?;
        Ok(TestCluster {
            runtime: Some(runtime),
            cluster: Some(cluster),
            dir,
            keep_dir: false,
            config,
        })
    }

    /// The running cluster.
    pub fn cluster(&self) -> &DevCluster {
        // Present from start until drop.
        self.cluster.as_ref().unwrap_or_else(|| unreachable_cluster())
    }

    /// Runs `f` on the cluster's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        match &self.runtime {
            Some(rt) => rt.block_on(f),
            None => unreachable_cluster(),
        }
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The kubeconfig path.
    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.join("kubeconfig")
    }

    /// A copy of the kubeconfig, `kubeconfig-<name>` in the cluster's directory, that authenticates with
    /// `token` (a ServiceAccount's, say) instead of the admin's.
    pub fn kubeconfig_with_token(&self, name: &str, token: &str) -> std::io::Result<PathBuf> {
        let admin = std::fs::read_to_string(self.kubeconfig())?;
        let text: String = admin
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("token:") {
                    format!("    token: {token}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        let path = self.dir.join(format!("kubeconfig-{name}"));
        std::fs::write(&path, text)?;
        Ok(path)
    }

    /// The port the cluster listens on.
    pub fn port(&self) -> u16 {
        self.cluster().addr.port()
    }

    /// A `kubectl` command aimed at this cluster (its kubeconfig, a private discovery cache).
    pub fn kubectl_command(&self) -> Command {
        let mut cmd = Command::new("kubectl");
        cmd.env("KUBECONFIG", self.kubeconfig())
            .env("KUBECACHEDIR", self.dir.join("kubectl-cache"))
            .env_remove("KUBECTL_EXTERNAL_DIFF")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs kubectl with `args`.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_command()
            .args(args)
            .output()
            .unwrap_or_else(|e| failed_to_run(&e))
    }

    /// Runs kubectl with `args`, feeding `stdin`.
    pub fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .kubectl_command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| failed_to_run(&e));
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().unwrap_or_else(|e| failed_to_run(&e))
    }

    /// Runs kubectl and returns its stdout, failing with its stderr if it exits non-zero.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        check(args, self.kubectl(args))
    }

    /// Like [`Self::kubectl_ok`] with `stdin`.
    pub fn kubectl_ok_stdin(&self, args: &[&str], stdin: &str) -> String {
        check(args, self.kubectl_stdin(args, stdin))
    }

    /// A TLS connector trusting this cluster's CA, for clients written in tests.
    pub fn tls_connector(&self) -> std::io::Result<tokio_rustls::TlsConnector> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(self.cluster().ca_pem.as_bytes()) {
            roots
                .add(cert.map_err(|e| invalid(e.to_string()))?)
                .map_err(|e| invalid(e.to_string()))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
    }

    /// Sends one HTTP/1.1 request on a new TLS connection and reads the whole answer (of known length).
    /// The cluster's bearer token is sent unless `headers` has an `Authorization` of its own.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<RawResponse> {
        let connector = self.tls_connector()?;
        let addr = self.cluster().addr;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization")) {
            head.push_str(&format!("Authorization: Bearer {}\r\n", self.cluster().token));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        self.block_on(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let tcp = tokio::net::TcpStream::connect(addr).await?;
            let name = rustls::pki_types::ServerName::from(addr.ip());
            let mut tls = connector.connect(name, tcp).await?;
            tls.write_all(head.as_bytes()).await?;
            tls.write_all(body).await?;
            tls.flush().await?;
            let mut answer = Vec::new();
            tls.read_to_end(&mut answer).await?;
            RawResponse::parse(&answer)
        })
    }

    /// Stops the cluster, keeping its directory, and returns the directory and port.
    pub fn stop(mut self) -> (PathBuf, u16) {
        let port = self.port();
        self.keep_dir = true;
        self.shutdown();
        (self.dir.clone(), port)
    }

    /// Stops and starts again on the same directory and port, with the same settings.
    pub fn restart(self) -> Result<Self, StartError> {
        let config = self.config.clone();
        let (_, port) = self.stop();
        Self::start_config(Config { port, ..config })
    }

    fn shutdown(&mut self) {
        if let (Some(rt), Some(cluster)) = (self.runtime.as_ref(), self.cluster.take()) {
            rt.block_on(cluster.stop());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
        }
    }
}

/// An HTTP answer read by [`TestCluster::request`].
#[derive(Clone)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl RawResponse {
    fn parse(raw: &[u8]) -> std::io::Result<Self> {
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP/1.1 answer");
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(bad)?;
        let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad())?;
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .ok_or_else(bad)?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut response = RawResponse {
            status,
            headers,
            body: raw[end + 4..].to_vec(),
        };
        if response
            .header_values("transfer-encoding")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("chunked"))
        {
            response.body = dechunk(&response.body).ok_or_else(bad)?;
        }
        Ok(response)
    }

    /// Every value of the header `name`.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as JSON (`null` if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// The data of a chunked body.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

#[allow(clippy::panic)]
fn unreachable_cluster() -> ! {
    panic!("the test cluster was already stopped")
}

#[allow(clippy::panic)]
fn failed_to_run(e: &std::io::Error) -> ! {
    panic!("cannot run kubectl: {e}")
}

#[allow(clippy::panic)]
fn check(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "kubectl {} failed ({}):\nstdout: {}\nstderr: {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether the real kubectl is available (tests that need it skip, loudly, when it is not).
pub fn kubectl_available() -> bool {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: kubectl is not on PATH");
    }
    ok
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        self.shutdown();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
