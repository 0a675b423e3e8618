//! Privilege escalation prevention, as kube-apiserver's RBAC storage does it: someone who is not in
//! `system:masters` may write a Role or ClusterRole only with rules they hold themselves (or the
//! `escalate` verb on it), and a binding only to a role whose rules they hold (or the `bind` verb on it).
//! Setting an aggregation rule takes every permission there is.

use std::sync::Arc;

use serde_json::Value;

use super::attributes::{Attributes, ResourceAttributes, forbidden_on};
use super::identity::UserInfo;
use super::policy::{Policy, Rule};
use crate::server::error::ApiError;

const GROUP: &str = "rbac.authorization.k8s.io";

fn has(set: &[String], item: &str) -> bool {
    set.iter().any(|s| s == item)
}

fn has_all(set: &[String], items: &[String]) -> bool {
    items.iter().all(|i| has(set, i))
}

/// One rule per group, resource, verb and name (or per path and verb), as `BreakdownRule` splits them.
fn breakdown(rule: &Rule) -> Vec<Rule> {
    let mut out = Vec::new();
    let one = |s: &String| vec![s.clone()];
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let base = Rule {
                    verbs: one(verb),
                    api_groups: one(group),
                    resources: one(resource),
                    ..Rule::default()
                };
                if rule.resource_names.is_empty() {
                    out.push(base);
                } else {
                    out.extend(rule.resource_names.iter().map(|n| Rule {
                        resource_names: one(n),
                        ..base.clone()
                    }));
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(Rule {
                verbs: one(verb),
                non_resource_urls: one(url),
                ..Rule::default()
            });
        }
    }
    out
}

fn resources_cover(owner: &[String], wanted: &[String]) -> bool {
    if has(owner, "*") {
        return true;
    }
    wanted.iter().all(|r| {
        has(owner, r)
            || r.split_once('/')
                .is_some_and(|(_, sub)| has(owner, &format!("*/{sub}")))
    })
}

fn url_covers(owner: &str, wanted: &str) -> bool {
    owner == wanted || owner.strip_suffix('*').is_some_and(|prefix| wanted.starts_with(prefix))
}

/// Whether `owner` covers the single-valued rule `wanted` (`ruleCovers`).
fn covers(owner: &Rule, wanted: &Rule) -> bool {
    let verbs = has(&owner.verbs, "*") || has_all(&owner.verbs, &wanted.verbs);
    let groups = has(&owner.api_groups, "*") || has_all(&owner.api_groups, &wanted.api_groups);
    let resources = resources_cover(&owner.resources, &wanted.resources);
    let urls = wanted
        .non_resource_urls
        .iter()
        .all(|w| owner.non_resource_urls.iter().any(|o| url_covers(o, w)));
    let names = if wanted.resource_names.is_empty() {
        owner.resource_names.is_empty()
    } else {
        owner.resource_names.is_empty() || has_all(&owner.resource_names, &wanted.resource_names)
    };
    verbs && groups && resources && urls && names
}

/// The parts of `wanted` that no rule of `owner` covers.
pub fn uncovered(owner: &[Rule], wanted: &[Rule]) -> Vec<Rule> {
    wanted
        .iter()
        .flat_map(breakdown)
        .filter(|w| !owner.iter().any(|o| covers(o, w)))
        .collect()
}

/// Merges single-resource rules that differ only by verb (`CompactRules`).
fn compact(rules: Vec<Rule>) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for rule in rules {
        let simple = rule.api_groups.len() == 1 && rule.resources.len() == 1 && rule.non_resource_urls.is_empty();
        let same = out.iter_mut().find(|r| {
            simple
                && r.api_groups == rule.api_groups
                && r.resources == rule.resources
                && r.resource_names == rule.resource_names
                && r.non_resource_urls.is_empty()
        });
        match same {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => out.push(rule),
        }
    }
    out
}

/// A list as Go's `%q` prints a `[]string`: `["a" "b"]`.
fn quoted(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(" "))
}

/// A rule as `CompactString` prints it.
fn describe(rule: &Rule) -> String {
    let mut parts = Vec::new();
    for (name, list) in [
        ("APIGroups", &rule.api_groups),
        ("Resources", &rule.resources),
        ("NonResourceURLs", &rule.non_resource_urls),
        ("ResourceNames", &rule.resource_names),
        ("Verbs", &rule.verbs),
    ] {
        if !list.is_empty() {
            parts.push(format!("{name}:{}", quoted(list)));
        }
    }
    format!("{{{}}}", parts.join(", "))
}

/// Why `user` may not grant `wanted` in `namespace`, if they may not.
fn no_escalation(policy: &Policy, user: &UserInfo, namespace: &str, wanted: &[Rule]) -> Result<(), String> {
    let (owned, errors) = policy.rules_for(user, namespace);
    let missing = uncovered(&owned, wanted);
    if missing.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = compact(missing).iter().map(describe).collect();
    lines.sort();
    lines.dedup();
    let mut message = format!(
        "user {:?} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        user.name,
        quoted(&user.groups),
        lines.join("\n")
    );
    if !errors.is_empty() {
        message.push_str(&format!("; resolution errors: [{}]", errors.join(" ")));
    }
    Err(message)
}

fn allowed(policy: &Policy, user: &UserInfo, verb: &str, resource: &str, namespace: &str, name: &str) -> bool {
    let attrs = Attributes::Resource(ResourceAttributes {
        verb: verb.to_string(),
        group: GROUP.to_string(),
        version: "v1".to_string(),
        resource: resource.to_string(),
        subresource: String::new(),
        namespace: namespace.to_string(),
        name: name.to_string(),
    });
    policy.authorize(user, &attrs).allowed
}

/// The check of one request's RBAC writes: who writes, and the policy when the request came.
pub struct Guard {
    user: UserInfo,
    policy: Arc<Policy>,
}

impl Guard {
    /// A guard for `user`'s writes, if they need one (members of `system:masters` do not).
    pub fn for_user(user: &UserInfo, policy: impl FnOnce() -> Arc<Policy>) -> Option<Guard> {
        (!user.is_privileged()).then(|| Guard {
            user: user.clone(),
            policy: policy(),
        })
    }

    /// [`check`] for this writer.
    pub fn check(&self, kind: &str, object: &Value, previous: Option<&Value>) -> Result<(), ApiError> {
        check(&self.policy, &self.user, kind, object, previous)
    }
}

fn meta<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.pointer(&format!("/metadata/{field}"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Checks a write of an RBAC object of `kind` by `user`: `object` as it is to be stored, `previous` as it
/// was. Other kinds pass.
pub fn check(
    policy: &Policy,
    user: &UserInfo,
    kind: &str,
    object: &Value,
    previous: Option<&Value>,
) -> Result<(), ApiError> {
    if user.is_privileged() {
        return Ok(());
    }
    let (name, namespace) = (meta(object, "name"), meta(object, "namespace"));
    match kind {
        "Role" | "ClusterRole" => {
            let resource = if kind == "Role" { "roles" } else { "clusterroles" };
            if allowed(policy, user, "escalate", resource, namespace, name) {
                return Ok(());
            }
            let forbidden = |cause: &str| forbidden_on(GROUP, resource, name, cause);
            no_escalation(policy, user, namespace, &Rule::all_of(object)).map_err(|m| forbidden(&m))?;
            let aggregates = |o: &Value| o.get("aggregationRule").is_some_and(|a| !a.is_null());
            if kind == "ClusterRole" && (aggregates(object) || previous.is_some_and(aggregates)) {
                let everything = [
                    Rule {
                        verbs: vec!["*".into()],
                        api_groups: vec!["*".into()],
                        resources: vec!["*".into()],
                        ..Rule::default()
                    },
                    Rule {
                        verbs: vec!["*".into()],
                        non_resource_urls: vec!["*".into()],
                        ..Rule::default()
                    },
                ];
                no_escalation(policy, user, namespace, &everything)
                    .map_err(|_| forbidden("must have cluster-admin privileges to use the aggregationRule"))?;
            }
            Ok(())
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            let resource = if kind == "RoleBinding" {
                "rolebindings"
            } else {
                "clusterrolebindings"
            };
            let role_kind = object
                .pointer("/roleRef/kind")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let role_name = object
                .pointer("/roleRef/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let role_resource = if role_kind == "Role" { "roles" } else { "clusterroles" };
            if allowed(policy, user, "bind", role_resource, namespace, role_name) {
                return Ok(());
            }
            let rules = policy.role_rules(role_kind, namespace, role_name).ok_or_else(|| {
                let mut e = ApiError::new(
                    404,
                    "NotFound",
                    format!("{role_resource}.{GROUP} \"{role_name}\" not found"),
                );
                e.details = Some(serde_json::json!({ "name": role_name, "group": GROUP, "kind": role_resource }));
                e
            })?;
            no_escalation(policy, user, namespace, &rules).map_err(|m| forbidden_on(GROUP, resource, name, &m))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::policy::Objects;
    use serde_json::json;

    fn rule(v: Value) -> Rule {
        Rule::from_json(&v)
    }

    #[test]
    fn coverage_follows_kube_rules() {
        let owner = [
            rule(json!({"apiGroups": [""], "resources": ["pods", "*/status"], "verbs": ["get", "list"]})),
            rule(
                json!({"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["*"]}),
            ),
            rule(json!({"nonResourceURLs": ["/healthz/*"], "verbs": ["get"]})),
        ];
        let covered = |w: Value| uncovered(&owner, &[rule(w)]).is_empty();
        assert!(covered(
            json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]})
        ));
        assert!(covered(
            json!({"apiGroups": [""], "resources": ["pods/status"], "verbs": ["list"]})
        ));
        assert!(!covered(
            json!({"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]})
        ));
        assert!(covered(
            json!({"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["delete"]})
        ));
        assert!(
            !covered(json!({"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["delete"]})),
            "names narrow"
        );
        assert!(covered(json!({"nonResourceURLs": ["/healthz/ping"], "verbs": ["get"]})));
        assert!(!covered(json!({"nonResourceURLs": ["/metrics"], "verbs": ["get"]})));
    }

    #[test]
    fn missing_rights_are_described_compactly() {
        let owner = [rule(
            json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}),
        )];
        let wanted = [
            rule(json!({"apiGroups": [""], "resources": ["pods", "secrets"], "verbs": ["get", "list"]})),
            rule(json!({"nonResourceURLs": ["/metrics"], "verbs": ["get"]})),
        ];
        let mut lines: Vec<String> = compact(uncovered(&owner, &wanted)).iter().map(describe).collect();
        lines.sort();
        assert_eq!(
            lines,
            [
                r#"{APIGroups:[""], Resources:["pods"], Verbs:["list"]}"#,
                r#"{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}"#,
                r#"{NonResourceURLs:["/metrics"], Verbs:["get"]}"#,
            ]
        );
    }

    fn policy(objects: &[Value]) -> Policy {
        let mut o = Objects::default();
        for v in objects {
            match v["kind"].as_str().unwrap() {
                "ClusterRole" => o.cluster_roles.push(v),
                "Role" => o.roles.push(v),
                "ClusterRoleBinding" => o.cluster_role_bindings.push(v),
                _ => o.role_bindings.push(v),
            }
        }
        Policy::build(&o)
    }

    #[test]
    fn roles_and_bindings_are_checked_against_what_the_writer_holds() {
        let objects = [
            json!({"kind": "Role", "metadata": {"name": "mine", "namespace": "team"},
                   "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]}),
            json!({"kind": "Role", "metadata": {"name": "more", "namespace": "team"},
                   "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}),
            json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "team"},
                   "roleRef": {"kind": "Role", "name": "mine"}, "subjects": [{"kind": "ServiceAccount", "name": "bot"}]}),
        ];
        let p = policy(&objects);
        let bot = UserInfo::service_account("team", "bot", "u");
        let role =
            |rules: Value| json!({"kind": "Role", "metadata": {"name": "r", "namespace": "team"}, "rules": rules});
        assert!(
            check(
                &p,
                &bot,
                "Role",
                &role(json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}])),
                None
            )
            .is_ok()
        );
        let e = check(
            &p,
            &bot,
            "Role",
            &role(json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])),
            None,
        )
        .unwrap_err();
        assert_eq!(e.code, 403);
        assert_eq!(
            e.message,
            "roles.rbac.authorization.k8s.io \"r\" is forbidden: user \"system:serviceaccount:team:bot\" (groups=[\"system:serviceaccounts\" \"system:serviceaccounts:team\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}"
        );
        let binding = |role: &str| {
            json!({"kind": "RoleBinding", "metadata": {"name": "nb", "namespace": "team"},
                                          "roleRef": {"kind": "Role", "name": role}, "subjects": []})
        };
        assert!(check(&p, &bot, "RoleBinding", &binding("mine"), None).is_ok());
        let e = check(&p, &bot, "RoleBinding", &binding("more"), None).unwrap_err();
        assert!(
            e.message
                .starts_with("rolebindings.rbac.authorization.k8s.io \"nb\" is forbidden: user"),
            "{}",
            e.message
        );
        let e = check(&p, &bot, "RoleBinding", &binding("nowhere"), None).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (404, "roles.rbac.authorization.k8s.io \"nowhere\" not found")
        );
        assert!(check(&p, &UserInfo::admin(), "RoleBinding", &binding("nowhere"), None).is_ok());
    }

    #[test]
    fn escalate_and_bind_verbs_let_through() {
        let objects = [
            json!({"kind": "ClusterRole", "metadata": {"name": "granter"},
                   "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate", "bind"]}]}),
            json!({"kind": "ClusterRole", "metadata": {"name": "all"},
                   "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": {"name": "b"},
                   "roleRef": {"kind": "ClusterRole", "name": "granter"}, "subjects": [{"kind": "User", "name": "jane"}]}),
        ];
        let p = policy(&objects);
        let jane = UserInfo {
            name: "jane".into(),
            groups: vec!["system:authenticated".into()],
            ..UserInfo::default()
        };
        let aggregated = json!({"kind": "ClusterRole", "metadata": {"name": "x"},
                                "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}});
        assert!(check(&p, &jane, "ClusterRole", &aggregated, None).is_ok());
        let crb = json!({"kind": "ClusterRoleBinding", "metadata": {"name": "c"}, "roleRef": {"kind": "ClusterRole", "name": "all"}});
        assert!(check(&p, &jane, "ClusterRoleBinding", &crb, None).is_ok());
        let joe = UserInfo {
            name: "joe".into(),
            ..UserInfo::default()
        };
        let e = check(&p, &joe, "ClusterRole", &aggregated, None).unwrap_err();
        assert_eq!(
            e.message,
            "clusterroles.rbac.authorization.k8s.io \"x\" is forbidden: must have cluster-admin privileges to use the aggregationRule"
        );
    }
}
