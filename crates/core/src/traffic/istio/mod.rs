//! The Istio router (upstream `rollout/trafficrouting/istio`): weights on the http, tls and tcp
//! routes of one or more VirtualServices, split by Service host or by DestinationRule subset; the
//! subsets' pod-template hashes; and the header and mirror routes of `setHeaderRoute` and
//! `setMirrorRoute` steps, kept first in the http routes in `managedRoutes` order.
//!
//! Every VirtualService change replaces the whole object, as upstream does; the DestinationRule is
//! replaced too, after its subsets are rewritten. Objects are only written when they change.
//!
//! Not covered: upstream's multicluster mode, where the VirtualServices and DestinationRule live in a
//! primary cluster reached through a Secret labelled `istio.argoproj.io/primary-cluster`; the objects
//! are always read from and written to the Rollout's own cluster.

mod destination_rule;
mod header_route;
mod managed_routes;
mod mirror_route;
pub mod names;
pub mod release;
mod routes;
mod validate;
mod virtual_service;

#[cfg(test)]
mod tests;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::{IstioDestinationRule, IstioTrafficRouting, IstioVirtualService};
use serde_json::Value;

use rollouts_api::validation::FieldError;

use super::{ObjectRef, Objects, Router, RouterError, RouterInput};

/// The API group of VirtualServices and DestinationRules.
pub const API_GROUP: &str = "networking.istio.io";
/// The version read and written unless the controller is told otherwise (upstream
/// `--istio-api-version`).
pub const DEFAULT_API_VERSION: &str = "v1alpha3";

const VIRTUAL_SERVICE: &str = "VirtualService";
/// Upstream's reason for the events of VirtualService writes (with its space).
const UPDATED_VIRTUAL_SERVICE: &str = "Updated VirtualService";
const DESTINATION_RULE: &str = "DestinationRule";

/// The Istio router of one Rollout.
pub struct IstioRouter<'a> {
    input: RouterInput<'a>,
    istio: &'a IstioTrafficRouting,
    api_version: String,
}

impl<'a> IstioRouter<'a> {
    /// The router for `trafficRouting.istio`, reading and writing `networking.istio.io/<version>`.
    pub fn new(input: RouterInput<'a>, istio: &'a IstioTrafficRouting, version: &str) -> Self {
        Self {
            input,
            istio,
            api_version: format!("{API_GROUP}/{version}"),
        }
    }

    /// `virtualServices`, or the one `virtualService`.
    fn virtual_services(&self) -> Vec<&'a IstioVirtualService> {
        match (&self.istio.virtual_services, &self.istio.virtual_service) {
            (Some(many), _) => many.iter().collect(),
            (None, Some(one)) => vec![one],
            (None, None) => Vec::new(),
        }
    }

    /// Where a VirtualService lives: its `name.namespace`, or the Rollout's namespace.
    fn virtual_service_ref(&self, virtual_service: &IstioVirtualService) -> ObjectRef {
        let (namespace, name) = names::namespace_and_name(&virtual_service.name);
        let namespace = if namespace.is_empty() {
            self.input.namespace().to_string()
        } else {
            namespace
        };
        ObjectRef::new(&self.api_version, VIRTUAL_SERVICE, &namespace, &name)
    }

    fn destination_rule(&self) -> Option<&'a IstioDestinationRule> {
        self.istio.destination_rule.as_ref()
    }

    /// The DestinationRule always lives in the Rollout's namespace.
    fn destination_rule_ref(&self, rule: &IstioDestinationRule) -> ObjectRef {
        ObjectRef::new(&self.api_version, DESTINATION_RULE, self.input.namespace(), &rule.name)
    }

    /// The API server's NotFound message for an object.
    fn not_found(&self, target: &ObjectRef) -> RouterError {
        RouterError(format!(
            "{}.{} \"{}\" not found",
            target.plural(),
            target.group(),
            target.name
        ))
    }

    /// A VirtualService as the writes so far leave it, to be changed and written back whole.
    fn read_virtual_service(&self, objects: &Objects, target: &ObjectRef) -> Result<Value, RouterError> {
        objects.get(target).cloned().ok_or_else(|| self.not_found(target))
    }

    /// `spec.host` of the DestinationRule, empty without one (upstream `getDestinationRuleHost`);
    /// header and mirror routes send to it rather than to the canary Service.
    fn destination_rule_host(&self, objects: &Objects) -> Result<String, RouterError> {
        let Some(rule) = self.destination_rule() else {
            return Ok(String::new());
        };
        let target = self.destination_rule_ref(rule);
        let read = objects.get(&target).ok_or_else(|| self.not_found(&target))?;
        Ok(read
            .pointer("/spec/host")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    /// Where header and mirror routes send: the DestinationRule's host and canary subset, or the
    /// canary Service.
    fn canary_destination(&self, objects: &Objects) -> Result<(String, String), RouterError> {
        let host = self.destination_rule_host(objects)?;
        let host = if host.is_empty() {
            self.input.stable_and_canary_services(false).1
        } else {
            host
        };
        let subset = self
            .destination_rule()
            .map(|rule| rule.canary_subset_name.clone())
            .unwrap_or_default();
        Ok((host, subset))
    }

    /// The names in `managedRoutes`, when the field is set.
    fn managed_routes(&self) -> Option<Vec<String>> {
        self.input
            .routing()
            .and_then(|routing| routing.managed_routes.as_ref())
            .map(|routes| routes.iter().map(|r| r.name.clone()).collect())
    }
}

impl Router for IstioRouter<'_> {
    /// Upstream's reference validation, first part: every VirtualService named must exist.
    fn missing_reference(&self, objects: &Objects) -> Option<FieldError> {
        self.missing_virtual_service(objects)
    }

    /// Upstream's reference validation, second part: the routes of every VirtualService.
    fn validate(&self, objects: &Objects) -> Option<FieldError> {
        self.invalid_virtual_service(objects)
    }

    fn kind(&self) -> &'static str {
        "Istio"
    }

    fn references(&self) -> Vec<ObjectRef> {
        let mut refs: Vec<ObjectRef> = self
            .virtual_services()
            .into_iter()
            .map(|vs| self.virtual_service_ref(vs))
            .filter(|r| !r.name.is_empty())
            .collect();
        if let Some(rule) = self.destination_rule().filter(|rule| !rule.name.is_empty()) {
            refs.push(self.destination_rule_ref(rule));
        }
        refs
    }

    fn update_hash(
        &self,
        objects: &mut Objects,
        canary_hash: &str,
        stable_hash: &str,
        additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        self.update_destination_rule(objects, canary_hash, stable_hash, additional)
    }

    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        // Istio weights are percentages: a `maxTrafficWeight` (allowed next to NGINX) is converted,
        // rounding down so that no destination gets more than its share.
        let max_weight = i64::from(self.input.max_weight().max(1));
        if max_weight == 100 {
            return self.set_virtual_service_weights(objects, weight, additional);
        }
        let percent = |w: i32| i32::try_from(i64::from(w) * 100 / max_weight).unwrap_or(100);
        let additional: Vec<WeightDestination> = additional
            .iter()
            .map(|d| WeightDestination {
                weight: percent(d.weight),
                ..d.clone()
            })
            .collect();
        self.set_virtual_service_weights(objects, percent(weight), &additional)
    }

    fn set_header_route(&self, objects: &mut Objects, route: &SetHeaderRoute) -> Result<(), RouterError> {
        self.set_header_routes(objects, route)
    }

    fn set_mirror_route(&self, objects: &mut Objects, route: &SetMirrorRoute) -> Result<(), RouterError> {
        self.set_mirror_routes(objects, route)
    }

    fn remove_managed_routes(&self, objects: &mut Objects) -> Result<(), RouterError> {
        self.remove_all_managed_routes(objects)
    }
}
