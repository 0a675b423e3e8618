//! Persistence: what kubectl wrote is there after the dev cluster restarts on the same directory, with
//! resourceVersions that keep growing, custom resources still served, and unfinished deletions finishing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::{configmap, is_gone, jsonpath, namespace, wait_for};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const ROLLOUT: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
  strategy:
    canary:
      steps:
      - setWeight: 50
";

fn rv(tc: &TestCluster, what: &[&str]) -> u64 {
    jsonpath(tc, what, "{.metadata.resourceVersion}").parse().unwrap()
}

#[test]
fn objects_and_resource_versions_survive_a_restart() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let crd = common::workspace().join("deploy/crds/rollout-crd.yaml");
    tc.kubectl_ok(&["apply", "--server-side", "-f", crd.to_str().unwrap()]);
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &namespace("team"));
    tc.kubectl_ok_stdin(
        &["apply", "-n", "team", "-f", "-"],
        &configmap("kept", &[("app", "a")], &[("k", "v")]),
    );
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("removed", &[], &[]));
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], ROLLOUT);
    tc.kubectl_ok(&[
        "patch",
        "ro",
        "web",
        "--subresource=status",
        "--type",
        "merge",
        "-p",
        r#"{"status":{"phase":"Paused"}}"#,
    ]);
    tc.kubectl_ok(&["delete", "cm", "removed"]);
    // A namespace whose deletion waits on a finalizer.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &namespace("closing"));
    tc.kubectl_ok_stdin(
        &["apply", "-n", "closing", "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n",
    );
    tc.kubectl_ok(&["delete", "ns", "closing", "--wait=false"]);
    wait_for(
        "the namespace to be emptied up to the finalizer",
        Duration::from_secs(10),
        || !jsonpath(&tc, &["cm", "held", "-n", "closing"], "{.metadata.deletionTimestamp}").is_empty(),
    );

    let before_cm = jsonpath(
        &tc,
        &["cm", "kept", "-n", "team"],
        "{.metadata.uid} {.metadata.resourceVersion}",
    );
    let before_ro = jsonpath(
        &tc,
        &["ro", "web"],
        "{.metadata.uid} {.metadata.resourceVersion} {.status.phase}",
    );
    let newest = tc.cluster().server.store.revision();
    let port = tc.port();

    let tc = tc.restart().unwrap();
    assert_eq!(tc.port(), port, "the same port again");
    assert!(tc.cluster().server.store.revision() >= newest);
    assert_eq!(
        jsonpath(
            &tc,
            &["cm", "kept", "-n", "team"],
            "{.metadata.uid} {.metadata.resourceVersion}"
        ),
        before_cm
    );
    assert_eq!(
        jsonpath(&tc, &["cm", "kept", "-n", "team"], "{.data.k} {.metadata.labels.app}"),
        "v a"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["ro", "web"],
            "{.metadata.uid} {.metadata.resourceVersion} {.status.phase}"
        ),
        before_ro
    );
    assert!(is_gone(&tc, &["cm", "removed"]));
    let table = common::Table::parse(&tc.kubectl_ok(&["get", "ro"]));
    assert_eq!(table.cells("web", &["DESIRED"]), ["2"]);

    // New writes get newer resourceVersions than anything before the restart.
    tc.kubectl_ok(&["label", "cm", "kept", "-n", "team", "after=restart"]);
    assert!(rv(&tc, &["cm", "kept", "-n", "team"]) > newest);
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("fresh", &[], &[]));
    let fresh = rv(&tc, &["cm", "fresh"]);
    assert!(fresh > newest);
    let list: serde_json::Value =
        serde_json::from_str(&tc.kubectl_ok(&["get", "--raw", "/api/v1/configmaps"])).unwrap();
    assert!(
        list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= fresh
    );

    // Unfinished business carries on: the namespace goes once its last finalizer does.
    assert_eq!(jsonpath(&tc, &["ns", "closing"], "{.status.phase}"), "Terminating");
    tc.kubectl_ok(&[
        "patch",
        "cm",
        "held",
        "-n",
        "closing",
        "--type",
        "merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ]);
    wait_for("the namespace to go after the restart", Duration::from_secs(10), || {
        is_gone(&tc, &["ns", "closing"])
    });

    // And a second restart keeps counting up.
    let newest = tc.cluster().server.store.revision();
    let tc = tc.restart().unwrap();
    tc.kubectl_ok(&["delete", "cm", "fresh"]);
    assert!(tc.cluster().server.store.revision() > newest);
    assert_eq!(
        jsonpath(&tc, &["cm", "kept", "-n", "team"], "{.metadata.labels.after}"),
        "restart"
    );
}
