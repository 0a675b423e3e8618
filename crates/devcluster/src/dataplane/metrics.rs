//! The data plane's metrics, under the names and labels the proxies they stand for export, so that
//! analysis queries written for those proxies run unchanged against a Prometheus scraping
//! `/metrics`. Exposed in the Prometheus text format (0.0.4), as both proxies expose theirs.
//!
//! - Requests through an Ingress are counted as ingress-nginx counts them:
//!   `nginx_ingress_controller_requests` (a counter, with no `_total` suffix) and
//!   `nginx_ingress_controller_request_duration_seconds`, labelled `ingress` (the primary Ingress),
//!   `namespace`, `service` (the primary Ingress's Service for the rule that matched, even when the
//!   canary answered), `status`, `canary` (the canary's upstream, `<namespace>-<service>-<port>`, when it
//!   answered; empty otherwise), `method`, `host` and `path` (the rule's path, not the request's).
//! - Every other request (an Istio VirtualService, an SMI TrafficSplit, a plain Service, a Gateway API
//!   HTTPRoute, an ALB Ingress, a Traefik IngressRoute, an Ambassador Mapping, an ApisixRoute) is
//!   counted as Istio's proxies count it: `istio_requests_total` and
//!   `istio_request_duration_milliseconds`, once with `reporter="source"` (the calling proxy or
//!   gateway) and once with `reporter="destination"` (the pod's sidecar), as a mesh reports each call
//!   twice. Requests through a gateway (Gateway API, ALB, Traefik, Ambassador, APISIX) are counted the
//!   same way, as a meshed gateway would report them: `destination_service_name` is the Service the
//!   router's weights chose (the canary's or the stable's), which is what a canary analysis selects
//!   on. ingress-nginx's names stay with ingress-nginx, whose labels (primary Ingress, `canary`
//!   upstream) mean nothing to the others.
//!   A mirrored copy is counted by its destination only, with the mirror pod's workload.
//! - Requests that found no route (404) or no Ready pod (503) are not counted: they reached no Service.

use std::fmt::Write as _;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::snapshot::LabelIndex;
use super::{Backend, Routed, Via};

/// The `Content-Type` of the exposition.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// ingress-nginx's default request duration buckets (seconds).
pub const NGINX_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Istio's default request duration buckets (milliseconds).
pub const ISTIO_BUCKETS: [f64; 19] = [
    0.5, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0, 60000.0, 300000.0,
    600000.0, 1800000.0, 3600000.0,
];

const NGINX_REQUESTS: &str = "nginx_ingress_controller_requests";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NginxLabels {
    canary: String,
    host: String,
    ingress: String,
    method: String,
    namespace: String,
    path: String,
    service: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IstioLabels {
    reporter: &'static str,
    destination_workload: String,
    destination_workload_namespace: String,
    destination_service: String,
    destination_service_name: String,
    destination_service_namespace: String,
    request_protocol: &'static str,
    response_code: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// The counters and histograms, and the registry that exposes them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    // ingress-nginx's counter has no `_total` suffix, which the library adds to every counter: it is kept
    // as a gauge and its TYPE line is rewritten when encoding.
    nginx_requests: Family<NginxLabels, Gauge<u64, AtomicU64>>,
    nginx_duration: Histograms<NginxLabels>,
    istio_requests: Family<IstioLabels, Counter>,
    istio_duration: Histograms<IstioLabels>,
}

/// One answered request, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct Served<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The Host, without port, lowercase.
    pub host: &'a str,
    /// The request path.
    pub path: &'a str,
    /// The answer's status.
    pub status: u16,
    /// From the request's arrival to its answer.
    pub duration: Duration,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Empty metrics, registered.
    pub fn new() -> Metrics {
        let nginx_requests = Family::default();
        let nginx_duration: Histograms<NginxLabels> =
            Family::new_with_constructor(|| Histogram::new(NGINX_BUCKETS.iter().copied()));
        let istio_requests = Family::default();
        let istio_duration: Histograms<IstioLabels> =
            Family::new_with_constructor(|| Histogram::new(ISTIO_BUCKETS.iter().copied()));
        let mut registry = Registry::default();
        registry.register(
            NGINX_REQUESTS,
            "The total number of client requests",
            nginx_requests.clone(),
        );
        registry.register(
            "nginx_ingress_controller_request_duration_seconds",
            "The request processing time in seconds",
            nginx_duration.clone(),
        );
        // Registered without the suffix, which the library adds to counters.
        registry.register("istio_requests", "Requests seen by the proxies", istio_requests.clone());
        registry.register(
            "istio_request_duration_milliseconds",
            "Request durations seen by the proxies",
            istio_duration.clone(),
        );
        Metrics {
            registry,
            nginx_requests,
            nginx_duration,
            istio_requests,
            istio_duration,
        }
    }

    /// Counts a request `routed` answered by its backend.
    pub fn record(&self, labels: &LabelIndex, routed: &Routed, served: &Served<'_>) {
        match &routed.via {
            Via::Ingress {
                namespace,
                ingress,
                canary,
            } => {
                let rule = labels.ingress_rule(namespace, ingress, served.host, served.path);
                // The Service label names the primary Ingress's backend; when the canary answered,
                // `routed.service` is the canary's, so the rule is asked for the primary's.
                let service = match (canary, rule) {
                    (Some(_), Some((primary, _))) => primary,
                    _ => routed.service.name.as_str(),
                };
                let set = NginxLabels {
                    canary: canary.clone().unwrap_or_default(),
                    host: served.host.to_string(),
                    ingress: ingress.clone(),
                    method: served.method.to_string(),
                    namespace: namespace.clone(),
                    path: rule.map_or("/", |(_, path)| path).to_string(),
                    service: service.to_string(),
                    status: served.status.to_string(),
                };
                self.nginx_requests.get_or_create(&set).inc();
                self.nginx_duration
                    .get_or_create(&set)
                    .observe(served.duration.as_secs_f64());
            }
            Via::Istio { .. }
            | Via::Smi { .. }
            | Via::Gateway { .. }
            | Via::Service
            | Via::Alb { .. }
            | Via::Traefik { .. }
            | Via::Ambassador { .. }
            | Via::Apisix { .. } => {
                self.record_mesh(labels, routed, &routed.backend, served, &["source", "destination"]);
            }
        }
    }

    /// Counts the copy of a request that `mirror` answered.
    pub fn record_mirror(&self, labels: &LabelIndex, routed: &Routed, mirror: &Backend, served: &Served<'_>) {
        self.record_mesh(labels, routed, mirror, served, &["destination"]);
    }

    fn record_mesh(
        &self,
        labels: &LabelIndex,
        routed: &Routed,
        backend: &Backend,
        served: &Served<'_>,
        reporters: &[&'static str],
    ) {
        let service = &routed.service;
        let mut set = IstioLabels {
            reporter: "destination",
            destination_workload: labels
                .workload(&backend.namespace, &backend.pod)
                .unwrap_or(&backend.pod)
                .to_string(),
            destination_workload_namespace: backend.namespace.clone(),
            destination_service: format!("{}.{}.svc.cluster.local", service.name, service.namespace),
            destination_service_name: service.name.clone(),
            destination_service_namespace: service.namespace.clone(),
            request_protocol: "http",
            response_code: served.status.to_string(),
        };
        let millis = served.duration.as_secs_f64() * 1000.0;
        for reporter in reporters {
            set.reporter = reporter;
            self.istio_requests.get_or_create(&set).inc();
            self.istio_duration.get_or_create(&set).observe(millis);
        }
    }

    /// The exposition, in the Prometheus text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
        let gauge_line = format!("# TYPE {NGINX_REQUESTS} gauge\n");
        let mut out = String::with_capacity(text.len());
        match text.split_once(&gauge_line) {
            Some((before, after)) => {
                out.push_str(before);
                writeln!(out, "# TYPE {NGINX_REQUESTS} counter")?;
                out.push_str(after);
            }
            None => out = text,
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dataplane::ServiceRef;

    fn backend(pod: &str) -> Arc<Backend> {
        Arc::new(Backend {
            namespace: "default".into(),
            pod: pod.into(),
            uid: String::new(),
            image: "argoproj/rollouts-demo:yellow".into(),
            env: Vec::new(),
            template_hash: None,
        })
    }

    fn routed(service: &str, via: Via) -> Routed {
        Routed {
            backend: backend("web-abc"),
            service: ServiceRef {
                namespace: "default".into(),
                name: service.into(),
                port: 80,
            },
            via,
            mirrors: Vec::new(),
            set_cookie: None,
        }
    }

    fn served(status: u16, millis: u64) -> Served<'static> {
        Served {
            method: "GET",
            host: "shop.example.com",
            path: "/color",
            status,
            duration: Duration::from_millis(millis),
        }
    }

    /// The sample lines of `name` (exactly that name, then labels).
    fn samples<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
        text.lines()
            .filter(|l| l.strip_prefix(name).is_some_and(|r| r.starts_with('{')))
            .collect()
    }

    #[test]
    fn ingress_requests_are_counted_under_ingress_nginx_names_without_a_total_suffix() {
        let metrics = Metrics::new();
        let via = Via::Ingress {
            namespace: "default".into(),
            ingress: "canary-demo".into(),
            canary: None,
        };
        let index = LabelIndex::default();
        metrics.record(&index, &routed("canary-demo", via.clone()), &served(200, 3));
        metrics.record(&index, &routed("canary-demo", via), &served(200, 30));
        let text = metrics.encode().unwrap();
        assert!(
            text.contains("# TYPE nginx_ingress_controller_requests counter\n"),
            "{text}"
        );
        assert!(!text.contains("nginx_ingress_controller_requests_total"), "{text}");
        let lines = samples(&text, "nginx_ingress_controller_requests");
        assert_eq!(
            lines,
            [concat!(
                r#"nginx_ingress_controller_requests{canary="",host="shop.example.com",ingress="canary-demo","#,
                r#"method="GET",namespace="default",path="/",service="canary-demo",status="200"} 2"#
            )]
        );
        assert!(text.contains("# TYPE nginx_ingress_controller_request_duration_seconds histogram"));
        let bucket = |le: &str| {
            text.lines()
                .find(|l| {
                    l.starts_with("nginx_ingress_controller_request_duration_seconds_bucket")
                        && l.contains(&format!("le=\"{le}\""))
                })
                .and_then(|l| l.rsplit(' ').next())
                .map(str::to_string)
        };
        assert_eq!(bucket("0.005").as_deref(), Some("1"));
        assert_eq!(bucket("0.05").as_deref(), Some("2"));
        assert_eq!(
            bucket("10").as_deref(),
            Some("2"),
            "bounds are written as Go writes them"
        );
        assert_eq!(bucket("+Inf").as_deref(), Some("2"));
    }

    #[test]
    fn a_canary_request_keeps_the_primary_ingress_and_service() {
        let ingress = serde_json::json!({
            "metadata": { "namespace": "default", "name": "canary-demo" },
            "spec": { "rules": [{ "host": "shop.example.com", "http": { "paths": [
                { "path": "/", "pathType": "Prefix", "backend": { "service": { "name": "stable-svc" } } },
            ] } }] },
        });
        let ingresses = [Arc::new(ingress)];
        let index = LabelIndex::build(&crate::dataplane::table::Snapshot {
            ingresses: &ingresses,
            ..Default::default()
        });
        let metrics = Metrics::new();
        let via = Via::Ingress {
            namespace: "default".into(),
            ingress: "canary-demo".into(),
            canary: Some("default-canary-svc-80".into()),
        };
        metrics.record(&index, &routed("canary-svc", via), &served(500, 1));
        let text = metrics.encode().unwrap();
        let lines = samples(&text, "nginx_ingress_controller_requests");
        assert_eq!(lines.len(), 1, "{text}");
        assert!(lines[0].contains(r#"canary="default-canary-svc-80""#), "{text}");
        assert!(lines[0].contains(r#"service="stable-svc""#), "{text}");
        assert!(lines[0].contains(r#"ingress="canary-demo""#), "{text}");
        assert!(lines[0].contains(r#"status="500""#), "{text}");
    }

    #[test]
    fn mesh_requests_are_reported_by_source_and_destination_and_mirrors_by_destination() {
        let metrics = Metrics::new();
        let index = LabelIndex::default();
        let mut r = routed("web", Via::Service);
        metrics.record(&index, &r, &served(200, 2));
        r.via = Via::Gateway {
            namespace: "default".into(),
            route: "web".into(),
        };
        metrics.record(&index, &r, &served(503, 2));
        metrics.record_mirror(&index, &r, &backend("mirror-pod"), &served(200, 2));
        let text = metrics.encode().unwrap();
        assert!(text.contains("# TYPE istio_requests_total counter\n"), "{text}");
        let lines = samples(&text, "istio_requests_total");
        let expected = |reporter: &str, workload: &str, code: &str| {
            format!(
                concat!(
                    r#"istio_requests_total{{reporter="{}",destination_workload="{}","#,
                    r#"destination_workload_namespace="default","#,
                    r#"destination_service="web.default.svc.cluster.local",destination_service_name="web","#,
                    r#"destination_service_namespace="default",request_protocol="http",response_code="{}"}} 1"#
                ),
                reporter, workload, code
            )
        };
        let mut lines: Vec<String> = lines.into_iter().map(str::to_string).collect();
        lines.sort();
        let mut want = vec![
            expected("source", "web-abc", "200"),
            expected("destination", "web-abc", "200"),
            expected("source", "web-abc", "503"),
            expected("destination", "web-abc", "503"),
            expected("destination", "mirror-pod", "200"),
        ];
        want.sort();
        assert_eq!(lines, want);
        assert!(text.contains("# TYPE istio_request_duration_milliseconds histogram"));
        assert!(
            text.lines()
                .any(|l| l.starts_with("istio_request_duration_milliseconds_bucket") && l.contains("le=\"3.6e+06\"")),
            "{text}"
        );
        assert!(!text.contains("nginx_ingress_controller_requests{"), "{text}");
    }

    #[test]
    fn gateway_routers_requests_are_counted_under_istio_names_by_the_answering_service() {
        let metrics = Metrics::new();
        let index = LabelIndex::default();
        let vias = [
            Via::Alb {
                namespace: "default".into(),
                ingress: "demo-ingress".into(),
            },
            Via::Traefik {
                namespace: "default".into(),
                route: "demo".into(),
            },
            Via::Ambassador {
                namespace: "default".into(),
                mapping: "demo-canary".into(),
            },
            Via::Apisix {
                namespace: "default".into(),
                route: "demo".into(),
            },
        ];
        for via in vias {
            metrics.record(&index, &routed("canary-svc", via), &served(200, 2));
        }
        let text = metrics.encode().unwrap();
        let lines = samples(&text, "istio_requests_total");
        assert_eq!(lines.len(), 2, "{text}");
        for line in lines {
            assert!(line.contains(r#"destination_service_name="canary-svc""#), "{line}");
            assert!(line.ends_with(" 4"), "{line}");
        }
        assert!(!text.contains("nginx_ingress_controller_requests{"), "{text}");
    }
}
