//! Traffic routers as pure transforms: each router reads the routing objects a Rollout names (an
//! Ingress, a VirtualService, a TrafficSplit, an HTTPRoute...) from [`Objects`] and records the writes
//! that bring them to the desired weights, hashes and routes. Nothing here talks to the API server: the
//! controller reads the objects [`references`] names into the snapshot, and carries out the writes the
//! plan lists.
//!
//! The operations are upstream's router interface (`UpdateHash`, `SetWeight`, `SetHeaderRoute`,
//! `SetMirrorRoute`, `RemoveManagedRoutes`), called in upstream's order by the canary reconcile, so that
//! the writes and their order are the ones upstream makes.

pub mod alb;
pub mod ambassador;
pub mod apisix;
pub mod appmesh;
mod failure;
pub mod gateway_api;
pub mod istio;
pub mod nginx;
mod objects;
mod owner;
mod scale;
mod selector;
pub mod smi;
pub mod traefik;
mod unstructured;
pub mod weights;

use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::Rollout;
use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::validation::FieldError;

pub use failure::failure_event;
pub use objects::{ObjectRef, Objects, RoutingEvent, RoutingWrite};
pub use owner::controlled_by;
pub use scale::WeightScale;
pub use selector::{LabelQuery, ObjectSelector, Requirement};

/// The name under which the Gateway API router is configured in `trafficRouting.plugins` (upstream
/// needs that plugin installed; here it is built in and reads the same configuration).
pub const GATEWAY_API_PLUGIN: &str = "argoproj-labs/gatewayAPI";

/// Which API versions the routers read and write, where a kind is served in several (upstream's
/// `--traffic-split-api-version` and `--istio-api-version`). `None` is the router's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutingSettings {
    /// TrafficSplit version (`v1alpha1`..`v1alpha4`).
    pub traffic_split_api_version: Option<String>,
    /// Istio `networking.istio.io` version (`v1alpha3`, `v1beta1`, `v1`).
    pub istio_api_version: Option<String>,
    /// Traefik API group (upstream's `--traefik-api-group`, `traefik.io` by default).
    pub traefik_api_group: Option<String>,
    /// Traefik `apiVersion` (upstream's `--traefik-api-version`, `traefik.io/v1alpha1` by default).
    pub traefik_api_version: Option<String>,
    /// Ambassador `apiVersion` (upstream's `--ambassador-api-version`, `getambassador.io/v2` by
    /// default).
    pub ambassador_api_version: Option<String>,
    /// App Mesh CRD version (upstream's `--appmesh-crd-version`, `v1beta2` by default).
    pub appmesh_crd_version: Option<String>,
}

/// Why a router could not do what it was asked; the reconcile stops there and is retried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RouterError(pub String);

impl RouterError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// What a router sees of the reconcile besides the routing objects.
#[derive(Debug, Clone, Copy)]
pub struct RouterInput<'a> {
    /// The Rollout (its spec and the status it was read with).
    pub rollout: &'a Rollout,
    /// Its ReplicaSets, as the plan leaves them so far.
    pub replica_sets: &'a [ReplicaSet],
}

impl<'a> RouterInput<'a> {
    /// The Rollout's namespace.
    pub fn namespace(&self) -> &'a str {
        self.rollout.metadata.namespace.as_deref().unwrap_or_default()
    }

    /// The Rollout's name.
    pub fn name(&self) -> &'a str {
        self.rollout.metadata.name.as_deref().unwrap_or_default()
    }

    /// The canary strategy's `trafficRouting`.
    pub fn routing(&self) -> Option<&'a rollouts_api::traffic::RolloutTrafficRouting> {
        self.rollout
            .spec
            .strategy
            .as_ref()?
            .canary
            .as_ref()?
            .traffic_routing
            .as_ref()
    }

    /// `maxTrafficWeight`, 100 by default.
    pub fn max_weight(&self) -> i32 {
        self.rollout.spec.max_traffic_weight()
    }

    /// `(stable, canary)` Service names (upstream `GetStableAndCanaryServices`): the ping-pong pair
    /// when ping-pong is on and either preferred by the router or no stable/canary Service is named.
    pub fn stable_and_canary_services(&self, prefer_ping_pong: bool) -> (String, String) {
        let Some(canary) = self.rollout.spec.strategy.as_ref().and_then(|s| s.canary.as_ref()) else {
            return (String::new(), String::new());
        };
        let stable_service = canary.stable_service.clone().unwrap_or_default();
        let canary_service = canary.canary_service.clone().unwrap_or_default();
        let unnamed = stable_service.is_empty() && canary_service.is_empty();
        if let Some(ping_pong) = canary.ping_pong.as_ref()
            && (prefer_ping_pong || unnamed)
        {
            let stable_is_ping = self
                .rollout
                .status
                .as_ref()
                .and_then(|s| s.canary.as_ref())
                .and_then(|c| c.stable_ping_pong.as_deref())
                == Some("ping");
            let (ping, pong) = (ping_pong.ping_service.clone(), ping_pong.pong_service.clone());
            return if stable_is_ping { (ping, pong) } else { (pong, ping) };
        }
        (stable_service, canary_service)
    }
}

/// One traffic router (upstream's `TrafficRoutingReconciler`). Every operation reads the objects it
/// needs from `objects` and records its writes there; an object it needs that is missing is an error.
pub trait Router {
    /// Upstream's `Type()`, e.g. `Nginx`, used in logs and messages.
    fn kind(&self) -> &'static str;

    /// The objects this router reads; the controller loads them into the snapshot.
    fn references(&self) -> Vec<ObjectRef>;

    /// The objects named inside objects this router reads (App Mesh's VirtualRouter, named by the
    /// VirtualService); the controller loads them once it has read `objects`.
    fn dependent_references(&self, objects: &Objects) -> Vec<ObjectRef> {
        let _ = objects;
        Vec::new()
    }

    /// The objects this router reads by label; the controller lists them into the snapshot, where
    /// [`Objects::list`] finds them.
    fn selectors(&self) -> Vec<ObjectSelector> {
        Vec::new()
    }

    /// Points the router at the canary and stable pod-template hashes (and the extra destinations).
    fn update_hash(
        &self,
        objects: &mut Objects,
        canary_hash: &str,
        stable_hash: &str,
        additional: &[WeightDestination],
    ) -> Result<(), RouterError>;

    /// Sends `weight` (of `maxTrafficWeight`) to the canary, the extra destinations their own weights,
    /// and the rest to the stable.
    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        additional: &[WeightDestination],
    ) -> Result<(), RouterError>;

    /// Sets (or, with no `match`, removes) a header route of a `setHeaderRoute` step.
    fn set_header_route(&self, objects: &mut Objects, route: &SetHeaderRoute) -> Result<(), RouterError>;

    /// Sets (or, with no `match`, removes) a mirror route of a `setMirrorRoute` step.
    fn set_mirror_route(&self, objects: &mut Objects, route: &SetMirrorRoute) -> Result<(), RouterError>;

    /// Removes every route named in `managedRoutes`.
    fn remove_managed_routes(&self, objects: &mut Objects) -> Result<(), RouterError>;

    /// The first object the Rollout names that does not exist (upstream `validation_references.go`
    /// reads them all before checking any: a missing Ingress or VirtualService), which makes the
    /// Rollout InvalidSpec before anything is planned.
    fn missing_reference(&self, objects: &Objects) -> Option<FieldError> {
        let _ = objects;
        None
    }

    /// The first problem with the objects the Rollout names, all of which exist (an Ingress that does
    /// not route to the stable Service, a VirtualService route that is not there...), which makes the
    /// Rollout InvalidSpec before anything is planned.
    fn validate(&self, objects: &Objects) -> Option<FieldError> {
        let _ = objects;
        None
    }
}

/// The routers a Rollout configures, in the order upstream drives them (Istio, NGINX, ALB, SMI,
/// Ambassador, App Mesh, Traefik, APISIX, then plugins). Routers not built yet are refused earlier by
/// the planner's validation, so they are not in this list.
pub fn routers<'a>(input: RouterInput<'a>) -> Vec<Box<dyn Router + 'a>> {
    routers_with(input, &RoutingSettings::default())
}

/// [`routers`] with the API versions of `settings`.
pub fn routers_with<'a>(input: RouterInput<'a>, settings: &RoutingSettings) -> Vec<Box<dyn Router + 'a>> {
    let Some(routing) = input.routing() else {
        return Vec::new();
    };
    let mut routers: Vec<Box<dyn Router + 'a>> = Vec::new();
    if let Some(config) = &routing.istio {
        let version = settings
            .istio_api_version
            .as_deref()
            .unwrap_or(istio::DEFAULT_API_VERSION);
        routers.push(Box::new(istio::IstioRouter::new(input, config, version)));
    }
    if let Some(nginx) = routing.nginx.as_ref() {
        routers.push(Box::new(nginx::Nginx::new(input, nginx)));
    }
    if let Some(alb) = routing.alb.as_ref() {
        routers.push(Box::new(alb::Alb::new(input, alb)));
    }
    if let Some(smi) = &routing.smi {
        let version = settings
            .traffic_split_api_version
            .as_deref()
            .and_then(|v| v.parse().ok())
            .unwrap_or_default();
        routers.push(Box::new(smi::Smi::with_version(input, smi, version)));
    }
    if let Some(config) = &routing.ambassador {
        let version = settings
            .ambassador_api_version
            .as_deref()
            .unwrap_or(ambassador::DEFAULT_API_VERSION);
        routers.push(Box::new(ambassador::Ambassador::new(input, config, version)));
    }
    if let Some(app_mesh) = &routing.app_mesh {
        let version = settings
            .appmesh_crd_version
            .as_deref()
            .unwrap_or(appmesh::DEFAULT_CRD_VERSION);
        routers.push(Box::new(appmesh::AppMesh::new(input, app_mesh, version)));
    }
    if let Some(config) = &routing.traefik {
        let group = settings
            .traefik_api_group
            .as_deref()
            .unwrap_or(traefik::DEFAULT_API_GROUP);
        let version = settings
            .traefik_api_version
            .as_deref()
            .unwrap_or(traefik::DEFAULT_API_VERSION);
        routers.push(Box::new(traefik::Traefik::new(input, config, group, version)));
    }
    if let Some(apisix) = &routing.apisix {
        routers.push(Box::new(apisix::Apisix::new(input, apisix)));
    }
    // Plugins come last; the Gateway API one is built in.
    routers.extend(gateway_api::router(input));
    routers
}

/// Every object the Rollout's routers read by name, for the controller to load.
pub fn references(rollout: &Rollout, settings: &RoutingSettings) -> Vec<ObjectRef> {
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    let mut refs: Vec<ObjectRef> = routers_with(input, settings)
        .iter()
        .flat_map(|r| r.references())
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// Every object named inside the objects `read` that the Rollout's routers also read, for the
/// controller to load after them.
pub fn dependent_references(
    rollout: &Rollout,
    settings: &RoutingSettings,
    read: &[serde_json::Value],
) -> Vec<ObjectRef> {
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    let objects = Objects::new(read);
    let mut refs: Vec<ObjectRef> = routers_with(input, settings)
        .iter()
        .flat_map(|r| r.dependent_references(&objects))
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// Every selector of objects the Rollout's routers read by label, for the controller to list.
pub fn selectors(rollout: &Rollout, settings: &RoutingSettings) -> Vec<ObjectSelector> {
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    let mut selectors: Vec<ObjectSelector> = routers_with(input, settings)
        .iter()
        .flat_map(|r| r.selectors())
        .collect();
    selectors.sort();
    selectors.dedup();
    selectors
}
