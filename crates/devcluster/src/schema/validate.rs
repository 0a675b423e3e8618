//! Value validation against a schema node, following the OpenAPI validator the API server runs on custom
//! resources: the same checks, in the same order, with the same paths and messages.

use rollouts_compat::gofmt::go_quote;
use serde_json::{Map, Value};

use super::formats;
use super::gofmt::{GoVal, canonical_json};
use super::node::{Additional, Node};
use super::numbers::{Num, check_number, is_json_integer};
use super::regexes;
use super::report::{Code, Failure, Outcome};

/// How the schema is read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mode {
    /// Read the schema as written, as when the server checks a CRD's `default` values: int-or-string does
    /// not imply a type and unsupported formats are kept. Otherwise it is read as custom resources are
    /// validated: int-or-string means `integer,string` and unsupported formats are ignored.
    pub(crate) as_written: bool,
}

/// The types a node accepts (at most two: int-or-string).
struct Types<'a> {
    list: [&'a str; 2],
    len: usize,
}

impl<'a> Types<'a> {
    fn of(s: Node<'a>, mode: Mode) -> Types<'a> {
        if !mode.as_written && s.int_or_string() {
            return Types {
                list: ["integer", "string"],
                len: 2,
            };
        }
        let t = s.type_name();
        Types {
            list: [t, ""],
            len: usize::from(!t.is_empty()),
        }
    }

    fn as_slice(&self) -> &[&'a str] {
        &self.list[..self.len]
    }

    fn contains(&self, t: &str) -> bool {
        self.as_slice().contains(&t)
    }

    fn joined(&self) -> String {
        self.as_slice().join(",")
    }
}

/// The `format` the validator applies: formats the server does not support for the type are dropped.
fn effective_format<'a>(s: Node<'a>, types: &Types<'_>, mode: Mode) -> &'a str {
    let f = s.str("format");
    if f.is_empty() || mode.as_written {
        return f;
    }
    let single = if types.len == 1 { types.list[0] } else { "" };
    let keep = match single {
        "" | "string" => formats::is_supported(f),
        "integer" => matches!(f, "int32" | "int64"),
        "number" => matches!(f, "float" | "double"),
        _ => false,
    };
    if keep { f } else { "" }
}

fn type_error(path: &str, expected: &str, actual: &str) -> Failure {
    Failure::field(
        Code::InvalidType,
        path,
        GoVal::Str(actual.to_string()),
        format!("{path} in body must be of type {expected}: {}", go_quote(actual)),
    )
}

/// The JSON type name of a value and the format the validator infers for it.
fn info(data: &Value) -> (&'static str, &'static str) {
    match data {
        Value::Null => ("null", ""),
        Value::Bool(_) => ("boolean", ""),
        Value::String(_) => ("string", ""),
        Value::Number(n) => match Num::of(n) {
            Num::Int(_) => ("integer", "int64"),
            Num::Float(_) => ("number", "float64"),
        },
        Value::Array(_) => ("array", ""),
        Value::Object(_) => ("object", ""),
    }
}

fn check_type(types: &Types<'_>, format: &str, data: &Value, path: &str) -> Outcome {
    let (actual, inferred) = info(data);
    let float_int = matches!(data, Value::Number(n) if matches!(Num::of(n), Num::Float(f) if is_json_integer(f)))
        && types.contains("integer");
    let int_float = actual == "integer" && types.contains("number");
    let str_or_slice = matches!(data, Value::String(_) | Value::Array(_));
    let format_fits = format.is_empty() || types.contains(actual) || inferred == format || float_int || int_float;
    if !(str_or_slice || format_fits) {
        return Outcome::failed(type_error(path, format, inferred));
    }
    let numeric = types.contains("number") || types.contains("integer");
    if !numeric && !format.is_empty() && str_or_slice {
        return Outcome {
            errors: Vec::new(),
            matches: 1,
        };
    }
    if !(types.contains(actual) || float_int || int_float) {
        return Outcome::failed(type_error(path, &types.joined(), actual));
    }
    Outcome {
        errors: Vec::new(),
        matches: 1,
    }
}

fn check_string(s: Node<'_>, text: &str, path: &str) -> Option<Failure> {
    let value = || GoVal::Str(text.to_string());
    let runes = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    if let Some(max) = s.i64("maxLength")
        && runes > max
    {
        return Some(Failure::Field {
            code: Code::TooLong,
            name: path.to_string(),
            value: value(),
            limit: max,
            allowed: Vec::new(),
            message: format!("{path} in body should be at most {max} chars long"),
        });
    }
    if let Some(min) = s.i64("minLength")
        && runes < min
    {
        return Some(Failure::field(
            Code::Other,
            path,
            value(),
            format!("{path} in body should be at least {min} chars long"),
        ));
    }
    let pattern = s.str("pattern");
    if !pattern.is_empty() {
        match regexes::compiled(pattern) {
            Err(e) => {
                let msg = format!("{path} in body should match '{pattern}, but pattern is invalid: {e}'");
                return Some(Failure::field(Code::Other, path, value(), msg));
            }
            Ok(re) if !re.is_match(text) => {
                return Some(Failure::field(
                    Code::Other,
                    path,
                    value(),
                    format!("{path} in body should match '{pattern}'"),
                ));
            }
            Ok(_) => {}
        }
    }
    None
}

fn check_array(s: Node<'_>, items: &[Value], path: &str, mode: Mode) -> Outcome {
    let mut out = Outcome::default();
    if let Some(item_schema) = s.items() {
        for (i, item) in items.iter().enumerate() {
            out.merge(validate_value(item_schema, item, &format!("{path}[{i}]"), mode));
        }
    } else {
        for (i, (schema, item)) in s.list("items").iter().zip(items).enumerate() {
            out.merge(validate_value(Node(schema), item, &format!("{path}[{i}]"), mode));
        }
    }
    let size = i64::try_from(items.len()).unwrap_or(i64::MAX);
    if let Some(min) = s.i64("minItems")
        && size < min
    {
        let msg = format!("{path} in body should have at least {min} items");
        out.push(Failure::field(Code::Other, path, GoVal::Int(size), msg));
    }
    if let Some(max) = s.i64("maxItems")
        && size > max
    {
        out.push(Failure::Field {
            code: Code::TooManyItems,
            name: path.to_string(),
            value: GoVal::Int(size),
            limit: max,
            allowed: Vec::new(),
            message: format!("{path} in body should have at most {max} items"),
        });
    }
    if s.flag("uniqueItems") && items.iter().enumerate().any(|(i, a)| items[..i].contains(a)) {
        let msg = format!("{path} in body shouldn't contain duplicates");
        out.push(Failure::field(Code::Other, path, GoVal::Nil, msg));
    }
    out.inc();
    out
}

fn enum_equal(data: &Value, allowed: &Value) -> bool {
    match (data, allowed) {
        (Value::Number(a), Value::Number(b)) => match (Num::of(a), Num::of(b)) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (x, y) => x.as_f64() == y.as_f64(),
        },
        _ => data == allowed,
    }
}

fn check_enum(s: Node<'_>, data: &Value, path: &str) -> Option<Failure> {
    let allowed = s.list("enum");
    if allowed.is_empty() || (!data.is_null() && allowed.iter().any(|a| enum_equal(data, a))) {
        return None;
    }
    let shown: Vec<String> = allowed
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => canonical_json(other),
        })
        .collect();
    Some(Failure::Field {
        code: Code::Enum,
        name: path.to_string(),
        value: GoVal::from_json(data),
        limit: -1,
        allowed: allowed.to_vec(),
        message: format!("{path} in body should be one of [{}]", shown.join(" ")),
    })
}

fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn check_object(s: Node<'_>, map: &Map<String, Value>, path: &str, mode: Mode) -> Outcome {
    let mut out = Outcome::default();
    let size = i64::try_from(map.len()).unwrap_or(i64::MAX);
    if let Some(min) = s.i64("minProperties")
        && size < min
    {
        let msg = format!("{path} in body should have at least {min} properties");
        out.push(Failure::field(Code::Other, path, GoVal::Int(size), msg));
    }
    if let Some(max) = s.i64("maxProperties")
        && size > max
    {
        out.push(Failure::Field {
            code: Code::TooManyProperties,
            name: path.to_string(),
            value: GoVal::Int(size),
            limit: max,
            allowed: Vec::new(),
            message: format!("{path} in body should have at most {max} properties"),
        });
    }
    let props = s.properties();
    let listed = |k: &str| props.is_some_and(|p| p.contains_key(k));
    match s.additional() {
        Additional::Bool(false) => {
            for k in map.keys().filter(|k| !listed(k)) {
                let msg = format!("{path}.{k} in body is a forbidden property");
                out.push(Failure::field(Code::Other, path, GoVal::Str(k.clone()), msg));
            }
        }
        Additional::Schema(extra) => {
            for (k, v) in map.iter().filter(|(k, _)| !listed(k)) {
                out.merge(validate_value(extra, v, &format!("{path}.{k}"), mode));
            }
        }
        _ => {}
    }
    if let Some(props) = props {
        for (k, v) in map {
            if let Some(p) = props.get(k) {
                out.merge(validate_value(Node(p), v, &child_path(path, k), mode));
            }
        }
    }
    for k in s.list("required").iter().filter_map(Value::as_str) {
        if !map.contains_key(k) {
            let name = format!("{path}.{k}");
            let msg = format!("{name} in body is required");
            out.push(Failure::field(Code::Required, &name, GoVal::Nil, msg));
        }
    }
    out
}

/// `allOf`, `anyOf`, `oneOf` and `not`: every alternative is validated at the same path.
fn check_combinators(s: Node<'_>, data: &Value, path: &str, mode: Mode) -> Outcome {
    let mut out = Outcome::default();
    let any_of = s.list("anyOf");
    if !any_of.is_empty() {
        let mut best: Option<Outcome> = None;
        let mut success: Option<Outcome> = None;
        for alt in any_of {
            let r = validate_value(Node(alt), data, path, mode);
            if r.is_valid() {
                success = Some(r);
                best = None;
                break;
            }
            if best.as_ref().is_none_or(|b| r.matches > b.matches) {
                best = Some(r);
            }
        }
        if success.is_none() {
            out.push(Failure::Plain(format!(
                "{} must validate at least one schema (anyOf)",
                go_quote(path)
            )));
        }
        if let Some(r) = best.or(success) {
            out.merge(r);
        }
    }
    let one_of = s.list("oneOf");
    if !one_of.is_empty() {
        let mut best: Option<Outcome> = None;
        let mut first_success: Option<Outcome> = None;
        let mut valid = 0;
        for alt in one_of {
            let r = validate_value(Node(alt), data, path, mode);
            if r.is_valid() {
                valid += 1;
                best = None;
                first_success.get_or_insert(r);
                continue;
            }
            if valid == 0 && best.as_ref().is_none_or(|b| r.matches > b.matches) {
                best = Some(r);
            }
        }
        if valid != 1 {
            let detail = if valid == 0 {
                "Found none valid".to_string()
            } else {
                format!("Found {valid} valid alternatives")
            };
            out.push(Failure::Plain(format!(
                "{} must validate one and only one schema (oneOf). {detail}",
                go_quote(path)
            )));
            if let Some(b) = best {
                out.merge(b);
            }
        } else if let Some(r) = first_success {
            out.merge(r);
        }
    }
    let all_of = s.list("allOf");
    if !all_of.is_empty() {
        let mut valid = 0;
        for alt in all_of {
            let r = validate_value(Node(alt), data, path, mode);
            if r.is_valid() {
                valid += 1;
            }
            out.merge(r);
        }
        if valid != all_of.len() {
            let detail = if valid == 0 { ". None validated" } else { "" };
            out.push(Failure::Plain(format!(
                "{} must validate all the schemas (allOf){detail}",
                go_quote(path)
            )));
        }
    }
    if let Some(not) = s.get("not").filter(|v| v.is_object())
        && validate_value(Node(not), data, path, mode).is_valid()
    {
        out.push(Failure::Plain(format!(
            "{} must not validate the schema (not)",
            go_quote(path)
        )));
    }
    out.inc();
    out
}

/// Validates `data` against schema node `s`; `path` is the dotted path of `data` ("" at the root).
pub(crate) fn validate_value(s: Node<'_>, data: &Value, path: &str, mode: Mode) -> Outcome {
    let types = Types::of(s, mode);
    let format = effective_format(s, &types, mode);
    let mut out = Outcome::default();
    if data.is_null() {
        if types.len > 0 && !types.contains("null") && !s.nullable() {
            out.push(type_error(path, &types.joined(), "null"));
        } else {
            out.inc();
        }
        out.errors.extend(check_enum(s, data, path));
        return out;
    }
    if types.len > 0 || !format.is_empty() {
        out.merge(check_type(&types, format, data, path));
        out.inc();
    }
    out.merge(check_combinators(s, data, path, mode));
    out.inc();
    match data {
        Value::String(text) => {
            out.errors.extend(check_string(s, text, path));
            out.inc();
            if !format.is_empty() && formats::is_known(format) {
                if !formats::check(format, text) {
                    out.push(Failure::field(
                        Code::InvalidType,
                        path,
                        GoVal::Str(text.clone()),
                        format!("{path} in body must be of type {format}: {}", go_quote(text)),
                    ));
                }
                out.inc();
            }
        }
        Value::Number(n) => {
            out.merge(check_number(s, types.as_slice(), format, Num::of(n), path));
            out.inc();
        }
        Value::Array(items) => {
            out.merge(check_array(s, items, path, mode));
            out.inc();
        }
        _ => {}
    }
    out.errors.extend(check_enum(s, data, path));
    out.inc();
    if let Value::Object(map) = data {
        out.merge(check_object(s, map, path, mode));
        out.inc();
    }
    out.inc();
    out
}
