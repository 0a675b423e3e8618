//! Parsing request paths into what they address.

/// The group/version a resource path is under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupVersion {
    /// "" for core.
    pub group: String,
    /// e.g. `v1`.
    pub version: String,
}

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/version`
    Version,
    /// `/healthz`, `/livez`, `/readyz`
    Health,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/apis/{group}`
    Group(String),
    /// `/api/v1`, `/apis/{group}/{version}`
    Resources(GroupVersion),
    /// `/openapi/v2`
    OpenApiV2,
    /// `/openapi/v3`
    OpenApiV3Root,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/{group}/{version}`
    OpenApiV3(GroupVersion),
    /// A resource collection, object or subresource.
    Resource(ResourcePath),
}

/// A resource path: `[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]` under a group/version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    /// The group/version.
    pub gv: GroupVersion,
    /// Namespace from the path, if any.
    pub namespace: Option<String>,
    /// The plural resource name.
    pub plural: String,
    /// Object name, for object and subresource paths.
    pub name: Option<String>,
    /// Subresource (`status`, `scale`, `eviction`, `finalize`).
    pub subresource: Option<String>,
}

/// Parses a request path (without query string).
pub fn parse(path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["version"] => Some(Route::Version),
        ["healthz" | "livez" | "readyz", ..] => Some(Route::Health),
        ["api"] => Some(Route::CoreVersions),
        ["apis"] => Some(Route::Groups),
        ["apis", group] => Some(Route::Group(group.to_string())),
        ["openapi", "v2"] => Some(Route::OpenApiV2),
        ["openapi", "v3"] => Some(Route::OpenApiV3Root),
        ["openapi", "v3", "api", version] => Some(Route::OpenApiV3(gv("", version))),
        ["openapi", "v3", "apis", group, version] => Some(Route::OpenApiV3(gv(group, version))),
        ["api", version] => Some(Route::Resources(gv("", version))),
        ["apis", group, version] => Some(Route::Resources(gv(group, version))),
        ["api", version, rest @ ..] => resource(gv("", version), rest),
        ["apis", group, version, rest @ ..] => resource(gv(group, version), rest),
        _ => None,
    }
}

fn gv(group: &str, version: &str) -> GroupVersion {
    GroupVersion {
        group: group.to_string(),
        version: version.to_string(),
    }
}

fn resource(gv: GroupVersion, rest: &[&str]) -> Option<Route> {
    let own = |s: &&str| s.to_string();
    let path = match rest {
        // `namespaces/{ns}/{plural}...` addresses namespaced resources, except the namespace's own
        // subresources (`status`, `finalize`).
        ["namespaces", ns, plural, tail @ ..] if !matches!(*plural, "status" | "finalize") => ResourcePath {
            gv,
            namespace: Some(ns.to_string()),
            plural: plural.to_string(),
            name: tail.first().map(own),
            subresource: match tail {
                [_, sub] => Some(sub.to_string()),
                [_] | [] => None,
                _ => return None,
            },
        },
        [plural, tail @ ..] => ResourcePath {
            gv,
            namespace: None,
            plural: plural.to_string(),
            name: tail.first().map(own),
            subresource: match tail {
                [_, sub] => Some(sub.to_string()),
                [_] | [] => None,
                _ => return None,
            },
        },
        [] => return None,
    };
    Some(Route::Resource(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match parse(path) {
            Some(Route::Resource(r)) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn namespaced_and_cluster_paths() {
        let r = res("/apis/apps/v1/namespaces/default/replicasets/web/scale");
        assert_eq!((r.gv.group.as_str(), r.namespace.as_deref()), ("apps", Some("default")));
        assert_eq!(
            (r.plural.as_str(), r.name.as_deref(), r.subresource.as_deref()),
            ("replicasets", Some("web"), Some("scale"))
        );
        let r = res("/api/v1/pods");
        assert_eq!((r.namespace, r.name), (None, None));
    }

    #[test]
    fn namespace_objects_and_their_subresources() {
        let r = res("/api/v1/namespaces/dev");
        assert_eq!(
            (r.plural.as_str(), r.name.as_deref(), r.namespace),
            ("namespaces", Some("dev"), None)
        );
        let r = res("/api/v1/namespaces/dev/finalize");
        assert_eq!(
            (r.name.as_deref(), r.subresource.as_deref()),
            (Some("dev"), Some("finalize"))
        );
        let r = res("/api/v1/namespaces/dev/pods");
        assert_eq!((r.plural.as_str(), r.namespace.as_deref()), ("pods", Some("dev")));
    }

    #[test]
    fn discovery_paths() {
        assert_eq!(
            parse("/apis/argoproj.io/v1alpha1"),
            Some(Route::Resources(gv("argoproj.io", "v1alpha1")))
        );
        assert_eq!(parse("/openapi/v3/api/v1"), Some(Route::OpenApiV3(gv("", "v1"))));
        assert_eq!(parse("/nope"), None);
        assert_eq!(parse("/api/v1/namespaces/a/pods/b/c/d"), None);
    }
}
