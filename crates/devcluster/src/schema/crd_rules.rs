//! Per-keyword rules the API server applies to a CRD's `openAPIV3Schema` (unsupported keywords, list and
//! map types, defaults in metadata, ...) and the check that every `default` validates against its schema.

use serde_json::Value;

use super::gofmt::GoVal;
use super::node::{Node, is_meta_field};
use super::prune::{Tracker, prune_unknown};
use super::report::{forbidden, invalid, not_supported, required};
use super::structural::{child, index, key};
use super::validate::{Mode, validate_value};

const TYPES: [&str; 6] = ["array", "boolean", "integer", "number", "object", "string"];

/// Context of the node being checked.
#[derive(Clone)]
struct Ctx {
    /// Why defaults are not allowed here (`None`: allowed).
    no_defaults: Option<String>,
    inside_resource_meta: bool,
}

/// Runs the per-keyword rules on `s` and everything below it.
pub(crate) fn check(s: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ctx = Ctx {
        no_defaults: None,
        inside_resource_meta: false,
    };
    schema_rules(Node(s), path, &ctx, true, &mut out);
    out
}

fn standard(n: Node<'_>, path: &str, ctx: &Ctx, out: &mut Vec<String>) {
    let ty = n.type_name();
    if !ty.is_empty() && !TYPES.contains(&ty) {
        out.push(not_supported(&child(path, "type"), &GoVal::Str(ty.to_string()), &TYPES));
    }
    if n.get("type").is_some_and(|t| !t.is_string()) {
        out.push(invalid(
            &child(path, "type"),
            &GoVal::from_json(n.get("type").unwrap_or(&Value::Null)),
            "must be a string",
        ));
    }
    if let (Some(_), Some(reason)) = (n.default_value(), &ctx.no_defaults) {
        out.push(forbidden(&child(path, "default"), &format!("must not be set {reason}")));
    }
    let present = |k: &str| match n.get(k) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    };
    for (k, detail) in [
        ("id", "id is not supported"),
        ("additionalItems", "additionalItems is not supported"),
        ("patternProperties", "patternProperties is not supported"),
        ("definitions", "definitions is not supported"),
        ("dependencies", "dependencies is not supported"),
        ("$ref", "$ref is not supported"),
    ] {
        if present(k) || (k == "additionalItems" && n.get(k).is_some_and(|v| !v.is_null())) {
            out.push(forbidden(&child(path, k), detail));
        }
    }
    if ty == "null" {
        out.push(forbidden(
            &child(path, "type"),
            "type cannot be set to null, use nullable as an alternative",
        ));
    }
    if matches!(n.get("items"), Some(Value::Array(a)) if !a.is_empty()) {
        out.push(forbidden(
            &child(path, "items"),
            "items must be a schema object and not an array",
        ));
    }
    if ctx.inside_resource_meta && n.embedded() {
        out.push(forbidden(
            &child(path, "x-kubernetes-embedded-resource"),
            "must not be used inside of resource meta",
        ));
    }
}

fn schema_rules(n: Node<'_>, path: &str, ctx: &Ctx, is_root: bool, out: &mut Vec<String>) {
    standard(n, path, ctx, out);
    if n.flag("uniqueItems") {
        let detail = "uniqueItems cannot be set to true since the runtime complexity becomes quadratic";
        out.push(forbidden(&child(path, "uniqueItems"), detail));
    }
    let has_props = n.properties().is_some_and(|p| !p.is_empty());
    match n.get("additionalProperties") {
        Some(Value::Bool(false)) if has_props => {
            out.push(forbidden(
                &child(path, "additionalProperties"),
                "additionalProperties and properties are mutual exclusive",
            ));
        }
        Some(ap @ Value::Object(_)) => {
            if has_props {
                out.push(forbidden(
                    &child(path, "additionalProperties"),
                    "additionalProperties and properties are mutual exclusive",
                ));
            }
            let mut sub = ctx.clone();
            if ctx.inside_resource_meta {
                sub.no_defaults = Some("inside additionalProperties applying to object metadata".to_string());
            }
            schema_rules(Node(ap), &child(path, "additionalProperties"), &sub, false, out);
        }
        _ => {}
    }
    if let Some(props) = n.properties() {
        for (k, p) in props {
            let mut sub = ctx.clone();
            if (is_root || n.embedded()) && is_meta_field(k) {
                sub.inside_resource_meta = true;
                if is_root {
                    sub.no_defaults = Some(format!("in top-level {k}"));
                }
            }
            schema_rules(Node(p), &key(&child(path, "properties"), k), &sub, false, out);
        }
    }
    if let Some(not) = n.get("not").filter(|v| v.is_object()) {
        schema_rules(Node(not), &child(path, "not"), ctx, false, out);
    }
    for name in ["allOf", "oneOf", "anyOf"] {
        for (i, a) in n.list(name).iter().enumerate() {
            schema_rules(Node(a), &index(&child(path, name), i), ctx, false, out);
        }
    }
    if let Some(defs) = n.get("definitions").and_then(Value::as_object) {
        for (k, d) in defs {
            schema_rules(Node(d), &key(&child(path, "definitions"), k), ctx, false, out);
        }
    }
    match n.get("items") {
        Some(items @ Value::Object(_)) => schema_rules(Node(items), &child(path, "items"), ctx, false, out),
        Some(Value::Array(list)) => {
            for (i, item) in list.iter().enumerate() {
                schema_rules(Node(item), &index(&child(path, "items"), i), ctx, false, out);
            }
        }
        _ => {}
    }
    if let Some(deps) = n.get("dependencies").and_then(Value::as_object) {
        for (k, d) in deps.iter().filter(|(_, d)| d.is_object()) {
            schema_rules(Node(d), &key(&child(path, "dependencies"), k), ctx, false, out);
        }
    }
    if n.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(false)) {
        out.push(invalid(
            &child(path, "x-kubernetes-preserve-unknown-fields"),
            &GoVal::Bool(false),
            "must be true or undefined",
        ));
    }
    list_and_map_types(n, path, out);
    validation_rules(n, path, out);
}

fn list_and_map_types(n: Node<'_>, path: &str, out: &mut Vec<String>) {
    let ty = n.type_name();
    let type_path = child(path, "type");
    let map_type = n.get("x-kubernetes-map-type").and_then(Value::as_str);
    let list_type = n.get("x-kubernetes-list-type").and_then(Value::as_str);
    if let Some(mt) = map_type {
        if ty != "object" {
            let detail = "must be object if x-kubernetes-map-type is specified";
            out.push(if ty.is_empty() {
                required(&type_path, detail)
            } else {
                invalid(&type_path, &GoVal::Str(ty.into()), detail)
            });
        }
        if mt != "atomic" && mt != "granular" {
            out.push(not_supported(
                &child(path, "x-kubernetes-map-type"),
                &GoVal::Str(mt.into()),
                &["atomic", "granular"],
            ));
        }
    }
    let items = n.items();
    if let Some(lt) = list_type {
        if ty != "array" {
            let detail = "must be array if x-kubernetes-list-type is specified";
            out.push(if ty.is_empty() {
                required(&type_path, detail)
            } else {
                invalid(&type_path, &GoVal::Str(ty.into()), detail)
            });
        } else if let (true, Some(is)) = (lt == "set", items) {
            let detail = "must be atomic as item of a list with x-kubernetes-list-type=set";
            let item_list_type = is.get("x-kubernetes-list-type").and_then(Value::as_str);
            match is.type_name() {
                "array" if item_list_type.is_some_and(|t| t != "atomic") => {
                    let v = GoVal::Str(item_list_type.unwrap_or_default().to_string());
                    out.push(invalid(
                        &child(&child(path, "items"), "x-kubernetes-list-type"),
                        &v,
                        detail,
                    ));
                }
                "object" if is.get("x-kubernetes-map-type").and_then(Value::as_str) != Some("atomic") => {
                    let v = item_list_type.map_or(GoVal::Nil, |t| GoVal::Str(t.to_string()));
                    out.push(invalid(
                        &child(&child(path, "items"), "x-kubernetes-map-type"),
                        &v,
                        detail,
                    ));
                }
                _ => {}
            }
        }
        if !matches!(lt, "atomic" | "set" | "map") {
            out.push(not_supported(
                &child(path, "x-kubernetes-list-type"),
                &GoVal::Str(lt.into()),
                &["atomic", "set", "map"],
            ));
        }
    }
    let keys: Vec<String> = n
        .list("x-kubernetes-list-map-keys")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let lt_path = child(path, "x-kubernetes-list-type");
    if !keys.is_empty() {
        match list_type {
            None => out.push(required(
                &lt_path,
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
            Some("map") => {}
            Some(other) => out.push(invalid(
                &lt_path,
                &GoVal::Str(other.into()),
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
        }
    }
    if list_type == Some("map") {
        let keys_path = child(path, "x-kubernetes-list-map-keys");
        if keys.is_empty() {
            out.push(required(
                &keys_path,
                "must not be empty if x-kubernetes-list-type is map",
            ));
        }
        match n.get("items") {
            None => out.push(required(
                &child(path, "items"),
                "must have a schema if x-kubernetes-list-type is map",
            )),
            Some(v) if !v.is_object() => {
                let detail = "must only have a single schema if x-kubernetes-list-type is map";
                out.push(invalid(&child(path, "items"), &GoVal::from_json(v), detail));
            }
            _ => {}
        }
        if let Some(is) = items {
            let item_type = is.type_name();
            if item_type == "object" {
                let mut seen = Vec::new();
                let keys_val = GoVal::Strings(keys.clone());
                for k in &keys {
                    match is.property(k) {
                        Some(p) if matches!(p.type_name(), "array" | "object") => {
                            let field = child(&key(&child(&child(path, "items"), "properties"), k), "type");
                            let detail = "must be a scalar type if parent array's x-kubernetes-list-type is map";
                            out.push(invalid(&field, &GoVal::Str(item_type.into()), detail));
                        }
                        Some(_) => {}
                        None => out.push(invalid(
                            &keys_path,
                            &keys_val,
                            "entries must all be names of item properties",
                        )),
                    }
                    if seen.contains(&k) {
                        out.push(invalid(&keys_path, &keys_val, "must not contain duplicate entries"));
                    }
                    seen.push(k);
                }
            } else {
                let detail = "must be object if parent array's x-kubernetes-list-type is map";
                out.push(invalid(
                    &child(&child(path, "items"), "type"),
                    &GoVal::Str(item_type.into()),
                    detail,
                ));
            }
        }
    }
    if let (Some(lt @ ("set" | "map")), Some(is)) = (list_type, items) {
        if is.nullable() {
            out.push(forbidden(
                &child(&child(path, "items"), "nullable"),
                &format!("cannot be nullable when x-kubernetes-list-type is {lt}"),
            ));
        }
        if lt == "map" {
            let required_keys = is.list("required");
            for k in &keys {
                let Some(p) = is.property(k) else { continue };
                let base = key(&child(&child(path, "items"), "properties"), k);
                if !required_keys.iter().any(|r| r.as_str() == Some(k)) && p.default_value().is_none() {
                    let detail = "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property";
                    out.push(required(&child(&base, "default"), detail));
                }
                if p.nullable() {
                    let detail = "this property is in x-kubernetes-list-map-keys, so it cannot be nullable";
                    out.push(forbidden(&child(&base, "nullable"), detail));
                }
            }
        }
    }
}

/// The parts of `x-kubernetes-validations` that do not need a CEL compiler.
fn validation_rules(n: Node<'_>, path: &str, out: &mut Vec<String>) {
    const REASONS: [&str; 4] = [
        "FieldValueDuplicate",
        "FieldValueForbidden",
        "FieldValueInvalid",
        "FieldValueRequired",
    ];
    let has_newline = |s: &str| s.contains('\n') || s.contains('\r');
    for (i, rule) in n.list("x-kubernetes-validations").iter().enumerate() {
        let r = Node(rule);
        let base = index(&child(path, "x-kubernetes-validations"), i);
        let (text, message) = (r.str("rule").trim(), r.str("message"));
        if text.is_empty() {
            out.push(required(&child(&base, "rule"), "rule is not specified"));
        } else if !message.is_empty() && message.trim().is_empty() {
            out.push(invalid(
                &child(&base, "message"),
                &GoVal::Str(message.into()),
                "message must be non-empty if specified",
            ));
        } else if has_newline(message.trim()) {
            out.push(invalid(
                &child(&base, "message"),
                &GoVal::Str(message.into()),
                "message must not contain line breaks",
            ));
        } else if has_newline(text) && message.trim().is_empty() {
            out.push(required(
                &child(&base, "message"),
                "message must be specified if rule contains line breaks",
            ));
        }
        let expr = r.str("messageExpression");
        if !expr.is_empty() && expr.trim().is_empty() {
            out.push(required(
                &child(&base, "messageExpression"),
                "messageExpression must be non-empty if specified",
            ));
        }
        if let Some(reason) = r.get("reason").and_then(Value::as_str)
            && !REASONS.contains(&reason)
        {
            out.push(not_supported(
                &child(&base, "reason"),
                &GoVal::Str(reason.into()),
                &REASONS,
            ));
        }
        let field_path = r.str("fieldPath");
        if !field_path.is_empty() && field_path.trim().is_empty() {
            out.push(invalid(
                &child(&base, "fieldPath"),
                &GoVal::Str(field_path.into()),
                "fieldPath must be non-empty if specified",
            ));
        }
        if has_newline(field_path) {
            out.push(invalid(
                &child(&base, "fieldPath"),
                &GoVal::Str(field_path.into()),
                "fieldPath must not contain line breaks",
            ));
        }
    }
}

/// Every `default` must survive pruning unchanged and validate against its own schema.
pub(crate) fn check_defaults(s: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    defaults(Node(s), path, true, false, &mut out);
    out
}

fn defaults(n: Node<'_>, path: &str, is_root: bool, inside_meta: bool, out: &mut Vec<String>) {
    let embedded = is_root || n.embedded();
    let inside_meta = inside_meta && !embedded;
    if let Some(d) = n.default_value()
        && !inside_meta
    {
        let default_path = child(path, "default");
        let mut pruned = d.clone();
        prune_unknown(&mut pruned, Some(n), embedded, &mut Tracker::new(false));
        if &pruned != d {
            out.push(invalid(
                &default_path,
                &GoVal::from_json(d),
                "must not have unknown fields",
            ));
        }
        let outcome = validate_value(n, d, "", Mode { as_written: true });
        out.extend(
            outcome
                .into_causes(Some(&default_path))
                .into_iter()
                .map(|c| c.to_string()),
        );
    }
    if let Some(items) = n.items() {
        defaults(items, &child(path, "items"), false, inside_meta, out);
    }
    if let Some(props) = n.properties() {
        for (k, p) in props {
            let sub_meta = inside_meta || (embedded && is_meta_field(k));
            defaults(Node(p), &key(&child(path, "properties"), k), false, sub_meta, out);
        }
    }
}
