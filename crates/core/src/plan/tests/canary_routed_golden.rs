//! Golden plans of the ReplicaSets of a canary with a traffic router: the previous stable waits out
//! `scaleDownDelaySeconds` after a promotion, an aborted canary waits out `abortScaleDownDelaySeconds`,
//! ReplicaSets still referenced keep their pods, an abandoned canary goes at once. Routing writes are
//! left out of the comparisons (they belong to the routers), and status patches are compared by their
//! presence only.

use rollouts_api::Rollout;
use serde_json::{Value, json};

use super::world::{World, describe, service};
use crate::plan::{Action, Plan};

pub(super) const CANARY: &str = "routed-canary";
pub(super) const STABLE: &str = "routed-stable";

/// A canary of 5 replicas behind an SMI router, with canary and stable Services; `canary` is merged
/// into the strategy.
pub(super) fn routed_rollout(canary: Value) -> Rollout {
    let mut strategy = json!({
        "canaryService": CANARY,
        "stableService": STABLE,
        "trafficRouting": {"smi": {}},
        "steps": [{"setWeight": 20}, {"pause": {}}]
    });
    crate::plan::merge_patch::apply(&mut strategy, &canary);
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "routed", "namespace": "default", "uid": "uid-routed", "generation": 1},
        "spec": {
            "replicas": 5,
            "selector": {"matchLabels": {"app": "routed"}},
            "strategy": {"canary": strategy},
            "template": {
                "metadata": {"labels": {"app": "routed"}},
                "spec": {"containers": [{"name": "app", "image": "app:blue"}]}
            }
        }
    }))
    .unwrap()
}

/// Revision 1 (blue) deployed and healthy.
fn healthy(canary: Value) -> World {
    let mut w = World::new(routed_rollout(canary));
    w.services = vec![service(CANARY, "routed"), service(STABLE, "routed")];
    w.run_until_quiet(20);
    w
}

/// The plan's writes, routing writes left out and status patches without their fields.
fn writes(plan: &Plan) -> Vec<String> {
    plan.actions
        .iter()
        .filter(|a| !matches!(a, Action::Routing(_)))
        .map(|a| match a {
            Action::PatchRolloutStatus(_) => "patch status".to_string(),
            other => describe(other),
        })
        .collect()
}

fn rs_name(w: &World, index: usize) -> String {
    w.replica_sets[index].metadata.name.clone().unwrap()
}

fn hash(w: &World, index: usize) -> String {
    w.replica_sets[index].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone()
}

fn deadline(w: &World, index: usize) -> Option<String> {
    w.replica_sets[index]
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("scale-down-deadline"))
        .cloned()
}

fn sizes(w: &World) -> Vec<(&str, i32)> {
    w.replica_sets
        .iter()
        .map(|rs| {
            let image = rs.spec.template.as_ref().unwrap().spec.as_ref().unwrap().containers[0]
                .image
                .as_deref()
                .unwrap();
            (image.rsplit(':').next().unwrap(), rs.spec.replicas.unwrap())
        })
        .collect()
}

fn add_deadline_patch(name: &str, at: &str) -> String {
    format!(r#"patch rs {name} [{{"op":"add","path":"/metadata/annotations/scale-down-deadline","value":"{at}"}}]"#)
}

fn remove_deadline_patch(name: &str) -> String {
    format!(r#"patch rs {name} [{{"op":"remove","path":"/metadata/annotations/scale-down-deadline"}}]"#)
}

fn events(plan: &Plan) -> Vec<String> {
    plan.events
        .iter()
        .map(|e| format!("{}: {}", e.reason, e.message))
        .collect()
}

/// Reconciles (pods becoming available after each write) until a plan writes `wanted`; returns it.
fn reconcile_until(w: &mut World, wanted: &str) -> Plan {
    for _ in 0..30 {
        let plan = w.reconcile();
        w.settle();
        if writes(&plan).iter().any(|d| d == wanted) {
            return plan;
        }
    }
    panic!("no plan wrote {wanted}");
}

/// Updated to `image` and paused at the indefinite pause of step 1 (the canary at 20%: 1 pod).
fn paused_at(w: &mut World, image: &str) {
    w.set_image(&format!("app:{image}"));
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(rollouts_api::RolloutPhase::Paused));
}

/// Blue then yellow deployed, yellow promoted; returns once the stable Service selects yellow (blue,
/// at full size, is not referenced any more but has no deadline yet).
fn promoted_to_yellow(canary: Value) -> World {
    let mut w = healthy(canary);
    paused_at(&mut w, "yellow");
    w.patch_status(json!({"pauseConditions": null}));
    let yellow = hash(&w, 1);
    for _ in 0..20 {
        w.reconcile();
        w.settle();
        if super::world::selector_of(&w, STABLE) == yellow {
            return w;
        }
    }
    panic!("the stable Service never moved to yellow");
}

/// Upstream `TestCanaryWithTrafficRoutingAddScaleDownDelay`, then the deadline running out
/// (e2e `TestCanaryScaleDownDelay`).
#[test]
fn promotion_gives_the_previous_stable_a_deadline_then_scales_it_down() {
    let mut w = healthy(json!({}));
    paused_at(&mut w, "yellow");
    let (blue, yellow) = (rs_name(&w, 0), rs_name(&w, 1));
    let yellow_hash = hash(&w, 1);
    w.patch_status(json!({"pauseConditions": null}));
    let mut plans = Vec::new();
    for _ in 0..4 {
        plans.push(writes(&w.reconcile()));
        w.settle();
    }
    // Behind a router there is no surge cap: the canary grows to 5 next to the 5 stable pods.
    assert_eq!(
        plans,
        vec![
            vec!["patch status".to_string()],
            vec!["patch status".to_string()],
            vec![format!("update rs {yellow} replicas=5")],
            vec!["patch status".to_string()],
        ]
    );
    assert_eq!(w.status().stable_rs.as_deref(), Some(yellow_hash.as_str()));
    // The stable Service still selects blue: blue is referenced and keeps its pods, without deadline.
    // The weights follow: all on the canary Service, the stable hash now yellow's (upstream).
    let p = w.reconcile();
    assert_eq!(
        writes(&p),
        vec![
            format!(r#"patch svc {STABLE} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"{yellow_hash}"}}}}}}"#),
            "patch status".to_string()
        ]
    );
    // Unreferenced now: the deadline alone, blue keeps its size.
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![add_deadline_patch(&blue, "2026-01-01T00:00:30Z")]);
    assert!(p.events.is_empty(), "{:?}", events(&p));
    assert_eq!(p.requeue_after, Some(std::time::Duration::from_secs(30)));
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 5)]);

    // Held until then, with a wake-up at the deadline.
    w.advance(20);
    let p = w.reconcile();
    assert!(p.actions.is_empty(), "{:?}", writes(&p));
    assert_eq!(p.requeue_after, Some(std::time::Duration::from_secs(10)));

    // Past it: scaled to 0, the annotation dropped in the same update.
    w.advance(10);
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![format!("update rs {blue} replicas=0")]);
    assert_eq!(
        events(&p),
        vec![format!(
            "ScalingReplicaSet: Scaled down ReplicaSet {blue} (revision 1) from 5 to 0"
        )]
    );
    assert_eq!(deadline(&w, 0), None);
    w.settle();
    assert_eq!(writes(&w.reconcile()), vec!["patch status".to_string()]);
    assert!(w.reconcile().actions.is_empty());
}

/// `scaleDownDelaySeconds: 0` means at once; upstream writes no deadline and keeps the previous stable
/// up for good (upstream #1992).
#[test]
fn scale_down_delay_of_zero_scales_the_previous_stable_down_at_once_upstream_1992() {
    let mut w = promoted_to_yellow(json!({"scaleDownDelaySeconds": 0}));
    let blue = rs_name(&w, 0);
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![format!("update rs {blue} replicas=0")]);
    assert_eq!(sizes(&w), vec![("blue", 0), ("yellow", 5)]);
    assert_eq!(deadline(&w, 0), None);
}

/// With `dynamicStableScale` the previous stable already shrank with its traffic; what is left goes at
/// once, without a deadline.
#[test]
fn dynamic_stable_scale_scales_the_previous_stable_down_without_delay() {
    let mut w = healthy(json!({"dynamicStableScale": true}));
    paused_at(&mut w, "yellow");
    assert_eq!(sizes(&w), vec![("blue", 4), ("yellow", 1)]);
    w.patch_status(json!({"pauseConditions": null}));
    let plans = w.run_until_quiet(20);
    let all: Vec<String> = plans.iter().flat_map(writes).collect();
    assert!(!all.iter().any(|d| d.contains("scale-down-deadline")), "{all:?}");
    assert_eq!(sizes(&w), vec![("blue", 0), ("yellow", 5)]);
}

/// Upstream `TestCanaryWithTrafficRoutingScaleDownLimit`: with `scaleDownDelayRevisionLimit: 1` only
/// the newest previous ReplicaSet waits out its deadline; an older one still waiting goes at once and
/// loses its annotation.
#[test]
fn scale_down_delay_revision_limit_scales_the_older_ones_down_at_once() {
    let mut w = promoted_to_yellow(json!({"scaleDownDelayRevisionLimit": 1}));
    let blue = rs_name(&w, 0);
    reconcile_until(&mut w, &add_deadline_patch(&blue, "2026-01-01T00:00:30Z"));
    // Red, promoted fully before blue's deadline.
    w.set_image("app:red");
    w.run_until_quiet(20);
    w.patch_status(json!({"promoteFull": true}));
    let red_hash = {
        let i = w.replica_sets.len() - 1;
        hash(&w, i)
    };
    for _ in 0..20 {
        w.reconcile();
        w.settle();
        if super::world::selector_of(&w, STABLE) == red_hash {
            break;
        }
    }
    let (yellow, red) = (rs_name(&w, 1), rs_name(&w, 2));
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 5), ("red", 5)]);
    // As upstream's fixture has it: yellow already waiting for its own deadline.
    w.replica_sets[1]
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert("scale-down-deadline".into(), "2026-01-01T00:00:10Z".into());
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![format!("update rs {blue} replicas=0")]);
    assert_eq!(deadline(&w, 0), None, "annotation not removed");
    assert_eq!(p.requeue_after, Some(std::time::Duration::from_secs(10)));
    assert_eq!(sizes(&w), vec![("blue", 0), ("yellow", 5), ("red", 5)]);
    assert_eq!(rs_name(&w, 2), red);
    w.advance(10);
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![format!("update rs {yellow} replicas=0")]);
}

/// The limit counts the deadline written in the same reconcile: the newest previous ReplicaSet gets its
/// deadline and the one beyond the limit goes in the same plan.
#[test]
fn a_new_deadline_counts_towards_the_revision_limit() {
    let mut w = promoted_to_yellow(json!({"scaleDownDelayRevisionLimit": 1}));
    let blue = rs_name(&w, 0);
    reconcile_until(&mut w, &add_deadline_patch(&blue, "2026-01-01T00:00:30Z"));
    w.set_image("app:red");
    w.run_until_quiet(20);
    w.patch_status(json!({"promoteFull": true}));
    let yellow = rs_name(&w, 1);
    let p = reconcile_until(&mut w, &add_deadline_patch(&yellow, "2026-01-01T00:00:30Z"));
    assert_eq!(
        writes(&p),
        vec![
            add_deadline_patch(&yellow, "2026-01-01T00:00:30Z"),
            format!("update rs {blue} replicas=0"),
        ]
    );
    assert_eq!(sizes(&w), vec![("blue", 0), ("yellow", 5), ("red", 5)]);
}

/// e2e `TestCanaryScaleDownDelay`: going back to a revision that waits for its deadline takes the
/// deadline off it.
#[test]
fn going_back_to_a_revision_waiting_for_its_deadline_removes_the_deadline() {
    let mut w = promoted_to_yellow(json!({}));
    let blue = rs_name(&w, 0);
    reconcile_until(&mut w, &add_deadline_patch(&blue, "2026-01-01T00:00:30Z"));
    w.set_image("app:blue");
    let p = reconcile_until(&mut w, &remove_deadline_patch(&blue));
    // Blue is the canary now: the canary Service follows it, its deadline goes, then it is sized for
    // the first step like any canary; the weights name it as the canary (still at 0, as upstream).
    assert_eq!(
        writes(&p),
        vec![
            format!(
                r#"patch svc {CANARY} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"{}"}}}}}}"#,
                hash(&w, 0)
            ),
            remove_deadline_patch(&blue),
            format!("update rs {blue} replicas=1"),
            "patch status".to_string(),
        ]
    );
    assert_eq!(deadline(&w, 0), None);
    w.advance(60);
    w.run_until_quiet(20);
    assert_eq!(sizes(&w), vec![("blue", 1), ("yellow", 5)]);
    assert_eq!(deadline(&w, 0), None);
}

/// Upstream's fixture of `TestCanary(Dont)ScaleDownOldRsDuringInterruptedUpdate`: 5 replicas, steps
/// `setWeight: 100` then a pause, `maxSurge: 1`, `maxUnavailable: 0`; blue stable, yellow fully
/// scaled as the canary, then red applied and scaled up, its pods not available yet.
fn interrupted_update() -> World {
    let mut w = healthy(json!({
        "maxSurge": 1, "maxUnavailable": 0,
        "steps": [{"setWeight": 100}, {"pause": {}}]
    }));
    paused_at(&mut w, "yellow");
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 5)]);
    w.set_image("app:red");
    let red = {
        w.reconcile();
        rs_name(&w, 2)
    };
    for _ in 0..5 {
        // The weights name red from then on, at 0 while it has no available pods (upstream).
        if writes(&w.reconcile()) == vec![format!("update rs {red} replicas=5"), "patch status".to_string()] {
            // As upstream's fixture has it, the canary Service selects red already.
            let red_hash = hash(&w, 2);
            let canary = w
                .services
                .iter_mut()
                .find(|s| s.metadata.name.as_deref() == Some(CANARY))
                .unwrap();
            let selector = canary.spec.as_mut().unwrap().selector.as_mut().unwrap();
            selector.insert("rollouts-pod-template-hash".into(), red_hash);
            return w;
        }
    }
    panic!("red was never scaled up");
}

/// Upstream `TestCanaryDontScaleDownOldRsDuringInterruptedUpdate`: the abandoned canary is still named
/// by `status.canary.weights`, so it keeps its pods.
#[test]
fn an_abandoned_canary_still_named_by_the_weights_keeps_its_pods() {
    let mut w = interrupted_update();
    let yellow_hash = hash(&w, 1);
    w.patch_status(json!({"canary": {"weights": {
        "canary": {"weight": 100, "podTemplateHash": yellow_hash, "serviceName": CANARY},
        "stable": {"weight": 0, "podTemplateHash": hash(&w, 0), "serviceName": STABLE}
    }}}));
    let p = w.reconcile();
    assert!(
        !p.actions
            .iter()
            .any(|a| matches!(a, Action::UpdateReplicaSet(_) | Action::PatchReplicaSet { .. })),
        "{:?}",
        writes(&p)
    );
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 5), ("red", 5)]);
    // Once the weights name red (here: once they are gone), yellow goes, red's pods available or not.
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![format!("update rs {} replicas=0", rs_name(&w, 1))]);
}

/// Upstream `TestCanaryScaleDownOldRsDuringInterruptedUpdate`: once nothing names it and the new pods are
/// available, the abandoned canary goes to 0 at once, without a deadline.
#[test]
fn an_abandoned_canary_nothing_names_goes_at_once() {
    let mut w = interrupted_update();
    let yellow = rs_name(&w, 1);
    w.settle();
    let p = w.reconcile();
    assert_eq!(
        writes(&p),
        vec![format!("update rs {yellow} replicas=0"), "patch status".to_string()]
    );
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 0), ("red", 5)]);
    assert_eq!(deadline(&w, 1), None);
}

/// The canary Service still selecting an old ReplicaSet keeps it up (upstream `isReplicaSetReferenced`),
/// as does the stable Service.
#[test]
fn an_old_replica_set_a_service_selects_keeps_its_pods() {
    let mut w = interrupted_update();
    w.settle();
    let yellow_hash = hash(&w, 1);
    for svc in &mut w.services {
        if svc.metadata.name.as_deref() == Some(CANARY) {
            let selector = svc.spec.as_mut().unwrap().selector.as_mut().unwrap();
            selector.insert("rollouts-pod-template-hash".into(), yellow_hash.clone());
        }
    }
    let p = w.reconcile();
    assert!(
        !p.actions.iter().any(|a| matches!(a, Action::UpdateReplicaSet(_))),
        "{:?}",
        writes(&p)
    );
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 5), ("red", 5)]);
    // The Service was pointed back at red in that plan; yellow goes in the next one.
    assert_eq!(super::world::selector_of(&w, CANARY), hash(&w, 2));
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![format!("update rs {} replicas=0", rs_name(&w, 1))]);
}

/// Aborted at 20% behind a router (upstream `reconcileNewReplicaSet` with the default
/// `abortScaleDownDelaySeconds` of 30): the stable is already full, so the canary gets its deadline at
/// once and keeps its pod until then; past it, it goes to 0 and keeps the annotation (so that the
/// deadline is not written again while the Rollout stays aborted).
#[test]
fn abort_keeps_the_canary_until_the_abort_delay_passes() {
    let mut w = healthy(json!({}));
    paused_at(&mut w, "yellow");
    let yellow = rs_name(&w, 1);
    w.patch_status(json!({"abort": true}));
    let p = w.reconcile();
    assert_eq!(
        writes(&p)
            .into_iter()
            .filter(|d| d.starts_with("patch rs") || d.starts_with("update rs"))
            .collect::<Vec<_>>(),
        vec![add_deadline_patch(&yellow, "2026-01-01T00:00:30Z")]
    );
    assert_eq!(p.requeue_after, Some(std::time::Duration::from_secs(30)));
    assert_eq!(w.status().abort, Some(true));
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 1)]);
    w.settle();
    // Deadline not passed: no scale, a wake-up at it.
    w.advance(12);
    let p = w.reconcile();
    assert!(
        !p.actions
            .iter()
            .any(|a| matches!(a, Action::UpdateReplicaSet(_) | Action::PatchReplicaSet { .. })),
        "{:?}",
        writes(&p)
    );
    assert_eq!(p.requeue_after, Some(std::time::Duration::from_secs(18)));
    // Deadline passed: scaled to 0.
    w.advance(18);
    let p = w.reconcile();
    assert_eq!(writes(&p), vec![format!("update rs {yellow} replicas=0")]);
    assert_eq!(
        events(&p),
        vec![format!(
            "ScalingReplicaSet: Scaled down ReplicaSet {yellow} (revision 2) from 1 to 0"
        )]
    );
    assert_eq!(deadline(&w, 1).as_deref(), Some("2026-01-01T00:00:30Z"));
    w.settle();
    w.run_until_quiet(5);
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 0)]);
    assert_eq!(deadline(&w, 1).as_deref(), Some("2026-01-01T00:00:30Z"));

    // A retry ends the delay: the deadline comes off the canary, which is sized for step 0 again.
    w.patch_status(json!({"abort": false}));
    let plans = w.run_until_quiet(10);
    let all: Vec<String> = plans.iter().flat_map(writes).collect();
    let removal = all.iter().position(|d| *d == remove_deadline_patch(&yellow));
    let scale_up = all.iter().position(|d| *d == format!("update rs {yellow} replicas=1"));
    assert!(matches!((removal, scale_up), (Some(r), Some(s)) if r < s), "{all:?}");
    assert_eq!(deadline(&w, 1), None);
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 1)]);
}

/// Upstream #3078: while the aborted canary waits out its delay, the canary Service goes back to the
/// stable once and stays there (upstream points it at the canary and back on every reconcile until
/// the delay ends).
#[test]
fn the_canary_service_stays_on_the_stable_during_the_abort_delay_upstream_3078() {
    let mut w = healthy(json!({}));
    paused_at(&mut w, "yellow");
    let blue_hash = hash(&w, 0);
    w.patch_status(json!({"abort": true}));
    let switches = |p: &Plan| -> Vec<String> { writes(p).into_iter().filter(|d| d.starts_with("patch svc")).collect() };
    let p = w.reconcile();
    assert_eq!(
        switches(&p),
        vec![format!(
            r#"patch svc {CANARY} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"{blue_hash}"}}}}}}"#
        )]
    );
    w.settle();
    for _ in 0..3 {
        w.advance(5);
        let p = w.reconcile();
        assert!(switches(&p).is_empty(), "{:?}", writes(&p));
        w.settle();
    }
    assert_eq!(super::world::selector_of(&w, CANARY), blue_hash);
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 1)]);
}

/// The canary gets its deadline only once the stable has all the Rollout's pods available: reaching
/// it scales the canary away whatever the stable can serve.
#[test]
fn the_abort_deadline_waits_for_a_fully_available_stable() {
    let mut w = healthy(json!({}));
    paused_at(&mut w, "yellow");
    let yellow = rs_name(&w, 1);
    w.replica_sets[0].status.as_mut().unwrap().available_replicas = Some(4);
    w.patch_status(json!({"abort": true}));
    let p = w.reconcile();
    assert!(
        !p.actions
            .iter()
            .any(|a| matches!(a, Action::UpdateReplicaSet(_) | Action::PatchReplicaSet { .. })),
        "{:?}",
        writes(&p)
    );
    w.settle();
    let p = w.reconcile();
    assert_eq!(
        writes(&p),
        vec![
            add_deadline_patch(&yellow, "2026-01-01T00:00:30Z"),
            "patch status".to_string()
        ]
    );
}

/// An unreadable deadline on the aborted canary leaves its size to the arithmetic (0 once aborted), as
/// upstream does.
#[test]
fn an_unreadable_abort_deadline_scales_the_canary_down() {
    let mut w = healthy(json!({}));
    paused_at(&mut w, "yellow");
    let yellow = rs_name(&w, 1);
    w.replica_sets[1]
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert("scale-down-deadline".into(), "soon".into());
    w.patch_status(json!({"abort": true}));
    let p = w.reconcile();
    assert_eq!(
        writes(&p)
            .into_iter()
            .filter(|d| d.contains(" rs "))
            .collect::<Vec<_>>(),
        vec![format!("update rs {yellow} replicas=0")]
    );
}

/// `abortScaleDownDelaySeconds: 0` never writes a deadline; the canary size still follows the abort
/// weight of 0 (spec §2.10, upstream #1841): without a `setCanaryScale` it goes at once.
#[test]
fn abort_scale_down_delay_of_zero_without_set_canary_scale_scales_the_canary_down() {
    let mut w = healthy(json!({"abortScaleDownDelaySeconds": 0}));
    paused_at(&mut w, "yellow");
    let yellow = rs_name(&w, 1);
    w.patch_status(json!({"abort": true}));
    let p = w.reconcile();
    assert_eq!(
        writes(&p)
            .into_iter()
            .filter(|d| d.contains(" rs "))
            .collect::<Vec<_>>(),
        vec![format!("update rs {yellow} replicas=0")]
    );
}

/// e2e `TestCanaryUnScaleDownOnAbort`: with `abortScaleDownDelaySeconds: 0` a `setCanaryScale` at the
/// (reset) step 0 keeps the canary up, for good.
#[test]
fn abort_scale_down_delay_of_zero_keeps_a_set_canary_scale_up() {
    let mut w = healthy(json!({
        "abortScaleDownDelaySeconds": 0,
        "steps": [{"setCanaryScale": {"replicas": 1}}, {"setWeight": 20}, {"pause": {}}]
    }));
    paused_at(&mut w, "yellow");
    w.patch_status(json!({"abort": true}));
    let plans = w.run_until_quiet(10);
    let all: Vec<String> = plans.iter().flat_map(writes).collect();
    assert!(!all.iter().any(|d| d.contains("scale-down-deadline")), "{all:?}");
    w.advance(3600);
    w.run_until_quiet(5);
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 1)]);
}

/// With `dynamicStableScale` and no explicit abort delay the canary is not held: it drains as the
/// stable grows back, and no deadline is written.
#[test]
fn dynamic_stable_scale_abort_drains_without_a_deadline() {
    let mut w = healthy(json!({"dynamicStableScale": true}));
    paused_at(&mut w, "yellow");
    w.patch_status(json!({"abort": true}));
    let plans = w.run_until_quiet(20);
    let all: Vec<String> = plans.iter().flat_map(writes).collect();
    assert!(!all.iter().any(|d| d.contains("scale-down-deadline")), "{all:?}");
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 0)]);
}

/// With `dynamicStableScale` an explicit abort delay holds the canary as without it.
#[test]
fn dynamic_stable_scale_with_an_explicit_abort_delay_holds_the_canary() {
    let mut w = healthy(json!({"dynamicStableScale": true, "abortScaleDownDelaySeconds": 10}));
    paused_at(&mut w, "yellow");
    let yellow = rs_name(&w, 1);
    w.patch_status(json!({"abort": true}));
    let p = reconcile_until(&mut w, &add_deadline_patch(&yellow, "2026-01-01T00:00:10Z"));
    assert!(
        !writes(&p).iter().any(|d| d.starts_with("update rs ")),
        "{:?}",
        writes(&p)
    );
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 1)]);
    w.advance(10);
    w.run_until_quiet(10);
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 0)]);
}

/// Upstream `TestAbortScaleDownDelayDoesNotWedgeScalingEvent`: `spec.replicas` changes while the aborted
/// canary is held. The held canary's `desired-replicas` annotation still follows `spec.replicas` (an
/// update keeping its size), or every later reconcile would be taken for a scaling event; its deadline
/// comes right after.
#[test]
fn a_scaling_event_during_the_abort_delay_does_not_wedge() {
    let mut w = healthy(json!({}));
    paused_at(&mut w, "yellow");
    let (blue, yellow) = (rs_name(&w, 0), rs_name(&w, 1));
    w.patch_status(json!({"abort": true}));
    w.patch_spec(json!({"replicas": 4}));
    let p = w.reconcile();
    assert_eq!(
        writes(&p),
        vec![format!("update rs {blue} replicas=4"), "patch status".to_string()]
    );
    let p = w.reconcile();
    assert_eq!(
        writes(&p),
        vec![
            format!("update rs {yellow} replicas=1"),
            add_deadline_patch(&yellow, "2026-01-01T00:00:30Z"),
        ]
    );
    let annotations = w.replica_sets[1].metadata.annotations.as_ref().unwrap();
    assert_eq!(annotations["rollout.argoproj.io/desired-replicas"], "4");
    // No scaling event any more: the next reconcile takes the full path and changes no ReplicaSet.
    w.settle();
    let p = w.reconcile();
    assert!(
        !p.actions
            .iter()
            .any(|a| matches!(a, Action::UpdateReplicaSet(_) | Action::PatchReplicaSet { .. })),
        "{:?}",
        writes(&p)
    );
}

/// A canary without a router keeps today's abort: the canary goes at once, no deadline.
#[test]
fn a_basic_canary_abort_has_no_delay() {
    let mut w = healthy(json!({"trafficRouting": null}));
    paused_at(&mut w, "yellow");
    w.patch_status(json!({"abort": true}));
    let plans = w.run_until_quiet(10);
    let all: Vec<String> = plans.iter().flat_map(writes).collect();
    assert!(!all.iter().any(|d| d.contains("scale-down-deadline")), "{all:?}");
    assert_eq!(sizes(&w), vec![("blue", 5), ("yellow", 0)]);
}
