//! Numbers as Go's float64 and int, NaN and the infinities, and how Go formats them.

use rollouts_api::gofmt::go_quote;

use super::super::go_format::go_float;
use super::*;

#[test]
fn numbers_are_go_float64() {
    check(vec![
        (value(json!(10)), "result == 10", Is(true)),
        (value(json!(10.0)), "result == 10", Is(true)),
        (value(json!(10.0)), "result == 10.0", Is(true)),
        (value(json!(10.0)), "result != 10", Is(false)),
        (value(json!([10.0])), "result[0] == 10", Is(true)),
        (value(json!([10.0])), "10 in result", Is(true)),
        (value(json!([1, 2])), "result == [1, 2]", Is(true)),
        (value(json!({"a": 1})), "result == {a: 1}", Is(false)),
        (value(json!({"a": 1})), "result == {a: 1.0}", Is(true)),
        (value(json!(5)), "result / 2 == 2.5", Is(true)),
        (value(json!(5)), "asInt(result) / 2 == 2.5", Is(true)),
        (value(json!(5)), "asInt(result) % 2 == 1", Is(true)),
        (value(json!(2)), "result ** 3 == 8", Is(true)),
        (value(json!(2)), "result ^ 3 == 8", Is(true)),
        (value(json!(7)), "-result == -7", Is(true)),
        (value(json!(7)), "+result == 7", Is(true)),
        (value(json!(3)), "result in 1..5", Is(true)),
        (value(json!(3.5)), "result in 1..5", Is(false)),
        (value(json!(1e6)), "result == 1_000_000", Is(true)),
        (
            value(json!(255)),
            "result == 0xff && result == 0o377 && result == 0b11111111",
            Is(true),
        ),
        (value(json!(0.5)), "result == .5 && result == 5e-1", Is(true)),
        (value(json!(-2)), "abs(result) == 2", Is(true)),
        (
            value(json!(2.5)),
            "ceil(result) == 3 && floor(result) == 2 && round(result) == 3",
            Is(true),
        ),
        (value(json!(2.7)), "int(result) == 2 && float(\"2.5\") == 2.5", Is(true)),
    ]);
}

#[test]
fn nan_and_infinities_compare_as_in_go() {
    let nan = MetricValue::Number(f64::NAN);
    check(vec![
        (nan.clone(), "result >= 0.95", Is(false)),
        (nan.clone(), "result < 0.95", Is(false)),
        (nan.clone(), "result == result", Is(false)),
        (nan.clone(), "result != result", Is(true)),
        (nan.clone(), "isNaN(result)", Is(true)),
        (nan.clone(), "isInf(result)", Is(false)),
        (nan.clone(), "not (result > 1)", Is(true)),
        (nan.clone(), "default(result, 0) == 0", Is(false)),
        (
            MetricValue::from(vec![f64::NAN, 1.0]),
            "isNaN(result[0]) && !isNaN(result[1])",
            Is(true),
        ),
        (
            MetricValue::from(vec![f64::NAN]),
            "result[0] > 1 || result[0] <= 1",
            Is(false),
        ),
        (MetricValue::from(vec![f64::NAN]), "all(result, isNaN(#))", Is(true)),
        (MetricValue::Number(f64::INFINITY), "result > 1e308", Is(true)),
        (
            MetricValue::Number(f64::NEG_INFINITY),
            "result < 0 && isInf(result)",
            Is(true),
        ),
        (value(json!(1.0)), "isNaN(1) || isInf(2)", Is(false)),
    ]);
}

#[test]
fn go_formatting() {
    let cases = [
        (0.5, "0.5"),
        (1.0, "1"),
        (-2.25, "-2.25"),
        (123_456.0, "123456"),
        (1e6, "1e+06"),
        (1_234_567.0, "1.234567e+06"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (1e21, "1e+21"),
        (f64::NAN, "NaN"),
        (f64::NEG_INFINITY, "-Inf"),
    ];
    for (f, want) in cases {
        assert_eq!(go_float(f), want, "{f}");
    }
    assert_eq!(go_quote("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\x01\"");
}
