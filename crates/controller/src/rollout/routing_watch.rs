//! Watches of the routing objects the Rollouts' routers read, so that a change to an Ingress, a
//! VirtualService or an HTTPRoute (someone editing it, or deleting the canary Ingress) is acted on at
//! once rather than at the next resync.
//!
//! The kinds are only known once a Rollout names them, and a cluster may not serve them at all (no
//! Istio CRDs), so one watch per kind is started the first time a reconcile reads an object of that
//! kind; each event enqueues the Rollouts that read the object, or that select objects of its kind
//! and namespace by labels it carries (a route labelled for a Rollout after the Rollout last listed). Routing objects are read from the API
//! server at each reconcile of a routed Rollout (see [`super::routing`]); the watches only trigger.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::WatchStreamExt;
use kube::runtime::controller::ReconcileReason;
use kube::runtime::reflector::ObjectRef as CacheRef;
use kube::runtime::watcher::{self, Event};
use rollouts_core::traffic::{ObjectRef, ObjectSelector};
use tokio::task::JoinHandle;

use super::RolloutKey;
use crate::runtime::queue::{Request, request};

/// Which Rollouts read which routing object (and the reverse), and the watches running.
#[derive(Default)]
struct State {
    readers: HashMap<ObjectRef, BTreeSet<RolloutKey>>,
    read_by: HashMap<RolloutKey, Vec<ObjectRef>>,
    selectors: HashMap<ObjectSelector, BTreeSet<RolloutKey>>,
    selected_by: HashMap<RolloutKey, Vec<ObjectSelector>>,
    watches: HashMap<(String, String), JoinHandle<()>>,
}

impl State {
    /// The Rollouts an event on this object concerns: those that read it by name, and those whose
    /// selectors pick it.
    fn concerned(&self, target: &ObjectRef, labels: &BTreeMap<String, String>) -> BTreeSet<RolloutKey> {
        let mut rollouts: BTreeSet<RolloutKey> = self.readers.get(target).cloned().unwrap_or_default();
        for (selector, selecting) in &self.selectors {
            if selector.selects_labels(target, labels) {
                rollouts.extend(selecting.iter().cloned());
            }
        }
        rollouts
    }
}

/// The routing watches of one controller.
pub struct RoutingWatches {
    client: kube::Client,
    namespace: Option<String>,
    rollout_resource: ApiResource,
    sender: UnboundedSender<Request>,
    state: std::sync::Arc<Mutex<State>>,
}

impl RoutingWatches {
    /// No watch yet; the requests their events make come out of the returned receiver.
    pub fn new(
        client: kube::Client,
        namespace: Option<String>,
        rollout_resource: ApiResource,
    ) -> (Self, UnboundedReceiver<Request>) {
        let (sender, receiver) = unbounded();
        let watches = Self {
            client,
            namespace,
            rollout_resource,
            sender,
            state: std::sync::Arc::default(),
        };
        (watches, receiver)
    }

    /// Records that `rollout` reads `targets` and lists `selections` (replacing what it read before),
    /// starting the watch of any kind not watched yet; returns the objects it read before and no longer
    /// does.
    pub fn register(
        &self,
        rollout: &RolloutKey,
        targets: &[ObjectRef],
        selections: &[ObjectSelector],
    ) -> Vec<ObjectRef> {
        let Ok(mut state) = self.state.lock() else {
            return Vec::new();
        };
        let before = state
            .read_by
            .insert(rollout.clone(), targets.to_vec())
            .unwrap_or_default();
        let dropped: Vec<ObjectRef> = before.into_iter().filter(|t| !targets.contains(t)).collect();
        for target in &dropped {
            if let Some(readers) = state.readers.get_mut(target) {
                readers.remove(rollout);
            }
        }
        let selected_before = state
            .selected_by
            .insert(rollout.clone(), selections.to_vec())
            .unwrap_or_default();
        for selection in selected_before.iter().filter(|s| !selections.contains(s)) {
            if let Some(selecting) = state.selectors.get_mut(selection) {
                selecting.remove(rollout);
            }
        }
        for target in targets {
            state.readers.entry(target.clone()).or_default().insert(rollout.clone());
            self.watch_kind(&mut state, target);
        }
        for selection in selections {
            state
                .selectors
                .entry(selection.clone())
                .or_default()
                .insert(rollout.clone());
            self.watch_kind(&mut state, &selection.collection());
        }
        dropped
    }

    /// Whether `rollout` read or listed any routing object at its last registration (so that one which
    /// stops routing is registered once more, with nothing, to let go of what it read).
    pub fn reads_anything(&self, rollout: &RolloutKey) -> bool {
        self.state.lock().is_ok_and(|s| {
            s.read_by.get(rollout).is_some_and(|t| !t.is_empty())
                || s.selected_by.get(rollout).is_some_and(|t| !t.is_empty())
        })
    }

    /// Forgets a deleted Rollout; returns the objects it read.
    pub fn forget(&self, rollout: &RolloutKey) -> Vec<ObjectRef> {
        let Ok(mut state) = self.state.lock() else {
            return Vec::new();
        };
        let targets = state.read_by.remove(rollout).unwrap_or_default();
        for target in &targets {
            if let Some(readers) = state.readers.get_mut(target) {
                readers.remove(rollout);
            }
        }
        for selection in state.selected_by.remove(rollout).unwrap_or_default() {
            if let Some(selecting) = state.selectors.get_mut(&selection) {
                selecting.remove(rollout);
            }
        }
        targets
    }

    /// The client the watches use.
    pub fn client(&self) -> kube::Client {
        self.client.clone()
    }

    fn watch_kind(&self, state: &mut State, target: &ObjectRef) {
        let kind = (target.api_version.clone(), target.kind.clone());
        if let std::collections::hash_map::Entry::Vacant(slot) = state.watches.entry(kind) {
            slot.insert(self.start(target));
        }
    }

    fn start(&self, target: &ObjectRef) -> JoinHandle<()> {
        let gvk = GroupVersionKind::gvk(target.group(), target.version(), &target.kind);
        let resource = ApiResource::from_gvk_with_plural(&gvk, &target.plural());
        let api: Api<DynamicObject> = match &self.namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &resource),
            None => Api::all_with(self.client.clone(), &resource),
        };
        let state = std::sync::Arc::clone(&self.state);
        let sender = self.sender.clone();
        let rollout_resource = self.rollout_resource.clone();
        let (api_version, kind) = (target.api_version.clone(), target.kind.clone());
        tokio::spawn(async move {
            let mut events = watcher::watcher(api, watcher::Config::default())
                .default_backoff()
                .boxed();
            while let Some(event) = events.next().await {
                let object = match event {
                    Ok(Event::Apply(o) | Event::InitApply(o) | Event::Delete(o)) => o,
                    Ok(_) => continue,
                    Err(error) => {
                        tracing::debug!(%kind, %error, "routing object watch failed; retrying");
                        continue;
                    }
                };
                let target = ObjectRef::new(
                    &api_version,
                    &kind,
                    object.metadata.namespace.as_deref().unwrap_or_default(),
                    object.metadata.name.as_deref().unwrap_or_default(),
                );
                let labels = object.metadata.labels.clone().unwrap_or_default();
                let readers: BTreeSet<RolloutKey> =
                    state.lock().map(|s| s.concerned(&target, &labels)).unwrap_or_default();
                for rollout in readers {
                    let obj_ref = CacheRef::<DynamicObject>::new_with(&rollout.name, rollout_resource.clone())
                        .within(&rollout.namespace);
                    let reason = ReconcileReason::Custom {
                        reason: format!("{} {} changed", target.kind, target.name),
                    };
                    if sender.unbounded_send(request(obj_ref, reason)).is_err() {
                        return;
                    }
                }
            }
        })
    }
}

impl Drop for RoutingWatches {
    fn drop(&mut self) {
        if let Ok(state) = self.state.lock() {
            for handle in state.watches.values() {
                handle.abort();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    use rollouts_api::validation::FieldPath;
    use rollouts_core::traffic::LabelQuery;

    use super::*;

    const V1: &str = "gateway.networking.k8s.io/v1";

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_event_concerns_the_readers_by_name_and_the_rollouts_selecting_it() {
        let selector: LabelSelector =
            serde_json::from_value(serde_json::json!({"matchLabels": {"app": "web"}})).expect("a selector");
        let query = LabelQuery::from_selector(&selector, &FieldPath::new("s")).expect("valid");
        let (by_name, by_label) = (RolloutKey::new("ns", "named"), RolloutKey::new("ns", "selecting"));
        let mut state = State::default();
        state
            .readers
            .entry(ObjectRef::new(V1, "HTTPRoute", "ns", "route-a"))
            .or_default()
            .insert(by_name.clone());
        state
            .selectors
            .entry(ObjectSelector::new(V1, "HTTPRoute", "ns", query))
            .or_default()
            .insert(by_label.clone());

        let route_a = ObjectRef::new(V1, "HTTPRoute", "ns", "route-a");
        let route_b = ObjectRef::new(V1, "HTTPRoute", "ns", "route-b");
        let web = labels(&[("app", "web")]);
        assert_eq!(
            state.concerned(&route_a, &web),
            BTreeSet::from([by_name.clone(), by_label.clone()])
        );
        assert_eq!(state.concerned(&route_a, &BTreeMap::new()), BTreeSet::from([by_name]));
        assert_eq!(state.concerned(&route_b, &web), BTreeSet::from([by_label]));
        // Another namespace or kind with the same labels concerns no one.
        assert!(
            state
                .concerned(&ObjectRef::new(V1, "HTTPRoute", "other", "route-b"), &web)
                .is_empty()
        );
        assert!(
            state
                .concerned(&ObjectRef::new(V1, "GRPCRoute", "ns", "route-b"), &web)
                .is_empty()
        );
    }
}
