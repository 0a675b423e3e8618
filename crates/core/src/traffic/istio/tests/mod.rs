//! Golden cases of the Istio router, ported from upstream's `istio_test.go`: the VirtualServices and
//! DestinationRules of upstream's fixtures, the router's calls, and the exact writes that follow.

mod destination_rule;
mod header_route;
mod managed_routes;
mod mirror_route;
mod selection;
mod validation;
mod weights;

use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::Rollout;
use rollouts_api::rollout_status::WeightDestination;
use serde_json::{Value, json};

use crate::traffic::{ObjectRef, Objects, Router, RouterError, RouterInput, RoutingWrite, routers};

pub const API_VERSION: &str = "networking.istio.io/v1alpha3";

/// A Rollout named `rollout` in `default` with this canary strategy.
pub fn rollout(canary: Value) -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": "default"},
        "spec": {"strategy": {"canary": canary}}
    }))
    .unwrap()
}

/// Upstream's `rollout(stable, canary, vs)`: host split over the `stable` and `canary` Services.
pub fn host_rollout(virtual_service: Value) -> Rollout {
    rollout(json!({
        "stableService": "stable",
        "canaryService": "canary",
        "trafficRouting": {"istio": {"virtualService": virtual_service}}
    }))
}

/// Upstream's `rolloutWithDestinationRule`: subset split, no Services.
pub fn subset_rollout(virtual_service: Value, additional_subsets: Option<Vec<&str>>) -> Rollout {
    let mut rule = json!({"name": "istio-destrule", "canarySubsetName": "canary", "stableSubsetName": "stable"});
    if let Some(names) = additional_subsets {
        rule["additionalSubsetNames"] = json!(names);
    }
    rollout(json!({
        "trafficRouting": {"istio": {"virtualService": virtual_service, "destinationRule": rule}}
    }))
}

/// Sets `trafficRouting.managedRoutes`.
pub fn with_managed_routes(mut rollout: Rollout, names: &[&str]) -> Rollout {
    let routing = rollout
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
        .unwrap();
    routing.managed_routes =
        Some(serde_json::from_value(json!(names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>())).unwrap());
    rollout
}

/// A VirtualService in `default`, read at resourceVersion 1, with upstream's gateway and host.
pub fn virtual_service(name: &str, spec: Value) -> Value {
    let mut spec = spec;
    spec["gateways"] = json!(["istio-rollout-gateway"]);
    spec["hosts"] = json!(["istio-rollout.dev.argoproj.io"]);
    json!({
        "apiVersion": API_VERSION,
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": "default", "resourceVersion": "1"},
        "spec": spec
    })
}

/// Two destinations: everything to `stable`, nothing to `canary`.
pub fn split(stable: &str, canary: &str) -> Value {
    json!([{"destination": {"host": stable}, "weight": 100}, {"destination": {"host": canary}, "weight": 0}])
}

/// A named http route over `stable`/`canary`.
pub fn http(name: &str) -> Value {
    json!({"name": name, "route": split("stable", "canary")})
}

/// An unnamed http route over `stable`/`canary`.
pub fn unnamed_http() -> Value {
    json!({"route": split("stable", "canary")})
}

/// A tls or tcp route matching one port, over `stable`/`canary`.
pub fn port_route(port: i64) -> Value {
    json!({"match": [{"port": port}], "route": split("stable", "canary")})
}

/// Upstream's `regularVsvc`.
pub fn regular_vsvc() -> Value {
    virtual_service("vsvc", json!({"http": [http("primary"), http("secondary")]}))
}

/// Upstream's `singleRouteVsvc`.
pub fn single_route_vsvc() -> Value {
    virtual_service("vsvc", json!({"http": [unnamed_http()]}))
}

/// Upstream's `regularMixedVsvc`: two routes of each kind.
pub fn regular_mixed_vsvc() -> Value {
    virtual_service(
        "vsvc",
        json!({
            "http": [http("primary"), http("secondary")],
            "tls": [port_route(3000), port_route(3001)],
            "tcp": [port_route(3000), port_route(3001)],
        }),
    )
}

/// Upstream's `singleRouteSubsetVsvc`.
pub fn single_route_subset_vsvc(stable: &str, canary: &str) -> Value {
    virtual_service(
        "vsvc",
        json!({"http": [{"route": [
            {"destination": {"host": "rollout-service", "subset": stable}, "weight": 100},
            {"destination": {"host": "rollout-service", "subset": canary}, "weight": 0}
        ]}]}),
    )
}

/// Upstream's `regularVsvcWithExtra`: routes with retries, a CORS policy and ports.
pub fn regular_vsvc_with_extra() -> Value {
    let route = json!([
        {"destination": {"host": "stable", "port": {"number": 8443}}, "weight": 100},
        {"destination": {"host": "canary", "port": {"number": 8443}}, "weight": 0}
    ]);
    let retries =
        json!({"attempts": 3, "perTryTimeout": "10s", "retryOn": "gateway-error,connect-failure,refused-stream"});
    virtual_service(
        "vsvc",
        json!({"http": [
            {"name": "primary", "retries": retries, "route": route},
            {"name": "secondary", "retries": retries, "route": route, "corsPolicy": {
                "allowOrigins": [{"exact": "https://example.com"}],
                "allowMethods": ["POST", "GET"],
                "allowCredentials": false,
                "allowHeaders": ["X-Foo-Bar"],
                "maxAge": "24h"
            }}
        ]}),
    )
}

/// A DestinationRule `istio-destrule` in `default` with these subsets.
pub fn destination_rule(spec: Value) -> Value {
    json!({
        "apiVersion": API_VERSION,
        "kind": "DestinationRule",
        "metadata": {"name": "istio-destrule", "namespace": "default", "resourceVersion": "1"},
        "spec": spec
    })
}

/// An experiment destination.
pub fn experiment(service: &str, hash: &str, weight: i32) -> WeightDestination {
    WeightDestination {
        pod_template_hash: (!hash.is_empty()).then(|| hash.to_string()),
        service_name: Some(service.to_string()),
        weight,
    }
}

/// A Rollout, its ReplicaSets and the routing objects, driven through the registered router.
pub struct Case {
    pub rollout: Rollout,
    pub replica_sets: Vec<ReplicaSet>,
    pub objects: Objects,
}

impl Case {
    pub fn new(rollout: Rollout, objects: &[Value]) -> Self {
        Self {
            rollout,
            replica_sets: Vec::new(),
            objects: Objects::new(objects),
        }
    }

    /// Runs one router operation; its writes stay recorded.
    pub fn call(
        &mut self,
        op: impl FnOnce(&dyn Router, &mut Objects) -> Result<(), RouterError>,
    ) -> Result<(), RouterError> {
        let input = RouterInput {
            rollout: &self.rollout,
            replica_sets: &self.replica_sets,
        };
        let mut all = routers(input);
        assert_eq!(all.len(), 1, "exactly the Istio router is configured");
        let router = all.remove(0);
        assert_eq!(router.kind(), "Istio");
        op(router.as_ref(), &mut self.objects)
    }

    /// The writes since the last look: every one a whole-object update, read at resourceVersion 1.
    pub fn updates(&mut self) -> Vec<Value> {
        self.objects
            .take_writes()
            .into_iter()
            .map(|write| match write {
                RoutingWrite::Update(body) => {
                    assert_eq!(body["metadata"]["resourceVersion"], "1", "updates carry what they read");
                    body
                }
                other => panic!("expected an update, got {other:?}"),
            })
            .collect()
    }

    pub fn set_weight(&mut self, weight: i32, extra: &[WeightDestination]) -> Vec<Value> {
        self.call(|r, o| r.set_weight(o, weight, extra)).unwrap();
        self.updates()
    }

    pub fn set_weight_err(&mut self, weight: i32) -> String {
        self.call(|r, o| r.set_weight(o, weight, &[])).unwrap_err().0
    }

    /// A VirtualService in `default` as the writes leave it.
    pub fn vs(&self, name: &str) -> Value {
        self.object("VirtualService", name)
    }

    pub fn object(&self, kind: &str, name: &str) -> Value {
        self.objects
            .get(&ObjectRef::new(API_VERSION, kind, "default", name))
            .cloned()
            .unwrap_or_else(|| panic!("{kind} {name} is held"))
    }
}

/// The routes of one kind, one line each: the route's name (or its first match port), then every
/// destination as `host[/subset]=weight` (`-` for no weight).
pub fn weights(vs: &Value, kind: &str) -> Vec<String> {
    vs["spec"][kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|route| {
            let label = match (&route["name"], &route["match"][0]["port"]) {
                (Value::String(name), _) => name.clone(),
                (_, Value::Number(port)) => port.to_string(),
                _ => "-".to_string(),
            };
            let destinations: Vec<String> = route["route"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let mut host = d["destination"]["host"].as_str().unwrap_or_default().to_string();
                    if let Some(subset) = d["destination"]["subset"].as_str() {
                        host = format!("{host}/{subset}");
                    }
                    let weight = d.get("weight").map_or("-".to_string(), Value::to_string);
                    format!("{host}={weight}")
                })
                .collect();
            format!("{label}: {}", destinations.join(" "))
        })
        .collect()
}

/// The names of the http routes, in order (`-` for an unnamed one).
pub fn route_names(vs: &Value) -> Vec<String> {
    vs["spec"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap_or("-").to_string())
        .collect()
}

#[test]
fn references_name_every_virtual_service_and_the_destination_rule() {
    let ro = rollout(json!({
        "trafficRouting": {"istio": {
            "virtualServices": [{"name": "vsvc1"}, {"name": "vsvc2.other"}, {"name": "vsvc3.third.cluster.local"}],
            "destinationRule": {"name": "rule", "canarySubsetName": "canary", "stableSubsetName": "stable"}
        }}
    }));
    let refs = crate::traffic::references(&ro, &crate::traffic::RoutingSettings::default());
    let expected = vec![
        ObjectRef::new(API_VERSION, "DestinationRule", "default", "rule"),
        ObjectRef::new(API_VERSION, "VirtualService", "default", "vsvc1"),
        ObjectRef::new(API_VERSION, "VirtualService", "other", "vsvc2"),
        ObjectRef::new(API_VERSION, "VirtualService", "third", "vsvc3"),
    ];
    assert_eq!(refs, expected);
}

#[test]
fn the_api_version_is_a_parameter() {
    let ro = host_rollout(json!({"name": "vsvc"}));
    let input = RouterInput {
        rollout: &ro,
        replica_sets: &[],
    };
    let istio = input.routing().and_then(|r| r.istio.as_ref()).unwrap();
    let router = super::IstioRouter::new(input, istio, "v1beta1");
    assert_eq!(
        router.references(),
        vec![ObjectRef::new(
            "networking.istio.io/v1beta1",
            "VirtualService",
            "default",
            "vsvc"
        )]
    );
}

#[test]
fn no_istio_no_router() {
    let ro = rollout(json!({"stableService": "stable", "canaryService": "canary"}));
    assert!(crate::traffic::references(&ro, &crate::traffic::RoutingSettings::default()).is_empty());
}
