//! The dev cluster's data plane: requests that reach pods.
//!
//! The simulated kubelet runs no containers, so no pod has a socket of its own. Instead one HTTP
//! listener on 127.0.0.1 takes every request, routes it the way the cluster's routing objects say
//! (Ingresses with ingress-nginx's canary annotations or the AWS Load Balancer Controller's actions, Gateway
//! API HTTPRoutes, Istio VirtualServices and DestinationRules, SMI TrafficSplits, Traefik IngressRoutes and
//! TraefikServices, Ambassador Mappings, APISIX ApisixRoutes, plain Services) to one Ready pod, and answers
//! as that pod's image would. Answers are counted under the metric names ingress-nginx and Istio export, so analysis queries
//! written for them run unchanged against a Prometheus scraping the dev cluster.
//!
//! Routing is a pure function: [`table::RoutingTable::build`] compiles a snapshot of the objects into a
//! table, and [`table::RoutingTable::route`] picks the answering pod for one [`Request`], drawing weighted
//! choices from the [`Draw`] it is given. The server rebuilds the table when the store changes.

pub mod answer;
pub mod draw;
pub mod metrics;
pub mod server;
pub mod snapshot;
pub mod table;

/// One request as the data plane sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The Host header without its port, lowercase.
    pub host: &'a str,
    /// The path, without the query string.
    pub path: &'a str,
    /// Header names in lowercase, values as sent.
    pub headers: &'a [(String, String)],
}

impl Request<'_> {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Where weighted choices come from: a uniform draw in `0..bound` (`bound` > 0).
pub trait Draw {
    /// A number in `0..bound`.
    fn below(&mut self, bound: u64) -> u64;
}

/// A pod that can answer: what its answers depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub pod: String,
    /// The pod's uid (its log is kept under it).
    pub uid: String,
    /// The first container's image.
    pub image: String,
    /// The first container's plain `env` values (`value`, not `valueFrom`).
    pub env: Vec<(String, String)>,
    /// The pod's `rollouts-pod-template-hash` label, if any.
    pub template_hash: Option<String>,
}

/// The Service a request was sent to, as metrics name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The Service port the route named (0 when none was named).
    pub port: i32,
}

/// How a request reached its Service, for the metrics' labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Through an Ingress (ingress-nginx): `ingress` is the Ingress whose rule matched first (the
    /// primary one), `canary` the canary Ingress's Service when the canary took the request.
    Ingress {
        /// The Ingress's namespace.
        namespace: String,
        /// The primary Ingress's name.
        ingress: String,
        /// The canary backend's upstream name (`<namespace>-<service>-<port>`) when the canary answered.
        canary: Option<String>,
    },
    /// Through a Gateway API HTTPRoute attached to a Gateway.
    Gateway {
        /// The route's namespace.
        namespace: String,
        /// The HTTPRoute's name.
        route: String,
    },
    /// Through an Istio VirtualService (at a Gateway or in the mesh); `subset` when a DestinationRule
    /// subset was named.
    Istio {
        /// The VirtualService's namespace.
        namespace: String,
        /// Its name.
        virtual_service: String,
        /// The destination's subset.
        subset: Option<String>,
    },
    /// Through an SMI TrafficSplit of a root Service.
    Smi {
        /// The TrafficSplit's namespace.
        namespace: String,
        /// Its name.
        split: String,
    },
    /// Straight to a Service (`Host: <svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc.cluster.local`).
    Service,
    /// Through an Ingress of class `alb` (the AWS Load Balancer Controller's rules).
    Alb {
        /// The Ingress's namespace.
        namespace: String,
        /// Its name.
        ingress: String,
    },
    /// Through a Traefik IngressRoute (and the TraefikServices it names).
    Traefik {
        /// The IngressRoute's namespace.
        namespace: String,
        /// Its name.
        route: String,
    },
    /// Through an Ambassador (Emissary) Mapping.
    Ambassador {
        /// The Mapping's namespace.
        namespace: String,
        /// The name of the Mapping whose Service answered.
        mapping: String,
    },
    /// Through an APISIX ApisixRoute.
    Apisix {
        /// The ApisixRoute's namespace.
        namespace: String,
        /// Its name.
        route: String,
    },
}

/// Where one request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    /// The pod that answers.
    pub backend: std::sync::Arc<Backend>,
    /// The Service it was reached through.
    pub service: ServiceRef,
    /// The route that chose it.
    pub via: Via,
    /// Pods that get a copy of the request (Istio mirrors); their answers are dropped.
    pub mirrors: Vec<std::sync::Arc<Backend>>,
    /// A `Set-Cookie` value the proxy adds to the answer (an ALB's target group stickiness).
    pub set_cookie: Option<String>,
}

/// The outcome of routing one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A pod answers.
    Routed(Routed),
    /// No route for this host and path: 404, with a one-line reason.
    NotFound(String),
    /// A route matched but its Service has no Ready pod: 503, with a one-line reason.
    Unavailable(String),
    /// The proxy answers by itself (an ALB `fixed-response` action).
    Fixed(FixedResponse),
}

/// An answer the proxy gives without a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// The body.
    pub body: String,
}
