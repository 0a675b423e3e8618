//! The closed loop on one machine, as a user runs it: `rollouts dev` (controller, simulated pods and
//! the data plane), upstream's NGINX getting-started manifests, a real Prometheus scraping the data
//! plane's metrics, `rollouts traffic` sending requests through the ingress, and an AnalysisTemplate
//! that queries the success rate from `nginx_ingress_controller_requests`. A good image is promoted
//! through every step with its answers reaching clients; a bad one (`bad-red`, 85% errors) fails the
//! analysis and the Rollout aborts on its own, with the traffic back on the stable version.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rollouts_testkit::prometheus::prometheus_scraping_or_skip;

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");
const HOST: &str = "rollouts-demo.local";

/// A `rollouts dev` in the background on its own data directory; interrupted and cleaned up on drop.
struct Dev {
    dir: PathBuf,
    child: Option<Child>,
}

impl Dev {
    fn start(label: &str) -> Dev {
        let dir = std::env::temp_dir().join(format!("rollouts-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let child = Command::new(BIN)
            .args(["dev", "--data-dir"])
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let dev = Dev {
            dir,
            child: Some(child),
        };
        wait_until(30, "rollouts dev to answer", || {
            (dev.dir.join("ingress-port").is_file()
                && dev.dir.join("metrics-port").is_file()
                && dev.kubectl(&["get", "ns", "default"]).status.success())
            .then_some(())
        });
        dev
    }

    fn port(&self, file: &str) -> u16 {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        command
            .env("KUBECONFIG", self.dir.join("kubeconfig"))
            .env("KUBECACHEDIR", self.dir.join("kubectl-cache"))
            .env("PATH", path);
        command
    }

    fn kubectl(&self, args: &[&str]) -> Output {
        self.command("kubectl").args(args).output().unwrap()
    }

    fn kubectl_ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn apply(&self, yaml: &str) {
        let mut child = self
            .command("kubectl")
            .args(["apply", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), yaml.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "kubectl apply: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn rollout_field(&self, path: &str) -> String {
        self.kubectl_ok(&["get", "rollout", "rollouts-demo", "-o", &format!("jsonpath={path}")])
    }

    fn wait_phase(&self, seconds: u64, phase: &str) {
        wait_until(seconds, &format!("phase {phase}"), || {
            (self.rollout_field("{.status.phase}") == phase).then_some(())
        });
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A `rollouts traffic` run in the background; killed on drop.
struct Traffic(Child);

impl Traffic {
    /// Stops it and returns what it printed.
    fn finish(mut self) -> String {
        let _ = Command::new("kill").args(["-INT", &self.0.id().to_string()]).status();
        let mut out = String::new();
        if let Some(mut stdout) = self.0.stdout.take() {
            let _ = stdout.read_to_string(&mut out);
        }
        let _ = self.0.wait();
        out
    }
}

impl Drop for Traffic {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_until<T>(seconds: u64, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {seconds} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One GET of `/color` through the ingress: the body and the status, e.g. `"blue" 200`.
fn color(ingress: u16) -> String {
    let url = format!("http://127.0.0.1:{ingress}/color");
    match rollouts_testkit::http::get_as(&url, Some(HOST), Duration::from_secs(5)) {
        Ok((status, body)) => format!("{} {status}", body.trim()),
        Err(e) => format!("GET {url}: {e}"),
    }
}

/// The success rate of the NGINX ingress over the last seconds, as upstream's users query it.
fn template(prometheus: &str) -> String {
    format!(
        r#"apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
  - name: ingress
  metrics:
  - name: success-rate
    interval: 2s
    successCondition: result[0] >= 0.95
    failureLimit: 0
    provider:
      prometheus:
        address: {prometheus}
        query: |
          sum(rate(nginx_ingress_controller_requests{{ingress="{{{{args.ingress}}}}",status!~"[4-5].*"}}[10s]))
          /
          sum(rate(nginx_ingress_controller_requests{{ingress="{{{{args.ingress}}}}"}}[10s]))
"#
    )
}

/// Upstream's getting-started NGINX Rollout with background analysis from the first pause on.
const ROLLOUT: &str = r"apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: rollouts-demo
spec:
  replicas: 2
  strategy:
    canary:
      canaryService: rollouts-demo-canary
      stableService: rollouts-demo-stable
      trafficRouting:
        nginx:
          stableIngress: rollouts-demo-stable
      analysis:
        templates:
        - templateName: success-rate
        startingStep: 1
        args:
        - name: ingress
          value: rollouts-demo-stable
      steps:
      - setWeight: 20
      - pause: {duration: 8s}
      - setWeight: 60
      - pause: {duration: 8s}
  revisionHistoryLimit: 2
  selector:
    matchLabels:
      app: rollouts-demo
  template:
    metadata:
      labels:
        app: rollouts-demo
    spec:
      containers:
      - name: rollouts-demo
        image: argoproj/rollouts-demo:blue
        ports:
        - name: http
          containerPort: 8080
          protocol: TCP
";

fn corpus_file(corpus: &Path, path: &str) -> String {
    std::fs::read_to_string(corpus.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn nginx_closed_loop_promotes_a_good_image_and_aborts_a_bad_one() {
    const TEST: &str = "nginx_closed_loop_promotes_a_good_image_and_aborts_a_bad_one";
    if Command::new("kubectl").args(["version", "--client"]).output().is_err() {
        eprintln!("SKIPPED {TEST}: kubectl is not on PATH");
        return;
    }
    let Some(corpus) = rollouts_testkit::conformance_or_skip(TEST) else {
        return;
    };
    let dev = Dev::start("closed-loop");
    let (ingress, metrics) = (dev.port("ingress-port"), dev.port("metrics-port"));
    let Some(prometheus) = prometheus_scraping_or_skip(TEST, &[("dataplane", format!("127.0.0.1:{metrics}"))]) else {
        return;
    };
    dev.apply(&corpus_file(&corpus, "docs/getting-started/nginx/services.yaml"));
    dev.apply(&corpus_file(&corpus, "docs/getting-started/nginx/ingress.yaml"));
    dev.apply(&template(prometheus.url()));
    dev.apply(ROLLOUT);
    dev.wait_phase(60, "Healthy");
    wait_until(20, "blue answers through the ingress", || {
        (color(ingress) == "\"blue\" 200").then_some(())
    });

    let traffic = Traffic(
        dev.command(BIN)
            .args(["traffic", "--host", HOST, "--rps", "20", "--data-dir"])
            .arg(&dev.dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Prometheus has seen the stable version's answers before the analysis starts.
    wait_until(30, "the success rate in Prometheus", || {
        let result = prometheus
            .query(r#"sum(rate(nginx_ingress_controller_requests{ingress="rollouts-demo-stable"}[10s]))"#)
            .ok()?;
        let value: f64 = result["result"][0]["value"][1].as_str()?.parse().ok()?;
        (value > 0.0).then_some(())
    });

    // A good image goes through every step and is promoted, its answers reaching the clients.
    dev.kubectl_ok(&[
        "argo",
        "rollouts",
        "set",
        "image",
        "rollouts-demo",
        "rollouts-demo=argoproj/rollouts-demo:green",
    ]);
    wait_until(30, "the canary Ingress at weight 20", || {
        let weight = dev.kubectl_ok(&[
            "get",
            "ingress",
            "rollouts-demo-rollouts-demo-stable-canary",
            "-o",
            r"jsonpath={.metadata.annotations.nginx\.ingress\.kubernetes\.io/canary-weight}",
        ]);
        (weight == "20").then_some(())
    });
    dev.wait_phase(90, "Healthy");
    assert_eq!(
        dev.rollout_field("{.status.stableRS}"),
        dev.rollout_field("{.status.currentPodHash}")
    );
    wait_until(20, "green answers only", || {
        (0..20).all(|_| color(ingress) == "\"green\" 200").then_some(())
    });

    // A bad image fails the analysis: the Rollout aborts by itself and the traffic goes back to green.
    dev.kubectl_ok(&[
        "argo",
        "rollouts",
        "set",
        "image",
        "rollouts-demo",
        "rollouts-demo=argoproj/rollouts-demo:bad-red",
    ]);
    dev.wait_phase(90, "Degraded");
    assert_eq!(dev.rollout_field("{.status.abort}"), "true");
    let message = dev.rollout_field("{.status.message}");
    assert!(message.contains("RolloutAborted"), "{message}");
    let runs = dev.kubectl_ok(&[
        "get",
        "analysisrun",
        "-o",
        "jsonpath={range .items[*]}{.status.phase} {.status.metricResults[0].measurements[-1:].value}{\"\\n\"}{end}",
    ]);
    assert!(runs.lines().any(|l| l.starts_with("Failed ")), "{runs}");
    wait_until(20, "green answers only after the abort", || {
        (0..20).all(|_| color(ingress) == "\"green\" 200").then_some(())
    });

    let printed = traffic.finish();
    for colour in ["blue", "green", "red"] {
        assert!(
            printed.contains(&format!("{colour} ")),
            "no {colour} answer seen:\n{printed}"
        );
    }
    assert!(printed.contains("500 "), "no error answer seen:\n{printed}");
}
