//! The closed loop on one machine, as a user runs it: `rollouts dev` (controller, simulated pods and
//! the data plane), a router's manifests from upstream's getting-started guides or the Gateway API
//! plugin's examples, a real Prometheus scraping the data plane's metrics, `rollouts traffic` sending
//! requests through the ingress, and an AnalysisTemplate querying the success rate the way users of
//! that router do (`nginx_ingress_controller_requests` for NGINX, `istio_requests_total` with
//! `reporter="source"` for Istio and the Gateway API). A good image is promoted through every step
//! with its answers reaching clients; a bad one (`bad-red`, 85% errors) fails the analysis and the
//! Rollout aborts on its own, with the traffic back on the stable version.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rollouts_testkit::prometheus::prometheus_scraping_or_skip;

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

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
        self.jsonpath("rollout", "rollouts-demo", path)
    }

    fn jsonpath(&self, kind: &str, name: &str, path: &str) -> String {
        self.kubectl_ok(&["get", kind, name, "-o", &format!("jsonpath={path}")])
    }

    fn wait_phase(&self, seconds: u64, phase: &str) {
        self.wait_rollout_phase("rollouts-demo", seconds, phase);
    }

    fn wait_rollout_phase(&self, rollout: &str, seconds: u64, phase: &str) {
        wait_until(seconds, &format!("{rollout} in phase {phase}"), || {
            (self.jsonpath("rollout", rollout, "{.status.phase}") == phase).then_some(())
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

/// One GET of `/color` through the ingress for `host`: the body and the status, e.g. `"blue" 200`.
fn color(ingress: u16, host: &str) -> String {
    let url = format!("http://127.0.0.1:{ingress}/color");
    match rollouts_testkit::http::get_as(&url, Some(host), Duration::from_secs(5)) {
        Ok((status, body)) => format!("{} {status}", body.trim()),
        Err(e) => format!("GET {url}: {e}"),
    }
}

/// One router's part of the loop.
struct Router {
    /// Files applied first, relative to the folder holding the conformance corpora (`argo/...`,
    /// `gateway-api/...`, `gatewayapi-plugin/...`), server-side for CRDs.
    crds: &'static [&'static str],
    manifests: &'static [&'static str],
    /// The Host the router serves the demo under.
    host: &'static str,
    stable_service: &'static str,
    canary_service: &'static str,
    /// The Rollout's `trafficRouting`, indented for its place.
    traffic_routing: &'static str,
    /// The success-rate query, with `{{args.service}}` for the argument the Rollout passes.
    query_success: &'static str,
    query_all: &'static str,
    /// The argument's value.
    service_arg: &'static str,
    /// The canary's weight as the router's object holds it now.
    canary_weight: fn(&Dev) -> String,
}

const NGINX: Router = Router {
    crds: &[],
    manifests: &[
        "argo/docs/getting-started/nginx/services.yaml",
        "argo/docs/getting-started/nginx/ingress.yaml",
    ],
    host: "rollouts-demo.local",
    stable_service: "rollouts-demo-stable",
    canary_service: "rollouts-demo-canary",
    traffic_routing: "        nginx:\n          stableIngress: rollouts-demo-stable\n",
    query_success: r#"nginx_ingress_controller_requests{ingress="{{args.service}}",status!~"[4-5].*"}"#,
    query_all: r#"nginx_ingress_controller_requests{ingress="{{args.service}}"}"#,
    service_arg: "rollouts-demo-stable",
    canary_weight: |dev| {
        dev.jsonpath(
            "ingress",
            "rollouts-demo-rollouts-demo-stable-canary",
            r"{.metadata.annotations.nginx\.ingress\.kubernetes\.io/canary-weight}",
        )
    },
};

const ISTIO: Router = Router {
    crds: &["argo/test/e2e/crds/istio.yaml"],
    manifests: &[
        "argo/docs/getting-started/istio/services.yaml",
        "argo/docs/getting-started/istio/gateway.yaml",
        "argo/docs/getting-started/istio/virtualsvc.yaml",
    ],
    host: "rollouts-demo.local",
    stable_service: "rollouts-demo-stable",
    canary_service: "rollouts-demo-canary",
    traffic_routing: "        istio:\n          virtualService:\n            name: rollouts-demo-vsvc\n            routes:\n            - primary\n",
    query_success: r#"istio_requests_total{reporter="source",destination_service=~"{{args.service}}",response_code!~"5.*"}"#,
    query_all: r#"istio_requests_total{reporter="source",destination_service=~"{{args.service}}"}"#,
    service_arg: "rollouts-demo-(stable|canary).default.svc.cluster.local",
    canary_weight: |dev| {
        dev.jsonpath(
            "virtualservice",
            "rollouts-demo-vsvc",
            "{.spec.http[0].route[1].weight}",
        )
    },
};

const GATEWAY_API: Router = Router {
    crds: &[
        "gateway-api/crds/gatewayclasses.yaml",
        "gateway-api/crds/gateways.yaml",
        "gateway-api/crds/httproutes.yaml",
    ],
    manifests: &[
        "gatewayapi-plugin/examples/envoygateway/gateway.yaml",
        "gatewayapi-plugin/examples/envoygateway/stable.yaml",
        "gatewayapi-plugin/examples/envoygateway/canary.yaml",
        "gatewayapi-plugin/examples/envoygateway/httproute.yaml",
    ],
    host: "demo.example.com",
    stable_service: "argo-rollouts-stable-service",
    canary_service: "argo-rollouts-canary-service",
    traffic_routing: "        plugins:\n          argoproj-labs/gatewayAPI:\n            httpRoute: argo-rollouts-http-route\n            namespace: default\n",
    query_success: r#"istio_requests_total{reporter="source",destination_service=~"{{args.service}}",response_code!~"5.*"}"#,
    query_all: r#"istio_requests_total{reporter="source",destination_service=~"{{args.service}}"}"#,
    service_arg: "argo-rollouts-(stable|canary)-service.default.svc.cluster.local",
    canary_weight: |dev| {
        dev.jsonpath(
            "httproute",
            "argo-rollouts-http-route",
            "{.spec.rules[0].backendRefs[1].weight}",
        )
    },
};

/// The success rate over the last seconds (Prometheus scrapes every second), failing below 95%.
fn template(router: &Router, prometheus: &str) -> String {
    let rate = |selector: &str| format!("sum(irate({selector}[10s]))");
    format!(
        r"apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
  - name: service
  metrics:
  - name: success-rate
    interval: 2s
    successCondition: result[0] >= 0.95
    failureLimit: 0
    provider:
      prometheus:
        address: {prometheus}
        query: |
          {} / {}
",
        rate(router.query_success),
        rate(router.query_all)
    )
}

/// The getting-started Rollout for the router, with background analysis from the first pause on.
fn rollout(router: &Router) -> String {
    format!(
        r"apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: rollouts-demo
spec:
  replicas: 2
  strategy:
    canary:
      canaryService: {canary}
      stableService: {stable}
      trafficRouting:
{routing}      analysis:
        templates:
        - templateName: success-rate
        startingStep: 1
        args:
        - name: service
          value: '{arg}'
      steps:
      - setWeight: 20
      - pause: {{duration: 8s}}
      - setWeight: 60
      - pause: {{duration: 8s}}
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
",
        canary = router.canary_service,
        stable = router.stable_service,
        routing = router.traffic_routing,
        arg = router.service_arg,
    )
}

fn closed_loop(test: &str, label: &str, router: &Router) {
    if Command::new("kubectl").args(["version", "--client"]).output().is_err() {
        eprintln!("SKIPPED {test}: kubectl is not on PATH");
        return;
    }
    let Some(corpus) = rollouts_testkit::conformance_or_skip(test) else {
        return;
    };
    let corpora = corpus.parent().unwrap().to_path_buf();
    let files: Vec<PathBuf> = router
        .crds
        .iter()
        .chain(router.manifests)
        .map(|f| corpora.join(f))
        .collect();
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        eprintln!("SKIPPED {test}: {} was not found", missing.display());
        return;
    }
    let dev = Dev::start(label);
    let (ingress, metrics) = (dev.port("ingress-port"), dev.port("metrics-port"));
    let Some(prometheus) = prometheus_scraping_or_skip(test, &[("dataplane", format!("127.0.0.1:{metrics}"))]) else {
        return;
    };
    let (crds, manifests) = files.split_at(router.crds.len());
    for crd in crds {
        dev.kubectl_ok(&["apply", "--server-side", "-f", &crd.display().to_string()]);
    }
    for manifest in manifests {
        dev.kubectl_ok(&["apply", "-f", &manifest.display().to_string()]);
    }
    dev.apply(&template(router, prometheus.url()));
    dev.apply(&rollout(router));
    dev.wait_phase(60, "Healthy");
    let host = router.host;
    wait_until(20, "blue answers through the ingress", || {
        (color(ingress, host) == "\"blue\" 200").then_some(())
    });

    let traffic = Traffic(
        dev.command(BIN)
            .args(["traffic", "--host", host, "--rps", "20", "--data-dir"])
            .arg(&dev.dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Prometheus has seen the stable version's answers before the analysis starts.
    let all = format!(
        "sum(rate({}[10s]))",
        router.query_all.replace("{{args.service}}", router.service_arg)
    );
    wait_until(30, "the requests in Prometheus", || {
        let result = prometheus.query(&all).ok()?;
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
    wait_until(30, "the canary at weight 20", || {
        ((router.canary_weight)(&dev) == "20").then_some(())
    });
    dev.wait_phase(90, "Healthy");
    assert_eq!(
        dev.rollout_field("{.status.stableRS}"),
        dev.rollout_field("{.status.currentPodHash}")
    );
    wait_until(20, "green answers only", || {
        (0..20).all(|_| color(ingress, host) == "\"green\" 200").then_some(())
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
        "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}",
    ]);
    assert!(runs.lines().any(|l| l == "Failed"), "{runs}");
    assert_eq!((router.canary_weight)(&dev), "0");
    wait_until(20, "green answers only after the abort", || {
        (0..20).all(|_| color(ingress, host) == "\"green\" 200").then_some(())
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

#[test]
fn nginx_closed_loop_promotes_a_good_image_and_aborts_a_bad_one() {
    closed_loop(
        "nginx_closed_loop_promotes_a_good_image_and_aborts_a_bad_one",
        "loop-nginx",
        &NGINX,
    );
}

#[test]
fn istio_closed_loop_promotes_a_good_image_and_aborts_a_bad_one() {
    closed_loop(
        "istio_closed_loop_promotes_a_good_image_and_aborts_a_bad_one",
        "loop-istio",
        &ISTIO,
    );
}

#[test]
fn gateway_api_closed_loop_promotes_a_good_image_and_aborts_a_bad_one() {
    closed_loop(
        "gateway_api_closed_loop_promotes_a_good_image_and_aborts_a_bad_one",
        "loop-gateway",
        &GATEWAY_API,
    );
}

/// The README's walkthrough manifest: applied as it is, it routes any host to the demo, which serves
/// its page at `/` and its colour at `/color`, and every answer is a line of its pod's log.
#[test]
fn the_walkthrough_example_serves_the_demo_page_through_the_ingress() {
    if Command::new("kubectl").args(["version", "--client"]).output().is_err() {
        eprintln!("SKIPPED: kubectl is not on PATH");
        return;
    }
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/data-plane/nginx.yaml");
    let dev = Dev::start("loop-example");
    let ingress = dev.port("ingress-port");
    dev.kubectl_ok(&["apply", "-f", &example.display().to_string()]);
    dev.wait_rollout_phase("demo", 60, "Healthy");
    let page = format!("http://127.0.0.1:{ingress}/");
    let (status, body) = rollouts_testkit::http::get(&page, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<html") && body.contains("fetch(\"/color\""), "{body}");
    wait_until(20, "blue answers for any host", || {
        (color(ingress, "127.0.0.1") == "\"blue\" 200" && color(ingress, "demo") == "\"blue\" 200").then_some(())
    });
    let pods = dev.kubectl_ok(&["get", "pods", "-l", "app=demo", "-o", "name"]);
    let logs: String = pods.lines().map(|p| dev.kubectl_ok(&["logs", p])).collect();
    assert!(logs.contains("\n200 - blue\n"), "{logs}");
}
