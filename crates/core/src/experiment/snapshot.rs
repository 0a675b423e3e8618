//! What the controller observed for one Experiment.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use rollouts_api::experiment::Experiment;
use rollouts_api::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate};

/// Everything one reconcile of an Experiment looks at, read from the controller's caches.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    /// The Experiment.
    pub experiment: &'a Experiment,
    /// The ReplicaSets of the Experiment's namespace that it controls (owner reference with its UID),
    /// and any other one named as one of its templates' ReplicaSets ([`Snapshot::replica_set_names`]),
    /// so that a name already taken is noticed before a create is attempted.
    pub replica_sets: &'a [ReplicaSet],
    /// The Services of the namespace that the Experiment controls, and any other one named as one of
    /// its templates' Services ([`Snapshot::service_names`]).
    pub services: &'a [Service],
    /// The AnalysisRuns of the namespace that the Experiment owns, and any other whose name starts with
    /// `<experiment>-` (so a new run's name never collides). Every run the status names must be here:
    /// one the cache does not have yet is read from the API server, as upstream does, since a run
    /// missing from the snapshot ends its analysis in `Error`.
    pub analysis_runs: &'a [AnalysisRun],
    /// The AnalysisTemplates of the namespace its analyses refer to (directly or nested).
    pub analysis_templates: &'a [AnalysisTemplate],
    /// The ClusterAnalysisTemplates its analyses refer to (directly or nested).
    pub cluster_analysis_templates: &'a [ClusterAnalysisTemplate],
    /// The time of this reconcile.
    pub now: Timestamp,
}

impl Snapshot<'_> {
    /// The names of the ReplicaSets the Experiment's templates get: `<experiment>-<template>`.
    pub fn replica_set_names(experiment: &Experiment) -> Vec<String> {
        let name = experiment.metadata.name.as_deref().unwrap_or_default();
        experiment
            .spec
            .templates
            .iter()
            .map(|t| super::replica_sets::replica_set_name(name, &t.name))
            .collect()
    }

    /// The names of the Services the Experiment's templates with a `service` get: `service.name`, or
    /// the template's ReplicaSet name.
    pub fn service_names(experiment: &Experiment) -> Vec<String> {
        let name = experiment.metadata.name.as_deref().unwrap_or_default();
        experiment
            .spec
            .templates
            .iter()
            .filter_map(|t| {
                let service = t.service.as_ref()?;
                Some(super::services::service_name(
                    service,
                    &super::replica_sets::replica_set_name(name, &t.name),
                ))
            })
            .collect()
    }
}
