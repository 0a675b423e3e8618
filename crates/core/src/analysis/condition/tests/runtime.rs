//! Failures while running, the optimizer's rewrites, and results that are not bool.

use super::*;

/// Errors of Go's runtime (values whose type only shows when the expression runs).
#[test]
fn runtime_errors() {
    check(vec![
        (
            value(json!({"a": "x"})),
            "result.a > 1",
            Fails("invalid operation: string > int"),
        ),
        (
            value(json!({"a": "x"})),
            "result.a + 1 > 1",
            Fails("invalid operation: string + int"),
        ),
        (value(json!({"a": 1})), "result.a == 'x'", Is(false)),
        (
            value(json!([1])),
            "result[5] == 1",
            Fails("index out of range: 5 (array length is 1)"),
        ),
        (
            value(json!([1])),
            "result[-2] == 1",
            Fails("index out of range: -1 (array length is 1)"),
        ),
        (
            value(json!({"a": 1})),
            "result.a.b == 1",
            Fails("cannot fetch b from float64"),
        ),
        (value(json!({})), "result.a.b == 1", Fails("cannot fetch b from <nil>")),
        (
            value(json!({"a": "x"})),
            "asInt(result.a) == 1",
            Fails("strconv.ParseInt: parsing \"x\": invalid syntax"),
        ),
        (
            value(json!(true)),
            "asInt(result) == 1",
            Fails("asInt() not supported on bool true"),
        ),
        (
            MetricValue::Null,
            "asInt(result) == 1",
            Fails("asInt() not supported on <nil> <nil>"),
        ),
        (
            value(json!({"a": [1, 2.5]})),
            "asFloat(result.a) > 0",
            Fails("asFloat() not supported on []interface {} [1 2.5]"),
        ),
        (
            value(json!({"b": 1.5e6, "a": "x"})),
            "asFloat(result) > 0",
            Fails("asFloat() not supported on map[string]interface {} map[a:x b:1.5e+06]"),
        ),
        (
            value(json!("1e400")),
            "asFloat(result) > 0",
            Fails("strconv.ParseFloat: parsing \"1e400\": value out of range"),
        ),
        (
            value(json!("99999999999999999999")),
            "asInt(result) > 0",
            Fails("strconv.ParseInt: parsing \"99999999999999999999\": value out of range"),
        ),
        (
            value(json!({"a": 1})),
            "result.a && result.b",
            Fails("interface conversion: interface {} is float64, not bool"),
        ),
        (
            value(json!({})),
            "result.a || result.b",
            Fails("interface conversion: interface {} is nil, not bool"),
        ),
        (
            value(json!({"a": true, "b": 2})),
            "result.a && result.b",
            Fails("expected bool, but got float64"),
        ),
        (
            value(json!({"a": [1, "x"]})),
            "all(result.a, # > 0)",
            Fails("invalid operation: string > int"),
        ),
        (
            value(json!({"a": [1]})),
            "all(result.a, #)",
            Fails("interface conversion: interface {} is float64, not bool"),
        ),
        (
            value(json!({"a": 1})),
            "all(result.a, # > 0)",
            Fails("reflect: call of reflect.Value.Len on float64 Value"),
        ),
        (
            value(json!({"a": 1})),
            "isNaN(result.b)",
            Fails("interface conversion: interface {} is nil, not float64"),
        ),
        (
            value(json!({"a": 1})),
            "result.a % 0 == 0",
            Fails("invalid operation: float64 % int"),
        ),
        (
            value(json!(1)),
            "asInt(result) % 0 == 0",
            Fails("runtime error: integer divide by zero"),
        ),
        (
            value(json!({"a": 1})),
            "result.a contains 'x'",
            Fails("interface conversion: interface {} is float64, not string"),
        ),
        (value(json!({})), "result.a contains 'x'", Is(false)),
        (
            value(json!({"a": 5})),
            "1 in result.a",
            Fails("operator \"in\" not defined on float64"),
        ),
        (value(json!(1)), "len(1..2000000) > 0", Fails("memory budget exceeded")),
        (value(json!(1)), "len(1..1000000) > 0", Fails("memory budget exceeded")),
        (value(json!(1)), "len(5..1) == 0", Is(true)),
        (
            value(json!({"a": 1})),
            "result.a() == 1",
            Fails("invalid operation: cannot call non-function of type float64"),
        ),
        (
            value(json!({"a": 1})),
            "result.b(1) == 1",
            Fails("invalid operation: cannot call nil"),
        ),
        (value(json!({"a": "é"})), "upper(result.a) == 'É'", Is(true)),
    ]);
}

/// Go's optimizer rewrites that change what an expression does.
#[test]
fn optimizer_rewrites() {
    check(vec![
        (value(json!({})), "result.a.b && false", Is(false)),
        (value(json!({})), "true || result.a.b", Is(true)),
        (
            value(json!({"a": 1})),
            "result.a && true",
            Fails("expected bool, but got float64"),
        ),
        (
            value(json!({"a": 1})),
            "result.a in ['x', 'y']",
            Fails("reflect.Value.MapIndex: value of type float64 is not assignable to type string"),
        ),
        (
            value(json!({"a": "y"})),
            "result.a in ['x', 'y'] && !(result.b in ['x'])",
            Is(true),
        ),
        (value(json!([2, "x"])), "count(result, # > 1) > 0", Is(true)),
        (
            value(json!([2, "x"])),
            "count(result, # > 1) >= 2",
            Fails("invalid operation: string > int"),
        ),
        (
            value(json!(1)),
            "2 + 3 == 5 && 'a' + 'b' == 'ab' && -(1) == -1",
            Is(true),
        ),
    ]);
}

#[test]
fn results_that_are_not_bool() {
    check(vec![
        (value(json!(1.5)), "result", Fails("expected bool, but got float64")),
        (value(json!("x")), "result", Fails("expected bool, but got string")),
        (
            value(json!([1])),
            "result",
            Fails("expected bool, but got []interface {}"),
        ),
        (
            value(json!({"a": 1})),
            "result",
            Fails("expected bool, but got map[string]interface {}"),
        ),
        (MetricValue::Null, "result", Fails("expected bool, but got <nil>")),
        (
            value(json!("1")),
            "asInt(result)",
            Fails("expected bool, but got int64"),
        ),
        (value(json!([1])), "len(result)", Fails("expected bool, but got int")),
        (
            value(json!([1])),
            "map(result, #)",
            Fails("expected bool, but got []interface {}"),
        ),
        (
            value(json!({"a": "x"})),
            "result.a",
            Fails("expected bool, but got string"),
        ),
        (value(json!({"a": true})), "result.a", Is(true)),
        (value(json!(1)), "nil", Fails("expected bool, but got <nil>")),
        (value(json!(1)), "'x' + 'y'", Fails("expected bool, but got string")),
        (
            value(json!(1)),
            "split('a,b', ',')",
            Fails("expected bool, but got []string"),
        ),
    ]);
}
