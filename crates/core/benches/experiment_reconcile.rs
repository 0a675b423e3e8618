#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Planner time of one Experiment reconcile: two templates (one with a Service) and two analyses (one
//! required), at the reconcile that creates the AnalysisRuns once the templates are available, and in
//! the steady state that follows (runs going, nothing to write).

use criterion::{Criterion, criterion_group, criterion_main};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use rollouts_api::experiment::Experiment;
use rollouts_api::{AnalysisRun, AnalysisTemplate};
use rollouts_core::experiment::{Action, Snapshot, plan};
use rollouts_core::plan::merge_patch;
use serde_json::json;

struct World {
    experiment: Experiment,
    replica_sets: Vec<ReplicaSet>,
    services: Vec<Service>,
    runs: Vec<AnalysisRun>,
    templates: Vec<AnalysisTemplate>,
    now: jiff::Timestamp,
}

impl World {
    fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            experiment: &self.experiment,
            replica_sets: &self.replica_sets,
            services: &self.services,
            analysis_runs: &self.runs,
            analysis_templates: &self.templates,
            cluster_analysis_templates: &[],
            now: self.now,
        }
    }

    /// Applies one plan as the API server would, with pods that are available at once and runs that
    /// are Running as soon as they exist. Returns whether the plan created runs.
    fn apply(&mut self, actions: Vec<Action>) -> bool {
        let mut created_runs = false;
        for action in actions {
            match action {
                Action::CreateReplicaSet(rs) | Action::UpdateReplicaSet(rs) => {
                    let mut rs = *rs;
                    let size = rs.spec.replicas.unwrap_or(1);
                    rs.status = Some(
                        serde_json::from_value(
                            json!({"replicas": size, "readyReplicas": size, "availableReplicas": size}),
                        )
                        .unwrap(),
                    );
                    self.replica_sets.retain(|r| r.metadata.name != rs.metadata.name);
                    self.replica_sets.push(rs);
                }
                Action::CreateService(svc) => self.services.push(*svc),
                Action::CreateAnalysisRun(run) => {
                    let mut run = *run;
                    run.status = Some(serde_json::from_value(json!({"phase": "Running"})).unwrap());
                    self.runs.push(run);
                    created_runs = true;
                }
                Action::PatchExperiment(patch) => {
                    let mut v = serde_json::to_value(&self.experiment).unwrap();
                    merge_patch::apply(&mut v, &patch);
                    self.experiment = serde_json::from_value(v).unwrap();
                }
                other => panic!("unexpected write: {other:?}"),
            }
        }
        created_runs
    }
}

fn world() -> World {
    let template = |name: &str, image: &str| {
        json!({
            "name": name, "replicas": 2,
            "selector": {"matchLabels": {"app": "web", "role": name}},
            "template": {"metadata": {"labels": {"app": "web", "role": name}},
                         "spec": {"containers": [{"name": "web", "image": image,
                                  "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                  "resources": {"requests": {"cpu": "5m", "memory": "32Mi"}}}]}}
        })
    };
    let mut canary = template("canary", "img:v2");
    canary["service"] = json!({});
    let experiment = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
        "metadata": {"name": "web-exp", "namespace": "default", "uid": "ex-uid"},
        "spec": {
            "duration": "10m",
            "templates": [template("baseline", "img:v1"), canary],
            "analyses": [
                {"name": "success-rate", "templateName": "success-rate", "requiredForCompletion": true,
                 "args": [{"name": "canary-hash", "value": "{{templates.canary.podTemplateHash}}"},
                          {"name": "baseline-hash", "value": "{{templates.baseline.podTemplateHash}}"}]},
                {"name": "latency", "templateName": "latency",
                 "args": [{"name": "since", "value": "{{experiment.availableAt}}"}]}
            ],
            "dryRun": [{"metricName": "latency"}]
        }
    }))
    .unwrap();
    let analysis_template = |name: &str, args: serde_json::Value| -> AnalysisTemplate {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"args": args, "metrics": [{
                "name": name, "interval": "30s", "successCondition": "result[0] >= 0.95",
                "provider": {"prometheus": {"address": "http://127.0.0.1:9090",
                             "query": "sum(rate(requests{hash=\"{{args.canary-hash}}\"}[1m]))"}}
            }]}
        }))
        .unwrap()
    };
    World {
        experiment,
        replica_sets: Vec::new(),
        services: Vec::new(),
        runs: Vec::new(),
        templates: vec![
            analysis_template(
                "success-rate",
                json!([{"name": "canary-hash"}, {"name": "baseline-hash"}]),
            ),
            analysis_template(
                "latency",
                json!([{"name": "since"}, {"name": "canary-hash", "value": "none"}]),
            ),
        ],
        now: "2026-01-01T00:00:00Z".parse().unwrap(),
    }
}

fn bench(c: &mut Criterion) {
    let mut w = world();
    let mut creating = None;
    for _ in 0..10 {
        let before = (
            w.experiment.clone(),
            w.replica_sets.clone(),
            w.services.clone(),
            w.runs.clone(),
        );
        let p = plan(&w.snapshot());
        if p.actions.is_empty() {
            break;
        }
        if w.apply(p.actions) {
            creating = Some(before);
        }
        w.now = w.now.checked_add(jiff::SignedDuration::from_secs(1)).unwrap();
    }
    assert!(
        plan(&w.snapshot()).actions.is_empty(),
        "the running experiment must come to rest"
    );
    assert_eq!(w.runs.len(), 2);

    let steady = w.snapshot();
    c.bench_function("experiment/steady_running_2_templates_2_analyses", |b| {
        b.iter(|| plan(std::hint::black_box(&steady)));
    });

    let (experiment, replica_sets, services, runs) = creating.expect("a reconcile created the runs");
    let at_availability = World {
        experiment,
        replica_sets,
        services,
        runs,
        templates: w.templates.clone(),
        now: w.now,
    };
    let snapshot = at_availability.snapshot();
    let created = plan(&snapshot)
        .actions
        .iter()
        .filter(|a| matches!(a, Action::CreateAnalysisRun(_)))
        .count();
    assert_eq!(created, 2, "the reconcile creates both runs");
    c.bench_function("experiment/create_runs_2_templates_2_analyses", |b| {
        b.iter(|| plan(std::hint::black_box(&snapshot)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
