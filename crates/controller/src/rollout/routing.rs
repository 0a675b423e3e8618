//! The routing objects of a Rollout's traffic routers: read for the snapshot, written as the plan
//! says. They are handled as raw objects ([`DynamicObject`]) of any kind, so no typed client is needed
//! for Istio, SMI or Gateway API, and a cluster without those CRDs simply has none of the objects
//! (the planner's validation then names what is missing).

use kube::api::{Api, DeleteParams, ListParams, Patch};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind, TypeMeta};
use rollouts_api::Rollout;
use rollouts_core::traffic::{ObjectRef, ObjectSelector, RoutingSettings, RoutingWrite, references, selectors};
use serde_json::Value;

use super::RolloutKey;
use super::context::Context;
use super::error::ReconcileError;
use crate::runtime::api::{is_status, patch_params, post_params};

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
    if !targets.is_empty() || !selections.is_empty() {
        ctx.routing.register(&key, &targets, &selections);
    }
    let mut objects = Vec::new();
    for target in targets {
        match api(ctx, &target).get(&target.name).await {
            Ok(object) => objects.push(to_value(&object, &target)?),
            Err(e) if is_status(&e, 404) => {}
            Err(e) => return Err(ReconcileError::api(format!("get {}", target.describe()), e)),
        }
    }
    for selection in selections {
        let listed = list(ctx, &selection).await?;
        // A listed object that loses its labels must trigger the Rollout too, so it is watched by name.
        let names: Vec<ObjectRef> = listed.iter().map(ObjectRef::of).collect();
        ctx.routing.register(&key, &names, &[]);
        objects.extend(listed);
    }
    Ok(objects)
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
    }
}
