//! Golden plans from upstream's `experiments/replicaset_test.go`.

use serde_json::json;

use super::fixtures::*;
use super::render;
use super::world::World;
use crate::experiment::replica_sets::new_replica_set;
use crate::hash::pod_template_hash;

#[test]
fn create_multiple_replica_sets() {
    // TestCreateMultipleRS
    let ex = experiment(experiment_json("foo", templates(&["bar", "baz"]), ""));
    let plan = World::new(ex).plan();
    assert_eq!(
        render::verbs(&plan),
        ["create rs foo-bar", "create rs foo-baz", "patch experiment"]
    );
    assert_eq!(
        render::status_patch(&plan),
        json!({"status": {
            "templateStatuses": [
                template_status("bar", 0, 0, "Progressing", Some(&at(0))),
                template_status("baz", 0, 0, "Progressing", Some(&at(0)))
            ],
            "conditions": [progressing("foo", &at(0))]
        }})
    );
    assert_eq!(
        render::events(&plan),
        [
            "Normal TemplateProgressing: Template 'bar' transitioned from  -> Progressing",
            "Normal TemplateProgressing: Template 'baz' transitioned from  -> Progressing"
        ]
    );
}

#[test]
fn create_missing_replica_set() {
    // TestCreateMissingRS
    let mut v = experiment_json("foo", templates(&["bar", "baz"]), "");
    v["status"]["templateStatuses"] = json!([{"name": "bar", "replicas": 0, "updatedReplicas": 0,
        "readyReplicas": 0, "availableReplicas": 0, "lastTransitionTime": at(0)}]);
    let ex = experiment(v);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![template_rs(&ex, 0, 1, 0)];
    let plan = world.plan();
    assert_eq!(render::verbs(&plan), ["create rs foo-baz", "patch experiment"]);
    assert_eq!(
        render::status_patch(&plan),
        json!({"status": {
            "templateStatuses": [
                template_status("bar", 0, 0, "Progressing", Some(&at(0))),
                template_status("baz", 0, 0, "Progressing", Some(&at(0)))
            ],
            "conditions": [progressing("foo", &at(0))]
        }})
    );
}

#[test]
fn template_with_two_replica_sets_is_an_error() {
    // TestTemplateHasMultipleRS
    let ex = experiment(experiment_json("foo", templates(&["bar"]), ""));
    let rs = template_rs(&ex, 0, 1, 0);
    let mut rs2 = rs.clone();
    rs2.metadata.name = Some("rs2".to_string());
    let mut world = World::new(ex);
    world.replica_sets = vec![rs, rs2];
    let plan = world.plan();
    assert!(plan.is_noop());
    assert_eq!(
        plan.error.as_deref(),
        Some("multiple ReplicaSets match single experiment template: bar")
    );
}

#[test]
fn name_collision_raises_the_collision_count_once() {
    // TestNameCollision: the name is taken by a ReplicaSet another controller owns. Upstream writes
    // the collision count in one patch and drops it again in the status patch that follows; here it
    // is written once, in the status patch, and kept.
    let ex = experiment(experiment_json("foo", templates(&["bar"]), ""));
    let mut foreign = template_rs(&ex, 0, 0, 0);
    foreign.metadata.owner_references = Some(vec![
        serde_json::from_value(json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "deploy",
                                      "uid": "deploy-uid", "controller": true}))
        .unwrap(),
    ]);
    let mut world = World::new(ex.clone());
    world.replica_sets = vec![foreign];
    let plan = world.reconcile();
    let mut bar = template_status("bar", 0, 0, "Progressing", Some(&at(0)));
    bar["collisionCount"] = json!(1);
    assert_eq!(
        render::actions(&plan),
        json!([{"patchExperiment": {"status": {
            "templateStatuses": [bar],
            "conditions": [progressing("foo", &at(0))]
        }}}])
    );
    assert_eq!(
        render::events(&plan),
        [
            "Warning ReplicaSetCreateError: ReplicaSet \"foo-bar\" already exists and is not controlled by this experiment",
            "Normal TemplateProgressing: Template 'bar' transitioned from  -> Progressing"
        ]
    );

    assert_eq!(plan.requeue_after, Some(std::time::Duration::from_secs(600)));

    // Still taken: nothing more to write (no hot loop of collision counts).
    world.advance(5);
    assert!(world.reconcile().is_noop());

    // The other ReplicaSet went away: ours is created, hashed with the collision count.
    world.replica_sets.clear();
    let plan = world.reconcile();
    assert_eq!(render::verbs(&plan)[0], "create rs foo-bar");
    let hash = pod_template_hash(&ex.spec.templates[0].template, Some(1));
    assert_eq!(crate::experiment::replica_sets::hash_of(&world.replica_sets[0]), hash);
}

#[test]
fn name_collision_with_another_templates_annotation() {
    // TestNameCollisionWithEquivalentPodTemplateAndControllerUID: same owner, another template's
    // annotation.
    let ex = experiment(experiment_json("foo", templates(&["bar"]), ""));
    let mut rs = template_rs(&ex, 0, 0, 0);
    rs.metadata.annotations.as_mut().unwrap().insert(
        "experiment.argoproj.io/template-name".to_string(),
        "something-different".to_string(),
    );
    let mut world = World::new(ex);
    world.replica_sets = vec![rs];
    let plan = world.plan();
    assert_eq!(render::verbs(&plan), ["patch experiment"]);
    assert_eq!(
        render::status_patch(&plan)["status"]["templateStatuses"][0]["collisionCount"],
        1
    );
    assert_eq!(
        render::events(&plan)[0],
        "Warning ReplicaSetCreateError: ReplicaSet \"foo-bar\" already exists and is not annotated for this template"
    );
}

#[test]
fn new_replica_set_from_template() {
    // TestNewReplicaSetFromTemplate, with a template copied from a Rollout's ReplicaSet: its hash
    // label is dropped before hashing and replaced.
    let mut v = experiment_json("foo", templates(&["bar"]), "");
    v["spec"]["templates"][0]["minReadySeconds"] = json!(10);
    v["spec"]["templates"][0]["template"]["metadata"]["labels"]["rollouts-pod-template-hash"] = json!("abc123");
    let ex = experiment(v);
    let rs = new_replica_set(&ex, &ex.spec.templates[0], Some(0), 3);
    let mut plain = ex.spec.templates[0].template.clone();
    plain
        .metadata
        .as_mut()
        .unwrap()
        .labels
        .as_mut()
        .unwrap()
        .remove("rollouts-pod-template-hash");
    let hash = pod_template_hash(&plain, Some(0));
    assert_eq!(
        serde_json::to_value(&rs).unwrap(),
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": "foo-bar", "namespace": "default",
                "labels": {"key": "bar", "rollouts-pod-template-hash": hash},
                "annotations": {"experiment.argoproj.io/name": "foo", "experiment.argoproj.io/template-name": "bar"},
                "ownerReferences": owner("foo")
            },
            "spec": {
                "replicas": 3, "minReadySeconds": 10,
                "selector": {"matchLabels": {"key": "bar", "rollouts-pod-template-hash": hash}},
                "template": {"metadata": {"labels": {"key": "bar", "rollouts-pod-template-hash": hash}},
                             "spec": {"containers": [{"name": "bar", "image": "bar"}]}}
            }
        })
    );
    assert_ne!(
        hash,
        pod_template_hash(&plain, None),
        "the collision count is hashed in"
    );
}
