//! SMI: the Rollout's TrafficSplit (`split.smi-spec.io`) sends the root Service's traffic to the canary
//! Service, the extra destinations and the stable Service by weight (upstream
//! `rollout/trafficrouting/smi`). The controller creates the TrafficSplit, owned by the Rollout, and
//! afterwards patches its spec; a TrafficSplit the Rollout does not control is left alone. SMI has no
//! header or mirror routes and does not care about pod-template hashes, so those operations do nothing.

mod quantity;
mod split;

#[cfg(test)]
mod tests;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::SmiTrafficRouting;
use serde_json::json;

pub use split::{SplitVersion, UnsupportedSplitVersion};

use super::{ObjectRef, Objects, Router, RouterError, RouterInput, controlled_by};
use crate::plan::merge_patch;
use crate::plan::replica_sets::controller_ref;
use split::Backend;

/// The SMI router of one Rollout.
pub struct Smi<'a> {
    input: RouterInput<'a>,
    routing: &'a SmiTrafficRouting,
    version: SplitVersion,
}

impl<'a> Smi<'a> {
    /// The router writing TrafficSplits of upstream's default version, `v1alpha1`.
    pub fn new(input: RouterInput<'a>, routing: &'a SmiTrafficRouting) -> Self {
        Self::with_version(input, routing, SplitVersion::default())
    }

    /// The router writing TrafficSplits of `version` (the controller's `--traffic-split-api-version`).
    pub fn with_version(input: RouterInput<'a>, routing: &'a SmiTrafficRouting, version: SplitVersion) -> Self {
        Self {
            input,
            routing,
            version,
        }
    }

    /// `trafficSplitName`, or the Rollout's name.
    fn split_name(&self) -> &'a str {
        non_empty(self.routing.traffic_split_name.as_deref()).unwrap_or_else(|| self.input.name())
    }

    fn target(&self) -> ObjectRef {
        ObjectRef::new(
            &self.version.api_version(),
            split::KIND,
            self.input.namespace(),
            self.split_name(),
        )
    }

    /// `(stableService, canaryService)` as written in the spec: upstream's SMI router reads them
    /// directly, not through the ping-pong pair.
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

    /// The backends in upstream's order: the canary, the extra destinations, then the stable with
    /// what is left of `maxTrafficWeight`.
    fn backends(&self, weight: i32, additional: &[WeightDestination]) -> Vec<Backend> {
        let (stable, canary) = self.services();
        let mut stable_weight = i64::from(self.input.max_weight()) - i64::from(weight);
        let mut backends = vec![Backend {
            service: canary.to_string(),
            weight: i64::from(weight),
        }];
        for destination in additional {
            backends.push(Backend {
                service: destination.service_name.clone().unwrap_or_default(),
                weight: i64::from(destination.weight),
            });
            stable_weight -= i64::from(destination.weight);
        }
        backends.push(Backend {
            service: stable.to_string(),
            weight: stable_weight,
        });
        backends
    }
}

impl Router for Smi<'_> {
    fn kind(&self) -> &'static str {
        "SMI"
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
        additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        let target = self.target();
        let (stable, _) = self.services();
        let root = non_empty(self.routing.root_service.as_deref()).unwrap_or(stable);
        let desired = self.version.spec(root, &self.backends(weight, additional));
        let Some(existing) = objects.get(&target) else {
            let owner = serde_json::to_value(controller_ref(self.input.rollout))
                .map_err(|e| RouterError::new(format!("TrafficSplit `{}`: {e}", target.name)))?;
            objects.create(json!({
                "apiVersion": target.api_version,
                "kind": target.kind,
                "metadata": {"name": target.name, "namespace": target.namespace, "ownerReferences": [owner]},
                "spec": desired,
            }));
            objects.event("TrafficSplitCreated", format!("TrafficSplit `{}` created", target.name));
            return Ok(());
        };
        if !controlled_by(existing, self.input.rollout) {
            return Err(RouterError::new(format!(
                "Rollout does not own TrafficSplit `{}`",
                target.name
            )));
        }
        let read = self.version.as_upstream_reads(existing.get("spec"));
        if let Some(patch) = merge_patch::diff(&json!({"spec": read}), &json!({"spec": desired})) {
            objects.merge_patch(&target, patch);
        }
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

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.is_empty())
}
