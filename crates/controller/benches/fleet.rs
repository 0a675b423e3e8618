//! The controller with a fleet of Rollouts: 1,000 canary Rollouts (1 replica each; steps setWeight 50,
//! pause {}) spread over four namespaces of the dev cluster; the time until all are Healthy once the
//! controller starts, then after setting a new image on all of them the time until all reach their
//! pause; the API requests the controller made for each, its resident memory, and what a scrape of
//! its metrics costs.
//!
//! The dev cluster (simulated workloads, pods start 1 s after creation) runs in a child process; the
//! controller runs in this one, so VmRSS/VmHWM of this process are the controller's plus this bench's
//! own small client (which lists Rollouts in pages of 250 to see how far they are).
//!
//! Run: `cargo bench -p rollouts-controller --bench fleet` (`ROLLOUTS_BENCH_ROLLOUTS=100` for fewer).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Class, Counts, Refusals, RunningController, Server, cpu_seconds, memory, mib, proc_status_kib};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use rollouts_api::Rollout;
use rollouts_testkit::concurrent::for_all;
use serde_json::{Value, json};

const NAMESPACES: usize = 4;
/// Concurrent clients creating and updating Rollouts.
const WRITERS: usize = 8;
const PAGE: u32 = 250;

fn namespace(i: usize) -> String {
    format!("fleet-{}", i % NAMESPACES)
}

fn name(i: usize) -> String {
    format!("app-{i:05}")
}

fn containers(image: &str) -> Value {
    json!([{"name": "app", "image": image}])
}

fn rollout(i: usize) -> DynamicObject {
    let name = name(i);
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": namespace(i)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": containers("nginx:1.25")}
            },
            "strategy": {"canary": {"steps": [{"setWeight": 50}, {"pause": {}}]}}
        }
    }))
    .unwrap()
}

/// How many Rollouts report `phase` for their current generation (with `step` as `currentStepIndex`
/// when given), listing them page by page.
async fn count_in_phase(api: &Api<DynamicObject>, phase: &str, step: Option<i64>) -> usize {
    let mut n = 0;
    let mut params = ListParams::default().limit(PAGE);
    loop {
        let page = api.list(&params).await.unwrap();
        n += page
            .items
            .iter()
            .filter(|ro| {
                let status = &ro.data["status"];
                let generation = ro.metadata.generation.unwrap_or(0).to_string();
                status["observedGeneration"].as_str() == Some(generation.as_str())
                    && status["phase"] == phase
                    && step.is_none_or(|s| status["currentStepIndex"].as_i64() == Some(s))
            })
            .count();
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return n,
        }
    }
}

/// Polls until all `count` Rollouts are in `phase`; returns the time since `since`.
async fn wait_all(api: &Api<DynamicObject>, count: usize, phase: &str, step: Option<i64>, since: Instant) -> Duration {
    let mut last_report = Instant::now();
    loop {
        let n = count_in_phase(api, phase, step).await;
        if n == count {
            return since.elapsed();
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            eprintln!("  {:.0}s: {n}/{count} {phase}", since.elapsed().as_secs_f64());
            last_report = Instant::now();
        }
        assert!(
            since.elapsed() < Duration::from_secs(1800),
            "only {n}/{count} reached {phase}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// One row of the report: what, then its figure for each stage.
fn row(what: &str, initial: String, update: String) {
    println!("| {what} | {initial} | {update} |");
}

fn per_rollout(n: u64, count: usize) -> String {
    format!("{n} ({:.1}/Rollout)", n as f64 / count as f64)
}

fn main() {
    common::serve_if_asked();
    common::init_logging();
    let count = common::count_from_env("ROLLOUTS_BENCH_ROLLOUTS", 1000);
    let server = Server::start("fleet");
    let rt = common::runtime(None);
    rt.block_on(async {
        let client = server.client().await;
        let resource = ApiResource::erase::<Rollout>(&());
        let all: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
        let namespaces: Api<Namespace> = Api::all(client.clone());
        for i in 0..NAMESPACES.min(count) {
            let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": namespace(i)}})).unwrap();
            namespaces.create(&PostParams::default(), &ns).await.unwrap();
        }
        let baseline = memory();

        let started = Instant::now();
        let creator = client.clone();
        for_all(count, WRITERS, move |i| {
            let api: Api<DynamicObject> = Api::namespaced_with(creator.clone(), &namespace(i), &resource);
            async move {
                api.create(&PostParams::default(), &rollout(i)).await.unwrap();
            }
        })
        .await;
        let created = started.elapsed();
        eprintln!("{count} Rollouts created in {:.2}s", created.as_secs_f64());
        let before_controller = memory();

        // The controller, on a client of its own: the bench's requests are not counted.
        let server_pid = server.pid().to_string();
        let cpu = || (cpu_seconds("self"), cpu_seconds(&server_pid));
        let refusals: Refusals = Arc::default();
        let cpu0 = cpu();
        let controller =
            RunningController::start(common::refusal_counting(server.client().await, Arc::clone(&refusals)));
        let t0 = Instant::now();
        let to_healthy = wait_all(&all, count, "Healthy", None, t0).await;
        let at_healthy_counts = controller.counts();
        let at_healthy = memory();
        let settled_initial = controller.settle(Duration::from_secs(3), Duration::from_secs(120)).await;
        let initial = controller.counts();
        let initial_idle = t0.elapsed();
        let after_initial = memory();
        let cpu1 = cpu();
        eprintln!(
            "all Healthy after {:.1}s; idle after {:.1}s",
            to_healthy.as_secs_f64(),
            initial_idle.as_secs_f64()
        );

        // Set a new image on every Rollout.
        let t1 = Instant::now();
        let patcher = client.clone();
        let resource = ApiResource::erase::<Rollout>(&());
        for_all(count, WRITERS, move |i| {
            let api: Api<DynamicObject> = Api::namespaced_with(patcher.clone(), &namespace(i), &resource);
            async move {
                let patch = json!({"spec": {"template": {"spec": {"containers": containers("nginx:1.27")}}}});
                api.patch(&name(i), &PatchParams::default(), &Patch::Merge(patch))
                    .await
                    .unwrap();
            }
        })
        .await;
        let patched = t1.elapsed();
        let to_paused = wait_all(&all, count, "Paused", Some(1), t1).await;
        let at_paused_counts = controller.counts();
        let at_paused = memory();
        let settled_update = controller.settle(Duration::from_secs(3), Duration::from_secs(120)).await;
        let update_idle = t1.elapsed();
        let update = controller.counts().since(&initial);
        let after_update = memory();
        let cpu2 = cpu();
        eprintln!(
            "all Paused after {:.1}s; idle after {:.1}s",
            to_paused.as_secs_f64(),
            update_idle.as_secs_f64()
        );

        // What a scrape of /metrics costs with the fleet in the caches (the series are computed at
        // each scrape, as upstream's collectors do): the median of 5 renders.
        let mut scrapes: Vec<(Duration, usize)> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let text = controller.metrics.render();
                (started.elapsed(), text.len())
            })
            .collect();
        scrapes.sort();
        let (scrape, scrape_bytes) = scrapes[scrapes.len() / 2];

        // Anything the controller still does when nothing changes.
        let quiet_from = controller.counts();
        tokio::time::sleep(Duration::from_secs(10)).await;
        let quiet = controller.counts().since(&quiet_from);
        let end = memory();
        controller.stop().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let stopped = memory();

        let initial_counts = initial.since(&Counts::default());
        println!();
        println!("### Controller with {count} canary Rollouts (1 replica each, {NAMESPACES} namespaces; dev cluster in a child process; 2 cores)");
        println!();
        println!("| measure | initial sync → Healthy | set image → Paused (step 1) |");
        println!("|---|---|---|");
        println!(
            "| time until all reached the phase | {:.1} s (from controller start; Rollouts created in {:.2} s before it) | {:.1} s (from the first patch; all patched after {:.2} s) |",
            to_healthy.as_secs_f64(),
            created.as_secs_f64(),
            to_paused.as_secs_f64(),
            patched.as_secs_f64()
        );
        let idle = |after: Duration, settled: bool| {
            format!("{:.1} s{}", after.as_secs_f64(), if settled { "" } else { " (still busy)" })
        };
        row(
            "controller idle (no request or reconcile for 3 s) after",
            idle(initial_idle, settled_initial),
            idle(update_idle, settled_update),
        );
        let counts_row =
            |what: &str, figure: &dyn Fn(&Counts) -> String| row(what, figure(&initial_counts), figure(&update));
        counts_row("writes (until idle)", &|c| per_rollout(c.total(Class::Write), count));
        counts_row("writes by kind", &|c| c.list(Class::Write));
        counts_row("events", &|c| per_rollout(c.total(Class::Event), count));
        counts_row("reads", &|c| c.list(Class::Read));
        counts_row("reconciles (failed)", &|c| {
            format!("{} ({})", per_rollout(c.reconciles, count), c.errors)
        });
        let requests = |c: &Counts| c.api.values().sum::<u64>();
        let at_paused_requests = requests(&at_paused_counts.since(&initial));
        row(
            "requests when the phase was reached / after it",
            format!(
                "{} / {}",
                requests(&at_healthy_counts),
                requests(&initial_counts) - requests(&at_healthy_counts)
            ),
            format!("{at_paused_requests} / {}", requests(&update) - at_paused_requests),
        );
        row(
            "VmRSS when the phase was reached / once idle",
            format!("{} / {}", mib(at_healthy.0), mib(after_initial.0)),
            format!("{} / {}", mib(at_paused.0), mib(after_update.0)),
        );
        println!("| VmHWM (peak so far) | {} | {} |", mib(after_initial.1), mib(after_update.1));
        println!(
            "| CPU seconds until idle: this process (controller + bench polling) / server child | {:.1} / {:.1} | {:.1} / {:.1} |",
            cpu1.0 - cpu0.0,
            cpu1.1 - cpu0.1,
            cpu2.0 - cpu1.0,
            cpu2.1 - cpu1.1
        );
        println!();
        println!(
            "Bench process alone: VmRSS {} before creating the Rollouts, {} after (controller not started). \
             At the end: VmRSS {}, VmHWM {}; 1 s after the controller stopped (caches dropped): VmRSS {}.",
            mib(baseline.0),
            mib(before_controller.0),
            mib(end.0),
            mib(end.1),
            mib(stopped.0)
        );
        println!(
            "A /metrics scrape with the {count} Rollouts paused: {:.1} ms to render, {} KiB of text (median of 5).",
            scrape.as_secs_f64() * 1000.0,
            scrape_bytes / 1024
        );
        let refused = refusals.lock().unwrap().clone();
        println!(
            "Requests of the controller refused by the server: {}.",
            if refused.is_empty() {
                "none".to_string()
            } else {
                refused.iter().map(|(k, v)| format!("{k} ×{v}")).collect::<Vec<_>>().join(", ")
            }
        );
        println!(
            "Server (child) VmRSS at the end: {}.",
            mib(proc_status_kib(&server.pid().to_string(), "VmRSS"))
        );
        println!(
            "Idle 10 s after both stages: {} requests ({}), {} reconciles.",
            quiet.api.values().sum::<u64>(),
            if quiet.api.is_empty() {
                "-".to_string()
            } else {
                quiet
                    .api
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            quiet.reconciles
        );
    });
    drop(rt);
    drop(server);
}
