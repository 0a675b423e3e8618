//! Releasing Services a Rollout no longer uses (upstream `service/service.go`): the Rollout
//! controller pins a Service to one ReplicaSet with the `rollouts-pod-template-hash` selector and
//! marks it with the managed-by annotation; once that Rollout is gone or stops naming the Service,
//! both are removed so that the Service selects the application's pods again.

use k8s_openapi::api::core::v1::Service;
use rollouts_api::Rollout;
use rollouts_api::well_known::{annotations, labels};
use serde_json::{Value, json};

#[cfg(test)]
mod tests;

/// The name of the Rollout the Service says manages it (its managed-by annotation), if any.
pub fn managing_rollout(service: &Service) -> Option<&str> {
    service
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(annotations::MANAGED_BY_ROLLOUTS))
        .map(String::as_str)
}

/// Whether the Service's selector carries the pod-template-hash key.
pub fn selects_a_hash(service: &Service) -> bool {
    service
        .spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .is_some_and(|s| s.contains_key(labels::POD_TEMPLATE_HASH))
}

/// The Services (by name, in the Rollout's namespace) the Rollout points at: `activeService` and
/// `previewService` of a blue-green strategy; otherwise `canaryService`, `stableService` and the
/// ping-pong pair of a canary one. A blue-green strategy hides any canary one, as upstream.
pub fn referenced_services(rollout: &Rollout) -> Vec<&str> {
    let Some(strategy) = rollout.spec.strategy.as_ref() else {
        return Vec::new();
    };
    let names: Vec<Option<&str>> = if let Some(blue_green) = &strategy.blue_green {
        vec![
            Some(blue_green.active_service.as_str()),
            blue_green.preview_service.as_deref(),
        ]
    } else if let Some(canary) = &strategy.canary {
        let ping_pong = canary.ping_pong.as_ref();
        vec![
            canary.canary_service.as_deref(),
            canary.stable_service.as_deref(),
            ping_pong.map(|p| p.ping_service.as_str()),
            ping_pong.map(|p| p.pong_service.as_str()),
        ]
    } else {
        Vec::new()
    };
    names.into_iter().flatten().filter(|n| !n.is_empty()).collect()
}

/// The JSON merge patch that releases `service`, or `None` when it is to be left alone.
///
/// `rollouts` are Rollouts of the Service's namespace; only the one the managed-by annotation names
/// counts (pass none when it does not exist). Left alone: a Service whose selector has no hash key
/// (even if annotated, as upstream), a Service without the annotation (upstream's patch for it would
/// only remove an annotation it lacks), and a Service whose Rollout still names it — also while that
/// Rollout is being deleted, as upstream: it is released once the Rollout is gone.
pub fn release_patch<'r>(service: &Service, rollouts: impl IntoIterator<Item = &'r Rollout>) -> Option<Value> {
    if !selects_a_hash(service) {
        return None;
    }
    let owner = managing_rollout(service)?;
    let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
    let name = service.metadata.name.as_deref().unwrap_or_default();
    let still_used = rollouts
        .into_iter()
        .filter(|r| r.metadata.name.as_deref() == Some(owner))
        .filter(|r| r.metadata.namespace.as_deref().unwrap_or_default() == namespace)
        .any(|r| referenced_services(r).contains(&name));
    if still_used {
        return None;
    }
    Some(json!({
        "metadata": {"annotations": {annotations::MANAGED_BY_ROLLOUTS: null}},
        "spec": {"selector": {labels::POD_TEMPLATE_HASH: null}},
    }))
}
