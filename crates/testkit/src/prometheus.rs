//! A real Prometheus server for tests, scraping an exporter the test controls.
//!
//! [`prometheus_or_skip`] starts the `prometheus` binary (from `ROLLOUTS_PROMETHEUS_BIN`, else the
//! `PATH`; Debian's `prometheus` package provides it) on a free port of 127.0.0.1, with a throwaway
//! configuration and storage directory and a 1s scrape interval, scraping an [`Exporter`]: a
//! `/metrics` endpoint served by the test whose series and values the test sets. It waits until the
//! exporter is scraped (`up == 1`), so queries see data from then on.
//!
//! Prometheus runs under a small `sh` wrapper that stops it, and removes the throwaway directory, as
//! soon as its standard input (a pipe held by the harness) closes: when the [`PrometheusServer`] is
//! dropped, also while a test panics, and even when the test process is killed outright.
//!
//! When the binary is absent the test is skipped with a `SKIPPED <test>: prometheus not installed`
//! notice, unless `ROLLOUTS_REQUIRE_PROMETHEUS=1`, in which case it fails.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::http::{StubResponse, StubServer, get, query_escape};

/// How long Prometheus may take to become ready and scrape its target once.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The `job` label of the exporter's series.
pub const EXPORTER_JOB: &str = "exporter";

/// A `/metrics` endpoint in the Prometheus text format whose series the test sets.
pub struct Exporter {
    server: StubServer,
    series: Arc<Mutex<BTreeMap<String, f64>>>,
}

impl Exporter {
    /// Starts an exporter with no series on a free port of 127.0.0.1.
    pub fn start() -> io::Result<Self> {
        let series: Arc<Mutex<BTreeMap<String, f64>>> = Arc::default();
        let shared = series.clone();
        let server = StubServer::start(move |request| {
            if request.path() != "/metrics" {
                return StubResponse::text(404, "not found");
            }
            let body = shared.lock().map(|s| render(&s)).unwrap_or_default();
            StubResponse::text(200, body).with_header("Content-Type", "text/plain; version=0.0.4")
        })?;
        Ok(Self { server, series })
    }

    /// Sets a series, written as in the exposition format: `name` or `name{label="value",...}`.
    pub fn set(&self, series: &str, value: f64) {
        if let Ok(mut all) = self.series.lock() {
            all.insert(series.to_string(), value);
        }
    }

    /// Stops exposing a series.
    pub fn remove(&self, series: &str) {
        if let Ok(mut all) = self.series.lock() {
            all.remove(series);
        }
    }

    /// `127.0.0.1:<port>`, the scrape target.
    pub fn target(&self) -> String {
        self.server.addr().to_string()
    }

    /// How many times the endpoint was requested.
    pub fn scrapes(&self) -> usize {
        self.server.requests().len()
    }
}

fn render(series: &BTreeMap<String, f64>) -> String {
    let mut out = String::new();
    for (name, value) in series {
        let value = if value.is_nan() {
            "NaN".to_string()
        } else if value.is_infinite() {
            if *value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
        } else {
            value.to_string()
        };
        out.push_str(&format!("{name} {value}\n"));
    }
    out
}

/// The `prometheus` binary: `ROLLOUTS_PROMETHEUS_BIN`, else the first `prometheus` on `PATH`.
pub fn prometheus_binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("ROLLOUTS_PROMETHEUS_BIN") {
        let bin = PathBuf::from(bin);
        return bin.is_file().then_some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("prometheus"))
        .find(|candidate| candidate.is_file())
}

/// A running Prometheus with its exporter, or `None` after printing why the calling test is skipped.
///
/// # Panics
/// When the binary is absent and `ROLLOUTS_REQUIRE_PROMETHEUS=1`, or when it is present but does
/// not start.
#[allow(clippy::panic)]
pub fn prometheus_or_skip(test: &str) -> Option<PrometheusServer> {
    prometheus_scraping_or_skip(test, &[])
}

/// Like [`prometheus_or_skip`], also scraping `targets` (`(job, "127.0.0.1:port")`, path `/metrics`).
///
/// # Panics
/// As [`prometheus_or_skip`].
#[allow(clippy::panic)]
pub fn prometheus_scraping_or_skip(test: &str, targets: &[(&str, String)]) -> Option<PrometheusServer> {
    let Some(binary) = prometheus_binary() else {
        assert!(
            std::env::var("ROLLOUTS_REQUIRE_PROMETHEUS").as_deref() != Ok("1"),
            "{test}: prometheus not installed (install Debian's `prometheus` package or set ROLLOUTS_PROMETHEUS_BIN)"
        );
        eprintln!(
            "SKIPPED {test}: prometheus not installed (install Debian's `prometheus` package or set ROLLOUTS_PROMETHEUS_BIN)"
        );
        return None;
    };
    match PrometheusServer::start_scraping(&binary, targets) {
        Ok(server) => Some(server),
        Err(e) => panic!("{test}: {e}"),
    }
}

/// A Prometheus process scraping an [`Exporter`]; stopped and cleaned up when dropped.
pub struct PrometheusServer {
    exporter: Exporter,
    url: String,
    dir: PathBuf,
    wrapper: Child,
    /// Closing it stops Prometheus (see the module docs).
    stdin: Option<ChildStdin>,
    pid: Option<u32>,
}

/// Starts the binary in the background, prints its pid, and once standard input closes stops it and
/// removes its scratch directory.
const WRAPPER: &str = r#"
"$0" "$@" >"$ROLLOUTS_PROMETHEUS_DIR/prometheus.log" 2>&1 </dev/null &
pid=$!
echo "$pid"
cat >/dev/null
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
case "$ROLLOUTS_PROMETHEUS_DIR" in
  */rollouts-prometheus-*) rm -rf "$ROLLOUTS_PROMETHEUS_DIR" ;;
esac
exit 0
"#;

static INSTANCE: AtomicUsize = AtomicUsize::new(0);

impl PrometheusServer {
    /// Starts `binary` with a fresh exporter as its only target and waits until it has scraped it.
    pub fn start(binary: &Path) -> Result<Self, String> {
        Self::start_scraping(binary, &[])
    }

    /// Like [`PrometheusServer::start`], also scraping `targets` (`(job, "host:port")`).
    pub fn start_scraping(binary: &Path, targets: &[(&str, String)]) -> Result<Self, String> {
        let mut last_error = String::new();
        // A free port can be taken by someone else before Prometheus binds it: try a few.
        for _ in 0..3 {
            let exporter = Exporter::start().map_err(|e| format!("cannot start the exporter: {e}"))?;
            let dir = scratch_dir().map_err(|e| format!("cannot create a scratch directory: {e}"))?;
            let (wrapper, stdin, pid, url) = match Self::launch(binary, &dir, &exporter, targets) {
                Ok(launched) => launched,
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    return Err(e);
                }
            };
            let mut server = Self {
                exporter,
                url,
                dir,
                wrapper,
                stdin: Some(stdin),
                pid,
            };
            match server.wait_until_scraped() {
                Ok(()) => return Ok(server),
                Err(e) if e.contains("address already in use") => last_error = e,
                Err(e) => return Err(e),
            }
        }
        Err(last_error)
    }

    fn launch(
        binary: &Path,
        dir: &Path,
        exporter: &Exporter,
        targets: &[(&str, String)],
    ) -> Result<(Child, ChildStdin, Option<u32>, String), String> {
        let port = free_port().map_err(|e| format!("cannot find a free port: {e}"))?;
        let config = dir.join("prometheus.yml");
        let mut text = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: {EXPORTER_JOB}\n    static_configs:\n      - targets: ['{}']\n",
            exporter.target()
        );
        for (job, target) in targets {
            text.push_str(&format!(
                "  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
            ));
        }
        std::fs::write(&config, text).map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let mut wrapper = Command::new("sh")
            .arg("-c")
            .arg(WRAPPER)
            .arg(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .env("ROLLOUTS_PROMETHEUS_DIR", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let stdin = wrapper.stdin.take();
        let pid = wrapper.stdout.take().and_then(|out| {
            let mut line = String::new();
            BufReader::new(out).read_line(&mut line).ok()?;
            line.trim().parse().ok()
        });
        match stdin {
            Some(stdin) => Ok((wrapper, stdin, pid, format!("http://127.0.0.1:{port}"))),
            None => {
                let _ = wrapper.kill();
                let _ = wrapper.wait();
                Err("the wrapper shell has no standard input".to_string())
            }
        }
    }

    fn wait_until_scraped(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Ok(Some(_)) = self.wrapper.try_wait() {
                return Err(format!("prometheus exited during startup:\n{}", self.log_tail()));
            }
            if self.log_tail().contains("address already in use") {
                return Err(format!("prometheus could not listen:\n{}", self.log_tail()));
            }
            let ready = get(&format!("{}/-/ready", self.url), Duration::from_secs(2)).is_ok_and(|(s, _)| s == 200);
            if ready
                && self
                    .series_count(&format!("up{{job=\"{EXPORTER_JOB}\"}} == 1"))
                    .unwrap_or(0)
                    > 0
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "prometheus did not scrape its exporter within {STARTUP_TIMEOUT:?}:\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The exporter Prometheus scrapes every second.
    pub fn exporter(&self) -> &Exporter {
        &self.exporter
    }

    /// The `data` of an instant query's answer (`{"resultType": ..., "result": ...}`).
    pub fn query(&self, promql: &str) -> Result<serde_json::Value, String> {
        let url = format!("{}/api/v1/query?query={}", self.url, query_escape(promql));
        let (status, body) = get(&url, Duration::from_secs(10)).map_err(|e| format!("GET {url}: {e}"))?;
        let answer: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("GET {url}: {status}: {e}: {body}"))?;
        if answer.get("status").and_then(|s| s.as_str()) != Some("success") {
            return Err(format!("GET {url}: {status}: {body}"));
        }
        Ok(answer.get("data").cloned().unwrap_or_default())
    }

    /// How many series an instant query returns (0 for a scalar).
    pub fn series_count(&self, promql: &str) -> Result<usize, String> {
        let data = self.query(promql)?;
        Ok(data
            .get("result")
            .filter(|_| data.get("resultType").and_then(|t| t.as_str()) == Some("vector"))
            .and_then(|r| r.as_array())
            .map_or(0, Vec::len))
    }

    /// Waits until `promql` returns at least `series` series.
    pub fn wait_for_series(&self, promql: &str, series: usize, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.series_count(promql)?;
            if found >= series {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "`{promql}` returned {found} series, not {series}, within {timeout:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until every sample of `promql` satisfies `check` (and there is at least one).
    pub fn wait_for_values(
        &self,
        promql: &str,
        check: impl Fn(&[f64]) -> bool,
        timeout: Duration,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let data = self.query(promql)?;
            let values: Vec<f64> = data
                .get("result")
                .and_then(|r| r.as_array())
                .map(|series| {
                    series
                        .iter()
                        .filter_map(|s| s.get("value")?.get(1)?.as_str()?.parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            if !values.is_empty() && check(&values) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("`{promql}` still returned {values:?} after {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The last lines of Prometheus' log.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(self.dir.join("prometheus.log")) {
            let _ = file.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops Prometheus and waits for it (idempotent).
    fn stop(&mut self) {
        // Closing the pipe makes the wrapper stop Prometheus and wait for it.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match self.wrapper.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() > deadline => {
                    if let Some(pid) = self.pid {
                        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
                    }
                    let _ = self.wrapper.kill();
                    let _ = self.wrapper.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn scratch_dir() -> io::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "rollouts-prometheus-{}-{}-{nanos}",
        std::process::id(),
        INSTANCE.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporter_renders_the_text_format() {
        let exporter = Exporter::start().unwrap();
        exporter.set(r#"x{a="1"}"#, 0.5);
        exporter.set("y", f64::NAN);
        exporter.set("z", f64::INFINITY);
        exporter.remove("y");
        let (status, body) = get(&format!("http://{}/metrics", exporter.target()), Duration::from_secs(5)).unwrap();
        assert_eq!(status, 200);
        assert_eq!(body, "x{a=\"1\"} 0.5\nz +Inf\n");
        assert_eq!(exporter.scrapes(), 1);
    }

    fn alive(pid: u32) -> bool {
        Command::new("kill")
            .arg("-0")
            .arg(pid.to_string())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    #[test]
    fn a_panicking_test_stops_prometheus() {
        let Some(server) = prometheus_or_skip("a_panicking_test_stops_prometheus") else {
            return;
        };
        let pid = server.pid.expect("the wrapper reports the pid");
        let dir = server.dir.clone();
        assert!(alive(pid));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _server = server;
            panic!("a failing assertion");
        }));
        assert!(outcome.is_err());
        assert!(!alive(pid), "prometheus ({pid}) still runs after a panic");
        assert!(!dir.exists());
    }

    #[test]
    fn real_prometheus_scrapes_the_exporter_and_stops_on_drop() {
        let Some(server) = prometheus_or_skip("real_prometheus_scrapes_the_exporter_and_stops_on_drop") else {
            return;
        };
        server.exporter().set(r#"harness_gauge{k="v"}"#, 42.0);
        server
            .wait_for_values("harness_gauge", |v| v == [42.0], Duration::from_secs(30))
            .unwrap();
        server.exporter().set(r#"harness_gauge{k="v"}"#, 7.0);
        server
            .wait_for_values("harness_gauge", |v| v == [7.0], Duration::from_secs(30))
            .unwrap();
        let pid = server.pid.expect("the wrapper reports the pid");
        let dir = server.dir.clone();
        assert!(alive(pid));
        drop(server);
        assert!(
            !alive(pid),
            "prometheus ({pid}) still runs after the harness was dropped"
        );
        assert!(!dir.exists());
    }
}
