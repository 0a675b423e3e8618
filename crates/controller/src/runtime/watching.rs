//! The watches a controller's queue is built from: the API of a kind in the watched namespace (or
//! all), and watch streams that retry with backoff, log their health as it changes, drop the managed
//! fields of every object (they are large and never read) and, when cached, fill a reflector store.
//! Failed polls of a watch yield nothing: the watcher retries on its own.

use std::fmt::Debug;
use std::hash::Hash;

use futures::{Stream, StreamExt};
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject, NamespaceResourceScope};
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;

use crate::runtime::repeats::WatchHealth;

/// The API of `K` in `namespace`, or in every namespace.
pub fn api<K>(client: &kube::Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// The API of the raw objects of `resource` in `namespace`, or in every namespace.
pub fn dynamic_api(client: &kube::Client, namespace: Option<&str>, resource: &ApiResource) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, resource),
        None => Api::all_with(client.clone(), resource),
    }
}

/// The events of a watch of `api` that fills `writer`; `trim` drops more of each object before it
/// is stored. `what` names the watch in its health log lines (`"ReplicaSets"`).
pub fn cached<K>(
    api: Api<K>,
    config: watcher::Config,
    writer: Writer<K>,
    what: &'static str,
    mut trim: impl FnMut(&mut K) + Send + 'static,
) -> impl Stream<Item = Event<K>> + Send + 'static
where
    K: kube::Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Eq + Hash + Clone + Send + Sync,
{
    let mut health = WatchHealth::new(what);
    watcher::watcher(api, config.any_semantic())
        .default_backoff()
        .modify(move |object: &mut K| {
            object.meta_mut().managed_fields = None;
            trim(object);
        })
        .reflect(writer)
        .filter_map(move |event| {
            health.observe(&event);
            std::future::ready(event.ok())
        })
}

/// The events of a watch of `api` whose objects are not kept (a metadata-only watch read for one
/// field); `what` names the watch in its health log lines.
pub fn uncached<K>(
    api: Api<K>,
    config: watcher::Config,
    what: &'static str,
) -> impl Stream<Item = Event<K>> + Send + 'static
where
    K: kube::Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let mut health = WatchHealth::new(what);
    watcher::watcher(api, config.any_semantic())
        .default_backoff()
        .filter_map(move |event| {
            health.observe(&event);
            std::future::ready(event.ok())
        })
}

/// Leaves an object as it is.
pub fn keep<K>(_: &mut K) {}
