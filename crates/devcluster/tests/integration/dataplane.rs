//! The data plane end to end: workloads created with kubectl answer HTTP through the ingress listener,
//! requests are counted on the metrics listener, pods that are not Ready get nothing, and bad requests
//! get a one-line reason.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use rollouts_devcluster::testing::{TestCluster, fast_simulation, kubectl_available};
use rollouts_devcluster::{Config, DataPlaneConfig};

use crate::common::wait_for;

fn start() -> TestCluster {
    start_seeded(None)
}

/// A cluster whose weighted choices are drawn from `seed` (from the OS when `None`).
fn start_seeded(seed: Option<u64>) -> TestCluster {
    TestCluster::start_config(Config {
        simulation: Some(fast_simulation()),
        dataplane: Some(DataPlaneConfig {
            seed,
            ..DataPlaneConfig::default()
        }),
        ..Config::default()
    })
    .unwrap()
}

fn ingress(c: &TestCluster) -> SocketAddr {
    c.cluster().ingress_addr.expect("the data plane is served")
}

/// An answer read off a keep-alive connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

/// One HTTP/1.1 client connection, kept alive between requests.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    /// Sends `head` (request line and headers, without the blank line) and reads the answer.
    fn send(&mut self, head: &str) -> Answer {
        let stream = self.reader.get_mut();
        stream.write_all(format!("{head}\r\n\r\n").as_bytes()).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((n, v)) = trimmed.split_once(':') {
                headers.push((n.trim().to_string(), v.trim().to_string()));
            }
        }
        let mut answer = Answer {
            status,
            headers,
            body: String::new(),
        };
        let length: usize = answer
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        answer.body = String::from_utf8(body).unwrap();
        answer
    }

    fn get(&mut self, host: &str, path: &str) -> Answer {
        self.send(&format!("GET {path} HTTP/1.1\r\nHost: {host}"))
    }

    /// A GET with extra header lines (`Name: value`).
    fn get_with(&mut self, host: &str, path: &str, headers: &[&str]) -> Answer {
        let mut head = format!("GET {path} HTTP/1.1\r\nHost: {host}");
        for h in headers {
            head.push_str("\r\n");
            head.push_str(h);
        }
        self.send(&head)
    }
}

/// The value of the one sample of `name` whose labels include every pair of `labels`, summed over
/// the samples that match.
fn sample_sum(metrics: &str, name: &str, labels: &[(&str, &str)]) -> u64 {
    metrics
        .lines()
        .filter(|l| l.strip_prefix(name).is_some_and(|r| r.starts_with('{')))
        .filter(|l| labels.iter().all(|(k, v)| l.contains(&format!("{k}=\"{v}\""))))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn scrape(c: &TestCluster) -> String {
    let addr = c.cluster().metrics_addr.expect("metrics are served");
    let answer = Client::connect(addr).get("127.0.0.1", "/metrics");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    answer.body
}

#[test]
fn a_service_answers_through_the_ingress_and_the_answers_are_counted() {
    if !kubectl_available() {
        return;
    }
    let c = start();
    c.kubectl_ok(&[
        "create",
        "deployment",
        "web",
        "--image=argoproj/rollouts-demo:yellow",
        "--replicas=2",
    ]);
    c.kubectl_ok(&["expose", "deployment", "web", "--port=80", "--target-port=8080"]);
    c.kubectl_ok(&["rollout", "status", "deployment/web", "--timeout=15s"]);

    let mut client = Client::connect(ingress(&c));
    for _ in 0..5 {
        let answer = client.get("web.default", "/color");
        assert_eq!((answer.status, answer.body.as_str()), (200, "\"yellow\""), "{answer:?}");
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
    // Other spellings of the Service's host, a port and capitals included, on the same connection.
    for host in ["web", "WEB.default:8080", "web.default.svc.cluster.local"] {
        let answer = client.get(host, "/color");
        assert_eq!(answer.status, 200, "{host}: {answer:?}");
    }
    let pods = c.kubectl_ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
    let answer = client.get("web.default", "/info");
    let pod = answer.json()["pod"].as_str().unwrap_or_default().to_string();
    assert!(pods.contains(&format!("pod/{pod}")), "{pod} answered; pods:\n{pods}");
    // Each answer is a line of its pod's log, in the demo image's format.
    let logs: String = pods
        .lines()
        .map(|p| c.kubectl_ok(&["logs", p.trim_start_matches("pod/")]))
        .collect();
    assert!(logs.contains("\n200 - yellow\n"), "{logs}");

    let metrics = scrape(&c);
    let destination = [
        ("reporter", "destination"),
        ("destination_service", "web.default.svc.cluster.local"),
        ("destination_service_name", "web"),
        ("destination_service_namespace", "default"),
        ("destination_workload", "web"),
        ("request_protocol", "http"),
    ];
    let ok: Vec<_> = destination.iter().copied().chain([("response_code", "200")]).collect();
    // Five, three other hosts, and one for the pod's name.
    assert_eq!(
        sample_sum(&metrics, "istio_requests_total", &ok),
        5 + 3 + 1,
        "{metrics}"
    );
    let source: Vec<_> = [("reporter", "source")]
        .into_iter()
        .chain(ok[1..].iter().copied())
        .collect();
    assert_eq!(sample_sum(&metrics, "istio_requests_total", &source), 9, "{metrics}");
    assert_eq!(
        sample_sum(&metrics, "istio_request_duration_milliseconds_count", &ok),
        9,
        "{metrics}"
    );
    assert!(metrics.contains("# TYPE istio_requests_total counter"), "{metrics}");

    // The ports are recorded for the next run, which takes them again.
    let (ingress_port, metrics_port) = (ingress(&c).port(), c.cluster().metrics_addr.unwrap().port());
    let read = |name: &str| std::fs::read_to_string(c.dir().join(name)).unwrap();
    assert_eq!(read("ingress-port"), ingress_port.to_string());
    assert_eq!(read("metrics-port"), metrics_port.to_string());
    drop(client);
    let c = c.restart().unwrap();
    assert_eq!(ingress(&c).port(), ingress_port);
    assert_eq!(c.cluster().metrics_addr.unwrap().port(), metrics_port);
    let (dir, _) = c.stop();
    assert!(
        TcpStream::connect(("127.0.0.1", ingress_port)).is_err(),
        "a stopped cluster no longer serves its ingress"
    );
    let _ = std::fs::remove_dir_all(dir);
}

const WORKLOADS: &str = r"
apiVersion: apps/v1
kind: Deployment
metadata: { name: lit }
spec:
  replicas: 2
  selector: { matchLabels: { app: lit } }
  template:
    metadata: { labels: { app: lit, tier: front } }
    spec: { containers: [{ name: app, image: 'argoproj/rollouts-demo:blue' }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: dark }
spec:
  replicas: 1
  selector: { matchLabels: { app: dark } }
  template:
    metadata: { labels: { app: dark, tier: front } }
    spec: { containers: [{ name: app, image: 'example/never-ready:1' }] }
---
apiVersion: v1
kind: Service
metadata: { name: front }
spec: { selector: { tier: front }, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: dark }
spec: { selector: { app: dark }, ports: [{ port: 80 }] }
";

#[test]
fn pods_that_are_not_ready_get_nothing_and_bad_requests_get_a_reason() {
    if !kubectl_available() {
        return;
    }
    let c = start();
    c.kubectl_ok_stdin(&["apply", "-f", "-"], WORKLOADS);
    c.kubectl_ok(&["rollout", "status", "deployment/lit", "--timeout=15s"]);
    wait_for("the never-ready pod to run", Duration::from_secs(15), || {
        c.kubectl_ok(&[
            "get",
            "pods",
            "-l",
            "app=dark",
            "-o",
            "jsonpath={.items[*].status.phase}",
        ]) == "Running"
    });

    let mut client = Client::connect(ingress(&c));
    let lit = c.kubectl_ok(&["get", "pods", "-l", "app=lit", "-o", "name"]);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let answer = client.get("front.default", "/info");
        assert_eq!(answer.status, 200, "{answer:?}");
        let pod = answer.json()["pod"].as_str().unwrap_or_default().to_string();
        assert!(lit.contains(&format!("pod/{pod}")), "{pod} answered, not one of\n{lit}");
        seen.insert(pod);
    }
    assert_eq!(seen.len(), 2, "both Ready pods take requests: {seen:?}");

    let answer = client.get("dark.default", "/color");
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.body.lines().count(), 1, "{answer:?}");
    assert!(
        answer.body.contains("default/dark") && answer.body.contains("no ready"),
        "{answer:?}"
    );

    let answer = client.get("nowhere.example.com", "/color");
    assert_eq!(answer.status, 404, "{answer:?}");
    assert_eq!(answer.body.lines().count(), 1, "{answer:?}");
    assert!(answer.body.contains("nowhere.example.com"), "{answer:?}");

    // HTTP/1.0 needs no Host: the request is answered, not dropped.
    let answer = client.send("GET /color HTTP/1.0");
    assert_eq!(answer.status, 404, "{answer:?}");
    assert!(answer.body.contains("no Host"), "{answer:?}");
    // Garbage is refused by the HTTP layer, and the listener keeps serving others.
    let mut raw = TcpStream::connect(ingress(&c)).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    raw.write_all(b"\x00\x01 not http at all\r\n\r\n").unwrap();
    let mut refused = String::new();
    let _ = raw.read_to_string(&mut refused);
    assert!(refused.is_empty() || refused.starts_with("HTTP/1.1 400"), "{refused}");
    let answer = Client::connect(ingress(&c)).get("front.default", "/color");
    assert_eq!((answer.status, answer.body.as_str()), (200, "\"blue\""));

    let metrics = scrape(&c);
    let dark_pod = c.kubectl_ok(&[
        "get",
        "pods",
        "-l",
        "app=dark",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    assert!(!dark_pod.is_empty());
    assert!(
        !metrics.contains(&dark_pod),
        "the not-Ready pod answered nothing:\n{metrics}"
    );
    assert!(!metrics.contains("destination_service_name=\"dark\""), "{metrics}");
    assert_eq!(
        sample_sum(
            &metrics,
            "istio_requests_total",
            &[("reporter", "destination"), ("destination_service_name", "front")]
        ),
        41,
        "{metrics}"
    );
}

/// Two versions of the demo image behind their own Services, as a canary Rollout leaves them:
/// `demo-stable` (blue) and `demo-canary` (yellow), one pod each.
const TWO_VERSIONS: &str = r"
apiVersion: apps/v1
kind: Deployment
metadata: { name: blue }
spec:
  replicas: 1
  selector: { matchLabels: { app: demo, version: blue } }
  template:
    metadata: { labels: { app: demo, version: blue } }
    spec: { containers: [{ name: demo, image: 'argoproj/rollouts-demo:blue' }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: yellow }
spec:
  replicas: 1
  selector: { matchLabels: { app: demo, version: yellow } }
  template:
    metadata: { labels: { app: demo, version: yellow } }
    spec: { containers: [{ name: demo, image: 'argoproj/rollouts-demo:yellow' }] }
---
apiVersion: v1
kind: Service
metadata: { name: demo-stable }
spec: { selector: { app: demo, version: blue }, ports: [{ name: http, port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: demo-canary }
spec: { selector: { app: demo, version: yellow }, ports: [{ name: http, port: 80 }] }
";

/// A CRD for `kind` in `group` (served at each of `versions`, the first stored) that keeps whatever
/// fields its objects carry: the routers' own CRDs are not needed to route.
fn open_crd(group: &str, kind: &str, plural: &str, versions: &[&str]) -> String {
    let versions: String = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "  - name: {v}\n    served: true\n    storage: {}\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n",
                i == 0
            )
        })
        .collect();
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {plural}.{group}\nspec:\n  group: {group}\n  scope: Namespaced\n  names:\n    kind: {kind}\n    plural: {plural}\n    singular: {singular}\n    listKind: {kind}List\n  versions:\n{versions}",
        singular = kind.to_ascii_lowercase(),
    )
}

/// The requests of one measured split.
const REQUESTS: usize = 5000;

/// Starts a seeded cluster with the two versions and the CRDs, applies `routing` and sends
/// [`REQUESTS`] requests for `host`/`path` (with `headers`) through the ingress once the canary
/// answers; returns the cluster, how many the canary (yellow) answered, and how many answers the
/// metrics had counted before. Every answer must be 200 and one of the two colours.
fn measured_split(crds: &[String], routing: &str, host: &str) -> (TestCluster, usize, (u64, u64)) {
    let c = start_seeded(Some(19));
    for crd in crds {
        c.kubectl_ok_stdin(&["apply", "-f", "-"], crd);
    }
    c.kubectl_ok_stdin(&["apply", "-f", "-"], TWO_VERSIONS);
    for d in ["blue", "yellow"] {
        c.kubectl_ok(&["rollout", "status", &format!("deployment/{d}"), "--timeout=15s"]);
    }
    // A CRD is served as soon as it is established; the objects may take a moment longer.
    wait_for("the routing objects to be accepted", Duration::from_secs(10), || {
        c.kubectl_stdin(&["apply", "-f", "-"], routing).status.success()
    });
    let mut client = Client::connect(ingress(&c));
    wait_for("the route to answer", Duration::from_secs(10), || {
        client.get(host, "/color").status == 200
    });
    let before = counted(&c);
    let mut canary = 0;
    for _ in 0..REQUESTS {
        let answer = client.get(host, "/color");
        match (answer.status, answer.body.as_str()) {
            (200, "\"yellow\"") => canary += 1,
            (200, "\"blue\"") => {}
            _ => panic!("{answer:?}"),
        }
    }
    (c, canary, before)
}

/// Asserts the split at weight 20 with the tolerance the table's tests hold (±2 points of 5000), and
/// that `/metrics` counted each answer under the Service that gave it.
fn assert_split_at_20(c: &TestCluster, canary: usize, before: (u64, u64)) {
    assert!(
        (900..=1100).contains(&canary),
        "the canary answered {canary} of {REQUESTS}"
    );
    let after = counted(c);
    assert_eq!(
        after.0 - before.0,
        canary as u64,
        "the canary's answers counted under demo-canary"
    );
    assert_eq!(
        after.1 - before.1,
        (REQUESTS - canary) as u64,
        "the stable's answers counted under demo-stable"
    );
    let metrics = scrape(c);
    assert!(
        !metrics.contains("nginx_ingress_controller_requests{"),
        "only ingress-nginx's requests are counted as ingress-nginx's: {metrics}"
    );
}

/// The answers counted so far under `demo-canary` and `demo-stable` (Istio's names, the destination's
/// report, status 200).
fn counted(c: &TestCluster) -> (u64, u64) {
    let metrics = scrape(c);
    let of = |service: &str| {
        sample_sum(
            &metrics,
            "istio_requests_total",
            &[
                ("reporter", "destination"),
                ("destination_service_name", service),
                ("response_code", "200"),
            ],
        )
    };
    (of("demo-canary"), of("demo-stable"))
}

#[test]
fn an_alb_ingress_splits_real_requests_as_its_action_says() {
    if !kubectl_available() {
        return;
    }
    // As the Rollouts controller leaves it at setWeight 20 with a header route: the header route's
    // path first, its conditions, the root's weighted action, the managed-annotations record.
    let routing = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: demo-ingress
  annotations:
    kubernetes.io/ingress.class: alb
    alb.ingress.kubernetes.io/actions.demo-root: '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"demo-canary","ServicePort":"80","Weight":20},{"ServiceName":"demo-stable","ServicePort":"80","Weight":80}]}}'
    alb.ingress.kubernetes.io/actions.header-route: '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"demo-canary","ServicePort":"80","Weight":100}]}}'
    alb.ingress.kubernetes.io/conditions.header-route: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["yes"]}}]'
    alb.ingress.kubernetes.io/actions.teapot: '{"Type":"fixed-response","FixedResponseConfig":{"ContentType":"text/plain","StatusCode":"418","MessageBody":"short and stout"}}'
    alb.ingress.kubernetes.io/actions.sticky: '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"demo-canary","ServicePort":"80","Weight":50},{"ServiceName":"demo-stable","ServicePort":"80","Weight":50}],"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":60}}}'
    rollouts.argoproj.io/managed-alb-annotations: '{"demo":["alb.ingress.kubernetes.io/actions.demo-root","alb.ingress.kubernetes.io/actions.header-route","alb.ingress.kubernetes.io/conditions.header-route"]}'
spec:
  rules:
  - host: demo.alb.local
    http:
      paths:
      - { path: /*, pathType: ImplementationSpecific, backend: { service: { name: header-route, port: { name: use-annotation } } } }
      - { path: /sticky, pathType: Exact, backend: { service: { name: sticky, port: { name: use-annotation } } } }
      - { path: /teapot, pathType: Exact, backend: { service: { name: teapot, port: { name: use-annotation } } } }
      - { path: /, pathType: Prefix, backend: { service: { name: demo-root, port: { name: use-annotation } } } }
"#;
    let (c, canary, before) = measured_split(&[], routing, "demo.alb.local");
    assert_split_at_20(&c, canary, before);
    let mut client = Client::connect(ingress(&c));
    // The header route takes every request that carries the header, before the weighted path.
    for _ in 0..20 {
        let answer = client.get_with("demo.alb.local", "/color", &["X-Canary: yes"]);
        assert_eq!(answer.body, "\"yellow\"", "{answer:?}");
    }
    let answer = client.get("demo.alb.local", "/teapot");
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (418, "short and stout"),
        "{answer:?}"
    );
    assert_eq!(answer.header("content-type"), Some("text/plain"));
    // A sticky action tells the client its target group, and keeps it there.
    let first = client.get("demo.alb.local", "/sticky");
    let cookie = first.header("set-cookie").expect("a sticky cookie").to_string();
    assert!(
        cookie.starts_with("AWSALBTG=default.demo-") && cookie.contains("Max-Age=60"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap_or_default();
    for _ in 0..20 {
        let again = client.get_with("demo.alb.local", "/sticky", &[&format!("Cookie: {pair}")]);
        assert_eq!(again.body, first.body, "{again:?}");
    }
    // Paths other than `/color` answer with the pod's details.
    let pod = first.json()["pod"].as_str().unwrap_or_default().to_string();
    let sticky_canary = if pod.starts_with("yellow-") { 21 } else { 0 };
    assert_eq!(
        counted(&c).0 - before.0,
        canary as u64 + 20 + sticky_canary,
        "a fixed response reaches no Service"
    );
}

#[test]
fn a_traefik_service_splits_real_requests_by_weight() {
    if !kubectl_available() {
        return;
    }
    let crds = [
        open_crd("traefik.io", "IngressRoute", "ingressroutes", &["v1alpha1"]),
        open_crd("traefik.io", "TraefikService", "traefikservices", &["v1alpha1"]),
    ];
    let routing = r"
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: { name: demo-weighted }
spec:
  weighted:
    services:
    - { name: demo-stable, port: 80, weight: 80 }
    - { name: demo-canary, port: 80, weight: 20 }
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: { name: demo }
spec:
  entryPoints: [web]
  routes:
  - match: Host(`demo.traefik.local`) && PathPrefix(`/`)
    kind: Rule
    services: [{ name: demo-weighted, kind: TraefikService }]
";
    let (c, canary, before) = measured_split(&crds, routing, "demo.traefik.local");
    assert_split_at_20(&c, canary, before);
}

#[test]
fn ambassador_mappings_split_real_requests_by_weight() {
    if !kubectl_available() {
        return;
    }
    let crds = [open_crd("getambassador.io", "Mapping", "mappings", &["v2", "v3alpha1"])];
    // The base Mapping and the `-canary` clone the controller creates with its weight.
    let routing = r"
apiVersion: getambassador.io/v2
kind: Mapping
metadata: { name: demo }
spec: { host: demo.ambassador.local, prefix: /, service: 'demo-stable:80' }
---
apiVersion: getambassador.io/v2
kind: Mapping
metadata: { name: demo-canary }
spec: { host: demo.ambassador.local, prefix: /, service: 'demo-canary:80', weight: 20 }
";
    let (c, canary, before) = measured_split(&crds, routing, "demo.ambassador.local");
    assert_split_at_20(&c, canary, before);
}

#[test]
fn an_apisix_route_splits_real_requests_by_backend_weight() {
    if !kubectl_available() {
        return;
    }
    let crds = [open_crd("apisix.apache.org", "ApisixRoute", "apisixroutes", &["v2"])];
    let routing = r"
apiVersion: apisix.apache.org/v2
kind: ApisixRoute
metadata: { name: demo }
spec:
  http:
  - name: demo
    match: { hosts: [demo.apisix.local], paths: ['/*'], methods: [GET] }
    backends:
    - { serviceName: demo-stable, servicePort: 80, weight: 80 }
    - { serviceName: demo-canary, servicePort: 80, weight: 20 }
";
    let (c, canary, before) = measured_split(&crds, routing, "demo.apisix.local");
    assert_split_at_20(&c, canary, before);
}
