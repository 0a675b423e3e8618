//! The plugin configuration, `trafficRouting.plugins["argoproj-labs/gatewayAPI"]`, read as the
//! out-of-tree plugin reads it: unknown fields are ignored, `namespace` defaults to the Rollout's, and the
//! single-route fields (`httpRoute`, `grpcRoute`, `tcpRoute`, `tlsRoute`) join the end of their list with
//! header routes on.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use rollouts_api::validation::{ErrorKind, FieldError, FieldPath};
use serde::Deserialize;
use serde_json::Value;

use super::route::RouteKind;
use crate::traffic::{LabelQuery, RouterError};

/// The plugin's name, the key of its configuration under `trafficRouting.plugins`.
pub const PLUGIN_NAME: &str = "argoproj-labs/gatewayAPI";

/// Where the configuration sits in the Rollout, for error messages.
pub const CONFIG_PATH: &str = "spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI";

/// The label the plugin puts on the routes it changes while a canary runs, so that GitOps tools can
/// ignore them meanwhile.
pub const DEFAULT_IN_PROGRESS_LABEL_KEY: &str = "rollouts.argoproj.io/gatewayapi-canary";

/// The value of that label.
pub const DEFAULT_IN_PROGRESS_LABEL_VALUE: &str = "in-progress";

/// One route the router drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRoute {
    /// The route's name, in the configuration's namespace.
    pub name: String,
    /// Whether `setHeaderRoute` steps add their rules to this route (HTTPRoute and GRPCRoute only).
    pub use_header_routes: bool,
    /// Where the configuration names it, under [`CONFIG_PATH`] (`httpRoute`, `httpRoutes[0].name`);
    /// empty for a route found by a selector.
    pub field: String,
}

/// Routes of one kind driven because their labels match (`httpRouteSelector` and the others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSelector {
    /// The kind listed.
    pub kind: RouteKind,
    /// The label requirements.
    pub labels: LabelQuery,
}

/// The label put on routes while the canary carries weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProgressLabel {
    /// Label key.
    pub key: String,
    /// Label value.
    pub value: String,
}

/// The configuration, checked and with its defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayApiConfig {
    /// Namespace of every route.
    pub namespace: String,
    /// HTTPRoutes, `httpRoutes` then `httpRoute`.
    pub http_routes: Vec<NamedRoute>,
    /// GRPCRoutes, `grpcRoutes` then `grpcRoute`.
    pub grpc_routes: Vec<NamedRoute>,
    /// TCPRoutes, `tcpRoutes` then `tcpRoute`.
    pub tcp_routes: Vec<NamedRoute>,
    /// TLSRoutes, `tlsRoutes` then `tlsRoute`.
    pub tls_routes: Vec<NamedRoute>,
    /// The route selectors, in kind order.
    pub selectors: Vec<RouteSelector>,
    /// The in-progress label, unless `disableInProgressLabel` is set.
    pub in_progress_label: Option<InProgressLabel>,
}

/// The configuration as written; every field is optional and `null` counts as unset, as Go's decoder
/// treats it.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", expecting = "an object")]
struct Written {
    http_route: Option<String>,
    grpc_route: Option<String>,
    tcp_route: Option<String>,
    tls_route: Option<String>,
    namespace: Option<String>,
    http_routes: Option<Vec<WrittenRoute>>,
    grpc_routes: Option<Vec<WrittenRoute>>,
    tcp_routes: Option<Vec<WrittenRoute>>,
    tls_routes: Option<Vec<WrittenRoute>>,
    http_route_selector: Option<LabelSelector>,
    grpc_route_selector: Option<LabelSelector>,
    tcp_route_selector: Option<LabelSelector>,
    tls_route_selector: Option<LabelSelector>,
    disable_in_progress_label: Option<bool>,
    in_progress_label_key: Option<String>,
    in_progress_label_value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", expecting = "an object")]
struct WrittenRoute {
    name: Option<String>,
    use_header_routes: Option<bool>,
}

impl GatewayApiConfig {
    /// Reads the plugin's configuration of a Rollout in `rollout_namespace`.
    pub fn parse(config: &Value, rollout_namespace: &str) -> Result<Self, RouterError> {
        let written: Written = serde_path_to_error::deserialize(config).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." {
                CONFIG_PATH.to_string()
            } else {
                format!("{CONFIG_PATH}.{path}")
            };
            config_error(FieldError {
                path,
                kind: ErrorKind::Invalid,
                value: None,
                message: e.into_inner().to_string(),
            })
        })?;
        let selectors = route_selectors(&written)?;
        let namespace = written
            .namespace
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| rollout_namespace.to_string());
        let in_progress_label = (!written.disable_in_progress_label.unwrap_or(false)).then(|| InProgressLabel {
            key: non_empty_or(written.in_progress_label_key, DEFAULT_IN_PROGRESS_LABEL_KEY),
            value: non_empty_or(written.in_progress_label_value, DEFAULT_IN_PROGRESS_LABEL_VALUE),
        });
        Ok(Self {
            namespace,
            http_routes: routes(RouteKind::Http, written.http_routes, written.http_route)?,
            grpc_routes: routes(RouteKind::Grpc, written.grpc_routes, written.grpc_route)?,
            tcp_routes: routes(RouteKind::Tcp, written.tcp_routes, written.tcp_route)?,
            tls_routes: routes(RouteKind::Tls, written.tls_routes, written.tls_route)?,
            selectors,
            in_progress_label,
        })
    }

    /// The routes of one kind, in the order they are driven.
    pub fn routes(&self, kind: RouteKind) -> &[NamedRoute] {
        match kind {
            RouteKind::Http => &self.http_routes,
            RouteKind::Grpc => &self.grpc_routes,
            RouteKind::Tcp => &self.tcp_routes,
            RouteKind::Tls => &self.tls_routes,
        }
    }

    /// Whether any route is named at all.
    pub fn has_routes(&self) -> bool {
        RouteKind::ALL.iter().any(|k| !self.routes(*k).is_empty())
    }

    /// The selector of routes of `kind`, if one is configured.
    pub fn selector(&self, kind: RouteKind) -> Option<&RouteSelector> {
        self.selectors.iter().find(|s| s.kind == kind)
    }
}

fn config_error(error: FieldError) -> RouterError {
    RouterError::new(error.to_string())
}

fn non_empty_or(value: Option<String>, default: &str) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
}

/// The list, then the single route (with header routes on), as the plugin joins them. A listed route
/// needs a name: the plugin would look up a route named "" and fail on every step.
fn routes(
    kind: RouteKind,
    list: Option<Vec<WrittenRoute>>,
    single: Option<String>,
) -> Result<Vec<NamedRoute>, RouterError> {
    let list_field = kind.list_field();
    let mut out = Vec::new();
    for (i, route) in list.unwrap_or_default().into_iter().enumerate() {
        let field = format!("{list_field}[{i}].name");
        let name = route.name.unwrap_or_default();
        if name.is_empty() {
            return Err(config_error(FieldError::required(format!("{CONFIG_PATH}.{field}"), "")));
        }
        out.push(NamedRoute {
            name,
            use_header_routes: route.use_header_routes.unwrap_or(false),
            field,
        });
    }
    if let Some(name) = single.filter(|n| !n.is_empty()) {
        out.push(NamedRoute {
            name,
            use_header_routes: true,
            field: kind.word().to_string(),
        });
    }
    Ok(out)
}

/// The route selectors. The plugin lists the routes they select on every call, each with header
/// routes off, after the routes it names; a selector Kubernetes would refuse is refused here, naming
/// the field, rather than on every call.
fn route_selectors(written: &Written) -> Result<Vec<RouteSelector>, RouterError> {
    let written = [
        (RouteKind::Http, &written.http_route_selector),
        (RouteKind::Grpc, &written.grpc_route_selector),
        (RouteKind::Tcp, &written.tcp_route_selector),
        (RouteKind::Tls, &written.tls_route_selector),
    ];
    written
        .into_iter()
        .filter_map(|(kind, selector)| Some((kind, selector.as_ref()?)))
        .map(|(kind, selector)| {
            let path = FieldPath::new(CONFIG_PATH).child(&format!("{}Selector", kind.word()));
            let labels = LabelQuery::from_selector(selector, &path).map_err(config_error)?;
            Ok(RouteSelector { kind, labels })
        })
        .collect()
}
