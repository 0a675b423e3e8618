//! Apache APISIX: the `ApisixRoute` named in `apisix.route.name` (`apisix.apache.org/v2`) carries the
//! weights in the `backends` of its HTTP rules (upstream `rollout/trafficrouting/apisix`). The rules
//! weighted are `route.rules`, or the one named like the route. A `setHeaderRoute` step gets its own
//! ApisixRoute, a copy of the Rollout's owned by it, that sends matching requests to the canary only
//! and is tried first. APISIX needs no pod-template hashes and has no mirror routes.

mod header_route;
mod rules;

#[cfg(test)]
mod tests;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::ApisixTrafficRouting;
use rollouts_api::validation::FieldError;
use serde_json::Value;

use super::{ObjectRef, Objects, Router, RouterError, RouterInput};

/// The `apiVersion` of ApisixRoutes upstream reads and writes.
pub const API_VERSION: &str = "apisix.apache.org/v2";

/// The kind.
pub const KIND: &str = "ApisixRoute";

/// The API group, for the NotFound message.
const GROUP: &str = "apisix.apache.org";

/// The APISIX router of one Rollout.
pub struct Apisix<'a> {
    input: RouterInput<'a>,
    routing: &'a ApisixTrafficRouting,
}

impl<'a> Apisix<'a> {
    /// The router of the Rollout's `trafficRouting.apisix`.
    pub fn new(input: RouterInput<'a>, routing: &'a ApisixTrafficRouting) -> Self {
        Self { input, routing }
    }

    /// `route.name`, empty when unset.
    fn route_name(&self) -> &'a str {
        self.routing.route.as_ref().map_or("", |r| r.name.as_str())
    }

    /// The rules weighted: `route.rules` as written (an empty list weights none), else the route's name.
    fn rule_names(&self) -> Vec<&'a str> {
        match self.routing.route.as_ref().and_then(|r| r.rules.as_ref()) {
            Some(rules) => rules.iter().map(String::as_str).collect(),
            None => vec![self.route_name()],
        }
    }

    /// An ApisixRoute of the Rollout's namespace.
    fn route_ref(&self, name: &str) -> ObjectRef {
        ObjectRef::new(API_VERSION, KIND, self.input.namespace(), name)
    }

    /// The ApisixRoute `name` as the writes so far leave it, or the API server's NotFound message.
    fn read(&self, objects: &Objects, name: &str) -> Result<Value, RouterError> {
        objects
            .get(&self.route_ref(name))
            .cloned()
            .ok_or_else(|| RouterError::new(format!("apisixroutes.{GROUP} \"{name}\" not found")))
    }

    /// `(stableService, canaryService)` as written in the spec, which is what upstream's router reads.
    fn services(&self) -> (&'a str, &'a str) {
        let canary = self
            .input
            .rollout
            .spec
            .strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref());
        let name = |s: Option<&'a String>| s.map_or("", String::as_str);
        (
            name(canary.and_then(|c| c.stable_service.as_ref())),
            name(canary.and_then(|c| c.canary_service.as_ref())),
        )
    }

    /// The names in `managedRoutes`.
    fn managed_route_names(&self) -> Vec<&'a str> {
        self.input
            .routing()
            .and_then(|r| r.managed_routes.as_ref())
            .map(|routes| routes.iter().map(|r| r.name.as_str()).collect())
            .unwrap_or_default()
    }
}

impl Router for Apisix<'_> {
    fn kind(&self) -> &'static str {
        "Apisix"
    }

    /// The ApisixRoute and the header-route ApisixRoutes the managed routes may have created.
    fn references(&self) -> Vec<ObjectRef> {
        std::iter::once(self.route_name())
            .chain(self.managed_route_names())
            .filter(|name| !name.is_empty())
            .map(|name| self.route_ref(name))
            .collect()
    }

    /// No `route` at all (upstream cannot run such a Rollout either); a route that does not exist is
    /// left to the weighting's error, as upstream.
    fn missing_reference(&self, _objects: &Objects) -> Option<FieldError> {
        self.routing
            .route
            .is_none()
            .then(|| FieldError::required("spec.strategy.canary.trafficRouting.apisix.route", ""))
    }

    fn update_hash(
        &self,
        _objects: &mut Objects,
        _canary_hash: &str,
        _stable_hash: &str,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        Ok(())
    }

    /// `weight` to the canary backend and the rest of `maxTrafficWeight` to the stable one, in every
    /// rule weighted; the route is written back whole when that changed it.
    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        let mut route = self.read(objects, self.route_name())?;
        let (stable, canary) = self.services();
        let rules = rules::http_rules(&mut route)?;
        for name in self.rule_names() {
            let rule = rules::rule_named(rules, name)?;
            rules::set_backend_weight(rule, canary, i64::from(weight))?;
            rules::set_backend_weight(rule, stable, i64::from(self.input.max_weight() - weight))?;
        }
        objects.update(route);
        Ok(())
    }

    fn set_header_route(&self, objects: &mut Objects, route: &SetHeaderRoute) -> Result<(), RouterError> {
        header_route::set(self, objects, route)
    }

    fn set_mirror_route(&self, _objects: &mut Objects, _route: &SetMirrorRoute) -> Result<(), RouterError> {
        Ok(())
    }

    fn remove_managed_routes(&self, objects: &mut Objects) -> Result<(), RouterError> {
        header_route::remove_managed(self, objects);
        Ok(())
    }
}
