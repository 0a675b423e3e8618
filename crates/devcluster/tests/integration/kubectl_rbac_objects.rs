//! Roles, ClusterRoles and their bindings are stored and served as kube-apiserver serves them (the admin's
//! requests here; enforcing them is `rbac_*`'s): applied, listed with the default table, patched, checked
//! against their types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{Table, jsonpath, kubectl_err_stdin};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const OBJECTS: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
  labels: {rbac.authorization.k8s.io/aggregate-to-view: \"true\"}
rules:
- apiGroups: [\"\"]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: bot, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: writer
  namespace: default
rules:
- apiGroups: [apps]
  resources: [deployments/scale]
  resourceNames: [web]
  verbs: [patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: writer
  namespace: default
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: writer}
subjects:
- {kind: ServiceAccount, name: bot}
";

#[test]
fn roles_and_bindings_are_stored_and_served() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok_stdin(&["apply", "--server-side", "-f", "-"], OBJECTS);
    assert_eq!(
        jsonpath(&tc, &["clusterrole", "reader"], "{.rules[0].verbs}"),
        r#"["get","list"]"#
    );
    assert_eq!(
        jsonpath(&tc, &["clusterrolebinding", "reader"], "{.subjects[0].namespace}"),
        "default"
    );
    assert_eq!(
        jsonpath(&tc, &["role", "writer"], "{.rules[0].resourceNames[0]}"),
        "web"
    );
    assert_eq!(jsonpath(&tc, &["rolebinding", "writer"], "{.roleRef.kind}"), "Role");
    // kube-apiserver's table for roles: the name and when it was created.
    let table = Table::parse(&tc.kubectl_ok(&["get", "clusterroles", "reader"]));
    assert_eq!(table.columns, ["NAME", "CREATED AT"]);
    assert_eq!(table.names(), ["reader"]);
    // Strategic merge patches replace the rules (they carry no merge key).
    tc.kubectl_ok(&[
        "patch",
        "clusterrole",
        "reader",
        "-p",
        r#"{"rules": [{"apiGroups": [""], "resources": ["services"], "verbs": ["watch"]}]}"#,
    ]);
    assert_eq!(
        jsonpath(&tc, &["clusterrole", "reader"], "{.rules[*].resources[*]}"),
        "services"
    );
    // Checked against the type: verbs are a list.
    let refused = kubectl_err_stdin(
        &tc,
        &["apply", "--server-side", "-f", "-"],
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: broken}\n\
         rules: [{apiGroups: [\"\"], resources: [pods], verbs: get}]\n",
    );
    assert!(refused.contains("cannot be handled as a ClusterRole"), "{refused}");
    assert!(tc.kubectl(&["get", "clusterrole", "broken"]).status.code() == Some(1));
    tc.kubectl_ok(&["delete", "clusterrolebinding", "reader"]);
    assert!(tc.kubectl(&["get", "clusterrolebinding", "reader"]).status.code() == Some(1));
}
