//! What a failed write records, from upstream's `TestFailReplicaSetCreation`,
//! `TestFailServiceCreation`, `TestFailAddScaleDownDelay` and `TestAnalysisRunCreateError`.

use serde_json::json;

use super::fixtures::*;
use super::render;
use super::world::World;
use crate::experiment::{Action, write_failed};

fn first<'p>(plan: &'p crate::experiment::Plan, verb: &str) -> &'p Action {
    let i = render::verbs(plan)
        .iter()
        .position(|v| v.starts_with(verb))
        .unwrap_or_else(|| panic!("no {verb} in {:?}", render::verbs(plan)));
    &plan.actions[i]
}

#[test]
fn failed_replica_set_creation_errors_the_template() {
    let ex = experiment(experiment_json("foo", templates(&["good", "bad"]), ""));
    let world = World::new(ex);
    let plan = world.plan();
    let failed = &plan.actions[1];
    let recorded = write_failed(&world.snapshot(), failed, "intentional error");
    let message = "Failed to create ReplicaSet for template 'bad': intentional error";
    let mut bad = template_status("bad", 0, 0, "Error", None);
    bad["message"] = json!(message);
    assert_eq!(
        render::actions(&recorded),
        json!([{"patchExperiment": {"status": {
            "phase": "Error", "message": message, "templateStatuses": [bad],
            "conditions": [progressing("foo", &at(0))]
        }}}])
    );
    assert_eq!(
        render::events(&recorded),
        [
            "Normal ReplicaSetCreateError: Failed to create new replica set \"foo-bad\": intentional error".to_string(),
            format!("Warning TemplateError: Template 'bad' transitioned from  -> Error: {message}"),
            "Warning ExperimentError: Experiment transitioned from Pending -> Error".to_string()
        ]
    );
}

#[test]
fn failed_service_creation_errors_the_template() {
    let mut v = experiment_json("foo", templates(&["bad"]), "");
    v["spec"]["templates"][0]["service"] = json!({});
    v["spec"]["templates"][0]["template"]["spec"]["containers"][0]["ports"] =
        json!([{"containerPort": 80, "protocol": "TCP"}]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 0)];
    let plan = world.plan();
    let recorded = write_failed(&world.snapshot(), first(&plan, "create svc"), "intentional error");
    let status = &render::status_patch(&recorded)["status"];
    assert_eq!(status["phase"], "Error");
    assert_eq!(
        status["templateStatuses"][0]["message"],
        "Failed to create Service foo-bad for template 'bad': cannot create service: intentional error"
    );
}

#[test]
fn failed_scale_errors_the_template() {
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["scaleDownDelaySeconds"] = json!(0);
    v["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Failed", Some(&at(0)))]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
    let plan = world.plan();
    let recorded = write_failed(&world.snapshot(), first(&plan, "update rs"), "intentional error");
    let status = &render::status_patch(&recorded)["status"];
    assert_eq!(
        status["templateStatuses"][0]["message"],
        "Unable to scale ReplicaSet for template 'bar' to desired replica count '0': intentional error"
    );
    assert_eq!(status["phase"], "Error");
    assert_eq!(
        render::events(&recorded)[0],
        "Warning ReplicaSetUpdateError: Failed to scale foo-bar down: intentional error"
    );
}

#[test]
fn failed_run_creation_errors_the_analysis() {
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["analyses"] = json!([{"name": "success-rate", "templateName": "success-rate"}]);
    v["status"]["phase"] = json!("Running");
    v["status"]["availableAt"] = json!(at(0));
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
    world.analysis_templates = vec![analysis_template("success-rate")];
    let plan = world.plan();
    let recorded = write_failed(&world.snapshot(), first(&plan, "create run"), "intentional error");
    let status = &render::status_patch(&recorded)["status"];
    assert_eq!(
        status["analysisRuns"],
        json!([{"name": "success-rate", "analysisRun": "", "phase": "Error",
                "message": "Failed to create AnalysisRun for analysis 'success-rate': intentional error"}])
    );
    assert_eq!(status["phase"], "Error");
}

#[test]
fn failures_upstream_only_logs_record_nothing() {
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Successful", Some(&at(0)))]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
    let plan = world.plan();
    let recorded = write_failed(&world.snapshot(), first(&plan, "patch rs"), "intentional error");
    assert!(recorded.is_noop() && recorded.events.is_empty());
}
