//! Traffic routers a canary can drive; several may be configured together.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Traffic routers that carry the canary weight; several may be set at once.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutTrafficRouting {
    /// AWS Load Balancer Controller: weights are written into an action annotation on the Ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alb: Option<AlbTrafficRouting>,
    /// Ambassador/Emissary: a weighted copy of each Mapping sends traffic to the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambassador: Option<AmbassadorTrafficRouting>,
    /// Apache APISIX: weights are set on the backends of an ApisixRoute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apisix: Option<ApisixTrafficRouting>,
    /// AWS App Mesh: weights are set on the targets of a virtual router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_mesh: Option<AppMeshTrafficRouting>,
    /// Istio: weights are set on VirtualService routes, split by host or by DestinationRule subset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub istio: Option<IstioTrafficRouting>,
    /// Routes the controller may create and delete for `setHeaderRoute` and `setMirrorRoute` steps. Their order here is their precedence; they are removed when the update is promoted or aborted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_routes: Option<Vec<ManagedRoute>>,
    /// Total weight that stands for all traffic; `setWeight` values range from 0 to it. Defaults to 100; only NGINX and plugin routers accept another value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_traffic_weight: Option<i32>,
    /// NGINX Ingress Controller: a canary copy of the stable Ingress carries the weight in annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nginx: Option<NginxTrafficRouting>,
    /// Traffic router plugins, keyed by plugin name, each with its own configuration. Plugins are declared in the controller's `argo-rollouts-config` ConfigMap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::preserve_unknown_fields")]
    pub plugins: Option<serde_json::Value>,
    /// Service Mesh Interface: weights are set on a TrafficSplit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smi: Option<SmiTrafficRouting>,
    /// Traefik: weights are set on a weighted TraefikService.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traefik: Option<TraefikTrafficRouting>,
}

/// AWS Load Balancer Controller ingress actions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlbTrafficRouting {
    /// Prefix of the annotations the controller writes. Defaults to `alb.ingress.kubernetes.io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_prefix: Option<String>,
    /// Name of the Ingress to manage. Set this or `ingresses`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<String>,
    /// Names of several Ingresses to manage alike. Set this or `ingress`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingresses: Option<Vec<String>>,
    /// Service that the Ingress rules send to and whose action annotation carries the weights. Defaults to `stableService`; required when `pingPong` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_service: Option<String>,
    /// Port of the canary and stable Services that the load balancer targets. Required.
    #[serde(default)]
    #[schemars(required)]
    pub service_port: i32,
    /// Target-group stickiness to add to the forward action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stickiness_config: Option<StickinessConfig>,
}

/// ALB target-group stickiness.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StickinessConfig {
    /// How long, in seconds, a client stays bound to one target group, from 1 to 604800 (7 days). Required.
    #[serde(default)]
    #[schemars(required)]
    pub duration_seconds: i64,
    /// Whether target-group stickiness is on. Required.
    #[serde(default)]
    #[schemars(required)]
    pub enabled: bool,
}

/// Ambassador/Emissary Mappings cloned for the canary.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AmbassadorTrafficRouting {
    /// Names of the Mappings to split; each gets a `<name>-canary` copy that carries the canary weight. At least one is required, and none may set a weight of its own.
    #[serde(default)]
    #[schemars(required)]
    pub mappings: Vec<String>,
}

/// Apache APISIX route weights.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApisixTrafficRouting {
    /// The ApisixRoute to manage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<ApisixRoute>,
}

/// An ApisixRoute and which of its rules to weight.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApisixRoute {
    /// Name of the ApisixRoute. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Names of the HTTP rules whose backends get the weights. Defaults to a single rule named like the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
}

/// AWS App Mesh virtual router weights.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppMeshTrafficRouting {
    /// The virtual nodes that stand for the canary and stable pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_node_group: Option<AppMeshVirtualNodeGroup>,
    /// The virtual service whose virtual router carries the weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_service: Option<AppMeshVirtualService>,
}

/// The canary and stable virtual nodes.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppMeshVirtualNodeGroup {
    /// Virtual node that the controller points at the canary pods. Required.
    #[serde(default)]
    #[schemars(required)]
    pub canary_virtual_node_ref: AppMeshVirtualNodeReference,
    /// Virtual node that the controller points at the stable pods. Required.
    #[serde(default)]
    #[schemars(required)]
    pub stable_virtual_node_ref: AppMeshVirtualNodeReference,
}

/// A virtual node by name.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppMeshVirtualNodeReference {
    /// Name of the virtual node. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
}

/// An App Mesh virtual service and its routes.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppMeshVirtualService {
    /// Name of the virtual service; it must be backed by a virtual router. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Names of the virtual router routes whose weighted targets are updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<String>>,
}

/// Istio VirtualService weights (host or subset split).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IstioTrafficRouting {
    /// DestinationRule to use for a subset-based split; without it the split is by Service host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_rule: Option<IstioDestinationRule>,
    /// The VirtualService to manage. Set this or `virtualServices`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_service: Option<IstioVirtualService>,
    /// Several VirtualServices to manage alike. Set this or `virtualService`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_services: Option<Vec<IstioVirtualService>>,
}

/// DestinationRule whose subsets select the canary and stable pods.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IstioDestinationRule {
    /// Names of further subsets in the DestinationRule; the controller does not manage them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_subset_names: Option<Vec<String>>,
    /// Subset that the controller points at the canary pods. Required.
    #[serde(default)]
    #[schemars(required)]
    pub canary_subset_name: String,
    /// Name of the DestinationRule. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Subset that the controller points at the stable pods. Required.
    #[serde(default)]
    #[schemars(required)]
    pub stable_subset_name: String,
}

/// A VirtualService and the routes whose weights are managed.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IstioVirtualService {
    /// Name of the VirtualService; `name.namespace` selects another namespace. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
    /// Names of the HTTP routes to weight. When unset (and no TLS or TCP routes are listed), the VirtualService must have exactly one HTTP route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<String>>,
    /// TCP routes to weight, selected by port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_routes: Option<Vec<TcpRoute>>,
    /// TLS routes to weight, selected by port and SNI hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_routes: Option<Vec<TlsRoute>>,
}

/// A TCP route selected by port.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TcpRoute {
    /// Port that the TCP route matches on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
}

/// A TLS route selected by port and SNI hosts.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TlsRoute {
    /// Port that the TLS route matches on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// SNI host names that the TLS route matches on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni_hosts: Option<Vec<String>>,
}

/// A route the controller may add for header or mirror steps, in precedence order.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagedRoute {
    /// Name of the route, as used by `setHeaderRoute` and `setMirrorRoute` steps. Required.
    #[serde(default)]
    #[schemars(required)]
    pub name: String,
}

/// NGINX ingress canary annotations on a cloned ingress.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NginxTrafficRouting {
    /// Extra annotations for the canary Ingress; each key is prefixed with `annotationPrefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_ingress_annotations: Option<BTreeMap<String, String>>,
    /// Prefix of the canary annotations. Defaults to `nginx.ingress.kubernetes.io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_prefix: Option<String>,
    /// Extra annotations for the canary Ingress, used with their keys as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_ingress_annotations: Option<BTreeMap<String, String>>,
    /// Name of the Ingress that serves the stable Service; a `<rollout>-<ingress>-canary` copy is created next to it. Set this or `stableIngresses`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_ingress: Option<String>,
    /// Names of several stable Ingresses, each given its own canary copy. Set this or `stableIngress`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_ingresses: Option<Vec<String>>,
}

/// SMI TrafficSplit weights.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SmiTrafficRouting {
    /// Service that clients address and that the TrafficSplit splits. Defaults to `stableService`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_service: Option<String>,
    /// Name of the TrafficSplit to create or update. Defaults to the Rollout's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_split_name: Option<String>,
}

/// Traefik weighted TraefikService.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TraefikTrafficRouting {
    /// Name of the TraefikService whose weighted services are the canary and stable Services. Required.
    #[serde(default)]
    #[schemars(required)]
    pub weighted_traefik_service_name: String,
}
