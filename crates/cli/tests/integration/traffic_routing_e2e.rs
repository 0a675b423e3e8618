#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of traffic routing with the dev cluster, the in-process rollouts controller and the
//! real kubectl: upstream's manifests (from the conformance corpus, applied unchanged) and upstream's
//! third-party CRDs; at every step the routing objects are read back through kubectl and compared with
//! what upstream's own e2e tests assert, and `kubectl argo rollouts get rollout` shows the weight.

use crate::common;

use common::objects::{get_json, hash_of, wait_phase};
use common::routing::{annotation, apply_file, corpus, get_line, rs_by_revision, selected, step_index};
use common::{Env, wait_for};

/// `(service, weight)` of each backend of a TrafficSplit, in order.
fn split_backends(env: &Env, name: &str) -> Vec<(String, i64)> {
    let split = get_json(env, &["get", "trafficsplit", name, "-o", "json"]);
    split["spec"]["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["service"].as_str().unwrap().to_string(),
                b["weight"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn smi_and_nginx_split_traffic_as_upstreams_smi_ingress_e2e_asserts() {
    const TEST: &str = "smi_and_nginx_split_traffic_as_upstreams_smi_ingress_e2e_asserts";
    const NAME: &str = "rollout-smi-ingress-canary";
    const CANARY: &str = "rollout-smi-ingress-canary-canary";
    const STABLE: &str = "rollout-smi-ingress-canary-stable";
    const SPLIT: &str = "rollout-smi-ingress-canary-trafficsplit";
    const CANARY_INGRESS: &str = "rollout-smi-ingress-canary-rollout-smi-ingress-canary-stable-canary";
    const CANARY_ANNOTATION: &str = "nginx.ingress.kubernetes.io/canary";
    const WEIGHT_ANNOTATION: &str = "nginx.ingress.kubernetes.io/canary-weight";
    let (Some(crd), Some(manifest)) = (
        corpus(TEST, "test/e2e/crds/split.yaml"),
        corpus(TEST, "test/e2e/smi_ingress/rollout-smi-ingress-canary.yaml"),
    ) else {
        return;
    };
    let Some(env) = Env::start("traffic-smi-nginx") else {
        return;
    };
    let mut controller = env.start_controller();
    apply_file(&env, &crd);
    apply_file(&env, &manifest);
    wait_phase(&env, NAME, 30, "Healthy");

    // Healthy: the split sends nothing to the canary; the stable Ingress is left as it is.
    let backends = wait_for(10, "the TrafficSplit", || {
        let b = split_backends(&env, SPLIT);
        (b.len() == 2).then_some(b)
    });
    assert_eq!(backends, [(CANARY.to_string(), 0), (STABLE.to_string(), 100)]);
    let stable_ingress = get_json(&env, &["get", "ingress", STABLE, "-o", "json"]);
    assert_eq!(annotation(&stable_ingress, CANARY_ANNOTATION), None);
    let rs1 = hash_of(&rs_by_revision(&env, NAME, "1"));
    assert_eq!(selected(&env, CANARY), rs1);
    assert_eq!(selected(&env, STABLE), rs1);

    // First step: 5 % to the canary, through both routers.
    env.plugin_ok(&["set", "image", NAME, &format!("{NAME}=nginx:1.21-alpine")]);
    wait_for(30, "step 1", || (step_index(&env, NAME) == 1).then_some(()));
    let backends = wait_for(10, "weight 5 in the TrafficSplit", || {
        let b = split_backends(&env, SPLIT);
        (b[0].1 == 5).then_some(b)
    });
    assert_eq!(backends, [(CANARY.to_string(), 5), (STABLE.to_string(), 95)]);
    let canary_ingress = get_json(&env, &["get", "ingress", CANARY_INGRESS, "-o", "json"]);
    assert_eq!(annotation(&canary_ingress, CANARY_ANNOTATION).as_deref(), Some("true"));
    assert_eq!(annotation(&canary_ingress, WEIGHT_ANNOTATION).as_deref(), Some("5"));
    assert_eq!(
        canary_ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
        CANARY
    );
    let stable_ingress = get_json(&env, &["get", "ingress", STABLE, "-o", "json"]);
    assert_eq!(annotation(&stable_ingress, CANARY_ANNOTATION), None);
    let rs2 = hash_of(&rs_by_revision(&env, NAME, "2"));
    assert_eq!(selected(&env, CANARY), rs2);
    assert_eq!(selected(&env, STABLE), rs1);
    assert_eq!(get_line(&env, NAME, "ActualWeight:"), "ActualWeight:  5");

    // After the 15 s pause: 50 %.
    wait_for(40, "step 2", || (step_index(&env, NAME) >= 2).then_some(()));
    let backends = wait_for(10, "weight 50 in the TrafficSplit", || {
        let b = split_backends(&env, SPLIT);
        (b[0].1 == 50).then_some(b)
    });
    assert_eq!(backends, [(CANARY.to_string(), 50), (STABLE.to_string(), 50)]);
    let canary_ingress = get_json(&env, &["get", "ingress", CANARY_INGRESS, "-o", "json"]);
    assert_eq!(annotation(&canary_ingress, WEIGHT_ANNOTATION).as_deref(), Some("50"));

    // Promoted: the new version is the stable one and the canary weight goes back to 0.
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 40, "Healthy");
    let backends = wait_for(10, "weight 0 after promotion", || {
        let b = split_backends(&env, SPLIT);
        (b[0].1 == 0).then_some(b)
    });
    assert_eq!(backends, [(CANARY.to_string(), 0), (STABLE.to_string(), 100)]);
    let canary_ingress = get_json(&env, &["get", "ingress", CANARY_INGRESS, "-o", "json"]);
    assert_eq!(annotation(&canary_ingress, CANARY_ANNOTATION).as_deref(), Some("true"));
    assert_eq!(annotation(&canary_ingress, WEIGHT_ANNOTATION).as_deref(), Some("0"));
    assert_eq!(selected(&env, CANARY), rs2);
    assert_eq!(selected(&env, STABLE), rs2);
    let weights = &env.rollout(NAME)["status"]["canary"]["weights"];
    assert_eq!(weights["canary"]["weight"], 0);
    assert_eq!(weights["stable"]["weight"], 100);
    assert_eq!(weights["stable"]["podTemplateHash"], rs2.as_str());
    controller.stop();
}
