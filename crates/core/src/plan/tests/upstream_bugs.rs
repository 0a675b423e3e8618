//! Upstream's bug history as regression scenarios: each failure family Argo Rollouts users hit, driven
//! through the planner, asserting the outcome that would be wrong had we the bug. The index below
//! names, for each family, its test here, the test elsewhere that already covers it, or why it does
//! not apply.
//!
//! Abort and rollback:
//! 1. #1292 abort on a Healthy rollout scaled the stable to 0 → `golden::abort_on_a_healthy_rollout_is_a_no_op_upstream_1292`,
//!    `properties::abort_on_a_healthy_rollout_is_a_no_op_upstream_1292`
//! 2. #2982 abort after full promotion hot-looped on `scale-down-deadline` → `upstream_2982_abort_after_full_promotion_writes_a_bounded_number_of_times`
//! 3. #4841 dynamicStableScale + minPodsPerReplicaSet kept canary weight after abort → `upstream_4841_abort_returns_the_weight_to_zero_for_every_scaling_mode`
//!    (was a bug here too; fixed), `canary::desired_weight::tests::dynamic_abort_counts_the_pods_min_pods_adds_to_a_step`
//! 4. #2576, #1838 canary Service / DestinationRule subset kept the aborted hash → `upstream_2576_1838_after_abort_no_selector_or_subset_reaches_the_aborted_pods`
//!    (as upstream, the canary subset keeps the aborted hash at weight 0 until its pods are gone)
//! 5. PR #4612 weight moved before the subset switch on fast rollback → `upstream_4612_fast_rollback_never_routes_more_than_the_ready_capacity`
//! 6. #3774 abort → retry → abort ignored `abortScaleDownDelaySeconds` → `upstream_3774_a_second_abort_after_retry_honours_the_abort_delay`
//! 7. #4973 scale-up while aborted with dynamicStableScale revived the canary, selector flapped → `upstream_4973_a_scale_up_while_aborted_leaves_the_canary_down_and_the_selector_still`
//! 8. #4461 abort ignored after promote-full of an unhealthy canary → `upstream_4461_abort_after_promote_full_of_an_unhealthy_canary_is_honoured`,
//!    `upstream_4461_blue_green_abort_after_promote_full_is_honoured` (was a bug here too; fixed)
//! 9. #841, #3120, #2897 retry after abort: analysis not re-run, canary spun down → `upstream_841_3120_2897_retry_after_a_failed_analysis_runs_it_again_and_keeps_the_canary`
//!    (steps alone: `golden::retry_after_abort_restarts_the_steps`)
//! 10. PR #4900, #4919 weight not yet 0 during the abort delay; scaling events never ending → `upstream_4900_4919_during_the_abort_delay_the_weight_is_already_zero`
//!     (and `canary_routed_golden::a_scaling_event_during_the_abort_delay_does_not_wedge`)
//!
//! Stuck Progressing / Paused, deadlines:
//! 11. #3988, #4128 a broken revision never timed out → `bluegreen_golden::upstream_3988_a_second_broken_revision_still_times_out`,
//!     canary: `upstream_4128_a_canary_that_never_becomes_ready_is_aborted_by_the_deadline_twice`;
//!     #3765 (readiness flapping resets progress) is not covered: the world has no flapping pods
//! 12. #3534 a long Paused blue-green flipped to Degraded on resync → `bluegreen_golden::upstream_3534_a_long_pause_survives_resyncs`
//! 13. #1193 queue backoff reached 16.6 min → `rollouts-controller` `runtime::backoff::tests::delays_double_from_ten_milliseconds_up_to_ten_seconds`
//! 14. #3316, #2522, #1904, #3080, #5052 409s on every update → `runtime::backoff::tests::a_conflict_is_retried_at_once_then_backs_off`,
//!     `rollout::reconcile::tests::failures_back_off_conflicts_retry_at_once_and_undecodable_rollouts_wait_for_a_change`,
//!     and this crate's `sim::tests::seeds_hold_every_invariant` (409s, 500s, timeouts on writes; must come to rest)
//! 15. #4842, #4804 stale cache on AlreadyExists aborted the Rollout → `rollout::execute_tests::plans_become_api_requests`
//!     (AlreadyExists stops the plan, a ReplicaSet collision is checked with live GETs in `rollout::execute::collision`),
//!     `runtime::staleness::tests::a_created_replica_set_missing_from_the_cache_is_stale`, `sim` late/duplicate events
//! 16. #3015, #3850 Inconclusive background analysis promoted → `upstream_3015_an_inconclusive_background_run_pauses_and_never_promotes`
//!     (step analysis: `analysis_golden::an_inconclusive_step_run_pauses_and_a_promotion_starts_a_new_run`)
//!
//! Traffic and availability during transitions:
//! 17. #3333, #3926, #4834, #2864 ALB target groups not verified → does not apply: no AWS target-group
//!     verification (`--aws-verify-target-group` is accepted with a warning); routing writes are API
//!     writes ordered before the scale-down (`traffic::abort_sends_the_weight_back_to_the_stable_before_the_canary_is_scaled_down`)
//! 18. #1681 promote --full routed to a non-ready canary → `upstream_1681_promote_full_routes_no_more_than_the_canary_can_serve`
//! 19. #587 503s after setWeight 100 → `canary_routed_golden::promotion_gives_the_previous_stable_a_deadline_then_scales_it_down`
//!     (the old stable keeps its pods for `scaleDownDelaySeconds` after the selector switch)
//! 20. #4424, #3141, #4642 weights outside [0,100] → `upstream_4424_canary_scale_above_replicas_keeps_every_weight_in_range`,
//!     and property (a) of `traffic_properties`
//! 21. #2641 preview Service repointed before preview pods are Ready → not covered: as upstream, the
//!     preview Service selects the new ReplicaSet as soon as it exists (the blue-green goldens pin
//!     upstream's writes); waiting for readiness would be a behaviour change of its own
//! 22. PR #4221, #908, #1583 restart below maxUnavailable → `golden::restart_evicts_old_pods_within_max_unavailable`,
//!     `bluegreen_golden::restart_evicts_within_max_unavailable`, `restart::tests` (evictions, never deletes)
//!
//! HPA / GitOps:
//! 23. #3849, #2857 HPA scaled the stable to max mid-canary → `upstream_3849_a_scale_up_mid_canary_keeps_the_step_ratio`;
//!     #4607, #4369 (HPA averaging canary and stable) do not apply: the HPA's own arithmetic
//! 24. #3565 a sync mid-canary dropped the stable → `upstream_3565_reapplying_the_manifest_mid_canary_changes_nothing`;
//!     #4935 `progressively` never re-drained → `upstream_4935_a_reapplied_deployment_is_drained_again`;
//!     #3689 (a missing `spec.replicas` becomes 1) does not apply to the planner: it sets 1, as upstream
//!     and a Deployment do, and an HPA owning replicas writes them back;
//!     #3855 (deleting a Rollout leaves its `workloadRef` Deployment at 0) is not covered: a deleted
//!     Rollout is left alone, as upstream does
//!
//! Controller robustness:
//! 25. #2117 a deposed leader kept writing → `rollouts` `leader_election::a_leader_whose_lease_is_taken_stops_its_controllers_and_exits`
//! 26. #389, #517, #800, #1045 one malformed Rollout blocked all → `rollouts-controller`
//!     `controller_runtime::one_bad_rollout_does_not_block_the_others_and_related_objects_enqueue_their_rollout`,
//!     `runtime::decode::tests::a_misfit_names_its_field_and_is_skipped_among_many`
//! 27. analysis edge cases: #1466 empty result → `analysis::condition::tests::evaluate_result::evaluate_result_explains_missing_data`
//!     (an Error measurement, counted against `consecutiveErrorLimit`, never a panic) and the
//!     empty-vector cases of `rollouts-controller` `providers_prometheus::against_a_real_prometheus`;
//!     #180 NaN/Inf → `analysis::condition::tests::numbers::nan_and_infinities_compare_as_in_go`;
//!     #3259 unbounded measurements → `analysis::run::tests::reconcile::an_erroring_metric_keeps_a_bounded_history`,
//!     `measurement_retention_rules`; #1107, #1214 history → `analysis_golden::old_runs_beyond_the_history_limits_are_deleted`,
//!     `experiment_step_golden::experiments_beyond_the_history_limits_are_deleted_newest_kept`;
//!     #3503 (Graphite) does not apply: no Graphite provider; PR #3780 (a transport per client)
//!     does not apply: the Prometheus and Web providers share two connection pools built once
//!     (`rollouts-controller` `analysis::providers::http::client`)

use rollouts_api::RolloutPhase;
use serde_json::{Value, json};

use super::canary_routed_golden::{CANARY, STABLE, routed_rollout};
use super::world::{World, bluegreen_rollout, demo_rollout, describe_all, selector_of, service};
use crate::plan::Action;

const HASH: &str = "rollouts-pod-template-hash";

/// The routed canary (5 replicas, SMI, setWeight 20 → pause) with `canary` merged into its strategy,
/// revision 1 (blue) Healthy.
fn routed(canary: Value) -> World {
    let mut w = World::new(routed_rollout(canary));
    w.services = vec![service(CANARY, "routed"), service(STABLE, "routed")];
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    w
}

/// Updated to `app:yellow` and paused at the indefinite pause (1 canary pod at 20%).
fn paused_on_yellow(canary: Value) -> World {
    let mut w = routed(canary);
    w.advance(1);
    w.set_image("app:yellow");
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    w
}

fn hash(w: &World, index: usize) -> String {
    w.replica_sets[index].metadata.labels.as_ref().unwrap()[HASH].clone()
}

fn size(w: &World, index: usize) -> i32 {
    w.replica_sets[index].spec.replicas.unwrap()
}

fn available(w: &World, index: usize) -> i32 {
    w.replica_sets[index]
        .status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

fn deadline(w: &World, index: usize) -> Option<String> {
    w.replica_sets[index]
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("scale-down-deadline"))
        .cloned()
}

/// A weight as written: a number or a quantity string.
fn weight_of(value: &Value) -> i64 {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a weight: {value}"))
}

/// `(canary, stable)` of the TrafficSplit's backends.
fn split(w: &World) -> (i64, i64) {
    let split = w
        .routing_objects
        .iter()
        .find(|o| o["kind"] == "TrafficSplit")
        .expect("a TrafficSplit");
    let weight = |service: &str| {
        split["spec"]["backends"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["service"] == service)
            .map_or(0, |b| weight_of(&b["weight"]))
    };
    (weight(CANARY), weight(STABLE))
}

/// `(canary, stable)` of `status.canary.weights`.
fn recorded(w: &World) -> (i32, i32) {
    let weights = w.status().canary.clone().unwrap().weights.unwrap();
    (weights.canary.weight, weights.stable.weight)
}

/// Reconciles once and lets every pod become available; returns the number of writes.
fn step(w: &mut World) -> usize {
    let n = w.reconcile().actions.len();
    w.settle();
    n
}

#[test]
fn upstream_2982_abort_after_full_promotion_writes_a_bounded_number_of_times() {
    let mut w = paused_on_yellow(json!({}));
    w.patch_status(json!({"promoteFull": true}));
    w.run_until_quiet(30);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    let yellow = hash(&w, 1);
    assert_eq!(w.status().stable_rs.as_deref(), Some(yellow.as_str()));
    // Blue waits out its scale-down delay when the abort comes.
    assert!(deadline(&w, 0).is_some());
    w.patch_status(json!({"abort": true}));
    let mut writes = 0;
    for _ in 0..120 {
        w.advance(1);
        writes += step(&mut w);
    }
    assert!(writes <= 6, "{writes} writes in two minutes after the abort");
    assert_eq!((size(&w, 0), size(&w, 1)), (0, 5));
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_ne!(w.status().abort, Some(true));
    assert_eq!(selector_of(&w, STABLE), yellow);
    assert_eq!(split(&w), (0, 100));
}

#[test]
fn upstream_4841_abort_returns_the_weight_to_zero_for_every_scaling_mode() {
    for dynamic in [false, true] {
        for min_pods in [None, Some(2)] {
            let mut canary = json!({"dynamicStableScale": dynamic, "steps": [{"setWeight": 5}, {"pause": {}}]});
            if let Some(min) = min_pods {
                canary["minPodsPerReplicaSet"] = json!(min);
            }
            let case = format!("dynamicStableScale={dynamic} minPodsPerReplicaSet={min_pods:?}");
            let mut w = paused_on_yellow(canary);
            assert_eq!(recorded(&w).0, 5, "{case}");
            w.patch_status(json!({"abort": true}));
            let mut seconds = 0;
            while recorded(&w).0 != 0 || split(&w).0 != 0 {
                assert!(seconds < 60, "{case}: weight {:?} a minute after the abort", split(&w));
                step(&mut w);
                w.advance(5);
                seconds += 5;
            }
            w.advance(60);
            w.run_until_quiet(20);
            assert_eq!(split(&w), (0, 100), "{case}");
            assert_eq!((size(&w, 0), size(&w, 1)), (5, 0), "{case}");
            assert_eq!(w.status().phase, Some(RolloutPhase::Degraded), "{case}");
        }
    }
}

/// A VirtualService splitting between the subsets of a DestinationRule, and the canary and stable
/// Services, routed for the routed Rollout.
fn istio_subsets(w: &mut World) {
    w.routing_objects = vec![
        json!({"apiVersion": "networking.istio.io/v1alpha3", "kind": "VirtualService",
               "metadata": {"name": "vsvc", "namespace": "default", "resourceVersion": "1"},
               "spec": {"hosts": ["routed.local"], "http": [{"name": "primary", "route": [
                   {"destination": {"host": "routed", "subset": "stable"}, "weight": 100},
                   {"destination": {"host": "routed", "subset": "canary"}, "weight": 0}]}]}}),
        json!({"apiVersion": "networking.istio.io/v1alpha3", "kind": "DestinationRule",
               "metadata": {"name": "destrule", "namespace": "default", "resourceVersion": "1"},
               "spec": {"host": "routed", "subsets": [{"name": "stable"}, {"name": "canary"}]}}),
    ];
}

fn istio_routing() -> Value {
    json!({"trafficRouting": {"smi": null, "istio": {
        "virtualService": {"name": "vsvc", "routes": ["primary"]},
        "destinationRule": {"name": "destrule", "canarySubsetName": "canary", "stableSubsetName": "stable"}
    }}})
}

fn istio_world(extra: Value) -> World {
    let mut canary = istio_routing();
    crate::plan::merge_patch::apply(&mut canary, &extra);
    let mut w = World::new(routed_rollout(canary));
    w.services = vec![service(CANARY, "routed"), service(STABLE, "routed")];
    istio_subsets(&mut w);
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    w
}

fn object<'a>(w: &'a World, kind: &str) -> &'a Value {
    w.routing_objects.iter().find(|o| o["kind"] == kind).unwrap()
}

/// The hash a DestinationRule subset selects ("" for none).
fn subset_hash(w: &World, subset: &str) -> String {
    object(w, "DestinationRule")["spec"]["subsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == subset)
        .and_then(|s| s["labels"][HASH].as_str())
        .unwrap_or_default()
        .to_string()
}

/// `(subset, weight)` of the VirtualService's route.
fn subset_weights(w: &World) -> Vec<(String, i64)> {
    object(w, "VirtualService")["spec"]["http"][0]["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["destination"]["subset"].as_str().unwrap().to_string(),
                weight_of(&r["weight"]),
            )
        })
        .collect()
}

#[test]
fn upstream_2576_1838_after_abort_no_selector_or_subset_reaches_the_aborted_pods() {
    let mut w = istio_world(json!({}));
    w.advance(1);
    w.set_image("app:yellow");
    w.run_until_quiet(20);
    let (blue, yellow) = (hash(&w, 0), hash(&w, 1));
    assert_eq!(subset_hash(&w, "canary"), yellow);
    assert_eq!(selector_of(&w, CANARY), yellow);
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    w.advance(31);
    w.run_until_quiet(20);
    assert_eq!(size(&w, 1), 0, "the aborted canary is gone");
    // As upstream, the canary subset keeps the aborted hash at weight 0: with the aborted pods gone
    // it selects none, so no sticky session can reach them.
    assert_eq!(available_with(&w, &subset_hash(&w, "canary")), 0);
    assert_eq!(subset_hash(&w, "stable"), blue);
    assert_eq!(selector_of(&w, CANARY), blue);
    assert_eq!(selector_of(&w, STABLE), blue);
    assert_eq!(
        subset_weights(&w),
        vec![("stable".to_string(), 100), ("canary".to_string(), 0)]
    );
}

/// Available pods of the ReplicaSet with this hash.
fn available_with(w: &World, hash_value: &str) -> i32 {
    (0..w.replica_sets.len())
        .filter(|i| hash(w, *i) == hash_value)
        .map(|i| available(w, i))
        .sum()
}

/// Every subset's weight is within what its ReplicaSet's available pods can serve (in percent of
/// `spec.replicas`, the share one pod takes rounded up).
fn check_capacity(w: &World, context: &str) {
    let replicas = i64::from(w.rollout.spec.replicas.unwrap());
    for (subset, weight) in subset_weights(w) {
        if weight == 0 {
            continue;
        }
        let selected = subset_hash(w, &subset);
        let pods = i64::from(available_with(w, &selected));
        let capacity = (pods * 100 + replicas - 1) / replicas;
        assert!(
            weight <= capacity,
            "{context}: subset {subset} ({selected}) gets {weight}% with {pods} available pods"
        );
    }
}

/// Plans once, applying (and checking) each write in turn.
fn reconcile_checked(w: &mut World, context: &str) -> usize {
    let plan = w.plan();
    for action in &plan.actions {
        w.apply(action);
        check_capacity(w, &format!("{context} after {}", super::world::describe(action)));
    }
    plan.actions.len()
}

#[test]
fn upstream_4612_fast_rollback_never_routes_more_than_the_ready_capacity() {
    let mut w = istio_world(json!({"steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 70}, {"pause": {}}]}));
    w.advance(1);
    w.set_image("app:yellow");
    // Only the canary's first pod comes up: it is sized for 20%, never for 70%.
    for i in 0..10 {
        reconcile_checked(&mut w, &format!("update {i}"));
        w.settle_without_new_pods();
        if i == 2 {
            w.settle();
        }
    }
    assert_eq!(
        subset_weights(&w),
        vec![("stable".to_string(), 80), ("canary".to_string(), 20)]
    );
    // Back to blue: a fast rollback to the stable template, which never left the stable subset.
    w.advance(1);
    w.set_image("app:blue");
    for i in 0..20 {
        if reconcile_checked(&mut w, &format!("rollback {i}")) == 0 {
            break;
        }
        w.settle();
    }
    assert_eq!(
        subset_weights(&w),
        vec![("stable".to_string(), 100), ("canary".to_string(), 0)]
    );
    assert_eq!(subset_hash(&w, "stable"), hash(&w, 0));
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn upstream_3774_a_second_abort_after_retry_honours_the_abort_delay() {
    let mut w = paused_on_yellow(json!({"abortScaleDownDelaySeconds": 60}));
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    assert_eq!(size(&w, 1), 1, "held for the abort delay");
    assert!(deadline(&w, 1).is_some());
    // Retry within the delay, then abort again.
    w.advance(10);
    w.patch_status(json!({"abort": false}));
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    assert_eq!((size(&w, 0), size(&w, 1)), (5, 1));
    w.advance(10);
    w.patch_status(json!({"abort": true}));
    w.run_until_quiet(20);
    assert_eq!(split(&w), (0, 100));
    let at = deadline(&w, 1).expect("the second abort sets its deadline");
    assert_eq!(at, "2026-01-01T00:01:21Z", "60 s from the second abort");
    w.advance(59);
    w.run_until_quiet(20);
    assert_eq!(size(&w, 1), 1, "still within the delay");
    w.advance(2);
    w.run_until_quiet(20);
    assert_eq!((size(&w, 0), size(&w, 1)), (5, 0));
}

#[test]
fn upstream_4973_a_scale_up_while_aborted_leaves_the_canary_down_and_the_selector_still() {
    let mut w = paused_on_yellow(json!({"dynamicStableScale": true}));
    w.patch_status(json!({"abort": true}));
    for _ in 0..10 {
        step(&mut w);
        w.advance(5);
    }
    w.run_until_quiet(20);
    let blue = hash(&w, 0);
    assert_eq!((size(&w, 0), size(&w, 1)), (5, 0));
    assert_eq!(selector_of(&w, CANARY), blue);
    // The HPA scales up.
    w.patch_spec(json!({"replicas": 8}));
    for i in 0..20 {
        step(&mut w);
        assert_eq!(size(&w, 1), 0, "reconcile {i}: the aborted canary stays down");
        assert_eq!(selector_of(&w, CANARY), blue, "reconcile {i}: the canary Service stays");
        w.advance(1);
    }
    assert_eq!(size(&w, 0), 8);
    assert_eq!(split(&w), (0, 100));
    assert!(w.plan().actions.is_empty());
}

#[test]
fn upstream_4461_abort_after_promote_full_of_an_unhealthy_canary_is_honoured() {
    let mut w = paused_on_yellow(json!({}));
    w.patch_status(json!({"promoteFull": true}));
    // The canary's new pods never become available.
    for _ in 0..6 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!(available(&w, 1), 1);
    w.patch_status(json!({"abort": true}));
    for _ in 0..6 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!(w.status().abort, Some(true));
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    assert_eq!(split(&w), (0, 100));
    assert_eq!(selector_of(&w, STABLE), hash(&w, 0));
    w.advance(31);
    for _ in 0..6 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!((size(&w, 0), size(&w, 1)), (5, 0));
}

/// The blue-green side of #4461: the same status fields decide it.
#[test]
fn upstream_4461_blue_green_abort_after_promote_full_is_honoured() {
    let mut w = World::new(bluegreen_rollout());
    let active = "rollout-bluegreen-active";
    w.services = vec![
        service(active, "rollout-bluegreen"),
        service("rollout-bluegreen-preview", "rollout-bluegreen"),
    ];
    w.run_until_quiet(20);
    let blue = hash(&w, 0);
    w.advance(1);
    w.set_image("argoproj/rollouts-demo:yellow");
    for _ in 0..6 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    w.patch_status(json!({"promoteFull": true}));
    for _ in 0..6 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!(selector_of(&w, active), blue, "never active before it is ready");
    w.patch_status(json!({"abort": true}));
    for _ in 0..6 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!(w.status().abort, Some(true));
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    assert_eq!(selector_of(&w, active), blue);
    w.advance(31);
    for _ in 0..6 {
        w.reconcile();
        w.settle_without_new_pods();
    }
    assert_eq!((size(&w, 0), size(&w, 1)), (2, 0));
}

fn web_template() -> rollouts_api::AnalysisTemplate {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": "success-rate", "namespace": "default"},
        "spec": {"metrics": [{"name": "success-rate", "provider": {"web": {"url": "http://127.0.0.1:1/"}}}]}
    }))
    .unwrap()
}

/// The demo Rollout with these canary fields, Healthy on blue, the template `success-rate` around.
fn analysed(canary: Value) -> World {
    let mut rollout = serde_json::to_value(demo_rollout()).unwrap();
    crate::plan::merge_patch::apply(&mut rollout["spec"]["strategy"]["canary"], &canary);
    let mut w = World::new(serde_json::from_value(rollout).unwrap());
    w.analysis_templates = vec![web_template()];
    w.run_until_quiet(10);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    w
}

fn run_names(w: &World) -> Vec<String> {
    w.analysis_runs
        .iter()
        .map(|r| r.metadata.name.clone().unwrap())
        .collect()
}

#[test]
fn upstream_841_3120_2897_retry_after_a_failed_analysis_runs_it_again_and_keeps_the_canary() {
    let mut w = analysed(json!({"steps": [
        {"setWeight": 20},
        {"analysis": {"templates": [{"templateName": "success-rate"}]}},
        {"pause": {}}
    ]}));
    w.advance(1);
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    let first = run_names(&w);
    assert_eq!(first.len(), 1);
    w.finish_run(&first[0], "Failed", "failed");
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    w.patch_status(json!({"abort": false}));
    w.run_until_quiet(20);
    let runs = run_names(&w);
    assert_eq!(runs.len(), 2, "a new run for the retried step: {runs:?}");
    let retried = w
        .analysis_runs
        .iter()
        .find(|r| r.metadata.name.as_deref() != Some(&first[0]))
        .unwrap()
        .clone();
    assert!(retried.status.is_none(), "the new run has not run yet");
    assert_eq!(w.status().current_step_index, Some(1));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 4), ("yellow".to_string(), 1)]);
    // A minute and more later the canary is still up and nothing loops.
    let mut writes = 0;
    for _ in 0..90 {
        w.advance(1);
        writes += step(&mut w);
    }
    assert_eq!(writes, 0);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 4), ("yellow".to_string(), 1)]);
    assert_ne!(w.status().phase, Some(RolloutPhase::Degraded));
    // The new run passes: the steps go on.
    let name = retried.metadata.name.clone().unwrap();
    w.finish_run(&name, "Successful", "");
    w.run_until_quiet(20);
    assert_eq!(w.status().current_step_index, Some(2));
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
}

#[test]
fn upstream_4900_4919_during_the_abort_delay_the_weight_is_already_zero() {
    let mut w = paused_on_yellow(json!({}));
    assert_eq!(split(&w), (20, 80));
    w.patch_status(json!({"abort": true}));
    let first = w.reconcile();
    w.settle();
    assert_eq!(split(&w), (0, 100), "{:?}", describe_all(&first));
    assert_eq!(size(&w, 1), 1, "the canary waits out its delay");
    w.run_until_quiet(20);
    assert_eq!(split(&w), (0, 100));
    assert_eq!(recorded(&w), (0, 100));
    assert_eq!(size(&w, 1), 1);
    // A scaling event during the delay ends, and the delay still ends the canary.
    w.patch_spec(json!({"replicas": 7}));
    w.run_until_quiet(20);
    assert_eq!(size(&w, 0), 7);
    w.advance(31);
    w.run_until_quiet(20);
    assert_eq!((size(&w, 0), size(&w, 1)), (7, 0));
    assert_eq!(split(&w), (0, 100));
}

#[test]
fn upstream_4128_a_canary_that_never_becomes_ready_is_aborted_by_the_deadline_twice() {
    let mut w = routed(json!({}));
    w.patch_spec(json!({"progressDeadlineSeconds": 60, "progressDeadlineAbort": true}));
    w.run_until_quiet(5);
    for (n, image) in ["app:broken-1", "app:broken-2"].into_iter().enumerate() {
        w.advance(1);
        w.set_image(image);
        for _ in 0..4 {
            w.reconcile();
            w.settle_without_new_pods();
        }
        for _ in 0..6 {
            w.advance(20);
            w.reconcile();
            w.settle_without_new_pods();
        }
        let s = w.status();
        assert_eq!(s.phase, Some(RolloutPhase::Degraded), "revision {}", n + 2);
        assert_eq!(s.abort, Some(true), "revision {}", n + 2);
        assert!(
            s.message.as_deref().unwrap().contains("ProgressDeadlineExceeded")
                || s.message.as_deref().unwrap().starts_with("RolloutAborted"),
            "{:?}",
            s.message
        );
        assert_eq!(split(&w), (0, 100));
        assert_eq!(size(&w, 0), 5, "the stable keeps its pods");
        w.advance(40);
        for _ in 0..4 {
            w.reconcile();
            w.settle_without_new_pods();
        }
    }
}

#[test]
fn upstream_3015_an_inconclusive_background_run_pauses_and_never_promotes() {
    let mut w = analysed(json!({
        "steps": [{"setWeight": 20}, {"pause": {"duration": 10}}, {"setWeight": 60}, {"pause": {"duration": 10}}],
        "analysis": {"templates": [{"templateName": "success-rate"}]}
    }));
    w.advance(1);
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
    let name = run_names(&w)[0].clone();
    w.finish_run(&name, "Inconclusive", "");
    for _ in 0..10 {
        w.advance(30);
        w.run_until_quiet(20);
    }
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.message.as_deref(), Some("InconclusiveAnalysisRun"));
    assert_ne!(s.stable_rs.as_deref(), Some(hash(&w, 1).as_str()), "not promoted");
    assert_eq!(w.sizes(), vec![("blue".to_string(), 4), ("yellow".to_string(), 1)]);
}

#[test]
fn upstream_1681_promote_full_routes_no_more_than_the_canary_can_serve() {
    let mut w = paused_on_yellow(json!({}));
    let blue_template = w.replica_sets[0].spec.template.clone();
    w.patch_status(json!({"promoteFull": true}));
    for i in 0..8 {
        w.reconcile();
        w.settle_without_new_pods();
        assert!(split(&w).0 <= 20, "reconcile {i}: {:?} with one canary pod", split(&w));
        assert_eq!(size(&w, 0), 5, "reconcile {i}: the stable keeps its pods");
        assert_eq!(w.replica_sets[0].spec.template, blue_template, "stable pods untouched");
    }
    w.settle();
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(split(&w), (0, 100));
    assert_eq!(selector_of(&w, STABLE), hash(&w, 1));
}

#[test]
fn upstream_4424_canary_scale_above_replicas_keeps_every_weight_in_range() {
    let mut w = istio_world(json!({"dynamicStableScale": true, "steps": [
        {"setCanaryScale": {"replicas": 8}}, {"setWeight": 25}, {"pause": {}},
        {"setCanaryScale": {"weight": 50}}, {"setWeight": 75}, {"pause": {}}
    ]}));
    w.patch_spec(json!({"replicas": 4}));
    w.run_until_quiet(20);
    w.advance(1);
    w.set_image("app:yellow");
    let check = |w: &World, context: &str| {
        let weights = subset_weights(w);
        assert!(
            weights.iter().all(|(_, x)| (0..=100).contains(x)) && weights.iter().map(|(_, x)| x).sum::<i64>() == 100,
            "{context}: {weights:?}"
        );
        if let Some(recorded) = w.status().canary.as_ref().and_then(|c| c.weights.as_ref()) {
            let (c, s) = (recorded.canary.weight, recorded.stable.weight);
            assert!((0..=100).contains(&c) && c + s == 100, "{context}: status {c}/{s}");
        }
    };
    for round in 0..3 {
        for i in 0..30 {
            let plan = w.plan();
            if plan.actions.is_empty() {
                break;
            }
            for action in &plan.actions {
                w.apply(action);
                check(&w, &format!("round {round} reconcile {i}"));
            }
            w.settle();
        }
        w.patch_status(json!({"pauseConditions": null}));
    }
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn upstream_3849_a_scale_up_mid_canary_keeps_the_step_ratio() {
    let mut w = paused_on_yellow(json!({}));
    w.patch_spec(json!({"replicas": 10}));
    w.run_until_quiet(20);
    // Behind a router the stable stays at spec.replicas and the canary at its weight's share.
    assert_eq!((size(&w, 0), size(&w, 1)), (10, 2));
    assert_eq!(split(&w), (20, 80));
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
}

#[test]
fn upstream_3565_reapplying_the_manifest_mid_canary_changes_nothing() {
    let mut w = paused_on_yellow(json!({}));
    let before = (w.sizes(), split(&w), selector_of(&w, STABLE), selector_of(&w, CANARY));
    let spec = serde_json::to_value(&w.rollout.spec).unwrap();
    for _ in 0..3 {
        w.patch_spec(spec.clone());
        for _ in 0..5 {
            w.reconcile();
            assert!(size(&w, 0) == 5, "the stable never drops");
            w.settle();
        }
    }
    let after = (w.sizes(), split(&w), selector_of(&w, STABLE), selector_of(&w, CANARY));
    assert_eq!(before, after);
    assert_eq!(w.status().phase, Some(RolloutPhase::Paused));
    assert_eq!(w.status().current_step_index, Some(1));
}

#[test]
fn upstream_4935_a_reapplied_deployment_is_drained_again() {
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
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    let replicas = |w: &World| match w.workload {
        crate::plan::WorkloadState::Resolved { replicas, .. } => replicas,
        _ => None,
    };
    assert_eq!(replicas(&w), Some(0));
    // A GitOps sync puts the Deployment back at 5.
    w.workload = crate::plan::WorkloadState::Resolved {
        generation: Some(2),
        replicas: Some(5),
    };
    let plans = w.run_until_quiet(10);
    assert!(
        plans
            .iter()
            .flat_map(|p| &p.actions)
            .any(|a| matches!(a, Action::ScaleWorkload { replicas: 0, .. })),
        "{:?}",
        plans.iter().map(describe_all).collect::<Vec<_>>()
    );
    assert_eq!(replicas(&w), Some(0));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 5)]);
}
