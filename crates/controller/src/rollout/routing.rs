//! The routing objects of a Rollout's traffic routers: read for the snapshot, written as the plan
//! says. They are handled as raw objects ([`DynamicObject`]) of any kind, so no typed client is needed
//! for Istio, SMI or Gateway API, and a cluster without those CRDs simply has none of the objects
//! (the planner's validation then names what is missing).

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DeleteParams, ListParams, Patch};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind, TypeMeta};
use rollouts_api::Rollout;
use rollouts_core::plan::Event;
use rollouts_core::traffic::istio::release::{managing_rollout, released_destination_rule};
use rollouts_core::traffic::{
    ObjectRef, ObjectSelector, RoutingSettings, RoutingWrite, dependent_references, failure_event, references,
    selectors,
};
use serde_json::Value;

use super::RolloutKey;
use super::context::Context;
use super::error::ReconcileError;
use crate::runtime::api::{delete_params, is_status, patch_params, post_params};
use crate::runtime::events;

/// The API resource of a routing object's kind.
fn resource(target: &ObjectRef) -> ApiResource {
    let gvk = GroupVersionKind::gvk(target.group(), target.version(), &target.kind);
    ApiResource::from_gvk_with_plural(&gvk, &target.plural())
}

fn api(ctx: &Context, target: &ObjectRef) -> Api<DynamicObject> {
    Api::namespaced_with(ctx.runtime.client.clone(), &target.namespace, &resource(target))
}

/// The API group of TrafficSplits.
const SMI_GROUP: &str = "split.smi-spec.io";
/// The API group of Istio's VirtualServices and DestinationRules.
const ISTIO_GROUP: &str = "networking.istio.io";

/// The API versions for the Rollout's routers: the controller's flags, else the version the cluster
/// prefers for the group (upstream always uses its flag's default, which a cluster serving only a
/// newer version does not have), else the router's default.
pub async fn settings(ctx: &Context, rollout: &Rollout) -> RoutingSettings {
    let mut settings = ctx.routing_flags.clone();
    let Some(routing) = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.traffic_routing.as_ref())
    else {
        return settings;
    };
    if routing.smi.is_some() && settings.traffic_split_api_version.is_none() {
        settings.traffic_split_api_version = preferred_version(ctx, SMI_GROUP).await;
    }
    if routing.istio.is_some() && settings.istio_api_version.is_none() {
        settings.istio_api_version = preferred_version(ctx, ISTIO_GROUP).await;
    }
    settings
}

/// The version the cluster prefers for `group`, remembered once found; `None` while the group is not
/// served (its CRDs may be installed later) or discovery fails.
async fn preferred_version(ctx: &Context, group: &str) -> Option<String> {
    if let Some(version) = ctx.discovered_versions.lock().ok()?.get(group) {
        return Some(version.clone());
    }
    let groups = match ctx.runtime.client.list_api_groups().await {
        Ok(groups) => groups,
        Err(error) => {
            tracing::debug!(%group, %error, "API discovery failed; using the default version");
            return None;
        }
    };
    let version = groups
        .groups
        .iter()
        .find(|g| g.name == group)
        .and_then(|g| g.preferred_version.as_ref())
        .map(|v| v.version.clone())?;
    ctx.discovered_versions
        .lock()
        .ok()?
        .insert(group.to_string(), version.clone());
    Some(version)
}

/// Reads every object the Rollout's routers name, and lists those they select by label; an object
/// that does not exist (or whose kind the cluster does not serve) is left out.
pub async fn load(ctx: &Context, rollout: &Rollout, settings: &RoutingSettings) -> Result<Vec<Value>, ReconcileError> {
    let key = RolloutKey::of(rollout);
    let targets = references(rollout, settings);
    let selections = selectors(rollout, settings);
    let mut objects = Vec::new();
    get_into(ctx, &targets, &mut objects).await?;
    // Objects named inside those just read (App Mesh's VirtualRouter) come next.
    let dependents = dependent_references(rollout, settings, &objects);
    get_into(ctx, &dependents, &mut objects).await?;
    // A listed object that loses its labels must trigger the Rollout too, so it is watched by name.
    let mut watched = targets;
    watched.extend(dependents);
    for selection in &selections {
        let listed = list(ctx, selection).await?;
        watched.extend(listed.iter().map(ObjectRef::of));
        objects.extend(listed);
    }
    if !watched.is_empty() || !selections.is_empty() || ctx.routing.reads_anything(&key) {
        let dropped = ctx.routing.register(&key, &watched, &selections);
        release_destination_rules(ctx.routing.client(), dropped);
    }
    Ok(objects)
}

/// Reads the objects `targets` name into `objects`; one that does not exist is left out.
async fn get_into(ctx: &Context, targets: &[ObjectRef], objects: &mut Vec<Value>) -> Result<(), ReconcileError> {
    for target in targets {
        match api(ctx, target).get(&target.name).await {
            Ok(object) => objects.push(to_value(&object, target)?),
            Err(e) if is_status(&e, 404) => {}
            Err(e) => return Err(ReconcileError::api(format!("get {}", target.describe()), e)),
        }
    }
    Ok(())
}

/// Lists the objects a selector picks; none when the kind is not served.
async fn list(ctx: &Context, selection: &ObjectSelector) -> Result<Vec<Value>, ReconcileError> {
    let collection = selection.collection();
    let params = ListParams::default().labels(&selection.labels.to_string());
    let listed = match api(ctx, &collection).list(&params).await {
        Ok(listed) => listed,
        Err(e) if is_status(&e, 404) => return Ok(Vec::new()),
        Err(e) => return Err(ReconcileError::api(format!("list {}", selection.describe()), e)),
    };
    listed
        .items
        .into_iter()
        .map(|mut object| {
            // Items of a list may come without their kind; the routers identify objects by it.
            object.types = Some(TypeMeta {
                api_version: selection.api_version.clone(),
                kind: selection.kind.clone(),
            });
            to_value(&object, &collection)
        })
        .collect()
}

fn to_value(object: &DynamicObject, target: &ObjectRef) -> Result<Value, ReconcileError> {
    serde_json::to_value(object).map_err(|e| ReconcileError::Decode(format!("{}: {e}", target.describe())))
}

/// Carries out one write of a router. `Ok(false)` when an object to create already exists: the cache
/// or the read was behind, and the reconcile plans again.
pub async fn write(ctx: &Context, write: &RoutingWrite) -> Result<bool, ReconcileError> {
    let target = write.target();
    let api = api(ctx, &target);
    let what = target.describe();
    match write {
        RoutingWrite::Create(object) => {
            let object: DynamicObject =
                serde_json::from_value(object.clone()).map_err(|e| ReconcileError::Decode(format!("{what}: {e}")))?;
            match api.create(&post_params(), &object).await {
                Ok(_) => Ok(true),
                Err(e) if is_status(&e, 409) => Ok(false),
                Err(e) => Err(ReconcileError::api(format!("create {what}"), e)),
            }
        }
        RoutingWrite::Update(object) => {
            let object: DynamicObject =
                serde_json::from_value(object.clone()).map_err(|e| ReconcileError::Decode(format!("{what}: {e}")))?;
            api.replace(&target.name, &post_params(), &object)
                .await
                .map_err(|e| ReconcileError::api(format!("update {what}"), e))?;
            Ok(true)
        }
        RoutingWrite::MergePatch { patch, .. } => {
            api.patch(&target.name, &patch_params(), &Patch::Merge(patch))
                .await
                .map_err(|e| ReconcileError::api(format!("patch {what}"), e))?;
            Ok(true)
        }
        RoutingWrite::Delete(_) => match api.delete(&target.name, &DeleteParams::default()).await {
            Ok(_) => Ok(true),
            Err(e) if is_status(&e, 404) => Ok(true),
            Err(e) => Err(ReconcileError::api(format!("delete {what}"), e)),
        },
        RoutingWrite::DeleteAfter { uid, delay, .. } => {
            delete_later(ctx, api, target, uid.clone(), *delay);
            Ok(true)
        }
    }
}

/// Records on the Rollout upstream's event for a router's write the API refused (Traefik, Ambassador,
/// APISIX and SMI name theirs; see [`failure_event`]). The Rollout is read from the cache: the event
/// is worth nothing without its object, and the error itself is returned and logged anyway.
pub async fn report_failure(ctx: &Context, key: &RolloutKey, write: &RoutingWrite, error: &ReconcileError) {
    let message = match error {
        ReconcileError::Api {
            source: kube::Error::Api(status),
            ..
        }
        | ReconcileError::Conflict {
            source: kube::Error::Api(status),
            ..
        } => status.message.clone(),
        other => other.to_string(),
    };
    let Some(event) = failure_event(write, &message) else {
        return;
    };
    let reference =
        kube::runtime::reflector::ObjectRef::new_with(&key.name, ctx.rollout_resource.clone()).within(&key.namespace);
    let Some(rollout) = ctx.stores.rollouts.get(&reference) else {
        return;
    };
    let event = if event.warning {
        Event::warning(&event.reason, event.message)
    } else {
        Event::normal(&event.reason, event.message)
    };
    ctx.runtime
        .recorder
        .publish(
            &events::reference(ctx.runtime.controller.object_kind(), &rollout.metadata),
            &[event],
        )
        .await;
}

/// Deletes a routing object after `delay` on a task of its own, so the reconcile goes on meanwhile
/// (see [`RoutingWrite::DeleteAfter`]); a delete already scheduled for the object is not doubled. The
/// `uid` precondition spares an object created again under the name meanwhile. A failure is logged:
/// the next reconcile that sees the object at weight 0 schedules the delete again.
fn delete_later(ctx: &Context, api: Api<DynamicObject>, target: ObjectRef, uid: Option<String>, delay: Duration) {
    let pending = Arc::clone(&ctx.pending_deletes);
    let Ok(mut scheduled) = pending.lock() else {
        return;
    };
    if !scheduled.insert(target.clone()) {
        return;
    }
    drop(scheduled);
    // Upstream's words as it waits before deleting the canary Mapping.
    tracing::info!(namespace = %target.namespace, "sleep {} sec for propagation of mapping update", delay.as_secs());
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        tracing::info!(namespace = %target.namespace, "deleting canary mapping {:?}", target.name);
        match api.delete(&target.name, &delete_params(uid.as_deref())).await {
            Ok(_) => {}
            // Already gone, or replaced by a newer object of the name (the uid precondition).
            Err(e) if is_status(&e, 404) || is_status(&e, 409) => {}
            Err(error) => tracing::error!(namespace = %target.namespace, "error deleting canary mapping: {error}"),
        }
        if let Ok(mut scheduled) = pending.lock() {
            scheduled.remove(&target);
        }
    });
}

/// The kind whose injected labels are taken out once no Rollout routes through it.
const DESTINATION_RULE: &str = "DestinationRule";

/// How many times a release is tried when the DestinationRule changes under it.
const RELEASE_ATTEMPTS: usize = 3;

/// Releases, in the background, the DestinationRules among `targets` (objects a Rollout no longer
/// reads, or read before it was deleted) whose managing Rollout no longer references them (upstream's
/// Istio controller); other kinds are left alone. Failures are logged: the objects are not the
/// Rollout's own, so its reconcile does not wait for them.
pub fn release_destination_rules(client: kube::Client, targets: Vec<ObjectRef>) {
    let rules: Vec<ObjectRef> = targets.into_iter().filter(|t| t.kind == DESTINATION_RULE).collect();
    if rules.is_empty() {
        return;
    }
    tokio::spawn(async move {
        for rule in rules {
            if let Err(error) = release_destination_rule(&client, &rule).await {
                tracing::warn!(destination_rule = %rule.describe(), %error, "could not release the DestinationRule");
            }
        }
    });
}

/// Reads the DestinationRule and the Rollout its annotation names (from the API, as upstream, so that
/// a Rollout of another controller instance counts) and writes the rule back released when
/// [`released_destination_rule`] says so; a conflict is retried on a fresh read.
async fn release_destination_rule(client: &kube::Client, target: &ObjectRef) -> Result<(), ReconcileError> {
    let what = target.describe();
    let rules: Api<DynamicObject> = Api::namespaced_with(client.clone(), &target.namespace, &resource(target));
    let rollouts: Api<Rollout> = Api::namespaced(client.clone(), &target.namespace);
    for attempt in 1..=RELEASE_ATTEMPTS {
        let Some(rule) = rules
            .get_opt(&target.name)
            .await
            .map_err(|e| ReconcileError::api(format!("get {what}"), e))?
        else {
            return Ok(());
        };
        let value = serde_json::to_value(&rule).map_err(|e| ReconcileError::Decode(format!("{what}: {e}")))?;
        let Some(owner) = managing_rollout(&value) else {
            return Ok(());
        };
        let rollout = rollouts
            .get_opt(owner)
            .await
            .map_err(|e| ReconcileError::api(format!("get Rollout {}/{owner}", target.namespace), e))?;
        let Some(released) = released_destination_rule(&value, rollout.as_ref()) else {
            return Ok(());
        };
        let released: DynamicObject =
            serde_json::from_value(released).map_err(|e| ReconcileError::Decode(format!("{what}: {e}")))?;
        match rules.replace(&target.name, &post_params(), &released).await {
            Ok(_) => {
                tracing::info!(destination_rule = %what, rollout = owner, "released the DestinationRule its Rollout no longer uses");
                return Ok(());
            }
            Err(e) if is_status(&e, 409) && attempt < RELEASE_ATTEMPTS => {}
            Err(e) => return Err(ReconcileError::api(format!("update {what}"), e)),
        }
    }
    Ok(())
}
