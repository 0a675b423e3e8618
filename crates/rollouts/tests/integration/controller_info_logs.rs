//! `rollouts controller` with `ROLLOUTS_LOG=info` says what it changes, as upstream's controller does:
//! a canary update shows the new ReplicaSet created, with the Rollout's namespace and name as fields.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject};
use rollouts_devcluster::testing::{TestCluster, fast_simulation, temp_dir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

/// The controller process, stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

/// Waits up to 30 s for a line of `lines` holding every one of `parts`.
fn wait_for_line(lines: &Mutex<Vec<String>>, parts: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = lines
            .lock()
            .unwrap()
            .iter()
            .find(|line| parts.iter().all(|part| line.contains(part)))
            .cloned();
        if let Some(line) = found {
            return line;
        }
        assert!(
            Instant::now() < deadline,
            "no line with {parts:?}; said:\n{}",
            lines.lock().unwrap().join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_controller_says_a_canary_update_at_info_level() {
    let crds = rollouts_api::crd::all()
        .unwrap()
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd).unwrap())
        .collect();
    let cluster = TestCluster::start_installed(&temp_dir("controller-info"), 0, Some(fast_simulation()), crds).unwrap();
    let mut child = Command::new(BIN)
        .args([
            "controller",
            "--leader-elect=false",
            "--metrics-addr=127.0.0.1:0",
            "--kubeconfig",
        ])
        .arg(cluster.kubeconfig())
        .env("ROLLOUTS_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let _controller = Running(child);
    let lines = Arc::new(Mutex::new(Vec::new()));
    let said = Arc::clone(&lines);
    std::thread::spawn(move || {
        for line in stderr.lines() {
            let Ok(line) = line else { break };
            said.lock().unwrap().push(line);
        }
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rollouts: Api<DynamicObject> = rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        Api::namespaced_with(client, "default", &ApiResource::erase::<rollouts_api::Rollout>(&()))
    });
    let rollout: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "canary-demo", "namespace": "default"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "canary-demo"}},
            "template": {"metadata": {"labels": {"app": "canary-demo"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}},
            "strategy": {"canary": {"steps": [{"setWeight": 50}, {"pause": {}}]}}
        }
    }))
    .unwrap();
    rt.block_on(rollouts.create(&PostParams::default(), &rollout)).unwrap();
    let fields = ["namespace=default", "rollout=canary-demo"];
    wait_for_line(
        &lines,
        &[
            "level=info",
            "Rollout completed update to revision 1",
            fields[0],
            fields[1],
        ],
    );

    let update = json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}});
    rt.block_on(rollouts.patch("canary-demo", &PatchParams::default(), &Patch::Merge(update)))
        .unwrap();
    let revision = wait_for_line(
        &lines,
        &["level=info", "Rollout updated to revision 2", fields[0], fields[1]],
    );
    assert!(revision.contains("event_reason=RolloutUpdated"), "{revision}");
    let created = wait_for_line(
        &lines,
        &[
            "level=info",
            "Created ReplicaSet canary-demo-",
            "(revision 2)",
            fields[0],
            fields[1],
        ],
    );
    assert!(!created.contains('\u{1b}'), "no colours with NO_COLOR: {created}");
    wait_for_line(
        &lines,
        &[
            "level=info",
            "Rollout step 1/2 completed (setWeight: 50)",
            fields[0],
            fields[1],
        ],
    );
    wait_for_line(
        &lines,
        &[
            "level=info",
            "Rollout is paused (CanaryPauseStep)",
            fields[0],
            fields[1],
        ],
    );
}
