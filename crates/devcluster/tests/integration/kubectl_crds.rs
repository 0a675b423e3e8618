//! CustomResourceDefinitions through kubectl: installing this project's, upstream's and the service-mesh CRDs,
//! discovery and `explain`, printer columns, schema validation, and the status and scale subresources.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{Table, install_project_crds, jsonpath, kubectl_err, kubectl_err_stdin, workspace};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const ROLLOUT: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: demo
spec:
  replicas: 2
  revisionHistoryLimit: 2
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: demo
        image: argoproj/rollouts-demo:blue
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {}
";

const KINDS: [(&str, &str, &str, &str); 5] = [
    ("analysisruns", "ar", "true", "AnalysisRun"),
    ("analysistemplates", "at", "true", "AnalysisTemplate"),
    ("clusteranalysistemplates", "cat", "false", "ClusterAnalysisTemplate"),
    ("experiments", "exp", "true", "Experiment"),
    ("rollouts", "ro", "true", "Rollout"),
];

#[test]
fn project_crds_install_with_discovery_and_explain() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let out = install_project_crds(&tc);
    let expected: String = KINDS
        .iter()
        .map(|(plural, ..)| {
            format!("customresourcedefinition.apiextensions.k8s.io/{plural}.argoproj.io serverside-applied\n")
        })
        .collect();
    assert_eq!(out, expected);
    // Applying again changes nothing.
    assert_eq!(install_project_crds(&tc), expected);
    let crds = Table::parse(&tc.kubectl_ok(&["get", "crds"]));
    assert_eq!(crds.columns, ["NAME", "CREATED AT"]);
    assert_eq!(
        crds.names(),
        KINDS
            .iter()
            .map(|(p, ..)| format!("{p}.argoproj.io"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["crd", "rollouts.argoproj.io"],
            "{.status.conditions[?(@.type==\"Established\")].status} {.status.acceptedNames.kind} {.status.storedVersions}"
        ),
        "True Rollout [\"v1alpha1\"]"
    );

    let table = Table::parse(&tc.kubectl_ok(&["api-resources", "--api-group=argoproj.io", "-o", "wide"]));
    assert_eq!(
        table.columns,
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
    assert_eq!(table.names(), KINDS.iter().map(|k| k.0).collect::<Vec<_>>());
    for (plural, short, namespaced, kind) in KINDS {
        assert_eq!(
            table.cells(
                plural,
                &["SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"]
            ),
            [
                short,
                "argoproj.io/v1alpha1",
                namespaced,
                kind,
                "create,delete,deletecollection,get,list,patch,update,watch",
                "argoproj"
            ]
        );
    }

    let explained = tc.kubectl_ok(&["explain", "rollout.spec.strategy.canary"]);
    let lines: Vec<&str> = explained.lines().collect();
    assert_eq!(
        lines[..3],
        ["GROUP:      argoproj.io", "KIND:       Rollout", "VERSION:    v1alpha1"]
    );
    assert!(lines.contains(&"FIELD: canary <Object>"), "{explained}");
    for field in [
        "  steps\t<[]Object>",
        "  canaryService\t<string>",
        "  stableService\t<string>",
        "  trafficRouting\t<Object>",
        "  maxSurge\t<Object>",
    ] {
        assert!(lines.contains(&field), "{field:?} in:\n{explained}");
    }
    // kubectl names a schema's `type`, or `Object` when it has none, as an int-or-string field's
    // `anyOf` schema has not (kubectl's explain template does not look into `anyOf`).
    let max_surge = tc.kubectl_ok(&["explain", "rollout.spec.strategy.canary.maxSurge"]);
    assert!(max_surge.contains("FIELD: maxSurge <Object>"), "{max_surge}");
    assert_eq!(
        jsonpath(
            &tc,
            &["crd", "rollouts.argoproj.io"],
            "{.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.strategy.properties.canary.properties.maxSurge}"
        ),
        r#"{"anyOf":[{"type":"integer"},{"type":"string"}],"description":"Pods that may exist above `replicas` during the update: a number, or a percentage of `replicas` rounded up (any string is read as a percentage, `%` or not). Defaults to 25%; it may not be 0 together with `maxUnavailable`.","x-kubernetes-int-or-string":true}"#
    );
    // Both an integer and a string are stored.
    for (name, surge) in [("surge-int", "1"), ("surge-string", "\"50%\"")] {
        let doc = format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: {name}\nspec:\n  selector:\n    matchLabels: {{app: x}}\n  template:\n    metadata:\n      labels: {{app: x}}\n    spec:\n      containers: [{{name: x, image: x}}]\n  strategy:\n    canary:\n      maxSurge: {surge}\n"
        );
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], &doc);
        let stored = jsonpath(&tc, &["rollout", name], "{.spec.strategy.canary.maxSurge}");
        assert_eq!(stored, surge.trim_matches('"'), "{name}");
    }
    let setweight = tc.kubectl_ok(&["explain", "ro.spec.strategy.canary.steps.setWeight"]);
    assert!(setweight.contains("FIELD: setWeight <integer>"), "{setweight}");
    let top = tc.kubectl_ok(&["explain", "rollouts"]);
    assert!(top.lines().any(|l| l == "  spec\t<Object> -required-"), "{top}");
    let err = kubectl_err(&tc, &["explain", "rollout.spec.nosuchfield"]);
    assert!(err.contains("field \"nosuchfield\" does not exist"), "{err}");

    // The CRDs are too big for client-side apply, whose annotation would carry the whole CRD again.
    let crd = workspace().join("deploy/crds/experiment-crd.yaml");
    let err = kubectl_err(&tc, &["apply", "-f", crd.to_str().unwrap()]);
    assert!(
        err.contains(
            "The CustomResourceDefinition \"experiments.argoproj.io\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes"
        ),
        "{err}"
    );
}

#[test]
fn rollouts_have_printer_columns_validation_status_and_scale() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    install_project_crds(&tc);
    assert_eq!(
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], ROLLOUT),
        "rollout.argoproj.io/demo created\n"
    );
    let table = Table::parse(&tc.kubectl_ok(&["get", "ro"]));
    assert_eq!(
        table.columns,
        ["NAME", "DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE", "AGE"]
    );
    assert_eq!(
        table.cells("demo", &["DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE"]),
        ["2", "", "", ""]
    );
    let by_category = Table::parse(&tc.kubectl_ok(&["get", "argoproj"]));
    assert_eq!(by_category.names(), ["rollout.argoproj.io/demo"]);
    assert_eq!(jsonpath(&tc, &["rollout", "demo"], "{.metadata.generation}"), "1");

    // A write to the main resource ignores status; metadata changes leave the generation alone.
    let patch = r#"{"metadata":{"labels":{"team":"a"}},"status":{"phase":"Healthy"}}"#;
    tc.kubectl_ok(&["patch", "rollout", "demo", "--type", "merge", "-p", patch]);
    assert_eq!(
        jsonpath(
            &tc,
            &["rollout", "demo"],
            "{.metadata.labels.team} {.metadata.generation} [{.status}]"
        ),
        "a 1 []"
    );
    // The status subresource writes status only.
    let status = r#"{"spec":{"replicas":9},"status":{"phase":"Healthy","replicas":2,"HPAReplicas":2,"updatedReplicas":1,"availableReplicas":1,"selector":"app=demo"}}"#;
    assert_eq!(
        tc.kubectl_ok(&[
            "patch",
            "rollout",
            "demo",
            "--subresource=status",
            "--type",
            "merge",
            "-p",
            status
        ]),
        "rollout.argoproj.io/demo patched\n"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["rollout", "demo"],
            "{.spec.replicas} {.status.phase} {.metadata.generation}"
        ),
        "2 Healthy 1"
    );
    let table = Table::parse(&tc.kubectl_ok(&["get", "ro"]));
    assert_eq!(
        table.cells("demo", &["DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE"]),
        ["2", "2", "1", "1"]
    );
    let table = Table::parse(&tc.kubectl_ok(&["get", "rollout", "demo", "--subresource=status"]));
    assert_eq!(table.cells("demo", &["CURRENT"]), ["2"]);
    // describe shows the object and the events about it.
    let uid = jsonpath(&tc, &["rollout", "demo"], "{.metadata.uid}");
    let event = format!(
        "apiVersion: v1\nkind: Event\nmetadata:\n  name: demo.update\ninvolvedObject:\n  apiVersion: argoproj.io/v1alpha1\n  kind: Rollout\n  name: demo\n  namespace: default\n  uid: {uid}\nreason: RolloutUpdated\nmessage: Rollout updated to revision 1\ntype: Normal\nsource:\n  component: rollouts-controller\nfirstTimestamp: \"2026-01-01T00:00:00Z\"\nlastTimestamp: \"2026-01-01T00:00:00Z\"\ncount: 1\n"
    );
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &event);
    let described = tc.kubectl_ok(&["describe", "rollout", "demo"]);
    for expected in [
        "Name:         demo",
        "API Version:  argoproj.io/v1alpha1",
        "Kind:         Rollout",
        "  Phase:               Healthy",
    ] {
        assert!(
            described.lines().any(|l| l.trim_end() == expected),
            "{expected:?} in:\n{described}"
        );
    }
    let last = common::words(described.lines().last().unwrap());
    assert_eq!(
        [last[0], last[1], last[3]],
        ["Normal", "RolloutUpdated", "rollouts-controller"],
        "{described}"
    );
    assert_eq!(last[4..].join(" "), "Rollout updated to revision 1");

    // Spec changes bump the generation.
    tc.kubectl_ok(&[
        "patch",
        "rollout",
        "demo",
        "--type",
        "json",
        "-p",
        r#"[{"op":"replace","path":"/spec/revisionHistoryLimit","value":5}]"#,
    ]);
    assert_eq!(jsonpath(&tc, &["rollout", "demo"], "{.metadata.generation}"), "2");
    // Client-side apply of the same manifest (with its own status section) keeps the status.
    let with_status = format!("{ROLLOUT}status:\n  phase: Degraded\n");
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &with_status);
    assert_eq!(
        jsonpath(
            &tc,
            &["rollout", "demo"],
            "{.status.phase} {.spec.revisionHistoryLimit} {.metadata.generation}"
        ),
        "Healthy 2 3"
    );

    // The scale subresource.
    assert_eq!(
        tc.kubectl_ok(&["scale", "rollout", "demo", "--replicas=3"]),
        "rollout.argoproj.io/demo scaled\n"
    );
    assert_eq!(
        jsonpath(&tc, &["rollout", "demo"], "{.spec.replicas} {.metadata.generation}"),
        "3 4"
    );
    let scale: serde_json::Value = serde_json::from_str(&tc.kubectl_ok(&[
        "get",
        "--raw",
        "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/demo/scale",
    ]))
    .unwrap();
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["apiVersion"], "autoscaling/v1");
    assert_eq!(scale["spec"]["replicas"], 3);
    assert_eq!(scale["status"]["replicas"], 2);
    assert_eq!(scale["status"]["selector"], "app=demo");
    let err = kubectl_err(
        &tc,
        &["scale", "rollout", "demo", "--replicas=5", "--current-replicas=4"],
    );
    assert!(err.contains("Expected replicas to be 4, was 3"), "{err}");
    let err = kubectl_err(&tc, &["scale", "rollout", "demo", "--replicas=-1"]);
    assert!(err.contains("--replicas=COUNT"), "{err}");
    assert_eq!(jsonpath(&tc, &["rollout", "demo"], "{.spec.replicas}"), "3");

    // Schema validation with the schema's field paths, and strict unknown-field checks.
    let bad_type = ROLLOUT.replace("setWeight: 20", "setWeight: \"x\"");
    let err = kubectl_err_stdin(&tc, &["apply", "-f", "-"], &bad_type);
    assert!(
        err.contains(
            "The Rollout \"demo\" is invalid: spec.strategy.canary.steps[0].setWeight: Invalid value: \"string\": spec.strategy.canary.steps[0].setWeight in body must be of type integer: \"string\""
        ),
        "{err}"
    );
    let unknown = ROLLOUT.replace("  replicas: 2\n", "  replicas: 2\n  bogus: 1\n");
    let err = kubectl_err_stdin(&tc, &["apply", "-f", "-"], &unknown);
    assert!(
        err.contains("strict decoding error: unknown field \"spec.bogus\""),
        "{err}"
    );
    let created = unknown.replace("name: demo", "name: lenient");
    let out = tc.kubectl_stdin(&["create", "--validate=false", "-f", "-"], &created);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        jsonpath(&tc, &["rollout", "lenient"], "{.spec.bogus}"),
        "",
        "unknown fields are pruned"
    );
    let missing = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: nospec\n";
    let err = kubectl_err_stdin(&tc, &["create", "-f", "-"], missing);
    assert!(
        err.contains("The Rollout \"nospec\" is invalid: spec: Required value"),
        "{err}"
    );
}

#[test]
fn upstream_and_service_mesh_crds_install() {
    if !kubectl_available() {
        return;
    }
    let Some(corpus) = rollouts_testkit::conformance_or_skip("upstream_and_service_mesh_crds_install") else {
        return;
    };
    let tc = TestCluster::start().unwrap();
    let mut args = vec!["apply".to_string(), "--server-side".to_string()];
    for dir in ["manifests/crds", "test/e2e/crds"] {
        for f in rollouts_testkit::files_with_ext(&corpus.join(dir), &[".yaml"]) {
            if f.file_name().is_some_and(|n| n == "kustomization.yaml") {
                continue;
            }
            args.push("-f".into());
            args.push(f.to_string_lossy().into_owned());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = tc.kubectl_ok(&args);
    assert_eq!(out.lines().count(), 21, "{out}");
    assert!(out.lines().all(|l| l.ends_with(" serverside-applied")), "{out}");
    let names = tc.kubectl_ok(&["get", "crds", "-o", "name"]);
    assert_eq!(names.lines().count(), 21, "{names}");

    let table = Table::parse(&tc.kubectl_ok(&["api-resources", "-o", "wide"]));
    for (name, short, version, kind, categories) in [
        ("rollouts", "ro", "argoproj.io/v1alpha1", "Rollout", ""),
        (
            "virtualservices",
            "vs",
            "networking.istio.io/v1beta1",
            "VirtualService",
            "istio-io,networking-istio-io",
        ),
        (
            "envoyfilters",
            "",
            "networking.istio.io/v1alpha3",
            "EnvoyFilter",
            "istio-io,networking-istio-io",
        ),
        (
            "authorizationpolicies",
            "",
            "security.istio.io/v1",
            "AuthorizationPolicy",
            "istio-io,security-istio-io",
        ),
        ("trafficsplits", "ts", "split.smi-spec.io/v1alpha4", "TrafficSplit", ""),
        ("apisixroutes", "ar", "apisix.apache.org/v2", "ApisixRoute", ""),
    ] {
        let row = table
            .rows
            .iter()
            .find(|r| r["NAME"] == name && r["KIND"] == kind)
            .unwrap_or_else(|| panic!("no {name} in api-resources"));
        assert_eq!(
            [
                &row["SHORTNAMES"],
                &row["APIVERSION"],
                &row["NAMESPACED"],
                &row["CATEGORIES"]
            ],
            [short, version, "true", categories],
            "{name}"
        );
    }

    // Objects of every served version are one object.
    let vs = "apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: web
spec:
  hosts: [web]
  http:
  - route:
    - destination: {host: web-stable}
      weight: 100
    - destination: {host: web-canary}
      weight: 0
";
    assert_eq!(
        tc.kubectl_ok_stdin(&["apply", "-f", "-"], vs),
        "virtualservice.networking.istio.io/web created\n"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["virtualservices.v1beta1.networking.istio.io", "web"],
            "{.apiVersion} {.spec.hosts[0]}"
        ),
        "networking.istio.io/v1beta1 web"
    );
    assert_eq!(
        jsonpath(
            &tc,
            &["virtualservices.v1alpha3.networking.istio.io", "web"],
            "{.apiVersion}"
        ),
        "networking.istio.io/v1alpha3"
    );
    let table = Table::parse(&tc.kubectl_ok(&["get", "vs"]));
    assert_eq!(table.columns, ["NAME", "GATEWAYS", "HOSTS", "AGE"]);
    assert_eq!(table.cells("web", &["GATEWAYS", "HOSTS"]), ["", "[\"web\"]"]);
    let err = kubectl_err_stdin(&tc, &["apply", "-f", "-"], &vs.replace("weight: 0", "weight: \"none\""));
    assert!(
        err.contains("spec.http[0].route[1].weight: Invalid value: \"string\""),
        "{err}"
    );
    // Deleting a CRD stops serving its kind and deletes its objects.
    assert_eq!(
        tc.kubectl_ok(&["delete", "crd", "virtualservices.networking.istio.io"]),
        "customresourcedefinition.apiextensions.k8s.io \"virtualservices.networking.istio.io\" deleted\n"
    );
    common::wait_for(
        "the VirtualService kind to go",
        std::time::Duration::from_secs(10),
        || {
            let out = tc.kubectl(&[
                "get",
                "--raw",
                "/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices",
            ]);
            !out.status.success()
        },
    );
    let crd = corpus.join("test/e2e/crds/istio.yaml");
    tc.kubectl_ok(&["apply", "--server-side", "-f", crd.to_str().unwrap()]);
    let out = tc.kubectl(&["get", "vs"]);
    assert!(out.status.success());
    assert_eq!(common::stderr(&out), "No resources found in default namespace.\n");
}
