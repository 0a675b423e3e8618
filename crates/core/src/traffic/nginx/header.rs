//! Header routes (`setHeaderRoute`) on the canary Ingress, through ingress-nginx's own canary
//! annotations: `canary-by-header` names the header, `canary-by-header-value` the exact value that
//! sends a request to the canary, `canary-by-header-pattern` a regular expression it must match.
//! Requests the header route does not catch still follow the canary weight.
//!
//! Upstream leaves header routes unimplemented for NGINX (argoproj/argo-rollouts#2830), so a
//! `setHeaderRoute` step silently did nothing there.
//!
//! An ingress-nginx canary Ingress tests a single header, so a canary Ingress holds one header route:
//! a later `setHeaderRoute` replaces an earlier one whatever its name, and removing any managed route
//! clears it.

use std::collections::BTreeMap;

use rollouts_api::common::StringMatch;
use rollouts_api::steps::SetHeaderRoute;
use serde_json::{Map, Value, json};

use super::Nginx;
use crate::traffic::RouterError;

/// Upstream's validation message for a header value with none of `exact`, `prefix`, `regex`.
const MISSING_VALUE: &str =
    "StringMatch value missed, match value must have one of the following: exact, regex, prefix";

/// The header annotations a route wants: each key set to a value, or removed (`None`).
pub(super) type HeaderAnnotations = BTreeMap<String, Option<String>>;

impl Nginx<'_> {
    /// Whether `name` is one of `managedRoutes`. Steps naming another route are refused by validation
    /// before any router runs; the router still only acts on routes it is allowed to manage.
    pub(super) fn is_managed_route(&self, name: &str) -> bool {
        self.input
            .routing()
            .and_then(|r| r.managed_routes.as_ref())
            .is_some_and(|routes| routes.iter().any(|r| r.name == name))
    }

    /// Whether any managed route is declared at all.
    pub(super) fn has_managed_routes(&self) -> bool {
        self.input
            .routing()
            .and_then(|r| r.managed_routes.as_ref())
            .is_some_and(|routes| !routes.is_empty())
    }

    /// Whether the Rollout spec sets a header annotation itself (`additionalIngressAnnotations` with
    /// `canary-by-header` is upstream's documented way to route by header). Those annotations are the
    /// spec's: header routes then leave them alone rather than fight every weight update over them.
    pub(super) fn header_set_by_spec(&self) -> bool {
        let configured = self.configured_annotations();
        self.header_keys().iter().any(|k| configured.contains_key(k))
    }

    /// The three header annotation keys.
    fn header_keys(&self) -> [String; 3] {
        [
            self.keys.by_header(),
            self.keys.by_header_value(),
            self.keys.by_header_pattern(),
        ]
    }

    /// The annotations that remove the header route.
    pub(super) fn no_header_route(&self) -> HeaderAnnotations {
        self.header_keys().into_iter().map(|k| (k, None)).collect()
    }

    /// The annotations for a `setHeaderRoute` step: its single header match, or none to remove the
    /// route. Several matches are refused: they must all hold, and sending a request to the canary on
    /// the first alone would expose it to traffic the step keeps away from it.
    pub(super) fn header_route(&self, route: &SetHeaderRoute) -> Result<HeaderAnnotations, RouterError> {
        let name = route.name.as_deref().unwrap_or_default();
        let matches = route.r#match.as_deref().unwrap_or_default();
        let [header, value, pattern] = self.header_keys();
        let matched = match matches {
            [] => return Ok(self.no_header_route()),
            [only] => only,
            several => {
                return Err(RouterError::new(format!(
                    "setHeaderRoute `{name}` has {} header matches, but an NGINX canary ingress can match only one header",
                    several.len()
                )));
            }
        };
        if matched.header_name.is_empty() {
            return Err(RouterError::new(format!(
                "setHeaderRoute `{name}` has a match without headerName"
            )));
        }
        let (exact, regex) = match value_match(&matched.header_value) {
            Some(ValueMatch::Exact(v)) => (Some(v), None),
            Some(ValueMatch::Pattern(p)) => (None, Some(p)),
            None => return Err(RouterError::new(format!("setHeaderRoute `{name}`: {MISSING_VALUE}"))),
        };
        Ok(BTreeMap::from([
            (header, Some(matched.header_name.clone())),
            (value, exact),
            (pattern, regex),
        ]))
    }
}

/// How ingress-nginx tests the header value.
enum ValueMatch {
    /// `canary-by-header-value`: the value must be this.
    Exact(String),
    /// `canary-by-header-pattern`: the value must match this regular expression.
    Pattern(String),
}

/// The value test of a match; validation allows exactly one of `exact`, `regex`, `prefix`, taken in
/// that order here. A prefix becomes the anchored pattern `^<prefix, escaped>.*`.
fn value_match(value: &StringMatch) -> Option<ValueMatch> {
    let set = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    if let Some(exact) = set(&value.exact) {
        return Some(ValueMatch::Exact(exact));
    }
    if let Some(regex) = set(&value.regex) {
        return Some(ValueMatch::Pattern(regex));
    }
    set(&value.prefix).map(|prefix| ValueMatch::Pattern(format!("^{}.*", regex::escape(&prefix))))
}

/// The merge patch that gives `canary` the header annotations, `None` when it already has them: only
/// the keys that differ, removals as `null`.
pub(super) fn header_patch(canary: &Value, wanted: &HeaderAnnotations) -> Option<Value> {
    let current = canary.pointer("/metadata/annotations").and_then(Value::as_object);
    let held = |key: &str| current.and_then(|a| a.get(key)).and_then(Value::as_str);
    let changes: Map<String, Value> = wanted
        .iter()
        .filter(|(key, value)| held(key) != value.as_deref())
        .map(|(key, value)| (key.clone(), value.clone().map_or(Value::Null, Value::String)))
        .collect();
    (!changes.is_empty()).then(|| json!({"metadata": {"annotations": changes}}))
}

/// Puts the header annotations that are set onto a canary Ingress about to be created.
pub(super) fn with_header(mut canary: Value, wanted: &HeaderAnnotations) -> Value {
    if let Some(annotations) = canary
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        for (key, value) in wanted {
            if let Some(value) = value {
                annotations.insert(key.clone(), Value::String(value.clone()));
            }
        }
    }
    canary
}
