//! The condition language of analysis `successCondition` / `failureCondition`. Input: the expression, then
//! optionally a NUL byte and the metric result as JSON (a number, a list, a map, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollouts_core::analysis::condition::{evaluate, evaluate_result};
use rollouts_core::analysis::value::MetricValue;

fuzz_target!(|data: &[u8]| {
    let (expression, result) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"[1.5, 2]"[..]),
    };
    let Ok(expression) = std::str::from_utf8(expression) else {
        return;
    };
    let result = serde_json::from_slice::<serde_json::Value>(result).map_or(MetricValue::Null, MetricValue::from);
    let _ = evaluate(expression, &result);
    let _ = evaluate_result(&result, expression, "result == nil");
});
