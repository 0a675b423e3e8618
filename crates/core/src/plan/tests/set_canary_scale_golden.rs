//! Golden walks of `setCanaryScale` behind a router: upstream's e2e `TestCanarySetCanaryScale` on its
//! NGINX template (`test/e2e/functional/nginx-template.yaml`), every write of every reconcile in order,
//! and the canary and stable pod counts upstream asserts at each step; the canary size an explicit
//! scale sets holds through later `setWeight` steps until `matchTrafficWeight`, while the weight only
//! follows `setWeight`.

use serde_json::{Value, json};

use super::world::{World, describe_all, service};
use crate::plan::Plan;

const NAME: &str = "set-canary-scale";
const CANARY: &str = "set-canary-scale-canary";
const STABLE: &str = "set-canary-scale-stable";
const INGRESS: &str = "set-canary-scale-ingress";

fn rollout(steps: Value) -> rollouts_api::Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": NAME, "namespace": "default", "uid": "uid-scs", "generation": 1},
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": {"app": NAME}},
            "template": {
                "metadata": {"labels": {"app": NAME}},
                "spec": {"containers": [{"name": NAME, "image": "nginx:1.19-alpine"}]}
            },
            "strategy": {"canary": {
                "canaryService": CANARY,
                "stableService": STABLE,
                "trafficRouting": {"nginx": {"stableIngress": INGRESS}},
                "steps": steps
            }}
        }
    }))
    .unwrap()
}

fn deployed(steps: Value) -> World {
    let mut w = World::new(rollout(steps));
    w.services = vec![service(CANARY, NAME), service(STABLE, NAME)];
    w.routing_objects = vec![json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": INGRESS, "namespace": "default", "resourceVersion": "1",
                     "annotations": {"kubernetes.io/ingress.class": "nginx"}},
        "spec": {"rules": [{"http": {"paths": [{"path": "/*", "pathType": "Prefix",
            "backend": {"service": {"name": STABLE, "port": {"number": 80}}}}]}}]}
    })];
    w.run_until_quiet(20);
    w
}

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

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn update(version: &str, replicas: i32) -> String {
    format!("update rs {NAME}-<{version}> replicas={replicas}")
}

fn canary_weight(weight: i32) -> String {
    format!(
        r#"patch Ingress {NAME}-{INGRESS}-canary {{"metadata":{{"annotations":{{"nginx.ingress.kubernetes.io/canary-weight":"{weight}"}}}}}}"#
    )
}

fn selector(service: &str, version: &str) -> String {
    format!(r#"patch svc {service} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"<{version}>"}}}}}}"#)
}

/// `(canary, stable)` pods, the step index and the canary weight recorded.
fn at(w: &World) -> ((i32, i32), Option<i32>, i32) {
    let sizes: Vec<i32> = w.replica_sets.iter().map(|rs| rs.spec.replicas.unwrap()).collect();
    let weight = w.status().canary.clone().unwrap().weights.unwrap().canary.weight;
    ((sizes[1], sizes[0]), w.status().current_step_index, weight)
}

/// e2e `TestCanarySetCanaryScale`: `pause`, `setCanaryScale {weight: 25}`, `pause 100s`, `setWeight 50`,
/// `pause 10s`, `setCanaryScale {replicas: 3}`, `pause`, `setCanaryScale {matchTrafficWeight: true}`,
/// `pause 5s`, promoted at each pause. Canary/stable pods: 0/4 at step 0, 1/4 at step 2 (25 % of 4),
/// still 1/4 at step 4 although 50 % of the traffic now goes to the canary (the explicit scale holds),
/// 3/4 at step 6, 2/4 at step 8 (matching 50 %), then 4/4 once promoted (the previous stable waits
/// out `scaleDownDelaySeconds`). The weight moves only at the `setWeight` and at the promotion.
#[test]
fn set_canary_scale_sizes_the_canary_apart_from_the_weight() {
    let mut w = deployed(json!([
        {"pause": {}},
        {"setCanaryScale": {"weight": 25}},
        {"pause": {"duration": "100s"}},
        {"setWeight": 50},
        {"pause": {"duration": "10s"}},
        {"setCanaryScale": {"replicas": 3}},
        {"pause": {}},
        {"setCanaryScale": {"matchTrafficWeight": true}},
        {"pause": {"duration": "5s"}}
    ]));
    w.set_image("nginx:1.19-alpine-2");
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
            s(&["patch status canary,controllerPause,duration,message,pauseConditions,phase"]),
            s(&["patch status conditions"]),
        ]
    );
    assert_eq!(at(&w), ((0, 4), Some(0), 0));

    let entering_step = "patch status conditions,controllerPause,currentStepIndex";
    let scaled = "patch status HPAReplicas,availableReplicas,currentStepIndex,readyReplicas,replicas,updatedReplicas";
    w.patch_status(json!({"pauseConditions": null}));
    assert_eq!(
        walk(&mut w),
        vec![
            s(&["patch status conditions,duration,message,phase"]),
            s(&[entering_step]),
            s(&[&update("v2", 1)]),
            // The canary Service selects the canary's pod; no weight yet.
            s(&[&selector(CANARY, "v2"), scaled]),
            s(&["patch status controllerPause,message,pauseConditions,phase"]),
            s(&["patch status conditions"]),
        ]
    );
    assert_eq!(at(&w), ((1, 4), Some(2), 0));

    w.patch_status(json!({"pauseConditions": null}));
    assert_eq!(
        walk(&mut w),
        vec![
            s(&["patch status conditions,message,phase"]),
            s(&[entering_step]),
            // 50 % to the one canary pod the explicit scale keeps.
            s(&[&canary_weight(50), "patch status canary,currentStepIndex"]),
            s(&["patch status controllerPause,message,pauseConditions,phase"]),
            s(&["patch status conditions"]),
        ]
    );
    assert_eq!(at(&w), ((1, 4), Some(4), 50));

    w.patch_status(json!({"pauseConditions": null}));
    assert_eq!(
        walk(&mut w),
        vec![
            s(&["patch status conditions,message,phase"]),
            s(&[entering_step]),
            s(&[&update("v2", 3)]),
            s(&[scaled]),
            s(&["patch status controllerPause,duration,message,pauseConditions,phase"]),
            s(&["patch status conditions"]),
        ]
    );
    assert_eq!(at(&w), ((3, 4), Some(6), 50));

    w.patch_status(json!({"pauseConditions": null}));
    assert_eq!(
        walk(&mut w),
        vec![
            s(&["patch status conditions,duration,message,phase"]),
            s(&[entering_step]),
            s(&[&update("v2", 2)]),
            s(&[scaled]),
            s(&["patch status controllerPause,message,pauseConditions,phase"]),
            s(&["patch status conditions"]),
        ]
    );
    assert_eq!(at(&w), ((2, 4), Some(8), 50));

    w.patch_status(json!({"pauseConditions": null}));
    assert_eq!(
        walk(&mut w),
        vec![
            s(&["patch status conditions,message,phase"]),
            s(&[entering_step]),
            s(&[&update("v2", 4)]),
            s(&[
                &canary_weight(100),
                "patch status HPAReplicas,availableReplicas,canary,conditions,duration,message,phase,readyReplicas,replicas,stableRS,updatedReplicas",
            ]),
            s(&[&selector(STABLE, "v2"), &canary_weight(0), "patch status canary"]),
            s(&[&format!(
                r#"patch rs {NAME}-<v1> [{{"op":"add","path":"/metadata/annotations/scale-down-deadline","value":"2026-01-01T00:00:30Z"}}]"#
            )]),
        ]
    );
    assert_eq!(at(&w), ((4, 4), Some(9), 0));
    assert_eq!(w.status().phase, Some(rollouts_api::RolloutPhase::Healthy));
}
