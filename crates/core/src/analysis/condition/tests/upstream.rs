//! The examples of the behaviour spec and upstream's own evaluator tests.

use super::*;

/// Every example of the behaviour spec (§3.3), on a result that exercises it.
#[test]
fn spec_examples() {
    check(vec![
        (value(json!([0.96])), "result[0] >= 0.95", Is(true)),
        (value(json!([0.5])), "result[0] >= 0.95", Is(false)),
        (value(json!([0.005])), "result[0] <= 0.01", Is(true)),
        (value(json!([0.02])), "result[0] <= 0.01", Is(false)),
        (value(json!(0.97)), "result >= 0.95", Is(true)),
        (
            MetricValue::Number(f64::NAN),
            "isNaN(result) || result >= 0.95",
            Is(true),
        ),
        (value(json!(0.99)), "isNaN(result) || result >= 0.95", Is(true)),
        (value(json!(0.5)), "isNaN(result) || result >= 0.95", Is(false)),
        (MetricValue::Null, "default(result, 0) < 0.05", Is(true)),
        (value(json!(0.01)), "default(result, 0) < 0.05", Is(true)),
        (value(json!(0.1)), "default(result, 0) < 0.05", Is(false)),
        (value(json!("It worked!")), "result == 'It worked!'", Is(true)),
        (value(json!("It failed")), "result == 'It worked!'", Is(false)),
        (
            value(json!({"major": "1", "minor": "28"})),
            "result.major == '1'",
            Is(true),
        ),
        (
            value(json!({"successRate": 0.99})),
            "result.successRate >= 0.95",
            Is(true),
        ),
        (value(json!("1.1")), "asFloat(result) >= 1.1", Is(true)),
        (value(json!("1")), "asInt(result) == 1", Is(true)),
        (value(json!([2, 2])), "2 in result", Is(true)),
        (value(json!([1, 3])), "2 in result", Is(false)),
        (value(json!([0.01, 0.04])), "max(result) < 0.05", Is(true)),
        (value(json!([0.01, 0.07])), "max(result) < 0.05", Is(false)),
        (value(json!([1])), "len(result) > 0", Is(true)),
        (value(json!([])), "len(result) > 0", Is(false)),
        (value(json!({"Status": 999})), "result.Status == 999", Is(true)),
        (value(json!({"Status": -1})), "result.Status == -1", Is(true)),
        (
            value(json!("true")),
            "result == \"{{args.success-condition}}\"",
            Is(false),
        ),
        (value(json!("true")), "result == \"true\"", Is(true)),
    ]);
}

/// upstream's `utils/evaluate/evaluate_test.go`, case by case.
#[test]
fn upstream_evaluator_cases() {
    let apdex = value(json!({"service_apdex": {"label": null, "values": {"values": [2, 2]}}}));
    check(vec![
        (value(json!(true)), "result == true", Is(true)),
        (value(json!(true)), "result == false", Is(false)),
        (value(json!(true)), "1", Fails("expected bool, but got int")),
        (
            value(json!(true)),
            "invalidVariable",
            Fails("unknown name invalidVariable"),
        ),
        (apdex, "all(result.service_apdex.values.values, {# > 1})", Is(true)),
        (value(json!([2.0, 2.0])), "2 in result", Is(true)),
        (value(json!(5.0)), "result > 1", Is(true)),
        (
            value(json!(true)),
            "result.Name() == 'hi'",
            Fails("type bool has no method Name"),
        ),
        (
            value(json!("1.1")),
            "asInt(result) == 1.1",
            Fails("strconv.ParseInt: parsing \"1.1\": invalid syntax"),
        ),
        (value(json!("1")), "asInt(result) == 1", Is(true)),
        (value(json!(1)), "asInt(result) == 1", Is(true)),
        (value(json!(1.123)), "asInt(result) == 1", Is(true)),
        (
            value(json!("NotANum")),
            "asFloat(result) == 1.1",
            Fails("strconv.ParseFloat: parsing \"NotANum\": invalid syntax"),
        ),
        (
            value(json!("1.1")),
            "asFloat(result) == \"1.1\"",
            Fails("invalid operation: == (mismatched types float64 and string)"),
        ),
        (value(json!("1.1")), "asFloat(result) == 1.1", Is(true)),
        (value(json!("1.1")), "asFloat(result) >= 1.1", Is(true)),
        (value(json!("1.1")), "asFloat(result) <= 1.1", Is(true)),
        (value(json!(1.1)), "asFloat(result) == 1.1", Is(true)),
        (value(json!(1)), "asFloat(result) == 1", Is(true)),
        (value(json!(1)), "asFloat(result) >= 1", Is(true)),
        (
            value(json!("notint")),
            "asInt(result) == 1",
            Fails("strconv.ParseInt: parsing \"notint\": invalid syntax"),
        ),
        (
            value(json!("notfloat")),
            "asFloat(result) == 1",
            Fails("strconv.ParseFloat: parsing \"notfloat\": invalid syntax"),
        ),
        (MetricValue::Number(f64::INFINITY), "isInf(result)", Is(true)),
        (value(json!(0.0)), "isInf(result)", Is(false)),
        // `default` and `isNil` look at `result`, whatever they are given.
        (MetricValue::Null, "default(result, 0) == 0", Is(true)),
        (MetricValue::Null, "default(result, 1) == 1", Is(true)),
        (MetricValue::Null, "default(result, 2) == 2", Is(true)),
        (value(json!(1.0)), "default(result, 0) == 1", Is(true)),
        (value(json!(1.0)), "default(nil, 0) == 1", Is(true)),
        (MetricValue::Null, "default(5, 7) == 7", Is(true)),
        (MetricValue::Null, "isNil(result)", Is(true)),
        (MetricValue::Null, "isNil(1)", Is(true)),
        (value(json!(1.0)), "isNil(result)", Is(false)),
        (value(json!(1.0)), "isNil(nil)", Is(false)),
        (value(json!(["hi", "hello"])), "isNil(result)", Is(false)),
        (value(json!(false)), "isNil(result)", Is(false)),
    ]);
}
