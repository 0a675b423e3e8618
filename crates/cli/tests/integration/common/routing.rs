//! Helpers of the traffic-routing end-to-end tests: the corpus files they apply unchanged, the
//! Rollout's steps and ReplicaSets, and the routing objects read back through kubectl.

use std::fmt::Debug;
use std::path::PathBuf;

use serde_json::Value;

use super::objects::{HASH_LABEL, REVISION, get_json};
use super::{Controller, Env, wait_for_or};

/// A file of upstream's corpus (`shared/conformance/argo`), for `kubectl apply -f`; `None` after a
/// notice when the corpus is not reachable.
pub fn corpus(test: &str, path: &str) -> Option<String> {
    let dir: PathBuf = rollouts_testkit::conformance_or_skip(test)?;
    Some(dir.join(path).display().to_string())
}

/// A file of a corpus beside upstream's (`gateway-api`, `gatewayapi-plugin`).
pub fn sibling_corpus(test: &str, corpus_name: &str, path: &str) -> Option<String> {
    let dir = rollouts_testkit::conformance_or_skip(test)?;
    let file = dir.parent()?.join(corpus_name).join(path);
    if file.is_file() {
        Some(file.display().to_string())
    } else {
        eprintln!("SKIPPED {test}: {} was not found", file.display());
        None
    }
}

/// `kubectl apply -f <path>`.
pub fn apply_file(env: &Env, path: &str) {
    env.cluster.kubectl_ok(&["apply", "-f", path]);
}

/// What upstream's e2e fixture does to start an update: a new annotation on the pod template.
pub fn update_spec(env: &Env, name: &str, value: &str) {
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {"update": value}}}}});
    env.cluster
        .kubectl_ok(&["patch", "rollout", name, "--type=merge", "-p", &patch.to_string()]);
}

/// `status.currentStepIndex` of the Rollout.
pub fn step_index(env: &Env, name: &str) -> i64 {
    env.rollout(name)["status"]["currentStepIndex"].as_i64().unwrap_or(-1)
}

/// The ReplicaSet of the Rollout `name` with this revision, if there is one.
pub fn rs_with_revision(env: &Env, name: &str, revision: &str) -> Option<Value> {
    let all = get_json(env, &["get", "rs", "-o", "json"]);
    all["items"].as_array()?.iter().find_map(|rs| {
        (rs["metadata"]["ownerReferences"][0]["name"] == name && rs["metadata"]["annotations"][REVISION] == revision)
            .then(|| rs.clone())
    })
}

/// The ReplicaSet of the Rollout `name` with this revision.
pub fn rs_by_revision(env: &Env, name: &str, revision: &str) -> Value {
    rs_with_revision(env, name, revision).unwrap_or_else(|| panic!("no ReplicaSet of {name} with revision {revision}"))
}

/// The pod-template hash of the Rollout's ReplicaSet with this revision.
pub fn revision_hash(env: &Env, name: &str, revision: &str) -> String {
    let rs = rs_by_revision(env, name, revision);
    rs["spec"]["template"]["metadata"]["labels"][HASH_LABEL]
        .as_str()
        .unwrap_or_else(|| panic!("revision {revision} of {name} has no hash label"))
        .to_string()
}

/// How many pods the Rollout's ReplicaSet of this revision has (upstream's `ExpectRevisionPodCount`).
pub fn revision_pod_count(env: &Env, name: &str, revision: &str) -> usize {
    let hash = revision_hash(env, name, revision);
    let selector = format!("{HASH_LABEL}={hash}");
    let pods = get_json(env, &["get", "pods", "-l", &selector, "-o", "json"]);
    pods["items"].as_array().map_or(0, Vec::len)
}

/// The `rollouts-pod-template-hash` a Service selects.
pub fn selected(env: &Env, service: &str) -> String {
    env.cluster.kubectl_ok(&[
        "get",
        "svc",
        service,
        "-o",
        "jsonpath={.spec.selector.rollouts-pod-template-hash}",
    ])
}

/// An annotation of an object.
pub fn annotation(object: &Value, key: &str) -> Option<String> {
    object["metadata"]["annotations"][key].as_str().map(str::to_string)
}

/// The line of `get rollout` starting with `label` (trimmed), e.g. `ActualWeight:  5`.
pub fn get_line(env: &Env, name: &str, label: &str) -> String {
    let out = env.plugin_ok(&["get", "rollout", name]);
    out.lines()
        .map(str::trim)
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} line in:\n{out}"))
        .to_string()
}

/// The object `kubectl get <kind> <name> -o json` reads, or `Null` while it does not exist.
pub fn object(env: &Env, kind: &str, name: &str) -> Value {
    let out = env.cluster.kubectl(&["get", kind, name, "-o", "json"]);
    if out.status.success() {
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    } else {
        Value::Null
    }
}

/// Polls `probe` until it equals `expected`, failing after `seconds` with the last value seen: the
/// controller writes routing objects a moment after the status it reports, so each step's expectation
/// is waited for rather than read once.
pub fn wait_eq<T: PartialEq + Debug>(seconds: u64, what: &str, expected: T, mut probe: impl FnMut() -> T) {
    let mut last = None;
    let matched = wait_for_or(seconds, || {
        let value = probe();
        let done = value == expected;
        last = Some(value);
        done.then_some(())
    });
    assert!(
        matched.is_some(),
        "timed out after {seconds} s waiting for {what}:\n  expected {expected:?}\n  last seen {last:?}"
    );
}

/// `(host, weight)` of each destination of a VirtualService route (`section` is `http`, `tls` or
/// `tcp`), in order; a destination without a weight counts as 0, as Istio reads it.
pub fn destinations(virtual_service: &Value, section: &str, index: usize) -> Vec<(String, i64)> {
    virtual_service["spec"][section][index]["route"]
        .as_array()
        .map(|routes| {
            routes
                .iter()
                .map(|r| {
                    (
                        r["destination"]["host"].as_str().unwrap_or_default().to_string(),
                        r["weight"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The weights of a VirtualService route's destinations, in order.
pub fn weights(virtual_service: &Value, section: &str, index: usize) -> Vec<i64> {
    destinations(virtual_service, section, index)
        .into_iter()
        .map(|(_, w)| w)
        .collect()
}

/// The names of a VirtualService's HTTP routes, in order.
pub fn http_route_names(virtual_service: &Value) -> Vec<String> {
    virtual_service["spec"]["http"]
        .as_array()
        .map(|routes| {
            routes
                .iter()
                .map(|r| r["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Pairs of owned strings and numbers, as the tests spell expected destinations.
pub fn pairs(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected.iter().map(|(s, w)| (s.to_string(), *w)).collect()
}

/// The files of upstream's corpus at `paths`, or `None` after a notice when it is not reachable.
pub fn corpus_files(test: &str, paths: &[&str]) -> Option<Vec<String>> {
    paths.iter().map(|p| corpus(test, p)).collect()
}

/// A dev cluster and the controller, with `files` applied in order; `None` (after a notice) without
/// kubectl.
pub fn start_applied(label: &str, files: &[String]) -> Option<(Env, Controller)> {
    let env = Env::start(label)?;
    let controller = env.start_controller();
    for file in files {
        apply_file(&env, file);
    }
    Some((env, controller))
}

/// [`start_applied`] with upstream's Istio CRDs first, then upstream's corpus files at `paths`.
pub fn start_with_istio(test: &str, label: &str, paths: &[&str]) -> Option<(Env, Controller)> {
    let mut files = corpus_files(test, &["test/e2e/crds/istio.yaml"])?;
    files.extend(corpus_files(test, paths)?);
    start_applied(label, &files)
}

/// The VirtualService `name`.
pub fn virtual_service(env: &Env, name: &str) -> Value {
    get_json(env, &["get", "virtualservice", name, "-o", "json"])
}
