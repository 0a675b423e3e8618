//! Properties over random Experiments in a simulated world where pods become available, runs end and
//! time passes, in random order: an experiment with a duration or required analyses always ends; its
//! ReplicaSets reach 0 replicas once it ended and the scale-down delay passed (and its Services go);
//! an invalid spec never gets anything created; planning is deterministic, and without outside change
//! the reconciles come to rest with a plan that writes nothing.

use proptest::prelude::*;
use rollouts_api::analysis_run::AnalysisPhase;
use serde_json::{Value, json};

use super::world::World;
use crate::experiment::Action;

#[derive(Debug, Clone)]
struct Scenario {
    /// Replicas per template.
    replicas: Vec<u8>,
    /// Templates with a Service.
    services: Vec<bool>,
    duration: Option<u8>,
    /// Per analysis: required for completion, and whether its template exists.
    analyses: Vec<(bool, bool)>,
    scale_down_delay: Option<u8>,
    progress_deadline: u16,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec((0u8..4, any::<bool>()), 1..4),
        prop::option::of(1u8..120),
        prop::collection::vec((any::<bool>(), prop::bool::weighted(0.9)), 0..3),
        prop::option::of(0u8..60),
        30u16..600,
    )
        .prop_map(
            |(templates, duration, analyses, scale_down_delay, progress_deadline)| Scenario {
                replicas: templates.iter().map(|t| t.0).collect(),
                services: templates.iter().map(|t| t.1).collect(),
                duration,
                analyses,
                scale_down_delay,
                progress_deadline,
            },
        )
}

fn experiment_json(s: &Scenario) -> Value {
    let templates: Vec<Value> = s
        .replicas
        .iter()
        .zip(&s.services)
        .enumerate()
        .map(|(i, (replicas, service))| {
            let mut t = json!({
                "name": format!("t{i}"),
                "replicas": replicas,
                "selector": {"matchLabels": {"app": format!("t{i}")}},
                "template": {"metadata": {"labels": {"app": format!("t{i}")}},
                             "spec": {"containers": [{"name": "c", "image": format!("img:{i}"),
                                                      "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}}
            });
            if *service {
                t["service"] = json!({});
            }
            t
        })
        .collect();
    let analyses: Vec<Value> = s
        .analyses
        .iter()
        .enumerate()
        .map(|(i, (required, exists))| {
            json!({"name": format!("a{i}"), "templateName": if *exists { "t" } else { "missing" },
                   "requiredForCompletion": required,
                   "args": [{"name": "hash", "value": "{{templates.t0.podTemplateHash}}"}]})
        })
        .collect();
    let mut v = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
        "metadata": {"name": "ex", "namespace": "default", "uid": "ex-uid"},
        "spec": {"templates": templates, "analyses": analyses, "progressDeadlineSeconds": s.progress_deadline}
    });
    if let Some(d) = s.duration {
        v["spec"]["duration"] = json!(format!("{d}s"));
    }
    if let Some(d) = s.scale_down_delay {
        v["spec"]["scaleDownDelaySeconds"] = json!(d);
    }
    v
}

fn world_of(v: Value) -> World {
    let mut world = World::new(serde_json::from_value(v).unwrap());
    world.analysis_templates = vec![
        serde_json::from_value(json!({
            "metadata": {"name": "t", "namespace": "default"},
            "spec": {"args": [{"name": "hash"}], "metrics": [{"name": "m"}]}
        }))
        .unwrap(),
    ];
    world
}

#[derive(Debug, Clone)]
enum Op {
    /// The pods of one ReplicaSet catch up with its size (by index, modulo their number).
    Pods(u8),
    /// Every ReplicaSet's pods catch up.
    Settle,
    /// One run ends (by index) in the given phase; a terminated run ends Successful.
    EndRun(u8, u8),
    Advance(u8),
    Terminate,
    Reconcile,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..4).prop_map(Op::Pods),
        Just(Op::Settle),
        (0u8..3, 0u8..8).prop_map(|(i, p)| Op::EndRun(i, p)),
        (1u8..90).prop_map(Op::Advance),
        prop::bool::weighted(0.05).prop_map(|t| if t { Op::Terminate } else { Op::Reconcile }),
        Just(Op::Reconcile),
        Just(Op::Reconcile),
    ]
}

/// The kubelet: a ReplicaSet's pods exist, ready and available, as many as its size.
fn catch_up(rs: &mut k8s_openapi::api::apps::v1::ReplicaSet) {
    let size = rs.spec.replicas.unwrap_or(1);
    let status = rs.status.get_or_insert_with(Default::default);
    status.replicas = size;
    status.ready_replicas = Some(size);
    status.available_replicas = Some(size);
}

/// The analysis controller: a run ends (mostly Successful).
fn end_run(w: &mut World, index: usize, pick: u8) {
    if w.analysis_runs.is_empty() {
        return;
    }
    let i = index % w.analysis_runs.len();
    let run = &w.analysis_runs[i];
    if run.status.as_ref().is_some_and(|s| s.phase.is_completed()) {
        return;
    }
    let name = run.metadata.name.clone().unwrap();
    let phase = if run.spec.terminate.unwrap_or(false) {
        "Successful"
    } else {
        [
            "Successful",
            "Successful",
            "Successful",
            "Successful",
            "Failed",
            "Error",
            "Inconclusive",
            "Running",
        ][usize::from(pick % 8)]
    };
    w.finish_run(&name, phase, "");
}

fn terminate(w: &mut World) {
    let mut v = serde_json::to_value(&w.experiment).unwrap();
    v["spec"]["terminate"] = json!(true);
    w.experiment = serde_json::from_value(v).unwrap();
}

/// One reconcile, checking that planning is deterministic and what an invalid spec may write.
fn checked_reconcile(w: &mut World) {
    let plan = w.plan();
    assert_eq!(plan, w.plan(), "planning is not deterministic");
    for action in &plan.actions {
        w.apply(action);
    }
}

fn apply(w: &mut World, op: &Op) {
    match op {
        Op::Pods(i) => {
            if !w.replica_sets.is_empty() {
                let n = w.replica_sets.len();
                catch_up(&mut w.replica_sets[usize::from(*i) % n]);
            }
        }
        Op::Settle => w.replica_sets.iter_mut().for_each(catch_up),
        Op::EndRun(i, p) => end_run(w, usize::from(*i), *p),
        Op::Advance(s) => w.advance(i64::from(*s)),
        Op::Terminate => terminate(w),
        Op::Reconcile => checked_reconcile(w),
    }
}

fn ended(w: &World) -> bool {
    w.experiment
        .status
        .as_ref()
        .and_then(|s| s.phase)
        .is_some_and(AnalysisPhase::is_completed)
}

/// Without outside change the reconciles come to rest: a few writes at most, then a plan that writes
/// nothing.
fn comes_to_rest(w: &mut World) {
    for _ in 0..4 {
        let plan = w.plan();
        if plan.is_noop() {
            return;
        }
        checked_reconcile(w);
    }
    panic!("no rest: {:?}", super::render::verbs(&w.plan()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn experiments_end_and_scale_down(s in scenario(), ops in prop::collection::vec(op(), 0..40)) {
        let mut s = s;
        // The property is about experiments that end by themselves.
        if s.duration.is_none() && !s.analyses.iter().any(|(required, _)| *required) {
            s.duration = Some(30);
        }
        let mut w = world_of(experiment_json(&s));
        for op in &ops {
            apply(&mut w, op);
        }
        comes_to_rest(&mut w);

        // A fair world from here on: pods come up, runs end well, time passes.
        let mut rounds = 0;
        while !ended(&w) {
            rounds += 1;
            prop_assert!(rounds < 40, "not ended: {}", serde_json::to_string(&w.status()).unwrap());
            w.replica_sets.iter_mut().for_each(catch_up);
            for i in 0..w.analysis_runs.len() {
                end_run(&mut w, i, 0);
            }
            checked_reconcile(&mut w);
            w.advance(30);
        }

        // Ended: after the scale-down delay every ReplicaSet is at 0, the Services are gone and every
        // run is over or asked to stop.
        let delay = i64::from(s.scale_down_delay.unwrap_or(30));
        for _ in 0..4 {
            checked_reconcile(&mut w);
            w.replica_sets.iter_mut().for_each(catch_up);
            w.advance(delay + 1);
        }
        comes_to_rest(&mut w);
        for rs in &w.replica_sets {
            prop_assert_eq!(rs.spec.replicas, Some(0), "{:?} still has pods", rs.metadata.name);
        }
        prop_assert!(w.services.is_empty(), "Services left: {:?}", w.services.iter().map(|s| &s.metadata.name).collect::<Vec<_>>());
        for run in &w.analysis_runs {
            let over = run.status.as_ref().is_some_and(|s| s.phase.is_completed()) || run.spec.terminate == Some(true);
            prop_assert!(over, "run {:?} still going", run.metadata.name);
        }
        prop_assert!(ended(&w), "the phase stays final");
    }

    #[test]
    fn nothing_is_created_before_the_spec_validates(
        s in scenario(),
        problem in 0u8..4,
        ops in prop::collection::vec(op(), 0..30),
    ) {
        let mut v = experiment_json(&s);
        let last = v["spec"]["templates"].as_array().unwrap().len() - 1;
        match problem {
            0 => v["spec"]["templates"][last]["name"] = json!(""),
            1 => v["spec"]["templates"][last]["selector"] = json!({}),
            2 => v["spec"]["templates"][last]["minReadySeconds"] = json!(s.progress_deadline + 1),
            _ => {
                let first = v["spec"]["templates"][0].clone();
                v["spec"]["templates"].as_array_mut().unwrap().push(first);
            }
        }
        let mut w = world_of(v);
        for op in &ops {
            apply(&mut w, op);
        }
        checked_reconcile(&mut w);
        for action in &w.log {
            prop_assert!(matches!(action, Action::PatchExperiment(_)), "{:?}", super::render::action(action));
        }
        prop_assert!(w.replica_sets.is_empty() && w.services.is_empty() && w.analysis_runs.is_empty());
        let conditions = &w.status()["conditions"];
        prop_assert_eq!(conditions.as_array().map(Vec::len), Some(1));
        prop_assert_eq!(&conditions[0]["type"], "InvalidSpec");
        // Once written, the condition stays as it is.
        prop_assert!(w.plan().is_noop());
    }
}
