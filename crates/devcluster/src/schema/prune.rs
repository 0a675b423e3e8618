//! Pruning: custom resources keep only the fields their schema specifies, as the API server does on every
//! request and storage read, and drop `null`s that the schema neither allows nor can default.

use serde_json::Value;

use super::node::{Additional, Node, is_meta_field};

/// Collects the paths of dropped fields (`spec.foo`, `spec.steps[0].bar`) when asked to.
pub(crate) struct Tracker {
    on: bool,
    path: String,
    pub(crate) found: Vec<String>,
}

impl Tracker {
    pub(crate) fn new(on: bool) -> Tracker {
        Tracker {
            on,
            path: String::new(),
            found: Vec::new(),
        }
    }

    fn record(&mut self, key: &str) {
        if self.on {
            let len = self.path.len();
            self.push_key(key);
            self.found.push(self.path.clone());
            self.path.truncate(len);
        }
    }

    fn push_key(&mut self, key: &str) {
        if self.on {
            if !self.path.is_empty() {
                self.path.push('.');
            }
            self.path.push_str(key);
        }
    }

    fn push_index(&mut self, i: usize) {
        if self.on {
            self.path.push_str(&format!("[{i}]"));
        }
    }

    fn mark(&self) -> usize {
        self.path.len()
    }

    fn reset(&mut self, mark: usize) {
        self.path.truncate(mark);
    }
}

/// Removes from `x` what schema `s` does not specify. `embedded` marks a resource (the root, or an
/// `x-kubernetes-embedded-resource` node), whose `apiVersion`, `kind` and `metadata` are left as they are.
pub(crate) fn prune_unknown(x: &mut Value, s: Option<Node<'_>>, embedded: bool, t: &mut Tracker) {
    if let Some(s) = s
        && s.preserve_unknown()
    {
        skip_prune(x, s, embedded, t);
        return;
    }
    let mark = t.mark();
    match x {
        Value::Object(map) => {
            let Some(s) = s else {
                for k in map.keys() {
                    t.record(k);
                }
                map.clear();
                return;
            };
            let mut drop = Vec::new();
            for (k, v) in map.iter_mut() {
                if embedded && is_meta_field(k) {
                    continue;
                }
                if !prune_specified(k, v, s, t) {
                    if !is_meta_field(k) || !t.path.is_empty() {
                        t.record(k);
                    }
                    drop.push(k.clone());
                }
            }
            for k in drop {
                map.remove(&k);
            }
        }
        Value::Array(items) => {
            let item_schema = s.and_then(Node::items);
            let item_embedded = item_schema.is_some_and(Node::embedded);
            for (i, v) in items.iter_mut().enumerate() {
                t.push_index(i);
                prune_unknown(v, item_schema, item_embedded, t);
                t.reset(mark);
            }
        }
        _ => {}
    }
}

/// Prunes the value of field `k` by what `s` specifies for it (its property, or `additionalProperties`);
/// false, touching nothing, when `s` does not specify it.
fn prune_specified(k: &str, v: &mut Value, s: Node<'_>, t: &mut Tracker) -> bool {
    let (field, embedded) = match (s.property(k), s.additional()) {
        (Some(p), _) => (Some(p), p.embedded()),
        (None, Additional::Schema(extra)) => (Some(extra), extra.embedded()),
        (None, Additional::Bool(_)) => (None, false),
        (None, Additional::Absent) => return false,
    };
    let mark = t.mark();
    t.push_key(k);
    prune_unknown(v, field, embedded, t);
    t.reset(mark);
    true
}

/// Under `x-kubernetes-preserve-unknown-fields`: unknown fields stay, specified ones are still pruned.
fn skip_prune(x: &mut Value, s: Node<'_>, embedded: bool, t: &mut Tracker) {
    let mark = t.mark();
    match x {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if embedded && is_meta_field(k) {
                    continue;
                }
                prune_specified(k, v, s, t);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.items() {
                for (i, v) in items.iter_mut().enumerate() {
                    t.push_index(i);
                    skip_prune(v, item_schema, item_schema.embedded(), t);
                    t.reset(mark);
                }
            }
        }
        _ => {}
    }
}

/// Drops `null` values of fields that are neither `nullable` nor defaulted.
pub(crate) fn prune_nulls(x: &mut Value, s: Option<Node<'_>>) {
    match x {
        Value::Object(map) => {
            let mut drop = Vec::new();
            for (k, v) in map.iter_mut() {
                let field_schema = s.and_then(|s| s.property(k).or_else(|| s.additional_schema()));
                match field_schema {
                    Some(f) if v.is_null() && !f.nullable() && f.default_value().is_none() => drop.push(k.clone()),
                    _ => prune_nulls(v, field_schema),
                }
            }
            for k in drop {
                map.remove(&k);
            }
        }
        Value::Array(items) => {
            let item_schema = s.and_then(Node::items);
            for v in items {
                prune_nulls(v, item_schema);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(obj: &mut Value, s: &Value) -> Vec<String> {
        let mut t = Tracker::new(true);
        prune_unknown(obj, Some(Node(s)), true, &mut t);
        prune_nulls(obj, Some(Node(s)));
        t.found.sort();
        t.found
    }

    #[test]
    fn drops_unknown_keeps_meta_and_preserved() {
        let s = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "replicas": {"type": "integer"},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                         "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "steps": {"type": "array", "items": {"type": "object", "properties": {"w": {"type": "integer"}}}},
                "opt": {"type": "string"},
                "nul": {"type": "string", "nullable": true}}}}});
        let mut obj = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n", "whatever": 1},
            "spec": {"replicas": 1, "bogus": true, "free": {"anything": {"deep": 1}, "known": {"a": "x", "b": "y"}},
                     "labels": {"a": "b"}, "steps": [{"w": 1, "x": 2}], "opt": null, "nul": null},
            "status": {"x": 1}});
        let found = run(&mut obj, &s);
        assert_eq!(
            found,
            vec!["spec.bogus", "spec.free.known.b", "spec.steps[0].x", "status"]
        );
        assert_eq!(
            obj,
            json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n", "whatever": 1},
                "spec": {"replicas": 1, "free": {"anything": {"deep": 1}, "known": {"a": "x"}},
                         "labels": {"a": "b"}, "steps": [{"w": 1}], "nul": null}})
        );
    }

    #[test]
    fn embedded_resources_keep_meta_and_bool_additional_properties_empty_maps() {
        let s = json!({"type": "object", "properties": {
            "tpl": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object"}}},
            "any": {"type": "object", "additionalProperties": true}}});
        let mut obj = json!({"tpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"x": 1}, "spec": {}, "junk": 1},
                             "any": {"a": 1, "b": {"c": 1}}});
        let found = run(&mut obj, &s);
        assert_eq!(found, vec!["any.b.c", "tpl.junk"]);
        assert_eq!(
            obj,
            json!({"tpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"x": 1}, "spec": {}}, "any": {"a": 1, "b": {}}})
        );
    }
}
