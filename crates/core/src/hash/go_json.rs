//! A re-implementation of what Go's `json.Marshal` writes for a value that Go first decoded from
//! JSON into typed structs. The input is a `serde_json::Value` (field order irrelevant); the Go
//! struct table decides which fields exist, their order, and what is omitted:
//!
//! - fields follow Go declaration order; fields Go does not know are dropped (they would not
//!   survive Go's decoder);
//! - an absent or `null` field is the Go zero value: `""`, `0`, `false`, `null` for pointers,
//!   slices and maps, and a struct written out field by field (`"resources":{}`);
//! - `omitempty` drops `""`, `0`, `false`, nil and empty slices and maps, never structs;
//!   `omitzero` drops zero values (for `metav1.Time`, the zero time);
//! - map keys are sorted; strings use Go's HTML-safe escaping; quantities, int-or-strings and
//!   times are printed by their own `MarshalJSON`.
//!
//! Values of the wrong JSON type are encoded as the zero value and reported as problems, and so
//! are quantities Go cannot parse, which are written as they are. (Go's decoder rejects such
//! objects; upstream's tolerant decoding then keeps whatever it decoded before the error, which
//! is not reproduced.)

use rollouts_api::gofmt::push_go_json_string;

use super::go_scalar::{float, time};
use super::layout::{INL, OE, OZ, Ty, go_struct};
use super::quantity;
use serde_json::{Map, Number, Value};

/// What the output is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Byte-for-byte what Go's `json.Marshal` writes.
    Marshal,
    /// What `json.Marshal` wrote with Kubernetes types before `omitzero` tags (before 0.34, so
    /// upstream before v1.9): `omitzero` is ignored, so a zero `creationTimestamp` is `null`.
    MarshalWithoutOmitzero,
    /// A canonical form for Kubernetes' semantic equality: empty slices and maps equal nil ones,
    /// quantities compare by value.
    Semantic,
}

/// Encodes values as Go would, collecting problems (type mismatches, unparsable quantities).
pub(super) struct Encoder {
    out: String,
    mode: Mode,
    problems: Vec<String>,
    path: Vec<String>,
}

impl Encoder {
    pub(super) fn new(mode: Mode) -> Self {
        Encoder {
            out: String::new(),
            mode,
            problems: Vec::new(),
            path: Vec::new(),
        }
    }

    /// The encoded text and the problems met on the way.
    pub(super) fn finish(self) -> (String, Vec<String>) {
        (self.out, self.problems)
    }

    fn problem(&mut self, what: &str, value: &Value) {
        let path = if self.path.is_empty() {
            ".".to_owned()
        } else {
            self.path.join(".")
        };
        self.problems.push(format!("{path}: expected {what}, got {value}"));
    }

    /// Encodes `value` (`None` meaning absent or `null`) as Go type `ty`.
    pub(super) fn value(&mut self, ty: &Ty, value: Option<&Value>) {
        let value = value.filter(|v| !v.is_null());
        match (ty, value) {
            (Ty::Str, None) => self.out.push_str("\"\""),
            (Ty::Str, Some(Value::String(s))) => push_go_json_string(&mut self.out, s),
            (Ty::Bool, None | Some(Value::Bool(false))) => self.out.push_str("false"),
            (Ty::Bool, Some(Value::Bool(true))) => self.out.push_str("true"),
            (Ty::Int, None) => self.out.push('0'),
            (Ty::Int, Some(Value::Number(n))) if n.is_i64() || n.is_u64() => self.out.push_str(&n.to_string()),
            (Ty::Struct(index), _) => self.structure(*index, value),
            (Ty::Ptr(_) | Ty::Slice(_) | Ty::Map(_) | Ty::Raw, None) => self.out.push_str("null"),
            (Ty::Ptr(inner), Some(v)) => self.value(inner, Some(v)),
            (Ty::Slice(inner), Some(Value::Array(items))) => self.slice(inner, items),
            (Ty::Map(inner), Some(Value::Object(map))) => self.map(inner, map),
            (Ty::Quantity, _) => self.quantity(value),
            (Ty::IntOrString, None) => self.out.push('0'),
            (Ty::IntOrString, Some(Value::Number(n))) if n.is_i64() => self.out.push_str(&n.to_string()),
            (Ty::IntOrString, Some(Value::String(s))) => push_go_json_string(&mut self.out, s),
            (Ty::Time, None) => self.out.push_str("null"),
            (Ty::Time, Some(Value::String(s))) => match time(s) {
                Ok(Some(text)) => push_go_json_string(&mut self.out, &text),
                Ok(None) => self.out.push_str("null"),
                Err(()) => {
                    self.problem("an RFC 3339 time", &Value::String(s.clone()));
                    self.out.push_str("null");
                }
            },
            (Ty::Raw, Some(v)) => self.raw(v),
            (_, Some(v)) => {
                self.problem(expected(ty), v);
                self.value(ty, None);
            }
        }
    }

    fn structure(&mut self, index: u16, value: Option<&Value>) {
        let object = match value {
            None => None,
            Some(Value::Object(map)) => Some(map),
            Some(other) => {
                self.problem("an object", other);
                None
            }
        };
        self.out.push('{');
        let mut first = true;
        self.fields(index, object, &mut first);
        self.out.push('}');
    }

    fn fields(&mut self, index: u16, object: Option<&Map<String, Value>>, first: &mut bool) {
        for field in go_struct(index).fields {
            if field.flags & INL != 0 {
                if let Ty::Struct(inner) = field.ty {
                    self.fields(inner, object, first);
                }
                continue;
            }
            let mut value = object.and_then(|o| o.get(field.json)).filter(|v| !v.is_null());
            if let Some(misfit) = value.filter(|v| !fits(&field.ty, v)) {
                // Decoded as the zero value, whatever `omitempty` then makes of it.
                self.path.push(field.json.to_owned());
                self.problem(expected(&field.ty), misfit);
                self.path.pop();
                value = None;
            }
            if field.flags & OE != 0 && is_empty(&field.ty, value) {
                continue;
            }
            if field.flags & OZ != 0 && self.mode != Mode::MarshalWithoutOmitzero && is_zero(&field.ty, value) {
                continue;
            }
            if !std::mem::take(first) {
                self.out.push(',');
            }
            push_go_json_string(&mut self.out, field.json);
            self.out.push(':');
            self.path.push(field.json.to_owned());
            self.value(&field.ty, value);
            self.path.pop();
        }
    }

    fn slice(&mut self, inner: &Ty, items: &[Value]) {
        if items.is_empty() && self.mode == Mode::Semantic {
            self.out.push_str("null");
            return;
        }
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.path.push(i.to_string());
            self.value(inner, Some(item));
            self.path.pop();
        }
        self.out.push(']');
    }

    fn map(&mut self, inner: &Ty, map: &Map<String, Value>) {
        if map.is_empty() && self.mode == Mode::Semantic {
            self.out.push_str("null");
            return;
        }
        self.object(map, |this, key, value| {
            this.path.push(key.to_owned());
            this.value(inner, Some(value));
            this.path.pop();
        });
    }

    /// `{"key":value,...}` in Go's map order, each value written by `write`.
    fn object(&mut self, map: &Map<String, Value>, mut write: impl FnMut(&mut Self, &str, &Value)) {
        self.out.push('{');
        for (i, key) in sorted_keys(map).into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_go_json_string(&mut self.out, key);
            self.out.push(':');
            if let Some(value) = map.get(key) {
                write(self, key, value);
            }
        }
        self.out.push('}');
    }

    fn quantity(&mut self, value: Option<&Value>) {
        let text = match value {
            None => "0".to_owned(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => number_text(n),
            Some(other) => {
                self.problem("a quantity", other);
                "0".to_owned()
            }
        };
        let printed = match self.mode {
            Mode::Marshal | Mode::MarshalWithoutOmitzero => quantity::marshal(&text),
            Mode::Semantic => quantity::semantic_key(&text),
        };
        match printed {
            Some(printed) => push_go_json_string(&mut self.out, &printed),
            None => {
                self.problem("a quantity", &Value::String(text.clone()));
                push_go_json_string(&mut self.out, &text);
            }
        }
    }

    /// Arbitrary JSON (`json.RawMessage` and friends) as Go re-encodes it after the decoding
    /// round trip through `map[string]interface{}`: keys sorted, Go escaping and numbers.
    fn raw(&mut self, value: &Value) {
        match value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => self.out.push_str(&number_text(n)),
            Value::String(s) => push_go_json_string(&mut self.out, s),
            Value::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.raw(item);
                }
                self.out.push(']');
            }
            Value::Object(map) => self.object(map, |this, _, value| this.raw(value)),
        }
    }
}

/// Keys in Go's map order (byte-wise), whatever order the map keeps.
fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys
}

/// A number as Go prints it after decoding it into `interface{}` (integers stay integers).
fn number_text(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    float(n.as_f64().unwrap_or(0.0))
}

fn expected(ty: &Ty) -> &'static str {
    match ty {
        Ty::Str => "a string",
        Ty::Bool => "a boolean",
        Ty::Int => "an integer",
        Ty::Struct(_) => "an object",
        Ty::Ptr(_) => "a value",
        Ty::Slice(_) => "an array",
        Ty::Map(_) => "an object",
        Ty::Quantity => "a quantity",
        Ty::IntOrString => "an integer or a string",
        Ty::Time => "an RFC 3339 time",
        Ty::Raw => "JSON",
    }
}

/// Whether a JSON value has the shape Go's decoder accepts for the type.
fn fits(ty: &Ty, value: &Value) -> bool {
    match (ty, value) {
        (_, Value::Null) | (Ty::Raw, _) => true,
        (Ty::Ptr(inner), v) => fits(inner, v),
        (Ty::Str | Ty::Time, Value::String(_)) | (Ty::Bool, Value::Bool(_)) => true,
        (Ty::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Ty::IntOrString, Value::Number(n)) => n.is_i64(),
        (Ty::IntOrString | Ty::Quantity, Value::String(_)) | (Ty::Quantity, Value::Number(_)) => true,
        (Ty::Struct(_) | Ty::Map(_), Value::Object(_)) | (Ty::Slice(_), Value::Array(_)) => true,
        _ => false,
    }
}

/// Go's `isEmptyValue` for `omitempty`, on the value as decoded (structs are never empty).
fn is_empty(ty: &Ty, value: Option<&Value>) -> bool {
    match (ty, value) {
        (Ty::Struct(_) | Ty::Quantity | Ty::IntOrString | Ty::Time, _) => false,
        (_, None) => true,
        (Ty::Str, Some(Value::String(s))) => s.is_empty(),
        (Ty::Bool, Some(Value::Bool(b))) => !b,
        (Ty::Int, Some(Value::Number(n))) => n.as_i64() == Some(0),
        (Ty::Slice(_), Some(Value::Array(items))) => items.is_empty(),
        (Ty::Map(_), Some(Value::Object(map))) => map.is_empty(),
        (Ty::Ptr(_) | Ty::Raw, Some(_)) => false,
        // A value of the wrong type decodes to the zero value, which is empty.
        (_, Some(_)) => true,
    }
}

/// Go's zero test for `omitzero` (using `IsZero` where the type has one).
fn is_zero(ty: &Ty, value: Option<&Value>) -> bool {
    match (ty, value) {
        (_, None) => true,
        (Ty::Time, Some(Value::String(s))) => matches!(time(s), Ok(None) | Err(())),
        (Ty::Quantity, Some(v)) => {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => number_text(n),
                _ => return true,
            };
            quantity::semantic_key(&text).is_none_or(|k| k == "0")
        }
        (Ty::IntOrString, Some(Value::Number(n))) => n.as_i64() == Some(0),
        (Ty::IntOrString, Some(Value::String(_))) => false,
        (Ty::Struct(index), Some(Value::Object(map))) => struct_is_zero(*index, map),
        (Ty::Ptr(_) | Ty::Raw, Some(_)) => false,
        (Ty::Slice(_), Some(Value::Array(_))) | (Ty::Map(_), Some(Value::Object(_))) => false,
        (Ty::Str | Ty::Bool | Ty::Int, Some(_)) => is_empty(ty, value),
        (_, Some(_)) => true,
    }
}

fn struct_is_zero(index: u16, map: &Map<String, Value>) -> bool {
    go_struct(index).fields.iter().all(|field| match field.ty {
        Ty::Struct(inner) if field.flags & INL != 0 => struct_is_zero(inner, map),
        _ => is_zero(&field.ty, map.get(field.json).filter(|v| !v.is_null())),
    })
}
