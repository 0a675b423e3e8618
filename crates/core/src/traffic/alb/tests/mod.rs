//! Builders shared by the ALB router tests, after upstream's `alb_test.go`: a Rollout `rollout` with
//! `trafficRouting.alb`, Ingresses carrying a forward action at some weight, and runs of one router
//! operation that give back the Ingresses' writes.

mod header_routes;
mod release;
mod set_weight;
mod validation;

use rollouts_api::Rollout;
use serde_json::{Value, json};

use super::Alb;
use crate::traffic::{ObjectRef, Objects, RouterInput, RoutingWrite};

pub(super) const NAMESPACE: &str = "default";
pub(super) const STABLE_SVC: &str = "stable-svc";
pub(super) const CANARY_SVC: &str = "canary-svc";
pub(super) const MANAGED: &str = "rollouts.argoproj.io/managed-alb-annotations";

/// `alb.ingress.kubernetes.io/actions.<service>`.
pub(super) fn action_key(service: &str) -> String {
    format!("alb.ingress.kubernetes.io/actions.{service}")
}

/// Upstream's `actionTemplate`, compact as Go marshals it.
pub(super) fn action(canary: &str, stable: &str, port: i32, weight: i64) -> String {
    format!(
        r#"{{"Type":"forward","ForwardConfig":{{"TargetGroups":[{{"ServiceName":"{canary}","ServicePort":"{port}","Weight":{weight}}},{{"ServiceName":"{stable}","ServicePort":"{port}","Weight":{}}}]}}}}"#,
        100 - weight
    )
}

/// Upstream's `actionTemplateWithStickyConfig` (300 s), compact.
pub(super) fn sticky_action(canary: &str, stable: &str, port: i32, weight: i64) -> String {
    let plain = action(canary, stable, port, weight);
    let open = plain.trim_end_matches("}}");
    format!(r#"{open},"TargetGroupStickinessConfig":{{"Enabled":true,"DurationSeconds":300}}}}}}"#)
}

/// Upstream's `fakeRollout`: stable and canary Services (empty for none), ping-pong, and the ALB
/// configuration `alb` (`ingress` or `ingresses`, `servicePort`...).
pub(super) fn rollout(stable: &str, canary: &str, ping_pong: Option<(&str, &str)>, alb: Value) -> Rollout {
    let mut strategy = json!({"trafficRouting": {"alb": alb}});
    if !stable.is_empty() {
        strategy["stableService"] = json!(stable);
    }
    if !canary.is_empty() {
        strategy["canaryService"] = json!(canary);
    }
    if let Some((ping, pong)) = ping_pong {
        strategy["pingPong"] = json!({"pingService": ping, "pongService": pong});
    }
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": NAMESPACE},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "web:1"}]}},
            "strategy": {"canary": strategy},
        },
    }))
    .expect("a valid Rollout")
}

/// `{"ingress": "ingress", "servicePort": 443}`.
pub(super) fn single() -> Value {
    json!({"ingress": "ingress", "servicePort": 443})
}

/// `{"ingresses": ["ingress", "multi-ingress"], "servicePort": 443}`.
pub(super) fn multi() -> Value {
    json!({"ingresses": ["ingress", "multi-ingress"], "servicePort": 443})
}

/// Upstream's `ingress` helper: the forward action of `action_service` at `weight` (sticky or not),
/// managed by `rollout`, and one rule whose path sends to `action_service` with `use-annotation`.
pub(super) fn ingress(name: &str, action_service: &str, weight: i64, sticky: bool) -> Value {
    let value = if sticky {
        sticky_action(CANARY_SVC, STABLE_SVC, 443, weight)
    } else {
        action(CANARY_SVC, STABLE_SVC, 443, weight)
    };
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "resourceVersion": "1",
            "annotations": {
                action_key(action_service): value,
                MANAGED: format!(r#"{{"rollout":["{}"]}}"#, action_key(action_service)),
            },
        },
        "spec": {"rules": [path_rule(action_service)]},
    })
}

/// A rule with one path sending to `service` through `use-annotation`.
pub(super) fn path_rule(service: &str) -> Value {
    json!({"http": {"paths": [
        {"backend": {"service": {"name": service, "port": {"name": "use-annotation"}}}}
    ]}})
}

/// An Ingress reference in the test namespace.
pub(super) fn ingress_ref(name: &str) -> ObjectRef {
    ObjectRef::new("networking.k8s.io/v1", "Ingress", NAMESPACE, name)
}

/// Runs `op` on the router of `rollout` over `ingresses`; the objects after it.
pub(super) fn run<T>(
    rollout: &Rollout,
    ingresses: &[Value],
    op: impl FnOnce(&Alb<'_>, &mut Objects) -> T,
) -> (T, Objects) {
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    let config = input.routing().and_then(|r| r.alb.as_ref()).expect("an ALB Rollout");
    let router = Alb::new(input, config);
    let mut objects = Objects::new(ingresses);
    let out = op(&router, &mut objects);
    (out, objects)
}

/// The merge patches written, by Ingress name.
pub(super) fn patches(objects: &Objects) -> Vec<(String, Value)> {
    objects
        .writes()
        .iter()
        .map(|w| match w {
            RoutingWrite::MergePatch { target, patch } => (target.name.clone(), patch.clone()),
            other => panic!("only merge patches are written, not {other:?}"),
        })
        .collect()
}

/// An annotation of the Ingress `name` as the writes leave it.
pub(super) fn annotation(objects: &Objects, name: &str, key: &str) -> Option<String> {
    objects.get(&ingress_ref(name))?["metadata"]["annotations"][key]
        .as_str()
        .map(str::to_string)
}
