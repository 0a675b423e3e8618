//! Manifest bytes (YAML or JSON, one or many documents) through decoding, strict decoding and validation,
//! as `kubectl argo rollouts lint` and the controller read them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollouts_api::decode::{self, Manifest};
use rollouts_api::validation;
use rollouts_core::analysis::run::validate::validate_metrics;
use rollouts_core::hash;

fuzz_target!(|data: &[u8]| {
    let mut values = Vec::new();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        values.push(value);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(docs) = decode::documents(text)
    {
        values.extend(docs);
    }
    for (i, value) in values.into_iter().enumerate() {
        let _ = decode::decode_strict(i + 1, value.clone());
        // The Go JSON encoder behind the pod-template hash, on whatever the template holds.
        if let Some(template) = value.pointer("/spec/template") {
            let _ = hash::go_json(template, "corev1.PodTemplateSpec");
        }
        if let Ok(manifest) = decode::decode(i + 1, value) {
            check(&manifest);
        }
    }
});

fn check(manifest: &Manifest) {
    match manifest {
        Manifest::Rollout(r) => {
            let _ = validation::validate_rollout(r);
            let _ = validation::validate_rollout_resolved(r);
            let _ = validation::rollout_invalid_spec_message(r);
            let _ = validation::referenced_services(r);
            let _ = serde_json::to_value(r);
            if let Some(template) = &r.spec.template {
                let collisions = r.status.as_ref().and_then(|s| s.collision_count);
                let _ = hash::pod_template_hash(template, collisions);
                let _ = hash::legacy_pod_template_hash(template, collisions);
            }
            let steps = r
                .spec
                .strategy
                .as_ref()
                .and_then(|s| s.canary.as_ref())
                .and_then(|c| c.steps.as_deref());
            let _ = hash::steps_hash_opt(steps);
        }
        Manifest::AnalysisTemplate(t) => {
            let _ = validation::validate_analysis_template(t);
            let _ = validate_metrics(t.spec.metrics.as_deref().unwrap_or_default());
        }
        Manifest::ClusterAnalysisTemplate(t) => {
            let _ = validation::validate_cluster_analysis_template(t);
            let _ = validate_metrics(t.spec.metrics.as_deref().unwrap_or_default());
        }
        Manifest::AnalysisRun(r) => {
            let _ = validation::validate_analysis_run(r);
            let _ = validation::analysis_run_invalid_message(r);
            let _ = validate_metrics(&r.spec.metrics);
        }
        Manifest::Experiment(e) => {
            let _ = validation::validate_experiment(e);
        }
        Manifest::Other(_) => {}
    }
}
