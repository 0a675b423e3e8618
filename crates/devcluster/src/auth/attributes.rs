//! Request attributes: what a request does, read from its method, path and query as kube-apiserver's
//! `RequestInfoFactory` reads them, and the Forbidden answer that names them.

use serde_json::{Map, Value};

use crate::server::error::ApiError;
use crate::server::query::Query;

/// What a request on a resource does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceAttributes {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or a special
    /// verb of a review or impersonation (`impersonate`, `bind`, `escalate`, ...).
    pub verb: String,
    /// API group, "" for core.
    pub group: String,
    /// API version.
    pub version: String,
    /// The resource (plural).
    pub resource: String,
    /// The subresource, "" for none.
    pub subresource: String,
    /// The namespace, "" at the cluster scope.
    pub namespace: String,
    /// The object's name, "" for collections.
    pub name: String,
}

impl ResourceAttributes {
    /// `resource` or `resource/subresource`, as rules name it.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

/// What a request does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attributes {
    /// A request on a resource.
    Resource(ResourceAttributes),
    /// Any other path (discovery, `/version`, `/healthz`, `/metrics`, ...): the lower-cased HTTP method.
    NonResource {
        /// `get`, `post`, ...
        verb: String,
        /// The path.
        path: String,
    },
}

impl Attributes {
    /// The verb.
    pub fn verb(&self) -> &str {
        match self {
            Attributes::Resource(r) => &r.verb,
            Attributes::NonResource { verb, .. } => verb,
        }
    }

    /// The namespace of a namespaced resource request, "" otherwise.
    pub fn namespace(&self) -> &str {
        match self {
            Attributes::Resource(r) => &r.namespace,
            Attributes::NonResource { .. } => "",
        }
    }
}

/// The attributes of a request. `query` is what the handlers read too, so a request is authorized for the
/// verb it is served as (a `watch` flag the handler would not honour is no watch here either).
pub fn from_request(method: &str, path: &str, query: &Query) -> Attributes {
    let non_resource = || Attributes::NonResource {
        verb: method.to_ascii_lowercase(),
        path: path.to_string(),
    };
    let trimmed = path.trim_matches('/');
    let parts: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    if parts.len() < 3 {
        return non_resource();
    }
    let (group, rest) = match parts[0] {
        "api" => ("", &parts[1..]),
        "apis" if parts.len() >= 4 => (parts[1], &parts[2..]),
        _ => return non_resource(),
    };
    let version = rest[0];
    let mut rest = &rest[1..];
    let mut verb = match method {
        "POST" => "create",
        "GET" | "HEAD" => "get",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "",
    };
    let mut special = false;
    if matches!(rest.first(), Some(&("watch" | "proxy"))) {
        if rest.len() < 2 {
            return non_resource();
        }
        verb = if rest[0] == "watch" { "watch" } else { "proxy" };
        special = true;
        rest = &rest[1..];
    }
    let mut attrs = ResourceAttributes {
        group: group.to_string(),
        version: version.to_string(),
        ..ResourceAttributes::default()
    };
    if rest.first() == Some(&"namespaces")
        && let Some(ns) = rest.get(1)
    {
        attrs.namespace = (*ns).to_string();
        // `namespaces/{ns}/{resource}...`, except the namespace's own subresources.
        if rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
            rest = &rest[2..];
        }
    }
    attrs.resource = rest.first().map(|s| (*s).to_string()).unwrap_or_default();
    attrs.name = rest.get(1).map(|s| (*s).to_string()).unwrap_or_default();
    if verb != "proxy" {
        attrs.subresource = rest.get(2).map(|s| (*s).to_string()).unwrap_or_default();
    }
    if attrs.name.is_empty() && verb == "get" && !special {
        verb = if query.flag("watch") { "watch" } else { "list" };
    }
    if attrs.name.is_empty() && matches!(verb, "list" | "watch") {
        // A list or watch of one object by name is authorized as that object (`kubectl get pod x -w`).
        attrs.name = exact_name(query.get("fieldSelector").unwrap_or_default()).unwrap_or_default();
    }
    if attrs.name.is_empty() && verb == "delete" {
        verb = "deletecollection";
    }
    attrs.verb = verb.to_string();
    Attributes::Resource(attrs)
}

/// The name a field selector requires exactly (`metadata.name=x`, `metadata.name==x`).
fn exact_name(selector: &str) -> Option<String> {
    selector.split(',').find_map(|term| {
        let value = term
            .trim()
            .strip_prefix("metadata.name")?
            .trim_start()
            .strip_prefix('=')?;
        let value = value.strip_prefix('=').unwrap_or(value).trim();
        (!value.is_empty() && !value.contains('/') && value != "." && value != "..").then(|| value.to_string())
    })
}

/// `User "<user>" cannot <verb> ...`, as kube-apiserver words a refusal.
pub fn forbidden_message(user: &str, attrs: &Attributes) -> String {
    match attrs {
        Attributes::NonResource { verb, path } => format!("User \"{user}\" cannot {verb} path \"{path}\""),
        Attributes::Resource(r) => {
            let resource = r.combined_resource();
            if r.namespace.is_empty() {
                format!(
                    "User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" at the cluster scope",
                    r.verb, r.group
                )
            } else {
                format!(
                    "User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" in the namespace \"{}\"",
                    r.verb, r.group, r.namespace
                )
            }
        }
    }
}

/// The 403 answer to a refused request: the message names the resource (with the group) and the object,
/// then who could not do what, then the authorizer's reason if it gave one.
pub fn forbidden(user: &str, attrs: &Attributes, reason: &str) -> ApiError {
    let mut cause = forbidden_message(user, attrs);
    if !reason.is_empty() {
        cause.push_str(": ");
        cause.push_str(reason);
    }
    let (group, resource, name) = match attrs {
        Attributes::Resource(r) => (r.group.as_str(), r.resource.as_str(), r.name.as_str()),
        Attributes::NonResource { .. } => ("", "", ""),
    };
    forbidden_on(group, resource, name, &cause)
}

/// A 403 on `resource.group` named `name` for `cause`, as `NewForbidden` builds it.
pub fn forbidden_on(group: &str, resource: &str, name: &str, cause: &str) -> ApiError {
    let qualified = if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    };
    let message = match (qualified.is_empty(), name.is_empty()) {
        (true, _) => format!("forbidden: {cause}"),
        (false, true) => format!("{qualified} is forbidden: {cause}"),
        (false, false) => format!("{qualified} \"{name}\" is forbidden: {cause}"),
    };
    let mut details = Map::new();
    for (key, value) in [("name", name), ("group", group), ("kind", resource)] {
        if !value.is_empty() {
            details.insert(key.into(), Value::String(value.to_string()));
        }
    }
    let mut error = ApiError::forbidden(message);
    error.details = Some(Value::Object(details));
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(method: &str, path: &str, query: &str) -> Attributes {
        from_request(method, path, &Query::parse(Some(query)))
    }

    fn res(verb: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str) -> Attributes {
        Attributes::Resource(ResourceAttributes {
            verb: verb.into(),
            group: group.into(),
            version: if group.is_empty() || group == "apps" {
                "v1"
            } else {
                "v1alpha1"
            }
            .into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: name.into(),
        })
    }

    #[test]
    fn requests_map_to_attributes_as_kube_apiserver_maps_them() {
        let cases = [
            (
                "GET",
                "/api/v1/namespaces/default/pods",
                "",
                res("list", "", "pods", "", "default", ""),
            ),
            (
                "GET",
                "/api/v1/pods",
                "watch=true",
                res("watch", "", "pods", "", "", ""),
            ),
            ("GET", "/api/v1/pods", "watch=1", res("watch", "", "pods", "", "", "")),
            (
                "GET",
                "/api/v1/watch/namespaces/default/pods",
                "",
                res("watch", "", "pods", "", "default", ""),
            ),
            (
                "GET",
                "/api/v1/namespaces/default/pods/p1",
                "",
                res("get", "", "pods", "", "default", "p1"),
            ),
            (
                "HEAD",
                "/api/v1/namespaces/default/pods/p1",
                "",
                res("get", "", "pods", "", "default", "p1"),
            ),
            (
                "GET",
                "/api/v1/namespaces/default/pods/p1/log",
                "",
                res("get", "", "pods", "log", "default", "p1"),
            ),
            (
                "GET",
                "/api/v1/namespaces/default/pods",
                "fieldSelector=metadata.name%3Dp1&watch=true",
                res("watch", "", "pods", "", "default", "p1"),
            ),
            (
                "POST",
                "/api/v1/namespaces/default/pods",
                "",
                res("create", "", "pods", "", "default", ""),
            ),
            (
                "PUT",
                "/api/v1/namespaces/default/pods/p1",
                "",
                res("update", "", "pods", "", "default", "p1"),
            ),
            (
                "PATCH",
                "/api/v1/namespaces/default/pods/p1",
                "",
                res("patch", "", "pods", "", "default", "p1"),
            ),
            (
                "DELETE",
                "/api/v1/namespaces/default/pods/p1",
                "",
                res("delete", "", "pods", "", "default", "p1"),
            ),
            (
                "DELETE",
                "/api/v1/namespaces/default/pods",
                "",
                res("deletecollection", "", "pods", "", "default", ""),
            ),
            (
                "PATCH",
                "/apis/apps/v1/namespaces/prod/deployments/web/scale",
                "",
                res("patch", "apps", "deployments", "scale", "prod", "web"),
            ),
            (
                "PUT",
                "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/r/status",
                "",
                res("update", "argoproj.io", "rollouts", "status", "prod", "r"),
            ),
            // A namespace is addressed within itself, its subresources too.
            (
                "GET",
                "/api/v1/namespaces/dev",
                "",
                res("get", "", "namespaces", "", "dev", "dev"),
            ),
            (
                "PUT",
                "/api/v1/namespaces/dev/finalize",
                "",
                res("update", "", "namespaces", "finalize", "dev", "dev"),
            ),
            (
                "GET",
                "/api/v1/namespaces",
                "",
                res("list", "", "namespaces", "", "", ""),
            ),
            (
                "POST",
                "/api/v1/namespaces/ns/serviceaccounts/bot/token",
                "",
                res("create", "", "serviceaccounts", "token", "ns", "bot"),
            ),
        ];
        for (method, path, query, want) in cases {
            assert_eq!(attrs(method, path, query), want, "{method} {path}?{query}");
        }
    }

    #[test]
    fn other_paths_are_non_resource_requests() {
        for (method, path) in [
            ("GET", "/api"),
            ("GET", "/api/v1"),
            ("GET", "/apis"),
            ("GET", "/apis/apps"),
            ("GET", "/apis/apps/v1"),
            ("GET", "/version"),
            ("GET", "/openapi/v3/apis/apps/v1"),
            ("GET", "/healthz"),
            ("POST", "/metrics"),
            ("GET", "/"),
        ] {
            assert_eq!(
                attrs(method, path, ""),
                Attributes::NonResource {
                    verb: method.to_lowercase(),
                    path: path.into()
                }
            );
        }
    }

    #[test]
    fn forbidden_messages_are_kube_apiservers() {
        let user = "system:serviceaccount:default:x";
        let e = forbidden(user, &res("list", "", "pods", "", "default", ""), "");
        assert_eq!(
            e.message,
            r#"pods is forbidden: User "system:serviceaccount:default:x" cannot list resource "pods" in API group "" in the namespace "default""#
        );
        assert_eq!((e.code, e.reason), (403, "Forbidden"));
        assert_eq!(e.details, Some(json!({"kind": "pods"})));
        let e = forbidden(user, &res("get", "", "pods", "log", "default", "p1"), "");
        assert_eq!(
            e.message,
            r#"pods "p1" is forbidden: User "system:serviceaccount:default:x" cannot get resource "pods/log" in API group "" in the namespace "default""#
        );
        assert_eq!(e.details, Some(json!({"name": "p1", "kind": "pods"})));
        let e = forbidden(user, &res("list", "apps", "deployments", "", "", ""), "");
        assert_eq!(
            e.message,
            r#"deployments.apps is forbidden: User "system:serviceaccount:default:x" cannot list resource "deployments" in API group "apps" at the cluster scope"#
        );
        assert_eq!(e.details, Some(json!({"group": "apps", "kind": "deployments"})));
        let e = forbidden(
            user,
            &Attributes::NonResource {
                verb: "get".into(),
                path: "/metrics".into(),
            },
            "",
        );
        assert_eq!(
            e.message,
            r#"forbidden: User "system:serviceaccount:default:x" cannot get path "/metrics""#
        );
        assert_eq!(e.details, Some(json!({})));
        let e = forbidden(
            user,
            &res("get", "", "pods", "", "default", ""),
            r#"RBAC: role.rbac.authorization.k8s.io "gone" not found"#,
        );
        assert!(
            e.message
                .ends_with(r#"in the namespace "default": RBAC: role.rbac.authorization.k8s.io "gone" not found"#)
        );
    }

    #[test]
    fn only_exact_name_selectors_name_an_object() {
        assert_eq!(exact_name("metadata.name=a"), Some("a".into()));
        assert_eq!(exact_name("metadata.name==a,status.phase=Running"), Some("a".into()));
        assert_eq!(exact_name("metadata.name!=a"), None);
        assert_eq!(exact_name("metadata.namespace=a"), None);
        assert_eq!(exact_name(""), None);
    }
}
