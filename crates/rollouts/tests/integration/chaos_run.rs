//! Chaos on the shipped binaries: `rollouts dev --no-controller` and `rollouts controller` as separate
//! processes, the controller killed with SIGKILL at random moments (and now and then the dev cluster
//! too) while canary, blue-green and analysis-plus-experiment Rollouts update, the cluster sampled
//! through the real kubectl all along. Shared by the CI test (`chaos.rs`, a handful of kills) and the
//! benchmark (`benches/chaos.rs`, a hundred).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `rollouts` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

/// How a chaos run goes.
#[derive(Debug, Clone)]
pub struct ChaosConfig {
    /// Seeds the moments of the kills.
    pub seed: u64,
    /// Image updates of every Rollout, one after the other.
    pub updates: usize,
    /// SIGKILLs of the controller, spread over the updates.
    pub controller_kills: usize,
    /// SIGKILLs of the dev cluster (restarted on its data directory).
    pub cluster_kills: usize,
}

/// What a chaos run saw.
#[derive(Debug, Default)]
pub struct ChaosReport {
    /// Controller processes killed.
    pub controller_kills: usize,
    /// Dev cluster processes killed.
    pub cluster_kills: usize,
    /// Samples of the cluster taken.
    pub samples: usize,
    /// Invariants that did not hold, with the sample's time.
    pub violations: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

const MANIFESTS: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: chaos-bg-active}
spec: {selector: {app: chaos-bg}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: chaos-bg-preview}
spec: {selector: {app: chaos-bg}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: chaos-pass}
spec:
  metrics:
  - name: pass
    provider:
      job:
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers: [{name: check, image: busybox, command: [sh, -c, "exit 0"]}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: chaos-canary}
spec:
  replicas: 4
  selector: {matchLabels: {app: chaos-canary}}
  template:
    metadata: {labels: {app: chaos-canary}}
    spec: {containers: [{name: app, image: "argoproj/rollouts-demo:blue"}]}
  strategy:
    canary:
      maxSurge: 1
      maxUnavailable: 0
      steps: [{setWeight: 25}, {pause: {duration: 2}}, {setWeight: 50}, {pause: {duration: 2}}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: chaos-bg}
spec:
  replicas: 3
  selector: {matchLabels: {app: chaos-bg}}
  template:
    metadata: {labels: {app: chaos-bg}}
    spec: {containers: [{name: app, image: "argoproj/rollouts-demo:blue"}]}
  strategy:
    blueGreen:
      activeService: chaos-bg-active
      previewService: chaos-bg-preview
      autoPromotionSeconds: 2
      scaleDownDelaySeconds: 3
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: chaos-steps}
spec:
  replicas: 2
  selector: {matchLabels: {app: chaos-steps}}
  template:
    metadata: {labels: {app: chaos-steps}}
    spec: {containers: [{name: app, image: "argoproj/rollouts-demo:blue"}]}
  strategy:
    canary:
      maxSurge: 1
      maxUnavailable: 1
      steps:
      - setWeight: 50
      - analysis: {templates: [{templateName: chaos-pass}]}
      - experiment:
          duration: 2s
          templates: [{name: canary, specRef: canary}]
"#;

/// `(name, replicas, maxSurge, maxUnavailable)` of the canaries without traffic routing.
const CANARIES: [(&str, i64, i64, i64); 2] = [("chaos-canary", 4, 1, 0), ("chaos-steps", 2, 1, 1)];
const ROLLOUTS: [&str; 3] = ["chaos-canary", "chaos-bg", "chaos-steps"];
const IMAGES: [&str; 3] = [
    "argoproj/rollouts-demo:blue",
    "argoproj/rollouts-demo:yellow",
    "argoproj/rollouts-demo:green",
];
/// After the dev cluster restarts, its pods start again: availability is not the controller's doing.
const CLUSTER_RESTART_GRACE: Duration = Duration::from_secs(15);
/// The longest one update of the three Rollouts may take.
const UPDATE_TIMEOUT: Duration = Duration::from_secs(120);

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Processes {
    dir: PathBuf,
    cluster: Option<Child>,
    controller: Option<Child>,
}

impl Processes {
    fn kubeconfig(&self) -> PathBuf {
        self.dir.join("kubeconfig")
    }

    fn start_cluster(&mut self) {
        let mut child = Command::new(BIN)
            .args(["dev", "--no-controller", "--data-dir"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rollouts dev starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.kubeconfig().exists()
                && kubectl(&self.kubeconfig(), &["get", "--raw", "/readyz"])
                    .status
                    .success()
            {
                break;
            }
            assert!(child.try_wait().unwrap().is_none(), "rollouts dev exited at start");
            assert!(Instant::now() < deadline, "the dev cluster did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        self.cluster = Some(child);
    }

    fn start_controller(&mut self) {
        let child = Command::new(BIN)
            .args([
                "controller",
                "--leader-elect=false",
                "--metrics-addr",
                "127.0.0.1:0",
                "--kubeconfig",
            ])
            .arg(self.kubeconfig())
            .env("ROLLOUTS_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rollouts controller starts");
        self.controller = Some(child);
    }

    fn kill(child: &mut Option<Child>) {
        if let Some(mut child) = child.take() {
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        }
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        Self::kill(&mut self.controller);
        Self::kill(&mut self.cluster);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::null())
        .output()
        .expect("kubectl runs")
}

fn kubectl_apply(kubeconfig: &Path, yaml: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new("kubectl")
        .args(["apply", "-f", "-"])
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    child.stdin.take().unwrap().write_all(yaml.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

/// The ReplicaSets a Rollout controls: `(hash, spec replicas, available)`.
fn replica_sets(all: &[Value], rollout: &str) -> Vec<(String, i64, i64)> {
    all.iter()
        .filter(|o| o["kind"] == "ReplicaSet")
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|owners| owners.iter().any(|o| o["kind"] == "Rollout" && o["name"] == rollout))
        })
        .map(|rs| {
            (
                rs["metadata"]["labels"]["rollouts-pod-template-hash"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                int(&rs["spec"]["replicas"]),
                int(&rs["status"]["availableReplicas"]),
            )
        })
        .collect()
}

/// The invariants on one sample of the cluster.
pub fn check(all: &[Value], availability: bool) -> Vec<String> {
    let mut found = Vec::new();
    for rollout in ROLLOUTS {
        let sets = replica_sets(all, rollout);
        let mut hashes: Vec<&str> = sets.iter().map(|(h, _, _)| h.as_str()).collect();
        hashes.sort_unstable();
        if hashes.windows(2).any(|w| w[0] == w[1]) {
            found.push(format!("{rollout}: two ReplicaSets for one template hash {hashes:?}"));
        }
    }
    for (rollout, replicas, surge, unavailable) in CANARIES {
        let sets = replica_sets(all, rollout);
        if sets.is_empty() {
            continue;
        }
        let pods: i64 = sets.iter().map(|(_, size, _)| size).sum();
        if pods > replicas + surge {
            found.push(format!(
                "{rollout}: {pods} pods asked for, over {replicas} + maxSurge {surge}: {sets:?}"
            ));
        }
        let available: i64 = sets.iter().map(|(_, size, available)| (*available).min(*size)).sum();
        if availability && available < replicas - unavailable {
            found.push(format!(
                "{rollout}: {available} pods available, under {replicas} - maxUnavailable {unavailable}: {sets:?}"
            ));
        }
    }
    // The active Service only ever selects pods that serve.
    let active = all
        .iter()
        .find(|o| o["kind"] == "Service" && o["metadata"]["name"] == "chaos-bg-active")
        .and_then(|s| s["spec"]["selector"]["rollouts-pod-template-hash"].as_str());
    if let (Some(hash), true) = (active, availability) {
        let serving = replica_sets(all, "chaos-bg")
            .iter()
            .any(|(h, _, available)| h == hash && *available > 0);
        if !serving {
            found.push(format!("chaos-bg-active selects {hash}, which has no available pod"));
        }
    }
    found
}

fn sample(kubeconfig: &Path) -> Option<Vec<Value>> {
    let out = kubectl(
        kubeconfig,
        &["get", "replicasets,services", "-o", "json", "--request-timeout=5s"],
    );
    if !out.status.success() {
        return None;
    }
    let list: Value = serde_json::from_slice(&out.stdout).ok()?;
    list["items"].as_array().cloned()
}

/// Whether every Rollout is Healthy on `image`.
fn all_healthy(kubeconfig: &Path, image: &str) -> bool {
    let out = kubectl(kubeconfig, &["get", "rollouts", "-o", "json", "--request-timeout=5s"]);
    let Ok(list) = serde_json::from_slice::<Value>(&out.stdout) else {
        return false;
    };
    let items = list["items"].as_array().cloned().unwrap_or_default();
    items.len() == ROLLOUTS.len()
        && items.iter().all(|r| {
            r["status"]["phase"] == "Healthy"
                && r["spec"]["template"]["spec"]["containers"][0]["image"] == image
                && r["status"]["observedGeneration"].as_str() == Some(&int(&r["metadata"]["generation"]).to_string())
                && r["status"]["stableRS"] == r["status"]["currentPodHash"]
        })
}

/// Runs the chaos, returning what it saw; panics only when the processes cannot be run at all.
pub fn run(config: &ChaosConfig) -> ChaosReport {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("rollouts-chaos-{}-{}", std::process::id(), config.seed));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut procs = Processes {
        dir,
        cluster: None,
        controller: None,
    };
    let mut report = ChaosReport::default();
    let mut rng = Rng(config.seed);
    procs.start_cluster();
    procs.start_controller();
    let kubeconfig = procs.kubeconfig();
    let applied = kubectl_apply(&kubeconfig, MANIFESTS);
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    let mut last_cluster_restart: Option<Instant> = None;
    // Kills are spread over the updates: each update gets its share, at random moments in it.
    let per_update =
        |total: usize, i: usize| total / config.updates.max(1) + usize::from(i < total % config.updates.max(1));
    for update in 0..=config.updates {
        let image = IMAGES[update % IMAGES.len()];
        if update > 0 {
            for rollout in ROLLOUTS {
                let patch = format!(
                    r#"{{"spec":{{"template":{{"spec":{{"containers":[{{"name":"app","image":"{image}"}}]}}}}}}}}"#
                );
                let deadline = Instant::now() + Duration::from_secs(30);
                while !kubectl(
                    &kubeconfig,
                    &["patch", "rollout", rollout, "--type", "merge", "-p", &patch],
                )
                .status
                .success()
                {
                    assert!(Instant::now() < deadline, "cannot update {rollout}");
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
        let (mut kills, mut cluster_kills) = if update == 0 {
            (0, 0)
        } else {
            (
                per_update(config.controller_kills, update - 1),
                per_update(config.cluster_kills, update - 1),
            )
        };
        let began = Instant::now();
        // Availability is owed from the first Healthy state of the run on.
        let owed = update > 0;
        loop {
            if let Some(all) = sample(&kubeconfig) {
                report.samples += 1;
                let availability = owed && last_cluster_restart.is_none_or(|at| at.elapsed() > CLUSTER_RESTART_GRACE);
                for violation in check(&all, availability) {
                    report.violations.push(format!(
                        "update {update} +{:.1}s: {violation}",
                        began.elapsed().as_secs_f64()
                    ));
                }
            }
            if kills == 0 && cluster_kills == 0 && all_healthy(&kubeconfig, image) {
                break;
            }
            if began.elapsed() > UPDATE_TIMEOUT {
                report.violations.push(format!(
                    "update {update}: not every Rollout Healthy on {image} after {}s",
                    UPDATE_TIMEOUT.as_secs()
                ));
                break;
            }
            // A kill about every other second while some are due.
            if kills > 0 && rng.below(4) == 0 {
                Processes::kill(&mut procs.controller);
                report.controller_kills += 1;
                kills -= 1;
                std::thread::sleep(Duration::from_millis(rng.below(1000)));
                procs.start_controller();
            } else if cluster_kills > 0 && rng.below(8) == 0 {
                Processes::kill(&mut procs.cluster);
                report.cluster_kills += 1;
                cluster_kills -= 1;
                procs.start_cluster();
                last_cluster_restart = Some(Instant::now());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    report.elapsed = started.elapsed();
    report
}
