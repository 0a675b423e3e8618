//! Who makes a request: a user name, uid, groups and extra values, as kube-apiserver's authenticators
//! give them, and the fixed forms of service account identities.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// The user of the kubeconfig's token, as kubeadm names its admin.
pub const ADMIN_USER: &str = "kubernetes-admin";
/// The group that every authorizer allows everything (kube-apiserver's privileged group).
pub const MASTERS: &str = "system:masters";
/// Every authenticated identity is in this group.
pub const AUTHENTICATED: &str = "system:authenticated";
/// The group of requests without credentials.
pub const UNAUTHENTICATED: &str = "system:unauthenticated";
/// The user of requests without credentials.
pub const ANONYMOUS: &str = "system:anonymous";
/// Every service account is in this group.
pub const SERVICE_ACCOUNTS: &str = "system:serviceaccounts";

const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";

/// An authenticated identity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserInfo {
    /// The user name, e.g. `system:serviceaccount:default:bot`.
    pub name: String,
    /// A unique id (a service account's uid), may be empty.
    pub uid: String,
    /// Group names, in order.
    pub groups: Vec<String>,
    /// Extra values (e.g. the credential id of a token).
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// The kubeconfig's admin.
    pub fn admin() -> Self {
        UserInfo {
            name: ADMIN_USER.to_string(),
            uid: String::new(),
            groups: vec![MASTERS.to_string(), AUTHENTICATED.to_string()],
            extra: BTreeMap::new(),
        }
    }

    /// A service account's identity.
    pub fn service_account(namespace: &str, name: &str, uid: &str) -> Self {
        let mut groups = service_account_groups(namespace);
        groups.push(AUTHENTICATED.to_string());
        UserInfo {
            name: service_account_username(namespace, name),
            uid: uid.to_string(),
            groups,
            extra: BTreeMap::new(),
        }
    }

    /// Whether the identity is in `system:masters`, which no authorizer can refuse.
    pub fn is_privileged(&self) -> bool {
        self.groups.iter().any(|g| g == MASTERS)
    }

    /// The `userInfo` of a SelfSubjectReview or TokenReview: Go's `UserInfo` with its `omitempty` fields.
    pub fn to_json(&self) -> Value {
        let mut out = json!({ "username": self.name });
        if !self.uid.is_empty() {
            out["uid"] = json!(self.uid);
        }
        if !self.groups.is_empty() {
            out["groups"] = json!(self.groups);
        }
        if !self.extra.is_empty() {
            out["extra"] = json!(self.extra);
        }
        out
    }
}

/// `system:serviceaccount:<namespace>:<name>`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}")
}

/// The namespace and name of a service account user name, if it is one.
pub fn parse_service_account(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(SERVICE_ACCOUNT_PREFIX)?;
    let (namespace, name) = rest.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}

/// The groups every service account of `namespace` is in (without `system:authenticated`).
pub fn service_account_groups(namespace: &str) -> Vec<String> {
    vec![SERVICE_ACCOUNTS.to_string(), format!("{SERVICE_ACCOUNTS}:{namespace}")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_account_names_round_trip() {
        let user = UserInfo::service_account("prod", "bot", "u-1");
        assert_eq!(user.name, "system:serviceaccount:prod:bot");
        assert_eq!(
            user.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:prod",
                "system:authenticated"
            ]
        );
        assert_eq!(parse_service_account(&user.name), Some(("prod", "bot")));
        for not_one in [
            "bot",
            "system:serviceaccount:",
            "system:serviceaccount:prod",
            "system:serviceaccount::bot",
            "system:serviceaccount:prod:",
            "system:serviceaccount:a:b:c",
            "system:serviceaccounts:prod",
        ] {
            assert_eq!(parse_service_account(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn only_masters_are_privileged() {
        assert!(UserInfo::admin().is_privileged());
        assert!(!UserInfo::service_account("a", "b", "").is_privileged());
    }

    #[test]
    fn user_info_json_leaves_out_empty_fields() {
        let mut user = UserInfo::admin();
        assert_eq!(
            user.to_json(),
            json!({"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]})
        );
        user.uid = "u".into();
        user.extra.insert("k".into(), vec!["v".into()]);
        assert_eq!(user.to_json()["extra"], json!({"k": ["v"]}));
        assert_eq!(user.to_json()["uid"], "u");
    }
}
