//! Which kinds are cluster-scoped, and the order kustomize writes objects in (its "legacy" order, still
//! `kubectl kustomize`'s default): kinds others depend on first (Namespaces, CRDs, ServiceAccounts,
//! RBAC), workloads after, webhooks last; the same kind by namespace and name.

use std::cmp::Ordering;

use serde_json::Value;

/// Kinds written first, in this order.
const FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kinds written last, in this order.
const LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// Kinds without a namespace, as far as install manifests go.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "PersistentVolume",
    "PriorityClass",
    "IngressClass",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Whether objects of `kind` have no namespace.
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// The string at `pointer`, or empty.
pub fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

/// The group (empty for the core group) and version of the object's `apiVersion`.
pub fn group_version(object: &Value) -> (&str, &str) {
    let api_version = text(object, "/apiVersion");
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

/// `Kind namespace/name`, or `Kind name` without a namespace, for messages.
pub fn describe(object: &Value) -> String {
    let kind = text(object, "/kind");
    let name = text(object, "/metadata/name");
    match text(object, "/metadata/namespace") {
        "" => format!("{kind} {name}"),
        namespace => format!("{kind} {namespace}/{name}"),
    }
}

/// Where a kind goes: among the first kinds, between them and the last ones, or among the last.
fn rank(kind: &str) -> usize {
    if let Some(index) = FIRST.iter().position(|k| *k == kind) {
        index
    } else if let Some(index) = LAST.iter().position(|k| *k == kind) {
        FIRST.len() + 1 + index
    } else {
        FIRST.len()
    }
}

/// What objects are ordered by: the kind's rank, group, version and kind, then namespace and name.
fn sort_key(object: &Value) -> (usize, &str, &str, &str, &str, &str) {
    let (group, version) = group_version(object);
    let kind = text(object, "/kind");
    let namespace = text(object, "/metadata/namespace");
    (
        rank(kind),
        group,
        version,
        kind,
        namespace,
        text(object, "/metadata/name"),
    )
}

fn compare(a: &Value, b: &Value) -> Ordering {
    sort_key(a).cmp(&sort_key(b))
}

/// Sorts `objects` into kustomize's output order.
pub fn sort(objects: &mut [Value]) {
    objects.sort_by(compare);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(api_version: &str, kind: &str, namespace: &str, name: &str) -> Value {
        json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": namespace}})
    }

    #[test]
    fn dependencies_come_first_and_webhooks_last() {
        let mut objects = vec![
            object(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "",
                "w",
            ),
            object("apps/v1", "Deployment", "ns", "d"),
            object("example.com/v1", "Widget", "ns", "w"),
            object("v1", "Service", "ns", "b"),
            object("v1", "Service", "ns", "a"),
            object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "r"),
            object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "c"),
            object("v1", "Namespace", "", "ns"),
        ];
        sort(&mut objects);
        let order: Vec<String> = objects.iter().map(describe).collect();
        assert_eq!(
            order,
            [
                "Namespace ns",
                "CustomResourceDefinition c",
                "ClusterRole r",
                "Service ns/a",
                "Service ns/b",
                "Deployment ns/d",
                "Widget ns/w",
                "ValidatingWebhookConfiguration w"
            ]
        );
    }
}
