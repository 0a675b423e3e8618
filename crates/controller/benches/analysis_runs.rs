//! The AnalysisRun controller with 1,000 runs at once: each run has one web metric (3 measurements,
//! one a second) against a small HTTP server in this process. Measures the time until every run is
//! Successful, the controller's resident memory while they run, and its writes per run.
//!
//! The dev cluster runs in a child process; the controller (Rollout and AnalysisRun controllers) runs in
//! this one, so VmRSS/VmHWM of this process are the controller's plus this bench's small client and
//! HTTP server.
//!
//! Run: `cargo bench -p rollouts-controller --bench analysis_runs` (`ROLLOUTS_BENCH_RUNS=100` for fewer).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

mod common;

use std::time::{Duration, Instant};

use common::{Class, Counts, RunningController, Server, cpu_seconds, memory, mib};
use kube::api::{Api, ListParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use rollouts_testkit::concurrent::for_all;
use rollouts_testkit::http::{StubResponse, StubServer};
use serde_json::json;

const WRITERS: usize = 8;
const PAGE: u32 = 250;

fn run(i: usize, url: &str) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisRun",
        "metadata": {"name": format!("run-{i:05}"), "namespace": "default"},
        "spec": {"metrics": [{
            "name": "ok", "count": 3, "interval": "1s",
            "successCondition": "result.ok == true",
            "provider": {"web": {"url": format!("{url}/health?run={i}"), "jsonPath": "{$}"}}
        }]}
    }))
    .unwrap()
}

async fn count_phases(api: &Api<DynamicObject>) -> (usize, usize) {
    let (mut successful, mut other_final) = (0, 0);
    let mut params = ListParams::default().limit(PAGE);
    loop {
        let page = api.list(&params).await.unwrap();
        for ar in &page.items {
            match ar.data["status"]["phase"].as_str() {
                Some("Successful") => successful += 1,
                Some("Failed" | "Error" | "Inconclusive") => other_final += 1,
                _ => {}
            }
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return (successful, other_final),
        }
    }
}

fn main() {
    common::serve_if_asked();
    common::init_logging();
    let count = common::count_from_env("ROLLOUTS_BENCH_RUNS", 1000);
    let web = StubServer::start(|_| StubResponse::json(200, r#"{"ok": true}"#)).unwrap();
    let url = web.url();
    let server = Server::start("analysis-runs");
    let rt = common::runtime(None);
    rt.block_on(async {
        let client = server.client().await;
        let resource = ApiResource::erase::<rollouts_api::AnalysisRun>(&());
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        let baseline = memory();
        let server_pid = server.pid().to_string();
        let cpu = || (cpu_seconds("self"), cpu_seconds(&server_pid));
        let controller = RunningController::start(server.client().await);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let idle_controller = memory();
        let cpu0 = cpu();

        let started = Instant::now();
        let (creator, run_url) = (api.clone(), url.clone());
        for_all(count, WRITERS, move |i| {
            let (api, run) = (creator.clone(), run(i, &run_url));
            async move {
                api.create(&PostParams::default(), &run).await.unwrap();
            }
        })
        .await;
        let created = started.elapsed();
        eprintln!("{count} AnalysisRuns created in {:.2}s", created.as_secs_f64());

        let mut peak_rss = 0;
        let mut last_report = Instant::now();
        let done = loop {
            let (successful, other) = count_phases(&api).await;
            peak_rss = peak_rss.max(memory().0);
            if successful + other == count {
                assert_eq!(other, 0, "{other} runs did not succeed");
                break started.elapsed();
            }
            if last_report.elapsed() >= Duration::from_secs(10) {
                eprintln!("  {:.0}s: {successful}/{count} Successful", started.elapsed().as_secs_f64());
                last_report = Instant::now();
            }
            assert!(started.elapsed() < Duration::from_secs(1800), "runs did not finish");
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        let at_done = memory();
        let settled = controller.settle(Duration::from_secs(3), Duration::from_secs(120)).await;
        let counts = controller.counts().since(&Counts::default());
        let cpu1 = cpu();
        let quiet_from = controller.counts();
        tokio::time::sleep(Duration::from_secs(10)).await;
        let quiet = controller.counts().since(&quiet_from);
        controller.stop().await;

        println!();
        println!("### AnalysisRun controller with {count} runs at once (one web metric each: 3 measurements, 1 s apart; dev cluster in a child process; 2 cores)");
        println!();
        println!("| measure | result |");
        println!("|---|---|");
        println!(
            "| time until all Successful | {:.1} s from the first create (all created after {:.2} s){} |",
            done.as_secs_f64(),
            created.as_secs_f64(),
            if settled { "" } else { "; the controller was still busy 120 s later" }
        );
        println!(
            "| web requests served | {} ({:.1} per run) |",
            web.requests().len(),
            web.requests().len() as f64 / count as f64
        );
        println!(
            "| controller writes | {} ({:.1} per run): {} |",
            counts.total(Class::Write),
            counts.total(Class::Write) as f64 / count as f64,
            counts.list(Class::Write)
        );
        println!(
            "| VmRSS: controller idle / peak while the runs ran / when all were done | {} / {} / {} |",
            mib(idle_controller.0),
            mib(peak_rss),
            mib(at_done.0)
        );
        println!("| VmHWM | {} |", mib(at_done.1));
        println!(
            "| CPU seconds: this process / server child | {:.1} / {:.1} |",
            cpu1.0 - cpu0.0,
            cpu1.1 - cpu0.1
        );
        println!();
        println!(
            "Bench process before the controller started: VmRSS {}. Idle 10 s after: {} requests, {} reconciles.",
            mib(baseline.0),
            quiet.api.values().sum::<u64>(),
            quiet.reconciles
        );
    });
    drop(rt);
    drop(server);
    drop(web);
}
