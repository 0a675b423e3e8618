//! The four route kinds the router drives, and reading one from the routing objects.

use serde_json::Value;

use crate::traffic::{LabelQuery, ObjectRef, ObjectSelector, Objects, RouterError};

/// The Gateway API group.
pub const GROUP: &str = "gateway.networking.k8s.io";

/// A Gateway API route kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// `HTTPRoute`.
    Http,
    /// `GRPCRoute`.
    Grpc,
    /// `TCPRoute`.
    Tcp,
    /// `TLSRoute`.
    Tls,
}

impl RouteKind {
    /// Every kind, in the order the router drives them.
    pub const ALL: [RouteKind; 4] = [RouteKind::Http, RouteKind::Grpc, RouteKind::Tcp, RouteKind::Tls];

    /// The `kind`.
    pub fn kind(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Grpc => "GRPCRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Tls => "TLSRoute",
        }
    }

    /// The `apiVersion` the route is read and written with: the plugin's. HTTPRoute and GRPCRoute are
    /// `v1`; TCPRoute and TLSRoute are `v1alpha2`, which Gateway API 1.6 still serves (deprecated, beside
    /// `v1`) and which every older release serves alone.
    pub fn api_version(self) -> &'static str {
        match self {
            RouteKind::Http | RouteKind::Grpc => "gateway.networking.k8s.io/v1",
            RouteKind::Tcp | RouteKind::Tls => "gateway.networking.k8s.io/v1alpha2",
        }
    }

    /// How the plugin's messages name the kind: `httpRoute`, `grpcRoute`, `tcpRoute`, `tlsRoute`.
    pub fn word(self) -> &'static str {
        match self {
            RouteKind::Http => "httpRoute",
            RouteKind::Grpc => "grpcRoute",
            RouteKind::Tcp => "tcpRoute",
            RouteKind::Tls => "tlsRoute",
        }
    }

    /// The configuration's list field of the kind: `httpRoutes`, `grpcRoutes`, `tcpRoutes`, `tlsRoutes`.
    pub fn list_field(self) -> &'static str {
        match self {
            RouteKind::Http => "httpRoutes",
            RouteKind::Grpc => "grpcRoutes",
            RouteKind::Tcp => "tcpRoutes",
            RouteKind::Tls => "tlsRoutes",
        }
    }

    /// The reference of the route `name` in `namespace`.
    pub fn reference(self, namespace: &str, name: &str) -> ObjectRef {
        ObjectRef::new(self.api_version(), self.kind(), namespace, name)
    }

    /// The plugin's error when a rule set lacks the canary or the stable Service: `backendRef was not
    /// found in httpRoute`, or for the layer-4 kinds `backendRef list was not found in tcpRoute`.
    pub fn backend_not_found(self) -> RouterError {
        let what = match self {
            RouteKind::Http | RouteKind::Grpc => "backendRef",
            RouteKind::Tcp | RouteKind::Tls => "backendRef list",
        };
        RouterError::new(format!("{what} was not found in {}", self.word()))
    }
}

/// The selector of the routes of `kind` in `namespace` whose labels satisfy `labels`.
pub fn selector(kind: RouteKind, namespace: &str, labels: &LabelQuery) -> ObjectSelector {
    ObjectSelector::new(kind.api_version(), kind.kind(), namespace, labels.clone())
}

/// The API server's NotFound message for the route `name` of `kind`
/// (`httproutes.gateway.networking.k8s.io "name" not found`), which is what the plugin reports.
pub fn not_found(kind: RouteKind, name: &str) -> String {
    format!(
        "{}.{GROUP} {} not found",
        kind.reference("", name).plural(),
        rollouts_api::gofmt::go_quote(name)
    )
}

/// A copy of the route to change, or the API server's NotFound message
/// (`httproutes.gateway.networking.k8s.io "name" not found`), which is what the plugin reports.
pub fn read(objects: &Objects, kind: RouteKind, namespace: &str, name: &str) -> Result<Value, RouterError> {
    let target = kind.reference(namespace, name);
    objects
        .get(&target)
        .cloned()
        .ok_or_else(|| RouterError::new(not_found(kind, name)))
}

/// `spec.rules` as read; empty when absent.
pub fn rules(route: &Value) -> &[Value] {
    route
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `spec.rules`, for changing in place; `None` when the route has none.
pub fn rules_mut(route: &mut Value) -> Option<&mut Vec<Value>> {
    route.pointer_mut("/spec/rules").and_then(Value::as_array_mut)
}

/// Replaces `spec.rules`; a route without a `spec` object is left alone (the API server never returns
/// one, and a route without rules has nothing to replace).
pub fn set_rules(route: &mut Value, rules: Vec<Value>) {
    if let Some(spec) = route.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("rules".to_string(), Value::Array(rules));
    }
}

/// A rule's `backendRefs`; empty when absent.
pub fn backend_refs(rule: &Value) -> &[Value] {
    rule.get("backendRefs")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A rule's `backendRefs`, for changing in place; `None` when it has none.
pub fn backend_refs_mut(rule: &mut Value) -> Option<&mut Vec<Value>> {
    rule.get_mut("backendRefs").and_then(Value::as_array_mut)
}

/// A string field, or "".
pub fn text<'v>(value: &'v Value, field: &str) -> &'v str {
    value.get(field).and_then(Value::as_str).unwrap_or_default()
}
