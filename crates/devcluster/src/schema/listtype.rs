//! Checks the API server runs beside the OpenAPI validator: uniqueness in `x-kubernetes-list-type: set`
//! and `map` lists, and `apiVersion`/`kind` of nested `x-kubernetes-embedded-resource` objects.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Cause;
use super::gofmt::{GoVal, canonical_json};
use super::node::Node;
use super::report::reason;

/// Field paths as Kubernetes' `field.Path` prints them: `a.b`, `a[key]`, `a[0]`.
fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn key(path: &str, k: &str) -> String {
    format!("{path}[{k}]")
}

fn cause(reason: &'static str, field: String, message: String) -> Cause {
    Cause { reason, field, message }
}

/// Duplicate entries of set and map lists anywhere in `obj`.
pub(crate) fn check_lists(obj: &Value, s: Node<'_>) -> Vec<Cause> {
    let mut out = Vec::new();
    if let Value::Object(map) = obj {
        walk_object("", map, s, &mut out);
    }
    out
}

fn walk_object(path: &str, map: &Map<String, Value>, s: Node<'_>, out: &mut Vec<Cause>) {
    if let Some(extra) = s.additional_schema() {
        for (k, v) in map {
            walk(&key(path, k), v, extra, out);
        }
    }
    if let Some(props) = s.properties() {
        for (k, v) in map {
            if let Some(p) = props.get(k) {
                walk(&child(path, k), v, Node(p), out);
            }
        }
    }
}

fn walk(path: &str, v: &Value, s: Node<'_>, out: &mut Vec<Cause>) {
    match v {
        Value::Array(items) => {
            match s.str("x-kubernetes-list-type") {
                "set" => {
                    for i in duplicates(items.iter().map(Some)) {
                        let body = format!("Duplicate value: {}", GoVal::from_json(&items[i]).body());
                        out.push(cause(reason::DUPLICATE, format!("{path}[{i}]"), body));
                    }
                }
                "map" => check_map_list(path, items, s, out),
                _ => {}
            }
            if let Some(item_schema) = s.items() {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{path}[{i}]"), item, item_schema, out);
                }
            }
        }
        Value::Object(map) => walk_object(path, map, s, out),
        _ => {}
    }
}

/// Indices of the second occurrence of every repeated value (`None` is "no key").
fn duplicates<'a>(values: impl Iterator<Item = Option<&'a Value>>) -> Vec<usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut found = Vec::new();
    for (i, v) in values.enumerate() {
        let id = match v {
            None => "\u{0}unspecified".to_string(),
            Some(v @ (Value::Object(_) | Value::Array(_))) => format!("c{}", canonical_json(v)),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(int) => format!("i{int}"),
                None => format!("f{}", n.as_f64().unwrap_or(0.0)),
            },
            Some(Value::String(s)) => format!("s{s}"),
            Some(Value::Bool(b)) => format!("b{b}"),
            Some(Value::Null) => "n".to_string(),
        };
        let count = seen.entry(id).or_insert(0);
        *count += 1;
        if *count == 2 {
            found.push(i);
        }
    }
    found
}

fn check_map_list(path: &str, items: &[Value], s: Node<'_>, out: &mut Vec<Cause>) {
    for (i, x) in items.iter().enumerate() {
        if !x.is_null() && !x.is_object() {
            let body = format!(
                "Invalid value: {}: must be an object for an array of list-type map",
                GoVal::from_json(x).body()
            );
            out.push(cause(reason::INVALID, format!("{path}[{i}]"), body));
            return;
        }
    }
    if items.len() <= 1 {
        return;
    }
    let keys: Vec<&str> = s
        .list("x-kubernetes-list-map-keys")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if let [only] = keys.as_slice() {
        let values: Vec<Option<&Value>> = items.iter().map(|x| x.get(only)).collect();
        for i in duplicates(values.iter().copied()) {
            let mut shown = Map::new();
            if let Some(v) = values[i] {
                shown.insert((*only).to_string(), v.clone());
            }
            let body = format!("Duplicate value: {}", GoVal::Json(Value::Object(shown)).body());
            out.push(cause(reason::DUPLICATE, format!("{path}[{i}]"), body));
        }
        return;
    }
    let composite: Vec<Value> = items
        .iter()
        .map(|x| {
            let mut k = Map::new();
            for name in &keys {
                if let Some(v) = x.get(name) {
                    k.insert((*name).to_string(), v.clone());
                }
            }
            Value::Object(k)
        })
        .collect();
    for i in duplicates(composite.iter().map(Some)) {
        let body = format!("Duplicate value: {}", GoVal::Json(composite[i].clone()).body());
        out.push(cause(reason::DUPLICATE, format!("{path}[{i}]"), body));
    }
}

/// `apiVersion` and `kind` of objects nested under `x-kubernetes-embedded-resource` schemas (the
/// resource's own ones are checked by the server; embedded `metadata` is not checked here).
pub(crate) fn check_embedded(obj: &Value, s: Node<'_>) -> Vec<Cause> {
    let mut out = Vec::new();
    embedded_walk("", obj, s, &mut out);
    out
}

fn embedded_walk(path: &str, x: &Value, s: Node<'_>, out: &mut Vec<Cause>) {
    match x {
        Value::Object(map) => {
            if s.embedded() {
                embedded_resource(path, map, out);
            }
            for (k, v) in map {
                if let Some(p) = s.property(k) {
                    embedded_walk(&child(path, k), v, p, out);
                } else if let Some(extra) = s.additional_schema() {
                    embedded_walk(&key(path, k), v, extra, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.items() {
                for (i, v) in items.iter().enumerate() {
                    embedded_walk(&format!("{path}[{i}]"), v, item_schema, out);
                }
            }
        }
        _ => {}
    }
}

fn embedded_resource(path: &str, map: &Map<String, Value>, out: &mut Vec<Cause>) {
    let invalid = |field: &str, v: &GoVal, detail: &str| {
        cause(
            reason::INVALID,
            child(path, field),
            format!("Invalid value: {}: {detail}", v.body()),
        )
    };
    for field in ["apiVersion", "kind"] {
        if !map.contains_key(field) {
            out.push(cause(
                reason::REQUIRED,
                child(path, field),
                "Required value: must not be empty".to_string(),
            ));
        }
    }
    if let Some(v) = map.get("apiVersion") {
        match v.as_str() {
            None => out.push(invalid("apiVersion", &GoVal::from_json(v), "must be a string")),
            Some("") => out.push(invalid("apiVersion", &GoVal::Str(String::new()), "must not be empty")),
            Some(gv) if gv != "/" && gv.matches('/').count() > 1 => {
                let detail = format!("unexpected GroupVersion string: {gv}");
                out.push(invalid("apiVersion", &GoVal::Str(gv.to_string()), &detail));
            }
            Some(_) => {}
        }
    }
    if let Some(v) = map.get("kind") {
        match v.as_str() {
            None => out.push(invalid("kind", &GoVal::from_json(v), "must be a string")),
            Some("") => out.push(invalid("kind", &GoVal::Str(String::new()), "must not be empty")),
            Some(kind) => {
                let errs = dns1035_label(&kind.to_lowercase());
                if !errs.is_empty() {
                    let detail = format!("may have mixed case, but should otherwise match: {}", errs.join(","));
                    out.push(invalid("kind", &GoVal::Str(kind.to_string()), &detail));
                }
            }
        }
    }
}

fn dns1035_label(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let b = v.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.last().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !ok {
        errs.push(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic \
             character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for \
             validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
                .to_string(),
        );
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(c: Vec<Cause>) -> Vec<String> {
        c.into_iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn sets_and_maps() {
        let s = json!({"type": "object", "properties": {
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            "pairs": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["a", "b"],
                      "items": {"type": "object"}}}});
        let obj = json!({"tags": ["a", "b", "a", "a"], "ports": [{"name": "x"}, {"name": "y"}, {"name": "x"}],
                         "pairs": [{"a": 1, "b": 2}, {"a": 1, "b": 2, "c": 3}]});
        assert_eq!(
            texts(check_lists(&obj, Node(&s))),
            vec![
                "pairs[1]: Duplicate value: map[string]interface {}{\"a\":1, \"b\":2}",
                "ports[2]: Duplicate value: map[string]interface {}{\"name\":\"x\"}",
                "tags[2]: Duplicate value: \"a\"",
            ]
        );
        let bad = json!({"ports": ["x", {"name": "y"}]});
        assert_eq!(
            texts(check_lists(&bad, Node(&s))),
            vec!["ports[0]: Invalid value: \"x\": must be an object for an array of list-type map"]
        );
    }

    #[test]
    fn embedded_resources() {
        let s = json!({"type": "object", "properties": {"tpl": {"type": "object", "x-kubernetes-embedded-resource": true,
            "x-kubernetes-preserve-unknown-fields": true}}});
        assert!(check_embedded(&json!({"tpl": {"apiVersion": "v1", "kind": "Pod"}}), Node(&s)).is_empty());
        assert_eq!(
            texts(check_embedded(
                &json!({"tpl": {"apiVersion": "a/b/c", "kind": "Bad_Kind"}}),
                Node(&s)
            )),
            vec![
                "tpl.apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c".to_string(),
                format!(
                    "tpl.kind: Invalid value: \"Bad_Kind\": may have mixed case, but should otherwise match: {}",
                    dns1035_label("x_")[0]
                ),
            ]
        );
        assert_eq!(
            texts(check_embedded(&json!({"tpl": {}}), Node(&s))),
            vec![
                "tpl.apiVersion: Required value: must not be empty",
                "tpl.kind: Required value: must not be empty"
            ]
        );
    }
}
