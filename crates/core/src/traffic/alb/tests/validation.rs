//! Upstream's reference validation of ALB Ingresses (`validation_references_test.go`,
//! `ValidateRolloutAlbIngressesConfig`), with its paths and messages.

use serde_json::json;

use super::*;
use crate::traffic::Router;

fn missing(ro: &rollouts_api::Rollout, ingresses: &[Value]) -> Option<String> {
    run(ro, ingresses, |r, o| r.missing_reference(o))
        .0
        .map(|e| e.to_string())
}

fn invalid(ro: &rollouts_api::Rollout, ingresses: &[Value]) -> Option<String> {
    run(ro, ingresses, |r, o| r.validate(o)).0.map(|e| e.to_string())
}

#[test]
fn ingress_or_ingresses_must_be_set_but_not_both() {
    let both = rollout(
        STABLE_SVC,
        CANARY_SVC,
        None,
        json!({"ingress": "ingress", "ingresses": ["ingress"], "servicePort": 80}),
    );
    assert_eq!(
        missing(&both, &[ingress("ingress", STABLE_SVC, 0, false)]).as_deref(),
        Some(
            "spec.strategy.canary.trafficRouting.alb: Internal error: Either Ingress or Ingresses must be configured. Both are configured."
        )
    );
    let neither = rollout(STABLE_SVC, CANARY_SVC, None, json!({"servicePort": 80}));
    assert_eq!(
        missing(&neither, &[]).as_deref(),
        Some(
            "spec.strategy.canary.trafficRouting.alb: Internal error: Either Ingress or Ingresses must be configured. Neither are configured."
        )
    );
}

#[test]
fn a_missing_ingress_is_named_with_the_field() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, single());
    assert_eq!(
        missing(&ro, &[]).as_deref(),
        Some(
            "spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: \"ingress\": ingress.networking.k8s.io \"ingress\" not found"
        )
    );
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, multi());
    assert_eq!(
        missing(&ro, &[ingress("ingress", STABLE_SVC, 0, false)]).as_deref(),
        Some(
            "spec.strategy.canary.trafficRouting.alb.ingresses: Invalid value: []string{\"ingress\", \"multi-ingress\"}: ingress.networking.k8s.io \"multi-ingress\" not found"
        )
    );
    let present = [
        ingress("ingress", STABLE_SVC, 0, false),
        ingress("multi-ingress", STABLE_SVC, 0, false),
    ];
    assert_eq!(missing(&ro, &present), None);
}

/// `TestValidateRolloutReferencedResourcesAlbIngress`: each Ingress must route to the stable (or
/// root) Service.
#[test]
fn an_ingress_without_the_root_or_stable_service_is_invalid() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, single());
    assert_eq!(invalid(&ro, &[ingress("ingress", STABLE_SVC, 0, false)]), None);
    assert_eq!(
        invalid(&ro, &[ingress("ingress", "other", 0, false)]).as_deref(),
        Some(
            "spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: \"ingress\": ingress `ingress` has no rules using service stable-svc backend"
        )
    );
    let mut alb = multi();
    alb["rootService"] = json!("root");
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, alb);
    assert_eq!(
        invalid(
            &ro,
            &[
                ingress("ingress", "root", 0, false),
                ingress("multi-ingress", STABLE_SVC, 0, false)
            ]
        )
        .as_deref(),
        Some(
            "spec.strategy.canary.trafficRouting.alb.ingresses: Invalid value: \"multi-ingress\": ingress `multi-ingress` has no rules using service root backend"
        )
    );
}

/// The router reads exactly the Ingresses named.
#[test]
fn references_are_the_ingresses() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, multi());
    let (refs, _) = run(&ro, &[], |r, _| r.references());
    assert_eq!(refs, [ingress_ref("ingress"), ingress_ref("multi-ingress")]);
}
