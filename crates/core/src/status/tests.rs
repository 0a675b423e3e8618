//! Table tests for the phase, condition rules, constructors and predicates, plus a no-panic property.

use super::conditions::*;
use super::phase::calculate_rollout_phase;
use super::predicates::{rollout_completed, rollout_healthy, rollout_progressing};
use jiff::Timestamp;
use rollouts_api::rollout::RolloutSpec;
use rollouts_api::rollout_status::{RolloutCondition, RolloutPhase, RolloutStatus};
use rollouts_api::well_known::{condition_status, condition_types, reasons};
use serde_json::{Value, json};

pub(super) fn spec(v: Value) -> RolloutSpec {
    serde_json::from_value(v).unwrap()
}

pub(super) fn status(v: Value) -> RolloutStatus {
    serde_json::from_value(v).unwrap()
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap()
}

pub(super) fn cond(type_: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": type_, "status": status, "reason": reason, "message": message,
           "lastUpdateTime": "2024-01-01T00:00:00Z", "lastTransitionTime": "2024-01-01T00:00:00Z"})
}

fn canary() -> Value {
    json!({"replicas": 3, "strategy": {"canary": {}}})
}

fn healthy_counts() -> Value {
    json!({"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3, "currentPodHash": "abc", "stableRS": "abc"})
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

#[test]
fn phase_table() {
    use RolloutPhase::*;
    let aborted = cond(
        "Progressing",
        "False",
        "RolloutAborted",
        "Rollout aborted update to revision 2",
    );
    let timed_out = cond(
        "Progressing",
        "False",
        "ProgressDeadlineExceeded",
        "ReplicaSet \"x\" has timed out progressing.",
    );
    let invalid = cond("InvalidSpec", "True", "InvalidSpec", "bad");
    let bg = json!({"replicas": 3, "strategy": {"blueGreen": {"activeService": "a"}}});
    let bg_post =
        json!({"replicas": 3, "strategy": {"blueGreen": {"activeService": "a", "postPromotionAnalysis": {}}}});
    let tr = json!({"replicas": 3, "strategy": {"canary": {"trafficRouting": {}}}});
    let h = healthy_counts();
    let cases: Vec<(&str, Value, Value, RolloutPhase, &str)> = vec![
        (
            "invalid spec",
            canary(),
            json!({"conditions": [invalid.clone()]}),
            Degraded,
            "InvalidSpec: bad",
        ),
        (
            "aborted",
            canary(),
            json!({"conditions": [aborted.clone()]}),
            Degraded,
            "RolloutAborted: Rollout aborted update to revision 2",
        ),
        (
            "timed out",
            canary(),
            json!({"conditions": [timed_out]}),
            Degraded,
            "ProgressDeadlineExceeded: ReplicaSet \"x\" has timed out progressing.",
        ),
        (
            "abort before invalid",
            canary(),
            json!({"conditions": [aborted.clone(), invalid.clone()]}),
            Degraded,
            "RolloutAborted: Rollout aborted update to revision 2",
        ),
        (
            "invalid before abort",
            canary(),
            json!({"conditions": [invalid, aborted]}),
            Degraded,
            "InvalidSpec: bad",
        ),
        (
            "manual pause",
            merge(canary(), json!({"paused": true})),
            merge(
                h.clone(),
                json!({"pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2024-01-01T00:00:00Z"}]}),
            ),
            Paused,
            "manually paused",
        ),
        (
            "pause condition",
            canary(),
            merge(
                h.clone(),
                json!({"pauseConditions": [
             {"reason": "BlueGreenPause", "startTime": "2024-01-01T00:00:00Z"},
             {"reason": "CanaryPauseStep", "startTime": "2024-01-01T00:00:00Z"}]}),
            ),
            Paused,
            "BlueGreenPause",
        ),
        (
            "restart pending",
            merge(canary(), json!({"restartAt": "2024-01-02T00:00:00Z"})),
            h.clone(),
            Progressing,
            "rollout is restarting",
        ),
        (
            "restart other time",
            merge(canary(), json!({"restartAt": "2024-01-02T00:00:00Z"})),
            merge(h.clone(), json!({"restartedAt": "2024-01-01T00:00:00Z"})),
            Progressing,
            "rollout is restarting",
        ),
        (
            "restart done",
            merge(canary(), json!({"restartAt": "2024-01-02T00:00:00Z"})),
            merge(h.clone(), json!({"restartedAt": "2024-01-02T00:00:00Z"})),
            Healthy,
            "",
        ),
        (
            "updating",
            canary(),
            merge(h.clone(), json!({"updatedReplicas": 2})),
            Progressing,
            "more replicas need to be updated",
        ),
        (
            "replicas default 1",
            json!({"strategy": {"canary": {}}}),
            json!({}),
            Progressing,
            "more replicas need to be updated",
        ),
        (
            "becoming available",
            canary(),
            merge(h.clone(), json!({"availableReplicas": 2})),
            Progressing,
            "updated replicas are still becoming available",
        ),
        (
            "bg cutover empty",
            bg.clone(),
            h.clone(),
            Progressing,
            "active service cutover pending",
        ),
        (
            "bg cutover other",
            bg.clone(),
            merge(h.clone(), json!({"blueGreen": {"activeSelector": "old"}})),
            Progressing,
            "active service cutover pending",
        ),
        (
            "bg verification",
            bg.clone(),
            merge(
                h.clone(),
                json!({"stableRS": "old", "blueGreen": {"activeSelector": "abc"}}),
            ),
            Progressing,
            "waiting for post-promotion verification to complete",
        ),
        (
            "bg analysis no run",
            bg_post.clone(),
            merge(
                h.clone(),
                json!({"stableRS": "", "blueGreen": {"activeSelector": "abc"}}),
            ),
            Progressing,
            "waiting for analysis to complete",
        ),
        (
            "bg analysis running",
            bg_post.clone(),
            merge(
                h.clone(),
                json!({"stableRS": "old", "blueGreen": {"activeSelector": "abc",
             "postPromotionAnalysisRunStatus": {"name": "r", "status": "Running"}}}),
            ),
            Progressing,
            "waiting for analysis to complete",
        ),
        (
            "bg analysis done",
            bg_post,
            merge(
                h.clone(),
                json!({"stableRS": "old", "blueGreen": {"activeSelector": "abc",
             "postPromotionAnalysisRunStatus": {"name": "r", "status": "Successful"}}}),
            ),
            Progressing,
            "waiting for post-promotion verification to complete",
        ),
        (
            "bg healthy with old replicas",
            bg,
            merge(
                h.clone(),
                json!({"replicas": 6, "blueGreen": {"activeSelector": "abc"}}),
            ),
            Healthy,
            "",
        ),
        (
            "canary old replicas",
            canary(),
            merge(h.clone(), json!({"replicas": 4})),
            Progressing,
            "old replicas are pending termination",
        ),
        (
            "canary steps",
            canary(),
            merge(h.clone(), json!({"stableRS": "old"})),
            Progressing,
            "waiting for all steps to complete",
        ),
        (
            "canary no stable",
            canary(),
            merge(h.clone(), json!({"stableRS": null})),
            Progressing,
            "waiting for all steps to complete",
        ),
        (
            "traffic routed old replicas",
            tr.clone(),
            merge(h.clone(), json!({"replicas": 6})),
            Healthy,
            "",
        ),
        (
            "traffic routed steps",
            tr,
            merge(h.clone(), json!({"replicas": 6, "stableRS": "old"})),
            Progressing,
            "waiting for all steps to complete",
        ),
        ("canary healthy", canary(), h.clone(), Healthy, ""),
        (
            "no strategy",
            json!({"replicas": 3}),
            merge(h, json!({"stableRS": "old", "replicas": 9})),
            Healthy,
            "",
        ),
    ];
    for (name, s, st, phase, message) in cases {
        let got = calculate_rollout_phase(&spec(s), &status(st));
        assert_eq!(got, (phase, message.to_owned()), "case {name}");
    }
}

fn c(type_: &str, status: &str, reason: &str, at: i64) -> RolloutCondition {
    new_condition(type_, status, reason, format!("{reason} message"), ts(at))
}

#[test]
fn set_condition_same_status_and_reason_is_a_no_op() {
    let mut conds = vec![
        c("Progressing", "True", "ReplicaSetUpdated", 10),
        c("Available", "True", "AvailableReason", 10),
    ];
    let before = conds.clone();
    let mut new = c("Progressing", "True", "ReplicaSetUpdated", 50);
    new.message = "other".to_owned();
    assert!(!set_condition(&mut conds, new));
    assert_eq!(conds, before);
}

#[test]
fn set_condition_reason_change_keeps_transition_time_and_moves_to_end() {
    let mut conds = vec![
        c("Progressing", "True", "ReplicaSetUpdated", 10),
        c("Available", "True", "AvailableReason", 10),
    ];
    assert!(set_condition(
        &mut conds,
        c("Progressing", "True", "NewReplicaSetAvailable", 50)
    ));
    assert_eq!(conds.len(), 2);
    assert_eq!(conds[0].type_, "Available");
    let p = &conds[1];
    assert_eq!(
        (p.reason.as_str(), p.last_transition_time.0, p.last_update_time.0),
        ("NewReplicaSetAvailable", ts(10), ts(50))
    );
}

#[test]
fn set_condition_status_change_takes_new_transition_time() {
    let mut conds = vec![c("Healthy", "True", "RolloutHealthy", 10)];
    assert!(set_condition(&mut conds, c("Healthy", "False", "RolloutHealthy", 50)));
    assert_eq!(
        (conds[0].status.as_str(), conds[0].last_transition_time.0),
        ("False", ts(50))
    );
}

#[test]
fn set_condition_appends_new_type_and_collapses_duplicates() {
    let mut conds = vec![c("Paused", "True", "RolloutPaused", 1), c("Paused", "True", "Other", 2)];
    assert!(set_condition(&mut conds, c("Completed", "True", "RolloutCompleted", 3)));
    assert_eq!(conds.len(), 3);
    // The first of the type decides; an update removes every duplicate.
    assert!(set_condition(&mut conds, c("Paused", "False", "RolloutPaused", 4)));
    let types: Vec<_> = conds.iter().map(|c| c.type_.as_str()).collect();
    assert_eq!(types, ["Completed", "Paused"]);
}

#[test]
fn get_and_remove_condition() {
    let mut conds = vec![
        c("Paused", "True", "A", 1),
        c("Available", "True", "B", 1),
        c("Paused", "False", "C", 1),
    ];
    assert_eq!(get_condition(&conds, "Paused").map(|c| c.reason.as_str()), Some("A"));
    assert!(get_condition(&conds, "Healthy").is_none());
    remove_condition(&mut conds, "Paused");
    assert_eq!(conds.len(), 1);
    assert!(get_condition(&conds, "Paused").is_none());
}

#[test]
fn constructors_table() {
    let now = ts(1_700_000_000);
    let (t, f, u) = (
        condition_status::TRUE,
        condition_status::FALSE,
        condition_status::UNKNOWN,
    );
    let (av, pr) = (condition_types::AVAILABLE, condition_types::PROGRESSING);
    let cases: Vec<(RolloutCondition, &str, &str, &str, &str)> = vec![
        (
            available(now, true),
            av,
            t,
            "AvailableReason",
            "Rollout has minimum availability",
        ),
        (
            available(now, false),
            av,
            f,
            "AvailableReason",
            "Rollout does not have minimum availability",
        ),
        (
            progressing_new_rs_created("r-1", now),
            pr,
            t,
            "NewReplicaSetCreated",
            "Created new replica set \"r-1\"",
        ),
        (
            progressing_found_new_rs("r-1", now),
            pr,
            t,
            "FoundNewReplicaSet",
            "Found new replica set \"r-1\"",
        ),
        (
            progressing_rs_updated("r-1", now),
            pr,
            t,
            "ReplicaSetUpdated",
            "ReplicaSet \"r-1\" is progressing.",
        ),
        (
            progressing_rollout_updated("ro", now),
            pr,
            t,
            "ReplicaSetUpdated",
            "Rollout \"ro\" is progressing.",
        ),
        (
            progressing_rs_not_available(now),
            pr,
            t,
            "ReplicaSetNotAvailable",
            "Rollout does not have minimum availability",
        ),
        (
            progressing_new_rs_available("r-1", now),
            pr,
            t,
            "NewReplicaSetAvailable",
            "ReplicaSet \"r-1\" has successfully progressed.",
        ),
        (
            progressing_rs_timed_out("r-1", now),
            pr,
            f,
            "ProgressDeadlineExceeded",
            "ReplicaSet \"r-1\" has timed out progressing.",
        ),
        (
            progressing_rollout_timed_out("ro", now),
            pr,
            f,
            "ProgressDeadlineExceeded",
            "Rollout \"ro\" has timed out progressing.",
        ),
        (
            progressing_aborted(2, "", now),
            pr,
            f,
            "RolloutAborted",
            "Rollout aborted update to revision 2",
        ),
        (
            progressing_aborted(3, "Step-based analysis phase failed: x", now),
            pr,
            f,
            "RolloutAborted",
            "Rollout aborted update to revision 3: Step-based analysis phase failed: x",
        ),
        (progressing_paused(now), pr, u, "RolloutPaused", "Rollout is paused"),
        (progressing_resumed(now), pr, u, "RolloutResumed", "Rollout is resumed"),
        (
            progressing_retry(now),
            pr,
            u,
            "RolloutRetry",
            "Retrying Rollout after abort",
        ),
        (
            progressing_rs_create_error("r-1", "quota", now),
            pr,
            f,
            "ReplicaSetCreateError",
            "Failed to create new replica set \"r-1\": quota",
        ),
        (paused(now, true), "Paused", t, "RolloutPaused", "Rollout is paused"),
        (paused(now, false), "Paused", f, "RolloutPaused", "Rollout is paused"),
        (healthy(now, true), "Healthy", t, "RolloutHealthy", "Rollout is healthy"),
        (
            healthy(now, false),
            "Healthy",
            f,
            "RolloutHealthy",
            "Rollout is not healthy",
        ),
        (
            completed(now, true),
            "Completed",
            t,
            "RolloutCompleted",
            "RolloutCompleted",
        ),
        (
            completed(now, false),
            "Completed",
            f,
            "RolloutCompleted",
            "RolloutCompleted",
        ),
        (invalid_spec("m", now), "InvalidSpec", t, "InvalidSpec", "m"),
    ];
    for (got, type_, status, reason, message) in cases {
        assert_eq!(
            (
                got.type_.as_str(),
                got.status.as_str(),
                got.reason.as_str(),
                got.message.as_str()
            ),
            (type_, status, reason, message)
        );
        assert_eq!((got.last_update_time.0, got.last_transition_time.0), (now, now));
    }
    assert_eq!(
        invalid_spec_message("ro", "spec.replicas: Invalid value: -1: must be >= 0"),
        "The Rollout \"ro\" is invalid: spec.replicas: Invalid value: -1: must be >= 0"
    );
    assert_eq!(
        progressing_new_rs_created("a\"b", now).message,
        "Created new replica set \"a\\\"b\""
    );
    // Go's %q escapes every control character, not only the C escapes.
    assert_eq!(
        invalid_spec_message("a\u{1}\u{7}", "bad"),
        "The Rollout \"a\\x01\\a\" is invalid: bad"
    );
}

#[test]
fn timed_out_table() {
    let at = |reason: &str| new_condition(condition_types::PROGRESSING, "True", reason, "", ts(1000));
    assert!(!timed_out(None, 10, ts(5000)));
    assert!(!timed_out(Some(&at(reasons::ROLLOUT_ABORTED)), 10, ts(5000)));
    assert!(timed_out(
        Some(&at(reasons::PROGRESS_DEADLINE_EXCEEDED)),
        10_000,
        ts(1000)
    ));
    assert!(
        !timed_out(Some(&at(reasons::REPLICA_SET_UPDATED)), 600, ts(1600)),
        "deadline reached, not passed"
    );
    assert!(timed_out(Some(&at(reasons::REPLICA_SET_UPDATED)), 600, ts(1601)));
    assert!(
        timed_out(Some(&at(reasons::ROLLOUT_PAUSED)), 600, ts(1601)),
        "the caller gates pauses"
    );
    let late = new_condition(
        condition_types::PROGRESSING,
        "True",
        "ReplicaSetUpdated",
        "",
        Timestamp::MAX,
    );
    assert!(
        !timed_out(Some(&late), 600, Timestamp::MAX),
        "an unrepresentable deadline is never reached"
    );
}

#[test]
fn completed_predicate() {
    assert!(rollout_completed(&status(
        json!({"stableRS": "a", "currentPodHash": "a"})
    )));
    assert!(!rollout_completed(&status(
        json!({"stableRS": "", "currentPodHash": ""})
    )));
    assert!(!rollout_completed(&status(
        json!({"stableRS": "a", "currentPodHash": "b"})
    )));
}

#[test]
fn healthy_predicate() {
    let c_spec = spec(json!({"replicas": 3, "strategy": {"canary": {"steps": [{"setWeight": 10}]}}}));
    let old = status(json!({"observedGeneration": "4"}));
    let new = status(merge(healthy_counts(), json!({"currentStepIndex": 1})));
    assert!(rollout_healthy(&c_spec, 4, &old, &new));
    assert!(!rollout_healthy(&c_spec, 5, &old, &new), "generation not observed");
    assert!(!rollout_healthy(
        &c_spec,
        4,
        &old,
        &status(merge(healthy_counts(), json!({"currentStepIndex": 0})))
    ));
    assert!(!rollout_healthy(
        &c_spec,
        4,
        &old,
        &status(merge(healthy_counts(), json!({"replicas": 4})))
    ));
    let bg = spec(json!({"replicas": 3, "strategy": {"blueGreen": {"activeService": "a", "previewService": "p"}}}));
    let bg_new = |preview: &str| {
        status(merge(
            healthy_counts(),
            json!({"blueGreen": {"activeSelector": "abc", "previewSelector": preview}}),
        ))
    };
    assert!(rollout_healthy(&bg, 4, &old, &bg_new("abc")));
    assert!(!rollout_healthy(&bg, 4, &old, &bg_new("old")));
}

#[test]
fn progressing_predicate() {
    let c_spec = spec(canary());
    let base = status(
        json!({"replicas": 4, "updatedReplicas": 1, "readyReplicas": 3, "availableReplicas": 3,
                             "currentStepIndex": 1, "stableRS": "s", "currentStepHash": "h"}),
    );
    assert!(!rollout_progressing(&c_spec, &base, &base));
    let changed = |extra: Value| {
        let mut v = serde_json::to_value(&base).unwrap();
        v = merge(v, extra);
        status(v)
    };
    for extra in [
        json!({"updatedReplicas": 2}),
        json!({"replicas": 3}),
        json!({"readyReplicas": 4}),
        json!({"availableReplicas": 4}),
        json!({"currentStepIndex": 2}),
        json!({"stableRS": "t"}),
        json!({"currentStepHash": "g"}),
    ] {
        assert!(rollout_progressing(&c_spec, &base, &changed(extra.clone())), "{extra}");
    }
    assert!(!rollout_progressing(
        &c_spec,
        &base,
        &changed(json!({"readyReplicas": 2}))
    ));
    assert!(!rollout_progressing(
        &c_spec,
        &base,
        &changed(json!({"currentStepIndex": null}))
    ));
    let bg = spec(json!({"strategy": {"blueGreen": {"activeService": "a"}}}));
    assert!(rollout_progressing(
        &bg,
        &base,
        &changed(json!({"blueGreen": {"previewSelector": "x"}}))
    ));
    assert!(!rollout_progressing(&bg, &base, &changed(json!({"stableRS": "t"}))));
}
