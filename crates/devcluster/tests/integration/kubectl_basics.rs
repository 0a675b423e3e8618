//! The everyday kubectl verbs against the dev cluster: apply, get, describe, patch (merge, JSON, strategic), label,
//! delete, selectors, pagination and discovery of built-in resources.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{Table, configmap, jsonpath, kubectl_err, stdout};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

#[test]
fn configmap_apply_get_describe_patch_delete() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let manifest = configmap("web", &[("app", "web"), ("tier", "front")], &[("a", "1"), ("b", "2")]);
    assert_eq!(
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], &manifest),
        "configmap/web created\n"
    );

    let table = Table::parse(&tc.kubectl_ok(&["get", "configmaps"]));
    assert_eq!(table.columns, ["NAME", "DATA", "AGE"]);
    assert_eq!(table.names(), ["web"]);
    assert_eq!(table.cells("web", &["DATA"]), ["2"]);
    assert_eq!(tc.kubectl_ok(&["get", "cm", "web", "-o", "name"]), "configmap/web\n");
    assert_eq!(jsonpath(&tc, &["cm", "web"], "{.data.a},{.data.b}"), "1,2");
    let meta = jsonpath(
        &tc,
        &["cm", "web"],
        "{.metadata.namespace} {.metadata.uid} {.metadata.resourceVersion} {.metadata.creationTimestamp}",
    );
    let parts: Vec<&str> = meta.split(' ').collect();
    assert_eq!(parts[0], "default");
    assert_eq!(parts[1].len(), 36, "uid {meta}");
    assert!(parts[2].parse::<u64>().unwrap() > 0, "resourceVersion {meta}");
    assert!(parts[3].ends_with('Z'), "creationTimestamp {meta}");

    let described = tc.kubectl_ok(&["describe", "configmap", "web"]);
    for expected in [
        "Name:         web",
        "Namespace:    default",
        "Labels:       app=web",
        "              tier=front",
        "Annotations:  <none>",
    ] {
        assert!(
            described.lines().any(|l| l == expected),
            "{expected:?} in:\n{described}"
        );
    }
    assert!(described.contains("a:\n----\n1\n"), "{described}");

    // Merge patch, JSON patch and strategic merge patch.
    let out = tc.kubectl_ok(&[
        "patch",
        "cm",
        "web",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"c":"3","b":null}}"#,
    ]);
    assert_eq!(out, "configmap/web patched\n");
    assert_eq!(jsonpath(&tc, &["cm", "web"], "{.data}"), r#"{"a":"1","c":"3"}"#);
    let json_patch = r#"[{"op":"replace","path":"/data/a","value":"one"},{"op":"remove","path":"/data/c"},{"op":"add","path":"/data/d","value":"4"}]"#;
    tc.kubectl_ok(&["patch", "cm", "web", "--type", "json", "-p", json_patch]);
    assert_eq!(jsonpath(&tc, &["cm", "web"], "{.data}"), r#"{"a":"one","d":"4"}"#);
    tc.kubectl_ok(&[
        "patch",
        "cm",
        "web",
        "--type",
        "strategic",
        "-p",
        r#"{"data":{"e":"5"}}"#,
    ]);
    assert_eq!(
        jsonpath(&tc, &["cm", "web"], "{.data}"),
        r#"{"a":"one","d":"4","e":"5"}"#
    );
    // A patch that changes nothing keeps the resourceVersion, and kubectl says so.
    let rv = jsonpath(&tc, &["cm", "web"], "{.metadata.resourceVersion}");
    let out = tc.kubectl_ok(&["patch", "cm", "web", "--type", "merge", "-p", r#"{"data":{"e":"5"}}"#]);
    assert_eq!(out, "configmap/web patched (no change)\n");
    assert_eq!(jsonpath(&tc, &["cm", "web"], "{.metadata.resourceVersion}"), rv);
    // A failing JSON patch test operation changes nothing.
    let err = kubectl_err(
        &tc,
        &[
            "patch",
            "cm",
            "web",
            "--type",
            "json",
            "-p",
            r#"[{"op":"test","path":"/data/a","value":"x"}]"#,
        ],
    );
    assert_eq!(
        err,
        "The request is invalid: testing value /data/a failed (operation 0)\n"
    );
    assert_eq!(jsonpath(&tc, &["cm", "web"], "{.metadata.resourceVersion}"), rv);

    // label and annotate
    assert_eq!(
        tc.kubectl_ok(&["label", "cm", "web", "env=dev"]),
        "configmap/web labeled\n"
    );
    assert_eq!(
        tc.kubectl_ok(&["annotate", "cm", "web", "note=hello"]),
        "configmap/web annotated\n"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["cm", "web"],
            "{.metadata.labels.env} {.metadata.annotations.note}"
        ),
        "dev hello"
    );
    let err = kubectl_err(&tc, &["label", "cm", "web", "env=prod"]);
    assert!(
        err.contains("'env' already has a value (dev), and --overwrite is false"),
        "{err}"
    );
    assert_eq!(
        tc.kubectl_ok(&["label", "cm", "web", "env-"]),
        "configmap/web unlabeled\n"
    );
    assert_eq!(
        jsonpath(&tc, &["cm", "web"], "{.metadata.labels}"),
        r#"{"app":"web","tier":"front"}"#
    );

    assert_eq!(tc.kubectl_ok(&["delete", "cm", "web"]), "configmap \"web\" deleted\n");
    let err = kubectl_err(&tc, &["get", "cm", "web"]);
    assert_eq!(err, "Error from server (NotFound): configmaps \"web\" not found\n");
    let err = kubectl_err(&tc, &["delete", "cm", "web"]);
    assert_eq!(err, "Error from server (NotFound): configmaps \"web\" not found\n");
    let out = tc.kubectl(&["get", "cm"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    assert_eq!(common::stderr(&out), "No resources found in default namespace.\n");
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
        command: [sleep, infinity]
";

#[test]
fn deployment_patches_merge_lists_by_key() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    assert_eq!(
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], DEPLOYMENT),
        "deployment.apps/web created\n"
    );
    assert_eq!(jsonpath(&tc, &["deploy", "web"], "{.metadata.generation}"), "1");
    // Server defaults are filled in.
    assert_eq!(
        jsonpath(
            &tc,
            &["deploy", "web"],
            "{.spec.strategy.type} {.spec.revisionHistoryLimit} {.spec.template.spec.containers[0].imagePullPolicy}"
        ),
        "RollingUpdate 10 IfNotPresent"
    );

    // A strategic merge patch merges containers by name.
    let sp = r#"{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}}}"#;
    assert_eq!(
        tc.kubectl_ok(&["patch", "deploy", "web", "-p", sp]),
        "deployment.apps/web patched\n"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["deploy", "web"],
            "{range .spec.template.spec.containers[*]}{.name}={.image} {end}"
        ),
        "main=nginx:1.27 sidecar=busybox:1.36 "
    );
    assert_eq!(jsonpath(&tc, &["deploy", "web"], "{.metadata.generation}"), "2");
    // $patch: delete removes one list item.
    let del = r#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#;
    tc.kubectl_ok(&["patch", "deploy", "web", "--type", "strategic", "-p", del]);
    assert_eq!(
        jsonpath(&tc, &["deploy", "web"], "{.spec.template.spec.containers[*].name}"),
        "main"
    );
    // A merge patch replaces the list whole.
    let mp = r#"{"spec":{"template":{"spec":{"containers":[{"name":"other","image":"redis:7"}]}}}}"#;
    tc.kubectl_ok(&["patch", "deploy", "web", "--type", "merge", "-p", mp]);
    assert_eq!(
        jsonpath(
            &tc,
            &["deploy", "web"],
            "{range .spec.template.spec.containers[*]}{.name}={.image} {end}"
        ),
        "other=redis:7 "
    );
    // Labels alone do not bump the generation.
    tc.kubectl_ok(&["label", "deploy", "web", "team=a"]);
    assert_eq!(jsonpath(&tc, &["deploy", "web"], "{.metadata.generation}"), "4");
    // Invalid patches are refused with the field named.
    let err = kubectl_err(
        &tc,
        &[
            "patch",
            "deploy",
            "web",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"replicas":-1}}"#,
        ],
    );
    assert!(
        err.contains(
            "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        ),
        "{err}"
    );
    let table = Table::parse(&tc.kubectl_ok(&["get", "deployments"]));
    assert_eq!(table.columns, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    // READY is ready/desired, whatever the workload's progress.
    assert!(table.cells("web", &["READY"])[0].ends_with("/2"), "{table:?}");
}

fn many_configmaps() -> String {
    (1..=7)
        .map(|i| {
            let group = if i <= 3 { "a" } else { "b" };
            let tier = ["front", "back", "db"][i % 3];
            configmap(
                &format!("cm{i}"),
                &[("group", group), ("tier", tier), ("idx", &i.to_string())],
                &[],
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn names(tc: &TestCluster, args: &[&str]) -> Vec<String> {
    let mut full = vec!["get", "cm", "-o", "name"];
    full.extend_from_slice(args);
    tc.kubectl_ok(&full)
        .lines()
        .map(|l| l.trim_start_matches("configmap/").to_string())
        .collect()
}

#[test]
fn label_and_field_selectors_and_pagination() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &many_configmaps());
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &common::namespace("other"));
    tc.kubectl_ok_stdin(
        &["apply", "-n", "other", "-f", "-"],
        &configmap("cm1", &[("group", "a")], &[]),
    );

    // Equality-based.
    assert_eq!(names(&tc, &["-l", "group=a"]), ["cm1", "cm2", "cm3"]);
    assert_eq!(names(&tc, &["-l", "group==b,tier=front"]), ["cm6"]);
    assert_eq!(names(&tc, &["-l", "group!=a"]), ["cm4", "cm5", "cm6", "cm7"]);
    // Set-based.
    assert_eq!(
        names(&tc, &["-l", "tier in (db, back)"]),
        ["cm1", "cm2", "cm4", "cm5", "cm7"]
    );
    assert_eq!(names(&tc, &["-l", "tier notin (db,back),group"]), ["cm3", "cm6"]);
    assert_eq!(names(&tc, &["-l", "!group"]), Vec::<String>::new());
    assert_eq!(names(&tc, &["-l", "idx in (1,7),group=b"]), ["cm7"]);
    // Across namespaces.
    let out = tc.kubectl_ok(&[
        "get",
        "cm",
        "-A",
        "-l",
        "group=a",
        "-o",
        "custom-columns=NS:.metadata.namespace,N:.metadata.name",
    ]);
    let table = Table::parse(&out);
    let pairs: Vec<(String, String)> = table.rows.iter().map(|r| (r["NS"].clone(), r["N"].clone())).collect();
    let expected: Vec<(String, String)> = [
        ("default", "cm1"),
        ("default", "cm2"),
        ("default", "cm3"),
        ("other", "cm1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(pairs, expected);
    let err = kubectl_err(&tc, &["get", "cm", "-l", "tier in"]);
    assert!(
        err.contains("(BadRequest)") && err.contains("unable to parse requirement"),
        "{err}"
    );

    // Field selectors.
    assert_eq!(names(&tc, &["--field-selector", "metadata.name=cm4"]), ["cm4"]);
    assert_eq!(
        names(&tc, &["--field-selector", "metadata.name!=cm4", "-l", "group=b"]),
        ["cm5", "cm6", "cm7"]
    );
    let out = tc.kubectl_ok(&[
        "get",
        "cm",
        "-A",
        "--field-selector",
        "metadata.namespace=other",
        "-o",
        "name",
    ]);
    assert_eq!(out, "configmap/cm1\n");
    let out = tc.kubectl_ok(&["get", "ns", "--field-selector", "metadata.name=other", "-o", "name"]);
    assert_eq!(out, "namespace/other\n");
    let err = kubectl_err(&tc, &["get", "cm", "--field-selector", "data.x=y"]);
    assert!(
        err.contains("(BadRequest)")
            && err.contains("\"data.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""),
        "{err}"
    );

    // Pagination: every object comes back, in order, across pages.
    assert_eq!(
        names(&tc, &["--chunk-size=2"]),
        ["cm1", "cm2", "cm3", "cm4", "cm5", "cm6", "cm7"]
    );
    let table = Table::parse(&tc.kubectl_ok(&["get", "cm", "--chunk-size=3"]));
    assert_eq!(table.names(), ["cm1", "cm2", "cm3", "cm4", "cm5", "cm6", "cm7"]);
    assert_eq!(
        names(&tc, &["--chunk-size=2", "-l", "group=b"]),
        ["cm4", "cm5", "cm6", "cm7"]
    );
    let page: serde_json::Value =
        serde_json::from_str(&tc.kubectl_ok(&["get", "--raw", "/api/v1/namespaces/default/configmaps?limit=3"]))
            .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["metadata"]["remainingItemCount"], 4);
    let token = page["metadata"]["continue"].as_str().unwrap().to_string();
    let rest: serde_json::Value = serde_json::from_str(&tc.kubectl_ok(&[
        "get",
        "--raw",
        &format!("/api/v1/namespaces/default/configmaps?limit=10&continue={token}"),
    ]))
    .unwrap();
    let rest_names: Vec<&str> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(rest_names, ["cm4", "cm5", "cm6", "cm7"]);
    assert!(rest["metadata"].get("continue").is_none(), "{rest}");

    // Deleting by selector.
    let out = tc.kubectl_ok(&["delete", "cm", "-l", "group=a"]);
    assert_eq!(
        out,
        "configmap \"cm1\" deleted\nconfigmap \"cm2\" deleted\nconfigmap \"cm3\" deleted\n"
    );
    assert_eq!(names(&tc, &[]), ["cm4", "cm5", "cm6", "cm7"]);
    assert_eq!(
        tc.kubectl_ok(&["get", "cm", "-n", "other", "-o", "name"]),
        "configmap/cm1\n"
    );
}

#[test]
fn api_resources_lists_builtins() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let table = Table::parse(&tc.kubectl_ok(&["api-resources"]));
    assert_eq!(
        table.columns,
        ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    );
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| table.columns.iter().map(|c| r[c].clone()).collect())
        .collect();
    for expected in [
        ["configmaps", "cm", "v1", "true", "ConfigMap"],
        ["namespaces", "ns", "v1", "false", "Namespace"],
        ["pods", "po", "v1", "true", "Pod"],
        ["secrets", "", "v1", "true", "Secret"],
        ["services", "svc", "v1", "true", "Service"],
        ["deployments", "deploy", "apps/v1", "true", "Deployment"],
        ["replicasets", "rs", "apps/v1", "true", "ReplicaSet"],
        [
            "customresourcedefinitions",
            "crd,crds",
            "apiextensions.k8s.io/v1",
            "false",
            "CustomResourceDefinition",
        ],
        ["ingresses", "ing", "networking.k8s.io/v1", "true", "Ingress"],
        [
            "horizontalpodautoscalers",
            "hpa",
            "autoscaling/v2",
            "true",
            "HorizontalPodAutoscaler",
        ],
        ["jobs", "", "batch/v1", "true", "Job"],
        ["roles", "", "rbac.authorization.k8s.io/v1", "true", "Role"],
        [
            "clusterrolebindings",
            "",
            "rbac.authorization.k8s.io/v1",
            "false",
            "ClusterRoleBinding",
        ],
    ] {
        assert!(
            rows.iter().any(|r| r == &expected),
            "{expected:?} not among api-resources:\n{rows:#?}"
        );
    }
    // Subresources are not resources of their own.
    assert!(!table.names().iter().any(|n| n.contains('/')));
    let wide = Table::parse(&tc.kubectl_ok(&["api-resources", "-o", "wide", "--api-group=apps"]));
    assert_eq!(
        wide.columns,
        [
            "NAME",
            "SHORTNAMES",
            "APIVERSION",
            "NAMESPACED",
            "KIND",
            "VERBS",
            "CATEGORIES"
        ]
    );
    assert_eq!(
        wide.cells("deployments", &["VERBS", "CATEGORIES"]),
        ["create,delete,deletecollection,get,list,patch,update,watch", "all"]
    );
    assert_eq!(
        tc.kubectl_ok(&["api-resources", "--namespaced=false", "-o", "name"]),
        "namespaces\ncustomresourcedefinitions.apiextensions.k8s.io\nselfsubjectreviews.authentication.k8s.io\n\
         tokenreviews.authentication.k8s.io\nselfsubjectaccessreviews.authorization.k8s.io\n\
         selfsubjectrulesreviews.authorization.k8s.io\nsubjectaccessreviews.authorization.k8s.io\n\
         clusterrolebindings.rbac.authorization.k8s.io\nclusterroles.rbac.authorization.k8s.io\n"
    );
    assert!(tc.kubectl_ok(&["api-versions"]).lines().any(|l| l == "apps/v1"));
    // Discovery of a group that does not exist.
    let err = kubectl_err(&tc, &["get", "--raw", "/apis/example.com/v1"]);
    assert!(err.contains("(NotFound)"), "{err}");
}
