//! What Go's checker knows about the type of a value (its "nature"), and its rules for combining them.

use expr::Value;

use super::super::value::MetricValue;
use super::go_format::go_type;

/// What Go's checker knows about a value's type (its "nature"), reduced to the types conditions meet.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ty {
    /// Nothing known.
    Unknown,
    /// `interface {}`: known to be anything.
    Any,
    /// The `nil` literal, or a nil `result`.
    Nil,
    Bool,
    /// An integer type: `int`, `int64`, `uint8`.
    Int(&'static str),
    Float,
    Str,
    /// A slice type (its Go name) and what its elements are known to be.
    Array(&'static str, Box<Ty>),
    /// A map type (its Go name), its key and its element.
    Map(&'static str, Box<Ty>, Box<Ty>),
    /// A function value (its Go type name).
    Func(&'static str),
    /// A predicate: its output (none when the body is `nil`) and the body's own type.
    Predicate(Option<Box<Ty>>, Box<Ty>),
}

/// The type classes Go's checker tests operands against.
#[derive(Clone, Copy)]
pub(super) enum Class {
    Bool,
    Str,
    Integer,
    Number,
    Map,
    Array,
}

pub(super) const ANY_ARRAY: &str = "[]interface {}";
pub(super) const ANY_MAP: &str = "map[string]interface {}";

impl Ty {
    /// How Go types the provider's value (its dynamic type, as the environment map holds it).
    pub(super) fn of_result(value: &MetricValue) -> Ty {
        match value {
            MetricValue::Null => Ty::Nil,
            MetricValue::Bool(_) => Ty::Bool,
            MetricValue::Number(_) => Ty::Float,
            MetricValue::String(_) => Ty::Str,
            MetricValue::Array(_) => Ty::any_array(Ty::Any),
            MetricValue::Object(_) => Ty::any_map(),
        }
    }

    pub(super) fn any_array(elem: Ty) -> Ty {
        Ty::Array(ANY_ARRAY, Box::new(elem))
    }

    pub(super) fn any_map() -> Ty {
        Ty::Map(ANY_MAP, Box::new(Ty::Str), Box::new(Ty::Any))
    }

    pub(super) fn int() -> Ty {
        Ty::Int("int")
    }

    pub(super) fn unknown(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Any)
    }

    pub(super) fn is_nil(&self) -> bool {
        matches!(self, Ty::Nil)
    }

    pub(super) fn is_number(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Float)
    }

    pub(super) fn is_integer(&self) -> bool {
        matches!(self, Ty::Int(_))
    }

    pub(super) fn is_bool(&self) -> bool {
        matches!(self, Ty::Bool)
    }

    pub(super) fn is_string(&self) -> bool {
        matches!(self, Ty::Str)
    }

    pub(super) fn is_array(&self) -> bool {
        matches!(self, Ty::Array(..))
    }

    pub(super) fn is_map(&self) -> bool {
        matches!(self, Ty::Map(..))
    }

    pub(super) fn is_func(&self) -> bool {
        matches!(self, Ty::Func(_) | Ty::Predicate(..))
    }

    fn is(&self, class: Class) -> bool {
        match class {
            Class::Bool => self.is_bool(),
            Class::Str => self.is_string(),
            Class::Integer => self.is_integer(),
            Class::Number => self.is_number(),
            Class::Map => self.is_map(),
            Class::Array => self.is_array(),
        }
    }

    pub(super) fn is_any_of(&self, classes: &[Class]) -> bool {
        classes.iter().any(|&c| self.is(c))
    }

    /// Go's `Nature.String()`.
    pub(super) fn name(&self) -> String {
        match self {
            Ty::Unknown | Ty::Nil => "unknown".to_string(),
            Ty::Any => "interface {}".to_string(),
            Ty::Bool => "bool".to_string(),
            Ty::Int(name) | Ty::Array(name, _) | Ty::Map(name, ..) | Ty::Func(name) => (*name).to_string(),
            Ty::Float => "float64".to_string(),
            Ty::Str => "string".to_string(),
            Ty::Predicate(Some(out), _) => format!("func(...interface {{}}) {}", out.name()),
            Ty::Predicate(None, _) => "func(...interface {})".to_string(),
        }
    }

    /// How Go prints the reflect type in builtin validation messages (`%s` of a `reflect.Type`).
    pub(super) fn reflect_name(&self) -> String {
        match self {
            Ty::Nil => "%!s(<nil>)".to_string(),
            t if t.unknown() => "interface {}".to_string(),
            t => t.name(),
        }
    }

    /// The element type of a slice or map.
    pub(super) fn elem(&self) -> Ty {
        match self {
            Ty::Array(_, elem) | Ty::Map(_, _, elem) => (**elem).clone(),
            _ => Ty::Unknown,
        }
    }

    pub(super) fn key(&self) -> Ty {
        match self {
            Ty::Map(_, key, _) => (**key).clone(),
            _ => Ty::Unknown,
        }
    }

    /// Go's `Nature.AssignableTo`.
    pub(super) fn assignable_to(&self, to: &Ty) -> bool {
        if self.is_nil() {
            return matches!(
                to,
                Ty::Any | Ty::Map(..) | Ty::Array(..) | Ty::Func(_) | Ty::Predicate(..)
            );
        }
        if matches!(self, Ty::Unknown | Ty::Nil) || matches!(to, Ty::Unknown | Ty::Nil) {
            return false;
        }
        matches!(to, Ty::Any)
            || (std::mem::discriminant(self) == std::mem::discriminant(to) && self.name() == to.name())
    }

    /// Go's `Nature.ComparableTo`.
    pub(super) fn comparable_to(&self, other: &Ty) -> bool {
        self.unknown()
            || other.unknown()
            || self.is_nil()
            || other.is_nil()
            || (self.is_number() && other.is_number())
            || (self.is_array() && other.is_array())
            || self.assignable_to(other)
    }

    /// Go's `Nature.MaybeCompatible`: at least one side unknown and the other unknown or of a class.
    pub(super) fn maybe_compatible(&self, other: &Ty, classes: &[Class]) -> bool {
        (self.unknown() && other.unknown())
            || (self.unknown() && other.is_any_of(classes))
            || (other.unknown() && self.is_any_of(classes))
    }

    /// Go's `PromoteNumericNature`.
    pub(super) fn promote(&self, other: &Ty) -> Ty {
        if self.unknown() || other.unknown() {
            Ty::Unknown
        } else if matches!(self, Ty::Float) || matches!(other, Ty::Float) {
            Ty::Float
        } else {
            Ty::int()
        }
    }

    /// Go's reflect kind, as the array literal check compares it.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Ty::Unknown | Ty::Nil => "invalid",
            Ty::Any => "interface",
            Ty::Bool => "bool",
            Ty::Int(name) => name,
            Ty::Float => "float64",
            Ty::Str => "string",
            Ty::Array(..) => "slice",
            Ty::Map(..) => "map",
            Ty::Func(_) | Ty::Predicate(..) => "func",
        }
    }

    /// The Go type name of a value the expression produced: its static type when that is concrete and
    /// of the same kind, else what the value is.
    pub(super) fn runtime_name(&self, value: &Value) -> String {
        let same_kind = matches!(
            (self, value),
            (Ty::Int(_), Value::Integer(_))
                | (Ty::Float, Value::Float(_))
                | (Ty::Str, Value::String(_))
                | (Ty::Array(..), Value::Array(_) | Value::Bytes(_))
                | (Ty::Map(..), Value::Map(_) | Value::KeyedMap(_))
        );
        if same_kind {
            self.name()
        } else {
            go_type(value).to_string()
        }
    }
}

/// An environment function: its Go type, parameters and result.
pub(super) fn env_function(name: &str) -> Option<(&'static str, Vec<Ty>, Ty)> {
    Some(match name {
        "asInt" => ("func(interface {}) int64", vec![Ty::Any], Ty::Int("int64")),
        "asFloat" => ("func(interface {}) float64", vec![Ty::Any], Ty::Float),
        "isNaN" | "isInf" => ("func(float64) bool", vec![Ty::Float], Ty::Bool),
        "isNil" => ("func(interface {}) bool", vec![Ty::Any], Ty::Bool),
        "default" => (
            "func(interface {}, interface {}) interface {}",
            vec![Ty::Any, Ty::Any],
            Ty::Any,
        ),
        _ => return None,
    })
}
