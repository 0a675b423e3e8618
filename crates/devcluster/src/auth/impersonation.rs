//! Impersonation: `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-*`
//! headers, read as kube-apiserver's impersonation filter reads them. Each thing impersonated is a request
//! with the `impersonate` verb the requester must be allowed, and together they make the identity the
//! request then runs as.

use hyper::HeaderMap;

use super::attributes::{Attributes, ResourceAttributes};
use super::identity::{ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED, UserInfo, parse_service_account};
use super::identity::{service_account_groups, service_account_username};

const USER: &str = "impersonate-user";
const GROUP: &str = "impersonate-group";
const UID: &str = "impersonate-uid";
const EXTRA_PREFIX: &str = "impersonate-extra-";

/// Whether the request asks to impersonate a user, group or uid: a few header look-ups, so that requests
/// without impersonation (nearly all) pay nothing more.
pub fn requested(headers: &HeaderMap) -> bool {
    headers.contains_key(USER) || headers.contains_key(GROUP) || headers.contains_key(UID)
}

/// One thing impersonated.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    ServiceAccount { namespace: String, name: String },
    User(String),
    Group(String),
    Extra { key: String, value: String },
    Uid(String),
}

/// What a request asks to impersonate, in kube-apiserver's order: the user, groups, extra values, uid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impersonation {
    targets: Vec<Target>,
}

/// Why impersonation headers cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("requested {0} without impersonating a user")]
pub struct WithoutUser(String);

fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok())
}

/// Percent-decodes an extra key (header names cannot hold every character a key can).
fn unescape(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Impersonation {
    /// The impersonation the headers ask for, if any.
    pub fn from_headers(headers: &HeaderMap) -> Result<Option<Impersonation>, WithoutUser> {
        let mut targets = Vec::new();
        let user = header_values(headers, USER).next().filter(|u| !u.is_empty());
        if let Some(user) = user {
            targets.push(match parse_service_account(user) {
                Some((namespace, name)) => Target::ServiceAccount {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                },
                None => Target::User(user.to_string()),
            });
        }
        targets.extend(header_values(headers, GROUP).map(|g| Target::Group(g.to_string())));
        let mut extras: Vec<(String, String)> = Vec::new();
        for (name, value) in headers {
            if let Some(key) = name.as_str().strip_prefix(EXTRA_PREFIX)
                && let Ok(value) = value.to_str()
            {
                extras.push((unescape(key), value.to_string()));
            }
        }
        targets.extend(extras.into_iter().map(|(key, value)| Target::Extra { key, value }));
        if let Some(uid) = header_values(headers, UID).next().filter(|u| !u.is_empty()) {
            targets.push(Target::Uid(uid.to_string()));
        }
        match (user, targets.is_empty()) {
            (_, true) => Ok(None),
            (Some(_), false) => Ok(Some(Impersonation { targets })),
            (None, false) => {
                let asked: Vec<String> = targets.iter().map(Target::describe).collect();
                Err(WithoutUser(asked.join(", ")))
            }
        }
    }

    /// The requests the requester must be allowed, one per thing impersonated.
    pub fn checks(&self) -> Vec<Attributes> {
        self.targets
            .iter()
            .map(|t| {
                let (group, version, resource, subresource, namespace, name) = match t {
                    Target::ServiceAccount { namespace, name } => {
                        ("", "v1", "serviceaccounts", "", namespace.as_str(), name.as_str())
                    }
                    Target::User(name) => ("", "", "users", "", "", name.as_str()),
                    Target::Group(name) => ("", "", "groups", "", "", name.as_str()),
                    Target::Extra { key, value } => (
                        "authentication.k8s.io",
                        "v1",
                        "userextras",
                        key.as_str(),
                        "",
                        value.as_str(),
                    ),
                    Target::Uid(uid) => ("authentication.k8s.io", "v1", "uids", "", "", uid.as_str()),
                };
                Attributes::Resource(ResourceAttributes {
                    verb: "impersonate".to_string(),
                    group: group.to_string(),
                    version: version.to_string(),
                    resource: resource.to_string(),
                    subresource: subresource.to_string(),
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                })
            })
            .collect()
    }

    /// The identity the request runs as: a service account gets its groups unless groups are given, and
    /// every user but the anonymous one is authenticated (unless a group says otherwise).
    pub fn user(&self) -> UserInfo {
        let groups_given = self.targets.iter().any(|t| matches!(t, Target::Group(_)));
        let mut user = UserInfo::default();
        for target in &self.targets {
            match target {
                Target::ServiceAccount { namespace, name } => {
                    user.name = service_account_username(namespace, name);
                    if !groups_given {
                        user.groups = service_account_groups(namespace);
                    }
                }
                Target::User(name) => user.name.clone_from(name),
                Target::Group(group) => user.groups.push(group.clone()),
                Target::Extra { key, value } => user.extra.entry(key.clone()).or_default().push(value.clone()),
                Target::Uid(uid) => user.uid.clone_from(uid),
            }
        }
        if user.name != ANONYMOUS && !user.groups.iter().any(|g| g == AUTHENTICATED || g == UNAUTHENTICATED) {
            user.groups.push(AUTHENTICATED.to_string());
        }
        user
    }
}

impl Target {
    fn describe(&self) -> String {
        match self {
            Target::ServiceAccount { namespace, name } => format!("serviceaccount {namespace}/{name}"),
            Target::User(n) => format!("user {n}"),
            Target::Group(n) => format!("group {n}"),
            Target::Extra { key, value } => format!("extra {key}={value}"),
            Target::Uid(u) => format!("uid {u}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn names(attrs: &[Attributes]) -> Vec<(String, String, String, String)> {
        attrs
            .iter()
            .map(|a| match a {
                Attributes::Resource(r) => (
                    r.resource.clone(),
                    r.subresource.clone(),
                    r.namespace.clone(),
                    r.name.clone(),
                ),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn a_service_account_gets_its_groups() {
        let h = headers(&[("Impersonate-User", "system:serviceaccount:prod:bot")]);
        assert!(requested(&h));
        let imp = Impersonation::from_headers(&h).unwrap().unwrap();
        assert_eq!(
            names(&imp.checks()),
            [(s("serviceaccounts"), s(""), s("prod"), s("bot"))]
        );
        let user = imp.user();
        assert_eq!(user.name, "system:serviceaccount:prod:bot");
        assert_eq!(
            user.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:prod",
                "system:authenticated"
            ]
        );
    }

    #[test]
    fn users_groups_extras_and_uids_are_each_checked() {
        let h = headers(&[
            ("Impersonate-User", "jane"),
            ("Impersonate-Group", "devs"),
            ("Impersonate-Group", "ops"),
            ("Impersonate-Extra-Scopes%2fa", "x"),
            ("Impersonate-Uid", "u-1"),
        ]);
        let imp = Impersonation::from_headers(&h).unwrap().unwrap();
        assert_eq!(
            names(&imp.checks()),
            [
                (s("users"), s(""), s(""), s("jane")),
                (s("groups"), s(""), s(""), s("devs")),
                (s("groups"), s(""), s(""), s("ops")),
                (s("userextras"), s("scopes/a"), s(""), s("x")),
                (s("uids"), s(""), s(""), s("u-1")),
            ]
        );
        let user = imp.user();
        assert_eq!(user.groups, ["devs", "ops", "system:authenticated"]);
        assert_eq!(user.uid, "u-1");
        assert_eq!(user.extra["scopes/a"], ["x"]);
    }

    #[test]
    fn groups_given_replace_a_service_accounts_own() {
        let h = headers(&[
            ("Impersonate-User", "system:serviceaccount:prod:bot"),
            ("Impersonate-Group", "system:authenticated"),
        ]);
        let user = Impersonation::from_headers(&h).unwrap().unwrap().user();
        assert_eq!(user.groups, ["system:authenticated"]);
    }

    #[test]
    fn groups_without_a_user_are_refused() {
        let h = headers(&[("Impersonate-Group", "devs")]);
        assert_eq!(Impersonation::from_headers(&h), Err(WithoutUser("group devs".into())));
        assert_eq!(Impersonation::from_headers(&HeaderMap::new()), Ok(None));
        assert!(!requested(&HeaderMap::new()));
    }
}
