//! RBAC: rules, and the policy compiled from Roles, ClusterRoles and their bindings.
//!
//! The policy indexes every binding's grants by subject (user name or group), at the cluster scope
//! (ClusterRoleBindings) and per namespace (RoleBindings), so that a decision looks up the few entries of
//! the requester's name and groups instead of scanning bindings. It is rebuilt whenever an RBAC object
//! changes. Decisions and their reasons follow kube-apiserver's RBAC authorizer.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::attributes::Attributes;
use super::identity::{UserInfo, service_account_username};

/// One PolicyRule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// Verbs, `*` for all.
    pub verbs: Vec<String>,
    /// API groups, `*` for all.
    pub api_groups: Vec<String>,
    /// Resources (`pods`, `pods/log`, `*/scale`), `*` for all.
    pub resources: Vec<String>,
    /// Object names; none means all.
    pub resource_names: Vec<String>,
    /// Non-resource paths, exact or with a trailing `*`.
    pub non_resource_urls: Vec<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn has(set: &[String], item: &str) -> bool {
    set.iter().any(|s| s == item)
}

impl Rule {
    /// A rule as stored (`apiGroups`, `resources`, ...).
    pub fn from_json(v: &Value) -> Rule {
        Rule {
            verbs: strings(v.get("verbs")),
            api_groups: strings(v.get("apiGroups")),
            resources: strings(v.get("resources")),
            resource_names: strings(v.get("resourceNames")),
            non_resource_urls: strings(v.get("nonResourceURLs")),
        }
    }

    /// The rules of a Role or ClusterRole.
    pub fn all_of(role: &Value) -> Vec<Rule> {
        role.get("rules")
            .and_then(Value::as_array)
            .map(|rules| rules.iter().map(Rule::from_json).collect())
            .unwrap_or_default()
    }

    /// Whether this rule allows the request.
    pub fn allows(&self, attrs: &Attributes) -> bool {
        if !(has(&self.verbs, "*") || has(&self.verbs, attrs.verb())) {
            return false;
        }
        match attrs {
            Attributes::Resource(r) => {
                (has(&self.api_groups, "*") || has(&self.api_groups, &r.group))
                    && self.resource_matches(&r.resource, &r.subresource)
                    && (self.resource_names.is_empty() || has(&self.resource_names, &r.name))
            }
            Attributes::NonResource { path, .. } => self.non_resource_urls.iter().any(|url| {
                url == "*" || url == path || url.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix))
            }),
        }
    }

    fn resource_matches(&self, resource: &str, subresource: &str) -> bool {
        self.resources.iter().any(|rule| {
            if rule == "*" {
                return true;
            }
            if subresource.is_empty() {
                return rule == resource;
            }
            // `resource/subresource`, or `*/subresource` for that subresource of every resource.
            match rule.split_once('/') {
                Some((r, s)) => s == subresource && (r == resource || r == "*"),
                None => false,
            }
        })
    }
}

/// What a binding gives one of its subjects.
#[derive(Debug, Clone)]
enum Grant {
    /// The rules of the bound role, and the binding as kube-apiserver describes it in its reasons.
    Rules { rules: Arc<[Rule]>, source: Arc<str> },
    /// The bound role does not exist (or the reference is of a kind that cannot be bound).
    Broken(Arc<str>),
}

/// Grants by subject.
#[derive(Debug, Default)]
struct Grants {
    users: HashMap<String, Vec<Grant>>,
    groups: HashMap<String, Vec<Grant>>,
}

impl Grants {
    fn add(&mut self, subject: &Subject, grant: Grant) {
        let map = match subject.kind {
            SubjectKind::User => &mut self.users,
            SubjectKind::Group => &mut self.groups,
        };
        map.entry(subject.name.clone()).or_default().push(grant);
    }

    /// The grants to `user`: by name, then by each group.
    fn of<'a>(&'a self, user: &'a UserInfo) -> impl Iterator<Item = &'a Grant> + 'a {
        self.users
            .get(&user.name)
            .into_iter()
            .chain(user.groups.iter().filter_map(|g| self.groups.get(g)))
            .flatten()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectKind {
    User,
    Group,
}

/// A binding subject as matched: service accounts by their user name.
#[derive(Debug)]
struct Subject {
    kind: SubjectKind,
    name: String,
    /// How kube-apiserver describes it: `User "x"`, `ServiceAccount "name/ns"`.
    description: String,
}

/// The subject a binding's entry applies to; `binding_namespace` completes service accounts without a
/// namespace ("" for ClusterRoleBindings, where such a subject matches nobody).
fn subject(entry: &Value, binding_namespace: &str) -> Option<Subject> {
    let kind = entry.get("kind").and_then(Value::as_str)?;
    let name = entry.get("name").and_then(Value::as_str)?;
    match kind {
        "User" => Some(Subject {
            kind: SubjectKind::User,
            name: name.to_string(),
            description: format!("User {name:?}"),
        }),
        "Group" => Some(Subject {
            kind: SubjectKind::Group,
            name: name.to_string(),
            description: format!("Group {name:?}"),
        }),
        "ServiceAccount" => {
            let namespace = entry
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|ns| !ns.is_empty())
                .unwrap_or(binding_namespace);
            (!namespace.is_empty()).then(|| Subject {
                kind: SubjectKind::User,
                name: service_account_username(namespace, name),
                description: format!("ServiceAccount \"{name}/{namespace}\""),
            })
        }
        _ => None,
    }
}

/// A decision and its reason (empty, or `RBAC: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request is allowed.
    pub allowed: bool,
    /// Why: the binding that allowed it, or the errors met while looking (a role that does not exist).
    pub reason: String,
}

/// The stored RBAC objects a policy is compiled from.
#[derive(Default)]
pub struct Objects<'a> {
    /// ClusterRoles.
    pub cluster_roles: Vec<&'a Value>,
    /// Roles.
    pub roles: Vec<&'a Value>,
    /// ClusterRoleBindings, in name order.
    pub cluster_role_bindings: Vec<&'a Value>,
    /// RoleBindings, in namespace and name order.
    pub role_bindings: Vec<&'a Value>,
}

fn meta<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.pointer(&format!("/metadata/{field}"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The compiled policy.
#[derive(Debug, Default)]
pub struct Policy {
    cluster: Grants,
    namespaces: HashMap<String, Grants>,
    /// The rules of every ClusterRole, by name.
    cluster_roles: HashMap<String, Arc<[Rule]>>,
    /// The rules of every Role, by namespace and name.
    roles: HashMap<(String, String), Arc<[Rule]>>,
}

impl Policy {
    /// Compiles the stored objects.
    pub fn build(objects: &Objects<'_>) -> Policy {
        let mut policy = Policy {
            cluster_roles: objects
                .cluster_roles
                .iter()
                .map(|r| (meta(r, "name").to_string(), Arc::from(Rule::all_of(r))))
                .collect(),
            roles: objects
                .roles
                .iter()
                .map(|r| {
                    let key = (meta(r, "namespace").to_string(), meta(r, "name").to_string());
                    (key, Arc::from(Rule::all_of(r)))
                })
                .collect(),
            ..Policy::default()
        };
        for binding in &objects.cluster_role_bindings {
            let (kind, role) = role_ref(binding);
            let rules = match kind {
                "ClusterRole" => policy
                    .role_rules(kind, "", role)
                    .ok_or_else(|| format!("clusterrole.rbac.authorization.k8s.io \"{role}\" not found")),
                other => Err(format!("unsupported role reference kind: {other:?}")),
            };
            let name = meta(binding, "name");
            add_grants(&mut policy.cluster, binding, "", rules, |subject| {
                format!("ClusterRoleBinding {name:?} of {kind} {role:?} to {subject}")
            });
        }
        for binding in &objects.role_bindings {
            let (kind, role) = role_ref(binding);
            let namespace = meta(binding, "namespace");
            let rules = match kind {
                "ClusterRole" => policy
                    .role_rules(kind, namespace, role)
                    .ok_or_else(|| format!("clusterrole.rbac.authorization.k8s.io \"{role}\" not found")),
                "Role" => policy
                    .role_rules(kind, namespace, role)
                    .ok_or_else(|| format!("role.rbac.authorization.k8s.io \"{role}\" not found")),
                other => Err(format!("unsupported role reference kind: {other:?}")),
            };
            let name = meta(binding, "name");
            let grants = policy.namespaces.entry(namespace.to_string()).or_default();
            add_grants(grants, binding, namespace, rules, |subject| {
                format!("RoleBinding \"{name}/{namespace}\" of {kind} {role:?} to {subject}")
            });
        }
        policy
    }

    /// The rules of the Role `namespace/name` or the ClusterRole `name`, if it exists.
    pub fn role_rules(&self, kind: &str, namespace: &str, name: &str) -> Option<Arc<[Rule]>> {
        match kind {
            "ClusterRole" => self.cluster_roles.get(name).cloned(),
            "Role" => self.roles.get(&(namespace.to_string(), name.to_string())).cloned(),
            _ => None,
        }
    }

    /// Whether `user` may do what `attrs` say, and why: the cluster-wide bindings first, then those of the
    /// request's namespace. Members of `system:masters` may do anything.
    pub fn authorize(&self, user: &UserInfo, attrs: &Attributes) -> Decision {
        if user.is_privileged() {
            return Decision {
                allowed: true,
                reason: String::new(),
            };
        }
        let mut errors: Vec<&str> = Vec::new();
        for grant in self.grants(user, attrs.namespace()) {
            match grant {
                Grant::Rules { rules, source } => {
                    if rules.iter().any(|r| r.allows(attrs)) {
                        return Decision {
                            allowed: true,
                            reason: format!("RBAC: allowed by {source}"),
                        };
                    }
                }
                Grant::Broken(error) => {
                    if !errors.contains(&error.as_ref()) {
                        errors.push(error);
                    }
                }
            }
        }
        Decision {
            allowed: false,
            reason: if errors.is_empty() {
                String::new()
            } else {
                format!("RBAC: {}", aggregate(&errors))
            },
        }
    }

    /// Every rule `user` holds in `namespace` ("" for the cluster scope only), and the errors met.
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> (Vec<Rule>, Vec<String>) {
        let mut rules = Vec::new();
        let mut errors: Vec<String> = Vec::new();
        for grant in self.grants(user, namespace) {
            match grant {
                Grant::Rules { rules: r, .. } => rules.extend(r.iter().cloned()),
                Grant::Broken(e) => {
                    if !errors.iter().any(|x| x == e.as_ref()) {
                        errors.push(e.to_string());
                    }
                }
            }
        }
        (rules, errors)
    }

    fn grants<'a>(&'a self, user: &'a UserInfo, namespace: &str) -> impl Iterator<Item = &'a Grant> + 'a {
        let local = (!namespace.is_empty())
            .then(|| self.namespaces.get(namespace))
            .flatten();
        self.cluster.of(user).chain(local.into_iter().flat_map(|g| g.of(user)))
    }
}

/// Errors joined as Go's `utilerrors.NewAggregate` prints them.
pub fn aggregate(errors: &[&str]) -> String {
    match errors {
        [one] => (*one).to_string(),
        many => format!("[{}]", many.join(", ")),
    }
}

fn role_ref(binding: &Value) -> (&str, &str) {
    let field = |f: &str| {
        binding
            .pointer(&format!("/roleRef/{f}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    (field("kind"), field("name"))
}

fn add_grants(
    grants: &mut Grants,
    binding: &Value,
    namespace: &str,
    rules: Result<Arc<[Rule]>, String>,
    describe: impl Fn(&str) -> String,
) {
    let broken: Option<Arc<str>> = rules.as_ref().err().map(|e| Arc::from(e.as_str()));
    for entry in binding.get("subjects").and_then(Value::as_array).into_iter().flatten() {
        let Some(subject) = subject(entry, namespace) else {
            continue;
        };
        let grant = match (&rules, &broken) {
            (Ok(rules), _) => Grant::Rules {
                rules: Arc::clone(rules),
                source: Arc::from(describe(&subject.description)),
            },
            (Err(_), Some(error)) => Grant::Broken(Arc::clone(error)),
            (Err(e), None) => Grant::Broken(Arc::from(e.as_str())),
        };
        grants.add(&subject, grant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::attributes::ResourceAttributes;
    use serde_json::json;

    fn res(verb: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str) -> Attributes {
        Attributes::Resource(ResourceAttributes {
            verb: verb.into(),
            group: group.into(),
            version: "v1".into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: name.into(),
        })
    }

    fn path(verb: &str, path: &str) -> Attributes {
        Attributes::NonResource {
            verb: verb.into(),
            path: path.into(),
        }
    }

    fn rule(v: Value) -> Rule {
        Rule::from_json(&v)
    }

    #[test]
    fn rules_match_verbs_groups_resources_and_names() {
        let pods = rule(json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}));
        assert!(pods.allows(&res("get", "", "pods", "", "ns", "p")));
        assert!(pods.allows(&res("list", "", "pods", "", "ns", "")));
        assert!(!pods.allows(&res("delete", "", "pods", "", "ns", "p")));
        assert!(!pods.allows(&res("get", "apps", "pods", "", "ns", "p")));
        assert!(
            !pods.allows(&res("get", "", "pods", "log", "ns", "p")),
            "subresources are named"
        );
        let log = rule(json!({"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}));
        assert!(log.allows(&res("get", "", "pods", "log", "ns", "p")));
        assert!(!log.allows(&res("get", "", "pods", "", "ns", "p")));
        let any_scale = rule(json!({"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["patch"]}));
        assert!(any_scale.allows(&res("patch", "apps", "deployments", "scale", "ns", "web")));
        assert!(!any_scale.allows(&res("patch", "apps", "deployments", "", "ns", "web")));
        let all = rule(json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}));
        assert!(all.allows(&res("escalate", "x", "y", "z", "", "")));
        assert!(
            !all.allows(&path("get", "/version")),
            "resource rules do not cover paths"
        );
        let named = rule(
            json!({"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["get", "list"]}),
        );
        assert!(named.allows(&res("get", "apps", "deployments", "", "ns", "web")));
        assert!(!named.allows(&res("get", "apps", "deployments", "", "ns", "api")));
        assert!(
            !named.allows(&res("list", "apps", "deployments", "", "ns", "")),
            "a collection has no name"
        );
    }

    #[test]
    fn non_resource_rules_match_exact_and_prefixed_paths() {
        let r = rule(json!({"nonResourceURLs": ["/healthz", "/apis/*"], "verbs": ["get"]}));
        assert!(r.allows(&path("get", "/healthz")));
        assert!(!r.allows(&path("get", "/healthz/ping")));
        assert!(r.allows(&path("get", "/apis/apps/v1")));
        assert!(!r.allows(&path("get", "/apis")));
        assert!(!r.allows(&path("post", "/healthz")));
        assert!(!r.allows(&res("get", "", "healthz", "", "", "")));
        let star = rule(json!({"nonResourceURLs": ["*"], "verbs": ["*"]}));
        assert!(star.allows(&path("put", "/anything")));
    }

    struct Fixture {
        objects: Vec<Value>,
    }

    impl Fixture {
        fn policy(&self) -> Policy {
            let mut objects = Objects::default();
            for o in &self.objects {
                match o["kind"].as_str().unwrap() {
                    "ClusterRole" => objects.cluster_roles.push(o),
                    "Role" => objects.roles.push(o),
                    "ClusterRoleBinding" => objects.cluster_role_bindings.push(o),
                    "RoleBinding" => objects.role_bindings.push(o),
                    other => panic!("{other}"),
                }
            }
            Policy::build(&objects)
        }
    }

    fn role(kind: &str, ns: &str, name: &str, rules: Value) -> Value {
        json!({"kind": kind, "metadata": {"name": name, "namespace": ns}, "rules": rules})
    }

    fn binding(kind: &str, ns: &str, name: &str, role_kind: &str, role: &str, subjects: Value) -> Value {
        json!({"kind": kind, "metadata": {"name": name, "namespace": ns},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
               "subjects": subjects})
    }

    fn bot() -> UserInfo {
        UserInfo::service_account("prod", "bot", "u")
    }

    #[test]
    fn bindings_grant_their_subjects_in_their_scope() {
        let read_pods = json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]);
        let fixture = Fixture {
            objects: vec![
                role("Role", "prod", "pod-reader", read_pods.clone()),
                role(
                    "ClusterRole",
                    "",
                    "deploy-reader",
                    json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list"]}]),
                ),
                role(
                    "ClusterRole",
                    "",
                    "version",
                    json!([{"nonResourceURLs": ["/version"], "verbs": ["get"]}]),
                ),
                binding(
                    "RoleBinding",
                    "prod",
                    "read",
                    "Role",
                    "pod-reader",
                    json!([{"kind": "ServiceAccount", "name": "bot"}]),
                ),
                binding(
                    "RoleBinding",
                    "prod",
                    "deploys",
                    "ClusterRole",
                    "deploy-reader",
                    json!([{"kind": "Group", "name": "system:serviceaccounts:prod"}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "",
                    "version",
                    "ClusterRole",
                    "version",
                    json!([{"kind": "User", "name": "system:serviceaccount:prod:bot"}]),
                ),
            ],
        };
        let policy = fixture.policy();
        let allowed = |a: &Attributes| policy.authorize(&bot(), a).allowed;
        assert!(allowed(&res("list", "", "pods", "", "prod", "")));
        assert!(
            !allowed(&res("list", "", "pods", "", "dev", "")),
            "a RoleBinding grants in its namespace only"
        );
        assert!(
            !allowed(&res("list", "", "pods", "", "", "")),
            "nor at the cluster scope"
        );
        assert!(
            allowed(&res("list", "apps", "deployments", "", "prod", "")),
            "a ClusterRole bound in a namespace"
        );
        assert!(!allowed(&res("list", "apps", "deployments", "", "dev", "")));
        assert!(allowed(&path("get", "/version")));
        assert!(!allowed(&path("get", "/metrics")));
        let other = UserInfo::service_account("dev", "bot", "u");
        assert!(
            !policy
                .authorize(&other, &res("list", "", "pods", "", "prod", ""))
                .allowed
        );
        assert_eq!(
            policy
                .authorize(&bot(), &res("list", "", "pods", "", "prod", ""))
                .reason,
            r#"RBAC: allowed by RoleBinding "read/prod" of Role "pod-reader" to ServiceAccount "bot/prod""#
        );
        assert_eq!(
            policy.authorize(&bot(), &path("get", "/version")).reason,
            r#"RBAC: allowed by ClusterRoleBinding "version" of ClusterRole "version" to User "system:serviceaccount:prod:bot""#
        );
    }

    #[test]
    fn service_accounts_without_namespace_match_nobody_at_the_cluster_scope() {
        let fixture = Fixture {
            objects: vec![
                role(
                    "ClusterRole",
                    "",
                    "all",
                    json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "",
                    "b",
                    "ClusterRole",
                    "all",
                    json!([{"kind": "ServiceAccount", "name": "bot"}]),
                ),
            ],
        };
        assert!(
            !fixture
                .policy()
                .authorize(&bot(), &res("get", "", "pods", "", "prod", "p"))
                .allowed
        );
    }

    #[test]
    fn missing_roles_are_the_reason_of_a_refusal() {
        let fixture = Fixture {
            objects: vec![
                binding(
                    "RoleBinding",
                    "prod",
                    "a",
                    "Role",
                    "gone",
                    json!([{"kind": "ServiceAccount", "name": "bot"}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "",
                    "b",
                    "ClusterRole",
                    "gone-too",
                    json!([{"kind": "Group", "name": "system:authenticated"}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "",
                    "c",
                    "ClusterRole",
                    "not-mine",
                    json!([{"kind": "User", "name": "someone"}]),
                ),
            ],
        };
        let decision = fixture
            .policy()
            .authorize(&bot(), &res("get", "", "pods", "", "prod", "p"));
        assert_eq!(
            decision,
            Decision {
                allowed: false,
                reason: r#"RBAC: [clusterrole.rbac.authorization.k8s.io "gone-too" not found, role.rbac.authorization.k8s.io "gone" not found]"#.into()
            }
        );
        let decision = fixture.policy().authorize(&bot(), &res("get", "", "pods", "", "", "p"));
        assert_eq!(
            decision.reason,
            r#"RBAC: clusterrole.rbac.authorization.k8s.io "gone-too" not found"#
        );
    }

    #[test]
    fn masters_need_no_binding() {
        let policy = Fixture { objects: vec![] }.policy();
        assert!(
            policy
                .authorize(&UserInfo::admin(), &path("delete", "/anything"))
                .allowed
        );
        assert!(!policy.authorize(&bot(), &path("get", "/version")).allowed);
    }

    #[test]
    fn rules_for_lists_cluster_and_namespace_rules() {
        let fixture = Fixture {
            objects: vec![
                role(
                    "Role",
                    "prod",
                    "r",
                    json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]),
                ),
                role(
                    "ClusterRole",
                    "",
                    "c",
                    json!([{"nonResourceURLs": ["/version"], "verbs": ["get"]}]),
                ),
                binding(
                    "RoleBinding",
                    "prod",
                    "a",
                    "Role",
                    "r",
                    json!([{"kind": "ServiceAccount", "name": "bot"}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "",
                    "b",
                    "ClusterRole",
                    "c",
                    json!([{"kind": "Group", "name": "system:authenticated"}]),
                ),
            ],
        };
        let policy = fixture.policy();
        let (rules, errors) = policy.rules_for(&bot(), "prod");
        assert_eq!(rules.len(), 2);
        assert!(errors.is_empty());
        assert_eq!(policy.rules_for(&bot(), "dev").0.len(), 1);
    }
}
