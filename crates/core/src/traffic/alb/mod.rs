//! The AWS ALB router (upstream `rollout/trafficrouting/alb`): the AWS Load Balancer Controller reads
//! a forward action from the Ingress annotation `<prefix>/actions.<rootService or stableService>`, whose
//! target groups carry the weights of the canary, the extra destinations and the stable Service
//! (relative weights, up to 999: a larger `maxTrafficWeight` is written as percentages). The
//! router keeps that annotation on every Ingress the Rollout names, records the keys it wrote in
//! `rollouts.argoproj.io/managed-alb-annotations`, and writes header routes as a
//! `conditions.<route>`/`actions.<route>` pair with a `use-annotation` path in the Ingress rules.
//!
//! ALB always prefers the ping-pong Services when `pingPong` is set. Mirror routes and pod-template
//! hashes mean nothing to an ALB, so those operations do nothing, as upstream.

mod action;
mod managed;
mod release;
mod rules;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use rollouts_api::traffic::AlbTrafficRouting;
use rollouts_api::validation::FieldError;
use serde_json::{Value, json};

pub use self::release::release_unreferenced;

use self::action::TargetGroup;
use self::managed::{MANAGED_ANNOTATIONS, Managed};
use super::{ObjectRef, Objects, Router, RouterError, RouterInput, WeightScale};
use crate::plan::merge_patch;

/// Ingresses are read and written as `networking.k8s.io/v1`.
const INGRESS_API_VERSION: &str = "networking.k8s.io/v1";

/// The Ingress kind.
const INGRESS_KIND: &str = "Ingress";

/// `annotationPrefix` when unset.
const DEFAULT_ANNOTATION_PREFIX: &str = "alb.ingress.kubernetes.io";

/// The largest weight AWS accepts for a target group of a forward action.
const MAX_TARGET_GROUP_WEIGHT: i32 = 999;

/// The event reason of every Ingress write.
const PATCHING_EVENT: &str = "PatchingALBIngress";

/// The annotations of an Ingress, by key.
type Annotations = BTreeMap<String, String>;

/// The ALB router of one Rollout.
pub struct Alb<'a> {
    input: RouterInput<'a>,
    config: &'a AlbTrafficRouting,
}

impl<'a> Alb<'a> {
    /// The router for the Rollout's `trafficRouting.alb`.
    pub fn new(input: RouterInput<'a>, config: &'a AlbTrafficRouting) -> Self {
        Self { input, config }
    }

    /// The Ingresses: `ingresses` when set, else `ingress`.
    fn ingress_names(&self) -> Vec<&'a str> {
        match self.config.ingresses.as_ref() {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => vec![self.config.ingress.as_deref().unwrap_or_default()],
        }
    }

    /// An Ingress of the Rollout's namespace.
    fn ingress_ref(&self, name: &str) -> ObjectRef {
        ObjectRef::new(INGRESS_API_VERSION, INGRESS_KIND, self.input.namespace(), name)
    }

    /// The Ingress `name`, which must exist (upstream's lister error otherwise).
    fn ingress<'o>(&self, objects: &'o Objects, name: &str) -> Result<&'o Value, RouterError> {
        objects
            .get(&self.ingress_ref(name))
            .ok_or_else(|| RouterError::new(format!("ingress.networking.k8s.io \"{name}\" not found")))
    }

    /// The Service whose action annotation carries the weights: `rootService`, else `stableService`.
    fn action_service(&self) -> String {
        let stable = || {
            self.input
                .rollout
                .spec
                .strategy
                .as_ref()
                .and_then(|s| s.canary.as_ref())
                .and_then(|c| c.stable_service.clone())
                .unwrap_or_default()
        };
        self.config
            .root_service
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(stable)
    }

    /// `<prefix>/<kind>.<name>`, the prefix being `annotationPrefix` or `alb.ingress.kubernetes.io`.
    fn key(&self, kind: &str, name: &str) -> String {
        let prefix = self
            .config
            .annotation_prefix
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or(DEFAULT_ANNOTATION_PREFIX);
        format!("{prefix}/{kind}.{name}")
    }

    /// The annotation key of the weighted action.
    fn weight_key(&self) -> String {
        self.key("actions", &self.action_service())
    }

    /// The Service port the target groups name.
    fn port(&self) -> i32 {
        self.config.service_port
    }

    /// The names of `managedRoutes`, in order.
    fn managed_routes(&self) -> Vec<&'a str> {
        self.input
            .routing()
            .and_then(|r| r.managed_routes.as_ref())
            .map(|routes| routes.iter().map(|r| r.name.as_str()).collect())
            .unwrap_or_default()
    }

    /// The forward action at `weight`: the canary, then the extra destinations, then the stable with
    /// what is left. Target-group weights are relative and AWS takes them up to 999: the split of
    /// `maxTrafficWeight` as is when it fits, else its percentages (upstream writes `100 - weight`
    /// for the stable, negative past 100).
    fn weighted_action(&self, weight: i32, additional: &[WeightDestination]) -> Result<String, RouterError> {
        let (stable, canary) = self.input.stable_and_canary_services(true);
        let port = self.port();
        let scale = WeightScale::within(self.input.max_weight(), MAX_TARGET_GROUP_WEIGHT);
        let mut groups = vec![TargetGroup::new(&canary, port, scale.weight(weight))];
        let mut stable_weight = scale.total() - scale.weight(weight);
        for destination in additional {
            let service = destination.service_name.as_deref().unwrap_or_default();
            groups.push(TargetGroup::new(service, port, scale.weight(destination.weight)));
            stable_weight -= scale.weight(destination.weight);
        }
        groups.push(TargetGroup::new(&stable, port, stable_weight));
        let sticky = action::stickiness(self.config.stickiness_config.as_ref())?;
        Ok(action::forward_action(&groups, sticky))
    }

    /// The forward action of a header route: everything to the canary.
    fn header_action(&self) -> Result<String, RouterError> {
        let (_, canary) = self.input.stable_and_canary_services(true);
        let groups = [TargetGroup::new(&canary, self.port(), 100)];
        let sticky = action::stickiness(self.config.stickiness_config.as_ref())?;
        Ok(action::forward_action(&groups, sticky))
    }

    /// Records `keys` as added to (or removed from) this Rollout's entry of the bookkeeping annotation.
    fn track(&self, annotations: &mut Annotations, add: bool, keys: &[String]) -> Result<(), RouterError> {
        let mut managed = Managed::parse(annotations.get(MANAGED_ANNOTATIONS).map(String::as_str))?;
        managed.modify(self.input.name(), add, keys);
        annotations.insert(MANAGED_ANNOTATIONS.to_string(), managed.render());
        Ok(())
    }

    /// Patches the Ingress to the wanted annotations (and spec, when given); returns whether it
    /// changed. Only what differs is written; annotations missing from `annotations` are removed.
    fn patch(&self, objects: &mut Objects, current: &Value, annotations: &Annotations, spec: Option<Value>) -> bool {
        let view = |annotations: Value, spec: Option<&Value>| {
            let mut view = json!({"metadata": {"annotations": annotations}});
            if let Some(spec) = spec {
                view["spec"] = spec.clone();
            }
            view
        };
        let held = current
            .pointer("/metadata/annotations")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let current_spec = spec
            .as_ref()
            .map(|_| current.get("spec").cloned().unwrap_or_else(|| json!({})));
        let wanted = serde_json::to_value(annotations).unwrap_or_else(|_| json!({}));
        let Some(patch) = merge_patch::diff(&view(held, current_spec.as_ref()), &view(wanted, spec.as_ref())) else {
            return false;
        };
        objects.merge_patch(&ObjectRef::of(current), patch);
        true
    }

    /// Adds or removes a header route on one Ingress.
    fn header_route_on(&self, objects: &mut Objects, name: &str, route: &SetHeaderRoute) -> Result<(), RouterError> {
        let ingress = self.ingress(objects, name)?.clone();
        let route_name = route.name.as_deref().unwrap_or_default();
        let action_key = self.key("actions", route_name);
        let condition_key = self.key("conditions", route_name);
        let mut annotations = annotations_of(&ingress);
        let add = route.r#match.is_some();
        if let Some(matches) = &route.r#match {
            annotations.insert(action_key.clone(), self.header_action()?);
            annotations.insert(condition_key.clone(), action::header_conditions(matches));
        } else {
            annotations.remove(&action_key);
            annotations.remove(&condition_key);
        }
        self.track(&mut annotations, add, &[action_key, condition_key])?;

        let mut spec = ingress.get("spec").cloned().unwrap_or_else(|| json!({}));
        let has_path = rules::has_rule_with_service(&ingress, route_name);
        if has_path && !add {
            rules::remove_action_path(&mut spec, route_name);
        }
        if !has_path && add {
            rules::add_action_path(&mut spec, route_name);
        }
        rules::sort_paths(&mut spec, &self.managed_routes());
        if self.patch(objects, &ingress, &annotations, Some(spec)) {
            objects.event(
                PATCHING_EVENT,
                format!("Updating Ingress `{name}` to headerRoute '{route_name}'"),
            );
        }
        Ok(())
    }
}

/// The annotations of an object, string values only.
fn annotations_of(object: &Value) -> Annotations {
    object
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .map(|a| {
            a.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

impl Router for Alb<'_> {
    fn kind(&self) -> &'static str {
        "ALB"
    }

    /// Every Ingress the Rollout names.
    fn references(&self) -> Vec<ObjectRef> {
        self.ingress_names()
            .into_iter()
            .filter(|name| !name.is_empty())
            .map(|name| self.ingress_ref(name))
            .collect()
    }

    /// Upstream's reference validation of the ALB Ingresses, first part: `ingress` or `ingresses`,
    /// not both, and each must exist.
    fn missing_reference(&self, objects: &Objects) -> Option<FieldError> {
        validate::missing_reference(self, objects)
    }

    /// Upstream's reference validation, second part: each Ingress must route to the root (or stable)
    /// Service.
    fn validate(&self, objects: &Objects) -> Option<FieldError> {
        validate::rules(self, objects)
    }

    /// Nothing to do: the target groups are Services, whatever pods they select.
    fn update_hash(
        &self,
        _objects: &mut Objects,
        _canary_hash: &str,
        _stable_hash: &str,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        Ok(())
    }

    /// Writes the weighted forward action on every Ingress, in order (upstream `SetWeight`), with an
    /// event `PatchingALBIngress` for each Ingress changed. Upstream stops at the first Ingress that
    /// needs no change; here the others are still brought to the weight, so an Ingress edited by hand
    /// is corrected.
    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        let action_service = self.action_service();
        for name in self.ingress_names() {
            let ingress = self.ingress(objects, name)?.clone();
            if !rules::has_rule_with_service(&ingress, &action_service) {
                return Err(RouterError::new(format!(
                    "ingress does not have service `{action_service}` in rules"
                )));
            }
            let key = self.weight_key();
            let mut annotations = annotations_of(&ingress);
            annotations.insert(key.clone(), self.weighted_action(weight, additional)?);
            self.track(&mut annotations, true, &[key])?;
            if self.patch(objects, &ingress, &annotations, None) {
                objects.event(
                    PATCHING_EVENT,
                    format!("Updating Ingress `{name}` to desiredWeight '{weight}'"),
                );
            }
        }
        Ok(())
    }

    /// Adds the route's `conditions.<route>` and `actions.<route>` annotations and its
    /// `use-annotation` path to every Ingress, or removes them when the step has no `match`.
    fn set_header_route(&self, objects: &mut Objects, route: &SetHeaderRoute) -> Result<(), RouterError> {
        for name in self.ingress_names() {
            self.header_route_on(objects, name, route)?;
        }
        Ok(())
    }

    /// ALB cannot mirror; upstream accepts the step and does nothing, as here.
    fn set_mirror_route(&self, _objects: &mut Objects, _route: &SetMirrorRoute) -> Result<(), RouterError> {
        Ok(())
    }

    /// Removes every managed route's annotations, bookkeeping and path from every Ingress.
    fn remove_managed_routes(&self, objects: &mut Objects) -> Result<(), RouterError> {
        let routes = self.managed_routes();
        if routes.is_empty() {
            return Ok(());
        }
        for name in self.ingress_names() {
            let ingress = self.ingress(objects, name)?.clone();
            let mut annotations = annotations_of(&ingress);
            let mut keys = Vec::new();
            for route in &routes {
                for key in [self.key("actions", route), self.key("conditions", route)] {
                    annotations.remove(&key);
                    keys.push(key);
                }
            }
            self.track(&mut annotations, false, &keys)?;
            let mut spec = ingress.get("spec").cloned().unwrap_or_else(|| json!({}));
            for route in &routes {
                rules::remove_action_path(&mut spec, route);
            }
            if self.patch(objects, &ingress, &annotations, Some(spec)) {
                objects.event(
                    PATCHING_EVENT,
                    format!("Updating Ingress `{name}` removing managed routes"),
                );
            }
        }
        Ok(())
    }
}
