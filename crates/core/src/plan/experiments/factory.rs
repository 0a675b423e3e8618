//! Building the Experiment a canary `experiment` step asks for (upstream `GetExperimentFromTemplate`):
//! named after the Rollout, its pod-template hash, revision and step; labelled and owned like the
//! Rollout's AnalysisRuns; each template copied from the canary or the stable ReplicaSet.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::common::TemplateService;
use rollouts_api::experiment::{ExperimentAnalysisTemplateRef, ExperimentSpec, TemplateSpec};
use rollouts_api::steps::{RolloutExperimentStep, RolloutExperimentTemplate};
use rollouts_api::well_known::{annotations, labels};
use rollouts_api::{Experiment, Rollout};

use super::super::analysis::factory::{Hashes, rollout_arguments};
use super::super::replica_sets::{controller_ref, hash_of};

/// Upstream's error for a template whose `specRef` is neither `canary` nor `stable`.
const INVALID_SPEC_REF: &str = "Invalid template step SpecRef: must be canary or stable";

/// Everything an Experiment is built from.
pub struct ExperimentInput<'a> {
    /// The Rollout.
    pub rollout: &'a Rollout,
    /// The step asking for the Experiment.
    pub step: &'a RolloutExperimentStep,
    /// Its index (`status.currentStepIndex`).
    pub step_index: i32,
    /// The pod-template hash of the Rollout's current template.
    pub pod_hash: &'a str,
    /// The Rollout's revision.
    pub revision: &'a str,
    /// The new (canary) ReplicaSet.
    pub new_rs: &'a ReplicaSet,
    /// The stable ReplicaSet.
    pub stable_rs: &'a ReplicaSet,
}

/// The name an Experiment for this step gets before any collision suffix.
pub fn base_name(rollout: &Rollout, pod_hash: &str, revision: &str, step_index: i32) -> String {
    let name = rollout.metadata.name.as_deref().unwrap_or_default();
    format!("{name}-{pod_hash}-{revision}-{step_index}")
}

/// The Experiment for `input`, or why it cannot be built.
pub fn new_experiment(input: &ExperimentInput<'_>) -> Result<Experiment, String> {
    let rollout = input.rollout;
    let step = input.step;
    let templates = step
        .templates
        .iter()
        .map(|t| template(t, input))
        .collect::<Result<Vec<_>, _>>()?;
    let hashes = Hashes {
        latest: hash_of(input.new_rs),
        stable: hash_of(input.stable_rs),
    };
    let analyses = step
        .analyses
        .iter()
        .flatten()
        .map(|a| {
            let args = rollout_arguments(a.args.as_deref().unwrap_or_default(), hashes, rollout)?;
            Ok(ExperimentAnalysisTemplateRef {
                name: a.name.clone(),
                template_name: a.template_name.clone(),
                cluster_scope: a.cluster_scope,
                args: (!args.is_empty()).then_some(args),
                required_for_completion: a.required_for_completion,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut experiment_labels: BTreeMap<String, String> = rollout.metadata.labels.clone().unwrap_or_default();
    experiment_labels.insert(labels::POD_TEMPLATE_HASH.to_string(), input.pod_hash.to_string());
    Ok(Experiment {
        metadata: ObjectMeta {
            name: Some(base_name(rollout, input.pod_hash, input.revision, input.step_index)),
            namespace: rollout.metadata.namespace.clone(),
            labels: Some(experiment_labels),
            annotations: Some(BTreeMap::from([(
                annotations::REVISION.to_string(),
                input.revision.to_string(),
            )])),
            owner_references: Some(vec![controller_ref(rollout)]),
            ..Default::default()
        },
        spec: ExperimentSpec {
            analyses: (!analyses.is_empty()).then_some(analyses),
            analysis_run_metadata: step.analysis_run_metadata.clone(),
            dry_run: step.dry_run.clone(),
            duration: step.duration.clone().filter(|d| !d.is_empty()),
            measurement_retention: None,
            progress_deadline_seconds: rollout.spec.progress_deadline_seconds,
            scale_down_delay_seconds: step.scale_down_delay_seconds,
            templates,
            terminate: None,
        },
        status: None,
    })
}

/// One template: the pod template, `minReadySeconds` and (unless the step gives one) the selector of
/// the ReplicaSet `specRef` names, with the step's extra labels on both template and selector.
fn template(step: &RolloutExperimentTemplate, input: &ExperimentInput<'_>) -> Result<TemplateSpec, String> {
    let source = match step.spec_ref.as_str() {
        "canary" => input.new_rs,
        "stable" => input.stable_rs,
        _ => return Err(INVALID_SPEC_REF.to_string()),
    };
    let rs_spec = source.spec.clone();
    let mut template = rs_spec.template.unwrap_or_default();
    let mut selector = step.selector.clone().unwrap_or(rs_spec.selector);
    let extra = step.metadata.as_ref();
    if let Some(extra_labels) = extra.and_then(|m| m.labels.as_ref()) {
        let meta = template.metadata.get_or_insert_with(Default::default);
        let template_labels = meta.labels.get_or_insert_with(BTreeMap::new);
        let selector_labels = selector.match_labels.get_or_insert_with(BTreeMap::new);
        for (key, value) in extra_labels {
            template_labels.insert(key.clone(), value.clone());
            selector_labels.insert(key.clone(), value.clone());
        }
    }
    if let Some(extra_annotations) = extra.and_then(|m| m.annotations.as_ref()) {
        let meta = template.metadata.get_or_insert_with(Default::default);
        meta.annotations
            .get_or_insert_with(BTreeMap::new)
            .extend(extra_annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    // A weighted template needs a Service for the routers to send its share to.
    let service = (step.weight.is_some() || step.service.is_some()).then(|| TemplateService {
        name: step
            .service
            .as_ref()
            .and_then(|s| s.name.clone())
            .filter(|n| !n.is_empty()),
    });
    Ok(TemplateSpec {
        min_ready_seconds: rs_spec.min_ready_seconds.filter(|s| *s != 0),
        name: step.name.clone(),
        replicas: step.replicas,
        selector,
        service,
        template,
    })
}

/// Upstream `IsSemanticallyEqual`: the same spec, `terminate` aside.
pub fn same_spec(a: &ExperimentSpec, b: &ExperimentSpec) -> bool {
    let strip = |spec: &ExperimentSpec| ExperimentSpec {
        terminate: None,
        ..spec.clone()
    };
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::{Value, json};

    fn rollout(step: Value) -> Rollout {
        serde_json::from_value(json!({
            "metadata": {"name": "foo", "namespace": "ns", "uid": "u1",
                         "labels": {"team": "a", "argo-rollouts.argoproj.io/controller-instance-id": "i1"}},
            "spec": {"selector": {"matchLabels": {"app": "foo"}},
                     "progressDeadlineSeconds": 300,
                     "template": {"spec": {"containers": [{"name": "c", "image": "img:2"}]}},
                     "strategy": {"canary": {"steps": [{"experiment": step}]}}}
        }))
        .unwrap()
    }

    fn replica_set(hash: &str, image: &str, min_ready: Option<i32>) -> ReplicaSet {
        serde_json::from_value(json!({
            "metadata": {"name": format!("foo-{hash}"), "labels": {"app": "foo", "rollouts-pod-template-hash": hash}},
            "spec": {"selector": {"matchLabels": {"app": "foo", "rollouts-pod-template-hash": hash}},
                     "minReadySeconds": min_ready,
                     "template": {"metadata": {"labels": {"app": "foo", "rollouts-pod-template-hash": hash}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}
        }))
        .unwrap()
    }

    fn build(step: Value) -> Result<Experiment, String> {
        let rollout = rollout(step);
        let step = rollout
            .spec
            .strategy
            .as_ref()
            .unwrap()
            .canary
            .as_ref()
            .unwrap()
            .steps
            .as_ref()
            .unwrap()[0]
            .experiment
            .clone()
            .unwrap();
        let new_rs = replica_set("new1", "img:2", Some(7));
        let stable_rs = replica_set("old1", "img:1", None);
        new_experiment(&ExperimentInput {
            rollout: &rollout,
            step: &step,
            step_index: 2,
            pod_hash: "new1",
            revision: "3",
            new_rs: &new_rs,
            stable_rs: &stable_rs,
        })
    }

    #[test]
    fn the_experiment_of_a_step_as_upstream_builds_it() {
        let experiment = build(json!({
            "duration": "1m",
            "scaleDownDelaySeconds": 10,
            "dryRun": [{"metricName": "m"}],
            "analysisRunMetadata": {"labels": {"l": "v"}},
            "templates": [
                {"name": "baseline", "specRef": "stable", "replicas": 2, "weight": 5},
                {"name": "canary", "specRef": "canary", "selector": {"matchLabels": {"x": "y"}},
                 "metadata": {"labels": {"extra": "1"}, "annotations": {"note": "n"}},
                 "service": {"name": "canary-svc"}},
                {"name": "plain", "specRef": "canary", "service": {}}
            ],
            "analyses": [{"name": "a", "templateName": "t", "clusterScope": true, "requiredForCompletion": true,
                          "args": [{"name": "stable", "valueFrom": {"podTemplateHashValue": "Stable"}},
                                   {"name": "team", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['team']"}}}]}]
        }))
        .unwrap();
        let actual = serde_json::to_value(&experiment).unwrap();
        let expected = json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Experiment",
            "metadata": {
                "name": "foo-new1-3-2",
                "namespace": "ns",
                "labels": {"team": "a", "argo-rollouts.argoproj.io/controller-instance-id": "i1",
                           "rollouts-pod-template-hash": "new1"},
                "annotations": {"rollout.argoproj.io/revision": "3"},
                "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "foo",
                                     "uid": "u1", "controller": true, "blockOwnerDeletion": true}]
            },
            "spec": {
                "duration": "1m",
                "progressDeadlineSeconds": 300,
                "scaleDownDelaySeconds": 10,
                "dryRun": [{"metricName": "m"}],
                "analysisRunMetadata": {"labels": {"l": "v"}},
                "templates": [
                    {"name": "baseline", "replicas": 2, "service": {},
                     "selector": {"matchLabels": {"app": "foo", "rollouts-pod-template-hash": "old1"}},
                     "template": {"metadata": {"labels": {"app": "foo", "rollouts-pod-template-hash": "old1"}},
                                  "spec": {"containers": [{"name": "c", "image": "img:1"}]}}},
                    {"name": "canary", "minReadySeconds": 7, "service": {"name": "canary-svc"},
                     "selector": {"matchLabels": {"x": "y", "extra": "1"}},
                     "template": {"metadata": {"labels": {"app": "foo", "rollouts-pod-template-hash": "new1", "extra": "1"},
                                               "annotations": {"note": "n"}},
                                  "spec": {"containers": [{"name": "c", "image": "img:2"}]}}},
                    {"name": "plain", "minReadySeconds": 7, "service": {},
                     "selector": {"matchLabels": {"app": "foo", "rollouts-pod-template-hash": "new1"}},
                     "template": {"metadata": {"labels": {"app": "foo", "rollouts-pod-template-hash": "new1"}},
                                  "spec": {"containers": [{"name": "c", "image": "img:2"}]}}}
                ],
                "analyses": [{"name": "a", "templateName": "t", "clusterScope": true, "requiredForCompletion": true,
                              "args": [{"name": "stable", "value": "old1"}, {"name": "team", "value": "a"}]}]
            }
        });
        assert_eq!(actual, expected);
    }

    #[test]
    fn a_template_without_weight_or_service_gets_no_service() {
        let experiment = build(json!({"templates": [{"name": "t", "specRef": "stable"}]})).unwrap();
        assert_eq!(experiment.spec.templates[0].service, None);
        assert_eq!(experiment.spec.analyses, None);
        assert_eq!(experiment.spec.duration, None);
    }

    #[test]
    fn an_unknown_spec_ref_is_upstreams_error() {
        assert_eq!(
            build(json!({"templates": [{"name": "t", "specRef": "test"}]})).map(|e| e.metadata.name),
            Err(INVALID_SPEC_REF.to_string())
        );
    }

    #[test]
    fn terminate_does_not_make_two_specs_differ() {
        let a = build(json!({"templates": [{"name": "t", "specRef": "stable"}]}))
            .unwrap()
            .spec;
        let mut b = a.clone();
        b.terminate = Some(true);
        assert!(same_spec(&a, &b));
        b.duration = Some("1h".to_string());
        assert!(!same_spec(&a, &b));
    }
}
