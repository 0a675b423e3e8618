//! The routing objects one reconcile works on: what the controller read, changed in memory as the
//! routers write, and the ordered writes that get there.
//!
//! A router reads an object, decides, and writes, exactly as it would against the API server; every
//! write is recorded in order and also applied here, so the next router call (or the next router) sees
//! the object as the API server will hold it. A router writes only what differs, so a reconcile that
//! changes nothing records nothing.

use std::time::Duration;

use serde_json::Value;

use super::ObjectSelector;
use crate::plan::merge_patch;

/// One routing object by identity: `apiVersion`, `kind`, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// `apiVersion`, e.g. `networking.k8s.io/v1`.
    pub api_version: String,
    /// `kind`, e.g. `Ingress`.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// A reference from its parts.
    pub fn new(api_version: &str, kind: &str, namespace: &str, name: &str) -> Self {
        Self {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The reference of an object read from the API server (or about to be created).
    pub fn of(object: &Value) -> Self {
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
        Self::new(
            text("/apiVersion"),
            text("/kind"),
            text("/metadata/namespace"),
            text("/metadata/name"),
        )
    }

    /// The API group (empty for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(group, _)| group)
    }

    /// The version part of `apiVersion`.
    pub fn version(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or(self.api_version.as_str(), |(_, v)| v)
    }

    /// The resource (plural) the kind is served under, as Kubernetes derives it from the kind: lower
    /// case, `s` added, `es` after an `s` (`ingresses`), `ies` for a final `y`. Every routing kind
    /// read here follows that rule.
    pub fn plural(&self) -> String {
        let lower = self.kind.to_lowercase();
        if lower.ends_with('s') {
            format!("{lower}es")
        } else if let Some(stem) = lower.strip_suffix('y') {
            format!("{stem}ies")
        } else {
            format!("{lower}s")
        }
    }

    /// `kind/namespace/name`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// One write against a routing object, in the order the plan lists them.
#[derive(Debug, Clone, PartialEq)]
pub enum RoutingWrite {
    /// Create this object (its `apiVersion`, `kind` and `metadata` name it).
    Create(Value),
    /// Replace this object; it carries the `resourceVersion` it was read with, so a concurrent change
    /// is a conflict and the reconcile starts over.
    Update(Value),
    /// Apply a JSON merge patch (RFC 7386).
    MergePatch {
        /// The object.
        target: ObjectRef,
        /// The patch.
        patch: Value,
    },
    /// Delete the object.
    Delete(ObjectRef),
    /// Delete the object once `delay` has passed, without holding up the reconcile (Ambassador's canary
    /// Mapping, removed a while after its weight went to 0 so that the change has reached the proxies
    /// first). Upstream sleeps inside the reconcile; here the controller schedules the delete and goes
    /// on, so one slow router does not stall every Rollout of the worker. A requeue would need the
    /// time the weight went to 0 kept somewhere across reconciles, i.e. written into the object, which
    /// upstream does not do. The delete carries the object's `uid` as a precondition, so a Mapping
    /// created again meanwhile (a new rollout starting within the delay) is not the one deleted.
    DeleteAfter {
        /// The object.
        target: ObjectRef,
        /// Its `uid` when read, if it had one.
        uid: Option<String>,
        /// How long after the reconcile the delete happens.
        delay: Duration,
    },
}

impl RoutingWrite {
    /// The object written.
    pub fn target(&self) -> ObjectRef {
        match self {
            RoutingWrite::Create(object) | RoutingWrite::Update(object) => ObjectRef::of(object),
            RoutingWrite::MergePatch { target, .. }
            | RoutingWrite::Delete(target)
            | RoutingWrite::DeleteAfter { target, .. } => target.clone(),
        }
    }
}

/// The routing objects of one reconcile and the writes made to them so far.
#[derive(Debug, Clone, Default)]
pub struct Objects {
    held: Vec<Value>,
    writes: Vec<RoutingWrite>,
    events: Vec<RoutingEvent>,
}

/// An event a router records on the Rollout with its writes (e.g. `TrafficSplitCreated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingEvent {
    /// Upstream's reason.
    pub reason: String,
    /// Upstream's message.
    pub message: String,
    /// A Warning rather than a Normal event (e.g. `AmbassadorMappingConfigError`).
    pub warning: bool,
}

impl Objects {
    /// The objects as read (an object both named and listed may come twice; it is held once). An
    /// object the routers look for that is not here does not exist.
    pub fn new(read: &[Value]) -> Self {
        let mut held: Vec<Value> = Vec::with_capacity(read.len());
        for object in read {
            let target = ObjectRef::of(object);
            if !held.iter().any(|o| ObjectRef::of(o) == target) {
                held.push(object.clone());
            }
        }
        Self {
            held,
            writes: Vec::new(),
            events: Vec::new(),
        }
    }

    /// The object, as the writes so far leave it.
    pub fn get(&self, target: &ObjectRef) -> Option<&Value> {
        self.held.iter().find(|o| &ObjectRef::of(o) == target)
    }

    /// The objects a selector picks, as the writes so far leave them, in name order (the order the
    /// API server lists them in).
    pub fn list(&self, selector: &ObjectSelector) -> Vec<&Value> {
        let mut selected: Vec<&Value> = self.held.iter().filter(|o| selector.selects(o)).collect();
        selected.sort_by_key(|o| ObjectRef::of(o).name);
        selected
    }

    /// Creates an object.
    pub fn create(&mut self, object: Value) {
        let target = ObjectRef::of(&object);
        self.held.retain(|o| ObjectRef::of(o) != target);
        self.held.push(object.clone());
        self.writes.push(RoutingWrite::Create(object));
    }

    /// Replaces an object with a changed copy of it; nothing is written when the copy is equal to what
    /// is held. Returns whether a write was recorded.
    pub fn update(&mut self, object: Value) -> bool {
        let target = ObjectRef::of(&object);
        match self.held.iter_mut().find(|o| ObjectRef::of(o) == target) {
            Some(held) if *held == object => return false,
            Some(held) => held.clone_from(&object),
            None => self.held.push(object.clone()),
        }
        self.writes.push(RoutingWrite::Update(object));
        true
    }

    /// Merge-patches an object; nothing is written when the patch changes nothing.
    pub fn merge_patch(&mut self, target: &ObjectRef, patch: Value) {
        let Some(held) = self.held.iter_mut().find(|o| &ObjectRef::of(o) == target) else {
            return;
        };
        let mut patched = held.clone();
        merge_patch::apply(&mut patched, &patch);
        if patched != *held {
            *held = patched;
            self.writes.push(RoutingWrite::MergePatch {
                target: target.clone(),
                patch,
            });
        }
    }

    /// Deletes an object; nothing is written when it does not exist.
    pub fn delete(&mut self, target: &ObjectRef) {
        let before = self.held.len();
        self.held.retain(|o| &ObjectRef::of(o) != target);
        if self.held.len() != before {
            self.writes.push(RoutingWrite::Delete(target.clone()));
        }
    }

    /// Deletes an object once `delay` has passed (see [`RoutingWrite::DeleteAfter`]); it is still held
    /// meanwhile, as it still exists. Nothing is written when it does not exist, or when this
    /// reconcile already asked for its delete (several routers' weight-0 calls in one plan).
    pub fn delete_after(&mut self, target: &ObjectRef, delay: Duration) {
        let Some(held) = self.get(target) else {
            return;
        };
        let asked = self
            .writes
            .iter()
            .any(|w| matches!(w, RoutingWrite::DeleteAfter { target: t, .. } if t == target));
        if asked {
            return;
        }
        let uid = held
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .map(str::to_string);
        self.writes.push(RoutingWrite::DeleteAfter {
            target: target.clone(),
            uid,
            delay,
        });
    }

    /// Records a Normal event on the Rollout, published once the plan's writes succeeded.
    pub fn event(&mut self, reason: &str, message: impl Into<String>) {
        self.events.push(RoutingEvent {
            reason: reason.to_string(),
            message: message.into(),
            warning: false,
        });
    }

    /// Records a Warning event on the Rollout, published with the plan (also when a router failed).
    pub fn warning(&mut self, reason: &str, message: impl Into<String>) {
        self.events.push(RoutingEvent {
            reason: reason.to_string(),
            message: message.into(),
            warning: true,
        });
    }

    /// Takes the events recorded so far.
    pub fn take_events(&mut self) -> Vec<RoutingEvent> {
        std::mem::take(&mut self.events)
    }

    /// The writes recorded so far, in order.
    pub fn writes(&self) -> &[RoutingWrite] {
        &self.writes
    }

    /// Takes the writes recorded so far, leaving the objects as they are.
    pub fn take_writes(&mut self) -> Vec<RoutingWrite> {
        std::mem::take(&mut self.writes)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ingress(name: &str, weight: &str) -> Value {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": name, "namespace": "ns", "resourceVersion": "1",
                            "annotations": {"w": weight}}})
    }

    #[test]
    fn unchanged_writes_are_not_recorded() {
        let mut objects = Objects::new(&[ingress("a", "10")]);
        let target = ObjectRef::new("networking.k8s.io/v1", "Ingress", "ns", "a");
        objects.update(ingress("a", "10"));
        objects.merge_patch(&target, json!({"metadata": {"annotations": {"w": "10"}}}));
        objects.delete(&ObjectRef::new("networking.k8s.io/v1", "Ingress", "ns", "missing"));
        assert!(objects.writes().is_empty());
    }

    #[test]
    fn writes_are_recorded_in_order_and_seen_by_later_reads() {
        let mut objects = Objects::new(&[ingress("a", "10")]);
        let target = ObjectRef::new("networking.k8s.io/v1", "Ingress", "ns", "a");
        objects.merge_patch(&target, json!({"metadata": {"annotations": {"w": "20"}}}));
        assert_eq!(objects.get(&target).unwrap()["metadata"]["annotations"]["w"], "20");
        objects.create(ingress("b", "0"));
        objects.delete(&target);
        let kinds: Vec<_> = objects
            .writes()
            .iter()
            .map(|w| match w {
                RoutingWrite::Create(_) => "create",
                RoutingWrite::Update(_) => "update",
                RoutingWrite::MergePatch { .. } => "patch",
                RoutingWrite::Delete(_) => "delete",
                RoutingWrite::DeleteAfter { .. } => "delete later",
            })
            .collect();
        assert_eq!(kinds, ["patch", "create", "delete"]);
        assert!(objects.get(&target).is_none());
    }

    #[test]
    fn an_object_read_twice_is_held_once_and_listing_follows_the_writes() {
        let labelled = |name: &str, app: &str| {
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata":
                   {"name": name, "namespace": "ns", "labels": {"app": app}}})
        };
        let mut objects = Objects::new(&[labelled("b", "web"), labelled("a", "web"), labelled("b", "web")]);
        let selector: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector =
            serde_json::from_value(json!({"matchLabels": {"app": "web"}})).unwrap();
        let query =
            crate::traffic::LabelQuery::from_selector(&selector, &rollouts_api::validation::FieldPath::new("s"))
                .unwrap();
        let selector = ObjectSelector::new("networking.k8s.io/v1", "Ingress", "ns", query);
        let names = |objects: &Objects| -> Vec<String> {
            objects
                .list(&selector)
                .iter()
                .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&objects), ["a", "b"]);
        objects.update(labelled("a", "api"));
        assert_eq!(names(&objects), ["b"]);
    }

    #[test]
    fn references_split_the_api_version() {
        let r = ObjectRef::new("networking.istio.io/v1alpha3", "VirtualService", "ns", "vs");
        assert_eq!(
            (r.group(), r.version(), r.plural().as_str()),
            ("networking.istio.io", "v1alpha3", "virtualservices")
        );
        let plurals: Vec<String> = [
            "Ingress",
            "TrafficSplit",
            "HTTPRoute",
            "TCPRoute",
            "DestinationRule",
            "Service",
            "Policy",
        ]
        .iter()
        .map(|kind| ObjectRef::new("v1", kind, "ns", "n").plural())
        .collect();
        assert_eq!(
            plurals,
            [
                "ingresses",
                "trafficsplits",
                "httproutes",
                "tcproutes",
                "destinationrules",
                "services",
                "policies"
            ]
        );
        let core = ObjectRef::new("v1", "Service", "ns", "s");
        assert_eq!((core.group(), core.version()), ("", "v1"));
    }
}
