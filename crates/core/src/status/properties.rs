//! Property: the phase computation never panics, whatever the status holds.

use super::phase::calculate_rollout_phase;
use super::tests::{cond, spec, status};
use proptest::prelude::*;
use rollouts_api::rollout_status::RolloutPhase;
use serde_json::{Value, json};

fn arb_condition() -> impl Strategy<Value = Value> {
    let types = prop::sample::select(vec!["InvalidSpec", "Progressing", "Available", "Paused", "X"]);
    let reasons = prop::sample::select(vec!["RolloutAborted", "ProgressDeadlineExceeded", "RolloutPaused", ""]);
    (types, reasons, ".{0,8}").prop_map(|(t, r, m)| cond(t, "True", r, &m))
}

fn arb_opt_str() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        prop::sample::select(vec!["", "a", "b"]).prop_map(Value::from)
    ]
}

fn arb_time() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("2024-01-01T00:00:00Z")),
        Just(json!("2024-01-02T00:00:00Z"))
    ]
}

prop_compose! {
    fn arb_spec()(replicas in prop::option::of(any::<i32>()), paused in prop::option::of(any::<bool>()),
                  restart in arb_time(), kind in 0..5u8) -> Value {
        let strategy = match kind {
            0 => json!(null),
            1 => json!({"canary": {}}),
            2 => json!({"canary": {"trafficRouting": {}}}),
            3 => json!({"blueGreen": {"activeService": "a"}}),
            _ => json!({"blueGreen": {"activeService": "a", "postPromotionAnalysis": {}}}),
        };
        json!({"replicas": replicas, "paused": paused, "restartAt": restart, "strategy": strategy})
    }
}

prop_compose! {
    fn arb_status()(conds in prop::option::of(prop::collection::vec(arb_condition(), 0..4)),
                    pauses in prop::collection::vec("[A-Za-z]{1,6}", 0..3),
                    counts in prop::array::uniform3(prop::option::of(any::<i32>())),
                    hashes in prop::array::uniform3(arb_opt_str()), restarted in arb_time(),
                    run in prop::option::of(prop::sample::select(vec!["Pending", "Running", "Failed", "Successful"]))) -> Value {
        let pauses: Vec<Value> = pauses.iter()
            .map(|r| json!({"reason": r, "startTime": "2024-01-01T00:00:00Z"})).collect();
        let [replicas, updated, available] = counts;
        let [current, stable, active] = hashes;
        let run = run.map(|s| json!({"name": "r", "status": s}));
        json!({"conditions": conds, "pauseConditions": pauses, "replicas": replicas, "updatedReplicas": updated,
               "availableReplicas": available, "currentPodHash": current, "stableRS": stable, "restartedAt": restarted,
               "blueGreen": {"activeSelector": active, "postPromotionAnalysisRunStatus": run}})
    }
}

proptest! {
    #[test]
    fn phase_never_panics_and_degraded_needs_a_condition(s in arb_spec(), st in arb_status()) {
        let (s, st) = (spec(s), status(st));
        let (phase, message) = calculate_rollout_phase(&s, &st);
        prop_assert_eq!(phase == RolloutPhase::Degraded, st.conditions.as_deref().unwrap_or_default().iter().any(|c| {
            c.type_ == "InvalidSpec" || c.reason == "RolloutAborted" || c.reason == "ProgressDeadlineExceeded"
        }));
        prop_assert_eq!(phase == RolloutPhase::Healthy, message.is_empty());
    }
}
