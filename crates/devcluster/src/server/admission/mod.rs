//! Admission: what happens to an object on its way into storage, after the request has been read and before
//! it is stored. Metadata rules and per-kind defaults, the decoding that finds unknown fields (typed for
//! built-in kinds, schema pruning for custom resources), schema and per-kind validation, Secret
//! `stringData`, and the size limit.

mod defaults;
mod metadata;
mod owner_refs;
mod typed;
mod validation;

pub(crate) use defaults::has_spec_finalizers;
pub(in crate::server) use metadata::{Updated, prepare_create, prepare_update};
pub(in crate::server) use owner_refs::OwnerRefGuard;

use rollouts_compat::reencode::{LostField, lost_fields};
use serde_json::{Value, json};

use super::MAX_OBJECT_BYTES;
use super::error::{ApiError, Cause};
use super::events;
use super::strict::Strictness;
use crate::object;
use crate::registry::ResourceType;

/// Checks types and fields of an incoming object and gives the form to store. Unknown and duplicated fields
/// are refused or warned about as `fieldValidation` says, before any other check (they are found while
/// decoding).
pub(in crate::server) fn validate(rt: &ResourceType, strict: &Strictness, obj: Value) -> Result<Value, ApiError> {
    let name = object::meta_str(&obj, "name").unwrap_or_default().to_string();
    let mut stored = if rt.is_custom() {
        let mut pruned = obj.clone();
        if let Some(schema) = rt.schema() {
            crate::schema::prune(&mut pruned, schema);
            let pruned_fields: Vec<String> = lost_fields(&obj, &pruned).iter().map(LostField::path).collect();
            strict.check_object(rt, &obj, &pruned_fields)?;
            crate::schema::apply_defaults(&mut pruned, schema);
        } else {
            strict.check_object(rt, &obj, &[])?;
        }
        pruned
    } else {
        match typed::decode_builtin(&rt.group, &rt.kind, &obj) {
            Some(Ok(decoded)) => {
                strict.check_object(rt, &obj, &decoded.unknown_fields)?;
                decoded.object
            }
            Some(Err(e)) => {
                return Err(ApiError::bad_request(format!(
                    "{} in version \"{}\" cannot be handled as a {}: {e}",
                    rt.kind, rt.version, rt.kind
                )));
            }
            None => {
                strict.check_object(rt, &obj, &[])?;
                obj
            }
        }
    };
    if let Some(schema) = rt.schema().filter(|_| rt.is_custom()) {
        let causes: Vec<Cause> = crate::schema::validate(&stored, schema)
            .into_iter()
            .map(|c| Cause {
                reason: c.reason.to_string(),
                message: c.message,
                field: c.field,
            })
            .collect();
        if !causes.is_empty() {
            return Err(ApiError::invalid(rt, &name, causes));
        }
    }
    if rt.group.is_empty() && rt.kind == "Secret" {
        fold_string_data(&mut stored);
    }
    validation::check(rt, &stored).map_err(|causes| ApiError::invalid(rt, &name, causes))?;
    if serde_json::to_vec(&stored).map_or(0, |b| b.len()) > MAX_OBJECT_BYTES {
        return Err(ApiError::storage_too_large());
    }
    // Typed re-encoding of built-ins may drop an empty metadata; it must stay an object.
    if stored.get("metadata").is_none()
        && let Some(o) = stored.as_object_mut()
    {
        o.insert("metadata".into(), json!({}));
    }
    if events::is_events_api(&rt.group, &rt.plural) {
        stored = events::to_core(&stored);
    }
    Ok(stored)
}

/// A Secret's `stringData` is write-only: the API server merges it into `data` (base64, `stringData`
/// winning over a key in both) and never stores it.
fn fold_string_data(secret: &mut Value) {
    use base64::Engine;
    let Some(object) = secret.as_object_mut() else { return };
    let Some(Value::Object(strings)) = object.remove("stringData") else {
        return;
    };
    let data = object.entry("data").or_insert_with(|| json!({}));
    if !data.is_object() {
        *data = json!({});
    }
    if let Some(data) = data.as_object_mut() {
        for (key, value) in strings {
            let text = value.as_str().unwrap_or_default();
            data.insert(
                key,
                Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_data_is_folded_into_data() {
        let mut secret =
            json!({"kind": "Secret", "data": {"a": "eA==", "b": "eA=="}, "stringData": {"b": "hi", "c": "x"}});
        fold_string_data(&mut secret);
        assert_eq!(
            secret,
            json!({"kind": "Secret", "data": {"a": "eA==", "b": "aGk=", "c": "eA=="}})
        );
        let mut plain = json!({"kind": "Secret", "stringData": {"k": "v"}});
        fold_string_data(&mut plain);
        assert_eq!(plain, json!({"kind": "Secret", "data": {"k": "dg=="}}));
    }
}
