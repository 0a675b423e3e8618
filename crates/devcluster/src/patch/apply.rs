//! Server-side apply, simplified.
//!
//! An apply request carries the full configuration one field manager wants; the server merges
//! it into the live object, records which fields that manager now owns in
//! `metadata.managedFields` (operation `Apply`, `FieldsV1` encoding), removes fields the
//! manager owned before but no longer applies, and refuses to overwrite fields owned by other
//! appliers unless forced.
//!
//! Simplifications compared with Kubernetes (structured-merge-diff):
//!
//! 1. **No schema.** List semantics come from the strategic-merge-patch [`Strategy`]: a list
//!    with a patch merge key is merged by that single key (Kubernetes' apply uses
//!    `x-kubernetes-list-map-keys`, which is sometimes a compound key such as
//!    `containerPort`+`protocol`); a primitive merge list is a set; every other list, and
//!    every list of a kind without a strategy (custom resources), is atomic. No defaulting,
//!    validation or version conversion happens.
//! 2. **Only appliers are tracked.** Create, update and patch requests do not record
//!    `Update` entries, so fields written that way are owned by nobody: they never conflict
//!    and are never protected from removal. `Update` entries already present are honoured
//!    for removal protection, never conflict, and silently lose fields an apply changes.
//! 3. **Conflicts** arise only for fields owned by another `Apply` entry whose value the apply
//!    changes (or, for a keyed element or set value, that the apply adds). With `force` the
//!    conflicting fields move to the applier.
//! 4. **`null`** in the applied configuration means "not applied": the field is neither
//!    merged nor owned, so it is removed only if this manager applied it before.
//! 5. **Removal** of a previously applied field skips fields another manager owns (or owns
//!    something under), fields applied again in another shape, and the key fields of keyed
//!    elements that stay; maps and lists emptied by a removal are removed as well.
//! 6. **Order.** Merged lists keep the live order; new elements are appended in applied order.
//! 7. **Bookkeeping.** The manager's entry (matched by manager name, operation `Apply` and no
//!    subresource) is replaced in place with `time: now` on every apply; entries left with no
//!    fields are dropped; `apiVersion` is the applied one. `status` gets no special treatment:
//!    callers that reset status on the main resource strip it before calling.
//! 8. **Ownership of metadata**: as in Kubernetes, `apiVersion`, `kind` and server-managed
//!    metadata (`name`, `namespace`, `uid`, `resourceVersion`, `generation`,
//!    `creationTimestamp`, `selfLink`, `managedFields`) are merged but never owned; labels,
//!    annotations, finalizers and ownerReferences are owned like any other field.

use std::cmp::Reverse;

use serde_json::{Map, Value, json};

use super::fieldset::{FieldPath, FieldSet, ListMode, display_path, is_element_key, list_mode, remove_at, resolve};
use super::strategy::Strategy;
use super::{ApplyError, FieldConflict, json_eq};

/// The field set of `value` in Kubernetes' `FieldsV1` encoding: `f:<field>` for members,
/// `k:{"<key>":<value>}` for keyed list elements (with `"."` for the element itself),
/// `v:<value>` for set values and `{}` for leaves. `apiVersion`, `kind` and server-managed
/// metadata are left out. Used to fill `managedFields`.
#[cfg(test)]
pub fn fields_v1(value: &Value, strategy: Option<&Strategy>) -> Value {
    FieldSet::of_object(value, strategy).to_fields_v1()
}

/// Applies `applied` on behalf of `manager` to `live` (`None` when creating) and returns the
/// new object with updated `metadata.managedFields`. See the module documentation for what is
/// simplified compared with Kubernetes.
pub fn server_side_apply(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    strategy: Option<&Strategy>,
    now: &str,
) -> Result<Value, ApplyError> {
    if manager.is_empty() {
        return Err(ApplyError::Invalid(
            "a field manager is required for apply requests".into(),
        ));
    }
    if !applied.is_object() {
        return Err(ApplyError::Invalid(
            "the applied configuration must be a JSON object".into(),
        ));
    }
    let live = match live {
        None => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(ApplyError::Invalid("the live object is not a JSON object".into())),
    };
    let mut applied = applied.clone();
    if let Some(Value::Object(meta)) = applied.get_mut("metadata") {
        meta.remove("managedFields");
    }
    reject_duplicate_keys(&applied, strategy, &mut Vec::new())?;
    let applied_set = FieldSet::of_object(&applied, strategy);
    let mut merged = live.clone();
    merge_value(&mut merged, &applied, strategy, &mut Vec::new())?;

    let mut entries = ManagedEntry::read_all(&live);
    let own = entries.iter().position(|e| e.is_apply() && e.manager == manager);
    let previous = own
        .and_then(|i| entries.get(i))
        .map(|e| e.set.clone())
        .unwrap_or_default();

    let mut conflicts = Vec::new();
    for member in applied_set.iter() {
        if same(observed(&merged, member), observed(&live, member)) {
            continue;
        }
        for (i, entry) in entries.iter_mut().enumerate() {
            if Some(i) == own || !entry.set.contains(member) {
                continue;
            }
            if entry.is_apply() {
                conflicts.push(FieldConflict {
                    manager: entry.manager.clone(),
                    path: display_path(member),
                });
            }
            entry.changed |= entry.set.remove(member);
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(ApplyError::Conflict { conflicts });
    }

    let mut removed: Vec<&FieldPath> = previous.iter().filter(|p| !applied_set.contains(p)).collect();
    removed.sort_by_key(|p| Reverse(p.len()));
    for path in removed {
        let owned_elsewhere = entries
            .iter()
            .enumerate()
            .any(|(i, e)| Some(i) != own && e.set.owns_within(path));
        if owned_elsewhere || applied_set.owns_within(path) || is_element_key(path) {
            continue;
        }
        if remove_at(&mut merged, path) {
            prune_emptied(&mut merged, path, &applied_set, &entries);
        }
    }

    let api_version = applied
        .get("apiVersion")
        .or_else(|| live.get("apiVersion"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut own_entry = (!applied_set.is_empty()).then(|| {
        json!({
            "manager": manager,
            "operation": "Apply",
            "apiVersion": api_version,
            "time": now,
            "fieldsType": "FieldsV1",
            "fieldsV1": applied_set.to_fields_v1(),
        })
    });
    let mut managed = Vec::with_capacity(entries.len() + 1);
    for (i, entry) in entries.into_iter().enumerate() {
        if Some(i) == own {
            managed.extend(own_entry.take());
        } else if !entry.changed {
            managed.push(entry.raw);
        } else if !entry.set.is_empty() {
            let mut raw = entry.raw;
            if let Value::Object(map) = &mut raw {
                map.insert("fieldsV1".into(), entry.set.to_fields_v1());
            }
            managed.push(raw);
        }
    }
    managed.extend(own_entry);
    write_managed_fields(&mut merged, managed);
    Ok(merged)
}

/// One `metadata.managedFields` entry of the live object.
struct ManagedEntry {
    raw: Value,
    manager: String,
    operation: String,
    subresource: bool,
    set: FieldSet,
    changed: bool,
}

impl ManagedEntry {
    fn read_all(object: &Value) -> Vec<ManagedEntry> {
        let entries = object.pointer("/metadata/managedFields").and_then(Value::as_array);
        entries.into_iter().flatten().map(ManagedEntry::read).collect()
    }

    fn read(raw: &Value) -> ManagedEntry {
        let text = |key: &str| raw.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        ManagedEntry {
            manager: text("manager"),
            operation: text("operation"),
            subresource: !text("subresource").is_empty(),
            set: raw.get("fieldsV1").map(FieldSet::from_fields_v1).unwrap_or_default(),
            raw: raw.clone(),
            changed: false,
        }
    }

    fn is_apply(&self) -> bool {
        self.operation == "Apply" && !self.subresource
    }
}

fn write_managed_fields(object: &mut Value, managed: Vec<Value>) {
    let Value::Object(root) = object else { return };
    let meta = root.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    if let Value::Object(meta) = meta {
        if managed.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".into(), Value::Array(managed));
        }
    }
}

/// What an apply can change about a member: its value, or for keyed elements and set values
/// just whether it exists.
fn observed<'v>(object: &'v Value, path: &[String]) -> Option<&'v Value> {
    static PRESENT: Value = Value::Bool(true);
    let found = resolve(object, path)?;
    let existence_only = path.last().is_some_and(|t| t.starts_with("k:") || t.starts_with("v:"));
    Some(if existence_only { &PRESENT } else { found })
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => json_eq(x, y),
        _ => false,
    }
}

/// After removing `path`, removes the ancestors the removal left empty, unless someone
/// still owns them as a whole.
fn prune_emptied(object: &mut Value, path: &[String], applied: &FieldSet, entries: &[ManagedEntry]) {
    for end in (1..path.len()).rev() {
        let ancestor = &path[..end];
        let empty = match resolve(object, ancestor) {
            Some(Value::Object(m)) => m.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if !empty || applied.contains(ancestor) || entries.iter().any(|e| e.set.contains(ancestor)) {
            return;
        }
        remove_at(object, ancestor);
    }
}

/// Merges an applied value into a live value: objects recursively (null members skipped),
/// keyed lists by key, set lists by union, anything else replaced.
fn merge_value(
    live: &mut Value,
    applied: &Value,
    strategy: Option<&Strategy>,
    fields: &mut Vec<String>,
) -> Result<(), ApplyError> {
    match (live, applied) {
        (Value::Object(live), Value::Object(applied)) => {
            for (name, value) in applied.iter().filter(|(_, v)| !v.is_null()) {
                fields.push(name.clone());
                match live.get_mut(name) {
                    Some(slot) => merge_value(slot, value, strategy, fields)?,
                    None => {
                        live.insert(name.clone(), without_nulls(value));
                    }
                }
                fields.pop();
            }
            Ok(())
        }
        (Value::Array(live), Value::Array(applied)) => merge_list(live, applied, strategy, fields),
        (live, applied) => {
            *live = without_nulls(applied);
            Ok(())
        }
    }
}

fn merge_list(
    live: &mut Vec<Value>,
    applied: &[Value],
    strategy: Option<&Strategy>,
    fields: &mut Vec<String>,
) -> Result<(), ApplyError> {
    match list_mode(strategy, fields, applied) {
        ListMode::Keyed(key) => {
            for item in applied {
                let id = item.get(key).unwrap_or(&Value::Null);
                match live.iter_mut().find(|l| l.get(key).is_some_and(|v| json_eq(v, id))) {
                    Some(slot) => merge_value(slot, item, strategy, fields)?,
                    None => live.push(without_nulls(item)),
                }
            }
        }
        ListMode::Set => {
            for item in applied.iter().filter(|i| !i.is_null()) {
                if !live.iter().any(|l| json_eq(l, item)) {
                    live.push(item.clone());
                }
            }
        }
        ListMode::Atomic => *live = applied.iter().map(without_nulls).collect(),
    }
    Ok(())
}

/// Keyed lists must not name an element twice (Kubernetes rejects such configurations too).
fn reject_duplicate_keys(
    value: &Value,
    strategy: Option<&Strategy>,
    fields: &mut Vec<String>,
) -> Result<(), ApplyError> {
    match value {
        Value::Object(map) => {
            for (name, child) in map {
                fields.push(name.clone());
                reject_duplicate_keys(child, strategy, fields)?;
                fields.pop();
            }
        }
        Value::Array(items) => {
            if let ListMode::Keyed(key) = list_mode(strategy, fields, items) {
                for (i, item) in items.iter().enumerate() {
                    let id = item.get(key).unwrap_or(&Value::Null);
                    if items[..i]
                        .iter()
                        .any(|earlier| earlier.get(key).is_some_and(|e| json_eq(e, id)))
                    {
                        return Err(ApplyError::Invalid(format!(
                            ".{}: duplicate entries for key [{key}={id}]",
                            fields.join(".")
                        )));
                    }
                }
            }
            for item in items {
                reject_duplicate_keys(item, strategy, fields)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
