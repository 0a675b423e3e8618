//! Properties of the canary traffic reconcile over random Rollouts behind one or two routers (SMI,
//! NGINX, Istio host split or DestinationRule subsets, Traefik, Ambassador, AWS ALB, Apache APISIX,
//! AWS App Mesh; `maxTrafficWeight` with NGINX) with random steps (`setWeight`, pauses,
//! `setCanaryScale` in its three forms), `dynamicStableScale` or not, and random operator actions
//! (template change, promote, a bare clearing of the pause, promote --full, abort, retry, scaling,
//! pods becoming available or the canary's crashing, time passing). Every write of every reconcile
//! is checked as it is applied:
//!
//! - (a) each routing object's weights are in [0, its total] and add up to it, and so do
//!   `status.canary.weights`. The total is `maxTrafficWeight`, but 100 (percentages) for Istio and
//!   Ambassador, for App Mesh above 100 and for ALB above 999 (the largest weights they take);
//! - (b) a plan never records a canary weight > 0 for a ReplicaSet without available pods;
//! - (c) an aborted canary is never scaled below the pods for the weight still routed to it (without
//!   `dynamicStableScale` the weight 0 comes first), nor is the stable;
//! - (d) no write sends more weight to Services (or DestinationRule subsets, or VirtualNodes) that
//!   select no available pod; when pods stop serving on their own, the reconciles that follow move
//!   their weight away;
//! - (e) planning is deterministic, no write leaves the world as it was, and the reconciles come to
//!   rest.
//!
//! `PROPTEST_CASES` runs more cases than the default 32.

use k8s_openapi::api::apps::v1::ReplicaSet;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::world::{World, describe, service};
use crate::canary::approximate::weight_to_replicas;
use crate::plan::Action;

const CANARY: &str = "props-canary";
const STABLE: &str = "props-stable";
const INGRESS: &str = "props-ingress";
const CANARY_INGRESS: &str = "props-props-ingress-canary";
const VIRTUAL_SERVICE: &str = "props-vsvc";
const HASH: &str = "rollouts-pod-template-hash";
const DESTINATION_RULE: &str = "props-destrule";
/// The Service in front of all pods that the DestinationRule's subsets divide.
const ROOT: &str = "props-root";
/// A destination that is a DestinationRule subset rather than a Service.
const SUBSET: &str = "subset/";
const TRAEFIK_SERVICE: &str = "props-traefik";
const MAPPING: &str = "props-mapping";
const CANARY_MAPPING: &str = "props-mapping-canary";
/// The Ingress the ALB router weights, through the action annotation of the stable Service.
const ALB_INGRESS: &str = "props-alb-ingress";
const ALB_ACTION: &str = "alb.ingress.kubernetes.io/actions.props-stable";
/// The largest target-group weight AWS accepts in a forward action.
const ALB_MAX_WEIGHT: i32 = 999;
const APISIX_ROUTE: &str = "props-apisix";
const MESH_SERVICE: &str = "props-mesh";
const MESH_ROUTER: &str = "props-mesh-router";
const CANARY_NODE: &str = "props-node-canary";
const STABLE_NODE: &str = "props-node-stable";
/// The largest weighted-target weight App Mesh accepts.
const MESH_MAX_WEIGHT: i32 = 100;
/// A destination that is an App Mesh VirtualNode, served by the pods its `podSelector` selects.
const NODE: &str = "node/";

/// Which routers the Rollout configures: one, or two side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Routers(u16);

impl Routers {
    const SMI: u16 = 1;
    const NGINX: u16 = 1 << 1;
    const ISTIO: u16 = 1 << 2;
    /// Istio splitting between the subsets of a DestinationRule.
    const ISTIO_SUBSET: u16 = 1 << 3;
    const TRAEFIK: u16 = 1 << 4;
    const AMBASSADOR: u16 = 1 << 5;
    const ALB: u16 = 1 << 6;
    const APISIX: u16 = 1 << 7;
    const APPMESH: u16 = 1 << 8;
    /// Every router the properties drive; any one of them, or any two of them, make a Rollout.
    const ALL: [u16; 9] = [
        Self::SMI,
        Self::NGINX,
        Self::ISTIO,
        Self::ISTIO_SUBSET,
        Self::TRAEFIK,
        Self::AMBASSADOR,
        Self::ALB,
        Self::APISIX,
        Self::APPMESH,
    ];

    fn of(bits: &[u16]) -> Self {
        Self(bits.iter().fold(0, |all, bit| all | bit))
    }

    fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    fn nginx(self) -> bool {
        self.has(Self::NGINX)
    }

    fn smi(self) -> bool {
        self.has(Self::SMI)
    }

    fn istio(self) -> bool {
        self.has(Self::ISTIO) || self.istio_subset()
    }

    fn istio_subset(self) -> bool {
        self.has(Self::ISTIO_SUBSET)
    }

    fn traefik(self) -> bool {
        self.has(Self::TRAEFIK)
    }

    fn ambassador(self) -> bool {
        self.has(Self::AMBASSADOR)
    }

    fn alb(self) -> bool {
        self.has(Self::ALB)
    }

    fn apisix(self) -> bool {
        self.has(Self::APISIX)
    }

    fn appmesh(self) -> bool {
        self.has(Self::APPMESH)
    }
}

/// A step, weights in percent of `maxTrafficWeight`.
#[derive(Debug, Clone)]
enum StepSpec {
    SetWeight(u8),
    Pause,
    PauseFor(u8),
    ScaleReplicas(u8),
    ScaleWeight(u8),
    MatchTrafficWeight,
}

#[derive(Debug, Clone)]
struct Config {
    routers: Routers,
    /// `maxTrafficWeight` (only with NGINX, as validation wants).
    max_weight: Option<i32>,
    replicas: i32,
    dynamic: bool,
    abort_delay: Option<u8>,
    steps: Vec<StepSpec>,
}

impl Config {
    fn max(&self) -> i32 {
        self.max_weight.unwrap_or(100)
    }

    /// What a router whose weights go up to `limit` splits: `maxTrafficWeight` when it fits, else
    /// 100 (percentages).
    fn within(&self, limit: i32) -> i64 {
        i64::from(if self.max() <= limit { self.max() } else { 100 })
    }
}

fn step() -> impl Strategy<Value = StepSpec> {
    prop_oneof![
        3 => (0u8..=20).prop_map(|p| StepSpec::SetWeight(p * 5)),
        2 => Just(StepSpec::Pause),
        1 => (1u8..30).prop_map(StepSpec::PauseFor),
        1 => (1u8..6).prop_map(StepSpec::ScaleReplicas),
        1 => (1u8..=20).prop_map(|p| StepSpec::ScaleWeight(p * 5)),
        1 => Just(StepSpec::MatchTrafficWeight),
    ]
}

fn config() -> impl Strategy<Value = Config> {
    // Istio on hosts and Istio on subsets are two ways to configure one router, not two routers.
    let routers = prop::sample::subsequence(Routers::ALL.to_vec(), 1..=2)
        .prop_filter("one Istio configuration", |bits| {
            !(bits.contains(&Routers::ISTIO) && bits.contains(&Routers::ISTIO_SUBSET))
        })
        .prop_map(|bits| Routers::of(&bits));
    (
        routers,
        prop_oneof![Just(None), Just(Some(200)), Just(Some(1000))],
        1i32..7,
        any::<bool>(),
        prop::option::of(0u8..40),
        prop::collection::vec(step(), 1..7),
    )
        .prop_map(|(routers, max_weight, replicas, dynamic, abort_delay, steps)| Config {
            routers,
            max_weight: max_weight.filter(|_| routers.nginx()),
            replicas,
            dynamic,
            abort_delay,
            steps,
        })
}

#[derive(Debug, Clone)]
enum Op {
    Reconcile,
    /// `n` more pods of the ReplicaSet at this index (modulo their number) become available.
    Ready(u8, u8),
    Settle,
    /// The new ReplicaSet's pods stop being available (a crashing version).
    CanaryCrash,
    SetImage(u8),
    /// `kubectl argo rollouts promote`.
    Promote,
    /// A status patch clearing the pause and the controller's pause flag: the controller pauses
    /// again at a pause step it has not completed.
    ClearPause,
    PromoteFull,
    Abort,
    Retry,
    Advance(u8),
    Scale(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => Just(Op::Reconcile),
        2 => (0u8..4, 1u8..4).prop_map(|(i, n)| Op::Ready(i, n)),
        2 => Just(Op::Settle),
        1 => Just(Op::CanaryCrash),
        1 => (0u8..4).prop_map(Op::SetImage),
        1 => Just(Op::Promote),
        1 => Just(Op::ClearPause),
        1 => Just(Op::PromoteFull),
        1 => Just(Op::Abort),
        1 => Just(Op::Retry),
        1 => (1u8..40).prop_map(Op::Advance),
        1 => (1u8..7).prop_map(Op::Scale),
    ]
}

fn steps_json(config: &Config) -> Value {
    let max = config.max();
    let weight = |p: u8| i32::from(p) * max / 100;
    Value::Array(
        config
            .steps
            .iter()
            .map(|s| match s {
                StepSpec::SetWeight(p) => json!({"setWeight": weight(*p)}),
                StepSpec::Pause => json!({"pause": {}}),
                StepSpec::PauseFor(d) => json!({"pause": {"duration": d}}),
                StepSpec::ScaleReplicas(r) => json!({"setCanaryScale": {"replicas": r}}),
                StepSpec::ScaleWeight(p) => json!({"setCanaryScale": {"weight": weight(*p)}}),
                StepSpec::MatchTrafficWeight => json!({"setCanaryScale": {"matchTrafficWeight": true}}),
            })
            .collect(),
    )
}

fn world(config: &Config) -> World {
    let mut routing = json!({});
    if config.routers.smi() {
        routing["smi"] = json!({});
    }
    if config.routers.nginx() {
        routing["nginx"] = json!({"stableIngress": INGRESS});
    }
    if config.routers.istio() {
        routing["istio"] = json!({"virtualService": {"name": VIRTUAL_SERVICE, "routes": ["primary"]}});
    }
    if config.routers.traefik() {
        routing["traefik"] = json!({"weightedTraefikServiceName": TRAEFIK_SERVICE});
    }
    if config.routers.ambassador() {
        routing["ambassador"] = json!({"mappings": [MAPPING]});
    }
    if config.routers.alb() {
        routing["alb"] = json!({"ingress": ALB_INGRESS, "servicePort": 80});
    }
    if config.routers.apisix() {
        routing["apisix"] = json!({"route": {"name": APISIX_ROUTE, "rules": ["props"]}});
    }
    if config.routers.appmesh() {
        routing["appMesh"] = json!({
            "virtualService": {"name": MESH_SERVICE, "routes": ["primary"]},
            "virtualNodeGroup": {
                "canaryVirtualNodeRef": {"name": CANARY_NODE},
                "stableVirtualNodeRef": {"name": STABLE_NODE},
            },
        });
    }
    if config.routers.istio_subset() {
        routing["istio"]["destinationRule"] =
            json!({"name": DESTINATION_RULE, "canarySubsetName": "canary", "stableSubsetName": "stable"});
    }
    if let Some(max) = config.max_weight {
        routing["maxTrafficWeight"] = json!(max);
    }
    let mut canary = json!({
        "canaryService": CANARY,
        "stableService": STABLE,
        "trafficRouting": routing,
        "dynamicStableScale": config.dynamic,
        "steps": steps_json(config),
    });
    if let Some(delay) = config.abort_delay {
        canary["abortScaleDownDelaySeconds"] = json!(delay);
    }
    let rollout = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "props", "namespace": "default", "uid": "uid-props", "generation": 1},
        "spec": {
            "replicas": config.replicas,
            "selector": {"matchLabels": {"app": "props"}},
            "strategy": {"canary": canary},
            "template": {
                "metadata": {"labels": {"app": "props"}},
                "spec": {"containers": [{"name": "app", "image": "app:blue"}]}
            }
        }
    }))
    .unwrap();
    let mut w = World::new(rollout);
    w.services = vec![service(CANARY, "props"), service(STABLE, "props")];
    w.routing_objects = vec![
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": INGRESS, "namespace": "default", "resourceVersion": "1"},
               "spec": {"rules": [{"host": "props.local", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                   "backend": {"service": {"name": STABLE, "port": {"number": 80}}}}]}}]}}),
        json!({"apiVersion": "networking.istio.io/v1alpha3", "kind": "VirtualService",
        "metadata": {"name": VIRTUAL_SERVICE, "namespace": "default", "resourceVersion": "1"},
        "spec": {"hosts": ["props.local"], "http": [{"name": "primary", "route": [
            {"destination": {"host": STABLE}, "weight": 100},
            {"destination": {"host": CANARY}, "weight": 0}
        ]}]}}),
    ];
    w.routing_objects.push(json!({
        "apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService",
        "metadata": {"name": TRAEFIK_SERVICE, "namespace": "default", "resourceVersion": "1"},
        "spec": {"weighted": {"services": [
            {"name": STABLE, "port": 80, "weight": config.max()},
            {"name": CANARY, "port": 80, "weight": 0}
        ]}}
    }));
    w.routing_objects.push(json!({
        "apiVersion": "getambassador.io/v2", "kind": "Mapping",
        "metadata": {"name": MAPPING, "namespace": "default", "resourceVersion": "1"},
        "spec": {"prefix": "/", "service": STABLE}
    }));
    w.routing_objects.extend(alb_apisix_and_mesh_objects(config));
    if config.routers.istio_subset() {
        w.routing_objects[1]["spec"]["http"][0]["route"] = json!([
            {"destination": {"host": ROOT, "subset": "stable"}, "weight": 100},
            {"destination": {"host": ROOT, "subset": "canary"}, "weight": 0}
        ]);
        w.routing_objects.push(json!({
            "apiVersion": "networking.istio.io/v1alpha3", "kind": "DestinationRule",
            "metadata": {"name": DESTINATION_RULE, "namespace": "default", "resourceVersion": "1"},
            "spec": {"host": ROOT, "subsets": [{"name": "stable"}, {"name": "canary"}]}
        }));
    }
    w
}

/// The objects of the ALB, APISIX and App Mesh routers as their users write them: an Ingress whose
/// path sends to the stable Service's action, an ApisixRoute rule with both backends, and a
/// VirtualService provided by a VirtualRouter whose route weights two VirtualNodes (their hashes
/// still to be set by the controller).
fn alb_apisix_and_mesh_objects(config: &Config) -> Vec<Value> {
    let mesh = |kind: &str, name: &str, spec: Value| {
        json!({"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": kind,
               "metadata": {"name": name, "namespace": "default", "resourceVersion": "1"}, "spec": spec})
    };
    let node = |hash: &str| json!({"podSelector": {"matchLabels": {"app": "props", HASH: hash}}});
    vec![
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": ALB_INGRESS, "namespace": "default", "resourceVersion": "1",
                            "annotations": {"kubernetes.io/ingress.class": "alb"}},
               "spec": {"rules": [{"http": {"paths": [{"path": "/*", "pathType": "ImplementationSpecific",
                   "backend": {"service": {"name": STABLE, "port": {"name": "use-annotation"}}}}]}}]}}),
        json!({"apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
               "metadata": {"name": APISIX_ROUTE, "namespace": "default", "resourceVersion": "1"},
               "spec": {"http": [{"name": "props", "match": {"paths": ["/*"]}, "backends": [
                   {"serviceName": STABLE, "servicePort": 80, "weight": config.max()},
                   {"serviceName": CANARY, "servicePort": 80, "weight": 0}]}]}}),
        mesh(
            "VirtualService",
            MESH_SERVICE,
            json!({"provider": {"virtualRouter": {"virtualRouterRef": {"name": MESH_ROUTER}}}}),
        ),
        mesh(
            "VirtualRouter",
            MESH_ROUTER,
            json!({"routes": [{"name": "primary", "httpRoute": {"action": {"weightedTargets": [
                {"virtualNodeRef": {"name": CANARY_NODE}, "weight": 0},
                {"virtualNodeRef": {"name": STABLE_NODE}, "weight": config.within(MESH_MAX_WEIGHT)}]}}}]}),
        ),
        mesh("VirtualNode", CANARY_NODE, node("canary-tbd")),
        mesh("VirtualNode", STABLE_NODE, node("stable-tbd")),
    ]
}

fn hash(rs: &ReplicaSet) -> String {
    rs.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(HASH))
        .cloned()
        .unwrap_or_default()
}

fn spec(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

/// Pods that serve: available, and not being removed by a scale-down.
fn available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
        .min(spec(rs))
}

fn new_hash(w: &World) -> String {
    let template = w.rollout.spec.template.clone().unwrap_or_default();
    let collisions = w.rollout.status.as_ref().and_then(|s| s.collision_count);
    crate::hash::pod_template_hash(&template, collisions)
}

/// The hash a destination (a Service, a DestinationRule subset or a VirtualNode) selects; "" for
/// all pods.
fn selected(w: &World, destination: &str) -> String {
    if let Some(node) = destination.strip_prefix(NODE) {
        return object(w, "VirtualNode", node)
            .and_then(|n| n["spec"]["podSelector"]["matchLabels"][HASH].as_str())
            .unwrap_or_default()
            .to_string();
    }
    let Some(subset) = destination.strip_prefix(SUBSET) else {
        return super::world::selector_of(w, destination);
    };
    object(w, "DestinationRule", DESTINATION_RULE)
        .and_then(|rule| rule["spec"]["subsets"].as_array())
        .and_then(|subsets| subsets.iter().find(|s| s["name"] == subset))
        .and_then(|s| s["labels"][HASH].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Available pods a destination selects: those of the ReplicaSet whose hash it names, or of all
/// ReplicaSets before it names one.
fn served_by(w: &World, destination: &str) -> i32 {
    let selected = selected(w, destination);
    w.replica_sets
        .iter()
        .filter(|rs| selected.is_empty() || hash(rs) == selected)
        .map(available)
        .sum()
}

/// A weight as written: an integer, or a quantity such as `"20"` or `"1e3"`.
fn weight_of(value: &Value) -> i64 {
    if let Some(n) = value.as_i64() {
        return n;
    }
    let text = value.as_str().unwrap_or_else(|| panic!("weight {value}"));
    match text.split_once('e') {
        Some((m, e)) => m.parse::<i64>().unwrap() * 10i64.pow(e.parse().unwrap()),
        None => text.parse().unwrap_or_else(|_| panic!("weight {value}")),
    }
}

/// One routing object's split: `(its total, [(Service, weight)])`.
struct Table {
    object: String,
    total: i64,
    destinations: Vec<(String, i64)>,
}

fn object<'a>(w: &'a World, kind: &str, name: &str) -> Option<&'a Value> {
    w.routing_objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

/// The splits the routers' objects carry now.
fn tables(w: &World, config: &Config) -> Vec<Table> {
    let max = i64::from(config.max());
    let mut tables = Vec::new();
    if config.routers.smi()
        && let Some(split) = object(w, "TrafficSplit", "props")
    {
        let destinations = split["spec"]["backends"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["service"].as_str().unwrap().to_string(), weight_of(&b["weight"])))
            .collect();
        tables.push(Table {
            object: "TrafficSplit".into(),
            total: max,
            destinations,
        });
    }
    if config.routers.nginx() {
        let (canary, total) = match object(w, "Ingress", CANARY_INGRESS) {
            Some(ingress) => {
                let annotations = &ingress["metadata"]["annotations"];
                let weight = annotations["nginx.ingress.kubernetes.io/canary-weight"]
                    .as_str()
                    .map_or(0, |v| v.parse().unwrap());
                let total = annotations["nginx.ingress.kubernetes.io/canary-weight-total"]
                    .as_str()
                    .map_or(100, |v| v.parse().unwrap());
                (weight, total)
            }
            None => (0, max),
        };
        assert_eq!(total, max, "canary-weight-total");
        tables.push(Table {
            object: "Ingress".into(),
            total,
            destinations: vec![(CANARY.into(), canary), (STABLE.into(), total - canary)],
        });
    }
    if config.routers.traefik() {
        let service = object(w, "TraefikService", TRAEFIK_SERVICE).unwrap();
        let destinations = service["spec"]["weighted"]["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["name"].as_str().unwrap().to_string(), weight_of(&s["weight"])))
            .collect();
        tables.push(Table {
            object: "TraefikService".into(),
            total: max,
            destinations,
        });
    }
    if config.routers.ambassador() {
        // The base Mapping takes what the canary one does not (Mapping weights are percentages).
        assert_eq!(object(w, "Mapping", MAPPING).unwrap()["spec"].get("weight"), None);
        let canary = object(w, "Mapping", CANARY_MAPPING).map_or(0, |m| m["spec"]["weight"].as_i64().unwrap());
        if let Some(mapping) = object(w, "Mapping", CANARY_MAPPING) {
            assert_eq!(mapping["spec"]["service"], CANARY, "the canary Mapping's service");
        }
        tables.push(Table {
            object: "Mapping".into(),
            total: 100,
            destinations: vec![(CANARY.into(), canary), (STABLE.into(), 100 - canary)],
        });
    }
    if config.routers.alb() {
        tables.push(alb_table(w, config));
    }
    if config.routers.apisix() {
        let route = object(w, "ApisixRoute", APISIX_ROUTE).unwrap();
        let destinations = route["spec"]["http"][0]["backends"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["serviceName"].as_str().unwrap().to_string(), weight_of(&b["weight"])))
            .collect();
        tables.push(Table {
            object: "ApisixRoute".into(),
            total: max,
            destinations,
        });
    }
    if config.routers.appmesh() {
        let router = object(w, "VirtualRouter", MESH_ROUTER).unwrap();
        let destinations = router["spec"]["routes"][0]["httpRoute"]["action"]["weightedTargets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let node = t["virtualNodeRef"]["name"].as_str().unwrap();
                (format!("{NODE}{node}"), weight_of(&t["weight"]))
            })
            .collect();
        tables.push(Table {
            object: "VirtualRouter".into(),
            total: config.within(MESH_MAX_WEIGHT),
            destinations,
        });
    }
    if config.routers.istio() {
        let vs = object(w, "VirtualService", VIRTUAL_SERVICE).unwrap();
        for route in vs["spec"]["http"].as_array().unwrap() {
            let destinations = route["route"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let target = match d["destination"]["subset"].as_str() {
                        Some(subset) => format!("{SUBSET}{subset}"),
                        None => d["destination"]["host"].as_str().unwrap().to_string(),
                    };
                    (target, d["weight"].as_i64().unwrap_or(0))
                })
                .collect();
            tables.push(Table {
                object: format!("VirtualService route {}", route["name"]),
                total: 100,
                destinations,
            });
        }
    }
    tables
}

/// The ALB Ingress's forward action: its target groups, all on the Service port configured (before
/// the first write, the path's stable Service takes everything).
fn alb_table(w: &World, config: &Config) -> Table {
    let total = config.within(ALB_MAX_WEIGHT);
    let ingress = object(w, "Ingress", ALB_INGRESS).unwrap();
    let destinations = match ingress["metadata"]["annotations"][ALB_ACTION].as_str() {
        None => vec![(STABLE.to_string(), total)],
        Some(action) => {
            let action: Value = serde_json::from_str(action).unwrap();
            assert_eq!(action["Type"], "forward", "{action}");
            action["ForwardConfig"]["TargetGroups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|group| {
                    assert_eq!(group["ServicePort"], "80", "{action}");
                    (
                        group["ServiceName"].as_str().unwrap().to_string(),
                        weight_of(&group["Weight"]),
                    )
                })
                .collect()
        }
    };
    Table {
        object: "ALB Ingress".into(),
        total,
        destinations,
    }
}

/// The weight (of the largest share, over all routers) routed to the ReplicaSet `rs` right now,
/// through the Services selecting it, as a share of `max`.
fn routed_share(w: &World, config: &Config, rs: &ReplicaSet) -> i64 {
    let h = hash(rs);
    let max = i64::from(config.max());
    tables(w, config)
        .iter()
        .map(|t| {
            let weight: i64 = t
                .destinations
                .iter()
                .filter(|(destination, _)| {
                    let selected = selected(w, destination);
                    selected.is_empty() || selected == h
                })
                .map(|(_, weight)| *weight)
                .sum();
            weight * max / t.total.max(1)
        })
        .max()
        .unwrap_or(0)
}

/// (a) on the routing objects as they are.
fn check_splits(w: &World, config: &Config, context: &str) {
    for table in tables(w, config) {
        let sum: i64 = table.destinations.iter().map(|(_, weight)| weight).sum();
        assert!(
            table
                .destinations
                .iter()
                .all(|(_, weight)| (0..=table.total).contains(weight))
                && sum == table.total,
            "{context}: {} weights {:?} are not a split of {}",
            table.object,
            table.destinations,
            table.total
        );
    }
}

/// (d): routes sending weight to a Service that selects no available pod.
fn unserved_routes(w: &World, config: &Config) -> Vec<String> {
    let mut found = Vec::new();
    for table in tables(w, config) {
        for (svc, weight) in &table.destinations {
            if *weight > 0 && served_by(w, svc) == 0 {
                found.push(format!(
                    "{} sends {weight} to {svc}, which selects {:?} with no available pod",
                    table.object,
                    selected(w, svc)
                ));
            }
        }
    }
    found
}

/// The weight each routing object sends to Services that select no available pod.
fn unserved_weight(w: &World, config: &Config) -> Vec<(String, i64)> {
    tables(w, config)
        .into_iter()
        .map(|table| {
            let weight = table
                .destinations
                .iter()
                .filter(|(svc, _)| served_by(w, svc) == 0)
                .map(|(_, weight)| weight)
                .sum();
            (table.object, weight)
        })
        .collect()
}

/// (b) and (d): weight sent or recorded where no pod serves it.
fn unserved(w: &World, config: &Config) -> Vec<String> {
    let mut found = unserved_routes(w, config);
    let weights = w
        .rollout
        .status
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.weights.as_ref());
    if let Some(weights) = weights.filter(|weights| weights.canary.weight > 0) {
        let canary = weights.canary.pod_template_hash.clone().unwrap_or_default();
        let serving: i32 = w
            .replica_sets
            .iter()
            .filter(|rs| hash(rs) == canary)
            .map(available)
            .sum();
        if serving == 0 {
            found.push(format!(
                "status.canary.weights gives {} to {canary}, which has no available pod",
                weights.canary.weight
            ));
        }
    }
    found
}

/// (a) on `status.canary.weights`.
fn check_status(w: &World, config: &Config, context: &str) {
    let Some(weights) = w
        .rollout
        .status
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.weights.as_ref())
    else {
        return;
    };
    let max = config.max();
    let all: Vec<i32> = [weights.canary.weight, weights.stable.weight]
        .into_iter()
        .chain(weights.additional.iter().flatten().map(|d| d.weight))
        .collect();
    assert!(
        all.iter().all(|weight| (0..=max).contains(weight)) && all.iter().sum::<i32>() == max,
        "{context}: status weights {all:?} are not a split of {max}"
    );
}

/// (c) for a ReplicaSet about to go from its size to `to`: an aborted canary keeps the pods for the
/// share still routed to it (without `dynamicStableScale`, none may be routed to it), and so does the
/// stable, which `dynamicStableScale` shrinks only once traffic has left it.
fn check_scale_down(
    w: &World,
    config: &Config,
    status: &rollouts_api::RolloutStatus,
    old: &ReplicaSet,
    to: i32,
    context: &str,
) {
    if to >= spec(old) {
        return;
    }
    let (h, canary_hash) = (hash(old), new_hash(w));
    let is_stable = status.stable_rs.as_deref() == Some(h.as_str());
    let aborted_canary = status.abort == Some(true) && h == canary_hash && !is_stable;
    let stable = is_stable && h != canary_hash;
    if !aborted_canary && !stable {
        return;
    }
    let share = routed_share(w, config, old);
    let replicas = w.rollout.spec.replicas.unwrap_or(1);
    let needed = weight_to_replicas(replicas, i32::try_from(share).unwrap(), config.max());
    let what = if is_stable { "the stable" } else { "the aborted canary" };
    if aborted_canary && !config.dynamic {
        assert_eq!(share, 0, "{context}: {what} is scaled down before its weight is 0");
    }
    assert!(
        to >= needed,
        "{context}: {what} goes {} -> {to} with {share} of {} still routed to it",
        spec(old),
        config.max()
    );
}

/// `(hash, spec, available)` of every ReplicaSet, for messages.
fn replica_sets(w: &World) -> Vec<(String, i32, i32)> {
    w.replica_sets
        .iter()
        .map(|rs| (hash(rs), spec(rs), available(rs)))
        .collect()
}

/// What a write can change, to tell a write that changes nothing.
fn state(w: &World) -> Value {
    json!({
        "rollout": serde_json::to_value(&w.rollout).unwrap(),
        "replicaSets": serde_json::to_value(&w.replica_sets).unwrap(),
        "services": serde_json::to_value(&w.services).unwrap(),
        "routing": w.routing_objects,
    })
}

/// Runs the reconciles of one case and checks them.
struct Checker<'c> {
    config: &'c Config,
    /// The first version is deployed: from then on weight must go where pods serve it (before, the
    /// user's objects route to Services with nothing behind them yet).
    deployed: bool,
}

impl Checker<'_> {
    /// One reconcile, every write checked as it is applied; returns whether it wrote anything.
    ///
    /// A write never routes weight where no pod serves it, nor does a plan record such a weight.
    fn reconcile(&mut self, w: &mut World) -> bool {
        let config = self.config;
        let plan = w.plan();
        assert_eq!(plan, w.plan(), "planning is not deterministic");
        assert_eq!(
            plan.error,
            None,
            "{:?}",
            plan.actions.iter().map(describe).collect::<Vec<_>>()
        );
        let status = w.rollout.status.clone().unwrap_or_default();
        let described: Vec<String> = plan.actions.iter().map(describe).collect();
        if std::env::var_os("TRAFFIC_TRACE").is_some() {
            eprintln!(
                "reconcile at {} of {:?} (abort {:?}, step {:?}, weights {:?}):\n  {}",
                w.now,
                replica_sets(w),
                status.abort,
                status.current_step_index,
                status
                    .canary
                    .as_ref()
                    .and_then(|c| c.weights.as_ref())
                    .map(|x| (x.canary.weight, x.canary.pod_template_hash.clone())),
                described.join("\n  ")
            );
        }
        let unserved_at_start = unserved(w, config);
        for (n, action) in plan.actions.iter().enumerate() {
            let context = format!("write {n} of {described:#?}");
            let before = state(w);
            let unserved_before = unserved_weight(w, config);
            if let Action::UpdateReplicaSet(updated) = action
                && let Some(old) = w.replica_sets.iter().find(|r| r.metadata.name == updated.metadata.name)
            {
                check_scale_down(w, config, &status, old, spec(updated), &context);
            }
            w.apply(action);
            assert_ne!(state(w), before, "{context}: the write changes nothing");
            check_splits(w, config, &context);
            if self.deployed {
                // Moving weight from pods that went away to pods not there yet is no worse; sending
                // more of it where nothing serves is.
                for (object, weight) in unserved_weight(w, config) {
                    let before = unserved_before
                        .iter()
                        .find(|(o, _)| *o == object)
                        .map_or(0, |(_, w)| *w);
                    assert!(
                        weight <= before,
                        "{context}: {:?}; ReplicaSets {:?}",
                        unserved_routes(w, config),
                        replica_sets(w)
                    );
                }
            }
        }
        check_status(w, config, &format!("after {described:#?}"));
        // The weights recorded in the status are written last: checked once the plan is through.
        let left = unserved(w, config);
        let recorded = |u: &String| u.starts_with("status.");
        if self.deployed && !left.is_empty() {
            let introduced: Vec<&String> = left
                .iter()
                .filter(|u| recorded(u) && !unserved_at_start.iter().any(recorded))
                .collect();
            assert!(
                introduced.is_empty(),
                "after {described:#?}: {introduced:?}; ReplicaSets {:?}",
                replica_sets(w)
            );
            repaired_once_pods_serve(w, config, &described);
        }
        !plan.actions.is_empty()
    }
}

/// Pods stopped serving on their own (a crash), and weight still goes to them: once the other
/// ReplicaSets' pods are up (the crashed canary's stay down), the reconciles that follow move it where
/// pods serve it. The first ones may be a scaling event, which resizes ReplicaSets one per reconcile
/// and leaves traffic alone, as upstream's does.
fn repaired_once_pods_serve(w: &World, config: &Config, described: &[String]) {
    let mut probe = World::new(w.rollout.clone());
    probe.replica_sets = w.replica_sets.clone();
    probe.services = w.services.clone();
    probe.routing_objects = w.routing_objects.clone();
    probe.now = w.now;
    probe.next_uid = w.next_uid;
    for _ in 0..6 {
        settle_but_the_canary(&mut probe);
        if unserved(&probe, config).is_empty() {
            return;
        }
        probe.reconcile();
    }
    panic!(
        "after {described:#?}: 6 more reconciles still leave {:?}; ReplicaSets {:?}",
        unserved(&probe, config),
        replica_sets(&probe)
    );
}

/// Every ReplicaSet's pods are up but the new one's, which stay as they are (capped at its size).
fn settle_but_the_canary(w: &mut World) {
    let canary = new_hash(w);
    for rs in &mut w.replica_sets {
        let size = spec(rs);
        let crashed = hash(rs) == canary;
        let status = rs.status.get_or_insert_with(Default::default);
        let available = if crashed {
            status.available_replicas.unwrap_or(0).min(size)
        } else {
            size
        };
        status.replicas = size;
        status.available_replicas = Some(available);
        status.ready_replicas = Some(available);
    }
}

fn make_ready(w: &mut World, index: u8, n: u8) {
    if w.replica_sets.is_empty() {
        return;
    }
    let i = usize::from(index) % w.replica_sets.len();
    let rs = &mut w.replica_sets[i];
    let size = spec(rs);
    let status = rs.status.get_or_insert_with(Default::default);
    status.replicas = size;
    let next = (status.available_replicas.unwrap_or(0).min(size) + i32::from(n)).min(size);
    status.available_replicas = Some(next);
    status.ready_replicas = Some(next);
}

fn crash_canary(w: &mut World) {
    let h = new_hash(w);
    for rs in &mut w.replica_sets {
        if hash(rs) == h
            && w.rollout.status.as_ref().and_then(|s| s.stable_rs.as_deref()) != Some(h.as_str())
            && let Some(status) = rs.status.as_mut()
        {
            status.available_replicas = Some(0);
            status.ready_replicas = Some(0);
        }
    }
}

fn run(config: &Config, ops: &[Op]) {
    let mut w = world(config);
    let mut checker = Checker {
        config,
        deployed: false,
    };
    for _ in 0..10 {
        if !checker.reconcile(&mut w) {
            break;
        }
        w.settle();
    }
    checker.deployed = true;
    assert_eq!(
        w.status().phase,
        Some(rollouts_api::RolloutPhase::Healthy),
        "{:?}",
        w.status().message
    );
    for op in ops {
        if std::env::var_os("TRAFFIC_TRACE").is_some() {
            eprintln!("{op:?}");
        }
        match op {
            Op::Reconcile => {
                checker.reconcile(&mut w);
            }
            Op::Ready(i, n) => make_ready(&mut w, *i, *n),
            Op::Settle => w.settle(),
            Op::CanaryCrash => crash_canary(&mut w),
            Op::SetImage(i) => w.set_image(&format!("app:v{i}")),
            Op::Promote => promote(&mut w, config),
            Op::ClearPause => w.patch_status(json!({"pauseConditions": null, "controllerPause": false})),
            Op::PromoteFull => w.patch_status(json!({"promoteFull": true})),
            Op::Abort => w.patch_status(json!({"abort": true})),
            Op::Retry => w.patch_status(json!({"abort": false})),
            Op::Advance(s) => w.advance(i64::from(*s)),
            Op::Scale(r) => w.patch_spec(json!({"replicas": r})),
        }
    }
    // (e): settled, the reconciles come to rest; then one more writes nothing.
    for _ in 0..40 {
        w.settle();
        if !checker.reconcile(&mut w) {
            w.advance(60);
            w.settle();
            if !checker.reconcile(&mut w) {
                return;
            }
        }
    }
    panic!(
        "still writing after 40 reconciles: {:?}",
        w.plan().actions.iter().map(describe).collect::<Vec<_>>()
    );
}

/// `kubectl argo rollouts promote`: clears the pause conditions, or, with none, moves on to the next
/// step.
fn promote(w: &mut World, config: &Config) {
    let status = w.rollout.status.clone().unwrap_or_default();
    if status.pause_conditions.as_ref().is_some_and(|c| !c.is_empty()) {
        w.patch_status(json!({"pauseConditions": null}));
    } else if let Some(index) = status.current_step_index {
        let next = (index + 1).min(i32::try_from(config.steps.len()).unwrap());
        w.patch_status(json!({"pauseConditions": null, "currentStepIndex": next}));
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn routed_weights_follow_available_pods_and_come_to_rest(
        config in config(),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        run(&config, &ops);
    }
}

/// A promote --full right after an aborted canary was scaled to 0: the ReplicaSet status still counts
/// the pods being deleted, which serve nothing; no weight and no Service selector goes to them.
#[test]
fn no_weight_to_a_canary_whose_pods_are_being_removed() {
    let config = Config {
        routers: Routers::of(&[Routers::SMI]),
        max_weight: None,
        replicas: 3,
        dynamic: true,
        abort_delay: Some(1),
        steps: vec![StepSpec::ScaleReplicas(2)],
    };
    use Op::*;
    run(
        &config,
        &[
            SetImage(0),
            Reconcile,
            Reconcile,
            Reconcile,
            Abort,
            Reconcile,
            PromoteFull,
            Ready(1, 1),
            Advance(1),
            Reconcile,
            Reconcile,
        ],
    );
}

/// The canary crashes while it has half the traffic of a full promotion and the stable, scaled down by
/// `dynamicStableScale`, lacks pods for all of it: the weight still leaves the canary (its share fails
/// anyway), and the stable keeps the pods for the weight it now carries (it was sized for the weight
/// recorded before the reconcile, and shrank while taking everything back).
#[test]
fn a_crashed_canary_gives_its_weight_back_to_an_undersized_stable_which_keeps_its_pods() {
    let config = Config {
        routers: Routers::of(&[Routers::SMI]),
        max_weight: None,
        replicas: 2,
        dynamic: true,
        abort_delay: None,
        steps: vec![StepSpec::SetWeight(0)],
    };
    use Op::*;
    run(
        &config,
        &[
            SetImage(0),
            Reconcile,
            Scale(4),
            Reconcile,
            Reconcile,
            Reconcile,
            Reconcile,
            Ready(1, 2),
            PromoteFull,
            Reconcile,
            CanaryCrash,
            Reconcile,
        ],
    );
}

/// A `setWeight` lower than the previous one moves the traffic before the canary shrinks to it:
/// upstream keeps the previous weight until the canary has shrunk, here to no pod at all.
#[test]
fn a_lower_set_weight_leaves_the_canary_before_its_pods_go() {
    let config = Config {
        routers: Routers::of(&[Routers::SMI]),
        max_weight: None,
        replicas: 1,
        dynamic: false,
        abort_delay: None,
        steps: vec![StepSpec::SetWeight(5), StepSpec::SetWeight(0)],
    };
    run(&config, &[Op::SetImage(0)]);
}

/// Istio next to NGINX with a `maxTrafficWeight`: the VirtualService gets percentages of it (upstream
/// writes the weight as is, and a negative stable weight).
#[test]
fn istio_next_to_nginx_gets_percentages_of_the_max_traffic_weight() {
    let config = Config {
        routers: Routers::of(&[Routers::ISTIO, Routers::NGINX]),
        max_weight: Some(200),
        replicas: 4,
        dynamic: false,
        abort_delay: None,
        steps: vec![StepSpec::SetWeight(25), StepSpec::Pause],
    };
    run(&config, &[Op::SetImage(0)]);
    let mut w = world(&config);
    w.run_until_quiet(20);
    w.set_image("app:v0");
    w.run_until_quiet(20);
    let weights = w.status().canary.clone().unwrap().weights.unwrap();
    assert_eq!((weights.canary.weight, weights.stable.weight), (50, 150));
    let tables = tables(&w, &config);
    let split: Vec<(&str, &Vec<(String, i64)>)> = tables.iter().map(|t| (t.object.as_str(), &t.destinations)).collect();
    assert_eq!(
        split,
        [
            ("Ingress", &vec![(CANARY.to_string(), 50), (STABLE.to_string(), 150)]),
            (
                "VirtualService route \"primary\"",
                &vec![(STABLE.to_string(), 75), (CANARY.to_string(), 25)]
            ),
        ]
    );
}

/// Traefik and Ambassador next to NGINX with a `maxTrafficWeight`: the TraefikService's relative
/// weights split that maximum, the canary Mapping gets its percentage (upstream writes `100 - weight`
/// for the stable, negative past 100).
#[test]
fn traefik_and_ambassador_next_to_nginx_split_the_max_traffic_weight() {
    for (router, expected) in [
        (
            Routers::TRAEFIK,
            (
                "TraefikService",
                vec![(STABLE.to_string(), 50), (CANARY.to_string(), 150)],
            ),
        ),
        (
            Routers::AMBASSADOR,
            ("Mapping", vec![(CANARY.to_string(), 75), (STABLE.to_string(), 25)]),
        ),
    ] {
        let config = Config {
            routers: Routers::of(&[Routers::NGINX, router]),
            max_weight: Some(200),
            replicas: 4,
            dynamic: false,
            abort_delay: None,
            steps: vec![StepSpec::SetWeight(75), StepSpec::Pause],
        };
        run(&config, &[Op::SetImage(0)]);
        let mut w = world(&config);
        w.run_until_quiet(20);
        w.set_image("app:v0");
        w.run_until_quiet(20);
        let tables = tables(&w, &config);
        let table = tables.iter().find(|t| t.object == expected.0).unwrap();
        assert_eq!(table.destinations, expected.1);
    }
}

/// ALB, APISIX and App Mesh next to NGINX with a `maxTrafficWeight`: APISIX's relative weights split
/// it as is, ALB's target groups too while AWS takes the weights (up to 999), App Mesh's weighted
/// targets (up to 100) get percentages (upstream writes `100 - weight` for the stable, negative past
/// 100, to all three).
#[test]
fn alb_apisix_and_app_mesh_next_to_nginx_keep_within_their_weight_limits() {
    let named = |pairs: [(&str, i64); 2]| pairs.map(|(d, w)| (d.to_string(), w)).to_vec();
    let canary_node = format!("{NODE}{CANARY_NODE}");
    let stable_node = format!("{NODE}{STABLE_NODE}");
    for (max, router, expected) in [
        (200, Routers::ALB, ("ALB Ingress", named([(CANARY, 150), (STABLE, 50)]))),
        (1000, Routers::ALB, ("ALB Ingress", named([(CANARY, 75), (STABLE, 25)]))),
        (
            200,
            Routers::APISIX,
            ("ApisixRoute", named([(STABLE, 50), (CANARY, 150)])),
        ),
        (
            1000,
            Routers::APISIX,
            ("ApisixRoute", named([(STABLE, 250), (CANARY, 750)])),
        ),
        (
            200,
            Routers::APPMESH,
            ("VirtualRouter", named([(&canary_node, 75), (&stable_node, 25)])),
        ),
        (
            1000,
            Routers::APPMESH,
            ("VirtualRouter", named([(&canary_node, 75), (&stable_node, 25)])),
        ),
    ] {
        let config = Config {
            routers: Routers::of(&[Routers::NGINX, router]),
            max_weight: Some(max),
            replicas: 4,
            dynamic: false,
            abort_delay: None,
            steps: vec![StepSpec::SetWeight(75), StepSpec::Pause],
        };
        run(&config, &[Op::SetImage(0)]);
        let mut w = world(&config);
        w.run_until_quiet(20);
        w.set_image("app:v0");
        w.run_until_quiet(20);
        let tables = tables(&w, &config);
        let table = tables.iter().find(|t| t.object == expected.0).unwrap();
        assert_eq!(table.destinations, expected.1, "{max}");
    }
}

/// The canary's share of each routing object, in percent.
fn canary_percents(w: &World, config: &Config) -> Vec<(String, i64)> {
    let canary = [
        CANARY.to_string(),
        format!("{SUBSET}canary"),
        format!("{NODE}{CANARY_NODE}"),
    ];
    tables(w, config)
        .into_iter()
        .map(|t| {
            let weight: i64 = t
                .destinations
                .iter()
                .filter(|(d, _)| canary.contains(d))
                .map(|(_, weight)| weight)
                .sum();
            (t.object, weight * 100 / t.total)
        })
        .collect()
}

/// `setWeight: 20, pause, setWeight: 50, pause` behind `routers`, promoted at each pause: every
/// routing object sends the canary 20 %, then 50 %, then (promoted, the canary now the stable)
/// nothing; the VirtualNodes, when there are some, follow the ReplicaSets.
fn same_weights_at_each_step(routers: &[u16]) {
    let config = Config {
        routers: Routers::of(routers),
        max_weight: None,
        replicas: 5,
        dynamic: false,
        abort_delay: None,
        steps: vec![
            StepSpec::SetWeight(20),
            StepSpec::Pause,
            StepSpec::SetWeight(50),
            StepSpec::Pause,
        ],
    };
    use Op::*;
    run(
        &config,
        &[
            SetImage(0),
            Settle,
            Reconcile,
            Reconcile,
            Reconcile,
            Promote,
            Reconcile,
            Settle,
        ],
    );
    let mut w = world(&config);
    w.run_until_quiet(20);
    let first = new_hash(&w);
    w.set_image("app:v0");
    let node_hash = |w: &World, node: &str| selected(w, &format!("{NODE}{node}"));
    for percent in [20, 50, 0] {
        w.run_until_quiet(30);
        let shares = canary_percents(&w, &config);
        assert_eq!(shares.len(), 2, "{shares:?}");
        assert!(
            shares.iter().all(|(_, share)| *share == percent),
            "{percent}: {shares:?}"
        );
        if config.routers.appmesh() {
            let (canary, stable) = if percent == 0 {
                ("canary-hash".to_string(), new_hash(&w))
            } else {
                (new_hash(&w), first.clone())
            };
            assert_eq!(
                (node_hash(&w, CANARY_NODE), node_hash(&w, STABLE_NODE)),
                (canary, stable)
            );
        }
        // `kubectl argo rollouts promote` of a step's pause.
        w.patch_status(json!({"pauseConditions": null}));
    }
    assert_eq!(w.status().stable_rs, Some(new_hash(&w)));
}

/// Upstream's getting-started "mixed" routing: Istio and ALB driven together agree at every step.
#[test]
fn alb_next_to_istio_sends_the_canary_the_same_share_at_each_step() {
    same_weights_at_each_step(&[Routers::ISTIO, Routers::ALB]);
}

#[test]
fn apisix_next_to_app_mesh_sends_the_canary_the_same_share_at_each_step() {
    same_weights_at_each_step(&[Routers::APISIX, Routers::APPMESH]);
}

/// The canary, promoted at its last step, becomes the stable while it carries all the weight: App
/// Mesh's canary VirtualNode keeps selecting its pods until the VirtualRouter sends it nothing, and
/// only then gets the placeholder hash (upstream points it at no pod first).
#[test]
fn app_mesh_keeps_the_canary_node_on_its_pods_until_the_weight_leaves_it() {
    let config = Config {
        routers: Routers::of(&[Routers::APPMESH]),
        max_weight: None,
        replicas: 1,
        dynamic: false,
        abort_delay: None,
        steps: vec![StepSpec::PauseFor(1)],
    };
    run(&config, &[Op::SetImage(0)]);
}

/// A full promotion with `dynamicStableScale` weighs the canary by its available pods: a
/// `setCanaryScale` above `replicas` must not make that weight exceed the maximum.
#[test]
fn a_canary_scaled_above_replicas_gets_at_most_all_the_traffic_on_full_promotion() {
    let config = Config {
        routers: Routers::of(&[Routers::SMI, Routers::NGINX]),
        max_weight: Some(200),
        replicas: 1,
        dynamic: true,
        abort_delay: None,
        steps: vec![StepSpec::ScaleReplicas(2)],
    };
    use Op::*;
    run(
        &config,
        &[
            SetImage(0),
            Reconcile,
            Reconcile,
            Reconcile,
            PromoteFull,
            Ready(0, 1),
            Ready(1, 2),
            Reconcile,
        ],
    );
}

fn dynamic_at_5_percent(replicas: i32) -> Config {
    Config {
        routers: Routers::of(&[Routers::SMI]),
        max_weight: None,
        replicas,
        dynamic: true,
        abort_delay: None,
        steps: vec![StepSpec::SetWeight(5)],
    }
}

/// Revision 2 has 5 % when revision 3 supersedes it and the Rollout is aborted with
/// `dynamicStableScale`: revision 3 has no pod, so the weight is not handed to it (nor recorded as its),
/// and it is not scaled up for weight that is revision 2's.
#[test]
fn an_aborted_dynamic_rollout_hands_no_weight_to_a_new_replica_set_without_pods() {
    use Op::*;
    run(
        &dynamic_at_5_percent(3),
        &[
            SetImage(0),
            Reconcile,
            Reconcile,
            Reconcile,
            Ready(1, 1),
            Reconcile,
            Reconcile,
            ClearPause,
            Reconcile,
            Reconcile,
            SetImage(1),
            Reconcile,
            Reconcile,
            Scale(6),
            Abort,
            Reconcile,
            Ready(3, 2),
            Reconcile,
        ],
    );
}

/// Revision 2 promoted with all the weight still recorded as the canary's when revision 3 comes: the
/// stable (revision 2) keeps the pods for the weight going to its hash, wherever the weights name it
/// (upstream reads only the stable destination's weight, and scales it to 0).
#[test]
fn the_stable_keeps_the_pods_for_the_weight_recorded_as_the_canarys() {
    use Op::*;
    run(
        &dynamic_at_5_percent(1),
        &[
            SetImage(2),
            Reconcile,
            Reconcile,
            Retry,
            Reconcile,
            Reconcile,
            Reconcile,
            Ready(1, 1),
            PromoteFull,
            Reconcile,
            Ready(0, 1),
            SetImage(0),
            Scale(2),
            Reconcile,
            Reconcile,
            Reconcile,
            PromoteFull,
            ClearPause,
            Reconcile,
        ],
    );
}

/// With `dynamicStableScale`, an aborted canary's Service goes back to the stable only when the stable
/// can take the canary's weight: the Service switch moves that weight as surely as the routers.
#[test]
fn a_dynamic_abort_moves_the_canary_service_only_when_the_stable_can_take_the_weight() {
    use Op::*;
    run(
        &dynamic_at_5_percent(1),
        &[
            SetImage(2),
            Reconcile,
            Reconcile,
            Scale(2),
            Reconcile,
            Reconcile,
            Reconcile,
            Ready(1, 1),
            PromoteFull,
            Reconcile,
            Reconcile,
            SetImage(0),
            Reconcile,
            Reconcile,
            Reconcile,
            Reconcile,
            PromoteFull,
            Abort,
            Reconcile,
        ],
    );
}

/// A scaling event writes the aborted canary's deadline (as upstream) while the weight is still on it:
/// with the deadline past and more scaling events keeping the traffic reconcile away, the canary keeps
/// its pods until the routers no longer send it anything.
#[test]
fn an_abort_deadline_passing_during_scaling_events_waits_for_the_weight_to_leave_the_canary() {
    let mut config = dynamic_at_5_percent(1);
    config.abort_delay = Some(1);
    config.steps = vec![StepSpec::SetWeight(0)];
    use Op::*;
    run(
        &config,
        &[
            SetImage(0),
            Scale(3),
            Reconcile,
            Reconcile,
            Reconcile,
            Ready(0, 1),
            PromoteFull,
            Reconcile,
            Ready(1, 1),
            Reconcile,
            Scale(2),
            Abort,
            Reconcile,
            Reconcile,
            Advance(1),
            Scale(1),
        ],
    );
}

/// `spec.replicas` changes as the canary reaches a lower `setWeight`: the scaling event resizes the
/// ReplicaSets and leaves traffic alone (as upstream), so the canary keeps the pods for the weight it
/// still has until the next reconcile moves it (upstream scales it to 0 under its 5 %).
#[test]
fn a_scaling_event_does_not_shrink_the_canary_under_its_weight() {
    let config = Config {
        routers: Routers::of(&[Routers::SMI]),
        max_weight: None,
        replicas: 1,
        dynamic: false,
        abort_delay: None,
        steps: vec![StepSpec::SetWeight(5), StepSpec::SetWeight(0)],
    };
    use Op::*;
    run(
        &config,
        &[
            SetImage(0),
            Reconcile,
            Reconcile,
            Reconcile,
            Settle,
            Reconcile,
            Scale(2),
        ],
    );
}

/// From 100 % on the canary of a 1-replica Rollout (the stable scaled to 0 by `dynamicStableScale`)
/// down to 5 %: the stable needs its pod back before it gets 95 % (upstream rounds the pods it needs
/// down to none).
#[test]
fn weight_returns_to_a_shrunk_stable_only_once_it_has_a_pod() {
    let mut config = dynamic_at_5_percent(1);
    config.steps = vec![
        StepSpec::SetWeight(100),
        StepSpec::MatchTrafficWeight,
        StepSpec::SetWeight(5),
    ];
    run(&config, &[Op::SetImage(0)]);
}

/// Revision 2 is promoted through an abort and a promote --full in one reconcile, so the weights are
/// not recorded again (the routers are left alone while revision 3 comes and the stable lacks pods):
/// they still name revision 1 as the stable. The stable Service selects revision 2, which keeps the
/// pods for the weight that Service carries.
#[test]
fn the_stable_keeps_the_pods_its_service_carries_weight_to_when_the_weights_are_stale() {
    let mut config = dynamic_at_5_percent(1);
    config.steps = vec![StepSpec::ScaleWeight(35)];
    use Op::*;
    run(
        &config,
        &[
            SetImage(0),
            Reconcile,
            Reconcile,
            PromoteFull,
            Reconcile,
            Abort,
            Settle,
            Reconcile,
            Scale(3),
            SetImage(1),
        ],
    );
}
