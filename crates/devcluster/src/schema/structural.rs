//! The structural-schema rules a CRD's `openAPIV3Schema` must satisfy (every node typed, value
//! validations free of structure, root `metadata` restricted to name and generateName, ...).

use serde_json::Value;

use super::gofmt::GoVal;
use super::node::{Additional, Node};
use super::regexes;
use super::report::{forbidden, invalid, required};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Root,
    Item,
    Field,
}

pub(crate) fn child(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

pub(crate) fn key(path: &str, k: &str) -> String {
    format!("{path}[{k}]")
}

pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// Why the schema cannot be read as a structural schema at all (unsupported keywords, an `items` array,
/// `x-kubernetes-preserve-unknown-fields: false`), if it cannot. The structural rules are then skipped.
pub(crate) fn unreadable(s: &Value) -> Option<String> {
    let n = Node(s);
    let map = s.as_object()?;
    let non_empty = |k: &str| match map.get(k) {
        None | Some(Value::Null) => false,
        Some(Value::String(v)) => !v.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    };
    for (k, name) in [
        ("id", "id"),
        ("$schema", "schema"),
        ("$ref", "$ref"),
        ("patternProperties", "patternProperties"),
        ("dependencies", "dependencies"),
        ("additionalItems", "additionalItems"),
        ("definitions", "definitions"),
    ] {
        if non_empty(k) || (k == "additionalItems" && map.get(k).is_some_and(|v| !v.is_null())) {
            return Some(format!("OpenAPIV3Schema '{name}' is not supported"));
        }
    }
    if map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(false)) {
        return Some("internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined".to_string());
    }
    if matches!(map.get("items"), Some(Value::Array(a)) if !a.is_empty()) {
        return Some("OpenAPIV3Schema 'items' must be a schema, but is an array".to_string());
    }
    let lists = ["allOf", "anyOf", "oneOf"].into_iter().flat_map(|k| n.list(k).iter());
    let singles = ["not", "items"]
        .into_iter()
        .filter_map(|k| map.get(k))
        .filter(|v| v.is_object());
    let props = n.properties().into_iter().flat_map(|p| p.values());
    let extra = map.get("additionalProperties").filter(|v| v.is_object());
    lists.chain(singles).chain(props).chain(extra).find_map(unreadable)
}

/// The structural rules, sorted as the API server sorts them.
pub(crate) fn check(s: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    invariants(Node(s), Level::Root, path, &mut out);
    completeness_vv(Node(s), Some(Node(s)), path, path, &mut out);
    out.sort();
    out
}

fn invariants(n: Node<'_>, lvl: Level, path: &str, out: &mut Vec<String>) {
    let ty = n.type_name();
    if ty == "array" && n.items().is_none() {
        out.push(required(&child(path, "items"), "must be specified"));
    }
    if let Some(items) = n.items() {
        invariants(items, Level::Item, &child(path, "items"), out);
    }
    if let Some(props) = n.properties() {
        for (k, v) in props {
            invariants(Node(v), Level::Field, &key(&child(path, "properties"), k), out);
        }
    }
    match n.additional() {
        Additional::Absent => {}
        extra => {
            if lvl == Level::Root {
                out.push(forbidden(
                    &child(path, "additionalProperties"),
                    "must not be used at the root",
                ));
            }
            if let Additional::Schema(ap) = extra {
                invariants(ap, Level::Field, &child(path, "additionalProperties"), out);
            }
        }
    }
    let (ios, preserve, embedded) = (n.int_or_string(), n.preserve_unknown(), n.embedded());
    if ios && preserve {
        let detail = "must be false if x-kubernetes-int-or-string is true";
        out.push(invalid(
            &child(path, "x-kubernetes-preserve-unknown-fields"),
            &GoVal::Bool(true),
            detail,
        ));
    }
    if ios && embedded {
        let detail = "must be false if x-kubernetes-int-or-string is true";
        out.push(invalid(
            &child(path, "x-kubernetes-embedded-resource"),
            &GoVal::Bool(true),
            detail,
        ));
    }
    value_validation(
        n,
        is_int_or_string_any_of(n),
        is_int_or_string_all_of(n),
        lvl,
        path,
        out,
    );

    let check_metadata = lvl == Level::Root || embedded;
    let type_path = child(path, "type");
    if embedded && ty != "object" {
        let detail = "must be object if x-kubernetes-embedded-resource is true";
        if ty.is_empty() {
            out.push(required(&type_path, detail));
        } else {
            out.push(invalid(&type_path, &GoVal::Str(ty.to_string()), detail));
        }
    } else if ty.is_empty() && !ios && !preserve {
        out.push(required(
            &type_path,
            match lvl {
                Level::Root => "must not be empty at the root",
                Level::Item => "must not be empty for specified array items",
                Level::Field => "must not be empty for specified object fields",
            },
        ));
    }
    if embedded && !matches!(n.additional(), Additional::Absent) {
        let detail = "must not be used if x-kubernetes-embedded-resource is set";
        out.push(forbidden(&child(path, "additionalProperties"), detail));
    }
    if lvl == Level::Root && !ty.is_empty() && ty != "object" {
        out.push(invalid(
            &type_path,
            &GoVal::Str(ty.to_string()),
            "must be object at the root",
        ));
    }
    let props_path = child(path, "properties");
    for name in ["kind", "apiVersion"] {
        if let Some(p) = n.property(name)
            && check_metadata
            && p.type_name() != "string"
        {
            let field = child(&key(&props_path, name), "type");
            out.push(invalid(
                &field,
                &GoVal::Str(p.type_name().to_string()),
                "must be string",
            ));
        }
    }
    if let Some(meta) = n.property("metadata") {
        metadata_invariants(meta, check_metadata, lvl, &key(&props_path, "metadata"), out);
    }
    if embedded && !preserve && n.properties().is_none_or(serde_json::Map::is_empty) {
        let detail =
            "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields";
        out.push(required(&props_path, detail));
    }
}

/// Keywords of a structural node that the root `metadata` schema may not carry.
const STRUCTURAL_KEYS: [&str; 35] = [
    "items",
    "properties",
    "additionalProperties",
    "title",
    "description",
    "nullable",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
    "format",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "enum",
    "maxProperties",
    "minProperties",
    "required",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "type",
    "default",
];

fn metadata_invariants(m: Node<'_>, check_metadata: bool, lvl: Level, path: &str, out: &mut Vec<String>) {
    let ty = m.type_name();
    if check_metadata && ty != "object" {
        out.push(invalid(
            &child(path, "type"),
            &GoVal::Str(ty.to_string()),
            "must be object",
        ));
    }
    if lvl != Level::Root {
        return;
    }
    let names_only = m.properties().is_some_and(|p| {
        let (name, generate) = (p.contains_key("name"), p.contains_key("generateName"));
        (name && generate && p.len() == 2) || ((name || generate) && p.len() == 1)
    });
    let Some(map) = m.0.as_object() else {
        return;
    };
    let specified = map.iter().any(|(k, v)| {
        if !STRUCTURAL_KEYS.contains(&k.as_str()) || k == "type" || k == "default" {
            return false;
        }
        if k == "properties" && names_only {
            return false;
        }
        match v {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty() || k.starts_with("x-kubernetes-"),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !(o.is_empty() && k == "properties"),
            _ => true,
        }
    });
    if specified {
        let detail = "must not specify anything other than name and generateName, but metadata is implicitly specified";
        out.push(forbidden(path, detail));
    }
}

fn is_int_or_string_pair(list: &[Value]) -> bool {
    let only_type = |v: &Value, t: &str| {
        v.as_object()
            .is_some_and(|o| o.len() == 1 && o.get("type").and_then(Value::as_str) == Some(t))
    };
    list.len() == 2 && only_type(&list[0], "integer") && only_type(&list[1], "string")
}

fn is_int_or_string_any_of(n: Node<'_>) -> bool {
    is_int_or_string_pair(n.list("anyOf"))
}

fn is_int_or_string_all_of(n: Node<'_>) -> bool {
    n.list("allOf")
        .first()
        .is_some_and(|first| is_int_or_string_pair(Node(first).list("anyOf")))
}

fn value_validation(v: Node<'_>, skip_any_of: bool, skip_first: bool, lvl: Level, path: &str, out: &mut Vec<String>) {
    if !skip_any_of {
        for (i, a) in v.list("anyOf").iter().enumerate() {
            nested(Node(a), false, lvl, &index(&child(path, "anyOf"), i), out);
        }
    }
    for (i, a) in v.list("allOf").iter().enumerate() {
        nested(
            Node(a),
            skip_first && i == 0,
            lvl,
            &index(&child(path, "allOf"), i),
            out,
        );
    }
    for (i, a) in v.list("oneOf").iter().enumerate() {
        nested(Node(a), false, lvl, &index(&child(path, "oneOf"), i), out);
    }
    if let Some(not) = v.get("not").filter(|x| x.is_object()) {
        nested(Node(not), false, lvl, &child(path, "not"), out);
    }
    let pattern = v.str("pattern");
    if !pattern.is_empty()
        && let Err(e) = regexes::compiled(pattern)
    {
        let detail = format!("must be a valid regular expression, but isn't: {e}");
        out.push(invalid(
            &child(path, "pattern"),
            &GoVal::Str(pattern.to_string()),
            &detail,
        ));
    }
}

/// A schema inside `allOf`/`anyOf`/`oneOf`/`not`: value validations only.
fn nested(v: Node<'_>, skip_any_of: bool, lvl: Level, path: &str, out: &mut Vec<String>) {
    value_validation(v, skip_any_of, false, lvl, path, out);
    if let Some(items) = v.items() {
        nested(items, false, lvl, &child(path, "items"), out);
    }
    if let Some(props) = v.properties() {
        for (k, p) in props {
            nested(Node(p), false, Level::Field, &key(&child(path, "properties"), k), out);
        }
    }
    let f = |name: &str, detail: &str, out: &mut Vec<String>| out.push(forbidden(&child(path, name), detail));
    if !v.type_name().is_empty() {
        f("type", "must be empty to be structural", out);
    }
    if matches!(v.additional(), Additional::Schema(_) | Additional::Bool(true)) {
        f("additionalProperties", "must be undefined to be structural", out);
    }
    if v.default_value().is_some() {
        f("default", "must be undefined to be structural", out);
    }
    for name in ["title", "description"] {
        if !v.str(name).is_empty() {
            f(name, "must be empty to be structural", out);
        }
    }
    if v.nullable() {
        f("nullable", "must be false to be structural", out);
    }
    for name in [
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
        "x-kubernetes-int-or-string",
    ] {
        if v.flag(name) {
            f(name, "must be false to be structural", out);
        }
    }
    if !v.list("x-kubernetes-list-map-keys").is_empty() {
        f("x-kubernetes-list-map-keys", "must be empty to be structural", out);
    }
    for name in ["x-kubernetes-list-type", "x-kubernetes-map-type"] {
        if v.get(name).is_some_and(|x| !x.is_null()) {
            f(name, "must be undefined to be structural", out);
        }
    }
    if !v.list("x-kubernetes-validations").is_empty() {
        f("x-kubernetes-validations", "must be empty to be structural", out);
    }
    if v.property("metadata").is_some() {
        let field = key(&child(path, "properties"), "metadata");
        out.push(forbidden(&field, "must not be specified in a nested context"));
    }
}

/// Every property and item constrained by the root's value validations must be specified structurally.
fn completeness_vv(v: Node<'_>, s: Option<Node<'_>>, s_path: &str, v_path: &str, out: &mut Vec<String>) {
    let Some(s) = s else {
        out.push(required(s_path, &format!("because it is defined in {v_path}")));
        return;
    };
    if let Some(not) = v.get("not").filter(|x| x.is_object()) {
        completeness_nested(Node(not), Some(s), s_path, &child(v_path, "not"), out);
    }
    for name in ["allOf", "anyOf", "oneOf"] {
        for (i, a) in v.list(name).iter().enumerate() {
            completeness_nested(Node(a), Some(s), s_path, &index(&child(v_path, name), i), out);
        }
    }
}

fn completeness_nested(v: Node<'_>, s: Option<Node<'_>>, s_path: &str, v_path: &str, out: &mut Vec<String>) {
    let Some(s) = s else {
        out.push(required(s_path, &format!("because it is defined in {v_path}")));
        return;
    };
    completeness_vv(v, Some(s), s_path, v_path, out);
    if let Some(items) = v.items() {
        completeness_nested(items, s.items(), &child(s_path, "items"), &child(v_path, "items"), out);
    }
    if let Some(props) = v.properties() {
        for (k, p) in props {
            let sp = key(&child(s_path, "properties"), k);
            let vp = key(&child(v_path, "properties"), k);
            match s.property(k) {
                Some(sf) => completeness_nested(Node(p), Some(sf), &sp, &vp, out),
                None => out.push(required(&sp, &format!("because it is defined in {vp}"))),
            }
        }
    }
}
