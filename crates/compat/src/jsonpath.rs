//! Kubernetes' JSONPath dialect (client-go `util/jsonpath`), as used by CRD
//! `additionalPrinterColumns`, `kubectl get -o jsonpath=...` templates and the `jsonPath` of web
//! metrics (which keep the first value selected, and treat a missing field as an error: see
//! [`JsonPath::try_find_strict`]).
//!
//! Supported: `{...}` templates with literal text, `$`/`@`, `.field`, `['key.with.dots']`,
//! `["a","b"]` unions, `.*`/`[*]`, `..` recursive descent, indices and slices `[i]`, `[-1]`,
//! `[a:b:c]`, filters `[?(@.x == "y")]` with `== != < > <= >=` or existence, `{.a,.b}` unions,
//! string literals `{"\n"}` and `{range ...}{end}`.

#[path = "jsonpath/eval.rs"]
mod eval;
#[path = "jsonpath/parser.rs"]
mod parser;
#[path = "jsonpath/print.rs"]
mod print;

#[cfg(test)]
#[path = "jsonpath/tests.rs"]
mod tests;

pub use crate::gofmt::go_float;
pub use print::{format_value, go_json, go_number};

use serde_json::Value;

/// A template that failed to parse, or an evaluation error such as an out-of-range index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonPathError {
    message: String,
}

impl JsonPathError {
    /// An error with this text.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The error text.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    /// `$`: the data the template runs on.
    Root,
    /// `@`: the element a filter is testing (or the data, outside filters).
    Current,
    /// `.name` or `['name']`.
    Field(String),
    /// `.*` or `[*]`.
    Wildcard,
    /// `..`: the value and every container below it.
    Recursive,
    /// `[i]`, `[a:b]`, `[a:b:step]`.
    Slice(Slice),
    /// `['a','b']` or `[0,2]`: several selections, concatenated.
    Union(Vec<Segment>),
    /// `[?(...)]`.
    Filter(Box<Filter>),
}

/// Index or slice bounds as written; `single` marks `[i]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slice {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub step: Option<i64>,
    pub single: bool,
}

/// A path: segments applied in order.
pub(crate) type Path = Vec<Segment>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Path(Path),
    Literal(Value),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Exists(Path),
    Compare(Operand, CmpOp, Operand),
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// Literal text, printed as is.
    Text(String),
    /// `{.a,.b}`: the results of each path.
    Paths(Vec<Path>),
    /// `{range .items[*]}...{end}`: the body once per result.
    Range { paths: Vec<Path>, body: Vec<Node> },
}

/// A parsed JSONPath template.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    source: String,
    nodes: Vec<Node>,
}

/// Parses an expression. A bare path (`.spec.replicas`) is taken as `{.spec.replicas}`; anything
/// containing `{` is a template.
pub fn parse(expr: &str) -> Result<JsonPath, JsonPathError> {
    let template = if expr.contains('{') {
        expr.to_string()
    } else {
        format!("{{{expr}}}")
    };
    let nodes = parser::parse_template(&template)?;
    Ok(JsonPath {
        source: expr.to_string(),
        nodes,
    })
}

impl JsonPath {
    /// The path `{.a.b.c}` for the given field names, built without parsing.
    pub fn fields(names: &[&str]) -> Self {
        let path: Path = names.iter().map(|n| Segment::Field((*n).to_string())).collect();
        let source = names.iter().map(|n| format!(".{n}")).collect::<String>();
        Self {
            source,
            nodes: vec![Node::Paths(vec![path])],
        }
    }

    /// The expression this was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every value the template's paths select, in order; evaluation errors (an index out of
    /// range, filtering a non-array) select nothing, as printer columns treat them.
    pub fn find<'a>(&self, data: &'a Value) -> Vec<&'a Value> {
        self.try_find(data).unwrap_or_default()
    }

    /// Like [`JsonPath::find`], but reporting evaluation errors.
    pub fn try_find<'a>(&self, data: &'a Value) -> Result<Vec<&'a Value>, JsonPathError> {
        let mut out = Vec::new();
        eval::collect(&self.nodes, data, &mut out, eval::Missing::Allow)?;
        Ok(out)
    }

    /// Like [`JsonPath::try_find`], but a field that none of the values it is looked up on has is an
    /// error (`<name> is not found`), as client-go reports it when missing keys are not allowed
    /// (its default, and what web metrics use; kubectl allows them).
    pub fn try_find_strict<'a>(&self, data: &'a Value) -> Result<Vec<&'a Value>, JsonPathError> {
        let mut out = Vec::new();
        eval::collect(&self.nodes, data, &mut out, eval::Missing::Error)?;
        Ok(out)
    }

    /// The template's output, as `kubectl get -o jsonpath=...` prints it.
    pub fn render(&self, data: &Value) -> Result<String, JsonPathError> {
        let mut out = String::new();
        eval::render(&self.nodes, data, &mut out, eval::Missing::Allow)?;
        Ok(out)
    }
}

impl std::str::FromStr for JsonPath {
    type Err = JsonPathError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}
