//! Field sets: the sets of field paths server-side apply records per manager, their
//! `FieldsV1` encoding, and path operations on objects.
//!
//! A path is a list of `FieldsV1` tokens: `f:<field>` for an object member, `k:<json>` for the
//! element of a keyed list whose key fields have those values, `v:<json>` for a value of a
//! set-like primitive list and `i:<n>` for a list index (only ever read, never written).
//! `k:` and `v:` tokens are kept in a canonical form (object keys sorted, compact JSON) so
//! that tokens written by anyone compare equal.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use rollouts_compat::json::sorted_json;
use serde_json::{Map, Value};

use super::json_eq;
use super::strategy::{FieldStrategy, Strategy};

/// A field path as `FieldsV1` tokens.
pub(super) type FieldPath = Vec<String>;

/// Metadata fields that are never owned (Kubernetes strips the same set).
const UNOWNED_METADATA: [&str; 9] = [
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
];

/// A set of owned field paths. A member is a leaf value, a whole atomic list or empty map,
/// a keyed list element (`k:`, its existence) or a set element (`v:`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct FieldSet {
    members: BTreeSet<FieldPath>,
}

/// How a list takes part in apply: merged by key, merged as a set, or owned as a whole.
pub(super) enum ListMode<'s> {
    Keyed(&'s str),
    Set,
    Atomic,
}

/// The apply mode of the list at `fields` holding `items`: keyed or set merging needs both
/// the strategy and elements that fit it.
pub(super) fn list_mode<'s>(strategy: Option<&'s Strategy>, fields: &[String], items: &[Value]) -> ListMode<'s> {
    match strategy.and_then(|s| s.get(fields)) {
        Some(FieldStrategy::MergeByKey { key, .. })
            if items.iter().all(|i| i.get(key.as_str()).is_some_and(|v| !v.is_null())) =>
        {
            ListMode::Keyed(key)
        }
        Some(FieldStrategy::MergeSet) if items.iter().all(|i| !i.is_object() && !i.is_array()) => ListMode::Set,
        _ => ListMode::Atomic,
    }
}

impl FieldSet {
    /// The fields an object sets (null members count as unset), excluding `apiVersion`,
    /// `kind` and the metadata fields the server manages.
    pub(super) fn of_object(object: &Value, strategy: Option<&Strategy>) -> FieldSet {
        let mut set = FieldSet::default();
        if let Value::Object(map) = object {
            set.collect_object(map, strategy, &mut Vec::new(), &mut Vec::new());
        }
        set
    }

    fn collect_object(
        &mut self,
        map: &Map<String, Value>,
        strategy: Option<&Strategy>,
        fields: &mut Vec<String>,
        tokens: &mut FieldPath,
    ) {
        for (name, value) in map {
            let unowned = (tokens.is_empty() && (name == "apiVersion" || name == "kind"))
                || (tokens.len() == 1 && tokens[0] == "f:metadata" && UNOWNED_METADATA.contains(&name.as_str()));
            if value.is_null() || unowned {
                continue;
            }
            fields.push(name.clone());
            tokens.push(format!("f:{name}"));
            self.collect_value(value, strategy, fields, tokens);
            tokens.pop();
            fields.pop();
        }
    }

    fn collect_value(
        &mut self,
        value: &Value,
        strategy: Option<&Strategy>,
        fields: &mut Vec<String>,
        tokens: &mut FieldPath,
    ) {
        match value {
            Value::Object(map) if !map.is_empty() => self.collect_object(map, strategy, fields, tokens),
            Value::Array(items) => match list_mode(strategy, fields, items) {
                ListMode::Keyed(key) => {
                    for item in items {
                        let (Value::Object(element), Some(id)) = (item, item.get(key)) else {
                            continue;
                        };
                        tokens.push(key_token(key, id));
                        self.members.insert(tokens.clone());
                        self.collect_object(element, strategy, fields, tokens);
                        tokens.pop();
                    }
                }
                ListMode::Set => {
                    for item in items.iter().filter(|i| !i.is_null()) {
                        tokens.push(format!("v:{}", sorted_json(item)));
                        self.members.insert(tokens.clone());
                        tokens.pop();
                    }
                }
                ListMode::Atomic => {
                    self.members.insert(tokens.clone());
                }
            },
            _ => {
                self.members.insert(tokens.clone());
            }
        }
    }

    /// Decodes a `fieldsV1` object; anything unrecognisable is ignored.
    pub(super) fn from_fields_v1(value: &Value) -> FieldSet {
        let mut set = FieldSet::default();
        set.decode(value, &mut Vec::new());
        set
    }

    fn decode(&mut self, value: &Value, prefix: &mut FieldPath) {
        let Value::Object(map) = value else { return };
        if map.is_empty() && !prefix.is_empty() {
            self.members.insert(prefix.clone());
        }
        for (token, child) in map {
            if token == "." {
                if !prefix.is_empty() {
                    self.members.insert(prefix.clone());
                }
                continue;
            }
            prefix.push(canonical_token(token));
            self.decode(child, prefix);
            prefix.pop();
        }
    }

    /// Encodes the set as a `fieldsV1` object: nested token maps, `{}` for leaves and a `"."`
    /// entry for members that also have owned children.
    pub(super) fn to_fields_v1(&self) -> Value {
        #[derive(Default)]
        struct Node {
            member: bool,
            children: BTreeMap<String, Node>,
        }
        fn encode(node: &Node) -> Value {
            let mut map = Map::new();
            if node.member && !node.children.is_empty() {
                map.insert(".".to_string(), Value::Object(Map::new()));
            }
            for (token, child) in &node.children {
                map.insert(token.clone(), encode(child));
            }
            Value::Object(map)
        }
        let mut root = Node::default();
        for path in &self.members {
            let node = path
                .iter()
                .fold(&mut root, |node, token| node.children.entry(token.clone()).or_default());
            node.member = true;
        }
        encode(&root)
    }

    pub(super) fn contains(&self, path: &[String]) -> bool {
        self.members.contains(path)
    }

    /// Whether the set owns `path` itself or anything below it.
    pub(super) fn owns_within(&self, path: &[String]) -> bool {
        let mut from = self
            .members
            .range::<[String], _>((Bound::Included(path), Bound::Unbounded));
        from.next().is_some_and(|p| p.starts_with(path))
    }

    pub(super) fn remove(&mut self, path: &[String]) -> bool {
        self.members.remove(path)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &FieldPath> {
        self.members.iter()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

fn key_token(key: &str, id: &Value) -> String {
    format!("k:{{{}:{}}}", Value::String(key.to_string()), sorted_json(id))
}

fn canonical_token(token: &str) -> String {
    for prefix in ["k:", "v:"] {
        if let Some(json) = token.strip_prefix(prefix)
            && let Ok(value) = serde_json::from_str::<Value>(json)
        {
            return format!("{prefix}{}", sorted_json(&value));
        }
    }
    token.to_string()
}

/// The position of the list element a `k:`, `v:` or `i:` token names.
fn element_position(items: &[Value], token: &str) -> Option<usize> {
    if let Some(json) = token.strip_prefix("k:") {
        let keys: Value = serde_json::from_str(json).ok()?;
        let keys = keys.as_object()?;
        items
            .iter()
            .position(|item| keys.iter().all(|(k, v)| item.get(k).is_some_and(|x| json_eq(x, v))))
    } else if let Some(json) = token.strip_prefix("v:") {
        let wanted: Value = serde_json::from_str(json).ok()?;
        items.iter().position(|item| json_eq(item, &wanted))
    } else {
        token.strip_prefix("i:")?.parse().ok().filter(|i| *i < items.len())
    }
}

/// The value at a field path, if present.
pub(super) fn resolve<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter()
        .try_fold(value, |node, token| match token.strip_prefix("f:") {
            Some(name) => node.as_object()?.get(name),
            None => {
                let items = node.as_array()?;
                items.get(element_position(items, token)?)
            }
        })
}

fn resolve_mut<'v>(value: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    path.iter()
        .try_fold(value, |node, token| match token.strip_prefix("f:") {
            Some(name) => node.as_object_mut()?.get_mut(name),
            None => {
                let items = node.as_array_mut()?;
                let i = element_position(items, token)?;
                items.get_mut(i)
            }
        })
}

/// Removes the value at a field path; returns whether something was removed.
pub(super) fn remove_at(value: &mut Value, path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let Some(parent) = resolve_mut(value, parents) else {
        return false;
    };
    match (last.strip_prefix("f:"), parent) {
        (Some(name), Value::Object(map)) => map.remove(name).is_some(),
        (None, Value::Array(items)) => match element_position(items, last) {
            Some(i) => {
                items.remove(i);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Whether `path` is a key field of the keyed element that contains it, e.g. the `f:name`
/// under `k:{"name":"app"}`; such fields live and die with their element.
pub(super) fn is_element_key(path: &[String]) -> bool {
    let [.., parent, last] = path else { return false };
    let (Some(json), Some(field)) = (parent.strip_prefix("k:"), last.strip_prefix("f:")) else {
        return false;
    };
    serde_json::from_str::<Value>(json)
        .ok()
        .is_some_and(|keys| keys.get(field).is_some())
}

/// The path as Kubernetes prints it in conflicts: `.spec.containers[name="app"].image`.
pub(super) fn display_path(path: &[String]) -> String {
    let mut out = String::new();
    for token in path {
        if let Some(name) = token.strip_prefix("f:") {
            out.push('.');
            out.push_str(name);
        } else if let Some(json) = token.strip_prefix("k:") {
            let keys: Value = serde_json::from_str(json).unwrap_or(Value::Null);
            let parts: Vec<String> = match keys.as_object() {
                Some(map) => map.iter().map(|(k, v)| format!("{k}={}", sorted_json(v))).collect(),
                None => vec![json.to_string()],
            };
            out.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(json) = token.strip_prefix("v:") {
            out.push_str(&format!("[={json}]"));
        } else if let Some(index) = token.strip_prefix("i:") {
            out.push_str(&format!("[{index}]"));
        } else {
            out.push_str(&format!(".{token}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_v1_round_trips_with_dot_members() {
        let encoded = json!({"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}},
                             "f:replicas": {}}});
        let set = FieldSet::from_fields_v1(&encoded);
        assert_eq!(set.iter().count(), 4);
        assert_eq!(set.to_fields_v1(), encoded);
    }

    #[test]
    fn key_tokens_are_canonical() {
        let a = FieldSet::from_fields_v1(&json!({"k:{\"protocol\":\"TCP\",\"containerPort\":80}": {}}));
        let b = FieldSet::from_fields_v1(&json!({"k:{\"containerPort\":80, \"protocol\":\"TCP\"}": {}}));
        assert_eq!(a, b);
        assert!(a.contains(&["k:{\"containerPort\":80,\"protocol\":\"TCP\"}".to_string()]));
    }

    #[test]
    fn paths_resolve_remove_and_print() {
        let mut obj = json!({"spec": {"ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 81}],
                                      "finalizers": ["a", "b"]}});
        let port: Vec<String> = vec!["f:spec".into(), "f:ports".into(), "k:{\"containerPort\":81}".into()];
        assert_eq!(resolve(&obj, &port), Some(&json!({"containerPort": 81})));
        assert_eq!(display_path(&port), ".spec.ports[containerPort=81]");
        let fin: Vec<String> = vec!["f:spec".into(), "f:finalizers".into(), "v:\"b\"".into()];
        assert_eq!(display_path(&fin), ".spec.finalizers[=\"b\"]");
        assert!(remove_at(&mut obj, &port));
        assert!(remove_at(&mut obj, &fin));
        assert!(!remove_at(&mut obj, &fin));
        assert_eq!(
            obj,
            json!({"spec": {"ports": [{"containerPort": 80, "protocol": "TCP"}], "finalizers": ["a"]}})
        );
        assert!(is_element_key(&["k:{\"name\":\"x\"}".into(), "f:name".into()]));
        assert!(!is_element_key(&["k:{\"name\":\"x\"}".into(), "f:image".into()]));
    }

    #[test]
    fn owns_within_checks_descendants() {
        let set = FieldSet::from_fields_v1(&json!({"f:a": {"f:b": {"f:c": {}}}, "f:ab": {}}));
        assert!(set.owns_within(&["f:a".to_string()]));
        assert!(set.owns_within(&["f:a".to_string(), "f:b".to_string()]));
        assert!(!set.owns_within(&["f:a".to_string(), "f:x".to_string()]));
        assert!(!set.contains(&["f:a".to_string()]));
    }
}
