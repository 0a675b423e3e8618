//! Condition tests by topic: each case is an expression, a result, and the verdict or the exact error
//! text upstream gives.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod compile;
mod evaluate_result;
mod grammar;
mod numbers;
mod runtime;
mod upstream;

use rollouts_api::analysis_run::AnalysisPhase;
use serde_json::json;

use super::super::value::MetricValue;
use super::{ConditionError, evaluate, evaluate_result};

fn value(j: serde_json::Value) -> MetricValue {
    MetricValue::from(j)
}

/// What a case expects: a verdict, or the exact error text.
enum Want {
    Is(bool),
    Fails(&'static str),
}
use Want::{Fails, Is};

fn check(cases: Vec<(MetricValue, &str, Want)>) {
    let mut failures = Vec::new();
    for (result, expression, want) in cases {
        let got = evaluate(expression, &result);
        let ok = match (&want, &got) {
            (Is(w), Ok(g)) => w == g,
            (Fails(w), Err(e)) => e.to_string() == *w,
            _ => false,
        };
        if !ok {
            let want = match want {
                Is(b) => format!("Ok({b})"),
                Fails(m) => format!("Err({m:?})"),
            };
            failures.push(format!("{expression:?} on {result:?}: want {want}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
