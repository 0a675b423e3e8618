//! Evaluation of parsed templates against JSON, following client-go's semantics (missing keys
//! select nothing unless [`Missing::Error`] is asked for; out-of-range indices and filters on
//! non-arrays are errors).

use std::cmp::Ordering;

use serde_json::Value;

use super::print::format_value;
use super::{CmpOp, Filter, JsonPathError, Node, Operand, Path, Segment, Slice};

/// What a field that is absent from every value it is looked up on does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Missing {
    /// Selects nothing (kubectl's `--allow-missing-template-keys`, printer columns).
    Allow,
    /// Fails with `<name> is not found` (client-go's default).
    Error,
}

fn err<T>(message: impl Into<String>) -> Result<T, JsonPathError> {
    Err(JsonPathError::new(message))
}

/// The value and every non-empty container below it, parents first.
fn descend<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    let children: Vec<&Value> = match value {
        Value::Object(map) => map.values().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => return,
    };
    if children.is_empty() {
        return;
    }
    out.push(value);
    for child in children {
        descend(child, out);
    }
}

fn slice<'a>(items: &'a [Value], s: &Slice) -> Result<Vec<&'a Value>, JsonPathError> {
    let len = items.len() as i64;
    let mut start = s.start.unwrap_or(0);
    if start < 0 {
        start += len;
    }
    let mut end = match (s.end, s.single) {
        (_, true) => s.start.unwrap_or(0) + 1,
        (Some(e), false) => e,
        (None, false) => len,
    };
    // `[-1]` ends at 0 "derived", meaning the end of the array.
    if end < 0 || (end == 0 && s.single) {
        end += len;
    }
    if start == end {
        return Ok(Vec::new());
    }
    if start >= len || start < 0 {
        return err(format!("array index out of bounds: index {start}, length {len}"));
    }
    if end > len || end < 0 {
        return err(format!("array index out of bounds: index {}, length {len}", end - 1));
    }
    if start > end {
        return err(format!("starting index {start} is greater than ending index {end}"));
    }
    let step = s.step.unwrap_or(1);
    if step <= 0 {
        return err("step must be > 0");
    }
    let (start, end, step) = (start as usize, end as usize, step as usize);
    Ok(items.get(start..end).unwrap_or_default().iter().step_by(step).collect())
}

fn single(values: Vec<&Value>) -> Result<Option<&Value>, JsonPathError> {
    match values.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => err("can only compare one element at a time"),
    }
}

fn operand<'a>(
    op: &'a Operand,
    root: &'a Value,
    current: &'a Value,
    missing: Missing,
) -> Result<Option<&'a Value>, JsonPathError> {
    match op {
        Operand::Literal(v) => Ok(Some(v)),
        Operand::Path(p) => single(eval_path(p, root, current, missing)?),
    }
}

fn compare(left: &Value, op: CmpOp, right: &Value) -> bool {
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        },
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => {
            return match op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
                _ => false,
            };
        }
        _ => return false,
    };
    let Some(ordering) = ordering else { return false };
    match op {
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
    }
}

fn filter<'a>(
    items: &'a [Value],
    f: &Filter,
    root: &'a Value,
    missing: Missing,
) -> Result<Vec<&'a Value>, JsonPathError> {
    let mut out = Vec::new();
    for item in items {
        let keep = match f {
            Filter::Exists(p) => !eval_path(p, root, item, Missing::Allow).unwrap_or_default().is_empty(),
            Filter::Compare(l, op, r) => {
                let Some(left) = operand(l, root, item, missing)? else {
                    continue;
                };
                let Some(right) = operand(r, root, item, missing)? else {
                    continue;
                };
                compare(left, *op, right)
            }
        };
        if keep {
            out.push(item);
        }
    }
    Ok(out)
}

fn step<'a>(
    segment: &Segment,
    input: Vec<&'a Value>,
    root: &'a Value,
    current: &'a Value,
    missing: Missing,
) -> Result<Vec<&'a Value>, JsonPathError> {
    let mut out = Vec::new();
    match segment {
        Segment::Root => out.push(root),
        Segment::Current => out.push(current),
        Segment::Field(name) => {
            out.extend(input.iter().filter_map(|v| v.as_object()?.get(name)));
            if out.is_empty() && !input.is_empty() && missing == Missing::Error {
                return err(format!("{name} is not found"));
            }
        }
        Segment::Wildcard => {
            for v in input {
                match v {
                    Value::Object(map) => out.extend(map.values()),
                    Value::Array(items) => out.extend(items.iter()),
                    _ => {}
                }
            }
        }
        Segment::Recursive => {
            for v in input {
                descend(v, &mut out);
            }
        }
        Segment::Slice(s) => {
            for v in input {
                match v {
                    Value::Array(items) => out.extend(slice(items, s)?),
                    Value::Null => {}
                    other => return err(format!("{} is not array or slice", type_name(other))),
                }
            }
        }
        Segment::Union(parts) => {
            for part in parts {
                out.extend(step(part, input.clone(), root, current, missing)?);
            }
        }
        Segment::Filter(f) => {
            for v in input {
                match v {
                    Value::Array(items) => out.extend(filter(items, f, root, missing)?),
                    Value::Null => {}
                    other => {
                        return err(format!(
                            "{} is not array or slice and cannot be filtered",
                            type_name(other)
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// The values a path selects, starting from `current` (`$` is `root`).
pub(super) fn eval_path<'a>(
    path: &Path,
    root: &'a Value,
    current: &'a Value,
    missing: Missing,
) -> Result<Vec<&'a Value>, JsonPathError> {
    let mut values = vec![current];
    for segment in path {
        values = step(segment, values, root, current, missing)?;
    }
    Ok(values)
}

fn eval_paths<'a>(paths: &[Path], data: &'a Value, missing: Missing) -> Result<Vec<&'a Value>, JsonPathError> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(eval_path(p, data, data, missing)?);
    }
    Ok(out)
}

/// Every value selected by the template's paths (range bodies once per item), in order.
pub(super) fn collect<'a>(
    nodes: &[Node],
    data: &'a Value,
    out: &mut Vec<&'a Value>,
    missing: Missing,
) -> Result<(), JsonPathError> {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Paths(paths) => out.extend(eval_paths(paths, data, missing)?),
            Node::Range { paths, body } => {
                for item in eval_paths(paths, data, missing)? {
                    collect(body, item, out, missing)?;
                }
            }
        }
    }
    Ok(())
}

/// Prints the template: text as is, each action's results separated by spaces.
pub(super) fn render(nodes: &[Node], data: &Value, out: &mut String, missing: Missing) -> Result<(), JsonPathError> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Paths(paths) => {
                let values: Vec<String> = eval_paths(paths, data, missing)?
                    .into_iter()
                    .map(format_value)
                    .collect();
                out.push_str(&values.join(" "));
            }
            Node::Range { paths, body } => {
                for item in eval_paths(paths, data, missing)? {
                    render(body, item, out, missing)?;
                }
            }
        }
    }
    Ok(())
}
