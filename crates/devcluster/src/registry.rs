//! The kinds the server serves: the built-in ones, and those added by CustomResourceDefinitions.
//!
//! A [`ResourceType`] carries everything discovery, routing, storage and validation need to know about a
//! resource; the [`Registry`] indexes them by group/version/plural and by kind.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

/// Paths of the scale subresource inside the object.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalePaths {
    /// JSON path of the desired replica count, e.g. `.spec.replicas`.
    pub spec_replicas: String,
    /// JSON path of the observed replica count, e.g. `.status.replicas`.
    pub status_replicas: String,
    /// JSON path of the label selector string, if any.
    pub label_selector: Option<String>,
}

/// Where a resource type comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Compiled in.
    Builtin,
    /// Added by the named CustomResourceDefinition; its OpenAPI schema and printer columns.
    Crd {
        /// `metadata.name` of the CRD.
        crd: String,
        /// `openAPIV3Schema` of this version, if declared.
        schema: Option<Arc<Value>>,
        /// `additionalPrinterColumns` of this version.
        printer_columns: Vec<Value>,
        /// Whether this version is the storage version.
        storage: bool,
    },
}

/// One resource (a kind at a group/version, with its REST name).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// API group, "" for core.
    pub group: String,
    /// API version, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `Pod`.
    pub kind: String,
    /// REST name, e.g. `pods`.
    pub plural: String,
    /// Lower-case singular, e.g. `pod`.
    pub singular: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Short names kubectl accepts, e.g. `po`.
    pub short_names: Vec<String>,
    /// Categories, e.g. `all`.
    pub categories: Vec<String>,
    /// Whether `/status` is a separate subresource (writes to the main resource then ignore status).
    pub status_subresource: bool,
    /// The scale subresource, if any.
    pub scale: Option<ScalePaths>,
    /// Where it comes from.
    pub origin: Origin,
}

impl ResourceType {
    /// `apiVersion` as written in objects: `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `group/version` for discovery paths: `v1` for core, as `api/v1`, else `apps/v1`.
    pub fn group_version(&self) -> String {
        self.api_version()
    }

    /// `<plural>.<group>` (or just the plural for core), as in RBAC and error messages.
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The storage prefix shared by every version of this resource.
    pub fn storage_prefix(&self) -> String {
        // events.k8s.io Events share the core Events' storage (converted on the way in and out).
        if self.group == "events.k8s.io" && self.plural == "events" {
            return "/core/events".to_string();
        }
        format!(
            "/{}/{}",
            if self.group.is_empty() { "core" } else { &self.group },
            self.plural
        )
    }

    /// True for kinds added by a CRD.
    pub fn is_custom(&self) -> bool {
        matches!(self.origin, Origin::Crd { .. })
    }

    /// The CRD schema, if this is a custom resource with one.
    pub fn schema(&self) -> Option<&Value> {
        match &self.origin {
            Origin::Crd { schema, .. } => schema.as_deref(),
            Origin::Builtin => None,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn builtin(
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
    namespaced: bool,
    short_names: &[&str],
    categories: &[&str],
    status: bool,
    scale: bool,
) -> ResourceType {
    ResourceType {
        group: group.to_string(),
        version: version.to_string(),
        kind: kind.to_string(),
        plural: plural.to_string(),
        singular: kind.to_lowercase(),
        namespaced,
        short_names: short_names.iter().map(std::string::ToString::to_string).collect(),
        categories: categories.iter().map(std::string::ToString::to_string).collect(),
        status_subresource: status,
        scale: scale.then(|| ScalePaths {
            spec_replicas: ".spec.replicas".to_string(),
            status_replicas: ".status.replicas".to_string(),
            label_selector: None,
        }),
        origin: Origin::Builtin,
    }
}

/// The built-in resources this server stores and serves.
pub fn builtins() -> Vec<ResourceType> {
    const NS: bool = true;
    const CLUSTER: bool = false;
    vec![
        builtin("", "v1", "Namespace", "namespaces", CLUSTER, &["ns"], &[], true, false),
        builtin("", "v1", "Pod", "pods", NS, &["po"], &["all"], true, false),
        builtin("", "v1", "Service", "services", NS, &["svc"], &["all"], true, false),
        builtin("", "v1", "Endpoints", "endpoints", NS, &["ep"], &[], false, false),
        builtin("", "v1", "ConfigMap", "configmaps", NS, &["cm"], &[], false, false),
        builtin("", "v1", "Secret", "secrets", NS, &[], &[], false, false),
        builtin("", "v1", "Event", "events", NS, &["ev"], &[], false, false),
        builtin(
            "",
            "v1",
            "ServiceAccount",
            "serviceaccounts",
            NS,
            &["sa"],
            &[],
            false,
            false,
        ),
        builtin("", "v1", "PodTemplate", "podtemplates", NS, &[], &[], false, false),
        builtin(
            "apps",
            "v1",
            "ReplicaSet",
            "replicasets",
            NS,
            &["rs"],
            &["all"],
            true,
            true,
        ),
        builtin(
            "apps",
            "v1",
            "Deployment",
            "deployments",
            NS,
            &["deploy"],
            &["all"],
            true,
            true,
        ),
        builtin("batch", "v1", "Job", "jobs", NS, &[], &["all"], true, false),
        builtin(
            "networking.k8s.io",
            "v1",
            "Ingress",
            "ingresses",
            NS,
            &["ing"],
            &[],
            true,
            false,
        ),
        builtin(
            "coordination.k8s.io",
            "v1",
            "Lease",
            "leases",
            NS,
            &[],
            &[],
            false,
            false,
        ),
        builtin(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            NS,
            &["hpa"],
            &["all"],
            true,
            false,
        ),
        builtin(
            "policy",
            "v1",
            "PodDisruptionBudget",
            "poddisruptionbudgets",
            NS,
            &["pdb"],
            &[],
            true,
            false,
        ),
        builtin("events.k8s.io", "v1", "Event", "events", NS, &["ev"], &[], false, false),
        // Enforced for every identity but the admin (`crate::auth`).
        builtin(
            "rbac.authorization.k8s.io",
            "v1",
            "Role",
            "roles",
            NS,
            &[],
            &[],
            false,
            false,
        ),
        builtin(
            "rbac.authorization.k8s.io",
            "v1",
            "RoleBinding",
            "rolebindings",
            NS,
            &[],
            &[],
            false,
            false,
        ),
        builtin(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRole",
            "clusterroles",
            CLUSTER,
            &[],
            &[],
            false,
            false,
        ),
        builtin(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
            CLUSTER,
            &[],
            &[],
            false,
            false,
        ),
        builtin(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            CLUSTER,
            &["crd", "crds"],
            &[],
            true,
            false,
        ),
    ]
}

/// Why a CRD cannot be served.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrdError {
    /// A required field is missing or malformed.
    #[error("{field}: {message}")]
    Invalid {
        /// Field path inside the CRD.
        field: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(field: &str, message: &str) -> CrdError {
    CrdError::Invalid {
        field: field.to_string(),
        message: message.to_string(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The resource types a CRD defines: one per served version.
pub fn from_crd(crd: &Value) -> Result<Vec<ResourceType>, CrdError> {
    let name = crd
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let spec = crd.get("spec").ok_or_else(|| invalid("spec", "Required value"))?;
    let group = spec.get("group").and_then(Value::as_str).unwrap_or_default();
    if group.is_empty() {
        return Err(invalid("spec.group", "Required value"));
    }
    let names = spec
        .get("names")
        .ok_or_else(|| invalid("spec.names", "Required value"))?;
    let plural = names.get("plural").and_then(Value::as_str).unwrap_or_default();
    let kind = names.get("kind").and_then(Value::as_str).unwrap_or_default();
    if plural.is_empty() {
        return Err(invalid("spec.names.plural", "Required value"));
    }
    if kind.is_empty() {
        return Err(invalid("spec.names.kind", "Required value"));
    }
    if name != format!("{plural}.{group}") {
        return Err(invalid(
            "metadata.name",
            &format!("must be spec.names.plural+\".\"+spec.group: {plural}.{group}"),
        ));
    }
    let singular = names
        .get("singular")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or(kind.to_lowercase());
    let namespaced = match spec.get("scope").and_then(Value::as_str) {
        Some("Namespaced") => true,
        Some("Cluster") => false,
        _ => {
            return Err(invalid(
                "spec.scope",
                "Unsupported value: supported values: \"Cluster\", \"Namespaced\"",
            ));
        }
    };
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if versions.is_empty() {
        return Err(invalid(
            "spec.versions",
            "Required value: must have exactly one version marked as storage version",
        ));
    }
    if versions
        .iter()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .count()
        != 1
    {
        return Err(invalid(
            "spec.versions",
            "Invalid value: must have exactly one version marked as storage version",
        ));
    }
    let mut out = Vec::new();
    for v in versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(false))
    {
        let version = v.get("name").and_then(Value::as_str).unwrap_or_default();
        if version.is_empty() {
            return Err(invalid("spec.versions[].name", "Required value"));
        }
        let sub = v.get("subresources").or_else(|| spec.get("subresources"));
        let scale = sub.and_then(|s| s.get("scale")).map(|s| ScalePaths {
            spec_replicas: s
                .get("specReplicasPath")
                .and_then(Value::as_str)
                .unwrap_or(".spec.replicas")
                .to_string(),
            status_replicas: s
                .get("statusReplicasPath")
                .and_then(Value::as_str)
                .unwrap_or(".status.replicas")
                .to_string(),
            label_selector: s.get("labelSelectorPath").and_then(Value::as_str).map(str::to_string),
        });
        let schema = v
            .pointer("/schema/openAPIV3Schema")
            .or_else(|| spec.pointer("/validation/openAPIV3Schema"))
            .cloned()
            .map(Arc::new);
        out.push(ResourceType {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            plural: plural.to_string(),
            singular: singular.clone(),
            namespaced,
            short_names: strings(names.get("shortNames").unwrap_or(&Value::Null)),
            categories: strings(names.get("categories").unwrap_or(&Value::Null)),
            status_subresource: sub.and_then(|s| s.get("status")).is_some(),
            scale,
            origin: Origin::Crd {
                crd: name.to_string(),
                schema,
                printer_columns: v
                    .get("additionalPrinterColumns")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                storage: v.get("storage").and_then(Value::as_bool).unwrap_or(false),
            },
        });
    }
    Ok(out)
}

/// All served resource types, indexed for routing.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    by_path: BTreeMap<(String, String, String), Arc<ResourceType>>,
}

impl Registry {
    /// A registry holding the built-in resources.
    pub fn with_builtins() -> Self {
        let mut r = Registry::default();
        for t in builtins() {
            r.insert(t);
        }
        r
    }

    fn insert(&mut self, t: ResourceType) {
        self.by_path
            .insert((t.group.clone(), t.version.clone(), t.plural.clone()), Arc::new(t));
    }

    /// The resource at `group/version/plural`.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.by_path
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
            .cloned()
    }

    /// The resource serving `kind` at `apiVersion`.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<Arc<ResourceType>> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.by_path
            .values()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
            .cloned()
    }

    /// A resource type stored under `prefix` (any of its versions).
    pub fn by_prefix(&self, prefix: &str) -> Option<Arc<ResourceType>> {
        self.by_path.values().find(|t| t.storage_prefix() == prefix).cloned()
    }

    /// Every resource type, in group/version/plural order.
    pub fn all(&self) -> impl Iterator<Item = &Arc<ResourceType>> {
        self.by_path.values()
    }

    /// The resource types served under one group/version, in plural order.
    pub fn in_group_version(&self, group: &str, version: &str) -> Vec<&Arc<ResourceType>> {
        self.all()
            .filter(|t| t.group == group && t.version == version)
            .collect()
    }

    /// Serves the versions a CRD defines, replacing whatever it served before.
    pub fn apply_crd(&mut self, crd: &Value) -> Result<(), CrdError> {
        let types = from_crd(crd)?;
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        self.remove_crd(&name);
        for t in types {
            self.insert(t);
        }
        Ok(())
    }

    /// Stops serving what the named CRD defined.
    pub fn remove_crd(&mut self, name: &str) {
        self.by_path
            .retain(|_, t| !matches!(&t.origin, Origin::Crd { crd, .. } if crd == name));
    }

    /// Group/versions in discovery order: core first, then groups by name.
    pub fn group_versions(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for t in self.by_path.values() {
            let gv = (t.group.clone(), t.version.clone());
            if !out.contains(&gv) {
                out.push(gv);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtins_are_routable_by_path_and_kind() {
        let r = Registry::with_builtins();
        assert_eq!(r.get("apps", "v1", "replicasets").unwrap().kind, "ReplicaSet");
        assert_eq!(r.by_kind("v1", "Pod").unwrap().plural, "pods");
        assert!(r.get("", "v1", "nodes").is_none());
    }

    #[test]
    fn crd_versions_become_resources_and_go_away_with_it() {
        let crd = json!({
            "metadata": {"name": "rollouts.argoproj.io"},
            "spec": {"group": "argoproj.io", "scope": "Namespaced",
                "names": {"plural": "rollouts", "kind": "Rollout", "shortNames": ["ro"]},
                "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                    "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                        "statusReplicasPath": ".status.HPAReplicas", "labelSelectorPath": ".status.selector"}}}]}
        });
        let mut r = Registry::with_builtins();
        r.apply_crd(&crd).unwrap();
        let t = r.get("argoproj.io", "v1alpha1", "rollouts").unwrap();
        assert!(t.status_subresource);
        assert_eq!(t.scale.as_ref().unwrap().status_replicas, ".status.HPAReplicas");
        assert_eq!(t.short_names, ["ro"]);
        r.remove_crd("rollouts.argoproj.io");
        assert!(r.get("argoproj.io", "v1alpha1", "rollouts").is_none());
    }

    #[test]
    fn crd_name_must_match_plural_and_group() {
        let crd = json!({"metadata": {"name": "x.argoproj.io"}, "spec": {"group": "argoproj.io", "scope": "Cluster",
            "names": {"plural": "rollouts", "kind": "Rollout"}, "versions": [{"name": "v1", "served": true, "storage": true}]}});
        assert!(matches!(from_crd(&crd), Err(CrdError::Invalid { field, .. }) if field == "metadata.name"));
    }
}
