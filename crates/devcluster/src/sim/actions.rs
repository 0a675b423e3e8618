//! What a simulated controller asks the runtime to do: [`Action`]s and the time to look again, together a
//! [`Plan`].
//!
//! Plans are data so that the controllers stay pure: the runtime executes the actions in order against
//! the store (through the same paths the API server uses, so defaulting, validation and watches apply)
//! and calls the controller again when a watched object changes or `requeue_after` has passed.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::meta;

/// The kinds of objects the simulated controllers write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// core/v1 Pod.
    Pod,
    /// apps/v1 ReplicaSet.
    ReplicaSet,
    /// apps/v1 Deployment.
    Deployment,
    /// batch/v1 Job.
    Job,
    /// core/v1 Endpoints.
    Endpoints,
    /// policy/v1 PodDisruptionBudget.
    PodDisruptionBudget,
}

impl Kind {
    /// Every kind the simulated controllers write.
    pub const ALL: [Kind; 6] = [
        Kind::Pod,
        Kind::ReplicaSet,
        Kind::Deployment,
        Kind::Job,
        Kind::Endpoints,
        Kind::PodDisruptionBudget,
    ];

    /// The `kind` field as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pod => "Pod",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::Deployment => "Deployment",
            Kind::Job => "Job",
            Kind::Endpoints => "Endpoints",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
        }
    }

    /// The `apiVersion` the objects are written with.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Pod | Kind::Endpoints => "v1",
            Kind::ReplicaSet | Kind::Deployment => "apps/v1",
            Kind::Job => "batch/v1",
            Kind::PodDisruptionBudget => "policy/v1",
        }
    }

    /// The plural resource name, as used in API paths.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Pod => "pods",
            Kind::ReplicaSet => "replicasets",
            Kind::Deployment => "deployments",
            Kind::Job => "jobs",
            Kind::Endpoints => "endpoints",
            Kind::PodDisruptionBudget => "poddisruptionbudgets",
        }
    }
}

/// Names one existing object; `uid` (when known) lets the runtime refuse to act on a newer object that
/// reuses the name, as a delete precondition does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    /// Its kind.
    pub kind: Kind,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its `metadata.uid`, when the object had one.
    pub uid: Option<String>,
}

impl ObjectRef {
    /// The reference to `obj`, read from its metadata.
    pub fn of(kind: Kind, obj: &Value) -> Self {
        let uid = meta::uid(obj);
        ObjectRef {
            kind,
            namespace: meta::namespace(obj).to_string(),
            name: meta::name(obj).to_string(),
            uid: (!uid.is_empty()).then(|| uid.to_string()),
        }
    }
}

/// One change to the cluster, decided by a controller.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Create this object (it carries `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`;
    /// the store assigns uid, resourceVersion and creationTimestamp). An `AlreadyExists` answer is
    /// harmless: the controller sees the object on its next call.
    Create(Value),
    /// Replace this object's metadata and spec with the ones given (the object as read, changed; its
    /// `resourceVersion` makes the write conditional). Status in it is to be ignored.
    Update(Value),
    /// Replace `.status` of the target with `status`, leaving metadata and spec alone.
    UpdateStatus {
        /// The object whose status changes.
        target: ObjectRef,
        /// The whole new status.
        status: Value,
    },
    /// Assign the pod to a node (what the scheduler does through `pods/binding`): set `spec.nodeName`.
    Bind {
        /// The pod.
        pod: ObjectRef,
        /// The node's name.
        node: String,
    },
    /// Delete the target. `grace_period_seconds: None` deletes as a client would (pods get their
    /// grace period and a deletionTimestamp, then the kubelet finishes them); `Some(0)` removes it now,
    /// as the kubelet does once the containers have stopped.
    Delete {
        /// The object to delete.
        target: ObjectRef,
        /// The grace period to delete with, if not the object's default.
        grace_period_seconds: Option<i64>,
    },
    /// Record an Event about an object. As client-go's recorder aggregates, the same reason and
    /// message about the same object again raises the count of the Event already recorded.
    RecordEvent(EventRecord),
}

/// An Event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// The object it is about.
    pub regarding: ObjectRef,
    /// `Warning` rather than `Normal`.
    pub warning: bool,
    /// Its reason, e.g. `FailedScheduling`.
    pub reason: String,
    /// Its message.
    pub message: String,
    /// The component reporting it (`source.component`), e.g. `default-scheduler`.
    pub component: String,
}

/// The outcome of one reconcile call: actions to execute in order, and when to call again even if
/// nothing changes (time-driven transitions such as readiness delays, back-offs and deadlines).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The changes, in the order they are to be made.
    pub actions: Vec<Action>,
    /// Call again after this long, even if no watched object changed.
    pub requeue_after: Option<Duration>,
}

impl Plan {
    /// A plan with nothing to do and no reason to come back.
    pub fn none() -> Self {
        Plan::default()
    }

    /// True when the plan changes nothing (a settled state).
    #[cfg(test)]
    pub fn is_noop(&self) -> bool {
        self.actions.is_empty()
    }

    /// Asks to be called again after `after`, keeping the earliest of all such requests.
    pub fn requeue(&mut self, after: Duration) {
        self.requeue_after = Some(self.requeue_after.map_or(after, |d| d.min(after)));
    }

    /// Asks to be called again at `at` (or right away if `at` is not after `now`).
    pub fn requeue_at(&mut self, now: Timestamp, at: Timestamp) {
        self.requeue(meta::until(now, at));
    }

    pub(crate) fn push(&mut self, action: Action) {
        self.actions.push(action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requeue_keeps_the_earliest() {
        let mut p = Plan::none();
        p.requeue(Duration::from_secs(5));
        p.requeue(Duration::from_secs(2));
        p.requeue(Duration::from_secs(9));
        assert_eq!(p.requeue_after, Some(Duration::from_secs(2)));
        assert!(p.is_noop());
    }

    #[test]
    fn object_ref_reads_metadata() {
        let r = ObjectRef::of(
            Kind::Pod,
            &json!({"metadata": {"name": "a", "namespace": "ns", "uid": "u1"}}),
        );
        assert_eq!(r.name, "a");
        assert_eq!(r.namespace, "ns");
        assert_eq!(r.uid.as_deref(), Some("u1"));
        assert_eq!(Kind::PodDisruptionBudget.api_version(), "policy/v1");
        assert_eq!(Kind::ReplicaSet.plural(), "replicasets");
    }
}
