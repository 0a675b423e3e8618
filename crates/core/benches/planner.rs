#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Planner time per reconcile: a steady-state canary Rollout with a history of ReplicaSets (the common
//! case: nothing to do), a step transition (a paused Rollout just promoted), and the same steady state
//! for a blue-green Rollout with its active and preview Services, and a canary paused at 20% behind two
//! routers (SMI and NGINX), whose every reconcile runs the routers.

use criterion::{Criterion, criterion_group, criterion_main};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use rollouts_api::Rollout;
use rollouts_core::hash::pod_template_hash;
use rollouts_core::plan::{Action, Snapshot, WorkloadState, merge_patch, plan};
use rollouts_core::traffic::{ObjectRef, RoutingWrite};
use serde_json::json;

fn rollout(image: &str, status: serde_json::Value) -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "default", "uid": "u1", "generation": 3,
                     "annotations": {"rollout.argoproj.io/revision": "10"}},
        "spec": {
            "replicas": 10, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"canary": {"steps": [
                {"setWeight": 20}, {"pause": {}}, {"setWeight": 40}, {"pause": {"duration": 10}},
                {"setWeight": 60}, {"pause": {"duration": 10}}, {"setWeight": 80}, {"pause": {"duration": 10}}
            ]}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": image,
                                  "resources": {"requests": {"cpu": "5m", "memory": "32Mi"}}}]}}
        },
        "status": status
    }))
    .unwrap()
}

fn replica_set(r: &Rollout, image: &str, revision: i64, replicas: i32) -> ReplicaSet {
    let mut template = r.spec.template.clone().unwrap();
    template.spec.as_mut().unwrap().containers[0].image = Some(image.to_string());
    let hash = pod_template_hash(&template, None);
    serde_json::from_value(json!({
        "metadata": {
            "name": format!("web-{hash}"), "namespace": "default", "uid": format!("rs-{revision}"),
            "generation": 1, "creationTimestamp": format!("2026-01-01T00:{:02}:00Z", revision),
            "labels": {"app": "web", "rollouts-pod-template-hash": hash},
            "annotations": {"rollout.argoproj.io/revision": revision.to_string(),
                            "rollout.argoproj.io/desired-replicas": "10"},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "web",
                                 "uid": "u1", "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web", "rollouts-pod-template-hash": hash}},
                 "template": template},
        "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                   "observedGeneration": 1}
    }))
    .unwrap()
}

/// Default API versions for the routers (these Rollouts have none).
static NO_SETTINGS: rollouts_core::traffic::RoutingSettings = rollouts_core::traffic::RoutingSettings {
    traffic_split_api_version: None,
    istio_api_version: None,
    traefik_api_group: None,
    traefik_api_version: None,
    ambassador_api_version: None,
    appmesh_crd_version: None,
};

fn snapshot_of<'a>(
    rollout: &'a Rollout,
    replica_sets: &'a [ReplicaSet],
    services: &'a [Service],
    now: jiff::Timestamp,
) -> Snapshot<'a> {
    routed_snapshot_of(rollout, replica_sets, services, &[], now)
}

fn routed_snapshot_of<'a>(
    rollout: &'a Rollout,
    replica_sets: &'a [ReplicaSet],
    services: &'a [Service],
    routing_objects: &'a [serde_json::Value],
    now: jiff::Timestamp,
) -> Snapshot<'a> {
    Snapshot {
        rollout,
        replica_sets,
        services,
        pods: None,
        analysis_runs: &[],
        analysis_templates: &[],
        cluster_analysis_templates: &[],
        experiments: &[],
        routing_objects,
        routing_settings: &NO_SETTINGS,
        workload: WorkloadState::NotReferenced,
        now,
    }
}

/// Lets the planner itself bring the status (and the Services' selectors) to rest.
fn bring_to_rest(
    r: Rollout,
    replica_sets: &[ReplicaSet],
    services: Vec<Service>,
    now: jiff::Timestamp,
) -> (Rollout, Vec<Service>) {
    let (r, services, _) = bring_routed_to_rest(r, replica_sets, services, Vec::new(), now);
    (r, services)
}

/// [`bring_to_rest`] with routing objects, which the routers' writes change.
fn bring_routed_to_rest(
    mut r: Rollout,
    replica_sets: &[ReplicaSet],
    mut services: Vec<Service>,
    mut routing: Vec<serde_json::Value>,
    now: jiff::Timestamp,
) -> (Rollout, Vec<Service>, Vec<serde_json::Value>) {
    for _ in 0..10 {
        let p = plan(&routed_snapshot_of(&r, replica_sets, &services, &routing, now));
        if p.actions.is_empty() {
            break;
        }
        for action in p.actions {
            match action {
                Action::PatchRolloutStatus(patch) => {
                    let mut v = serde_json::to_value(&r).unwrap();
                    merge_patch::apply(&mut v["status"], &patch);
                    r = serde_json::from_value(v).unwrap();
                }
                Action::PatchService { name, patch } => {
                    let svc = services
                        .iter_mut()
                        .find(|s| s.metadata.name.as_deref() == Some(&name))
                        .unwrap();
                    let mut v = serde_json::to_value(&*svc).unwrap();
                    merge_patch::apply(&mut v, &patch);
                    *svc = serde_json::from_value(v).unwrap();
                }
                Action::Routing(write) => apply_routing(&mut routing, write),
                other => panic!("unexpected write at rest: {other:?}"),
            }
        }
    }
    (r, services, routing)
}

fn apply_routing(routing: &mut Vec<serde_json::Value>, write: RoutingWrite) {
    let target = write.target();
    let position = routing.iter().position(|o| ObjectRef::of(o) == target);
    match (write, position) {
        (RoutingWrite::Create(o), None) => routing.push(o),
        (RoutingWrite::Update(o), Some(i)) => routing[i] = o,
        (RoutingWrite::MergePatch { patch, .. }, Some(i)) => merge_patch::apply(&mut routing[i], &patch),
        (RoutingWrite::Delete(_), Some(i)) => {
            routing.remove(i);
        }
        (write, _) => panic!("routing write on a missing or existing object: {write:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let now: jiff::Timestamp = "2026-01-01T01:00:00Z".parse().unwrap();
    // A healthy rollout on revision 10 with 9 older, scaled-down ReplicaSets.
    let base = rollout("img:v10", json!({}));
    let mut history: Vec<ReplicaSet> = (1..=9)
        .map(|i| replica_set(&base, &format!("img:v{i}"), i, 0))
        .collect();
    history.push(replica_set(&base, "img:v10", 10, 10));
    let (steady_status, _) = bring_to_rest(base.clone(), &history, Vec::new(), now);
    let snapshot = snapshot_of(&steady_status, &history, &[], now);
    assert!(plan(&snapshot).actions.is_empty(), "steady state must plan no writes");
    c.bench_function("plan/steady_state_10_revisions", |b| {
        b.iter(|| plan(std::hint::black_box(&snapshot)));
    });

    // The same rollout paused at step 1 of an update to revision 11, just promoted by a user.
    let mut paused = steady_status.clone();
    paused.spec.template.as_mut().unwrap().spec.as_mut().unwrap().containers[0].image = Some("img:v11".into());
    let mut rss = history.clone();
    rss.last_mut().unwrap().spec.replicas = Some(8);
    rss.push(replica_set(&base, "img:v11", 11, 2));
    let status = paused.status.as_mut().unwrap();
    status.current_pod_hash = Some(rollouts_core::plan::replica_sets::hash_of(rss.last().unwrap()).to_string());
    status.current_step_index = Some(1);
    status.controller_pause = Some(true);
    status.pause_conditions = None;
    let transition = snapshot_of(&paused, &rss, &[], now);
    assert!(
        !plan(&transition).actions.is_empty(),
        "the promoted rollout must advance"
    );
    c.bench_function("plan/step_transition", |b| {
        b.iter(|| plan(std::hint::black_box(&transition)));
    });
    blue_green(c, &history, now);
    routed(c, &paused, &rss, now);
}

/// The paused update of [`bench`] behind SMI and NGINX, with its canary and stable Services: every
/// reconcile runs both routers over the TrafficSplit and the canary Ingress, which are at rest.
fn routed(c: &mut Criterion, paused: &Rollout, replica_sets: &[ReplicaSet], now: jiff::Timestamp) {
    let mut r = paused.clone();
    r.metadata
        .annotations
        .get_or_insert_default()
        .insert("rollout.argoproj.io/revision".into(), "11".into());
    r.spec.strategy = serde_json::from_value(json!({"canary": {
        "canaryService": "web-canary", "stableService": "web-stable",
        "trafficRouting": {"smi": {}, "nginx": {"stableIngress": "web"}},
        "steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 40}, {"pause": {"duration": 10}}]
    }}))
    .unwrap();
    let mut rss = replica_sets.to_vec();
    rss.last_mut().unwrap().spec.replicas = Some(2);
    let stable = rss.len() - 2;
    rss[stable].spec.replicas = Some(10);
    let service = |name: &str| -> Service {
        serde_json::from_value(json!({"metadata": {"name": name, "namespace": "default"},
                                      "spec": {"selector": {"app": "web"}}}))
        .unwrap()
    };
    let ingress = json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "default", "resourceVersion": "1",
                     "annotations": {"kubernetes.io/ingress.class": "nginx"}},
        "spec": {"rules": [{"host": "web.example", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                 "backend": {"service": {"name": "web-stable", "port": {"number": 80}}}}]}}]}
    });
    let (r, services, routing) = bring_routed_to_rest(
        r,
        &rss,
        vec![service("web-canary"), service("web-stable")],
        vec![ingress],
        now,
    );
    let snapshot = routed_snapshot_of(&r, &rss, &services, &routing, now);
    let at_rest = plan(&snapshot);
    assert!(
        at_rest.actions.is_empty(),
        "steady state must plan no writes: {:?}",
        at_rest.actions
    );
    assert_eq!(
        routing.len(),
        3,
        "the TrafficSplit and the canary Ingress exist beside the stable Ingress"
    );
    c.bench_function("plan/routed_canary_steady_state_smi_nginx", |b| {
        b.iter(|| plan(std::hint::black_box(&snapshot)));
    });
}

/// The canary Rollout of [`bench`] turned blue-green, with its two Services.
fn blue_green(c: &mut Criterion, history: &[ReplicaSet], now: jiff::Timestamp) {
    let mut r = rollout("img:v10", json!({}));
    r.spec.strategy = serde_json::from_value(json!({"blueGreen": {
        "activeService": "web-active", "previewService": "web-preview", "autoPromotionEnabled": false
    }}))
    .unwrap();
    let service = |name: &str| -> Service {
        serde_json::from_value(json!({"metadata": {"name": name, "namespace": "default"},
                                      "spec": {"selector": {"app": "web"}}}))
        .unwrap()
    };
    let (r, services) = bring_to_rest(r, history, vec![service("web-active"), service("web-preview")], now);
    let snapshot = snapshot_of(&r, history, &services, now);
    assert!(plan(&snapshot).actions.is_empty(), "steady state must plan no writes");
    c.bench_function("plan/blue_green_steady_state_10_revisions", |b| {
        b.iter(|| plan(std::hint::black_box(&snapshot)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
