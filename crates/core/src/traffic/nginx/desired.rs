//! The canary Ingress the Rollout wants next to one stable Ingress (upstream `canaryIngress`): the
//! stable's TLS, class and the rules that reach the stable Service, sent to the canary Service instead,
//! and the canary annotations carrying the weight.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Nginx;
use super::names::{INGRESS_API_VERSION, INGRESS_CLASS_ANNOTATION, INGRESS_KIND};
use crate::plan::replica_sets::controller_ref;
use crate::traffic::RouterError;

impl Nginx<'_> {
    /// The canary Ingress `canary_name` for `stable` at `weight`. Errors when no rule of the stable
    /// Ingress sends to the stable Service, as there would be nothing to route to the canary.
    pub(super) fn desired_canary(
        &self,
        stable: &Value,
        stable_name: &str,
        canary_name: &str,
        weight: i32,
    ) -> Result<Value, RouterError> {
        let (stable_service, canary_service) = self.services();
        let rules = canary_rules(stable, &stable_service, &canary_service);
        if rules.is_empty() {
            return Err(RouterError::new(format!(
                "ingress `{stable_name}` has no rules using service {stable_service} backend"
            )));
        }
        let mut spec = Map::new();
        // An empty TLS list is no TLS, as upstream's Go structs see it.
        if let Some(tls) = stable
            .pointer("/spec/tls")
            .filter(|t| t.as_array().is_some_and(|t| !t.is_empty()))
        {
            spec.insert("tls".into(), tls.clone());
        }
        if let Some(class) = stable.pointer("/spec/ingressClassName").filter(|c| !c.is_null()) {
            spec.insert("ingressClassName".into(), class.clone());
        }
        spec.insert("rules".into(), Value::Array(rules));

        let owner = serde_json::to_value(controller_ref(self.input.rollout))
            .map_err(|e| RouterError::new(format!("error building the canary ingress owner reference: {e}")))?;
        Ok(json!({
            "apiVersion": INGRESS_API_VERSION,
            "kind": INGRESS_KIND,
            "metadata": {
                "name": canary_name,
                "namespace": self.input.namespace(),
                "annotations": self.desired_annotations(stable, weight),
                "ownerReferences": [owner],
            },
            "spec": spec,
        }))
    }

    /// The canary's annotations, later entries winning: the stable's ingress class, the
    /// `additionalIngressAnnotations` (prefixed), the `canaryIngressAnnotations` (as written), then
    /// `canary`, `canary-weight` and, when `maxTrafficWeight` is set, `canary-weight-total`.
    fn desired_annotations(&self, stable: &Value, weight: i32) -> BTreeMap<String, String> {
        let mut annotations = BTreeMap::new();
        if let Some(class) = stable
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(INGRESS_CLASS_ANNOTATION))
            .and_then(Value::as_str)
        {
            annotations.insert(INGRESS_CLASS_ANNOTATION.to_string(), class.to_string());
        }
        annotations.extend(self.configured_annotations());
        annotations.insert(self.keys.canary(), "true".to_string());
        annotations.insert(self.keys.weight(), weight.to_string());
        if let Some(total) = self.input.routing().and_then(|r| r.max_traffic_weight) {
            annotations.insert(self.keys.weight_total(), total.to_string());
        }
        annotations
    }

    /// The annotations the Rollout spec itself puts on the canary: `additionalIngressAnnotations`
    /// under the prefix, then `canaryIngressAnnotations`, which win on a clash.
    pub(super) fn configured_annotations(&self) -> BTreeMap<String, String> {
        let additional = self
            .config
            .additional_ingress_annotations
            .iter()
            .flatten()
            .map(|(k, v)| (self.keys.additional(k), v.clone()));
        let full = self
            .config
            .canary_ingress_annotations
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()));
        additional.chain(full).collect()
    }
}

/// The stable's rules that have a path sending to the stable Service, each whole, with those paths
/// sent to the canary Service instead; the other rules are left out. Rules without `http` and paths
/// whose backend is a resource rather than a Service reach no Service and count for nothing.
fn canary_rules(stable: &Value, stable_service: &str, canary_service: &str) -> Vec<Value> {
    let Some(rules) = stable.pointer("/spec/rules").and_then(Value::as_array) else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|rule| {
            let mut rule = rule.clone();
            let mut reaches_stable = false;
            let paths = rule.pointer_mut("/http/paths").and_then(Value::as_array_mut);
            for path in paths.into_iter().flatten() {
                let Some(name) = path.pointer_mut("/backend/service/name") else {
                    continue;
                };
                if name.as_str() == Some(stable_service) {
                    *name = Value::String(canary_service.to_string());
                    reaches_stable = true;
                }
            }
            reaches_stable.then_some(rule)
        })
        .collect()
}
