//! How objects end: finalizers and deletionTimestamp, garbage collection of dependents (background, foreground,
//! orphan), and namespace deletion emptying the namespace first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::{Streaming, Table, configmap, is_gone, jsonpath, kubectl_err, kubectl_err_stdin, namespace, wait_for};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const GC_WAIT: Duration = Duration::from_secs(10);

fn with_finalizer(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  finalizers: [example.com/hold]\n")
}

/// A ConfigMap owned by the given `(kind, name, uid)` owners.
fn dependent(kind: &str, name: &str, owners: &[(&str, &str)], finalizer: bool) -> String {
    let mut y = format!("apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n");
    if finalizer {
        y.push_str("  finalizers: [example.com/hold]\n");
    }
    y.push_str("  ownerReferences:\n");
    for (owner, uid) in owners {
        y.push_str(&format!(
            "  - apiVersion: v1\n    kind: ConfigMap\n    name: {owner}\n    uid: {uid}\n    blockOwnerDeletion: true\n"
        ));
    }
    y
}

fn uid(tc: &TestCluster, what: &[&str]) -> String {
    jsonpath(tc, what, "{.metadata.uid}")
}

const NO_FINALIZERS: &str = r#"{"metadata":{"finalizers":null}}"#;

#[test]
fn finalizers_keep_a_deleted_object_until_they_are_gone() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &with_finalizer("held"));
    assert_eq!(
        tc.kubectl_ok(&["delete", "cm", "held", "--wait=false"]),
        "configmap \"held\" deleted\n"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["cm", "held"],
            "{.metadata.finalizers} {.metadata.deletionGracePeriodSeconds}"
        ),
        "[\"example.com/hold\"] 0"
    );
    let ts = jsonpath(&tc, &["cm", "held"], "{.metadata.deletionTimestamp}");
    assert!(ts.ends_with('Z') && ts.len() == 20, "{ts}");
    // Deleting again changes nothing; other changes are still allowed, new finalizers are not.
    tc.kubectl_ok(&["delete", "cm", "held", "--wait=false"]);
    assert_eq!(jsonpath(&tc, &["cm", "held"], "{.metadata.deletionTimestamp}"), ts);
    tc.kubectl_ok(&["label", "cm", "held", "still=here"]);
    let err = kubectl_err(
        &tc,
        &[
            "patch",
            "cm",
            "held",
            "--type",
            "json",
            "-p",
            r#"[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/more"}]"#,
        ],
    );
    assert!(
        err.contains(
            "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/more\"}"
        ),
        "{err}"
    );
    // Removing the last finalizer completes the deletion; kubectl reports the patch as usual.
    assert_eq!(
        tc.kubectl_ok(&["patch", "cm", "held", "--type", "merge", "-p", NO_FINALIZERS]),
        "configmap/held patched\n"
    );
    assert!(is_gone(&tc, &["cm", "held"]));

    // `kubectl delete` waits for the finalizers by default.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &with_finalizer("waited"));
    let mut delete = Streaming::start(&tc, &["delete", "cm", "waited", "--timeout=20s"]);
    assert_eq!(delete.expect_line("the delete"), "configmap \"waited\" deleted");
    assert!(
        delete.wait_exit(Duration::from_millis(500)).is_none(),
        "kubectl delete waits for the finalizer"
    );
    // Removing the finalizer by update (PUT) works as well.
    let mut live: serde_json::Value =
        serde_json::from_str(&tc.kubectl_ok(&["get", "cm", "waited", "-o", "json"])).unwrap();
    live["metadata"]["finalizers"] = serde_json::json!([]);
    assert_eq!(
        tc.kubectl_ok_stdin(&["replace", "-f", "-"], &live.to_string()),
        "configmap/waited replaced\n"
    );
    let status = delete
        .wait_exit(GC_WAIT)
        .expect("kubectl delete returns once the object is gone");
    assert!(status.success());
    assert!(is_gone(&tc, &["cm", "waited"]));
}

#[test]
fn garbage_collection_follows_owner_references() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let create = |y: &str| tc.kubectl_ok_stdin(&["create", "-f", "-"], y);

    // Background: dependents go after their owner; one of two owners is not enough.
    create(&configmap("owner", &[], &[]));
    create(&configmap("owner2", &[], &[]));
    let (o1, o2) = (uid(&tc, &["cm", "owner"]), uid(&tc, &["cm", "owner2"]));
    create(&dependent("ConfigMap", "child", &[("owner", &o1)], false));
    create(&dependent("Secret", "child-secret", &[("owner", &o1)], false));
    create(&dependent(
        "ConfigMap",
        "shared",
        &[("owner", &o1), ("owner2", &o2)],
        false,
    ));
    assert_eq!(
        tc.kubectl_ok(&["delete", "cm", "owner"]),
        "configmap \"owner\" deleted\n"
    );
    wait_for("background collection", GC_WAIT, || {
        is_gone(&tc, &["cm", "child"]) && is_gone(&tc, &["secret", "child-secret"])
    });
    assert_eq!(uid(&tc, &["cm", "owner2"]), o2);
    assert!(!is_gone(&tc, &["cm", "shared"]), "an object with an owner left stays");
    tc.kubectl_ok(&["delete", "cm", "owner2"]);
    wait_for("the last owner's dependent", GC_WAIT, || {
        is_gone(&tc, &["cm", "shared"])
    });

    // Foreground: the owner stays, being deleted, until its dependents are gone.
    create(&configmap("fg-owner", &[], &[]));
    let fg = uid(&tc, &["cm", "fg-owner"]);
    create(&dependent("ConfigMap", "fg-child", &[("fg-owner", &fg)], true));
    create(&dependent("ConfigMap", "fg-free", &[("fg-owner", &fg)], false));
    let out = tc.kubectl_ok(&["delete", "cm", "fg-owner", "--cascade=foreground", "--wait=false"]);
    assert_eq!(out, "configmap \"fg-owner\" deleted\n");
    wait_for("foreground deletion of dependents", GC_WAIT, || {
        is_gone(&tc, &["cm", "fg-free"])
            && !jsonpath(&tc, &["cm", "fg-child"], "{.metadata.deletionTimestamp}").is_empty()
    });
    assert_eq!(
        jsonpath(&tc, &["cm", "fg-owner"], "{.metadata.finalizers}"),
        "[\"foregroundDeletion\"]"
    );
    assert!(!jsonpath(&tc, &["cm", "fg-owner"], "{.metadata.deletionTimestamp}").is_empty());
    tc.kubectl_ok(&["patch", "cm", "fg-child", "--type", "merge", "-p", NO_FINALIZERS]);
    wait_for("the foreground owner", GC_WAIT, || {
        is_gone(&tc, &["cm", "fg-child"]) && is_gone(&tc, &["cm", "fg-owner"])
    });
    // A waiting foreground delete returns once everything is gone.
    create(&configmap("fg2", &[], &[]));
    let fg2 = uid(&tc, &["cm", "fg2"]);
    create(&dependent("ConfigMap", "fg2-child", &[("fg2", &fg2)], false));
    let out = tc.kubectl_ok(&["delete", "cm", "fg2", "--cascade=foreground", "--timeout=10s"]);
    assert_eq!(out, "configmap \"fg2\" deleted\n");
    assert!(is_gone(&tc, &["cm", "fg2"]) && is_gone(&tc, &["cm", "fg2-child"]));

    // Orphan: the dependent stays, without the reference.
    create(&configmap("or-owner", &[], &[]));
    let or = uid(&tc, &["cm", "or-owner"]);
    create(&dependent("ConfigMap", "or-child", &[("or-owner", &or)], false));
    let out = tc.kubectl_ok(&["delete", "cm", "or-owner", "--cascade=orphan"]);
    assert_eq!(out, "configmap \"or-owner\" deleted\n");
    assert!(is_gone(&tc, &["cm", "or-owner"]));
    let refs = tc.kubectl_ok(&["get", "cm", "or-child", "-o", "json"]);
    let refs: serde_json::Value = serde_json::from_str(&refs).unwrap();
    assert!(refs["metadata"].get("ownerReferences").is_none(), "{refs}");
    // Nothing collects it later either.
    tc.kubectl_ok_stdin(&["create", "-f", "-"], &configmap("marker", &[], &[]));
    tc.kubectl_ok(&["delete", "cm", "marker"]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(!is_gone(&tc, &["cm", "or-child"]));
}

#[test]
fn deleting_a_namespace_deletes_its_contents_first() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let rollout_crd = common::workspace().join("deploy/crds/rollout-crd.yaml");
    tc.kubectl_ok(&["apply", "--server-side", "-f", rollout_crd.to_str().unwrap()]);
    assert_eq!(
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], &namespace("doomed")),
        "namespace/doomed created\n"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["ns", "doomed"],
            "{.metadata.labels} {.status.phase} {.spec.finalizers}"
        ),
        "{\"kubernetes.io/metadata.name\":\"doomed\"} Active [\"kubernetes\"]"
    );
    let contents = format!(
        "{}---\n{}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  key: value\n---\n{}",
        configmap("plain", &[], &[("a", "1")]),
        with_finalizer("held"),
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n  strategy:\n    canary: {}\n"
    );
    tc.kubectl_ok_stdin(&["apply", "-n", "doomed", "-f", "-"], &contents);
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("bystander", &[], &[]));

    assert_eq!(
        tc.kubectl_ok(&["delete", "ns", "doomed", "--wait=false"]),
        "namespace \"doomed\" deleted\n"
    );
    let table = Table::parse(&tc.kubectl_ok(&["get", "ns", "doomed"]));
    assert_eq!(table.cells("doomed", &["STATUS"]), ["Terminating"]);
    let err = kubectl_err_stdin(&tc, &["apply", "-n", "doomed", "-f", "-"], &configmap("late", &[], &[]));
    assert!(
        err.contains(
            "configmaps \"late\" is forbidden: unable to create new content in namespace doomed because it is being terminated"
        ),
        "{err}"
    );
    wait_for("the namespace to be emptied", GC_WAIT, || {
        is_gone(&tc, &["cm", "plain", "-n", "doomed"])
            && is_gone(&tc, &["secret", "token", "-n", "doomed"])
            && is_gone(&tc, &["rollout", "web", "-n", "doomed"])
    });
    // The object with a finalizer holds the namespace back.
    assert!(!jsonpath(&tc, &["cm", "held", "-n", "doomed"], "{.metadata.deletionTimestamp}").is_empty());
    assert_eq!(jsonpath(&tc, &["ns", "doomed"], "{.status.phase}"), "Terminating");
    tc.kubectl_ok(&[
        "patch",
        "cm",
        "held",
        "-n",
        "doomed",
        "--type",
        "merge",
        "-p",
        NO_FINALIZERS,
    ]);
    wait_for("the namespace to go", GC_WAIT, || is_gone(&tc, &["ns", "doomed"]));
    assert_eq!(tc.kubectl_ok(&["get", "cm", "-o", "name"]), "configmap/bystander\n");

    // A namespace can be made again with the same name, empty.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &namespace("doomed"));
    let out = tc.kubectl(&["get", "all,cm,secrets", "-n", "doomed"]);
    assert!(out.status.success());
    assert_eq!(common::stdout(&out), "");
    // `kubectl delete ns` waits until the namespace is gone.
    tc.kubectl_ok_stdin(&["apply", "-n", "doomed", "-f", "-"], &configmap("again", &[], &[]));
    assert_eq!(
        tc.kubectl_ok(&["delete", "ns", "doomed", "--timeout=10s"]),
        "namespace \"doomed\" deleted\n"
    );
    assert!(is_gone(&tc, &["ns", "doomed"]));

    let err = kubectl_err_stdin(&tc, &["apply", "-n", "nowhere", "-f", "-"], &configmap("x", &[], &[]));
    assert!(err.contains("namespaces \"nowhere\" not found"), "{err}");
    for ns in ["default", "kube-system", "kube-public"] {
        let err = kubectl_err(&tc, &["delete", "ns", ns]);
        assert_eq!(
            err,
            format!(
                "Error from server (Forbidden): namespaces \"{ns}\" is forbidden: this namespace may not be deleted\n"
            )
        );
    }

    // Server-side dry runs of deletions delete nothing.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &namespace("kept"));
    tc.kubectl_ok_stdin(&["apply", "-n", "kept", "-f", "-"], &configmap("kept", &[], &[]));
    assert_eq!(
        tc.kubectl_ok(&["delete", "ns", "kept", "--dry-run=server"]),
        "namespace \"kept\" deleted (server dry run)\n"
    );
    assert_eq!(
        tc.kubectl_ok(&["delete", "cm", "--all", "-n", "kept", "--dry-run=server"]),
        "configmap \"kept\" deleted (server dry run)\n"
    );
    assert_eq!(jsonpath(&tc, &["ns", "kept"], "{.status.phase}"), "Active");
    assert_eq!(
        tc.kubectl_ok(&["get", "cm", "-n", "kept", "-o", "name"]),
        "configmap/kept\n"
    );
}
