//! `kubectl get -w` against the dev cluster: initial state, ADDED/MODIFIED/DELETED events, selectors entering and
//! leaving, custom resources with printer columns, and watches cut by the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::{Streaming, configmap, install_project_crds, words};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

#[test]
fn watch_prints_the_initial_state_then_every_change() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("before", &[], &[("a", "1")]));
    let mut watch = Streaming::start(&tc, &["get", "configmaps", "-w", "--output-watch-events"]);
    assert_eq!(
        words(&watch.expect_line("the header")),
        ["EVENT", "NAME", "DATA", "AGE"]
    );
    assert_eq!(
        words(&watch.expect_line("the initial list"))[..3],
        ["ADDED", "before", "1"]
    );

    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("w1", &[], &[("a", "1")]));
    assert_eq!(words(&watch.expect_line("w1 added"))[..3], ["ADDED", "w1", "1"]);
    tc.kubectl_ok(&["patch", "cm", "w1", "--type", "merge", "-p", r#"{"data":{"b":"2"}}"#]);
    assert_eq!(words(&watch.expect_line("w1 modified"))[..3], ["MODIFIED", "w1", "2"]);
    tc.kubectl_ok(&["delete", "cm", "w1"]);
    assert_eq!(words(&watch.expect_line("w1 deleted"))[..3], ["DELETED", "w1", "2"]);
    // Other namespaces are not watched.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &common::namespace("elsewhere"));
    tc.kubectl_ok_stdin(&["apply", "-n", "elsewhere", "-f", "-"], &configmap("far", &[], &[]));
    tc.kubectl_ok(&["delete", "cm", "before"]);
    assert_eq!(words(&watch.expect_line("before deleted"))[..2], ["DELETED", "before"]);
    assert_eq!(watch.next_line(Duration::from_millis(300)), None);
}

#[test]
fn watch_by_name_all_namespaces_and_watch_only() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("old", &[], &[]));
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &common::namespace("team"));
    let mut names = Streaming::start(&tc, &["get", "configmaps", "-w", "-o", "name"]);
    let mut all = Streaming::start(
        &tc,
        &["get", "configmaps", "-A", "--watch-only", "--output-watch-events"],
    );
    assert_eq!(names.expect_line("the initial list"), "configmap/old");
    // A watch-only watch prints nothing until something changes; prove it is watching before changing more.
    common::wait_for("the watch-only kubectl to watch", Duration::from_secs(10), || {
        tc.kubectl_ok(&[
            "annotate",
            "cm",
            "old",
            "--overwrite",
            &format!("poke={}", rand_suffix()),
        ]);
        all.next_line(Duration::from_millis(300))
            .is_some_and(|l| l.starts_with("EVENT"))
    });
    let (_, line) = all.until("old modified", |l| l.contains(" old "));
    assert_eq!(words(&line)[..3], ["MODIFIED", "default", "old"]);

    // Events of the pokes above may still come; everything after them is about the new objects.
    let other = |l: &str| !l.contains(" old ") && l != "configmap/old";
    tc.kubectl_ok_stdin(
        &["apply", "-n", "team", "-f", "-"],
        &configmap("t1", &[], &[("k", "v")]),
    );
    let (_, line) = all.until("t1 added", other);
    assert_eq!(words(&line)[..4], ["ADDED", "team", "t1", "1"]);
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("new", &[], &[]));
    let (_, line) = all.until("new added", other);
    assert_eq!(words(&line)[..3], ["ADDED", "default", "new"]);
    let (_, line) = names.until("new added", other);
    assert_eq!(line, "configmap/new");
    tc.kubectl_ok(&["delete", "cm", "new"]);
    assert_eq!(
        words(&all.expect_line("new deleted"))[..3],
        ["DELETED", "default", "new"]
    );
    assert_eq!(names.expect_line("new deleted"), "configmap/new");
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        .to_string()
}

#[test]
fn watch_with_a_label_selector_sees_objects_enter_and_leave() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("in", &[("app", "web")], &[]));
    let mut watch = Streaming::start(&tc, &["get", "cm", "-w", "--output-watch-events", "-l", "app=web"]);
    watch.expect_line("the header");
    assert_eq!(words(&watch.expect_line("the initial list"))[..2], ["ADDED", "in"]);

    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("out", &[("app", "db")], &[]));
    tc.kubectl_ok(&["label", "cm", "out", "app=web", "--overwrite"]);
    assert_eq!(words(&watch.expect_line("out entering"))[..2], ["ADDED", "out"]);
    tc.kubectl_ok(&["label", "cm", "in", "app=api", "--overwrite"]);
    assert_eq!(words(&watch.expect_line("in leaving"))[..2], ["DELETED", "in"]);
    tc.kubectl_ok(&["annotate", "cm", "out", "x=y"]);
    assert_eq!(words(&watch.expect_line("out modified"))[..2], ["MODIFIED", "out"]);
    tc.kubectl_ok(&["annotate", "cm", "in", "x=y"]);
    tc.kubectl_ok(&["delete", "cm", "in"]);
    assert_eq!(
        watch.next_line(Duration::from_millis(300)),
        None,
        "objects outside the selection are not seen"
    );
}

#[test]
fn watch_custom_resources_with_printer_columns() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    install_project_crds(&tc);
    let template = "apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  metrics:
  - name: ok
    provider:
      job:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: busybox
";
    let mut watch = Streaming::start(&tc, &["get", "analysistemplates", "-w", "--output-watch-events"]);
    let mut rollouts = Streaming::start(&tc, &["get", "ro", "-w"]);
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], template);
    let (_, line) = watch.until("the template", |l| l.starts_with("ADDED"));
    assert_eq!(words(&line)[..2], ["ADDED", "success-rate"]);
    let rollout = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 4
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
    blueGreen:
      activeService: web-active
";
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], rollout);
    let (_, line) = rollouts.until("the rollout", |l| l.starts_with("web "));
    assert_eq!(words(&line)[..2], ["web", "4"]);
    let status = r#"{"status":{"replicas":4,"updatedReplicas":3,"availableReplicas":2}}"#;
    tc.kubectl_ok(&[
        "patch",
        "ro",
        "web",
        "--subresource=status",
        "--type",
        "merge",
        "-p",
        status,
    ]);
    let line = rollouts.expect_line("the status change");
    assert_eq!(words(&line)[..5], ["web", "4", "4", "3", "2"]);
    tc.kubectl_ok(&["delete", "analysistemplate", "success-rate"]);
    assert_eq!(
        words(&watch.expect_line("the deletion"))[..2],
        ["DELETED", "success-rate"]
    );
}

#[test]
fn cutting_watches_ends_kubectl_get_w() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let mut watch = Streaming::start(&tc, &["get", "cm", "-w", "-o", "name"]);
    // Once kubectl reports a new object, its watch is open.
    common::wait_for("kubectl to watch", Duration::from_secs(10), || {
        let name = format!("probe-{}", rand_suffix());
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap(&name, &[], &[]));
        watch.next_line(Duration::from_millis(500)).is_some()
    });
    assert!(
        watch.wait_exit(Duration::from_millis(300)).is_none(),
        "kubectl still watches"
    );
    tc.cluster().server.faults.cut_watches();
    let status = watch
        .wait_exit(Duration::from_secs(10))
        .expect("kubectl get -w ends when its watch is cut");
    assert!(status.success(), "{status}");
    // New watches are served as before.
    let mut again = Streaming::start(&tc, &["get", "cm", "-w", "-o", "name", "--watch-only"]);
    common::wait_for("a new watch", Duration::from_secs(10), || {
        let name = format!("again-{}", rand_suffix());
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap(&name, &[], &[]));
        again
            .next_line(Duration::from_millis(500))
            .is_some_and(|l| l.starts_with("configmap/again-"))
    });
}
