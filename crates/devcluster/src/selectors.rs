//! Label and field selectors as the Kubernetes API accepts them in `?labelSelector=` and
//! `?fieldSelector=`, and as workloads carry them in `spec.selector`.
//!
//! Parsing, validation, matching and the canonical string form follow apimachinery's `labels` and
//! `fields` packages, so errors and `kubectl` output read the same as against a real cluster.

#[path = "selectors/field.rs"]
mod field;
#[path = "selectors/lexer.rs"]
mod lexer;
#[path = "selectors/validation.rs"]
mod validation;

#[cfg(test)]
#[path = "selectors/tests.rs"]
mod tests;

pub use field::FieldSelector;
#[cfg(test)]
pub use field::{field_label_error, field_selector_supported};

use std::fmt;

use rollouts_compat::gofmt::go_quote;
use serde_json::{Map, Value};

use validation::{aggregate, go_string_slice, invalid, label_value_errors, qualified_name_errors};

/// A selector that could not be parsed or is not valid; the message is Kubernetes' wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SelectorError {
    message: String,
}

impl SelectorError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The error text, as the API server would put it in a 400 `Status`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// How one label requirement compares the label's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `key=value`
    Equals,
    /// `key==value`
    DoubleEquals,
    /// `key!=value` (also true when the label is absent)
    NotEquals,
    /// `key in (a,b)`
    In,
    /// `key notin (a,b)` (also true when the label is absent)
    NotIn,
    /// `key`
    Exists,
    /// `!key`
    DoesNotExist,
    /// `key>5` (integer comparison)
    GreaterThan,
    /// `key<5` (integer comparison)
    LessThan,
}

/// One `key op values` term of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

impl Requirement {
    /// A validated requirement; errors carry the field paths Kubernetes reports (`key`, `values[0][key]`).
    pub fn new(key: &str, operator: Operator, values: Vec<String>) -> Result<Self, SelectorError> {
        let mut errs = Vec::new();
        let key_errs = qualified_name_errors(key);
        if !key_errs.is_empty() {
            errs.push(invalid("key", &go_quote(key), &key_errs.join("; ")));
        }
        let bad_values = |detail: &str| invalid("values", &go_string_slice(&values), detail);
        match operator {
            Operator::In | Operator::NotIn if values.is_empty() => {
                errs.push(bad_values("for 'in', 'notin' operators, values set can't be empty"));
            }
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if values.len() != 1 => {
                errs.push(bad_values("exact-match compatibility requires one single value"));
            }
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                errs.push(bad_values("values set must be empty for exists and does not exist"));
            }
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    errs.push(bad_values("for 'Gt', 'Lt' operators, exactly one value is required"));
                }
                for (i, v) in values.iter().enumerate() {
                    if v.parse::<i64>().is_err() {
                        let path = format!("values[{i}]");
                        errs.push(invalid(
                            &path,
                            &go_quote(v),
                            "for 'Gt', 'Lt' operators, the value must be an integer",
                        ));
                    }
                }
            }
            _ => {}
        }
        for (i, v) in values.iter().enumerate() {
            let value_errs = label_value_errors(v);
            if !value_errs.is_empty() {
                errs.push(invalid(
                    &format!("values[{i}][{key}]"),
                    &go_quote(v),
                    &value_errs.join("; "),
                ));
            }
        }
        match aggregate(&errs) {
            Some(message) => Err(SelectorError::new(message)),
            None => Ok(Self {
                key: key.to_string(),
                operator,
                values,
            }),
        }
    }

    /// Whether a label set satisfies this requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let value = labels.and_then(|l| l.get(&self.key)).map(label_text);
        match (self.operator, value) {
            (Operator::In | Operator::Equals | Operator::DoubleEquals, Some(v)) => self.values.contains(&v),
            (Operator::In | Operator::Equals | Operator::DoubleEquals, None) => false,
            (Operator::NotIn | Operator::NotEquals, Some(v)) => !self.values.contains(&v),
            (Operator::NotIn | Operator::NotEquals, None) => true,
            (Operator::Exists, v) => v.is_some(),
            (Operator::DoesNotExist, v) => v.is_none(),
            (Operator::GreaterThan | Operator::LessThan, Some(v)) => {
                let (Ok(have), [want]) = (v.parse::<i64>(), self.values.as_slice()) else {
                    return false;
                };
                let Ok(want) = want.parse::<i64>() else { return false };
                if self.operator == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
            (Operator::GreaterThan | Operator::LessThan, None) => false,
        }
    }
}

fn label_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let op = match self.operator {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
        };
        f.write_str(op)?;
        let set = matches!(self.operator, Operator::In | Operator::NotIn);
        if set {
            f.write_str("(")?;
        }
        let mut values = self.values.clone();
        if values.len() > 1 {
            values.sort();
        }
        f.write_str(&values.join(","))?;
        if set {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A set of label requirements that must all hold.
///
/// The empty selector selects everything; [`LabelSelector::nothing`] (what a missing
/// `spec.selector` object means) selects nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
    nothing: bool,
}

impl LabelSelector {
    /// The selector that matches every object.
    #[cfg(test)]
    pub fn everything() -> Self {
        Self::default()
    }

    /// The selector that matches no object.
    pub fn nothing() -> Self {
        Self {
            requirements: Vec::new(),
            nothing: true,
        }
    }

    /// Parses the string form (`a=b,c in (x,y),!d`), as `?labelSelector=` carries it.
    pub fn parse(selector: &str) -> Result<Self, SelectorError> {
        let mut requirements = lexer::parse(selector)?;
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self {
            requirements,
            nothing: false,
        })
    }

    /// Builds a selector from the object form (`{matchLabels, matchExpressions}`) that workloads
    /// carry in `spec.selector`; JSON `null` selects nothing, `{}` selects everything.
    pub fn from_object(selector: &Value) -> Result<Self, SelectorError> {
        let obj = match selector {
            Value::Null => return Ok(Self::nothing()),
            Value::Object(obj) => obj,
            other => return Err(SelectorError::new(format!("invalid label selector: {other}"))),
        };
        let mut requirements = Vec::new();
        match obj.get("matchLabels") {
            None | Some(Value::Null) => {}
            Some(Value::Object(labels)) => {
                for (k, v) in labels {
                    let Some(v) = v.as_str() else {
                        return Err(SelectorError::new(format!("invalid value for label {k}: {v}")));
                    };
                    requirements.push(Requirement::new(k, Operator::Equals, vec![v.to_string()])?);
                }
            }
            Some(other) => return Err(SelectorError::new(format!("invalid matchLabels: {other}"))),
        }
        match obj.get("matchExpressions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(exprs)) => {
                for expr in exprs {
                    requirements.push(expression_requirement(expr)?);
                }
            }
            Some(other) => return Err(SelectorError::new(format!("invalid matchExpressions: {other}"))),
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self {
            requirements,
            nothing: false,
        })
    }

    /// A selector requiring each of the given labels (`Service.spec.selector`'s map form).
    pub fn from_labels(labels: &Map<String, Value>) -> Result<Self, SelectorError> {
        Self::from_object(&serde_json::json!({ "matchLabels": labels }))
    }

    /// Whether this selector has no requirements (and so selects everything).
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// Whether this is the select-nothing selector.
    #[cfg(test)]
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    /// Whether a label set (an object's `metadata.labels`) satisfies every requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether an object's `metadata.labels` satisfies this selector.
    pub fn matches_object(&self, obj: &Value) -> bool {
        self.matches(obj.pointer("/metadata/labels").and_then(Value::as_object))
    }
}

fn expression_requirement(expr: &Value) -> Result<Requirement, SelectorError> {
    let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
    let op_text = expr.get("operator").and_then(Value::as_str).unwrap_or_default();
    let operator = match op_text {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => {
            return Err(SelectorError::new(format!(
                "{} is not a valid label selector operator",
                go_quote(other)
            )));
        }
    };
    let values = match expr.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(vs)) => vs.iter().map(label_text).collect(),
        Some(other) => return Err(SelectorError::new(format!("invalid values: {other}"))),
    };
    Requirement::new(key, operator, values)
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for LabelSelector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A label map as `kubectl` prints one (`a=b,c=d`, sorted), `<none>` when empty.
pub fn format_labels(labels: Option<&Map<String, Value>>) -> String {
    let mut pairs: Vec<String> = labels
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", label_text(v)))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".to_string()
    } else {
        pairs.join(",")
    }
}

/// An object-form selector as Kubernetes' printers show it: the canonical string, `<none>` when
/// it is empty or missing, `<error>` when it is invalid.
pub fn format_label_selector(selector: Option<&Value>) -> String {
    match LabelSelector::from_object(selector.unwrap_or(&Value::Null)) {
        Ok(s) => {
            let text = s.to_string();
            if text.is_empty() { "<none>".to_string() } else { text }
        }
        Err(_) => "<error>".to_string(),
    }
}
