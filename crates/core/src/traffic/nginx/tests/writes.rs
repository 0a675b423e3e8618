//! The writes across reconciles: nothing when nothing changes, a patch of only what differs, and what
//! the router leaves alone.

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::SetMirrorRoute;
use serde_json::json;

use super::*;
use crate::traffic::{Objects, RoutingWrite};

/// A second reconcile at the same weight writes nothing; a new weight is one patch of the weight.
#[test]
fn created_once_then_only_the_weight_changes() {
    let ro = rollout(single());
    let mut objects = Objects::new(&[stable_ingress(STABLE, "stable-service")]);
    with_router(&ro, |r| {
        r.set_weight(&mut objects, 10, &[]).expect("created");
        assert_eq!(
            objects.take_writes(),
            [RoutingWrite::Create(desired_canary(CANARY, "10"))]
        );
        r.set_weight(&mut objects, 10, &[]).expect("unchanged");
        assert!(objects.writes().is_empty(), "unchanged: {:?}", objects.writes());
        r.set_weight(&mut objects, 30, &[]).expect("patched");
        assert_eq!(
            objects.take_writes(),
            [annotations_patch(CANARY, json!({key("canary-weight"): "30"}))]
        );
    });
}

/// Labels on the canary are someone else's (it is created without any): a weight change leaves them,
/// where upstream's patch removes them and then fights whoever adds them back, as in upstream #1070.
#[test]
fn upstream_1070_foreign_labels_and_annotations_are_left_alone() {
    let mut canary = existing_canary(CANARY, "10");
    canary["metadata"]["labels"] = json!({"team": "web"});
    canary["metadata"]["annotations"]["field.cattle.io/publicEndpoints"] = json!("[]");
    let read = [stable_ingress(STABLE, "stable-service"), canary];
    let (result, writes) = set_weight(&rollout(single()), &read, 20);
    assert_eq!(result, Ok(()));
    assert_eq!(writes, [annotations_patch(CANARY, json!({key("canary-weight"): "20"}))]);
    let (_, writes) = set_weight(&rollout(single()), &read, 10);
    assert!(writes.is_empty(), "{writes:?}");
}

/// The spec is the stable's, whole: a default backend someone added to the canary is removed, as
/// upstream's patch of the spec does.
#[test]
fn the_canary_spec_follows_the_stable() {
    let mut canary = existing_canary(CANARY, "10");
    canary["spec"]["defaultBackend"] = json!({"service": {"name": "x", "port": {"number": 80}}});
    canary["spec"]["ingressClassName"] = json!("other");
    let (result, writes) = set_weight(
        &rollout(single()),
        &[stable_ingress(STABLE, "stable-service"), canary],
        10,
    );
    assert_eq!(result, Ok(()));
    assert_eq!(
        writes,
        [patch(
            CANARY,
            json!({"spec": {"defaultBackend": null, "ingressClassName": "nginx-ext"}})
        )]
    );
}

/// Only the paths to the stable Service go to the canary Service; other paths of the same rule stay,
/// rules without one are left out, and rules without `http` or with a resource backend are skipped.
#[test]
fn rules_are_copied_only_when_they_reach_the_stable_service() {
    let mut stable = stable_ingress(STABLE, "stable-service");
    stable["spec"]["rules"] = json!([
        {"host": "a.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "stable-service", "port": {"number": 80}}}},
            {"path": "/other", "pathType": "Prefix", "backend": {"service": {"name": "other", "port": {"number": 80}}}},
            {"path": "/static", "pathType": "Prefix", "backend": {"resource": {"apiGroup": "k8s.example.com", "kind": "Bucket", "name": "b"}}},
        ]}},
        {"host": "b.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "other", "port": {"number": 80}}}},
        ]}},
        {"host": "c.example.com"},
    ]);
    let (result, writes) = set_weight(&rollout(single()), &[stable], 5);
    assert_eq!(result, Ok(()));
    let RoutingWrite::Create(canary) = &writes[0] else {
        panic!("a create, got {writes:?}")
    };
    assert_eq!(
        canary["spec"]["rules"],
        json!([{"host": "a.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "canary-service", "port": {"number": 80}}}},
            {"path": "/other", "pathType": "Prefix", "backend": {"service": {"name": "other", "port": {"number": 80}}}},
            {"path": "/static", "pathType": "Prefix", "backend": {"resource": {"apiGroup": "k8s.example.com", "kind": "Bucket", "name": "b"}}},
        ]}}])
    );
}

/// The annotations live under `annotationPrefix`; spec annotations clash in upstream's order: the
/// full `canaryIngressAnnotations` over the prefixed additional ones, the weight over both. A key
/// that already carries the prefix is not prefixed twice.
#[test]
fn annotation_prefix_and_precedence() {
    let nginx = json!({
        "stableIngress": STABLE,
        "annotationPrefix": "custom.nginx.org",
        "additionalIngressAnnotations": {"canary-by-cookie": "a", "custom.nginx.org/load-balance": "ewma", "canary-weight": "99"},
        "canaryIngressAnnotations": {"custom.nginx.org/canary-by-cookie": "b"},
    });
    let (result, writes) = set_weight(
        &rollout_with(nginx, json!({"maxTrafficWeight": 1000})),
        &[stable_ingress(STABLE, "stable-service")],
        250,
    );
    assert_eq!(result, Ok(()));
    let RoutingWrite::Create(canary) = &writes[0] else {
        panic!("a create, got {writes:?}")
    };
    assert_eq!(
        canary["metadata"]["annotations"],
        json!({
            "custom.nginx.org/canary": "true",
            "custom.nginx.org/canary-weight": "250",
            "custom.nginx.org/canary-weight-total": "1000",
            "custom.nginx.org/canary-by-cookie": "b",
            "custom.nginx.org/load-balance": "ewma",
        })
    );
}

/// Extra destinations (experiments) have no place in an ingress-nginx canary: ignored, as upstream.
#[test]
fn additional_destinations_are_ignored() {
    let extra = [WeightDestination {
        pod_template_hash: Some("e1".into()),
        service_name: Some("experiment".into()),
        weight: 5,
    }];
    let read = [stable_ingress(STABLE, "stable-service")];
    let plain = set_weight(&rollout(single()), &read, 10);
    assert_eq!(set_weight_with(&rollout(single()), &read, 10, &extra), plain);
}

/// An error on the second stable Ingress leaves the first one's write recorded, as upstream made it.
#[test]
fn stable_ingresses_are_done_in_order_up_to_an_error() {
    let (result, writes) = set_weight(&rollout(multi()), &[stable_ingress(STABLE, "stable-service")], 10);
    assert!(result.is_err());
    assert_eq!(writes, [RoutingWrite::Create(desired_canary(CANARY, "10"))]);
}

/// `update_hash` and `set_mirror_route` write nothing, as upstream.
#[test]
fn hashes_and_mirror_routes_write_nothing() {
    let read = [stable_ingress(STABLE, "stable-service"), existing_canary(CANARY, "10")];
    let ro = rollout_with(single(), json!({"managedRoutes": [{"name": "mirror"}]}));
    let mirror: SetMirrorRoute =
        serde_json::from_value(json!({"name": "mirror", "match": [{"method": {"exact": "GET"}}]})).expect("valid");
    let (result, writes) = run(&ro, &read, |r, o| {
        r.update_hash(o, "c1", "s1", &[])?;
        r.set_mirror_route(o, &mirror)
    });
    assert_eq!(result, Ok(()));
    assert!(writes.is_empty());
}

/// The no-rules error names the stable Ingress at fault; upstream names `stableIngress`, which is
/// empty when `stableIngresses` is used.
#[test]
fn the_no_rules_error_names_the_stable_ingress_at_fault() {
    let read = [
        stable_ingress(STABLE, "stable-service"),
        stable_ingress(ADDITIONAL, "other-service"),
    ];
    let (result, writes) = set_weight(&rollout(multi()), &read, 10);
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Err("ingress `additional-stable-ingress` has no rules using service stable-service backend".to_string())
    );
    assert_eq!(writes, [RoutingWrite::Create(desired_canary(CANARY, "10"))]);
}
