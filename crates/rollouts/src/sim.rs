//! `rollouts sim`: runs the deterministic simulation of the controller and a cluster over many seeds
//! and reports the invariant violations, each shrunk to a replay.

use std::process::ExitCode;

use rollouts_core::sim;

/// `rollouts sim` arguments.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// How many seeds to run (from --first-seed on).
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    /// The first seed of the range.
    #[arg(long, default_value_t = 0)]
    first_seed: u64,
    /// Run this one seed only.
    #[arg(long)]
    seed: Option<u64>,
    /// The operations to run, as a replay prints them (e.g. `set-image:1,wait:5,abort`); with
    /// --seed only. Without it, the seed draws its own.
    #[arg(long, requires = "seed")]
    ops: Option<String>,
    /// How many operations each seed draws.
    #[arg(long, default_value_t = sim::DEFAULT_OPERATIONS)]
    operations: usize,
    /// Print every operation and write of the run (with --seed).
    #[arg(long, requires = "seed")]
    trace: bool,
}

/// Runs the seeds; exit code 1 when an invariant did not hold.
pub fn run(args: &SimArgs) -> anyhow::Result<ExitCode> {
    let seeds: Vec<u64> = match args.seed {
        Some(seed) => vec![seed],
        None => (args.first_seed..args.first_seed.saturating_add(args.seeds)).collect(),
    };
    let mut violations = 0u64;
    let mut writes = 0u64;
    let mut reconciles = 0u64;
    let mut crashes = 0u64;
    for &seed in &seeds {
        let ops = match &args.ops {
            Some(text) => sim::parse_ops(text)?,
            None => sim::operations(seed, args.operations),
        };
        let mut trace = Vec::new();
        let result = sim::run_traced(seed, &ops, args.trace.then_some(&mut trace));
        for line in &trace {
            println!("{line}");
        }
        match result {
            Ok(stats) => {
                writes += stats.writes;
                reconciles += stats.reconciles;
                crashes += stats.crashes;
            }
            Err(violation) => {
                violations += 1;
                let shrunk = sim::shrink(&violation);
                println!("seed {seed}: {}", shrunk.message);
                println!("  replay: {}", shrunk.replay());
            }
        }
    }
    println!("{reconciles} reconciles, {writes} writes, {crashes} controller crashes");
    println!("{} seeds, {violations} invariant violations", seeds.len());
    Ok(if violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
