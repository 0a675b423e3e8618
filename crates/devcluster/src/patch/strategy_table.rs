//! The built-in strategy table: the `patchStrategy` / `patchMergeKey` tags of the Go types of
//! the built-in kinds the server serves, transcribed per field path.
//!
//! Only tagged fields appear; a list without tags (tolerations, resizePolicy, command, args,
//! envFrom, Endpoints subsets, every Ingress list, CRD lists, managedFields, ...) is atomic.

use super::strategy::{FieldStrategy, Strategy};

impl Strategy {
    /// The strategy of a built-in kind, or `None` when the kind has no Go struct tags to
    /// follow (custom resources and kinds this server does not serve): the server answers
    /// strategic merge patches to those with 415 Unsupported Media Type.
    ///
    /// `group` is the API group without version, `""` for the core group.
    pub fn for_kind(group: &str, kind: &str) -> Option<Strategy> {
        let mut s = Strategy::new();
        object_meta(&mut s, "metadata");
        match (group, kind) {
            ("", "Pod") => {
                pod_spec(&mut s, "spec");
                pod_status(&mut s, "status");
            }
            ("", "PodTemplate") => pod_template(&mut s, "template"),
            ("", "ReplicationController") => {
                pod_template(&mut s, "spec.template");
                conditions(&mut s, "status");
            }
            ("apps", "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
                pod_template(&mut s, "spec.template");
                conditions(&mut s, "status");
            }
            ("apps", "Deployment") => {
                pod_template(&mut s, "spec.template");
                s.insert("spec.strategy", FieldStrategy::RetainKeys);
                conditions(&mut s, "status");
            }
            ("batch", "Job") => {
                pod_template(&mut s, "spec.template");
                conditions(&mut s, "status");
            }
            ("batch", "CronJob") => {
                object_meta(&mut s, "spec.jobTemplate.metadata");
                pod_template(&mut s, "spec.jobTemplate.spec.template");
            }
            ("", "Service") => {
                s.insert("spec.ports", by_key("port"));
                conditions(&mut s, "status");
            }
            ("", "ServiceAccount") => s.insert("secrets", by_key("name")),
            ("", "Namespace") => conditions(&mut s, "status"),
            ("", "Endpoints" | "ConfigMap" | "Secret" | "Event")
            | ("events.k8s.io", "Event")
            | ("networking.k8s.io", "Ingress")
            | ("coordination.k8s.io", "Lease")
            | ("rbac.authorization.k8s.io", "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding")
            | ("apiextensions.k8s.io", "CustomResourceDefinition") => {}
            // autoscaling/v2 tags status.conditions; v1 has no such field, so the entry is inert.
            ("autoscaling", "HorizontalPodAutoscaler") => conditions(&mut s, "status"),
            ("policy", "PodDisruptionBudget") => {
                s.insert("spec.selector", FieldStrategy::Replace);
                conditions(&mut s, "status");
            }
            _ => return None,
        }
        Some(s)
    }
}

fn by_key(key: &str) -> FieldStrategy {
    FieldStrategy::MergeByKey {
        key: key.to_string(),
        retain_keys: false,
    }
}

fn by_key_retaining(key: &str) -> FieldStrategy {
    FieldStrategy::MergeByKey {
        key: key.to_string(),
        retain_keys: true,
    }
}

fn at(prefix: &str, field: &str) -> String {
    format!("{prefix}.{field}")
}

/// `ObjectMeta`: ownerReferences by uid, finalizers as a set; managedFields is atomic.
fn object_meta(s: &mut Strategy, prefix: &str) {
    s.insert(&at(prefix, "ownerReferences"), by_key("uid"));
    s.insert(&at(prefix, "finalizers"), FieldStrategy::MergeSet);
}

/// `PodTemplateSpec`: its own object metadata plus a pod spec.
fn pod_template(s: &mut Strategy, prefix: &str) {
    object_meta(s, &at(prefix, "metadata"));
    pod_spec(s, &at(prefix, "spec"));
}

/// `PodSpec`.
fn pod_spec(s: &mut Strategy, prefix: &str) {
    s.insert(&at(prefix, "volumes"), by_key_retaining("name"));
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let path = at(prefix, list);
        s.insert(&path, by_key("name"));
        container(s, &path);
    }
    s.insert(&at(prefix, "imagePullSecrets"), by_key("name"));
    s.insert(&at(prefix, "hostAliases"), by_key("ip"));
    s.insert(&at(prefix, "topologySpreadConstraints"), by_key("topologyKey"));
    s.insert(&at(prefix, "schedulingGates"), by_key("name"));
    s.insert(&at(prefix, "resourceClaims"), by_key_retaining("name"));
}

/// `Container` and `EphemeralContainerCommon` (same tags).
fn container(s: &mut Strategy, prefix: &str) {
    s.insert(&at(prefix, "ports"), by_key("containerPort"));
    s.insert(&at(prefix, "env"), by_key("name"));
    s.insert(&at(prefix, "volumeMounts"), by_key("mountPath"));
    s.insert(&at(prefix, "volumeDevices"), by_key("devicePath"));
}

/// `PodStatus`; the container status lists are atomic.
fn pod_status(s: &mut Strategy, prefix: &str) {
    conditions(s, prefix);
    s.insert(&at(prefix, "podIPs"), by_key("ip"));
    s.insert(&at(prefix, "hostIPs"), by_key("ip"));
    s.insert(&at(prefix, "resourceClaimStatuses"), by_key_retaining("name"));
}

/// `status.conditions` merged by `type`, as on most workload statuses.
fn conditions(s: &mut Strategy, prefix: &str) {
    s.insert(&at(prefix, "conditions"), by_key("type"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    #[test]
    fn unknown_kinds_have_no_strategy() {
        assert!(Strategy::for_kind("argoproj.io", "Rollout").is_none());
        assert!(Strategy::for_kind("", "Deployment").is_none());
        assert!(Strategy::for_kind("apps", "Pod").is_none());
    }

    #[test]
    fn pod_spec_is_found_wherever_embedded() {
        let checks = [
            ("", "Pod", "spec"),
            ("", "PodTemplate", "template.spec"),
            ("apps", "ReplicaSet", "spec.template.spec"),
            ("apps", "Deployment", "spec.template.spec"),
            ("batch", "Job", "spec.template.spec"),
        ];
        for (group, kind, spec) in checks {
            let s = Strategy::for_kind(group, kind).unwrap();
            let key = |field: &str| s.merge_key(&path(&format!("{spec}.{field}"))).map(str::to_string);
            assert_eq!(key("containers").as_deref(), Some("name"), "{kind}");
            assert_eq!(key("initContainers").as_deref(), Some("name"));
            assert_eq!(key("ephemeralContainers").as_deref(), Some("name"));
            assert_eq!(key("containers.ports").as_deref(), Some("containerPort"));
            assert_eq!(key("containers.env").as_deref(), Some("name"));
            assert_eq!(key("containers.volumeMounts").as_deref(), Some("mountPath"));
            assert_eq!(key("containers.volumeDevices").as_deref(), Some("devicePath"));
            assert_eq!(key("initContainers.env").as_deref(), Some("name"));
            assert_eq!(key("volumes").as_deref(), Some("name"));
            assert_eq!(key("imagePullSecrets").as_deref(), Some("name"));
            assert_eq!(key("hostAliases").as_deref(), Some("ip"));
            assert_eq!(key("topologySpreadConstraints").as_deref(), Some("topologyKey"));
            assert_eq!(key("resourceClaims").as_deref(), Some("name"));
            assert_eq!(key("schedulingGates").as_deref(), Some("name"));
            assert_eq!(key("tolerations"), None);
            assert_eq!(key("containers.resizePolicy"), None);
            assert_eq!(
                s.get(&path(&format!("{spec}.volumes"))),
                Some(&FieldStrategy::MergeByKey {
                    key: "name".into(),
                    retain_keys: true
                })
            );
            assert_eq!(s.merge_key(&path("metadata.ownerReferences")), Some("uid"));
            assert!(s.is_merge_set(&path("metadata.finalizers")));
            assert_eq!(s.get(&path("metadata.managedFields")), None);
        }
    }

    #[test]
    fn other_tags() {
        let pod = Strategy::for_kind("", "Pod").unwrap();
        assert_eq!(pod.merge_key(&path("status.conditions")), Some("type"));
        assert_eq!(pod.get(&path("status.containerStatuses")), None);
        let deploy = Strategy::for_kind("apps", "Deployment").unwrap();
        assert_eq!(deploy.get(&path("spec.strategy")), Some(&FieldStrategy::RetainKeys));
        assert_eq!(deploy.merge_key(&path("status.conditions")), Some("type"));
        assert_eq!(
            deploy.merge_key(&path("spec.template.metadata.ownerReferences")),
            Some("uid")
        );
        let svc = Strategy::for_kind("", "Service").unwrap();
        assert_eq!(svc.merge_key(&path("spec.ports")), Some("port"));
        let ep = Strategy::for_kind("", "Endpoints").unwrap();
        assert_eq!(ep.get(&path("subsets")), None);
        let ing = Strategy::for_kind("networking.k8s.io", "Ingress").unwrap();
        assert_eq!(ing.get(&path("spec.rules")), None);
        let pdb = Strategy::for_kind("policy", "PodDisruptionBudget").unwrap();
        assert_eq!(pdb.get(&path("spec.selector")), Some(&FieldStrategy::Replace));
        for (group, kind) in [
            ("", "ConfigMap"),
            ("", "Secret"),
            ("", "Namespace"),
            ("", "ServiceAccount"),
            ("", "Event"),
            ("coordination.k8s.io", "Lease"),
            ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
            ("autoscaling", "HorizontalPodAutoscaler"),
            ("apiextensions.k8s.io", "CustomResourceDefinition"),
            ("batch", "Job"),
        ] {
            assert!(Strategy::for_kind(group, kind).is_some(), "{group}/{kind}");
        }
    }
}
