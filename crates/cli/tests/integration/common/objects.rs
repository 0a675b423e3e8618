//! Objects read back through kubectl, and the fields the tests look at.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Env, wait_for_or};

/// The label the controller puts on the ReplicaSets and pods of a Rollout.
pub const HASH_LABEL: &str = "rollouts-pod-template-hash";
/// The revision annotation of a Rollout's ReplicaSets.
pub const REVISION: &str = "rollout.argoproj.io/revision";

/// The demo images the manifests switch between.
pub const BLUE: &str = "argoproj/rollouts-demo:blue";
pub const GREEN: &str = "argoproj/rollouts-demo:green";
pub const YELLOW: &str = "argoproj/rollouts-demo:yellow";
pub const RED: &str = "argoproj/rollouts-demo:red";

/// `kubectl <args>` (which must ask for `-o json`), decoded.
pub fn get_json(env: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&env.cluster.kubectl_ok(args)).unwrap()
}

/// Objects of `kind` labelled `app=<app>`.
pub fn labelled(env: &Env, kind: &str, app: &str) -> Vec<Value> {
    let label = format!("app={app}");
    get_json(env, &["get", kind, "-l", &label, "-o", "json"])["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// The ReplicaSets a Rollout made (they carry the hash label; a Deployment's do not), labelled
/// `app=<app>`.
pub fn rollout_replica_sets(env: &Env, app: &str) -> Vec<Value> {
    labelled(env, "rs", app)
        .into_iter()
        .filter(|rs| rs["metadata"]["labels"][HASH_LABEL].is_string())
        .collect()
}

/// The Rollout's ReplicaSet running `image`.
pub fn rs_with_image(env: &Env, app: &str, image: &str) -> Option<Value> {
    rollout_replica_sets(env, app)
        .into_iter()
        .find(|rs| image_of(rs) == image)
}

pub fn name_of(object: &Value) -> String {
    object["metadata"]["name"].as_str().unwrap_or_default().to_string()
}

pub fn hash_of(object: &Value) -> String {
    object["metadata"]["labels"][HASH_LABEL]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The first container's image of a pod, or of a template's owner (ReplicaSet, Deployment, Rollout).
pub fn image_of(object: &Value) -> String {
    let spec = if object["kind"] == "Pod" {
        &object["spec"]
    } else {
        &object["spec"]["template"]["spec"]
    };
    spec["containers"][0]["image"].as_str().unwrap_or_default().to_string()
}

pub fn spec_replicas(rs: &Value) -> i64 {
    rs["spec"]["replicas"].as_i64().unwrap_or(-1)
}

pub fn available_replicas(rs: &Value) -> i64 {
    rs["status"]["availableReplicas"].as_i64().unwrap_or(0)
}

/// A pod template without the Rollout's hash label.
pub fn without_hash(template: &Value) -> Value {
    let mut template = template.clone();
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
    }
    template
}

/// Counts by key, as the tests spell them.
pub fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The stored Rollout's status.
pub fn status(env: &Env, name: &str) -> Value {
    env.rollout(name)["status"].clone()
}

/// Waits until the controller has observed the Rollout's current generation and reports `phase`.
pub fn wait_phase(env: &Env, name: &str, seconds: u64, phase: &str) -> Value {
    let mut last = Value::Null;
    let found = wait_for_or(seconds, || {
        let r = env.rollout(name);
        let observed = r["status"]["observedGeneration"].as_str() == Some(&r["metadata"]["generation"].to_string());
        last = r["status"].clone();
        (observed && r["status"]["phase"] == phase).then_some(r["status"].clone())
    });
    found.unwrap_or_else(|| panic!("timed out after {seconds} s waiting for phase {phase}; last status: {last:#}"))
}
