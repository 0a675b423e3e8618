//! Golden plans: the exact ordered writes of each transition of the seed walkthrough (and the others
//! the canary strategy has), with the status they leave behind.

use rollouts_api::RolloutPhase;
use serde_json::json;

use super::world::{World, demo_rollout, describe_all};
use crate::plan::Action;

fn hash(world: &World, index: usize) -> String {
    world.replica_sets[index].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone()
}

fn events(plan: &crate::plan::Plan) -> Vec<String> {
    plan.events
        .iter()
        .map(|e| format!("{}: {}", e.reason, e.message))
        .collect()
}

/// A world where revision 1 (blue) is deployed and Healthy.
fn healthy_blue() -> World {
    let mut w = World::new(demo_rollout());
    w.run_until_quiet(10);
    w
}

#[test]
fn initial_deploy_creates_then_scales_straight_to_full() {
    let mut w = World::new(demo_rollout());
    let p1 = w.reconcile();
    let h = hash(&w, 0);
    let name = format!("rollouts-demo-{h}");
    assert_eq!(
        describe_all(&p1),
        vec![
            format!("create rs {name} replicas=0 revision=1"),
            r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"1"}}}"#.to_string(),
            "patch status conditions".to_string(),
        ]
    );
    assert_eq!(
        events(&p1),
        vec![
            "RolloutUpdated: Rollout updated to revision 1".to_string(),
            format!("NewReplicaSetCreated: Created ReplicaSet {name} (revision 1)")
        ]
    );
    let cond = &w.status().conditions.as_ref().unwrap()[0];
    assert_eq!(
        (cond.reason.as_str(), cond.message.as_str()),
        (
            "NewReplicaSetCreated",
            format!("Created new replica set \"{name}\"").as_str()
        )
    );

    // The step status is reset for the new template before anything is scaled.
    let p2 = w.reconcile();
    assert_eq!(describe_all(&p2).len(), 1);
    assert_eq!(w.status().current_pod_hash.as_deref(), Some(h.as_str()));
    assert_eq!(w.status().current_step_index, Some(0));
    assert!(w.status().stable_rs.is_none());

    // First revision: no steps, straight to 5, marked stable at once.
    let p3 = w.reconcile();
    let d3 = describe_all(&p3);
    assert_eq!(d3[0], format!("update rs {name} replicas=5"));
    assert!(
        d3[1].starts_with("patch status ") && d3[1].contains("stableRS"),
        "{d3:?}"
    );
    assert_eq!(d3.len(), 2);
    assert_eq!(w.status().stable_rs.as_deref(), Some(h.as_str()));
    assert_eq!(w.status().current_step_index, Some(8));
    assert!(events(&p3).contains(&format!(
        "RolloutCompleted: Rollout completed update to revision 1 ({h}): Initial deploy"
    )));
    assert!(events(&p3).contains(&format!(
        "ScalingReplicaSet: Scaled up ReplicaSet {name} (revision 1) from 0 to 5"
    )));

    w.settle();
    w.run_until_quiet(5);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Healthy));
    assert_eq!(s.message, None);
    assert_eq!(
        (s.replicas, s.updated_replicas, s.ready_replicas, s.available_replicas),
        (Some(5), Some(5), Some(5), Some(5))
    );
    assert_eq!(s.hpa_replicas, Some(5));
    assert_eq!(s.selector.as_deref(), Some("app=rollouts-demo"));
    assert_eq!(s.observed_generation.as_deref(), Some("1"));
    let rs = &w.replica_sets[0];
    assert_eq!(
        rs.metadata.annotations.as_ref().unwrap()["rollout.argoproj.io/desired-replicas"],
        "5"
    );
    assert_eq!(rs.metadata.owner_references.as_ref().unwrap()[0].kind, "Rollout");
    assert_eq!(
        rs.spec.selector.match_labels.as_ref().unwrap()["rollouts-pod-template-hash"],
        h
    );
}

#[test]
fn a_quiet_rollout_plans_no_writes() {
    let w = healthy_blue();
    let p = w.plan();
    assert!(p.actions.is_empty(), "{:?}", describe_all(&p));
    assert!(p.events.is_empty());
}

#[test]
fn update_runs_the_steps_and_stops_at_the_indefinite_pause() {
    let mut w = healthy_blue();
    w.set_image("argoproj/rollouts-demo:yellow");
    let p = w.reconcile();
    let d = describe_all(&p);
    assert!(
        d[0].starts_with("create rs rollouts-demo-") && d[0].ends_with("replicas=0 revision=2"),
        "{d:?}"
    );
    assert_eq!(
        d[1],
        r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"2"}}}"#
    );
    w.run_until_quiet(20);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 4), ("yellow".to_string(), 1)]);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.message.as_deref(), Some("CanaryPauseStep"));
    assert_eq!(s.current_step_index, Some(1));
    assert_eq!(s.controller_pause, Some(true));
    assert_eq!(s.pause_conditions.as_ref().unwrap()[0].reason, "CanaryPauseStep");
    // Stays paused.
    w.advance(3600);
    w.run_until_quiet(3);
    assert_eq!(w.status().current_step_index, Some(1));
}

#[test]
fn entering_the_pause_is_a_single_status_patch() {
    let mut w = healthy_blue();
    w.set_image("argoproj/rollouts-demo:yellow");
    let mut last = Vec::new();
    for _ in 0..20 {
        let p = w.reconcile();
        if w.status().pause_conditions.is_some() {
            last = describe_all(&p);
            assert!(
                events(&p).contains(&"RolloutPaused: Rollout is paused (CanaryPauseStep)".to_string()),
                "{:?}",
                events(&p)
            );
            break;
        }
        w.settle();
    }
    assert_eq!(last.len(), 1, "{last:?}");
    assert!(last[0].starts_with("patch status "));
    assert!(last[0].contains("controllerPause") && last[0].contains("pauseConditions") && last[0].contains("phase"));
}

fn paused_at_yellow() -> World {
    let mut w = healthy_blue();
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    w
}

#[test]
fn promote_runs_the_remaining_steps_with_their_durations() {
    let mut w = paused_at_yellow();
    w.patch_status(json!({"pauseConditions": null}));
    // The resume is first recorded in the conditions, as a reconcile of its own.
    let resumed = w.reconcile();
    assert_eq!(
        describe_all(&resumed),
        vec!["patch status conditions,duration,message,phase".to_string()]
    );
    let progressing = w
        .status()
        .conditions
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.type_ == "Progressing")
        .unwrap()
        .clone();
    assert_eq!(
        (progressing.status.as_str(), progressing.reason.as_str()),
        ("Unknown", "RolloutResumed")
    );
    let p = w.reconcile();
    assert_eq!(describe_all(&p).len(), 1);
    assert_eq!(w.status().current_step_index, Some(2));
    assert_eq!(w.status().controller_pause, None);
    assert!(
        events(&p).contains(&"RolloutStepCompleted: Rollout step 2/8 completed (pause)".to_string()),
        "{:?}",
        events(&p)
    );
    w.run_until_quiet(20);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 3), ("yellow".to_string(), 2)]);
    assert_eq!(w.status().current_step_index, Some(3));
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    // The timed pause asks to be looked at again when it ends.
    let p = w.plan();
    assert!(p.actions.is_empty());
    assert_eq!(p.requeue_after, Some(std::time::Duration::from_secs(10)));
    w.advance(4);
    assert_eq!(w.plan().requeue_after, Some(std::time::Duration::from_secs(6)));
    w.advance(7);
    w.run_until_quiet(20);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 2), ("yellow".to_string(), 3)]);
    for _ in 0..2 {
        w.advance(11);
        w.run_until_quiet(20);
    }
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Healthy), "{s:#?}");
    assert_eq!(w.sizes(), vec![("blue".to_string(), 0), ("yellow".to_string(), 5)]);
    assert_eq!(s.stable_rs, s.current_pod_hash);
    assert_eq!(s.current_step_index, Some(8));
}

#[test]
fn abort_scales_the_canary_down_and_degrades() {
    let mut w = paused_at_yellow();
    w.patch_status(json!({"abort": true}));
    let p = w.reconcile();
    let d = describe_all(&p);
    assert!(d[0].starts_with("update rs") && d[0].ends_with("replicas=5"), "{d:?}");
    w.run_until_quiet(10);
    let s = w.status();
    assert_eq!(w.sizes(), vec![("blue".to_string(), 5), ("yellow".to_string(), 0)]);
    assert_eq!(s.abort, Some(true));
    assert!(s.aborted_at.is_some());
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        s.message.as_deref(),
        Some("RolloutAborted: Rollout aborted update to revision 2")
    );
    assert_eq!(s.current_step_index, Some(0));
    assert!(s.pause_conditions.is_none());
}

#[test]
fn abort_on_a_healthy_rollout_is_a_no_op_upstream_1292() {
    let mut w = healthy_blue();
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(5);
    let s = w.status();
    assert_eq!(s.abort, None);
    assert_eq!(s.phase, Some(RolloutPhase::Healthy));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 5)]);
}

#[test]
fn retry_after_abort_restarts_the_steps() {
    let mut w = paused_at_yellow();
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(10);
    w.patch_status(json!({"abort": false}));
    w.run_until_quiet(20);
    let s = w.status();
    assert_ne!(s.abort, Some(true));
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.current_step_index, Some(1));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 4), ("yellow".to_string(), 1)]);
}

#[test]
fn reapplying_the_stable_template_is_a_fast_rollback_without_a_new_replica_set() {
    let mut w = paused_at_yellow();
    w.patch_status(json!({"pauseConditions": null}));
    for _ in 0..4 {
        w.run_until_quiet(20);
        w.advance(11);
    }
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    w.set_image("argoproj/rollouts-demo:red");
    w.run_until_quiet(20);
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    let count = w.replica_sets.len();
    w.set_image("argoproj/rollouts-demo:yellow");
    let first = w.reconcile();
    let d = describe_all(&first);
    // The yellow ReplicaSet gets the newest revision; no ReplicaSet is created.
    assert!(d[0].starts_with("update rs"), "{d:?}");
    assert_eq!(
        d[1],
        r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/revision":"4"}}}"#
    );
    assert!(
        events(&first).contains(&"SkipSteps: Rollback to stable ReplicaSets".to_string()),
        "{:?}",
        events(&first)
    );
    w.settle();
    w.run_until_quiet(10);
    assert_eq!(w.replica_sets.len(), count);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Healthy));
    assert_eq!(s.abort, None);
    assert_eq!(s.current_step_index, Some(8));
    let yellow = w
        .replica_sets
        .iter()
        .find(|rs| rs.metadata.annotations.as_ref().unwrap()["rollout.argoproj.io/revision"] == "4")
        .unwrap();
    assert_eq!(
        yellow.metadata.annotations.as_ref().unwrap()["rollout.argoproj.io/revision-history"],
        "2"
    );
    assert_eq!(
        w.rollout.metadata.annotations.as_ref().unwrap()["rollout.argoproj.io/revision"],
        "4"
    );
}

#[test]
fn promote_full_skips_the_remaining_steps() {
    let mut w = paused_at_yellow();
    w.patch_status(json!({"promoteFull": true}));
    w.run_until_quiet(20);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Healthy), "{s:#?}");
    assert_eq!(s.promote_full, None);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 0), ("yellow".to_string(), 5)]);
}

#[test]
fn template_change_mid_update_scales_the_intermediate_replica_set_down() {
    let mut w = paused_at_yellow();
    w.set_image("argoproj/rollouts-demo:red");
    w.run_until_quiet(20);
    assert_eq!(
        w.sizes(),
        vec![
            ("blue".to_string(), 4),
            ("yellow".to_string(), 0),
            ("red".to_string(), 1)
        ]
    );
    assert_eq!(w.status().current_step_index, Some(1));
}

#[test]
fn scaling_while_paused_keeps_the_step_ratio() {
    let mut w = paused_at_yellow();
    w.patch_spec(json!({"replicas": 10}));
    w.run_until_quiet(20);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 8), ("yellow".to_string(), 2)]);
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
}

#[test]
fn revision_history_limit_deletes_the_oldest_scaled_down_replica_sets() {
    let mut w = healthy_blue();
    for (i, image) in ["a", "b", "c", "d"].iter().enumerate() {
        w.set_image(&format!("img:{image}"));
        w.patch_status(json!({}));
        w.run_until_quiet(20);
        w.patch_status(json!({"promoteFull": true}));
        w.run_until_quiet(20);
        assert_eq!(w.status().phase, Some(RolloutPhase::Healthy), "round {i}");
    }
    // Limit 2: the current ReplicaSet and at most two scaled-down ones remain.
    assert_eq!(w.replica_sets.len(), 3, "{:?}", w.sizes());
    assert!(w.log.iter().any(|a| matches!(a, Action::DeleteReplicaSet { .. })));
}

#[test]
fn missing_replicas_defaults_to_one() {
    let mut r = demo_rollout();
    r.spec.replicas = None;
    let mut w = World::new(r);
    w.reconcile();
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p),
        vec![r#"patch rollout {"spec":{"replicas":1}}"#.to_string()]
    );
}

#[test]
fn invalid_spec_is_reported_and_retried() {
    let mut r = demo_rollout();
    r.spec.selector = None;
    let mut w = World::new(r);
    let p = w.reconcile();
    assert!(p.error.is_some());
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .starts_with("InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.selector"),
        "{:?}",
        s.message
    );
    // Same problem again: nothing to write.
    assert!(w.plan().actions.is_empty());
}

#[test]
fn a_missing_service_is_an_invalid_spec() {
    let mut r = demo_rollout();
    r.spec
        .strategy
        .as_mut()
        .unwrap()
        .canary
        .as_mut()
        .unwrap()
        .canary_service = Some("canary-svc".into());
    let mut w = World::new(r);
    w.reconcile();
    assert_eq!(
        w.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.canaryService: Invalid value: \"canary-svc\": service \"canary-svc\" not found"
        )
    );
}

#[test]
fn never_ready_pods_end_degraded_after_the_progress_deadline() {
    let mut w = healthy_blue();
    w.patch_spec(json!({"progressDeadlineSeconds": 30}));
    w.run_until_quiet(5);
    w.set_image("argoproj/rollouts-demo:bad");
    for _ in 0..20 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!(w.status().phase, Some(RolloutPhase::Progressing));
    let p = w.plan();
    let after = p.requeue_after.expect("requeue for the deadline");
    assert!(after <= std::time::Duration::from_secs(31), "{after:?}");
    w.advance(31);
    w.reconcile();
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded), "{s:#?}");
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .starts_with("ProgressDeadlineExceeded: ReplicaSet \"rollouts-demo-"),
        "{:?}",
        s.message
    );
    assert_eq!(s.abort, None);
}

#[test]
fn progress_deadline_abort_aborts_and_restores_stable() {
    let mut w = healthy_blue();
    w.patch_spec(json!({"progressDeadlineSeconds": 30, "progressDeadlineAbort": true}));
    w.run_until_quiet(5);
    w.set_image("argoproj/rollouts-demo:bad");
    for _ in 0..20 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    w.advance(31);
    for _ in 0..10 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    let s = w.status();
    assert_eq!(s.abort, Some(true));
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert!(
        s.message.as_deref().unwrap().contains("has timed out progressing."),
        "{:?}",
        s.message
    );
    assert_eq!(w.sizes(), vec![("blue".to_string(), 5), ("bad".to_string(), 0)]);
}

#[test]
fn restart_evicts_old_pods_within_max_unavailable() {
    let mut w = healthy_blue();
    let name = w.replica_sets[0].metadata.name.clone().unwrap();
    w.add_pods(&name, 5);
    w.advance(60);
    let at = w.now;
    w.patch_spec(json!({"restartAt": at.to_string()}));
    // One pod at a time (maxUnavailable 25% of 5 → 1), looked at again every 30 s.
    let mut evictions = Vec::new();
    for _ in 0..20 {
        let p = w.reconcile();
        let evicted: Vec<_> = p
            .actions
            .iter()
            .filter(|a| matches!(a, Action::EvictPod { .. }))
            .collect();
        assert!(evicted.len() <= 1, "{:?}", describe_all(&p));
        if !evicted.is_empty() {
            assert_eq!(p.actions.len(), 1, "an eviction ends the reconcile");
            evictions.push(describe_all(&p)[0].clone());
        }
        if w.status().restarted_at.is_some() {
            break;
        }
    }
    assert_eq!(evictions.len(), 5);
    assert_eq!(w.status().restarted_at.as_ref().map(|t| t.0), Some(at));
    let rest = w.run_until_quiet(5);
    assert!(
        rest.iter()
            .all(|p| !p.actions.iter().any(|a| matches!(a, Action::EvictPod { .. })))
    );
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn a_future_restart_asks_to_be_woken_then() {
    let mut w = healthy_blue();
    let at = w.now.checked_add(jiff::SignedDuration::from_secs(90)).unwrap();
    w.patch_spec(json!({"restartAt": at.to_string()}));
    let p = w.reconcile();
    assert_eq!(
        w.plan().requeue_after,
        Some(std::time::Duration::from_secs(90)),
        "{:?}",
        describe_all(&p)
    );
}

#[test]
fn ephemeral_metadata_follows_the_roles() {
    let mut r = demo_rollout();
    let canary = r.spec.strategy.as_mut().unwrap().canary.as_mut().unwrap();
    canary.canary_metadata = Some(serde_json::from_value(json!({"labels": {"role": "canary"}})).unwrap());
    canary.stable_metadata = Some(serde_json::from_value(json!({"labels": {"role": "stable"}})).unwrap());
    let mut w = World::new(r);
    w.run_until_quiet(10);
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
    assert_eq!(role(&w, 0).as_deref(), Some("stable"));
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    assert_eq!(role(&w, 1).as_deref(), Some("canary"));
    assert_eq!(role(&w, 0).as_deref(), Some("stable"));
    w.patch_status(json!({"promoteFull": true}));
    w.run_until_quiet(20);
    assert_eq!(role(&w, 1).as_deref(), Some("stable"));
    assert_eq!(role(&w, 0), None, "the old ReplicaSet loses the injected label");
    assert!(w.log.iter().any(|a| matches!(a, Action::PatchPods { .. })));
}

#[test]
fn hash_collisions_raise_the_collision_count() {
    use crate::plan::replica_sets::hash_collision_patch;
    let mut w = healthy_blue();
    // The API server defaults the pod template of a stored ReplicaSet; this world does not, so "ours"
    // is built from the Rollout's template as the server would keep it for an undefaulted one.
    let mut ours = w.replica_sets[0].clone();
    ours.spec.template = Some(crate::hash::tests_support::defaulted(
        w.rollout.spec.template.as_ref().unwrap(),
    ));
    assert_eq!(
        hash_collision_patch(&w.rollout, &ours),
        None,
        "our own ReplicaSet: a slow cache"
    );
    let mut foreign = ours.clone();
    foreign.metadata.owner_references.as_mut().unwrap()[0].uid = "someone-else".into();
    assert_eq!(
        hash_collision_patch(&w.rollout, &foreign),
        Some(json!({"collisionCount": 1}))
    );
    w.patch_status(json!({"collisionCount": 1}));
    w.set_image("argoproj/rollouts-demo:other");
    assert_eq!(
        hash_collision_patch(&w.rollout, &ours),
        Some(json!({"collisionCount": 2})),
        "same name, other template"
    );
    // With the count raised, the new template hashes to another name.
    let p = w.plan();
    let crate::plan::Action::CreateReplicaSet(rs) = &p.actions[0] else {
        panic!("{p:?}")
    };
    let plain = crate::hash::pod_template_hash(w.rollout.spec.template.as_ref().unwrap(), None);
    assert_ne!(rs.metadata.name.as_deref().unwrap(), format!("rollouts-demo-{plain}"));
}

#[test]
fn abort_writes_as_upstream_stable_first_then_status() {
    let mut w = paused_at_yellow();
    let stable = w.replica_sets[0].metadata.name.clone().unwrap();
    let canary = w.replica_sets[1].metadata.name.clone().unwrap();
    w.patch_status(json!({"abort": true}));
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p),
        vec![
            format!("update rs {stable} replicas=5"),
            "patch status abortedAt,conditions,controllerPause,currentStepIndex,duration,message,pauseConditions,phase"
                .to_string(),
        ]
    );
    assert_eq!(
        events(&p),
        vec![
            format!("ScalingReplicaSet: Scaled up ReplicaSet {stable} (revision 1) from 4 to 5"),
            "RolloutAborted: Rollout aborted update to revision 2".to_string(),
        ]
    );
    w.settle();
    let p = w.reconcile();
    assert_eq!(describe_all(&p)[0], format!("update rs {canary} replicas=0"));
}

#[test]
fn a_scaling_event_resizes_stable_then_canary() {
    let mut w = paused_at_yellow();
    let stable = w.replica_sets[0].metadata.name.clone().unwrap();
    let canary = w.replica_sets[1].metadata.name.clone().unwrap();
    w.patch_spec(json!({"replicas": 10}));
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p),
        vec![
            format!("update rs {stable} replicas=8"),
            "patch status conditions,observedGeneration".to_string()
        ]
    );
    w.settle();
    let p = w.reconcile();
    assert_eq!(describe_all(&p)[0], format!("update rs {canary} replicas=2"));
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
}

#[test]
fn rollback_within_the_window_skips_the_steps() {
    let mut r = demo_rollout();
    r.spec.rollback_window = Some(serde_json::from_value(json!({"revisions": 2})).unwrap());
    let mut w = World::new(r);
    w.run_until_quiet(10);
    for image in ["argoproj/rollouts-demo:yellow", "argoproj/rollouts-demo:red"] {
        w.advance(60);
        w.set_image(image);
        w.run_until_quiet(20);
        w.patch_status(json!({"promoteFull": true}));
        w.run_until_quiet(20);
    }
    assert_eq!(
        w.sizes(),
        vec![("blue".into(), 0), ("yellow".into(), 0), ("red".into(), 5)]
    );
    // Back to yellow: created before the stable (red) one, within 2 revisions: fast-tracked.
    w.set_image("argoproj/rollouts-demo:yellow");
    let plans = w.run_until_quiet(20);
    assert!(
        plans
            .iter()
            .all(|p| !p.actions.iter().any(|a| matches!(a, Action::CreateReplicaSet(_))))
    );
    let all_events: Vec<String> = plans.iter().flat_map(events).collect();
    assert!(
        all_events.iter().any(|e| e.ends_with("Rollback within window")),
        "{all_events:?}"
    );
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert!(
        w.status().pause_conditions.is_none(),
        "no pause on a rollback within the window"
    );
    assert_eq!(
        w.sizes(),
        vec![("blue".into(), 0), ("yellow".into(), 5), ("red".into(), 0)]
    );
}

#[test]
fn rollback_outside_the_window_runs_the_steps() {
    let mut w = healthy_blue();
    for image in ["argoproj/rollouts-demo:yellow", "argoproj/rollouts-demo:red"] {
        w.advance(60);
        w.set_image(image);
        w.run_until_quiet(20);
        w.patch_status(json!({"promoteFull": true}));
        w.run_until_quiet(20);
    }
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    assert_eq!(w.status().current_step_index, Some(1));
}

#[test]
fn duration_tracks_start_manual_pause_and_completion() {
    let mut w = healthy_blue();
    assert_eq!(
        w.status().duration.as_ref().unwrap().completion_status.as_deref(),
        Some("Promoted")
    );
    w.advance(100);
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    let d = w.status().duration.clone().unwrap();
    assert_eq!(d.rollout_started_at.as_ref().map(|t| t.0), Some(w.now));
    assert_eq!(
        d.manual_pause_started_at.as_ref().map(|t| t.0),
        Some(w.now),
        "waiting at the indefinite pause"
    );
    assert!(d.finished_at.is_none());
    w.advance(42);
    w.patch_status(json!({"promoteFull": true}));
    w.run_until_quiet(20);
    let d = w.status().duration.clone().unwrap();
    assert_eq!(d.completion_status.as_deref(), Some("FastPromoted"));
    assert_eq!(d.total_manual_pause_duration_seconds, Some(42));
    assert!(d.finished_at.is_some() && d.manual_pause_started_at.is_none());

    // An abort ends the next update as Aborted; a retry starts a new one.
    w.advance(10);
    w.set_image("argoproj/rollouts-demo:red");
    w.run_until_quiet(20);
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    assert_eq!(
        w.status().duration.as_ref().unwrap().completion_status.as_deref(),
        Some("Aborted")
    );
    w.advance(5);
    w.patch_status(json!({"abort": false}));
    w.run_until_quiet(20);
    let d = w.status().duration.clone().unwrap();
    assert_eq!(d.rollout_started_at.as_ref().map(|t| t.0), Some(w.now));
    assert!(d.completion_status.is_none());

    // Going back to the stable template: FastRolledBack.
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    assert_eq!(
        w.status().duration.as_ref().unwrap().completion_status.as_deref(),
        Some("FastRolledBack")
    );
}

#[test]
fn workload_ref_generation_is_mirrored_and_scale_down_on_success() {
    let mut r = demo_rollout();
    r.spec.workload_ref = Some(
        serde_json::from_value(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "scaleDown": "onsuccess"}),
        )
        .unwrap(),
    );
    let mut w = World::new(r);
    w.workload = crate::plan::WorkloadState::Resolved {
        generation: Some(3),
        replicas: Some(5),
    };
    let p = w.reconcile();
    assert_eq!(
        describe_all(&p),
        vec![
            r#"patch rollout {"metadata":{"annotations":{"rollout.argoproj.io/workload-generation":"3"}}}"#.to_string()
        ]
    );
    let plans = w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(w.status().workload_observed_generation.as_deref(), Some("3"));
    let scaled: Vec<String> = plans
        .iter()
        .flat_map(describe_all)
        .filter(|d| d.starts_with("scale workload"))
        .collect();
    assert_eq!(scaled, vec!["scale workload web 0".to_string()]);
}

fn service(name: &str) -> k8s_openapi::api::core::v1::Service {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": "rollouts-demo"}, "ports": [{"port": 80}]}
    }))
    .unwrap()
}

fn selector_hash(w: &World, name: &str) -> Option<String> {
    let svc = w
        .services
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(name))
        .unwrap();
    svc.spec
        .as_ref()
        .unwrap()
        .selector
        .as_ref()
        .unwrap()
        .get("rollouts-pod-template-hash")
        .cloned()
}

#[test]
fn canary_and_stable_services_follow_their_replica_sets() {
    let mut r = demo_rollout();
    let canary = r.spec.strategy.as_mut().unwrap().canary.as_mut().unwrap();
    canary.canary_service = Some("canary".into());
    canary.stable_service = Some("stable".into());
    let mut w = World::new(r);
    w.services = vec![service("canary"), service("stable")];
    let plans = w.run_until_quiet(10);
    let blue = hash(&w, 0);
    assert_eq!(selector_hash(&w, "stable"), Some(blue.clone()));
    assert_eq!(selector_hash(&w, "canary"), Some(blue.clone()));
    let switches: Vec<String> = plans
        .iter()
        .flat_map(describe_all)
        .filter(|d| d.starts_with("patch svc"))
        .collect();
    assert_eq!(
        switches[0],
        format!(
            r#"patch svc stable {{"metadata":{{"annotations":{{"argo-rollouts.argoproj.io/managed-by-rollouts":"rollouts-demo"}}}},"spec":{{"selector":{{"rollouts-pod-template-hash":"{blue}"}}}}}}"#
        )
    );
    let all_events: Vec<String> = plans.iter().flat_map(events).collect();
    assert!(all_events.contains(&format!(
        "SwitchService: Switched selector for service 'stable' from '' to '{blue}'"
    )));

    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    let yellow = hash(&w, 1);
    assert_eq!(
        selector_hash(&w, "canary"),
        Some(yellow.clone()),
        "canary Service selects the new pods"
    );
    assert_eq!(selector_hash(&w, "stable"), Some(blue.clone()));

    // Abort: the canary Service goes back to the stable pods.
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    assert_eq!(selector_hash(&w, "canary"), Some(blue.clone()));
    assert_eq!(selector_hash(&w, "stable"), Some(blue));
}

#[test]
fn a_service_managed_by_another_rollout_is_an_invalid_spec() {
    let mut r = demo_rollout();
    r.spec
        .strategy
        .as_mut()
        .unwrap()
        .canary
        .as_mut()
        .unwrap()
        .stable_service = Some("stable".into());
    let mut w = World::new(r);
    let mut svc = service("stable");
    svc.metadata.annotations = Some(
        [(
            "argo-rollouts.argoproj.io/managed-by-rollouts".to_string(),
            "other".to_string(),
        )]
        .into(),
    );
    w.services = vec![svc];
    let p = w.reconcile();
    assert!(p.error.is_some());
    assert!(
        w.status()
            .message
            .as_deref()
            .unwrap()
            .contains("Service \"stable\" is managed by another Rollout")
    );
}

#[test]
fn anti_affinity_points_new_pods_away_from_the_stable_ones() {
    let mut r = demo_rollout();
    r.spec.strategy.as_mut().unwrap().canary.as_mut().unwrap().anti_affinity = Some(
        serde_json::from_value(json!({"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 50}})).unwrap(),
    );
    let mut w = World::new(r);
    w.run_until_quiet(10);
    assert!(
        w.replica_sets[0]
            .spec
            .template
            .as_ref()
            .unwrap()
            .spec
            .as_ref()
            .unwrap()
            .affinity
            .is_none()
    );
    let blue = hash(&w, 0);
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    let affinity = serde_json::to_value(
        &w.replica_sets[1]
            .spec
            .template
            .as_ref()
            .unwrap()
            .spec
            .as_ref()
            .unwrap()
            .affinity,
    )
    .unwrap();
    let term = &affinity["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0];
    assert_eq!(term["weight"], 50);
    assert_eq!(term["podAffinityTerm"]["topologyKey"], "kubernetes.io/hostname");
    assert_eq!(
        term["podAffinityTerm"]["labelSelector"]["matchExpressions"][0],
        json!({"key": "rollouts-pod-template-hash", "operator": "In", "values": [blue]})
    );
}

#[test]
fn workload_ref_scale_down_progressively_hands_pods_over() {
    let mut r = demo_rollout();
    r.spec.workload_ref = Some(
        serde_json::from_value(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "scaleDown": "progressively"}),
        )
        .unwrap(),
    );
    let mut w = World::new(r);
    w.workload = crate::plan::WorkloadState::Resolved {
        generation: Some(1),
        replicas: Some(5),
    };
    let mut scales = Vec::new();
    for _ in 0..20 {
        let p = w.reconcile();
        scales.extend(describe_all(&p).into_iter().filter(|d| d.starts_with("scale workload")));
        if p.actions.is_empty() {
            break;
        }
        w.settle();
    }
    // The Deployment keeps `replicas − ready` pods while the Rollout comes up, then none.
    assert_eq!(
        scales.last().map(String::as_str),
        Some("scale workload web 0"),
        "{scales:?}"
    );
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn min_ready_seconds_follows_the_rollout() {
    let mut w = healthy_blue();
    w.patch_spec(json!({"minReadySeconds": 10}));
    let p = w.reconcile();
    assert!(describe_all(&p)[0].starts_with("update rs"), "{:?}", describe_all(&p));
    assert_eq!(w.replica_sets[0].spec.min_ready_seconds, Some(10));
    w.run_until_quiet(5);
}

#[test]
fn duration_after_abort_then_undo_follows_the_rollback() {
    let mut w = healthy_blue();
    w.advance(10);
    w.set_image("argoproj/rollouts-demo:red");
    w.run_until_quiet(20);
    let started = w.now;
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        w.status().duration.as_ref().unwrap().completion_status.as_deref(),
        Some("Aborted")
    );
    w.advance(5);
    w.set_image("argoproj/rollouts-demo:blue");
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    let d = w.status().duration.clone().unwrap();
    assert_eq!(d.completion_status.as_deref(), Some("FastRolledBack"));
    assert_eq!(d.rollout_started_at.as_ref().map(|t| t.0), Some(started));
    assert_eq!(d.finished_at.as_ref().map(|t| t.0), Some(w.now));
}

#[test]
fn duration_after_abort_then_retry_ends_promoted() {
    let mut w = healthy_blue();
    w.advance(10);
    w.set_image("argoproj/rollouts-demo:red");
    w.run_until_quiet(20);
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    w.advance(5);
    w.patch_status(json!({"abort": false}));
    w.run_until_quiet(20);
    w.patch_status(json!({"promoteFull": true}));
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(
        w.status().duration.as_ref().unwrap().completion_status.as_deref(),
        Some("FastPromoted")
    );
}
