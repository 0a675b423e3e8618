//! Several `rollouts controller` processes on one dev cluster, as replicas of the Deployment run: one
//! holds the Lease (read with kubectl) and only it makes requests beyond the Lease's (counted per
//! process on its `/metrics`); SIGTERM on the leader gives the lease up and a follower takes over at
//! its next try; kill -9 of the leader in the middle of a canary update hands the update over once the
//! lease expires, with every step taken in order and no ReplicaSet made twice. `--instance-id` and
//! `--namespaced` split the objects between controllers.
//!
//! The durations are shortened (lease 2 s, renew deadline 1.5 s, retry 250 ms) so that a takeover
//! fits a CI test; `takeover_figures` (ignored; `scripts/bench-leader-election`) repeats the kill 20
//! times with upstream's durations and prints the takeover times.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject};
use rollouts_devcluster::rbac::{AuditRecord, Rule, bootstrap_rules};
use rollouts_devcluster::testing::{TestCluster, fast_simulation, kubectl_available, temp_dir};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");
const LEASE_NAMESPACE: &str = "argo-rollouts";
const LEASE: &str = "argo-rollouts-controller-lock";

/// Lease, renew deadline and retry period of the CI tests.
const QUICK: [&str; 3] = [
    "--leader-election-lease-duration=2s",
    "--leader-election-renew-deadline=1500ms",
    "--leader-election-retry-period=250ms",
];

fn start_cluster(label: &str) -> TestCluster {
    let crds = rollouts_api::crd::all()
        .unwrap()
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd).unwrap())
        .collect();
    TestCluster::start_installed(&temp_dir(label), 0, Some(fast_simulation()), crds).unwrap()
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn wait_until<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One `rollouts controller` process, its JSON log in a file, its `/metrics` on a port of its own.
struct Candidate {
    child: Option<Child>,
    log: PathBuf,
    metrics: SocketAddr,
}

impl Candidate {
    fn start(cluster: &TestCluster, name: &str, env: &[(&str, &str)], flags: &[&str]) -> Self {
        Self::start_as(cluster, &cluster.kubeconfig(), name, env, flags)
    }

    /// A candidate with the credentials of `kubeconfig`.
    fn start_as(cluster: &TestCluster, kubeconfig: &Path, name: &str, env: &[(&str, &str)], flags: &[&str]) -> Self {
        let log = cluster.dir().join(format!("{name}.log"));
        let metrics = free_addr();
        let child = Command::new(BIN)
            .arg("controller")
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["--metrics-addr", &metrics.to_string(), "--logformat=json"])
            .args(flags)
            .env_remove("KUBECONFIG")
            .env_remove("ROLLOUTS_LOG")
            .env("POD_NAMESPACE", LEASE_NAMESPACE)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self {
            child: Some(child),
            log,
            metrics,
        }
    }

    fn log_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Its identity in the lease, from its log.
    fn identity(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = self
                .log_lines()
                .into_iter()
                .find(|line| line["msg"] == "attempting to acquire the leader lease")
                .and_then(|line| line["identity"].as_str().map(str::to_string));
            if let Some(identity) = found {
                return identity;
            }
            assert!(
                Instant::now() < deadline,
                "no identity from the candidate; its log:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its API requests by verb and resource, except the Lease's, from its `/metrics` (any counter
    /// with a `verb` label, whatever its name, so that a renamed series still counts).
    fn requests_beyond_the_lease(&self) -> BTreeMap<String, f64> {
        let url = format!("http://{}/metrics", self.metrics);
        let (status, body) = rollouts_testkit::http::get(&url, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("{url}: {e}\n{}", self.log_text()));
        assert_eq!(status, 200, "{url}");
        let mut counts = BTreeMap::new();
        for line in body.lines().filter(|l| !l.starts_with('#')) {
            let Some((series, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let lower = series.to_ascii_lowercase();
            if !lower.contains("request") || !lower.contains("verb=") || lower.contains("lease") {
                continue;
            }
            *counts.entry(series.to_string()).or_insert(0.0) += value.parse::<f64>().unwrap_or(0.0);
        }
        counts.retain(|_, count| *count > 0.0);
        counts
    }

    /// Its writes (create, update, patch, delete) beyond the Lease's.
    fn writes(&self) -> f64 {
        self.requests_beyond_the_lease()
            .iter()
            .filter(|(series, _)| {
                let lower = series.to_ascii_lowercase();
                ["create", "update", "patch", "delete"]
                    .iter()
                    .any(|verb| lower.contains(&format!("verb=\"{verb}")))
            })
            .map(|(_, count)| count)
            .sum()
    }

    /// Sends `signal`; waits for the exit and returns whether it exited 0.
    fn signal(&mut self, signal: &str) -> bool {
        let mut child = self.child.take().unwrap();
        assert!(
            Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(exit) = child.try_wait().unwrap() {
                return exit.success();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the controller did not stop on {signal}:\n{}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Candidate {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The test's own client, on a runtime of its own.
struct Client {
    runtime: tokio::runtime::Runtime,
    client: kube::Client,
}

impl Client {
    fn new(kubeconfig: &Path) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let client = runtime.block_on(async {
            let config = kube::Config::from_custom_kubeconfig(
                Kubeconfig::read_from(kubeconfig).unwrap(),
                &KubeConfigOptions::default(),
            )
            .await
            .unwrap();
            kube::Client::try_from(config).unwrap()
        });
        Self { runtime, client }
    }

    fn create_namespace(&self, name: &str) {
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        let namespace: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
        self.runtime
            .block_on(namespaces.create(&PostParams::default(), &namespace))
            .unwrap();
    }

    fn holder(&self, namespace: &str, lease: &str) -> Option<String> {
        let leases: Api<Lease> = Api::namespaced(self.client.clone(), namespace);
        let lease = self.runtime.block_on(leases.get_opt(lease)).unwrap()?;
        lease.spec?.holder_identity.filter(|h| !h.is_empty())
    }

    fn rollouts(&self, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.client.clone(),
            namespace,
            &ApiResource::erase::<rollouts_api::Rollout>(&()),
        )
    }

    fn create_rollout(&self, namespace: &str, rollout: Value) {
        let rollout: DynamicObject = serde_json::from_value(rollout).unwrap();
        self.runtime
            .block_on(self.rollouts(namespace).create(&PostParams::default(), &rollout))
            .unwrap();
    }

    fn rollout(&self, namespace: &str, name: &str) -> Value {
        let rollout = self.runtime.block_on(self.rollouts(namespace).get(name)).unwrap();
        serde_json::to_value(rollout).unwrap()
    }

    fn set_image(&self, name: &str, image: &str) {
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}});
        self.runtime
            .block_on(
                self.rollouts("default")
                    .patch(name, &PatchParams::default(), &Patch::Merge(&patch)),
            )
            .unwrap();
    }
}

/// A canary Rollout of four replicas in `default` whose steps take a few seconds on the fast
/// simulation.
fn canary(name: &str, labels: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {
            "replicas": 4,
            "revisionHistoryLimit": 30,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "app", "image": "nginx:1"}]}},
            "strategy": {"canary": {"steps": [
                {"setWeight": 25}, {"pause": {"duration": "1s"}},
                {"setWeight": 50}, {"pause": {"duration": "1s"}},
                {"setWeight": 75}, {"pause": {"duration": "1s"}}
            ]}}
        }
    })
}

const STEPS: i64 = 6;

/// Whether the Rollout is fully promoted to its current template.
fn completed(rollout: &Value) -> bool {
    let status = &rollout["status"];
    status["observedGeneration"].as_str()
        == rollout["metadata"]["generation"]
            .as_i64()
            .map(|g| g.to_string())
            .as_deref()
        && status["currentPodHash"].is_string()
        && status["stableRS"] == status["currentPodHash"]
        && status["currentStepIndex"] == STEPS
        && status["availableReplicas"] == 4
}

/// What a watch of the Rollout and of the ReplicaSets saw: every status (pod hash, step index) in
/// order, and every ReplicaSet (uid, name, pod-template hash) that appeared.
#[derive(Default)]
struct Recording {
    steps: Vec<(String, i64)>,
    replica_sets: BTreeSet<(String, String, String)>,
}

/// Records every change of the Rollout `name` and every ReplicaSet created in `default`.
fn record(client: &Client, name: &str) -> Arc<Mutex<Recording>> {
    let recording = Arc::new(Mutex::new(Recording::default()));
    let rollouts = client.rollouts("default");
    let seen = Arc::clone(&recording);
    let selector = format!("metadata.name={name}");
    client.runtime.spawn(async move {
        watch_all(rollouts, &selector, move |event| {
            if let WatchEvent::Added(ro) | WatchEvent::Modified(ro) = event {
                let status = &ro.data["status"];
                if let (Some(hash), Some(index)) =
                    (status["currentPodHash"].as_str(), status["currentStepIndex"].as_i64())
                {
                    seen.lock().unwrap().steps.push((hash.to_string(), index));
                }
            }
        })
        .await;
    });
    let replica_sets: Api<ReplicaSet> = Api::namespaced(client.client.clone(), "default");
    let seen = Arc::clone(&recording);
    client.runtime.spawn(async move {
        watch_all(replica_sets, "", move |event| {
            if let WatchEvent::Added(rs) = event {
                let hash = rs
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("rollouts-pod-template-hash").cloned())
                    .unwrap_or_default();
                let uid = rs.metadata.uid.unwrap_or_default();
                let name = rs.metadata.name.unwrap_or_default();
                seen.lock().unwrap().replica_sets.insert((uid, name, hash));
            }
        })
        .await;
    });
    recording
}

/// Watches `api` for good, handing every event to `seen`; after an expired resource version it starts
/// again from the current state (replayed as additions, which the recordings fold).
async fn watch_all<K>(api: Api<K>, fields: &str, mut seen: impl FnMut(WatchEvent<K>))
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    let mut version = "0".to_string();
    loop {
        let params = WatchParams::default().fields(fields).timeout(60);
        let Ok(stream) = api.watch(&params, &version).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let mut stream = stream.boxed();
        while let Some(Ok(event)) = stream.next().await {
            match &event {
                WatchEvent::Added(o) | WatchEvent::Modified(o) | WatchEvent::Deleted(o) => {
                    if let Some(rv) = o.meta().resource_version.clone() {
                        version = rv;
                    }
                }
                WatchEvent::Bookmark(b) => version = b.metadata.resource_version.clone(),
                WatchEvent::Error(error) => {
                    if error.code == 410 {
                        version = "0".to_string();
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            seen(event);
        }
    }
}

/// The step indexes the Rollout went through for the template of `hash`, repeats folded.
fn steps_of(recording: &Recording, hash: &str) -> Vec<i64> {
    let mut steps: Vec<i64> = recording
        .steps
        .iter()
        .filter(|(h, _)| h == hash)
        .map(|(_, index)| *index)
        .collect();
    steps.dedup();
    steps
}

/// The candidate holding the lease, once one does.
fn leader_of(client: &Client, candidates: &[Candidate], identities: &[String]) -> usize {
    wait_until("a leader", Duration::from_secs(30), || {
        let holder = client.holder(LEASE_NAMESPACE, LEASE)?;
        identities
            .iter()
            .position(|id| *id == holder)
            .filter(|i| candidates[*i].child.is_some())
    })
}

#[test]
fn exactly_one_leader_writes_and_a_released_lease_is_taken_over_at_once() {
    if !kubectl_available() {
        return;
    }
    let cluster = start_cluster("lease-one-writer");
    let client = Client::new(&cluster.kubeconfig());
    client.create_namespace(LEASE_NAMESPACE);
    let mut candidates: Vec<Candidate> = (0..3)
        .map(|i| Candidate::start(&cluster, &format!("c{i}"), &[], &QUICK))
        .collect();
    let identities: Vec<String> = candidates.iter().map(Candidate::identity).collect();
    let leader = leader_of(&client, &candidates, &identities);
    // kubectl reads the same holder.
    let holder = cluster.kubectl_ok(&[
        "get",
        "lease",
        LEASE,
        "-n",
        LEASE_NAMESPACE,
        "-o",
        "jsonpath={.spec.holderIdentity}",
    ]);
    assert_eq!(holder, identities[leader]);

    client.create_rollout("default", canary("web", json!({})));
    wait_until("the Rollout to be healthy", Duration::from_secs(30), || {
        completed(&client.rollout("default", "web")).then_some(())
    });
    assert!(candidates[leader].writes() > 0.0, "the leader wrote nothing");
    for (i, follower) in candidates.iter().enumerate().filter(|(i, _)| *i != leader) {
        assert_eq!(
            follower.requests_beyond_the_lease(),
            BTreeMap::new(),
            "follower c{i} made requests beyond the Lease's"
        );
    }

    // SIGTERM: the leader stops its controllers, clears the holder and exits 0; a follower takes the
    // lease at its next try instead of waiting for it to expire.
    let started = Instant::now();
    assert!(candidates[leader].signal("-TERM"), "{}", candidates[leader].log_text());
    let released = Instant::now();
    let next = leader_of(&client, &candidates, &identities);
    let takeover = released.elapsed();
    eprintln!(
        "SIGTERM to exit: {:?}; exit to a new leader: {takeover:?}",
        released - started
    );
    assert_ne!(next, leader);
    assert!(
        candidates[leader].log_text().contains("released the leader lease"),
        "{}",
        candidates[leader].log_text()
    );
    // The new leader carries on: an update is rolled out by it alone.
    let before = candidates[next].writes();
    client.set_image("web", "nginx:2");
    wait_until("the update to complete", Duration::from_secs(30), || {
        completed(&client.rollout("default", "web")).then_some(())
    });
    assert!(candidates[next].writes() > before);
    let last = (0..3).find(|i| *i != leader && *i != next).unwrap();
    assert_eq!(candidates[last].requests_beyond_the_lease(), BTreeMap::new());
}

#[test]
fn a_leader_whose_lease_is_taken_stops_its_controllers_and_exits() {
    let cluster = start_cluster("lease-lost");
    let client = Client::new(&cluster.kubeconfig());
    client.create_namespace(LEASE_NAMESPACE);
    let mut leader = Candidate::start(&cluster, "leader", &[], &QUICK);
    let identity = leader.identity();
    wait_until("the lease", Duration::from_secs(20), || {
        (client.holder(LEASE_NAMESPACE, LEASE)? == identity).then_some(())
    });
    // Another holder writes itself into the lease (as an elector with a skewed view would): the leader
    // cannot renew, and gives up within its renew deadline.
    let leases: Api<Lease> = Api::namespaced(client.client.clone(), LEASE_NAMESPACE);
    let taken = Instant::now();
    client.runtime.block_on(async {
        let mut lease = leases.get(LEASE).await.unwrap();
        let spec = lease.spec.as_mut().unwrap();
        spec.holder_identity = Some("intruder".into());
        spec.lease_duration_seconds = Some(60);
        leases.replace(LEASE, &PostParams::default(), &lease).await.unwrap();
    });
    let mut child = leader.child.take().unwrap();
    let exit = wait_until("the leader to exit", Duration::from_secs(20), || {
        child.try_wait().unwrap()
    });
    eprintln!("lease taken to exit: {:?}", taken.elapsed());
    let log = leader.log_text();
    assert!(!exit.success(), "losing the lease is an error exit:\n{log}");
    assert!(log.contains("stopped leading"), "{log}");
    assert!(
        log.contains("lost the leader lease argo-rollouts/argo-rollouts-controller-lock"),
        "{log}"
    );
    assert_eq!(
        client.holder(LEASE_NAMESPACE, LEASE).as_deref(),
        Some("intruder"),
        "not released"
    );
}

/// Runs `kills` canary updates of one Rollout with three candidates; in each the leader is killed
/// (-9) once the update has passed its first step, and replaced by a fresh candidate. Returns the time
/// from each kill to the next holder of the lease.
fn updates_with_killed_leaders(label: &str, kills: usize, durations: &[&str]) -> Vec<Duration> {
    let cluster = start_cluster(label);
    let client = Client::new(&cluster.kubeconfig());
    client.create_namespace(LEASE_NAMESPACE);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut identities: Vec<String> = Vec::new();
    let mut started = 0;
    let mut start = |candidates: &mut Vec<Candidate>, identities: &mut Vec<String>| {
        let candidate = Candidate::start(&cluster, &format!("c{started}"), &[], durations);
        identities.push(candidate.identity());
        candidates.push(candidate);
        started += 1;
    };
    for _ in 0..3 {
        start(&mut candidates, &mut identities);
    }
    let recording = record(&client, "web");
    client.create_rollout("default", canary("web", json!({})));
    wait_until("the Rollout to be healthy", Duration::from_secs(60), || {
        completed(&client.rollout("default", "web")).then_some(())
    });

    let mut takeovers = Vec::new();
    for round in 0..kills {
        client.set_image("web", &format!("nginx:{}", round + 2));
        let hash = wait_until("the update to pass its first step", Duration::from_secs(60), || {
            let status = client.rollout("default", "web")["status"].clone();
            let hash = status["currentPodHash"].as_str()?.to_string();
            (status["stableRS"].as_str() != Some(hash.as_str()) && status["currentStepIndex"].as_i64()? >= 1)
                .then_some(hash)
        });
        let leader = leader_of(&client, &candidates, &identities);
        assert!(!candidates[leader].signal("-KILL"), "a killed process does not exit 0");
        let killed = Instant::now();
        let next = leader_of(&client, &candidates, &identities);
        takeovers.push(killed.elapsed());
        assert_ne!(next, leader);
        start(&mut candidates, &mut identities);
        wait_until("the update to complete", Duration::from_secs(60), || {
            completed(&client.rollout("default", "web")).then_some(())
        });
        let steps = {
            let recording = recording.lock().unwrap();
            steps_of(&recording, &hash)
        };
        assert_eq!(
            steps,
            (0..=STEPS).collect::<Vec<_>>(),
            "round {round}: steps seen for {hash} (killed c{leader}, c{next} took over)"
        );
    }
    // Every ReplicaSet was created once: one per template, none twice. (Copied out: the watches lock
    // the recording on the client's only worker, which the list below needs.)
    let created = recording.lock().unwrap().replica_sets.clone();
    assert_eq!(created.len(), kills + 1, "ReplicaSets created: {created:?}");
    let hashes: BTreeSet<&str> = created.iter().map(|(_, _, hash)| hash.as_str()).collect();
    assert_eq!(hashes.len(), kills + 1, "ReplicaSets created: {created:?}");
    let replica_sets: Api<ReplicaSet> = Api::namespaced(client.client.clone(), "default");
    let listed = client
        .runtime
        .block_on(replica_sets.list(&ListParams::default()))
        .unwrap();
    assert_eq!(listed.items.len(), kills + 1);
    // Candidates that never led made no request beyond the Lease's.
    let leaders: Vec<String> = candidates
        .iter()
        .flat_map(Candidate::log_lines)
        .filter(|line| line["msg"] == "became the leader")
        .filter_map(|line| line["identity"].as_str().map(str::to_string))
        .collect();
    for (candidate, identity) in candidates.iter().zip(&identities) {
        if candidate.child.is_some() && !leaders.contains(identity) {
            assert_eq!(candidate.requests_beyond_the_lease(), BTreeMap::new(), "{identity}");
        }
    }
    takeovers
}

#[test]
fn a_leader_killed_mid_update_is_replaced_and_no_step_is_skipped() {
    let takeovers = updates_with_killed_leaders("lease-kill", 2, &QUICK);
    eprintln!("kill -9 to a new leader (lease 2 s): {takeovers:?}");
    // A live bound, not a speed figure: the lease expires 2 s after the last renewal seen.
    assert!(takeovers.iter().all(|t| *t < Duration::from_secs(20)), "{takeovers:?}");
}

/// `scripts/bench-leader-election`: 20 kills with upstream's durations (lease 15 s, renew 10 s, retry
/// 2 s); prints each takeover time and their spread.
#[test]
#[ignore = "a benchmark: about 7 minutes"]
fn takeover_figures() {
    let rounds = std::env::var("ROLLOUTS_LEADER_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let takeovers = updates_with_killed_leaders("lease-bench", rounds, &[]);
    let mut seconds: Vec<f64> = takeovers.iter().map(Duration::as_secs_f64).collect();
    for (i, s) in seconds.iter().enumerate() {
        println!("kill {:2}: new leader after {s:.2} s", i + 1);
    }
    seconds.sort_by(f64::total_cmp);
    let mean = seconds.iter().sum::<f64>() / seconds.len() as f64;
    println!(
        "{} kills (lease 15 s): takeover min {:.2} s, median {:.2} s, mean {mean:.2} s, max {:.2} s; \
         every update finished with its steps in order and one ReplicaSet per template",
        seconds.len(),
        seconds[0],
        seconds[seconds.len() / 2],
        seconds[seconds.len() - 1]
    );
}

#[test]
fn controllers_of_different_instances_each_handle_their_own_rollouts() {
    let cluster = start_cluster("lease-instances");
    let client = Client::new(&cluster.kubeconfig());
    client.create_namespace(LEASE_NAMESPACE);
    let label = |id: &str| json!({"argo-rollouts.argoproj.io/controller-instance-id": id});
    client.create_rollout("default", canary("blue-app", label("blue")));
    client.create_rollout("default", canary("green-app", label("green")));
    client.create_rollout("default", canary("plain-app", json!({})));
    let reconciled = |name: &str| client.rollout("default", name)["status"]["observedGeneration"].is_string();

    let blue = Candidate::start(&cluster, "blue", &[], &[&["--instance-id=blue"], &QUICK[..]].concat());
    wait_until("blue's Rollout", Duration::from_secs(30), || {
        reconciled("blue-app").then_some(())
    });
    // Another instance's Rollout and an unlabelled one are not blue's.
    std::thread::sleep(Duration::from_secs(1));
    assert!(!reconciled("green-app"));
    assert!(!reconciled("plain-app"));

    let green = Candidate::start(&cluster, "green", &[], &[&["--instance-id=green"], &QUICK[..]].concat());
    wait_until("green's Rollout", Duration::from_secs(30), || {
        reconciled("green-app").then_some(())
    });
    // Each instance elects its own leader, on a lease of its own.
    assert_eq!(
        client.holder(LEASE_NAMESPACE, &format!("{LEASE}-blue")),
        Some(blue.identity())
    );
    assert_eq!(
        client.holder(LEASE_NAMESPACE, &format!("{LEASE}-green")),
        Some(green.identity())
    );
    assert_eq!(client.holder(LEASE_NAMESPACE, LEASE), None);
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        !reconciled("plain-app"),
        "the unlabelled Rollout belongs to the controller without an id"
    );

    let plain = Candidate::start(&cluster, "plain", &[], &QUICK);
    wait_until("the unlabelled Rollout", Duration::from_secs(30), || {
        reconciled("plain-app").then_some(())
    });
    assert_eq!(client.holder(LEASE_NAMESPACE, LEASE), Some(plain.identity()));
}

#[test]
fn namespaced_watches_only_the_controller_s_namespace_and_no_cluster_templates() {
    let cluster = start_cluster("lease-namespaced");
    let client = Client::new(&cluster.kubeconfig());
    client.create_namespace("team-a");
    let mut in_team_a = canary("app", json!({}));
    in_team_a["metadata"]["namespace"] = json!("team-a");
    client.create_rollout("team-a", in_team_a);
    client.create_rollout("default", canary("app", json!({})));
    let reconciled = |namespace: &str| client.rollout(namespace, "app")["status"]["observedGeneration"].is_string();

    // POD_NAMESPACE names the controller's namespace: the one watched, and the lease's.
    let namespaced = Candidate::start(
        &cluster,
        "namespaced",
        &[("POD_NAMESPACE", "team-a")],
        &["--namespaced"],
    );
    wait_until("the Rollout in team-a", Duration::from_secs(30), || {
        reconciled("team-a").then_some(())
    });
    assert_eq!(client.holder("team-a", LEASE), Some(namespaced.identity()));
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        !reconciled("default"),
        "a namespaced controller reconciled a Rollout of another namespace"
    );

    // The controller watching every namespace lists ClusterAnalysisTemplates; the namespaced one never
    // asks for them (a namespaced Role could not grant it), and its caches still count as filled.
    let cluster_templates = |candidate: &Candidate| {
        candidate
            .requests_beyond_the_lease()
            .keys()
            .any(|series| series.contains("clusteranalysistemplates"))
    };
    let everywhere = Candidate::start(&cluster, "everywhere", &[], &["--leader-elect=false"]);
    wait_until("the cluster-wide controller", Duration::from_secs(30), || {
        reconciled("default").then_some(())
    });
    assert!(
        cluster_templates(&everywhere),
        "{:?}",
        everywhere.requests_beyond_the_lease()
    );
    assert!(
        !cluster_templates(&namespaced),
        "{:?}",
        namespaced.requests_beyond_the_lease()
    );
}

/// The audited Lease requests of the install's ServiceAccount.
fn lease_requests(log: &Path) -> Vec<AuditRecord> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|line| AuditRecord::parse(line).unwrap())
        .filter(|r| r.user == "system:serviceaccount:argo-rollouts:argo-rollouts" && r.resource == "leases")
        .collect()
}

/// `rollouts controller` as the install's ServiceAccount (`deploy/install.yaml` applied, a token from
/// `kubectl create token`), with the dev cluster enforcing RBAC: it takes the lease and gives it back on
/// SIGTERM, every Lease request it makes is allowed by the role's `leases` rule and by nothing else it
/// holds; with that rule taken out of the ClusterRole its Lease requests are refused and it never leads.
#[test]
fn the_install_s_service_account_needs_the_leases_rule_to_lead() {
    if !kubectl_available() {
        return;
    }
    let dir = temp_dir("lease-rbac");
    let log = dir.join("audit.log");
    let cluster = TestCluster::start_config(rollouts_devcluster::Config {
        data_dir: Some(dir.clone()),
        simulation: Some(fast_simulation()),
        audit_log: Some(log.clone()),
        ..rollouts_devcluster::Config::default()
    })
    .unwrap();
    let install = rollouts_testkit::workspace_root().join("deploy/install.yaml");
    cluster.kubectl_ok(&["apply", "--server-side", "-f", install.to_str().unwrap()]);
    let token = cluster.kubectl_ok(&["create", "token", "argo-rollouts", "-n", "argo-rollouts"]);
    let as_account = cluster.kubeconfig_with_token("argo-rollouts", token.trim()).unwrap();
    let admin = Client::new(&cluster.kubeconfig());

    let mut leader = Candidate::start_as(&cluster, &as_account, "as-account", &[], &QUICK);
    wait_until("the account to lead", Duration::from_secs(20), || {
        leader
            .log_lines()
            .iter()
            .any(|line| line["msg"] == "became the leader")
            .then_some(())
    });
    assert!(admin.holder(LEASE_NAMESPACE, LEASE).is_some());
    assert!(leader.signal("-TERM"), "{}", leader.log_text());
    let released = (0..50).any(|_| {
        let free = admin.holder(LEASE_NAMESPACE, LEASE).is_none();
        if !free {
            std::thread::sleep(Duration::from_millis(100));
        }
        free
    });
    assert!(
        released,
        "the lease was not released; the leader's log:\n{}",
        leader.log_text()
    );

    let records = lease_requests(&log);
    let verbs: BTreeSet<&str> = records.iter().map(|r| r.verb.as_str()).collect();
    assert!(verbs.contains("create") && verbs.contains("update"), "{records:#?}");
    assert!(records.iter().all(|r| !r.is_forbidden()), "{records:#?}");
    let role: Value = cluster
        .kubectl_ok(&["get", "clusterrole", "argo-rollouts", "-o", "json"])
        .parse()
        .unwrap();
    let (leases, others): (Vec<Value>, Vec<Value>) = role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .cloned()
        .partition(|rule| rule["apiGroups"][0] == "coordination.k8s.io");
    assert_eq!(leases.len(), 1, "one leases rule in {role:#}");
    let groups = records[0].groups.clone();
    let held: Vec<Rule> = others
        .iter()
        .map(Rule::from_json)
        .chain(bootstrap_rules(&records[0].user, &groups))
        .collect();
    for record in &records {
        let attributes = record.attributes();
        assert!(Rule::from_json(&leases[0]).allows(&attributes), "{record}");
        assert!(
            !held.iter().any(|rule| rule.allows(&attributes)),
            "another rule allows {record}"
        );
    }

    // The same role without the rule: the account cannot take the lease.
    let mut reduced = role.clone();
    reduced["rules"] = Value::Array(others);
    reduced["metadata"] = json!({"name": "argo-rollouts"});
    cluster.kubectl_ok_stdin(&["apply", "-f", "-"], &reduced.to_string());
    let before = lease_requests(&log).len();
    let _refused = Candidate::start_as(&cluster, &as_account, "without-rule", &[], &QUICK);
    let refusal = wait_until("a refused Lease request", Duration::from_secs(20), || {
        lease_requests(&log)
            .into_iter()
            .skip(before)
            .find(AuditRecord::is_forbidden)
    });
    assert_eq!(refusal.namespace, LEASE_NAMESPACE, "{refusal}");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        admin.holder(LEASE_NAMESPACE, LEASE),
        None,
        "led without the leases rule"
    );
}
