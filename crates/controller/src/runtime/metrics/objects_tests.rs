//! The object series against upstream's collector tests, on the same objects.

use super::*;
use serde_json::json;

/// The exposition of `objects` (kind, JSON).
fn families_of(objects: &[(&str, Json)]) -> String {
    let mut families = ObjectFamilies::default();
    for (kind, json) in objects {
        let object: DynamicObject = serde_json::from_value(json.clone()).unwrap();
        match *kind {
            "Rollout" => families.add_rollout(&object),
            "AnalysisRun" => families.add_analysis_run(&object),
            "Experiment" => families.add_experiment(&object),
            _ => families.add_template(&object),
        }
    }
    crate::runtime::metrics::family::render(families.into_families())
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// Asserts that every line of `expected` is in `text` (upstream's tests check the same way).
fn assert_has_lines(text: &str, expected: &str) {
    let have = lines(text);
    for line in expected.lines().filter(|l| !l.is_empty()) {
        assert!(have.contains(&line), "missing line {line:?} in:\n{text}");
    }
}

fn rollout(name: &str, strategy: Json, condition_reason: &str) -> Json {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": 1, "strategy": strategy,
                 "selector": {"matchLabels": {"app": "guestbook"}},
                 "template": {"metadata": {"labels": {"app": "guestbook"}},
                              "spec": {"containers": [{"name": "guestbook", "image": "argoproj/rollouts-demo:blue"}]}}},
        "status": {"replicas": 1, "availableReplicas": 1,
                   "conditions": [{"type": "Progressing", "status": "False", "reason": condition_reason}]}
    })
}

fn blue_green() -> Json {
    json!({"blueGreen": {"activeService": "active-service", "previewService": "preview-service"}})
}

/// Upstream's TestCollectRollouts.
#[test]
fn rollouts_as_upstream_collects_them() {
    let text = families_of(&[("Rollout", rollout("guestbook-bluegreen", blue_green(), "Progressing"))]);
    assert_eq!(
        text,
        "\
# HELP rollout_info Information about rollout.
# TYPE rollout_info gauge
rollout_info{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Progressing\",strategy=\"blueGreen\",traffic_router=\"\"} 1
# HELP rollout_info_replicas_available The number of available replicas per rollout.
# TYPE rollout_info_replicas_available gauge
rollout_info_replicas_available{name=\"guestbook-bluegreen\",namespace=\"default\"} 1
# HELP rollout_info_replicas_desired The number of desired replicas per rollout.
# TYPE rollout_info_replicas_desired gauge
rollout_info_replicas_desired{name=\"guestbook-bluegreen\",namespace=\"default\"} 1
# HELP rollout_info_replicas_unavailable The number of unavailable replicas per rollout.
# TYPE rollout_info_replicas_unavailable gauge
rollout_info_replicas_unavailable{name=\"guestbook-bluegreen\",namespace=\"default\"} 0
# HELP rollout_info_replicas_updated The number of updated replicas per rollout.
# TYPE rollout_info_replicas_updated gauge
rollout_info_replicas_updated{name=\"guestbook-bluegreen\",namespace=\"default\"} 0
# HELP rollout_phase Information on the state of the rollout (DEPRECATED - use rollout_info)
# TYPE rollout_phase gauge
rollout_phase{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Abort\",strategy=\"blueGreen\"} 0
rollout_phase{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Completed\",strategy=\"blueGreen\"} 0
rollout_phase{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Error\",strategy=\"blueGreen\"} 0
rollout_phase{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Paused\",strategy=\"blueGreen\"} 0
rollout_phase{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Progressing\",strategy=\"blueGreen\"} 1
rollout_phase{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Timeout\",strategy=\"blueGreen\"} 0
"
    );
    let text = families_of(&[(
        "Rollout",
        rollout("guestbook-bluegreen", blue_green(), "ReplicaSetCreateError"),
    )]);
    assert_has_lines(
        &text,
        "rollout_info{name=\"guestbook-bluegreen\",namespace=\"default\",phase=\"Error\",strategy=\"blueGreen\",traffic_router=\"\"} 1",
    );
    let canary = json!({"canary": {"trafficRouting": {"smi": {}}}});
    let text = families_of(&[("Rollout", rollout("guestbook-canary", canary, "Progressing"))]);
    assert_has_lines(
        &text,
        "rollout_info{name=\"guestbook-canary\",namespace=\"default\",phase=\"Progressing\",strategy=\"canary\",traffic_router=\"SMI\"} 1\n\
         rollout_info_replicas_unavailable{name=\"guestbook-canary\",namespace=\"default\"} 0",
    );
}

#[test]
fn the_phase_follows_the_progressing_reason_unless_the_spec_is_invalid() {
    let phase = |conditions: Json| rollout_phase(&json!({"conditions": conditions}));
    let progressing = |reason: &str| json!([{"type": "Progressing", "status": "True", "reason": reason}]);
    assert_eq!(phase(progressing("NewReplicaSetAvailable")), "Completed");
    assert_eq!(phase(progressing("RolloutPaused")), "Paused");
    assert_eq!(phase(progressing("ReplicaSetCreateError")), "Error");
    assert_eq!(phase(progressing("ProgressDeadlineExceeded")), "Timeout");
    assert_eq!(phase(progressing("RolloutAborted")), "Abort");
    assert_eq!(phase(progressing("ReplicaSetUpdated")), "Progressing");
    assert_eq!(phase(json!([])), "Progressing");
    assert_eq!(rollout_phase(&Json::Null), "Progressing");
    let invalid = json!([{"type": "Progressing", "reason": "NewReplicaSetAvailable"},
                         {"type": "InvalidSpec", "status": "False", "reason": "InvalidSpec"}]);
    assert_eq!(phase(invalid), "InvalidSpec");
}

/// Upstream's TestGetStrategyAndTrafficRouter.
#[test]
fn strategy_and_router_as_upstream_names_them() {
    let of = |strategy: Json| strategy_and_traffic_router(&json!({"strategy": strategy}));
    assert_eq!(of(json!({"blueGreen": {}})), ("blueGreen", ""));
    assert_eq!(of(json!({"canary": {}})), ("canary", ""));
    assert_eq!(of(json!({})), ("none", ""));
    assert_eq!(of(json!({"canary": null})), ("none", ""));
    for (key, name) in [
        ("smi", "SMI"),
        ("istio", "Istio"),
        ("alb", "ALB"),
        ("ambassador", "Ambassador"),
        ("nginx", "Nginx"),
        ("appMesh", "AppMesh"),
    ] {
        assert_eq!(of(json!({"canary": {"trafficRouting": {key: {}}}})), ("canary", name));
    }
    // Routers upstream does not name (plugins, Traefik, Apisix) leave it empty.
    assert_eq!(
        of(json!({"canary": {"trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI": {}}}}})),
        ("canary", "")
    );
    // The last of upstream's checks wins.
    assert_eq!(
        of(json!({"canary": {"trafficRouting": {"nginx": {}, "alb": {}, "smi": {}}}})),
        ("canary", "SMI")
    );
}

#[test]
fn desired_replicas_default_to_one_and_unavailable_is_the_difference() {
    let mut object = rollout("r", json!({"canary": {}}), "x");
    object["spec"].as_object_mut().map(|spec| spec.remove("replicas"));
    object["status"] = json!({"replicas": 5, "availableReplicas": 3, "updatedReplicas": 2});
    let text = families_of(&[("Rollout", object)]);
    assert_has_lines(
        &text,
        "rollout_info_replicas_desired{name=\"r\",namespace=\"default\"} 1
rollout_info_replicas_unavailable{name=\"r\",namespace=\"default\"} 2
rollout_info_replicas_available{name=\"r\",namespace=\"default\"} 3
rollout_info_replicas_updated{name=\"r\",namespace=\"default\"} 2",
    );
}

fn web_metric(name: &str) -> Json {
    json!({"name": name, "provider": {"web": {"jsonPath": ".", "url": "https://www.google.com"}}, "successCondition": "true"})
}

/// Upstream's TestCollectAnalysisRuns.
#[test]
fn analysis_runs_as_upstream_collects_them() {
    let run = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "http-benchmark-test-tr8rn", "namespace": "jesse-test"},
        "spec": {"metrics": [web_metric("webmetric")]},
        "status": {"metricResults": [{"consecutiveError": 5, "error": 5, "name": "webmetric", "phase": "Error",
                                      "measurements": [{"phase": "Error", "message": "Could not parse JSON body"}]}],
                   "phase": "Error", "startedAt": "2020-03-16T20:02:15Z"}
    });
    assert_eq!(
        families_of(&[("AnalysisRun", run)]),
        "\
# HELP analysis_run_info Information about analysis run.
# TYPE analysis_run_info gauge
analysis_run_info{name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Error\"} 1
# HELP analysis_run_metric_phase Information on the duration of a specific metric in the Analysis Run
# TYPE analysis_run_metric_phase gauge
analysis_run_metric_phase{dry_run=\"false\",metric=\"webmetric\",name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Error\",type=\"Web\"} 1
analysis_run_metric_phase{dry_run=\"false\",metric=\"webmetric\",name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Failed\",type=\"Web\"} 0
analysis_run_metric_phase{dry_run=\"false\",metric=\"webmetric\",name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Inconclusive\",type=\"Web\"} 0
analysis_run_metric_phase{dry_run=\"false\",metric=\"webmetric\",name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Pending\",type=\"Web\"} 0
analysis_run_metric_phase{dry_run=\"false\",metric=\"webmetric\",name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Running\",type=\"Web\"} 0
analysis_run_metric_phase{dry_run=\"false\",metric=\"webmetric\",name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Successful\",type=\"Web\"} 0
# HELP analysis_run_metric_type Information on the type of a specific metric in the Analysis Runs
# TYPE analysis_run_metric_type gauge
analysis_run_metric_type{metric=\"webmetric\",name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",type=\"Web\"} 1
# HELP analysis_run_phase Information on the state of the Analysis Run (DEPRECATED - use analysis_run_info)
# TYPE analysis_run_phase gauge
analysis_run_phase{name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Error\"} 1
analysis_run_phase{name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Failed\"} 0
analysis_run_phase{name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Inconclusive\"} 0
analysis_run_phase{name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Pending\"} 0
analysis_run_phase{name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Running\"} 0
analysis_run_phase{name=\"http-benchmark-test-tr8rn\",namespace=\"jesse-test\",phase=\"Successful\"} 0
"
    );
}

#[test]
fn a_new_run_is_pending_and_dry_run_rules_apply_up_to_the_first_that_matches_nothing() {
    let run = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "run", "namespace": "ns"},
        "spec": {"metrics": [web_metric("a-1"), web_metric("b-1"),
                             {"name": "j", "provider": {"job": {"spec": {}}}}, {"name": "none", "provider": {}}],
                 "dryRun": [{"metricName": "^a"}, {"metricName": "nothing"}, {"metricName": "b"}]}
    });
    let text = families_of(&[("AnalysisRun", run)]);
    assert_has_lines(
        &text,
        "\
analysis_run_info{name=\"run\",namespace=\"ns\",phase=\"\"} 1
analysis_run_phase{name=\"run\",namespace=\"ns\",phase=\"Pending\"} 1
analysis_run_metric_phase{dry_run=\"true\",metric=\"a-1\",name=\"run\",namespace=\"ns\",phase=\"Pending\",type=\"Web\"} 1
analysis_run_metric_phase{dry_run=\"false\",metric=\"b-1\",name=\"run\",namespace=\"ns\",phase=\"Pending\",type=\"Web\"} 1
analysis_run_metric_type{metric=\"j\",name=\"run\",namespace=\"ns\",type=\"Job\"} 1
analysis_run_metric_type{metric=\"none\",name=\"run\",namespace=\"ns\",type=\"Unknown Provider\"} 1",
    );
}

/// Upstream's TestAnalysisTemplateDescribe.
#[test]
fn templates_and_cluster_templates_as_upstream_collects_them() {
    let spec = json!({"metrics": [web_metric("web-metric-1"), {
        "name": "web-metric-2", "dryRun": true,
        "provider": {"web": {"jsonPath": ".", "url": "https://www.msn.com"}}, "successCondition": "false"}]});
    let template = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": "http-benchmark-test", "namespace": "jesse-test"}, "spec": spec});
    let cluster = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ClusterAnalysisTemplate",
        "metadata": {"name": "http-benchmark-cluster-test"}, "spec": spec});
    assert_eq!(
        families_of(&[("AnalysisTemplate", template), ("ClusterAnalysisTemplate", cluster)]),
        "\
# HELP analysis_template_info Information about analysis templates.
# TYPE analysis_template_info gauge
analysis_template_info{name=\"http-benchmark-cluster-test\",namespace=\"\"} 1
analysis_template_info{name=\"http-benchmark-test\",namespace=\"jesse-test\"} 1
# HELP analysis_template_metric_info Information on metrics in analysis templates.
# TYPE analysis_template_metric_info gauge
analysis_template_metric_info{metric=\"web-metric-1\",name=\"http-benchmark-cluster-test\",namespace=\"\",type=\"Web\"} 1
analysis_template_metric_info{metric=\"web-metric-1\",name=\"http-benchmark-test\",namespace=\"jesse-test\",type=\"Web\"} 1
analysis_template_metric_info{metric=\"web-metric-2\",name=\"http-benchmark-cluster-test\",namespace=\"\",type=\"Web\"} 1
analysis_template_metric_info{metric=\"web-metric-2\",name=\"http-benchmark-test\",namespace=\"jesse-test\",type=\"Web\"} 1
"
    );
}

/// Upstream's TestCollectExperiments.
#[test]
fn experiments_as_upstream_collects_them() {
    let experiment = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
        "metadata": {"name": "experiment-with-analysis", "namespace": "argo-rollouts"},
        "spec": {"duration": "30s", "analyses": [{"name": "pass", "templateName": "pass"}]},
        "status": {"phase": "Successful"}
    });
    assert_eq!(
        families_of(&[("Experiment", experiment)]),
        "\
# HELP experiment_info Information about Experiment.
# TYPE experiment_info gauge
experiment_info{name=\"experiment-with-analysis\",namespace=\"argo-rollouts\",phase=\"Successful\"} 1
# HELP experiment_phase Information on the state of the experiment (DEPRECATED - use experiment_info)
# TYPE experiment_phase gauge
experiment_phase{name=\"experiment-with-analysis\",namespace=\"argo-rollouts\",phase=\"Error\"} 0
experiment_phase{name=\"experiment-with-analysis\",namespace=\"argo-rollouts\",phase=\"Inconclusive\"} 0
experiment_phase{name=\"experiment-with-analysis\",namespace=\"argo-rollouts\",phase=\"Pending\"} 0
experiment_phase{name=\"experiment-with-analysis\",namespace=\"argo-rollouts\",phase=\"Running\"} 0
experiment_phase{name=\"experiment-with-analysis\",namespace=\"argo-rollouts\",phase=\"Successful\"} 1
"
    );
}

#[test]
fn nothing_cached_writes_nothing() {
    assert_eq!(families_of(&[]), "");
}
