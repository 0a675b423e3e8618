//! Writing objects with kubectl: client-side apply round trips, server-side apply with field managers and
//! conflicts, dry runs and diffs, replace and edit with optimistic concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{configmap, install_project_crds, jsonpath, kubectl_err, kubectl_err_stdin, stdout};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api, tier: backend}
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: example/api:1
        env:
        - {name: MODE, value: fast}
        - {name: DEBUG, value: \"true\"}
      - name: proxy
        image: example/proxy:1
";

const ROLLOUT: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 3
  revisionHistoryLimit: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1
  strategy:
    canary:
      maxSurge: 1
      steps:
      - setWeight: 20
      - pause: {duration: 10s}
      - setWeight: 50
";

#[test]
fn client_side_apply_round_trips() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let apply = |yaml: &str| tc.kubectl_ok_stdin(&["apply", "-f", "-"], yaml);

    // A ConfigMap: create, no-op, change, remove.
    let v1 = configmap("settings", &[("app", "web"), ("env", "dev")], &[("a", "1"), ("b", "2")]);
    assert_eq!(apply(&v1), "configmap/settings created\n");
    assert_eq!(apply(&v1), "configmap/settings unchanged\n");
    let rv = jsonpath(&tc, &["cm", "settings"], "{.metadata.resourceVersion}");
    // A label added by someone else survives applies that never mentioned it.
    tc.kubectl_ok(&["label", "cm", "settings", "owner=ops"]);
    let v2 = configmap("settings", &[("app", "web")], &[("a", "10")]);
    assert_eq!(apply(&v2), "configmap/settings configured\n");
    assert_eq!(jsonpath(&tc, &["cm", "settings"], "{.data}"), r#"{"a":"10"}"#);
    assert_eq!(
        jsonpath(&tc, &["cm", "settings"], "{.metadata.labels}"),
        r#"{"app":"web","owner":"ops"}"#
    );
    let rv2 = jsonpath(&tc, &["cm", "settings"], "{.metadata.resourceVersion}");
    assert!(rv2.parse::<u64>().unwrap() > rv.parse::<u64>().unwrap());
    let last_applied = jsonpath(
        &tc,
        &["cm", "settings"],
        "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
    );
    let last_applied: serde_json::Value = serde_json::from_str(&last_applied).unwrap();
    assert_eq!(last_applied["data"], serde_json::json!({"a": "10"}));

    // A Deployment: list items merge by key; removing them from the manifest removes them.
    assert_eq!(apply(DEPLOYMENT), "deployment.apps/api created\n");
    let changed = DEPLOYMENT
        .replace("image: example/api:1", "image: example/api:2")
        .replace("        - {name: DEBUG, value: \"true\"}\n", "")
        .replace("      - name: proxy\n        image: example/proxy:1\n", "")
        .replace("labels: {app: api, tier: backend}", "labels: {app: api}");
    assert_eq!(apply(&changed), "deployment.apps/api configured\n");
    assert_eq!(
        jsonpath(
            &tc,
            &["deploy", "api"],
            "{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[*].name} {.metadata.labels}"
        ),
        r#"api example/api:2 MODE {"app":"api"}"#
    );
    assert_eq!(jsonpath(&tc, &["deploy", "api"], "{.metadata.generation}"), "2");
    // Server defaults are not taken away by later applies.
    assert_eq!(
        jsonpath(
            &tc,
            &["deploy", "api"],
            "{.spec.template.spec.containers[0].terminationMessagePath}"
        ),
        "/dev/termination-log"
    );

    // A custom resource (merge patches): change a list, drop a field.
    install_project_crds(&tc);
    assert_eq!(apply(ROLLOUT), "rollout.argoproj.io/web created\n");
    assert_eq!(apply(ROLLOUT), "rollout.argoproj.io/web unchanged\n");
    let changed = ROLLOUT
        .replace("  revisionHistoryLimit: 4\n", "")
        .replace("      - setWeight: 50\n", "")
        .replace("maxSurge: 1", "maxSurge: \"25%\"");
    assert_eq!(apply(&changed), "rollout.argoproj.io/web configured\n");
    assert_eq!(
        jsonpath(
            &tc,
            &["ro", "web"],
            "{.spec.revisionHistoryLimit}|{.spec.strategy.canary.maxSurge}|{.spec.strategy.canary.steps}"
        ),
        r#"|25%|[{"setWeight":20},{"pause":{"duration":"10s"}}]"#
    );
    assert_eq!(jsonpath(&tc, &["ro", "web"], "{.metadata.generation}"), "2");

    // Deleting by manifest.
    let out = tc.kubectl_ok_stdin(&["delete", "-f", "-"], &changed);
    assert_eq!(out, "rollout.argoproj.io \"web\" deleted\n");
}

#[test]
fn server_side_apply_owns_fields_and_reports_conflicts() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let ssa = |extra: &[&str], yaml: &str| {
        let mut args = vec!["apply", "--server-side", "-f", "-"];
        args.extend_from_slice(extra);
        tc.kubectl_stdin(&args, yaml)
    };
    let managers = || {
        jsonpath(
            &tc,
            &["cm", "shared", "--show-managed-fields"],
            "{range .metadata.managedFields[*]}{.manager}/{.operation}:{.fieldsV1}{\"\\n\"}{end}",
        )
    };

    let out = ssa(&[], &configmap("shared", &[], &[("a", "1"), ("b", "2")]));
    assert_eq!(stdout(&out), "configmap/shared serverside-applied\n");
    assert_eq!(managers(), "kubectl/Apply:{\"f:data\":{\"f:a\":{},\"f:b\":{}}}\n");
    // Changing one's own fields, and dropping one: it goes.
    let out = ssa(&[], &configmap("shared", &[], &[("a", "2")]));
    assert!(out.status.success());
    assert_eq!(jsonpath(&tc, &["cm", "shared"], "{.data}"), r#"{"a":"2"}"#);

    // Another manager may add fields nobody owns...
    let other = ["--field-manager=other"];
    let out = ssa(&other, &configmap("shared", &[], &[("c", "3")]));
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        managers(),
        "kubectl/Apply:{\"f:data\":{\"f:a\":{}}}\nother/Apply:{\"f:data\":{\"f:c\":{}}}\n"
    );
    // ...and co-own a field by applying the same value...
    let out = ssa(&other, &configmap("shared", &[], &[("a", "2"), ("c", "3")]));
    assert!(out.status.success(), "{}", common::stderr(&out));
    // ...but not change a field another manager owns, unless forced.
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "--server-side", "--field-manager=third", "-f", "-"],
        &configmap("shared", &[], &[("a", "3")]),
    );
    assert!(
        err.starts_with(
            "error: Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .data.a\nconflicts with \"other\":\n- .data.a\n"
        ),
        "{err}"
    );
    assert!(err.contains("--force-conflicts"), "{err}");
    assert_eq!(jsonpath(&tc, &["cm", "shared"], "{.data.a}"), "2");
    let out = ssa(
        &["--field-manager=third", "--force-conflicts"],
        &configmap("shared", &[], &[("a", "3")]),
    );
    assert_eq!(stdout(&out), "configmap/shared serverside-applied\n");
    assert_eq!(jsonpath(&tc, &["cm", "shared"], "{.data}"), r#"{"a":"3","c":"3"}"#);
    assert_eq!(
        managers(),
        "other/Apply:{\"f:data\":{\"f:c\":{}}}\nthird/Apply:{\"f:data\":{\"f:a\":{}}}\n"
    );

    // Dry runs and diffs answer what would be stored, and store nothing.
    let next = configmap("shared", &[], &[("a", "4")]);
    let out = tc.kubectl_stdin(
        &[
            "apply",
            "--server-side",
            "--field-manager=third",
            "--dry-run=server",
            "-o",
            "jsonpath={.data.a}",
            "-f",
            "-",
        ],
        &next,
    );
    assert_eq!(stdout(&out), "4");
    let out = tc.kubectl_stdin(&["diff", "--server-side", "--field-manager=third", "-f", "-"], &next);
    assert_eq!(
        out.status.code(),
        Some(1),
        "kubectl diff exits 1 when there are differences"
    );
    let diff = stdout(&out);
    assert!(
        diff.lines().any(|l| l == "-  a: \"3\"") && diff.lines().any(|l| l == "+  a: \"4\""),
        "{diff}"
    );
    assert_eq!(jsonpath(&tc, &["cm", "shared"], "{.data.a}"), "3");

    // Server-side apply of a custom resource.
    install_project_crds(&tc);
    let out = tc.kubectl_stdin(&["apply", "--server-side", "-f", "-"], ROLLOUT);
    assert_eq!(stdout(&out), "rollout.argoproj.io/web serverside-applied\n");
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "--server-side", "--field-manager=hpa", "-f", "-"],
        &ROLLOUT.replace("replicas: 3", "replicas: 5"),
    );
    assert!(
        err.starts_with("error: Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas\n"),
        "{err}"
    );
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "--server-side", "-f", "-"],
        &ROLLOUT.replace("setWeight: 50", "setWeight: fifty"),
    );
    assert!(err.contains("spec.strategy.canary.steps[2].setWeight"), "{err}");
}

#[test]
fn replace_and_edit_use_optimistic_concurrency() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let dir = tc.dir().join("files");
    std::fs::create_dir_all(&dir).unwrap();
    tc.kubectl_ok_stdin(&["create", "-f", "-"], &configmap("cfg", &[], &[("a", "1")]));
    let err = kubectl_err_stdin(&tc, &["create", "-f", "-"], &configmap("cfg", &[], &[]));
    assert_eq!(
        err,
        "Error from server (AlreadyExists): error when creating \"STDIN\": configmaps \"cfg\" already exists\n"
    );

    let stale = dir.join("stale.yaml");
    std::fs::write(&stale, tc.kubectl_ok(&["get", "cm", "cfg", "-o", "yaml"])).unwrap();
    let stale = stale.to_str().unwrap();
    tc.kubectl_ok(&["patch", "cm", "cfg", "--type", "merge", "-p", r#"{"data":{"a":"2"}}"#]);
    let err = kubectl_err(&tc, &["replace", "-f", stale]);
    assert_eq!(
        err,
        format!(
            "Error from server (Conflict): error when replacing \"{stale}\": Operation cannot be fulfilled on configmaps \"cfg\": the object has been modified; please apply your changes to the latest version and try again\n"
        )
    );
    assert_eq!(jsonpath(&tc, &["cm", "cfg"], "{.data.a}"), "2");
    // Without a resourceVersion, replace is unconditional.
    let fresh = configmap("cfg", &[], &[("a", "3")]);
    assert_eq!(
        tc.kubectl_ok_stdin(&["replace", "-f", "-"], &fresh),
        "configmap/cfg replaced\n"
    );
    assert_eq!(jsonpath(&tc, &["cm", "cfg"], "{.data.a}"), "3");
    // --force deletes and creates again: a new uid.
    let uid = jsonpath(&tc, &["cm", "cfg"], "{.metadata.uid}");
    assert_eq!(
        tc.kubectl_ok(&["replace", "--force", "-f", stale]),
        "configmap \"cfg\" deleted\nconfigmap/cfg replaced\n"
    );
    assert_ne!(jsonpath(&tc, &["cm", "cfg"], "{.metadata.uid}"), uid);
    assert_eq!(jsonpath(&tc, &["cm", "cfg"], "{.data.a}"), "1");
    let err = kubectl_err_stdin(&tc, &["replace", "-f", "-"], &configmap("missing", &[], &[]));
    assert!(
        err.contains("Error from server (NotFound): error when replacing \"STDIN\": configmaps \"missing\" not found"),
        "{err}"
    );

    // A replace that does not mention field ownership keeps it.
    let out = tc.kubectl_stdin(
        &["apply", "--server-side", "-f", "-"],
        &configmap("owned", &[], &[("a", "1")]),
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let replaced = configmap("owned", &[], &[("a", "1"), ("b", "2")]);
    assert_eq!(
        tc.kubectl_ok_stdin(&["replace", "-f", "-"], &replaced),
        "configmap/owned replaced\n"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["cm", "owned", "--show-managed-fields"],
            "{.metadata.managedFields[*].manager}"
        ),
        "kubectl"
    );
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "--server-side", "--field-manager=other", "-f", "-"],
        &configmap("owned", &[], &[("a", "9")]),
    );
    assert!(err.contains("conflict with \"kubectl\": .data.a"), "{err}");

    // Delete preconditions.
    let body = dir.join("delete.json");
    std::fs::write(
        &body,
        r#"{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"1"}}"#,
    )
    .unwrap();
    let rv = jsonpath(&tc, &["cm", "cfg"], "{.metadata.resourceVersion}");
    let err = kubectl_err(
        &tc,
        &[
            "delete",
            "--raw",
            "/api/v1/namespaces/default/configmaps/cfg",
            "-f",
            body.to_str().unwrap(),
        ],
    );
    assert_eq!(
        err,
        format!(
            "Error from server (Conflict): Operation cannot be fulfilled on configmaps \"cfg\": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: {rv}\n"
        )
    );

    // kubectl edit, with a scripted editor.
    let editor = dir.join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nsed -i 's/^  a: .*/  a: edited/' \"$1\"\n").unwrap();
    let status = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    assert!(status.success());
    let out = tc
        .kubectl_command()
        .env("KUBE_EDITOR", &editor)
        .args(["edit", "cm", "cfg"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "configmap/cfg edited\n", "{}", common::stderr(&out));
    assert_eq!(jsonpath(&tc, &["cm", "cfg"], "{.data.a}"), "edited");
}
