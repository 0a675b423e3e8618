//! The series computed at each scrape from the controllers' watch caches, as upstream's collectors
//! compute them from its listers: `rollout_info` (strategy, traffic router and phase), the replica
//! gauges, `rollout_phase`, `analysis_run_info`, `analysis_run_phase`, `analysis_run_metric_type`,
//! `analysis_run_metric_phase`, `analysis_template_info`, `analysis_template_metric_info` (cluster
//! templates with an empty namespace) and `experiment_info` / `experiment_phase`.
//!
//! The objects are read raw, field by field, so that an object that does not decode (and is left
//! alone by its controller) still shows in the series with what can be read of it.

use kube::core::DynamicObject;
use kube::runtime::reflector::Store;
use rollouts_api::analysis::Metric;
use rollouts_api::common::DryRun;
use rollouts_api::providers::MetricProvider;
use rollouts_api::well_known::reasons;
use serde::Deserialize;
use serde_json::Value as Json;

use super::family::{Family, Kind, Value, labels};

/// The caches the series are computed from (the Rollout controller's, shared by all controllers).
#[derive(Clone, Debug)]
pub struct ObjectCaches {
    /// Rollouts.
    pub rollouts: Store<DynamicObject>,
    /// AnalysisRuns.
    pub analysis_runs: Store<DynamicObject>,
    /// AnalysisTemplates.
    pub analysis_templates: Store<DynamicObject>,
    /// ClusterAnalysisTemplates.
    pub cluster_analysis_templates: Store<DynamicObject>,
    /// Experiments.
    pub experiments: Store<DynamicObject>,
}

impl ObjectCaches {
    /// The families of every cached object.
    pub fn families(&self) -> Vec<Family> {
        let mut families = ObjectFamilies::default();
        for rollout in self.rollouts.state() {
            families.add_rollout(&rollout);
        }
        for run in self.analysis_runs.state() {
            families.add_analysis_run(&run);
        }
        for template in self
            .analysis_templates
            .state()
            .iter()
            .chain(&self.cluster_analysis_templates.state())
        {
            families.add_template(template);
        }
        for experiment in self.experiments.state() {
            families.add_experiment(&experiment);
        }
        families.into_families()
    }
}

/// The phases `analysis_run_phase` and `analysis_run_metric_phase` have a series for.
const ANALYSIS_PHASES: [&str; 6] = ["Pending", "Running", "Successful", "Failed", "Error", "Inconclusive"];

/// The phases `experiment_phase` has a series for (upstream has none for Failed).
const EXPERIMENT_PHASES: [&str; 5] = ["Pending", "Running", "Successful", "Error", "Inconclusive"];

/// The phases `rollout_phase` has a series for (InvalidSpec has none: all six are 0).
const ROLLOUT_PHASES: [&str; 6] = ["Completed", "Progressing", "Paused", "Timeout", "Error", "Abort"];

/// The families being built.
struct ObjectFamilies {
    rollout_info: Family,
    replicas_available: Family,
    replicas_unavailable: Family,
    replicas_desired: Family,
    replicas_updated: Family,
    rollout_phase: Family,
    run_info: Family,
    run_phase: Family,
    run_metric_type: Family,
    run_metric_phase: Family,
    template_info: Family,
    template_metric_info: Family,
    experiment_info: Family,
    experiment_phase: Family,
}

impl Default for ObjectFamilies {
    fn default() -> Self {
        let gauge = |name, help| Family::new(name, help, Kind::Gauge);
        Self {
            rollout_info: gauge("rollout_info", "Information about rollout."),
            replicas_available: gauge(
                "rollout_info_replicas_available",
                "The number of available replicas per rollout.",
            ),
            replicas_unavailable: gauge(
                "rollout_info_replicas_unavailable",
                "The number of unavailable replicas per rollout.",
            ),
            replicas_desired: gauge(
                "rollout_info_replicas_desired",
                "The number of desired replicas per rollout.",
            ),
            replicas_updated: gauge(
                "rollout_info_replicas_updated",
                "The number of updated replicas per rollout.",
            ),
            rollout_phase: gauge(
                "rollout_phase",
                "Information on the state of the rollout (DEPRECATED - use rollout_info)",
            ),
            run_info: gauge("analysis_run_info", "Information about analysis run."),
            run_phase: gauge(
                "analysis_run_phase",
                "Information on the state of the Analysis Run (DEPRECATED - use analysis_run_info)",
            ),
            run_metric_type: gauge(
                "analysis_run_metric_type",
                "Information on the type of a specific metric in the Analysis Runs",
            ),
            run_metric_phase: gauge(
                "analysis_run_metric_phase",
                "Information on the duration of a specific metric in the Analysis Run",
            ),
            template_info: gauge("analysis_template_info", "Information about analysis templates."),
            template_metric_info: gauge(
                "analysis_template_metric_info",
                "Information on metrics in analysis templates.",
            ),
            experiment_info: gauge("experiment_info", "Information about Experiment."),
            experiment_phase: gauge(
                "experiment_phase",
                "Information on the state of the experiment (DEPRECATED - use experiment_info)",
            ),
        }
    }
}

/// The object's namespace and name.
fn identity(object: &DynamicObject) -> (&str, &str) {
    (
        object.metadata.namespace.as_deref().unwrap_or_default(),
        object.metadata.name.as_deref().unwrap_or_default(),
    )
}

fn flag(set: bool) -> Value {
    Value::Int(i64::from(set))
}

/// A member that is present and not null (a Go pointer that is not nil).
fn is_set(value: &Json, key: &str) -> bool {
    value.get(key).is_some_and(|v| !v.is_null())
}

fn int(value: &Json, key: &str) -> i64 {
    value.get(key).and_then(Json::as_i64).unwrap_or(0)
}

impl ObjectFamilies {
    fn add_rollout(&mut self, rollout: &DynamicObject) {
        let (namespace, name) = identity(rollout);
        let spec = &rollout.data["spec"];
        let status = &rollout.data["status"];
        let (strategy, traffic_router) = strategy_and_traffic_router(spec);
        let phase = rollout_phase(status);
        let object = || labels([("namespace", namespace), ("name", name)]);
        self.rollout_info.push(
            labels([
                ("namespace", namespace),
                ("name", name),
                ("strategy", strategy),
                ("traffic_router", traffic_router),
                ("phase", phase),
            ]),
            Value::Int(1),
        );
        let available = int(status, "availableReplicas");
        self.replicas_available.push(object(), Value::Int(available));
        self.replicas_unavailable
            .push(object(), Value::Int(int(status, "replicas") - available));
        // An absent (or null) spec.replicas means 1.
        let desired = spec.get("replicas").and_then(Json::as_i64).unwrap_or(1);
        self.replicas_desired.push(object(), Value::Int(desired));
        self.replicas_updated
            .push(object(), Value::Int(int(status, "updatedReplicas")));
        for each in ROLLOUT_PHASES {
            self.rollout_phase.push(
                labels([
                    ("namespace", namespace),
                    ("name", name),
                    ("strategy", strategy),
                    ("phase", each),
                ]),
                flag(phase == each),
            );
        }
    }

    fn add_analysis_run(&mut self, run: &DynamicObject) {
        let (namespace, name) = identity(run);
        let phase = run.data["status"]["phase"].as_str().unwrap_or_default();
        self.run_info.push(
            labels([("namespace", namespace), ("name", name), ("phase", phase)]),
            Value::Int(1),
        );
        for each in ANALYSIS_PHASES {
            let is = phase == each || (each == "Pending" && phase.is_empty());
            self.run_phase.push(
                labels([("namespace", namespace), ("name", name), ("phase", each)]),
                flag(is),
            );
        }
        let spec = &run.data["spec"];
        let metrics = metrics_of(spec);
        let dry_run = dry_run_flags(spec, &metrics);
        let results = run.data["status"]["metricResults"].as_array();
        for (metric, dry_run) in metrics.iter().zip(dry_run) {
            let kind = type_name(&metric.provider);
            self.run_metric_type.push(
                labels([
                    ("namespace", namespace),
                    ("name", name),
                    ("metric", &metric.name),
                    ("type", kind),
                ]),
                Value::Int(1),
            );
            let result_phase = results
                .and_then(|results| {
                    results
                        .iter()
                        .find(|r| r["name"].as_str() == Some(metric.name.as_str()))
                })
                .and_then(|result| result["phase"].as_str())
                .unwrap_or_default();
            let dry_run = if dry_run { "true" } else { "false" };
            for each in ANALYSIS_PHASES {
                let is = result_phase == each || (each == "Pending" && result_phase.is_empty());
                self.run_metric_phase.push(
                    labels([
                        ("namespace", namespace),
                        ("name", name),
                        ("metric", &metric.name),
                        ("type", kind),
                        ("dry_run", dry_run),
                        ("phase", each),
                    ]),
                    flag(is),
                );
            }
        }
    }

    /// An AnalysisTemplate, or a ClusterAnalysisTemplate (whose namespace is empty).
    fn add_template(&mut self, template: &DynamicObject) {
        let (namespace, name) = identity(template);
        self.template_info
            .push(labels([("namespace", namespace), ("name", name)]), Value::Int(1));
        for metric in metrics_of(&template.data["spec"]) {
            self.template_metric_info.push(
                labels([
                    ("namespace", namespace),
                    ("name", name),
                    ("type", type_name(&metric.provider)),
                    ("metric", &metric.name),
                ]),
                Value::Int(1),
            );
        }
    }

    fn add_experiment(&mut self, experiment: &DynamicObject) {
        let (namespace, name) = identity(experiment);
        let phase = experiment.data["status"]["phase"].as_str().unwrap_or_default();
        self.experiment_info.push(
            labels([("namespace", namespace), ("name", name), ("phase", phase)]),
            Value::Int(1),
        );
        for each in EXPERIMENT_PHASES {
            let is = phase == each || (each == "Pending" && phase.is_empty());
            self.experiment_phase.push(
                labels([("namespace", namespace), ("name", name), ("phase", each)]),
                flag(is),
            );
        }
    }

    fn into_families(self) -> Vec<Family> {
        vec![
            self.rollout_info,
            self.replicas_available,
            self.replicas_unavailable,
            self.replicas_desired,
            self.replicas_updated,
            self.rollout_phase,
            self.run_info,
            self.run_phase,
            self.run_metric_type,
            self.run_metric_phase,
            self.template_info,
            self.template_metric_info,
            self.experiment_info,
            self.experiment_phase,
        ]
    }
}

/// The strategy (`blueGreen`, `canary` or `none`) and the traffic router upstream names (the last
/// set of ALB, Ambassador, Istio, Nginx, SMI and AppMesh; empty for any other or none).
fn strategy_and_traffic_router(spec: &Json) -> (&'static str, &'static str) {
    let strategy = &spec["strategy"];
    if is_set(strategy, "blueGreen") {
        return ("blueGreen", "");
    }
    if !is_set(strategy, "canary") {
        return ("none", "");
    }
    let routing = &strategy["canary"]["trafficRouting"];
    let router = [
        ("alb", "ALB"),
        ("ambassador", "Ambassador"),
        ("istio", "Istio"),
        ("nginx", "Nginx"),
        ("smi", "SMI"),
        ("appMesh", "AppMesh"),
    ]
    .into_iter()
    .rev()
    .find(|(key, _)| is_set(routing, key))
    .map_or("", |(_, name)| name);
    ("canary", router)
}

/// The phase of `rollout_info`: from the Progressing condition's reason, unless an InvalidSpec
/// condition is present (whatever its status).
fn rollout_phase(status: &Json) -> &'static str {
    let conditions = status["conditions"].as_array().map_or(&[][..], Vec::as_slice);
    let of_type = |kind: &str| conditions.iter().find(|c| c["type"].as_str() == Some(kind));
    if of_type("InvalidSpec").is_some() {
        return "InvalidSpec";
    }
    match of_type("Progressing").and_then(|c| c["reason"].as_str()) {
        Some(reasons::NEW_REPLICA_SET_AVAILABLE) => "Completed",
        Some(reasons::ROLLOUT_PAUSED) => "Paused",
        Some(reasons::REPLICA_SET_CREATE_ERROR) => "Error",
        Some(reasons::PROGRESS_DEADLINE_EXCEEDED) => "Timeout",
        Some(reasons::ROLLOUT_ABORTED) => "Abort",
        _ => "Progressing",
    }
}

/// The metrics of an AnalysisRun's or template's `spec`: their names and providers (the rest is not
/// needed). A metric whose provider does not decode counts as having none.
fn metrics_of(spec: &Json) -> Vec<Metric> {
    spec["metrics"]
        .as_array()
        .map(|metrics| {
            metrics
                .iter()
                .map(|metric| Metric {
                    name: metric["name"].as_str().unwrap_or_default().to_string(),
                    provider: MetricProvider::deserialize(&metric["provider"]).unwrap_or_default(),
                    ..Metric::default()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn type_name(provider: &MetricProvider) -> &'static str {
    provider.type_name().unwrap_or("Unknown Provider")
}

/// Per metric, whether a `dryRun` rule matches it: the rules are applied in order, up to the first
/// that matches no metric, as upstream's collector does.
fn dry_run_flags(spec: &Json, metrics: &[Metric]) -> Vec<bool> {
    let rules = Vec::<DryRun>::deserialize(&spec["dryRun"]).unwrap_or_default();
    let mut flags = vec![false; metrics.len()];
    for rule in &rules {
        let Ok(matched) = rollouts_core::analysis::run::validate::dry_run_flags(std::slice::from_ref(rule), metrics)
        else {
            break;
        };
        for (flag, matched) in flags.iter_mut().zip(matched) {
            *flag |= matched;
        }
    }
    flags
}

#[cfg(test)]
#[path = "objects_tests.rs"]
mod tests;
