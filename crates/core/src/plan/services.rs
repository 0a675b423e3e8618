//! Pointing the canary and stable Services at the right ReplicaSet (upstream `ensureSVCTargets`,
//! `switchServiceSelector`): a strategic-merge patch of the hash selector, plus the managed-by
//! annotation the first time a Service is adopted.

use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::well_known::{annotations, labels, reasons};
use serde_json::json;

use super::actions::{Action, Event};
use super::context::Ctx;
use super::replica_sets::{hash_of, serving_counts};

fn find_service<'s>(ctx: &Ctx<'s>, name: &str) -> Option<&'s k8s_openapi::api::core::v1::Service> {
    ctx.snapshot
        .services
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(name))
}

/// Points the named Service at `rs` when it selects another hash. A Service adopted for the first time
/// waits until the ReplicaSet is fully available; otherwise one available pod is enough.
pub fn ensure_service_target(ctx: &mut Ctx<'_>, service: Option<&str>, rs: Option<usize>) {
    let (Some(name), Some(index)) = (service.filter(|s| !s.is_empty()), rs) else {
        return;
    };
    let Some(svc) = find_service(ctx, name) else {
        return;
    };
    let rs: &ReplicaSet = &ctx.all[index];
    let desired = hash_of(rs).to_string();
    let current = svc
        .spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .and_then(|s| s.get(labels::POD_TEMPLATE_HASH))
        .cloned();
    let managed = svc
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(annotations::MANAGED_BY_ROLLOUTS));
    if current.as_deref() == Some(desired.as_str()) {
        return;
    }
    let c = serving_counts(rs);
    if !managed && c.available_replicas < c.spec_replicas {
        return;
    }
    if c.available_replicas <= 0 {
        return;
    }
    patch_selector(ctx, name, &desired, managed, current.unwrap_or_default());
}

/// Points the named Service at `rs` whatever its availability (upstream `ensureSVCTargets` without the
/// availability check): the canary Service goes back to the stable on abort behind a router, where
/// waiting for availability could wait forever on pods that readiness gates keep unready.
pub fn ensure_service_target_unchecked(ctx: &mut Ctx<'_>, service: Option<&str>, rs: Option<usize>) {
    let (Some(name), Some(index)) = (service.filter(|s| !s.is_empty()), rs) else {
        return;
    };
    let Some(svc) = find_service(ctx, name) else {
        return;
    };
    let managed = svc
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(annotations::MANAGED_BY_ROLLOUTS));
    let desired = hash_of(&ctx.all[index]).to_string();
    let current = ctx.service_hash(name).unwrap_or_default();
    if current != desired {
        patch_selector(ctx, name, &desired, managed, current);
    }
}

/// Points the named Service at `hash` (upstream `switchServiceSelector`): nothing to do when it selects
/// it already and carries the managed-by annotation; otherwise a patch of the selector, adding the
/// annotation when missing. A Service that does not exist is left alone (validation reports it).
pub fn switch_selector(ctx: &mut Ctx<'_>, name: &str, hash: &str) {
    let Some(svc) = find_service(ctx, name) else {
        return;
    };
    let managed = svc
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(annotations::MANAGED_BY_ROLLOUTS));
    let current = ctx.service_hash(name).unwrap_or_default();
    let switched_here = ctx.switched_services.iter().any(|(n, _)| n == name);
    if current == hash && (managed || switched_here) {
        return;
    }
    patch_selector(ctx, name, hash, managed || switched_here, current);
}

fn patch_selector(ctx: &mut Ctx<'_>, name: &str, hash: &str, managed: bool, from: String) {
    let mut patch = json!({"spec": {"selector": {labels::POD_TEMPLATE_HASH: hash}}});
    if !managed {
        patch["metadata"] = json!({"annotations": {annotations::MANAGED_BY_ROLLOUTS: ctx.name()}});
    }
    ctx.plan.actions.push(Action::PatchService {
        name: name.to_string(),
        patch,
    });
    ctx.switched_services.push((name.to_string(), hash.to_string()));
    ctx.event(Event::normal(
        reasons::SWITCH_SERVICE,
        format!("Switched selector for service '{name}' from '{from}' to '{hash}'"),
    ));
}

/// Upstream `reconcilePingAndPongService`: while an update is not fully promoted, whichever of the
/// ping and pong Services is not the stable one selects the new ReplicaSet, without waiting for its
/// availability.
pub fn reconcile_ping_and_pong_service(ctx: &mut Ctx<'_>) {
    let Some(ping_pong) = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.ping_pong.as_ref())
    else {
        return;
    };
    if ctx.old.stable_rs == ctx.old.current_pod_hash {
        return;
    }
    let stable_is_ping = ctx.old.canary.as_ref().and_then(|c| c.stable_ping_pong.as_deref()) == Some("ping");
    let canary_service = if stable_is_ping {
        &ping_pong.pong_service
    } else {
        &ping_pong.ping_service
    };
    ensure_service_target_unchecked(ctx, Some(canary_service.as_str()), ctx.new);
}

/// Basic canary: stableService → stable ReplicaSet; canaryService → new ReplicaSet, or the stable one
/// while aborted (upstream `reconcileStableAndCanaryService`); behind a router an aborted canary's
/// Service is left to the traffic reconcile.
pub fn reconcile_stable_and_canary_services(ctx: &mut Ctx<'_>) {
    let Some(canary) = ctx.spec().strategy.as_ref().and_then(|s| s.canary.as_ref()) else {
        return;
    };
    ensure_service_target(ctx, canary.stable_service.as_deref(), ctx.stable);
    if ctx.pause.is_aborted() {
        if canary.traffic_routing.is_none() {
            ensure_service_target(ctx, canary.canary_service.as_deref(), ctx.stable);
        }
        // Behind a router the traffic reconcile moves the canary Service back to the stable once
        // traffic has left the canary; pointing it at the canary here would undo that on every
        // reconcile while the aborted canary keeps its pods (upstream issue #3078).
        return;
    }
    // Going back to an undersized stable behind a router: the canary Service keeps the previous
    // canary until the stable can take its traffic.
    if super::canary::dynamically_rolling_back_to_stable(ctx).is_some() {
        return;
    }
    ensure_service_target(ctx, canary.canary_service.as_deref(), ctx.new);
}
