//! The scale subresource: a `Scale` view of an object's replica count, as HPAs and `kubectl scale` use it.

use bytes::Bytes;
use hyper::Method;
use serde_json::{Value, json};

use super::Reply;
use super::error::ApiError;
use super::resources::{Ctx, parse_body, write_existing};
use crate::registry::ResourceType;

fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
        .collect()
}

/// The value at a `.a.b.c` path.
pub fn get_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    segments(path).into_iter().try_fold(obj, |at, seg| at.get(seg))
}

/// Sets the value at a `.a.b.c` path, creating objects on the way.
pub fn set_path(obj: &mut Value, path: &str, value: Value) {
    let segs = segments(path);
    let Some((last, parents)) = segs.split_last() else {
        return;
    };
    let mut at = obj;
    for seg in parents {
        let Some(o) = at.as_object_mut() else { return };
        at = o.entry(*seg).or_insert_with(|| json!({}));
    }
    if let Some(o) = at.as_object_mut() {
        o.insert((*last).to_string(), value);
    }
}

/// The `autoscaling/v1` Scale of an object.
pub fn to_scale(rt: &ResourceType, obj: &Value) -> Value {
    let Some(paths) = &rt.scale else { return Value::Null };
    let selector = match &paths.label_selector {
        Some(p) => get_path(obj, p).and_then(Value::as_str).map(str::to_string),
        None if rt.is_custom() => None,
        None => Some(crate::selectors::format_label_selector(obj.pointer("/spec/selector"))),
    };
    let mut status = json!({ "replicas": get_path(obj, &paths.status_replicas).and_then(Value::as_i64).unwrap_or(0) });
    if let Some(s) = selector.filter(|s| !s.is_empty()) {
        status["selector"] = json!(s);
    }
    let meta = obj.get("metadata").cloned().unwrap_or(json!({}));
    let mut scale_meta = json!({});
    for f in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
        if let Some(v) = meta.get(f) {
            scale_meta[f] = v.clone();
        }
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": { "replicas": get_path(obj, &paths.spec_replicas).and_then(Value::as_i64).unwrap_or(0) },
        "status": status,
    })
}

/// `PUT` or `PATCH` of `.../scale`.
pub async fn write(ctx: &Ctx<'_>, name: &str, method: &Method, body: &Bytes) -> Result<Reply, ApiError> {
    let body = parse_body(ctx, body)?;
    let rt = ctx.rt.clone();
    let content_type = ctx.headers.content_type.clone();
    let is_patch = *method == Method::PATCH;
    let reply = write_existing(ctx, name, None, |current| {
        let mut scale = to_scale(&rt, current);
        if is_patch {
            scale = super::patching::apply_patch(&rt, &content_type, &scale, &body)?;
        } else {
            scale = body.clone();
        }
        let replicas = scale.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
        if replicas < 0 {
            return Err(ApiError::invalid(
                &rt,
                name,
                vec![super::error::Cause {
                    reason: "FieldValueInvalid".into(),
                    field: "spec.replicas".into(),
                    message: format!("Invalid value: {replicas}: must be greater than or equal to 0"),
                }],
            ));
        }
        let mut next = current.clone();
        if let Some(rv) = scale.pointer("/metadata/resourceVersion").cloned() {
            next["metadata"]["resourceVersion"] = rv;
        }
        if let Some(paths) = &rt.scale {
            set_path(&mut next, &paths.spec_replicas, json!(replicas));
        }
        Ok(next)
    })
    .await?;
    match reply {
        Reply::Json(code, obj) if obj.get("kind").and_then(Value::as_str) == Some(rt.kind.as_str()) => {
            Ok(Reply::Json(code, to_scale(&rt, &obj)))
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_get_and_set() {
        let mut v = json!({"status": {"HPAReplicas": 3}});
        assert_eq!(get_path(&v, ".status.HPAReplicas"), Some(&json!(3)));
        set_path(&mut v, ".spec.replicas", json!(5));
        assert_eq!(v["spec"]["replicas"], 5);
    }
}
