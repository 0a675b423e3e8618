#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of the Traefik and Ambassador routers with the dev cluster, the in-process
//! controller and the real kubectl. The CRDs are minimal ones written here (any field kept), as the
//! corpus has none for these kinds; Ambassador's example manifests are upstream's, applied unchanged,
//! and Traefik's are those of upstream's Traefik documentation. At every step the routing objects are
//! read back through kubectl. The long pauses of the examples are promoted through.

use serde_json::Value;

use crate::common;

use common::objects::wait_phase;
use common::routing::{apply_file, corpus_files, object, pairs, step_index, wait_eq};
use common::{Env, wait_for};

/// A namespaced CRD serving one version and keeping every field, for a kind the corpus has no CRD of.
fn minimal_crd(group: &str, version: &str, kind: &str, plural: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.{group}
spec:
  group: {group}
  scope: Namespaced
  names:
    kind: {kind}
    listKind: {kind}List
    plural: {plural}
    singular: {singular}
  versions:
  - name: {version}
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
",
        singular = kind.to_lowercase()
    )
}

/// `(service, weight)` of each weighted service of a TraefikService, in order; a service without a
/// weight reads as `-1`.
fn traefik_weights(env: &Env, name: &str) -> Vec<(String, i64)> {
    let service = object(env, "traefikservices.traefik.io", name);
    service["spec"]["weighted"]["services"]
        .as_array()
        .map(|services| {
            services
                .iter()
                .map(|s| {
                    (
                        s["name"].as_str().unwrap_or_default().to_string(),
                        s["weight"].as_i64().unwrap_or(-1),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The objects of upstream's Traefik documentation: the Services, the weighted TraefikService (no
/// weights: the controller sets them) and the Rollout (its `...` filled with a selector and a template).
const TRAEFIK_MANIFEST: &str = "apiVersion: v1
kind: Service
metadata:
  name: stable-rollout
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: rollouts-demo
---
apiVersion: v1
kind: Service
metadata:
  name: canary-rollout
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: rollouts-demo
---
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata:
  name: traefik-service
spec:
  weighted:
    services:
      - name: stable-rollout
        port: 80
      - name: canary-rollout
        port: 80
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: rollouts-demo
spec:
  replicas: 5
  strategy:
    canary:
      canaryService: canary-rollout
      stableService: stable-rollout
      trafficRouting:
        traefik:
          weightedTraefikServiceName: traefik-service
      steps:
      - setWeight: 30
      - pause: {}
      - setWeight: 40
      - pause: {duration: 10}
      - setWeight: 60
      - pause: {duration: 10}
      - setWeight: 80
      - pause: {duration: 10}
  selector:
    matchLabels:
      app: rollouts-demo
  template:
    metadata:
      labels:
        app: rollouts-demo
    spec:
      containers:
      - name: rollouts-demo
        image: argoproj/rollouts-demo:blue
        ports:
        - containerPort: 8080
";

#[test]
fn traefik_weights_follow_the_steps_and_return_to_the_stable() {
    const NAME: &str = "rollouts-demo";
    const SERVICE: &str = "traefik-service";
    let Some(env) = Env::start("traffic-traefik") else {
        return;
    };
    let mut controller = env.start_controller();
    env.apply(&minimal_crd(
        "traefik.io",
        "v1alpha1",
        "TraefikService",
        "traefikservices",
    ));
    wait_for(10, "the TraefikService CRD", || {
        env.cluster
            .kubectl(&["get", "traefikservices.traefik.io"])
            .status
            .success()
            .then_some(())
    });
    env.apply(TRAEFIK_MANIFEST);
    wait_phase(&env, NAME, 30, "Healthy");
    // Healthy: everything to the stable, the weights now written.
    let weights = |canary: i64| pairs(&[("stable-rollout", 100 - canary), ("canary-rollout", canary)]);
    wait_eq(10, "weight 0", weights(0), || traefik_weights(&env, SERVICE));

    env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:yellow"]);
    wait_for(30, "step 1", || (step_index(&env, NAME) == 1).then_some(()));
    wait_eq(10, "weight 30", weights(30), || traefik_weights(&env, SERVICE));
    for (step, weight) in [(3, 40), (5, 60), (7, 80)] {
        env.plugin_ok(&["promote", NAME]);
        wait_for(30, "the next pause", || (step_index(&env, NAME) == step).then_some(()));
        wait_eq(10, "the step's weight", weights(weight), || {
            traefik_weights(&env, SERVICE)
        });
    }
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "weight 0 after promotion", weights(0), || {
        traefik_weights(&env, SERVICE)
    });
    // The rest of the TraefikService is left as it was.
    let service = object(&env, "traefikservices.traefik.io", SERVICE);
    assert_eq!(service["spec"]["weighted"]["services"][0]["port"], 80);
    assert_eq!(service["spec"]["weighted"]["services"][1]["port"], 80);
    controller.stop();
}

/// Messages of the Warning events about Rollout `name` with `reason`.
fn warnings(env: &Env, name: &str, reason: &str) -> Vec<String> {
    let events = common::objects::get_json(env, &["get", "events", "-o", "json"]);
    events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["involvedObject"]["kind"] == "Rollout" && e["involvedObject"]["name"] == name)
        .filter(|e| e["type"] == "Warning" && e["reason"] == reason)
        .filter_map(|e| e["message"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_refused_traefik_service_update_is_a_warning_event_and_is_retried() {
    const NAME: &str = "rollouts-demo";
    const SERVICE: &str = "traefik-service";
    let Some(env) = Env::start("traffic-traefik-refused") else {
        return;
    };
    let mut controller = env.start_controller();
    env.apply(&minimal_crd(
        "traefik.io",
        "v1alpha1",
        "TraefikService",
        "traefikservices",
    ));
    wait_for(10, "the TraefikService CRD", || {
        env.cluster
            .kubectl(&["get", "traefikservices.traefik.io"])
            .status
            .success()
            .then_some(())
    });
    env.apply(TRAEFIK_MANIFEST);
    wait_phase(&env, NAME, 30, "Healthy");
    let weights = |canary: i64| pairs(&[("stable-rollout", 100 - canary), ("canary-rollout", canary)]);
    wait_eq(10, "weight 0", weights(0), || traefik_weights(&env, SERVICE));

    // The API server refuses every update of a TraefikService from now on.
    let faults = &env.cluster.cluster().server.faults;
    faults.set(rollouts_devcluster::faults::FaultSettings {
        rules: vec![rollouts_devcluster::faults::FaultRule {
            verb: Some("update".into()),
            resource: Some("traefikservices".into()),
            code: 500,
            rate: 1.0,
        }],
        latency_millis: 0,
    });
    env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:yellow"]);
    let message = wait_for(30, "upstream's warning", || {
        warnings(&env, NAME, "TraefikServiceUpdateError").into_iter().next()
    });
    assert!(
        message.starts_with("Error updating traefik service \"traefik-service\": "),
        "{message}"
    );
    assert_eq!(traefik_weights(&env, SERVICE), weights(0), "nothing was written");
    // Once the API server takes updates again, the retried reconcile sets the step's weight.
    faults.set(rollouts_devcluster::faults::FaultSettings::default());
    wait_eq(30, "weight 30", weights(30), || traefik_weights(&env, SERVICE));
    controller.stop();
}

/// `spec.weight` of a Mapping, `None` while it does not exist (or has no weight).
fn mapping_weight(mapping: &Value) -> Option<i64> {
    mapping["spec"]["weight"].as_i64()
}

#[test]
fn ambassador_canary_mapping_follows_the_steps_and_goes_after_promotion() {
    const TEST: &str = "ambassador_canary_mapping_follows_the_steps_and_goes_after_promotion";
    const NAME: &str = "echo-rollout";
    const MAPPINGS: &str = "mappings.getambassador.io";
    let Some(files) = corpus_files(
        TEST,
        &[
            "examples/ambassador/echo-service.yaml",
            "examples/ambassador/echo-mapping.yaml",
            "examples/ambassador/rollout.yaml",
        ],
    ) else {
        return;
    };
    let Some(env) = Env::start("traffic-ambassador") else {
        return;
    };
    let mut controller = env.start_controller();
    env.apply(&minimal_crd("getambassador.io", "v2", "Mapping", "mappings"));
    wait_for(10, "the Mapping CRD", || {
        env.cluster.kubectl(&["get", MAPPINGS]).status.success().then_some(())
    });
    for file in &files {
        apply_file(&env, file);
    }
    wait_phase(&env, NAME, 30, "Healthy");
    let base = object(&env, MAPPINGS, "echo");
    // Nothing to send to a canary yet: no canary Mapping.
    assert_eq!(object(&env, MAPPINGS, "echo-canary"), Value::Null);

    env.plugin_ok(&["set", "image", NAME, "echo-v1=hashicorp/http-echo:0.2.3"]);
    wait_for(30, "step 1", || (step_index(&env, NAME) == 1).then_some(()));
    let canary = wait_for(10, "the canary Mapping", || {
        let mapping = object(&env, MAPPINGS, "echo-canary");
        (mapping_weight(&mapping) == Some(30)).then_some(mapping)
    });
    // A copy of the base Mapping to the canary Service, with no metadata of the base's but its namespace.
    assert_eq!(canary["spec"]["service"], "echo-canary:80");
    assert_eq!(canary["spec"]["prefix"], "/echo");
    assert_eq!(canary["spec"]["rewrite"], "/echo");
    assert_eq!(canary["spec"]["resolver"], "endpoint");
    assert_eq!(canary["metadata"]["ownerReferences"], Value::Null);
    for (step, weight) in [(3, 60), (5, 100)] {
        env.plugin_ok(&["promote", NAME]);
        wait_for(30, "the next pause", || (step_index(&env, NAME) == step).then_some(()));
        wait_eq(10, "the step's weight", Some(weight), || {
            mapping_weight(&object(&env, MAPPINGS, "echo-canary"))
        });
    }
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    // The weight goes to 0 first, and the canary Mapping is deleted a few seconds later.
    let mut seen_at_zero = false;
    wait_for(20, "the canary Mapping to be deleted", || {
        let mapping = object(&env, MAPPINGS, "echo-canary");
        seen_at_zero |= mapping_weight(&mapping) == Some(0);
        mapping.is_null().then_some(())
    });
    assert!(
        seen_at_zero,
        "the canary Mapping was deleted before its weight went to 0"
    );
    // The base Mapping is never written.
    let after = object(&env, MAPPINGS, "echo");
    assert_eq!(after["spec"], base["spec"]);
    assert_eq!(
        after["metadata"]["resourceVersion"],
        base["metadata"]["resourceVersion"]
    );
    let weights = &env.rollout(NAME)["status"]["canary"]["weights"];
    assert_eq!(weights["canary"]["weight"], 0);
    assert_eq!(weights["stable"]["weight"], 100);
    controller.stop();
}
