//! The dev cluster's memory under two loads that used to grow it without limit:
//!
//! - walk: a Rollout with 10,000 canary steps (about 350 KB of JSON) whose status is patched 2,000 times
//!   while a client watches Rollouts, then deleted; twice over (a second Rollout after the first is
//!   gone), with peak, final and after-delete resident memory each time.
//! - replicas: a ReplicaSet asking for 1,000,000 replicas, with the simulated controllers running
//!   (default settings), for 120 s; pod count and resident memory every 10 s.
//!
//! Each scenario gets its own server, in a child process (this binary re-executed with `serve`), so
//! that its memory is measured alone.
//!
//! Run: `cargo bench -p rollouts-devcluster --bench memory` (options after `--`: `--only walk|replicas`,
//! `--steps N`, `--updates N`, `--rounds N`, `--replicas N`, `--seconds N`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use serde_json::{Value, json};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// Samples a process's resident memory every 50 ms, keeping the peak.
struct RssSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let peak = Arc::new(AtomicU64::new(common::rss_kib(pid)));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (Arc::clone(&peak), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(common::rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        RssSampler {
            peak,
            stop,
            thread: Some(thread),
        }
    }

    fn peak_mib(&self) -> u64 {
        self.peak.load(Ordering::Relaxed) / 1024
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn mib(pid: u32) -> u64 {
    common::rss_kib(pid) / 1024
}

/// A Rollout whose canary strategy has `steps` steps, cycling through the common kinds.
fn big_rollout(name: &str, steps: usize) -> Value {
    let steps: Vec<Value> = (0..steps)
        .map(|i| match i % 3 {
            0 => json!({"setWeight": (i % 100) as i64}),
            1 => json!({"pause": {"duration": format!("{}s", 10 + i % 50)}}),
            _ => json!({"setCanaryScale": {"weight": (i % 100) as i64, "matchTrafficWeight": false}}),
        })
        .collect();
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]},
            },
            "strategy": {"canary": {"steps": steps}},
        },
    })
}

struct Row {
    scenario: String,
    detail: String,
    peak: u64,
    end: u64,
    after: String,
}

async fn walk(steps: usize, updates: usize, rounds: usize) -> Vec<Row> {
    let dir = std::env::temp_dir().join(format!("rollouts-memory-bench-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = common::start_server(&dir, false);
    let pid = server.id();
    let client = common::client(&dir).await;
    let crds: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "customresourcedefinitions",
        ),
    );
    for (_, crd) in rollouts_api::crd::all().unwrap() {
        let crd: DynamicObject = serde_json::from_value(serde_json::to_value(crd).unwrap()).unwrap();
        crds.create(&PostParams::default(), &crd).await.unwrap();
    }
    let resource =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"), "rollouts");
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &resource);
    // The CRD is served once stored; wait until a list answers.
    let deadline = Instant::now() + Duration::from_secs(30);
    while api.list(&ListParams::default()).await.is_err() {
        assert!(Instant::now() < deadline, "the Rollout CRD is not served");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let idle = mib(pid);

    // A watcher, as the controller would have, reading every event.
    let watcher_api = api.clone();
    let watcher = tokio::spawn(async move {
        let stream = kube::runtime::watcher::watcher(watcher_api, kube::runtime::watcher::Config::default());
        let mut stream = std::pin::pin!(stream);
        while stream.next().await.is_some() {}
    });
    let sampler = RssSampler::start(pid);
    let mut rows = Vec::new();
    for round in 1..=rounds {
        let name = format!("big-{round}");
        let rollout = big_rollout(&name, steps);
        let json_bytes = serde_json::to_vec(&rollout).unwrap().len();
        let object: DynamicObject = serde_json::from_value(rollout).unwrap();
        api.create(&PostParams::default(), &object).await.unwrap();
        let started = Instant::now();
        for i in 0..updates {
            let patch =
                json!({"status": {"currentStepIndex": (i % steps) as i64, "message": format!("walking step {i}")}});
            api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .unwrap();
            if (i + 1) % 250 == 0 {
                eprintln!(
                    "walk {round}: {} patches after {:.0}s, RSS {} MiB",
                    i + 1,
                    started.elapsed().as_secs_f64(),
                    mib(pid)
                );
            }
        }
        let took = started.elapsed();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let end = mib(pid);
        api.delete(&name, &DeleteParams::default()).await.unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
        rows.push(Row {
            scenario: format!("walk {round}: {steps}-step Rollout ({} KB JSON)", json_bytes / 1000),
            detail: format!(
                "{updates} status patches in {:.0}s ({:.1}/s), idle {idle} MiB",
                took.as_secs_f64(),
                updates as f64 / took.as_secs_f64()
            ),
            peak: sampler.peak_mib(),
            end,
            after: format!("{} MiB after delete", mib(pid)),
        });
    }
    drop(sampler);
    watcher.abort();
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    rows
}

async fn replicas(replicas: i64, seconds: u64) -> Vec<Row> {
    let dir = std::env::temp_dir().join(format!("rollouts-memory-bench-rs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = common::start_server(&dir, true);
    let pid = server.id();
    let client = common::client(&dir).await;
    let rss: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let rs: ReplicaSet = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "huge"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "huge"}},
            "template": {
                "metadata": {"labels": {"app": "huge"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]},
            },
        },
    }))
    .unwrap();
    let idle = mib(pid);
    rss.create(&PostParams::default(), &rs).await.unwrap();
    let sampler = RssSampler::start(pid);
    let started = Instant::now();
    let mut rows = Vec::new();
    let every = Duration::from_secs(10.min(seconds.max(1)));
    let mut next = every;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(next.saturating_sub(started.elapsed())).await;
        next += every;
        // Counted from a one-item page: the count of the rest comes with it.
        let page = pods.list(&ListParams::default().limit(1)).await.unwrap();
        let count = page.items.len() as i64 + page.metadata.remaining_item_count.unwrap_or(0);
        let pending = pods
            .list(&ListParams::default().fields("status.phase=Pending").limit(1))
            .await
            .map_or(-1, |p| {
                p.items.len() as i64 + p.metadata.remaining_item_count.unwrap_or(0)
            });
        rows.push(Row {
            scenario: format!("replicas: {replicas} at {:>3}s", started.elapsed().as_secs()),
            detail: format!("{count} pods ({pending} Pending), idle {idle} MiB"),
            peak: sampler.peak_mib(),
            end: mib(pid),
            after: String::new(),
        });
    }
    drop(sampler);
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    rows
}

fn main() {
    common::serve_if_asked();
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let steps = arg(&args, "--steps", 10_000) as usize;
    let updates = arg(&args, "--updates", 2_000) as usize;
    let rounds = arg(&args, "--rounds", 2) as usize;
    let count = arg(&args, "--replicas", 1_000_000) as i64;
    let seconds = arg(&args, "--seconds", 120);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    if only.as_deref().is_none_or(|o| o == "walk") {
        rows.extend(rt.block_on(walk(steps, updates, rounds)));
    }
    if only.as_deref().is_none_or(|o| o == "replicas") {
        rows.extend(rt.block_on(replicas(count, seconds)));
    }
    println!(
        "{:<42} | {:<48} | {:>9} | {:>9} | after",
        "scenario", "work", "peak RSS", "RSS"
    );
    println!("{}", "-".repeat(132));
    for r in rows {
        println!(
            "{:<42} | {:<48} | {:>5} MiB | {:>5} MiB | {}",
            r.scenario, r.detail, r.peak, r.end, r.after
        );
    }
}
