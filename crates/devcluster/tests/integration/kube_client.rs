//! kube-rs clients against the dev cluster: conflicts are reported as conflicts, lists paginate, and a
//! watcher survives a server restart and a 410 Gone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, PostParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Client, Config};
use rollouts_devcluster::testing::TestCluster;
use tokio::sync::mpsc;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn client(kubeconfig: &std::path::Path) -> Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(BTreeMap::from([("k".to_string(), "v".to_string())])),
        ..Default::default()
    }
}

#[test]
fn stale_writes_are_conflicts() {
    let cluster = TestCluster::start().unwrap();
    let rt = runtime();
    rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(client(&cluster.kubeconfig()).await, "default");
        let created = api.create(&PostParams::default(), &config_map("c")).await.unwrap();
        let mut fresh = created.clone();
        fresh.data = Some(BTreeMap::from([("k".to_string(), "v2".to_string())]));
        api.replace("c", &PostParams::default(), &fresh).await.unwrap();
        let mut stale = created;
        stale.data = Some(BTreeMap::from([("k".to_string(), "v3".to_string())]));
        match api.replace("c", &PostParams::default(), &stale).await {
            Err(kube::Error::Api(e)) => {
                assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));
                assert!(e.message.contains("the object has been modified"), "{}", e.message);
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        match api.create(&PostParams::default(), &config_map("c")).await {
            Err(kube::Error::Api(e)) => assert_eq!((e.code, e.reason.as_str()), (409, "AlreadyExists")),
            other => panic!("expected AlreadyExists, got {other:?}"),
        }
        match api.get("missing").await {
            Err(kube::Error::Api(e)) => assert_eq!((e.code, e.reason.as_str()), (404, "NotFound")),
            other => panic!("expected NotFound, got {other:?}"),
        }
    });
}

#[test]
fn lists_paginate_with_continue_tokens() {
    let cluster = TestCluster::start().unwrap();
    let rt = runtime();
    rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(client(&cluster.kubeconfig()).await, "default");
        for i in 0..5 {
            api.create(&PostParams::default(), &config_map(&format!("page-{i}")))
                .await
                .unwrap();
        }
        let first = api.list(&ListParams::default().limit(2)).await.unwrap();
        assert_eq!(first.items.len(), 2);
        assert_eq!(first.metadata.remaining_item_count, Some(3));
        let token = first.metadata.continue_.clone().unwrap();
        let second = api
            .list(&ListParams::default().limit(2).continue_token(&token))
            .await
            .unwrap();
        let third = api
            .list(
                &ListParams::default()
                    .limit(2)
                    .continue_token(second.metadata.continue_.as_deref().unwrap()),
            )
            .await
            .unwrap();
        assert_eq!(third.items.len(), 1);
        assert!(third.metadata.continue_.is_none());
        let names: Vec<String> = [first, second, third]
            .iter()
            .flat_map(|l| l.items.iter().map(|c| c.metadata.name.clone().unwrap()))
            .collect();
        assert_eq!(names, ["page-0", "page-1", "page-2", "page-3", "page-4"]);
    });
}

/// Names of config maps seen by a watcher, sent as they arrive.
fn spawn_watcher(
    rt: &tokio::runtime::Runtime,
    kubeconfig: std::path::PathBuf,
    streaming: bool,
) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    rt.spawn(async move {
        let api: Api<ConfigMap> = Api::namespaced(client(&kubeconfig).await, "default");
        let config = if streaming {
            watcher::Config::default().streaming_lists()
        } else {
            watcher::Config::default()
        };
        let mut stream = watcher::watcher(api, config).default_backoff().boxed();
        while let Some(event) = stream.next().await {
            match event {
                Ok(Event::Apply(cm) | Event::InitApply(cm)) => {
                    let _ = tx.send(cm.metadata.name.unwrap_or_default());
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = tx.send(format!("error: {e}"));
                }
            }
        }
    });
    rx
}

fn wait_for(rx: &mut mpsc::UnboundedReceiver<String>, name: &str) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while std::time::Instant::now() < deadline {
        match rx.try_recv() {
            Ok(n) if n == name => {
                seen.push(n);
                return seen;
            }
            Ok(n) => seen.push(n),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    panic!("watcher never saw {name}; saw {seen:?}");
}

fn create(cluster: &TestCluster, name: &str) {
    cluster.kubectl_ok_stdin(
        &["apply", "-f", "-"],
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n"),
    );
}

#[test]
fn a_watcher_survives_a_server_restart() {
    if !rollouts_devcluster::testing::kubectl_available() {
        return;
    }
    let cluster = TestCluster::start().unwrap();
    let rt = runtime();
    let mut seen = spawn_watcher(&rt, cluster.kubeconfig(), false);
    create(&cluster, "before-restart");
    wait_for(&mut seen, "before-restart");
    let cluster = cluster.restart().unwrap();
    create(&cluster, "after-restart");
    wait_for(&mut seen, "after-restart");
    rt.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn a_watcher_relists_after_410_gone() {
    if !rollouts_devcluster::testing::kubectl_available() {
        return;
    }
    let cluster = TestCluster::start().unwrap();
    let rt = runtime();
    let mut seen = spawn_watcher(&rt, cluster.kubeconfig(), false);
    create(&cluster, "first");
    wait_for(&mut seen, "first");
    // Forget history beyond the watcher's resourceVersion and cut its stream: its resume gets 410.
    for i in 0..3 {
        create(&cluster, &format!("churn-{i}"));
    }
    let server = &cluster.cluster().server;
    server.store.compact(server.store.revision());
    server.faults.cut_watches();
    create(&cluster, "after-gone");
    let seen_names = wait_for(&mut seen, "after-gone");
    // The only error the watcher may see is the 410 itself: as the HTTP status of its resumed watch, or
    // as the ERROR event Kubernetes sends in a stream that is already open (reason `Expired`, "too old
    // resource version"), whichever the cut and the compaction race into.
    assert!(
        !seen_names.iter().any(|n| n.starts_with("error: ")
            && !n.contains("410")
            && !(n.contains("too old resource version") && n.contains("Expired"))),
        "{seen_names:?}"
    );
    rt.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn a_watch_from_a_compacted_version_gets_410() {
    let cluster = TestCluster::start().unwrap();
    let rt = runtime();
    rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(client(&cluster.kubeconfig()).await, "default");
        api.create(&PostParams::default(), &config_map("x")).await.unwrap();
        let server = &cluster.cluster().server;
        server.store.compact(server.store.revision());
        let mut stream = api.watch(&WatchParams::default(), "1").await.unwrap().boxed();
        match stream.try_next().await {
            Ok(Some(WatchEvent::Error(e))) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
            other => panic!("expected a 410 error event, got {other:?}"),
        }
    });
}

#[test]
fn streaming_list_watchers_get_initial_events_and_the_end_bookmark() {
    let cluster = TestCluster::start().unwrap();
    let rt = runtime();
    rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(client(&cluster.kubeconfig()).await, "default");
        api.create(&PostParams::default(), &config_map("initial"))
            .await
            .unwrap();
    });
    let mut seen = spawn_watcher(&rt, cluster.kubeconfig(), true);
    wait_for(&mut seen, "initial");
    rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(client(&cluster.kubeconfig()).await, "default");
        api.create(&PostParams::default(), &config_map("later")).await.unwrap();
    });
    wait_for(&mut seen, "later");
    rt.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn events_recorded_through_events_k8s_io_show_in_kubectl_describe() {
    use k8s_openapi::api::events::v1::Event as EventsApiEvent;
    use kube::Resource;
    use kube::runtime::events::{Event, EventType, Recorder};
    if !rollouts_devcluster::testing::kubectl_available() {
        return;
    }
    let cluster = TestCluster::start().unwrap();
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        let cm = api
            .create(&PostParams::default(), &config_map("recorded"))
            .await
            .unwrap();
        let recorder = Recorder::new(client.clone(), "rollouts-controller".into());
        let event = Event {
            type_: EventType::Normal,
            reason: "RolloutUpdated".into(),
            note: Some("Rollout updated to revision 2".into()),
            action: "Update".into(),
            secondary: None,
        };
        recorder.publish(&event, &cm.object_ref(&())).await.unwrap();
        // Publishing the same event again patches its series count.
        recorder.publish(&event, &cm.object_ref(&())).await.unwrap();
        let events: Api<EventsApiEvent> = Api::namespaced(client, "default");
        let list = events.list(&ListParams::default()).await.unwrap();
        assert_eq!(list.items.len(), 1);
        assert_eq!(
            list.items[0].regarding.as_ref().and_then(|r| r.name.as_deref()),
            Some("recorded")
        );
    });
    let describe = cluster.kubectl_ok(&["describe", "configmap", "recorded"]);
    assert!(describe.contains("RolloutUpdated"), "{describe}");
    assert!(describe.contains("Rollout updated to revision 2"), "{describe}");
    let core = cluster.kubectl_ok(&[
        "get",
        "events",
        "-o",
        "jsonpath={.items[0].involvedObject.name} {.items[0].message}",
    ]);
    assert_eq!(core, "recorded Rollout updated to revision 2");
    rt.shutdown_timeout(Duration::from_secs(1));
}
