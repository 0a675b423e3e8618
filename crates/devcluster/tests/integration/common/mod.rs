//! Helpers shared by the kubectl end-to-end tests: output checks, table parsing, polling, and `kubectl get -w`
//! processes read line by line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rollouts_devcluster::testing::TestCluster;

/// stdout of a finished kubectl.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr of a finished kubectl.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that kubectl failed and returns its stderr.
pub fn failed(args: &[&str], out: &Output) -> String {
    assert!(
        !out.status.success(),
        "kubectl {} should have failed, but printed:\n{}",
        args.join(" "),
        stdout(out)
    );
    stderr(out)
}

/// Runs kubectl, expecting it to fail; returns its stderr.
pub fn kubectl_err(tc: &TestCluster, args: &[&str]) -> String {
    failed(args, &tc.kubectl(args))
}

/// Like [`kubectl_err`] with `stdin`.
pub fn kubectl_err_stdin(tc: &TestCluster, args: &[&str], stdin: &str) -> String {
    failed(args, &tc.kubectl_stdin(args, stdin))
}

/// `kubectl get <what> -o jsonpath=<path>` in `namespace` (default if empty).
pub fn jsonpath(tc: &TestCluster, what: &[&str], path: &str) -> String {
    let expr = format!("jsonpath={path}");
    let mut args: Vec<&str> = vec!["get"];
    args.extend_from_slice(what);
    args.extend_from_slice(&["-o", &expr]);
    tc.kubectl_ok(&args)
}

/// Polls `f` until it holds, for at most `timeout`.
pub fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    loop {
        if f() {
            return;
        }
        assert!(
            Instant::now() <= deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `kubectl get <args>` answers NotFound.
pub fn is_gone(tc: &TestCluster, args: &[&str]) -> bool {
    let mut full = vec!["get"];
    full.extend_from_slice(args);
    let out = tc.kubectl(&full);
    !out.status.success() && stderr(&out).contains("(NotFound)")
}

/// A table as kubectl prints it: a header row and cells cut at the header's column starts.
#[derive(Debug)]
pub struct Table {
    /// Column titles.
    pub columns: Vec<String>,
    /// One map per row, column title to trimmed cell.
    pub rows: Vec<BTreeMap<String, String>>,
}

impl Table {
    /// Parses kubectl's column output (header on the first line).
    pub fn parse(text: &str) -> Table {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<char> = lines.next().unwrap_or_default().chars().collect();
        // Columns are at least three spaces apart; titles may hold single spaces ("CREATED AT").
        let mut starts = Vec::new();
        for (i, c) in header.iter().enumerate() {
            if *c != ' ' && (i == 0 || (i >= 2 && header[i - 1] == ' ' && header[i - 2] == ' ')) {
                starts.push(i);
            }
        }
        let columns: Vec<String> = starts
            .iter()
            .enumerate()
            .map(|(n, s)| {
                let end = starts.get(n + 1).copied().unwrap_or(header.len());
                header[*s..end].iter().collect::<String>().trim().to_string()
            })
            .collect();
        let rows = lines
            .map(|line| {
                let chars: Vec<char> = line.chars().collect();
                columns
                    .iter()
                    .enumerate()
                    .map(|(n, col)| {
                        let start = starts[n].min(chars.len());
                        let end = if n + 1 < starts.len() {
                            starts[n + 1].min(chars.len())
                        } else {
                            chars.len()
                        };
                        (
                            col.clone(),
                            chars[start..end].iter().collect::<String>().trim().to_string(),
                        )
                    })
                    .collect()
            })
            .collect();
        Table { columns, rows }
    }

    /// The row whose first column is `name`.
    pub fn row(&self, name: &str) -> &BTreeMap<String, String> {
        let first = &self.columns[0];
        self.rows
            .iter()
            .find(|r| r[first] == name)
            .unwrap_or_else(|| panic!("no row {name:?} in {self:#?}"))
    }

    /// The cells of `row` under `columns`, in that order.
    pub fn cells(&self, name: &str, columns: &[&str]) -> Vec<String> {
        let row = self.row(name);
        columns
            .iter()
            .map(|c| {
                row.get(*c)
                    .cloned()
                    .unwrap_or_else(|| panic!("no column {c:?} in {:?}", self.columns))
            })
            .collect()
    }

    /// The first column of every row.
    pub fn names(&self) -> Vec<String> {
        self.rows.iter().map(|r| r[&self.columns[0]].clone()).collect()
    }
}

/// A running `kubectl` (such as `get -w`) whose stdout is read line by line; killed when dropped.
pub struct Streaming {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Streaming {
    /// Starts kubectl with `args` against `tc`.
    pub fn start(tc: &TestCluster, args: &[&str]) -> Streaming {
        let mut child = tc
            .kubectl_command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kubectl");
        let stdout = child.stdout.take().expect("kubectl stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Streaming { child, lines }
    }

    /// The next line, waiting at most `timeout`.
    pub fn next_line(&mut self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// The next line, failing the test if none comes within 10 s.
    pub fn expect_line(&mut self, what: &str) -> String {
        self.next_line(Duration::from_secs(10))
            .unwrap_or_else(|| panic!("no output from kubectl while waiting for {what}"))
    }

    /// Lines until one satisfies `f` (returned with the ones before it), within 10 s.
    pub fn until(&mut self, what: &str, f: impl Fn(&str) -> bool) -> (Vec<String>, String) {
        let mut before = Vec::new();
        loop {
            let line = self.expect_line(what);
            if f(&line) {
                return (before, line);
            }
            before.push(line);
        }
    }

    /// Waits up to `timeout` for kubectl to exit by itself; its exit status if it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Words of a line, split on runs of spaces.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A ConfigMap manifest.
pub fn configmap(name: &str, labels: &[(&str, &str)], data: &[(&str, &str)]) -> String {
    let mut y = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
    if !labels.is_empty() {
        y.push_str("  labels:\n");
        for (k, v) in labels {
            y.push_str(&format!("    {k}: \"{v}\"\n"));
        }
    }
    if !data.is_empty() {
        y.push_str("data:\n");
        for (k, v) in data {
            y.push_str(&format!("  {k}: \"{v}\"\n"));
        }
    }
    y
}

/// A Namespace manifest.
pub fn namespace(name: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")
}

/// The workspace root.
pub fn workspace() -> std::path::PathBuf {
    rollouts_testkit::workspace_root()
}

/// `kubectl apply --server-side -f` each of this project's CRDs.
pub fn install_project_crds(tc: &TestCluster) -> String {
    let dir = workspace().join("deploy").join("crds");
    let dir = dir.to_string_lossy().into_owned();
    tc.kubectl_ok(&["apply", "--server-side", "-f", &dir])
}

/// A kubeconfig for `tc` presenting `token` instead of the admin's, written beside the admin's as
/// `kubeconfig-<name>`.
pub fn kubeconfig_with_token(tc: &TestCluster, name: &str, token: &str) -> std::path::PathBuf {
    tc.kubeconfig_with_token(name, token).unwrap()
}

/// Creates the service account `namespace/name` and returns a kubeconfig with a token of it
/// (`kubectl create token`).
pub fn service_account_kubeconfig(tc: &TestCluster, namespace: &str, name: &str) -> std::path::PathBuf {
    tc.kubectl_ok(&["create", "serviceaccount", name, "-n", namespace]);
    let token = tc.kubectl_ok(&["create", "token", name, "-n", namespace]);
    kubeconfig_with_token(tc, &format!("{namespace}-{name}"), token.trim())
}

/// kubectl against `tc` with another kubeconfig.
pub fn kubectl_with(tc: &TestCluster, kubeconfig: &std::path::Path, args: &[&str]) -> Output {
    tc.kubectl_command()
        .env("KUBECONFIG", kubeconfig)
        .args(args)
        .output()
        .expect("run kubectl")
}

/// Like [`kubectl_with`], expecting success; its stdout.
pub fn kubectl_with_ok(tc: &TestCluster, kubeconfig: &std::path::Path, args: &[&str]) -> String {
    let out = kubectl_with(tc, kubeconfig, args);
    assert!(
        out.status.success(),
        "kubectl {} failed:\n{}",
        args.join(" "),
        stderr(&out)
    );
    stdout(&out)
}

/// Like [`kubectl_with`], expecting failure; its stderr.
pub fn kubectl_with_err(tc: &TestCluster, kubeconfig: &std::path::Path, args: &[&str]) -> String {
    failed(args, &kubectl_with(tc, kubeconfig, args))
}

/// Like [`kubectl_with`], feeding `stdin`.
pub fn kubectl_with_stdin(tc: &TestCluster, kubeconfig: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = tc
        .kubectl_command()
        .env("KUBECONFIG", kubeconfig)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("run kubectl")
}
