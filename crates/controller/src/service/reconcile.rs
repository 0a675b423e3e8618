//! One reconcile of one Service (upstream `syncService`): decode the cached copy; when it carries the
//! hash selector and the managed-by annotation, read the Rollout the annotation names (from the API,
//! as upstream, so that a Rollout another controller instance handles still counts) and patch the
//! Service free of both when [`release_patch`] says it is no longer used.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, Patch};
use kube::core::DynamicObject;
use kube::runtime::controller::Action;
use rollouts_api::Rollout;
use rollouts_core::service::{managing_rollout, release_patch, selects_a_hash};

use super::context::Context;
use super::error::ServiceError;
use crate::runtime::ObjectKey;
use crate::runtime::api::{is_status, patch_params};
use crate::runtime::decode::decode_cached;
use crate::runtime::reconcile::Reconciled;

/// Reconciles one Service, counting it.
pub async fn reconcile(object: Arc<DynamicObject>, ctx: Arc<Context>) -> Result<Action, ServiceError> {
    let key = ObjectKey::of(object.as_ref());
    // Boxed: the applier keeps many reconciles at once, and the API calls make this one large.
    Box::pin(ctx.runtime.supervise(&key, reconcile_service(&object, &ctx, &key))).await
}

async fn reconcile_service(object: &DynamicObject, ctx: &Context, key: &ObjectKey) -> Result<Reconciled, ServiceError> {
    let service: Service = ctx.runtime.decode(object, key).await?;
    let Some(owner) = managing_rollout(&service).filter(|_| selects_a_hash(&service)) else {
        return Ok(Reconciled::Done(Action::await_change()));
    };
    let rollouts: Api<DynamicObject> = Api::namespaced_with(
        ctx.runtime.client.clone(),
        &key.namespace,
        &kube::core::ApiResource::erase::<Rollout>(&()),
    );
    let rollout = match rollouts.get_opt(owner).await {
        Ok(rollout) => rollout,
        Err(source) => {
            return Err(ServiceError::Api {
                action: format!("get Rollout {}/{owner}", key.namespace),
                source,
            });
        }
    };
    let rollout = match rollout.as_ref().map(decode_cached::<Rollout>).transpose() {
        Ok(rollout) => rollout,
        // Whether a Rollout that does not decode still names the Service is unknown: leave the
        // Service as it is (the Rollout controller reports the broken Rollout).
        Err(error) => {
            tracing::debug!(service = %key, rollout = owner, %error, "the managing Rollout cannot be decoded");
            return Ok(Reconciled::Done(Action::requeue(ctx.runtime.resync)));
        }
    };
    let Some(patch) = release_patch(&service, rollout.as_ref()) else {
        return Ok(Reconciled::Done(Action::requeue(ctx.runtime.resync)));
    };
    let services: Api<Service> = Api::namespaced(ctx.runtime.client.clone(), &key.namespace);
    match services.patch(&key.name, &patch_params(), &Patch::Merge(&patch)).await {
        Ok(_) => {
            tracing::info!(service = %key, rollout = owner, "released the Service its Rollout no longer uses");
            Ok(Reconciled::Done(Action::await_change()))
        }
        // Deleted meanwhile: nothing left to release.
        Err(error) if is_status(&error, 404) => Ok(Reconciled::Done(Action::await_change())),
        Err(source) => Err(ServiceError::Api {
            action: format!("patch Service {key}"),
            source,
        }),
    }
}

/// When to retry a Service whose reconcile failed.
pub fn error_policy(object: Arc<DynamicObject>, error: &ServiceError, ctx: Arc<Context>) -> Action {
    ctx.runtime.retry_after(&ObjectKey::of(object.as_ref()), error)
}
