#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of the AWS ALB router with the dev cluster, the in-process rollouts controller and
//! the real kubectl: upstream's ALB manifests applied unchanged, and at each step the forward action
//! the AWS Load Balancer Controller would read from the Ingress annotation, read back through kubectl
//! and compared with what upstream's `aws_test.go` asserts.

use crate::common;

use common::objects::wait_phase;
use common::routing::{annotation, corpus_files, object, revision_hash, selected, start_applied, update_spec, wait_eq};
use serde_json::Value;

/// The forward action upstream writes: the canary, the extra destinations, then the stable, each
/// with its weight, on `port`.
fn forward(groups: &[(&str, i64)], port: u16) -> String {
    let groups: Vec<String> = groups
        .iter()
        .map(|(service, weight)| format!(r#"{{"ServiceName":"{service}","ServicePort":"{port}","Weight":{weight}}}"#))
        .collect();
    format!(
        r#"{{"Type":"forward","ForwardConfig":{{"TargetGroups":[{}]}}}}"#,
        groups.join(",")
    )
}

/// The action annotation `actions.<service>` of an Ingress, `None` while it is not there.
fn action(env: &common::Env, ingress: &str, service: &str) -> Option<String> {
    annotation(
        &object(env, "ingress", ingress),
        &format!("alb.ingress.kubernetes.io/actions.{service}"),
    )
}

/// The Rollout's `status.message`.
fn message(env: &common::Env, name: &str) -> String {
    env.rollout(name)["status"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Upstream's `TestALBCanaryUpdate` manifest: the root Service's action follows each setWeight, the
/// bookkeeping annotation names it, and promotion ends with everything on the (new) stable.
#[test]
fn alb_canary_action_follows_each_set_weight() {
    const TEST: &str = "alb_canary_action_follows_each_set_weight";
    const NAME: &str = "alb-canary";
    const INGRESS: &str = "alb-canary-ingress";
    const ROOT: &str = "alb-canary-root";
    let Some(files) = corpus_files(TEST, &["test/e2e/functional/alb-canary-rollout.yaml"]) else {
        return;
    };
    let Some((env, mut controller)) = start_applied("alb-canary", &files) else {
        return;
    };
    let at = |canary: i64| {
        Some(forward(
            &[("alb-canary-desired", canary), ("alb-canary-stable", 100 - canary)],
            80,
        ))
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "the action at weight 0", at(0), || action(&env, INGRESS, ROOT));
    let ingress = object(&env, "ingress", INGRESS);
    assert_eq!(
        annotation(&ingress, "rollouts.argoproj.io/managed-alb-annotations").as_deref(),
        Some(r#"{"alb-canary":["alb.ingress.kubernetes.io/actions.alb-canary-root"]}"#)
    );
    assert_eq!(
        annotation(&ingress, "kubernetes.io/ingress.class").as_deref(),
        Some("alb")
    );

    update_spec(&env, NAME, "2");
    wait_eq(20, "the action at weight 10", at(10), || action(&env, INGRESS, ROOT));
    assert_eq!(selected(&env, "alb-canary-desired"), revision_hash(&env, NAME, "2"));
    assert_eq!(selected(&env, "alb-canary-stable"), revision_hash(&env, NAME, "1"));
    env.plugin_ok(&["promote", NAME]);
    wait_eq(20, "the action at weight 20", at(20), || action(&env, INGRESS, ROOT));
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "the action back at weight 0", at(0), || action(&env, INGRESS, ROOT));
    assert_eq!(selected(&env, "alb-canary-stable"), revision_hash(&env, NAME, "2"));
    controller.stop();
}

/// Upstream's `TestALBCanaryUpdateMultiIngress` manifest names `rootService: alb-canary-root` while
/// its Ingresses send to `alb-canary-multi-ingress-root`: upstream's reference validation refuses it,
/// and so does this controller, with upstream's message, writing nothing to the Ingresses.
#[test]
fn alb_multi_ingress_manifest_is_refused_as_upstream_refuses_it() {
    const TEST: &str = "alb_multi_ingress_manifest_is_refused_as_upstream_refuses_it";
    const NAME: &str = "alb-canary-multi-ingress";
    let Some(files) = corpus_files(TEST, &["test/e2e/functional/alb-canary-multi-ingress-rollout.yaml"]) else {
        return;
    };
    let Some((env, mut controller)) = start_applied("alb-multi-ingress", &files) else {
        return;
    };
    let expected = "InvalidSpec: The Rollout \"alb-canary-multi-ingress\" is invalid: \
        spec.strategy.canary.trafficRouting.alb.ingresses: Invalid value: \"alb-canary-multi-ingress-1\": \
        ingress `alb-canary-multi-ingress-1` has no rules using service alb-canary-root backend";
    wait_eq(30, "the InvalidSpec message", expected.to_string(), || {
        message(&env, NAME)
    });
    for ingress in ["alb-canary-multi-ingress-1", "alb-canary-multi-ingress-2"] {
        assert_eq!(action(&env, ingress, "alb-canary-root"), None, "{ingress}");
    }

    // Pointing the Rollout at the Ingresses' root Service fixes it: both Ingresses then carry the
    // same action at every step, as upstream's `assertWeightsMultiIngress` reads them.
    let patch = r#"{"spec":{"strategy":{"canary":{"trafficRouting":{"alb":{"rootService":"alb-canary-multi-ingress-root"}}}}}}"#;
    env.cluster
        .kubectl_ok(&["patch", "rollout", NAME, "--type=merge", "-p", patch]);
    wait_phase(&env, NAME, 30, "Healthy");
    let at = |canary: i64| {
        Some(forward(
            &[
                ("alb-canary-multi-ingress-desired", canary),
                ("alb-canary-multi-ingress-stable", 100 - canary),
            ],
            80,
        ))
    };
    let both = |canary: i64| vec![at(canary), at(canary)];
    let read = || {
        ["alb-canary-multi-ingress-1", "alb-canary-multi-ingress-2"]
            .iter()
            .map(|i| action(&env, i, "alb-canary-multi-ingress-root"))
            .collect::<Vec<_>>()
    };
    wait_eq(10, "both actions at weight 0", both(0), read);
    update_spec(&env, NAME, "2");
    wait_eq(20, "both actions at weight 10", both(10), read);
    env.plugin_ok(&["promote", "--full", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "both actions back at weight 0", both(0), read);
    controller.stop();
}

/// Upstream's `docs/getting-started/alb` manifests: setWeight 5 then an indefinite pause.
#[test]
fn alb_getting_started_sets_five_percent_then_promotes() {
    const TEST: &str = "alb_getting_started_sets_five_percent_then_promotes";
    const NAME: &str = "rollouts-demo";
    const INGRESS: &str = "rollouts-demo-ingress";
    let Some(files) = corpus_files(
        TEST,
        &[
            "docs/getting-started/alb/services.yaml",
            "docs/getting-started/alb/ingress.yaml",
            "docs/getting-started/alb/rollout.yaml",
        ],
    ) else {
        return;
    };
    let Some((env, mut controller)) = start_applied("alb-getting-started", &files) else {
        return;
    };
    let at = |canary: i64| {
        Some(forward(
            &[("rollouts-demo-canary", canary), ("rollouts-demo-stable", 100 - canary)],
            80,
        ))
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "the action at weight 0", at(0), || {
        action(&env, INGRESS, "rollouts-demo-root")
    });
    env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:yellow"]);
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "the action at weight 5", at(5), || {
        action(&env, INGRESS, "rollouts-demo-root")
    });
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "the action back at weight 0", at(0), || {
        action(&env, INGRESS, "rollouts-demo-root")
    });
    assert_eq!(selected(&env, "rollouts-demo-stable"), revision_hash(&env, NAME, "2"));
    controller.stop();
}

/// Upstream's `TestALBBlueGreenUpdate` manifest: blue-green behind an ALB Ingress; the Ingress is not
/// the Rollout's to change, and the update is promoted to Healthy.
#[test]
fn alb_blue_green_update_reaches_healthy() {
    const TEST: &str = "alb_blue_green_update_reaches_healthy";
    const NAME: &str = "alb-bluegreen";
    let Some(files) = corpus_files(TEST, &["test/e2e/functional/alb-bluegreen-rollout.yaml"]) else {
        return;
    };
    let Some((env, mut controller)) = start_applied("alb-bluegreen", &files) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    let before = object(&env, "ingress", "alb-bluegreen-ingress");
    update_spec(&env, NAME, "2");
    wait_eq(30, "the active Service on revision 2", true, || {
        crate::common::routing::rs_with_revision(&env, NAME, "2")
            .is_some_and(|_| selected(&env, "alb-bluegreen-stable") == revision_hash(&env, NAME, "2"))
    });
    wait_phase(&env, NAME, 30, "Healthy");
    assert_eq!(selected(&env, "alb-bluegreen-desired"), revision_hash(&env, NAME, "2"));
    let after = object(&env, "ingress", "alb-bluegreen-ingress");
    assert_eq!(after["metadata"]["annotations"], before["metadata"]["annotations"]);
    assert_eq!(after["spec"], before["spec"]);
    controller.stop();
}

/// Upstream's `TestALBExperimentStep`: during the experiment step the weighted template's Service
/// gets its own target group between the canary and the stable.
#[test]
fn alb_experiment_step_adds_the_template_target_group() {
    const TEST: &str = "alb_experiment_step_adds_the_template_target_group";
    const NAME: &str = "alb-rollout";
    const INGRESS: &str = "alb-rollout-ingress";
    let Some(files) = corpus_files(TEST, &["test/e2e/alb/rollout-alb-experiment.yaml"]) else {
        return;
    };
    let Some((env, mut controller)) = start_applied("alb-experiment", &files) else {
        return;
    };
    let read = || action(&env, INGRESS, "alb-rollout-root");
    let idle = Some(forward(&[("alb-rollout-canary", 0), ("alb-rollout-stable", 100)], 80));
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "the action at weight 0", idle.clone(), read);

    update_spec(&env, NAME, "2");
    let template_service = common::wait_for(30, "the experiment's template Service", || {
        let experiments = common::objects::get_json(&env, &["get", "experiments", "-o", "json"]);
        experiments["items"][0]["status"]["templateStatuses"][0]["serviceName"]
            .as_str()
            .map(str::to_string)
    });
    let during = Some(forward(
        &[
            ("alb-rollout-canary", 10),
            (template_service.as_str(), 20),
            ("alb-rollout-stable", 70),
        ],
        80,
    ));
    wait_eq(20, "the action with the template's target group", during, read);

    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "the action back at weight 0", idle, read);
    controller.stop();
}

/// A canary with `pingPong` behind an ALB (upstream's `TestALBPingPongUpdate`): the root Service's
/// action sends to the ping and pong Services, the stable side swapping on each promotion, as
/// `status.canary.stablePingPong` says.
#[test]
fn alb_ping_pong_swaps_the_stable_side_on_promotion() {
    const NAME: &str = "alb-ping-pong";
    const INGRESS: &str = "alb-ping-pong-ingress";
    let Some(env) = common::Env::start("alb-ping-pong") else {
        return;
    };
    let mut controller = env.start_controller();
    env.apply(PING_PONG);
    let stable_side = || env.rollout(NAME)["status"]["canary"]["stablePingPong"].clone();
    let weights = |ping: i64, pong: i64, stable_is_ping: bool| {
        let groups = if stable_is_ping {
            [("pong-service", pong), ("ping-service", ping)]
        } else {
            [("ping-service", ping), ("pong-service", pong)]
        };
        Some(forward(&groups, 80))
    };
    let read = || action(&env, INGRESS, "alb-ping-pong-root");
    wait_phase(&env, NAME, 30, "Healthy");
    assert_eq!(stable_side(), Value::from("ping"));
    wait_eq(10, "all on ping", weights(100, 0, true), read);

    // Update 1: from ping to pong.
    update_spec(&env, NAME, "2");
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "25 on pong", weights(75, 25, true), read);
    assert_eq!(selected(&env, "pong-service"), revision_hash(&env, NAME, "2"));
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "pong is the stable side", Value::from("pong"), stable_side);
    wait_eq(10, "all on pong", weights(0, 100, false), read);

    // Update 2: back from pong to ping.
    update_spec(&env, NAME, "3");
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "25 on ping", weights(25, 75, false), read);
    assert_eq!(selected(&env, "ping-service"), revision_hash(&env, NAME, "3"));
    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "ping is the stable side again", Value::from("ping"), stable_side);
    wait_eq(10, "all on ping again", weights(100, 0, true), read);
    controller.stop();
}

/// Upstream's Ingress controller: once the Rollout is gone, the next change to its ALB Ingress resets
/// the action it wrote to send everything to the action's Service, and its bookkeeping entry goes.
#[test]
fn alb_actions_of_a_deleted_rollout_are_reset() {
    const NAME: &str = "alb-released";
    const INGRESS: &str = "alb-released-ingress";
    let Some(env) = common::Env::start("alb-released") else {
        return;
    };
    let mut controller = env.start_controller();
    env.apply(RELEASED);
    wait_phase(&env, NAME, 30, "Healthy");
    let read = || action(&env, INGRESS, "alb-released-stable");
    wait_eq(
        10,
        "the action at weight 0",
        Some(forward(&[("alb-released-canary", 0), ("alb-released-stable", 100)], 80)),
        read,
    );

    env.cluster.kubectl_ok(&["delete", "rollout", NAME]);
    env.cluster.kubectl_ok(&["annotate", "ingress", INGRESS, "touched=yes"]);
    wait_eq(
        15,
        "the action reset to the stable Service",
        Some(forward(&[("alb-released-stable", 100)], 80)),
        read,
    );
    let ingress = object(&env, "ingress", INGRESS);
    assert_eq!(
        annotation(&ingress, "rollouts.argoproj.io/managed-alb-annotations"),
        None
    );
    assert_eq!(annotation(&ingress, "touched").as_deref(), Some("yes"));
    controller.stop();
}

/// An ALB canary whose action is under its stable Service (no `rootService`).
const RELEASED: &str = r"
apiVersion: v1
kind: Service
metadata: {name: alb-released-stable}
spec:
  ports: [{port: 80, targetPort: http, protocol: TCP, name: http}]
  selector: {app: alb-released}
---
apiVersion: v1
kind: Service
metadata: {name: alb-released-canary}
spec:
  ports: [{port: 80, targetPort: http, protocol: TCP, name: http}]
  selector: {app: alb-released}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: alb-released-ingress
  annotations: {kubernetes.io/ingress.class: alb}
spec:
  rules:
  - http:
      paths:
      - path: /*
        pathType: ImplementationSpecific
        backend: {service: {name: alb-released-stable, port: {name: use-annotation}}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: alb-released}
spec:
  replicas: 1
  selector: {matchLabels: {app: alb-released}}
  template:
    metadata: {labels: {app: alb-released}}
    spec:
      containers:
      - name: web
        image: nginx:1.19-alpine
        ports: [{name: http, containerPort: 80, protocol: TCP}]
  strategy:
    canary:
      stableService: alb-released-stable
      canaryService: alb-released-canary
      trafficRouting:
        alb: {ingress: alb-released-ingress, servicePort: 80}
      steps:
      - setWeight: 25
      - pause: {}
";

/// After upstream's `alb-pingpong-rollout.yaml`, with an indefinite pause so that the test promotes.
const PING_PONG: &str = r"
apiVersion: v1
kind: Service
metadata: {name: alb-ping-pong-root}
spec:
  ports: [{port: 80, targetPort: http, protocol: TCP, name: http}]
  selector: {app: alb-ping-pong}
---
apiVersion: v1
kind: Service
metadata: {name: ping-service}
spec:
  ports: [{port: 80, targetPort: http, protocol: TCP, name: http}]
  selector: {app: alb-ping-pong}
---
apiVersion: v1
kind: Service
metadata: {name: pong-service}
spec:
  ports: [{port: 80, targetPort: http, protocol: TCP, name: http}]
  selector: {app: alb-ping-pong}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: alb-ping-pong-ingress
  annotations: {kubernetes.io/ingress.class: alb}
spec:
  rules:
  - http:
      paths:
      - path: /*
        pathType: ImplementationSpecific
        backend: {service: {name: alb-ping-pong-root, port: {name: use-annotation}}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: alb-ping-pong}
spec:
  replicas: 2
  selector: {matchLabels: {app: alb-ping-pong}}
  template:
    metadata: {labels: {app: alb-ping-pong}}
    spec:
      containers:
      - name: web
        image: nginx:1.19-alpine
        ports: [{name: http, containerPort: 80, protocol: TCP}]
  strategy:
    canary:
      pingPong: {pingService: ping-service, pongService: pong-service}
      trafficRouting:
        alb: {ingress: alb-ping-pong-ingress, rootService: alb-ping-pong-root, servicePort: 80}
      steps:
      - setWeight: 25
      - pause: {}
";
