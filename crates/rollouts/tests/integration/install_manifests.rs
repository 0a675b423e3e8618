//! The install manifests: `deploy/install.yaml` and `deploy/namespace-install.yaml` are what
//! `rollouts manifests` renders from the kustomizations (and what `kubectl kustomize` builds from them);
//! they hold the controller, its permissions and the CRDs; their Deployment runs the controller with
//! flags it accepts; and a dev cluster accepts and stores every object, applied with the real kubectl.

use std::path::{Path, PathBuf};
use std::process::Command;

use rollouts_devcluster::testing::{TestCluster, temp_dir};
use rollouts_testkit::{conformance_or_skip, workspace_root, yaml_documents};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

fn deploy_dir() -> PathBuf {
    workspace_root().join("deploy")
}

fn rendered(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(deploy_dir().join(file)).unwrap();
    yaml_documents(&text).unwrap()
}

fn kubectl_missing() -> bool {
    let missing = Command::new("kubectl").args(["version", "--client"]).output().is_err();
    if missing {
        eprintln!("SKIPPED: kubectl is not on PATH");
    }
    missing
}

/// `Kind namespace/name` of an object.
fn id(object: &Value) -> String {
    let text = |p: &str| {
        object
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    format!(
        "{} {}/{}",
        text("/kind"),
        text("/metadata/namespace"),
        text("/metadata/name")
    )
}

/// `Kind namespace/name` of every object, in order.
fn ids(objects: &[Value]) -> Vec<String> {
    objects.iter().map(id).collect()
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {:?}", ids(objects)))
}

#[test]
fn rendered_files_are_current() {
    let out = temp_dir("manifests");
    let status = Command::new(BIN)
        .args(["manifests", "--deploy-dir"])
        .arg(deploy_dir())
        .arg("--out-dir")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    for file in ["install.yaml", "namespace-install.yaml"] {
        let fresh = std::fs::read_to_string(out.join(file)).unwrap();
        let checked_in = std::fs::read_to_string(deploy_dir().join(file)).unwrap_or_default();
        assert!(
            fresh == checked_in,
            "deploy/{file} is stale: run `cargo run -p rollouts -- manifests`"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_crds_folder_still_applies_with_kubectl_apply_f() {
    // kubectl reads the .json, .yaml and .yml files of a folder: they must all be CRDs (the folder's
    // kustomization is named `Kustomization` for that).
    let mut crds = 0;
    for entry in std::fs::read_dir(deploy_dir().join("crds")).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !matches!(ext, "json" | "yaml" | "yml") {
            continue;
        }
        for document in yaml_documents(&std::fs::read_to_string(&path).unwrap()).unwrap() {
            assert_eq!(document["kind"], "CustomResourceDefinition", "{}", path.display());
            crds += 1;
        }
    }
    assert_eq!(crds, 5);
}

#[test]
fn kubectl_kustomize_builds_the_same_objects() {
    if kubectl_missing() {
        return;
    }
    for (kustomization, file) in [
        ("cluster-install", "install.yaml"),
        ("namespace-install", "namespace-install.yaml"),
    ] {
        let out = Command::new("kubectl")
            .arg("kustomize")
            .arg(deploy_dir().join(kustomization))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let built = yaml_documents(&String::from_utf8(out.stdout).unwrap()).unwrap();
        let ours = rendered(file);
        assert_eq!(ids(&ours), ids(&built), "{file}: objects or their order differ");
        for (a, b) in ours.iter().zip(&built) {
            assert!(a == b, "{file}: {} differs from kubectl kustomize's", id(a));
        }
    }
}

#[test]
fn the_cluster_install_holds_the_controller_its_permissions_and_the_crds() {
    let objects = rendered("install.yaml");
    let crd_names = [
        "analysisruns.argoproj.io",
        "analysistemplates.argoproj.io",
        "clusteranalysistemplates.argoproj.io",
        "experiments.argoproj.io",
        "rollouts.argoproj.io",
    ];
    let mut expected = vec!["Namespace /argo-rollouts".to_string()];
    expected.extend(crd_names.iter().map(|n| format!("CustomResourceDefinition /{n}")));
    expected.extend(
        [
            "ServiceAccount argo-rollouts/argo-rollouts",
            "ClusterRole /argo-rollouts",
            "ClusterRole /argo-rollouts-aggregate-to-admin",
            "ClusterRole /argo-rollouts-aggregate-to-edit",
            "ClusterRole /argo-rollouts-aggregate-to-view",
            "ClusterRoleBinding /argo-rollouts",
            "Service argo-rollouts/argo-rollouts-metrics",
            "Deployment argo-rollouts/argo-rollouts",
        ]
        .map(String::from),
    );
    assert_eq!(ids(&objects), expected);

    // The CRDs are the generated ones, unchanged.
    for (file, crd) in rollouts_api::crd::all().unwrap() {
        let crd = serde_json::to_value(crd).unwrap();
        let name = crd["metadata"]["name"].as_str().unwrap();
        assert_eq!(find(&objects, "CustomResourceDefinition", name), &crd, "{file}");
    }

    let binding = find(&objects, "ClusterRoleBinding", "argo-rollouts");
    assert_eq!(
        binding["roleRef"],
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "argo-rollouts"})
    );
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": "argo-rollouts", "namespace": "argo-rollouts"}])
    );
    check_controller(&objects, &["--metrics-addr=0.0.0.0:8090"]);
}

#[test]
fn the_namespace_install_grants_a_role_in_its_namespace_only() {
    let objects = rendered("namespace-install.yaml");
    let ids = ids(&objects);
    assert!(!ids.iter().any(|id| id.starts_with("Namespace ")), "{ids:?}");
    assert!(!ids.iter().any(|id| id.starts_with("ClusterRoleBinding ")), "{ids:?}");
    assert!(ids.contains(&"Role /argo-rollouts".to_string()), "{ids:?}");
    assert!(!ids.contains(&"ClusterRole /argo-rollouts".to_string()), "{ids:?}");
    // No namespace anywhere: `kubectl apply -n NS` puts everything namespaced into NS.
    assert!(ids.iter().all(|id| id.contains(" /")), "{ids:?}");
    let binding = find(&objects, "RoleBinding", "argo-rollouts");
    assert_eq!(
        binding["roleRef"],
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "argo-rollouts"})
    );
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": "argo-rollouts"}])
    );
    // The same rules as the cluster install's ClusterRole.
    let cluster = rendered("install.yaml");
    assert_eq!(
        find(&objects, "Role", "argo-rollouts")["rules"],
        find(&cluster, "ClusterRole", "argo-rollouts")["rules"]
    );
    check_controller(
        &objects,
        &["--metrics-addr=0.0.0.0:8090", "--namespace=$(POD_NAMESPACE)"],
    );
}

/// The ServiceAccount, Deployment and metrics Service of an install, the Deployment running
/// `rollouts controller` with `args`.
fn check_controller(objects: &[Value], args: &[&str]) {
    find(objects, "ServiceAccount", "argo-rollouts");
    let deployment = find(objects, "Deployment", "argo-rollouts");
    let pod = &deployment["spec"]["template"];
    assert_eq!(pod["spec"]["serviceAccountName"], "argo-rollouts");
    let container = &pod["spec"]["containers"][0];
    assert_eq!(container["command"], json!(["rollouts", "controller"]));
    assert_eq!(container["args"], json!(args));
    assert_eq!(
        container["env"],
        json!([{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}])
    );
    assert_eq!(
        container["ports"],
        json!([{"name": "metrics", "containerPort": 8090, "protocol": "TCP"}])
    );
    for probe in ["livenessProbe", "readinessProbe"] {
        assert_eq!(
            container[probe]["httpGet"],
            json!({"path": "/healthz", "port": "metrics"}),
            "{probe}"
        );
    }
    assert!(container["resources"]["requests"]["cpu"].is_string());
    assert!(container["resources"]["requests"]["memory"].is_string());
    // The restricted Pod Security Standard.
    assert_eq!(pod["spec"]["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        pod["spec"]["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let security = &container["securityContext"];
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault");

    let service = find(objects, "Service", "argo-rollouts-metrics");
    assert_eq!(
        service["spec"]["ports"],
        json!([{"name": "metrics", "port": 8090, "protocol": "TCP", "targetPort": "metrics"}])
    );
    let labels = pod["metadata"]["labels"].as_object().unwrap();
    for (key, value) in service["spec"]["selector"].as_object().unwrap() {
        assert_eq!(
            labels.get(key),
            Some(value),
            "the Service selects the controller's pods"
        );
    }
}

#[test]
fn the_deployment_s_arguments_are_flags_the_controller_accepts() {
    for file in ["install.yaml", "namespace-install.yaml"] {
        let objects = rendered(file);
        let container = &find(&objects, "Deployment", "argo-rollouts")["spec"]["template"]["spec"]["containers"][0];
        // As the kubelet expands them.
        let args: Vec<String> = container["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().replace("$(POD_NAMESPACE)", "team-a"))
            .collect();
        let out = Command::new(BIN)
            .arg("controller")
            .args(&args)
            .args(["--kubeconfig", "/nonexistent/kubeconfig"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The flags parsed: what fails is reading the kubeconfig, after them.
        assert!(!out.status.success());
        assert!(stderr.contains("reading the kubeconfig"), "{file}: {stderr}");
    }
}

#[test]
fn aggregate_roles_grant_what_upstream_s_grant() {
    let Some(corpus) = conformance_or_skip("aggregate_roles_grant_what_upstream_s_grant") else {
        return;
    };
    let text = std::fs::read_to_string(corpus.join("manifests/base/argo-rollouts-aggregate-roles.yaml")).unwrap();
    let upstream = yaml_documents(&text).unwrap();
    let ours = rendered("install.yaml");
    for theirs in &upstream {
        let name = theirs["metadata"]["name"].as_str().unwrap();
        let mine = find(&ours, "ClusterRole", name);
        assert_eq!(mine["rules"], theirs["rules"], "{name}");
        assert_eq!(mine["metadata"]["labels"], theirs["metadata"]["labels"], "{name}");
    }
    assert_eq!(upstream.len(), 3);
}

/// Every field of `expected` is in `actual` with the same value (the API server adds defaults, status
/// and metadata of its own); the paths that differ.
fn missing(expected: &Value, actual: &Value, path: &str) -> Vec<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .flat_map(|(k, v)| missing(v, a.get(k).unwrap_or(&Value::Null), &format!("{path}.{k}")))
            .collect(),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .flat_map(|(i, (e, a))| missing(e, a, &format!("{path}[{i}]")))
            .collect(),
        _ if expected == actual => Vec::new(),
        _ => vec![format!("{path}: applied {expected}, stored {actual}")],
    }
}

/// Applies `file` with kubectl and checks the cluster stores every object of it as applied.
fn check_stored(cluster: &TestCluster, file: &Path, namespace: &str) {
    let file = file.to_str().unwrap();
    let listed = cluster.kubectl_ok(&["get", "-n", namespace, "-f", file, "-o", "json"]);
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let stored = listed["items"].as_array().unwrap();
    let mut applied = yaml_documents(&std::fs::read_to_string(file).unwrap()).unwrap();
    for object in &mut applied {
        let kind = object["kind"].as_str().unwrap();
        if !matches!(
            kind,
            "Namespace" | "CustomResourceDefinition" | "ClusterRole" | "ClusterRoleBinding"
        ) && object["metadata"]["namespace"].is_null()
        {
            object["metadata"]["namespace"] = json!(namespace);
        }
    }
    assert_eq!(ids(stored), ids(&applied), "{file}");
    for (applied, stored) in applied.iter().zip(stored) {
        let differences = missing(applied, stored, "");
        assert!(
            differences.is_empty(),
            "{file}: {}:\n{}",
            id(applied),
            differences.join("\n")
        );
    }
}

#[test]
fn a_dev_cluster_accepts_and_stores_both_installs() {
    if kubectl_missing() {
        return;
    }
    let cluster = TestCluster::start().unwrap();
    let deploy = deploy_dir();
    // As a cluster admin installs it: kubectl's own kustomize, server-side apply.
    let cluster_install = deploy.join("cluster-install");
    cluster.kubectl_ok(&["apply", "--server-side", "-k", cluster_install.to_str().unwrap()]);
    check_stored(&cluster, &deploy.join("install.yaml"), "argo-rollouts");
    // Applying the rendered file over it changes nothing and conflicts with nothing.
    let install = deploy.join("install.yaml");
    cluster.kubectl_ok(&["apply", "--server-side", "-f", install.to_str().unwrap()]);

    cluster.kubectl_ok(&["create", "namespace", "team-a"]);
    let namespace_install = deploy.join("namespace-install.yaml");
    cluster.kubectl_ok(&[
        "apply",
        "--server-side",
        "-n",
        "team-a",
        "-f",
        namespace_install.to_str().unwrap(),
    ]);
    check_stored(&cluster, &namespace_install, "team-a");
}
