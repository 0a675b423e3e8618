//! The event a router records when the API refuses one of its writes. Upstream's Traefik, Ambassador,
//! APISIX and SMI routers tell the user on the Rollout (`kubectl describe rollout`) that a write of
//! theirs failed, each with its own reason; the other routers only return the error, which the
//! controller logs. The writes are carried out after planning, so the event is chosen from the write
//! and the API's message once it has failed.

use rollouts_api::gofmt::go_quote;
use serde_json::Value;

use super::{RoutingEvent, RoutingWrite};

/// Kinds of Ambassador's canary Mappings (`getambassador.io` and `x.getambassador.io`).
const MAPPING_KINDS: [&str; 2] = ["Mapping", "AmbassadorMapping"];

/// Upstream's event for `write` having failed with the API's `error` message; `None` where upstream
/// records none.
pub fn failure_event(write: &RoutingWrite, error: &str) -> Option<RoutingEvent> {
    let target = write.target();
    let name = go_quote(&target.name);
    let warning = |reason: &str, message: String| {
        Some(RoutingEvent {
            reason: reason.to_string(),
            message,
            warning: true,
        })
    };
    let kind = target.kind.as_str();
    match write {
        RoutingWrite::Update(_) | RoutingWrite::MergePatch { .. } if kind == "TraefikService" => warning(
            "TraefikServiceUpdateError",
            format!("Error updating traefik service {name}: {error}"),
        ),
        RoutingWrite::Create(_) if MAPPING_KINDS.contains(&kind) => warning(
            "CanaryMappingCreationError",
            format!("Error creating canary mapping: {error}"),
        ),
        RoutingWrite::Update(_) | RoutingWrite::MergePatch { .. } if MAPPING_KINDS.contains(&kind) => warning(
            "CanaryMappingUpdateError",
            format!("Error updating canary mapping {name}: {error}"),
        ),
        RoutingWrite::Delete(_) | RoutingWrite::DeleteAfter { .. } if MAPPING_KINDS.contains(&kind) => warning(
            "CanaryMappingCleanupError",
            format!("Error deleting canary mapping {name}: {error}"),
        ),
        // Upstream words the weights' route and a header route's copy differently; the copy is the
        // one the Rollout owns.
        RoutingWrite::Update(object) if kind == "ApisixRoute" && owned_by_rollout(object) => warning(
            "ApisixRouteUpdateError",
            format!("Error update apisix route {name}: {error}"),
        ),
        RoutingWrite::Update(_) | RoutingWrite::MergePatch { .. } if kind == "ApisixRoute" => warning(
            "ApisixRouteUpdateError",
            format!("Error updating apisix route {name}: {error}"),
        ),
        RoutingWrite::Create(_) if kind == "ApisixRoute" => warning(
            "ApisixRouteCreateError",
            format!("Error create apisix route {name}: {error}"),
        ),
        RoutingWrite::Delete(_) | RoutingWrite::DeleteAfter { .. } if kind == "ApisixRoute" => warning(
            "ApisixRouteDeleteError",
            format!("Error deleting apisix route {name}: {error}"),
        ),
        // A Normal event upstream, though it reports a failure.
        RoutingWrite::Create(_) if kind == "TrafficSplit" => Some(RoutingEvent {
            reason: "TrafficSplitNotCreated".to_string(),
            message: format!("TrafficSplit `{}` failed creation: {error}", target.name),
            warning: false,
        }),
        _ => None,
    }
}

fn owned_by_rollout(object: &Value) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|owners| owners.iter().any(|o| o["kind"] == "Rollout"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::traffic::ObjectRef;

    fn object(api_version: &str, kind: &str, name: &str) -> Value {
        json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "default"}})
    }

    fn target(api_version: &str, kind: &str, name: &str) -> ObjectRef {
        ObjectRef::of(&object(api_version, kind, name))
    }

    fn event(write: &RoutingWrite) -> Option<(String, String, bool)> {
        failure_event(write, "boom").map(|e| (e.reason, e.message, e.warning))
    }

    fn warning(reason: &str, message: &str) -> Option<(String, String, bool)> {
        Some((reason.to_string(), message.to_string(), true))
    }

    #[test]
    fn each_router_names_its_failed_write_as_upstream_does() {
        let traefik = object("traefik.io/v1alpha1", "TraefikService", "web");
        let mapping = object("getambassador.io/v2", "Mapping", "web-canary");
        let mut header_route = object("apisix.apache.org/v2", "ApisixRoute", "set-header");
        header_route["metadata"]["ownerReferences"] = json!([{"kind": "Rollout", "name": "web"}]);
        let route = object("apisix.apache.org/v2", "ApisixRoute", "web-route");
        let cases = [
            (
                RoutingWrite::Update(traefik),
                warning(
                    "TraefikServiceUpdateError",
                    "Error updating traefik service \"web\": boom",
                ),
            ),
            (
                RoutingWrite::Create(mapping.clone()),
                warning("CanaryMappingCreationError", "Error creating canary mapping: boom"),
            ),
            (
                RoutingWrite::Update(mapping),
                warning(
                    "CanaryMappingUpdateError",
                    "Error updating canary mapping \"web-canary\": boom",
                ),
            ),
            (
                RoutingWrite::DeleteAfter {
                    target: target("x.getambassador.io/v3alpha1", "AmbassadorMapping", "web-canary"),
                    uid: None,
                    delay: Duration::from_secs(5),
                },
                warning(
                    "CanaryMappingCleanupError",
                    "Error deleting canary mapping \"web-canary\": boom",
                ),
            ),
            (
                RoutingWrite::Update(route),
                warning(
                    "ApisixRouteUpdateError",
                    "Error updating apisix route \"web-route\": boom",
                ),
            ),
            (
                RoutingWrite::Update(header_route.clone()),
                warning(
                    "ApisixRouteUpdateError",
                    "Error update apisix route \"set-header\": boom",
                ),
            ),
            (
                RoutingWrite::Create(header_route),
                warning(
                    "ApisixRouteCreateError",
                    "Error create apisix route \"set-header\": boom",
                ),
            ),
            (
                RoutingWrite::Delete(target("apisix.apache.org/v2", "ApisixRoute", "set-header")),
                warning(
                    "ApisixRouteDeleteError",
                    "Error deleting apisix route \"set-header\": boom",
                ),
            ),
            (
                RoutingWrite::Create(object("split.smi-spec.io/v1alpha1", "TrafficSplit", "web")),
                Some((
                    "TrafficSplitNotCreated".to_string(),
                    "TrafficSplit `web` failed creation: boom".to_string(),
                    false,
                )),
            ),
        ];
        for (write, expected) in cases {
            assert_eq!(event(&write), expected, "{write:?}");
        }
    }

    #[test]
    fn routers_upstream_records_nothing_for_stay_silent() {
        let silent = [
            RoutingWrite::Update(object("networking.istio.io/v1alpha3", "VirtualService", "web")),
            RoutingWrite::Create(object("networking.k8s.io/v1", "Ingress", "web-canary")),
            RoutingWrite::MergePatch {
                target: target("split.smi-spec.io/v1alpha1", "TrafficSplit", "web"),
                patch: json!({}),
            },
            RoutingWrite::Delete(target("appmesh.k8s.aws/v1beta2", "VirtualNode", "web")),
        ];
        for write in silent {
            assert_eq!(event(&write), None, "{write:?}");
        }
    }
}
