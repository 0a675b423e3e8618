//! The controller's API requests through the seed walkthrough, stage by stage, next to upstream's writes
//! per transition (spec §9).
//!
//! The dev cluster (simulated workloads, real-time pod starts) runs in a child process; the controller
//! runs in this process on a kube-rs client for it, and the user's steps are made directly with kube-rs:
//! apply the getting-started Rollout (5 replicas, setWeight 20 / pause {} / 40 / pause 10s / 60 /
//! pause 10s / 80 / pause 10s, image blue) and its Service; set image yellow; promote; set image red;
//! abort; re-apply yellow (the fast-track rollback). Each stage lasts from the user's step until the
//! Rollout shows the expected phase for its current generation and the controller has then been idle
//! (no request, no reconcile) for a few seconds; its requests are the difference of the controller's
//! counters across it. Every write the controller sends is also logged (method, path, body) to show
//! the order of writes and to spot repeated identical status patches.
//!
//! Run: `cargo bench -p rollouts-controller --bench walkthrough_writes`
//! (`ROLLOUTS_BENCH_LOG=1` also prints every write with its body).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Class, Counts, RunningController, Server};
use hyper::{Method, Request};
use k8s_openapi::api::core::v1::Service;
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use kube::client::Body;
use kube::core::{ApiResource, DynamicObject};
use rollouts_api::Rollout;
use serde_json::{Value, json};

const NAME: &str = "rollouts-demo";
const NS: &str = "default";
/// How long the controller must stay idle for a stage to end.
const QUIET: Duration = Duration::from_secs(3);
/// The longest a stage may take to go idle after reaching its phase before it is reported as busy.
const SETTLE_CAP: Duration = Duration::from_secs(60);

fn container(image: &str) -> Value {
    json!({
        "name": NAME,
        "image": image,
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "resources": {"requests": {"memory": "32Mi", "cpu": "5m"}}
    })
}

/// The getting-started canary Rollout, written out here.
fn rollout_manifest(image: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": NAME, "namespace": NS},
        "spec": {
            "replicas": 5,
            "revisionHistoryLimit": 2,
            "selector": {"matchLabels": {"app": NAME}},
            "template": {
                "metadata": {"labels": {"app": NAME}},
                "spec": {"containers": [container(image)]}
            },
            "strategy": {"canary": {"steps": [
                {"setWeight": 20},
                {"pause": {}},
                {"setWeight": 40},
                {"pause": {"duration": "10s"}},
                {"setWeight": 60},
                {"pause": {"duration": "10s"}},
                {"setWeight": 80},
                {"pause": {"duration": "10s"}}
            ]}}
        }
    })
}

fn service_manifest() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": NAME, "namespace": NS},
        "spec": {
            "selector": {"app": NAME},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
        }
    })
}

// ---------------------------------------------------------------------------------------------------
// Every write the controller sends, with its body: a tower service under the controller's client.

#[derive(Debug, Clone)]
struct Write {
    at: Instant,
    method: Method,
    path: String,
    body: Value,
    /// The response status.
    status: u16,
}

type Log = Arc<Mutex<Vec<Write>>>;

/// `client`, logging in `log` every write it sends (everything but GETs), with its body and the
/// status of the response.
fn logging(client: Client, log: Log) -> Client {
    common::intercepted(client, move |client, request| {
        let log = Arc::clone(&log);
        async move {
            if request.method() == Method::GET {
                return client.send(request).await;
            }
            let (parts, body) = request.into_parts();
            let bytes = body.collect_bytes().await?;
            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let (method, path) = (parts.method.clone(), parts.uri.path().to_string());
            let response = client.send(Request::from_parts(parts, Body::from(bytes))).await;
            let status = match &response {
                Ok(r) => r.status().as_u16(),
                Err(kube::Error::Api(s)) => s.code,
                Err(_) => 0,
            };
            log.lock().unwrap().push(Write {
                at: Instant::now(),
                method,
                path,
                body,
                status,
            });
            response
        }
    })
}

/// A short label of a write: what it does to what.
fn label(w: &Write) -> String {
    let segments: Vec<&str> = w.path.trim_matches('/').split('/').collect();
    let resource = segments
        .iter()
        .position(|s| *s == "namespaces")
        .and_then(|i| segments.get(i + 2..))
        .unwrap_or_default();
    let verb = match w.method {
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "other",
    };
    let failed = if (200..300).contains(&w.status) {
        String::new()
    } else {
        format!(" [{}]", w.status)
    };
    let text = match resource {
        ["events", ..] => match (w.body["reason"].as_str(), &w.body["count"], &w.body["series"]["count"]) {
            (Some(reason), _, _) => format!("{verb} event {reason}"),
            // A repeat of an event already written: only its count goes up.
            (None, Value::Number(n), _) | (None, _, Value::Number(n)) => format!("{verb} event count={n}"),
            (None, _, _) => format!("{verb} event"),
        },
        ["replicasets", ..] => {
            let name = w.body["metadata"]["name"]
                .as_str()
                .or(resource.get(1).copied())
                .unwrap_or("");
            let hash = name.rsplit('-').next().unwrap_or(name);
            match w.body.pointer("/spec/replicas") {
                Some(r) => format!("{verb} rs {hash} replicas={r}"),
                None => format!("{verb} rs {hash}"),
            }
        }
        ["rollouts", _, "status"] => {
            let keys: Vec<&str> = w.body["status"]
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            format!("{verb} status {{{}}}", keys.join(","))
        }
        ["rollouts", ..] => format!("{verb} rollout {}", compact(&w.body, 80)),
        other => format!("{verb} {}", other.join("/")),
    };
    text + &failed
}

fn compact(v: &Value, max: usize) -> String {
    let s = v.to_string();
    if s.len() <= max {
        s
    } else {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    }
}

/// Consecutive equal labels folded into `label ×n`.
fn folded(labels: &[String]) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for l in labels {
        match out.last_mut() {
            Some((last, n)) if last == l => *n += 1,
            _ => out.push((l.clone(), 1)),
        }
    }
    out.into_iter()
        .map(|(l, n)| if n == 1 { l } else { format!("{l} ×{n}") })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// The stages.

struct Stage {
    name: &'static str,
    upstream: &'static str,
    upstream_writes: &'static str,
    counts: Counts,
    writes: Vec<Write>,
    started: Instant,
    to_phase: Duration,
    total: Duration,
    settled: bool,
}

impl Stage {
    /// Status patches whose body equals an earlier one's in the same stage.
    fn repeated_status_patches(&self) -> usize {
        let mut seen = BTreeSet::new();
        self.writes
            .iter()
            .filter(|w| w.path.ends_with("/status"))
            .filter(|w| !seen.insert(w.body.to_string()))
            .count()
    }
}

struct Recorder<'a> {
    controller: &'a RunningController,
    log: Log,
    rollouts: Api<DynamicObject>,
    stages: Vec<Stage>,
}

struct Mark {
    counts: Counts,
    logged: usize,
    at: Instant,
}

impl Recorder<'_> {
    /// Runs `user_step`, then records the stage it begins (see [`Recorder::finish`]).
    async fn stage(
        &mut self,
        name: &'static str,
        phase: &str,
        step: Option<i64>,
        upstream: (&'static str, &'static str),
        user_step: impl std::future::Future<Output = ()>,
    ) {
        let mark = self.mark();
        user_step.await;
        self.finish(mark, name, phase, step, upstream).await;
    }

    fn mark(&self) -> Mark {
        Mark {
            counts: self.controller.counts(),
            logged: self.log.lock().unwrap().len(),
            at: Instant::now(),
        }
    }

    /// Waits for `phase` (observed for the current generation, and `step` when given), then for the
    /// controller to go idle, and records the stage that began at `mark`.
    async fn finish(
        &mut self,
        mark: Mark,
        name: &'static str,
        phase: &str,
        step: Option<i64>,
        upstream: (&'static str, &'static str),
    ) {
        let status = wait_phase(&self.rollouts, phase, step, Duration::from_secs(180)).await;
        let to_phase = mark.at.elapsed();
        let settled = self.controller.settle(QUIET, SETTLE_CAP).await;
        let total = mark.at.elapsed();
        let counts = self.controller.counts().since(&mark.counts);
        let writes = self.log.lock().unwrap()[mark.logged..].to_vec();
        eprintln!(
            "  {name}: {phase} after {:.1}s (message {:?}), idle after {:.1}s",
            to_phase.as_secs_f64(),
            status["message"].as_str().unwrap_or(""),
            total.as_secs_f64()
        );
        self.stages.push(Stage {
            name,
            upstream: upstream.0,
            upstream_writes: upstream.1,
            counts,
            writes,
            started: mark.at,
            to_phase,
            total,
            settled,
        });
    }
}

/// Waits until the Rollout's status reports `phase` for its current generation (and `step` as its
/// `currentStepIndex` when given); returns the status.
async fn wait_phase(api: &Api<DynamicObject>, phase: &str, step: Option<i64>, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let ro = api.get(NAME).await.unwrap();
        let status = ro.data["status"].clone();
        let generation = ro.metadata.generation.unwrap_or(0).to_string();
        let observed = match &status["observedGeneration"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if observed == generation
            && status["phase"] == phase
            && step.is_none_or(|s| status["currentStepIndex"].as_i64() == Some(s))
        {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for phase {phase}: generation {generation}, status {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// Upstream's writes per transition, from spec §9 (unit-test fixtures). See `UPSTREAM_NOTE` for what a
// live cluster adds.
const UP_DEPLOY: (&str, &str) = (
    "row 1: create RS (0, rev 1) → UpdateStatus; then patch status → update RS 0→5",
    "4 + availability patches",
);
const UP_UPDATE: (&str, &str) = (
    "rows 2-3: create RS (rev N+1) → update Rollout (revision annotation) → UpdateStatus; [live: patch status (reset)]; patch status → update RS canary 0→1; update RS stable 5→4 (+ status patch); patch status (enter pause)",
    "≈8",
);
const UP_PROMOTE: (&str, &str) = (
    "rows 4-5: patch status (controllerPause null, index 2); per weight step 40/60/80: update RS canary up, update RS stable down, patch status (index+1); per 10s pause: patch status (enter), patch status (leave); end of steps: patch status (stableRS, Healthy); scale-down: update RS",
    "≈19 (8 RS updates, ≈11 status patches)",
);
const UP_ABORT: (&str, &str) = (
    "row 6: update RS (stable back to 5) → update RS (canary → 0) → patch status (Degraded, RolloutAborted)",
    "3",
);
const UP_ROLLBACK: (&str, &str) = (
    "row 7: update RS (old stable revision 2→4, revision-history) → update Rollout (revision 4) → patch status (FastRolledBack)",
    "3",
);

const UPSTREAM_NOTE: &str = "Upstream figures count the writes of spec §9's rows (unit-test fixtures). In a live \
cluster upstream also (a) persists the reset status of a new revision in a reconcile of its own (§9 caveat), (b) \
patches the status whenever the ReplicaSets' replica counts change as pods come and go, and (c) patches the \
Paused/Progressing conditions in the reconcile after a pause is entered or left (checkPausedConditions: the \
enter-pause patch of TestCanaryRolloutEnterPauseState carries no Paused condition), and after an abort is \
cleared. Events are not writes in §9 and are counted separately here.";

fn short(key: &str) -> String {
    key.replace("replicasets", "rs")
        .replace("rollouts/status", "ro/status")
        .replace("rollouts", "ro")
        .replace("services", "svc")
}

fn print_report(stages: &[Stage], startup: &Counts) {
    // Every write key seen in any stage gets a column.
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for s in stages {
        keys.extend(
            s.counts
                .api
                .keys()
                .filter(|k| common::class(k) == Class::Write)
                .cloned(),
        );
    }
    let keys: Vec<String> = keys.into_iter().collect();
    println!();
    println!("### Controller API requests per walkthrough stage (dev cluster, simulated pods, 2 cores)");
    println!();
    print!("| stage |");
    for k in &keys {
        print!(" {} |", short(k));
    }
    println!(" writes | upstream §9 writes | events | reads | reconciles (failed) | to phase | until idle |");
    print!("|---|");
    for _ in &keys {
        print!("---:|");
    }
    println!("---:|---|---:|---|---:|---:|---:|");
    let (mut total_writes, mut total_reconciles, mut total_events) = (0, 0, 0);
    for s in stages {
        print!("| {} |", s.name);
        for k in &keys {
            print!(" {} |", s.counts.api.get(k).copied().unwrap_or(0));
        }
        let writes = s.counts.total(Class::Write);
        let events = s.counts.total(Class::Event);
        total_writes += writes;
        total_reconciles += s.counts.reconciles;
        total_events += events;
        println!(
            " **{writes}** | {} | {events} | {} | {} ({}) | {:.1}s | {:.1}s{} |",
            s.upstream_writes,
            s.counts.list(Class::Read),
            s.counts.reconciles,
            s.counts.errors,
            s.to_phase.as_secs_f64(),
            s.total.as_secs_f64(),
            if s.settled { "" } else { " (still busy)" }
        );
    }
    print!("| **total** |");
    for k in &keys {
        let sum: u64 = stages.iter().map(|s| s.counts.api.get(k).copied().unwrap_or(0)).sum();
        print!(" {sum} |");
    }
    println!(" **{total_writes}** | | {total_events} | | {total_reconciles} | | |");
    println!();
    println!("{UPSTREAM_NOTE}");
    println!();
    println!(
        "Controller start-up (before the first stage): {} reads ({}), {} reconciles.",
        startup.total(Class::Read),
        startup.list(Class::Read),
        startup.reconciles
    );
    println!();
    println!("### Writes in order (ours) and upstream's (spec §9)");
    println!();
    println!("| stage | ours, in order | upstream §9 |");
    println!("|---|---|---|");
    for s in stages {
        let labels: Vec<String> = s
            .writes
            .iter()
            .filter(|w| !w.path.contains("/events"))
            .map(label)
            .collect();
        println!("| {} | {} | {} |", s.name, folded(&labels).join(" → "), s.upstream);
    }
    println!();
    println!("### Events recorded per stage");
    println!();
    for s in stages {
        let labels: Vec<String> = s
            .writes
            .iter()
            .filter(|w| w.path.contains("/events"))
            .map(label)
            .collect();
        println!("- {}: {}", s.name, folded(&labels).join(", "));
    }
    println!();
    let repeated: Vec<String> = stages
        .iter()
        .filter(|s| s.repeated_status_patches() > 0)
        .map(|s| format!("{}: {}", s.name, s.repeated_status_patches()))
        .collect();
    let failed: usize = stages
        .iter()
        .flat_map(|s| &s.writes)
        .filter(|w| !(200..300).contains(&w.status))
        .count();
    println!(
        "Repeated identical status patches within a stage: {}. Writes refused by the server: {failed}.",
        if repeated.is_empty() {
            "none".to_string()
        } else {
            repeated.join("; ")
        }
    );
    if std::env::var_os("ROLLOUTS_BENCH_LOG").is_some() {
        for s in stages {
            println!();
            println!("#### {}", s.name);
            for w in &s.writes {
                // ReplicaSet bodies are long and mostly the template: their label says what changed.
                let body = if w.path.contains("/replicasets") {
                    label(w)
                } else {
                    w.body.to_string()
                };
                let at = w.at.duration_since(s.started).as_millis();
                println!("- +{at}ms {} {} [{}] {body}", w.method, w.path, w.status);
            }
        }
    }
}

fn main() {
    common::serve_if_asked();
    common::init_logging();
    let server = Server::start("walkthrough-writes");
    let rt = common::runtime(Some(2));
    rt.block_on(async {
        let client = server.client().await;
        let log: Log = Arc::default();
        let logged = logging(server.client().await, Arc::clone(&log));
        let rollout_resource = ApiResource::erase::<Rollout>(&());
        let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), NS, &rollout_resource);
        let services: Api<Service> = Api::namespaced(client.clone(), NS);

        let controller = RunningController::start(logged);
        assert!(controller.settle(Duration::from_secs(1), SETTLE_CAP).await);
        let startup = controller.counts();
        let mut rec = Recorder {
            controller: &controller,
            log,
            rollouts: rollouts.clone(),
            stages: Vec::new(),
        };
        let apply = PatchParams::apply("walkthrough-bench").force();
        let set_image = |image: &str| json!({"spec": {"template": {"spec": {"containers": [container(image)]}}}});
        let apply_rollout = |image: &str| {
            let (rollouts, manifest, apply) = (rollouts.clone(), rollout_manifest(image), apply.clone());
            async move {
                rollouts.patch(NAME, &apply, &Patch::Apply(manifest)).await.unwrap();
            }
        };
        let merge = |patch: Value| {
            let rollouts = rollouts.clone();
            async move {
                rollouts
                    .patch(NAME, &PatchParams::default(), &Patch::Merge(patch))
                    .await
                    .unwrap();
            }
        };
        let merge_status = |patch: Value| {
            let rollouts = rollouts.clone();
            async move {
                rollouts
                    .patch_status(NAME, &PatchParams::default(), &Patch::Merge(patch))
                    .await
                    .unwrap();
            }
        };
        eprintln!("walkthrough:");

        // 1. Apply the Rollout and its Service.
        let deploy = async {
            services
                .patch(NAME, &apply, &Patch::Apply(service_manifest()))
                .await
                .unwrap();
            apply_rollout("argoproj/rollouts-demo:blue").await;
        };
        rec.stage("1. deploy blue → Healthy", "Healthy", None, UP_DEPLOY, deploy)
            .await;
        // 2. Set image yellow: paused at the indefinite pause (step 1).
        let yellow = merge(set_image("argoproj/rollouts-demo:yellow"));
        rec.stage("2. set image yellow → Paused", "Paused", Some(1), UP_UPDATE, yellow)
            .await;
        // 3. Promote: through the timed pauses to Healthy.
        let promote = merge_status(json!({"status": {"pauseConditions": null}}));
        rec.stage("3. promote → Healthy", "Healthy", None, UP_PROMOTE, promote)
            .await;
        // 4. Set image red: paused at step 1 again.
        let red = merge(set_image("argoproj/rollouts-demo:red"));
        rec.stage("4. set image red → Paused", "Paused", Some(1), UP_UPDATE, red)
            .await;
        // 5. Abort: back to the stable ReplicaSet, Degraded.
        let abort = merge_status(json!({"status": {"abort": true}}));
        rec.stage("5. abort → Degraded", "Degraded", None, UP_ABORT, abort)
            .await;
        // 6. Re-apply yellow: the fast-track rollback to the stable ReplicaSet.
        let rollback = apply_rollout("argoproj/rollouts-demo:yellow");
        rec.stage("6. re-apply yellow → Healthy", "Healthy", None, UP_ROLLBACK, rollback)
            .await;

        let stages = std::mem::take(&mut rec.stages);
        print_report(&stages, &startup);
        controller.stop().await;
    });
    drop(server);
}
