//! What the controllers' queues carry: requests to reconcile a raw cached object, and the changes one
//! controller's watch forwards to another that shares its cache (the AnalysisRuns, watched once for
//! both controllers).

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::controller::{ReconcileReason, ReconcileRequest};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;

/// A request to reconcile a raw cached object.
pub type Request = ReconcileRequest<DynamicObject>;

/// A request to reconcile `object`, for `reason`.
pub fn request(object: ObjectRef<DynamicObject>, reason: ReconcileReason) -> Request {
    ReconcileRequest {
        obj_ref: object,
        reason,
    }
}

/// What a watch tells the controller it forwards its events to.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectChange {
    /// The object was added or changed (or listed again).
    Changed(ObjectRef<DynamicObject>),
    /// The object was deleted.
    Deleted(ObjectRef<DynamicObject>),
}

impl ObjectChange {
    /// What a watch event of a raw object of `resource` tells: nothing for the markers of a list.
    pub fn of(event: &Event<DynamicObject>, resource: &ApiResource) -> Option<Self> {
        match event {
            Event::Apply(object) | Event::InitApply(object) => Some(ObjectChange::Changed(ObjectRef::from_obj_with(
                object,
                resource.clone(),
            ))),
            Event::Delete(object) => Some(ObjectChange::Deleted(ObjectRef::from_obj_with(
                object,
                resource.clone(),
            ))),
            Event::Init | Event::InitDone => None,
        }
    }
}

/// The sending half of a channel of [`ObjectChange`]s.
pub type ChangeSender = UnboundedSender<ObjectChange>;

/// The receiving half of a channel of [`ObjectChange`]s.
pub type ChangeReceiver = UnboundedReceiver<ObjectChange>;

/// A channel of [`ObjectChange`]s (unbounded: the watch that sends must never wait for the
/// controller that receives).
pub fn change_channel() -> (ChangeSender, ChangeReceiver) {
    futures::channel::mpsc::unbounded()
}
