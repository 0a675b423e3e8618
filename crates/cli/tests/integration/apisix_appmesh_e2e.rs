#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of the APISIX and App Mesh routers with the dev cluster, the in-process rollouts
//! controller and the real kubectl: upstream's `test/e2e/apisix` and `test/e2e/appmesh` manifests
//! (and upstream's APISIX CRD) applied unchanged; at every step the routing objects are read back
//! through kubectl and compared with what upstream's `apisix_test.go` and `appmesh_test.go` assert.
//! The long timed pauses are skipped by promoting.

use crate::common;

use common::objects::wait_phase;
use common::routing::{
    corpus_files, object, revision_hash, revision_pod_count, start_applied, step_index, update_spec, wait_eq,
};
use common::{Env, wait_for};
use serde_json::{Value, json};

/// Promotes the Rollout and waits for it to reach step `index`.
fn promote_to(env: &Env, name: &str, index: i64) {
    env.plugin_ok(&["promote", name]);
    wait_for(30, &format!("step {index}"), || {
        (step_index(env, name) == index).then_some(())
    });
}

mod apisix {
    use super::*;

    const ROUTE: &str = "rollouts-apisix-route";
    const RULE: &str = "rollouts-apisix";
    const STABLE: &str = "rollout-apisix-canary-stable";
    const CANARY: &str = "rollout-apisix-canary-canary";
    const NAME: &str = "rollout-apisix-canary";

    /// `(stable, canary)` weights of the rule's backends (upstream's `check`).
    fn weights(env: &Env) -> (i64, i64) {
        let route = object(env, "apisixroute", ROUTE);
        let rule = route["spec"]["http"]
            .as_array()
            .and_then(|rules| rules.iter().find(|r| r["name"] == RULE))
            .cloned()
            .unwrap_or(Value::Null);
        let weight = |service: &str| {
            rule["backends"]
                .as_array()
                .and_then(|b| b.iter().find(|b| b["serviceName"] == service))
                .and_then(|b| b["weight"].as_i64())
                .unwrap_or(-1)
        };
        (weight(STABLE), weight(CANARY))
    }

    fn start(test: &str, label: &str, manifest: &str) -> Option<(Env, common::Controller)> {
        let files = corpus_files(test, &["test/e2e/crds/apisix.yaml", manifest])?;
        start_applied(label, &files)
    }

    /// Upstream's `TestAPISIXCanaryStep`.
    #[test]
    fn apisix_canary_weights_as_upstreams_test_apisix_canary_step() {
        const TEST: &str = "apisix_canary_weights_as_upstreams_test_apisix_canary_step";
        let Some((env, mut controller)) = start(TEST, "apisix-canary", "test/e2e/apisix/rollout-apisix-canary.yaml")
        else {
            return;
        };
        wait_phase(&env, NAME, 30, "Healthy");
        wait_eq(10, "the weights when healthy", (100, 0), || weights(&env));

        update_spec(&env, NAME, "1");
        wait_for(30, "step 1", || (step_index(&env, NAME) == 1).then_some(()));
        wait_eq(10, "5 % to the canary", (95, 5), || weights(&env));

        promote_to(&env, NAME, 3);
        wait_eq(10, "50 % to the canary", (50, 50), || weights(&env));

        env.plugin_ok(&["promote", NAME]);
        wait_phase(&env, NAME, 30, "Healthy");
        wait_eq(10, "the weights after promotion", (100, 0), || weights(&env));
        // The old ReplicaSet is kept for the scale-down delay.
        assert_eq!(revision_pod_count(&env, NAME, "1"), 1);
        controller.stop();
    }

    /// Upstream's `TestAPISIXCanarySetHeaderStep`, and the header route's body and removal.
    #[test]
    fn apisix_header_route_as_upstreams_test_apisix_canary_set_header_step() {
        const TEST: &str = "apisix_header_route_as_upstreams_test_apisix_canary_set_header_step";
        const HEADER_ROUTE: &str = "set-header";
        let Some((env, mut controller)) = start(
            TEST,
            "apisix-header",
            "test/e2e/apisix/rollout-apisix-canary-set-header.yaml",
        ) else {
            return;
        };
        wait_phase(&env, NAME, 30, "Healthy");
        wait_eq(10, "the weights when healthy", (100, 0), || weights(&env));
        assert_eq!(object(&env, "apisixroute", HEADER_ROUTE), Value::Null);

        // Step 0: the header route, a copy of the route sending `trace: debug` to the canary only.
        update_spec(&env, NAME, "1");
        let route = wait_for(30, "the header route", || {
            let route = object(&env, "apisixroute", HEADER_ROUTE);
            (!route.is_null()).then_some(route)
        });
        assert_eq!(step_index(&env, NAME), 0);
        assert_eq!(route["metadata"]["name"], HEADER_ROUTE);
        let owner = &route["metadata"]["ownerReferences"][0];
        assert_eq!(
            (owner["kind"].as_str(), owner["name"].as_str()),
            (Some("Rollout"), Some(NAME))
        );
        assert_eq!(owner["controller"], true);
        let rule = &route["spec"]["http"][0];
        assert_eq!(rule["name"], RULE);
        assert_eq!(
            rule["match"]["exprs"],
            json!([{"subject": {"scope": "Header", "name": "trace"}, "op": "Equal", "value": "debug"}])
        );
        assert_eq!(
            rule["backends"],
            json!([{"serviceName": CANARY, "servicePort": 80, "weight": 100}])
        );
        assert_eq!(rule["priority"], 1);
        assert_eq!(rule["match"]["hosts"], json!(["rollouts-demo.apisix.local"]));
        // The route itself is untouched meanwhile.
        assert_eq!(weights(&env), (100, 0));

        promote_to(&env, NAME, 1);
        promote_to(&env, NAME, 3);
        wait_eq(10, "5 % to the canary", (95, 5), || weights(&env));
        promote_to(&env, NAME, 5);
        wait_eq(10, "50 % to the canary", (50, 50), || weights(&env));

        // Promoted: all to the stable, and the managed header route is deleted.
        env.plugin_ok(&["promote", NAME]);
        wait_phase(&env, NAME, 30, "Healthy");
        wait_eq(10, "the weights after promotion", (100, 0), || weights(&env));
        wait_eq(10, "the header route gone", Value::Null, || {
            object(&env, "apisixroute", HEADER_ROUTE)
        });
        assert_eq!(revision_pod_count(&env, NAME, "1"), 1);
        controller.stop();
    }
}

mod appmesh {
    use super::*;

    const NAME: &str = "my-rollout";
    const ROUTER: &str = "my-vrouter";

    /// Minimal App Mesh CRDs (`appmesh.k8s.aws/v1beta2`) keeping every field.
    fn crds() -> String {
        let crd = |kind: &str, plural: &str, scope: &str| {
            format!(
                "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.appmesh.k8s.aws
spec:
  group: appmesh.k8s.aws
  scope: {scope}
  names:
    plural: {plural}
    singular: {singular}
    kind: {kind}
  versions:
    - name: v1beta2
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
",
                singular = kind.to_lowercase()
            )
        };
        [
            crd("Mesh", "meshes", "Cluster"),
            crd("VirtualService", "virtualservices", "Namespaced"),
            crd("VirtualRouter", "virtualrouters", "Namespaced"),
            crd("VirtualNode", "virtualnodes", "Namespaced"),
        ]
        .join("---\n")
    }

    /// `(canary, stable)` weights of each route's weighted targets (upstream's `getWeightedTargets`).
    fn weights(env: &Env) -> Vec<(String, i64, i64)> {
        let router = object(env, "virtualrouter", ROUTER);
        router["spec"]["routes"]
            .as_array()
            .map(|routes| {
                routes
                    .iter()
                    .map(|route| {
                        let (mut canary, mut stable) = (-1, -1);
                        for target in route["httpRoute"]["action"]["weightedTargets"]
                            .as_array()
                            .into_iter()
                            .flatten()
                        {
                            let weight = target["weight"].as_i64().unwrap_or(-1);
                            if target["virtualNodeRef"]["name"]
                                .as_str()
                                .unwrap_or_default()
                                .contains("canary")
                            {
                                canary = weight;
                            } else {
                                stable = weight;
                            }
                        }
                        (route["name"].as_str().unwrap_or_default().to_string(), canary, stable)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn primary(canary: i64) -> Vec<(String, i64, i64)> {
        vec![("primary".to_string(), canary, 100 - canary)]
    }

    /// `(canary, stable)` hashes the VirtualNodes' pod selectors carry.
    fn node_hashes(env: &Env) -> (String, String) {
        let hash = |node: &str| {
            object(env, "virtualnode", node)["spec"]["podSelector"]["matchLabels"]["rollouts-pod-template-hash"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        (hash("my-vn-canary"), hash("my-vn-stable"))
    }

    /// Upstream's `TestAppMeshCanaryRollout`, and the VirtualNodes' pod selectors at each step.
    #[test]
    fn appmesh_canary_as_upstreams_test_appmesh_canary_rollout() {
        const TEST: &str = "appmesh_canary_as_upstreams_test_appmesh_canary_rollout";
        let Some(files) = corpus_files(TEST, &["test/e2e/appmesh/appmesh-canary-rollout.yaml"]) else {
            return;
        };
        let Some(env) = Env::start("appmesh-canary") else {
            return;
        };
        env.apply(&crds());
        let mut controller = env.start_controller();
        common::routing::apply_file(&env, &files[0]);
        wait_phase(&env, NAME, 30, "Healthy");
        let rs1 = revision_hash(&env, NAME, "1");
        wait_eq(10, "no weight to the canary", primary(0), || weights(&env));
        // One ReplicaSet: the canary node gets the placeholder, not the stable's hash.
        wait_eq(
            10,
            "the nodes when healthy",
            ("canary-hash".to_string(), rs1.clone()),
            || node_hashes(&env),
        );
        let labels = &object(&env, "virtualnode", "my-vn-stable")["spec"]["podSelector"]["matchLabels"];
        assert_eq!(labels["app"], "my-app");

        update_spec(&env, NAME, "1");
        wait_phase(&env, NAME, 30, "Paused");
        let rs2 = revision_hash(&env, NAME, "2");
        wait_eq(10, "the step's weight", primary(50), || weights(&env));
        wait_eq(10, "the nodes during the update", (rs2.clone(), rs1.clone()), || {
            node_hashes(&env)
        });

        env.plugin_ok(&["promote", NAME]);
        wait_phase(&env, NAME, 30, "Healthy");
        wait_eq(10, "all to the stable after promotion", primary(0), || weights(&env));
        wait_eq(
            10,
            "the nodes after promotion",
            ("canary-hash".to_string(), rs2),
            || node_hashes(&env),
        );
        controller.stop();
    }
}
