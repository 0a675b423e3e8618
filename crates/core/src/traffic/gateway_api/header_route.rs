//! Header routes on HTTPRoutes and GRPCRoutes, as the plugin writes them.
//!
//! For each rule that sends to both the canary and the stable Service, one rule is appended that sends
//! everything to the canary: it keeps the source rule's matches (each with the step's headers added)
//! and filters, and is named after the managed route (`<name>` for the first source rule, `<name>-1`,
//! `<name>-2`... for the next). Setting the route again replaces the rules of that name; removing it,
//! or `remove_managed_routes`, drops the rules of every managed route.
//!
//! The plugin rewrites the route on every call; here a route whose rules already say the same (once the
//! API server's defaults are counted) is left alone, so a reconcile that changes nothing writes nothing.

use std::collections::BTreeSet;

use rollouts_api::common::StringMatch;
use rollouts_api::steps::SetHeaderRoute;
use serde_json::{Map, Value, json};

use super::managed::is_managed_rule;
use super::route::{RouteKind, backend_refs, read, rules, set_rules, text};
use super::{Context, grpc_route, http_route};
use crate::traffic::{Objects, RouterError};

/// The plugin's error for a header value with none of `exact`, `prefix` or `regex`.
pub const INVALID_HEADER_MATCH_TYPE: &str = "invalid header match type";

/// The step's header conditions as Gateway API header matches (the same shape for HTTP and gRPC): an
/// exact value stays exact, a regex is a `RegularExpression`, and a prefix becomes the regular
/// expression of that literal prefix.
pub fn header_matches(step: &SetHeaderRoute) -> Result<Vec<Value>, RouterError> {
    step.r#match
        .iter()
        .flatten()
        .map(|m| {
            let (kind, value) = match_value(&m.header_value)?;
            Ok(json!({"name": m.header_name, "type": kind, "value": value}))
        })
        .collect()
}

fn match_value(value: &StringMatch) -> Result<(&'static str, String), RouterError> {
    let set = |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(exact) = set(&value.exact) {
        Ok(("Exact", exact))
    } else if let Some(prefix) = set(&value.prefix) {
        // The plugin appends `.*` to the prefix as written, so that a `.` in it matches any character;
        // escaping it keeps the match a prefix match.
        Ok(("RegularExpression", format!("{}.*", escape_regex(&prefix))))
    } else if let Some(regex) = set(&value.regex) {
        Ok(("RegularExpression", regex))
    } else {
        Err(RouterError::new(INVALID_HEADER_MATCH_TYPE))
    }
}

/// Escapes the characters that RE2, PCRE and ECMAScript all treat as operators.
fn escape_regex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Adds (or replaces) the rules of the header route `name` on one route.
pub fn set_header_route(
    objects: &mut Objects,
    ctx: &Context<'_>,
    kind: RouteKind,
    route_name: &str,
    name: &str,
    headers: &[Value],
) -> Result<(), RouterError> {
    let mut object = read(objects, kind, &ctx.config.namespace, route_name)?;
    let current = rules(&object).to_vec();
    let sources: Vec<&Value> = current
        .iter()
        .filter(|rule| {
            let refs = backend_refs(rule);
            [ctx.canary.as_str(), ctx.stable.as_str()]
                .iter()
                .all(|service| refs.iter().any(|b| text(b, "name") == *service))
        })
        .collect();
    if sources.is_empty() {
        return Err(kind.backend_not_found());
    }
    let added: Vec<Value> = sources
        .iter()
        .enumerate()
        .map(|(i, source)| {
            let rule_name = if i == 0 {
                name.to_string()
            } else {
                format!("{name}-{i}")
            };
            managed_rule(source, &rule_name, &ctx.canary, headers)
        })
        .collect();
    let bases = BTreeSet::from([name.to_string()]);
    let (replaced, kept): (Vec<Value>, Vec<Value>) = current
        .into_iter()
        .partition(|rule| is_managed_rule(rule, &ctx.canary, &bases, Some(headers)));
    if same_rules(kind, &replaced, &added) {
        return Ok(());
    }
    set_rules(&mut object, kept.into_iter().chain(added).collect());
    objects.update(object);
    Ok(())
}

/// Drops the rules of every managed route from one route; nothing is written when there are none.
pub fn remove_managed_rules(
    objects: &mut Objects,
    ctx: &Context<'_>,
    kind: RouteKind,
    route_name: &str,
) -> Result<(), RouterError> {
    let mut object = read(objects, kind, &ctx.config.namespace, route_name)?;
    let current = rules(&object);
    let kept: Vec<Value> = current
        .iter()
        .filter(|rule| !is_managed_rule(rule, &ctx.canary, &ctx.managed_names, None))
        .cloned()
        .collect();
    if kept.len() == current.len() {
        return Ok(());
    }
    set_rules(&mut object, kept);
    objects.update(object);
    Ok(())
}

/// The rule sending the header-matched share of `source`'s traffic to the canary.
fn managed_rule(source: &Value, name: &str, canary: &str, headers: &[Value]) -> Value {
    let source_matches = source
        .get("matches")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let matches: Vec<Value> = if source_matches.is_empty() {
        vec![json!({"headers": headers})]
    } else {
        source_matches
            .iter()
            .map(|m| {
                let mut m = m.as_object().cloned().unwrap_or_default();
                let mut merged = m.get("headers").and_then(Value::as_array).cloned().unwrap_or_default();
                merged.extend(headers.iter().cloned());
                m.insert("headers".to_string(), Value::Array(merged));
                Value::Object(m)
            })
            .collect()
    };
    let mut backend = Map::new();
    backend.insert("group".to_string(), json!(""));
    backend.insert("kind".to_string(), json!("Service"));
    backend.insert("name".to_string(), json!(canary));
    let canary_port = backend_refs(source)
        .iter()
        .find(|b| text(b, "name") == canary)
        .and_then(|b| b.get("port"));
    if let Some(port) = canary_port {
        backend.insert("port".to_string(), port.clone());
    }
    let mut rule = Map::new();
    rule.insert("name".to_string(), json!(name));
    rule.insert("matches".to_string(), Value::Array(matches));
    if let Some(filters) = source
        .get("filters")
        .filter(|f| f.as_array().is_some_and(|a| !a.is_empty()))
    {
        rule.insert("filters".to_string(), filters.clone());
    }
    rule.insert("backendRefs".to_string(), json!([backend]));
    Value::Object(rule)
}

/// Whether two rule lists say the same once the API server's defaults are filled into both.
fn same_rules(kind: RouteKind, held: &[Value], wanted: &[Value]) -> bool {
    held.len() == wanted.len()
        && held
            .iter()
            .zip(wanted)
            .all(|(h, w)| with_defaults(kind, h) == with_defaults(kind, w))
}

/// A rule with the schema defaults filled in (backend group, kind and weight; match defaults) and an
/// empty filter list dropped.
fn with_defaults(kind: RouteKind, rule: &Value) -> Value {
    let mut rule = rule.clone();
    if let Some(fields) = rule.as_object_mut() {
        if fields
            .get("filters")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            fields.remove("filters");
        }
        for backend in fields
            .get_mut("backendRefs")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(backend) = backend.as_object_mut() {
                backend.entry("group").or_insert_with(|| json!(""));
                backend.entry("kind").or_insert_with(|| json!("Service"));
                backend.entry("weight").or_insert_with(|| json!(1));
            }
        }
    }
    match kind {
        RouteKind::Http => http_route::default_matches(&mut rule),
        RouteKind::Grpc => grpc_route::default_matches(&mut rule),
        RouteKind::Tcp | RouteKind::Tls => {}
    }
    rule
}
