//! Golden plans of the blue-green strategy: each transition as its exact ordered writes, the status it
//! leaves, and the regressions upstream users hit.

use rollouts_api::RolloutPhase;
use serde_json::{Value, json};

use super::world::{World, bluegreen_rollout, describe_all, selector_of, service};
use crate::plan::Plan;

const ACTIVE: &str = "rollout-bluegreen-active";
const PREVIEW: &str = "rollout-bluegreen-preview";

fn world_with(strategy: Value) -> World {
    let mut rollout = serde_json::to_value(bluegreen_rollout()).unwrap();
    crate::plan::merge_patch::apply(&mut rollout["spec"]["strategy"]["blueGreen"], &strategy);
    let mut w = World::new(serde_json::from_value(rollout).unwrap());
    w.services = vec![
        service(ACTIVE, "rollout-bluegreen"),
        service(PREVIEW, "rollout-bluegreen"),
    ];
    w
}

fn world() -> World {
    world_with(json!({}))
}

/// An AnalysisTemplate `t` with one web metric.
fn template_t() -> rollouts_api::AnalysisTemplate {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": "t", "namespace": "default"},
        "spec": {"metrics": [{"name": "ok", "provider": {"web": {"url": "http://127.0.0.1:1/ok"}}}]}
    }))
    .unwrap()
}

fn world_with_template(strategy: Value) -> World {
    let mut w = world_with(strategy);
    w.analysis_templates = vec![template_t()];
    w
}

fn run_names(w: &World) -> Vec<String> {
    w.analysis_runs
        .iter()
        .map(|r| r.metadata.name.clone().unwrap())
        .collect()
}

/// A user's `set image`, a second after whatever happened before (ReplicaSets of different revisions
/// never share a creation time).
fn set_image(w: &mut World, image: &str) {
    w.advance(1);
    w.set_image(image);
}

fn hash(w: &World, index: usize) -> String {
    w.replica_sets[index].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone()
}

fn events(plan: &Plan) -> Vec<String> {
    plan.events
        .iter()
        .map(|e| format!("{}: {}", e.reason, e.message))
        .collect()
}

fn deadline(w: &World, index: usize) -> Option<String> {
    w.replica_sets[index]
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("scale-down-deadline"))
        .cloned()
}

fn bg_status(w: &World) -> (String, String) {
    let bg = w.status().blue_green.clone().unwrap_or_default();
    (
        bg.active_selector.unwrap_or_default(),
        bg.preview_selector.unwrap_or_default(),
    )
}

/// Revision 1 deployed: both Services select it, Healthy.
fn healthy(mut w: World) -> World {
    w.run_until_quiet(10);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    w
}

/// Revision 2 (yellow) ready and paused before promotion.
fn paused_on_yellow() -> World {
    let mut w = healthy(world());
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    w
}

#[test]
fn first_deploy_points_preview_then_active_at_the_first_replica_set() {
    let mut w = world();
    let p1 = w.reconcile();
    let h = hash(&w, 0);
    let name = format!("rollout-bluegreen-{h}");
    assert_eq!(
        describe_all(&p1),
        vec![
            format!("create rs {name} replicas=0 revision=1"),
            r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"1"}}}"#.to_string(),
            "patch status conditions".to_string(),
        ]
    );
    // Upstream TestBlueGreenCreatesReplicaSet: preview Service, scale up, status (stable at once).
    let p2 = w.reconcile();
    let managed = r#""metadata":{"annotations":{"argo-rollouts.argoproj.io/managed-by-rollouts":"rollout-bluegreen"}}"#;
    assert_eq!(
        describe_all(&p2),
        vec![
            format!(
                r#"patch svc {PREVIEW} {{{managed},"spec":{{"selector":{{"rollouts-pod-template-hash":"{h}"}}}}}}"#
            ),
            format!("update rs {name} replicas=2"),
            "patch status blueGreen,conditions,currentPodHash,duration,message,observedGeneration,phase,selector,stableRS"
                .to_string(),
        ]
    );
    assert_eq!(w.status().stable_rs.as_deref(), Some(h.as_str()));
    assert_eq!(w.status().message.as_deref(), Some("more replicas need to be updated"));
    assert_eq!(
        selector_of(&w, ACTIVE),
        "",
        "the active Service waits for available pods"
    );
    assert!(events(&p2).contains(&format!(
        "SwitchService: Switched selector for service '{PREVIEW}' from '' to '{h}'"
    )));

    // Not available yet: nothing moves the active Service.
    let p3 = w.reconcile();
    assert!(
        !describe_all(&p3).iter().any(|d| d.contains(ACTIVE)),
        "{:?}",
        describe_all(&p3)
    );
    w.settle();
    let p4 = w.reconcile();
    let d4 = describe_all(&p4);
    assert_eq!(
        d4[0],
        format!(r#"patch svc {ACTIVE} {{{managed},"spec":{{"selector":{{"rollouts-pod-template-hash":"{h}"}}}}}}"#)
    );
    assert_eq!(d4.len(), 2, "{d4:?}");
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Healthy));
    assert_eq!(bg_status(&w), (h.clone(), h.clone()));
    assert_eq!(s.hpa_replicas, Some(2));
    assert_eq!(
        s.selector.as_deref(),
        Some(format!("app=rollout-bluegreen,rollouts-pod-template-hash={h}").as_str())
    );
    assert_eq!((s.available_replicas, s.ready_replicas), (Some(2), Some(2)));
    // A second plan on the unchanged snapshot writes nothing.
    let again = w.plan();
    assert!(again.actions.is_empty(), "{:?}", describe_all(&again));
    assert!(again.events.is_empty());
}

#[test]
fn update_previews_the_new_replica_set_and_pauses_before_promotion() {
    let mut w = healthy(world());
    let h1 = hash(&w, 0);
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    let p1 = w.reconcile();
    let h2 = hash(&w, 1);
    let name2 = format!("rollout-bluegreen-{h2}");
    assert_eq!(
        describe_all(&p1),
        vec![
            format!("create rs {name2} replicas=0 revision=2"),
            r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"2"}}}"#.to_string(),
            "patch status conditions".to_string(),
        ]
    );
    // The preview Service follows the new ReplicaSet at once; the status starts the update over.
    let p2 = w.reconcile();
    assert_eq!(
        describe_all(&p2),
        vec![
            format!(r#"patch svc {PREVIEW} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"{h2}"}}}}}}"#),
            "patch status blueGreen,conditions,currentPodHash,duration,message,observedGeneration,phase,updatedReplicas"
                .to_string(),
        ]
    );
    let p3 = w.reconcile();
    assert_eq!(describe_all(&p3), vec![format!("update rs {name2} replicas=2")]);
    assert_eq!(selector_of(&w, ACTIVE), h1);
    w.settle();
    // Ready: one status patch adds the pause (upstream TestBlueGreenHandlePause/AddPause).
    let p4 = w.reconcile();
    assert_eq!(
        describe_all(&p4),
        vec!["patch status conditions,controllerPause,duration,message,pauseConditions,phase,replicas,updatedReplicas"]
    );
    assert!(events(&p4).contains(&"RolloutPaused: Rollout is paused (BlueGreenPause)".to_string()));
    w.run_until_quiet(5);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.message.as_deref(), Some("BlueGreenPause"));
    assert_eq!(s.controller_pause, Some(true));
    assert_eq!(s.pause_conditions.as_ref().unwrap()[0].reason, "BlueGreenPause");
    assert_eq!(bg_status(&w), (h1.clone(), h2.clone()));
    assert_eq!(s.stable_rs.as_deref(), Some(h1.as_str()));
    // HPA fields follow the active ReplicaSet, not the sum.
    assert_eq!((s.hpa_replicas, s.replicas), (Some(2), Some(4)));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 2), ("yellow".to_string(), 2)]);
    // Paused for an hour: the plan stays empty.
    w.advance(3600);
    let p = w.plan();
    assert!(p.actions.is_empty(), "{:?}", describe_all(&p));
}

#[test]
fn promote_switches_active_then_scales_the_old_one_down_after_the_delay() {
    let mut w = paused_on_yellow();
    let (h1, h2) = (hash(&w, 0), hash(&w, 1));
    w.patch_status(json!({"pauseConditions": null}));
    // checkPausedConditions records the resume as a reconcile of its own.
    let p1 = w.reconcile();
    assert_eq!(
        describe_all(&p1),
        vec!["patch status conditions,duration,message,phase"]
    );
    let p2 = w.reconcile();
    assert_eq!(
        describe_all(&p2),
        vec![
            format!(r#"patch svc {ACTIVE} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"{h2}"}}}}}}"#),
            "patch status blueGreen,conditions,controllerPause,duration,message,phase,selector,stableRS".to_string(),
        ]
    );
    assert!(events(&p2).contains(&format!(
        "RolloutCompleted: Rollout completed update to revision 2 ({h2}): Completed blue-green update"
    )));
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(bg_status(&w), (h2.clone(), h2.clone()));
    // The previous active ReplicaSet gets its deadline in the next reconcile, once unreferenced.
    let p3 = w.reconcile();
    assert_eq!(
        describe_all(&p3),
        vec![format!(
            r#"patch rs rollout-bluegreen-{h1} [{{"op":"add","path":"/metadata/annotations/scale-down-deadline","value":"2026-01-01T00:00:31Z"}}]"#
        )]
    );
    assert_eq!(p3.requeue_after, Some(std::time::Duration::from_secs(30)));
    // Held at full size until the deadline, with a wake-up at it.
    w.advance(29);
    let p = w.reconcile();
    assert!(p.actions.is_empty(), "{:?}", describe_all(&p));
    assert_eq!(p.requeue_after, Some(std::time::Duration::from_secs(1)));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 2), ("yellow".to_string(), 2)]);
    w.advance(1);
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p),
        vec![format!("update rs rollout-bluegreen-{h1} replicas=0")]
    );
    assert_eq!(deadline(&w, 0), None, "scaled to 0, the deadline goes");
    w.settle();
    w.run_until_quiet(3);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(w.status().replicas, Some(2));
}

#[test]
fn auto_promotion_switches_as_soon_as_the_new_pods_are_available() {
    let mut w = healthy(world_with(json!({"autoPromotionEnabled": null})));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    let h2 = hash(&w, 1);
    assert_eq!(selector_of(&w, ACTIVE), h2);
    assert!(w.log.iter().all(|a| !format!("{a:?}").contains("BlueGreenPause")));
    assert_eq!(w.status().stable_rs.as_deref(), Some(h2.as_str()));
}

#[test]
fn auto_promotion_seconds_pauses_then_promotes_by_itself() {
    let mut w = healthy(world_with(
        json!({"autoPromotionEnabled": null, "autoPromotionSeconds": 20}),
    ));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    let (h1, h2) = (hash(&w, 0), hash(&w, 1));
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    let p = w.plan();
    let wait = p.requeue_after.unwrap();
    assert!(
        wait > std::time::Duration::from_secs(19) && wait <= std::time::Duration::from_secs(21),
        "{wait:?}"
    );
    w.advance(19);
    w.run_until_quiet(3);
    assert_eq!(selector_of(&w, ACTIVE), h1);
    w.advance(2);
    w.run_until_quiet(6);
    assert_eq!(selector_of(&w, ACTIVE), h2);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn preview_replica_count_holds_the_preview_small_until_promotion() {
    let mut w = healthy(world_with(json!({"previewReplicaCount": 1})));
    w.patch_spec(json!({"replicas": 3}));
    w.run_until_quiet(10);
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 3), ("yellow".to_string(), 1)]);
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    assert_eq!(
        w.status().blue_green.as_ref().unwrap().scale_up_preview_check_point,
        None
    );
    w.patch_status(json!({"pauseConditions": null}));
    w.reconcile();
    // The checkpoint trips first, then the preview grows, then the active Service moves.
    let p = w.reconcile();
    assert!(
        describe_all(&p).iter().any(|d| d.contains("blueGreen")),
        "{:?}",
        describe_all(&p)
    );
    assert_eq!(
        w.status().blue_green.as_ref().unwrap().scale_up_preview_check_point,
        Some(true)
    );
    let h2 = hash(&w, 1);
    assert_ne!(selector_of(&w, ACTIVE), h2);
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p)[0],
        format!("update rs rollout-bluegreen-{h2} replicas=3")
    );
    assert_ne!(selector_of(&w, ACTIVE), h2, "not before the grown preview is available");
    w.settle();
    w.run_until_quiet(6);
    assert_eq!(selector_of(&w, ACTIVE), h2);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(
        w.status().blue_green.as_ref().unwrap().scale_up_preview_check_point,
        None,
        "reset by the promotion"
    );
}

#[test]
fn promote_full_skips_the_pause() {
    let mut w = healthy(world());
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.reconcile();
    w.reconcile();
    w.patch_status(json!({"promoteFull": true}));
    w.run_until_quiet(10);
    let h2 = hash(&w, 1);
    assert_eq!(selector_of(&w, ACTIVE), h2);
    assert_eq!(w.status().promote_full, None);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert!(w.log.iter().all(|a| !format!("{a:?}").contains("BlueGreenPause")));
}

#[test]
fn abort_keeps_active_on_stable_and_scales_the_preview_down_after_the_abort_delay() {
    let mut w = paused_on_yellow();
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    w.advance(31);
    w.run_until_quiet(5);
    set_image(&mut w, "argoproj/rollouts-demo:red");
    w.run_until_quiet(10);
    let (h2, h3) = (hash(&w, 1), hash(&w, 2));
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    w.patch_status(json!({"abort": true}));
    let p = w.reconcile();
    // The stable ReplicaSet is full and available: the deadline goes on at once, then the status.
    let d = describe_all(&p);
    assert_eq!(
        d[0],
        format!(
            r#"patch rs rollout-bluegreen-{h3} [{{"op":"add","path":"/metadata/annotations/scale-down-deadline","value":"2026-01-01T00:01:03Z"}}]"#
        )
    );
    assert!(d[1].starts_with("patch status "), "{d:?}");
    assert_eq!(d.len(), 2, "{d:?}");
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        s.message.as_deref(),
        Some("RolloutAborted: Rollout aborted update to revision 3")
    );
    assert_eq!(s.pause_conditions, None);
    assert!(events(&p).contains(&"RolloutAborted: Rollout aborted update to revision 3".to_string()));
    assert_eq!(
        (selector_of(&w, ACTIVE), selector_of(&w, PREVIEW)),
        (h2.clone(), h3.clone())
    );
    // Kept for the abort delay...
    w.advance(29);
    w.run_until_quiet(3);
    assert_eq!(w.sizes()[2], ("red".to_string(), 2));
    // ...then the preview Service moves back to stable before the aborted ReplicaSet goes.
    w.advance(2);
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p)[..2],
        [
            format!(r#"patch svc {PREVIEW} {{"spec":{{"selector":{{"rollouts-pod-template-hash":"{h2}"}}}}}}"#),
            format!("update rs rollout-bluegreen-{h3} replicas=0"),
        ]
    );
    w.settle();
    w.run_until_quiet(5);
    assert_eq!(selector_of(&w, ACTIVE), h2);
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    let quiet = w.plan();
    assert!(quiet.actions.is_empty(), "{:?}", describe_all(&quiet));
}

#[test]
fn abort_after_the_switch_moves_active_back_to_stable_once_it_can_serve() {
    let mut w = healthy(world_with_template(
        json!({"postPromotionAnalysis": {"templates": [{"templateName": "t"}]}}),
    ));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    let (h1, h2) = (hash(&w, 0), hash(&w, 1));
    // Switched, the post-promotion run going: not stable yet, old one kept up.
    assert_eq!(selector_of(&w, ACTIVE), h2);
    assert_eq!(run_names(&w), vec![format!("rollout-bluegreen-{h2}-2-post")]);
    assert_eq!(w.status().stable_rs.as_deref(), Some(h1.as_str()));
    assert_eq!(w.status().message.as_deref(), Some("waiting for analysis to complete"));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 2), ("yellow".to_string(), 2)]);
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(10);
    assert_eq!(selector_of(&w, ACTIVE), h1);
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        w.analysis_runs[0].spec.terminate,
        Some(true),
        "the abort terminates the run"
    );
}

#[test]
fn reapplying_the_stable_template_after_abort_is_fast_tracked() {
    let mut w = paused_on_yellow();
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    w.advance(31);
    w.run_until_quiet(5);
    set_image(&mut w, "argoproj/rollouts-demo:red");
    w.run_until_quiet(10);
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(5);
    let h2 = hash(&w, 1);
    let before = w.log.len();
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    let p = w.reconcile();
    let d = describe_all(&p);
    assert!(!d.iter().any(|d| d.starts_with("create rs")), "{d:?}");
    assert!(
        d.contains(&format!("update rs rollout-bluegreen-{h2} replicas=2")),
        "{d:?}"
    );
    assert!(
        d.contains(&r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"4"}}}"#.to_string())
    );
    w.run_until_quiet(10);
    assert_eq!(w.replica_sets.len(), 3);
    assert!(
        w.log[before..]
            .iter()
            .all(|a| !format!("{a:?}").contains("BlueGreenPause"))
    );
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Healthy));
    assert_eq!(s.abort, None);
    assert_eq!(
        (selector_of(&w, ACTIVE), selector_of(&w, PREVIEW)),
        (h2.clone(), h2.clone())
    );
    // Back at the stable target the aborted update's record ends as a rollback (upstream leaves it
    // `Aborted` on a Healthy rollout).
    assert_eq!(
        s.duration.as_ref().and_then(|d| d.completion_status.as_deref()),
        Some("FastRolledBack")
    );
}

#[test]
fn rolling_back_to_a_replica_set_waiting_for_its_deadline_is_fast_tracked() {
    let mut w = paused_on_yellow();
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    let h1 = hash(&w, 0);
    assert!(deadline(&w, 0).is_some());
    // Back to blue within the 30 s delay: no pause, the deadline goes, blue is active again.
    w.advance(5);
    set_image(&mut w, "argoproj/rollouts-demo:blue");
    w.run_until_quiet(10);
    assert_eq!(w.replica_sets.len(), 2);
    assert_eq!(selector_of(&w, ACTIVE), h1);
    assert_eq!(deadline(&w, 0), None);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert!(
        w.log
            .iter()
            .filter(|a| format!("{a:?}").contains("BlueGreenPause"))
            .count()
            == 1,
        "only the first update paused"
    );
}

#[test]
fn scale_down_revision_limit_scales_the_oldest_down_at_once() {
    let mut w = healthy(world_with(
        json!({"autoPromotionEnabled": null, "scaleDownDelayRevisionLimit": 1}),
    ));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 2), ("yellow".to_string(), 2)]);
    set_image(&mut w, "argoproj/rollouts-demo:red");
    w.run_until_quiet(10);
    // Only the newest previous revision waits for its deadline.
    assert_eq!(
        w.sizes(),
        vec![
            ("blue".to_string(), 0),
            ("yellow".to_string(), 2),
            ("red".to_string(), 2)
        ]
    );
    assert!(deadline(&w, 1).is_some());
}

#[test]
fn scale_down_delay_zero_scales_the_old_one_down_at_once() {
    let mut w = healthy(world_with(
        json!({"autoPromotionEnabled": null, "scaleDownDelaySeconds": 0}),
    ));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 0), ("yellow".to_string(), 2)]);
    assert!(w.log.iter().all(|a| {
        !describe_all(&Plan {
            actions: vec![a.clone()],
            ..Default::default()
        })[0]
            .contains("scale-down-deadline")
    }));
}

#[test]
fn a_scaling_event_resizes_active_and_preview_and_hpa_follows_active() {
    let mut w = paused_on_yellow();
    w.patch_spec(json!({"replicas": 4}));
    let p = w.reconcile();
    let (h1, h2) = (hash(&w, 0), hash(&w, 1));
    assert_eq!(
        describe_all(&p)[..2],
        [
            format!("update rs rollout-bluegreen-{h1} replicas=4"),
            format!("update rs rollout-bluegreen-{h2} replicas=4"),
        ]
    );
    w.settle();
    w.run_until_quiet(5);
    let s = w.status();
    assert_eq!(s.hpa_replicas, Some(4));
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(selector_of(&w, ACTIVE), h1);
}

#[test]
fn a_never_ready_preview_is_never_made_active_and_times_out() {
    let mut w = healthy(world_with(json!({"autoPromotionEnabled": null})));
    w.patch_spec(json!({"progressDeadlineSeconds": 60}));
    w.run_until_quiet(5);
    let h1 = hash(&w, 0);
    set_image(&mut w, "argoproj/rollouts-demo:broken");
    for _ in 0..10 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    w.patch_status(json!({"promoteFull": true}));
    for _ in 0..5 {
        w.advance(20);
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!(selector_of(&w, ACTIVE), h1);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .starts_with("ProgressDeadlineExceeded: ReplicaSet"),
        "{:?}",
        s.message
    );
}

/// Upstream #3534: a blue-green rollout paused longer than its progress deadline flipped Paused →
/// Progressing → Degraded on every resync. Paused time never counts against the deadline.
#[test]
fn upstream_3534_a_long_pause_survives_resyncs() {
    let mut w = paused_on_yellow();
    for _ in 0..12 {
        w.advance(15 * 60);
        let p = w.reconcile();
        assert!(p.actions.is_empty(), "{:?}", describe_all(&p));
        assert_eq!(p.requeue_after, None, "nothing to wake up for while paused");
    }
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    assert_eq!(w.status().message.as_deref(), Some("BlueGreenPause"));
}

/// Upstream #3988: after an aborted revision, a second broken revision stayed Progressing forever —
/// the aborted ReplicaSet kept its expired `scale-down-deadline` and so switched the deadline off.
#[test]
fn upstream_3988_a_second_broken_revision_still_times_out() {
    let mut w = healthy(world_with(json!({"autoPromotionEnabled": null})));
    w.patch_spec(json!({"progressDeadlineSeconds": 60, "progressDeadlineAbort": true}));
    w.run_until_quiet(5);
    let h1 = hash(&w, 0);
    let step = |w: &mut World| {
        w.reconcile();
        w.settle_without_new_pods();
    };
    set_image(&mut w, "argoproj/rollouts-demo:broken-1");
    for _ in 0..4 {
        step(&mut w);
    }
    for _ in 0..6 {
        w.advance(20);
        step(&mut w);
    }
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    assert_eq!(w.status().abort, Some(true));
    // The aborted preview goes after its abort delay.
    w.advance(40);
    for _ in 0..4 {
        step(&mut w);
    }
    assert_eq!(w.replica_sets[1].spec.replicas, Some(0));
    // The second broken revision.
    set_image(&mut w, "argoproj/rollouts-demo:broken-2");
    for _ in 0..4 {
        step(&mut w);
    }
    assert_eq!(w.status().abort, None, "a new template lifts the abort");
    for _ in 0..6 {
        w.advance(20);
        step(&mut w);
    }
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded), "{:?}", s.message);
    assert_eq!(s.abort, Some(true));
    assert_eq!(selector_of(&w, ACTIVE), h1);
}

#[test]
fn pre_promotion_analysis_gates_promotion_and_aborts_or_pauses() {
    let pre = json!({"autoPromotionEnabled": null, "prePromotionAnalysis": {"templates": [{"templateName": "t"}]}});
    let start = |pre: &Value| {
        let mut w = healthy(world_with_template(pre.clone()));
        set_image(&mut w, "argoproj/rollouts-demo:yellow");
        w.run_until_quiet(10);
        w
    };
    // The preview is ready: the run is created, the active Service waits for it.
    let mut w = start(&pre);
    let (h1, h2) = (hash(&w, 0), hash(&w, 1));
    let name = format!("rollout-bluegreen-{h2}-2-pre");
    assert_eq!(run_names(&w), vec![name.clone()]);
    let run = &w.analysis_runs[0];
    let labels = run.metadata.labels.as_ref().unwrap();
    assert_eq!(labels["rollout-type"], "PrePromotion");
    assert_eq!(labels["rollouts-pod-template-hash"], h2);
    assert_eq!(labels["app"], "rollout-bluegreen");
    assert_eq!(
        run.metadata.annotations.as_ref().unwrap()["rollout.argoproj.io/revision"],
        "2"
    );
    assert_eq!(run.metadata.owner_references.as_ref().unwrap()[0].kind, "Rollout");
    assert_eq!(run.spec.metrics[0].name, "ok");
    assert_eq!(selector_of(&w, ACTIVE), h1);
    assert_eq!(w.status().message.as_deref(), Some("active service cutover pending"));
    w.advance(600);
    let p = w.plan();
    assert!(p.actions.is_empty(), "waiting writes nothing: {:?}", describe_all(&p));
    // It succeeds: promotion.
    w.finish_run(&name, "Successful", "");
    let p = w.reconcile();
    assert!(events(&p).contains(&format!(
        "AnalysisRunSuccessful: PrePromotion Analysis Run '{name}' Status New: 'Successful' Previous: 'Pending'"
    )));
    w.run_until_quiet(10);
    assert_eq!(selector_of(&w, ACTIVE), h2);
    assert_eq!(
        w.status()
            .blue_green
            .as_ref()
            .unwrap()
            .pre_promotion_analysis_run_status
            .as_ref()
            .map(|r| r.status),
        Some(rollouts_api::analysis_run::AnalysisPhase::Successful)
    );

    // A failed run aborts with upstream's message.
    let mut w = start(&pre);
    let name = run_names(&w)[0].clone();
    w.finish_run(&name, "Failed", "metric \"m\" assessed Failed");
    w.run_until_quiet(10);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        s.message.as_deref(),
        Some(
            "RolloutAborted: Rollout aborted update to revision 2: Blue/green pre-promotion analysis phase error/failed: metric \"m\" assessed Failed"
        )
    );
    assert_eq!(selector_of(&w, ACTIVE), hash(&w, 0));

    // An inconclusive run pauses; a promotion then starts a new run.
    let mut w = start(&pre);
    let name = run_names(&w)[0].clone();
    w.finish_run(&name, "Inconclusive", "");
    w.run_until_quiet(10);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.message.as_deref(), Some("InconclusiveAnalysisRun"));
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    assert_eq!(run_names(&w), vec![name.clone(), format!("{name}.1")]);
}

/// Upstream keeps a promoted blue-green rollout's pre-promotion run on record only while the run
/// exists (`currentArs` comes from the runs found): once deleted, its status entry goes.
#[test]
fn a_promotion_run_status_is_dropped_once_the_run_is_gone() {
    let mut w = healthy(world_with_template(
        json!({"autoPromotionEnabled": null, "prePromotionAnalysis": {"templates": [{"templateName": "t"}]}}),
    ));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    let name = run_names(&w)[0].clone();
    w.finish_run(&name, "Successful", "");
    w.run_until_quiet(10);
    let pre = |w: &World| {
        w.status()
            .blue_green
            .as_ref()
            .and_then(|b| b.pre_promotion_analysis_run_status.as_ref())
            .map(|r| r.name.clone())
    };
    assert_eq!(pre(&w), Some(name));
    w.analysis_runs.clear();
    w.advance(1);
    w.run_until_quiet(10);
    assert_eq!(pre(&w), None);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn post_promotion_analysis_holds_stable_and_the_old_replica_set() {
    let mut w = healthy(world_with_template(json!({
        "autoPromotionEnabled": null,
        "postPromotionAnalysis": {"templates": [{"templateName": "t"}]}
    })));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    let (h1, h2) = (hash(&w, 0), hash(&w, 1));
    assert_eq!(selector_of(&w, ACTIVE), h2);
    let name = format!("rollout-bluegreen-{h2}-2-post");
    assert_eq!(run_names(&w), vec![name.clone()]);
    w.advance(120);
    w.run_until_quiet(5);
    assert_eq!(w.status().stable_rs.as_deref(), Some(h1.as_str()));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 2), ("yellow".to_string(), 2)]);
    w.finish_run(&name, "Successful", "");
    w.run_until_quiet(10);
    assert_eq!(w.status().stable_rs.as_deref(), Some(h2.as_str()));
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    // No explicit delay: the old ReplicaSet goes once the analysis has passed (after the default delay).
    w.advance(31);
    w.run_until_quiet(5);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 0), ("yellow".to_string(), 2)]);
}

#[test]
fn active_and_preview_metadata_follow_the_roles() {
    let mut w = healthy(world_with(json!({
        "activeMetadata": {"labels": {"role": "active"}},
        "previewMetadata": {"labels": {"role": "preview"}}
    })));
    let role = |w: &World, i: usize| {
        w.replica_sets[i]
            .spec
            .template
            .as_ref()
            .unwrap()
            .metadata
            .as_ref()
            .unwrap()
            .labels
            .as_ref()
            .unwrap()
            .get("role")
            .cloned()
    };
    assert_eq!(role(&w, 0).as_deref(), Some("active"));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    assert_eq!(
        (role(&w, 0).as_deref(), role(&w, 1).as_deref()),
        (Some("active"), Some("preview"))
    );
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    assert_eq!((role(&w, 0), role(&w, 1).as_deref()), (None, Some("active")));
}

#[test]
fn anti_affinity_keeps_the_preview_away_from_the_active_pods() {
    let mut w = healthy(world_with(
        json!({"antiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}}}),
    ));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    let h1 = hash(&w, 0);
    let affinity = serde_json::to_value(
        w.replica_sets[1]
            .spec
            .template
            .as_ref()
            .unwrap()
            .spec
            .as_ref()
            .unwrap()
            .affinity
            .as_ref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        affinity["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]["labelSelector"]["matchExpressions"]
            [0]["values"],
        json!([h1])
    );
}

/// Upstream `GenerateReplicaSetAffinity` reads `status.stableRS`: the rule points at the stable hash
/// even when that ReplicaSet object is gone.
#[test]
fn anti_affinity_follows_the_recorded_stable_hash_without_its_replica_set() {
    let mut w = healthy(world_with(
        json!({"antiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 50}}}),
    ));
    let h1 = hash(&w, 0);
    w.replica_sets.clear();
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.reconcile();
    let created = w.replica_sets.last().unwrap();
    let affinity = serde_json::to_value(
        created
            .spec
            .template
            .as_ref()
            .unwrap()
            .spec
            .as_ref()
            .unwrap()
            .affinity
            .as_ref(),
    )
    .unwrap();
    let term = &affinity["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0];
    assert_eq!(term["weight"], json!(50));
    assert_eq!(
        term["podAffinityTerm"]["labelSelector"]["matchExpressions"][0]["values"],
        json!([h1])
    );
}

#[test]
fn restart_evicts_within_max_unavailable() {
    let mut w = healthy(world_with(json!({"maxUnavailable": 1})));
    let name = w.replica_sets[0].metadata.name.clone().unwrap();
    w.add_pods(&name, 2);
    w.advance(10);
    let at = w.now;
    w.patch_spec(json!({"restartAt": at.to_string()}));
    let p = w.reconcile();
    let evictions = describe_all(&p).iter().filter(|d| d.starts_with("evict")).count();
    assert_eq!(evictions, 1, "{:?}", describe_all(&p));
    w.advance(1);
    w.run_until_quiet(10);
    assert_eq!(w.status().restarted_at.as_ref().map(|t| t.0), Some(at));
}

/// Revision 3 (red) paused before promotion, with yellow active and stable.
fn paused_on_red(strategy: Value) -> World {
    let mut w = healthy(world_with(strategy));
    set_image(&mut w, "argoproj/rollouts-demo:yellow");
    w.run_until_quiet(10);
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    w.advance(31);
    w.run_until_quiet(5);
    set_image(&mut w, "argoproj/rollouts-demo:red");
    w.run_until_quiet(10);
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    w
}

#[test]
fn retry_after_abort_brings_the_preview_back_and_pauses_again() {
    let mut w = paused_on_red(json!({}));
    let (h2, h3) = (hash(&w, 1), hash(&w, 2));
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(5);
    w.advance(31);
    w.run_until_quiet(5);
    assert_eq!(w.sizes()[2], ("red".to_string(), 0));
    assert_eq!(selector_of(&w, PREVIEW), h2);
    w.patch_status(json!({"abort": false}));
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p),
        vec!["patch status conditions,duration,message,phase"],
        "RolloutRetry first"
    );
    assert_eq!(
        w.status()
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .find(|c| c.type_ == "Progressing")
            .map(|c| c.reason.as_str()),
        Some("RolloutRetry")
    );
    w.run_until_quiet(10);
    assert_eq!(w.sizes()[2], ("red".to_string(), 2));
    assert_eq!(
        (selector_of(&w, ACTIVE), selector_of(&w, PREVIEW)),
        (h2.clone(), h3.clone())
    );
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.message.as_deref(), Some("BlueGreenPause"));
    assert_ne!(s.abort, Some(true));
    assert_eq!(deadline(&w, 2), None);
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(10);
    assert_eq!(selector_of(&w, ACTIVE), h3);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn abort_scale_down_delay_zero_leaves_the_preview_up() {
    let mut w = paused_on_red(json!({"abortScaleDownDelaySeconds": 0}));
    let (h2, h3) = (hash(&w, 1), hash(&w, 2));
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(5);
    w.advance(3600);
    w.run_until_quiet(5);
    assert_eq!(w.sizes()[2], ("red".to_string(), 2));
    assert_eq!(deadline(&w, 2), None);
    assert_eq!((selector_of(&w, ACTIVE), selector_of(&w, PREVIEW)), (h2, h3));
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
}

#[test]
fn retry_within_the_abort_delay_drops_the_deadline() {
    let mut w = paused_on_red(json!({}));
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(5);
    assert!(deadline(&w, 2).is_some());
    w.advance(5);
    w.patch_status(json!({"abort": false}));
    w.run_until_quiet(10);
    assert_eq!(
        deadline(&w, 2),
        None,
        "a retried update is not waiting to be scaled down"
    );
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    w.advance(60);
    w.run_until_quiet(5);
    assert_eq!(w.sizes()[2], ("red".to_string(), 2));
}
