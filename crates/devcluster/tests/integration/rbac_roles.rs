//! RBAC enforced, through the real kubectl with a service account's token: Roles and RoleBindings grant
//! in their namespace only, resourceNames narrow a rule to objects, a ClusterRole bound in a namespace
//! grants there only, subresources are their own resources, a binding to a missing role says so, and the
//! aggregated `admin`, `edit` and `view` roles follow the ClusterRoles labelled to join them (upstream's
//! Argo Rollouts aggregate roles included).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::{kubectl_with_err, kubectl_with_ok, service_account_kubeconfig, wait_for};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const USER: &str = "system:serviceaccount:team:bot";

const TEAM_ROLES: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: team}
rules:
- apiGroups: [\"\"]
  resources: [pods, pods/log]
  verbs: [get, list, watch]
- apiGroups: [\"\"]
  resources: [configmaps]
  resourceNames: [one]
  verbs: [get, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bot-reads, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects:
- {kind: ServiceAccount, name: bot}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deployment-scaler}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [list]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [get, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bot-scales, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployment-scaler}
subjects:
- {kind: Group, name: \"system:serviceaccounts:team\"}
";

fn forbidden(verb: &str, resource: &str, group: &str, namespace: Option<&str>, name: Option<&str>) -> String {
    let qualified = match (resource.split('/').next().unwrap(), group) {
        (r, "") => r.to_string(),
        (r, g) => format!("{r}.{g}"),
    };
    let subject = match name {
        Some(n) => format!("{qualified} \"{n}\""),
        None => qualified,
    };
    let scope = match namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    format!(
        "Error from server (Forbidden): {subject} is forbidden: User \"{USER}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}\n"
    )
}

#[test]
fn roles_grant_in_their_namespace_and_names_narrow_them() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    for ns in ["team", "dev"] {
        tc.kubectl_ok(&["create", "namespace", ns]);
    }
    let bot = service_account_kubeconfig(&tc, "team", "bot");
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "pods", "-n", "team"]),
        forbidden("list", "pods", "", Some("team"), None)
    );
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], TEAM_ROLES);
    // Allowed in the Role's namespace, at once (the policy follows every RBAC write).
    let out = common::kubectl_with(&tc, &bot, &["get", "pods", "-n", "team"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(common::stderr(&out), "No resources found in team namespace.\n");
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "pods", "-n", "dev"]),
        forbidden("list", "pods", "", Some("dev"), None)
    );
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "pods", "-A"]),
        forbidden("list", "pods", "", None, None)
    );
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["delete", "pod", "p1", "-n", "team"]),
        forbidden("delete", "pods", "", Some("team"), Some("p1"))
    );
    // The subresource is granted by its own name: allowed, so the answer is the missing pod's.
    let err = kubectl_with_err(&tc, &bot, &["get", "--raw", "/api/v1/namespaces/team/pods/p1/log"]);
    assert!(err.contains("(NotFound)"), "{err}");
    // resourceNames: one object, never the collection.
    for name in ["one", "two"] {
        tc.kubectl_ok(&["create", "configmap", name, "-n", "team"]);
    }
    assert_eq!(
        kubectl_with_ok(&tc, &bot, &["get", "configmap", "one", "-n", "team", "-o", "name"]),
        "configmap/one\n"
    );
    kubectl_with_ok(&tc, &bot, &["label", "configmap", "one", "-n", "team", "x=y"]);
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "configmap", "two", "-n", "team"]),
        forbidden("get", "configmaps", "", Some("team"), Some("two"))
    );
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "configmaps", "-n", "team"]),
        forbidden("list", "configmaps", "", Some("team"), None)
    );
    // A ClusterRole bound by a RoleBinding, to the service accounts' group: that namespace only.
    let out = common::kubectl_with(&tc, &bot, &["get", "deployments", "-n", "team"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "deployments", "-n", "dev"]),
        forbidden("list", "deployments", "apps", Some("dev"), None)
    );
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "deployments", "-A"]),
        forbidden("list", "deployments", "apps", None, None)
    );
    let err = kubectl_with_err(
        &tc,
        &bot,
        &["get", "--raw", "/apis/apps/v1/namespaces/team/deployments/web/scale"],
    );
    assert!(err.contains("(NotFound)"), "scale is granted: {err}");
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "deployment", "web", "-n", "team"]),
        forbidden("get", "deployments", "apps", Some("team"), Some("web"))
    );
    // Removing the binding takes it all back.
    tc.kubectl_ok(&["delete", "rolebinding", "bot-reads", "-n", "team"]);
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "pods", "-n", "team"]),
        forbidden("list", "pods", "", Some("team"), None)
    );
}

#[test]
fn a_binding_to_a_missing_role_says_so() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "namespace", "team"]);
    let bot = service_account_kubeconfig(&tc, "team", "bot");
    tc.kubectl_ok(&[
        "create",
        "rolebinding",
        "dangling",
        "-n",
        "team",
        "--role=gone",
        "--serviceaccount=team:bot",
    ]);
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "secrets", "-n", "team"]),
        format!(
            "Error from server (Forbidden): secrets is forbidden: User \"{USER}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"team\": RBAC: role.rbac.authorization.k8s.io \"gone\" not found\n"
        )
    );
    // Creating the role mends the binding.
    tc.kubectl_ok(&[
        "create",
        "role",
        "gone",
        "-n",
        "team",
        "--verb=list",
        "--resource=secrets",
    ]);
    kubectl_with_ok(&tc, &bot, &["get", "secrets", "-n", "team"]);
}

fn rules_of(tc: &TestCluster, role: &str) -> String {
    common::jsonpath(tc, &["clusterrole", role], "{.rules}")
}

/// Pod templates: a resource `admin` does not grant.
const TEMPLATES: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: template-admin}
rules:
- apiGroups: [\"\"]
  resources: [podtemplates]
  verbs: [\"*\"]
";

#[test]
fn aggregated_roles_follow_the_roles_labelled_to_join_them() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "namespace", "team"]);
    // The bootstrap roles are visible and already aggregated.
    let admin = rules_of(&tc, "admin");
    assert!(
        admin.contains("rolebindings") && admin.contains("deployments"),
        "{admin}"
    );
    assert!(rules_of(&tc, "view").contains("pods/log"));
    assert!(!rules_of(&tc, "view").contains("secrets"), "view reads no secrets");
    // Aggregation settles: nothing keeps rewriting the roles.
    let version = || common::jsonpath(&tc, &["clusterrole", "admin"], "{.metadata.resourceVersion}");
    let before = version();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(version(), before);
    let bot = service_account_kubeconfig(&tc, "team", "bot");
    tc.kubectl_ok(&[
        "create",
        "rolebinding",
        "bot-admin",
        "-n",
        "team",
        "--clusterrole=admin",
        "--serviceaccount=team:bot",
    ]);
    let can_i = |args: &[&str]| {
        let mut full = vec!["auth", "can-i"];
        full.extend_from_slice(args);
        common::kubectl_with(&tc, &bot, &full).status.code()
    };
    assert_eq!(can_i(&["create", "deployments", "-n", "team"]), Some(0));
    assert_eq!(can_i(&["list", "podtemplates", "-n", "team"]), Some(1));
    // Labelled to join admin: admin's rules grow, and so does what the bot may do.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], TEMPLATES);
    tc.kubectl_ok(&[
        "label",
        "clusterrole",
        "template-admin",
        "rbac.authorization.k8s.io/aggregate-to-admin=true",
    ]);
    wait_for("admin to aggregate template-admin", Duration::from_secs(5), || {
        rules_of(&tc, "admin").contains("podtemplates")
    });
    assert!(!rules_of(&tc, "edit").contains("podtemplates"));
    assert_eq!(can_i(&["list", "podtemplates", "-n", "team"]), Some(0));
    assert_eq!(can_i(&["list", "podtemplates", "-n", "default"]), Some(1));
    // A changed rule follows; an unlabelled or deleted role leaves.
    tc.kubectl_ok(&[
        "patch",
        "clusterrole",
        "template-admin",
        "--type=json",
        "-p",
        r#"[{"op": "replace", "path": "/rules/0/verbs", "value": ["get"]}]"#,
    ]);
    wait_for("admin to follow the changed rule", Duration::from_secs(5), || {
        can_i(&["list", "podtemplates", "-n", "team"]) == Some(1)
    });
    assert_eq!(can_i(&["get", "podtemplates", "-n", "team"]), Some(0));
    tc.kubectl_ok(&["delete", "clusterrole", "template-admin"]);
    wait_for("admin to drop the deleted role", Duration::from_secs(5), || {
        !rules_of(&tc, "admin").contains("podtemplates")
    });
    assert_eq!(can_i(&["get", "podtemplates", "-n", "team"]), Some(1));
    // A user's change to a bootstrap role survives a restart.
    tc.kubectl_ok(&["label", "clusterrole", "system:basic-user", "touched=yes"]);
    let tc = tc.restart().unwrap();
    assert_eq!(
        common::jsonpath(&tc, &["clusterrole", "system:basic-user"], "{.metadata.labels.touched}"),
        "yes"
    );
}

#[test]
fn upstream_aggregate_roles_flow_into_admin_edit_and_view() {
    if !kubectl_available() {
        return;
    }
    let Some(corpus) = rollouts_testkit::conformance_or_skip("upstream_aggregate_roles_flow_into_admin_edit_and_view")
    else {
        return;
    };
    let manifest = corpus.join("manifests/base/argo-rollouts-aggregate-roles.yaml");
    let tc = TestCluster::start().unwrap();
    common::install_project_crds(&tc);
    tc.kubectl_ok(&["create", "namespace", "team"]);
    tc.kubectl_ok(&["apply", "-f", manifest.to_str().unwrap()]);
    for role in ["admin", "edit", "view"] {
        wait_for(
            &format!("{role} to aggregate argoproj.io"),
            Duration::from_secs(5),
            || rules_of(&tc, role).contains("argoproj.io"),
        );
    }
    assert!(rules_of(&tc, "edit").contains("rollouts/status"));
    assert!(!rules_of(&tc, "view").contains("rollouts/status"));
    let viewer = service_account_kubeconfig(&tc, "team", "viewer");
    tc.kubectl_ok(&[
        "create",
        "rolebinding",
        "viewer",
        "-n",
        "team",
        "--clusterrole=view",
        "--serviceaccount=team:viewer",
    ]);
    let out = common::kubectl_with(&tc, &viewer, &["get", "rollouts", "-n", "team"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        kubectl_with_err(&tc, &viewer, &["delete", "rollout", "web", "-n", "team"]),
        "Error from server (Forbidden): rollouts.argoproj.io \"web\" is forbidden: User \"system:serviceaccount:team:viewer\" cannot delete resource \"rollouts\" in API group \"argoproj.io\" in the namespace \"team\"\n"
    );
}

const ROLE_MANAGER: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: role-manager, namespace: team}
rules:
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [create, get, list, patch, update]
- apiGroups: [\"\"]
  resources: [configmaps]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bot-manages-roles, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-manager}
subjects:
- {kind: ServiceAccount, name: bot}
";

#[test]
fn no_one_grants_what_they_do_not_hold() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "namespace", "team"]);
    let bot = service_account_kubeconfig(&tc, "team", "bot");
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], ROLE_MANAGER);
    let groups = r#"(groups=["system:serviceaccounts" "system:serviceaccounts:team" "system:authenticated"])"#;
    // What the bot holds, it may grant.
    kubectl_with_ok(
        &tc,
        &bot,
        &[
            "create",
            "role",
            "cm-reader",
            "-n",
            "team",
            "--verb=get,list",
            "--resource=configmaps",
        ],
    );
    kubectl_with_ok(
        &tc,
        &bot,
        &[
            "create",
            "rolebinding",
            "cm-readers",
            "-n",
            "team",
            "--role=cm-reader",
            "--group=devs",
        ],
    );
    // Not more.
    assert_eq!(
        kubectl_with_err(
            &tc,
            &bot,
            &[
                "create",
                "role",
                "secret-reader",
                "-n",
                "team",
                "--verb=get,list",
                "--resource=secrets,configmaps"
            ]
        ),
        format!(
            "Error from server (Forbidden): roles.rbac.authorization.k8s.io \"secret-reader\" is forbidden: user \"{USER}\" {groups} is attempting to grant RBAC permissions not currently held:\n\
             {{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}}\n"
        )
    );
    let err = kubectl_with_err(
        &tc,
        &bot,
        &[
            "patch",
            "role",
            "cm-reader",
            "-n",
            "team",
            "--type=json",
            "-p",
            r#"[{"op": "add", "path": "/rules/0/verbs/-", "value": "delete"}]"#,
        ],
    );
    assert!(
        err.contains(r#"{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}"#),
        "{err}"
    );
    let err = kubectl_with_err(
        &tc,
        &bot,
        &[
            "create",
            "rolebinding",
            "bot-admin",
            "-n",
            "team",
            "--clusterrole=admin",
            "--serviceaccount=team:bot",
        ],
    );
    assert!(
        err.starts_with(&format!(
            "error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io \"bot-admin\" is forbidden: user \"{USER}\" {groups} is attempting to grant RBAC permissions not currently held:\n"
        )),
        "{err}"
    );
    // The bind and escalate verbs let through.
    tc.kubectl_ok(&[
        "create",
        "role",
        "binder",
        "-n",
        "team",
        "--verb=bind",
        "--resource=clusterroles.rbac.authorization.k8s.io",
        "--resource-name=admin",
    ]);
    tc.kubectl_ok(&[
        "create",
        "rolebinding",
        "bot-binds",
        "-n",
        "team",
        "--role=binder",
        "--serviceaccount=team:bot",
    ]);
    kubectl_with_ok(
        &tc,
        &bot,
        &[
            "create",
            "rolebinding",
            "bot-admin",
            "-n",
            "team",
            "--clusterrole=admin",
            "--serviceaccount=team:bot",
        ],
    );
    // Bound to admin now, the bot holds secrets in team, so it may grant them.
    kubectl_with_ok(
        &tc,
        &bot,
        &[
            "create",
            "role",
            "secret-reader",
            "-n",
            "team",
            "--verb=get,list",
            "--resource=secrets",
        ],
    );
    // A ClusterRole needs rights at the cluster scope, which a RoleBinding does not give.
    tc.kubectl_ok(&[
        "create",
        "clusterrole",
        "clusterrole-writer",
        "--verb=create",
        "--resource=clusterroles",
    ]);
    tc.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        "bot-writes-clusterroles",
        "--clusterrole=clusterrole-writer",
        "--serviceaccount=team:bot",
    ]);
    let err = kubectl_with_err(
        &tc,
        &bot,
        &[
            "create",
            "clusterrole",
            "secrets-everywhere",
            "--verb=get",
            "--resource=secrets",
        ],
    );
    assert!(
        err.contains("is attempting to grant RBAC permissions not currently held"),
        "{err}"
    );
    // The admin is never refused.
    tc.kubectl_ok(&[
        "create",
        "clusterrole",
        "secrets-everywhere",
        "--verb=get",
        "--resource=secrets",
    ]);
}

#[test]
fn the_install_manifests_grant_the_controller_what_their_role_says() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let install = common::workspace().join("deploy").join("install.yaml");
    tc.kubectl_ok(&["apply", "--server-side", "-f", install.to_str().unwrap()]);
    let controller = "--as=system:serviceaccount:argo-rollouts:argo-rollouts";
    let can_i = |args: &[&str]| {
        let mut full = vec!["auth", "can-i", controller];
        full.extend_from_slice(args);
        tc.kubectl(&full).status.code()
    };
    assert_eq!(
        can_i(&["patch", "rollouts.argoproj.io", "--subresource=status", "-n", "team"]),
        Some(0)
    );
    assert_eq!(
        can_i(&["update", "rollouts.argoproj.io", "--subresource=status", "-n", "team"]),
        Some(1)
    );
    assert_eq!(can_i(&["create", "replicasets.apps", "-n", "team"]), Some(0));
    assert_eq!(can_i(&["update", "rollouts.argoproj.io", "-n", "team"]), Some(1));
    assert_eq!(can_i(&["delete", "namespaces"]), Some(1));
    // The controller's token, from the manifests' service account, lists rollouts everywhere.
    let token = tc.kubectl_ok(&["create", "token", "argo-rollouts", "-n", "argo-rollouts"]);
    let kubeconfig = common::kubeconfig_with_token(&tc, "controller", token.trim());
    let out = common::kubectl_with(&tc, &kubeconfig, &["get", "rollouts", "-A"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        kubectl_with_err(&tc, &kubeconfig, &["get", "secrets", "-n", "kube-system"]),
        "Error from server (Forbidden): secrets is forbidden: User \"system:serviceaccount:argo-rollouts:argo-rollouts\" cannot list resource \"secrets\" in API group \"\" in the namespace \"kube-system\"\n"
    );
}
