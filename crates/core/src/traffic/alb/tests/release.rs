//! Upstream's Ingress controller over ALB Ingresses (`ingress/alb_test.go`): a Rollout gone from the
//! bookkeeping annotation has its actions reset to its Service alone.

use serde_json::json;

use super::*;
use crate::traffic::alb::release::release_unreferenced;

#[test]
fn a_live_rollout_keeps_its_actions() {
    let held = ingress("ingress", STABLE_SVC, 10, false);
    assert_eq!(release_unreferenced(&held, &["rollout"]), None);
}

#[test]
fn a_gone_rollouts_action_is_reset_and_its_entry_removed() {
    let mut held = ingress("ingress", STABLE_SVC, 10, true);
    held["metadata"]["annotations"]["rollouts.argoproj.io/managed-alb-actions"] = json!("rollout:x");
    let released = release_unreferenced(&held, &[]).expect("an update");
    let annotations = &released["metadata"]["annotations"];
    assert_eq!(
        annotations[action_key(STABLE_SVC)],
        r#"{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"stable-svc","ServicePort":"443","Weight":100}],"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":300}}}"#
    );
    assert!(annotations.get(MANAGED).is_none());
    assert!(annotations.get("rollouts.argoproj.io/managed-alb-actions").is_none());
    assert_eq!(released["spec"], held["spec"]);
}

#[test]
fn other_rollouts_entries_stay_and_unreadable_actions_are_left_alone() {
    let mut held = ingress("ingress", STABLE_SVC, 10, false);
    held["metadata"]["annotations"][MANAGED] = json!(
        r#"{"other":["alb.ingress.kubernetes.io/actions.x"],"rollout":["alb.ingress.kubernetes.io/actions.stable-svc"]}"#
    );
    let released = release_unreferenced(&held, &["other"]).expect("an update");
    assert_eq!(
        released["metadata"]["annotations"][MANAGED],
        r#"{"other":["alb.ingress.kubernetes.io/actions.x"]}"#
    );
    // The action names no target group of its Service: no port to reset to, nothing done.
    held["metadata"]["annotations"][action_key(STABLE_SVC)] = json!(action(CANARY_SVC, "elsewhere", 443, 10));
    assert_eq!(release_unreferenced(&held, &["other"]), None);
}
