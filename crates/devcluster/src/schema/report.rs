//! The errors the OpenAPI validator produces, and how the API server turns them into field errors
//! (`Cause`s), so that clients see the reasons, paths and messages a real cluster would send.

use rollouts_compat::gofmt::go_quote;
use serde_json::Value;

use super::Cause;
use super::gofmt::{GoVal, canonical_json};

/// `metav1.CauseType` strings used by this module.
pub(crate) mod reason {
    pub(crate) const REQUIRED: &str = "FieldValueRequired";
    pub(crate) const INVALID: &str = "FieldValueInvalid";
    pub(crate) const TYPE_INVALID: &str = "FieldValueTypeInvalid";
    pub(crate) const NOT_SUPPORTED: &str = "FieldValueNotSupported";
    pub(crate) const TOO_LONG: &str = "FieldValueTooLong";
    pub(crate) const TOO_MANY: &str = "FieldValueTooMany";
    pub(crate) const DUPLICATE: &str = "FieldValueDuplicate";
}

/// The kind of a validator error, which decides the field error it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    Required,
    Enum,
    TooLong,
    TooManyItems,
    TooManyProperties,
    InvalidType,
    Other,
}

/// One error of the OpenAPI validator.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// An error about a value at `name` (the validator's dotted path).
    Field {
        code: Code,
        name: String,
        value: GoVal,
        /// The limit, for `TooLong` and the "too many" codes.
        limit: i64,
        /// The allowed values, for `Enum`.
        allowed: Vec<Value>,
        message: String,
    },
    /// An error with no field (combinator and numeric range errors): the server reports it at `<nil>`.
    Plain(String),
}

impl Failure {
    pub(crate) fn field(code: Code, name: &str, value: GoVal, message: String) -> Failure {
        Failure::Field {
            code,
            name: name.to_string(),
            value,
            limit: -1,
            allowed: Vec::new(),
            message,
        }
    }

    fn text(&self) -> &str {
        match self {
            Failure::Field { message, .. } => message,
            Failure::Plain(m) => m,
        }
    }

    /// The field error the API server makes of this error, under `prefix` (the path being validated).
    pub(crate) fn to_cause(&self, prefix: Option<&str>) -> Cause {
        match self {
            Failure::Plain(message) => Cause {
                reason: reason::INVALID,
                field: prefix.unwrap_or("<nil>").to_string(),
                message: format!("Invalid value: \"\": {message}"),
            },
            Failure::Field {
                code,
                name,
                value,
                limit,
                allowed,
                message,
            } => {
                let trimmed = name.strip_prefix('.').unwrap_or(name);
                let field = match (prefix, trimmed.is_empty() || name == ".") {
                    (Some(p), false) => format!("{p}.{trimmed}"),
                    (None, false) => trimmed.to_string(),
                    (Some(p), true) => p.to_string(),
                    (None, true) => "<nil>".to_string(),
                };
                let (reason, message) = body(*code, value, *limit, allowed, message);
                Cause { reason, field, message }
            }
        }
    }
}

fn body(code: Code, value: &GoVal, limit: i64, allowed: &[Value], message: &str) -> (&'static str, String) {
    let or_empty = |v: &GoVal| {
        if *v == GoVal::Nil {
            GoVal::Str(String::new()).body()
        } else {
            v.body()
        }
    };
    match code {
        Code::Required => (reason::REQUIRED, "Required value".to_string()),
        Code::Enum => {
            let mut text = format!("Unsupported value: {}", value.body());
            if !allowed.is_empty() {
                let quoted: Vec<String> = allowed
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => go_quote(s),
                        other => go_quote(&canonical_json(other)),
                    })
                    .collect();
                text.push_str(&format!(": supported values: {}", quoted.join(", ")));
            }
            (reason::NOT_SUPPORTED, text)
        }
        Code::TooLong => {
            let detail = if limit >= 0 {
                format!("may not be more than {limit} bytes")
            } else {
                "value is too long".to_string()
            };
            (reason::TOO_LONG, format!("Too long: {detail}"))
        }
        Code::TooManyItems | Code::TooManyProperties => {
            let detail = if limit >= 0 {
                format!("must have at most {limit} items")
            } else {
                "has too many items".to_string()
            };
            let actual = match value {
                GoVal::Int(i) if *i >= 0 => format!(": {i}"),
                _ => String::new(),
            };
            (reason::TOO_MANY, format!("Too many{actual}: {detail}"))
        }
        Code::InvalidType => (
            reason::TYPE_INVALID,
            format!("Invalid value: {}: {message}", or_empty(value)),
        ),
        Code::Other => (
            reason::INVALID,
            format!("Invalid value: {}: {message}", or_empty(value)),
        ),
    }
}

/// The outcome of validating one value: its errors and how many checks matched (used to choose which
/// alternative of an `anyOf`/`oneOf` to report, as the OpenAPI validator does).
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) errors: Vec<Failure>,
    pub(crate) matches: usize,
}

impl Outcome {
    pub(crate) fn failed(f: Failure) -> Outcome {
        Outcome {
            errors: vec![f],
            matches: 0,
        }
    }

    pub(crate) fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn merge(&mut self, other: Outcome) {
        self.errors.extend(other.errors);
        self.matches += other.matches;
    }

    pub(crate) fn push(&mut self, f: Failure) {
        self.errors.push(f);
    }

    pub(crate) fn inc(&mut self) {
        self.matches += 1;
    }

    /// The causes, without the repeats the validator itself drops.
    pub(crate) fn into_causes(self, prefix: Option<&str>) -> Vec<Cause> {
        let mut seen = std::collections::HashSet::new();
        self.errors
            .into_iter()
            .filter(|f| seen.insert(f.text().to_string()))
            .map(|f| f.to_cause(prefix))
            .collect()
    }
}

/// A field error rendered as the API server prints it (`path: body`), for CRD checks.
pub(crate) fn line(field: &str, body: &str) -> String {
    format!("{field}: {body}")
}

/// `path: Required value[: detail]`.
pub(crate) fn required(field: &str, detail: &str) -> String {
    if detail.is_empty() {
        line(field, "Required value")
    } else {
        format!("{field}: Required value: {detail}")
    }
}

/// `path: Forbidden: detail`.
pub(crate) fn forbidden(field: &str, detail: &str) -> String {
    format!("{field}: Forbidden: {detail}")
}

/// `path: Invalid value: <value>: detail`.
pub(crate) fn invalid(field: &str, value: &GoVal, detail: &str) -> String {
    format!("{field}: Invalid value: {}: {detail}", value.body())
}

/// `path: Unsupported value: <value>: supported values: "a", "b"`.
pub(crate) fn not_supported(field: &str, value: &GoVal, supported: &[&str]) -> String {
    let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
    format!(
        "{field}: Unsupported value: {}: supported values: {}",
        value.body(),
        quoted.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn causes_are_worded_like_the_api_server() {
        let t = Failure::field(
            Code::InvalidType,
            "spec.replicas",
            GoVal::Str("string".into()),
            "spec.replicas in body must be of type integer: \"string\"".into(),
        );
        let c = t.to_cause(None);
        assert_eq!(c.reason, "FieldValueTypeInvalid");
        assert_eq!(
            c.to_string(),
            "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""
        );
        let r = Failure::field(Code::Required, ".spec", GoVal::Nil, "x".into());
        assert_eq!(r.to_cause(None).to_string(), "spec: Required value");
        let e = Failure::Field {
            code: Code::Enum,
            name: "spec.strategy.type".into(),
            value: GoVal::Str("x".into()),
            limit: -1,
            allowed: vec![json!("a"), json!(1)],
            message: String::new(),
        };
        assert_eq!(
            e.to_cause(None).to_string(),
            "spec.strategy.type: Unsupported value: \"x\": supported values: \"a\", \"1\""
        );
        let p = Failure::Plain("\"spec.x\" must validate at least one schema (anyOf)".into());
        assert_eq!(
            p.to_cause(None).to_string(),
            "<nil>: Invalid value: \"\": \"spec.x\" must validate at least one schema (anyOf)"
        );
        let m = Failure::Field {
            code: Code::TooManyItems,
            name: "spec.steps".into(),
            value: GoVal::Int(3),
            limit: 2,
            allowed: vec![],
            message: String::new(),
        };
        assert_eq!(
            m.to_cause(Some("x")).to_string(),
            "x.spec.steps: Too many: 3: must have at most 2 items"
        );
    }
}
