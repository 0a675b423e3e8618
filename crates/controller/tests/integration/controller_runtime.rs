//! The controller's plumbing against the in-process dev cluster: a Rollout that cannot be decoded is
//! skipped with a Warning event while the others are reconciled; changes to an owned ReplicaSet or a
//! referenced Service enqueue their Rollout; API requests are counted and served on `/metrics`; and the
//! controller stops cleanly when asked to, even when it cannot reach the API server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::time::{Duration, Instant};

use common::{Controller, client, runtime, start_cluster};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use kube::{Client, Config};
use rollouts_api::Rollout;
use rollouts_controller::{ControllerConfig, Metrics};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn rollout(name: &str, strategy: Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}},
            "strategy": strategy
        }
    }))
    .unwrap()
}

/// Polls `condition` every 20 ms for up to 10 s.
async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the Rollout's reconciles stop for a while (the controller has done what it planned), so
/// that a later reconcile can be told apart from its own follow-ups.
async fn settle(metrics: &Metrics, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = metrics.reconciles_of("default", name);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = metrics.reconciles_of("default", name);
        if now == seen || Instant::now() > deadline {
            return;
        }
        seen = now;
    }
}

/// A plain HTTP/1.1 GET; returns the status line and the body.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn one_bad_rollout_does_not_block_the_others_and_related_objects_enqueue_their_rollout() {
    let cluster = start_cluster("controller", None);
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let resource = ApiResource::erase::<Rollout>(&());
        let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        // A phase the Rollout type does not know: the CRD schema (a plain string) lets it through.
        rollouts
            .create(&PostParams::default(), &rollout("bad", json!({"canary": {}})))
            .await
            .unwrap();
        rollouts
            .patch_status(
                "bad",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"phase": "Bogus"}})),
            )
            .await
            .unwrap();
        let services: Api<Service> = Api::namespaced(client.clone(), "default");
        let service: Service = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "good-canary", "namespace": "default"},
            "spec": {"selector": {"app": "good"}, "ports": [{"port": 80}]}
        }))
        .unwrap();
        services.create(&PostParams::default(), &service).await.unwrap();
        let good = rollouts
            .create(
                &PostParams::default(),
                &rollout("good", json!({"canary": {"canaryService": "good-canary"}})),
            )
            .await
            .unwrap();

        let config = ControllerConfig {
            metrics_addr: Some("127.0.0.1:0".parse().unwrap()),
            ..ControllerConfig::default()
        };
        let controller = Controller::start(&client, config);
        let metrics = controller.metrics.clone();

        wait_for("both Rollouts to be reconciled", || {
            metrics.reconciles_of("default", "good") >= 1 && metrics.reconcile_errors_of("default", "bad") >= 1
        })
        .await;
        assert_eq!(metrics.reconcile_errors_of("default", "good"), 0);
        let events: Api<Event> = Api::namespaced(client.clone(), "default");
        let warnings: Vec<Event> = events
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("bad"))
            .collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].type_.as_deref(), Some("Warning"));
        assert_eq!(warnings[0].reporting_controller.as_deref(), Some("rollouts-controller"));
        let note = warnings[0].note.as_deref().unwrap_or_default();
        assert!(note.contains("status.phase"), "{note}");

        // A ReplicaSet the Rollout controls changes: the Rollout is reconciled again.
        settle(&metrics, "good").await;
        let before = metrics.reconciles_of("default", "good");
        let replica_sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
        let rs: ReplicaSet = serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": "good-5d8f7", "namespace": "default",
                "labels": {"app": "good", "rollouts-pod-template-hash": "5d8f7"},
                "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "good",
                                     "uid": good.metadata.uid.clone().unwrap(), "controller": true}]
            },
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "good", "rollouts-pod-template-hash": "5d8f7"}},
                "template": {"metadata": {"labels": {"app": "good", "rollouts-pod-template-hash": "5d8f7"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}
            }
        }))
        .unwrap();
        replica_sets.create(&PostParams::default(), &rs).await.unwrap();
        wait_for("a ReplicaSet change to enqueue its Rollout", || {
            metrics.reconciles_of("default", "good") > before
        })
        .await;

        // A Service the Rollout references changes: the Rollout is reconciled again.
        settle(&metrics, "good").await;
        let before = metrics.reconciles_of("default", "good");
        let label = json!({"metadata": {"labels": {"team": "web"}}});
        services
            .patch("good-canary", &PatchParams::default(), &Patch::Merge(label))
            .await
            .unwrap();
        wait_for("a Service change to enqueue the Rollout referencing it", || {
            metrics.reconciles_of("default", "good") > before
        })
        .await;

        for (verb, resource) in [
            ("list", "rollouts"),
            ("watch", "rollouts"),
            ("list", "replicasets"),
            ("watch", "replicasets"),
            ("list", "services"),
            ("watch", "services"),
            ("create", "events"),
        ] {
            assert!(
                metrics.api_requests(verb, resource) >= 1,
                "{verb} {resource} not counted: {:?}",
                metrics.api_request_counts()
            );
        }
        assert_eq!(
            metrics.api_requests("list", "pods"),
            0,
            "pods are listed only for restarts"
        );

        let addr = metrics.endpoint().expect("the metrics server listens");
        let (status, body) = http_get(addr, "/healthz").await;
        assert!(status.contains("200"), "{status}");
        assert_eq!(body, "ok");
        let (status, body) = http_get(addr, "/metrics").await;
        assert!(status.contains("200"), "{status}");
        assert!(
            body.contains("rollout_reconcile_count{name=\"good\",namespace=\"default\"}"),
            "{body}"
        );
        // Upstream's error counter: a series from the first failure on.
        assert!(
            body.contains("rollout_reconcile_error{name=\"bad\",namespace=\"default\"}"),
            "{body}"
        );
        assert!(!body.contains("rollout_reconcile_error{name=\"good\""), "{body}");
        assert!(
            body.contains("rollout_controller_api_requests_total{resource=\"rollouts\",verb=\"watch\"}"),
            "{body}"
        );

        let result = controller.stop(Duration::from_secs(5)).await;
        assert!(result.is_ok(), "{result:?}");
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "the metrics server stopped too"
        );
    });
}

#[test]
fn the_controller_stops_on_shutdown_even_when_the_api_server_is_unreachable() {
    let rt = runtime();
    rt.block_on(async {
        // A port nothing listens on: every list fails and the watches back off.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = Config::new(format!("http://127.0.0.1:{port}").parse().unwrap());
        let client = Client::try_from(config).unwrap();
        let metrics = Metrics::new();
        let controller_config = ControllerConfig {
            metrics: metrics.clone(),
            ..ControllerConfig::default()
        };
        let started = Instant::now();
        let result = rollouts_controller::run(
            client,
            controller_config,
            tokio::time::sleep(Duration::from_millis(300)),
        )
        .await;
        assert!(result.is_ok(), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(metrics.api_requests("list", "rollouts") >= 1);
        assert_eq!(metrics.reconciles(), 0);
    });
}

#[test]
fn a_metrics_address_in_use_is_a_clear_error() {
    let rt = runtime();
    rt.block_on(async {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let client = Client::try_from(Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
        let config = ControllerConfig {
            metrics_addr: Some(addr),
            ..ControllerConfig::default()
        };
        let error = rollouts_controller::run(client, config, std::future::pending())
            .await
            .unwrap_err();
        assert!(
            error.to_string().starts_with(&format!("serving metrics on {addr}")),
            "{error}"
        );
    });
}
