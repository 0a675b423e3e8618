//! SMI TrafficSplits: in-mesh calls to the root Service, and a meshed ingress reaching it.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::smi::milli_weight;
use super::*;

/// The split the controller writes (v1alpha1: quantities) for root `root` at `canary_weight`.
fn split(root: &str, stable: &str, canary: &str, canary_weight: i64) -> Value {
    json!({
        "apiVersion": "split.smi-spec.io/v1alpha1", "kind": "TrafficSplit",
        "metadata": {"name": "rollouts-demo", "namespace": "default",
                     "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                                          "name": "rollouts-demo", "uid": "u-1", "controller": true}]},
        "spec": {"service": root, "backends": [
            {"service": canary, "weight": (canary_weight).to_string()},
            {"service": stable, "weight": (100 - canary_weight).to_string()},
        ]},
    })
}

#[test]
fn getting_started_smi_splits_ingress_traffic_through_the_mesh() {
    let mut w = World::default();
    for file in [
        "docs/getting-started/smi/ingress.yaml",
        "docs/getting-started/smi/services.yaml",
    ] {
        if !w.add_upstream("getting_started_smi", file) {
            return;
        }
    }
    for svc in &mut w.services {
        let svc = Arc::make_mut(svc);
        let hash = if svc["metadata"]["name"] == "rollouts-demo-stable" {
            "s"
        } else {
            "c"
        };
        svc["spec"]["selector"]["rollouts-pod-template-hash"] = json!(hash);
    }
    w.add(pod(
        "s-1",
        json!({"app": "rollouts-demo", "rollouts-pod-template-hash": "s"}),
        "argoproj/rollouts-demo:blue",
    ))
    .add(pod(
        "c-1",
        json!({"app": "rollouts-demo", "rollouts-pod-template-hash": "c"}),
        "argoproj/rollouts-demo:yellow",
    ))
    // `smi: {}`: the root is the stable Service.
    .add(split(
        "rollouts-demo-stable",
        "rollouts-demo-stable",
        "rollouts-demo-canary",
        20,
    ));
    let table = w.table();
    let counts = spread(&table, &get("rollouts-demo.local", "/color"), 5000, 6);
    let canary = counts.get("c-1").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    // ingress-nginx still names the Service its rule names.
    let r = routed(table.route(&get("rollouts-demo.local", "/"), &mut Script(vec![0])));
    assert_eq!(r.backend.pod, "c-1");
    assert_eq!(r.service.name, "rollouts-demo-stable");
    assert_eq!(
        r.via,
        Via::Ingress {
            namespace: "default".into(),
            ingress: "rollouts-demo-stable".into(),
            canary: None
        }
    );
}

#[test]
fn in_mesh_calls_to_the_root_follow_the_split() {
    let mut w = two_versions();
    w.add(split("demo", "stable", "canary", 20));
    let table = w.table();
    let counts = spread(&table, &get("demo.default.svc.cluster.local", "/"), 5000, 13);
    let canary = counts.get("canary-1").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "{canary} of 5000");
    let r = routed(table.route(&get("demo", "/"), &mut Script(vec![0])));
    assert_eq!(r.service.name, "canary");
    assert_eq!(
        r.via,
        Via::Smi {
            namespace: "default".into(),
            split: "rollouts-demo".into()
        }
    );
    // The backends themselves are not split.
    assert_eq!(via(table.route(&get("canary", "/"), &mut Seeded::new(1))), Via::Service);

    let mut w = two_versions();
    w.add(split("demo", "stable", "canary", 0));
    assert_eq!(spread(&w.table(), &get("demo", "/"), 2000, 1).get("canary-1"), None);
}

#[test]
fn integer_weights_of_later_versions() {
    let mut w = two_versions();
    let mut s = split("demo", "stable", "canary", 0);
    s["apiVersion"] = json!("split.smi-spec.io/v1alpha3");
    s["spec"]["backends"] = json!([{"service": "canary", "weight": 1}, {"service": "stable", "weight": 3}]);
    w.add(s);
    let counts = spread(&w.table(), &get("demo", "/"), 4000, 2);
    let canary = counts.get("canary-1").copied().unwrap_or(0);
    assert!((900..=1100).contains(&canary), "{canary} of 4000");
}

#[test]
fn weights_read_as_quantities() {
    for (weight, milli) in [
        (json!(5), Some(5000)),
        (json!("5"), Some(5000)),
        (json!("500m"), Some(500)),
        (json!("1e3"), Some(1_000_000)),
        (json!("15e3"), Some(15_000_000)),
        (json!("2k"), Some(2_000_000)),
        (json!("0.5"), Some(500)),
        (json!("-3"), Some(0)),
        (json!("ten"), None),
        (json!(true), None),
    ] {
        assert_eq!(milli_weight(&weight), milli, "{weight}");
    }
}

#[test]
fn a_split_of_weight_0_everywhere_is_503() {
    let mut w = two_versions();
    let mut s = split("demo", "stable", "canary", 0);
    s["spec"]["backends"][1]["weight"] = json!("0");
    w.add(s);
    assert_unavailable(
        w.table().route(&get("demo", "/"), &mut Seeded::new(1)),
        "no backend of weight above 0",
    );
}
