//! Upstream's `nginx_test.go` and `GetCanaryIngressName` cases, as exact writes. Its cases on
//! `extensions/v1beta1` Ingresses run here on `networking.k8s.io/v1`, the only version read; its
//! create-error and already-exists races are the controller's part (the router only records writes).

use serde_json::{Value, json};

use super::*;
use crate::traffic::RoutingWrite;
use crate::traffic::nginx::names::canary_ingress_name;

/// The stable Ingresses of a layout.
fn stables(pairs: &[(&str, &str)], service: &str) -> Vec<Value> {
    pairs
        .iter()
        .map(|(stable, _)| stable_ingress(stable, service))
        .collect()
}

/// The stable Ingresses and their canaries at `weight`.
fn stables_and_canaries(pairs: &[(&str, &str)], weight: &str) -> Vec<Value> {
    pairs
        .iter()
        .flat_map(|(stable, canary)| {
            [
                stable_ingress(stable, "stable-service"),
                existing_canary(canary, weight),
            ]
        })
        .collect()
}

#[test]
fn type_is_nginx() {
    with_router(&rollout(single()), |r| assert_eq!(r.kind(), "Nginx"));
}

/// `TestCanaryIngressCreate`, `TestReconciler_canaryIngress`, `TestReconcileStableIngressFound`: one
/// canary Ingress created per stable Ingress, in order, with the class and the canary backend.
#[test]
fn creates_a_canary_ingress_per_stable_ingress() {
    for (layout, nginx, pairs) in layouts() {
        let (result, writes) = set_weight(&rollout(nginx), &stables(&pairs, "stable-service"), 10);
        assert_eq!(result, Ok(()), "{layout}");
        let expected: Vec<_> = pairs
            .iter()
            .map(|(_, canary)| RoutingWrite::Create(desired_canary(canary, "10")))
            .collect();
        assert_eq!(writes, expected, "{layout}");
    }
}

/// `TestCanaryIngressPatchWeight`, `TestReconcileStableAndCanaryIngressFoundPatch`,
/// `TestReconcileWillInvokeNetworkingIngress`: a new weight is one patch of the weight annotation per
/// canary Ingress.
#[test]
fn a_new_weight_patches_only_the_weight() {
    for (layout, nginx, pairs) in layouts() {
        let (result, writes) = set_weight(&rollout(nginx), &stables_and_canaries(&pairs, "10"), 15);
        assert_eq!(result, Ok(()), "{layout}");
        let expected: Vec<_> = pairs
            .iter()
            .map(|(_, canary)| annotations_patch(canary, json!({key("canary-weight"): "15"})))
            .collect();
        assert_eq!(writes, expected, "{layout}");
    }
}

/// `TestCanaryIngressUpdateRoute`: a changed stable path replaces the canary's rules.
#[test]
fn a_changed_stable_path_patches_the_rules() {
    for (layout, nginx, pairs) in layouts() {
        let mut read = stables_and_canaries(&pairs, "15");
        for object in read.iter_mut().step_by(2) {
            object["spec"]["rules"][0]["http"]["paths"][0]["path"] = json!("/bar");
        }
        let (result, writes) = set_weight(&rollout(nginx), &read, 15);
        assert_eq!(result, Ok(()), "{layout}");
        let rules = json!({"spec": {"rules": [{
            "host": "fakehost.example.com",
            "http": {"paths": [{
                "path": "/bar", "pathType": "Prefix",
                "backend": {"service": {"name": "canary-service", "port": {"name": "http", "number": 80}}},
            }]},
        }]}});
        let expected: Vec<_> = pairs.iter().map(|(_, canary)| patch(canary, rules.clone())).collect();
        assert_eq!(writes, expected, "{layout}");
    }
}

/// `TestCanaryIngressRetainIngressClass`: the stable's `kubernetes.io/ingress.class` is copied, its
/// other annotations are not.
#[test]
fn the_ingress_class_annotation_is_copied() {
    for (layout, nginx, pairs) in layouts() {
        let read: Vec<_> = stables(&pairs, "stable-service")
            .into_iter()
            .map(|mut stable| {
                stable["metadata"]["annotations"]["kubernetes.io/ingress.class"] = json!("nginx-foo");
                stable
            })
            .collect();
        let (result, writes) = set_weight(&rollout(nginx), &read, 15);
        assert_eq!(result, Ok(()), "{layout}");
        for write in &writes {
            let RoutingWrite::Create(canary) = write else {
                panic!("{layout}: a create, got {write:?}")
            };
            assert_eq!(
                canary["metadata"]["annotations"],
                json!({"kubernetes.io/ingress.class": "nginx-foo", key("canary"): "true", key("canary-weight"): "15"}),
                "{layout}"
            );
        }
        assert_eq!(writes.len(), pairs.len(), "{layout}");
    }
}

/// `TestCanaryIngressRetainTLS`, `TestCanaryIngressRetainTLSWithMultipleStableIngresses`: each canary
/// gets its own stable's TLS, unchanged.
#[test]
fn each_canary_keeps_its_stable_tls() {
    let mut main = stable_ingress(STABLE, "stable-service");
    main["spec"]["tls"] = json!([
        {"hosts": ["fakehost.example.com"], "secretName": "tls-secret-name"},
        {"hosts": ["fakehost.example.com", "*.example.com"], "secretName": "tls-secret-name-two"},
    ]);
    let mut additional = stable_ingress(ADDITIONAL, "stable-service");
    additional["spec"]["tls"] =
        json!([{"hosts": ["fakehost-additional.example.com"], "secretName": "tls-secret-name-additional"}]);
    let (result, writes) = set_weight(&rollout(multi()), &[main.clone(), additional.clone()], 15);
    assert_eq!(result, Ok(()));
    let created: Vec<_> = writes
        .iter()
        .map(|w| match w {
            RoutingWrite::Create(c) => c["spec"]["tls"].clone(),
            other => panic!("a create, got {other:?}"),
        })
        .collect();
    assert_eq!(
        created,
        [main["spec"]["tls"].clone(), additional["spec"]["tls"].clone()]
    );
}

/// `TestCanaryIngressNotAddTLS`: no TLS on the stable, none on the canary (an empty list included).
#[test]
fn no_stable_tls_no_canary_tls() {
    let mut stable = stable_ingress(STABLE, "stable-service");
    stable["spec"]["tls"] = json!([]);
    let (_, writes) = set_weight(&rollout(single()), &[stable], 15);
    assert_eq!(writes, [RoutingWrite::Create(desired_canary(CANARY, "15"))]);
}

/// `TestCanaryIngressAdditionalAnnotations`, `TestCanaryIngressAdditionalAnnotationsNewIngress`:
/// `additionalIngressAnnotations` get the prefix, `canaryIngressAnnotations` are used as written.
#[test]
fn additional_annotations_are_prefixed_and_full_ones_are_not() {
    for (layout, mut nginx, pairs) in layouts() {
        nginx["additionalIngressAnnotations"] =
            json!({"canary-by-header": "X-Foo", "canary-by-header-value": "DoCanary"});
        nginx["canaryIngressAnnotations"] = json!({"annotation-prefix.some.group/some-key": "some-value"});
        let (result, writes) = set_weight(&rollout(nginx), &stables(&pairs, "stable-service"), 15);
        assert_eq!(result, Ok(()), "{layout}");
        let expected: Vec<_> = pairs
            .iter()
            .map(|(_, canary)| {
                let mut c = desired_canary(canary, "15");
                c["metadata"]["annotations"] = json!({
                    key("canary"): "true",
                    key("canary-weight"): "15",
                    key("canary-by-header"): "X-Foo",
                    key("canary-by-header-value"): "DoCanary",
                    "annotation-prefix.some.group/some-key": "some-value",
                });
                RoutingWrite::Create(c)
            })
            .collect();
        assert_eq!(writes, expected, "{layout}");
    }
}

/// `TestCanaryIngressRetainCurrentAnnotations` (upstream #1070): annotations others put on the canary
/// stay; the canary annotations are set back.
#[test]
fn foreign_canary_annotations_are_kept() {
    for (layout, nginx, pairs) in layouts() {
        let mut read = stables_and_canaries(&pairs, "15");
        for canary in read.iter_mut().skip(1).step_by(2) {
            canary["metadata"]["annotations"] = json!({
                key("canary"): "false",
                "annotation-prefix.some.group/some-key": "some-value",
            });
        }
        let (result, writes) = set_weight(&rollout(nginx), &read, 15);
        assert_eq!(result, Ok(()), "{layout}");
        let expected: Vec<_> = pairs
            .iter()
            .map(|(_, canary)| annotations_patch(canary, json!({key("canary"): "true", key("canary-weight"): "15"})))
            .collect();
        assert_eq!(writes, expected, "{layout}");
    }
}

/// `TestCanaryIngressMaxWeightInTrafficRouting`: `canary-weight-total` only when `maxTrafficWeight`
/// is set.
#[test]
fn max_traffic_weight_sets_the_weight_total() {
    for (max, expected) in [
        (json!({}), json!({key("canary-weight"): "15"})),
        (
            json!({"maxTrafficWeight": 1000}),
            json!({key("canary-weight"): "15", key("canary-weight-total"): "1000"}),
        ),
    ] {
        for (layout, nginx, pairs) in layouts() {
            let (result, writes) = set_weight(
                &rollout_with(nginx, max.clone()),
                &stables_and_canaries(&pairs, "10"),
                15,
            );
            assert_eq!(result, Ok(()), "{layout}");
            let want: Vec<_> = pairs
                .iter()
                .map(|(_, c)| annotations_patch(c, expected.clone()))
                .collect();
            assert_eq!(writes, want, "{layout} {max}");
        }
    }
}

/// `TestReconcileStableIngressNotFound`: upstream's error, nothing written.
#[test]
fn a_missing_stable_ingress_is_an_error() {
    let (result, writes) = set_weight(&rollout(single()), &[], 10);
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Err(
            "error retrieving stableIngress `stable-ingress` from cache: ingress.networking.k8s.io \"stable-ingress\" not found"
                .to_string()
        )
    );
    assert!(writes.is_empty());
}

/// `TestReconcileStableIngressFoundWrongBackend`: no rule sends to the stable Service.
#[test]
fn a_stable_ingress_without_the_stable_service_is_an_error() {
    for (layout, nginx, pairs) in layouts() {
        let (result, writes) = set_weight(&rollout(nginx), &stables(&pairs, "other-service"), 10);
        assert_eq!(
            result.map_err(|e| e.to_string()),
            Err("ingress `stable-ingress` has no rules using service stable-service backend".to_string()),
            "{layout}"
        );
        assert!(writes.is_empty(), "{layout}");
    }
}

/// `TestReconcileStableAndCanaryIngressFoundNoOwner`, `...BadOwner`: a canary Ingress another object
/// (or nothing) controls is refused; an owner reference that is not the controller does not count.
#[test]
fn a_canary_ingress_not_controlled_by_the_rollout_is_refused() {
    let other = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollout",
                       "uid": "4b712b69-5de9-11ea-a10a-0a9ba5899dd2", "controller": true, "blockOwnerDeletion": true});
    let mut not_controller = owner();
    not_controller["controller"] = json!(false);
    for owners in [json!(null), json!([other]), json!([not_controller])] {
        for (layout, nginx, pairs) in layouts() {
            let mut read = stables_and_canaries(&pairs, "15");
            read[1]["metadata"]["ownerReferences"] = owners.clone();
            let (result, writes) = set_weight(&rollout(nginx), &read, 10);
            assert_eq!(
                result.map_err(|e| e.to_string()),
                Err("canary ingress `rollout-stable-ingress-canary` controlled by different object".to_string()),
                "{layout} {owners}"
            );
            assert!(writes.is_empty(), "{layout} {owners}");
        }
    }
}

/// `TestReconcileStableAndCanaryIngressFoundNoChange`: nothing written.
#[test]
fn an_unchanged_canary_is_not_written() {
    for (layout, nginx, pairs) in layouts() {
        let (result, writes) = set_weight(&rollout(nginx), &stables_and_canaries(&pairs, "10"), 10);
        assert_eq!(result, Ok(()), "{layout}");
        assert!(writes.is_empty(), "{layout}: {writes:?}");
    }
}

/// `TestGetCanaryIngressName`: `<rollout>-<stable>-canary`, cut to 253 characters, `-canary` kept.
#[test]
fn canary_ingress_names_are_cut_to_253() {
    assert_eq!(
        canary_ingress_name("myrollout", "stable-ingress"),
        "myrollout-stable-ingress-canary"
    );
    assert_eq!(
        canary_ingress_name("myrollout", "stable-ingress-additional"),
        "myrollout-stable-ingress-additional-canary"
    );
    let long = format!("stable-ingress{}", "a".repeat(260));
    let name = canary_ingress_name("myrollout", &long);
    assert_eq!(name.len(), 253);
    assert_eq!(name, format!("{}-canary", &format!("myrollout-{long}")[..246]));
    assert_eq!(canary_ingress_name("myrollout", ""), "");
}

/// `TestGetRolloutIngressKeysForCanaryWithTrafficRouting...`: each stable Ingress and its canary.
#[test]
fn references_are_the_stable_and_canary_ingresses() {
    let refs = with_router(&rollout(multi()), |r| r.references());
    assert_eq!(
        refs,
        [
            ingress_ref(STABLE),
            ingress_ref(CANARY),
            ingress_ref(ADDITIONAL),
            ingress_ref(ADDITIONAL_CANARY)
        ]
    );
    let refs = crate::traffic::references(&rollout(single()), &crate::traffic::RoutingSettings::default());
    assert_eq!(refs, [ingress_ref(CANARY), ingress_ref(STABLE)]);
}
