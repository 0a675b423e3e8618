//! The NGINX Ingress router (upstream `rollout/trafficrouting/nginx`): next to each stable Ingress the
//! Rollout names, a canary Ingress `<rollout>-<stableIngress>-canary` routes the same hosts and paths
//! to the canary Service, and ingress-nginx's canary annotations on it carry the weight.
//!
//! The canary Ingress is created the first time a weight is set and owned by the Rollout, so it goes
//! when the Rollout does. Later weights patch only what differs. Extra weight destinations (experiment
//! templates) have no place in ingress-nginx's single canary and are ignored, as upstream does.

mod desired;
mod header;
mod names;
mod sync;

#[cfg(test)]
mod tests;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::NginxTrafficRouting;

use self::header::HeaderAnnotations;
use self::names::{Keys, canary_ingress_name, ingress_ref};
use rollouts_api::validation::FieldError;

use super::{ObjectRef, Objects, Router, RouterError, RouterInput};

/// Where validation errors point.
const VALIDATION_PATH: &str = "spec.strategy.canary.trafficRouting.nginx";

/// The NGINX router of one Rollout.
pub struct Nginx<'a> {
    input: RouterInput<'a>,
    config: &'a NginxTrafficRouting,
    keys: Keys,
}

impl<'a> Nginx<'a> {
    /// The router for the Rollout's `trafficRouting.nginx`.
    pub fn new(input: RouterInput<'a>, config: &'a NginxTrafficRouting) -> Self {
        Self {
            input,
            config,
            keys: Keys::new(config.annotation_prefix.as_deref()),
        }
    }

    /// The stable Ingresses: `stableIngresses` when set, else `stableIngress`.
    fn stable_ingresses(&self) -> Vec<&'a str> {
        match self.config.stable_ingresses.as_ref() {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => vec![self.config.stable_ingress.as_deref().unwrap_or_default()],
        }
    }

    /// Each stable Ingress with the name of its canary Ingress, in order.
    fn ingress_pairs(&self) -> impl Iterator<Item = (&'a str, String)> + '_ {
        self.stable_ingresses()
            .into_iter()
            .map(|stable| (stable, canary_ingress_name(self.input.name(), stable)))
    }

    /// `(stableService, canaryService)`; NGINX has no ping-pong.
    fn services(&self) -> (String, String) {
        self.input.stable_and_canary_services(false)
    }

    /// An Ingress of the Rollout's namespace.
    fn ingress(&self, name: &str) -> ObjectRef {
        ingress_ref(self.input.namespace(), name)
    }

    /// The desired canary Ingress of one stable Ingress at `weight`; the stable must exist.
    fn desired_for(
        &self,
        objects: &Objects,
        stable_name: &str,
        canary_name: &str,
        weight: i32,
    ) -> Result<serde_json::Value, RouterError> {
        let stable = objects.get(&self.ingress(stable_name)).ok_or_else(|| {
            // The wording of upstream's error over a lister miss.
            RouterError::new(format!(
                "error retrieving stableIngress `{stable_name}` from cache: ingress.networking.k8s.io \"{stable_name}\" not found"
            ))
        })?;
        self.desired_canary(stable, stable_name, canary_name, weight)
    }

    /// Gives every canary Ingress the header annotations. A missing canary Ingress is created when a
    /// header route is set (at weight 0, the traffic it gets today; the weight follows in the same
    /// reconcile), since the `setHeaderRoute` step completes at once and would otherwise never apply.
    fn apply_header(&self, objects: &mut Objects, wanted: &HeaderAnnotations) -> Result<(), RouterError> {
        let sets_route = wanted.values().any(Option::is_some);
        for (stable_name, canary_name) in self.ingress_pairs() {
            let canary_ref = self.ingress(&canary_name);
            let patch = match objects.get(&canary_ref) {
                Some(canary) => {
                    sync::ensure_controlled(canary, &canary_name, self.input.rollout)?;
                    header::header_patch(canary, wanted)
                }
                None if sets_route => {
                    let desired = self.desired_for(objects, stable_name, &canary_name, 0)?;
                    objects.create(header::with_header(desired, wanted));
                    None
                }
                None => None,
            };
            if let Some(patch) = patch {
                objects.merge_patch(&canary_ref, patch);
            }
        }
        Ok(())
    }
}

impl Router for Nginx<'_> {
    /// Upstream's reference validation of the stable Ingresses, first part: each must exist.
    fn missing_reference(&self, objects: &Objects) -> Option<FieldError> {
        let many = self.config.stable_ingresses.is_some();
        self.stable_ingresses()
            .into_iter()
            .find(|name| objects.get(&self.ingress(name)).is_none())
            .map(|name| {
                // Upstream names the list field with a capital S in this message.
                let path = if many {
                    format!("{VALIDATION_PATH}.StableIngresses")
                } else {
                    format!("{VALIDATION_PATH}.stableIngress")
                };
                FieldError::invalid(path, name, format!("ingress.networking.k8s.io \"{name}\" not found"))
            })
    }

    /// Upstream's reference validation of the stable Ingresses, second part: each must route to the
    /// stable Service.
    fn validate(&self, objects: &Objects) -> Option<FieldError> {
        let (stable_service, _) = self.services();
        let many = self.config.stable_ingresses.is_some();
        for name in self.stable_ingresses() {
            let Some(ingress) = objects.get(&self.ingress(name)) else {
                continue;
            };
            let uses_stable = ingress
                .pointer("/spec/rules")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .flat_map(|rule| {
                    rule.pointer("/http/paths")
                        .and_then(serde_json::Value::as_array)
                        .into_iter()
                        .flatten()
                })
                .any(|p| {
                    p.pointer("/backend/service/name").and_then(serde_json::Value::as_str)
                        == Some(stable_service.as_str())
                });
            if !uses_stable {
                let path = if many {
                    format!("{VALIDATION_PATH}.stableIngresses")
                } else {
                    format!("{VALIDATION_PATH}.stableIngress")
                };
                return Some(FieldError::invalid(
                    path,
                    name,
                    format!("ingress `{name}` has no rules using service {stable_service} backend"),
                ));
            }
        }
        None
    }

    fn kind(&self) -> &'static str {
        "Nginx"
    }

    /// Each stable Ingress and its canary Ingress (the canary is read to know whether it exists).
    fn references(&self) -> Vec<ObjectRef> {
        self.ingress_pairs()
            .filter(|(stable, _)| !stable.is_empty())
            .flat_map(|(stable, canary)| [self.ingress(stable), self.ingress(&canary)])
            .collect()
    }

    /// Nothing to do: the canary Ingress routes to the canary Service, whatever pods it selects.
    fn update_hash(
        &self,
        _objects: &mut Objects,
        _canary_hash: &str,
        _stable_hash: &str,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        Ok(())
    }

    /// Creates or patches the canary Ingress of every stable Ingress, in order (upstream `SetWeight`).
    /// Upstream records the events `CreatingCanaryIngress` and `PatchingCanaryIngress` on these writes.
    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        for (stable_name, canary_name) in self.ingress_pairs() {
            let desired = self.desired_for(objects, stable_name, &canary_name, weight)?;
            let canary_ref = self.ingress(&canary_name);
            let patch = match objects.get(&canary_ref) {
                None => {
                    objects.create(desired);
                    objects.event(
                        "CreatingCanaryIngress",
                        format!("Creating canary ingress `{canary_name}` with weight `{weight}`"),
                    );
                    continue;
                }
                Some(canary) => {
                    sync::ensure_controlled(canary, &canary_name, self.input.rollout)?;
                    sync::canary_patch(canary, &desired)
                }
            };
            if let Some(patch) = patch {
                objects.merge_patch(&canary_ref, patch);
                objects.event(
                    "PatchingCanaryIngress",
                    format!("Updating Ingress `{canary_name}` to desiredWeight '{weight}'"),
                );
            }
        }
        Ok(())
    }

    /// Sets the header route on every canary Ingress, or removes it when the step has no match (the
    /// annotations and their limits are described in the `header` module). Routes not in
    /// `managedRoutes` are left alone, as are header annotations the spec sets itself.
    fn set_header_route(&self, objects: &mut Objects, route: &SetHeaderRoute) -> Result<(), RouterError> {
        let managed = route.name.as_deref().is_some_and(|name| self.is_managed_route(name));
        if !managed || self.header_set_by_spec() {
            return Ok(());
        }
        let wanted = self.header_route(route)?;
        self.apply_header(objects, &wanted)
    }

    /// Mirror routes are not supported: ingress-nginx's canary annotations cannot mirror. Upstream
    /// accepts the step and does nothing; so does this router.
    fn set_mirror_route(&self, _objects: &mut Objects, _route: &SetMirrorRoute) -> Result<(), RouterError> {
        Ok(())
    }

    /// Removes the header route from every canary Ingress (upstream does nothing, having none).
    fn remove_managed_routes(&self, objects: &mut Objects) -> Result<(), RouterError> {
        if !self.has_managed_routes() || self.header_set_by_spec() {
            return Ok(());
        }
        self.apply_header(objects, &self.no_header_route())
    }
}
