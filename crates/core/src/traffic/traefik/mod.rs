//! Traefik: the weighted `TraefikService` the Rollout names splits traffic between the canary and
//! stable Services by the weights of its `spec.weighted.services` (upstream
//! `rollout/trafficrouting/traefik`). The controller only sets those two weights and writes the object
//! back whole; Traefik has no header or mirror routes here and does not care about pod-template hashes,
//! so those operations do nothing.
//!
//! The stable Service gets `maxTrafficWeight - weight` (Traefik's weights are relative, so the split is
//! the one asked for; upstream writes `100 - weight`, which goes negative next to an NGINX router with a
//! larger `maxTrafficWeight`). As upstream, a missing TraefikService is not an invalid spec: setting
//! the weight fails, and the reconcile is retried.

mod services;

#[cfg(test)]
mod tests;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::TraefikTrafficRouting;
use serde_json::Value;

use super::{ObjectRef, Objects, Router, RouterError, RouterInput};

/// Upstream's default `--traefik-api-group`.
pub const DEFAULT_API_GROUP: &str = "traefik.io";
/// Upstream's default `--traefik-api-version`.
pub const DEFAULT_API_VERSION: &str = "traefik.io/v1alpha1";
/// The kind of the weighted service.
pub const KIND: &str = "TraefikService";

/// The Traefik router of one Rollout.
pub struct Traefik<'a> {
    input: RouterInput<'a>,
    routing: &'a TraefikTrafficRouting,
    api_version: String,
}

impl<'a> Traefik<'a> {
    /// The router reading TraefikServices in `group` at the version of `api_version` (upstream keeps
    /// only what follows the last `/` of `--traefik-api-version`, and takes the group from
    /// `--traefik-api-group`).
    pub fn new(input: RouterInput<'a>, routing: &'a TraefikTrafficRouting, group: &str, api_version: &str) -> Self {
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        Self {
            input,
            routing,
            api_version: format!("{group}/{version}"),
        }
    }

    fn target(&self) -> ObjectRef {
        ObjectRef::new(
            &self.api_version,
            KIND,
            self.input.namespace(),
            &self.routing.weighted_traefik_service_name,
        )
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
}

impl Router for Traefik<'_> {
    fn kind(&self) -> &'static str {
        "Traefik"
    }

    fn references(&self) -> Vec<ObjectRef> {
        vec![self.target()]
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

    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        let target = self.target();
        let mut object = objects.get(&target).cloned().ok_or_else(|| {
            RouterError::new(format!(
                "{}.{} \"{}\" not found",
                target.plural(),
                target.group(),
                target.name
            ))
        })?;
        let (stable, canary) = self.services();
        let weighted = services::weighted_services(&mut object).map_err(RouterError::new)?;
        services::set_weight(
            weighted,
            canary,
            i64::from(weight),
            "traefik canary service was not found",
        )
        .map_err(RouterError::new)?;
        services::set_weight(
            weighted,
            stable,
            i64::from(self.input.max_weight()) - i64::from(weight),
            "traefik stable service was not found",
        )
        .map_err(RouterError::new)?;
        objects.update(object);
        Ok(())
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

/// The weight of the Service `name` in a TraefikService, if it has one (for tests and the data plane).
pub fn service_weight(traefik_service: &Value, name: &str) -> Option<i64> {
    traefik_service
        .pointer("/spec/weighted/services")?
        .as_array()?
        .iter()
        .find(|s| s.get("name").and_then(Value::as_str) == Some(name))?
        .get("weight")?
        .as_i64()
}
