//! Golden plans of a canary Rollout's analyses: the run a step or the background analysis creates,
//! what its outcome does to the rollout, terminations, history limits, and missing templates.

use rollouts_api::RolloutPhase;
use serde_json::{Value, json};

use super::world::{World, demo_rollout, describe_all};

fn template(name: &str, args: Value) -> rollouts_api::AnalysisTemplate {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"args": args, "metrics": [{"name": format!("{name}-metric"),
                 "provider": {"web": {"url": "http://127.0.0.1:1/{{args.service}}"}}}]}
    }))
    .unwrap()
}

/// The demo Rollout with `steps` and optionally a background analysis, Healthy on blue.
fn world(steps: Value, background: Option<Value>) -> World {
    let mut rollout = serde_json::to_value(demo_rollout()).unwrap();
    rollout["spec"]["strategy"]["canary"]["steps"] = steps;
    if let Some(b) = background {
        rollout["spec"]["strategy"]["canary"]["analysis"] = b;
    }
    let mut w = World::new(serde_json::from_value(rollout).unwrap());
    w.analysis_templates = vec![template("success-rate", json!([{"name": "service"}]))];
    w.run_until_quiet(10);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    w
}

fn update(w: &mut World) {
    w.advance(1);
    w.set_image("argoproj/rollouts-demo:yellow");
    w.run_until_quiet(20);
}

fn hash(w: &World, index: usize) -> String {
    w.replica_sets[index].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone()
}

fn names(w: &World) -> Vec<String> {
    w.analysis_runs
        .iter()
        .map(|r| r.metadata.name.clone().unwrap())
        .collect()
}

fn step_analysis() -> Value {
    json!([
        {"setWeight": 20},
        {"analysis": {"templates": [{"templateName": "success-rate"}],
                      "args": [{"name": "service", "value": "web-canary"}]}},
        {"setWeight": 60}
    ])
}

#[test]
fn an_analysis_step_creates_its_run_and_waits_for_it() {
    let mut w = world(step_analysis(), None);
    update(&mut w);
    let h = hash(&w, 1);
    let name = format!("rollouts-demo-{h}-2-1");
    assert_eq!(names(&w), vec![name.clone()]);
    let run = &w.analysis_runs[0];
    let labels = run.metadata.labels.as_ref().unwrap();
    assert_eq!(
        (labels["rollout-type"].as_str(), labels["step-index"].as_str()),
        ("Step", "1")
    );
    assert_eq!(run.spec.args.as_ref().unwrap()[0].value.as_deref(), Some("web-canary"));
    let s = w.status();
    assert_eq!(s.current_step_index, Some(1));
    assert_eq!(
        s.canary
            .as_ref()
            .unwrap()
            .current_step_analysis_run_status
            .as_ref()
            .unwrap()
            .name,
        name
    );
    // Waiting on the run writes nothing, however long.
    w.advance(3600);
    let p = w.plan();
    assert!(p.actions.is_empty(), "{:?}", describe_all(&p));
    // Successful: the step completes and the rollout goes on to the end.
    w.finish_run(&name, "Successful", "");
    w.run_until_quiet(20);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Healthy));
    assert_eq!(s.stable_rs.as_deref(), Some(h.as_str()));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 0), ("yellow".to_string(), 5)]);
}

#[test]
fn a_failed_step_run_aborts_with_its_message() {
    let mut w = world(step_analysis(), None);
    update(&mut w);
    let name = names(&w)[0].clone();
    w.finish_run(
        &name,
        "Failed",
        "Metric \"success-rate-metric\" assessed Failed due to failed (1) > failureLimit (0)",
    );
    w.run_until_quiet(20);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        s.message.as_deref(),
        Some(
            "RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric \"success-rate-metric\" assessed Failed due to failed (1) > failureLimit (0)"
        )
    );
    assert_eq!(w.sizes(), vec![("blue".to_string(), 5), ("yellow".to_string(), 0)]);
}

#[test]
fn an_inconclusive_step_run_pauses_and_a_promotion_starts_a_new_run() {
    let mut w = world(step_analysis(), None);
    update(&mut w);
    let name = names(&w)[0].clone();
    w.finish_run(&name, "Inconclusive", "");
    w.run_until_quiet(20);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.message.as_deref(), Some("InconclusiveAnalysisRun"));
    // Held: nothing scales while paused for an inconclusive run.
    assert_eq!(w.sizes(), vec![("blue".to_string(), 4), ("yellow".to_string(), 1)]);
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(20);
    assert_eq!(names(&w), vec![name.clone(), format!("{name}.1")]);
    assert_eq!(w.status().current_step_index, Some(1));
}

#[test]
fn promote_past_an_analysis_step_terminates_its_run() {
    let mut w = world(step_analysis(), None);
    update(&mut w);
    // `promote` on a running analysis step moves the index on (the plugin's patch).
    w.patch_status(json!({"currentStepIndex": 2}));
    let p = w.reconcile();
    let name = names(&w)[0].clone();
    assert_eq!(
        describe_all(&p)[0],
        format!(r#"patch analysisrun {name} {{"spec":{{"terminate":true}}}}"#)
    );
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
}

#[test]
fn background_analysis_runs_from_its_starting_step_and_aborts_on_failure() {
    let steps = json!([{"setWeight": 20}, {"pause": {}}, {"setWeight": 40}, {"pause": {}}]);
    let background = json!({"templates": [{"templateName": "success-rate"}], "startingStep": 2,
                            "args": [{"name": "service", "value": "web"}]});
    let mut w = world(steps, Some(background));
    update(&mut w);
    assert!(names(&w).is_empty(), "not before the starting step");
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(20);
    let h = hash(&w, 1);
    let name = format!("rollouts-demo-{h}-2");
    assert_eq!(names(&w), vec![name.clone()]);
    assert_eq!(
        w.analysis_runs[0].metadata.labels.as_ref().unwrap()["rollout-type"],
        "Background"
    );
    w.finish_run(&name, "Error", "");
    w.run_until_quiet(20);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        s.message.as_deref(),
        Some("RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed")
    );
}

#[test]
fn background_run_is_terminated_at_promotion() {
    let steps = json!([{"setWeight": 20}, {"pause": {}}]);
    let background = json!({"templates": [{"templateName": "success-rate"}],
                            "args": [{"name": "service", "value": "web"}]});
    let mut w = world(steps, Some(background));
    update(&mut w);
    let name = names(&w)[0].clone();
    w.patch_status(json!({"pauseConditions": null}));
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(w.analysis_runs[0].spec.terminate, Some(true), "{name}");
    assert!(
        w.status()
            .canary
            .as_ref()
            .and_then(|c| c.current_background_analysis_run_status.as_ref())
            .is_none()
    );
}

#[test]
fn a_missing_template_is_an_invalid_spec() {
    let mut w = world(step_analysis(), None);
    w.analysis_templates.clear();
    w.patch_spec(json!({"replicas": 5}));
    w.reconcile();
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Degraded));
    assert_eq!(
        s.message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.steps[1].analysis.templates: Invalid value: \"success-rate\": AnalysisTemplate 'success-rate' not found"
        )
    );
}

#[test]
fn old_runs_beyond_the_history_limits_are_deleted() {
    let mut w = world(step_analysis(), None);
    w.patch_spec(json!({"analysis": {"successfulRunHistoryLimit": 1, "unsuccessfulRunHistoryLimit": 1}}));
    w.run_until_quiet(5);
    for (i, image) in ["yellow", "green", "red"].iter().enumerate() {
        w.advance(10);
        w.set_image(&format!("argoproj/rollouts-demo:{image}"));
        w.run_until_quiet(20);
        let name = w.analysis_runs.last().unwrap().metadata.name.clone().unwrap();
        w.finish_run(&name, if i == 1 { "Failed" } else { "Successful" }, "");
        w.run_until_quiet(20);
        if i == 1 {
            // Aborted: roll back to the stable template to go on.
            w.advance(10);
            w.set_image("argoproj/rollouts-demo:yellow");
            w.run_until_quiet(20);
        }
    }
    // Three runs (Successful, Failed, Successful); one of each kind is kept.
    let phases: Vec<String> = w
        .analysis_runs
        .iter()
        .map(|r| format!("{:?}", r.status.as_ref().unwrap().phase))
        .collect();
    assert_eq!(phases, vec!["Failed", "Successful"]);
}

/// Upstream `reconcileAnalysisRuns`: the reconcile that aborts records the failed run; the next
/// one cancels the canary's runs and drops them from the status (the abort message keeps why).
#[test]
fn an_aborted_rollout_drops_its_canary_runs_from_the_status() {
    let steps = json!([{"setWeight": 20}, {"pause": {}}]);
    let background = json!({"templates": [{"templateName": "success-rate"}],
                            "args": [{"name": "service", "value": "web"}]});
    let mut w = world(steps, Some(background));
    update(&mut w);
    let name = names(&w)[0].clone();
    w.finish_run(&name, "Failed", "boom");
    w.reconcile();
    let background_run = |w: &World| {
        w.status()
            .canary
            .as_ref()
            .and_then(|c| c.current_background_analysis_run_status.clone())
    };
    let recorded = background_run(&w).unwrap();
    assert_eq!(
        (recorded.name.as_str(), recorded.status),
        (name.as_str(), rollouts_api::analysis_run::AnalysisPhase::Failed)
    );
    w.run_until_quiet(20);
    assert_eq!(background_run(&w), None);
    let canary = w.status().canary.clone().unwrap_or_default();
    assert_eq!(canary.current_step_analysis_run_status, None);
    assert_eq!(w.status().phase, Some(RolloutPhase::Degraded));
    assert!(
        w.status()
            .message
            .as_deref()
            .is_some_and(|m| m.ends_with("Background analysis phase error/failed: boom")),
        "{:?}",
        w.status().message
    );
}

#[test]
fn a_step_run_is_dropped_after_the_abort_and_a_retry_starts_a_new_one() {
    let mut w = world(step_analysis(), None);
    update(&mut w);
    let name = names(&w)[0].clone();
    w.finish_run(&name, "Failed", "boom");
    w.run_until_quiet(20);
    let step_run = |w: &World| {
        w.status()
            .canary
            .as_ref()
            .and_then(|c| c.current_step_analysis_run_status.clone())
    };
    assert_eq!(step_run(&w), None);
    // Retrying starts a new run for the step.
    w.patch_status(json!({"abort": false}));
    w.run_until_quiet(20);
    assert_eq!(names(&w), vec![name.clone(), format!("{name}.1")]);
    assert_eq!(step_run(&w).map(|r| r.name), Some(format!("{name}.1")));
}

/// Upstream `ValidateAnalysisTemplateWithType`: a step's metric with an interval and no count would
/// measure forever, so the Rollout is InvalidSpec rather than paused on it for good.
#[test]
fn a_step_template_that_runs_forever_is_an_invalid_spec() {
    let mut w = world(step_analysis(), None);
    w.analysis_templates = vec![
        serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
            "metadata": {"name": "success-rate", "namespace": "default"},
            "spec": {"args": [{"name": "service"}], "metrics": [{"name": "rate", "interval": "10s",
                     "provider": {"web": {"url": "http://127.0.0.1:1/{{args.service}}"}}}]}
        }))
        .unwrap(),
    ];
    w.patch_spec(json!({"replicas": 5}));
    w.reconcile();
    assert!(w.analysis_runs.is_empty());
    assert_eq!(
        w.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: spec.strategy.canary.steps[1].analysis.templates: Invalid value: \"success-rate\": AnalysisTemplate success-rate has metric rate which runs indefinitely. Invalid value for count: <nil>"
        )
    );
}
