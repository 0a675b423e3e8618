//! Simulated workloads at scale: 1,000 ReplicaSets of 5 pods each, from creation until every pod is
//! ready; the time it takes and the server's resident memory. The server (with the simulated
//! controllers, default settings: pods start after 1 s) runs in a child process.
//!
//! Run: `cargo bench -p rollouts-devcluster --bench workloads` (`-- --replicasets N` to change the size).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, ListParams, ObjectMeta, PostParams};

fn replica_set(i: usize) -> ReplicaSet {
    let labels = BTreeMap::from([("app".to_string(), format!("app-{i}"))]);
    ReplicaSet {
        metadata: ObjectMeta {
            name: Some(format!("rs-{i:04}")),
            ..Default::default()
        },
        spec: ReplicaSetSpec {
            replicas: Some(5),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..Default::default()
            },
            template: Some(PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "app".into(),
                        image: Some("nginx:1.25".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            }),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn main() {
    common::serve_if_asked();
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args
        .iter()
        .position(|a| a == "--replicasets")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(1000);
    let dir = std::env::temp_dir().join(format!("rollouts-workloads-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // A node with room for every pod, so that they all run.
    let mut server = common::start_simulated(&dir, count * 5);
    let pid = server.id();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = common::client(&dir).await;
        let rss_api: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
        let pods: Api<Pod> = Api::namespaced(client, "default");
        let started = Instant::now();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut writers = Vec::new();
        for _ in 0..8 {
            let (api, next) = (rss_api.clone(), Arc::clone(&next));
            writers.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= count {
                        return;
                    }
                    api.create(&PostParams::default(), &replica_set(i)).await.unwrap();
                }
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        let created = started.elapsed();
        let mut peak_rss = 0;
        loop {
            peak_rss = peak_rss.max(common::rss_kib(pid));
            let list = rss_api.list(&ListParams::default()).await.unwrap();
            let ready: i32 = list
                .items
                .iter()
                .map(|r| r.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0))
                .sum();
            if ready as usize == count * 5 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(1800),
                "not all pods became ready: {ready}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let all_ready = started.elapsed();
        let pod_count = pods.list(&ListParams::default()).await.unwrap().items.len();
        println!(
            "{count} ReplicaSets x 5 pods: created in {:.1}s, all {pod_count} pods ready after {:.1}s",
            created.as_secs_f64(),
            all_ready.as_secs_f64()
        );
        println!(
            "server RSS: peak while converging {} MiB, settled {} MiB",
            peak_rss / 1024,
            common::rss_kib(pid) / 1024
        );
    });
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
