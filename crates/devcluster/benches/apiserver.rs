//! API server benchmark: 10,000 stored objects — sustained write rate, list latency, watch fan-out to
//! 100 watchers, and the server's resident memory. The server runs in a child process (this binary
//! re-executed with `serve`) so that its memory is measured alone; clients talk HTTPS through kube-rs.
//!
//! Run: `cargo bench -p rollouts-devcluster --bench apiserver` (add `-- --objects N` to change the size).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, PostParams, WatchEvent, WatchParams};

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            labels: Some(BTreeMap::from([("app".to_string(), "bench".to_string())])),
            ..Default::default()
        },
        data: Some(BTreeMap::from([("config".to_string(), "x".repeat(400))])),
        ..Default::default()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    common::serve_if_asked();
    let args: Vec<String> = std::env::args().collect();
    let objects: usize = args
        .iter()
        .position(|a| a == "--objects")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("rollouts-apiserver-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = common::start_server(&dir, false);
    let pid = server.id();
    let idle_rss = common::rss_kib(pid);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(common::client(&dir).await, "default");

        // Sustained writes: 16 concurrent clients creating objects until `objects` exist.
        let started = Instant::now();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut writers = Vec::new();
        for _ in 0..16 {
            let (api, next) = (api.clone(), Arc::clone(&next));
            writers.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= objects {
                        return;
                    }
                    api.create(&PostParams::default(), &config_map(&format!("bench-{i:05}")))
                        .await
                        .unwrap();
                }
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        let write_secs = started.elapsed().as_secs_f64();
        println!(
            "writes: {objects} creates by 16 clients in {write_secs:.2}s = {:.0} durable writes/s",
            objects as f64 / write_secs
        );
        println!(
            "server RSS: idle {} MiB, with {objects} objects {} MiB",
            idle_rss / 1024,
            common::rss_kib(pid) / 1024
        );

        // List latency.
        let mut full = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let list = api.list(&ListParams::default()).await.unwrap();
            full.push(t.elapsed());
            assert_eq!(list.items.len(), objects);
        }
        full.sort();
        let mut pages = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let page = api.list(&ListParams::default().limit(500)).await.unwrap();
            pages.push(t.elapsed());
            assert_eq!(page.items.len(), 500.min(objects));
        }
        pages.sort();
        let mut selected = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let hit = api.list(&ListParams::default().labels("app=none")).await.unwrap();
            selected.push(t.elapsed());
            assert!(hit.items.is_empty());
        }
        selected.sort();
        println!(
            "list: all {objects} p50 {:?} max {:?}; 500-item page p50 {:?}; label selector matching nothing p50 {:?}",
            percentile(&full, 0.5),
            full[full.len() - 1],
            percentile(&pages, 0.5),
            percentile(&selected, 0.5)
        );

        // Watch fan-out: 100 watchers from the current resourceVersion, then 200 writes.
        let rv = api
            .list(&ListParams::default().limit(1))
            .await
            .unwrap()
            .metadata
            .resource_version
            .unwrap();
        let writes = 200usize;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
        for _ in 0..100 {
            let (api, tx, rv) = (api.clone(), tx.clone(), rv.clone());
            tokio::spawn(async move {
                let mut stream = api.watch(&WatchParams::default(), &rv).await.unwrap().boxed();
                let mut seen = 0;
                while let Some(Ok(event)) = stream.next().await {
                    if let WatchEvent::Added(cm) = event {
                        let i: usize = cm.metadata.name.unwrap().trim_start_matches("fanout-").parse().unwrap();
                        tx.send((i, Instant::now())).unwrap();
                        seen += 1;
                        if seen == writes {
                            return;
                        }
                    }
                }
            });
        }
        drop(tx);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut acked = Vec::new();
        let started = Instant::now();
        for i in 0..writes {
            api.create(&PostParams::default(), &config_map(&format!("fanout-{i}")))
                .await
                .unwrap();
            acked.push(Instant::now());
        }
        let mut latencies = Vec::new();
        while let Some((i, at)) = rx.recv().await {
            latencies.push(at.saturating_duration_since(acked[i]));
        }
        let total = started.elapsed();
        latencies.sort();
        println!(
            "watch fan-out: {writes} writes to 100 watchers = {} events delivered in {:.2}s ({:.0} events/s); \
             delivery after ack p50 {:?} p99 {:?}",
            latencies.len(),
            total.as_secs_f64(),
            latencies.len() as f64 / total.as_secs_f64(),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99)
        );
        println!("server RSS after fan-out: {} MiB", common::rss_kib(pid) / 1024);
    });
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
