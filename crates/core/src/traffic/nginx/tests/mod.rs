//! Builders shared by the NGINX router tests: a Rollout, stable and canary Ingresses as the API server
//! returns them, and runs of one router operation that give back its writes.

mod header;
mod upstream;
mod writes;

use rollouts_api::Rollout;
use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::SetHeaderRoute;
use serde_json::{Value, json};

use crate::traffic::{ObjectRef, Objects, Router, RouterError, RouterInput, RoutingWrite, routers};

pub(super) const NAMESPACE: &str = "default";
pub(super) const ROLLOUT_UID: &str = "7a6a9b4e-5de9-11ea-a10a-0a9ba5899dd2";
pub(super) const STABLE: &str = "stable-ingress";
pub(super) const ADDITIONAL: &str = "additional-stable-ingress";
pub(super) const CANARY: &str = "rollout-stable-ingress-canary";
pub(super) const ADDITIONAL_CANARY: &str = "rollout-additional-stable-ingress-canary";
pub(super) const PREFIX: &str = "nginx.ingress.kubernetes.io";

/// `trafficRouting.nginx` with one stable Ingress.
pub(super) fn single() -> Value {
    json!({"stableIngress": STABLE})
}

/// `trafficRouting.nginx` with two stable Ingresses.
pub(super) fn multi() -> Value {
    json!({"stableIngresses": [STABLE, ADDITIONAL]})
}

/// A layout: its name, its `trafficRouting.nginx`, and each stable Ingress with its canary Ingress.
pub(super) type Layout = (&'static str, Value, Vec<(&'static str, &'static str)>);

/// Both layouts: one stable Ingress, and two.
pub(super) fn layouts() -> [Layout; 2] {
    [
        ("single", single(), vec![(STABLE, CANARY)]),
        (
            "multi",
            multi(),
            vec![(STABLE, CANARY), (ADDITIONAL, ADDITIONAL_CANARY)],
        ),
    ]
}

/// The Rollout `rollout` whose `trafficRouting` is `{"nginx": nginx}` merged with `routing`.
pub(super) fn rollout_with(nginx: Value, routing: Value) -> Rollout {
    let mut traffic = json!({"nginx": nginx});
    if let (Some(t), Some(extra)) = (traffic.as_object_mut(), routing.as_object()) {
        t.extend(extra.clone());
    }
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": NAMESPACE, "uid": ROLLOUT_UID},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "web:1"}]}},
            "strategy": {"canary": {
                "stableService": "stable-service",
                "canaryService": "canary-service",
                "trafficRouting": traffic,
            }},
        },
    }))
    .expect("a valid Rollout")
}

/// The Rollout with `trafficRouting.nginx` set to `nginx`.
pub(super) fn rollout(nginx: Value) -> Rollout {
    rollout_with(nginx, json!({}))
}

/// An Ingress reference in the test namespace.
pub(super) fn ingress_ref(name: &str) -> ObjectRef {
    ObjectRef::new("networking.k8s.io/v1", "Ingress", NAMESPACE, name)
}

/// A stable Ingress as the API server returns it (upstream's `networkingIngress`): one rule for
/// `fakehost.example.com` sending `/foo` to `service`, a default backend, a class, a foreign annotation
/// and labels.
pub(super) fn stable_ingress(name: &str, service: &str) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name, "namespace": NAMESPACE, "resourceVersion": "100", "uid": format!("uid-{name}"),
            "annotations": {"annotation-key1": "annotation-value1"},
            "labels": {"label-key1": "label-value1", "label-key2": "label-value2"},
        },
        "spec": {
            "ingressClassName": "nginx-ext",
            "defaultBackend": {"service": {"name": service, "port": {"name": "http", "number": 80}}},
            "rules": [{
                "host": "fakehost.example.com",
                "http": {"paths": [{
                    "path": "/foo", "pathType": "Prefix",
                    "backend": {"service": {"name": service, "port": {"name": "http", "number": 80}}},
                }]},
            }],
        },
        "status": {"loadBalancer": {}},
    })
}

/// The Rollout's controller owner reference.
pub(super) fn owner() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollout",
           "uid": ROLLOUT_UID, "controller": true, "blockOwnerDeletion": true})
}

/// The canary Ingress the router creates for [`stable_ingress`] at `weight`, exactly.
pub(super) fn desired_canary(name: &str, weight: &str) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name, "namespace": NAMESPACE,
            "annotations": {
                "nginx.ingress.kubernetes.io/canary": "true",
                "nginx.ingress.kubernetes.io/canary-weight": weight,
            },
            "ownerReferences": [owner()],
        },
        "spec": {
            "ingressClassName": "nginx-ext",
            "rules": [{
                "host": "fakehost.example.com",
                "http": {"paths": [{
                    "path": "/foo", "pathType": "Prefix",
                    "backend": {"service": {"name": "canary-service", "port": {"name": "http", "number": 80}}},
                }]},
            }],
        },
    })
}

/// That canary Ingress as the API server holds it after creating it.
pub(super) fn existing_canary(name: &str, weight: &str) -> Value {
    let mut canary = desired_canary(name, weight);
    canary["metadata"]["resourceVersion"] = json!("200");
    canary["metadata"]["uid"] = json!(format!("uid-{name}"));
    canary["status"] = json!({"loadBalancer": {}});
    canary
}

/// The Rollout's one router, which must be the NGINX router.
pub(super) fn with_router<T>(rollout: &Rollout, f: impl FnOnce(&dyn Router) -> T) -> T {
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    let routers = routers(input);
    assert_eq!(routers.len(), 1, "one router for trafficRouting.nginx");
    assert_eq!(routers[0].kind(), "Nginx");
    f(routers[0].as_ref())
}

/// What one operation did: its result and the writes it recorded.
pub(super) type Outcome = (Result<(), RouterError>, Vec<RoutingWrite>);

/// Runs `op` over the objects `read`.
pub(super) fn run(
    rollout: &Rollout,
    read: &[Value],
    op: impl FnOnce(&dyn Router, &mut Objects) -> Result<(), RouterError>,
) -> Outcome {
    let mut objects = Objects::new(read);
    let result = with_router(rollout, |router| op(router, &mut objects));
    (result, objects.take_writes())
}

/// `set_weight(weight)` over `read`.
pub(super) fn set_weight(rollout: &Rollout, read: &[Value], weight: i32) -> Outcome {
    run(rollout, read, |r, o| r.set_weight(o, weight, &[]))
}

/// `set_weight` with extra destinations.
pub(super) fn set_weight_with(rollout: &Rollout, read: &[Value], weight: i32, extra: &[WeightDestination]) -> Outcome {
    run(rollout, read, |r, o| r.set_weight(o, weight, extra))
}

/// `set_header_route(route)` over `read`.
pub(super) fn set_header_route(rollout: &Rollout, read: &[Value], route: Value) -> Outcome {
    let route: SetHeaderRoute = serde_json::from_value(route).expect("a valid setHeaderRoute");
    run(rollout, read, |r, o| r.set_header_route(o, &route))
}

/// A merge patch write.
pub(super) fn patch(name: &str, patch: Value) -> RoutingWrite {
    RoutingWrite::MergePatch {
        target: ingress_ref(name),
        patch,
    }
}

/// The merge patch that sets annotations.
pub(super) fn annotations_patch(name: &str, annotations: Value) -> RoutingWrite {
    patch(name, json!({"metadata": {"annotations": annotations}}))
}

/// `<prefix>/<name>`.
pub(super) fn key(name: &str) -> String {
    format!("{PREFIX}/{name}")
}
