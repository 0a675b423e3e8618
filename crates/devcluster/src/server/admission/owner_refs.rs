//! The OwnerReferencesPermissionEnforcement admission plugin, as kube-apiserver runs it (and OpenShift
//! turns it on by default): someone outside `system:masters` who changes an object's ownerReferences must
//! be allowed to delete the object (on update), and one who newly sets `blockOwnerDeletion` on a
//! reference must be allowed to `update` the owner's `finalizers` subresource, since blocking the owner's
//! deletion is as strong as adding a finalizer to it.

use std::sync::Arc;

use serde_json::Value;

use crate::auth::attributes::{Attributes, ResourceAttributes};
use crate::auth::audit::AuditRecord;
use crate::auth::identity::UserInfo;
use crate::auth::policy::{Decision, Policy};
use crate::registry::{Registry, ResourceType};
use crate::server::error::ApiError;

/// The plugin's name, as audit records name it.
pub const PLUGIN: &str = "OwnerReferencesPermissionEnforcement";

/// The check of one writer's writes; the policy is taken before the write, as the store is locked while
/// the object is checked.
pub(crate) struct OwnerRefGuard {
    user: UserInfo,
    policy: Arc<Policy>,
}

/// One owner reference, as far as the plugin looks at it.
#[derive(PartialEq)]
struct OwnerRef<'a> {
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    uid: &'a str,
    blocks: bool,
}

fn field<'a>(r: &'a Value, f: &str) -> &'a str {
    r.get(f).and_then(Value::as_str).unwrap_or_default()
}

fn owner_refs(obj: &Value) -> Vec<OwnerRef<'_>> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .map(|r| OwnerRef {
                    api_version: field(r, "apiVersion"),
                    kind: field(r, "kind"),
                    name: field(r, "name"),
                    uid: field(r, "uid"),
                    blocks: r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn owner_refs_json(obj: Option<&Value>) -> Option<&Value> {
    obj.and_then(|o| o.pointer("/metadata/ownerReferences"))
        .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
}

/// Whether `rt`'s `subresource` writes are exempt (a pod's status, as kube-apiserver exempts it).
fn exempt(rt: &ResourceType, subresource: Option<&str>) -> bool {
    rt.group.is_empty() && rt.plural == "pods" && subresource == Some("status")
}

impl OwnerRefGuard {
    /// A guard for `user`'s writes, if they need one (members of `system:masters` do not).
    pub fn for_user(user: &UserInfo, policy: impl FnOnce() -> Arc<Policy>) -> Option<Self> {
        (!user.is_privileged()).then(|| OwnerRefGuard {
            user: user.clone(),
            policy: policy(),
        })
    }

    fn authorize(&self, audit: Option<&crate::auth::audit::AuditLog>, attrs: &Attributes) -> Decision {
        let decision = self.policy.authorize(&self.user, attrs);
        if let Some(log) = audit {
            log.record(&AuditRecord::new(&self.user, attrs, decision.allowed, Some(PLUGIN)));
        }
        decision
    }

    /// Checks the write of `object` (of type `rt`, in `namespace`, "" at the cluster scope) over
    /// `previous` (`None` on create), owners resolved through `registry`.
    #[allow(clippy::too_many_arguments)]
    pub fn check(
        &self,
        registry: &Registry,
        audit: Option<&crate::auth::audit::AuditLog>,
        rt: &ResourceType,
        subresource: Option<&str>,
        namespace: &str,
        object: &Value,
        previous: Option<&Value>,
    ) -> Result<(), ApiError> {
        let new_refs = owner_refs_json(Some(object));
        if exempt(rt, subresource) || new_refs == owner_refs_json(previous) {
            return Ok(());
        }
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let refused =
            |cause: String| ApiError::forbidden(format!("{} {name:?} is forbidden: {cause}", rt.group_resource()));
        if previous.is_some() {
            let delete = Attributes::Resource(ResourceAttributes {
                verb: "delete".into(),
                group: rt.group.clone(),
                version: rt.version.clone(),
                resource: rt.plural.clone(),
                subresource: String::new(),
                namespace: namespace.to_string(),
                name: name.to_string(),
            });
            let decision = self.authorize(audit, &delete);
            if !decision.allowed {
                return Err(refused(format!(
                    "cannot set an ownerRef on a resource you can't delete: {}, <nil>",
                    decision.reason
                )));
            }
        }
        let old = previous.map(owner_refs).unwrap_or_default();
        let newly_blocking: Vec<OwnerRef<'_>> = owner_refs(object)
            .into_iter()
            .filter(|r| r.blocks && !old.iter().any(|o| o.uid == r.uid && o.blocks))
            .collect();
        if newly_blocking.is_empty() {
            return Ok(());
        }
        // Whoever may set finalizers on anything here needs no look-up of the owners' types.
        let anything = Attributes::Resource(ResourceAttributes {
            verb: "update".into(),
            group: "*".into(),
            version: "*".into(),
            resource: "*".into(),
            subresource: "finalizers".into(),
            namespace: namespace.to_string(),
            name: "*".into(),
        });
        if self.policy.authorize(&self.user, &anything).allowed {
            return Ok(());
        }
        for owner in newly_blocking {
            let Some(owner_rt) = registry.by_kind(owner.api_version, owner.kind) else {
                let (group, version) = owner.api_version.split_once('/').unwrap_or(("", owner.api_version));
                let group_kind = if group.is_empty() {
                    owner.kind.to_string()
                } else {
                    format!("{}.{group}", owner.kind)
                };
                return Err(refused(format!(
                    "cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion {} Kind {}: no matches for kind {:?} in version {:?}",
                    owner.api_version,
                    owner.kind,
                    group_kind,
                    format!("{group}/{version}").trim_start_matches('/'),
                )));
            };
            let finalizers = Attributes::Resource(ResourceAttributes {
                verb: "update".into(),
                group: owner_rt.group.clone(),
                version: owner_rt.version.clone(),
                resource: owner_rt.plural.clone(),
                subresource: "finalizers".into(),
                namespace: if owner_rt.namespaced {
                    namespace.to_string()
                } else {
                    String::new()
                },
                name: owner.name.to_string(),
            });
            let decision = self.authorize(audit, &finalizers);
            if !decision.allowed {
                return Err(refused(format!(
                    "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: {}, <nil>",
                    decision.reason
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::auth::policy::Objects;

    fn policy(rules: Value) -> Arc<Policy> {
        let role = json!({"metadata": {"name": "r"}, "rules": rules});
        let binding = json!({
            "metadata": {"name": "b"},
            "roleRef": {"kind": "ClusterRole", "name": "r", "apiGroup": "rbac.authorization.k8s.io"},
            "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}],
        });
        Arc::new(Policy::build(&Objects {
            cluster_roles: vec![&role],
            cluster_role_bindings: vec![&binding],
            ..Objects::default()
        }))
    }

    fn guard(rules: Value) -> OwnerRefGuard {
        let user = UserInfo::service_account("ns", "sa", "u");
        OwnerRefGuard::for_user(&user, || policy(rules)).unwrap()
    }

    fn replica_set(block: Option<bool>) -> Value {
        let mut owner =
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d1", "controller": true});
        if let Some(b) = block {
            owner["blockOwnerDeletion"] = json!(b);
        }
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-1", "namespace": "ns", "ownerReferences": [owner]}})
    }

    fn rs_type(registry: &Registry) -> Arc<ResourceType> {
        registry.get("apps", "v1", "replicasets").unwrap()
    }

    #[test]
    fn blocking_an_owners_deletion_takes_its_finalizers() {
        let registry = Registry::with_builtins();
        let rt = rs_type(&registry);
        let create =
            json!([{"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["create", "update", "delete"]}]);
        let g = guard(create.clone());
        let e = g
            .check(&registry, None, &rt, None, "ns", &replica_set(Some(true)), None)
            .unwrap_err();
        assert_eq!(e.code, 403);
        assert_eq!(
            e.message,
            r#"replicasets.apps "web-1" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>"#
        );
        // Not blocking, or blocking an owner whose finalizers may be set: allowed.
        assert!(
            g.check(&registry, None, &rt, None, "ns", &replica_set(Some(false)), None)
                .is_ok()
        );
        assert!(
            g.check(&registry, None, &rt, None, "ns", &replica_set(None), None)
                .is_ok()
        );
        let mut rules = create.as_array().unwrap().clone();
        rules.push(json!({"apiGroups": ["apps"], "resources": ["deployments/finalizers"], "verbs": ["update"], "resourceNames": ["web"]}));
        let g = guard(json!(rules));
        assert!(
            g.check(&registry, None, &rt, None, "ns", &replica_set(Some(true)), None)
                .is_ok()
        );
    }

    #[test]
    fn only_a_new_block_is_checked_on_update_and_changing_references_takes_delete() {
        let registry = Registry::with_builtins();
        let rt = rs_type(&registry);
        let g = guard(json!([{"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["update"]}]));
        let blocking = replica_set(Some(true));
        // References unchanged: nothing to check.
        assert!(
            g.check(&registry, None, &rt, None, "ns", &blocking, Some(&blocking))
                .is_ok()
        );
        // Changed: the writer must be allowed to delete the object.
        let e = g
            .check(&registry, None, &rt, None, "ns", &blocking, Some(&replica_set(None)))
            .unwrap_err();
        assert!(
            e.message
                .contains("cannot set an ownerRef on a resource you can't delete"),
            "{}",
            e.message
        );
        let g = guard(json!([
            {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["update", "delete"]},
        ]));
        assert!(
            g.check(
                &registry,
                None,
                &rt,
                None,
                "ns",
                &replica_set(Some(false)),
                Some(&blocking)
            )
            .is_ok()
        );
        let e = g
            .check(
                &registry,
                None,
                &rt,
                None,
                "ns",
                &blocking,
                Some(&replica_set(Some(false))),
            )
            .unwrap_err();
        assert!(e.message.contains("can't set finalizers on"), "{}", e.message);
    }

    #[test]
    fn an_unknown_owner_kind_is_refused_and_finalizers_of_everything_pass() {
        let registry = Registry::with_builtins();
        let rt = rs_type(&registry);
        let mut obj = replica_set(Some(true));
        obj["metadata"]["ownerReferences"][0]["apiVersion"] = json!("example.com/v1");
        obj["metadata"]["ownerReferences"][0]["kind"] = json!("Thing");
        let g = guard(json!([]));
        let e = g.check(&registry, None, &rt, None, "ns", &obj, None).unwrap_err();
        assert!(
            e.message
                .contains("cannot find RESTMapping for APIVersion example.com/v1 Kind Thing"),
            "{}",
            e.message
        );
        let g = guard(json!([{"apiGroups": ["*"], "resources": ["*/finalizers"], "verbs": ["update"]}]));
        assert!(g.check(&registry, None, &rt, None, "ns", &obj, None).is_ok());
    }
}
