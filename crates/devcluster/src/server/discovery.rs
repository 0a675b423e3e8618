//! Discovery documents: what kubectl and client libraries read to learn which resources exist.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::reviews::REVIEW_APIS;
use crate::registry::{Registry, ResourceType};

/// The Kubernetes version this server reports.
pub const KUBE_MAJOR: &str = "1";
/// Minor version reported: within one minor of kubectl v1.32 and within kube-rs 5's supported range.
pub const KUBE_MINOR: &str = "33";

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": KUBE_MAJOR,
        "minor": KUBE_MINOR,
        "gitVersion": format!("v{KUBE_MAJOR}.{KUBE_MINOR}.0-rollouts-dev"),
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, if std::env::consts::ARCH == "x86_64" { "amd64" } else { std::env::consts::ARCH }),
    })
}

/// Kubernetes' version ordering: GA > beta > alpha, higher numbers first, non-kube versions last.
pub fn version_priority(a: &str, b: &str) -> Ordering {
    fn key(v: &str) -> (u8, u32, u32, String) {
        let Some(rest) = v.strip_prefix('v') else {
            return (0, 0, 0, v.to_string());
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let Ok(major) = digits.parse::<u32>() else {
            return (0, 0, 0, v.to_string());
        };
        let tail = &rest[digits.len()..];
        let (stage, tail) = if tail.is_empty() {
            return (3, major, 0, String::new());
        } else if let Some(t) = tail.strip_prefix("beta") {
            (2, t)
        } else if let Some(t) = tail.strip_prefix("alpha") {
            (1, t)
        } else {
            return (0, 0, 0, v.to_string());
        };
        match tail.parse::<u32>() {
            Ok(minor) => (stage, major, minor, String::new()),
            Err(_) => (0, 0, 0, v.to_string()),
        }
    }
    let (ka, kb) = (key(a), key(b));
    kb.0.cmp(&ka.0)
        .then(kb.1.cmp(&ka.1))
        .then(kb.2.cmp(&ka.2))
        .then(ka.3.cmp(&kb.3))
}

fn versions_of(registry: &Registry, group: &str) -> Vec<String> {
    let mut versions: Vec<String> = registry
        .group_versions()
        .into_iter()
        .filter(|(g, _)| g == group)
        .map(|(_, v)| v)
        .collect();
    versions.sort_by(|a, b| version_priority(a, b));
    versions
}

/// Groups of the review APIs, served by handlers rather than the registry (at v1 only).
fn is_review_group(group: &str) -> bool {
    REVIEW_APIS.iter().any(|api| api.group == group)
}

fn group_doc(registry: &Registry, group: &str) -> Option<Value> {
    let mut versions = versions_of(registry, group);
    if is_review_group(group) && !versions.iter().any(|v| v == "v1") {
        versions.insert(0, "v1".to_string());
    }
    let preferred = versions.first()?;
    let gv = |v: &String| json!({ "groupVersion": format!("{group}/{v}"), "version": v });
    Some(json!({
        "name": group,
        "versions": versions.iter().map(gv).collect::<Vec<_>>(),
        "preferredVersion": gv(preferred),
    }))
}

/// `/api`.
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": server_address }],
    })
}

/// `/apis`.
pub fn groups(registry: &Registry) -> Value {
    let mut names: Vec<String> = Vec::new();
    for (g, _) in registry.group_versions() {
        if !g.is_empty() && !names.contains(&g) {
            names.push(g);
        }
    }
    for api in &REVIEW_APIS {
        if !names.iter().any(|n| n == api.group) {
            names.push(api.group.to_string());
        }
    }
    names.sort();
    json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": names.iter().filter_map(|g| group_doc(registry, g)).collect::<Vec<_>>(),
    })
}

/// `/apis/{group}`.
pub fn group(registry: &Registry, name: &str) -> Option<Value> {
    let mut doc = group_doc(registry, name)?;
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

const ALL_VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn resource_entries(t: &ResourceType) -> Vec<Value> {
    let mut main = json!({
        "name": t.plural,
        "singularName": t.singular,
        "namespaced": t.namespaced,
        "kind": t.kind,
        "verbs": ALL_VERBS,
    });
    if !t.short_names.is_empty() {
        main["shortNames"] = json!(t.short_names);
    }
    if !t.categories.is_empty() {
        main["categories"] = json!(t.categories);
    }
    let mut out = vec![main];
    if t.status_subresource {
        out.push(json!({
            "name": format!("{}/status", t.plural), "singularName": "", "namespaced": t.namespaced,
            "kind": t.kind, "verbs": ["get", "patch", "update"],
        }));
    }
    if t.scale.is_some() {
        out.push(json!({
            "name": format!("{}/scale", t.plural), "singularName": "", "namespaced": t.namespaced,
            "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"],
        }));
    }
    if t.group.is_empty() && t.plural == "pods" {
        out.push(json!({
            "name": "pods/eviction", "singularName": "", "namespaced": true,
            "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"],
        }));
    }
    if t.group.is_empty() && t.plural == "serviceaccounts" {
        out.push(json!({
            "name": "serviceaccounts/token", "singularName": "", "namespaced": true,
            "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest", "verbs": ["create"],
        }));
    }
    if t.group.is_empty() && t.plural == "namespaces" {
        out.push(json!({
            "name": "namespaces/finalize", "singularName": "", "namespaced": false,
            "kind": "Namespace", "verbs": ["update"],
        }));
    }
    out
}

/// `/api/v1` or `/apis/{group}/{version}`.
pub fn resources(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let types = registry.in_group_version(group, version);
    let reviews: Vec<Value> = REVIEW_APIS
        .iter()
        .filter(|api| api.group == group && version == "v1")
        .map(|api| {
            json!({
                "name": api.plural, "singularName": api.kind.to_lowercase(), "namespaced": api.namespaced,
                "kind": api.kind, "verbs": ["create"],
            })
        })
        .collect();
    if types.is_empty() && reviews.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": types.iter().flat_map(|t| resource_entries(t)).chain(reviews).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_like_kubernetes() {
        let mut v = vec!["v1alpha1", "v2", "v1beta2", "v1", "foo", "v1beta1"];
        v.sort_by(|a, b| version_priority(a, b));
        assert_eq!(v, ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]);
    }

    #[test]
    fn resource_lists_carry_subresources() {
        let r = Registry::with_builtins();
        let doc = resources(&r, "apps", "v1").unwrap();
        let names: Vec<&str> = doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"replicasets/scale"));
        assert!(names.contains(&"deployments/status"));
        assert!(resources(&r, "apps", "v9").is_none());
        let groups = groups(&r);
        assert!(groups["groups"].as_array().unwrap().iter().any(|g| g["name"] == "apps"));
    }

    #[test]
    fn review_apis_and_token_requests_are_discovered() {
        let r = Registry::with_builtins();
        let names: Vec<String> = groups(&r)["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap().to_string())
            .collect();
        assert!(names.contains(&"authorization.k8s.io".to_string()));
        assert!(names.contains(&"authentication.k8s.io".to_string()));
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(
            group(&r, "authorization.k8s.io").unwrap()["preferredVersion"]["version"],
            "v1"
        );
        let doc = resources(&r, "authorization.k8s.io", "v1").unwrap();
        let ssar = doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "selfsubjectaccessreviews")
            .unwrap();
        assert_eq!(ssar["verbs"], json!(["create"]));
        assert_eq!(ssar["namespaced"], false);
        assert!(resources(&r, "authorization.k8s.io", "v1beta1").is_none());
        let core = resources(&r, "", "v1").unwrap();
        let token = core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "serviceaccounts/token")
            .unwrap();
        assert_eq!(
            (token["kind"].as_str(), token["group"].as_str()),
            (Some("TokenRequest"), Some("authentication.k8s.io"))
        );
    }
}
