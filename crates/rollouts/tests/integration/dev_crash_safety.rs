//! `rollouts dev` killed with SIGKILL in the middle of a stream of writes loses none that it
//! acknowledged, and resourceVersions keep increasing after it restarts on the same data directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

/// Starts `rollouts dev` and waits until it prints where it listens.
fn start(dir: &Path) -> Child {
    let mut child = Command::new(BIN)
        .args(["dev", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert!(
        line.contains("running at https://127.0.0.1:"),
        "unexpected first line: {line}"
    );
    child
}

async fn client(kubeconfig: PathBuf) -> Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    Client::try_from(
        Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
            .await
            .unwrap(),
    )
    .unwrap()
}

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(BTreeMap::from([("payload".to_string(), "x".repeat(512))])),
        ..Default::default()
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("rollouts-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let acknowledged: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    for round in 0..3 {
        let mut server = start(&dir);
        let acked = Arc::clone(&acknowledged);
        let kubeconfig = dir.join("kubeconfig");
        // Four writers in parallel, so that kills land inside batched commits.
        let writers = rt.spawn(async move {
            let api: Api<ConfigMap> = Api::namespaced(client(kubeconfig).await, "default");
            let mut tasks = Vec::new();
            for w in 0..4 {
                let api = api.clone();
                let acked = Arc::clone(&acked);
                tasks.push(tokio::spawn(async move {
                    for i in 0.. {
                        let name = format!("r{round}-w{w}-{i}");
                        match api.create(&PostParams::default(), &config_map(&name)).await {
                            Ok(cm) => {
                                let rv = cm.metadata.resource_version.unwrap().parse().unwrap();
                                acked.lock().unwrap().push((name, rv));
                            }
                            Err(_) => return,
                        }
                    }
                }));
            }
            for t in tasks {
                let _ = t.await;
            }
        });
        std::thread::sleep(Duration::from_millis(400 + 150 * round));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        rt.block_on(writers).unwrap();
    }
    let mut server = start(&dir);
    let acked = acknowledged.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "too few writes were acknowledged to test anything: {}",
        acked.len()
    );
    let (present, next_rv) = rt.block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(client(dir.join("kubeconfig")).await, "default");
        let list = api.list(&Default::default()).await.unwrap();
        let present: Vec<String> = list.items.iter().map(|c| c.metadata.name.clone().unwrap()).collect();
        let created = api
            .create(&PostParams::default(), &config_map("after-crashes"))
            .await
            .unwrap();
        (
            present,
            created.metadata.resource_version.unwrap().parse::<u64>().unwrap(),
        )
    });
    let missing: Vec<&String> = acked.iter().map(|(n, _)| n).filter(|n| !present.contains(n)).collect();
    assert!(missing.is_empty(), "acknowledged writes lost: {missing:?}");
    let max_acked = acked.iter().map(|(_, rv)| *rv).max().unwrap();
    assert!(
        next_rv > max_acked,
        "resourceVersion went back: {next_rv} <= {max_acked}"
    );
    println!(
        "{} acknowledged writes across 3 SIGKILLs, all present; next resourceVersion {next_rv}",
        acked.len()
    );
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
