//! Read-only accessors over one node of an `openAPIV3Schema`, tolerant of malformed keywords, so that the
//! walkers never need to clone or re-parse the (often very large) schema.

use serde_json::{Map, Value};

/// Keys an embedded resource (and the resource root) keeps out of pruning and schema rules.
pub(crate) const META_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// Whether `key` is one of `apiVersion`, `kind`, `metadata`.
pub(crate) fn is_meta_field(key: &str) -> bool {
    META_FIELDS.contains(&key)
}

/// What `additionalProperties` says about keys not listed in `properties`.
#[derive(Clone, Copy)]
pub(crate) enum Additional<'a> {
    /// Not specified.
    Absent,
    /// `true` or `false`.
    Bool(bool),
    /// A schema for every other value.
    Schema(Node<'a>),
}

/// One schema node.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a>(pub(crate) &'a Value);

impl<'a> Node<'a> {
    pub(crate) fn get(self, key: &str) -> Option<&'a Value> {
        self.0.as_object()?.get(key)
    }

    pub(crate) fn str(self, key: &str) -> &'a str {
        self.get(key).and_then(Value::as_str).unwrap_or("")
    }

    pub(crate) fn flag(self, key: &str) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    pub(crate) fn f64(self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }

    /// An integer keyword such as `maxLength` (a float like `5.0` counts as 5).
    pub(crate) fn i64(self, key: &str) -> Option<i64> {
        let v = self.get(key)?;
        v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
    }

    pub(crate) fn list(self, key: &str) -> &'a [Value] {
        self.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
    }

    /// The `type` keyword ("" when absent).
    pub(crate) fn type_name(self) -> &'a str {
        self.str("type")
    }

    pub(crate) fn int_or_string(self) -> bool {
        self.flag("x-kubernetes-int-or-string")
    }

    pub(crate) fn preserve_unknown(self) -> bool {
        self.flag("x-kubernetes-preserve-unknown-fields")
    }

    pub(crate) fn embedded(self) -> bool {
        self.flag("x-kubernetes-embedded-resource")
    }

    pub(crate) fn nullable(self) -> bool {
        self.flag("nullable")
    }

    pub(crate) fn properties(self) -> Option<&'a Map<String, Value>> {
        self.get("properties").and_then(Value::as_object)
    }

    pub(crate) fn property(self, key: &str) -> Option<Node<'a>> {
        self.properties()?.get(key).map(Node)
    }

    /// The single `items` schema (an array of schemas is not supported by Kubernetes).
    pub(crate) fn items(self) -> Option<Node<'a>> {
        self.get("items").filter(|v| v.is_object()).map(Node)
    }

    pub(crate) fn additional(self) -> Additional<'a> {
        match self.get("additionalProperties") {
            Some(Value::Bool(b)) => Additional::Bool(*b),
            Some(v @ Value::Object(_)) => Additional::Schema(Node(v)),
            _ => Additional::Absent,
        }
    }

    /// The schema of the additional properties, when it is a schema.
    pub(crate) fn additional_schema(self) -> Option<Node<'a>> {
        match self.additional() {
            Additional::Schema(n) => Some(n),
            _ => None,
        }
    }

    /// The `default` value; a `null` default counts as none, as in Kubernetes.
    pub(crate) fn default_value(self) -> Option<&'a Value> {
        self.get("default").filter(|v| !v.is_null())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accessors_tolerate_odd_shapes() {
        let s = json!({"type": 5, "items": [], "additionalProperties": true, "maxLength": 3.0, "default": null});
        let n = Node(&s);
        assert_eq!(n.type_name(), "");
        assert!(n.items().is_none());
        assert!(matches!(n.additional(), Additional::Bool(true)));
        assert_eq!(n.i64("maxLength"), Some(3));
        assert!(n.default_value().is_none());
        assert!(Node(&json!("x")).properties().is_none());
    }
}
