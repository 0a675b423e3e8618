//! The chaos benchmark: a hundred SIGKILLs of `rollouts controller` (and a few of `rollouts dev`)
//! while three Rollouts (canary, blue-green, analysis and experiment steps) update, sampling the
//! cluster through kubectl and checking the invariants all along. Sized by `ROLLOUTS_CHAOS_KILLS`
//! (100), `ROLLOUTS_CHAOS_CLUSTER_KILLS` (5), `ROLLOUTS_CHAOS_UPDATES` (10), `ROLLOUTS_CHAOS_SEED` (1).
//!
//! `cargo bench -p rollouts --bench chaos`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/integration/chaos_run.rs"]
mod chaos_run;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let config = chaos_run::ChaosConfig {
        seed: env("ROLLOUTS_CHAOS_SEED", 1),
        updates: usize::try_from(env("ROLLOUTS_CHAOS_UPDATES", 10)).unwrap(),
        controller_kills: usize::try_from(env("ROLLOUTS_CHAOS_KILLS", 100)).unwrap(),
        cluster_kills: usize::try_from(env("ROLLOUTS_CHAOS_CLUSTER_KILLS", 5)).unwrap(),
    };
    let report = chaos_run::run(&config);
    for violation in &report.violations {
        println!("violation: {violation}");
    }
    println!(
        "chaos: {} controller kills, {} dev cluster kills, {} updates of 3 Rollouts, {} samples in {:.0} s: {} invariant violations",
        report.controller_kills,
        report.cluster_kills,
        config.updates,
        report.samples,
        report.elapsed.as_secs_f64(),
        report.violations.len()
    );
    if !report.violations.is_empty() {
        std::process::exit(1);
    }
}
