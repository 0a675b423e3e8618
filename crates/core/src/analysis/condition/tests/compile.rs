//! Expressions that do not compile: syntax errors, Go's compile-time checks and limits.

use super::*;

/// Errors Go's compiler reports before running anything, with its messages.
#[test]
fn compile_errors() {
    let number = value(json!(1.5));
    check(vec![
        (
            number.clone(),
            "result == \"abc\"",
            Fails("invalid operation: == (mismatched types float64 and string)"),
        ),
        (
            value(json!("1")),
            "result > 1",
            Fails("invalid operation: > (mismatched types string and int)"),
        ),
        (
            number.clone(),
            "result + 'x' == '1x'",
            Fails("invalid operation: + (mismatched types float64 and string)"),
        ),
        (
            number.clone(),
            "result % 2 == 1",
            Fails("invalid operation: % (mismatched types float64 and int)"),
        ),
        (number.clone(), "result.x == 1", Fails("type float64 has no field x")),
        (
            value(json!([1])),
            "result.x == 1",
            Fails("array elements can only be selected using an integer (got string)"),
        ),
        (
            value(json!({"a": 1})),
            "result[0] == 1",
            Fails("cannot use int to get an element from map[string]interface {}"),
        ),
        (
            number.clone(),
            "len(result) > 0",
            Fails("invalid argument for len (type float64)"),
        ),
        (
            number.clone(),
            "all(result, # > 1)",
            Fails("builtin all takes only array (got float64)"),
        ),
        (
            value(json!([1])),
            "all([1, 2], # + 1)",
            Fails("predicate should return boolean (got int)"),
        ),
        (
            value(json!([1])),
            "all(result, # + 1)",
            Fails("interface conversion: interface {} is float64, not bool"),
        ),
        (number.clone(), "1 % 0 == 0", Fails("integer divide by zero")),
        (
            number.clone(),
            "isNaN('x')",
            Fails("cannot use string as argument (type float64) to call isNaN "),
        ),
        (
            number.clone(),
            "isNaN(nil)",
            Fails("cannot use nil as argument (type float64) to call isNaN"),
        ),
        (
            number.clone(),
            "asInt() == 1",
            Fails("not enough arguments to call asInt"),
        ),
        (
            number.clone(),
            "asInt(1, 2) == 1",
            Fails("too many arguments to call asInt"),
        ),
        (number.clone(), "foo(1)", Fails("unknown name foo")),
        (number.clone(), "isNaN(result) || foo", Fails("unknown name foo")),
        (number.clone(), "results[0] >= 90.000000", Fails("unknown name results")),
        (
            number.clone(),
            "!result",
            Fails("invalid operation: ! (mismatched type float64)"),
        ),
        (
            number.clone(),
            "result ? 1 : 2",
            Fails("non-bool expression (type float64) used as condition"),
        ),
        (number.clone(), "let result = 1; true", Fails("cannot redeclare result")),
        (
            number.clone(),
            "let len = 1; true",
            Fails("cannot redeclare builtin len"),
        ),
        (
            number.clone(),
            "'a' in 5",
            Fails("invalid operation: in (mismatched types string and int)"),
        ),
        (value(json!([1])), "'a' in result", Is(false)),
        (
            value(json!({"a": 1})),
            "1 in result",
            Fails("cannot use int as type string in map key"),
        ),
        (number.clone(), "all([1], #index > 0)", Fails("unknown pointer #index")),
        (
            number.clone(),
            "result matches '('",
            Fails("error parsing regexp: unclosed group: `(`"),
        ),
        (
            MetricValue::Null,
            "result > 1",
            Fails("invalid operation: > (mismatched types unknown and int)"),
        ),
        (MetricValue::Null, "result?.x == nil", Fails("type nil has no field x")),
        (MetricValue::Null, "result == nil", Is(true)),
    ]);
}

#[test]
fn malformed_expressions_are_errors() {
    let r = value(json!(1));
    check(vec![
        (r.clone(), "", Fails("unexpected token EOF")),
        (r.clone(), "result >=", Fails("unexpected token EOF")),
        (r.clone(), "result == 'abc", Fails("literal not terminated")),
        (r.clone(), "(result > 1", Fails("unexpected token EOF")),
        (r.clone(), "result > 1)", Fails("unexpected token Bracket(\")\")")),
        (r.clone(), "result @ 1", Fails("unrecognized character: U+0040 '@'")),
        (r.clone(), "result.", Fails("unexpected end of expression")),
        (r.clone(), "result == = 1", Fails("unexpected token Operator(\"=\")")),
        (r.clone(), "all(result)", Fails("expected at least 2 arguments")),
        (r.clone(), "1a", Fails("bad number syntax: \"1a\"")),
        (r.clone(), "'\\q'", Fails("invalid char escape")),
        (r.clone(), "# > 1", Fails("unexpected token Operator(\"#\")")),
        (r.clone(), "result not 1", Fails("unexpected token Number(\"1\")")),
        (
            r.clone(),
            "1 ?? 2 + 3",
            Fails("Operator (+) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses."),
        ),
        (
            r.clone(),
            "99999999999999999999 > 1",
            Fails("invalid integer literal: strconv.ParseInt: parsing \"99999999999999999999\": value out of range"),
        ),
        (r.clone(), "/* never closed", Fails("unclosed comment")),
        (r.clone(), "{a: 1", Fails("unexpected token EOF")),
        (r.clone(), "result >= 0.95 &&", Fails("unexpected token EOF")),
        (
            r.clone(),
            "{{args.threshold}} < result",
            Fails(
                "a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token Bracket(\"{\"))",
            ),
        ),
    ]);
}

#[test]
fn deep_and_large_expressions_do_not_crash() {
    let r = value(json!(1));
    let nested = format!("{}result == 1{}", "(".repeat(300), ")".repeat(300));
    assert_eq!(evaluate(&nested, &r), Ok(true));
    let chain = format!("result == 1{}", " && true".repeat(300));
    assert_eq!(evaluate(&chain, &r), Ok(true));
    // The deepest expressions allowed, of the shapes that recurse most when printed and run.
    let ands = format!("result == 1{}", " && result == 1".repeat(195));
    assert_eq!(evaluate(&ands, &r), Ok(true));
    let nots = format!("{}(result == 1)", "!".repeat(384));
    assert_eq!(evaluate(&nots, &r), Ok(true));
    let sums = format!("result{} > 0", " + 1".repeat(385));
    assert_eq!(evaluate(&sums, &r), Ok(true));
    let predicates = format!("{}true{}", "all([1], {".repeat(130), "})".repeat(130));
    assert_eq!(evaluate(&predicates, &r), Ok(true));
    let too_deep = format!("{}result == 1{}", "(".repeat(1000), ")".repeat(1000));
    assert!(matches!(evaluate(&too_deep, &r), Err(ConditionError::Compile(m)) if m.contains("nested")));
    let too_many = format!("result == 1{}", " || false".repeat(6000));
    assert!(matches!(evaluate(&too_many, &r), Err(ConditionError::Compile(_))));
}

/// The largest expressions evaluated on the caller's stack fit in a 2 MiB thread (the smallest stack a
/// caller of the controller has), even in a debug build.
#[test]
fn shallow_expressions_fit_a_small_stack() {
    let worst = [
        format!("{}true", "!".repeat(40)),
        format!("{}1 == 1", "-".repeat(38)),
        vec!["result"; 13].join(" && ").replace("result", "true"),
        format!("{}1{} > 0", "(".repeat(8), ")".repeat(8)),
        "all([1,2,3,4,5,6,7,8], {# > 0 && (# < 100 || # == 1000)}) && len([[[[1]]]]) == 1".to_string(),
        "result.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee.ff.gg == nil".to_string(),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for expression in &worst {
                assert!(super::super::is_shallow(expression), "{expression}");
                let _ = super::super::evaluate(expression, &crate::analysis::value::MetricValue::Null);
            }
        })
        .unwrap();
    handle.join().unwrap();
}
