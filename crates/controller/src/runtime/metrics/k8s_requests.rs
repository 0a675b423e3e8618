//! The labels of `controller_clientset_k8s_request_total`, derived from each request exactly as
//! upstream derives them from the request URL, method and (for a create) body, quirks included, so
//! that queries written for upstream's series select the same requests:
//!
//! - the verb is `Create` (POST), `Delete`, `Patch`, `Update` (PUT), and for a GET `List`, `Watch`
//!   (`watch=true`) or `Get` by how many path segments follow the API version; anything else is
//!   `Unknown`, with kind, namespace and name `Unknown` too;
//! - a create's kind is the path's last segment and its namespace and name are the body's metadata;
//! - a list or watch's kind is the last segment, its namespace the one before (namespaced paths); a
//!   watch of one object (`fieldSelector=metadata.name=...`) has its name;
//! - any other request's name is the last segment, its kind the one before and its namespace the one
//!   before that: a subresource request (`.../rollouts/web/status`) is therefore counted with kind
//!   `web`, name `status` and namespace `rollouts`, as upstream counts it;
//! - lists, events and ReplicaSets have the name `N/A`.

use hyper::Method;

/// The labels of one request, in the Go client's order (sorted by name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestLabels {
    /// The resource (plural), as the path names it.
    pub kind: String,
    /// The object's name, `N/A` or `Unknown`.
    pub name: String,
    /// The namespace (empty for cluster-scoped requests).
    pub namespace: String,
    /// The response's status code, `0` when none came.
    pub status_code: String,
    /// `List`, `Watch`, `Get`, `Create`, `Update`, `Patch`, `Delete` or `Unknown`.
    pub verb: String,
}

impl RequestLabels {
    /// The label set.
    pub fn pairs(&self) -> super::family::Labels {
        super::family::labels([
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
            ("status_code", &self.status_code),
            ("verb", &self.verb),
        ])
    }
}

/// What a request is about, before its answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Described {
    kind: String,
    namespace: String,
    name: String,
    verb: &'static str,
}

impl Described {
    /// The labels of the request, answered with `status` (0 when no answer came).
    pub fn labels(self, status: u16) -> RequestLabels {
        let Described {
            mut kind,
            mut namespace,
            mut name,
            verb,
        } = self;
        if verb == "List" || kind == "events" || kind == "replicasets" {
            name = "N/A".to_string();
        }
        if verb == "Unknown" {
            kind = "Unknown".to_string();
            namespace = "Unknown".to_string();
            name = "Unknown".to_string();
        }
        RequestLabels {
            kind,
            name,
            namespace,
            status_code: status.to_string(),
            verb: verb.to_string(),
        }
    }
}

/// Describes a request by its `method`, `path`, `query` and, for a create, its `body`.
pub fn describe(method: &Method, path: &str, query: Option<&str>, body: Option<&[u8]>) -> Described {
    let verb = verb(method, path, query);
    let segments: Vec<&str> = path.split('/').collect();
    let from_end = |n: usize| {
        segments
            .len()
            .checked_sub(n)
            .and_then(|i| segments.get(i))
            .map_or_else(String::new, ToString::to_string)
    };
    let namespaced = is_namespaced(path);
    match verb {
        "List" | "Watch" => Described {
            kind: from_end(1),
            namespace: if namespaced { from_end(2) } else { String::new() },
            name: if verb == "Watch" {
                watched_name(query).unwrap_or_default()
            } else {
                String::new()
            },
            verb,
        },
        "Create" => created(path, body),
        "Unknown" => Described {
            verb,
            ..Described::default()
        },
        _ => Described {
            kind: from_end(2),
            namespace: if namespaced { from_end(3) } else { String::new() },
            name: from_end(1),
            verb,
        },
    }
}

fn verb(method: &Method, path: &str, query: Option<&str>) -> &'static str {
    match *method {
        Method::POST => "Create",
        Method::DELETE => "Delete",
        Method::PATCH => "Patch",
        Method::PUT => "Update",
        Method::GET => match groups_after_version(path) {
            // A collection: `<kind>` or `namespaces/<ns>/<kind>`.
            1 | 3 if first_query_value(query, "watch").as_deref() == Some("true") => "Watch",
            1 | 3 => "List",
            _ => "Get",
        },
        _ => "Unknown",
    }
}

/// How many path segments (up to four) follow the API version (`/v1`, `/v1alpha1`): the first
/// `/v<digit><word characters>` followed by a `/`. 0 when there is no version.
fn groups_after_version(path: &str) -> usize {
    let bytes = path.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let segment_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    for start in 0..bytes.len() {
        if !(bytes[start] == b'/'
            && bytes.get(start + 1) == Some(&b'v')
            && bytes.get(start + 2).is_some_and(u8::is_ascii_digit))
        {
            continue;
        }
        // The shortest run of word characters after the digit that reaches a `/`.
        let mut at = start + 3;
        while at < bytes.len() && bytes[at] != b'/' && word(bytes[at]) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'/') {
            continue;
        }
        let mut groups = 0;
        while groups < 4 && bytes.get(at) == Some(&b'/') {
            at += 1;
            while at < bytes.len() && segment_char(bytes[at]) {
                at += 1;
            }
            groups += 1;
        }
        return groups;
    }
    0
}

/// Whether the path has `/namespaces/<ns>/<x>` after its first character.
fn is_namespaced(path: &str) -> bool {
    let ns_char = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    path.match_indices("/namespaces/").any(|(at, marker)| {
        if !path[..at].contains('/') {
            return false;
        }
        let rest = &path.as_bytes()[at + marker.len()..];
        let namespace = rest.iter().take_while(|b| ns_char(b)).count();
        namespace > 0 && rest.get(namespace) == Some(&b'/') && rest.get(namespace + 1).is_some_and(ns_char)
    })
}

/// The query's values of `key`, decoded.
fn query_values(query: Option<&str>, key: &str) -> impl Iterator<Item = String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn first_query_value(query: Option<&str>, key: &str) -> Option<String> {
    query_values(query, key).next()
}

/// The object a watch is restricted to by `fieldSelector=metadata.name=<name>`.
fn watched_name(query: Option<&str>) -> Option<String> {
    query_values(query, "fieldSelector")
        .find_map(|selector| selector.strip_prefix("metadata.name=").map(str::to_string))
}

/// A create: the kind from the path, the namespace and name from the body; nothing known when the
/// body is not a JSON object.
fn created(path: &str, body: Option<&[u8]>) -> Described {
    /// The body as far as it is read: its metadata (the rest is skipped, not stored).
    #[derive(serde::Deserialize)]
    struct Created {
        #[serde(default)]
        metadata: serde_json::Value,
    }
    let Some(object) = body.and_then(|body| serde_json::from_slice::<Created>(body).ok()) else {
        return Described {
            verb: "Create",
            ..Described::default()
        };
    };
    let metadata = |field: &str| object.metadata[field].as_str().unwrap_or_default().to_string();
    Described {
        kind: last_element(path).to_string(),
        namespace: metadata("namespace"),
        name: metadata("name"),
        verb: "Create",
    }
}

/// The last element of a path, trailing slashes ignored (Go's `path.Base`).
fn last_element(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    match (path.is_empty(), trimmed.is_empty()) {
        (true, _) => ".",
        (false, true) => "/",
        (false, false) => trimmed.rsplit('/').next().unwrap_or(trimmed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(method: Method, url: &str, body: Option<&str>) -> String {
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (url, None),
        };
        let l = describe(&method, path, query, body.map(str::as_bytes)).labels(200);
        format!("{} {} {} {} {}", l.verb, l.kind, l.namespace, l.name, l.status_code)
    }

    fn info(url: &str) -> (String, String, String, String) {
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (url, None),
        };
        let d = describe(&Method::GET, path, query, None);
        (d.verb.to_string(), d.kind, d.namespace, d.name)
    }

    fn t(verb: &str, kind: &str, namespace: &str, name: &str) -> (String, String, String, String) {
        (verb.into(), kind.into(), namespace.into(), name.into())
    }

    /// Upstream's table of GET requests (kubeclientmetrics' parse tests).
    #[test]
    fn gets_lists_and_watches_are_told_apart_as_upstream_does() {
        assert_eq!(
            info("/api/v1/namespaces/default/pods"),
            t("List", "pods", "default", "")
        );
        assert_eq!(info("/api/v1/pods"), t("List", "pods", "", ""));
        assert_eq!(
            info("/api/v1/namespaces/default/pods/pod-name-123456"),
            t("Get", "pods", "default", "pod-name-123456")
        );
        assert_eq!(info("/api/v1/namespaces"), t("List", "namespaces", "", ""));
        assert_eq!(
            info("/api/v1/namespaces/default"),
            t("Get", "namespaces", "", "default")
        );
        assert_eq!(
            info("/apis/extensions/v1beta1/namespaces/default/replicasets"),
            t("List", "replicasets", "default", "")
        );
        assert_eq!(info("/apis/apps/v1/replicasets"), t("List", "replicasets", "", ""));
        assert_eq!(
            info("/apis/extensions/v1beta1/namespaces/default/replicasets/rs-abc123"),
            t("Get", "replicasets", "default", "rs-abc123")
        );
        assert_eq!(
            info("/apis/networking.istio.io/v1alpha3/namespaces/default/virtualservices"),
            t("List", "virtualservices", "default", "")
        );
        assert_eq!(
            info("/apis/networking.istio.io/v1alpha3/namespaces/default/virtualservices/virtual-service"),
            t("Get", "virtualservices", "default", "virtual-service")
        );
        assert_eq!(
            info("/apis/rbac.authorization.k8s.io/v1/clusterroles"),
            t("List", "clusterroles", "", "")
        );
        assert_eq!(
            info("/apis/rbac.authorization.k8s.io/v1/clusterroles/argo-rollouts-clusterrole"),
            t("Get", "clusterroles", "", "argo-rollouts-clusterrole")
        );
        assert_eq!(
            info("/apis/apiextensions.k8s.io/v1beta1/customresourcedefinitions/dummies.argoproj.io"),
            t("Get", "customresourcedefinitions", "", "dummies.argoproj.io")
        );
        assert_eq!(
            info("/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/my-cluster.cluster.k8s.local"),
            t("Get", "applications", "argocd", "my-cluster.cluster.k8s.local")
        );
        assert_eq!(
            info("/api/v1/namespaces?resourceVersion=343003&watch=true"),
            t("Watch", "namespaces", "", "")
        );
        assert_eq!(
            info("/api/v1/namespaces?fieldSelector=metadata.name%3Ddefault&resourceVersion=0&watch=true"),
            t("Watch", "namespaces", "", "default")
        );
        assert_eq!(
            info("/api/v1/namespaces/kube-system/serviceaccounts?resourceVersion=343091&watch=true"),
            t("Watch", "serviceaccounts", "kube-system", "")
        );
        assert_eq!(
            info(
                "/api/v1/namespaces/kube-system/serviceaccounts?fieldSelector=metadata.name%3Ddefault&resourceVersion=0&watch=true"
            ),
            t("Watch", "serviceaccounts", "kube-system", "default")
        );
    }

    #[test]
    fn writes_take_kind_namespace_and_name_from_the_path_or_the_created_body() {
        let rs = "/apis/apps/v1/namespaces/default/replicasets";
        assert_eq!(
            labels(
                Method::POST,
                &format!("{rs}?"),
                Some(r#"{"metadata":{"name":"web-1","namespace":"default"}}"#)
            ),
            "Create replicasets default N/A 200"
        );
        let ar = "/apis/argoproj.io/v1alpha1/namespaces/default/analysisruns";
        assert_eq!(
            labels(
                Method::POST,
                ar,
                Some(r#"{"metadata":{"name":"web-1-1","namespace":"default"}}"#)
            ),
            "Create analysisruns default web-1-1 200"
        );
        assert_eq!(labels(Method::POST, ar, Some("not json")), "Create    200");
        assert_eq!(
            labels(Method::PUT, &format!("{rs}/web-1"), None),
            "Update replicasets default N/A 200"
        );
        assert_eq!(
            labels(
                Method::DELETE,
                "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/web",
                None
            ),
            "Delete rollouts default web 200"
        );
        assert_eq!(
            labels(Method::PATCH, "/api/v1/namespaces/default/services/web-stable?", None),
            "Patch services default web-stable 200"
        );
        // A subresource: upstream reads the last three segments as namespace, kind and name.
        assert_eq!(
            labels(
                Method::PATCH,
                "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/web/status",
                None
            ),
            "Patch web rollouts status 200"
        );
        assert_eq!(
            labels(
                Method::POST,
                "/apis/events.k8s.io/v1/namespaces/default/events",
                Some(r#"{"metadata":{"name":"web.1"}}"#)
            ),
            "Create events  N/A 200"
        );
    }

    #[test]
    fn lists_are_not_named_and_other_methods_are_unknown() {
        assert_eq!(
            labels(Method::GET, "/apis/argoproj.io/v1alpha1/rollouts?&limit=500", None),
            "List rollouts  N/A 200"
        );
        assert_eq!(
            labels(
                Method::GET,
                "/apis/apps/v1/namespaces/default/replicasets?watch=true",
                None
            ),
            "Watch replicasets default N/A 200"
        );
        assert_eq!(
            labels(Method::HEAD, "/api/v1/pods", None),
            "Unknown Unknown Unknown Unknown 200"
        );
        // Paths without an API version are read as a GET of their last two segments.
        assert_eq!(labels(Method::GET, "/apis/apps/v1", None), "Get apps  v1 200");
        assert_eq!(labels(Method::GET, "/version", None), "Get   version 200");
    }

    #[test]
    fn a_request_without_an_answer_has_status_code_0() {
        let d = describe(&Method::GET, "/api/v1/namespaces/default/pods/p", None, None);
        assert_eq!(d.labels(0).status_code, "0");
    }

    #[test]
    fn go_path_base() {
        assert_eq!(last_element("/a/b/"), "b");
        assert_eq!(last_element("///"), "/");
        assert_eq!(last_element(""), ".");
    }
}
