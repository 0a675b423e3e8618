//! `kubectl auth can-i` (SelfSubjectAccessReview, and `--list`: SelfSubjectRulesReview) and impersonation
//! (`--as`, `--as-group`) as on a real cluster: the admin may impersonate anyone, others only whom RBAC
//! lets them, and an impersonated service account is in its groups.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{kubectl_with, kubectl_with_err, kubectl_with_ok, service_account_kubeconfig};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const BOT: &str = "system:serviceaccount:team:bot";

const POLICY: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: team}
rules:
- apiGroups: [\"\"]
  resources: [pods]
  verbs: [get, list]
- apiGroups: [\"\"]
  resources: [pods/log]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects:
- {kind: ServiceAccount, name: bot}
- {kind: Group, name: devs}
";

#[test]
fn can_i_answers_yes_or_no_with_exit_codes() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "namespace", "team"]);
    let bot = service_account_kubeconfig(&tc, "team", "bot");
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], POLICY);
    for (args, answer) in [
        (vec!["list", "pods", "-n", "team"], "yes"),
        (vec!["get", "pods/p1", "-n", "team"], "yes"),
        (vec!["delete", "pods", "-n", "team"], "no"),
        (vec!["list", "pods", "-n", "default"], "no"),
        (vec!["get", "pods", "--subresource=log", "-n", "team"], "yes"),
        (vec!["get", "pods", "--subresource=exec", "-n", "team"], "no"),
        (vec!["list", "deployments.apps", "-n", "team"], "no"),
        (vec!["get", "/version"], "yes"),
        (vec!["get", "/metrics"], "no"),
    ] {
        let mut full = vec!["auth", "can-i"];
        full.extend_from_slice(&args);
        let out = kubectl_with(&tc, &bot, &full);
        assert_eq!(
            common::stdout(&out),
            format!("{answer}\n"),
            "{args:?}: {}",
            common::stderr(&out)
        );
        assert_eq!(out.status.code(), Some(i32::from(answer != "yes")), "{args:?}");
    }
    // The admin may do anything.
    assert_eq!(tc.kubectl_ok(&["auth", "can-i", "*", "*"]), "yes\n");
    assert_eq!(tc.kubectl_ok(&["auth", "can-i", "post", "/metrics"]), "yes\n");
    // What the bot may do in team, as a table.
    let list = kubectl_with_ok(&tc, &bot, &["auth", "can-i", "--list", "-n", "team"]);
    let table = common::Table::parse(&list);
    assert_eq!(table.cells("pods", &["Verbs"]), ["[get list]"], "{list}");
    assert_eq!(table.cells("pods/log", &["Verbs"]), ["[get]"], "{list}");
    assert_eq!(
        table.cells("selfsubjectaccessreviews.authorization.k8s.io", &["Verbs"]),
        ["[create]"]
    );
    assert!(
        table.rows.iter().any(|r| r["Non-Resource URLs"] == "[/version]"),
        "{list}"
    );
    let elsewhere = kubectl_with_ok(&tc, &bot, &["auth", "can-i", "--list", "-n", "default"]);
    assert!(!elsewhere.contains("pods"), "{elsewhere}");
}

#[test]
fn the_admin_impersonates_and_others_need_the_impersonate_verb() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "namespace", "team"]);
    let bot = service_account_kubeconfig(&tc, "team", "bot");
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], POLICY);
    // The admin acting as the service account, which needs not exist to be impersonated.
    let as_bot = format!("--as={BOT}");
    assert_eq!(
        tc.kubectl_ok(&["auth", "can-i", "list", "pods", "-n", "team", &as_bot]),
        "yes\n"
    );
    let out = tc.kubectl(&["auth", "can-i", "list", "pods", "-n", "default", &as_bot]);
    assert_eq!((common::stdout(&out).as_str(), out.status.code()), ("no\n", Some(1)));
    assert_eq!(
        common::kubectl_err(&tc, &["get", "pods", "-n", "default", &as_bot]),
        format!(
            "Error from server (Forbidden): pods is forbidden: User \"{BOT}\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"\n"
        )
    );
    let whoami = tc.kubectl_ok(&["auth", "whoami", &as_bot, "-o", "jsonpath={.status.userInfo.groups}"]);
    assert_eq!(
        whoami,
        r#"["system:serviceaccounts","system:serviceaccounts:team","system:authenticated"]"#
    );
    // A user and a group.
    assert_eq!(
        tc.kubectl_ok(&[
            "auth",
            "can-i",
            "list",
            "pods",
            "-n",
            "team",
            "--as=jane",
            "--as-group=devs"
        ]),
        "yes\n"
    );
    assert_eq!(
        common::kubectl_err(&tc, &["get", "pods", "-n", "team", "--as=jane"]),
        "Error from server (Forbidden): pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"team\"\n"
    );
    // Anyone else needs the impersonate verb on whom they act as.
    assert_eq!(
        kubectl_with_err(
            &tc,
            &bot,
            &["get", "pods", "-n", "team", "--as=system:serviceaccount:team:helper"]
        ),
        format!(
            "Error from server (Forbidden): serviceaccounts \"helper\" is forbidden: User \"{BOT}\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"team\"\n"
        )
    );
    assert_eq!(
        kubectl_with_err(&tc, &bot, &["get", "pods", "-n", "team", "--as=jane"]),
        format!(
            "Error from server (Forbidden): users \"jane\" is forbidden: User \"{BOT}\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope\n"
        )
    );
    tc.kubectl_ok(&[
        "create",
        "role",
        "impersonate-helper",
        "-n",
        "team",
        "--verb=impersonate",
        "--resource=serviceaccounts",
        "--resource-name=helper",
    ]);
    tc.kubectl_ok(&[
        "create",
        "rolebinding",
        "bot-impersonates",
        "-n",
        "team",
        "--role=impersonate-helper",
        "--serviceaccount=team:bot",
    ]);
    // Now the bot acts as the helper, who may read nothing.
    assert_eq!(
        kubectl_with_err(
            &tc,
            &bot,
            &["get", "pods", "-n", "team", "--as=system:serviceaccount:team:helper"]
        ),
        "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:team:helper\" cannot list resource \"pods\" in API group \"\" in the namespace \"team\"\n"
    );
    // Groups are impersonated one by one: the bot may not add any.
    assert_eq!(
        kubectl_with_err(
            &tc,
            &bot,
            &[
                "get",
                "pods",
                "-n",
                "team",
                "--as=system:serviceaccount:team:helper",
                "--as-group=devs"
            ]
        ),
        format!(
            "Error from server (Forbidden): groups \"devs\" is forbidden: User \"{BOT}\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope\n"
        )
    );
}

#[test]
fn subject_access_and_token_reviews_answer_for_others() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "namespace", "team"]);
    let bot = service_account_kubeconfig(&tc, "team", "bot");
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], POLICY);
    let review = |manifest: &str, path: &str| {
        tc.kubectl_ok_stdin(
            &[
                "create",
                "--validate=false",
                "-f",
                "-",
                "-o",
                &format!("jsonpath={path}"),
            ],
            manifest,
        )
    };
    let sar = |verb: &str, namespace: &str| {
        format!(
            "apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n  user: {BOT}\n  \
             groups: [system:serviceaccounts, system:authenticated]\n  \
             resourceAttributes: {{namespace: {namespace}, verb: {verb}, resource: pods}}\n"
        )
    };
    assert_eq!(review(&sar("list", "team"), "{.status.allowed}"), "true");
    assert_eq!(
        review(&sar("list", "team"), "{.status.reason}"),
        r#"RBAC: allowed by RoleBinding "readers/team" of Role "pod-reader" to ServiceAccount "bot/team""#
    );
    assert_eq!(review(&sar("delete", "team"), "{.status.allowed}"), "false");
    let local = "apiVersion: authorization.k8s.io/v1\nkind: LocalSubjectAccessReview\nmetadata: {namespace: team}\nspec:\n  \
                 user: jane\n  groups: [devs]\n  resourceAttributes: {namespace: team, verb: get, resource: pods}\n";
    assert_eq!(review(local, "{.status.allowed}"), "true");
    // A token, reviewed.
    let token = std::fs::read_to_string(&bot).unwrap();
    let token = token
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .to_string();
    let token_review =
        |t: &str| format!("apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: \"{t}\"\n");
    assert_eq!(review(&token_review(&token), "{.status.user.username}"), BOT);
    assert_eq!(review(&token_review("nonsense"), "{.status.authenticated}"), "false");
    // Reviewing others is not for everyone.
    let out = common::kubectl_with_stdin(
        &tc,
        &bot,
        &["create", "--validate=false", "-f", "-"],
        &sar("list", "team"),
    );
    assert_eq!(
        common::stderr(&out),
        format!(
            "Error from server (Forbidden): error when creating \"STDIN\": subjectaccessreviews.authorization.k8s.io is forbidden: User \"{BOT}\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope\n"
        )
    );
}
