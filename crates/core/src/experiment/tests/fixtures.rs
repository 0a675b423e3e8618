//! Upstream's experiment test fixtures (`experiments/controller_test.go`, `analysisrun_test.go`):
//! templates named after their image, selecting `key: <image>`; Experiments in `default`; their
//! ReplicaSets and Services as the controller made them.

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use rollouts_api::experiment::Experiment;
use rollouts_api::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate};
use serde_json::{Value, json};

use super::world::START;
use crate::experiment::replica_sets::new_replica_set;

/// The experiment's UID in every fixture.
pub const UID: &str = "ex-uid";

/// `generateTemplates`: one template per image, 1 replica, selecting `key: <image>` (the container is
/// named after its image: the API server refuses a container without a name).
pub fn templates(images: &[&str]) -> Value {
    Value::Array(
        images
            .iter()
            .map(|image| {
                json!({
                    "name": image,
                    "replicas": 1,
                    "selector": {"matchLabels": {"key": image}},
                    "template": {"metadata": {"labels": {"key": image}},
                                 "spec": {"containers": [{"name": image, "image": image}]}}
                })
            })
            .collect(),
    )
}

/// `newExperiment`: phase Pending; with a duration, a progress deadline one second shorter.
pub fn experiment_json(name: &str, templates: Value, duration: &str) -> Value {
    let mut ex = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
        "metadata": {"name": name, "namespace": "default", "uid": UID},
        "spec": {"templates": templates},
        "status": {"phase": "Pending"}
    });
    if !duration.is_empty() {
        let seconds = rollouts_api::duration::parse_nanos(duration).unwrap() / 1_000_000_000;
        ex["spec"]["duration"] = json!(duration);
        ex["spec"]["progressDeadlineSeconds"] = json!(seconds - 1);
    }
    ex
}

pub fn experiment(value: Value) -> Experiment {
    serde_json::from_value(value).unwrap()
}

/// A time `seconds` after the fixtures' start, as written in objects.
pub fn at(seconds: i64) -> String {
    let t: jiff::Timestamp = START.parse().unwrap();
    t.checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `generateTemplatesStatus`: the counts, the status and the transition time.
pub fn template_status(name: &str, replicas: i32, available: i32, status: &str, transition: Option<&str>) -> Value {
    let mut s = json!({
        "name": name, "replicas": replicas, "updatedReplicas": available,
        "readyReplicas": available, "availableReplicas": available
    });
    if !status.is_empty() {
        s["status"] = json!(status);
    }
    if let Some(t) = transition {
        s["lastTransitionTime"] = json!(t);
    }
    s
}

/// The ReplicaSet the controller made for a template (with its hash), `replicas` in its spec and
/// `available` ready and available pods.
pub fn template_rs(ex: &Experiment, template: usize, replicas: i32, available: i32) -> ReplicaSet {
    let mut rs = new_replica_set(ex, &ex.spec.templates[template], None, replicas);
    rs.metadata.uid = Some(format!("rs-{}", ex.spec.templates[template].name));
    rs.metadata.resource_version = Some("7".to_string());
    rs.metadata.creation_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        START.parse().unwrap(),
    ));
    rs.status = Some(
        serde_json::from_value(json!({
            "replicas": available, "readyReplicas": available, "availableReplicas": available
        }))
        .unwrap(),
    );
    rs
}

/// The owner reference the Experiment puts on what it creates.
pub fn owner(name: &str) -> Value {
    json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment", "name": name, "uid": UID,
            "controller": true, "blockOwnerDeletion": true}])
}

/// `templateToService`: the template's Service as the controller made it.
pub fn template_service(ex: &Experiment, template: usize, rs: &ReplicaSet, name: &str) -> Service {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("svc-{name}"),
                     "annotations": {"experiment.argoproj.io/name": ex.metadata.name,
                                     "experiment.argoproj.io/template-name": ex.spec.templates[template].name},
                     "ownerReferences": owner(ex.metadata.name.as_deref().unwrap())},
        "spec": {"selector": rs.metadata.labels,
                 "ports": [{"protocol": "TCP", "port": 80, "targetPort": 8080}]}
    }))
    .unwrap()
}

/// `generateAnalysisTemplates`: a template with one metric named `job`.
pub fn analysis_template(name: &str) -> AnalysisTemplate {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"metrics": [{"name": "job"}]}
    }))
    .unwrap()
}

/// `generateClusterAnalysisTemplates`.
pub fn cluster_analysis_template(name: &str) -> ClusterAnalysisTemplate {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {"metrics": [{"name": "job"}]}
    }))
    .unwrap()
}

/// `analysisTemplateToRun`: the run the Experiment made for an analysis, in `phase` ("" for none).
pub fn analysis_run(ex: &Experiment, analysis: &str, spec: Value, phase: &str) -> AnalysisRun {
    let name = ex.metadata.name.as_deref().unwrap();
    let mut run = json!({
        "metadata": {"name": format!("{name}-{analysis}"), "namespace": "default",
                     "uid": format!("ar-{analysis}"), "ownerReferences": owner(name)},
        "spec": spec
    });
    if !phase.is_empty() {
        run["status"] = json!({"phase": phase});
    }
    serde_json::from_value(run).unwrap()
}

/// The Progressing condition `Experiment "<name>" is progressing.` at `time`.
pub fn progressing(name: &str, time: &str) -> Value {
    json!({"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
           "message": format!("Experiment \"{name}\" is progressing."),
           "lastUpdateTime": time, "lastTransitionTime": time})
}

/// The Progressing condition `Experiment "<name>" is running.` at `time`.
pub fn running(name: &str, time: &str) -> Value {
    json!({"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
           "message": format!("Experiment \"{name}\" is running."),
           "lastUpdateTime": time, "lastTransitionTime": time})
}

/// The Progressing condition `Experiment "<name>" has successfully ran and completed.` at `time`.
pub fn completed(name: &str, time: &str) -> Value {
    json!({"type": "Progressing", "status": "False", "reason": "ExperimentCompleted",
           "message": format!("Experiment \"{name}\" has successfully ran and completed."),
           "lastUpdateTime": time, "lastTransitionTime": time})
}
