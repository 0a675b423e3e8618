//! The condition language against upstream's material: every successCondition / failureCondition of
//! the conformance corpus compiles and judges plausible results as upstream would; so does every
//! condition upstream's documentation shows; and no input, however malformed, crashes the evaluator.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

/// Named so that `cargo test analysis` runs these with the rest of the analysis tests.
mod analysis_conditions {
    use std::path::Path;

    use proptest::prelude::*;
    use rollouts_api::analysis_run::AnalysisPhase;
    use rollouts_core::analysis::condition::{ConditionError, evaluate, evaluate_result};
    use rollouts_core::analysis::value::MetricValue;
    use rollouts_testkit::{conformance_or_skip, files_with_ext, yaml_documents};
    use serde_json::{Value, json};

    fn value(j: Value) -> MetricValue {
        MetricValue::from(j)
    }

    /// A metric (any object with a condition) found in the corpus.
    #[derive(Debug)]
    struct Metric {
        file: String,
        provider: String,
        success: Option<String>,
        failure: Option<String>,
    }

    fn collect_metrics(file: &str, doc: &Value, out: &mut Vec<Metric>) {
        match doc {
            Value::Object(map) => {
                let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
                let (success, failure) = (text("successCondition"), text("failureCondition"));
                if success.is_some() || failure.is_some() {
                    let provider = map
                        .get("provider")
                        .and_then(Value::as_object)
                        .and_then(|p| p.keys().next().cloned())
                        .unwrap_or_default();
                    out.push(Metric {
                        file: file.to_string(),
                        provider,
                        success,
                        failure,
                    });
                }
                map.values().for_each(|v| collect_metrics(file, v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_metrics(file, v, out)),
            _ => {}
        }
    }

    /// Replaces `{{ ... }}` placeholders (resolved from arguments before evaluation upstream) with a
    /// plausible value: `true` inside a string literal, `3` elsewhere. Returns how many were replaced.
    fn substitute(expression: &str) -> (String, usize) {
        let mut out = String::new();
        let mut rest = expression;
        let mut count = 0;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else { break };
            let before = &rest[..start];
            out.push_str(before);
            let quotes = out.matches('"').count() + out.matches('\'').count();
            out.push_str(if quotes % 2 == 1 { "true" } else { "3" });
            rest = &rest[start + len + 2..];
            count += 1;
        }
        out.push_str(rest);
        (out, count)
    }

    /// Results a provider could return for a condition of the corpus, and the verdict upstream reaches.
    fn plausible(expression: &str) -> Option<Vec<(MetricValue, bool)>> {
        Some(match expression {
            "result == 'It worked!'" => vec![(value(json!("It worked!")), true), (value(json!("It failed")), false)],
            "result.major == '1'" => {
                vec![
                    (value(json!({"major": "1", "minor": "30"})), true),
                    (value(json!({"major": "2"})), false),
                ]
            }
            "result.Status == 999" => vec![
                (value(json!({"Status": 999})), true),
                (value(json!({"Status": -1})), false),
            ],
            "result.Status == -1" => vec![
                (value(json!({"Status": -1})), true),
                (value(json!({"Status": 999})), false),
            ],
            "result[0] >= 0.99" => vec![
                (MetricValue::from(vec![0.995]), true),
                (MetricValue::from(vec![0.5]), false),
            ],
            // `result == "{{args.success-condition}}"` once its argument is resolved (to "true" here).
            "result == \"true\"" => vec![(value(json!("true")), true), (value(json!("false")), false)],
            _ => return None,
        })
    }

    /// Whether `expression` compiles against at least one kind of result a provider could return.
    fn compiles_somewhere(expression: &str) -> bool {
        let candidates = [
            MetricValue::Number(0.5),
            MetricValue::from(vec![0.5]),
            value(json!("true")),
            value(json!(true)),
            value(json!({"a": 1})),
            MetricValue::Null,
        ];
        candidates
            .iter()
            .any(|r| !matches!(evaluate(expression, r), Err(ConditionError::Compile(_))))
    }

    #[test]
    fn corpus_conditions_evaluate_as_upstream() {
        let Some(corpus) = conformance_or_skip("corpus_conditions_evaluate_as_upstream") else {
            return;
        };
        let mut metrics = Vec::new();
        let mut unreadable = Vec::new();
        for path in files_with_ext(&corpus, &[".yaml", ".yml", ".json"]) {
            let rel = path
                .strip_prefix(&corpus)
                .unwrap_or(&path)
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            match yaml_documents(&text) {
                Ok(docs) => docs.iter().for_each(|d| collect_metrics(&rel, d, &mut metrics)),
                Err(_) if text.contains("successCondition:") || text.contains("failureCondition:") => {
                    unreadable.push(rel);
                }
                Err(_) => {}
            }
        }
        assert!(
            unreadable.is_empty(),
            "files with conditions that do not parse as YAML: {unreadable:?}"
        );

        let (mut found, mut with_placeholders, mut asserted) = (0, 0, 0);
        let mut problems = Vec::new();
        for metric in &metrics {
            for (which, expression) in [("success", &metric.success), ("failure", &metric.failure)] {
                let Some(raw) = expression else { continue };
                found += 1;
                let (expression, placeholders) = substitute(raw);
                if placeholders > 0 {
                    with_placeholders += 1;
                }
                if !compiles_somewhere(&expression) {
                    problems.push(format!(
                        "{}: {which}Condition {raw:?} compiles against no result",
                        metric.file
                    ));
                    continue;
                }
                let Some(cases) = plausible(&expression) else {
                    problems.push(format!(
                        "{}: {which}Condition {raw:?} has no expected outcome here",
                        metric.file
                    ));
                    continue;
                };
                for (result, want) in cases {
                    let got = evaluate(&expression, &result);
                    if got != Ok(want) {
                        problems.push(format!(
                            "{}: {raw:?} on {result:?}: want {want}, got {got:?}",
                            metric.file
                        ));
                    }
                    asserted += 1;
                }
            }
        }
        eprintln!(
            "corpus: {} metrics, {found} conditions, {with_placeholders} with placeholders substituted, {asserted} \
             verdicts asserted",
            metrics.len()
        );
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(found >= 9, "expected the corpus's conditions, found {found}");
    }

    /// The e2e template whose conditions can both be false: upstream's example of an Inconclusive run.
    #[test]
    fn corpus_inconclusive_template_is_inconclusive() {
        let Some(corpus) = conformance_or_skip("corpus_inconclusive_template_is_inconclusive") else {
            return;
        };
        let file = "test/e2e/functional/analysistemplate-web-background-inconclusive.yaml";
        let text = std::fs::read_to_string(Path::new(&corpus).join(file)).unwrap();
        let mut metrics = Vec::new();
        for doc in yaml_documents(&text).unwrap() {
            collect_metrics(file, &doc, &mut metrics);
        }
        let [metric] = metrics.as_slice() else {
            panic!("one metric expected, got {metrics:?}")
        };
        assert_eq!(metric.provider, "web");
        let (success, failure) = (metric.success.as_deref().unwrap(), metric.failure.as_deref().unwrap());
        let phase = |r: Value| evaluate_result(&value(r), success, failure);
        assert_eq!(phase(json!({"Status": 999})), Ok(AnalysisPhase::Successful));
        assert_eq!(phase(json!({"Status": -1})), Ok(AnalysisPhase::Failed));
        assert_eq!(phase(json!({"Status": 0})), Ok(AnalysisPhase::Inconclusive));
        assert_eq!(phase(json!({})), Ok(AnalysisPhase::Inconclusive));
        assert_eq!(
            phase(json!("not json")),
            Err(format!(
                "could not evaluate successCondition \"{success}\": type string has no field Status"
            ))
        );
    }

    /// Every condition in upstream's documentation and examples (outside the corpus too), with a result
    /// of the provider it is written for, and the verdict upstream reaches.
    #[test]
    fn documented_conditions() {
        let ok = |r: MetricValue, e: &str, want: bool| (r, e.to_string(), Ok(want));
        let prom = |v: &[f64]| MetricValue::from(v.to_vec());
        let (expr_restarts, n) = substitute("default(result, 0) > {{ args.restarts.max-restarts }}");
        assert_eq!(n, 1);
        let cases: Vec<(MetricValue, String, Result<bool, String>)> = vec![
            ok(prom(&[0.97]), "result[0] >= 0.95", true),
            ok(prom(&[0.9]), "result[0] >= 0.95", false),
            ok(prom(&[12.0]), "result[0] >= 10", true),
            ok(prom(&[0.5]), "result[0] <= 0.95", true),
            ok(MetricValue::Number(0.96), "result >= 0.95", true),
            ok(value(json!(true)), "result == true", true),
            ok(value(json!(false)), "result == true", false),
            ok(MetricValue::Null, "true", true),
            ok(MetricValue::Null, "false", false),
            ok(prom(&[0.91]), "result[0] >= 0.90", true),
            ok(value(json!({"major": "1"})), "result.major == '1'", true),
            ok(value(json!("It worked!")), "result == 'It worked!'", true),
            ok(MetricValue::Number(0.001), "result <= 0.01", true),
            ok(MetricValue::Null, "default(result, 0) < 5", true),
            ok(MetricValue::Number(7.0), "default(result, 0) < 5", false),
            ok(MetricValue::Number(7.0), "default(result, 0) < 10", true),
            ok(MetricValue::Null, "default(result, 0) < 0.05", true),
            ok(
                value(json!({"ok": true, "successPercent": 0.93})),
                "result.ok && result.successPercent >= 0.90",
                true,
            ),
            ok(
                value(json!({"ok": true, "successPercent": 0.5})),
                "result.ok && result.successPercent >= 0.90",
                false,
            ),
            (
                prom(&[95.0]),
                "results[0] >= 90.000000".to_string(),
                Err("unknown name results".to_string()),
            ),
            ok(prom(&[0.995]), "result[0] >= 0.99", true),
            ok(prom(&[0.005]), "result[0] <= 0.01", true),
            ok(prom(&[0.4]), "result[0] < 0.50", true),
            ok(value(json!({"successRate": 0.97})), "result.successRate >= 0.95", true),
            ok(value(json!({"Status": 999})), "result.Status == 999", true),
            ok(value(json!({"Status": -1})), "result.Status == -1", true),
            ok(value(json!("true")), "result == 'true'", true),
            ok(value(json!("I am OK")), "result == \"I am OK\"", true),
            ok(MetricValue::Number(0.9), "result < 0.95", true),
            // Written with a trailing YAML comment, which YAML drops.
            ok(prom(&[0.01, 0.02]), "max(result) < 0.05", true),
            ok(prom(&[0.01, 0.07]), "max(result) < 0.05", false),
            ok(prom(&[0.97]), "len(result) > 0 && result[0] >= 0.95", true),
            ok(prom(&[]), "len(result) > 0 && result[0] >= 0.95", false),
            ok(prom(&[]), "len(result) == 0 || result[0] >= 0.95", true),
            ok(prom(&[0.9]), "len(result) == 0 || result[0] >= 0.95", false),
            ok(MetricValue::Number(f64::NAN), "isNaN(result) || result >= 0.95", true),
            ok(MetricValue::Number(f64::INFINITY), "isInf(result)", true),
            ok(MetricValue::Number(4.0), &expr_restarts, true),
            ok(MetricValue::Number(2.0), &expr_restarts, false),
            ok(
                value(json!([{"Values": [0.001, 0.002, 0.003, 0.004, 0.005]}])),
                "len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})",
                true,
            ),
            ok(
                value(json!({"service_apdex": {"values": {"values": [{"value": "9950"}, {"value": "9800"}]}}})),
                "all(result.service_apdex.values.values, {asFloat(.value) >= 9900})",
                false,
            ),
            ok(prom(&[10.0, 999.0]), "all(result, # < 1000)", true),
        ];
        let mut failures = Vec::new();
        for (result, expression, want) in cases {
            let got = evaluate(&expression, &result).map_err(|e| e.to_string());
            if got != want {
                failures.push(format!("{expression:?} on {result:?}: want {want:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// An error an evaluation must never produce: the evaluator itself failed.
    fn internal(result: &Result<bool, ConditionError>) -> bool {
        matches!(result, Err(ConditionError::Runtime(m)) if m.starts_with("internal error"))
    }

    const TOKENS: &[&str] = &[
        "result",
        "[0]",
        "[",
        "]",
        ".a",
        ".b",
        "?.",
        "?.[0]",
        "(",
        ")",
        "&&",
        "||",
        "and",
        "or",
        "not",
        "!",
        "==",
        "!=",
        "<",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "%",
        "**",
        "in",
        "not in",
        "..",
        "??",
        "?",
        ":",
        "1",
        "0.5",
        "-2",
        "1e3",
        "'x'",
        "\"y\"",
        "`z`",
        "nil",
        "true",
        "false",
        "#",
        "#index",
        "{",
        "}",
        ",",
        ";",
        "let v = 1;",
        "v",
        "if",
        "else",
        "all(",
        "any(",
        "map(",
        "filter(",
        "count(",
        "sum(",
        "len(",
        "max(",
        "asInt(",
        "asFloat(",
        "isNaN(",
        "isNil(",
        "default(",
        "matches",
        "contains",
        "startsWith",
        "'^a+$'",
        "|",
        "$env",
        " ",
        "\\",
        "'",
        "\"",
        "/*",
        "*/",
        "//",
        "@",
        "é",
    ];

    fn results() -> Vec<MetricValue> {
        vec![
            MetricValue::Null,
            MetricValue::Number(0.5),
            MetricValue::Number(f64::NAN),
            MetricValue::from(vec![1.0, 2.0]),
            MetricValue::Array(Vec::new()),
            value(json!("x")),
            value(json!({"a": [1, "x"], "b": {"a": null}})),
        ]
    }

    /// Expressions built from the grammar, so that most get past the parser and the checker.
    fn expression() -> impl Strategy<Value = String> {
        const OPERATORS: &[&str] = &[
            "==",
            "!=",
            "<",
            ">=",
            "+",
            "-",
            "*",
            "/",
            "%",
            "**",
            "&&",
            "||",
            "in",
            "not in",
            "..",
            "??",
            "contains",
            "matches",
            "startsWith",
        ];
        let leaf = proptest::sample::select(vec![
            "result", "1", "0", "-1", "0.5", "'a'", "'^a'", "nil", "true", "false", "[1, 'a']", "{a: 1}", "#", ".a",
            "#index", "x", "$env",
        ])
        .prop_map(str::to_string);
        leaf.prop_recursive(5, 48, 3, |inner| {
            let pair = (inner.clone(), inner.clone());
            prop_oneof![
                (inner.clone(), proptest::sample::select(OPERATORS), inner.clone())
                    .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
                inner.clone().prop_map(|a| format!("!{a}")),
                inner.clone().prop_map(|a| format!("-{a}")),
                inner.clone().prop_map(|a| format!("{a}.a")),
                inner.clone().prop_map(|a| format!("{a}?.a.b")),
                inner.clone().prop_map(|a| format!("{a}?.[0]")),
                inner.clone().prop_map(|a| format!("{a}[0]")),
                inner.clone().prop_map(|a| format!("{a}[1:]")),
                inner.clone().prop_map(|a| format!("len({a})")),
                inner.clone().prop_map(|a| format!("asInt({a})")),
                inner.clone().prop_map(|a| format!("isNaN({a})")),
                inner.clone().prop_map(|a| format!("[{a}, {a}]")),
                inner.clone().prop_map(|a| format!("{{k: {a}}}")),
                inner.clone().prop_map(|a| format!("count({a})")),
                inner.clone().prop_map(|a| format!("{a}.f()")),
                pair.clone().prop_map(|(a, b)| format!("all({a}, {{{b}}})")),
                pair.clone().prop_map(|(a, b)| format!("map({a}, {b})")),
                pair.clone().prop_map(|(a, b)| format!("filter({a}, # == {b})")),
                pair.clone().prop_map(|(a, b)| format!("reduce({a}, #acc + {b}, 0)")),
                pair.clone().prop_map(|(a, b)| format!("default({a}, {b})")),
                pair.clone().prop_map(|(a, b)| format!("(let x = {a}; {b})")),
                pair.clone().prop_map(|(a, b)| format!("{a} | any({b})")),
                pair.prop_map(|(a, b)| format!("({a}; {b})")),
                (inner.clone(), inner.clone(), inner).prop_map(|(a, b, c)| format!("({a} ? {b} : {c})")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn structured_expressions_never_crash(expression in expression()) {
            for result in results() {
                let got = evaluate(&expression, &result);
                prop_assert!(!internal(&got), "{expression:?} on {result:?}: {got:?}");
            }
        }

        #[test]
        fn token_soup_never_crashes(tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..24)) {
            let expression = tokens.join(" ");
            for result in results() {
                let got = evaluate(&expression, &result);
                prop_assert!(!internal(&got), "{expression:?} on {result:?}: {got:?}");
                let phase = evaluate_result(&result, &expression, "");
                prop_assert!(phase.is_ok() || phase.as_ref().is_err_and(|m| m.starts_with("could not evaluate")));
            }
        }

        #[test]
        fn arbitrary_text_never_crashes(expression in ".{0,40}") {
            let got = evaluate(&expression, &MetricValue::from(vec![0.5]));
            prop_assert!(!internal(&got), "{expression:?}: {got:?}");
        }

        #[test]
        fn thresholds_compare_like_float64(x in proptest::num::f64::ANY, t in -1e3f64..1e3) {
            let r = MetricValue::Number(x);
            prop_assert_eq!(evaluate(&format!("result >= {t:?}"), &r), Ok(x >= t));
            prop_assert_eq!(evaluate(&format!("result < {t:?}"), &r), Ok(x < t));
            prop_assert_eq!(evaluate("isNaN(result)", &r), Ok(x.is_nan()));
            let list = MetricValue::from(vec![x]);
            prop_assert_eq!(evaluate(&format!("result[0] <= {t:?}"), &list), Ok(x <= t));
        }
    }
}
