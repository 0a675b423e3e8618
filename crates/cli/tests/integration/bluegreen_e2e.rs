#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of the blue-green strategy with the dev cluster, the in-process rollouts controller
//! and the real kubectl: upstream's `examples/rollout-bluegreen.yaml` (from the conformance corpus,
//! applied unchanged) through deploy, update, preview, pause, promote, delayed scale-down, abort with
//! the abort scale-down delay, and the fast-tracked return to the stable image; and the rule that the
//! active Service never selects a ReplicaSet without available pods, even after `promote --full`.
//!
//! The Services' selectors are read with `kubectl get svc <name> -o jsonpath=...` at every stage, sampled
//! a few times a second; `kubectl get --watch` in the background also records every version of the
//! Services, ReplicaSets and the Rollout, for what sampling could miss (the order of the Service switches,
//! the availability of a ReplicaSet when the active Service was pointed at it, a pause in between).

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use common::objects::{
    BLUE, RED, REVISION, YELLOW, available_replicas, get_json, hash_of, image_of, labelled, spec_replicas, status,
    wait_phase,
};
use common::{Env, wait_for};
use serde_json::Value;

const NAME: &str = "rollout-bluegreen";
const ACTIVE: &str = "rollout-bluegreen-active";
const PREVIEW: &str = "rollout-bluegreen-preview";
const APP_LABEL: &str = "app=rollout-bluegreen";
const SCALE_DOWN_DEADLINE: &str = "scale-down-deadline";
const MANAGED_BY: &str = "argo-rollouts.argoproj.io/managed-by-rollouts";

/// The dev cluster runs images with this marker but never reports them Ready.
const NEVER_READY: &str = "argoproj/rollouts-demo:never-ready";

/// Time between two samples of the cluster.
const SAMPLE_EVERY: Duration = Duration::from_millis(300);
/// Allowance for sampling (a kubectl call, whole-second deadlines) when comparing with a deadline.
const SLACK: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------------------------------------
// Observing the cluster through kubectl.

/// The corpus example, as a path for `kubectl apply -f`.
fn example(test: &str) -> Option<String> {
    let dir = rollouts_testkit::conformance_or_skip(test)?;
    Some(dir.join("examples/rollout-bluegreen.yaml").display().to_string())
}

/// The Service's `rollouts-pod-template-hash` selector ("" when it has none), through kubectl's jsonpath.
fn selector(env: &Env, service: &str) -> String {
    env.cluster.kubectl_ok(&[
        "get",
        "svc",
        service,
        "-o",
        "jsonpath={.spec.selector.rollouts-pod-template-hash}",
    ])
}

fn active(env: &Env) -> String {
    selector(env, ACTIVE)
}

fn preview(env: &Env) -> String {
    selector(env, PREVIEW)
}

/// `kubectl get rollout rollout-bluegreen -o jsonpath=<path>`.
fn rollout_jsonpath(env: &Env, path: &str) -> String {
    env.cluster
        .kubectl_ok(&["get", "rollout", NAME, "-o", &format!("jsonpath={path}")])
}

fn phase(env: &Env) -> String {
    rollout_jsonpath(env, "{.status.phase}")
}

/// The Rollout's ReplicaSets.
fn replica_sets(env: &Env) -> Vec<Value> {
    labelled(env, "rs", NAME)
}

fn revision(object: &Value) -> &str {
    object["metadata"]["annotations"][REVISION].as_str().unwrap_or_default()
}

/// The ReplicaSet running `image`.
fn rs_with_image(env: &Env, image: &str) -> Option<Value> {
    replica_sets(env).into_iter().find(|rs| image_of(rs) == image)
}

/// The ReplicaSet with this pod-template hash.
fn rs_by_hash(env: &Env, hash: &str) -> Value {
    let mut found: Vec<Value> = replica_sets(env).into_iter().filter(|rs| hash_of(rs) == hash).collect();
    assert_eq!(found.len(), 1, "ReplicaSets with hash {hash}: {found:#?}");
    found.remove(0)
}

/// The ReplicaSet's `scale-down-deadline` annotation as a time, when it has one.
fn scale_down_deadline(rs: &Value) -> Option<SystemTime> {
    let text = rs["metadata"]["annotations"][SCALE_DOWN_DEADLINE].as_str()?;
    assert!(text.ends_with('Z'), "deadline not in UTC: {text}");
    let ts: jiff::Timestamp = text
        .parse()
        .unwrap_or_else(|e| panic!("{SCALE_DOWN_DEADLINE} {text:?} is not RFC 3339: {e}"));
    Some(SystemTime::from(ts))
}

fn after(a: SystemTime, b: SystemTime) -> String {
    match a.duration_since(b) {
        Ok(d) => format!("{d:?} after"),
        Err(e) => format!("{:?} before", e.duration()),
    }
}

/// One look at the Services and the phase (in this order).
#[derive(Debug, Clone)]
struct Look {
    active: String,
    preview: String,
    phase: String,
}

fn look(env: &Env) -> Look {
    Look {
        active: active(env),
        preview: preview(env),
        phase: phase(env),
    }
}

/// The distinct successive (active, preview, phase) states in `looks`, for the log.
fn transitions(looks: &[Look]) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for l in looks {
        let state = (l.active.clone(), l.preview.clone(), l.phase.clone());
        if out.last() != Some(&state) {
            out.push(state);
        }
    }
    out
}

/// Looks every [`SAMPLE_EVERY`] until `done` holds for a look (returned with all looks taken), failing
/// after `seconds` with `what`.
fn looks_until(env: &Env, seconds: u64, what: &str, mut done: impl FnMut(&Look) -> bool) -> Vec<Look> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut looks = Vec::new();
    loop {
        let l = look(env);
        let finished = done(&l);
        looks.push(l);
        if finished {
            return looks;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {seconds} s waiting for {what}; looks: {looks:#?}"
        );
        std::thread::sleep(SAMPLE_EVERY);
    }
}

/// Looks every [`SAMPLE_EVERY`] for `duration`.
fn looks_for(env: &Env, duration: Duration) -> Vec<Look> {
    let end = Instant::now() + duration;
    let mut looks = Vec::new();
    while Instant::now() < end {
        looks.push(look(env));
        std::thread::sleep(SAMPLE_EVERY);
    }
    looks.push(look(env));
    looks
}

/// A ReplicaSet's size, with when it was read: between `before` and `after`.
#[derive(Debug)]
struct SizeSample {
    before: SystemTime,
    after: SystemTime,
    replicas: i64,
    available: i64,
    preview: String,
    active: String,
}

/// Samples the ReplicaSet with `hash` (then the Services) until it is scaled to 0, failing after `until`.
fn sample_until_scaled_down(env: &Env, hash: &str, until: SystemTime) -> Vec<SizeSample> {
    let mut samples = Vec::new();
    loop {
        let before = SystemTime::now();
        let rs = rs_by_hash(env, hash);
        let after = SystemTime::now();
        let sample = SizeSample {
            before,
            after,
            replicas: spec_replicas(&rs),
            available: available_replicas(&rs),
            preview: preview(env),
            active: active(env),
        };
        let done = sample.replicas == 0;
        samples.push(sample);
        if done {
            return samples;
        }
        assert!(
            SystemTime::now() < until,
            "ReplicaSet {hash} not scaled down in time: {rs:#}\nsamples: {samples:#?}"
        );
        std::thread::sleep(SAMPLE_EVERY);
    }
}

/// Checks a delayed scale-down against the deadline the controller wrote: full size (`replicas`) in every
/// sample read before the deadline, 0 only in samples read after it (with [`SLACK`] for the sampling).
fn check_scale_down_after_deadline(samples: &[SizeSample], deadline: SystemTime, replicas: i64, what: &str) {
    for s in samples {
        if s.after + SLACK < deadline {
            assert_eq!(
                s.replicas,
                replicas,
                "{what}: resized {} the deadline: {s:?}",
                after(s.after, deadline)
            );
        }
        if s.replicas == 0 {
            assert!(
                s.after + SLACK >= deadline,
                "{what}: scaled down {} the deadline: {s:?}",
                after(s.after, deadline)
            );
        }
    }
    let last = samples.last().unwrap();
    assert_eq!(last.replicas, 0, "{what}: {last:?}");
    eprintln!(
        "{what}: scaled down between {} and {} the deadline ({} samples)",
        samples
            .iter()
            .rev()
            .nth(1)
            .map_or_else(|| "?".to_string(), |s| after(s.before, deadline)),
        after(last.after, deadline),
        samples.len()
    );
}

/// Waits for the ReplicaSet with `hash` to get its `scale-down-deadline`; returns it and when it was seen.
fn wait_deadline(env: &Env, hash: &str, what: &str) -> (SystemTime, SystemTime) {
    wait_for(30, what, || {
        let rs = rs_by_hash(env, hash);
        scale_down_deadline(&rs).map(|d| (d, SystemTime::now()))
    })
}

fn check_service_annotation(env: &Env, service: &str) {
    let svc = get_json(env, &["get", "svc", service, "-o", "json"]);
    assert_eq!(svc["metadata"]["annotations"][MANAGED_BY], NAME, "{svc:#}");
    assert_eq!(svc["spec"]["selector"]["app"], NAME, "{svc:#}");
}

fn set_image(env: &Env, image: &str) {
    let out = env.plugin_ok(&["set", "image", NAME, &format!("rollouts-demo={image}")]);
    assert_eq!(out.trim(), format!("rollout \"{NAME}\" image updated"));
}

/// Deploys the example and waits until it is Healthy with both Services on its only ReplicaSet; returns
/// the hash and the looks taken meanwhile.
fn deploy(env: &Env, manifest: &str) -> (String, Vec<Look>) {
    env.cluster.kubectl_ok(&["apply", "-f", manifest]);
    let looks = looks_until(env, 60, "the active Service to select a ReplicaSet", |l| {
        !l.active.is_empty()
    });
    let s = wait_phase(env, NAME, 60, "Healthy");
    let sets = replica_sets(env);
    assert_eq!(sets.len(), 1, "{sets:#?}");
    let rs = &sets[0];
    let hash = hash_of(rs);
    assert!(!hash.is_empty(), "{rs:#}");
    assert_eq!(image_of(rs), BLUE);
    assert_eq!(revision(rs), "1");
    assert_eq!(spec_replicas(rs), 2, "{rs:#}");
    assert_eq!(active(env), hash);
    assert_eq!(preview(env), hash);
    assert_eq!(s["stableRS"].as_str(), Some(hash.as_str()), "{s:#}");
    (hash, looks)
}

// ---------------------------------------------------------------------------------------------------------
// A complete record of the Services, ReplicaSets and the Rollout: `kubectl get -w` in the background.
//
// Every version of every object is one line `resourceVersion|name|fields...`. The dev cluster's
// resourceVersions are one increasing counter (as etcd's revisions are), so records of different kinds
// can be put in the order they were written.

/// `kubectl get <args> -w -o jsonpath=...` running in the background, its lines collected.
struct Watch {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<JoinHandle<()>>,
    what: String,
}

impl Watch {
    fn start(env: &Env, args: &[&str], fields: &str) -> Watch {
        let template = format!("jsonpath={{.metadata.resourceVersion}}|{{.metadata.name}}|{fields}{{\"\\n\"}}");
        let mut child = env
            .cluster
            .kubectl_command()
            .args(["get"])
            .args(args)
            .args(["--watch", "-o", &template])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !line.is_empty() {
                    sink.lock().unwrap().push(line);
                }
            }
        });
        Watch {
            child,
            lines,
            reader: Some(reader),
            what: args.join(" "),
        }
    }

    /// The records so far.
    fn records(&self) -> Vec<Record> {
        self.lines.lock().unwrap().iter().map(|l| Record::parse(l)).collect()
    }

    /// Stops it (it must have been watching all along) and returns every record.
    fn finish(mut self) -> Vec<Record> {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the watch of {} ended early",
            self.what
        );
        self.stop();
        self.records()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One version of one object.
#[derive(Debug, Clone)]
struct Record {
    rv: u64,
    name: String,
    fields: Vec<String>,
}

impl Record {
    fn parse(line: &str) -> Record {
        let mut parts = line.split('|');
        let rv = parts.next().unwrap_or_default();
        let rv = rv
            .parse()
            .unwrap_or_else(|e| panic!("resourceVersion {rv:?} is not a number ({e}): {line}"));
        let name = parts.next().unwrap_or_default().to_string();
        Record {
            rv,
            name,
            fields: parts.map(str::to_string).collect(),
        }
    }

    fn field(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", String::as_str)
    }

    fn number(&self, i: usize) -> i64 {
        self.field(i).parse().unwrap_or(0)
    }
}

/// The three watches of a test.
struct Watches {
    services: Watch,
    replica_sets: Watch,
    rollouts: Watch,
}

/// What the watches recorded.
struct History {
    /// Services: `[selector hash]`.
    services: Vec<Record>,
    /// ReplicaSets: `[hash, spec.replicas, status.availableReplicas]`.
    replica_sets: Vec<Record>,
    /// Rollouts: `[generation, observedGeneration, phase, message]`.
    rollouts: Vec<Record>,
}

impl Watches {
    /// Starts watching (before anything is applied).
    fn start(env: &Env) -> Watches {
        let watches = Watches {
            services: Watch::start(env, &["svc"], "{.spec.selector.rollouts-pod-template-hash}"),
            replica_sets: Watch::start(
                env,
                &["rs", "-l", APP_LABEL],
                "{.metadata.labels.rollouts-pod-template-hash}|{.spec.replicas}|{.status.availableReplicas}",
            ),
            rollouts: Watch::start(
                env,
                &["rollouts"],
                "{.metadata.generation}|{.status.observedGeneration}|{.status.phase}|{.status.message}",
            ),
        };
        // Each watch has listed (nothing yet) and is watching once kubectl has had a moment to start.
        std::thread::sleep(Duration::from_secs(1));
        watches
    }

    fn finish(self) -> History {
        History {
            services: self.services.finish(),
            replica_sets: self.replica_sets.finish(),
            rollouts: self.rollouts.finish(),
        }
    }
}

impl History {
    /// The successive selectors of a Service (repeats folded), with the resourceVersion of each change.
    fn selectors(&self, service: &str) -> Vec<(u64, String)> {
        let mut out: Vec<(u64, String)> = Vec::new();
        for r in self.services.iter().filter(|r| r.name == service) {
            if out.last().is_none_or(|(_, h)| h != r.field(0)) {
                out.push((r.rv, r.field(0).to_string()));
            }
        }
        out
    }

    /// The successive hashes a Service selected (after its first version, without one).
    fn hashes(&self, service: &str) -> Vec<String> {
        let mut hashes: Vec<String> = self.selectors(service).into_iter().map(|(_, h)| h).collect();
        if hashes.first().is_some_and(String::is_empty) {
            hashes.remove(0);
        }
        hashes
    }

    /// When the Service first selected `hash`.
    fn first_selected(&self, service: &str, hash: &str) -> u64 {
        self.selectors(service)
            .into_iter()
            .find(|(_, h)| h == hash)
            .unwrap_or_else(|| panic!("{service} never selected {hash}: {:?}", self.selectors(service)))
            .0
    }

    /// What the Service selected just before `rv`.
    fn selected_before(&self, service: &str, rv: u64) -> String {
        self.selectors(service)
            .into_iter()
            .rfind(|(at, _)| *at < rv)
            .map(|(_, h)| h)
            .unwrap_or_default()
    }

    /// The last recorded version of the ReplicaSet with `hash` before `rv`.
    fn replica_set_before(&self, hash: &str, rv: u64) -> Option<&Record> {
        self.replica_sets.iter().rfind(|r| r.field(0) == hash && r.rv < rv)
    }

    /// The active Service was only ever pointed at a ReplicaSet whose pods were all available.
    fn check_active_only_on_available(&self) {
        for (rv, hash) in self.selectors(ACTIVE).into_iter().filter(|(_, h)| !h.is_empty()) {
            let rs = self.replica_set_before(&hash, rv);
            assert!(
                rs.is_some_and(|r| r.number(1) > 0 && r.number(2) >= r.number(1)),
                "the active Service was pointed at {hash} (resourceVersion {rv}) when its ReplicaSet was {rs:?}"
            );
        }
    }

    /// No ReplicaSet was scaled down while a Service selected it.
    fn check_no_service_on_scaled_down(&self) {
        for (i, r) in self.replica_sets.iter().enumerate() {
            let before = self.replica_sets[..i].iter().rfind(|p| p.name == r.name);
            if r.number(1) == 0 && before.is_some_and(|p| p.number(1) > 0) {
                for service in [ACTIVE, PREVIEW] {
                    assert_ne!(
                        self.selected_before(service, r.rv),
                        r.field(0),
                        "{service} selected ReplicaSet {} when it was scaled down (resourceVersion {})",
                        r.name,
                        r.rv
                    );
                }
            }
        }
    }

    /// The Rollout's phases (repeats folded) in versions of generation `generation` or later.
    fn phases_since(&self, generation: i64) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self
            .rollouts
            .iter()
            .filter(|r| r.name == NAME && r.number(0) >= generation)
        {
            if out.last().is_none_or(|p| p != r.field(2)) {
                out.push(r.field(2).to_string());
            }
        }
        out
    }

    /// The Rollout's (resourceVersion, generation, observedGeneration, phase, message), repeats folded.
    fn phase_log(&self) -> Vec<(u64, i64, i64, String, String)> {
        let mut out: Vec<(u64, i64, i64, String, String)> = Vec::new();
        for r in self.rollouts.iter().filter(|r| r.name == NAME) {
            let entry = (
                r.rv,
                r.number(0),
                r.number(1),
                r.field(2).to_string(),
                r.field(3).to_string(),
            );
            if out
                .last()
                .is_none_or(|l| (l.1, l.2, &l.3, &l.4) != (entry.1, entry.2, &entry.3, &entry.4))
            {
                out.push(entry);
            }
        }
        out
    }

    /// The first version of generation `generation` observed by the controller with `phase`.
    fn first_phase(&self, generation: i64, phase: &str) -> u64 {
        self.rollouts
            .iter()
            .find(|r| r.name == NAME && r.number(0) == generation && r.number(1) == generation && r.field(2) == phase)
            .unwrap_or_else(|| panic!("generation {generation} was never {phase}: {:#?}", self.rollouts))
            .rv
    }
}

fn generation(env: &Env) -> i64 {
    env.rollout(NAME)["metadata"]["generation"].as_i64().unwrap()
}

// ---------------------------------------------------------------------------------------------------------
// The walkthrough.

#[test]
fn bluegreen_example_deploy_promote_abort_and_fast_track() {
    if let Some(env) = Env::start("bluegreen-e2e") {
        deploy_promote_abort_and_fast_track(&env);
    }
}

/// Upstream's blue-green example on `env`: deploy, update, promote, abort, fast-track back (skipped when
/// the conformance files are missing).
pub(crate) fn deploy_promote_abort_and_fast_track(env: &Env) {
    let Some(manifest) = example("bluegreen_example_deploy_promote_abort_and_fast_track") else {
        return;
    };
    let mut controller = env.start_controller();
    let watches = Watches::start(env);
    let started = Instant::now();

    // 1. Deploy: one ReplicaSet at 2; the preview Service selects it first, the active one once its pods
    // are available; Healthy.
    let (hash1, looks) = deploy(env, &manifest);
    eprintln!("deploy: {:?}", transitions(&looks));
    for l in &looks {
        assert!(
            l.active.is_empty() || l.preview == l.active,
            "the active Service was switched before the preview one: {looks:#?}"
        );
        assert!(l.active.is_empty() || l.active == hash1, "{looks:#?}");
        assert!(l.preview.is_empty() || l.preview == hash1, "{looks:#?}");
    }
    // The dashed key through kubectl's bracket notation reads the same.
    let bracketed = env.cluster.kubectl_ok(&[
        "get",
        "svc",
        ACTIVE,
        "-o",
        "jsonpath={.spec.selector['rollouts-pod-template-hash']}",
    ]);
    assert_eq!(bracketed, hash1);
    let rs1 = rs_by_hash(env, &hash1);
    wait_for(30, "2 available pods", || {
        (available_replicas(&rs_by_hash(env, &hash1)) == 2).then_some(())
    });
    assert_eq!(spec_replicas(&rs1), 2);
    assert_eq!(phase(env), "Healthy");
    let s = status(env, NAME);
    assert_eq!(s["blueGreen"]["activeSelector"].as_str(), Some(hash1.as_str()), "{s:#}");
    assert_eq!(
        s["blueGreen"]["previewSelector"].as_str(),
        Some(hash1.as_str()),
        "{s:#}"
    );
    assert_eq!(s["stableRS"].as_str(), Some(hash1.as_str()), "{s:#}");
    assert_eq!(env.rollout(NAME)["metadata"]["annotations"][REVISION], "1");
    check_service_annotation(env, ACTIVE);
    check_service_annotation(env, PREVIEW);
    eprintln!("stage 1 (deploy) done after {:?}", started.elapsed());

    // 2. Update: a second ReplicaSet at 2; the preview Service follows it at once, the active one stays;
    // once the new pods are available the rollout pauses before the promotion.
    set_image(env, YELLOW);
    let updated = generation(env);
    let hash2 = wait_for(30, "a ReplicaSet running yellow", || {
        rs_with_image(env, YELLOW).map(|rs| hash_of(&rs))
    });
    assert_ne!(hash2, hash1);
    let looks = looks_until(env, 60, "the BlueGreenPause", |l| l.phase == "Paused");
    eprintln!("update to yellow: {:?}", transitions(&looks));
    for l in &looks {
        assert_eq!(
            l.active, hash1,
            "the active Service moved before the promotion: {looks:#?}"
        );
        assert!(l.preview == hash1 || l.preview == hash2, "{looks:#?}");
    }
    let s = wait_phase(env, NAME, 30, "Paused");
    assert_eq!(s["message"], "BlueGreenPause", "{s:#}");
    assert_eq!(s["pauseConditions"][0]["reason"], "BlueGreenPause", "{s:#}");
    assert_eq!(s["controllerPause"], true, "{s:#}");
    assert_eq!(s["stableRS"].as_str(), Some(hash1.as_str()), "{s:#}");
    assert_eq!(s["blueGreen"]["activeSelector"].as_str(), Some(hash1.as_str()), "{s:#}");
    assert_eq!(
        s["blueGreen"]["previewSelector"].as_str(),
        Some(hash2.as_str()),
        "{s:#}"
    );
    assert_eq!(preview(env), hash2);
    assert_eq!(active(env), hash1);
    let rs2 = rs_by_hash(env, &hash2);
    assert_eq!(revision(&rs2), "2");
    assert_eq!(spec_replicas(&rs2), 2, "{rs2:#}");
    assert_eq!(
        available_replicas(&rs2),
        2,
        "paused before the preview pods were available: {rs2:#}"
    );
    assert_eq!(spec_replicas(&rs_by_hash(env, &hash1)), 2);
    assert_eq!(env.rollout(NAME)["metadata"]["annotations"][REVISION], "2");
    // It holds: nothing moves while paused.
    for l in looks_for(env, Duration::from_secs(3)) {
        assert_eq!(
            (l.active.as_str(), l.preview.as_str(), l.phase.as_str()),
            (hash1.as_str(), hash2.as_str(), "Paused"),
            "{l:?}"
        );
    }
    assert_eq!(spec_replicas(&rs_by_hash(env, &hash1)), 2);
    assert_eq!(spec_replicas(&rs_by_hash(env, &hash2)), 2);
    eprintln!("stage 2 (update, pause) done after {:?}", started.elapsed());

    // 3. Promote: the active Service switches to the new ReplicaSet, which becomes stable; the old one
    // keeps its pods until its scale-down deadline (scaleDownDelaySeconds, 30 s by default).
    let promoted = SystemTime::now();
    let out = env.plugin_ok(&["promote", NAME]);
    assert_eq!(out.trim(), format!("rollout '{NAME}' promoted"));
    let looks = looks_until(env, 30, "the active Service to switch", |l| l.active == hash2);
    let switched = SystemTime::now();
    eprintln!("promote: {:?}", transitions(&looks));
    for l in &looks {
        assert!(l.active == hash1 || l.active == hash2, "{looks:#?}");
        assert_eq!(l.preview, hash2, "{looks:#?}");
    }
    assert_eq!(
        spec_replicas(&rs_by_hash(env, &hash1)),
        2,
        "the old ReplicaSet was resized at the switch"
    );
    let s = wait_phase(env, NAME, 30, "Healthy");
    assert_eq!(s["stableRS"].as_str(), Some(hash2.as_str()), "{s:#}");
    assert_eq!(s["blueGreen"]["activeSelector"].as_str(), Some(hash2.as_str()), "{s:#}");
    assert_eq!(
        s["blueGreen"]["previewSelector"].as_str(),
        Some(hash2.as_str()),
        "{s:#}"
    );
    assert!(s["pauseConditions"].as_array().is_none_or(Vec::is_empty), "{s:#}");
    let (deadline, seen) = wait_deadline(env, &hash1, "the old ReplicaSet's scale-down-deadline");
    eprintln!(
        "old ReplicaSet's deadline: {} the promotion, {} the switch was seen",
        after(deadline, promoted),
        after(deadline, switched)
    );
    // Written once the switch is recorded, 30 s ahead (whole seconds).
    assert!(
        deadline + Duration::from_secs(1) >= promoted + Duration::from_secs(30),
        "deadline only {} the promotion",
        after(deadline, promoted)
    );
    assert!(
        deadline <= seen + Duration::from_secs(30),
        "deadline {} it was seen",
        after(deadline, seen)
    );
    let samples = sample_until_scaled_down(env, &hash1, deadline + Duration::from_secs(20));
    check_scale_down_after_deadline(&samples, deadline, 2, "old ReplicaSet after the promotion");
    assert!(
        samples
            .iter()
            .any(|s| s.before >= switched + Duration::from_secs(20) && s.replicas == 2),
        "no sample at 20 s after the switch with the old ReplicaSet still at 2: {samples:#?}"
    );
    for s in &samples {
        assert_eq!(
            (s.active.as_str(), s.preview.as_str()),
            (hash2.as_str(), hash2.as_str()),
            "{s:?}"
        );
    }
    assert_eq!(spec_replicas(&rs_by_hash(env, &hash2)), 2);
    let l = look(env);
    assert_eq!(
        (l.active.as_str(), l.preview.as_str(), l.phase.as_str()),
        (hash2.as_str(), hash2.as_str(), "Healthy")
    );
    eprintln!(
        "stage 3 (promote, delayed scale-down) done after {:?}",
        started.elapsed()
    );

    // 4. Update to red, then abort: the active Service never leaves the stable ReplicaSet; the aborted one
    // keeps its pods until its abort deadline (abortScaleDownDelaySeconds, 30 s by default), then the
    // preview Service moves back to the stable ReplicaSet and the aborted one is scaled to 0.
    set_image(env, RED);
    let hash3 = wait_for(30, "a ReplicaSet running red", || {
        rs_with_image(env, RED).map(|rs| hash_of(&rs))
    });
    assert!(hash3 != hash1 && hash3 != hash2, "{hash3}");
    let looks = looks_until(env, 60, "the BlueGreenPause", |l| l.phase == "Paused");
    eprintln!("update to red: {:?}", transitions(&looks));
    for l in &looks {
        assert_eq!(l.active, hash2, "{looks:#?}");
        assert!(l.preview == hash2 || l.preview == hash3, "{looks:#?}");
    }
    let s = wait_phase(env, NAME, 30, "Paused");
    assert_eq!(s["message"], "BlueGreenPause", "{s:#}");
    assert_eq!(s["pauseConditions"][0]["reason"], "BlueGreenPause", "{s:#}");
    assert_eq!(preview(env), hash3);
    assert_eq!(active(env), hash2);
    let rs3 = rs_by_hash(env, &hash3);
    assert_eq!(revision(&rs3), "3");
    assert_eq!(spec_replicas(&rs3), 2, "{rs3:#}");
    assert_eq!(available_replicas(&rs3), 2, "{rs3:#}");

    let aborted = SystemTime::now();
    let out = env.plugin_ok(&["abort", NAME]);
    assert_eq!(out.trim(), format!("rollout '{NAME}' aborted"));
    let looks = looks_until(env, 30, "phase Degraded", |l| l.phase == "Degraded");
    eprintln!("abort: {:?}", transitions(&looks));
    for l in &looks {
        assert_eq!(l.active, hash2, "{looks:#?}");
    }
    let s = wait_phase(env, NAME, 30, "Degraded");
    let message = s["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("RolloutAborted: Rollout aborted update to revision 3"),
        "{s:#}"
    );
    assert_eq!(s["abort"], true, "{s:#}");
    assert_eq!(s["stableRS"].as_str(), Some(hash2.as_str()), "{s:#}");
    let (deadline, seen) = wait_deadline(env, &hash3, "the aborted ReplicaSet's scale-down-deadline");
    eprintln!("aborted ReplicaSet's deadline: {} the abort", after(deadline, aborted));
    assert!(
        deadline + Duration::from_secs(1) >= aborted + Duration::from_secs(30),
        "abort deadline only {} the abort",
        after(deadline, aborted)
    );
    assert!(
        deadline <= seen + Duration::from_secs(30),
        "abort deadline {} it was seen",
        after(deadline, seen)
    );
    let samples = sample_until_scaled_down(env, &hash3, deadline + Duration::from_secs(20));
    check_scale_down_after_deadline(&samples, deadline, 2, "aborted ReplicaSet");
    for s in &samples {
        assert_eq!(s.active, hash2, "the active Service left the stable ReplicaSet: {s:?}");
        if s.after + SLACK < deadline {
            assert_eq!(
                s.available, 2,
                "the aborted ReplicaSet lost pods before its deadline: {s:?}"
            );
            assert_eq!(s.preview, hash3, "{s:?}");
        }
        // The preview Service is read after the ReplicaSet: once it is scaled down, no Service selects it.
        if s.replicas == 0 {
            assert_eq!(
                s.preview, hash2,
                "a Service still selects the scaled-down ReplicaSet: {s:?}"
            );
        }
    }
    assert_eq!(spec_replicas(&rs_by_hash(env, &hash3)), 0);
    assert_eq!(spec_replicas(&rs_by_hash(env, &hash2)), 2);
    let l = look(env);
    assert_eq!(
        (l.active.as_str(), l.preview.as_str(), l.phase.as_str()),
        (hash2.as_str(), hash2.as_str(), "Degraded")
    );
    let s = status(env, NAME);
    assert_eq!(s["abort"], true, "{s:#}");
    assert_eq!(s["blueGreen"]["activeSelector"].as_str(), Some(hash2.as_str()), "{s:#}");
    eprintln!(
        "stage 4 (update, abort, delayed scale-down) done after {:?}",
        started.elapsed()
    );

    // 5. Back to the stable image: the stable ReplicaSet is reused (revision 4), Healthy without a pause.
    let before = replica_sets(env).len();
    set_image(env, YELLOW);
    let back = generation(env);
    let looks = looks_until(env, 30, "Healthy for the new generation", |l| {
        l.phase == "Healthy" && rollout_jsonpath(env, "{.status.observedGeneration}") == back.to_string()
    });
    let mut phases: Vec<String> = looks.iter().map(|l| l.phase.clone()).collect();
    let after_healthy = looks_for(env, Duration::from_secs(3));
    eprintln!(
        "back to yellow: {:?} then {:?}",
        transitions(&looks),
        transitions(&after_healthy)
    );
    phases.extend(after_healthy.iter().map(|l| l.phase.clone()));
    assert!(
        !phases.iter().any(|p| p == "Paused"),
        "paused on the way back: {phases:?}"
    );
    for l in looks.iter().chain(&after_healthy) {
        assert_eq!(l.active, hash2, "{l:?}");
    }
    for l in &after_healthy {
        assert_eq!(
            (l.active.as_str(), l.preview.as_str(), l.phase.as_str()),
            (hash2.as_str(), hash2.as_str(), "Healthy"),
            "{l:?}"
        );
    }
    let s = wait_phase(env, NAME, 5, "Healthy");
    assert!(s["abort"].is_null() || s["abort"] == false, "{s:#}");
    assert!(s["pauseConditions"].as_array().is_none_or(Vec::is_empty), "{s:#}");
    assert_eq!(s["stableRS"].as_str(), Some(hash2.as_str()), "{s:#}");
    assert_eq!(s["currentPodHash"].as_str(), Some(hash2.as_str()), "{s:#}");
    assert_eq!(s["blueGreen"]["activeSelector"].as_str(), Some(hash2.as_str()), "{s:#}");
    assert_eq!(
        s["blueGreen"]["previewSelector"].as_str(),
        Some(hash2.as_str()),
        "{s:#}"
    );
    let sets = replica_sets(env);
    assert_eq!(sets.len(), before, "{sets:#?}");
    assert_eq!(sets.iter().filter(|rs| image_of(rs) == YELLOW).count(), 1, "{sets:#?}");
    let rs2 = rs_by_hash(env, &hash2);
    assert_eq!(revision(&rs2), "4", "{rs2:#}");
    assert_eq!(
        rs2["metadata"]["annotations"]["rollout.argoproj.io/revision-history"], "2",
        "{rs2:#}"
    );
    assert_eq!(spec_replicas(&rs2), 2, "{rs2:#}");
    assert_eq!(spec_replicas(&rs_by_hash(env, &hash3)), 0);
    assert_eq!(env.rollout(NAME)["metadata"]["annotations"][REVISION], "4");
    // The aborted update ended in a fast rollback: the Healthy rollout no longer reports it Aborted.
    assert_eq!(s["duration"]["completionStatus"], "FastRolledBack", "{s:#}");
    let described = env.cluster.kubectl_ok(&["describe", "rollout", NAME]);
    let completion: Vec<&str> = described
        .lines()
        .filter(|l| l.trim_start().starts_with("Completion Status:"))
        .collect();
    assert_eq!(completion.len(), 1, "{described}");
    assert!(completion[0].trim_end().ends_with(" FastRolledBack"), "{described}");
    eprintln!("stage 5 (fast-track) done after {:?}", started.elapsed());
    let history = watches.finish();
    eprintln!(
        "active Service: {:?}\npreview Service: {:?}\nphases: {:?}",
        history.selectors(ACTIVE),
        history.selectors(PREVIEW),
        history.phase_log()
    );
    // Every version of the Services: the active one went to the first ReplicaSet, then to the second at
    // the promotion, never to the aborted one; the preview one to each new ReplicaSet and back after the abort.
    assert_eq!(history.hashes(ACTIVE), [hash1.as_str(), hash2.as_str()]);
    assert_eq!(
        history.hashes(PREVIEW),
        [hash1.as_str(), hash2.as_str(), hash3.as_str(), hash2.as_str()]
    );
    assert!(history.first_selected(PREVIEW, &hash1) < history.first_selected(ACTIVE, &hash1));
    assert!(history.first_phase(updated, "Paused") > history.first_selected(PREVIEW, &hash2));
    assert!(history.first_phase(updated, "Paused") < history.first_selected(ACTIVE, &hash2));
    history.check_active_only_on_available();
    history.check_no_service_on_scaled_down();
    let phases = history.phases_since(back);
    assert!(
        !phases.iter().any(|p| p == "Paused"),
        "paused on the way back: {phases:?}"
    );
    assert_eq!(phases.last().map(String::as_str), Some("Healthy"), "{phases:?}");
    controller.stop();
}

// ---------------------------------------------------------------------------------------------------------
// The active Service and availability.

#[test]
fn active_service_never_selects_a_replica_set_without_available_pods() {
    let Some(manifest) = example("active_service_never_selects_a_replica_set_without_available_pods") else {
        return;
    };
    let Some(env) = Env::start("bluegreen-never-ready") else {
        return;
    };
    let mut controller = env.start_controller();
    let watches = Watches::start(&env);
    let started = Instant::now();
    let (hash1, _) = deploy(&env, &manifest);

    // A new ReplicaSet whose pods never become Ready: the preview Service follows it, the active one stays,
    // and the pause (which waits for the preview pods) is never reached.
    set_image(&env, NEVER_READY);
    let never_ready = generation(&env);
    let hash2 = wait_for(30, "a ReplicaSet running the never-ready image", || {
        rs_with_image(&env, NEVER_READY).map(|rs| hash_of(&rs))
    });
    let looks = looks_for(&env, Duration::from_secs(8));
    eprintln!("update to never-ready: {:?}", transitions(&looks));
    for l in &looks {
        assert_eq!(l.active, hash1, "{looks:#?}");
        assert_ne!(l.phase, "Paused", "{looks:#?}");
    }
    assert_eq!(looks.last().unwrap().preview, hash2, "{looks:#?}");
    let rs2 = rs_by_hash(&env, &hash2);
    assert_eq!(spec_replicas(&rs2), 2, "{rs2:#}");
    assert_eq!(available_replicas(&rs2), 0, "{rs2:#}");

    // A full promotion still waits for the new pods to be available.
    let out = env.plugin_ok(&["promote", "--full", NAME]);
    assert_eq!(out.trim(), format!("rollout '{NAME}' fully promoted"));
    wait_for(10, "status.promoteFull", || {
        (rollout_jsonpath(&env, "{.status.promoteFull}") == "true").then_some(())
    });
    let looks = looks_for(&env, Duration::from_secs(5));
    eprintln!("promote --full: {:?}", transitions(&looks));
    for l in &looks {
        assert_eq!(
            l.active, hash1,
            "the active Service selects pods that are not available: {looks:#?}"
        );
    }
    let s = status(&env, NAME);
    assert_eq!(s["stableRS"].as_str(), Some(hash1.as_str()), "{s:#}");
    assert_eq!(s["blueGreen"]["activeSelector"].as_str(), Some(hash1.as_str()), "{s:#}");
    assert_eq!(spec_replicas(&rs_by_hash(&env, &hash1)), 2);
    eprintln!("done after {:?}", started.elapsed());
    let history = watches.finish();
    eprintln!(
        "active Service: {:?}\npreview Service: {:?}\nphases: {:?}",
        history.selectors(ACTIVE),
        history.selectors(PREVIEW),
        history.phase_log()
    );
    assert_eq!(history.hashes(ACTIVE), [hash1.as_str()]);
    assert_eq!(history.hashes(PREVIEW), [hash1.as_str(), hash2.as_str()]);
    history.check_active_only_on_available();
    let phases = history.phases_since(never_ready);
    assert!(!phases.iter().any(|p| p == "Paused"), "{phases:?}");
    controller.stop();
}
