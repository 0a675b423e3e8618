//! Golden plans of a canary `experiment` step (upstream `rollout/experiment_test.go`): the Experiment
//! created for the step, what its phase does to the rollout, the Experiments terminated when no step
//! needs them, history deletion, name collisions, and the weight its templates get behind a router.

use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::{Experiment, RolloutPhase};
use serde_json::{Value, json};

use super::world::{World, demo_rollout, describe_all};
use crate::plan::{Action, Plan};

/// The step of upstream's tests: one template copied from the stable ReplicaSet, one analysis.
fn experiment_step() -> Value {
    json!({"experiment": {
        "templates": [{"name": "stable-template", "specRef": "stable", "replicas": 1}],
        "analyses": [{"name": "test", "templateName": "bar"}]
    }})
}

/// The demo Rollout with `steps`, Healthy on blue.
fn world(steps: Value) -> World {
    let mut rollout = serde_json::to_value(demo_rollout()).unwrap();
    rollout["spec"]["strategy"]["canary"]["steps"] = steps;
    let mut w = World::new(serde_json::from_value(rollout).unwrap());
    w.run_until_quiet(10);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    w
}

/// Reconciles (pods settling after each write) until a plan writes `wanted` (a prefix of one of its
/// described writes); returns that plan.
fn reconcile_until(w: &mut World, wanted: &str) -> Plan {
    for _ in 0..30 {
        let plan = w.reconcile();
        w.settle();
        if describe_all(&plan).iter().any(|d| d.starts_with(wanted)) {
            return plan;
        }
    }
    panic!("no plan wrote {wanted}");
}

/// Updates the template to `image` and reconciles until the step's Experiment is created.
fn update_to_experiment(w: &mut World, image: &str) -> Plan {
    w.advance(1);
    w.set_image(&format!("argoproj/rollouts-demo:{image}"));
    reconcile_until(w, "create experiment")
}

fn hash(w: &World, index: usize) -> String {
    w.replica_sets[index].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone()
}

fn rs_name(w: &World, index: usize) -> String {
    w.replica_sets[index].metadata.name.clone().unwrap()
}

fn experiment<'w>(w: &'w World, name: &str) -> &'w Experiment {
    w.experiments
        .iter()
        .find(|e| e.metadata.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no Experiment {name}"))
}

fn names(w: &World) -> Vec<String> {
    w.experiments.iter().map(|e| e.metadata.name.clone().unwrap()).collect()
}

/// The experiment controller's report: `status` replaces the Experiment's status.
fn set_status(w: &mut World, name: &str, status: Value) {
    let e = w
        .experiments
        .iter_mut()
        .find(|e| e.metadata.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no Experiment {name}"));
    let mut v = serde_json::to_value(&*e).unwrap();
    v["status"] = status;
    *e = serde_json::from_value(v).unwrap();
}

fn set_phase(w: &mut World, name: &str, phase: &str, message: &str) {
    set_status(w, name, json!({"phase": phase, "message": message}));
}

fn current_experiment(w: &World) -> Option<String> {
    w.status().canary.as_ref().and_then(|c| c.current_experiment.clone())
}

fn status_patch(plan: &Plan) -> &Value {
    plan.actions
        .iter()
        .find_map(|a| match a {
            Action::PatchRolloutStatus(p) => Some(p),
            _ => None,
        })
        .expect("a status patch")
}

fn events(plan: &Plan) -> Vec<String> {
    plan.events
        .iter()
        .map(|e| format!("{}: {}", e.reason, e.message))
        .collect()
}

fn terminate(name: &str) -> String {
    format!(r#"patch experiment {name} {{"spec":{{"terminate":true}}}}"#)
}

/// An Experiment of the Rollout (owned by it) with the given name, pod-template hash label and
/// status, as another revision or step left it.
fn owned_experiment(w: &World, name: &str, hash: &str, status: Value) -> Experiment {
    let mut e: Experiment = serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"),
                     "creationTimestamp": w.now.to_string(),
                     "labels": {"rollouts-pod-template-hash": hash},
                     "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                                          "name": "rollouts-demo", "uid": "uid-1", "controller": true}]},
        "spec": {"templates": [{"name": "t", "selector": {"matchLabels": {"app": "x"}}}]}
    }))
    .unwrap();
    e.status = serde_json::from_value(status).unwrap();
    e
}

#[test]
fn the_step_creates_its_experiment_then_records_it() {
    // Upstream TestRolloutCreateExperiment.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    let plan = update_to_experiment(&mut w, "yellow");
    let (stable, canary) = (hash(&w, 0), hash(&w, 1));
    let name = format!("rollouts-demo-{canary}-2-0");
    assert_eq!(
        describe_all(&plan),
        vec![format!("create experiment {name}"), "patch status canary".to_string()]
    );
    assert_eq!(status_patch(&plan), &json!({"canary": {"currentExperiment": name}}));
    assert_eq!(
        events(&plan),
        vec![format!("ExperimentCreated: Created Experiment '{name}'")]
    );
    let created = serde_json::to_value(experiment(&w, &name)).unwrap();
    let stable_rs = serde_json::to_value(&w.replica_sets[0]).unwrap();
    assert_eq!(
        created["metadata"]["labels"],
        json!({"rollouts-pod-template-hash": canary})
    );
    assert_eq!(
        created["metadata"]["annotations"],
        json!({"rollout.argoproj.io/revision": "2"})
    );
    assert_eq!(
        created["metadata"]["ownerReferences"],
        json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollouts-demo",
                "uid": "uid-1", "controller": true, "blockOwnerDeletion": true}])
    );
    assert_eq!(
        created["spec"],
        json!({
            "templates": [{"name": "stable-template", "replicas": 1,
                           "selector": stable_rs["spec"]["selector"],
                           "template": stable_rs["spec"]["template"]}],
            "analyses": [{"name": "test", "templateName": "bar"}]
        })
    );
    assert_eq!(
        created["spec"]["templates"][0]["template"]["metadata"]["labels"]["rollouts-pod-template-hash"],
        json!(stable),
        "copied from the stable ReplicaSet"
    );
    assert_eq!(current_experiment(&w), Some(name));
}

#[test]
fn a_running_experiment_is_waited_for_without_a_write() {
    // Upstream TestRolloutExperimentProcessingDoNothing.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Running", "");
    w.advance(3600);
    let plan = w.plan();
    assert!(plan.actions.is_empty(), "{:?}", describe_all(&plan));
    assert_eq!(w.status().current_step_index, Some(0));
    assert_eq!(w.status().phase, Some(RolloutPhase::Progressing));
}

#[test]
fn a_successful_experiment_completes_the_step() {
    // Upstream TestRolloutExperimentFinishedIncrementStep.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}, {"pause": {}}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    let available_at = w.now.to_string();
    set_status(
        &mut w,
        &name,
        json!({"phase": "Successful", "availableAt": available_at}),
    );
    let plan = w.reconcile();
    assert_eq!(
        describe_all(&plan),
        vec!["patch status canary,conditions,currentStepIndex"]
    );
    assert_eq!(status_patch(&plan)["currentStepIndex"], json!(1));
    assert_eq!(current_experiment(&w), None);
    assert_eq!(
        events(&plan),
        vec!["RolloutStepCompleted: Rollout step 1/3 completed (experiment)"]
    );
    // The rollout goes on to the next step; the finished Experiment is left alone.
    w.settle();
    w.run_until_quiet(20);
    assert_eq!(w.status().current_step_index, Some(2));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 3), ("yellow".to_string(), 3)]);
    assert!(!w.log.iter().any(|a| matches!(a, Action::PatchExperiment { .. })));
}

#[test]
fn a_failed_experiment_aborts_with_its_message() {
    // Upstream TestAbortRolloutAfterFailedExperiment.
    let mut w = world(json!([{"setWeight": 20}, experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(
        &mut w,
        &name,
        "Failed",
        "Template 'stable-template' exceeded its progressDeadlineSeconds (600)",
    );
    let plan = w.reconcile();
    assert_eq!(
        describe_all(&plan),
        vec!["patch status abort,abortedAt,canary,conditions,currentStepIndex,duration,message,phase"]
    );
    let patch = status_patch(&plan);
    let message = "RolloutAborted: Rollout aborted update to revision 2: Experiment analysis phase is error/failed: \
                   Template 'stable-template' exceeded its progressDeadlineSeconds (600)";
    assert_eq!(patch["message"], json!(message));
    assert_eq!(patch["phase"], json!("Degraded"));
    assert_eq!(patch["currentStepIndex"], json!(0));
    assert_eq!(current_experiment(&w), None);
    // The canary is scaled back; the Experiment, finished, is not written to.
    w.settle();
    w.run_until_quiet(20);
    assert_eq!(w.sizes(), vec![("blue".to_string(), 5), ("yellow".to_string(), 0)]);
    assert!(!w.log.iter().any(|a| matches!(a, Action::PatchExperiment { .. })));
    // `retry` runs the steps again: the step gets a new Experiment (the name taken, a suffix).
    w.patch_status(json!({"abort": false}));
    reconcile_until(&mut w, "create experiment");
    assert_eq!(names(&w), vec![name.clone(), format!("{name}-1")]);
    assert_eq!(current_experiment(&w), Some(format!("{name}-1")));
    assert_eq!(w.status().phase, Some(RolloutPhase::Progressing));
}

#[test]
fn an_error_experiment_without_a_message_aborts_with_upstreams_words() {
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Error", "");
    w.reconcile();
    assert_eq!(
        w.status().message.as_deref(),
        Some("RolloutAborted: Rollout aborted update to revision 2: Experiment analysis phase is error/failed")
    );
}

#[test]
fn an_inconclusive_experiment_pauses_and_a_promotion_runs_it_again() {
    // Upstream TestPauseRolloutAfterInconclusiveExperiment; upstream then forgets the Experiment and
    // starts another one while the rollout is still paused. Here the rollout holds until promoted.
    let mut w = world(json!([{"setWeight": 20}, experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Inconclusive", "");
    let plan = w.reconcile();
    assert_eq!(
        describe_all(&plan),
        vec!["patch status controllerPause,duration,message,pauseConditions,phase"]
    );
    w.run_until_quiet(5);
    let s = w.status();
    assert_eq!(s.phase, Some(RolloutPhase::Paused));
    assert_eq!(s.message.as_deref(), Some("InconclusiveExperiment"));
    assert_eq!(s.pause_conditions.as_ref().unwrap()[0].reason, "InconclusiveExperiment");
    assert_eq!(
        current_experiment(&w),
        Some(name.clone()),
        "kept on record while paused"
    );
    // Paused: nothing more is written, however long, and the canary keeps its size.
    w.advance(3600);
    let plan = w.plan();
    assert!(plan.actions.is_empty(), "{:?}", describe_all(&plan));
    assert_eq!(names(&w), vec![name.clone()]);
    // `promote` lifts the pause: the step runs a new Experiment (the name taken, a suffix).
    // (The first reconcile after it records the resume in the conditions, as upstream's does.)
    w.patch_status(json!({"pauseConditions": null}));
    let resumed = w.reconcile();
    assert_eq!(
        describe_all(&resumed),
        vec!["patch status conditions,duration,message,phase"]
    );
    let plan = w.reconcile();
    let retry = format!("{name}-1");
    assert_eq!(
        describe_all(&plan),
        vec![
            format!("create experiment {retry}"),
            "patch status canary,controllerPause".to_string()
        ]
    );
    assert_eq!(current_experiment(&w), Some(retry));
    assert_eq!(w.status().phase, Some(RolloutPhase::Progressing));
    assert_eq!(w.sizes(), vec![("blue".to_string(), 4), ("yellow".to_string(), 1)]);
}

#[test]
fn an_experiment_from_an_earlier_step_is_terminated() {
    // Upstream TestRolloutExperimentScaleDownExperimentFromPreviousStep: `promote` skips the step.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}, {"pause": {}}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Running", "");
    w.patch_status(json!({"currentStepIndex": 1}));
    let plan = w.reconcile();
    // Terminated, then the 50% step starts (the stable first, within maxUnavailable).
    assert_eq!(
        describe_all(&plan),
        vec![
            terminate(&name),
            format!("update rs {} replicas=4", rs_name(&w, 0)),
            "patch status canary".to_string()
        ]
    );
    assert_eq!(current_experiment(&w), None);
    assert_eq!(experiment(&w, &name).spec.terminate, Some(true));
    // Terminated once: the next reconciles do not ask again.
    w.settle();
    w.run_until_quiet(20);
    let patches = w
        .log
        .iter()
        .filter(|a| matches!(a, Action::PatchExperiment { .. }))
        .count();
    assert_eq!(patches, 1);
}

#[test]
fn skipping_from_one_experiment_step_to_the_next_runs_the_next_ones_experiment() {
    // Upstream keeps the first step's Experiment as the current one for the second step (and would
    // complete the second step with it); its name carries the step, so here it is terminated and the
    // second step gets its own.
    let mut w = world(json!([experiment_step(), experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let first = current_experiment(&w).unwrap();
    set_phase(&mut w, &first, "Running", "");
    w.patch_status(json!({"currentStepIndex": 1}));
    let plan = w.reconcile();
    let second = format!("rollouts-demo-{}-2-1", hash(&w, 1));
    assert_eq!(
        describe_all(&plan),
        vec![
            format!("create experiment {second}"),
            terminate(&first),
            "patch status canary".to_string()
        ]
    );
    assert_eq!(current_experiment(&w), Some(second.clone()));
    // The first one succeeding does not complete the second step.
    set_phase(&mut w, &first, "Successful", "");
    let plan = w.plan();
    assert!(plan.actions.is_empty(), "{:?}", describe_all(&plan));
    set_phase(&mut w, &second, "Successful", "");
    w.reconcile();
    assert_eq!(w.status().current_step_index, Some(2));
}

#[test]
fn an_extra_experiment_of_the_rollout_is_terminated() {
    // Upstream TestRolloutExperimentScaleDownExtraExperiment.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Running", "");
    let extra = owned_experiment(&w, "extra-exp", &hash(&w, 0), json!({"phase": "Pending"}));
    w.experiments.push(extra);
    let plan = w.reconcile();
    assert_eq!(describe_all(&plan), vec![terminate("extra-exp")]);
}

#[test]
fn abort_terminates_the_running_experiment() {
    // Upstream TestCancelExperimentWhenAborted.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Running", "");
    w.patch_status(json!({"abort": true}));
    let plan = w.reconcile();
    assert_eq!(
        describe_all(&plan),
        vec![
            terminate(&name),
            "patch status abortedAt,canary,conditions,duration,message,phase".to_string()
        ]
    );
    assert_eq!(current_experiment(&w), None);
}

#[test]
fn promote_full_terminates_the_running_experiment() {
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Running", "");
    w.patch_status(json!({"promoteFull": true}));
    let plan = w.reconcile();
    assert_eq!(
        describe_all(&plan),
        vec![
            terminate(&name),
            format!("update rs {} replicas=4", rs_name(&w, 0)),
            "patch status canary,conditions,currentStepIndex".to_string()
        ]
    );
    w.settle();
    w.run_until_quiet(20);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert_eq!(experiment(&w, &name).spec.terminate, Some(true));
}

#[test]
fn a_new_template_terminates_the_previous_templates_experiment() {
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let first = current_experiment(&w).unwrap();
    set_phase(&mut w, &first, "Running", "");
    let plan = update_to_experiment(&mut w, "green");
    let second = format!("rollouts-demo-{}-3-0", hash(&w, 2));
    assert_eq!(
        describe_all(&plan),
        vec![
            format!("create experiment {second}"),
            terminate(&first),
            "patch status canary".to_string()
        ]
    );
    assert_eq!(names(&w), vec![first, second]);
}

#[test]
fn no_experiment_without_a_stable_replica_set() {
    // Upstream TestRolloutDoNotCreateExperimentWithoutStableRS: the first revision is deployed at
    // once, its steps skipped, and no Experiment is created for it.
    let mut rollout = serde_json::to_value(demo_rollout()).unwrap();
    rollout["spec"]["strategy"]["canary"]["steps"] = json!([experiment_step()]);
    let mut w = World::new(serde_json::from_value(rollout).unwrap());
    w.run_until_quiet(10);
    assert_eq!(w.status().phase, Some(RolloutPhase::Healthy));
    assert!(w.experiments.is_empty());
    assert!(!w.log.iter().any(|a| matches!(a, Action::CreateExperiment(_))));
}

/// The Experiment `update_to_experiment` creates for the demo with `steps`, from a twin world.
fn experiment_created_for(steps: Value) -> Experiment {
    let mut twin = world(steps);
    update_to_experiment(&mut twin, "yellow");
    twin.experiments[0].clone()
}

#[test]
fn a_name_taken_by_a_finished_experiment_gets_a_suffix() {
    // Upstream TestCreateExperimentWithCollision.
    let steps = json!([experiment_step(), {"setWeight": 50}]);
    let mut existing = experiment_created_for(steps.clone());
    let name = existing.metadata.name.clone().unwrap();
    existing.status = serde_json::from_value(json!({"phase": "Failed"})).unwrap();
    let mut w = world(steps);
    w.experiments.push(existing);
    let plan = update_to_experiment(&mut w, "yellow");
    let retry = format!("{name}-1");
    assert_eq!(
        describe_all(&plan),
        vec![format!("create experiment {retry}"), "patch status canary".to_string()]
    );
    assert_eq!(current_experiment(&w), Some(retry));
}

#[test]
fn an_identical_experiment_still_going_is_adopted() {
    // Upstream TestCreateExperimentWithCollisionAndSemanticEquality (a cache behind the create).
    let steps = json!([experiment_step(), {"setWeight": 50}]);
    let mut existing = experiment_created_for(steps.clone());
    let name = existing.metadata.name.clone().unwrap();
    existing.status = serde_json::from_value(json!({"phase": "Running"})).unwrap();
    let mut w = world(steps);
    w.experiments.push(existing);
    w.advance(1);
    w.set_image("argoproj/rollouts-demo:yellow");
    let plans = w.run_until_quiet(10);
    assert!(
        !plans
            .iter()
            .flat_map(describe_all)
            .any(|d| d.starts_with("create experiment")),
        "adopted, not created again"
    );
    assert_eq!(current_experiment(&w), Some(name.clone()));
    assert_eq!(names(&w), vec![name]);
}

#[test]
fn a_same_named_experiment_of_another_spec_is_not_adopted() {
    let steps = json!([experiment_step(), {"setWeight": 50}]);
    let mut existing = experiment_created_for(steps.clone());
    let name = existing.metadata.name.clone().unwrap();
    existing.spec.duration = Some("1h".to_string());
    existing.status = serde_json::from_value(json!({"phase": "Running"})).unwrap();
    let mut w = world(steps);
    w.experiments.push(existing);
    let plan = update_to_experiment(&mut w, "yellow");
    assert_eq!(describe_all(&plan)[0], format!("create experiment {name}-1"));
}

#[test]
fn experiments_whose_replica_set_is_gone_are_deleted() {
    // Upstream TestDeleteExperimentWithNoMatchingRS: one with no ReplicaSet of its hash is deleted,
    // one already being deleted is left to the API server.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    set_phase(&mut w, &name, "Running", "");
    let orphan = owned_experiment(&w, "no-matching-rs", "abc123", json!({"phase": "Successful"}));
    let mut deleting = owned_experiment(&w, "has-deletion-timestamp", "abc123", json!({"phase": "Successful"}));
    deleting.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(w.now));
    w.experiments.extend([orphan, deleting]);
    let plan = w.reconcile();
    assert_eq!(describe_all(&plan), vec!["delete experiment no-matching-rs"]);
}

#[test]
fn experiments_beyond_the_history_limits_are_deleted_newest_kept() {
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    w.patch_spec(json!({"analysis": {"successfulRunHistoryLimit": 1, "unsuccessfulRunHistoryLimit": 1}}));
    w.run_until_quiet(5);
    let stable = hash(&w, 0);
    for (i, phase) in ["Successful", "Failed", "Successful", "Inconclusive"]
        .iter()
        .enumerate()
    {
        w.advance(1);
        let e = owned_experiment(&w, &format!("old-{i}"), &stable, json!({"phase": phase}));
        w.experiments.push(e);
    }
    let plan = w.reconcile();
    assert_eq!(
        describe_all(&plan),
        vec!["delete experiment old-1", "delete experiment old-0"],
        "the newest of each kind is kept"
    );
}

#[test]
fn experiments_of_a_deleted_replica_set_go_with_it() {
    // Upstream TestDeleteExperimentsAfterRSDelete: the ReplicaSet beyond revisionHistoryLimit is
    // deleted, then the Experiments of its hash.
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    w.patch_spec(json!({"revisionHistoryLimit": 0}));
    w.run_until_quiet(5);
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let first = current_experiment(&w).unwrap();
    set_phase(&mut w, &first, "Failed", "");
    w.run_until_quiet(20);
    // Roll forward to green: yellow (scaled down) is beyond the history limit.
    let yellow = w.replica_sets[1].metadata.name.clone().unwrap();
    let plan = update_to_experiment(&mut w, "green");
    assert_eq!(
        describe_all(&plan),
        vec![
            format!("delete rs {yellow}"),
            format!("create experiment rollouts-demo-{}-3-0", hash(&w, 1)),
            format!("delete experiment {first}"),
            "patch status canary".to_string()
        ]
    );
}

#[test]
fn a_step_weight_without_traffic_routing_is_an_invalid_spec() {
    let mut w = world(json!([{"setWeight": 50}]));
    w.patch_spec(json!({"strategy": {"canary": {"steps": [{"experiment": {"templates": [
        {"name": "canary", "specRef": "canary", "weight": 10}
    ]}}]}}}));
    let plan = w.reconcile();
    assert_eq!(
        w.status().message.as_deref(),
        Some(
            "InvalidSpec: The Rollout \"rollouts-demo\" is invalid: \
             spec.strategy.steps[0].experiment.templates[0].weight: Invalid value: 10: \
             Experiment template weight cannot be set unless TrafficRouting is enabled"
        )
    );
    assert!(plan.error.is_some());
    assert!(!describe_all(&plan).iter().any(|d| d.contains("experiment ")));
}

#[test]
fn a_settled_experiment_step_writes_nothing() {
    let mut w = world(json!([experiment_step(), {"setWeight": 50}]));
    update_to_experiment(&mut w, "yellow");
    w.run_until_quiet(5);
    let name = current_experiment(&w).unwrap();
    for phase in ["Pending", "Running"] {
        set_phase(&mut w, &name, phase, "");
        let plan = w.reconcile();
        assert!(plan.actions.is_empty(), "{phase}: {:?}", describe_all(&plan));
        assert!(plan.events.is_empty(), "{phase}");
    }
    assert_eq!(
        w.experiments[0].status.as_ref().and_then(|s| s.phase),
        Some(AnalysisPhase::Running)
    );
}
