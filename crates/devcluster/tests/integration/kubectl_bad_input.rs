//! Requests the dev cluster must refuse, and how kubectl reports them: malformed bodies, mismatched types,
//! invalid names and labels, oversized objects, unknown resources and missing credentials.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{configmap, jsonpath, kubectl_err, kubectl_err_stdin};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const CM_PATH: &str = "/api/v1/namespaces/default/configmaps";

#[test]
fn malformed_and_mismatched_bodies_are_bad_requests() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let dir = tc.dir().join("bodies");
    std::fs::create_dir_all(&dir).unwrap();
    let raw_create = |name: &str, body: &str| {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        kubectl_err(&tc, &["create", "--raw", CM_PATH, "-f", path.to_str().unwrap()])
    };

    let err = raw_create(
        "truncated.json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x""#,
    );
    assert!(
        err.starts_with("Error from server (BadRequest): the request body could not be decoded: "),
        "{err}"
    );
    let err = raw_create("text.json", "this is not json");
    assert!(err.starts_with("Error from server (BadRequest): "), "{err}");
    let err = raw_create("array.json", "[1, 2]");
    assert_eq!(
        err,
        "Error from server (BadRequest): Object 'ConfigMap' is missing in the request body\n"
    );
    let err = raw_create(
        "version.json",
        r#"{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}"#,
    );
    assert_eq!(
        err,
        "Error from server (BadRequest): the API version in the data (apps/v1) does not match the expected API version (v1)\n"
    );
    let err = raw_create(
        "kind.json",
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#,
    );
    assert_eq!(
        err,
        "Error from server (BadRequest): the kind in the data (Secret) does not match the expected kind (ConfigMap)\n"
    );
    let err = raw_create(
        "namespace.json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"other"}}"#,
    );
    assert_eq!(
        err,
        "Error from server (BadRequest): the namespace of the provided object does not match the namespace sent on the request\n"
    );
    let err = raw_create(
        "types.json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":1}}"#,
    );
    assert!(
        err.starts_with(
            "Error from server (BadRequest): ConfigMap in version \"v1\" cannot be handled as a ConfigMap: "
        ),
        "{err}"
    );
    // The same through kubectl apply.
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: 1\n",
    );
    assert!(
        err.starts_with("Error from server (BadRequest): error when creating \"STDIN\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap"),
        "{err}"
    );
    // Malformed YAML never leaves kubectl.
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n",
    );
    assert!(err.contains("error converting YAML to JSON"), "{err}");
    // Kinds and versions nobody serves.
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "-f", "-"],
        "apiVersion: v9\nkind: ConfigMap\nmetadata:\n  name: x\n",
    );
    assert!(
        err.contains("no matches for kind \"ConfigMap\" in version \"v9\"\nensure CRDs are installed first"),
        "{err}"
    );
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: x\n",
    );
    assert!(err.contains("no matches for kind \"Gizmo\" in version \"v1\""), "{err}");

    // Patches that do not fit.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("target", &[], &[("a", "1")]));
    let err = kubectl_err(
        &tc,
        &[
            "patch",
            "cm",
            "target",
            "--type",
            "json",
            "-p",
            r#"[{"op":"remove","path":"/data/missing"}]"#,
        ],
    );
    assert!(err.starts_with("The request is invalid: "), "{err}");
    let err = kubectl_err(
        &tc,
        &["patch", "cm", "target", "--type", "json", "-p", r#"{"op":"remove"}"#],
    );
    assert!(err.contains("invalid"), "{err}");
    let crd = common::workspace().join("deploy/crds/rollout-crd.yaml");
    tc.kubectl_ok(&["apply", "--server-side", "-f", crd.to_str().unwrap()]);
    let rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n  selector:\n    matchLabels: {app: r}\n  template:\n    metadata:\n      labels: {app: r}\n    spec:\n      containers: [{name: r, image: nginx}]\n";
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], rollout);
    let err = kubectl_err(
        &tc,
        &[
            "patch",
            "ro",
            "r",
            "--type",
            "strategic",
            "-p",
            r#"{"spec":{"replicas":2}}"#,
        ],
    );
    assert_eq!(
        err,
        "error: application/strategic-merge-patch+json is not supported by argoproj.io/v1alpha1, Kind=Rollout: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml\n"
    );
    assert_eq!(jsonpath(&tc, &["cm", "target"], "{.data.a}"), "1");
}

#[test]
fn invalid_names_and_labels_are_unprocessable() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let err = kubectl_err_stdin(&tc, &["apply", "-f", "-"], &configmap("Bad_Name", &[], &[]));
    assert_eq!(
        err,
        "The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
    );
    let err = kubectl_err_stdin(&tc, &["apply", "-f", "-"], &common::namespace("a.b"));
    assert!(
        err.starts_with("The Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of"),
        "{err}"
    );
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1svc\nspec:\n  ports: [{port: 80}]\n";
    let err = kubectl_err_stdin(&tc, &["apply", "-f", "-"], service);
    assert!(
        err.starts_with(
            "The Service \"1svc\" is invalid: metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of"
        ),
        "{err}"
    );
    let long = "a".repeat(254);
    let err = kubectl_err_stdin(&tc, &["create", "-f", "-"], &configmap(&long, &[], &[]));
    assert!(
        err.contains("metadata.name: Invalid value: \"aaaa") && err.contains("must be no more than 253 characters"),
        "{err}"
    );
    let err = kubectl_err_stdin(
        &tc,
        &["create", "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n",
    );
    assert_eq!(
        err,
        "The ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required\n"
    );
    let err = kubectl_err_stdin(&tc, &["apply", "-f", "-"], &configmap("x", &[("a", "has space")], &[]));
    assert!(
        err.starts_with(
            "The ConfigMap \"x\" is invalid: metadata.labels: Invalid value: \"has space\": a valid label must be"
        ),
        "{err}"
    );
    let annotated = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    \"bad key!\": v\n";
    let err = kubectl_err_stdin(&tc, &["create", "-f", "-"], annotated);
    assert!(
        err.starts_with("The ConfigMap \"x\" is invalid: metadata.annotations: Invalid value: \"bad key!\": name part must consist of"),
        "{err}"
    );
    let err = kubectl_err_stdin(
        &tc,
        &["apply", "-f", "-"],
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: b}\n    spec:\n      containers: [{name: c, image: nginx}]\n",
    );
    assert!(
        err.contains(
            "spec.template.metadata.labels: Invalid value: {\"app\":\"b\"}: `selector` does not match template `labels`"
        ),
        "{err}"
    );
    // Nothing was created.
    let out = tc.kubectl(&["get", "cm,deploy,svc"]);
    assert!(out.status.success());
    assert_eq!(
        common::stdout(&out)
            .lines()
            .filter(|l| !l.starts_with("NAME") && !l.contains("kubernetes"))
            .count(),
        0
    );
}

#[test]
fn oversized_objects_are_refused_and_the_server_carries_on() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let dir = tc.dir().join("big");
    std::fs::create_dir_all(&dir).unwrap();
    let big = |name: &str, bytes: usize| {
        let path = dir.join(format!("{name}.yaml"));
        let body = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  blob: {}\n",
            "x".repeat(bytes)
        );
        std::fs::write(&path, body).unwrap();
        path.to_string_lossy().into_owned()
    };
    // Over the 1.5 MiB a stored object may take.
    let path = big("large", 1_700_000);
    let err = kubectl_err(&tc, &["create", "-f", &path]);
    assert_eq!(
        err,
        format!("Error from server: error when creating \"{path}\": etcdserver: request is too large\n")
    );
    let err = kubectl_err(&tc, &["apply", "--server-side", "-f", &path]);
    assert!(err.contains("etcdserver: request is too large"), "{err}");
    // Over the 3 MiB a request may take.
    let path = big("huge", 3_300_000);
    let err = kubectl_err(&tc, &["create", "-f", &path]);
    assert!(
        err.contains("(RequestEntityTooLarge)") && err.contains("Request entity too large: limit is 3145728"),
        "{err}"
    );
    // Growing an object past the limit fails and leaves it as it was.
    tc.kubectl_ok_stdin(&["create", "-f", "-"], &configmap("growing", &[], &[("a", "1")]));
    let patch = format!(r#"{{"data":{{"a":"{}"}}}}"#, "y".repeat(1_600_000));
    let patch_file = dir.join("patch.json");
    std::fs::write(&patch_file, patch).unwrap();
    let err = kubectl_err(
        &tc,
        &[
            "patch",
            "cm",
            "growing",
            "--type",
            "merge",
            "--patch-file",
            patch_file.to_str().unwrap(),
        ],
    );
    assert!(err.contains("etcdserver: request is too large"), "{err}");
    assert_eq!(jsonpath(&tc, &["cm", "growing"], "{.data.a}"), "1");
    // Just under the limit is fine, and the server still serves.
    let path = big("fits", 1_400_000);
    assert_eq!(tc.kubectl_ok(&["create", "-f", &path]), "configmap/fits created\n");
    assert_eq!(
        tc.kubectl_ok(&["get", "cm", "-o", "name"]),
        "configmap/fits\nconfigmap/growing\n"
    );
}

#[test]
fn unknown_resources_and_bad_credentials() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    assert_eq!(
        kubectl_err(&tc, &["get", "foos"]),
        "error: the server doesn't have a resource type \"foos\"\n"
    );
    assert_eq!(
        kubectl_err(&tc, &["get", "rollouts"]),
        "error: the server doesn't have a resource type \"rollouts\"\n"
    );
    let err = kubectl_err(&tc, &["get", "--raw", "/api/v1/foos"]);
    assert_eq!(
        err,
        "Error from server (NotFound): the server could not find the requested resource\n"
    );
    let err = kubectl_err(
        &tc,
        &["get", "--raw", "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts"],
    );
    assert!(err.contains("(NotFound)"), "{err}");
    let err = kubectl_err(
        &tc,
        &["get", "--raw", "/api/v1/namespaces/default/configmaps/x/nosuchsub"],
    );
    assert!(err.contains("(NotFound)"), "{err}");
    let err = kubectl_err(&tc, &["get", "cm", "nothing-here"]);
    assert_eq!(
        err,
        "Error from server (NotFound): configmaps \"nothing-here\" not found\n"
    );

    // A wrong token, and no bearer token at all (a user name only, so that kubectl does not prompt).
    assert_eq!(
        kubectl_err(&tc, &["--token=wrong", "get", "ns"]),
        "error: You must be logged in to the server (Unauthorized)\n"
    );
    let kubeconfig = std::fs::read_to_string(tc.kubeconfig()).unwrap();
    let anonymous: String = kubeconfig
        .lines()
        .filter(|l| !l.trim_start().starts_with("token:"))
        .map(|l| {
            if l == "  user:" {
                "  user: {username: nobody}\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let path = tc.dir().join("anonymous-kubeconfig");
    std::fs::write(&path, anonymous).unwrap();
    let out = tc
        .kubectl_command()
        .env("KUBECONFIG", &path)
        .args(["get", "cm"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("error: You must be logged in to the server ("),
        "{}",
        common::stderr(&out)
    );
    // The right token still works.
    assert_eq!(
        tc.kubectl_ok(&["get", "ns", "default", "-o", "name"]),
        "namespace/default\n"
    );
}
