//! AWS App Mesh: the Rollout's VirtualService is provided by a VirtualRouter whose routes send traffic
//! to the canary and stable VirtualNodes by weight (upstream `rollout/trafficrouting/appmesh`). The
//! weights go into the routes' `weightedTargets` (every route, or those in `virtualService.routes`),
//! and each VirtualNode's `podSelector` is pointed at its ReplicaSet through the
//! `rollouts-pod-template-hash` label. App Mesh takes weights up to 100: a larger `maxTrafficWeight`
//! is written as percentages. The CRD version is the controller's `--appmesh-crd-version`.
//! App Mesh has no header or mirror routes here, as upstream.

mod validate;
mod virtual_node;
mod virtual_router;

#[cfg(test)]
mod tests;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::AppMeshTrafficRouting;
use rollouts_api::validation::FieldError;
use serde_json::Value;

use super::{ObjectRef, Objects, Router, RouterError, RouterInput};

/// The API group of App Mesh's CRDs.
pub const GROUP: &str = "appmesh.k8s.aws";

/// The CRD version upstream uses unless told otherwise.
pub const DEFAULT_CRD_VERSION: &str = "v1beta2";

/// Upstream's messages.
const VIRTUAL_SERVICE_NOT_USING_VIRTUAL_ROUTER: &str = "Virtual-service is not associated with virtual-router";
const VIRTUAL_SERVICE_MISSING: &str = "Virtual-service is missing";
const VIRTUAL_ROUTER_MISSING: &str = "Virtual-router is missing";
const VIRTUAL_NODE_MISSING: &str = "Virtual-node is missing";

/// The App Mesh router of one Rollout.
pub struct AppMesh<'a> {
    input: RouterInput<'a>,
    routing: &'a AppMeshTrafficRouting,
    api_version: String,
}

impl<'a> AppMesh<'a> {
    /// The router reading and writing App Mesh objects of `crd_version` (e.g. `v1beta2`).
    pub fn new(input: RouterInput<'a>, routing: &'a AppMeshTrafficRouting, crd_version: &str) -> Self {
        Self {
            input,
            routing,
            api_version: format!("{GROUP}/{crd_version}"),
        }
    }

    fn object_ref(&self, kind: &str, namespace: &str, name: &str) -> ObjectRef {
        ObjectRef::new(&self.api_version, kind, namespace, name)
    }

    /// `virtualService.name`, empty when unset.
    fn virtual_service_name(&self) -> &'a str {
        self.routing.virtual_service.as_ref().map_or("", |v| v.name.as_str())
    }

    fn virtual_service_ref(&self) -> ObjectRef {
        self.object_ref("VirtualService", self.input.namespace(), self.virtual_service_name())
    }

    /// `(stable, canary)` VirtualNode names, empty when unset.
    fn virtual_node_names(&self) -> (&'a str, &'a str) {
        self.routing.virtual_node_group.as_ref().map_or(("", ""), |group| {
            (
                group.stable_virtual_node_ref.name.as_str(),
                group.canary_virtual_node_ref.name.as_str(),
            )
        })
    }

    fn virtual_node_ref(&self, name: &str) -> ObjectRef {
        self.object_ref("VirtualNode", self.input.namespace(), name)
    }

    /// The VirtualRouter a VirtualService is provided by (`spec.provider.virtualRouter.virtualRouterRef`,
    /// in the VirtualService's namespace unless it names one).
    fn virtual_router_ref(&self, virtual_service: &Value) -> Result<ObjectRef, RouterError> {
        let Some(Value::Object(reference)) = virtual_service.pointer("/spec/provider/virtualRouter/virtualRouterRef")
        else {
            return Err(RouterError::new(VIRTUAL_SERVICE_NOT_USING_VIRTUAL_ROUTER));
        };
        let text = |key: &str| reference.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
        let namespace = text("namespace")
            .or_else(|| virtual_service.pointer("/metadata/namespace").and_then(Value::as_str))
            .unwrap_or_default();
        let Some(Value::String(name)) = reference.get("name") else {
            return Err(RouterError::new(format!(
                "VirtualService `{}` names no virtual-router",
                self.virtual_service_name()
            )));
        };
        Ok(self.object_ref("VirtualRouter", namespace, name))
    }
}

impl Router for AppMesh<'_> {
    fn kind(&self) -> &'static str {
        "AppMesh"
    }

    /// The VirtualService and both VirtualNodes; the VirtualRouter is found through the VirtualService.
    fn references(&self) -> Vec<ObjectRef> {
        let (stable, canary) = self.virtual_node_names();
        let mut refs = Vec::new();
        if !self.virtual_service_name().is_empty() {
            refs.push(self.virtual_service_ref());
        }
        refs.extend(
            [stable, canary]
                .into_iter()
                .filter(|name| !name.is_empty())
                .map(|name| self.virtual_node_ref(name)),
        );
        refs
    }

    fn dependent_references(&self, objects: &Objects) -> Vec<ObjectRef> {
        objects
            .get(&self.virtual_service_ref())
            .and_then(|vs| self.virtual_router_ref(vs).ok())
            .into_iter()
            .collect()
    }

    fn update_hash(
        &self,
        objects: &mut Objects,
        canary_hash: &str,
        stable_hash: &str,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        virtual_node::update_hashes(self, objects, canary_hash, stable_hash)
    }

    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        virtual_router::set_weight(self, objects, weight)
    }

    fn set_header_route(&self, _objects: &mut Objects, _route: &SetHeaderRoute) -> Result<(), RouterError> {
        Ok(())
    }

    fn set_mirror_route(&self, _objects: &mut Objects, _route: &SetMirrorRoute) -> Result<(), RouterError> {
        Ok(())
    }

    fn remove_managed_routes(&self, _objects: &mut Objects) -> Result<(), RouterError> {
        Ok(())
    }

    fn missing_reference(&self, objects: &Objects) -> Option<FieldError> {
        validate::missing_reference(self, objects)
    }

    fn validate(&self, objects: &Objects) -> Option<FieldError> {
        validate::virtual_router_problem(self, objects)
    }
}
