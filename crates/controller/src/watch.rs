//! The watches and their caches, and the queue of Rollouts to reconcile that they feed.
//!
//! * Rollouts are cached as raw JSON ([`DynamicObject`]) and decoded one by one in the reconcile, so
//!   that a Rollout that does not fit the type cannot break the watch of all the others.
//! * ReplicaSets are watched only with the `rollouts-pod-template-hash` label, as upstream does; a
//!   change to one enqueues the Rollout that controls it.
//! * Services are watched so that a change to one enqueues the Rollouts that reference it.
//!
//! Managed fields are dropped from every cached object: they are large and never read.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use futures::stream::{self, BoxStream};
use futures::{FutureExt, Stream, StreamExt};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::controller::{ReconcileReason, ReconcileRequest};
use kube::runtime::reflector::{ObjectRef, Store, store::Writer};
use kube::runtime::watcher::{self, Event};
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;

use crate::reconcile::{Context, key_of};
use crate::snapshot::references_service;

/// The watch caches.
#[derive(Clone)]
pub struct Stores {
    /// Rollouts, raw.
    pub rollouts: Store<DynamicObject>,
    /// ReplicaSets with the `rollouts-pod-template-hash` label.
    pub replica_sets: Store<ReplicaSet>,
    /// Services.
    pub services: Store<Service>,
}

/// The write halves of the caches, consumed by [`queue`].
pub struct Writers {
    rollouts: Writer<DynamicObject>,
    replica_sets: Writer<ReplicaSet>,
    services: Writer<Service>,
}

/// Empty caches, filled once [`queue`] is polled.
pub fn stores(rollout_resource: &ApiResource) -> (Stores, Writers) {
    let rollouts = Writer::new(rollout_resource.clone());
    let replica_sets = Writer::default();
    let services = Writer::default();
    let stores = Stores {
        rollouts: rollouts.as_reader(),
        replica_sets: replica_sets.as_reader(),
        services: services.as_reader(),
    };
    (
        stores,
        Writers {
            rollouts,
            replica_sets,
            services,
        },
    )
}

type Request = ReconcileRequest<DynamicObject>;

fn request(rollout: ObjectRef<DynamicObject>, reason: ReconcileReason) -> Request {
    ReconcileRequest {
        obj_ref: rollout,
        reason,
    }
}

/// The Rollout controlling `rs`, if any.
pub fn owner_of(rs: &ReplicaSet, rollout_resource: &ApiResource) -> Option<ObjectRef<DynamicObject>> {
    let namespace = rs.metadata.namespace.as_deref()?;
    rs.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .filter(|o| o.kind == rollout_resource.kind && o.api_version == rollout_resource.api_version)
        .map(|o| ObjectRef::new_with(&o.name, rollout_resource.clone()).within(namespace))
}

/// Runs the watches (while polled) and yields the Rollouts to reconcile.
pub fn queue(
    client: &kube::Client,
    namespace: Option<&str>,
    writers: Writers,
    ctx: Arc<Context>,
) -> impl Stream<Item = Result<Request, Infallible>> + Send + 'static {
    let resource = ctx.rollout_resource.clone();
    let rollout_api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    let (replica_set_api, service_api): (Api<ReplicaSet>, Api<Service>) = match namespace {
        Some(ns) => (Api::namespaced(client.clone(), ns), Api::namespaced(client.clone(), ns)),
        None => (Api::all(client.clone()), Api::all(client.clone())),
    };

    let rollout_ctx = Arc::clone(&ctx);
    let rollouts = watcher::watcher(rollout_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .modify(|ro: &mut DynamicObject| ro.metadata.managed_fields = None)
        .reflect(writers.rollouts)
        .flat_map(move |event| {
            let requests = match event {
                Ok(Event::Apply(ro) | Event::InitApply(ro)) => {
                    vec![request(
                        ObjectRef::from_obj_with(&ro, resource.clone()),
                        ReconcileReason::ObjectUpdated,
                    )]
                }
                Ok(Event::Delete(ro)) => {
                    rollout_ctx.rollout_deleted(&key_of(&ro));
                    Vec::new()
                }
                Ok(Event::Init | Event::InitDone) => Vec::new(),
                Err(error) => {
                    tracing::warn!(%error, "watching Rollouts");
                    Vec::new()
                }
            };
            stream::iter(requests)
        });

    let rs_ctx = Arc::clone(&ctx);
    let replica_sets = watcher::watcher(
        replica_set_api,
        watcher::Config::default().any_semantic().labels(POD_TEMPLATE_HASH),
    )
    .default_backoff()
    .modify(|rs: &mut ReplicaSet| rs.metadata.managed_fields = None)
    .reflect(writers.replica_sets)
    .flat_map(move |event| {
        let related = |rs: &ReplicaSet| {
            owner_of(rs, &rs_ctx.rollout_resource).map(|owner| {
                let reason = ReconcileReason::RelatedObjectUpdated {
                    obj_ref: Box::new(ObjectRef::<ReplicaSet>::from_obj(rs).erase()),
                };
                request(owner, reason)
            })
        };
        let requests: Vec<Request> = match event {
            Ok(Event::Apply(rs) | Event::InitApply(rs)) => related(&rs).into_iter().collect(),
            Ok(Event::Delete(rs)) => {
                let namespace = rs.metadata.namespace.as_deref().unwrap_or_default();
                rs_ctx
                    .tracker
                    .replica_set_deleted(namespace, rs.metadata.name.as_deref().unwrap_or_default());
                related(&rs).into_iter().collect()
            }
            Ok(Event::Init | Event::InitDone) => Vec::new(),
            Err(error) => {
                tracing::warn!(%error, "watching ReplicaSets");
                Vec::new()
            }
        };
        stream::iter(requests)
    });

    let svc_ctx = Arc::clone(&ctx);
    let services = watcher::watcher(service_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .modify(|svc: &mut Service| {
            svc.metadata.managed_fields = None;
            svc.status = None;
        })
        .reflect(writers.services)
        .flat_map(move |event| {
            let requests = match event {
                Ok(Event::Apply(svc) | Event::InitApply(svc) | Event::Delete(svc)) => {
                    referencing_rollouts(&svc_ctx, &svc)
                }
                Ok(Event::Init | Event::InitDone) => Vec::new(),
                Err(error) => {
                    tracing::warn!(%error, "watching Services");
                    Vec::new()
                }
            };
            stream::iter(requests)
        });

    let streams: Vec<BoxStream<'static, Request>> = vec![rollouts.boxed(), replica_sets.boxed(), services.boxed()];
    stream::select_all(streams).map(Ok)
}

/// A stream that ends once `shutdown` resolves, dropping the stream it wraps. Dropping matters: the
/// watches inside own the cache writers, and until they are gone a cache that never filled (an
/// unreachable API server) would keep the controller waiting for it.
pub struct UntilShutdown<S, F> {
    stream: Option<S>,
    shutdown: F,
}

impl<S, F> UntilShutdown<S, F> {
    /// Wraps `stream`.
    pub fn new(stream: S, shutdown: F) -> Self {
        Self {
            stream: Some(stream),
            shutdown,
        }
    }
}

impl<S: Stream + Unpin, F: Future<Output = ()> + Unpin> Stream for UntilShutdown<S, F> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<S::Item>> {
        let this = &mut *self;
        if this.stream.is_some() && this.shutdown.poll_unpin(cx).is_ready() {
            this.stream = None;
        }
        match this.stream.as_mut() {
            Some(stream) => stream.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }
}

/// Requests for the cached Rollouts of the Service's namespace that reference it.
fn referencing_rollouts(ctx: &Context, svc: &Service) -> Vec<Request> {
    let (Some(namespace), Some(name)) = (svc.metadata.namespace.as_deref(), svc.metadata.name.as_deref()) else {
        return Vec::new();
    };
    ctx.stores
        .rollouts
        .state_filter(|ro| ro.metadata.namespace.as_deref() == Some(namespace) && references_service(&ro.data, name))
        .iter()
        .map(|ro| {
            let reason = ReconcileReason::RelatedObjectUpdated {
                obj_ref: Box::new(ObjectRef::<Service>::from_obj(svc).erase()),
            };
            request(
                ObjectRef::from_obj_with(ro.as_ref(), ctx.rollout_resource.clone()),
                reason,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use kube::api::ObjectMeta;
    use rollouts_api::Rollout;

    fn rs(owner: OwnerReference) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some("web-1".into()),
                namespace: Some("ns".into()),
                owner_references: Some(vec![owner]),
                ..ObjectMeta::default()
            },
            ..ReplicaSet::default()
        }
    }

    fn owner(api_version: &str, kind: &str, controller: bool) -> OwnerReference {
        OwnerReference {
            api_version: api_version.into(),
            kind: kind.into(),
            name: "web".into(),
            uid: "u".into(),
            controller: Some(controller),
            ..OwnerReference::default()
        }
    }

    #[tokio::test]
    async fn the_queue_ends_and_drops_its_stream_at_shutdown() {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let dropped = Arc::new(());
        let guard = Arc::clone(&dropped);
        let inner = stream::iter([1, 2]).chain(stream::pending()).map(move |n| {
            let _ = &guard;
            n
        });
        let mut queue = UntilShutdown::new(inner.boxed(), stopped.map(|_| ()));
        assert_eq!(queue.next().await, Some(1));
        assert_eq!(queue.next().await, Some(2));
        stop.send(()).unwrap();
        assert_eq!(queue.next().await, None);
        assert_eq!(Arc::strong_count(&dropped), 1, "the wrapped stream was dropped");
        assert_eq!(queue.next().await, None);
    }

    #[test]
    fn a_replica_set_maps_to_the_rollout_controlling_it() {
        let resource = ApiResource::erase::<Rollout>(&());
        let found = owner_of(&rs(owner("argoproj.io/v1alpha1", "Rollout", true)), &resource).unwrap();
        assert_eq!(found, ObjectRef::new_with("web", resource.clone()).within("ns"));
        assert_eq!(owner_of(&rs(owner("apps/v1", "Deployment", true)), &resource), None);
        assert_eq!(
            owner_of(&rs(owner("argoproj.io/v1alpha1", "Rollout", false)), &resource),
            None
        );
        assert_eq!(owner_of(&ReplicaSet::default(), &resource), None);
    }
}
