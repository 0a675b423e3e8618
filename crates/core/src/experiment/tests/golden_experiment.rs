//! Golden plans from upstream's `experiments/experiment_test.go`, `controller_test.go` and
//! `conditions_test.go`: exact ordered writes, bodies and events.

use std::time::Duration;

use serde_json::{Value, json};

use super::fixtures::*;
use super::render;
use super::world::World;
use crate::hash::pod_template_hash;

fn hash_of_template(ex: &rollouts_api::experiment::Experiment, i: usize) -> String {
    pod_template_hash(&ex.spec.templates[i].template, None)
}

/// The body of the ReplicaSet created for template `i` of the fixtures' experiment `name`.
fn created_rs(ex: &rollouts_api::experiment::Experiment, i: usize) -> Value {
    let name = ex.metadata.name.as_deref().unwrap();
    let template = &ex.spec.templates[i].name;
    let hash = hash_of_template(ex, i);
    json!({"createReplicaSet": {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{name}-{template}"), "namespace": "default",
            "labels": {"key": template, "rollouts-pod-template-hash": hash},
            "annotations": {"experiment.argoproj.io/name": name, "experiment.argoproj.io/template-name": template},
            "ownerReferences": owner(name)
        },
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"key": template, "rollouts-pod-template-hash": hash}},
            "template": {"metadata": {"labels": {"key": template, "rollouts-pod-template-hash": hash}},
                         "spec": {"containers": [{"name": template, "image": template}]}}
        }
    }})
}

#[test]
fn set_experiment_to_pending() {
    // TestSetExperimentToPending
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["status"] = json!({});
    let ex = experiment(v);
    let world = World::new(ex.clone());
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan),
        json!([
            created_rs(&ex, 0),
            {"patchExperiment": {"status": {
                "phase": "Pending",
                "templateStatuses": [template_status("bar", 0, 0, "Progressing", Some(&at(0)))],
                "conditions": [progressing("foo", &at(0))]
            }}}
        ])
    );
    assert_eq!(
        render::events(&plan),
        [
            "Normal TemplateProgressing: Template 'bar' transitioned from  -> Progressing",
            "Normal ExperimentPending: Experiment transitioned from  -> Pending"
        ]
    );
    assert_eq!(
        plan.requeue_after,
        Some(Duration::from_secs(600)),
        "the progress deadline"
    );
}

#[test]
fn created_replica_sets_are_scaled_up_on_the_next_reconcile() {
    let ex = experiment(experiment_json("foo", templates(&["bar"]), ""));
    let mut world = World::new(ex);
    world.reconcile();
    world.advance(1);
    let plan = world.reconcile();
    assert_eq!(
        render::verbs(&plan),
        ["update rs foo-bar replicas=1", "patch experiment"]
    );
    assert_eq!(
        render::events(&plan),
        ["Normal ScalingReplicaSet: Scaled up ReplicaSet foo-bar from 0 to 1"]
    );
    assert_eq!(
        render::status_patch(&plan),
        json!({"status": {"templateStatuses": [template_status("bar", 0, 0, "Progressing", Some(&at(1)))]}}),
        "the scale-up restarts the progress deadline"
    );
}

fn running_experiment(images: &[&str], duration: &str) -> rollouts_api::experiment::Experiment {
    let mut v = experiment_json("foo", templates(images), duration);
    v["status"] = json!({
        "phase": "Running",
        "availableAt": at(0),
        "conditions": [running("foo", &at(0))],
        "templateStatuses": images.iter().map(|i| template_status(i, 1, 1, "Running", Some(&at(0)))).collect::<Vec<_>>()
    });
    experiment(v)
}

#[test]
fn add_scale_down_delay_to_replica_set() {
    // TestAddScaleDownDelayToRS: the template is done; its ReplicaSet keeps its pods for 30 s.
    let mut ex = running_experiment(&["bar"], "");
    let mut status = serde_json::to_value(&ex).unwrap();
    status["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Successful", Some(&at(0)))]);
    ex = experiment(status);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
    world.advance(5);
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan),
        json!([
            {"patchReplicaSet": {"name": "foo-bar", "patch": [
                {"op": "add", "path": "/metadata/annotations/scale-down-deadline", "value": at(35)}
            ]}},
            {"patchExperiment": {"status": {
                "phase": "Successful",
                "conditions": [completed("foo", &at(5))]
            }}}
        ])
    );
    assert_eq!(
        render::events(&plan),
        ["Normal ExperimentSuccessful: Experiment transitioned from Running -> Successful"]
    );
    assert_eq!(plan.requeue_after, Some(Duration::from_secs(30)));

    // While the deadline lies ahead nothing changes (upstream moves the template's transition time on
    // every such reconcile); the scale-down happens once it passes.
    world.reconcile();
    world.advance(10);
    let plan = world.reconcile();
    assert!(plan.is_noop(), "{:?}", render::verbs(&plan));
    assert_eq!(plan.requeue_after, Some(Duration::from_secs(20)));
    world.advance(21);
    let plan = world.reconcile();
    assert_eq!(
        render::verbs(&plan),
        ["update rs foo-bar replicas=0", "patch experiment"]
    );
    assert_eq!(
        render::events(&plan),
        ["Normal ScalingReplicaSet: Scaled down ReplicaSet foo-bar from 1 to 0"]
    );
}

#[test]
fn remove_scale_down_delay_folds_into_the_scale_down() {
    // TestRemoveScaleDownDelayFromRS: without a delay a leftover deadline goes. Upstream patches it
    // away, reads the ReplicaSet back and then updates it; one update does both here.
    let mut v = serde_json::to_value(running_experiment(&["bar"], "")).unwrap();
    v["spec"]["scaleDownDelaySeconds"] = json!(0);
    v["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Successful", Some(&at(0)))]);
    let ex = experiment(v);
    let mut rs = template_rs(&ex, 0, 1, 1);
    rs.metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert("scale-down-deadline".to_string(), at(600));
    let mut world = World::new(ex);
    world.replica_sets = vec![rs.clone()];
    let plan = world.plan();
    let mut updated = serde_json::to_value(&rs).unwrap();
    updated["metadata"]["annotations"]
        .as_object_mut()
        .unwrap()
        .remove("scale-down-deadline");
    updated["spec"]["replicas"] = json!(0);
    let actions = render::actions(&plan);
    assert_eq!(actions[0], json!({"updateReplicaSet": updated}));
    assert_eq!(
        render::verbs(&plan),
        ["update rs foo-bar replicas=0", "patch experiment"]
    );
    assert_eq!(
        render::status_patch(&plan),
        json!({"status": {"phase": "Successful", "conditions": [completed("foo", &at(0))]}})
    );
}

#[test]
fn scale_down_replica_sets_after_finish() {
    // TestScaleDownRSAfterFinish: deadlines passed, both ReplicaSets go to 0; the Service of the first
    // template stays while its pod is available, and goes once none is.
    let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
    v["spec"]["templates"][0]["service"] = json!({});
    let ex = experiment(v);
    let mut rs1 = template_rs(&ex, 0, 1, 1);
    let mut rs2 = template_rs(&ex, 1, 1, 1);
    let svc = template_service(&ex, 0, &rs1, "foo-bar");
    let mut v = serde_json::to_value(&ex).unwrap();
    let mut bar = template_status("bar", 1, 1, "Successful", Some(&at(0)));
    bar["serviceName"] = json!("foo-bar");
    v["status"] = json!({
        "phase": "Running", "availableAt": at(0),
        "templateStatuses": [bar, template_status("baz", 1, 1, "Successful", Some(&at(0)))],
        "conditions": [running("foo", &at(0))]
    });
    let ex = experiment(v);
    for rs in [&mut rs1, &mut rs2] {
        rs.metadata
            .annotations
            .as_mut()
            .unwrap()
            .insert("scale-down-deadline".to_string(), at(-10));
    }
    let mut world = World::new(ex);
    world.replica_sets = vec![rs1, rs2];
    world.services = vec![svc];
    let plan = world.reconcile();
    assert_eq!(
        render::verbs(&plan),
        [
            "update rs foo-bar replicas=0",
            "update rs foo-baz replicas=0",
            "patch experiment"
        ]
    );
    assert_eq!(render::status_patch(&plan)["status"]["phase"], "Successful");

    // The pods are gone: the Service goes.
    world.settle();
    world.advance(1);
    let plan = world.reconcile();
    assert_eq!(render::verbs(&plan), ["delete svc foo-bar", "patch experiment"]);
    assert_eq!(
        render::actions(&plan)[0],
        json!({"deleteService": {"name": "foo-bar", "uid": "svc-foo-bar"}})
    );
    let statuses = &render::status_patch(&plan)["status"]["templateStatuses"];
    assert_eq!(statuses[0], template_status("bar", 0, 0, "Successful", Some(&at(1))));
    assert!(world.services.is_empty());
}

#[test]
fn terminated_experiment_keeps_the_service_while_pods_are_available() {
    // TestScaleDownRSWhenSvcNotDeleted
    let mut v = experiment_json("test-exp", templates(&["template1", "template2"]), "");
    v["spec"]["templates"][0]["service"] = json!({});
    v["spec"]["terminate"] = json!(true);
    let ex = experiment(v);
    let mut rs1 = template_rs(&ex, 0, 1, 1);
    let mut rs2 = template_rs(&ex, 1, 1, 1);
    let svc = template_service(&ex, 0, &rs1, "test-exp-template1");
    let mut v = serde_json::to_value(&ex).unwrap();
    let mut first = template_status("template1", 1, 1, "Successful", Some(&at(0)));
    first["serviceName"] = json!("test-exp-template1");
    v["status"] = json!({
        "phase": "Running", "availableAt": at(0),
        "templateStatuses": [first, template_status("template2", 1, 1, "Successful", Some(&at(0)))],
        "conditions": [running("test-exp", &at(0))]
    });
    let ex = experiment(v);
    for rs in [&mut rs1, &mut rs2] {
        rs.metadata
            .annotations
            .as_mut()
            .unwrap()
            .insert("scale-down-deadline".to_string(), at(-10));
    }
    let mut world = World::new(ex);
    world.replica_sets = vec![rs1, rs2];
    world.services = vec![svc];
    let plan = world.plan();
    assert_eq!(
        render::verbs(&plan),
        [
            "update rs test-exp-template1 replicas=0",
            "update rs test-exp-template2 replicas=0",
            "patch experiment"
        ]
    );
    assert_eq!(render::status_patch(&plan)["status"]["phase"], "Successful");
}

#[test]
fn set_available_at() {
    // TestSetAvailableAt
    let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
    v["status"]["templateStatuses"] = json!([
        template_status("bar", 1, 0, "Progressing", Some(&at(0))),
        template_status("baz", 1, 0, "Progressing", Some(&at(0)))
    ]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1), template_rs(&ex, 1, 1, 1)];
    world.advance(3);
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan),
        json!([{"patchExperiment": {"status": {
            "phase": "Running",
            "availableAt": at(3),
            "templateStatuses": [
                template_status("bar", 1, 1, "Running", Some(&at(3))),
                template_status("baz", 1, 1, "Running", Some(&at(3)))
            ],
            "conditions": [progressing("foo", &at(3))]
        }}}])
    );
    assert_eq!(
        render::events(&plan),
        [
            "Normal TemplateRunning: Template 'bar' transitioned from Progressing -> Running",
            "Normal TemplateRunning: Template 'baz' transitioned from Progressing -> Running",
            "Normal ExperimentRunning: Experiment transitioned from Pending -> Running"
        ]
    );
    assert_eq!(plan.requeue_after, None, "no duration, all pods available");
}

#[test]
fn no_patch_when_nothing_changed() {
    // TestNoPatch
    let ex = running_experiment(&["bar", "baz"], "");
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1), template_rs(&ex, 1, 1, 1)];
    world.advance(100);
    let plan = world.plan();
    assert!(plan.is_noop(), "{:?}", render::actions(&plan));
    assert!(plan.events.is_empty());
}

#[test]
fn success_after_duration_passes() {
    // TestSuccessAfterDurationPasses
    let mut v = serde_json::to_value(running_experiment(&["bar", "baz"], "5s")).unwrap();
    v["status"]["conditions"] = json!(null);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1), template_rs(&ex, 1, 1, 1)];
    world.advance(10);
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan),
        json!([{"patchExperiment": {"status": {
            "phase": "Successful",
            "templateStatuses": [
                template_status("bar", 1, 1, "Successful", Some(&at(0))),
                template_status("baz", 1, 1, "Successful", Some(&at(0)))
            ],
            "conditions": [completed("foo", &at(10))]
        }}}])
    );
    assert_eq!(
        render::events(&plan),
        [
            "Normal TemplateSuccessful: Template 'bar' transitioned from Running -> Successful",
            "Normal TemplateSuccessful: Template 'baz' transitioned from Running -> Successful",
            "Normal ExperimentSuccessful: Experiment transitioned from Running -> Successful"
        ]
    );
}

#[test]
fn dont_requeue_without_duration() {
    // TestDontRequeueWithoutDuration
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["status"]["availableAt"] = json!(at(-10));
    v["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Running", Some(&at(0)))]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
    let plan = world.plan();
    assert_eq!(plan.requeue_after, None);
    assert_eq!(render::status_patch(&plan)["status"]["phase"], "Running");
}

#[test]
fn requeue_after_duration() {
    // TestRequeueAfterDuration
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["duration"] = json!("30s");
    v["status"]["availableAt"] = json!(at(-10));
    v["status"]["templateStatuses"] = json!([template_status("bar", 1, 1, "Running", Some(&at(0)))]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 1)];
    assert_eq!(world.plan().requeue_after, Some(Duration::from_secs(20)));
}

#[test]
fn requeue_after_progress_deadline_seconds() {
    // TestRequeueAfterProgressDeadlineSeconds
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["status"]["templateStatuses"] = json!([template_status("bar", 0, 0, "Progressing", Some(&at(0)))]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 0)];
    assert_eq!(world.plan().requeue_after, Some(Duration::from_secs(600)));
}

#[test]
fn template_the_api_server_refuses_errors_the_experiment() {
    // TestFailReplicaSetCreation, and upstream's expected failure `experiment-invalid.yaml`: the
    // template without a pod spec cannot get a ReplicaSet.
    let mut v = experiment_json("foo", templates(&["good", "bad"]), "");
    v["spec"]["templates"][1]["template"]
        .as_object_mut()
        .unwrap()
        .remove("spec");
    let ex = experiment(v);
    let world = World::new(ex.clone());
    let plan = world.plan();
    let message = "Failed to create ReplicaSet for template 'bad': ReplicaSet.apps \"foo-bad\" is invalid: spec.template.spec.containers: Required value";
    assert_eq!(
        render::actions(&plan),
        json!([
            created_rs(&ex, 0),
            {"patchExperiment": {"status": {
                "phase": "Error",
                "message": message,
                "templateStatuses": [
                    template_status("good", 0, 0, "Progressing", Some(&at(0))),
                    {"name": "bad", "replicas": 0, "updatedReplicas": 0, "readyReplicas": 0,
                     "availableReplicas": 0, "status": "Error", "message": message}
                ],
                "conditions": [progressing("foo", &at(0))]
            }}}
        ])
    );
    assert_eq!(
        render::events(&plan),
        [
            "Normal TemplateProgressing: Template 'good' transitioned from  -> Progressing",
            "Normal ReplicaSetCreateError: Failed to create new replica set \"foo-bad\": ReplicaSet.apps \"foo-bad\" is invalid: spec.template.spec.containers: Required value",
            &format!("Warning TemplateError: Template 'bad' transitioned from  -> Error: {message}"),
            "Warning ExperimentError: Experiment transitioned from Pending -> Error"
        ]
    );
}

fn with_service(v: &mut Value, i: usize, service: Value, port: Value) {
    v["spec"]["templates"][i]["service"] = service;
    v["spec"]["templates"][i]["template"]["spec"]["containers"][0]["ports"] = json!([port]);
}

#[test]
fn service_name_taken_by_another_service_errors_the_template() {
    // TestFailServiceCreation
    let mut v = experiment_json("foo", templates(&["bad"]), "");
    with_service(&mut v, 0, json!({}), json!({"containerPort": 80, "protocol": "TCP"}));
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 0)];
    world.services =
        vec![serde_json::from_value(json!({"metadata": {"name": "foo-bad", "namespace": "default"}})).unwrap()];
    let plan = world.plan();
    let status = &render::status_patch(&plan)["status"];
    assert_eq!(status["phase"], "Error");
    assert_eq!(
        status["templateStatuses"][0]["message"],
        "Failed to create Service foo-bad for template 'bad': service foo-bad already exists and is not owned by experiment template bad"
    );
    assert_eq!(render::verbs(&plan), ["patch experiment"]);
}

#[test]
fn outdated_service_is_replaced() {
    // TestDeleteOutdatedService: the template's Service is under another name. Upstream creates the
    // new one and leaves the old one, and then finds two Services for one template.
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    with_service(&mut v, 0, json!({}), json!({"containerPort": 80, "protocol": "TCP"}));
    let ex = experiment(v);
    let rs = template_rs(&ex, 0, 1, 0);
    let wrong = template_service(&ex, 0, &rs, "wrong-service");
    let mut v = serde_json::to_value(&ex).unwrap();
    let mut bar = template_status("bar", 1, 1, "Running", Some(&at(0)));
    bar["serviceName"] = json!("wrong-service");
    v["status"]["templateStatuses"] = json!([bar]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![rs.clone()];
    world.services = vec![wrong];
    let plan = world.reconcile();
    assert_eq!(
        render::verbs(&plan),
        ["delete svc wrong-service", "create svc foo-bar", "patch experiment"]
    );
    let status = &render::status_patch(&plan)["status"]["templateStatuses"][0];
    assert_eq!(status["serviceName"], "foo-bar");
    assert_eq!(status["podTemplateHash"], json!(hash_of_template(&ex, 0)));
    assert_eq!(world.services.len(), 1);
    assert!(
        world
            .reconcile()
            .actions
            .iter()
            .all(|a| !matches!(a, crate::experiment::Action::CreateService(_)))
    );
}

#[test]
fn service_deleted_when_the_template_has_none() {
    // TestDeleteServiceIfServiceFieldNil
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["templates"][0]["replicas"] = json!(0);
    let ex = experiment(v);
    let rs = template_rs(&ex, 0, 0, 0);
    let svc = template_service(&ex, 0, &rs, "service-to-delete");
    let mut v = serde_json::to_value(&ex).unwrap();
    let mut bar = template_status("bar", 1, 1, "Running", Some(&at(0)));
    bar["serviceName"] = json!("service-to-delete");
    v["status"]["templateStatuses"] = json!([bar]);
    let ex = experiment(v);
    let mut world = World::new(ex);
    world.replica_sets = vec![rs];
    world.services = vec![svc];
    let plan = world.reconcile();
    assert_eq!(render::verbs(&plan)[0], "delete svc service-to-delete");
    assert_eq!(
        render::status_patch(&plan)["status"]["templateStatuses"][0].get("serviceName"),
        None
    );
    assert!(world.services.is_empty());
}

fn service_body(ex: &rollouts_api::experiment::Experiment, name: &str, ports: Value) -> Value {
    let hash = hash_of_template(ex, 0);
    json!({"createService": {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {
            "name": name, "namespace": "default",
            "annotations": {"experiment.argoproj.io/name": "foo", "experiment.argoproj.io/template-name": "bar"},
            "ownerReferences": owner("foo")
        },
        "spec": {"selector": {"key": "bar", "rollouts-pod-template-hash": hash}, "ports": ports}
    }})
}

#[test]
fn service_inherits_ports_from_the_replica_set() {
    // TestServiceInheritPortsFromRS
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    with_service(
        &mut v,
        0,
        json!({}),
        json!({"name": "testport", "containerPort": 80, "protocol": "TCP"}),
    );
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 0)];
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan)[0],
        service_body(
            &ex,
            "foo-bar",
            json!([{"name": "testport", "protocol": "TCP", "port": 80, "targetPort": 80}])
        )
    );
    let status = &render::status_patch(&plan)["status"]["templateStatuses"][0];
    assert_eq!(status["serviceName"], "foo-bar");
    assert_eq!(status["podTemplateHash"], json!(hash_of_template(&ex, 0)));
}

#[test]
fn service_name_set() {
    // TestServiceNameSet, and a multi-port template (`experiment-with-multiport-service.yaml`).
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    with_service(
        &mut v,
        0,
        json!({"name": "service-name"}),
        json!({"name": "testport", "containerPort": 80, "protocol": "TCP"}),
    );
    v["spec"]["templates"][0]["template"]["spec"]["containers"][0]["ports"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "metrics", "containerPort": 9090, "protocol": "TCP"}));
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 0)];
    let plan = world.reconcile();
    assert_eq!(
        render::actions(&plan)[0],
        service_body(
            &ex,
            "service-name",
            json!([
                {"name": "testport", "protocol": "TCP", "port": 80, "targetPort": 80},
                {"name": "metrics", "protocol": "TCP", "port": 9090, "targetPort": 9090}
            ])
        )
    );
    world.advance(1);
    assert!(
        !render::verbs(&world.plan()).iter().any(|v| v.contains("svc")),
        "the Service is found again under its name (upstream creates it again on every reconcile)"
    );
}

#[test]
fn no_reconcile_for_deleted_experiment() {
    // TestNoReconcileForDeletedExperiment
    let mut v = experiment_json("foo", templates(&["bar"]), "10s");
    v["metadata"]["deletionTimestamp"] = json!(at(0));
    let world = World::new(experiment(v));
    let plan = world.plan();
    assert!(plan.is_noop());
    assert_eq!(plan.requeue_after, None);
}

fn invalid_spec(message: &str, time: &str) -> Value {
    json!({"type": "InvalidSpec", "status": "True", "reason": "InvalidSpec", "message": message,
           "lastUpdateTime": time, "lastTransitionTime": time})
}

#[test]
fn add_invalid_spec() {
    // TestAddInvalidSpec
    let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
    v["spec"]["templates"][0]["name"] = json!("");
    let world = World::new(experiment(v));
    let plan = world.plan();
    assert_eq!(
        render::actions(&plan),
        json!([{"patchExperiment": {"status": {"conditions": [
            invalid_spec("Experiment foo has empty template name at index 0", &at(0))
        ]}}}])
    );
    assert!(plan.events.is_empty());
}

#[test]
fn keep_invalid_spec() {
    // TestKeepInvalidSpec
    let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
    v["spec"]["templates"][0]["name"] = json!("");
    v["status"]["conditions"] = json!([invalid_spec(
        "Experiment foo has empty template name at index 0",
        &at(-60)
    )]);
    let mut world = World::new(experiment(v));
    world.advance(60);
    assert!(world.plan().is_noop());
}

#[test]
fn update_invalid_spec() {
    // TestUpdateInvalidSpec
    let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
    v["spec"]["templates"][0]["name"] = json!("");
    v["status"]["conditions"] = json!([invalid_spec(
        "This experiment is selecting all pods at index 0. A non-empty selector is required.",
        &at(-60)
    )]);
    let world = World::new(experiment(v));
    assert_eq!(
        render::actions(&world.plan()),
        json!([{"patchExperiment": {"status": {"conditions": [
            invalid_spec("Experiment foo has empty template name at index 0", &at(0))
        ]}}}])
    );
}

#[test]
fn invalid_spec_messages_are_upstreams() {
    fn select_all(v: &mut Value) {
        v["spec"]["templates"][1]["selector"] = json!({});
    }
    fn min_ready_past_deadline(v: &mut Value) {
        v["spec"]["progressDeadlineSeconds"] = json!(10);
        v["spec"]["templates"][0]["minReadySeconds"] = json!(11);
    }
    fn repeated_name(v: &mut Value) {
        v["spec"]["templates"][1]["name"] = json!("bar");
    }
    type Edit = fn(&mut Value);
    let cases: [(Edit, &str); 3] = [
        (
            select_all,
            "This experiment is selecting all pods at index 1. A non-empty selector is required.",
        ),
        (
            min_ready_past_deadline,
            "MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index 0",
        ),
        (
            repeated_name,
            "Experiment foo has repeated template name 'bar' in templates",
        ),
    ];
    for (edit, message) in cases {
        let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
        edit(&mut v);
        let plan = World::new(experiment(v)).plan();
        assert_eq!(render::verbs(&plan), ["patch experiment"], "{message}");
        assert_eq!(
            render::status_patch(&plan)["status"]["conditions"][0]["message"],
            message
        );
    }
}

#[test]
fn remove_invalid_spec() {
    // TestRemoveInvalidSpec
    let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
    v["status"]["conditions"] = json!([{"type": "InvalidSpec", "status": "True", "reason": "InvalidSpec",
        "message": "", "lastUpdateTime": at(-5), "lastTransitionTime": at(-5)}]);
    let ex = experiment(v);
    let plan = World::new(ex.clone()).plan();
    assert_eq!(
        render::actions(&plan),
        json!([
            created_rs(&ex, 0),
            created_rs(&ex, 1),
            {"patchExperiment": {"status": {
                "templateStatuses": [
                    template_status("bar", 0, 0, "Progressing", Some(&at(0))),
                    template_status("baz", 0, 0, "Progressing", Some(&at(0)))
                ],
                "conditions": [progressing("foo", &at(0))]
            }}}
        ])
    );
}

#[test]
fn update_progressing_last_update_time() {
    // TestUpdateProgressingLastUpdateTime: progress refreshes the update time, the transition time
    // stays.
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["templates"][0]["replicas"] = json!(2);
    v["status"]["templateStatuses"] = json!([{"name": "bar", "replicas": 0, "updatedReplicas": 0,
        "readyReplicas": 0, "availableReplicas": 0}]);
    v["status"]["conditions"] = json!([progressing("foo", &at(-10))]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 2, 1)];
    let plan = world.plan();
    let mut condition = progressing("foo", &at(0));
    condition["lastTransitionTime"] = json!(at(-10));
    assert_eq!(
        render::actions(&plan),
        json!([{"patchExperiment": {"status": {
            "templateStatuses": [template_status("bar", 1, 1, "Progressing", Some(&at(0)))],
            "conditions": [condition]
        }}}])
    );
}

#[test]
fn enter_timeout_degraded_state() {
    // TestEnterTimeoutDegradedState
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["progressDeadlineSeconds"] = json!(30);
    v["status"]["templateStatuses"] = json!([template_status("bar", 0, 0, "Progressing", Some(&at(-60)))]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 0)];
    let plan = world.plan();
    let message = "Template 'bar' exceeded its progressDeadlineSeconds (30)";
    let mut failed = template_status("bar", 0, 0, "Failed", Some(&at(-60)));
    failed["message"] = json!(message);
    assert_eq!(
        render::actions(&plan),
        json!([{"patchExperiment": {"status": {
            "phase": "Failed",
            "message": message,
            "templateStatuses": [failed]
        }}}])
    );
    assert_eq!(
        render::events(&plan),
        [
            format!("Warning TemplateFailed: Template 'bar' transitioned from Progressing -> Failed: {message}"),
            "Warning ExperimentFailed: Experiment transitioned from Pending -> Failed".to_string()
        ]
    );
    assert_eq!(plan.requeue_after, None, "a failed experiment is terminating");
}
