//! Controller starts against a populated cluster: 300 Rollouts and 1,500 ReplicaSets (the ReplicaSet
//! list comes in three pages). Each round updates every Rollout while no controller runs, starts one
//! with the ReplicaSet list failing for its first moments (as on a busy API server, so that the
//! ReplicaSet cache fills well after the Rollout cache has started the reconciles), and asserts that
//! every Rollout is reconciled (its `status.observedGeneration` catches up with its generation) within a
//! bound, with no reconcile running past the slow threshold; then it stops the controller. The second
//! test does the same while every open watch is cut again and again during the initial lists.
//!
//! Before the fix, the reconciles that had to wait for the ReplicaSet cache all parked on one waker,
//! and all but one of them (nine, with the default concurrency of ten) never woke.
//!
//! `ROLLOUTS_RESTART_ROUNDS` sets the number of starts of each test: 5 by default (about a minute
//! each on two cores), 20 for the full check.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::sync::Arc;

use std::time::{Duration, Instant};

use common::{Controller, client, runtime, start_cluster};
use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::Client;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use rollouts_api::Rollout;
use rollouts_controller::{ControllerConfig, ControllerKind};
use rollouts_devcluster::faults::{FaultRule, FaultSettings};
use rollouts_devcluster::testing::fast_simulation;
use rollouts_testkit::concurrent::for_all;
use serde_json::json;

const ROLLOUTS: usize = 300;
/// ReplicaSets with the pod-template-hash label beside the Rollouts' own: 1,200 + 300 in all, three
/// pages of the controller's list.
const FILLER_REPLICA_SETS: usize = 1_200;
const WRITERS: usize = 8;
/// How long every Rollout may take to be reconciled after a start.
const BOUND: Duration = Duration::from_secs(120);

fn rounds() -> usize {
    std::env::var("ROLLOUTS_RESTART_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

fn rollout_name(i: usize) -> String {
    format!("app-{i:03}")
}

/// The Rollouts (no replicas: what is tested is that each is reconciled, not its pods) and the
/// filler ReplicaSets, which the controller's filtered watch lists but no Rollout owns.
async fn populate(client: &Client) {
    let resource = ApiResource::erase::<Rollout>(&());
    let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    for_all(ROLLOUTS, WRITERS, move |i| {
        let rollouts = rollouts.clone();
        async move {
            let name = rollout_name(i);
            let ro: DynamicObject = serde_json::from_value(json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                "metadata": {"name": name, "namespace": "default"},
                "spec": {
                    "replicas": 0,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}},
                    "strategy": {"canary": {"steps": [{"setWeight": 50}, {"pause": {}}]}}
                }
            }))
            .unwrap();
            rollouts.create(&PostParams::default(), &ro).await.unwrap();
        }
    })
    .await;
    let replica_sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
    for_all(FILLER_REPLICA_SETS, WRITERS, move |i| {
        let replica_sets = replica_sets.clone();
        async move {
            let name = format!("filler-{i:04}");
            let rs: ReplicaSet = serde_json::from_value(json!({
                "metadata": {"name": name, "labels": {"app": name, "rollouts-pod-template-hash": format!("h{i}")}},
                "spec": {
                    "replicas": 0,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}
                }
            }))
            .unwrap();
            replica_sets.create(&PostParams::default(), &rs).await.unwrap();
        }
    })
    .await;
}

/// Changes the spec of every Rollout (so its generation moves on) while no controller runs.
async fn update_all(client: &Client, round: usize) {
    let resource = ApiResource::erase::<Rollout>(&());
    let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    for_all(ROLLOUTS, WRITERS, move |i| {
        let rollouts = rollouts.clone();
        async move {
            let patch = json!({"spec": {"progressDeadlineSeconds": 600 + round}});
            rollouts
                .patch(&rollout_name(i), &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .unwrap();
        }
    })
    .await;
}

/// The Rollouts whose status has not caught up with their generation.
async fn behind(client: &Client) -> Vec<String> {
    let resource = ApiResource::erase::<Rollout>(&());
    let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    let list = rollouts.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), ROLLOUTS);
    list.items
        .iter()
        .filter(|ro| {
            let generation = ro.metadata.generation.unwrap().to_string();
            ro.data.pointer("/status/observedGeneration").and_then(|g| g.as_str()) != Some(generation.as_str())
        })
        .map(|ro| ro.metadata.name.clone().unwrap())
        .collect()
}

/// Starts a controller, waits until every Rollout is reconciled (calling `while_starting` once it has
/// started), and stops it. Returns how long the Rollouts took.
async fn one_start(client: &Client, round: usize, while_starting: impl Future<Output = ()>) -> Duration {
    let started = Instant::now();
    let controller = Controller::start(client, ControllerConfig::default());
    let metrics = controller.metrics.clone();
    while_starting.await;
    let mut lagging = behind(client).await;
    while !lagging.is_empty() {
        if started.elapsed() > BOUND {
            let never: Vec<&String> = lagging
                .iter()
                .filter(|name| metrics.reconciles_of("default", name) == 0)
                .collect();
            panic!(
                "round {round}: {} Rollouts not reconciled {BOUND:?} after the start ({} never at all: {never:?}); \
                 reconciles {}, errors {}",
                lagging.len(),
                never.len(),
                metrics.reconciles(),
                metrics.reconcile_errors()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        lagging = behind(client).await;
    }
    let took = started.elapsed();
    // A reconcile that waits for something that never comes is cut loose by the controller's
    // watchdog at the slow threshold; none may have needed it.
    let (slow, _, _) = metrics.slow_reconciles(ControllerKind::Rollout);
    assert_eq!(slow, 0, "round {round}: {slow} reconciles ran past the slow threshold");
    controller.stop(Duration::from_secs(20)).await.unwrap();
    took
}

fn restarts(cut_watches: bool) {
    let cluster = start_cluster("restarts", Some(fast_simulation()));
    let server = Arc::clone(&cluster.cluster().server);
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        populate(&client).await;
        let mut slowest = Duration::ZERO;
        for round in 0..rounds() {
            update_all(&client, round).await;
            // The ReplicaSet list fails for the first moments of the start, as on a busy API server,
            // so that its cache fills well after the Rollout cache has started the reconciles: that is
            // when they used to wait on it together.
            server.faults.set(FaultSettings {
                rules: vec![FaultRule {
                    verb: Some("list".into()),
                    resource: Some("replicasets".into()),
                    code: 500,
                    rate: 1.0,
                }],
                latency_millis: 0,
            });
            let server = Arc::clone(&server);
            let starting = async move {
                for _ in 0..4 {
                    tokio::time::sleep(Duration::from_millis(100 + 25 * (round as u64 % 4))).await;
                    if cut_watches {
                        server.faults.cut_watches();
                    }
                }
                server.faults.set(FaultSettings::default());
                if cut_watches {
                    // And once more while the ReplicaSet pages come in.
                    for _ in 0..3 {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        server.faults.cut_watches();
                    }
                }
            };
            let took = one_start(&client, round, starting).await;
            slowest = slowest.max(took);
        }
        eprintln!(
            "every Rollout reconciled after each of {} starts; slowest {slowest:?}",
            rounds()
        );
    });
}

#[test]
fn every_rollout_is_reconciled_after_each_start_with_paged_lists() {
    restarts(false);
}

#[test]
fn every_rollout_is_reconciled_after_each_start_when_watches_are_cut_during_the_initial_list() {
    restarts(true);
}
