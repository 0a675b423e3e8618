//! Routing objects chosen by label rather than by name: a `LabelSelector` as the requirements
//! Kubernetes' `LabelSelectorAsSelector` makes of it, which the controller sends as a LIST's
//! `labelSelector` and which tell the objects held in [`super::Objects`] it selects.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use rollouts_api::validation::{FieldError, FieldPath, is_qualified_name};
use serde_json::Value;

use super::ObjectRef;

/// One requirement on a label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Requirement {
    /// The label has this value (`matchLabels`).
    Equals(String, String),
    /// The label has one of these values (sorted).
    In(String, Vec<String>),
    /// The label is absent or has none of these values (sorted).
    NotIn(String, Vec<String>),
    /// The label is present.
    Exists(String),
    /// The label is absent.
    DoesNotExist(String),
}

impl Requirement {
    fn key(&self) -> &str {
        match self {
            Requirement::Equals(key, _)
            | Requirement::In(key, _)
            | Requirement::NotIn(key, _)
            | Requirement::Exists(key)
            | Requirement::DoesNotExist(key) => key,
        }
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(self.key());
        match self {
            Requirement::Equals(_, wanted) => value == Some(wanted),
            Requirement::In(_, values) => value.is_some_and(|v| values.contains(v)),
            Requirement::NotIn(_, values) => value.is_none_or(|v| !values.contains(v)),
            Requirement::Exists(_) => value.is_some(),
            Requirement::DoesNotExist(_) => value.is_none(),
        }
    }
}

impl fmt::Display for Requirement {
    /// The requirement in the API server's `labelSelector` syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Equals(key, value) => write!(f, "{key}={value}"),
            Requirement::In(key, values) => write!(f, "{key} in ({})", values.join(",")),
            Requirement::NotIn(key, values) => write!(f, "{key} notin ({})", values.join(",")),
            Requirement::Exists(key) => write!(f, "{key}"),
            Requirement::DoesNotExist(key) => write!(f, "!{key}"),
        }
    }
}

/// A label selector, checked: every requirement must hold. With none it selects everything, as an
/// empty `LabelSelector` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LabelQuery(Vec<Requirement>);

/// Kubernetes' message for a malformed label value.
const LABEL_VALUE_MESSAGE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const LABEL_KEY_MESSAGE: &str = "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character";

impl LabelQuery {
    /// The requirements of `selector` (at `path`, for errors), sorted by key as Kubernetes sorts them;
    /// a selector the API server would refuse is refused here, naming the field.
    pub fn from_selector(selector: &LabelSelector, path: &FieldPath) -> Result<Self, FieldError> {
        let mut requirements = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            let at = path.child("matchLabels");
            check_key(key, &at)?;
            check_value(value, &at.key(key))?;
            requirements.push(Requirement::Equals(key.clone(), value.clone()));
        }
        for (i, expression) in selector.match_expressions.iter().flatten().enumerate() {
            let at = path.child("matchExpressions").index(i);
            check_key(&expression.key, &at.child("key"))?;
            let mut values = expression.values.clone().unwrap_or_default();
            for (j, value) in values.iter().enumerate() {
                check_value(value, &at.child("values").index(j))?;
            }
            values.sort();
            values.dedup();
            let key = expression.key.clone();
            let requirement = match expression.operator.as_str() {
                "In" | "NotIn" if values.is_empty() => {
                    return Err(FieldError::required(
                        at.child("values").to_string(),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
                "Exists" | "DoesNotExist" if !values.is_empty() => {
                    return Err(FieldError::forbidden(
                        at.child("values").to_string(),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => {
                    return Err(FieldError::not_supported(
                        at.child("operator").to_string(),
                        other,
                        &["In", "NotIn", "Exists", "DoesNotExist"],
                    ));
                }
            };
            requirements.push(requirement);
        }
        // Stable, so that two requirements on one key keep the order they were written in.
        requirements.sort_by(|a, b| a.key().cmp(b.key()));
        Ok(Self(requirements))
    }

    /// Whether labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| r.matches(labels))
    }
}

impl fmt::Display for LabelQuery {
    /// The `labelSelector` of a LIST: requirements joined by commas, empty for everything.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

fn check_key(key: &str, path: &FieldPath) -> Result<(), FieldError> {
    if is_qualified_name(key) {
        Ok(())
    } else {
        Err(FieldError::invalid(path.to_string(), key, LABEL_KEY_MESSAGE))
    }
}

/// Kubernetes' label values: empty, or at most 63 alphanumerics, `-`, `_` and `.`, starting and
/// ending alphanumeric.
fn check_value(value: &str, path: &FieldPath) -> Result<(), FieldError> {
    let bytes = value.as_bytes();
    let valid = bytes.is_empty()
        || (bytes.len() <= 63
            && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')));
    if valid {
        Ok(())
    } else {
        Err(FieldError::invalid(path.to_string(), value, LABEL_VALUE_MESSAGE))
    }
}

/// Every object of one kind in one namespace whose labels satisfy a query: what a router reads when
/// it is told which objects to drive by label (the controller LISTs them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectSelector {
    /// `apiVersion`, e.g. `gateway.networking.k8s.io/v1`.
    pub api_version: String,
    /// `kind`, e.g. `HTTPRoute`.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// The label requirements.
    pub labels: LabelQuery,
}

impl ObjectSelector {
    /// A selector from its parts.
    pub fn new(api_version: &str, kind: &str, namespace: &str, labels: LabelQuery) -> Self {
        Self {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            labels,
        }
    }

    /// The kind and namespace as a reference without a name, for the API paths
    /// ([`ObjectRef::group`], [`ObjectRef::plural`]...).
    pub fn collection(&self) -> ObjectRef {
        ObjectRef::new(&self.api_version, &self.kind, &self.namespace, "")
    }

    /// Whether an object of `target`'s identity with these labels is selected.
    pub fn selects_labels(&self, target: &ObjectRef, labels: &BTreeMap<String, String>) -> bool {
        target.api_version == self.api_version
            && target.kind == self.kind
            && target.namespace == self.namespace
            && self.labels.matches(labels)
    }

    /// Whether a held object is selected.
    pub fn selects(&self, object: &Value) -> bool {
        self.selects_labels(&ObjectRef::of(object), &labels_of(object))
    }

    /// `kind namespace -l query`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {} -l '{}'", self.kind, self.namespace, self.labels)
    }
}

/// `metadata.labels` of an object; labels that are not strings are left out.
fn labels_of(object: &Value) -> BTreeMap<String, String> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn query(selector: Value) -> Result<LabelQuery, String> {
        let selector: LabelSelector = serde_json::from_value(selector).expect("a selector");
        LabelQuery::from_selector(&selector, &FieldPath::new("sel")).map_err(|e| e.to_string())
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_query_string_is_sorted_by_key_as_kubernetes_prints_it() {
        let q = query(json!({
            "matchLabels": {"z": "1", "app": "web"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["staging", "prod"]},
                {"key": "team", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"},
                {"key": "tier", "operator": "NotIn", "values": ["db"]}
            ]
        }))
        .expect("valid");
        assert_eq!(
            q.to_string(),
            "app=web,env in (prod,staging),!legacy,team,tier notin (db),z=1"
        );
        assert_eq!(query(json!({})).expect("valid").to_string(), "");
    }

    #[test]
    fn every_requirement_must_hold() {
        let q = query(json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "staging"]},
                {"key": "team", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"},
                {"key": "tier", "operator": "NotIn", "values": ["db"]}
            ]
        }))
        .expect("valid");
        let good = [("app", "web"), ("env", "prod"), ("team", "a")];
        assert!(q.matches(&labels(&good)));
        assert!(q.matches(&labels(&[
            ("app", "web"),
            ("env", "staging"),
            ("team", "a"),
            ("tier", "fe")
        ])));
        assert!(!q.matches(&labels(&[("app", "api"), ("env", "prod"), ("team", "a")])));
        assert!(!q.matches(&labels(&[("app", "web"), ("env", "dev"), ("team", "a")])));
        assert!(!q.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!q.matches(&labels(&[
            ("app", "web"),
            ("env", "prod"),
            ("team", "a"),
            ("legacy", "")
        ])));
        assert!(!q.matches(&labels(&[
            ("app", "web"),
            ("env", "prod"),
            ("team", "a"),
            ("tier", "db")
        ])));
        assert!(query(json!({})).expect("valid").matches(&BTreeMap::new()));
    }

    #[test]
    fn a_selector_the_api_server_would_refuse_is_refused_naming_the_field() {
        assert_eq!(
            query(json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["b"]}]})),
            Err(
                "sel.matchExpressions[0].operator: Unsupported value: \"Equals\": supported values: \
                 \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\""
                    .to_string()
            )
        );
        assert_eq!(
            query(json!({"matchExpressions": [{"key": "a", "operator": "In"}]})),
            Err(
                "sel.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
                    .to_string()
            )
        );
        assert_eq!(
            query(json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})),
            Err(
                "sel.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                    .to_string()
            )
        );
        let bad_key = query(json!({"matchLabels": {"bad key": "x"}})).unwrap_err();
        assert!(
            bad_key.starts_with("sel.matchLabels: Invalid value: \"bad key\": must be a qualified name"),
            "{bad_key}"
        );
        let bad_value = query(json!({"matchLabels": {"app": "a b"}})).unwrap_err();
        assert!(
            bad_value.starts_with("sel.matchLabels[app]: Invalid value: \"a b\": a valid label"),
            "{bad_value}"
        );
    }

    #[test]
    fn a_selector_picks_its_kind_and_namespace_only() {
        let q = query(json!({"matchLabels": {"app": "web"}})).expect("valid");
        let selector = ObjectSelector::new("gateway.networking.k8s.io/v1", "HTTPRoute", "ns", q);
        let route = |kind: &str, ns: &str, app: &str| {
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
                   "metadata": {"name": "r", "namespace": ns, "labels": {"app": app}}})
        };
        assert!(selector.selects(&route("HTTPRoute", "ns", "web")));
        assert!(!selector.selects(&route("GRPCRoute", "ns", "web")));
        assert!(!selector.selects(&route("HTTPRoute", "other", "web")));
        assert!(!selector.selects(&route("HTTPRoute", "ns", "api")));
        assert_eq!(selector.collection().plural(), "httproutes");
        assert_eq!(selector.describe(), "HTTPRoute ns -l 'app=web'");
    }
}
