//! The Service controller's runtime: its queue and its kube-runtime applier.
//!
//! Services are watched into a cache of their own; an added or changed Service that carries the
//! managed-by annotation is reconciled. Rollouts are watched by their metadata only: when one is
//! created, deleted or its spec changes (a new generation, not the status writes a progressing
//! Rollout sees all the time), the cached Services of its namespace whose annotation names it are
//! reconciled.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use k8s_openapi::api::core::v1::Service;
use kube::core::{ApiResource, DynamicObject, PartialObjectMeta};
use kube::runtime::controller::ReconcileReason;
use kube::runtime::reflector::store::Writer;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher::{Config, Event};
use rollouts_api::Rollout;
use rollouts_api::well_known::annotations::MANAGED_BY_ROLLOUTS;

use super::context::Context;
use super::reconcile::{error_policy, reconcile};
use crate::runtime::ObjectKey;
use crate::runtime::applier;
use crate::runtime::changes::LastSeen;
use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;
use crate::runtime::queue::{Request, request};
use crate::runtime::shutdown::UntilShutdown;
use crate::runtime::watching::{api, cached, dynamic_api, keep, uncached};

/// How the Service controller runs.
pub struct Settings {
    /// Watch this namespace only.
    pub namespace: Option<String>,
    /// How many Services are reconciled at once at most.
    pub concurrency: u16,
    /// How long to wait before looking at a managed Service again when nothing changed.
    pub resync: Duration,
    /// The counters.
    pub metrics: Metrics,
}

/// Runs the Service controller until `shutdown` resolves and the reconciles in flight have finished.
pub async fn run<F>(client: kube::Client, settings: Settings, shutdown: F)
where
    F: Future<Output = ()> + Unpin + Send,
{
    let ctx = Arc::new(Context::new(client.clone(), settings.metrics, settings.resync));
    let resource = ApiResource::erase::<Service>(&());
    let writer = Writer::new(resource.clone());
    let services = writer.as_reader();
    let namespace = settings.namespace.as_deref();

    let service_ctx = Arc::clone(&ctx);
    let service_resource = resource.clone();
    let service_changed = cached(
        dynamic_api(&client, namespace, &resource),
        Config::default(),
        writer,
        "Services (Service controller)",
        keep,
    )
    .filter_map(move |event| std::future::ready(service_event(&service_ctx, &service_resource, &event)));

    let mut generations = LastSeen::default();
    let store = services.clone();
    let rollout_changed = uncached(
        api::<PartialObjectMeta<Rollout>>(&client, namespace),
        Config::default(),
        "Rollouts (Service controller)",
    )
    .flat_map(move |event| {
        let changed = generations.observe(&event, |rollout| rollout.metadata.generation);
        let requests: Vec<Request> = changed
            .iter()
            .flat_map(|rollout| managed_services(&store, &resource, rollout))
            .collect();
        stream::iter(requests)
    });

    // Ending the queue starts the applier's graceful shutdown: no new reconciles, in-flight ones finish.
    let queue = UntilShutdown::new(
        stream::select(service_changed, rollout_changed)
            .map(Ok::<_, Infallible>)
            .boxed(),
        shutdown,
    );
    applier::run(
        ControllerKind::Service,
        ctx,
        services,
        queue,
        settings.concurrency,
        reconcile,
        error_policy,
    )
    .await;
}

/// The request a Service's watch event makes: one for an added or changed Service a Rollout manages;
/// a deleted one is forgotten.
fn service_event(ctx: &Context, resource: &ApiResource, event: &Event<DynamicObject>) -> Option<Request> {
    match event {
        Event::Apply(service) | Event::InitApply(service) => managed_by(service).is_some().then(|| {
            request(
                ObjectRef::from_obj_with(service, resource.clone()),
                ReconcileReason::ObjectUpdated,
            )
        }),
        Event::Delete(service) => {
            ctx.runtime.forget(&ObjectKey::of(service));
            None
        }
        Event::Init | Event::InitDone => None,
    }
}

/// The Rollout a cached Service's managed-by annotation names.
fn managed_by(service: &DynamicObject) -> Option<&str> {
    service
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(MANAGED_BY_ROLLOUTS))
        .map(String::as_str)
}

/// Requests for the cached Services of the Rollout's namespace whose annotation names it.
fn managed_services(services: &Store<DynamicObject>, resource: &ApiResource, rollout: &ObjectKey) -> Vec<Request> {
    let reason = ReconcileReason::Custom {
        reason: format!("Rollout {rollout} changed"),
    };
    services
        .state()
        .iter()
        .filter(|service| service.metadata.namespace.as_deref() == Some(rollout.namespace.as_str()))
        .filter(|service| managed_by(service) == Some(rollout.name.as_str()))
        .map(|service| {
            request(
                ObjectRef::from_obj_with(service.as_ref(), resource.clone()),
                reason.clone(),
            )
        })
        .collect()
}
