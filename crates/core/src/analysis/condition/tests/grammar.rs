//! Builtins, predicates, strings and the rest of the grammar.

use super::*;

#[test]
fn builtins_and_predicates() {
    let list = value(json!([1, 2, 3]));
    let series = value(json!([{"Values": [0.001, 0.002, 0.003, 0.004, 0.005]}]));
    check(vec![
        (list.clone(), "all(result, # < 1000)", Is(true)),
        (list.clone(), "all(result, {# > 1})", Is(false)),
        (list.clone(), "any(result, # > 2)", Is(true)),
        (list.clone(), "none(result, # > 5)", Is(true)),
        (list.clone(), "one(result, # == 2)", Is(true)),
        (list.clone(), "len(filter(result, # > 1)) == 2", Is(true)),
        (list.clone(), "map(result, # * 2)[2] == 6", Is(true)),
        (list.clone(), "map(result, #index)[1] == 1", Is(true)),
        (list.clone(), "count(result, # > 1) == 2", Is(true)),
        (list.clone(), "count(map(result, # > 1)) == 2", Is(true)),
        (list.clone(), "sum(result) == 6 && sum(result, # * 2) == 12", Is(true)),
        (list.clone(), "min(result) == 1 && max(result) == 3", Is(true)),
        (list.clone(), "mean(result) == 2 && median(result) == 2", Is(true)),
        (
            list.clone(),
            "find(result, # > 1) == 2 && findIndex(result, # > 1) == 1",
            Is(true),
        ),
        (
            list.clone(),
            "findLast(result, # > 1) == 3 && findLastIndex(result, # > 1) == 2",
            Is(true),
        ),
        (list.clone(), "reduce(result, #acc + #, 0) == 6", Is(true)),
        (list.clone(), "first(result) == 1 && last(result) == 3", Is(true)),
        (list.clone(), "result | all(# > 0)", Is(true)),
        (list.clone(), "(result | map(# + 1) | sum()) == 9", Is(true)),
        (
            list.clone(),
            "result[-1] == 3 && result[1:][0] == 2 && len(result[:2]) == 2",
            Is(true),
        ),
        (
            list.clone(),
            "len(sort(result, \"desc\")) == 3 && sort(result, \"desc\")[0] == 3",
            Is(true),
        ),
        (list.clone(), "all(result, {let x = # * 2; x > 1})", Is(true)),
        (list.clone(), "all(result, {all([#], # > 0)})", Is(true)),
        (list.clone(), "len(groupBy(result, # > 1)[true]) == 2", Is(true)),
        (
            series.clone(),
            "len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})",
            Is(true),
        ),
        (
            value(json!({"service_apdex": {"values": {"values": [{"value": "9950"}, {"value": "9990"}]}}})),
            "all(result.service_apdex.values.values, {asFloat(.value) >= 9900})",
            Is(true),
        ),
        (
            value(json!({"ok": true, "successPercent": 0.95})),
            "result.ok && result.successPercent >= 0.90",
            Is(true),
        ),
        (
            value(json!({"ok": false, "successPercent": 0.95})),
            "result.ok && result.successPercent >= 0.90",
            Is(false),
        ),
    ]);
}

#[test]
fn strings_and_the_rest_of_the_grammar() {
    let text = value(json!("hello world"));
    check(vec![
        (text.clone(), "result contains \"world\"", Is(true)),
        (
            text.clone(),
            "result startsWith \"hello\" && result endsWith \"world\"",
            Is(true),
        ),
        (text.clone(), "result matches \"^h.*d$\"", Is(true)),
        (
            text.clone(),
            "result not contains \"x\" and result not matches '^x'",
            Is(true),
        ),
        (text.clone(), "result matches '\\\\w+ \\\\w+'", Is(true)),
        (value(json!("٣")), "result matches '\\\\d'", Is(false)),
        (value(json!("a[b")), "result matches '[[]'", Is(true)),
        (value(json!("a&b")), "result matches '^a[&~]b$'", Is(true)),
        (
            value(json!("]")),
            "result matches '^[]a]$' && result matches '^[^a]$'",
            Is(true),
        ),
        (
            value(json!("x1")),
            "result matches '^[[:alpha:]][[:digit:]]$'",
            Is(true),
        ),
        (value(json!("A")), "result matches '\\\\101'", Is(true)),
        (
            value(json!("é b")),
            "result matches '\\\\bb\\\\b' && !(result matches '\\\\w\\\\s')",
            Is(true),
        ),
        (
            text.clone(),
            "upper(result) == \"HELLO WORLD\" && len(result) == 11",
            Is(true),
        ),
        (value(json!("é")), "len(result) == 2", Is(true)),
        (text.clone(), "split(result, \" \")[1] == `world`", Is(true)),
        (
            text.clone(),
            "\"o w\" in result",
            Fails("invalid operation: in (mismatched types string and string)"),
        ),
        (text.clone(), "result[0:5] == 'hello'", Is(true)),
        (text.clone(), "'a\\tb' == \"a\\u0009b\" && \"\\x41\" == 'A'", Is(true)),
        (value(json!(5)), "result > 1 ? true : false", Is(true)),
        (value(json!(5)), "(result > 1 ? 'a' : 'b') == 'a'", Is(true)),
        (value(json!(5)), "if result > 1 { true } else { false }", Is(true)),
        (value(json!(3)), "1 < result < 10", Is(true)),
        (value(json!(30)), "1 < result < 10", Is(false)),
        (value(json!(3)), "let x = result * 2; x > 5", Is(true)),
        (value(json!(3)), "not (result > 5)", Is(true)),
        (value(json!(3)), "result > 0 and not (result > 5)", Is(true)),
        (value(json!(3)), "!(result > 5) // a comment", Is(true)),
        (value(json!(3)), "/* a comment */ result == 3", Is(true)),
        (value(json!({"a": null})), "(result.a ?? 5) == 5", Is(true)),
        (value(json!({})), "result?.b?.c == nil", Is(true)),
        (value(json!({"b": {"c": 1}})), "result?.b?.c == 1", Is(true)),
        (value(json!({})), "result.b?.c.d == nil", Is(true)),
        (value(json!({"b": null})), "result.b?.[0] == nil", Is(true)),
        (value(json!({"a": 1})), "'a' in result && !('b' in result)", Is(true)),
        (
            value(json!({"a": 1})),
            "$env.result.a == 1 && $env?.result?.a == 1",
            Is(true),
        ),
        (
            value(json!({"a": 1})),
            "get(result, 'a') == 1 && get(result, 'b') == nil",
            Is(true),
        ),
        (
            value(json!({"a": 1})),
            "keys(result)[0] == 'a' && values(result)[0] == 1",
            Is(true),
        ),
        (value(json!(1)), "1; 2; result == 1", Is(true)),
        (value(json!(true)), "result ?: false", Is(true)),
    ]);
}
