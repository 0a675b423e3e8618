//! `SetWeight`: upstream's `alb_test.go` expectations of the forward action written, for one Ingress
//! and several.

use rollouts_api::rollout_status::WeightDestination;
use serde_json::json;

use super::*;
use crate::traffic::Router;

fn destinations() -> Vec<WeightDestination> {
    ["ex-svc-1", "ex-svc-2"]
        .iter()
        .zip([2, 3])
        .map(|(name, weight)| WeightDestination {
            service_name: Some(name.to_string()),
            pod_template_hash: None,
            weight,
        })
        .collect()
}

/// `TestNoChanges(MultiIngress)`: Ingresses already at the weight are not written.
#[test]
fn no_write_when_every_ingress_is_at_the_weight() {
    for alb in [single(), multi()] {
        let ro = rollout(STABLE_SVC, CANARY_SVC, None, alb);
        let ingresses = [
            ingress("ingress", STABLE_SVC, 10, false),
            ingress("multi-ingress", STABLE_SVC, 10, false),
        ];
        let (result, objects) = run(&ro, &ingresses, |r, o| r.set_weight(o, 10, &[]));
        assert_eq!(result, Ok(()));
        assert!(objects.writes().is_empty(), "{:?}", objects.writes());
    }
}

/// `TestSetInitialDesiredWeight(MultiIngress)`: an Ingress without annotations gets the action and
/// the bookkeeping annotation, each Ingress patched once.
#[test]
fn first_weight_writes_the_action_and_the_bookkeeping() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, multi());
    let mut bare = ingress("ingress", STABLE_SVC, 5, false);
    bare["metadata"]["annotations"] = json!({});
    let ingresses = [bare, ingress("multi-ingress", STABLE_SVC, 5, false)];
    let (result, mut objects) = run(&ro, &ingresses, |r, o| r.set_weight(o, 10, &[]));
    assert_eq!(result, Ok(()));
    let expected = action(CANARY_SVC, STABLE_SVC, 443, 10);
    assert_eq!(
        patches(&objects),
        [
            (
                "ingress".to_string(),
                json!({"metadata": {"annotations": {
                    "alb.ingress.kubernetes.io/actions.stable-svc": expected,
                    MANAGED: r#"{"rollout":["alb.ingress.kubernetes.io/actions.stable-svc"]}"#,
                }}})
            ),
            (
                "multi-ingress".to_string(),
                json!({"metadata": {"annotations": {
                    "alb.ingress.kubernetes.io/actions.stable-svc": expected,
                }}})
            ),
        ]
    );
    let events: Vec<String> = objects.take_events().into_iter().map(|e| e.message).collect();
    assert_eq!(
        events,
        [
            "Updating Ingress `ingress` to desiredWeight '10'",
            "Updating Ingress `multi-ingress` to desiredWeight '10'"
        ]
    );
}

/// `TestUpdateDesiredWeight(WithStickyConfig)`: the new weight, with the stickiness as configured.
#[test]
fn a_new_weight_rewrites_the_action_with_stickiness() {
    for sticky in [false, true] {
        let mut alb = single();
        if sticky {
            alb["stickinessConfig"] = json!({"enabled": true, "durationSeconds": 300});
        }
        let ro = rollout(STABLE_SVC, CANARY_SVC, None, alb);
        let (result, objects) = run(&ro, &[ingress("ingress", STABLE_SVC, 5, sticky)], |r, o| {
            r.set_weight(o, 10, &[])
        });
        assert_eq!(result, Ok(()));
        let expected = if sticky {
            sticky_action(CANARY_SVC, STABLE_SVC, 443, 10)
        } else {
            action(CANARY_SVC, STABLE_SVC, 443, 10)
        };
        assert_eq!(
            patches(&objects),
            [(
                "ingress".to_string(),
                json!({"metadata": {"annotations": {action_key(STABLE_SVC): expected}}})
            )]
        );
    }
}

/// `TestSetWeightPingPong(MultiIngress)`: the root Service's action sends to the ping-pong pair, the
/// stable side being the one `status.canary.stablePingPong` names.
#[test]
fn ping_pong_sends_to_the_pair_under_the_root_service_action() {
    let mut alb = multi();
    alb["rootService"] = json!("root-service");
    let mut ro = rollout("", "", Some(("ping-service", "pong-service")), alb);
    let mut bare = ingress("ingress", "root-service", 10, false);
    bare["metadata"]["annotations"] = json!({});
    let ingresses = [bare, ingress("multi-ingress", "root-service", 10, false)];
    for (stable_ping_pong, stable, canary) in [
        ("pong", "pong-service", "ping-service"),
        ("ping", "ping-service", "pong-service"),
    ] {
        ro.status = Some(serde_json::from_value(json!({"canary": {"stablePingPong": stable_ping_pong}})).unwrap());
        let (result, objects) = run(&ro, &ingresses, |r, o| r.set_weight(o, 10, &[]));
        assert_eq!(result, Ok(()));
        assert_eq!(objects.writes().len(), 2);
        for name in ["ingress", "multi-ingress"] {
            assert_eq!(
                annotation(&objects, name, &action_key("root-service")),
                Some(action(canary, stable, 443, 10)),
                "{stable_ping_pong} {name}"
            );
        }
    }
}

/// `TestSetWeightWithMultipleBackends(MultiIngress)`: experiment destinations between the canary and
/// the stable, whose weight is what is left.
#[test]
fn experiment_destinations_get_their_own_target_groups() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, multi());
    let ingresses = [
        ingress("ingress", STABLE_SVC, 0, false),
        ingress("multi-ingress", STABLE_SVC, 0, false),
    ];
    let (result, objects) = run(&ro, &ingresses, |r, o| r.set_weight(o, 10, &destinations()));
    assert_eq!(result, Ok(()));
    let expected = r#"{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"canary-svc","ServicePort":"443","Weight":10},{"ServiceName":"ex-svc-1","ServicePort":"443","Weight":2},{"ServiceName":"ex-svc-2","ServicePort":"443","Weight":3},{"ServiceName":"stable-svc","ServicePort":"443","Weight":85}]}}"#;
    assert_eq!(patches(&objects).len(), 2);
    for name in ["ingress", "multi-ingress"] {
        assert_eq!(
            annotation(&objects, name, &action_key(STABLE_SVC)).as_deref(),
            Some(expected)
        );
    }
}

/// `TestGetForwardActionStringMarshalsZeroCorrectly` and the disabled-stickiness case: weight 0 is
/// written, and disabled stickiness is left out.
#[test]
fn zero_weight_is_written_and_disabled_stickiness_left_out() {
    let mut alb = single();
    alb["stickinessConfig"] = json!({"enabled": false, "durationSeconds": 0});
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, alb);
    let (result, objects) = run(&ro, &[ingress("ingress", STABLE_SVC, 5, false)], |r, o| {
        r.set_weight(o, 0, &[])
    });
    assert_eq!(result, Ok(()));
    assert_eq!(
        annotation(&objects, "ingress", &action_key(STABLE_SVC)),
        Some(action(CANARY_SVC, STABLE_SVC, 443, 0))
    );
}

/// `TestGetForwardActionStringDetects{Negative,TooLarge}StickyConfigDuration`.
#[test]
fn a_stickiness_duration_aws_refuses_is_an_error() {
    for seconds in [0, 604_801] {
        let mut alb = single();
        alb["stickinessConfig"] = json!({"enabled": true, "durationSeconds": seconds});
        let ro = rollout(STABLE_SVC, CANARY_SVC, None, alb);
        let (result, objects) = run(&ro, &[ingress("ingress", STABLE_SVC, 5, false)], |r, o| {
            r.set_weight(o, 10, &[])
        });
        assert_eq!(
            result.unwrap_err().to_string(),
            "TargetGroupStickinessConfig's duration must be between 1 and 604800 seconds (7 days)!"
        );
        assert!(objects.writes().is_empty());
    }
}

/// `TestIngressNotFound`, `TestServiceNotFoundInIngress`, `TestErrorOnInvalidManagedBy`: errors, and
/// nothing written.
#[test]
fn a_missing_ingress_a_missing_service_or_unreadable_bookkeeping_is_an_error() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, single());
    let (result, _) = run(&ro, &[], |r, o| r.set_weight(o, 10, &[]));
    assert_eq!(
        result.unwrap_err().to_string(),
        "ingress.networking.k8s.io \"ingress\" not found"
    );

    let mut alb = single();
    alb["rootService"] = json!("invalid-svc");
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, alb);
    let (result, objects) = run(&ro, &[ingress("ingress", STABLE_SVC, 50, false)], |r, o| {
        r.set_weight(o, 10, &[])
    });
    assert_eq!(
        result.unwrap_err().to_string(),
        "ingress does not have service `invalid-svc` in rules"
    );
    assert!(objects.writes().is_empty());

    let ro = rollout(STABLE_SVC, CANARY_SVC, None, single());
    let mut bad = ingress("ingress", STABLE_SVC, 5, false);
    bad["metadata"]["annotations"][MANAGED] = json!("test");
    let (result, objects) = run(&ro, &[bad], |r, o| r.set_weight(o, 10, &[]));
    assert!(
        result
            .unwrap_err()
            .to_string()
            .starts_with("error reading the rollouts.argoproj.io/managed-alb-annotations annotation")
    );
    assert!(objects.writes().is_empty());
}

/// Another Rollout's entry in the bookkeeping annotation is kept, and entries are sorted by name.
#[test]
fn other_rollouts_bookkeeping_is_kept() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, single());
    let mut shared = ingress("ingress", STABLE_SVC, 5, false);
    shared["metadata"]["annotations"][MANAGED] = json!(r#"{"zeta":["x"],"alpha":null}"#);
    let (_, objects) = run(&ro, &[shared], |r, o| r.set_weight(o, 10, &[]));
    assert_eq!(
        annotation(&objects, "ingress", MANAGED).as_deref(),
        Some(r#"{"alpha":null,"rollout":["alb.ingress.kubernetes.io/actions.stable-svc"],"zeta":["x"]}"#)
    );
}

/// With `annotationPrefix` the action key takes that prefix; with `maxTrafficWeight` (allowed next
/// to NGINX) the stable gets the rest of that total while AWS takes it (target-group weights up to
/// 999), and percentages of it beyond (upstream writes `100 - weight`, negative past 100).
#[test]
fn annotation_prefix_and_max_traffic_weight() {
    let forward = |canary: i64, stable: i64| {
        format!(
            r#"{{"Type":"forward","ForwardConfig":{{"TargetGroups":[{{"ServiceName":"canary-svc","ServicePort":"80","Weight":{canary}}},{{"ServiceName":"stable-svc","ServicePort":"80","Weight":{stable}}}]}}}}"#
        )
    };
    for (max, weight, expected) in [
        (200, 150, forward(150, 50)),
        (999, 0, forward(0, 999)),
        (1000, 0, forward(0, 100)),
        (1000, 255, forward(25, 75)),
        (1000, 1000, forward(100, 0)),
    ] {
        let mut ro = rollout(
            STABLE_SVC,
            CANARY_SVC,
            None,
            json!({"ingress": "ingress", "servicePort": 80, "annotationPrefix": "custom.aws"}),
        );
        if let Some(routing) = ro
            .spec
            .strategy
            .as_mut()
            .and_then(|s| s.canary.as_mut())
            .and_then(|c| c.traffic_routing.as_mut())
        {
            routing.max_traffic_weight = Some(max);
        }
        let mut plain = ingress("ingress", STABLE_SVC, 0, false);
        plain["metadata"]["annotations"] = json!({});
        let (_, objects) = run(&ro, &[plain], |r, o| r.set_weight(o, weight, &[]));
        assert_eq!(
            annotation(&objects, "ingress", "custom.aws/actions.stable-svc"),
            Some(expected),
            "{weight} of {max}"
        );
        assert_eq!(
            annotation(&objects, "ingress", MANAGED).as_deref(),
            Some(r#"{"rollout":["custom.aws/actions.stable-svc"]}"#)
        );
    }
}
