//! What a client needs to reason about the dev cluster's RBAC offline: the records of the audit log
//! ([`crate::Config::audit_log`]), the request attributes they describe, the rules of a Role or
//! ClusterRole, and the rules every identity holds from the bootstrap policy.
//!
//! ```
//! use rollouts_devcluster::rbac::{AuditRecord, Rule};
//! use serde_json::json;
//!
//! let line = r#"{"user":"system:serviceaccount:ns:sa","groups":[],"verb":"list","apiGroup":"apps",
//!     "apiVersion":"v1","resource":"replicasets","subresource":"","namespace":"","name":"",
//!     "decision":"allowed"}"#;
//! let record = AuditRecord::parse(&line.replace('\n', "")).unwrap();
//! let rule = Rule::from_json(&json!({"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["list"]}));
//! assert!(rule.allows(&record.attributes()));
//! ```

use std::collections::BTreeMap;

pub use crate::auth::attributes::{Attributes, ResourceAttributes};
pub use crate::auth::audit::{AuditDecision, AuditParseError, AuditRecord};
pub use crate::auth::policy::Rule;

use crate::auth::identity::UserInfo;
use crate::auth::policy::{Objects, Policy};

/// The rules the bootstrap ClusterRoleBindings (`system:discovery`, `system:basic-user`,
/// `system:public-info-viewer`, ...) give `user` in `groups`, as every cluster does.
pub fn bootstrap_rules(user: &str, groups: &[String]) -> Vec<Rule> {
    let objects = crate::auth::bootstrap::objects();
    let of_kind = |kind: &str| -> Vec<&serde_json::Value> { objects.iter().filter(|o| o["kind"] == kind).collect() };
    let policy = Policy::build(&Objects {
        cluster_roles: of_kind("ClusterRole"),
        cluster_role_bindings: of_kind("ClusterRoleBinding"),
        ..Objects::default()
    });
    let user = UserInfo {
        name: user.to_string(),
        uid: String::new(),
        groups: groups.to_vec(),
        extra: BTreeMap::new(),
    };
    policy.rules_for(&user, "").0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_account_may_discover() {
        let groups = vec!["system:serviceaccounts".to_string(), "system:authenticated".to_string()];
        let rules = bootstrap_rules("system:serviceaccount:ns:sa", &groups);
        let discovery = Attributes::NonResource {
            verb: "get".into(),
            path: "/apis/apps/v1".into(),
        };
        assert!(rules.iter().any(|r| r.allows(&discovery)));
        let list_pods = Attributes::Resource(ResourceAttributes {
            verb: "list".into(),
            resource: "pods".into(),
            ..ResourceAttributes::default()
        });
        assert!(!rules.iter().any(|r| r.allows(&list_pods)));
        assert!(bootstrap_rules("system:anonymous", &[]).is_empty());
    }
}
