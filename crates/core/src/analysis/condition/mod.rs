//! The condition language of analysis metrics (`successCondition`, `failureCondition`), judged the way
//! upstream judges it with Go's expr-lang/expr (`utils/evaluate/evaluate.go`).
//!
//! The environment holds `result` (the provider's value, `nil` when there is none) and six helpers:
//! `asInt` and `asFloat` (numbers or numeric strings), `isNaN`, `isInf`, and `isNil` / `default`, which
//! look at `result` whatever argument they are given. Every builtin of the language is there too. The
//! expression must produce a bool.
//!
//! Go's expr compiles an expression against the *typed* environment before it runs it, so some
//! expressions fail without running (`asFloat(result) == "1.1"`, or an unknown name in a branch that
//! would never be taken), and its runtime has its own rules (`==` across int and float, errors for
//! indexes out of range, `&&` on a non-bool). The `expr-lang` crate has no such compile step and differs
//! in places (its `matches` also needs a feature this build leaves out). So a condition goes through
//! three steps here:
//!
//! 1. *parse*: a parser for Go expr's grammar, with its precedences and quirks (chained comparisons,
//!    `not in` / `not matches`, predicates with `#` and `.field`, `?.`, `??`, `let`, `if`/`else`);
//! 2. *check*: the compile-time checks Go makes against the environment, with Go's messages;
//! 3. *run*: the tree is printed back as an `expr-lang` program in which every operator, member access
//!    and truth test is a call to a helper registered on the crate's `Environment` that follows Go's
//!    runtime (values and error texts). The crate runs that program: control flow, closures, builtins.
//!
//! Known differences from upstream, none of which changes the verdict of a sensible condition:
//! - A list result is typed as Go's `[]interface {}` (what the web provider produces). Prometheus hands
//!   upstream a `[]float64`, for which Go's compiler also rejects misuses of one element
//!   (`result[0] == "x"`); here those are judged at run time (`false`) instead.
//! - Messages of a few run-time failures inside builtins, and of regular-expression syntax errors, are
//!   the crate's or the `regex` crate's rather than Go's. `\d`, `\w`, `\s` and `\b` are ASCII, as in Go.
//! - `toJSON`, `fromJSON`, `toBase64`, `fromBase64` and the time builtins (`now`, `date`, `duration`,
//!   `timezone`) report that they are unavailable.
//! - Of Go's optimizer only the rewrites that change results are mirrored (folding constants, string
//!   sets for `in`, `count(..) > 0` as `any`). The others only reorder work: they can change which of two
//!   errors is reported, or spare an error (`sum(1..2000000)` is computed by formula upstream, and exceeds
//!   the memory budget here). Go's memory budget is applied to each range (`a..b`) on its own.
//! - A byte escape above `\x7f` in a string literal becomes the character of that number (Go keeps the
//!   raw byte), and `asInt` of NaN or of an out-of-range float gives the minimum int64 (amd64's result).
//! - Expressions nested more than a few hundred levels deep are refused (Go has no such limit).
//!
//! Files by concern: `lexer` and `unescape` (tokens and literal values), `ast` (the tree and the
//! language's names), `parser`, `types` and `check` (Go's compile-time checks), `optimize`, `print`
//! (the `expr-lang` program), `runtime`, `operators` and `access` (the helpers that follow Go's
//! runtime), `go_format` and `go_regex` (Go's text forms and regular expressions).

mod access;
mod ast;
mod check;
mod go_format;
mod go_regex;
mod lexer;
mod operators;
mod optimize;
mod parser;
mod print;
mod runtime;
mod types;
mod unescape;

#[cfg(test)]
mod tests;

use expr::{Context, Value};
use rollouts_api::analysis_run::AnalysisPhase;

use self::check::Checker;
use self::optimize::optimize;
use self::parser::parse;
use self::print::Printer;
use self::runtime::environment;
use self::types::Ty;
use super::value::MetricValue;

/// Why a condition could not be evaluated (becomes a measurement in phase Error).
///
/// The text is what upstream's evaluator reports (`unknown name foo`,
/// `invalid operation: == (mismatched types float64 and string)`, `expected bool, but got float64`, ...).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConditionError {
    /// The expression does not compile: a syntax error, or a type error Go's compiler finds before the
    /// expression runs.
    #[error("{0}")]
    Compile(String),
    /// The expression failed while running.
    #[error("{0}")]
    Runtime(String),
    /// The expression ran but did not produce a bool; holds the Go name of the type it produced.
    #[error("expected bool, but got {0}")]
    NotBool(String),
}

/// Evaluates one condition against `result`; the expression must produce a bool.
pub fn evaluate(expression: &str, result: &MetricValue) -> Result<bool, ConditionError> {
    if is_shallow(expression) {
        return evaluate_here(expression, result);
    }
    // Parsing, checking and printing recurse over the tree, and the crate's parser and evaluator
    // recurse over the printed program: a deep expression gets a stack of its own, whatever the
    // caller's is.
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .stack_size(EVALUATION_STACK)
            .spawn_scoped(scope, || evaluate_here(expression, result));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(ConditionError::Runtime(
                    "internal error while evaluating the expression".to_string(),
                ))
            }),
            Err(e) => Err(ConditionError::Runtime(format!(
                "could not start evaluating the expression: {e}"
            ))),
        }
    })
}

/// Upstream `EvaluateResult`: the measurement phase from the metric's successCondition and
/// failureCondition (empty string = not set).
///
/// `Err` is the measurement's Error message: `could not evaluate successCondition "<expr>": <err>`, or,
/// when `result` is nil or an empty list, `could not evaluate successCondition "<expr>": metric result is
/// nil or empty: no data returned from the metric provider`. The success condition is evaluated first.
pub fn evaluate_result(
    result: &MetricValue,
    success_condition: &str,
    failure_condition: &str,
) -> Result<AnalysisPhase, String> {
    let mut success = false;
    let mut failure = false;
    if !success_condition.is_empty() {
        success = evaluate(success_condition, result)
            .map_err(|e| evaluation_message(&e, "successCondition", success_condition, result))?;
    }
    if !failure_condition.is_empty() {
        failure = evaluate(failure_condition, result)
            .map_err(|e| evaluation_message(&e, "failureCondition", failure_condition, result))?;
    }
    match (success_condition.is_empty(), failure_condition.is_empty()) {
        // Neither condition: successful unless something failed above.
        (true, true) => return Ok(AnalysisPhase::Successful),
        // Only a success condition: a measurement that does not meet it failed.
        (false, true) => failure = !success,
        // Only a failure condition: a measurement that does not meet it succeeded.
        (true, false) => success = !failure,
        (false, false) => {}
    }
    Ok(if failure {
        AnalysisPhase::Failed
    } else if !success {
        AnalysisPhase::Inconclusive
    } else {
        AnalysisPhase::Successful
    })
}

/// The message of a failed evaluation; a result without data explains itself instead of the error.
fn evaluation_message(error: &ConditionError, which: &str, expression: &str, result: &MetricValue) -> String {
    if result.is_empty() {
        format!(
            "could not evaluate {which} \"{expression}\": metric result is nil or empty: no data returned from \
             the metric provider"
        )
    } else {
        format!("could not evaluate {which} \"{expression}\": {error}")
    }
}

/// Stack of the thread an evaluation runs on. Only the pages used are ever touched.
const EVALUATION_STACK: usize = 32 << 20;

/// Longest expression evaluated on the caller's stack.
const SHALLOW_LENGTH: usize = 160;
/// Most brackets open at once, and most operator characters, in an expression evaluated on the
/// caller's stack.
const SHALLOW_NESTING: usize = 8;
const SHALLOW_OPERATORS: usize = 40;

/// Whether an expression is small enough to evaluate on the caller's stack (any thread's 2 MiB is
/// plenty for it): conditions as written are short and flat, and starting a thread per evaluation
/// would cost more than the evaluation itself.
fn is_shallow(expression: &str) -> bool {
    if expression.len() > SHALLOW_LENGTH {
        return false;
    }
    let (mut depth, mut deepest, mut operators) = (0usize, 0usize, 0usize);
    for c in expression.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '!' | '-' | '+' | '*' | '/' | '%' | '<' | '>' | '=' | '&' | '|' | '^' | '?' | ':' | '.' | ',' => {
                operators += 1;
            }
            _ => {}
        }
    }
    deepest <= SHALLOW_NESTING && operators <= SHALLOW_OPERATORS
}

/// The three steps, on the current thread.
fn evaluate_here(expression: &str, result: &MetricValue) -> Result<bool, ConditionError> {
    let tree = parse(expression).map_err(ConditionError::Compile)?;
    let result_type = Ty::of_result(result);
    let output_type = Checker::new(&result_type)
        .visit(&tree)
        .map_err(ConditionError::Compile)?;
    let mut tree = tree;
    optimize(&mut tree).map_err(ConditionError::Compile)?;

    let mut printer = Printer::default();
    let source = printer.print(&tree);
    let program = expr::compile(&source).map_err(|e| {
        let detail = e.to_string();
        let last = detail.lines().last().unwrap_or_default().trim().to_string();
        ConditionError::Runtime(format!(
            "internal error: the expression could not be translated ({last})"
        ))
    })?;

    let value = to_expr_value(result);
    let mut context = Context::default();
    context.insert("result", value.clone());
    context.insert("__env", Value::from_iter([("result", value.clone())]));
    for (name, literal) in printer.literals {
        context.insert(name, literal);
    }
    match environment(value).run(&program, &context) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(ConditionError::NotBool(output_type.runtime_name(&other))),
        Err(e) => Err(ConditionError::Runtime(e.to_string())),
    }
}

/// `result` as the crate's value: Go's JSON gives float64 for every number, NaN and ±Inf included.
fn to_expr_value(value: &MetricValue) -> Value {
    match value {
        MetricValue::Null => Value::Nil,
        MetricValue::Bool(b) => Value::Bool(*b),
        MetricValue::Number(n) => Value::Float(*n),
        MetricValue::String(s) => Value::String(s.clone()),
        MetricValue::Array(items) => Value::Array(items.iter().map(to_expr_value).collect()),
        MetricValue::Object(map) => map.iter().map(|(k, v)| (k.clone(), to_expr_value(v))).collect(),
    }
}
