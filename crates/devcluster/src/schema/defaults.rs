//! Defaulting: schema `default`s fill absent fields (and `null`s of non-nullable fields), as the API
//! server does when it decodes a request or reads an object from storage.

use serde_json::Value;

use super::node::{Additional, Node};
use super::prune::{Tracker, prune_unknown};

/// A copy of `node`'s default, pruned against the node as the server prunes defaults when it loads a CRD.
fn default_copy(node: Node<'_>) -> Value {
    let mut v = node.default_value().cloned().unwrap_or(Value::Null);
    prune_unknown(&mut v, Some(node), node.embedded(), &mut Tracker::new(false));
    v
}

/// Applies the defaults of schema `s` to `x`, recursively.
pub(crate) fn default_value(x: &mut Value, s: Node<'_>) {
    match x {
        Value::Object(map) => {
            if let Some(props) = s.properties() {
                for (k, prop) in props {
                    let prop = Node(prop);
                    if prop.default_value().is_none() {
                        continue;
                    }
                    let missing = match map.get(k) {
                        None => true,
                        Some(Value::Null) => !prop.nullable(),
                        Some(_) => false,
                    };
                    if missing {
                        map.insert(k.clone(), default_copy(prop));
                    }
                }
            }
            for (k, v) in map.iter_mut() {
                if let Some(p) = s.property(k) {
                    default_value(v, p);
                } else if let Additional::Schema(extra) = s.additional() {
                    if v.is_null() && !extra.nullable() {
                        *v = default_copy(extra);
                    }
                    default_value(v, extra);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.items() {
                for v in items.iter_mut() {
                    if v.is_null() && !item_schema.nullable() {
                        *v = default_copy(item_schema);
                    }
                    default_value(v, item_schema);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fills_absent_and_null_fields_recursively() {
        let s = json!({"type": "object", "properties": {
            "interval": {"type": "string", "default": "5m"},
            "nullableOne": {"type": "string", "nullable": true, "default": "d"},
            "obj": {"type": "object", "default": {"a": 1, "junk": 2}, "properties": {
                "a": {"type": "integer"}, "b": {"type": "string", "default": "bee"}}},
            "list": {"type": "array", "items": {"type": "object", "properties": {"p": {"type": "integer", "default": 80}}}},
            "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "x": {"type": "boolean", "default": true}}}}}});
        let mut obj = json!({"nullableOne": null, "list": [{}, {"p": 1}, null], "map": {"k": {}}});
        default_value(&mut obj, Node(&s));
        assert_eq!(
            obj,
            json!({"interval": "5m", "nullableOne": null, "obj": {"a": 1, "b": "bee"},
                   "list": [{"p": 80}, {"p": 1}, null], "map": {"k": {"x": true}}})
        );
        let mut explicit = json!({"interval": null});
        default_value(&mut explicit, Node(&s));
        assert_eq!(explicit["interval"], json!("5m"));
    }
}
