//! Go's runtime, as helpers on the crate's environment: the registration of every helper, truth tests,
//! and the functions upstream puts next to `result`. The operators are in `operators`, member access
//! and collections in `access`.

use expr::{Environment, Value};
use rollouts_api::gofmt::go_quote;

use super::access::{fetch, go_len, iterate, map_literal, slice};
use super::go_format::{go_format, go_type, parse_go_float, parse_go_int};
use super::operators::{arithmetic, compare, float_to_int, go_equal, go_in, negate, range, string_operator};

type Helper = fn(&[Value]) -> Result<Value, String>;

/// The crate's environment (its builtins) with upstream's helpers and the operator helpers.
pub(super) fn environment(result: Value) -> Environment<'static> {
    let mut env = Environment::new();
    let result_is_nil = result.is_nil();
    // Upstream's `isNil` and `default` ignore their first argument and look at `result`.
    env.add_function("isNil", move |_| Ok(Value::Bool(result_is_nil)));
    env.add_function("default", move |call| {
        Ok(if result.is_nil() {
            call.args.into_iter().nth(1).unwrap_or(Value::Nil)
        } else {
            result.clone()
        })
    });
    let helpers: [(&str, Helper); 21] = [
        ("asInt", as_int),
        ("asFloat", as_float),
        ("isNaN", |args| float_argument(args).map(|f| Value::Bool(f.is_nan()))),
        ("isInf", |args| {
            float_argument(args).map(|f| Value::Bool(f.is_infinite()))
        }),
        ("len", |args| go_len(arg(args, 0)).map(Value::Integer)),
        ("__truth", |args| truth(arg(args, 0)).map(Value::Bool)),
        ("__not", |args| truth(arg(args, 0)).map(|b| Value::Bool(!b))),
        ("__neg", negate),
        ("__eq", |args| Ok(Value::Bool(go_equal(arg(args, 0), arg(args, 1))))),
        ("__ne", |args| Ok(Value::Bool(!go_equal(arg(args, 0), arg(args, 1))))),
        ("__in", go_in),
        ("__range", range),
        ("__fetch", fetch),
        ("__slice", slice),
        ("__iter", iterate),
        ("__map", map_literal),
        ("__last", |args| Ok(args.last().cloned().unwrap_or(Value::Nil))),
        ("__nocall", |args| {
            Err(match args.last().unwrap_or(&NIL) {
                Value::Nil => "invalid operation: cannot call nil".to_string(),
                other => format!("invalid operation: cannot call non-function of type {}", go_type(other)),
            })
        }),
        ("__fail", |args| Err(go_format(arg(args, 0)))),
        ("__matches", |args| string_operator("matches", args)),
        ("__contains", |args| string_operator("contains", args)),
    ];
    for (name, helper) in helpers {
        env.add_function(name, move |call| helper(&call.args).map_err(expr::Error::ExprError));
    }
    for (name, op) in [("__startsWith", "startsWith"), ("__endsWith", "endsWith")] {
        env.add_function(name, move |call| {
            string_operator(op, &call.args).map_err(expr::Error::ExprError)
        });
    }
    for (name, op) in [("__lt", "<"), ("__gt", ">"), ("__le", "<="), ("__ge", ">=")] {
        env.add_function(name, move |call| {
            compare(op, arg(&call.args, 0), arg(&call.args, 1)).map_err(expr::Error::ExprError)
        });
    }
    for (name, op) in [
        ("__add", "+"),
        ("__sub", "-"),
        ("__mul", "*"),
        ("__div", "/"),
        ("__mod", "%"),
        ("__pow", "**"),
    ] {
        env.add_function(name, move |call| {
            arithmetic(op, arg(&call.args, 0), arg(&call.args, 1)).map_err(expr::Error::ExprError)
        });
    }
    env
}

static NIL: Value = Value::Nil;

pub(super) fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&NIL)
}

/// The message of a failed Go type assertion `value.(want)`.
pub(super) fn assertion(value: &Value, want: &str) -> String {
    let is = if value.is_nil() { "nil" } else { go_type(value) };
    format!("interface conversion: interface {{}} is {is}, not {want}")
}

fn truth(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(assertion(other, "bool")),
    }
}

/// Upstream's `asInt`: numbers (truncated) and decimal strings.
fn as_int(args: &[Value]) -> Result<Value, String> {
    match arg(args, 0) {
        Value::Float(f) => Ok(Value::Integer(float_to_int(*f))),
        Value::Integer(i) => Ok(Value::Integer(*i)),
        Value::String(s) => parse_go_int(s, 10)
            .map(Value::Integer)
            .map_err(|e| format!("strconv.ParseInt: parsing {}: {e}", go_quote(s))),
        other => Err(format!(
            "asInt() not supported on {} {}",
            go_type(other),
            go_format(other)
        )),
    }
}

/// Upstream's `asFloat`: numbers and numeric strings.
fn as_float(args: &[Value]) -> Result<Value, String> {
    match arg(args, 0) {
        Value::Float(f) => Ok(Value::Float(*f)),
        Value::Integer(i) => Ok(Value::Float(*i as f64)),
        Value::String(s) => parse_go_float(s)
            .map(Value::Float)
            .map_err(|e| format!("strconv.ParseFloat: parsing {}: {e}", go_quote(s))),
        other => Err(format!(
            "asFloat() not supported on {} {}",
            go_type(other),
            go_format(other)
        )),
    }
}

/// The argument of `isNaN` / `isInf` (Go's `func(float64) bool`; integer literals are converted).
fn float_argument(args: &[Value]) -> Result<f64, String> {
    match arg(args, 0) {
        Value::Float(f) => Ok(*f),
        Value::Integer(i) => Ok(*i as f64),
        other => Err(assertion(other, "float64")),
    }
}
