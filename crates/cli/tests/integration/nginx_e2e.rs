#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end test of the NGINX router with the dev cluster, the in-process rollouts controller and the
//! real kubectl: upstream's `docs/getting-started/nginx` manifests applied unchanged; at each setWeight
//! the canary Ingress `<rollout>-<stable ingress>-canary` read back through kubectl carries upstream's
//! annotations, rules and owner, and `kubectl argo rollouts get rollout` shows the actual weight.

use crate::common;

use common::objects::{get_json, wait_phase};
use common::routing::{corpus_files, get_line, object, revision_hash, selected, start_applied, update_spec, wait_eq};
use serde_json::{Value, json};

const NAME: &str = "rollouts-demo";
const STABLE_INGRESS: &str = "rollouts-demo-stable";
const CANARY_INGRESS: &str = "rollouts-demo-rollouts-demo-stable-canary";
const CANARY: &str = "rollouts-demo-canary";
const STABLE: &str = "rollouts-demo-stable";

/// The canary Ingress's annotations, or `Null` while it does not exist.
fn canary_annotations(env: &common::Env) -> Value {
    object(env, "ingress", CANARY_INGRESS)["metadata"]["annotations"].clone()
}

/// What upstream writes at `weight`: the stable Ingress's class, and the canary annotations.
fn expected_annotations(weight: u32) -> Value {
    json!({
        "kubernetes.io/ingress.class": "nginx",
        "nginx.ingress.kubernetes.io/canary": "true",
        "nginx.ingress.kubernetes.io/canary-weight": weight.to_string(),
    })
}

#[test]
fn nginx_getting_started_canary_ingress_follows_each_set_weight() {
    const TEST: &str = "nginx_getting_started_canary_ingress_follows_each_set_weight";
    let Some(files) = corpus_files(
        TEST,
        &[
            "docs/getting-started/nginx/services.yaml",
            "docs/getting-started/nginx/ingress.yaml",
            "docs/getting-started/nginx/rollout.yaml",
        ],
    ) else {
        return;
    };
    let Some((env, mut controller)) = start_applied("nginx-getting-started", &files) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");

    // Healthy: the canary Ingress exists with no weight, owned by the Rollout, routing the stable
    // Ingress's rule to the canary Service; the stable Ingress is left as written.
    wait_eq(10, "the canary Ingress with weight 0", expected_annotations(0), || {
        canary_annotations(&env)
    });
    let canary = get_json(&env, &["get", "ingress", CANARY_INGRESS, "-o", "json"]);
    let rollout = env.rollout(NAME);
    let owner = &canary["metadata"]["ownerReferences"][0];
    assert_eq!(owner["kind"], "Rollout");
    assert_eq!(owner["name"], NAME);
    assert_eq!(owner["uid"], rollout["metadata"]["uid"]);
    assert_eq!(owner["controller"], true);
    assert_eq!(
        canary["spec"]["rules"],
        json!([{"host": "rollouts-demo.local", "http": {"paths": [{
            "path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": CANARY, "port": {"number": 80}}}}]}}])
    );
    let stable = get_json(&env, &["get", "ingress", STABLE_INGRESS, "-o", "json"]);
    assert_eq!(
        stable["metadata"]["annotations"]["kubernetes.io/ingress.class"],
        "nginx"
    );
    assert!(stable["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary"].is_null());
    assert_eq!(
        stable["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
        STABLE
    );

    // setWeight 5, then the pause.
    env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:yellow"]);
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "canary weight 5", expected_annotations(5), || {
        canary_annotations(&env)
    });
    assert_eq!(get_line(&env, NAME, "ActualWeight:"), "ActualWeight:  5");
    assert_eq!(selected(&env, CANARY), revision_hash(&env, NAME, "2"));
    assert_eq!(selected(&env, STABLE), revision_hash(&env, NAME, "1"));

    // Promoted: the new version is stable and the canary weight is back to 0.
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "canary weight 0 after promotion", expected_annotations(0), || {
        canary_annotations(&env)
    });
    assert_eq!(selected(&env, STABLE), revision_hash(&env, NAME, "2"));
    // With every step done, upstream's plugin shows the whole weight on the (now stable) version.
    assert_eq!(get_line(&env, NAME, "ActualWeight:"), "ActualWeight:  100");

    // Another update, aborted at the pause: the weight goes back to 0 and, once the canary has no
    // traffic, the canary Service selects the stable pods again.
    update_spec(&env, NAME, "3");
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "canary weight 5 again", expected_annotations(5), || {
        canary_annotations(&env)
    });
    env.plugin_ok(&["abort", NAME]);
    wait_phase(&env, NAME, 30, "Degraded");
    wait_eq(10, "canary weight 0 after the abort", expected_annotations(0), || {
        canary_annotations(&env)
    });
    let stable_hash = revision_hash(&env, NAME, "2");
    wait_eq(10, "the canary Service back on the stable", stable_hash, || {
        selected(&env, CANARY)
    });

    // The canary Ingress goes with its Rollout.
    env.cluster.kubectl_ok(&["delete", "rollout", NAME]);
    wait_eq(15, "the canary Ingress deleted", Value::Null, || {
        object(&env, "ingress", CANARY_INGRESS)
    });
    controller.stop();
}
