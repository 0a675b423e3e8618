//! RFC 6902 JSON patch, the format of `kubectl patch --type json` and of many controllers.

use serde_json::{Map, Value};

use super::pointer::{self, array_index};
use super::{PatchError, json_eq};

/// Applies an RFC 6902 JSON patch (an array of operations) to a copy of `target`.
///
/// Supports `add`, `remove`, `replace`, `move`, `copy` and `test`, JSON pointers with `~0`/`~1`
/// escapes and `-` for appending to an array. The patch is atomic: on error nothing is
/// returned but the error, and `target` is never modified. As in Kubernetes, `test` with a
/// `null` value also succeeds when the path does not exist.
pub fn json_patch(target: &Value, ops: &Value) -> Result<Value, PatchError> {
    let Value::Array(ops) = ops else {
        return Err(PatchError::invalid("a JSON patch must be a JSON array of operations"));
    };
    let mut doc = target.clone();
    for (index, op) in ops.iter().enumerate() {
        apply_op(&mut doc, index, op)?;
    }
    Ok(doc)
}

/// One decoded operation.
struct Op<'a> {
    index: usize,
    name: &'a str,
    path: &'a str,
    tokens: Vec<String>,
}

impl Op<'_> {
    fn fail(&self, reason: &str) -> PatchError {
        self.fail_at(reason, self.path)
    }

    fn fail_at(&self, reason: &str, path: &str) -> PatchError {
        PatchError::OperationFailed {
            index: self.index,
            op: self.name.to_string(),
            path: path.to_string(),
            reason: reason.to_string(),
        }
    }
}

fn apply_op(doc: &mut Value, index: usize, raw: &Value) -> Result<(), PatchError> {
    let Value::Object(fields) = raw else {
        return Err(PatchError::invalid(format!(
            "JSON patch operation {index} is not an object"
        )));
    };
    let name = string_member(fields, "op", index)?;
    let path = string_member(fields, "path", index)?;
    let tokens = pointer::parse(path).map_err(|e| PatchError::invalid(format!("operation {index}: {e}")))?;
    let op = Op {
        index,
        name,
        path,
        tokens,
    };
    match name {
        "add" => {
            let value = value_member(fields, index)?.clone();
            add(doc, &op.tokens, value).map_err(|reason| op.fail(reason))
        }
        "remove" => remove(doc, &op.tokens).map(drop).map_err(|reason| op.fail(reason)),
        "replace" => {
            let value = value_member(fields, index)?.clone();
            let slot = target_mut(doc, &op.tokens).map_err(|reason| op.fail(reason))?;
            *slot = value;
            Ok(())
        }
        "move" => {
            let from = string_member(fields, "from", index)?;
            let from_tokens =
                pointer::parse(from).map_err(|e| PatchError::invalid(format!("operation {index}: {e}")))?;
            if op.tokens.len() > from_tokens.len() && op.tokens.starts_with(&from_tokens) {
                return Err(op.fail("a value cannot be moved into one of its children"));
            }
            if from_tokens == op.tokens {
                return pointer::get(doc, &from_tokens)
                    .map(drop)
                    .ok_or_else(|| op.fail_at("doc is missing from path", from));
            }
            let value = remove(doc, &from_tokens).map_err(|_| op.fail_at("doc is missing from path", from))?;
            add(doc, &op.tokens, value).map_err(|reason| op.fail(reason))
        }
        "copy" => {
            let from = string_member(fields, "from", index)?;
            let from_tokens =
                pointer::parse(from).map_err(|e| PatchError::invalid(format!("operation {index}: {e}")))?;
            let value = pointer::get(doc, &from_tokens)
                .cloned()
                .ok_or_else(|| op.fail_at("doc is missing from path", from))?;
            add(doc, &op.tokens, value).map_err(|reason| op.fail(reason))
        }
        "test" => {
            let expected = value_member(fields, index)?;
            let passed = match pointer::get(doc, &op.tokens) {
                Some(actual) => json_eq(actual, expected),
                None => expected.is_null(),
            };
            if passed {
                Ok(())
            } else {
                Err(PatchError::TestFailed {
                    index,
                    path: path.to_string(),
                })
            }
        }
        other => Err(PatchError::invalid(format!(
            "unexpected kind of JSON patch operation {index}: {other:?}"
        ))),
    }
}

fn string_member<'a>(fields: &'a Map<String, Value>, key: &str, index: usize) -> Result<&'a str, PatchError> {
    match fields.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(PatchError::invalid(format!(
            "JSON patch operation {index}: {key:?} must be a string"
        ))),
        None => Err(PatchError::invalid(format!(
            "JSON patch operation {index} is missing {key:?}"
        ))),
    }
}

fn value_member(fields: &Map<String, Value>, index: usize) -> Result<&Value, PatchError> {
    fields
        .get("value")
        .ok_or_else(|| PatchError::invalid(format!("JSON patch operation {index} is missing \"value\"")))
}

fn add(doc: &mut Value, tokens: &[String], value: Value) -> Result<(), &'static str> {
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    match pointer::get_mut(doc, parents).ok_or("doc is missing path")? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let i = array_index(last).ok_or("invalid array index")?;
            if i > items.len() {
                return Err("index out of bounds");
            }
            items.insert(i, value);
            Ok(())
        }
        _ => Err("doc is missing path"),
    }
}

fn remove(doc: &mut Value, tokens: &[String]) -> Result<Value, &'static str> {
    let Some((last, parents)) = tokens.split_last() else {
        return Err("the whole document cannot be removed");
    };
    match pointer::get_mut(doc, parents).ok_or("doc is missing path")? {
        Value::Object(map) => map.remove(last).ok_or("doc is missing key"),
        Value::Array(items) => match array_index(last) {
            Some(i) if i < items.len() => Ok(items.remove(i)),
            _ => Err("doc is missing index"),
        },
        _ => Err("doc is missing path"),
    }
}

fn target_mut<'a>(doc: &'a mut Value, tokens: &[String]) -> Result<&'a mut Value, &'static str> {
    let Some((last, parents)) = tokens.split_last() else {
        return Ok(doc);
    };
    match pointer::get_mut(doc, parents).ok_or("doc is missing path")? {
        Value::Object(map) => map.get_mut(last).ok_or("doc is missing key"),
        Value::Array(items) => array_index(last)
            .and_then(|i| items.get_mut(i))
            .ok_or("doc is missing index"),
        _ => Err("doc is missing path"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(doc: Value, ops: Value) -> Value {
        json_patch(&doc, &ops).unwrap()
    }

    /// RFC 6902 appendix A, the examples that apply cleanly.
    #[test]
    fn rfc6902_appendix_a_successes() {
        let cases = [
            // A.1 adding an object member
            (
                json!({"foo": "bar"}),
                json!([{"op": "add", "path": "/baz", "value": "qux"}]),
                json!({"baz": "qux", "foo": "bar"}),
            ),
            // A.2 adding an array element
            (
                json!({"foo": ["bar", "baz"]}),
                json!([{"op": "add", "path": "/foo/1", "value": "qux"}]),
                json!({"foo": ["bar", "qux", "baz"]}),
            ),
            // A.3 removing an object member
            (
                json!({"baz": "qux", "foo": "bar"}),
                json!([{"op": "remove", "path": "/baz"}]),
                json!({"foo": "bar"}),
            ),
            // A.4 removing an array element
            (
                json!({"foo": ["bar", "qux", "baz"]}),
                json!([{"op": "remove", "path": "/foo/1"}]),
                json!({"foo": ["bar", "baz"]}),
            ),
            // A.5 replacing a value
            (
                json!({"baz": "qux", "foo": "bar"}),
                json!([{"op": "replace", "path": "/baz", "value": "boo"}]),
                json!({"baz": "boo", "foo": "bar"}),
            ),
            // A.6 moving a value
            (
                json!({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}}),
                json!([{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]),
                json!({"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
            ),
            // A.7 moving an array element
            (
                json!({"foo": ["all", "grass", "cows", "eat"]}),
                json!([{"op": "move", "from": "/foo/1", "path": "/foo/3"}]),
                json!({"foo": ["all", "cows", "eat", "grass"]}),
            ),
            // A.8 testing a value: success
            (
                json!({"baz": "qux", "foo": ["a", 2, "c"]}),
                json!([{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}]),
                json!({"baz": "qux", "foo": ["a", 2, "c"]}),
            ),
            // A.10 adding a nested member object
            (
                json!({"foo": "bar"}),
                json!([{"op": "add", "path": "/child", "value": {"grandchild": {}}}]),
                json!({"foo": "bar", "child": {"grandchild": {}}}),
            ),
            // A.11 ignoring unrecognized elements
            (
                json!({"foo": "bar"}),
                json!([{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}]),
                json!({"foo": "bar", "baz": "qux"}),
            ),
            // A.14 ~ escape ordering
            (
                json!({"/": 9, "~1": 10}),
                json!([{"op": "test", "path": "/~01", "value": 10}]),
                json!({"/": 9, "~1": 10}),
            ),
            // A.16 adding an array value
            (
                json!({"foo": ["bar"]}),
                json!([{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}]),
                json!({"foo": ["bar", ["abc", "def"]]}),
            ),
        ];
        for (doc, ops, expected) in cases {
            assert_eq!(ok(doc.clone(), ops.clone()), expected, "doc {doc} ops {ops}");
        }
    }

    #[test]
    fn rfc6902_a9_test_failure() {
        let err = json_patch(
            &json!({"baz": "qux"}),
            &json!([{"op": "test", "path": "/baz", "value": "bar"}]),
        );
        assert_eq!(
            err,
            Err(PatchError::TestFailed {
                index: 0,
                path: "/baz".into()
            })
        );
        assert_eq!(err.unwrap_err().to_string(), "testing value /baz failed (operation 0)");
    }

    #[test]
    fn rfc6902_a12_add_to_missing_parent() {
        let err = json_patch(
            &json!({"foo": "bar"}),
            &json!([{"op": "add", "path": "/baz/bat", "value": "qux"}]),
        );
        assert!(
            matches!(err, Err(PatchError::OperationFailed { index: 0, ref op, .. }) if op == "add"),
            "{err:?}"
        );
    }

    #[test]
    fn rfc6902_a15_strings_are_not_numbers() {
        let err = json_patch(
            &json!({"/": 9, "~1": 10}),
            &json!([{"op": "test", "path": "/~01", "value": "10"}]),
        );
        assert!(matches!(err, Err(PatchError::TestFailed { .. })));
    }

    #[test]
    fn numbers_compare_numerically() {
        ok(json!({"a": 1}), json!([{"op": "test", "path": "/a", "value": 1.0}]));
    }

    #[test]
    fn replace_missing_key_message() {
        let err = json_patch(
            &json!({"spec": {}}),
            &json!([{"op": "replace", "path": "/spec/foo", "value": 1}]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "jsonpatch replace operation does not apply: doc is missing key: /spec/foo (operation 0)"
        );
    }

    #[test]
    fn atomic_on_failure() {
        let doc = json!({"spec": {"replicas": 1}});
        let ops = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "remove", "path": "/spec/missing"}
        ]);
        let err = json_patch(&doc, &ops).unwrap_err();
        assert!(matches!(err, PatchError::OperationFailed { index: 1, .. }), "{err:?}");
        assert_eq!(doc, json!({"spec": {"replicas": 1}}));
    }

    #[test]
    fn whole_document_operations() {
        assert_eq!(
            ok(json!({"a": 1}), json!([{"op": "replace", "path": "", "value": [1]}])),
            json!([1])
        );
        assert_eq!(
            ok(json!({"a": 1}), json!([{"op": "add", "path": "", "value": {"b": 2}}])),
            json!({"b": 2})
        );
        assert!(json_patch(&json!({"a": 1}), &json!([{"op": "remove", "path": ""}])).is_err());
    }

    #[test]
    fn copy_and_move_edge_cases() {
        let doc = json!({"a": {"b": [1, 2]}});
        assert_eq!(
            ok(doc.clone(), json!([{"op": "copy", "from": "/a/b", "path": "/c"}])),
            json!({"a": {"b": [1, 2]}, "c": [1, 2]})
        );
        assert_eq!(
            ok(doc.clone(), json!([{"op": "move", "from": "/a", "path": "/a"}])),
            doc
        );
        assert!(json_patch(&doc, &json!([{"op": "move", "from": "/a", "path": "/a/b/c"}])).is_err());
        assert!(json_patch(&doc, &json!([{"op": "copy", "from": "/x", "path": "/c"}])).is_err());
    }

    #[test]
    fn array_index_rules() {
        let doc = json!({"l": [1, 2]});
        assert_eq!(
            ok(doc.clone(), json!([{"op": "add", "path": "/l/2", "value": 3}])),
            json!({"l": [1, 2, 3]})
        );
        assert!(json_patch(&doc, &json!([{"op": "add", "path": "/l/3", "value": 3}])).is_err());
        assert!(json_patch(&doc, &json!([{"op": "add", "path": "/l/01", "value": 3}])).is_err());
        assert!(json_patch(&doc, &json!([{"op": "remove", "path": "/l/-"}])).is_err());
        assert!(json_patch(&doc, &json!([{"op": "replace", "path": "/l/2", "value": 0}])).is_err());
    }

    #[test]
    fn malformed_operations() {
        let doc = json!({});
        for ops in [
            json!({"op": "add"}),
            json!([1]),
            json!([{"op": "frobnicate", "path": "/a"}]),
            json!([{"path": "/a"}]),
            json!([{"op": "add", "path": "/a"}]),
            json!([{"op": "add", "path": "a", "value": 1}]),
            json!([{"op": "move", "path": "/a"}]),
        ] {
            assert!(matches!(json_patch(&doc, &ops), Err(PatchError::Invalid(_))), "{ops}");
        }
    }

    #[test]
    fn test_null_against_missing_passes() {
        ok(json!({}), json!([{"op": "test", "path": "/missing", "value": null}]));
    }
}
