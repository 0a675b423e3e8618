//! Golden plans from upstream's `experiments/analysisrun_test.go` and the analysis cases of
//! `experiment_test.go`.

use serde_json::{Value, json};

use super::fixtures::*;
use super::render;
use super::world::World;
use crate::experiment::Action;

/// An experiment with one template `bar` and the given analyses, in `phase`, available since `since`
/// seconds (not available with `None`).
fn with_analyses(analyses: Value, phase: &str, since: Option<i64>) -> Value {
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["analyses"] = analyses;
    v["status"]["phase"] = json!(phase);
    if let Some(s) = since {
        v["status"]["availableAt"] = json!(at(-s));
    }
    v
}

fn world_of(v: Value, rs_replicas: i32, rs_available: i32) -> World {
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, rs_replicas, rs_available)];
    world
}

fn entry(name: &str, run: &str, phase: &str) -> Value {
    json!({"name": name, "analysisRun": run, "phase": phase})
}

fn run_body(name: &str, spec: Value) -> Value {
    json!({"createAnalysisRun": {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": name, "namespace": "default", "ownerReferences": owner("foo")},
        "spec": spec
    }})
}

#[test]
fn dont_start_analysis_run_if_not_available() {
    // TestDontStartAnalysisRunIfNotAvailable: only the template is looked for; the analysis is
    // recorded with no phase yet, as upstream writes it.
    let v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Pending",
        None,
    );
    let mut world = world_of(v, 1, 0);
    world.analysis_templates = vec![analysis_template("success-rate")];
    let plan = world.reconcile();
    assert_eq!(
        render::actions(&plan),
        json!([{"patchExperiment": {"status": {
            "templateStatuses": [template_status("bar", 0, 0, "Progressing", None)],
            "conditions": [progressing("foo", &at(0))],
            "analysisRuns": [entry("success-rate", "", "")]
        }}}])
    );
    // The persisted `""` reads back as not started, and nothing changes while the template is not
    // available.
    assert!(world.plan().is_noop());
}

#[test]
fn create_analysis_run_when_available() {
    // TestCreateAnalysisRunWhenAvailable
    let v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(0),
    );
    let mut world = world_of(v, 1, 1);
    world.analysis_templates = vec![analysis_template("success-rate")];
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan),
        json!([
            run_body("foo-success-rate", json!({"metrics": [{"name": "job", "provider": {}}]})),
            {"patchExperiment": {"status": {
                "templateStatuses": [template_status("bar", 1, 1, "Running", Some(&at(0)))],
                "conditions": [progressing("foo", &at(0))],
                "analysisRuns": [entry("success-rate", "foo-success-rate", "Pending")]
            }}}
        ])
    );
    assert_eq!(
        render::events(&plan),
        [
            "Normal TemplateRunning: Template 'bar' transitioned from  -> Running",
            "Normal AnalysisRunPending: AnalysisRun 'success-rate' transitioned from  -> Pending"
        ]
    );
    assert!(plan.rollout_events.is_empty(), "no Rollout owns this Experiment");
}

#[test]
fn create_analysis_run_with_instance_id() {
    // TestCreateAnalysisRunWithInstanceID
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(0),
    );
    v["metadata"]["labels"] = json!({"argo-rollouts.argoproj.io/controller-instance-id": "my-instance-id"});
    let mut world = world_of(v, 1, 1);
    world.analysis_templates = vec![analysis_template("success-rate")];
    let plan = world.plan();
    let Action::CreateAnalysisRun(run) = &plan.actions[0] else {
        panic!("{:?}", render::verbs(&plan))
    };
    assert_eq!(
        serde_json::to_value(&run.metadata.labels).unwrap(),
        json!({"argo-rollouts.argoproj.io/controller-instance-id": "my-instance-id"})
    );
}

#[test]
fn missing_templates_error_the_analysis_before_availability() {
    // TestAnalysisTemplateNotExists, TestClusterAnalysisTemplateNotExists
    let cases = [
        (
            json!({"name": "success-rate", "templateName": "does-not-exist"}),
            "AnalysisTemplate verification failed for analysis 'success-rate': analysistemplate.argoproj.io \"does-not-exist\" not found",
        ),
        (
            json!({"name": "success-rate", "templateName": "", "clusterScope": true}),
            "ClusterAnalysisTemplate verification failed for analysis 'success-rate': clusteranalysistemplate.argoproj.io \"\" not found",
        ),
    ];
    for (analysis, message) in cases {
        let v = with_analyses(json!([analysis]), "Pending", None);
        let plan = world_of(v, 1, 1).plan();
        let status = &render::status_patch(&plan)["status"];
        assert_eq!(
            status["analysisRuns"],
            json!([{"name": "success-rate", "analysisRun": "", "phase": "Error", "message": message}])
        );
        assert_eq!(status["phase"], "Error", "a failed analysis fails the experiment");
        assert_eq!(status["message"], message);
        assert!(
            render::events(&plan).contains(&format!(
                "Warning AnalysisRunError: AnalysisRun 'success-rate' transitioned from  -> Error: {message}"
            )),
            "{:?}",
            render::events(&plan)
        );
    }
}

#[test]
fn create_analysis_run_with_arg_and_cluster_template() {
    // TestCreateAnalysisRunWithArg, TestCreateAnalysisRunWithClusterTemplate: arguments the templates
    // do not declare are not passed on.
    let v = with_analyses(
        json!([{"name": "cluster-success-rate", "templateName": "cluster-success-rate", "clusterScope": true,
                "args": [{"name": "test", "value": "sss"}]}]),
        "Running",
        Some(0),
    );
    let mut world = world_of(v, 1, 1);
    world.cluster_analysis_templates = vec![cluster_analysis_template("cluster-success-rate")];
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan)[0],
        run_body(
            "foo-cluster-success-rate",
            json!({"metrics": [{"name": "job", "provider": {}}]})
        )
    );
    assert_eq!(
        render::status_patch(&plan)["status"]["analysisRuns"],
        json!([entry("cluster-success-rate", "foo-cluster-success-rate", "Pending")])
    );
}

#[test]
fn analysis_run_fails_to_resolve_arg() {
    // TestAnalysisRunFailToResolveArg
    let v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate",
                "args": [{"name": "test", "value": "{{not a real substitution}}"}]}]),
        "Running",
        Some(0),
    );
    let mut world = world_of(v, 1, 1);
    world.analysis_templates = vec![analysis_template("success-rate")];
    let plan = world.plan();
    assert_eq!(render::verbs(&plan), ["patch experiment"]);
    assert_eq!(
        render::status_patch(&plan)["status"]["analysisRuns"][0],
        json!({"name": "success-rate", "analysisRun": "", "phase": "Error",
               "message": "Failed to create AnalysisRun for analysis 'success-rate': failed to resolve {{not a real substitution}}"})
    );
}

#[test]
fn experiment_placeholders_fill_the_arguments() {
    // `{{templates.<t>.podTemplateHash}}`, `{{templates.<t>.replicaset.name}}`,
    // `{{experiment.availableAt}}`, `{{experiment.finishedAt}}`, whitespace in the braces ignored.
    let mut v = with_analyses(
        json!([{"name": "a", "templateName": "t", "args": [
            {"name": "hash", "value": "{{templates.bar.podTemplateHash}}"},
            {"name": "rs", "value": "{{ templates.bar.replicaset.name }}"},
            {"name": "window", "value": "{{experiment.availableAt}}..{{experiment.finishedAt}}"}
        ]}]),
        "Running",
        Some(30),
    );
    v["spec"]["duration"] = json!("1h30s");
    v["spec"]["progressDeadlineSeconds"] = json!(600);
    let mut world = world_of(v, 1, 1);
    world.analysis_templates =
        vec![serde_json::from_value(json!({
        "metadata": {"name": "t", "namespace": "default"},
        "spec": {"args": [{"name": "hash"}, {"name": "rs"}, {"name": "window"}, {"name": "other", "value": "x"}],
                 "metrics": [{"name": "m"}]}
    }))
    .unwrap()];
    let hash = crate::experiment::replica_sets::hash_of(&world.replica_sets[0]).to_string();
    let plan = world.plan();
    let Action::CreateAnalysisRun(run) = &plan.actions[0] else {
        panic!("{:?}", render::verbs(&plan))
    };
    assert_eq!(
        serde_json::to_value(&run.spec.args).unwrap(),
        json!([
            {"name": "hash", "value": hash},
            {"name": "rs", "value": "foo-bar"},
            {"name": "window", "value": format!("{}..{}", at(-30), at(3600))},
            {"name": "other", "value": "x"}
        ])
    );
}

#[test]
fn unreadable_duration_fails_the_run_that_has_arguments() {
    let mut v = with_analyses(
        json!([{"name": "a", "templateName": "t", "args": [{"name": "x", "value": "1"}]}]),
        "Running",
        Some(0),
    );
    v["spec"]["duration"] = json!("soon");
    let mut world = world_of(v, 1, 1);
    world.analysis_templates = vec![analysis_template("t")];
    let plan = world.plan();
    assert_eq!(
        render::status_patch(&plan)["status"]["analysisRuns"][0]["message"],
        "Failed to create AnalysisRun for analysis 'a': time: invalid duration \"soon\""
    );
}

#[test]
fn identical_run_of_this_experiment_is_adopted() {
    // TestAnalysisRunCreateCollisionSemanticallyEqual; and a finished run of that name is not
    // adopted: the new one is `<name>.1`.
    let v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(0),
    );
    let mut world = world_of(v.clone(), 1, 1);
    world.analysis_templates = vec![analysis_template("success-rate")];
    let ex = world.experiment.clone();
    world.analysis_runs = vec![analysis_run(
        &ex,
        "success-rate",
        json!({"metrics": [{"name": "job", "provider": {}}]}),
        "Running",
    )];
    let plan = world.plan();
    assert_eq!(render::verbs(&plan), ["patch experiment"]);
    assert_eq!(
        render::status_patch(&plan)["status"]["analysisRuns"],
        json!([entry("success-rate", "foo-success-rate", "Pending")])
    );

    world.analysis_runs = vec![analysis_run(
        &ex,
        "success-rate",
        json!({"metrics": [{"name": "job", "provider": {}}]}),
        "Successful",
    )];
    let plan = world.plan();
    assert_eq!(
        render::verbs(&plan),
        ["create run foo-success-rate.1", "patch experiment"]
    );
}

#[test]
fn analysis_run_successful() {
    // TestAnalysisRunSuccessful
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(0),
    );
    v["status"]["analysisRuns"] = json!([entry("success-rate", "foo-success-rate", "Running")]);
    let mut world = world_of(v, 1, 1);
    let ex = world.experiment.clone();
    world.analysis_runs = vec![analysis_run(&ex, "success-rate", json!({}), "Successful")];
    let plan = world.plan();
    assert_eq!(
        render::status_patch(&plan)["status"]["analysisRuns"],
        json!([entry("success-rate", "foo-success-rate", "Successful")])
    );
    assert!(render::events(&plan).contains(
        &"Normal AnalysisRunSuccessful: AnalysisRun 'success-rate' transitioned from Running -> Successful".to_string()
    ));
}

/// Two analyses with runs in the given phases.
fn two_runs(mut v: Value, first: &str, second: &str) -> World {
    v["status"]["analysisRuns"] = json!([
        entry("success-rate", "foo-success-rate", first),
        entry("latency", "foo-latency", second)
    ]);
    let mut world = World::new(experiment(v));
    let ex = world.experiment.clone();
    world.analysis_runs = vec![
        analysis_run(&ex, "success-rate", json!({}), first),
        analysis_run(&ex, "latency", json!({}), second),
    ];
    world
}

#[test]
fn assess_analysis_run_statuses_after_template_success() {
    // TestAssessAnalysisRunStatusesAfterTemplateSuccess: the templates ran their duration; required
    // analyses decide.
    let cases = [
        ("Successful", "Successful", "Successful"),
        ("Failed", "Successful", "Failed"),
        ("Successful", "Failed", "Failed"),
        ("Running", "Successful", "Running"),
    ];
    for (first, second, expected) in cases {
        let mut v = with_analyses(
            json!([{"name": "success-rate", "templateName": "success-rate", "requiredForCompletion": true},
                   {"name": "latency", "templateName": "latency", "requiredForCompletion": true}]),
            "Running",
            Some(61),
        );
        v["spec"]["duration"] = json!("60s");
        v["spec"]["progressDeadlineSeconds"] = json!(59);
        v["status"]["templateStatuses"] = json!([{"name": "bar", "replicas": 0, "updatedReplicas": 0,
            "readyReplicas": 0, "availableReplicas": 0, "status": "Successful"}]);
        let mut world = two_runs(v, first, second);
        let ex = world.experiment.clone();
        world.replica_sets = vec![template_rs(&ex, 0, 0, 0)];
        let plan = world.plan();
        let mut verbs = vec!["patch rs foo-bar".to_string()];
        if expected != "Running" {
            verbs.push("patch experiment".to_string());
            assert_eq!(
                render::status_patch(&plan)["status"]["phase"],
                expected,
                "{first},{second}"
            );
        }
        assert_eq!(render::verbs(&plan), verbs, "{first},{second}");
    }
}

#[test]
fn fail_experiment_when_analysis_fails() {
    // TestFailExperimentWhenAnalysisFails: a failed analysis ends the experiment early.
    let cases = [
        ("Successful", "Successful", None),
        ("Failed", "Successful", Some("Failed")),
        ("Successful", "Failed", Some("Failed")),
        ("Running", "Successful", None),
    ];
    for (first, second, expected) in cases {
        let mut v = with_analyses(
            json!([{"name": "success-rate", "templateName": "success-rate"},
                   {"name": "latency", "templateName": "latency"}]),
            "Running",
            Some(60),
        );
        v["spec"]["duration"] = json!("5m");
        v["spec"]["scaleDownDelaySeconds"] = json!(0);
        v["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Running", Some(&at(0)))]);
        let mut world = two_runs(v, first, second);
        let ex = world.experiment.clone();
        world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
        let plan = world.plan();
        let mut verbs = Vec::new();
        if expected.is_some() {
            // Terminating: no delay, the ReplicaSet goes to 0 at once; the run still going... none.
            verbs.push("update rs foo-bar replicas=0".to_string());
        }
        verbs.push("patch experiment".to_string());
        assert_eq!(render::verbs(&plan), verbs, "{first},{second}");
        let status = &render::status_patch(&plan)["status"];
        assert_eq!(
            status.get("phase").and_then(Value::as_str),
            expected,
            "{first},{second}"
        );
        // Without a change of phase the patch only brings the Running condition.
        if expected.is_none() {
            assert_eq!(status["conditions"], json!([running("foo", &at(0))]));
        }
    }
}

#[test]
fn complete_experiment_on_successful_required_analysis_run() {
    // TestCompleteExperimentOnSuccessfulRequiredAnalysisRun
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate", "requiredForCompletion": true}]),
        "Running",
        Some(60),
    );
    v["status"]["analysisRuns"] = json!([entry("success-rate", "foo-success-rate", "Running")]);
    let mut world = World::new(experiment(v));
    let ex = world.experiment.clone();
    world.replica_sets = vec![template_rs(&ex, 0, 0, 0)];
    world.analysis_runs = vec![analysis_run(&ex, "success-rate", json!({}), "Successful")];
    let plan = world.plan();
    // Not terminating yet on the observed status: the template's ReplicaSet is scaled up as usual.
    assert_eq!(
        render::verbs(&plan),
        ["update rs foo-bar replicas=1", "patch experiment"]
    );
    let status = &render::status_patch(&plan)["status"];
    assert_eq!(status["phase"], "Successful");
    assert_eq!(status["message"], "Required AnalysisRuns completed");
}

#[test]
fn do_not_complete_experiment_with_remaining_required_analysis_run() {
    // TestDoNotCompleteExperimentWithRemainingRequiredAnalysisRun
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate", "requiredForCompletion": true},
               {"name": "success-rate-2", "templateName": "success-rate", "requiredForCompletion": true}]),
        "Running",
        Some(60),
    );
    v["status"]["analysisRuns"] = json!([
        entry("success-rate", "foo-success-rate", "Successful"),
        entry("success-rate-2", "foo-success-rate-2", "Running")
    ]);
    let mut world = World::new(experiment(v));
    let ex = world.experiment.clone();
    world.replica_sets = vec![template_rs(&ex, 0, 0, 0)];
    world.analysis_runs = vec![
        analysis_run(&ex, "success-rate", json!({}), "Successful"),
        analysis_run(&ex, "success-rate-2", json!({}), "Running"),
    ];
    let plan = world.plan();
    assert_eq!(
        render::verbs(&plan),
        ["update rs foo-bar replicas=1", "patch experiment"]
    );
    assert_ne!(render::status_patch(&plan)["status"]["phase"], "Successful");
}

#[test]
fn complete_experiment_with_no_required_analysis() {
    // TestCompleteExperimentWithNoRequiredAnalysis
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(61),
    );
    v["spec"]["duration"] = json!("1m");
    v["spec"]["progressDeadlineSeconds"] = json!(59);
    v["spec"]["scaleDownDelaySeconds"] = json!(0);
    v["status"]["templateStatuses"] = json!([{"name": "bar", "replicas": 0, "updatedReplicas": 0,
        "readyReplicas": 0, "availableReplicas": 0, "status": "Successful"}]);
    v["status"]["analysisRuns"] = json!([entry("success-rate", "foo-success-rate", "Running")]);
    let mut world = World::new(experiment(v));
    let ex = world.experiment.clone();
    world.replica_sets = vec![template_rs(&ex, 0, 0, 0)];
    world.analysis_runs = vec![analysis_run(&ex, "success-rate", json!({}), "Running")];
    let plan = world.reconcile();
    assert_eq!(render::verbs(&plan), ["patch experiment"]);
    assert_eq!(render::status_patch(&plan)["status"]["phase"], "Successful");

    // Finished: the run still going is terminated.
    let plan = world.reconcile();
    assert_eq!(render::verbs(&plan), ["patch run foo-success-rate"]);
    assert_eq!(
        render::events(&plan),
        ["Normal AnalysisRunTerminating: Terminating success-rate (foo-success-rate)"]
    );
}

#[test]
fn terminate_analysis_runs() {
    // TestTerminateAnalysisRuns
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(60),
    );
    v["spec"]["terminate"] = json!(true);
    v["spec"]["scaleDownDelaySeconds"] = json!(0);
    v["status"]["analysisRuns"] = json!([entry("success-rate", "foo-success-rate", "Running")]);
    let mut world = World::new(experiment(v));
    let ex = world.experiment.clone();
    world.replica_sets = vec![template_rs(&ex, 0, 0, 0)];
    world.analysis_runs = vec![analysis_run(&ex, "success-rate", json!({}), "Running")];
    let plan = world.reconcile();
    assert_eq!(
        render::actions(&plan)[0],
        json!({"patchAnalysisRun": {"name": "foo-success-rate", "patch": {"spec": {"terminate": true}}}})
    );
    // Asked once: the run is terminating.
    let plan = world.plan();
    assert!(!render::verbs(&plan).contains(&"patch run foo-success-rate".to_string()));
}

#[test]
fn terminated_experiment_with_a_required_analysis_still_ends() {
    // Upstream stops following runs once the experiment is terminating: terminated while a required
    // analysis ran, it stayed Running for good. Here the entry follows the run to its end.
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate", "requiredForCompletion": true}]),
        "Running",
        Some(60),
    );
    v["spec"]["terminate"] = json!(true);
    v["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Running", Some(&at(-60)))]);
    v["status"]["analysisRuns"] = json!([entry("success-rate", "foo-success-rate", "Running")]);
    let mut world = World::new(experiment(v));
    let ex = world.experiment.clone();
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
    world.analysis_runs = vec![analysis_run(&ex, "success-rate", json!({}), "Running")];
    world.reconcile();
    assert_eq!(world.phase(), "Running", "waits for the required analysis");
    world.finish_run("foo-success-rate", "Successful", "Run Terminated");
    world.advance(1);
    world.reconcile();
    assert_eq!(world.phase(), "Successful");
    assert_eq!(world.status()["message"], "Required AnalysisRuns completed");
}

#[test]
fn create_analysis_run_with_metadata_dry_run_and_retention() {
    // TestCreateAnalysisRunWithMetadataAndDryRun (and WithClusterScope): labels and annotations from
    // analysisRunMetadata only, the experiment's dry-run and retention rules first.
    for cluster in [false, true] {
        let mut v = with_analyses(
            json!([{"name": "success-rate", "templateName": "success-rate", "clusterScope": cluster}]),
            "Running",
            Some(0),
        );
        v["spec"]["analysisRunMetadata"] = json!({"labels": {"foo": "bar", "foo2": "bar2"},
                                                 "annotations": {"bar": "foo", "bar2": "foo2"}});
        v["spec"]["dryRun"] = json!([{"metricName": "someMetric"}, {"metricName": "someOtherMetric"}]);
        v["spec"]["measurementRetention"] = json!([{"metricName": "job", "limit": 3}]);
        let mut world = world_of(v, 1, 1);
        if cluster {
            world.cluster_analysis_templates = vec![cluster_analysis_template("success-rate")];
        } else {
            world.analysis_templates = vec![analysis_template("success-rate")];
        }
        let plan = world.plan();
        assert_eq!(
            render::actions(&plan)[0],
            json!({"createAnalysisRun": {
                "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
                "metadata": {"name": "foo-success-rate", "namespace": "default",
                             "labels": {"foo": "bar", "foo2": "bar2"},
                             "annotations": {"bar": "foo", "bar2": "foo2"},
                             "ownerReferences": owner("foo")},
                "spec": {"metrics": [{"name": "job", "provider": {}}],
                         "dryRun": [{"metricName": "someMetric"}, {"metricName": "someOtherMetric"}],
                         "measurementRetention": [{"metricName": "job", "limit": 3}]}
            }}),
            "cluster scope: {cluster}"
        );
    }
}

fn template_with_refs(name: &str, cluster_refs: bool, refs: &[&str], metrics: bool) -> Value {
    let refs: Vec<Value> = refs
        .iter()
        .map(|r| json!({"templateName": r, "clusterScope": cluster_refs}))
        .collect();
    let mut spec = json!({"templates": refs});
    if metrics {
        spec["metrics"] = json!([{"name": format!("example-{name}")}]);
        spec["dryRun"] = json!([{"metricName": format!("example-{name}")}]);
        spec["measurementRetention"] = json!([{"metricName": format!("example-{name}"), "limit": 0}]);
    }
    spec
}

#[test]
fn nested_templates_are_flattened_into_the_run() {
    // TestCreatenalysisRunWithClusterTemplatesAndTemplateAndInnerTemplates and
    // TestCreatenalysisRunWithTemplatesAndNoMetricsAtRoot: namespaced templates first, then cluster
    // ones, each once.
    for root_metrics in [true, false] {
        let mut v = with_analyses(
            json!([{"name": "exp-bar", "templateName": "bar", "clusterScope": false},
                   {"name": "exp-bar-2", "templateName": "clusterbar4", "clusterScope": true}]),
            "Running",
            Some(0),
        );
        v["status"]["phase"] = json!("Running");
        let mut world = world_of(v, 1, 0);
        world.analysis_templates = vec![
            serde_json::from_value(json!({"metadata": {"name": "bar", "namespace": "default"},
                "spec": template_with_refs("bar", false, &["bar2"], root_metrics)}))
            .unwrap(),
            serde_json::from_value(json!({"metadata": {"name": "bar2", "namespace": "default"},
                "spec": template_with_refs("bar2", true, &["clusterbar", "clusterbar2"], true)}))
            .unwrap(),
        ];
        let cluster = |name: &str, refs: &[&str]| -> rollouts_api::ClusterAnalysisTemplate {
            let refs: Vec<Value> = refs
                .iter()
                .map(|r| json!({"templateName": r, "clusterScope": true}))
                .collect();
            serde_json::from_value(json!({"metadata": {"name": name},
                "spec": {"metrics": [{"name": format!("clusterexample-{name}")}], "templates": refs}}))
            .unwrap()
        };
        world.cluster_analysis_templates = vec![
            cluster("clusterbar", &["clusterbar2", "clusterbar3"]),
            cluster("clusterbar2", &[]),
            cluster("clusterbar3", &[]),
            cluster("clusterbar4", &[]),
        ];
        let plan = world.plan();
        let runs: Vec<(String, Vec<String>)> = plan
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::CreateAnalysisRun(r) => Some((
                    r.metadata.name.clone().unwrap(),
                    r.spec.metrics.iter().map(|m| m.name.clone()).collect(),
                )),
                _ => None,
            })
            .collect();
        let mut first = vec![
            "example-bar2",
            "clusterexample-clusterbar",
            "clusterexample-clusterbar2",
            "clusterexample-clusterbar3",
        ];
        if root_metrics {
            first.insert(0, "example-bar");
        }
        assert_eq!(
            runs,
            vec![
                (
                    "foo-exp-bar".to_string(),
                    first.iter().map(ToString::to_string).collect()
                ),
                (
                    "foo-exp-bar-2".to_string(),
                    vec!["clusterexample-clusterbar4".to_string()]
                )
            ]
        );
        let status = &render::status_patch(&plan)["status"];
        assert_eq!(
            status["analysisRuns"],
            json!([
                entry("exp-bar", "foo-exp-bar", "Pending"),
                entry("exp-bar-2", "foo-exp-bar-2", "Pending")
            ])
        );
        assert_eq!(
            status["templateStatuses"],
            json!([template_status("bar", 0, 0, "Progressing", None)])
        );
        assert_eq!(status["conditions"], json!([progressing("foo", &at(0))]));
    }
}

#[test]
fn missing_templates_fail_the_experiment_once_available() {
    // TestAnalysisTemplateNotFoundShouldFailTheExperiment and its cluster / inner variants.
    let at_bar = |refs: &[&str]| -> rollouts_api::AnalysisTemplate {
        serde_json::from_value(json!({"metadata": {"name": "bar", "namespace": "default"},
            "spec": template_with_refs("bar", false, refs, false)}))
        .unwrap()
    };
    let cases: Vec<(Value, Vec<rollouts_api::AnalysisTemplate>, Vec<rollouts_api::ClusterAnalysisTemplate>, &str)> = vec![
        (json!({"templateName": "bar", "clusterScope": false}), vec![], vec![],
         "analysistemplate.argoproj.io \"bar\" not found"),
        (json!({"templateName": "cluster-bar", "clusterScope": true}), vec![], vec![],
         "clusteranalysistemplate.argoproj.io \"cluster-bar\" not found"),
        (json!({"templateName": "bar", "clusterScope": false}), vec![at_bar(&["bar2"])], vec![],
         "analysistemplate.argoproj.io \"bar2\" not found"),
        (json!({"templateName": "clusterbar", "clusterScope": true}), vec![],
         vec![serde_json::from_value(json!({"metadata": {"name": "clusterbar"}, "spec": {"metrics": [{"name": "m"}],
              "templates": [{"templateName": "clusterbar2", "clusterScope": true}, {"templateName": "clusterbar3", "clusterScope": true}]}})).unwrap(),
              serde_json::from_value(json!({"metadata": {"name": "clusterbar2"}, "spec": {"metrics": [{"name": "m2"}]}})).unwrap()],
         "clusteranalysistemplate.argoproj.io \"clusterbar3\" not found"),
    ];
    for (reference, namespaced, cluster, error) in cases {
        let mut analysis = reference.clone();
        analysis["name"] = json!("exp-bar");
        let v = with_analyses(json!([analysis]), "Running", Some(0));
        let mut world = world_of(v, 1, 0);
        world.analysis_templates = namespaced;
        world.cluster_analysis_templates = cluster;
        let plan = world.plan();
        let message = format!("Failed to create AnalysisRun for analysis 'exp-bar': {error}");
        assert_eq!(
            render::actions(&plan),
            json!([{"patchExperiment": {"status": {
                "phase": "Error",
                "message": message,
                "templateStatuses": [template_status("bar", 0, 0, "Progressing", None)],
                "conditions": [progressing("foo", &at(0))],
                "analysisRuns": [{"name": "exp-bar", "analysisRun": "", "phase": "Error", "message": message}]
            }}}]),
            "{reference}"
        );
    }
}

#[test]
fn run_phase_changes_are_repeated_on_the_owning_rollout() {
    // Upstream #4009: the Rollout's notification subscriptions hear about its experiment's runs.
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(0),
    );
    v["metadata"]["ownerReferences"] = json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "name": "web", "uid": "ro-uid", "controller": true}]);
    v["status"]["analysisRuns"] = json!([entry("success-rate", "foo-success-rate", "Running")]);
    let mut world = world_of(v, 1, 1);
    let ex = world.experiment.clone();
    let mut run = analysis_run(&ex, "success-rate", json!({}), "Failed");
    run.status.as_mut().unwrap().message = Some("metric failed".to_string());
    world.analysis_runs = vec![run];
    let plan = world.plan();
    let message = "AnalysisRun 'success-rate' transitioned from Running -> Failed: metric failed";
    assert!(render::events(&plan).contains(&format!("Warning AnalysisRunFailed: {message}")));
    assert_eq!(
        plan.rollout_events,
        vec![crate::plan::Event::warning("AnalysisRunFailed", message)]
    );
    assert_eq!(
        crate::experiment::owner_rollout(&world.experiment).map(|o| o.name.as_str()),
        Some("web")
    );
}

#[test]
fn run_missing_from_the_snapshot_errors_the_analysis() {
    let mut v = with_analyses(
        json!([{"name": "success-rate", "templateName": "success-rate"}]),
        "Running",
        Some(0),
    );
    v["status"]["analysisRuns"] = json!([entry("success-rate", "foo-success-rate", "Running")]);
    let plan = world_of(v, 1, 1).plan();
    assert_eq!(
        render::status_patch(&plan)["status"]["analysisRuns"][0]["message"],
        "analysisruns.argoproj.io \"foo-success-rate\" not found"
    );
}
