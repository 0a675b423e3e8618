use hyper::Method;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher;
use serde_json::json;

use super::*;

/// The exposition of what was recorded (without the process metrics, which vary).
fn stored(metrics: &Metrics) -> String {
    family::render(metrics.stored_families())
}

/// The lines of `text` that start with `prefix`.
fn lines_of<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|line| line.starts_with(prefix)).collect()
}

#[test]
fn counts_are_kept_per_verb_and_resource() {
    let metrics = Metrics::new();
    metrics.record_api_request("create", "replicasets");
    metrics.record_api_request("create", "replicasets");
    metrics.record_api_request("patch", "rollouts/status");
    assert_eq!(metrics.api_requests("create", "replicasets"), 2);
    assert_eq!(metrics.api_requests("patch", "rollouts/status"), 1);
    assert_eq!(metrics.api_requests("delete", "replicasets"), 0);
    let counts = metrics.api_request_counts();
    assert_eq!(counts.get("create replicasets"), Some(&2));
    assert_eq!(counts.len(), 2);
}

#[test]
fn reconciles_are_counted_per_object() {
    let metrics = Metrics::new();
    let a = ObjectKey::new("default", "a");
    let ms = Duration::from_millis(1);
    metrics.record_reconcile(ControllerKind::Rollout, &a, ms, false);
    metrics.record_reconcile(ControllerKind::Rollout, &a, ms, true);
    metrics.record_reconcile(ControllerKind::Rollout, &ObjectKey::new("other", "a"), ms, false);
    metrics.record_reconcile(ControllerKind::Experiment, &a, ms, true);
    assert_eq!((metrics.reconciles(), metrics.reconcile_errors()), (3, 1));
    assert_eq!(
        (
            metrics.reconciles_of("default", "a"),
            metrics.reconcile_errors_of("default", "a")
        ),
        (2, 1)
    );
    assert_eq!(
        (
            metrics.experiment_reconciles_of("default", "a"),
            metrics.experiment_reconcile_errors_of("default", "a")
        ),
        (1, 1)
    );
}

/// Upstream's TestIncRolloutReconcile, TestIncAnalysisRunReconcile and TestIncError.
#[test]
fn reconcile_durations_and_errors_as_upstream_exposes_them() {
    let metrics = Metrics::new();
    let ms = Duration::from_millis(1);
    metrics.record_reconcile(
        ControllerKind::Rollout,
        &ObjectKey::new("ro-namespace", "ro-test"),
        ms,
        false,
    );
    metrics.record_reconcile(
        ControllerKind::AnalysisRun,
        &ObjectKey::new("ar-namespace", "ar-test"),
        ms,
        false,
    );
    for controller in [
        ControllerKind::Rollout,
        ControllerKind::AnalysisRun,
        ControllerKind::Experiment,
    ] {
        metrics.record_reconcile(
            controller,
            &ObjectKey::new("ns", "name"),
            Duration::from_millis(300),
            true,
        );
    }
    // The Service controller has no upstream series.
    metrics.record_reconcile(ControllerKind::Service, &ObjectKey::new("ns", "svc"), ms, true);
    let text = stored(&metrics);
    let expected = "\
# HELP rollout_reconcile Rollout reconciliation performance.
# TYPE rollout_reconcile histogram
rollout_reconcile_bucket{name=\"name\",namespace=\"ns\",le=\"0.01\"} 0
rollout_reconcile_bucket{name=\"name\",namespace=\"ns\",le=\"0.15\"} 0
rollout_reconcile_bucket{name=\"name\",namespace=\"ns\",le=\"0.25\"} 0
rollout_reconcile_bucket{name=\"name\",namespace=\"ns\",le=\"0.5\"} 1
rollout_reconcile_bucket{name=\"name\",namespace=\"ns\",le=\"1\"} 1
rollout_reconcile_bucket{name=\"name\",namespace=\"ns\",le=\"+Inf\"} 1
rollout_reconcile_sum{name=\"name\",namespace=\"ns\"} 0.3
rollout_reconcile_count{name=\"name\",namespace=\"ns\"} 1
rollout_reconcile_bucket{name=\"ro-test\",namespace=\"ro-namespace\",le=\"0.01\"} 1
rollout_reconcile_bucket{name=\"ro-test\",namespace=\"ro-namespace\",le=\"0.15\"} 1
rollout_reconcile_bucket{name=\"ro-test\",namespace=\"ro-namespace\",le=\"0.25\"} 1
rollout_reconcile_bucket{name=\"ro-test\",namespace=\"ro-namespace\",le=\"0.5\"} 1
rollout_reconcile_bucket{name=\"ro-test\",namespace=\"ro-namespace\",le=\"1\"} 1
rollout_reconcile_bucket{name=\"ro-test\",namespace=\"ro-namespace\",le=\"+Inf\"} 1
rollout_reconcile_sum{name=\"ro-test\",namespace=\"ro-namespace\"} 0.001
rollout_reconcile_count{name=\"ro-test\",namespace=\"ro-namespace\"} 1
# HELP rollout_reconcile_error Error occurring during the rollout
# TYPE rollout_reconcile_error counter
rollout_reconcile_error{name=\"name\",namespace=\"ns\"} 1
";
    assert!(text.contains(expected), "{text}");
    assert!(
        text.contains(
            "# HELP analysis_run_reconcile Analysis Run reconciliation performance.
# TYPE analysis_run_reconcile histogram
"
        ),
        "{text}"
    );
    for line in [
        "analysis_run_reconcile_sum{name=\"ar-test\",namespace=\"ar-namespace\"} 0.001",
        "analysis_run_reconcile_count{name=\"ar-test\",namespace=\"ar-namespace\"} 1",
        "# HELP analysis_run_reconcile_error Error occurring during the analysis run",
        "# TYPE analysis_run_reconcile_error counter",
        "analysis_run_reconcile_error{name=\"name\",namespace=\"ns\"} 1",
        "# HELP experiment_reconcile Experiments reconciliation performance.",
        "experiment_reconcile_count{name=\"name\",namespace=\"ns\"} 1",
        "# HELP experiment_reconcile_error Error occurring during the experiment",
        "# TYPE experiment_reconcile_error counter",
        "experiment_reconcile_error{name=\"name\",namespace=\"ns\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?}:\n{text}");
    }
    assert!(!text.contains("svc"), "{text}");
    assert!(!text.contains("_reconcile_error_total"), "{text}");
}

/// Upstream's TestIncRolloutEvents.
#[test]
fn rollout_events_are_counted_by_type_and_reason() {
    let metrics = Metrics::new();
    metrics.record_rollout_event("ro-namespace", "ro-test-1", "Normal", "FooEvent");
    metrics.record_rollout_event("ro-namespace", "ro-test-1", "Normal", "BarEvent");
    metrics.record_rollout_event("ro-namespace", "ro-test-2", "Warning", "BazEvent");
    metrics.record_rollout_event("ro-namespace", "ro-test-2", "Warning", "BazEvent");
    assert!(stored(&metrics).contains(
        "\
# HELP rollout_events_total Count of rollout events
# TYPE rollout_events_total counter
rollout_events_total{name=\"ro-test-1\",namespace=\"ro-namespace\",reason=\"BarEvent\",type=\"Normal\"} 1
rollout_events_total{name=\"ro-test-1\",namespace=\"ro-namespace\",reason=\"FooEvent\",type=\"Normal\"} 1
rollout_events_total{name=\"ro-test-2\",namespace=\"ro-namespace\",reason=\"BazEvent\",type=\"Warning\"} 2
"
    ));
}

/// Upstream's TestIncKubernetesRequest.
#[test]
fn kubernetes_requests_are_counted_by_upstream_labels() {
    let metrics = Metrics::new();
    let list = k8s_requests::describe(&Method::GET, "/apis/apps/v1/namespaces/default/replicasets", None, None);
    metrics.record_k8s_request(&list.labels(200));
    let unknown = k8s_requests::describe(&Method::OPTIONS, "/api", None, None);
    metrics.record_k8s_request(&unknown.labels(200));
    assert!(stored(&metrics).contains(
        "\
# TYPE controller_clientset_k8s_request_total counter
controller_clientset_k8s_request_total{kind=\"Unknown\",name=\"Unknown\",namespace=\"Unknown\",status_code=\"200\",verb=\"Unknown\"} 1
controller_clientset_k8s_request_total{kind=\"replicasets\",name=\"N/A\",namespace=\"default\",status_code=\"200\",verb=\"List\"} 1
"
    ));
}

/// Upstream's TestVersionInfo, and the project's own series.
#[test]
fn the_version_and_the_project_series_are_exposed() {
    let metrics = Metrics::new();
    metrics.record_api_request("watch", "replicasets");
    metrics.record_api_request("list", "replicasets");
    let text = stored(&metrics);
    assert!(text.starts_with(&format!(
        "\
# HELP argo_rollouts_controller_info Running Argo-rollouts version
# TYPE argo_rollouts_controller_info gauge
argo_rollouts_controller_info{{version=\"v{}\"}} 1
",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(text.contains(
        "\
# HELP controller_reconcile_slow_total Reconciles that ran longer than the slow threshold, by controller.
# TYPE controller_reconcile_slow_total counter
controller_reconcile_slow_total{controller=\"analysisrun\"} 0
controller_reconcile_slow_total{controller=\"experiment\"} 0
controller_reconcile_slow_total{controller=\"rollout\"} 0
controller_reconcile_slow_total{controller=\"service\"} 0
"
    ));
    assert_eq!(lines_of(&text, "controller_reconcile_slow_running{").len(), 4);
    assert_eq!(lines_of(&text, "controller_reconcile_timeout_total{").len(), 4);
    assert!(text.contains(
        "\
# HELP rollout_controller_api_requests_total API requests made by the controller, by verb and resource.
# TYPE rollout_controller_api_requests_total counter
rollout_controller_api_requests_total{resource=\"replicasets\",verb=\"list\"} 1
rollout_controller_api_requests_total{resource=\"replicasets\",verb=\"watch\"} 1
"
    ));
}

/// Upstream's TestRemove: the series of a deleted object stay for the cleanup delay, then go.
#[test]
fn a_deleted_objects_series_go_after_the_cleanup_delay() {
    let metrics = Metrics::new();
    let key = ObjectKey::new("ns", "name1");
    let ms = Duration::from_millis(1);
    for controller in ControllerKind::ALL {
        metrics.record_reconcile(controller, &key, ms, true);
    }
    metrics.record_reconcile(ControllerKind::Rollout, &ObjectKey::new("ns", "kept"), ms, true);
    metrics.record_rollout_event("ns", "name1", "Normal", "RolloutUpdated");
    metrics.record_rollout_event("ns", "kept", "Normal", "RolloutUpdated");
    let deleted = Instant::now();
    for controller in ControllerKind::ALL {
        metrics.forget_at(controller, &key, deleted);
    }
    let text = metrics.render_at(deleted + CLEANUP_DELAY.saturating_sub(Duration::from_secs(1)));
    for name in [
        "rollout_reconcile_error",
        "analysis_run_reconcile_error",
        "experiment_reconcile_error",
    ] {
        assert!(
            text.contains(&format!("{name}{{name=\"name1\",namespace=\"ns\"}} 1\n")),
            "{text}"
        );
    }
    assert_eq!(metrics.service_reconciles_of("ns", "name1"), 1);
    let text = metrics.render_at(deleted + CLEANUP_DELAY);
    assert!(!text.contains("name1"), "{text}");
    assert!(
        text.contains("rollout_reconcile_error{name=\"kept\",namespace=\"ns\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("rollout_events_total{name=\"kept\""), "{text}");
    assert_eq!(metrics.reconciles_of("ns", "name1"), 0);
    assert_eq!(metrics.service_reconciles_of("ns", "name1"), 0);
    assert_eq!(metrics.reconciles(), 2, "the totals only grow");
}

#[test]
fn the_object_series_are_computed_from_the_caches_at_each_scrape() {
    let metrics = Metrics::new();
    assert!(!metrics.render().contains("rollout_info"));
    let resource = ApiResource::erase::<rollouts_api::Rollout>(&());
    let mut rollouts = Writer::<DynamicObject>::new(resource.clone());
    let empty = |resource: ApiResource| Writer::<DynamicObject>::new(resource).as_reader();
    metrics.watch_objects(ObjectCaches {
        rollouts: rollouts.as_reader(),
        analysis_runs: empty(ApiResource::erase::<rollouts_api::AnalysisRun>(&())),
        analysis_templates: empty(ApiResource::erase::<rollouts_api::AnalysisTemplate>(&())),
        cluster_analysis_templates: empty(ApiResource::erase::<rollouts_api::ClusterAnalysisTemplate>(&())),
        experiments: empty(ApiResource::erase::<rollouts_api::experiment::Experiment>(&())),
    });
    let rollout: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 3, "strategy": {"canary": {"trafficRouting": {"nginx": {"stableIngress": "web"}}}}},
        "status": {"replicas": 3, "availableReplicas": 3, "updatedReplicas": 3,
                   "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}
    }))
    .unwrap();
    rollouts.apply_watcher_event(&watcher::Event::Apply(rollout));
    let text = metrics.render();
    assert!(
        text.contains(
            "rollout_info{name=\"web\",namespace=\"default\",phase=\"Completed\",strategy=\"canary\",traffic_router=\"Nginx\"} 1\n"
        ),
        "{text}"
    );
    assert!(text.contains("rollout_info_replicas_desired{name=\"web\",namespace=\"default\"} 3\n"));
    assert!(text.contains("\nprocess_start_time_seconds ") || !std::path::Path::new("/proc/self/stat").exists());
}
