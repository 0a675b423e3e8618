//! Counting the controller's API requests: the kube client the controller uses is wrapped in a service
//! that classifies every request by verb and resource before sending it, and by upstream's labels
//! (with the answer's status) once answered, so that watches, lists, writes and event posts made
//! anywhere (kube-runtime included) are all counted in one place.

use hyper::{Method, Request};
use kube::client::Body;

use crate::runtime::metrics::Metrics;
use crate::runtime::metrics::k8s_requests;

/// Wraps `client` so that every request it sends is counted in `metrics`.
pub fn counting_client(client: kube::Client, metrics: Metrics) -> kube::Client {
    let namespace = client.default_namespace().to_string();
    let counting = tower::service_fn(move |request: Request<Body>| {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let (verb, resource) = classify(&method, uri.path(), uri.query());
        metrics.record_api_request(verb, &resource);
        // A create is described by its body's metadata: a copy of it (the client's bodies are
        // in memory) is read while the request is sent.
        let body = (method == Method::POST).then(|| request.body().try_clone()).flatten();
        let client = client.clone();
        let metrics = metrics.clone();
        async move {
            let created = match body {
                Some(body) => body.collect_bytes().await.ok(),
                None => None,
            };
            let described = k8s_requests::describe(&method, uri.path(), uri.query(), created.as_deref());
            let response = client.send(request).await;
            let status = response.as_ref().map_or(0, |r| r.status().as_u16());
            metrics.record_k8s_request(&described.labels(status));
            response
        }
    });
    kube::Client::new(counting, namespace)
}

/// The verb (as in RBAC: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
/// `deletecollection`) and resource (plural, with the subresource: `rollouts/status`) of a request:
/// what [`Metrics`] counts it under. Paths outside the resource API (discovery, `/version`) are
/// reported by their path.
pub fn classify(method: &Method, path: &str, query: Option<&str>) -> (&'static str, String) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let rest = match segments.first() {
        Some(&"api") => segments.get(2..),
        Some(&"apis") => segments.get(3..),
        _ => None,
    }
    .unwrap_or_default();
    // `namespaces/<ns>/<resource>...`, but `namespaces` and `namespaces/<name>` name the Namespaces.
    let rest = match rest {
        ["namespaces", _, tail @ ..] if !tail.is_empty() => tail,
        _ => rest,
    };
    let (resource, named) = match rest {
        [] => (path.to_string(), true),
        [resource] => (resource.to_string(), false),
        [resource, _name] => (resource.to_string(), true),
        [resource, _name, subresource, ..] => (format!("{resource}/{subresource}"), true),
    };
    let watch = query.is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
    let verb = match *method {
        Method::GET if watch => "watch",
        Method::GET if named => "get",
        Method::GET => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if named => "delete",
        Method::DELETE => "deletecollection",
        _ => "other",
    };
    (verb, resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(method: Method, uri: &str) -> String {
        let (path, query) = match uri.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (uri, None),
        };
        let (verb, resource) = classify(&method, path, query);
        format!("{verb} {resource}")
    }

    #[test]
    fn requests_are_named_by_verb_and_resource() {
        let ro = "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts";
        assert_eq!(
            c(Method::GET, "/apis/argoproj.io/v1alpha1/rollouts?&limit=500"),
            "list rollouts"
        );
        assert_eq!(
            c(
                Method::GET,
                "/apis/argoproj.io/v1alpha1/rollouts?&watch=true&timeoutSeconds=290"
            ),
            "watch rollouts"
        );
        assert_eq!(c(Method::PATCH, &format!("{ro}/web/status?")), "patch rollouts/status");
        assert_eq!(c(Method::PATCH, &format!("{ro}/web")), "patch rollouts");
        let rs = "/apis/apps/v1/namespaces/default/replicasets";
        assert_eq!(c(Method::POST, &format!("{rs}?")), "create replicasets");
        assert_eq!(c(Method::PUT, &format!("{rs}/web-1")), "update replicasets");
        assert_eq!(c(Method::DELETE, &format!("{rs}/web-1")), "delete replicasets");
        assert_eq!(c(Method::DELETE, rs), "deletecollection replicasets");
        assert_eq!(
            c(Method::PATCH, "/apis/apps/v1/namespaces/default/deployments/web/scale"),
            "patch deployments/scale"
        );
        assert_eq!(
            c(Method::GET, "/apis/apps/v1/namespaces/default/deployments/web"),
            "get deployments"
        );
        assert_eq!(
            c(Method::GET, "/api/v1/namespaces/default/pods?&labelSelector=app%3Dweb"),
            "list pods"
        );
        assert_eq!(
            c(Method::POST, "/api/v1/namespaces/default/pods/web-1/eviction?"),
            "create pods/eviction"
        );
        assert_eq!(
            c(Method::PATCH, "/api/v1/namespaces/default/services/web"),
            "patch services"
        );
        assert_eq!(
            c(Method::POST, "/apis/events.k8s.io/v1/namespaces/default/events?"),
            "create events"
        );
    }

    #[test]
    fn namespaces_and_discovery_are_not_mistaken_for_namespaced_paths() {
        assert_eq!(c(Method::GET, "/api/v1/namespaces"), "list namespaces");
        assert_eq!(c(Method::GET, "/api/v1/namespaces/default"), "get namespaces");
        assert_eq!(c(Method::GET, "/version"), "get /version");
        assert_eq!(c(Method::GET, "/apis/apps/v1"), "get /apis/apps/v1");
    }
}
