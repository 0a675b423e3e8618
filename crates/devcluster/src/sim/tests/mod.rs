//! Tests of the simulated controllers: table tests per controller and transition, end-to-end runs over
//! a fake store, and properties.

mod capacity;
mod cluster;
mod deployment;
mod disruption;
mod endpoints;
mod job;
mod kubelet;
mod props;
mod replicaset;

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::sim::meta;

/// The tests' epoch.
pub fn t0() -> Timestamp {
    "2024-01-01T00:00:00Z".parse().unwrap()
}

/// `t0` plus `s` seconds.
pub fn at(s: u64) -> Timestamp {
    meta::add(t0(), Duration::from_secs(s))
}

/// `t0` plus `s` seconds, formatted as the API writes times.
pub fn ts(s: u64) -> String {
    meta::fmt_time(at(s))
}

/// A name suffix source giving `aaaa0`, `aaaa1`, ...
pub fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("x{n:04}")
    }
}

/// A pod of owner `owner_uid` with app label `app`, scheduled and running, ready since `ready`
/// seconds after `t0` (not ready when `None`).
pub fn pod(name: &str, owner_uid: &str, ready: Option<u64>) -> Value {
    let mut p = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": format!("uid-{name}"),
            "labels": {"app": "web"},
            "creationTimestamp": ts(0),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": owner_uid, "controller": true}],
        },
        "spec": {"nodeName": "dev-node", "containers": [{"name": "app", "image": "nginx"}]},
        "status": {"phase": "Running", "podIP": format!("10.244.0.{}", name.len() + 2)},
    });
    let (status, since) = match ready {
        Some(s) => ("True", s),
        None => ("False", 0),
    };
    p["status"]["conditions"] = json!([{"type": "Ready", "status": status, "lastTransitionTime": ts(since)}]);
    p
}

/// A ReplicaSet `web` (uid `rs-uid`) selecting `app: web`.
pub fn replica_set(replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "web", "namespace": "default", "uid": "rs-uid", "generation": 1, "creationTimestamp": ts(0)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}},
        },
    })
}

/// A Deployment `web` with `replicas`, selecting `app: web`, running `image`.
pub fn deployment(replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": image}]}},
        },
    })
}
