//! Metadata on an object's way in: type and metadata defaults and rules, status handling, generation, and
//! the per-kind defaults of `defaults`. Pure functions of the request, the stored object and the time.

use serde_json::{Map, Value, json};

use crate::object::{self, NameRule};
use crate::registry::ResourceType;
use crate::server::error::{ApiError, Cause};

/// Metadata fields only the server sets.
const SERVER_OWNED: [&str; 6] = [
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "resourceVersion",
];

/// Kinds whose `metadata.generation` tracks spec changes.
fn tracks_generation(rt: &ResourceType) -> bool {
    rt.is_custom()
        || matches!(
            (rt.group.as_str(), rt.kind.as_str()),
            (
                "apps" | "batch" | "networking.k8s.io" | "autoscaling" | "policy" | "apiextensions.k8s.io",
                _
            ) | ("", "Pod" | "Service")
        )
}

fn cause(reason: &str, field: &str, message: String) -> Cause {
    Cause {
        reason: reason.to_string(),
        field: field.to_string(),
        message,
    }
}

/// Checks and fills `apiVersion` and `kind`.
fn check_type(rt: &ResourceType, obj: &mut Map<String, Value>) -> Result<(), ApiError> {
    let api_version = rt.api_version();
    match obj.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {
            obj.insert("apiVersion".into(), json!(api_version));
        }
        Some(v) if v != api_version => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({v}) does not match the expected API version ({api_version})"
            )));
        }
        Some(_) => {}
    }
    match obj.get("kind").and_then(Value::as_str) {
        None | Some("") => {
            obj.insert("kind".into(), json!(rt.kind));
        }
        Some(k) if k != rt.kind => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                rt.kind
            )));
        }
        Some(_) => {}
    }
    Ok(())
}

fn labels_causes(meta: &Map<String, Value>) -> Vec<Cause> {
    let mut out = Vec::new();
    if let Some(labels) = meta.get("labels").and_then(Value::as_object) {
        for (k, v) in labels {
            if let Some(p) = object::label_key_problems(k) {
                out.push(cause(
                    "FieldValueInvalid",
                    "metadata.labels",
                    format!("Invalid value: \"{k}\": {p}"),
                ));
            }
            match v.as_str() {
                Some(s) => {
                    if let Some(p) = object::label_value_problems(s) {
                        out.push(cause(
                            "FieldValueInvalid",
                            "metadata.labels",
                            format!("Invalid value: \"{s}\": {p}"),
                        ));
                    }
                }
                None if !v.is_null() => out.push(cause(
                    "FieldValueTypeInvalid",
                    "metadata.labels",
                    format!("Invalid value: {v}: must be a string"),
                )),
                None => {}
            }
        }
    }
    out.extend(annotations_causes(meta));
    out
}

/// The most bytes (keys and values) all annotations of an object may take.
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

fn annotations_causes(meta: &Map<String, Value>) -> Vec<Cause> {
    let mut out = Vec::new();
    let Some(annotations) = meta.get("annotations").and_then(Value::as_object) else {
        return out;
    };
    let mut total = 0;
    for (k, v) in annotations {
        // Annotation keys follow the label key rule, in any case.
        if let Some(p) = object::label_key_problems(&k.to_lowercase()) {
            out.push(cause(
                "FieldValueInvalid",
                "metadata.annotations",
                format!("Invalid value: \"{k}\": {p}"),
            ));
        }
        total += k.len() + v.as_str().map_or(0, str::len);
    }
    if total > ANNOTATIONS_MAX_BYTES {
        out.push(cause(
            "FieldValueTooLong",
            "metadata.annotations",
            format!("Too long: may not be more than {ANNOTATIONS_MAX_BYTES} bytes"),
        ));
    }
    out
}

/// A new object ready to store, from a create request at `path_namespace`.
pub fn prepare_create(
    rt: &ResourceType,
    path_namespace: Option<&str>,
    body: Value,
    now: &str,
) -> Result<Value, ApiError> {
    let Value::Object(mut obj) = body else {
        return Err(ApiError::bad_request(format!(
            "Object '{}' is missing in the request body",
            rt.kind
        )));
    };
    check_type(rt, &mut obj)?;
    let meta = obj.entry("metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        return Err(ApiError::bad_request("metadata must be an object"));
    }
    let meta = meta
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
    // Namespace: from the path; a different one in the body is an error.
    if rt.namespaced {
        let Some(ns) = path_namespace else {
            return Err(ApiError::bad_request(
                "the namespace of the object must be given in the request path",
            ));
        };
        match meta.get("namespace").and_then(Value::as_str) {
            Some(body_ns) if !body_ns.is_empty() && body_ns != ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {
                meta.insert("namespace".into(), json!(ns));
            }
        }
    } else {
        meta.remove("namespace");
    }
    let name = meta.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let name = if name.is_empty() {
        match meta
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|g| !g.is_empty())
        {
            Some(prefix) => format!("{prefix}{}", object::random_suffix(5)),
            None => {
                return Err(ApiError::invalid(
                    rt,
                    "",
                    vec![cause(
                        "FieldValueRequired",
                        "metadata.name",
                        "Required value: name or generateName is required".to_string(),
                    )],
                ));
            }
        }
    } else {
        name
    };
    let mut causes: Vec<Cause> = object::name_problems(&name, NameRule::for_kind(&rt.group, &rt.kind))
        .into_iter()
        .map(|p| {
            cause(
                "FieldValueInvalid",
                "metadata.name",
                format!("Invalid value: \"{name}\": {p}"),
            )
        })
        .collect();
    causes.extend(labels_causes(meta));
    if !causes.is_empty() {
        return Err(ApiError::invalid(rt, &name, causes));
    }
    meta.insert("name".into(), json!(name));
    for f in SERVER_OWNED {
        meta.remove(f);
    }
    meta.insert("uid".into(), json!(object::new_uid()));
    meta.insert("creationTimestamp".into(), json!(now));
    if tracks_generation(rt) {
        meta.insert("generation".into(), json!(1));
    }
    if rt.status_subresource {
        obj.remove("status");
    }
    let mut obj = Value::Object(obj);
    super::defaults::on_create(rt, &mut obj);
    Ok(obj)
}

/// What an update amounts to.
#[derive(Debug)]
pub enum Updated {
    /// Store this.
    Put(Value),
    /// Nothing changed: keep the stored object (no new resourceVersion, no event).
    Unchanged,
    /// The last finalizer of an object being deleted is gone: remove it (its last state is given).
    Delete(Value),
}

/// The object without what changes on every write: the resourceVersion, and the times of field ownership
/// (an apply that changes nothing, not even who owns what, is no write).
fn without_volatile(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
        if let Some(entries) = meta.get_mut("managedFields").and_then(Value::as_array_mut) {
            for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                entry.remove("time");
            }
        }
    }
    v
}

fn spec_part(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("metadata");
        o.remove("status");
    }
    v
}

fn finalizers(v: &Value) -> Vec<String> {
    v.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The object to store for an update of `old` to `body` (on the main resource, or `subresource`).
pub fn prepare_update(
    rt: &ResourceType,
    old: &Value,
    body: Value,
    subresource: Option<&str>,
) -> Result<Updated, ApiError> {
    let Value::Object(mut obj) = body else {
        return Err(ApiError::bad_request(format!(
            "Object '{}' is missing in the request body",
            rt.kind
        )));
    };
    check_type(rt, &mut obj)?;
    let name = object::meta_str(old, "name").unwrap_or_default().to_string();
    let old_rv = object::meta_str(old, "resourceVersion").unwrap_or_default();
    let meta = obj.entry("metadata").or_insert_with(|| json!({}));
    let meta = meta
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
    match meta.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() && n != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        _ => {}
    }
    if let Some(rv) = meta.get("resourceVersion").and_then(Value::as_str)
        && !rv.is_empty()
        && rv != old_rv
    {
        return Err(ApiError::stale(rt, &name));
    }
    let mut new = match subresource {
        // Status writes change status only.
        Some("status") => {
            let mut merged = old.clone();
            if let Some(o) = merged.as_object_mut() {
                match obj.remove("status") {
                    Some(status) => o.insert("status".into(), status),
                    None => o.remove("status"),
                };
            }
            merged
        }
        _ => {
            let old_meta = old
                .get("metadata")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for f in SERVER_OWNED.iter().chain(["name", "namespace"].iter()) {
                match old_meta.get(*f) {
                    Some(v) => meta.insert((*f).to_string(), v.clone()),
                    None => meta.remove(*f),
                };
            }
            causes_or_ok(rt, &name, labels_causes(meta))?;
            if rt.status_subresource {
                match old.get("status") {
                    Some(s) => obj.insert("status".into(), s.clone()),
                    None => obj.remove("status"),
                };
            }
            let mut obj = Value::Object(obj);
            super::defaults::canonicalize(rt, &mut obj);
            obj
        }
    };
    let deleting = old.pointer("/metadata/deletionTimestamp").is_some();
    let old_finalizers = finalizers(old);
    let new_finalizers = finalizers(&new);
    if deleting && let Some(added) = new_finalizers.iter().find(|f| !old_finalizers.contains(f)) {
        return Err(ApiError::invalid(
            rt,
            &name,
            vec![cause(
                "FieldValueForbidden",
                "metadata.finalizers",
                format!(
                    "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{added}\"}}"
                ),
            )],
        ));
    }
    if deleting && new_finalizers.is_empty() && !super::defaults::has_spec_finalizers(rt, &new) {
        return Ok(Updated::Delete(new));
    }
    if without_volatile(&new) == without_volatile(old) {
        return Ok(Updated::Unchanged);
    }
    if tracks_generation(rt) && spec_part(&new) != spec_part(old) {
        let generation = old.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(0) + 1;
        if let Some(m) = object::meta_mut(&mut new) {
            m.insert("generation".into(), json!(generation));
        }
    }
    Ok(Updated::Put(new))
}

fn causes_or_ok(rt: &ResourceType, name: &str, causes: Vec<Cause>) -> Result<(), ApiError> {
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(rt, name, causes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    fn rt(group: &str, plural: &str) -> std::sync::Arc<ResourceType> {
        Registry::with_builtins()
            .get(group, if group == "autoscaling" { "v2" } else { "v1" }, plural)
            .unwrap()
    }

    #[test]
    fn create_fills_metadata_and_drops_status() {
        let rs = rt("apps", "replicasets");
        let obj = prepare_create(&rs, Some("default"), json!({"metadata": {"generateName": "web-", "resourceVersion": "9"}, "spec": {}, "status": {"replicas": 3}}), "2026-01-01T00:00:00Z").unwrap();
        assert_eq!(obj["apiVersion"], "apps/v1");
        assert_eq!(obj["metadata"]["namespace"], "default");
        assert!(obj["metadata"]["name"].as_str().unwrap().starts_with("web-"));
        assert_eq!(obj["metadata"]["generation"], 1);
        assert!(obj["metadata"].get("resourceVersion").is_none());
        assert!(obj.get("status").is_none() || obj["status"].get("replicas").is_none());
    }

    #[test]
    fn create_rejects_bad_names_and_namespace_mismatch() {
        let cm = rt("", "configmaps");
        let e = prepare_create(&cm, Some("default"), json!({"metadata": {"name": "Bad_Name"}}), "t").unwrap_err();
        assert_eq!(e.code, 422);
        assert!(
            e.message
                .starts_with("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value"),
            "{}",
            e.message
        );
        let e = prepare_create(
            &cm,
            Some("default"),
            json!({"metadata": {"name": "a", "namespace": "other"}}),
            "t",
        )
        .unwrap_err();
        assert_eq!(e.code, 400);
        let e = prepare_create(&cm, Some("default"), json!({"metadata": {}}), "t").unwrap_err();
        assert!(e.message.contains("name or generateName is required"));
    }

    #[test]
    fn update_checks_resource_version_and_bumps_generation_on_spec_change() {
        let rs = rt("apps", "replicasets");
        let old = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "a", "namespace": "d", "uid": "u", "resourceVersion": "5", "generation": 1}, "spec": {"replicas": 1}, "status": {"replicas": 1}});
        let stale = json!({"metadata": {"name": "a", "resourceVersion": "4"}, "spec": {"replicas": 2}});
        assert_eq!(prepare_update(&rs, &old, stale, None).unwrap_err().code, 409);
        let Updated::Put(new) = prepare_update(&rs, &old, json!({"metadata": {"name": "a", "resourceVersion": "5"}, "spec": {"replicas": 2}, "status": {"replicas": 9}}), None).unwrap() else { panic!() };
        assert_eq!(new["metadata"]["generation"], 2);
        assert_eq!(new["metadata"]["uid"], "u");
        assert_eq!(new["status"]["replicas"], 1, "main resource writes ignore status");
        let Updated::Put(new) = prepare_update(&rs, &old, json!({"metadata": {"name": "a", "labels": {"x": "y"}}, "spec": {"replicas": 7}, "status": {"replicas": 9}}), Some("status")).unwrap() else { panic!() };
        assert_eq!(
            (new["spec"]["replicas"].as_i64(), new["status"]["replicas"].as_i64()),
            (Some(1), Some(9))
        );
        assert!(new["metadata"].get("labels").is_none(), "status writes ignore metadata");
        assert_eq!(new["metadata"]["generation"], 1);
    }

    #[test]
    fn identical_update_is_unchanged_and_last_finalizer_deletes() {
        let cm = rt("", "configmaps");
        let old = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "d", "resourceVersion": "5", "deletionTimestamp": "t", "finalizers": ["x"]}, "data": {"k": "v"}});
        assert!(matches!(
            prepare_update(&cm, &old, old.clone(), None).unwrap(),
            Updated::Unchanged
        ));
        let mut gone = old.clone();
        gone["metadata"]["finalizers"] = json!([]);
        assert!(matches!(
            prepare_update(&cm, &old, gone, None).unwrap(),
            Updated::Delete(_)
        ));
        let mut more = old.clone();
        more["metadata"]["finalizers"] = json!(["x", "y"]);
        assert_eq!(prepare_update(&cm, &old, more, None).unwrap_err().code, 422);
    }
}
