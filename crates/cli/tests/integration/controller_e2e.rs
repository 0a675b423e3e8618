#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of the rollouts controller against the dev cluster: controller restarts in the middle
//! of an update, the progress deadline (with and without `progressDeadlineAbort`), `workloadRef` to a
//! Deployment, and HPA-style writes of the scale subresource. Every test starts its own cluster and
//! controller, applies manifests with the real kubectl and observes the outcome through kubectl and the
//! plugin.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::objects::{
    BLUE, HASH_LABEL, REVISION, YELLOW, counts, get_json, hash_of, image_of, labelled, name_of, rollout_replica_sets,
    rs_with_image, spec_replicas, status, wait_phase, without_hash,
};
use common::{Controller, Env, manifests, wait_for, wait_for_or};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------------------
// Observing the cluster through kubectl.

/// A pod that is running, not terminating and Ready (minReadySeconds is 0 here, so: available).
fn is_available(pod: &Value) -> bool {
    pod["metadata"]["deletionTimestamp"].is_null()
        && pod["status"]["phase"] == "Running"
        && pod["status"]["conditions"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// Available pods by image.
fn available_by_image(env: &Env, app: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for pod in labelled(env, "pods", app).iter().filter(|p| is_available(p)) {
        *out.entry(image_of(pod)).or_insert(0) += 1;
    }
    out
}

/// Names of the available pods running `image`.
fn available_pod_names(env: &Env, app: &str, image: &str) -> BTreeSet<String> {
    labelled(env, "pods", app)
        .iter()
        .filter(|p| is_available(p) && image_of(p) == image)
        .map(|p| format!("{}/{}", name_of(p), p["metadata"]["uid"].as_str().unwrap_or_default()))
        .collect()
}

fn wait_available(env: &Env, app: &str, seconds: u64, want: &[(&str, usize)]) {
    let want = counts(want);
    let mut last = BTreeMap::new();
    let found = wait_for_or(seconds, || {
        last = available_by_image(env, app);
        (last == want).then_some(())
    });
    assert!(
        found.is_some(),
        "timed out after {seconds} s waiting for available pods {want:?}; last seen {last:?}"
    );
}

/// Waits until the controller `controller` has reconciled the Rollout at least `n` more times.
fn wait_reconciles(controller: &Controller, name: &str, n: u64) {
    let start = controller.metrics.reconciles_of("default", name);
    wait_for(30, "the controller to reconcile the rollout", || {
        (controller.metrics.reconciles_of("default", name) >= start + n).then_some(())
    });
}

/// A `metav1.Time`/`MicroTime` value as a wall-clock time.
fn timestamp(value: &Value) -> std::time::SystemTime {
    let text = value.as_str().unwrap_or_else(|| panic!("not a time: {value}"));
    let ts: jiff::Timestamp = text.parse().unwrap_or_else(|e| panic!("not a time: {text}: {e}"));
    std::time::SystemTime::from(ts)
}

/// When the first event about Rollout `name` with `reason` and a message starting with `prefix` happened.
fn event_time(env: &Env, name: &str, reason: &str, prefix: &str) -> Option<std::time::SystemTime> {
    let events = get_json(env, &["get", "events", "-o", "json"]);
    events["items"]
        .as_array()?
        .iter()
        .filter(|e| e["involvedObject"]["kind"] == "Rollout" && e["involvedObject"]["name"] == name)
        .filter(|e| e["reason"] == reason && e["message"].as_str().is_some_and(|m| m.starts_with(prefix)))
        .map(|e| {
            let time = [&e["eventTime"], &e["firstTimestamp"]]
                .into_iter()
                .find(|t| t.is_string());
            timestamp(time.unwrap_or(&e["metadata"]["creationTimestamp"]))
        })
        .min()
}

// ---------------------------------------------------------------------------------------------------------
// A background sampler of pods and ReplicaSets.

/// What the sampler saw.
#[derive(Debug, Default)]
struct Samples {
    /// Samples taken.
    taken: usize,
    /// kubectl calls that failed.
    failures: usize,
    /// The fewest available pods seen, and the sample it was seen in (pods by image and state).
    min_available: Option<(usize, String)>,
    /// ReplicaSet UIDs seen per revision annotation, and per name.
    uids_by_revision: BTreeMap<String, BTreeSet<String>>,
    uids_by_name: BTreeMap<String, BTreeSet<String>>,
}

/// Samples the pods and ReplicaSets of `app=<app>` on its own thread, as often as kubectl allows (50 ms
/// between calls; a few samples a second), until finished.
struct Sampler {
    stop: Arc<AtomicBool>,
    armed: Arc<AtomicBool>,
    thread: Option<JoinHandle<Samples>>,
}

impl Sampler {
    fn start(env: &Env, app: &str) -> Sampler {
        let kubeconfig: PathBuf = env.cluster.kubeconfig();
        let cache: PathBuf = env.cluster.dir().join("kubectl-cache-sampler");
        let label = format!("app={app}");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let armed = Arc::new(AtomicBool::new(false));
        let floor_armed = Arc::clone(&armed);
        let thread = std::thread::spawn(move || {
            let mut samples = Samples::default();
            while !stopped.load(Ordering::SeqCst) {
                let out = Command::new("kubectl")
                    .env("KUBECONFIG", &kubeconfig)
                    .env("KUBECACHEDIR", &cache)
                    .env_remove("KUBECTL_EXTERNAL_DIFF")
                    .stdin(Stdio::null())
                    .args(["get", "pods,rs", "-l", &label, "-o", "json"])
                    .output();
                match out.ok().filter(|o| o.status.success()) {
                    Some(out) => match serde_json::from_slice::<Value>(&out.stdout) {
                        Ok(list) => record(&mut samples, &list, floor_armed.load(Ordering::SeqCst)),
                        Err(_) => samples.failures += 1,
                    },
                    None => samples.failures += 1,
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            samples
        });
        Sampler {
            stop,
            armed,
            thread: Some(thread),
        }
    }

    /// Starts tracking the fewest available pods (ReplicaSets are tracked from the start).
    fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    fn finish(mut self) -> Samples {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn record(samples: &mut Samples, list: &Value, armed: bool) {
    samples.taken += 1;
    let mut available = 0;
    let mut summary: BTreeMap<String, usize> = BTreeMap::new();
    for item in list["items"].as_array().into_iter().flatten() {
        match item["kind"].as_str() {
            Some("Pod") => {
                let state = if is_available(item) {
                    available += 1;
                    "available"
                } else if !item["metadata"]["deletionTimestamp"].is_null() {
                    "terminating"
                } else {
                    "not ready"
                };
                *summary.entry(format!("{} {state}", image_of(item))).or_insert(0) += 1;
            }
            Some("ReplicaSet") => {
                let uid = item["metadata"]["uid"].as_str().unwrap_or_default().to_string();
                let revision = item["metadata"]["annotations"][REVISION]
                    .as_str()
                    .unwrap_or("none")
                    .to_string();
                samples
                    .uids_by_revision
                    .entry(revision)
                    .or_default()
                    .insert(uid.clone());
                samples.uids_by_name.entry(name_of(item)).or_default().insert(uid);
            }
            _ => {}
        }
    }
    if armed && samples.min_available.as_ref().is_none_or(|(min, _)| available < *min) {
        samples.min_available = Some((available, format!("{summary:?}")));
    }
}

// ---------------------------------------------------------------------------------------------------------
// 1. Controller restarts.

const RESTART: &str = "restart";

const RESTART_YAML: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: restart
spec:
  replicas: 5
  selector:
    matchLabels:
      app: restart
  template:
    metadata:
      labels:
        app: restart
    spec:
      containers:
      - name: app
        image: argoproj/rollouts-demo:blue
        # Pods become Ready 2 s after they start: a window to restart the controller mid-step.
        readinessProbe:
          initialDelaySeconds: 2
          httpGet:
            path: /
            port: 8080
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {}
      - setWeight: 60
      - pause: {duration: 8}
";

/// ReplicaSet name → spec.replicas.
fn rs_sizes(env: &Env, app: &str) -> BTreeMap<String, i64> {
    rollout_replica_sets(env, app)
        .iter()
        .map(|rs| (name_of(rs), spec_replicas(rs)))
        .collect()
}

#[test]
fn controller_restart_at_a_pause_and_mid_step_loses_no_stable_pod() {
    let Some(env) = Env::start("ctl-restart") else {
        return;
    };
    let kubeconfig = env.cluster.kubeconfig();
    let mut controller = Controller::start(&kubeconfig);
    let sampler = Sampler::start(&env, RESTART);
    env.apply(RESTART_YAML);
    wait_phase(&env, RESTART, 60, "Healthy");
    wait_available(&env, RESTART, 30, &[(BLUE, 5)]);

    // From here on, 5 replicas with the default maxUnavailable 25% (rounded down: 1): at least 4 available.
    sampler.arm();

    // The update pauses at the indefinite pause with 1 canary / 4 stable.
    env.plugin_ok(&["set", "image", RESTART, &format!("app={YELLOW}")]);
    let s = wait_phase(&env, RESTART, 60, "Paused");
    assert_eq!(s["currentStepIndex"], 1, "{s:#}");
    wait_available(&env, RESTART, 30, &[(BLUE, 4), (YELLOW, 1)]);
    let stable_pods = available_pod_names(&env, RESTART, BLUE);
    let canary_pods = available_pod_names(&env, RESTART, YELLOW);
    let sizes = rs_sizes(&env, RESTART);
    assert_eq!(sizes.len(), 2, "{sizes:?}");

    // 1st restart, at the indefinite pause: nothing moves while the controller is away or after it is back.
    controller.stop();
    std::thread::sleep(Duration::from_secs(3));
    controller = Controller::start(&kubeconfig);
    wait_reconciles(&controller, RESTART, 1);
    std::thread::sleep(Duration::from_secs(3));
    let s = wait_phase(&env, RESTART, 30, "Paused");
    assert_eq!(s["currentStepIndex"], 1, "{s:#}");
    assert_eq!(s["message"], "CanaryPauseStep", "{s:#}");
    assert_eq!(
        available_pod_names(&env, RESTART, BLUE),
        stable_pods,
        "stable pods changed"
    );
    assert_eq!(
        available_pod_names(&env, RESTART, YELLOW),
        canary_pods,
        "canary pods changed"
    );
    assert_eq!(rs_sizes(&env, RESTART), sizes);

    // 2nd restart, mid-step: as soon as the controller has made its first ReplicaSet write for setWeight 60
    // (watched through its request counter, to stop without delay), long before the step's pods are Ready.
    let updates = controller.metrics.api_requests("update", "replicasets");
    env.plugin_ok(&["promote", RESTART]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while controller.metrics.api_requests("update", "replicasets") == updates {
        assert!(Instant::now() < deadline, "no ReplicaSet scaled after the promotion");
        std::thread::sleep(Duration::from_millis(5));
    }
    controller.stop();
    let s = status(&env, RESTART);
    assert_eq!(s["currentStepIndex"], 2, "stopped mid-step (setWeight 60): {s:#}");
    let canary = rs_with_image(&env, RESTART, YELLOW).unwrap();
    let stable = rs_with_image(&env, RESTART, BLUE).unwrap();
    eprintln!(
        "stopped at setWeight 60 with ReplicaSets {:?}, available pods {:?}",
        rs_sizes(&env, RESTART),
        available_by_image(&env, RESTART)
    );
    // Not yet at the step's 3 canary / 2 stable (upstream scales the stable first: 4 → 3, then the canary).
    assert!(
        spec_replicas(&canary) < 3 || spec_replicas(&stable) > 2,
        "{canary:#} {stable:#}"
    );
    std::thread::sleep(Duration::from_secs(2));
    controller = Controller::start(&kubeconfig);

    // 3rd restart, during the timed pause (8 s): stopped for 3 s of it.
    let pause_start = wait_for(60, "the timed pause (step 3)", || {
        let s = status(&env, RESTART);
        let conditions = s["pauseConditions"].as_array()?;
        let pause = conditions.iter().find(|c| c["reason"] == "CanaryPauseStep")?;
        (s["currentStepIndex"] == 3).then(|| timestamp(&pause["startTime"]))
    });
    wait_available(&env, RESTART, 30, &[(BLUE, 2), (YELLOW, 3)]);
    controller.stop();
    std::thread::sleep(Duration::from_secs(3));
    controller = Controller::start(&kubeconfig);

    // The pause still holds its full duration (counted from its start time, whole seconds, to the event of
    // its completion), then the update completes.
    wait_for(60, "the timed pause to end", || {
        (status(&env, RESTART)["currentStepIndex"].as_i64().unwrap_or(0) >= 4).then_some(())
    });
    let completed = wait_for(30, "the event of the pause's completion", || {
        event_time(&env, RESTART, "RolloutStepCompleted", "Rollout step 4/4 completed")
    });
    let held = completed.duration_since(pause_start).unwrap();
    assert!(held >= Duration::from_secs(8), "the 8 s pause held only {held:?}");
    let s = wait_phase(&env, RESTART, 60, "Healthy");
    wait_available(&env, RESTART, 30, &[(YELLOW, 5)]);
    let yellow = rs_with_image(&env, RESTART, YELLOW).unwrap();
    let blue = rs_with_image(&env, RESTART, BLUE).unwrap();
    assert_eq!(s["stableRS"].as_str(), Some(hash_of(&yellow).as_str()), "{s:#}");
    assert_eq!(s["currentPodHash"], s["stableRS"], "{s:#}");
    assert_eq!(spec_replicas(&blue), 0);
    assert_eq!(yellow["metadata"]["annotations"][REVISION], "2");
    assert_eq!(blue["metadata"]["annotations"][REVISION], "1");
    controller.stop();

    let samples = sampler.finish();
    let (min, worst) = samples.min_available.clone().unwrap();
    eprintln!(
        "{} samples ({} failed): fewest available pods {min} in {worst}; ReplicaSets by revision {:?}",
        samples.taken, samples.failures, samples.uids_by_revision
    );
    assert!(samples.taken >= 50, "only {} samples: {samples:?}", samples.taken);
    assert!(
        min >= 4,
        "available pods dropped to {min} (< 5 - maxUnavailable 1) in {worst}; {} samples",
        samples.taken
    );
    for (revision, uids) in &samples.uids_by_revision {
        assert_eq!(uids.len(), 1, "revision {revision} had ReplicaSets {uids:?}");
    }
    for (name, uids) in &samples.uids_by_name {
        assert_eq!(uids.len(), 1, "ReplicaSet {name} was created {} times", uids.len());
    }
    assert_eq!(
        samples.uids_by_revision.keys().cloned().collect::<Vec<_>>(),
        ["1", "2"],
        "{samples:?}"
    );
    assert_eq!(rollout_replica_sets(&env, RESTART).len(), 2);
}

// ---------------------------------------------------------------------------------------------------------
// 2. and 3. The progress deadline.

const NEVER_READY: &str = "argoproj/rollouts-demo:never-ready";

fn deadline_yaml(name: &str, abort: bool, max_unavailable: Option<i32>) -> String {
    let max_unavailable = max_unavailable.map_or(String::new(), |m| format!("      maxUnavailable: {m}\n"));
    format!(
        r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {name}
spec:
  replicas: 5
  progressDeadlineSeconds: 10
  progressDeadlineAbort: {abort}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: app
        image: argoproj/rollouts-demo:blue
  strategy:
    canary:
{max_unavailable}      steps:
      - setWeight: 20
      - pause: {{}}
"
    )
}

fn timed_out(rs_name: &str) -> String {
    format!("ReplicaSet \"{rs_name}\" has timed out progressing.")
}

#[test]
fn never_ready_image_degrades_after_the_progress_deadline() {
    const NAME: &str = "deadline";
    let Some(env) = Env::start("ctl-deadline") else {
        return;
    };
    let mut controller = env.start_controller();
    // maxUnavailable 0: the stable ReplicaSet keeps all 5 pods while the canary is not available.
    env.apply(&deadline_yaml(NAME, false, Some(0)));
    wait_phase(&env, NAME, 60, "Healthy");
    wait_available(&env, NAME, 30, &[(BLUE, 5)]);
    let stable_pods = available_pod_names(&env, NAME, BLUE);

    let updated = Instant::now();
    env.plugin_ok(&["set", "image", NAME, &format!("app={NEVER_READY}")]);
    let s = wait_phase(&env, NAME, 30, "Degraded");
    let elapsed = updated.elapsed();
    let canary = rs_with_image(&env, NAME, NEVER_READY).expect("a canary ReplicaSet");
    let message = s["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("ProgressDeadlineExceeded: ReplicaSet \""),
        "{message}"
    );
    assert!(message.ends_with(" has timed out progressing."), "{message}");
    assert_eq!(
        message,
        format!("ProgressDeadlineExceeded: {}", timed_out(&name_of(&canary)))
    );
    // Whole-second condition times: the deadline counts from the canary's scale-up, after the update.
    assert!(elapsed >= Duration::from_secs(9), "Degraded after only {elapsed:?}");
    assert!(s["abort"] != true, "{s:#}");
    let progressing = s["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Progressing")
        .unwrap()
        .clone();
    assert_eq!(progressing["status"], "False", "{progressing}");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded", "{progressing}");
    assert_eq!(progressing["message"], timed_out(&name_of(&canary)), "{progressing}");

    // The stable pods keep serving, then and a while later; the canary stays up, not Ready.
    assert_eq!(available_pod_names(&env, NAME, BLUE), stable_pods);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(available_pod_names(&env, NAME, BLUE), stable_pods);
    assert_eq!(available_by_image(&env, NAME), counts(&[(BLUE, 5)]));
    let canary = rs_with_image(&env, NAME, NEVER_READY).unwrap();
    assert_eq!(spec_replicas(&canary), 1);
    let s = status(&env, NAME);
    assert_eq!(s["phase"], "Degraded", "{s:#}");
    assert!(s["abort"] != true, "{s:#}");

    let tree = env.plugin_ok(&["get", "rollout", NAME, "--no-color"]);
    assert!(tree.contains("Degraded"), "{tree}");
    assert!(tree.contains(&format!("Message:         {message}")), "{tree}");
    controller.stop();
}

#[test]
fn progress_deadline_abort_aborts_and_restores_stable() {
    const NAME: &str = "deadline-abort";
    let Some(env) = Env::start("ctl-deadline-abort") else {
        return;
    };
    let mut controller = env.start_controller();
    // The default maxUnavailable (1 of 5): the stable ReplicaSet goes down to 4 for the canary.
    env.apply(&deadline_yaml(NAME, true, None));
    wait_phase(&env, NAME, 60, "Healthy");
    wait_available(&env, NAME, 30, &[(BLUE, 5)]);
    let stable = rs_with_image(&env, NAME, BLUE).unwrap();

    let updated = Instant::now();
    env.plugin_ok(&["set", "image", NAME, &format!("app={NEVER_READY}")]);
    let canary_name = wait_for(30, "a canary ReplicaSet", || {
        rs_with_image(&env, NAME, NEVER_READY).map(|rs| name_of(&rs))
    });
    wait_for(30, "the stable scaled down to 4 for the canary", || {
        (spec_replicas(&rs_with_image(&env, NAME, BLUE).unwrap()) == 4).then_some(())
    });
    let s = wait_phase(&env, NAME, 30, "Degraded");
    let elapsed = updated.elapsed();
    assert!(elapsed >= Duration::from_secs(9), "Degraded after only {elapsed:?}");
    assert_eq!(s["abort"], true, "{s:#}");
    assert!(s["abortedAt"].is_string(), "{s:#}");
    // Upstream: `RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "<rs>" has timed out
    // progressing.` (the abort message appended to the RolloutAborted condition's).
    let want = format!(
        "RolloutAborted: Rollout aborted update to revision 2: {}",
        timed_out(&canary_name)
    );
    assert_eq!(s["message"], want.as_str(), "{s:#}");

    // The canary goes to 0 and the stable back to all 5.
    wait_for(30, "canary at 0 and stable at 5", || {
        let canary = get_json(&env, &["get", "rs", &canary_name, "-o", "json"]);
        let stable = get_json(&env, &["get", "rs", &name_of(&stable), "-o", "json"]);
        (spec_replicas(&canary) == 0 && spec_replicas(&stable) == 5).then_some(())
    });
    wait_available(&env, NAME, 30, &[(BLUE, 5)]);
    let s = status(&env, NAME);
    assert_eq!(s["phase"], "Degraded", "{s:#}");
    assert_eq!(s["message"], want.as_str(), "{s:#}");
    assert_eq!(s["stableRS"].as_str(), Some(hash_of(&stable).as_str()), "{s:#}");
    assert_eq!(s["currentStepIndex"], 0, "{s:#}");
    let described = env.cluster.kubectl_ok(&["describe", "rollout", NAME]);
    assert!(described.contains("RolloutAborted"), "{described}");
    controller.stop();
}

// ---------------------------------------------------------------------------------------------------------
// 4. workloadRef.

const WORKLOAD_DEPLOYMENT: &str = r"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wl
spec:
  replicas: 3
  selector:
    matchLabels:
      app: wl
  template:
    metadata:
      labels:
        app: wl
    spec:
      containers:
      - name: app
        image: argoproj/rollouts-demo:blue
";

const WORKLOAD_ROLLOUT: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: wl
spec:
  replicas: 3
  selector:
    matchLabels:
      app: wl
  workloadRef:
    apiVersion: apps/v1
    kind: Deployment
    name: wl
    scaleDown: onsuccess
  strategy:
    canary:
      steps:
      - setWeight: 50
      - pause: {}
";

fn deployment_replicas(env: &Env) -> String {
    env.cluster
        .kubectl_ok(&["get", "deployment", "wl", "-o", "jsonpath={.spec.replicas}"])
}

#[test]
fn workload_ref_to_a_deployment() {
    let Some(env) = Env::start("ctl-workload") else {
        return;
    };
    env.apply(WORKLOAD_DEPLOYMENT);
    wait_for(30, "the Deployment's 3 pods", || {
        (available_by_image(&env, "wl") == counts(&[(BLUE, 3)])).then_some(())
    });
    let mut controller = env.start_controller();
    env.apply(WORKLOAD_ROLLOUT);

    // The Rollout runs the Deployment's template in a ReplicaSet of its own and becomes Healthy.
    let s = wait_phase(&env, "wl", 60, "Healthy");
    let replica_sets = rollout_replica_sets(&env, "wl");
    assert_eq!(replica_sets.len(), 1, "{replica_sets:#?}");
    let rs = &replica_sets[0];
    assert_eq!(image_of(rs), BLUE);
    assert_eq!(spec_replicas(rs), 3);
    assert_eq!(s["stableRS"].as_str(), Some(hash_of(rs).as_str()), "{s:#}");
    let deployment = get_json(&env, &["get", "deployment", "wl", "-o", "json"]);
    assert_eq!(without_hash(&rs["spec"]["template"]), deployment["spec"]["template"]);
    let ro = env.rollout("wl");
    assert!(
        ro["spec"]["template"].is_null(),
        "the template is never written back: {ro:#}"
    );

    // scaleDown: onsuccess — the Deployment goes to 0 once the Rollout is Healthy.
    wait_for(30, "the Deployment scaled to 0", || {
        (deployment_replicas(&env) == "0").then_some(())
    });
    wait_available(&env, "wl", 30, &[(BLUE, 3)]);
    let rollout_pods = labelled(&env, "pods", "wl")
        .into_iter()
        .filter(is_available)
        .filter(|p| p["metadata"]["labels"][HASH_LABEL] == hash_of(rs).as_str())
        .count();
    assert_eq!(rollout_pods, 3, "the 3 remaining pods are the Rollout's");

    // A new image in the Deployment is a canary update of the Rollout.
    env.cluster
        .kubectl_ok(&["set", "image", "deployment/wl", &format!("app={YELLOW}")]);
    let canary = wait_for(30, "a canary ReplicaSet with the new image", || {
        rs_with_image(&env, "wl", YELLOW)
    });
    let s = wait_phase(&env, "wl", 60, "Paused");
    assert_eq!(s["currentStepIndex"], 1, "{s:#}");
    let canary = get_json(&env, &["get", "rs", &name_of(&canary), "-o", "json"]);
    assert!(spec_replicas(&canary) >= 1, "{canary:#}");
    assert_eq!(canary["metadata"]["annotations"][REVISION], "2");
    assert_eq!(s["currentPodHash"].as_str(), Some(hash_of(&canary).as_str()), "{s:#}");
    assert_eq!(s["stableRS"].as_str(), Some(hash_of(rs).as_str()), "{s:#}");
    let deployment = get_json(&env, &["get", "deployment", "wl", "-o", "json"]);
    assert_eq!(
        without_hash(&canary["spec"]["template"]),
        deployment["spec"]["template"]
    );
    // Later revisions leave the Deployment alone (still at 0).
    assert_eq!(deployment_replicas(&env), "0");
    let tree = env.plugin_ok(&["get", "rollout", "wl", "--no-color"]);
    assert!(tree.contains(&format!("{YELLOW} (canary)")), "{tree}");
    controller.stop();
}

#[test]
fn workload_ref_deployment_change_is_noticed_on_its_own() {
    let Some(env) = Env::start("ctl-workload-watch") else {
        return;
    };
    env.apply(WORKLOAD_DEPLOYMENT);
    let mut controller = env.start_controller();
    env.apply(WORKLOAD_ROLLOUT);
    wait_phase(&env, "wl", 60, "Healthy");
    env.cluster
        .kubectl_ok(&["set", "image", "deployment/wl", &format!("app={YELLOW}")]);
    let generation = env
        .cluster
        .kubectl_ok(&["get", "deployment", "wl", "-o", "jsonpath={.metadata.generation}"]);
    // Upstream mirrors the Deployment's generation into the Rollout and reconciles it.
    wait_for(30, "the workload-generation annotation", || {
        let ro = env.rollout("wl");
        (ro["metadata"]["annotations"]["rollout.argoproj.io/workload-generation"] == generation.as_str()).then_some(())
    });
    wait_for(30, "a canary ReplicaSet with the new image", || {
        rs_with_image(&env, "wl", YELLOW)
    });
    let s = wait_phase(&env, "wl", 60, "Paused");
    assert_eq!(s["workloadObservedGeneration"], generation.as_str(), "{s:#}");
    controller.stop();
}

// ---------------------------------------------------------------------------------------------------------
// 5. The scale subresource.

fn hpa_rollout() -> String {
    manifests::rollout("hpa", Some(4), "{canary: {steps: [{setWeight: 25}, {pause: {}}]}}")
}

#[test]
fn hpa_style_scale_write_mid_update_keeps_the_step_ratio() {
    let Some(env) = Env::start("ctl-hpa") else {
        return;
    };
    let mut controller = env.start_controller();
    env.apply(&hpa_rollout());
    wait_phase(&env, "hpa", 60, "Healthy");
    wait_available(&env, "hpa", 30, &[(BLUE, 4)]);
    env.plugin_ok(&["set", "image", "hpa", &format!("app={YELLOW}")]);
    let s = wait_phase(&env, "hpa", 60, "Paused");
    assert_eq!(s["currentStepIndex"], 1, "{s:#}");
    wait_available(&env, "hpa", 30, &[(BLUE, 3), (YELLOW, 1)]);

    // What an HPA does: write spec.replicas through the scale subresource.
    env.cluster.kubectl_ok(&["scale", "rollout", "hpa", "--replicas=8"]);
    wait_available(&env, "hpa", 60, &[(BLUE, 6), (YELLOW, 2)]);
    let s = wait_phase(&env, "hpa", 30, "Paused");
    assert_eq!(s["currentStepIndex"], 1, "{s:#}");
    assert_eq!(s["message"], "CanaryPauseStep", "{s:#}");
    assert_eq!(spec_replicas(&rs_with_image(&env, "hpa", YELLOW).unwrap()), 2);
    assert_eq!(spec_replicas(&rs_with_image(&env, "hpa", BLUE).unwrap()), 6);

    let hpa_replicas = wait_for(30, "status.HPAReplicas 8", || {
        let out = env
            .cluster
            .kubectl_ok(&["get", "rollout", "hpa", "-o", "jsonpath={.status.HPAReplicas}"]);
        (out == "8").then_some(out)
    });
    assert_eq!(hpa_replicas, "8");
    let selector = env
        .cluster
        .kubectl_ok(&["get", "rollout", "hpa", "-o", "jsonpath={.status.selector}"]);
    assert_eq!(selector, "app=hpa");

    let scale = get_json(
        &env,
        &[
            "get",
            "--raw",
            "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/hpa/scale",
        ],
    );
    assert_eq!(scale["kind"], "Scale", "{scale:#}");
    assert_eq!(scale["spec"]["replicas"], 8, "{scale:#}");
    assert_eq!(scale["status"]["replicas"], 8, "{scale:#}");
    assert_eq!(scale["status"]["selector"], "app=hpa", "{scale:#}");

    // Still paused at the step: it holds.
    std::thread::sleep(Duration::from_secs(2));
    let s = status(&env, "hpa");
    assert_eq!(
        (s["phase"].as_str(), s["currentStepIndex"].as_i64()),
        (Some("Paused"), Some(1))
    );
    assert_eq!(available_by_image(&env, "hpa"), counts(&[(BLUE, 6), (YELLOW, 2)]));
    controller.stop();
}

// ---------------------------------------------------------------------------------------------------------
// Events (found while writing the tests above).

/// The messages of the events about Rollout `name`.
fn event_messages(env: &Env, name: &str) -> Vec<String> {
    let events = get_json(env, &["get", "events", "-o", "json"]);
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["involvedObject"]["kind"] == "Rollout" && e["involvedObject"]["name"] == name)
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn each_event_keeps_its_own_message() {
    let Some(env) = Env::start("ctl-events") else {
        return;
    };
    let mut controller = env.start_controller();
    env.apply(&hpa_rollout());
    wait_phase(&env, "hpa", 60, "Healthy");
    env.plugin_ok(&["set", "image", "hpa", &format!("app={YELLOW}")]);
    wait_phase(&env, "hpa", 60, "Paused");
    let canary = name_of(&rs_with_image(&env, "hpa", YELLOW).unwrap());
    // Upstream (client-go's recorder) keys events by their message too: each of these is its own event.
    let want = [
        "Rollout updated to revision 2".to_string(),
        format!("Created ReplicaSet {canary} (revision 2)"),
        format!("Scaled up ReplicaSet {canary} (revision 2) from 0 to 1"),
    ];
    let messages = wait_for_or(10, || {
        let messages = event_messages(&env, "hpa");
        want.iter().all(|w| messages.contains(w)).then_some(messages)
    });
    let messages = messages.unwrap_or_else(|| event_messages(&env, "hpa"));
    for w in &want {
        assert!(messages.contains(w), "no event {w:?} among {messages:#?}");
    }
    controller.stop();
}
