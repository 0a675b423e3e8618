//! Strategic merge patch, the list half: element-wise merging by key, primitive set union,
//! `$patch` list directives, `$setElementOrder` and Kubernetes' element-ordering rules.
//!
//! Ordering follows apimachinery: elements named by the patch (or by `$setElementOrder`) come
//! in the patch's order, elements only on the server keep their relative order, and the two
//! sequences are interleaved by the positions they had in the original list. A merged
//! element new to the list therefore lands before the server-only elements unless a
//! `$setElementOrder` directive (which kubectl always sends) places it.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::strategic::{Merger, PATCH, SET_ELEMENT_ORDER, directive_field};
use super::strategy::FieldStrategy;
use super::{PatchError, json_eq, type_name};

impl Merger<'_> {
    /// Merges a patch list into an original list according to the strategy at `path`.
    pub(super) fn merge_list(
        &self,
        original: Vec<Value>,
        patch: &[Value],
        path: &mut Vec<String>,
    ) -> Result<Vec<Value>, PatchError> {
        match self.strategy.get(path) {
            Some(FieldStrategy::MergeByKey { key, .. }) => self.merge_slice(original, patch, Some(key), path),
            Some(FieldStrategy::MergeSet) => self.merge_slice(original, patch, None, path),
            _ => self.replace_list(patch, path),
        }
    }

    /// An atomic list: the patch list, with directives resolved and `$patch` markers dropped.
    fn replace_list(&self, patch: &[Value], path: &mut Vec<String>) -> Result<Vec<Value>, PatchError> {
        let mut out = Vec::with_capacity(patch.len());
        for item in patch {
            match item {
                Value::Object(m) if m.contains_key(PATCH) => {}
                Value::Object(m) => out.extend(self.merge_map(Map::new(), m, path)?.map(Value::Object)),
                Value::Array(inner) => out.push(Value::Array(self.replace_list(inner, path)?)),
                other => out.push(other.clone()),
            }
        }
        Ok(out)
    }

    fn merge_slice(
        &self,
        original: Vec<Value>,
        patch: &[Value],
        key: Option<&str>,
        path: &mut Vec<String>,
    ) -> Result<Vec<Value>, PatchError> {
        if original.is_empty() && patch.is_empty() {
            return Ok(original);
        }
        if !elements_are_objects(&original, patch)? {
            let mut merged: Vec<Value> = Vec::with_capacity(original.len() + patch.len());
            for item in original.iter().chain(patch) {
                if !merged.iter().any(|m| json_eq(m, item)) {
                    merged.push(item.clone());
                }
            }
            return order_merged(merged, patch, &original, None);
        }
        let Some(key) = key else {
            return Err(PatchError::invalid(format!(
                "cannot merge lists without merge key for {}",
                path.join(".")
            )));
        };
        let mut merged = original;
        let mut plain = Vec::with_capacity(patch.len());
        let mut replace = false;
        for item in patch {
            let Value::Object(m) = item else { continue };
            let Some(directive) = m.get(PATCH) else {
                plain.push(m);
                continue;
            };
            match directive.as_str() {
                Some("delete") => {
                    let doomed = m.get(key).ok_or_else(|| no_merge_key(m, key))?;
                    merged.retain(|o| !o.get(key).is_some_and(|v| json_eq(v, doomed)));
                }
                Some("replace") => replace = true,
                Some("merge") => {
                    return Err(PatchError::invalid(
                        "merging lists cannot yet be specified in the patch",
                    ));
                }
                _ => {
                    return Err(PatchError::invalid(format!(
                        "unknown patch type: {directive} in map: {}",
                        Value::Object(m.clone())
                    )));
                }
            }
        }
        if replace {
            let mut out = Vec::with_capacity(plain.len());
            for m in plain {
                out.extend(self.merge_map(Map::new(), m, path)?.map(Value::Object));
            }
            return Ok(out);
        }
        let server_order = merged.clone();
        for m in &plain {
            let wanted = m.get(key).ok_or_else(|| no_merge_key(m, key))?;
            let found = merged
                .iter()
                .position(|o| o.get(key).is_some_and(|v| json_eq(v, wanted)));
            match found {
                Some(i) => {
                    let old = match std::mem::take(&mut merged[i]) {
                        Value::Object(o) => o,
                        _ => Map::new(),
                    };
                    match self.merge_map(old, m, path)? {
                        Some(new) => merged[i] = Value::Object(new),
                        None => drop(merged.remove(i)),
                    }
                }
                None => merged.extend(self.merge_map(Map::new(), m, path)?.map(Value::Object)),
            }
        }
        let patch_items: Vec<Value> = plain.into_iter().map(|m| Value::Object(m.clone())).collect();
        order_merged(merged, &patch_items, &server_order, Some(key))
    }

    /// Handles every `$setElementOrder/<field>` of `patch`: merges that field's list now and
    /// orders it as the directive says. Returns the fields it handled.
    pub(super) fn apply_set_element_order(
        &self,
        original: &mut Map<String, Value>,
        patch: &Map<String, Value>,
        path: &mut Vec<String>,
    ) -> Result<BTreeSet<String>, PatchError> {
        const MALFORMED: &str = "invalid patch format of setElementOrder list";
        let mut handled = BTreeSet::new();
        for (directive, order) in patch.iter().filter(|(k, _)| k.starts_with(SET_ELEMENT_ORDER)) {
            let field = directive_field(directive, SET_ELEMENT_ORDER, MALFORMED)?;
            let Value::Array(order) = order else {
                return Err(PatchError::invalid(format!(
                    "{MALFORMED}: {directive:?} must be a list"
                )));
            };
            path.push(field.to_string());
            let key = match self.strategy.get(path) {
                Some(FieldStrategy::MergeByKey { key, .. }) => Some(key.as_str()),
                Some(FieldStrategy::MergeSet) => None,
                // Ordering only means something for merging lists; elsewhere it is ignored.
                _ => {
                    path.pop();
                    continue;
                }
            };
            let original_list = list_field(original, field, true)?;
            let patch_list = list_field(patch, field, false)?;
            validate_against_order(patch_list.as_deref().unwrap_or_default(), order, key)?;
            let merged = match (original_list.clone(), patch_list) {
                (Some(o), None) => o,
                (o, Some(p)) => self.merge_list(o.unwrap_or_default(), &p, path)?,
                (None, None) => {
                    path.pop();
                    continue;
                }
            };
            let ordered = order_merged(merged, order, &original_list.unwrap_or_default(), key)?;
            original.insert(field.to_string(), Value::Array(ordered));
            handled.insert(field.to_string());
            path.pop();
        }
        Ok(handled)
    }
}

/// Whether the elements (of both lists) are objects; errors on lists of lists and mixed types.
fn elements_are_objects(original: &[Value], patch: &[Value]) -> Result<bool, PatchError> {
    let mut seen: Option<&'static str> = None;
    for item in original.iter().chain(patch).filter(|v| !v.is_null()) {
        if item.is_array() {
            return Err(PatchError::invalid("lists of lists are not supported"));
        }
        let kind = type_name(item);
        match seen {
            Some(prev) if prev != kind => {
                return Err(PatchError::invalid(format!(
                    "list element types are not identical: {} and {}",
                    Value::Array(original.to_vec()),
                    Value::Array(patch.to_vec())
                )));
            }
            _ => seen = Some(kind),
        }
    }
    Ok(seen == Some("map"))
}

fn list_field(map: &Map<String, Value>, field: &str, null_is_absent: bool) -> Result<Option<Vec<Value>>, PatchError> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::Null) if null_is_absent => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items.clone())),
        Some(other) => Err(PatchError::invalid(format!(
            "expected a list for {field:?}, but received a {}",
            type_name(other)
        ))),
    }
}

pub(super) fn no_merge_key(m: &Map<String, Value>, key: &str) -> PatchError {
    PatchError::invalid(format!(
        "map: {} does not contain declared merge key: {key}",
        Value::Object(m.clone())
    ))
}

/// What identifies an element: its merge key value, or the element itself for primitives.
fn identity<'v>(item: &'v Value, key: Option<&str>) -> Option<&'v Value> {
    match key {
        Some(k) => item.get(k),
        None => Some(item),
    }
}

fn identities(items: &[Value], key: Option<&str>) -> Vec<Value> {
    items.iter().filter_map(|i| identity(i, key).cloned()).collect()
}

fn position(order: &[Value], item: &Value, key: Option<&str>) -> Option<usize> {
    let id = identity(item, key)?;
    order.iter().position(|o| json_eq(o, id))
}

/// Splits `merged` into the elements named by `wanted` and the server-only ones, orders the
/// first by `wanted` and the second by `server`, and interleaves them.
fn order_merged(
    merged: Vec<Value>,
    wanted: &[Value],
    server: &[Value],
    key: Option<&str>,
) -> Result<Vec<Value>, PatchError> {
    let wanted_ids = if key.is_some() {
        let mut ids = Vec::with_capacity(wanted.len());
        for w in wanted {
            match (w, key.and_then(|k| w.get(k))) {
                (Value::Object(m), Some(_)) if m.get(PATCH).and_then(Value::as_str) == Some("delete") => {}
                (_, Some(id)) => ids.push(id.clone()),
                (Value::Object(m), None) => return Err(no_merge_key(m, key.unwrap_or_default())),
                (other, None) => {
                    return Err(PatchError::invalid(format!(
                        "expected a map, but received a {}",
                        type_name(other)
                    )));
                }
            }
        }
        ids
    } else {
        wanted.to_vec()
    };
    let server_ids = identities(server, key);
    let (mut named, mut server_only): (Vec<Value>, Vec<Value>) = (Vec::new(), Vec::new());
    for item in merged {
        if let (Some(k), Value::Object(m)) = (key, &item)
            && !m.contains_key(k)
        {
            return Err(no_merge_key(m, k));
        }
        if position(&wanted_ids, &item, key).is_some() {
            named.push(item);
        } else {
            server_only.push(item);
        }
    }
    named.sort_by_key(|item| position(&wanted_ids, item, key).unwrap_or(usize::MAX));
    server_only.sort_by_key(|item| position(&server_ids, item, key).unwrap_or(usize::MAX));
    Ok(interleave(server_only, named, &server_ids, key))
}

/// Merges two ordered, disjoint lists: a server-only element goes first when the original
/// list had it before the next named element; otherwise the named element goes first.
fn interleave(left: Vec<Value>, right: Vec<Value>, server_ids: &[Value], key: Option<&str>) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => match (position(server_ids, l, key), position(server_ids, r, key)) {
                (Some(li), Some(ri)) => li < ri,
                _ => false,
            },
        };
        out.extend(if take_left { left.next() } else { right.next() });
    }
    out
}

/// Checks that the patch list names its elements in the same relative order as the
/// `$setElementOrder` list and names nothing that list does not.
fn validate_against_order(patch: &[Value], order: &[Value], key: Option<&str>) -> Result<(), PatchError> {
    if patch.is_empty() || order.is_empty() {
        return Ok(());
    }
    let named: Vec<&Value> = patch
        .iter()
        .filter(|v| !v.as_object().is_some_and(|m| m.contains_key(PATCH)))
        .collect();
    let (mut pi, mut oi) = (0, 0);
    while pi < named.len() && oi < order.len() {
        if same_element(named[pi], &order[oi], key)? {
            pi += 1;
        }
        oi += 1;
    }
    if pi < named.len() {
        return Err(PatchError::invalid(format!(
            "the order in patch list {} doesn't match $setElementOrder list {}",
            Value::Array(patch.to_vec()),
            Value::Array(order.to_vec())
        )));
    }
    Ok(())
}

fn same_element(a: &Value, b: &Value, key: Option<&str>) -> Result<bool, PatchError> {
    let Some(k) = key else {
        return Ok(json_eq(a, b));
    };
    Ok(json_eq(key_of(a, k)?, key_of(b, k)?))
}

fn key_of<'v>(item: &'v Value, key: &str) -> Result<&'v Value, PatchError> {
    match item {
        Value::Object(m) => m.get(key).ok_or_else(|| no_merge_key(m, key)),
        other => Err(PatchError::invalid(format!(
            "expected a map, but received a {}",
            type_name(other)
        ))),
    }
}
