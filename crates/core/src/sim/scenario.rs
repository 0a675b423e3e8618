//! What a seed simulates: a Rollout (basic canary, canary routed through SMI, or blue-green) and the
//! operations users and the cluster perform on it, as a list that prints and parses, so that a
//! failing run can be replayed and shrunk.

use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

use super::rng::Rng;

/// The AnalysisTemplate the Rollouts' analyses name.
pub const ANALYSIS_TEMPLATE: &str = "sim-check";

/// The AnalysisTemplate the Rollouts' analyses name: one metric, measured once a minute for ever,
/// which the simulated analysis controller ends on demand.
pub fn analysis_template() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": ANALYSIS_TEMPLATE, "namespace": "default"},
        "spec": {"metrics": [{"name": "check", "interval": "1m",
                 "provider": {"web": {"url": "http://127.0.0.1:1/check"}}}]}
    })
}

/// The images a `set-image` picks from; `bad` never becomes ready.
pub const IMAGES: [&str; 4] = ["app:v1", "app:v2", "app:v3", "app:bad"];

/// The Rollout's strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Canary without traffic routing: replicas carry the weight.
    Canary,
    /// Canary routed through an SMI TrafficSplit.
    CanarySmi,
    /// Blue-green with active and preview Services.
    BlueGreen,
}

/// One thing that happens between reconciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `kubectl argo rollouts set image` to `IMAGES[i]`.
    SetImage(u8),
    /// `promote`.
    Promote,
    /// `promote --full`.
    PromoteFull,
    /// `abort`.
    Abort,
    /// `retry`.
    Retry,
    /// `pause` (spec.paused).
    Pause,
    /// Un-pause (spec.paused false).
    Resume,
    /// `kubectl scale` to this many replicas.
    Scale(u8),
    /// `undo`: the template of the previous revision.
    Undo,
    /// The newest ReplicaSet's pods stop being ready.
    Crash,
    /// Time passes: this many controller ticks of a few seconds each.
    Wait(u8),
    /// The clock jumps forward this many minutes.
    ClockJump(u8),
    /// The analysis controller ends the newest running AnalysisRun: 0 Successful, 1 Failed, 2
    /// Inconclusive, 3 Error.
    Analysis(u8),
}

/// The phases an [`Op::Analysis`] ends a run in.
pub const ANALYSIS_PHASES: [&str; 4] = ["Successful", "Failed", "Inconclusive", "Error"];

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::SetImage(i) => write!(f, "set-image:{i}"),
            Op::Promote => f.write_str("promote"),
            Op::PromoteFull => f.write_str("promote-full"),
            Op::Abort => f.write_str("abort"),
            Op::Retry => f.write_str("retry"),
            Op::Pause => f.write_str("pause"),
            Op::Resume => f.write_str("resume"),
            Op::Scale(n) => write!(f, "scale:{n}"),
            Op::Undo => f.write_str("undo"),
            Op::Crash => f.write_str("crash"),
            Op::Wait(n) => write!(f, "wait:{n}"),
            Op::ClockJump(m) => write!(f, "clock-jump:{m}"),
            Op::Analysis(i) => write!(f, "analysis:{i}"),
        }
    }
}

/// An operation that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown simulation operation {0:?} (expected set-image:N, promote, promote-full, abort, retry, pause, resume, scale:N, undo, crash, wait:N, clock-jump:N or analysis:N)"
)]
pub struct OpParseError(String);

impl FromStr for Op {
    type Err = OpParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || OpParseError(s.to_string());
        let (name, arg) = match s.split_once(':') {
            Some((name, arg)) => (name, Some(arg.parse::<u8>().map_err(|_| error())?)),
            None => (s, None),
        };
        Ok(match (name, arg) {
            ("set-image", Some(i)) if usize::from(i) < IMAGES.len() => Op::SetImage(i),
            ("promote", None) => Op::Promote,
            ("promote-full", None) => Op::PromoteFull,
            ("abort", None) => Op::Abort,
            ("retry", None) => Op::Retry,
            ("pause", None) => Op::Pause,
            ("resume", None) => Op::Resume,
            ("scale", Some(n)) => Op::Scale(n),
            ("undo", None) => Op::Undo,
            ("crash", None) => Op::Crash,
            ("wait", Some(n)) => Op::Wait(n),
            ("clock-jump", Some(m)) => Op::ClockJump(m),
            ("analysis", Some(i)) if usize::from(i) < ANALYSIS_PHASES.len() => Op::Analysis(i),
            _ => return Err(error()),
        })
    }
}

/// Operations as one comma-separated argument.
pub fn format_ops(ops: &[Op]) -> String {
    ops.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// Parses [`format_ops`]'s output.
pub fn parse_ops(text: &str) -> Result<Vec<Op>, OpParseError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

/// The seed's Rollout, named `sim`, with image `IMAGES[0]`.
pub fn rollout(seed: u64) -> Value {
    let mut rng = Rng::new(seed, 1);
    let kind = match rng.below(3) {
        0 => Kind::Canary,
        1 => Kind::CanarySmi,
        _ => Kind::BlueGreen,
    };
    let replicas = rng.between(1, 6);
    let strategy = match kind {
        Kind::Canary | Kind::CanarySmi => {
            let steps: Vec<Value> = (0..rng.between(1, 5))
                .map(|_| match rng.below(4) {
                    0 | 1 => json!({"setWeight": rng.between(0, 10) * 10}),
                    2 => json!({"pause": {}}),
                    _ => json!({"pause": {"duration": rng.between(1, 30)}}),
                })
                .collect();
            let mut canary = json!({
                "steps": steps,
                "maxSurge": rng.between(0, 2),
                "maxUnavailable": rng.between(0, 1),
            });
            if canary["maxSurge"] == 0 && canary["maxUnavailable"] == 0 {
                canary["maxSurge"] = json!(1);
            }
            if kind == Kind::CanarySmi {
                canary["canaryService"] = json!("sim-canary");
                canary["stableService"] = json!("sim-stable");
                canary["trafficRouting"] = json!({"smi": {}});
                canary["dynamicStableScale"] = json!(rng.chance(300));
            }
            // Analyses come from a stream of their own, so the draws above stay those of earlier
            // versions and pinned replays keep their Rollout.
            let mut analyses = Rng::new(seed, 4);
            if analyses.chance(300)
                && let Some(steps) = canary["steps"].as_array_mut()
            {
                let at = usize::try_from(analyses.below(steps.len() as u64 + 1)).unwrap_or(0);
                steps.insert(
                    at,
                    json!({"analysis": {"templates": [{"templateName": ANALYSIS_TEMPLATE}]}}),
                );
            }
            if analyses.chance(200) {
                canary["analysis"] = json!({"templates": [{"templateName": ANALYSIS_TEMPLATE}], "startingStep": 1});
            }
            json!({"canary": canary})
        }
        Kind::BlueGreen => {
            let mut blue_green = json!({
                "activeService": "sim-active",
                "autoPromotionEnabled": rng.chance(500),
                "scaleDownDelaySeconds": rng.between(0, 30),
            });
            if rng.chance(700) {
                blue_green["previewService"] = json!("sim-preview");
            }
            json!({"blueGreen": blue_green})
        }
    };
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "sim", "namespace": "default", "uid": "uid-sim", "generation": 1,
                     "resourceVersion": "1"},
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 3,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app": "sim"}},
            "strategy": strategy,
            "template": {
                "metadata": {"labels": {"app": "sim"}},
                "spec": {"containers": [{"name": "app", "image": IMAGES[0]}]}
            }
        }
    })
}

/// The seed's operations: `count` of them.
pub fn operations(seed: u64, count: usize) -> Vec<Op> {
    let mut rng = Rng::new(seed, 2);
    (0..count)
        .map(|_| {
            let pick = rng.weighted(&[
                (4, 0u8),
                (3, 1),
                (1, 2),
                (1, 3),
                (1, 4),
                (1, 5),
                (1, 6),
                (1, 7),
                (1, 8),
                (1, 9),
                (6, 10),
                (1, 11),
                (3, 12),
            ]);
            match pick {
                0 => Op::SetImage(u8::try_from(rng.below(4)).unwrap_or(0)),
                1 => Op::Promote,
                2 => Op::PromoteFull,
                3 => Op::Abort,
                4 => Op::Retry,
                5 => Op::Pause,
                6 => Op::Resume,
                7 => Op::Scale(u8::try_from(rng.between(1, 6)).unwrap_or(1)),
                8 => Op::Undo,
                9 => Op::Crash,
                10 => Op::Wait(u8::try_from(rng.between(1, 20)).unwrap_or(1)),
                11 => Op::ClockJump(u8::try_from(rng.between(1, 30)).unwrap_or(1)),
                _ => Op::Analysis(rng.weighted(&[(6, 0u8), (2, 1), (1, 2), (1, 3)])),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_print_and_parse_back() {
        let ops = operations(3, 200);
        assert_eq!(parse_ops(&format_ops(&ops)).unwrap(), ops);
        assert!(parse_ops("set-image:9").is_err());
        assert!(parse_ops("fly").unwrap_err().to_string().contains("\"fly\""));
    }

    #[test]
    fn every_seed_makes_a_rollout_that_decodes() {
        for seed in 0..200 {
            let value = rollout(seed);
            let decoded: Result<rollouts_api::Rollout, _> = serde_json::from_value(value);
            assert!(decoded.is_ok(), "seed {seed}: {decoded:?}");
        }
    }
}
