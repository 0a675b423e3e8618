//! Field selectors (`?fieldSelector=metadata.name=x,status.phase!=Running`): parsing, the
//! per-kind sets of selectable fields, and matching, as kube-apiserver implements them.

use std::fmt;

use serde_json::Value;

use super::SelectorError;

/// How a field term compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOperator {
    /// `field=value`
    Equals,
    /// `field==value`
    DoubleEquals,
    /// `field!=value`
    NotEquals,
}

/// One `field op value` term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// The dotted field name, e.g. `status.phase`.
    pub field: String,
    /// The comparison.
    pub operator: FieldOperator,
    /// The (unescaped) value.
    pub value: String,
}

/// A conjunction of field terms; the empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    terms: Vec<FieldRequirement>,
}

/// Splits at commas not escaped with a backslash.
fn split_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

fn split_term(term: &str) -> Option<(&str, FieldOperator, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        for (op, kind) in [
            ("!=", FieldOperator::NotEquals),
            ("==", FieldOperator::DoubleEquals),
            ("=", FieldOperator::Equals),
        ] {
            if let Some(rhs) = rest.strip_prefix(op) {
                return Some((&term[..i], kind, rhs));
            }
        }
    }
    None
}

fn unescape(s: &str) -> Result<String, SelectorError> {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            match c {
                '\\' | ',' | '=' => out.push(c),
                other => {
                    return Err(SelectorError::new(format!(
                        "invalid field selector: invalid escape sequence: \\{other}"
                    )));
                }
            }
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            ',' | '=' => {
                return Err(SelectorError::new(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                )));
            }
            other => out.push(other),
        }
    }
    if escaped {
        return Err(SelectorError::new(
            "invalid field selector: invalid escape sequence: \\",
        ));
    }
    Ok(out)
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace(',', "\\,").replace('=', "\\=")
}

impl FieldSelector {
    /// Parses the query-string form; terms come back sorted, as Kubernetes sorts them.
    pub fn parse(selector: &str) -> Result<Self, SelectorError> {
        let mut parts = split_terms(selector);
        parts.sort_unstable();
        let mut terms = Vec::new();
        for part in parts {
            if part.is_empty() {
                continue;
            }
            let Some((lhs, operator, rhs)) = split_term(part) else {
                return Err(SelectorError::new(format!(
                    "invalid selector: '{selector}'; can't understand '{part}'"
                )));
            };
            terms.push(FieldRequirement {
                field: lhs.to_string(),
                operator,
                value: unescape(rhs)?,
            });
        }
        Ok(Self { terms })
    }

    /// The terms, in canonical (sorted) order.
    #[cfg(test)]
    pub fn terms(&self) -> &[FieldRequirement] {
        &self.terms
    }

    /// Whether there are no terms (everything matches).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value an `=`/`==` term requires of `field`, if any: lets a server turn
    /// `metadata.name=x` into a direct lookup.
    #[cfg(test)]
    pub fn exact_value(&self, field: &str) -> Option<&str> {
        self.terms
            .iter()
            .find(|t| t.field == field && t.operator != FieldOperator::NotEquals)
            .map(|t| t.value.as_str())
    }

    /// The first term whose field the kind does not support, as the API server's 400 message.
    pub fn unsupported(&self, group: &str, kind: &str, namespaced: bool) -> Option<String> {
        self.terms
            .iter()
            .find_map(|t| field_label_error(group, kind, namespaced, &t.field))
    }

    /// Whether `obj` satisfies every term, taking its kind from `apiVersion`/`kind`.
    pub fn matches(&self, obj: &Value) -> bool {
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or_default();
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
        self.matches_kind(group, kind, obj)
    }

    /// Whether `obj`, known to be a `group`/`kind`, satisfies every term. A field the object
    /// lacks compares as the empty string, as Kubernetes' field sets do.
    pub fn matches_kind(&self, group: &str, kind: &str, obj: &Value) -> bool {
        self.terms.iter().all(|t| {
            let have = field_value(group, kind, obj, &t.field).unwrap_or_default();
            match t.operator {
                FieldOperator::Equals | FieldOperator::DoubleEquals => have == t.value,
                FieldOperator::NotEquals => have != t.value,
            }
        })
    }
}

impl fmt::Display for FieldSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            let op = if t.operator == FieldOperator::NotEquals {
                "!="
            } else {
                "="
            };
            write!(f, "{}{op}{}", t.field, escape(&t.value))?;
        }
        Ok(())
    }
}

impl std::str::FromStr for FieldSelector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// API groups served by kube-apiserver itself; any other group is a custom resource.
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// Fields a kind with its own field-label conversion accepts (besides nothing else).
fn kind_fields(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    Some(match (group, kind) {
        ("", "Pod") => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
            "spec.host",
        ],
        ("", "Event") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        ("events.k8s.io", "Event") => &[
            "reason",
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "regarding.apiVersion",
            "regarding.resourceVersion",
            "regarding.fieldPath",
            "reportingController",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        ("", "Namespace") => &["status.phase", "metadata.name"],
        ("", "Node") => &["metadata.name", "spec.unschedulable"],
        ("", "Secret") => &["type", "metadata.namespace", "metadata.name"],
        ("", "Service") => &["metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"],
        ("", "ReplicationController") | ("apps" | "extensions", "ReplicaSet") => {
            &["metadata.name", "metadata.namespace", "status.replicas"]
        }
        ("batch", "Job") => &["metadata.name", "metadata.namespace", "status.successful"],
        ("certificates.k8s.io", "CertificateSigningRequest") => &["metadata.name", "spec.signerName"],
        _ => return None,
    })
}

/// Whether `field` may be used in a field selector on `group`/`kind` (custom resources are
/// assumed namespaced here; see [`field_label_error`] to say otherwise).
#[cfg(test)]
pub fn field_selector_supported(group: &str, kind: &str, field: &str) -> bool {
    field_label_error(group, kind, true, field).is_none()
}

/// The 400 message kube-apiserver gives for selecting on an unsupported field, `None` when the
/// field is supported.
pub fn field_label_error(group: &str, kind: &str, namespaced: bool, field: &str) -> Option<String> {
    if let Some(fields) = kind_fields(group, kind) {
        return (!fields.contains(&field)).then(|| format!("field label not supported: {field}"));
    }
    if !BUILTIN_GROUPS.contains(&group) {
        let ok = field == "metadata.name" || (namespaced && field == "metadata.namespace");
        return (!ok).then(|| format!("field label not supported: {field}"));
    }
    let ok = field == "metadata.name" || field == "metadata.namespace";
    (!ok).then(|| format!("\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""))
}

fn text_at(obj: &Value, pointer: &str) -> Option<String> {
    match obj.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn first_text(obj: &Value, pointers: &[&str]) -> String {
    pointers
        .iter()
        .find_map(|p| text_at(obj, p).filter(|s| !s.is_empty()))
        .unwrap_or_default()
}

fn count_text(obj: &Value, pointer: &str) -> String {
    obj.pointer(pointer).and_then(Value::as_i64).unwrap_or(0).to_string()
}

/// The value a field selector compares for `field` on `obj` (of `group`/`kind`): the
/// per-kind selectable field set Kubernetes builds, or for other kinds the value at the dotted
/// path. `None` when the kind has no such field.
pub fn field_value(group: &str, kind: &str, obj: &Value, field: &str) -> Option<String> {
    let any = |pointers: &[&str]| Some(first_text(obj, pointers));
    match (group, kind, field) {
        (_, _, "metadata.name") => any(&["/metadata/name"]),
        (_, _, "metadata.namespace") => any(&["/metadata/namespace"]),
        ("", "Pod", "spec.nodeName" | "spec.host") => any(&["/spec/nodeName"]),
        ("", "Pod", "spec.hostNetwork") => Some(
            obj.pointer("/spec/hostNetwork")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
        ),
        ("", "Pod", "status.podIP") => any(&["/status/podIPs/0/ip", "/status/podIP"]),
        ("", "Pod", "status.podIPs") => Some(String::new()),
        ("" | "events.k8s.io", "Event", f) => event_field(obj, f),
        ("", "ReplicationController", "status.replicas") | ("apps" | "extensions", "ReplicaSet", "status.replicas") => {
            Some(count_text(obj, "/status/replicas"))
        }
        ("batch", "Job", "status.successful") => Some(count_text(obj, "/status/succeeded")),
        ("", "Node", "spec.unschedulable") => Some(
            obj.pointer("/spec/unschedulable")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
        ),
        (_, _, f) if !f.is_empty() => text_at(obj, &format!("/{}", f.replace('.', "/"))).or(Some(String::new())),
        _ => None,
    }
}

/// Event fields, reading either the core/v1 shape (`involvedObject`, `source`) or the
/// events.k8s.io/v1 one (`regarding`, `deprecatedSource`).
fn event_field(obj: &Value, field: &str) -> Option<String> {
    let any = |pointers: &[&str]| Some(first_text(obj, pointers));
    if let Some(sub) = field
        .strip_prefix("involvedObject.")
        .or_else(|| field.strip_prefix("regarding."))
    {
        return any(&[&format!("/involvedObject/{sub}"), &format!("/regarding/{sub}")]);
    }
    match field {
        "reason" => any(&["/reason"]),
        "type" => any(&["/type"]),
        "reportingComponent" | "reportingController" => any(&["/reportingComponent", "/reportingController"]),
        "source" => any(&[
            "/source/component",
            "/deprecatedSource/component",
            "/reportingComponent",
            "/reportingController",
        ]),
        _ => None,
    }
}
