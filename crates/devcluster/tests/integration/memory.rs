//! The dev cluster's memory stays bounded: the watch history is bounded by bytes (a watch from before it
//! gets 410 Gone, a watcher left behind is cut off and relists), a deleted object's history goes with it,
//! and the simulated node runs a bounded number of pods (more wait Unschedulable, with kube-scheduler's
//! Event) while ReplicaSets stop at the pod limit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher;
use kube::{Client, Config};
use rollouts_devcluster::StoreConfig;
use rollouts_devcluster::sim::SimConfig;
use rollouts_devcluster::testing::{TestCluster, fast_simulation, heap_size};
use serde_json::json;
use tokio::sync::mpsc;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn client(cluster: &TestCluster) -> Client {
    let kc = Kubeconfig::read_from(cluster.kubeconfig()).unwrap();
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

/// A cluster keeping at most `bytes` of watch history.
fn with_history_bytes(bytes: usize) -> TestCluster {
    TestCluster::start_config(rollouts_devcluster::Config {
        store: StoreConfig {
            watch_history_bytes: bytes,
            ..StoreConfig::default()
        },
        ..Default::default()
    })
    .unwrap()
}

fn config_map(name: &str, data: BTreeMap<String, String>) -> ConfigMap {
    ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(data),
        ..Default::default()
    }
}

/// A ConfigMap of about 100 KB of JSON, which takes much more as a tree in memory.
fn big_data(round: usize) -> BTreeMap<String, String> {
    (0..2000)
        .map(|i| (format!("key-{i:05}"), format!("value {round} {i}")))
        .collect()
}

fn small_data() -> BTreeMap<String, String> {
    BTreeMap::from([("k".to_string(), "v".to_string())])
}

async fn put_big(api: &Api<ConfigMap>, name: &str, round: usize) -> String {
    let cm = config_map(name, big_data(round));
    let stored = if round == 0 {
        api.create(&PostParams::default(), &cm).await.unwrap()
    } else {
        api.patch(name, &PatchParams::default(), &Patch::Merge(&cm))
            .await
            .unwrap()
    };
    stored.metadata.resource_version.unwrap()
}

#[test]
fn history_beyond_its_bytes_is_gone_and_a_watcher_left_behind_relists() {
    const LIMIT: usize = 1 << 20;
    let cluster = with_history_bytes(LIMIT);
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster).await;
        let namespaces: Api<Namespace> = Api::all(client.clone());
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "quiet"}})).unwrap();
        namespaces.create(&PostParams::default(), &ns).await.unwrap();
        let quiet: Api<ConfigMap> = Api::namespaced(client.clone(), "quiet");
        let busy: Api<ConfigMap> = Api::namespaced(client.clone(), "default");

        // A watcher of the quiet namespace sees its first object.
        let (tx, mut seen) = mpsc::unbounded_channel::<String>();
        let watched = quiet.clone();
        let watcher_task = tokio::spawn(async move {
            let mut stream = watcher::watcher(watched, watcher::Config::default())
                .default_backoff()
                .boxed();
            while let Some(event) = stream.next().await {
                let line = match event {
                    Ok(watcher::Event::Apply(cm) | watcher::Event::InitApply(cm)) => {
                        cm.metadata.name.unwrap_or_default()
                    }
                    Ok(_) => continue,
                    Err(e) => format!("error: {e}"),
                };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let first = quiet
            .create(&PostParams::default(), &config_map("first", small_data()))
            .await
            .unwrap();
        let first_rv = first.metadata.resource_version.unwrap();
        wait_for(&mut seen, "first").await;

        // Writes elsewhere push the history past the watcher's resourceVersion.
        let mut newest = String::new();
        for round in 0..12 {
            newest = put_big(&busy, "big", round).await;
        }
        let server = &cluster.cluster().server;
        let (events, bytes) = server.store.history_usage();
        let one = heap_size(&server.store.list("/core/configmaps", Some("default")).0[0].object);
        assert!(bytes <= LIMIT, "{bytes} bytes of history kept, over the {LIMIT} bound");
        assert!(events < 12 && one * 12 > LIMIT, "{events} events of {one} bytes kept");

        // A watch from before the kept history is told, as kube-apiserver tells it.
        let mut stream = quiet.watch(&WatchParams::default(), &first_rv).await.unwrap().boxed();
        match stream.try_next().await {
            Ok(Some(WatchEvent::Error(e))) => {
                assert_eq!((e.code, e.reason.as_str()), (410, "Expired"), "{e:?}");
                assert!(
                    e.message
                        .starts_with(&format!("too old resource version: {first_rv} (")),
                    "{}",
                    e.message
                );
            }
            other => panic!("expected 410 Gone, got {other:?}"),
        }
        // From the newest version it resumes.
        assert!(busy.watch(&WatchParams::default(), &newest).await.is_ok());

        // The watcher, cut off, resumes from its last version, gets 410 and relists.
        server.faults.cut_watches();
        quiet
            .create(&PostParams::default(), &config_map("after-gone", small_data()))
            .await
            .unwrap();
        let lines = wait_for(&mut seen, "after-gone").await;
        assert!(
            lines.iter().any(|l| l.contains("too old resource version")),
            "the watcher never got 410 Gone: {lines:?}"
        );
        watcher_task.abort();
    });
    rt.shutdown_timeout(Duration::from_secs(1));
}

async fn wait_for(rx: &mut mpsc::UnboundedReceiver<String>, name: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(line)) if line == name => return lines,
            Ok(Some(line)) => lines.push(line),
            _ => panic!("the watcher never saw {name}; saw {lines:?}"),
        }
    }
}

#[test]
fn a_watcher_that_does_not_read_is_cut_off_rather_than_holding_events() {
    const LIMIT: usize = 1 << 20;
    let cluster = with_history_bytes(LIMIT);
    let rt = runtime();
    rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(client(&cluster).await, "default");
        // A megabyte each: together far more than the connection's buffers hold.
        let blob = |round: usize| BTreeMap::from([("blob".to_string(), format!("{round} {}", "x".repeat(1_000_000)))]);
        let created = api
            .create(&PostParams::default(), &config_map("blob", blob(0)))
            .await
            .unwrap();
        let start = created.metadata.resource_version.unwrap();
        // Watching, but not reading until the writes are done.
        let mut stream = api.watch(&WatchParams::default(), &start).await.unwrap().boxed();
        let writes = 60;
        for round in 1..=writes {
            api.patch(
                "blob",
                &PatchParams::default(),
                &Patch::Merge(&config_map("blob", blob(round))),
            )
            .await
            .unwrap();
        }
        let mut delivered = 0;
        let mut last = start.clone();
        while let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
            .await
            .unwrap()
        {
            match event {
                WatchEvent::Modified(cm) => {
                    delivered += 1;
                    last = cm.metadata.resource_version.unwrap();
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        // The stream ended early: what the history forgot was never queued for this watcher.
        assert!(delivered < writes, "all {writes} events were held for the watcher");
        assert!(delivered > 0, "the watcher got nothing");
        let mut again = api.watch(&WatchParams::default(), &last).await.unwrap().boxed();
        match again.try_next().await {
            Ok(Some(WatchEvent::Error(e))) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
            other => panic!("expected 410 Gone after {delivered} events, got {other:?}"),
        }
    });
}

#[test]
fn deleting_a_big_object_releases_its_history() {
    let cluster = with_history_bytes(256 << 20);
    let rt = runtime();
    rt.block_on(async {
        let store = &cluster.cluster().server.store;
        // What the cluster wrote at start (namespaces, the bootstrap RBAC policy).
        let (_, at_start) = store.history_usage();
        let api: Api<ConfigMap> = Api::namespaced(client(&cluster).await, "default");
        api.create(&PostParams::default(), &config_map("small", small_data()))
            .await
            .unwrap();
        for round in 0..5 {
            put_big(&api, "big", round).await;
        }
        let size_of = |name: &str| {
            let (stored, _) = store.list("/core/configmaps", Some("default"));
            heap_size(&stored.iter().find(|s| s.key.name == name).unwrap().object)
        };
        let (small, big) = (size_of("small"), size_of("big"));
        let (_, before) = store.history_usage();
        assert!(before >= 5 * big, "{before} bytes for five versions of {big}");
        api.delete("big", &DeleteParams::default()).await.unwrap();
        let (_, after) = store.history_usage();
        // Left: its deletion (its last state) and the rest of the history, small.
        assert!(
            after < at_start + big + 16 * small,
            "{after} bytes left of {before}; one version is {big}"
        );
        assert!(after >= big, "the deletion event holds the last state: {after} < {big}");
    });
}

fn simulated(max_pods: usize, max_pod_objects: usize) -> TestCluster {
    TestCluster::start_config(rollouts_devcluster::Config {
        simulation: Some(SimConfig {
            max_pods,
            max_pod_objects,
            ..fast_simulation()
        }),
        ..Default::default()
    })
    .unwrap()
}

fn replica_set(name: &str, replicas: i32) -> ReplicaSet {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]},
            },
        },
    }))
    .unwrap()
}

async fn eventually<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

fn scheduled_condition(p: &Pod) -> Option<(String, String, String)> {
    let c = p
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "PodScheduled")?;
    Some((
        c.status.clone(),
        c.reason.clone().unwrap_or_default(),
        c.message.clone().unwrap_or_default(),
    ))
}

const TOO_MANY_PODS: &str = "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

#[test]
fn pods_beyond_max_pods_wait_unschedulable_then_run_once_room_frees_up() {
    let cluster = simulated(2, 100);
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster).await;
        let rss: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
        let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
        let events: Api<Event> = Api::namespaced(client, "default");
        rss.create(&PostParams::default(), &replica_set("web", 3))
            .await
            .unwrap();

        let (running, waiting) = eventually("two running pods and one unschedulable", async || {
            let list = pods.list(&ListParams::default()).await.ok()?.items;
            let running: Vec<Pod> = list.iter().filter(|p| phase(p) == "Running").cloned().collect();
            let waiting: Vec<Pod> = list
                .iter()
                .filter(|p| scheduled_condition(p).is_some_and(|c| c.1 == "Unschedulable"))
                .cloned()
                .collect();
            (list.len() == 3 && running.len() == 2 && waiting.len() == 1).then_some((running, waiting))
        })
        .await;
        let pending = &waiting[0];
        let pending_name = pending.metadata.name.clone().unwrap();
        assert_eq!(phase(pending), "Pending");
        assert!(pending.spec.as_ref().unwrap().node_name.is_none());
        assert_eq!(
            scheduled_condition(pending).unwrap(),
            (
                "False".to_string(),
                "Unschedulable".to_string(),
                TOO_MANY_PODS.to_string()
            )
        );

        // kube-scheduler's Event, once however long the pod waits.
        let failed = |list: &[Event]| -> Vec<Event> {
            list.iter()
                .filter(|e| e.reason.as_deref() == Some("FailedScheduling"))
                .cloned()
                .collect()
        };
        let recorded = eventually("the FailedScheduling event", async || {
            let list = events.list(&ListParams::default()).await.ok()?.items;
            let f = failed(&list);
            (!f.is_empty()).then_some(f)
        })
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let again = failed(&events.list(&ListParams::default()).await.unwrap().items);
        assert_eq!(again.len(), 1, "{again:?}");
        let event = &again[0];
        assert_eq!(event.metadata.name, recorded[0].metadata.name);
        assert_eq!(event.type_.as_deref(), Some("Warning"));
        assert_eq!(event.message.as_deref(), Some(TOO_MANY_PODS));
        assert_eq!(event.count, Some(1));
        assert_eq!(
            event.source.as_ref().and_then(|s| s.component.as_deref()),
            Some("default-scheduler")
        );
        assert_eq!(event.involved_object.kind.as_deref(), Some("Pod"));
        assert_eq!(event.involved_object.name.as_deref(), Some(pending_name.as_str()));

        // A running pod goes: the pod that waited longest takes its place and runs; its replacement
        // waits in turn.
        let gone = running[0].metadata.name.clone().unwrap();
        pods.delete(&gone, &DeleteParams::default()).await.unwrap();
        eventually("the waiting pod to run", async || {
            let p = pods.get(&pending_name).await.ok()?;
            let node = p.spec.as_ref()?.node_name.clone()?;
            (phase(&p) == "Running" && scheduled_condition(&p)?.0 == "True").then_some(node)
        })
        .await;
        eventually("the replacement to wait", async || {
            let list = pods.list(&ListParams::default()).await.ok()?.items;
            let names: Vec<String> = list.iter().filter_map(|p| p.metadata.name.clone()).collect();
            let waiting = list
                .iter()
                .filter(|p| scheduled_condition(p).is_some_and(|c| c.1 == "Unschedulable"))
                .count();
            let running = list.iter().filter(|p| phase(p) == "Running").count();
            (!names.contains(&gone) && running == 2 && waiting == 1).then_some(())
        })
        .await;
    });
}

#[test]
fn a_huge_replica_count_stops_at_the_pod_limit_with_replica_failure() {
    let cluster = simulated(2, 12);
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster).await;
        let rss: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
        let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
        let events: Api<Event> = Api::namespaced(client, "default");
        rss.create(&PostParams::default(), &replica_set("huge", 1_000_000))
            .await
            .unwrap();
        let condition = eventually("the ReplicaFailure condition", async || {
            let rs = rss.get("huge").await.ok()?;
            rs.status?
                .conditions?
                .into_iter()
                .find(|c| c.type_.as_deref() == Some("ReplicaFailure"))
        })
        .await;
        assert_eq!(
            (condition.status.as_deref(), condition.reason.as_deref()),
            (Some("True"), Some("FailedCreate"))
        );
        let message = condition.message.unwrap_or_default();
        assert!(
            message.contains("is forbidden: exceeded the dev cluster's pod limit")
                && message.ends_with("limited: pods=12"),
            "{message}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(pods.list(&ListParams::default()).await.unwrap().items.len(), 12);
        let failed: Vec<Event> = events
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.reason.as_deref() == Some("FailedCreate"))
            .collect();
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(
            failed[0].message.as_deref(),
            Some(format!("Error creating: {message}").as_str())
        );
        assert_eq!(
            failed[0].source.as_ref().and_then(|s| s.component.as_deref()),
            Some("replicaset-controller")
        );
    });
}
