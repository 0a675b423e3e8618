//! The built-in kinds that have a kube-apiserver printer, and dispatch to their row functions.

use jiff::Timestamp;
use serde_json::Value;

use super::{Row, TableSpec, basic, events, hpa, network, pod, workloads};

/// A built-in kind with its own server-side printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuiltinKind {
    /// core/v1 Pod
    Pod,
    /// apps/v1 ReplicaSet
    ReplicaSet,
    /// apps/v1 Deployment
    Deployment,
    /// batch/v1 Job
    Job,
    /// core/v1 Service
    Service,
    /// core/v1 Endpoints
    Endpoints,
    /// core/v1 Namespace
    Namespace,
    /// core/v1 ConfigMap
    ConfigMap,
    /// core/v1 Secret
    Secret,
    /// core/v1 ServiceAccount
    ServiceAccount,
    /// core/v1 or events.k8s.io/v1 Event
    Event,
    /// networking.k8s.io/v1 Ingress
    Ingress,
    /// coordination.k8s.io/v1 Lease
    Lease,
    /// autoscaling HorizontalPodAutoscaler
    HorizontalPodAutoscaler,
    /// policy/v1 PodDisruptionBudget
    PodDisruptionBudget,
}

impl BuiltinKind {
    /// The printer for `group`/`kind`, if kube-apiserver has one among those implemented here.
    pub fn of(group: &str, kind: &str) -> Option<Self> {
        Some(match (group, kind) {
            ("", "Pod") => Self::Pod,
            ("apps" | "extensions", "ReplicaSet") => Self::ReplicaSet,
            ("apps" | "extensions", "Deployment") => Self::Deployment,
            ("batch", "Job") => Self::Job,
            ("", "Service") => Self::Service,
            ("", "Endpoints") => Self::Endpoints,
            ("", "Namespace") => Self::Namespace,
            ("", "ConfigMap") => Self::ConfigMap,
            ("", "Secret") => Self::Secret,
            ("", "ServiceAccount") => Self::ServiceAccount,
            ("" | "events.k8s.io", "Event") => Self::Event,
            ("networking.k8s.io" | "extensions", "Ingress") => Self::Ingress,
            ("coordination.k8s.io", "Lease") => Self::Lease,
            ("autoscaling", "HorizontalPodAutoscaler") => Self::HorizontalPodAutoscaler,
            ("policy", "PodDisruptionBudget") => Self::PodDisruptionBudget,
            _ => return None,
        })
    }

    /// One object's row; every column is filled, wide ones included, as the server always does.
    pub(crate) fn row(self, obj: &Value, now: Timestamp) -> Row {
        match self {
            Self::Pod => pod::row(obj, now),
            Self::ReplicaSet => workloads::replica_set(obj, now),
            Self::Deployment => workloads::deployment(obj, now),
            Self::Job => workloads::job(obj, now),
            Self::Service => network::service(obj, now),
            Self::Endpoints => network::endpoints(obj, now),
            Self::Namespace => basic::namespace(obj, now),
            Self::ConfigMap => basic::config_map(obj, now),
            Self::Secret => basic::secret(obj, now),
            Self::ServiceAccount => basic::service_account(obj, now),
            Self::Event => events::event(obj, now),
            Self::Ingress => network::ingress(obj, now),
            Self::Lease => basic::lease(obj, now),
            Self::HorizontalPodAutoscaler => hpa::horizontal_pod_autoscaler(obj, now),
            Self::PodDisruptionBudget => basic::pod_disruption_budget(obj, now),
        }
    }
}

/// Built-in kinds served with the default table (`Name`, `Created At`) rather than a printer.
const DEFAULT_TABLE_KINDS: &[(&str, &str)] = &[
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
];

/// The table for a built-in `group`/`kind`: its printer, the default table for the built-in kinds
/// known to use it (CustomResourceDefinition, Role, ClusterRole), otherwise `None`.
pub fn builtin_spec(group: &str, kind: &str) -> Option<TableSpec> {
    if let Some(k) = BuiltinKind::of(group, kind) {
        return Some(TableSpec::Builtin(k));
    }
    DEFAULT_TABLE_KINDS
        .contains(&(group, kind))
        .then_some(TableSpec::Default)
}
