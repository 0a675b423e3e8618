//! Ambassador (Emissary-ingress): for each Mapping the Rollout names, a `<mapping>-canary` copy pointing
//! at the canary Service carries the canary's weight, and Ambassador sends the rest to the base Mapping
//! (upstream `rollout/trafficrouting/ambassador`). The copy is created on the first weight above 0,
//! its weight updated at every step, and once the weight is back to 0 it is deleted a few seconds
//! later, when the proxies have stopped sending it traffic. Header and mirror routes and pod-template
//! hashes do not apply.
//!
//! As upstream, the weight given is the canary's share out of 100 whatever `maxTrafficWeight` says
//! (validation allows `maxTrafficWeight` only alongside NGINX or plugins).

pub mod mapping;

#[cfg(test)]
mod tests;

use std::time::Duration;

use rollouts_api::gofmt::go_quote;
use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::AmbassadorTrafficRouting;
use rollouts_api::validation::FieldError;

use super::{ObjectRef, Objects, Router, RouterError, RouterInput};
pub use mapping::{DEFAULT_API_VERSION, MappingResource};

/// How long after its weight went to 0 the canary Mapping is deleted (upstream's 5 s sleep).
pub const CANARY_DELETE_DELAY: Duration = Duration::from_secs(5);

/// Normal event of every weight set.
pub const CANARY_MAPPING_WEIGHT_UPDATE: &str = "CanaryMappingWeightUpdate";
/// Warning event of a base Mapping that does not exist.
pub const AMBASSADOR_MAPPING_NOT_FOUND: &str = "AmbassadorMappingNotFound";
/// Warning event of a base Mapping that sets a weight.
pub const AMBASSADOR_MAPPING_CONFIG_ERROR: &str = "AmbassadorMappingConfigError";

/// The Ambassador router of one Rollout.
pub struct Ambassador<'a> {
    input: RouterInput<'a>,
    routing: &'a AmbassadorTrafficRouting,
    resource: MappingResource,
}

impl<'a> Ambassador<'a> {
    /// The router writing Mappings of `api_version` (the controller's `--ambassador-api-version`).
    pub fn new(input: RouterInput<'a>, routing: &'a AmbassadorTrafficRouting, api_version: &str) -> Self {
        Self {
            input,
            routing,
            resource: MappingResource::of(api_version),
        }
    }

    fn mapping(&self, name: &str) -> ObjectRef {
        self.resource.target(self.input.namespace(), name)
    }

    /// `(stableService, canaryService)` as written in the spec.
    fn services(&self) -> (&'a str, &'a str) {
        let canary = self
            .input
            .rollout
            .spec
            .strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref());
        (
            canary.and_then(|c| c.stable_service.as_deref()).unwrap_or_default(),
            canary.and_then(|c| c.canary_service.as_deref()).unwrap_or_default(),
        )
    }

    /// The API server's message for a Mapping that does not exist.
    fn not_found(target: &ObjectRef) -> String {
        format!("{}.{} \"{}\" not found", target.plural(), target.group(), target.name)
    }

    /// Creates, updates or deletes the canary Mapping of one base Mapping.
    fn canary_mapping(&self, objects: &mut Objects, base_name: &str, weight: i32) -> Result<(), String> {
        let canary = self.mapping(&mapping::canary_name(base_name));
        let Some(existing) = objects.get(&canary) else {
            if weight == 0 {
                return Ok(());
            }
            return self.create_canary_mapping(objects, base_name, weight);
        };
        let mut updated = existing.clone();
        mapping::set_weight(&mut updated, weight);
        objects.update(updated);
        if weight == 0 {
            objects.delete_after(&canary, CANARY_DELETE_DELAY);
        }
        Ok(())
    }

    fn create_canary_mapping(&self, objects: &mut Objects, base_name: &str, weight: i32) -> Result<(), String> {
        let base = self.mapping(base_name);
        let Some(base_mapping) = objects.get(&base) else {
            objects.warning(
                AMBASSADOR_MAPPING_NOT_FOUND,
                format!("Ambassador mapping {} not found", go_quote(base_name)),
            );
            return Err(Self::not_found(&base));
        };
        if mapping::weight(base_mapping) != 0 {
            let message = weight_defined(base_name);
            objects.warning(AMBASSADOR_MAPPING_CONFIG_ERROR, message.clone());
            return Err(message);
        }
        let (stable, canary) = self.services();
        let created = mapping::canary_mapping(base_mapping, stable, canary, weight);
        objects.create(created);
        Ok(())
    }
}

/// Upstream's message for a base Mapping that sets a weight.
fn weight_defined(name: &str) -> String {
    format!("Ambassador mapping {} can not define weight", go_quote(name))
}

/// Upstream's `formatErrors`: one error as it is, several counted and bracketed.
fn format_errors(errors: Vec<String>) -> Result<(), RouterError> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(RouterError(errors.concat())),
        n => {
            let listed: String = errors.iter().map(|e| format!("[{e}]")).collect();
            Err(RouterError(format!("{n} errors found: {listed}")))
        }
    }
}

impl Router for Ambassador<'_> {
    fn kind(&self) -> &'static str {
        "Ambassador"
    }

    fn references(&self) -> Vec<ObjectRef> {
        self.routing
            .mappings
            .iter()
            .flat_map(|name| [self.mapping(name), self.mapping(&mapping::canary_name(name))])
            .collect()
    }

    /// Every Mapping named must exist (upstream reads them all before checking any).
    fn missing_reference(&self, objects: &Objects) -> Option<FieldError> {
        self.routing.mappings.iter().find_map(|name| {
            let target = self.mapping(name);
            objects.get(&target).is_none().then(|| {
                FieldError::invalid(
                    "spec.strategy.canary.trafficRouting.ambassador.mappings",
                    name.as_str(),
                    Self::not_found(&target),
                )
            })
        })
    }

    /// No Mapping named may set a weight of its own.
    fn validate(&self, objects: &Objects) -> Option<FieldError> {
        self.routing.mappings.iter().find_map(|name| {
            let base = objects.get(&self.mapping(name))?;
            (mapping::weight(base) != 0)
                .then(|| FieldError::invalid("spec.weight", name.as_str(), weight_defined(name)))
        })
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

    /// Upstream handles the Mappings concurrently and gathers the errors; here they are handled in the
    /// order named, which gives the same writes.
    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        // Mapping weights are percentages: a `maxTrafficWeight` (allowed next to NGINX) is converted,
        // rounding down so that the canary never gets more than its share.
        let max_weight = i64::from(self.input.max_weight().max(1));
        let weight = i32::try_from(i64::from(weight) * 100 / max_weight).unwrap_or(100);
        objects.event(
            CANARY_MAPPING_WEIGHT_UPDATE,
            format!("Set canary mapping weight to {weight}"),
        );
        let errors: Vec<String> = self
            .routing
            .mappings
            .iter()
            .filter_map(|name| self.canary_mapping(objects, name, weight).err())
            .collect();
        format_errors(errors)
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
}
