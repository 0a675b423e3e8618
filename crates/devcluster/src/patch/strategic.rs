//! Kubernetes strategic merge patch: the map half of the algorithm (directives on maps,
//! `$retainKeys`, `$deleteFromPrimitiveList`, recursion). Lists live in `strategic_list`.
//!
//! Behaviour follows the apimachinery implementation that kube-apiserver runs, with these
//! deliberate differences:
//! - directive keys never reach the result, also inside values that are new to the object
//!   (Kubernetes copies such values verbatim);
//! - `$patch: delete` on a map removes the key (Kubernetes leaves `{}`);
//! - `$patch: merge` on a map is accepted as the explicit default (Kubernetes rejects it).

use serde_json::{Map, Value};

use super::strategy::{FieldStrategy, Strategy};
use super::{PatchError, json_eq};

pub(super) const PATCH: &str = "$patch";
pub(super) const RETAIN_KEYS: &str = "$retainKeys";
pub(super) const SET_ELEMENT_ORDER: &str = "$setElementOrder";
pub(super) const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";

/// Applies a strategic merge patch to a copy of `original`.
///
/// Maps merge recursively and `null` deletes a key. Lists are replaced unless `strategy`
/// says they merge: lists of objects merge element-wise by their merge key, primitive lists
/// are unioned. The directives kubectl sends are honoured: `$patch: replace|delete|merge`,
/// `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`. Malformed
/// directives and list elements without their merge key are errors.
pub fn strategic_merge_patch(original: &Value, patch: &Value, strategy: &Strategy) -> Result<Value, PatchError> {
    let Value::Object(original) = original else {
        return Err(PatchError::invalid(
            "invalid JSON document: the object to patch is not a JSON object",
        ));
    };
    let Value::Object(patch) = patch else {
        return Err(PatchError::invalid(
            "invalid JSON document: a strategic merge patch must be a JSON object",
        ));
    };
    let merger = Merger { strategy };
    let merged = merger.merge_map(original.clone(), patch, &mut Vec::new())?;
    Ok(Value::Object(merged.unwrap_or_default()))
}

/// The merge walk; `path` is the field path of the map or list being merged, which is how
/// the strategy is looked up.
pub(super) struct Merger<'a> {
    pub(super) strategy: &'a Strategy,
}

impl Merger<'_> {
    /// Merges `patch` into `original`; `None` means the map is deleted (`$patch: delete`).
    pub(super) fn merge_map(
        &self,
        mut original: Map<String, Value>,
        patch: &Map<String, Value>,
        path: &mut Vec<String>,
    ) -> Result<Option<Map<String, Value>>, PatchError> {
        if let Some(directive) = patch.get(PATCH) {
            return match directive.as_str() {
                Some("replace") => self.merge_map(Map::new(), &without(patch, PATCH), path),
                Some("delete") => Ok(None),
                Some("merge") => self.merge_map(original, &without(patch, PATCH), path),
                _ => Err(PatchError::invalid(format!(
                    "unknown patch type: {directive} in map: {}",
                    Value::Object(patch.clone())
                ))),
            };
        }
        apply_retain_keys(&mut original, patch)?;
        let ordered = self.apply_set_element_order(&mut original, patch, path)?;
        for (key, value) in patch {
            if is_directive(key) || ordered.contains(key) {
                continue;
            }
            if value.is_null() {
                original.remove(key);
                continue;
            }
            path.push(key.clone());
            let old = original.get_mut(key).map(std::mem::take);
            let merged = match (old, value) {
                (Some(Value::Object(o)), Value::Object(p))
                    if self.strategy.get(path) != Some(&FieldStrategy::Replace) =>
                {
                    self.merge_map(o, p, path)?.map(Value::Object)
                }
                (Some(Value::Array(o)), Value::Array(p)) => Some(Value::Array(self.merge_list(o, p, path)?)),
                (_, v) => self.fresh(v, path)?,
            };
            path.pop();
            match merged {
                Some(v) => original.insert(key.clone(), v),
                None => original.remove(key),
            };
        }
        apply_delete_from_primitive_lists(&mut original, patch)?;
        Ok(Some(original))
    }

    /// A patch value with nothing to merge into (new key, or a different JSON type): the
    /// value itself with directives resolved against an empty original.
    pub(super) fn fresh(&self, value: &Value, path: &mut Vec<String>) -> Result<Option<Value>, PatchError> {
        Ok(match value {
            Value::Null => None,
            Value::Object(p) => self.merge_map(Map::new(), p, path)?.map(Value::Object),
            Value::Array(p) => Some(Value::Array(self.merge_list(Vec::new(), p, path)?)),
            other => Some(other.clone()),
        })
    }
}

/// Whether a patch key is a directive rather than a field.
pub(super) fn is_directive(key: &str) -> bool {
    key == PATCH
        || key == RETAIN_KEYS
        || key.starts_with(SET_ELEMENT_ORDER)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

/// The list field a `$prefix/<field>` directive key names.
pub(super) fn directive_field<'k>(key: &'k str, prefix: &str, malformed: &str) -> Result<&'k str, PatchError> {
    match key.split_once('/') {
        Some((head, field)) if head == prefix && !field.is_empty() => Ok(field),
        _ => Err(PatchError::invalid(format!("{malformed}: {key:?}"))),
    }
}

fn without(map: &Map<String, Value>, key: &str) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| k.as_str() != key)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `$retainKeys: [...]`: drops every key of `original` not listed; every field the patch sets
/// must be listed.
fn apply_retain_keys(original: &mut Map<String, Value>, patch: &Map<String, Value>) -> Result<(), PatchError> {
    let Some(retain) = patch.get(RETAIN_KEYS) else {
        return Ok(());
    };
    let keys: Option<Vec<&str>> = match retain {
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    };
    let Some(keys) = keys else {
        return Err(PatchError::invalid(
            "invalid patch format of retainKeys: $retainKeys must be a list of field names",
        ));
    };
    if let Some((field, _)) = patch
        .iter()
        .find(|(k, v)| !v.is_null() && !is_directive(k) && !keys.contains(&k.as_str()))
    {
        return Err(PatchError::invalid(format!(
            "invalid patch format of retainKeys: {field:?} is set but not listed in $retainKeys"
        )));
    }
    original.retain(|k, _| keys.contains(&k.as_str()));
    Ok(())
}

/// `$deleteFromPrimitiveList/<field>: [...]`: removes those values from a primitive list.
fn apply_delete_from_primitive_lists(
    original: &mut Map<String, Value>,
    patch: &Map<String, Value>,
) -> Result<(), PatchError> {
    const MALFORMED: &str = "invalid patch format of primitive list";
    for (key, value) in patch.iter().filter(|(k, _)| k.starts_with(DELETE_FROM_PRIMITIVE_LIST)) {
        let field = directive_field(key, DELETE_FROM_PRIMITIVE_LIST, MALFORMED)?;
        let Value::Array(doomed) = value else {
            return Err(PatchError::invalid(format!("{MALFORMED}: {key:?} must be a list")));
        };
        if doomed.iter().any(|v| v.is_object() || v.is_array()) {
            return Err(PatchError::invalid(format!(
                "{MALFORMED}: {key:?} may only list primitive values"
            )));
        }
        if let Some(Value::Array(items)) = original.get_mut(field) {
            items.retain(|item| !doomed.iter().any(|d| json_eq(d, item)));
        }
    }
    Ok(())
}
