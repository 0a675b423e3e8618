//! Recognising the rules `setHeaderRoute` added to an HTTPRoute or GRPCRoute, from the route alone.
//!
//! A managed rule carries the name of its managed route (`canary-route1`, or `canary-route1-1`,
//! `canary-route1-2`... when one rule is added per source rule). Rules written before rules had names
//! are recognised by their shape: a single backend, the canary Service (and, when one header route is
//! replaced, a match on every header of the new one). This is how the plugin tells them apart too.

use std::collections::BTreeSet;

use serde_json::Value;

use super::route::{backend_refs, text};
use crate::traffic::RouterInput;

/// The names of `trafficRouting.managedRoutes`.
pub fn managed_route_names(input: &RouterInput<'_>) -> BTreeSet<String> {
    input
        .routing()
        .and_then(|r| r.managed_routes.as_ref())
        .into_iter()
        .flatten()
        .map(|m| m.name.clone())
        .collect()
}

/// Whether a rule name is one of `bases`, or one of them followed by `-<integer>`.
pub fn is_managed_rule_name(rule_name: &str, bases: &BTreeSet<String>) -> bool {
    bases.contains(rule_name)
        || bases.iter().any(|base| {
            rule_name
                .strip_prefix(base.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|index| index.parse::<i64>().is_ok())
        })
}

/// Whether the rule was added for a header route: named after one of `bases`, or shaped like one (a
/// single backend, the canary) and, when `headers` is given, matching on every one of those header
/// names in some match.
pub fn is_managed_rule(rule: &Value, canary: &str, bases: &BTreeSet<String>, headers: Option<&[Value]>) -> bool {
    let named = rule
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|name| is_managed_rule_name(name, bases));
    named || is_shaped_like_managed(rule, canary, headers)
}

fn is_shaped_like_managed(rule: &Value, canary: &str, headers: Option<&[Value]>) -> bool {
    let refs = backend_refs(rule);
    if refs.len() != 1 || text(&refs[0], "name") != canary {
        return false;
    }
    let Some(headers) = headers else {
        return true;
    };
    let matches = rule
        .get("matches")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    matches.iter().any(|m| {
        let present = m
            .get("headers")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        headers
            .iter()
            .all(|wanted| present.iter().any(|h| text(h, "name") == text(wanted, "name")))
    })
}
