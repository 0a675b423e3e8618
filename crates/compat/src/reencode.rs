//! Fields lost on re-encoding: what a decoder for a typed (or schema-pruned) form drops from an object, found
//! by comparing the object sent with the object kept. Kubernetes reports these as unknown fields.

use serde_json::Value;

/// A field of the original object that the kept object does not have.
#[derive(Debug, Clone, PartialEq)]
pub struct LostField<'a> {
    /// Dotted path of the object holding the field (`spec.containers[0]`; empty at the top).
    pub parent: String,
    /// The field's name.
    pub name: &'a str,
    /// The value it had.
    pub value: &'a Value,
}

impl LostField<'_> {
    /// Dotted path of the field itself (`spec.containers[0].bogus`).
    pub fn path(&self) -> String {
        if self.parent.is_empty() {
            self.name.to_string()
        } else {
            format!("{}.{}", self.parent, self.name)
        }
    }
}

/// Every field of `original` missing from `kept`, in the order of `original`'s maps. Objects are compared
/// key by key and arrays element by element; a field kept with another type is not looked into.
pub fn lost_fields<'a>(original: &'a Value, kept: &Value) -> Vec<LostField<'a>> {
    let mut out = Vec::new();
    walk(original, kept, &mut String::new(), &mut out);
    out
}

/// Walks `original` beside `kept`; `path` is where both stand, restored before returning.
fn walk<'a>(original: &'a Value, kept: &Value, path: &mut String, out: &mut Vec<LostField<'a>>) {
    let len = path.len();
    match (original, kept) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, sub) in a {
                match b.get(key) {
                    Some(kept) => {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(key);
                        walk(sub, kept, path, out);
                        path.truncate(len);
                    }
                    None => out.push(LostField {
                        parent: path.clone(),
                        name: key,
                        value: sub,
                    }),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push_str(&format!("[{i}]"));
                walk(x, y, path, out);
                path.truncate(len);
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
    fn lost_fields_are_named_by_place_and_path() {
        let sent = json!({"kind": "Pod", "bogus": 1, "spec": {"containers": [{"name": "c", "extra": null}], "nope": {}},
            "items": [{"a": 1}, {"a": 2, "b": 3}], "typed": {"x": 1}});
        let kept = json!({"kind": "Pod", "spec": {"containers": [{"name": "c"}]}, "items": [{"a": 1}, {"a": 2}],
            "typed": "changed"});
        let lost = lost_fields(&sent, &kept);
        let found: Vec<(&str, &str, String, &Value)> = lost
            .iter()
            .map(|l| (l.parent.as_str(), l.name, l.path(), l.value))
            .collect();
        assert_eq!(
            found,
            [
                ("", "bogus", "bogus".to_string(), &json!(1)),
                ("items[1]", "b", "items[1].b".to_string(), &json!(3)),
                (
                    "spec.containers[0]",
                    "extra",
                    "spec.containers[0].extra".to_string(),
                    &Value::Null
                ),
                ("spec", "nope", "spec.nope".to_string(), &json!({})),
            ]
        );
        assert!(lost_fields(&sent, &sent).is_empty());
        // A top-level array is a path from an index.
        let sent = json!([{"a": 1}]);
        assert_eq!(lost_fields(&sent, &json!([{}]))[0].path(), "[0].a");
    }
}
