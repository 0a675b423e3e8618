//! An `experiment` step behind a traffic router (upstream `TestRolloutWithExperimentStep`): while its
//! Experiment runs, each template the step gives a `weight` is an extra destination of the routers,
//! taken from the stable's share, and `status.canary.weights.additional` records it.

use serde_json::{Value, json};

use super::canary_routed_golden::{CANARY, STABLE, routed_rollout};
use super::world::{World, describe_all, service};
use crate::plan::Action;
use crate::traffic::RoutingWrite;

const EXPERIMENT_SERVICE: &str = "experiment-service";

/// Routed demo (SMI), steps: 10%, then an Experiment with a weighted canary template and an
/// unweighted stable one; deployed, then updated and reconciled up to the Experiment's creation.
fn at_experiment_step() -> (World, String) {
    let steps = json!({"steps": [
        {"setWeight": 10},
        {"experiment": {"templates": [
            {"name": "experiment-template", "specRef": "canary", "replicas": 1, "weight": 5},
            {"name": "experiment-template-without-weight", "specRef": "stable", "replicas": 1}
        ]}}
    ]});
    let mut w = World::new(routed_rollout(steps));
    w.services = vec![service(CANARY, "routed"), service(STABLE, "routed")];
    w.run_until_quiet(20);
    w.set_image("app:yellow");
    for _ in 0..30 {
        let plan = w.reconcile();
        w.settle();
        if plan.actions.iter().any(|a| matches!(a, Action::CreateExperiment(_))) {
            let name = w.experiments[0].metadata.name.clone().unwrap();
            w.run_until_quiet(10);
            return (w, name);
        }
    }
    panic!("no Experiment created");
}

fn canary_hash(w: &World) -> String {
    w.replica_sets[1].metadata.labels.as_ref().unwrap()["rollouts-pod-template-hash"].clone()
}

/// The experiment controller's report for the two templates, in `phase`.
fn report(w: &mut World, name: &str, phase: &str) {
    let hash = canary_hash(w);
    let e = w
        .experiments
        .iter_mut()
        .find(|e| e.metadata.name.as_deref() == Some(name))
        .unwrap();
    e.status = serde_json::from_value(json!({
        "phase": phase,
        "templateStatuses": [
            {"name": "experiment-template", "serviceName": EXPERIMENT_SERVICE, "podTemplateHash": hash,
             "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1, "status": "Running"},
            {"name": "experiment-template-without-weight", "serviceName": "experiment-service-without-weight",
             "podTemplateHash": hash, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
             "availableReplicas": 1, "status": "Running"}
        ]
    }))
    .unwrap();
}

/// The backends of the plan's TrafficSplit writes, as `service=weight`.
fn split_writes(actions: &[Action]) -> Vec<Vec<String>> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Routing(RoutingWrite::Update(o) | RoutingWrite::Create(o)) if o["kind"] == "TrafficSplit" => {
                Some(backends(o))
            }
            Action::Routing(RoutingWrite::MergePatch { target, patch }) if target.kind == "TrafficSplit" => {
                Some(backends(patch))
            }
            _ => None,
        })
        .collect()
}

fn backends(split: &Value) -> Vec<String> {
    split["spec"]["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let weight = b["weight"]
                .as_str()
                .map_or_else(|| b["weight"].to_string(), str::to_string);
            format!("{}={weight}", b["service"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn a_running_experiments_weighted_template_is_an_extra_destination() {
    let (mut w, name) = at_experiment_step();
    // Pending: the routers keep the step's weight only.
    report(&mut w, &name, "Pending");
    let plan = w.reconcile();
    assert!(plan.actions.is_empty(), "{:?}", describe_all(&plan));
    // Running: the weighted template gets its 5%, taken from the stable.
    report(&mut w, &name, "Running");
    let plan = w.reconcile();
    assert_eq!(
        describe_all(&plan)
            .iter()
            .map(|d| d.split(' ').take(3).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>(),
        vec!["patch TrafficSplit routed", "patch status canary"]
    );
    assert_eq!(
        split_writes(&plan.actions),
        vec![vec![
            format!("{CANARY}=10"),
            format!("{EXPERIMENT_SERVICE}=5"),
            format!("{STABLE}=85")
        ]]
    );
    let weights = w.status().canary.as_ref().unwrap().weights.clone().unwrap();
    let additional = serde_json::to_value(weights.additional).unwrap();
    assert_eq!(
        additional,
        json!([{"podTemplateHash": canary_hash(&w), "serviceName": EXPERIMENT_SERVICE, "weight": 5}])
    );
    assert_eq!(weights.canary.weight, 10);
    assert_eq!(weights.stable.weight, 85);
    let events: Vec<&str> = plan.events.iter().map(|e| e.reason.as_str()).collect();
    assert!(events.contains(&"TrafficWeightUpdated"), "{events:?}");
    // Settled: nothing more to write.
    let plan = w.reconcile();
    assert!(plan.actions.is_empty(), "{:?}", describe_all(&plan));
}

#[test]
fn the_extra_destination_goes_once_the_experiment_is_over() {
    let (mut w, name) = at_experiment_step();
    report(&mut w, &name, "Running");
    w.reconcile();
    report(&mut w, &name, "Successful");
    let plan = w.reconcile();
    // The step completes (the last one): full promotion takes the weight over, the extra
    // destination is dropped.
    let splits = split_writes(&plan.actions);
    assert_eq!(
        splits,
        vec![vec![format!("{CANARY}=10"), format!("{STABLE}=90")]],
        "{:?}",
        describe_all(&plan)
    );
    let weights = w.status().canary.as_ref().unwrap().weights.clone().unwrap();
    assert_eq!(weights.additional, None);
}
