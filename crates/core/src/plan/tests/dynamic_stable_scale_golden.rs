//! Golden walks of a canary with `dynamicStableScale` behind a router, after upstream's e2e
//! `TestCanaryDynamicStableScale` (and its abort-delay and rollback variants) on the same Rollout
//! (`test/e2e/functional/canary-dynamic-stable-scale.yaml`, with SMI for the ALB it uses), and the
//! single-reconcile cases of `rollout/trafficrouting_test.go` (`TestDynamicScaling…`,
//! `TestRolloutUseDynamicWeightOnPromoteFull`, `TestDontWeightToZeroWhenDynamicallyRollingBackToStable`,
//! `TestDynamicStableScaleNewCanarySupersedeShouldNotOverloadStable`): every write of every reconcile,
//! in order. ReplicaSet hashes read `<v1>`, `<v2>`... in the order the ReplicaSets were created;
//! status patches show the fields they set.

use serde_json::{Value, json};

use super::world::{World, describe_all, selector_of, service};
use crate::plan::Plan;

const NAME: &str = "dynamic-stable-scale";
const CANARY: &str = "dynamic-stable-scale-canary";
const STABLE: &str = "dynamic-stable-scale-stable";

/// The e2e Rollout: 4 replicas, `setWeight: 25`, pause, `setWeight: 75`, pause; `canary` is merged
/// into its strategy.
fn rollout(canary: Value) -> rollouts_api::Rollout {
    let mut strategy = json!({
        "dynamicStableScale": true,
        "canaryService": CANARY,
        "stableService": STABLE,
        "steps": [{"setWeight": 25}, {"pause": {}}, {"setWeight": 75}, {"pause": {}}],
        "trafficRouting": {"smi": {}}
    });
    crate::plan::merge_patch::apply(&mut strategy, &canary);
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": NAME, "namespace": "default", "uid": "uid-dss", "generation": 1},
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": {"app": NAME}},
            "template": {
                "metadata": {"labels": {"app": NAME}},
                "spec": {"containers": [{"name": NAME, "image": "nginx:1.19-alpine"}]}
            },
            "strategy": {"canary": strategy}
        }
    }))
    .unwrap()
}

/// Revision 1 deployed, its 4 pods available.
fn deployed(canary: Value) -> World {
    let mut w = World::new(rollout(canary));
    w.services = vec![service(CANARY, NAME), service(STABLE, NAME)];
    w.run_until_quiet(20);
    w
}

/// The plan's writes, hashes replaced by `<v1>`, `<v2>`...
fn writes(w: &World, plan: &Plan) -> Vec<String> {
    describe_all(plan)
        .into_iter()
        .map(|mut d| {
            for (i, rs) in w.replica_sets.iter().enumerate() {
                let hash = &rs.metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"];
                d = d.replace(hash.as_str(), &format!("<v{}>", i + 1));
            }
            d
        })
        .collect()
}

/// Reconciles, every pod available after each write, until a plan writes nothing; returns the
/// writes of each plan that wrote something.
fn walk(w: &mut World) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for _ in 0..30 {
        let plan = w.reconcile();
        if plan.actions.is_empty() {
            return all;
        }
        all.push(writes(w, &plan));
        w.settle();
    }
    panic!("no quiet state");
}

/// Reconciles without any pod becoming available, until a plan writes nothing.
fn walk_unready(w: &mut World) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for _ in 0..30 {
        let plan = w.reconcile();
        if plan.actions.is_empty() {
            return all;
        }
        all.push(writes(w, &plan));
    }
    panic!("no quiet state");
}

/// The ReplicaSet at `index` has `available` pods available; the others are done removing pods
/// they were scaled down from.
fn ready(w: &mut World, index: usize, available: i32) {
    for (i, rs) in w.replica_sets.iter_mut().enumerate() {
        let size = rs.spec.replicas.unwrap();
        let status = rs.status.as_mut().unwrap();
        let now = if i == index {
            available
        } else {
            status.available_replicas.unwrap_or(0)
        };
        status.replicas = size;
        status.available_replicas = Some(now.min(size));
        status.ready_replicas = Some(now.min(size));
    }
}

fn sizes(w: &World) -> Vec<i32> {
    w.replica_sets.iter().map(|rs| rs.spec.replicas.unwrap()).collect()
}

/// `(canary, stable)` of `status.canary.weights`.
fn weights(w: &World) -> (i32, i32) {
    let weights = w.status().canary.clone().unwrap().weights.unwrap();
    (weights.canary.weight, weights.stable.weight)
}

fn split(canary: i32) -> String {
    format!(
        r#"patch TrafficSplit {NAME} {{"spec":{{"backends":[{{"service":"{CANARY}","weight":"{canary}"}},{{"service":"{STABLE}","weight":"{}"}}]}}}}"#,
        100 - canary
    )
}

fn selector(service: &str, version: &str) -> String {
    format!(r#"patch svc {service} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"<{version}>"}}}}}}"#)
}

fn update(version: &str, replicas: i32) -> String {
    format!("update rs {NAME}-<{version}> replicas={replicas}")
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// Updated to revision 2 and paused at step 1: the canary has 1 pod for 25 %, the stable 3.
fn paused_at_25(w: &mut World) {
    w.set_image("nginx:1.19-alpine-2");
    walk(w);
    assert_eq!(sizes(w), [3, 1]);
}

/// e2e `TestCanaryDynamicStableScale` up to the last pause, then the promotion: each `setWeight`
/// sizes the canary, moves the weight once its pods are available, and only then shrinks the stable
/// (3 pods at 25 %, 1 at 75 %); the promotion sends everything to the canary, points the stable
/// Service at it and takes the canary weight back to 0, and the old stable goes at once (no
/// `scaleDownDelaySeconds` with `dynamicStableScale`).
#[test]
fn set_weight_steps_shrink_the_stable_behind_the_traffic_and_the_promotion_swaps_then_scales_down() {
    let mut w = deployed(json!({}));
    w.set_image("nginx:1.19-alpine-2");
    let status_after_weight = "patch status HPAReplicas,availableReplicas,canary,conditions,currentStepIndex,readyReplicas,replicas,updatedReplicas";
    let paused = "patch status HPAReplicas,availableReplicas,controllerPause,duration,message,pauseConditions,phase,readyReplicas,replicas";
    assert_eq!(
        walk(&mut w),
        vec![
            s(&[
                &format!("create rs {NAME}-<v2> replicas=0 revision=2"),
                r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"2"}}}"#,
                "patch status conditions",
            ]),
            s(&[
                "patch status conditions,currentPodHash,currentStepIndex,duration,message,observedGeneration,phase,updatedReplicas",
            ]),
            // The canary is sized for 25 %; the weights name it, still at 0.
            s(&[&update("v2", 1), "patch status canary"]),
            // Its pod is available: the canary Service selects it and gets 25 %.
            s(&[&selector(CANARY, "v2"), &split(25), status_after_weight]),
            // Traffic has left the stable: it shrinks to the pods for 75 %.
            s(&[&update("v1", 3)]),
            s(&[paused]),
            s(&["patch status conditions"]),
        ]
    );
    assert_eq!((sizes(&w), weights(&w)), (vec![3, 1], (25, 75)));

    w.patch_status(json!({"pauseConditions": null}));
    assert_eq!(
        walk(&mut w),
        vec![
            s(&["patch status conditions,duration,message,phase"]),
            s(&["patch status conditions,controllerPause,currentStepIndex"]),
            s(&[&update("v2", 3)]),
            s(&[
                &split(75),
                "patch status HPAReplicas,availableReplicas,canary,currentStepIndex,readyReplicas,replicas,updatedReplicas",
            ]),
            s(&[&update("v1", 1)]),
            s(&[paused]),
            s(&["patch status conditions"]),
        ]
    );
    assert_eq!((sizes(&w), weights(&w)), (vec![1, 3], (75, 25)));

    w.patch_status(json!({"pauseConditions": null}));
    assert_eq!(
        walk(&mut w),
        vec![
            s(&["patch status conditions,duration,message,phase"]),
            s(&["patch status conditions,controllerPause,currentStepIndex"]),
            s(&[&update("v2", 4)]),
            // All traffic to the canary, which becomes the stable ReplicaSet...
            s(&[
                &split(100),
                "patch status HPAReplicas,availableReplicas,canary,conditions,duration,message,phase,readyReplicas,replicas,stableRS,updatedReplicas",
            ]),
            // ... the stable Service follows it, and the canary weight goes back to 0 ...
            s(&[&selector(STABLE, "v2"), &split(0), "patch status canary"]),
            // ... and the previous stable goes at once.
            s(&[&update("v1", 0)]),
            s(&["patch status HPAReplicas,availableReplicas,conditions,readyReplicas,replicas"]),
        ]
    );
    assert_eq!((sizes(&w), weights(&w)), (vec![0, 4], (0, 100)));
    assert_eq!(selector_of(&w, CANARY), selector_of(&w, STABLE));
}

/// At step 3 (75 %): the canary has 3 pods, the stable 1.
fn at_75(canary: Value) -> World {
    let mut w = deployed(canary);
    paused_at_25(&mut w);
    w.patch_status(json!({"pauseConditions": null}));
    walk(&mut w);
    assert_eq!((sizes(&w), weights(&w)), (vec![1, 3], (75, 25)));
    w
}

/// e2e `TestCanaryDynamicStableScale`, the abort: the stable grows back first; the weight leaves the
/// canary only as the stable's pods become available, and the canary shrinks behind it (to the pods for
/// the weight it keeps); the canary Service stays on the canary until the stable serves everything,
/// then goes back to the stable with the weight at 0, before the canary's last pod goes.
#[test]
fn abort_brings_the_weight_back_as_fast_as_the_stable_grows() {
    let mut w = at_75(json!({}));
    w.patch_status(json!({"abort": true}));
    // The stable (1 pod available) cannot take 75 % yet: the weight stays, the stable grows to the
    // pods for the step below (25 % on the canary).
    assert_eq!(
        walk_unready(&mut w),
        vec![s(&[
            &update("v1", 3),
            "patch status abortedAt,conditions,controllerPause,currentStepIndex,duration,message,pauseConditions,phase",
        ])]
    );
    assert_eq!(weights(&w), (75, 25));
    // 3 of its pods available: 25 % to the canary, which keeps the 1 pod that needs.
    ready(&mut w, 0, 3);
    assert_eq!(
        walk_unready(&mut w),
        vec![s(&[
            &split(25),
            &update("v2", 1),
            "patch status HPAReplicas,availableReplicas,canary,readyReplicas,replicas",
        ])]
    );
    // The canary's other pods are gone: the stable grows to all 4; the canary Service still selects
    // the canary, which still has 25 %.
    ready(&mut w, 0, 3);
    assert_eq!(
        walk_unready(&mut w),
        vec![s(&[
            &update("v1", 4),
            "patch status HPAReplicas,availableReplicas,readyReplicas,replicas,updatedReplicas",
        ])]
    );
    assert_ne!(selector_of(&w, CANARY), selector_of(&w, STABLE));
    assert_eq!((sizes(&w), weights(&w)), (vec![4, 1], (25, 75)));
    // All 4 available: the canary Service back to the stable, the weight to 0, then the canary's pod
    // goes.
    ready(&mut w, 0, 4);
    assert_eq!(
        walk_unready(&mut w),
        vec![s(&[
            &selector(CANARY, "v1"),
            &split(0),
            &update("v2", 0),
            "patch status HPAReplicas,availableReplicas,canary,readyReplicas,replicas",
        ])]
    );
    assert_eq!((sizes(&w), weights(&w)), (vec![4, 0], (0, 100)));
    assert_eq!(selector_of(&w, CANARY), selector_of(&w, STABLE));
}

/// e2e `TestCanaryDynamicStableScaleAbortScaleDownDelay`: with an explicit
/// `abortScaleDownDelaySeconds` the canary keeps its 3 pods through the abort; the weight steps down
/// as the stable grows, and the canary gets its `scale-down-deadline` only once everything is back on
/// the stable; it goes when the deadline passes.
#[test]
fn abort_with_an_explicit_delay_holds_the_canary_until_the_weight_is_back() {
    let mut w = at_75(json!({"abortScaleDownDelaySeconds": 10}));
    w.patch_status(json!({"abort": true}));
    assert_eq!(
        walk_unready(&mut w),
        vec![s(&[
            &update("v1", 3),
            "patch status abortedAt,conditions,controllerPause,currentStepIndex,duration,message,pauseConditions,phase",
        ])]
    );
    assert_eq!((sizes(&w), weights(&w)), (vec![3, 3], (75, 25)));
    let annotations = |w: &World| w.replica_sets[1].metadata.annotations.clone().unwrap_or_default();
    assert!(!annotations(&w).contains_key("scale-down-deadline"));
    // 3 of 4 stable pods: the weight steps down to 25 and the stable grows for the rest; the canary
    // keeps its pods.
    ready(&mut w, 0, 3);
    assert_eq!(
        walk_unready(&mut w),
        vec![s(&[
            &split(25),
            &update("v1", 4),
            "patch status HPAReplicas,availableReplicas,canary,readyReplicas,replicas",
        ])]
    );
    assert_eq!((sizes(&w), weights(&w)), (vec![4, 3], (25, 75)));
    // All 4: everything back on the stable, and only now the deadline.
    ready(&mut w, 0, 4);
    assert_eq!(
        walk_unready(&mut w),
        vec![s(&[
            &selector(CANARY, "v1"),
            &split(0),
            &format!(
                r#"patch rs {NAME}-<v2> [{{"op":"add","path":"/metadata/annotations/scale-down-deadline","value":"2026-01-01T00:00:10Z"}}]"#
            ),
            "patch status HPAReplicas,availableReplicas,canary,readyReplicas,replicas",
        ])]
    );
    assert_eq!((sizes(&w), weights(&w)), (vec![4, 3], (0, 100)));
    w.advance(10);
    assert_eq!(
        walk(&mut w),
        vec![
            s(&[&update("v2", 0)]),
            s(&["patch status HPAReplicas,availableReplicas,readyReplicas,replicas,updatedReplicas"]),
        ]
    );
    assert_eq!(selector_of(&w, CANARY), selector_of(&w, STABLE));
}

/// e2e `TestCanaryDynamicStableScaleRollbackToStable` (and upstream
/// `TestDontWeightToZeroWhenDynamicallyRollingBackToStable`): going back to revision 1 at 25 % makes
/// it the new ReplicaSet again (revision 3), scaled back to 4 pods; until they are all available the
/// previous canary keeps its pod, its weight and the canary Service, then everything moves back.
#[test]
fn rollback_to_the_stable_keeps_the_previous_canary_until_the_stable_is_whole() {
    let mut w = deployed(json!({}));
    paused_at_25(&mut w);
    let (v1, v2) = (selector_of(&w, STABLE), selector_of(&w, CANARY));
    w.set_image("nginx:1.19-alpine");
    assert_eq!(
        walk_unready(&mut w),
        vec![
            s(&[
                &update("v1", 3),
                r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"3"}}}"#,
                "patch status conditions,controllerPause,currentPodHash,currentStepIndex,duration,message,observedGeneration,pauseConditions,phase,updatedReplicas",
            ]),
            s(&["patch status conditions"]),
            s(&[&update("v1", 4)]),
        ]
    );
    let recorded = w.status().canary.clone().unwrap().weights.unwrap();
    assert_eq!(
        (recorded.canary.pod_template_hash.as_deref(), recorded.canary.weight),
        (Some(v2.as_str()), 25)
    );
    assert_eq!(
        (recorded.stable.pod_template_hash.as_deref(), recorded.stable.weight),
        (Some(v1.as_str()), 75)
    );
    assert_eq!((selector_of(&w, CANARY), sizes(&w)), (v2.clone(), vec![4, 1]));
    ready(&mut w, 0, 4);
    assert_eq!(
        walk(&mut w),
        vec![
            s(&[
                &selector(CANARY, "v1"),
                &split(0),
                "patch status HPAReplicas,availableReplicas,canary,conditions,duration,message,phase,readyReplicas,replicas,updatedReplicas",
            ]),
            s(&[&update("v2", 0)]),
            s(&["patch status HPAReplicas,availableReplicas,conditions,readyReplicas,replicas"]),
        ]
    );
    let recorded = w.status().canary.clone().unwrap().weights.unwrap();
    assert_eq!(recorded.canary.pod_template_hash.as_deref(), Some(v1.as_str()));
    assert_eq!(recorded.stable.pod_template_hash.as_deref(), Some(v1.as_str()));
    assert_eq!((recorded.canary.weight, recorded.stable.weight), (0, 100));
    assert_eq!(selector_of(&w, STABLE), v1);
}

/// Upstream's unit fixtures: revision 1 stable and revision 2 new, of a Rollout of `replicas` with
/// `steps`, each ReplicaSet `(size, available)`, `status.canary.weights` recorded as `(canary,
/// stable)` on them (and the TrafficSplit set so), the canary Service selecting revision 2.
struct Fixture {
    replicas: i32,
    steps: Value,
    stable: (i32, i32),
    canary: (i32, i32),
    weights: Option<(i32, i32)>,
    dynamic: bool,
}

impl Fixture {
    fn world(&self, status: Value) -> World {
        let mut w = World::new(rollout(
            json!({"steps": self.steps, "dynamicStableScale": self.dynamic}),
        ));
        w.patch_spec(json!({"replicas": self.replicas}));
        w.services = vec![service(CANARY, NAME), service(STABLE, NAME)];
        w.run_until_quiet(20);
        w.set_image("nginx:1.19-alpine-2");
        w.reconcile();
        w.reconcile();
        assert_eq!(sizes(&w), [self.replicas, 0]);
        for (rs, (size, available)) in w.replica_sets.iter_mut().zip([self.stable, self.canary]) {
            rs.spec.replicas = Some(size);
            let s = rs.status.as_mut().unwrap();
            s.replicas = size;
            s.available_replicas = Some(available);
            s.ready_replicas = Some(available);
        }
        let hash = |i: usize| w.replica_sets[i].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone();
        let (stable, canary) = (hash(0), hash(1));
        if let Some((c, s)) = self.weights {
            w.patch_status(json!({"canary": {"weights": {
                "canary": {"weight": c, "podTemplateHash": canary, "serviceName": CANARY},
                "stable": {"weight": s, "podTemplateHash": stable, "serviceName": STABLE}
            }}}));
            let split = w
                .routing_objects
                .iter_mut()
                .find(|o| o["kind"] == "TrafficSplit")
                .unwrap();
            split["spec"]["backends"] = json!([
                {"service": CANARY, "weight": c.to_string()}, {"service": STABLE, "weight": s.to_string()}
            ]);
        }
        w.patch_status(status);
        let svc = w
            .services
            .iter_mut()
            .find(|s| s.metadata.name.as_deref() == Some(CANARY))
            .unwrap();
        let selector = svc.spec.as_mut().unwrap().selector.as_mut().unwrap();
        selector.insert("rollouts-pod-template-hash".into(), canary);
        w
    }
}

/// The writes of one reconcile, the status patch left out (asserted through the weights it records).
fn one_reconcile(w: &mut World) -> Vec<String> {
    let plan = w.reconcile();
    let all = writes(w, &plan);
    assert!(all.last().is_some_and(|d| d.starts_with("patch status")), "{all:?}");
    all.into_iter().filter(|d| !d.starts_with("patch status")).collect()
}

fn abort_fixture(stable: (i32, i32), canary: (i32, i32), weights: (i32, i32)) -> World {
    Fixture {
        replicas: 5,
        steps: json!([{"setWeight": 50}, {"pause": {}}]),
        stable,
        canary,
        weights: Some(weights),
        dynamic: true,
    }
    .world(json!({"abort": true}))
}

/// Upstream `TestDynamicScalingDontIncreaseWeightWhenAborted`: the stable has 4 of 5 pods and the
/// canary none: the weight stays at 0 (the TrafficSplit already says so) and the canary Service goes
/// back to the stable.
#[test]
fn aborted_weight_does_not_grow_while_the_stable_is_short() {
    let mut w = abort_fixture((5, 4), (0, 0), (0, 100));
    assert_eq!(one_reconcile(&mut w), [selector(CANARY, "v1")]);
    assert_eq!(weights(&w), (0, 100));
}

/// Upstream `TestDynamicScalingDecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted`: all
/// traffic on the canary (4 pods), the stable with 3 of 5 available: the weight steps down to the
/// `setWeight` the stable can serve the rest of (50), and the stable is sized for that share.
#[test]
fn aborted_weight_steps_down_through_the_set_weight_steps() {
    let mut w = abort_fixture((5, 3), (4, 4), (100, 0));
    assert_eq!(one_reconcile(&mut w), [split(50), update("v1", 3)]);
    assert_eq!(weights(&w), (50, 50));
}

/// Upstream `TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAborted`: no `setWeight`
/// step; the stable has 1 of 5 pods available: the canary keeps the 80 % the stable cannot serve, and
/// keeps its pods for it.
#[test]
fn aborted_weight_follows_the_stable_availability() {
    let mut w = Fixture {
        replicas: 5,
        steps: json!([{"pause": {}}]),
        stable: (5, 1),
        canary: (4, 4),
        weights: Some((100, 0)),
        dynamic: true,
    }
    .world(json!({"abort": true}));
    assert_eq!(one_reconcile(&mut w), [split(80)]);
    assert_eq!(weights(&w), (80, 20));
}

/// Upstream `TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAbortedAndResetService`:
/// the stable is whole again: the canary Service goes back to it and the weight to 0.
#[test]
fn aborted_weight_goes_to_zero_once_the_stable_is_whole_and_the_canary_service_follows() {
    let mut w = abort_fixture((5, 5), (0, 0), (20, 80));
    assert_eq!(one_reconcile(&mut w), [selector(CANARY, "v1"), split(0)]);
    assert_eq!(weights(&w), (0, 100));
}

/// Upstream `TestRolloutUseDynamicWeightOnPromoteFull`: a full promotion with 5 of the canary's 10
/// pods available sends it half the traffic with `dynamicStableScale`, and keeps the current 5 %
/// without.
#[test]
fn promote_full_weighs_the_canary_by_its_available_pods() {
    for (dynamic, weight) in [(true, 50), (false, 5)] {
        let mut w = Fixture {
            replicas: 10,
            steps: json!([{"setWeight": 5}, {"setWeight": 25}]),
            stable: (5, 5),
            canary: (10, 5),
            weights: Some((5, 95)),
            dynamic,
        }
        .world(json!({"promoteFull": true}));
        let all = one_reconcile(&mut w);
        // The stable is sized for the 95 % it had (upstream sizes it from the weights recorded before).
        let expected: Vec<String> = if dynamic {
            vec![split(50), update("v1", 10)]
        } else {
            vec![update("v1", 10)]
        };
        assert_eq!(all, expected);
        assert_eq!(weights(&w), (weight, 100 - weight), "dynamicStableScale: {dynamic}");
    }
}

/// Upstream `TestDynamicScalingAbortWithZeroReplicas`: with no replicas there is nothing to weigh:
/// the weight is 0 at once and the canary Service goes back to the stable.
#[test]
fn aborted_with_zero_replicas_the_weight_is_zero() {
    let mut w = Fixture {
        replicas: 0,
        steps: json!([{"setWeight": 50}, {"pause": {}}]),
        stable: (0, 0),
        canary: (0, 0),
        weights: None,
        dynamic: true,
    }
    .world(json!({"abort": true}));
    // No pod ever made the Service ours: the switch adopts it.
    assert_eq!(
        one_reconcile(&mut w),
        [format!(
            r#"patch svc {CANARY} {{"metadata":{{"annotations":{{"argo-rollouts.argoproj.io/managed-by-rollouts":"{NAME}"}}}},"spec":{{"selector":{{"rollouts-pod-template-hash":"<v1>"}}}}}}"#
        )]
    );
    assert_eq!(weights(&w), (0, 100));
}

/// Upstream `TestDynamicStableScaleNewCanarySupersedeShouldNotOverloadStable`: revision 2 has 90 %
/// and 9 pods, the stable (shrunk by `dynamicStableScale`) 1; revision 3 supersedes it. Taking the
/// weight back would send everything to 1 pod: the routers are left alone (neither weight nor hashes
/// change), revision 3 is scaled up.
#[test]
fn a_superseding_canary_does_not_overload_the_shrunk_stable() {
    let mut w = deployed(json!({
        "maxSurge": 1, "maxUnavailable": 0,
        "steps": [{"setWeight": 90}, {"pause": {}}]
    }));
    w.patch_spec(json!({"replicas": 10}));
    walk(&mut w);
    w.set_image("nginx:1.19-alpine-2");
    walk(&mut w);
    assert_eq!((sizes(&w), weights(&w)), (vec![1, 9], (90, 10)));
    w.set_image("nginx:1.19-alpine-3");
    let plans = walk_unready(&mut w);
    assert!(
        plans.iter().flatten().all(|d| !d.contains("TrafficSplit")),
        "{plans:#?}"
    );
    assert_eq!(plans.last(), Some(&s(&[&update("v3", 9)])), "{plans:#?}");
    // The weights still name revision 2, which keeps its pods.
    let recorded = w.status().canary.clone().unwrap().weights.unwrap();
    let v2 = w.replica_sets[1].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone();
    assert_eq!(recorded.canary.pod_template_hash, Some(v2));
    assert_eq!((sizes(&w), weights(&w)), (vec![1, 9, 9], (90, 10)));
}
