//! What an Experiment plan asks the controller to do.

use std::time::Duration;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use rollouts_api::AnalysisRun;
use serde_json::Value;

use crate::plan::Event;

/// One write against the API server, in the order the plan lists them. Every object is in the
/// Experiment's namespace.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Create this ReplicaSet: named `<experiment>-<template>`, template and selector carrying the
    /// `rollouts-pod-template-hash` label, annotated with the Experiment and template names, controlled
    /// by the Experiment, with 0 replicas (upstream creates it empty and scales it up on the next
    /// reconcile). `AlreadyExists` means the cache is behind: the reconcile starts over.
    CreateReplicaSet(Box<ReplicaSet>),
    /// Replace this ReplicaSet to change `spec.replicas` (and, when a scale-down is no longer delayed,
    /// without its `scale-down-deadline`). It carries the `resourceVersion` observed in the snapshot,
    /// and no earlier write of the same plan touches it, so a conflict means someone else changed it
    /// meanwhile: the reconcile starts over.
    UpdateReplicaSet(Box<ReplicaSet>),
    /// Apply a JSON patch (RFC 6902) to a ReplicaSet: adding or removing its `scale-down-deadline`.
    PatchReplicaSet {
        /// ReplicaSet name.
        name: String,
        /// The JSON patch operations.
        patch: Value,
    },
    /// Create this Service for a template's pods (selector: the ReplicaSet's labels; ports: the
    /// containers' ports), annotated with the Experiment and template names and controlled by the
    /// Experiment.
    CreateService(Box<Service>),
    /// Delete a Service the Experiment created, with a precondition on its UID. NotFound is success.
    DeleteService {
        /// Service name.
        name: String,
        /// Its UID, so a newer object with the same name is never deleted.
        uid: Option<String>,
    },
    /// Create this AnalysisRun. Its name is one no run in the snapshot has, so `AlreadyExists` only
    /// means the cache is behind: the reconcile starts over.
    CreateAnalysisRun(Box<AnalysisRun>),
    /// Merge-patch an AnalysisRun: `{"spec":{"terminate":true}}` to stop it.
    PatchAnalysisRun {
        /// AnalysisRun name.
        name: String,
        /// The merge patch.
        patch: Value,
    },
    /// Merge-patch the Experiment object itself (it has no status subresource): the patch is
    /// `{"status": {...}}` with only the members that changed (upstream's two-way merge patch between
    /// the observed and the new status). At most one per plan, and always the last write.
    PatchExperiment(Value),
}

/// The outcome of planning one reconcile of an Experiment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Writes, in order. Empty when nothing needs to change. The controller stops at the first failure
    /// and plans again from a fresh snapshot.
    pub actions: Vec<Action>,
    /// Events to record on the Experiment once the writes succeeded, in order.
    pub events: Vec<Event>,
    /// Events to record on the Rollout that owns the Experiment (its owner reference of kind
    /// `Rollout`, see [`super::owner_rollout`]) once the writes succeeded: upstream repeats an
    /// experiment's AnalysisRun transitions there, as Warnings, so that they reach the Rollout's
    /// notification subscriptions.
    pub rollout_events: Vec<Event>,
    /// Look at this Experiment again after this long at the latest (end of the duration, a template's
    /// progress deadline, a scale-down deadline).
    pub requeue_after: Option<Duration>,
    /// The Experiment cannot be reconciled (two ReplicaSets or Services claim one template): nothing is
    /// written and the controller retries with its error backoff, as upstream does.
    pub error: Option<String>,
}

impl Plan {
    /// True when the plan writes nothing.
    pub fn is_noop(&self) -> bool {
        self.actions.is_empty()
    }

    /// Keeps the earliest of the current and the given requeue time.
    pub fn requeue(&mut self, after: Duration) {
        self.requeue_after = Some(match self.requeue_after {
            Some(current) => current.min(after),
            None => after,
        });
    }
}
